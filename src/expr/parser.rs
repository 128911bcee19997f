//! From text to [`Node`]: pest recognises the tokens and the bracketed structure
//! (`grammar/expr.pest`); a Pratt parser over each flat level applies the binding powers of
//! the reference implementations (jmespath.py, jmespath.rs), which decide where a projection
//! ends.

use pest::Parser as _;
use pest::iterators::{Pair, Pairs};
use serde_json::Value;
use std::iter::Peekable;

use super::ast::{Comparator, Node};
use super::functions;
use super::{ParseError, ParseErrorKind};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/expr.pest"]
struct Grammar;

/// Binding power at which a projection stops collecting its right-hand side.
const PROJECTION_STOP: u8 = 10;

/// How deep the Pratt parser may recurse (sub-expressions, projections, nested brackets and
/// groups together): far below what overflows a thread's stack, far above real expressions.
const MAX_DEPTH: usize = 110;

/// Parse a whole expression.
pub(super) fn parse(src: &str) -> Result<Node, ParseError> {
    let mut pairs = Grammar::parse(Rule::expression, src).map_err(pest_error)?;
    let expression = pairs.next().ok_or_else(|| syntax(0, "empty expression"))?;
    let expr = expression
        .into_inner()
        .next()
        .ok_or_else(|| syntax(0, "empty expression"))?;
    parse_level(expr, 0)
}

fn pest_error(err: pest::error::Error<Rule>) -> ParseError {
    let offset = match err.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((p, _)) => p,
    };
    let message = match &err.variant {
        pest::error::ErrorVariant::ParsingError { .. } => "unexpected character".to_owned(),
        pest::error::ErrorVariant::CustomError { message } => message.clone(),
    };
    syntax(offset, message)
}

fn syntax(offset: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        offset,
        message: message.into(),
        kind: ParseErrorKind::Syntax,
    }
}

/// Parse one `expr` pair (one nesting level) completely.
fn parse_level(expr: Pair<'_, Rule>, depth: usize) -> Result<Node, ParseError> {
    let end = expr.as_span().end();
    let mut level = Level {
        tokens: Tokens {
            pairs: expr.into_inner(),
            path: "",
            path_start: 0,
        }
        .peekable(),
        last: None,
        before_last: None,
        end,
        depth,
    };
    let node = level.expr(0)?;
    match level.tokens.peek() {
        None => Ok(node),
        Some(t) => Err(syntax(t.start, format!("unexpected {}", describe(t.text)))),
    }
}

fn describe(text: &str) -> String {
    format!("token '{text}'")
}

/// What a token of a level is; the grammar's `op` rule covers every operator.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Pipe,
    Or,
    And,
    Compare(Comparator),
    Not,
    Ampersand,
    Current,
    Dot,
    Star,
    Flatten,
    Filter,
    Bracket,
    Group,
    Hash,
    Identifier,
    QuotedIdentifier,
    Literal,
    RawString,
}

impl Kind {
    fn of(rule: Rule, text: &str) -> Self {
        match rule {
            Rule::op => match text {
                "." => Kind::Dot,
                "|" => Kind::Pipe,
                "||" => Kind::Or,
                "&&" => Kind::And,
                "==" => Kind::Compare(Comparator::Eq),
                "!=" => Kind::Compare(Comparator::Ne),
                "<" => Kind::Compare(Comparator::Lt),
                "<=" => Kind::Compare(Comparator::Le),
                ">" => Kind::Compare(Comparator::Gt),
                ">=" => Kind::Compare(Comparator::Ge),
                "!" => Kind::Not,
                "&" => Kind::Ampersand,
                "@" => Kind::Current,
                _ => Kind::Star,
            },
            Rule::flatten => Kind::Flatten,
            Rule::filter => Kind::Filter,
            Rule::bracket | Rule::simple_bracket => Kind::Bracket,
            Rule::group => Kind::Group,
            Rule::hash => Kind::Hash,
            Rule::quoted_identifier => Kind::QuotedIdentifier,
            Rule::literal => Kind::Literal,
            Rule::raw_string => Kind::RawString,
            _ => Kind::Identifier,
        }
    }

    /// Left binding power.
    fn lbp(self) -> u8 {
        match self {
            Kind::Pipe => 1,
            Kind::Or => 2,
            Kind::And => 3,
            Kind::Compare(_) => 5,
            Kind::Flatten => 9,
            Kind::Star => 20,
            Kind::Filter => 21,
            Kind::Dot => 40,
            Kind::Not => 45,
            Kind::Hash => 50,
            Kind::Bracket => 55,
            Kind::Group => 60,
            _ => 0,
        }
    }
}

/// One token of a level: its kind, where it starts, its text and, for tokens with an inner
/// structure, its pest pair.
struct Token<'i> {
    kind: Kind,
    start: usize,
    text: &'i str,
    pair: Option<Pair<'i, Rule>>,
}

impl<'i> Token<'i> {
    /// The pair of a token with an inner structure.
    fn into_pair(self) -> Result<Pair<'i, Rule>, ParseError> {
        let (start, text) = (self.start, self.text);
        self.pair
            .ok_or_else(|| syntax(start, format!("unexpected {}", describe(text))))
    }
}

/// The tokens of one level, read once from the pest pairs: a `path` pair (`a.b.c`, `.a.b`)
/// stands for its identifiers and dots.
struct Tokens<'i> {
    pairs: Pairs<'i, Rule>,
    /// What is left of the current `path` pair, and where it starts.
    path: &'i str,
    path_start: usize,
}

impl<'i> Iterator for Tokens<'i> {
    type Item = Token<'i>;

    fn next(&mut self) -> Option<Token<'i>> {
        if self.path.is_empty() {
            let pair = self.pairs.next()?;
            let (rule, text, start) = (pair.as_rule(), pair.as_str(), pair.as_span().start());
            if rule != Rule::path {
                let pair = (rule != Rule::op).then_some(pair);
                let kind = Kind::of(rule, text);
                return Some(Token {
                    kind,
                    start,
                    text,
                    pair,
                });
            }
            self.path = text;
            self.path_start = start;
        }
        let len = match self.path.find('.') {
            Some(0) => 1,
            Some(dot) => dot,
            None => self.path.len(),
        };
        let (text, rest) = self.path.split_at_checked(len)?;
        let kind = if text == "." {
            Kind::Dot
        } else {
            Kind::Identifier
        };
        let token = Token {
            kind,
            start: self.path_start,
            text,
            pair: None,
        };
        self.path = rest;
        self.path_start += len;
        Some(token)
    }
}

struct Level<'i> {
    tokens: Peekable<Tokens<'i>>,
    /// Kinds of the last two tokens taken: a `(` after a name is a function call.
    last: Option<Kind>,
    before_last: Option<Kind>,
    end: usize,
    /// Current recursion depth, counted across levels.
    depth: usize,
}

/// What is between the brackets of an index, `[*]`, a slice or a multiselect list.
enum BracketBody<'i> {
    Star,
    Index(&'i str, usize),
    Other(Pair<'i, Rule>),
}

impl<'i> BracketBody<'i> {
    fn of(t: Token<'i>) -> Result<Self, ParseError> {
        let at = t.start;
        let Some(pair) = t.pair else {
            return Err(syntax(at, "empty brackets"));
        };
        if pair.as_rule() == Rule::simple_bracket {
            let body = t.text.get(1..t.text.len().saturating_sub(1)).unwrap_or("");
            return Ok(if body == "*" {
                BracketBody::Star
            } else {
                BracketBody::Index(body, at + 1)
            });
        }
        let inner = pair
            .into_inner()
            .next()
            .ok_or_else(|| syntax(at, "empty brackets"))?;
        Ok(match inner.as_rule() {
            Rule::index => BracketBody::Index(inner.as_str(), inner.as_span().start()),
            Rule::wildcard_star => BracketBody::Star,
            _ => BracketBody::Other(inner),
        })
    }
}

impl<'i> Level<'i> {
    fn peek_kind(&mut self) -> Option<Kind> {
        self.tokens.peek().map(|t| t.kind)
    }

    fn peek_lbp(&mut self) -> u8 {
        self.peek_kind().map_or(0, Kind::lbp)
    }

    fn next(&mut self) -> Result<Token<'i>, ParseError> {
        let t = self
            .tokens
            .next()
            .ok_or_else(|| syntax(self.end, "unexpected end of expression"))?;
        self.before_last = self.last.replace(t.kind);
        Ok(t)
    }

    fn expr(&mut self, rbp: u8) -> Result<Node, ParseError> {
        if self.depth >= MAX_DEPTH {
            let at = self.tokens.peek().map_or(self.end, |t| t.start);
            return Err(syntax(at, "expression nested too deeply"));
        }
        self.depth += 1;
        let node = self.expr_at_depth(rbp);
        self.depth -= 1;
        node
    }

    fn expr_at_depth(&mut self, rbp: u8) -> Result<Node, ParseError> {
        let token = self.next()?;
        let mut left = self.nud(token)?;
        while rbp < self.peek_lbp() {
            let token = self.next()?;
            left = self.led(token, left)?;
        }
        Ok(left)
    }

    fn nud(&mut self, t: Token<'i>) -> Result<Node, ParseError> {
        let at = t.start;
        match t.kind {
            Kind::Current => Ok(Node::Current),
            Kind::Identifier => Ok(Node::Field(t.text.to_owned())),
            Kind::QuotedIdentifier => {
                if self.peek_kind() == Some(Kind::Group) {
                    return Err(syntax(at, "a quoted identifier cannot name a function"));
                }
                Ok(Node::Field(quoted(&t.into_pair()?)?))
            }
            Kind::Literal => literal(t.into_pair()?),
            Kind::RawString => Ok(Node::Literal(Value::String(raw_string(&t.into_pair()?)))),
            Kind::Star => {
                let rhs = self.projection_rhs(Kind::Star.lbp())?;
                Ok(Node::ValueProjection(
                    Box::new(Node::Current),
                    Box::new(rhs),
                ))
            }
            Kind::Bracket => self.bracket(t, Node::Current, true),
            Kind::Flatten => self.flatten(Node::Current),
            Kind::Filter => self.filter(t.into_pair()?, Node::Current),
            Kind::Hash => hash(t.into_pair()?, self.depth),
            Kind::Not => Ok(Node::Not(Box::new(self.expr(Kind::Not.lbp())?))),
            Kind::Ampersand => Ok(Node::Expref(Box::new(self.expr(0)?))),
            Kind::Group => {
                let mut items = t.into_pair()?.into_inner();
                match (items.next(), items.next()) {
                    (Some(inner), None) => parse_level(inner, self.depth),
                    _ => Err(syntax(
                        at,
                        "a parenthesised expression holds one expression",
                    )),
                }
            }
            _ => Err(syntax(at, format!("unexpected {}", describe(t.text)))),
        }
    }

    fn led(&mut self, t: Token<'i>, left: Node) -> Result<Node, ParseError> {
        let at = t.start;
        let kind = t.kind;
        let binary = |this: &mut Self| this.expr(kind.lbp()).map(Box::new);
        match kind {
            // `x.*` is an object projection of `x` itself (as go-jmespath parses it), so
            // a missing `x` makes the projection null instead of an error.
            Kind::Dot if self.peek_kind() == Some(Kind::Star) => {
                self.next()?;
                let rhs = self.projection_rhs(kind.lbp())?;
                Ok(Node::ValueProjection(Box::new(left), Box::new(rhs)))
            }
            Kind::Dot => {
                let rhs = self.dot_rhs(kind.lbp())?;
                Ok(Node::Subexpr(Box::new(left), Box::new(rhs)))
            }
            Kind::Bracket => self.bracket(t, left, false),
            Kind::Flatten => self.flatten(left),
            Kind::Filter => self.filter(t.into_pair()?, left),
            Kind::Pipe => Ok(Node::Pipe(Box::new(left), binary(self)?)),
            Kind::Or => Ok(Node::Or(Box::new(left), binary(self)?)),
            Kind::And => Ok(Node::And(Box::new(left), binary(self)?)),
            Kind::Compare(op) => Ok(Node::Compare(op, Box::new(left), binary(self)?)),
            Kind::Group => {
                let called_by_name = self.before_last == Some(Kind::Identifier);
                match left {
                    Node::Field(name) if called_by_name => {
                        function_call(&name, at, t.into_pair()?, self.depth)
                    }
                    _ => Err(syntax(at, "unexpected '('")),
                }
            }
            _ => Err(syntax(at, format!("unexpected {}", describe(t.text)))),
        }
    }

    /// What may follow a `.`: an identifier, `*`, a multiselect, a function call.
    fn dot_rhs(&mut self, bp: u8) -> Result<Node, ParseError> {
        let Some(next) = self.tokens.peek() else {
            return Err(syntax(self.end, "expected an identifier after '.'"));
        };
        let at = next.start;
        match next.kind {
            Kind::Identifier
            | Kind::QuotedIdentifier
            | Kind::Star
            | Kind::Hash
            | Kind::Ampersand => self.expr(bp),
            Kind::Bracket => {
                let t = self.next()?;
                match BracketBody::of(t)? {
                    BracketBody::Other(items) if items.as_rule() == Rule::list_items => {
                        multi_list(items, self.depth)
                    }
                    // `.[*]` is a one-item multiselect list holding the expression `*`.
                    BracketBody::Star => Ok(Node::MultiList(vec![Node::ValueProjection(
                        Box::new(Node::Current),
                        Box::new(Node::Current),
                    )])),
                    _ => Err(syntax(at, "expected a multiselect list after '.'")),
                }
            }
            _ => Err(syntax(
                at,
                format!("unexpected {} after '.'", describe(next.text)),
            )),
        }
    }

    /// The right-hand side of a projection: everything that binds tighter than the stop.
    fn projection_rhs(&mut self, bp: u8) -> Result<Node, ParseError> {
        if self.peek_lbp() < PROJECTION_STOP {
            return Ok(Node::Current);
        }
        let Some(next) = self.tokens.peek() else {
            return Ok(Node::Current);
        };
        match next.kind {
            Kind::Dot => {
                self.next()?;
                self.dot_rhs(bp)
            }
            Kind::Bracket | Kind::Filter => self.expr(bp),
            _ => Err(syntax(
                next.start,
                format!("unexpected {} after a projection", describe(next.text)),
            )),
        }
    }

    fn bracket(&mut self, t: Token<'i>, left: Node, nud: bool) -> Result<Node, ParseError> {
        let at = t.start;
        match BracketBody::of(t)? {
            BracketBody::Index(text, offset) => {
                let index = number(text, offset)?;
                Ok(subexpr(left, Node::Index(index)))
            }
            BracketBody::Other(inner) if inner.as_rule() == Rule::slice => {
                let mut parts = [None, None, None];
                for (slot, part) in parts.iter_mut().zip(inner.into_inner()) {
                    if let Some(n) = part.into_inner().next() {
                        *slot = Some(number(n.as_str(), n.as_span().start())?);
                    }
                }
                if parts[2] == Some(0) {
                    return Err(ParseError {
                        offset: at,
                        message: "slice step cannot be 0".to_owned(),
                        kind: ParseErrorKind::InvalidValue,
                    });
                }
                let [a, b, c] = parts;
                let rhs = self.projection_rhs(Kind::Star.lbp())?;
                Ok(Node::Projection(
                    Box::new(subexpr(left, Node::Slice(a, b, c))),
                    Box::new(rhs),
                ))
            }
            BracketBody::Star => {
                let rhs = self.projection_rhs(Kind::Star.lbp())?;
                Ok(Node::Projection(Box::new(left), Box::new(rhs)))
            }
            BracketBody::Other(inner) if nud => multi_list(inner, self.depth),
            BracketBody::Other(_) => Err(syntax(
                at,
                "a multiselect list cannot follow an expression here",
            )),
        }
    }

    fn flatten(&mut self, left: Node) -> Result<Node, ParseError> {
        let rhs = self.projection_rhs(Kind::Flatten.lbp())?;
        Ok(Node::Projection(
            Box::new(Node::Flatten(Box::new(left))),
            Box::new(rhs),
        ))
    }

    fn filter(&mut self, t: Pair<'i, Rule>, left: Node) -> Result<Node, ParseError> {
        let at = t.as_span().start();
        let cond = t
            .into_inner()
            .next()
            .ok_or_else(|| syntax(at, "empty filter"))?;
        let condition = parse_level(cond, self.depth)?;
        let rhs = self.projection_rhs(Kind::Filter.lbp())?;
        Ok(Node::FilterProjection {
            lhs: Box::new(left),
            rhs: Box::new(rhs),
            condition: Box::new(condition),
        })
    }
}

/// `left` followed by `rhs`; `@` on the left is dropped.
fn subexpr(left: Node, rhs: Node) -> Node {
    match left {
        Node::Current => rhs,
        left => Node::Subexpr(Box::new(left), Box::new(rhs)),
    }
}

fn number(text: &str, offset: usize) -> Result<i64, ParseError> {
    text.parse()
        .map_err(|_| syntax(offset, "number out of range"))
}

fn quoted(p: &Pair<'_, Rule>) -> Result<String, ParseError> {
    serde_json::from_str(p.as_str()).map_err(|e| {
        syntax(
            p.as_span().start(),
            format!("invalid quoted identifier: {e}"),
        )
    })
}

fn raw_string(p: &Pair<'_, Rule>) -> String {
    let text = p.clone().into_inner().next().map_or("", |t| t.as_str());
    text.replace("\\'", "'")
}

fn literal(p: Pair<'_, Rule>) -> Result<Node, ParseError> {
    let at = p.as_span().start();
    let text = p.into_inner().next().map_or("", |t| t.as_str());
    let text = text.replace("\\`", "`");
    if let Ok(v) = serde_json::from_str::<Value>(&text) {
        return Ok(Node::Literal(v));
    }
    // Legacy form: an unquoted string literal such as `foo`.
    let legacy = format!("\"{}\"", text.trim_start());
    serde_json::from_str::<Value>(&legacy)
        .map(Node::Literal)
        .map_err(|e| syntax(at, format!("invalid JSON literal: {e}")))
}

fn multi_list(items: Pair<'_, Rule>, depth: usize) -> Result<Node, ParseError> {
    items
        .into_inner()
        .map(|item| parse_level(item, depth))
        .collect::<Result<_, _>>()
        .map(Node::MultiList)
}

fn hash(t: Pair<'_, Rule>, depth: usize) -> Result<Node, ParseError> {
    let mut entries = Vec::new();
    for kv in t.into_inner() {
        let mut parts = kv.into_inner();
        let (Some(key), Some(value)) = (parts.next(), parts.next()) else {
            continue;
        };
        let name = match key.as_rule() {
            Rule::quoted_identifier => quoted(&key)?,
            _ => key.as_str().to_owned(),
        };
        entries.push((name, parse_level(value, depth)?));
    }
    Ok(Node::MultiHash(entries))
}

fn function_call(
    name: &str,
    at: usize,
    group: Pair<'_, Rule>,
    depth: usize,
) -> Result<Node, ParseError> {
    let Some(spec) = functions::lookup(name) else {
        return Err(ParseError {
            offset: at.saturating_sub(name.len()),
            message: format!("unknown function: {name}()"),
            kind: ParseErrorKind::UnknownFunction,
        });
    };
    let args: Vec<Node> = group
        .into_inner()
        .map(|item| parse_level(item, depth))
        .collect::<Result<_, _>>()?;
    if !spec.accepts_arity(args.len()) {
        return Err(ParseError {
            offset: at,
            message: format!(
                "function {name}() expects {} argument(s), got {}",
                spec.arity_text(),
                args.len()
            ),
            kind: ParseErrorKind::InvalidArity,
        });
    }
    let regex = match (spec.literal_regex, args.first()) {
        (true, Some(Node::Literal(Value::String(pattern)))) => {
            super::functions::regex::compile(pattern).ok()
        }
        _ => None,
    };
    Ok(Node::Function { spec, args, regex })
}
#[cfg(test)]
mod tests {
    /// Parse on a thread with a 2 MiB stack (the default for spawned threads).
    fn parses_on_small_stack(text: String) -> Result<(), super::ParseError> {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || super::parse(&text).map(drop))
            .expect("thread starts")
            .join()
            .expect("parser does not overflow the stack")
    }

    #[test]
    fn deep_input_is_an_error_not_a_stack_overflow() {
        for text in [
            "!".repeat(100_000) + "a",
            "a".to_owned() + &"[*].b".repeat(100_000),
            "(".repeat(100_000) + "a" + &")".repeat(100_000),
            "a".to_owned() + &"[?b".repeat(10_000) + &"]".repeat(10_000),
        ] {
            assert!(parses_on_small_stack(text).is_err());
        }
        let e = parses_on_small_stack("!".repeat(1_000) + "a").unwrap_err();
        assert_eq!(e.message, "expression nested too deeply");
        // The deepest expression of the compliance suite's benchmarks is 104 projections.
        assert!(parses_on_small_stack("a".to_owned() + &"[*].b".repeat(108)).is_ok());
        assert!(parses_on_small_stack("(".repeat(108) + "a" + &")".repeat(108)).is_ok());
    }
}
