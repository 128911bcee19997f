//! From text to [`Node`]: pest recognises the tokens and the bracketed structure
//! (`grammar/expr.pest`); a Pratt parser over each flat level applies the binding powers of
//! the reference implementations (jmespath.py, jmespath.rs), which decide where a projection
//! ends.

use pest::Parser as _;
use pest::iterators::Pair;
use serde_json::Value;

use super::ast::{Comparator, Node};
use super::functions;
use super::{ParseError, ParseErrorKind};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/expr.pest"]
struct Grammar;

/// Binding power at which a projection stops collecting its right-hand side.
const PROJECTION_STOP: u8 = 10;

/// Parse a whole expression.
pub(super) fn parse(src: &str) -> Result<Node, ParseError> {
    let mut pairs = Grammar::parse(Rule::expression, src).map_err(pest_error)?;
    let expression = pairs.next().ok_or_else(|| syntax(0, "empty expression"))?;
    let expr = expression
        .into_inner()
        .next()
        .ok_or_else(|| syntax(0, "empty expression"))?;
    parse_level(expr)
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
fn parse_level(expr: Pair<'_, Rule>) -> Result<Node, ParseError> {
    let end = expr.as_span().end();
    let tokens = expr.into_inner().collect();
    let mut level = Level {
        tokens,
        pos: 0,
        end,
    };
    let node = level.expr(0)?;
    match level.peek() {
        None => Ok(node),
        Some(t) => Err(syntax(
            t.as_span().start(),
            format!("unexpected {}", describe(t)),
        )),
    }
}

fn describe(t: &Pair<'_, Rule>) -> String {
    format!("token '{}'", t.as_str())
}

/// Left binding power of a token.
fn lbp(rule: Rule) -> u8 {
    match rule {
        Rule::pipe_op => 1,
        Rule::or_op => 2,
        Rule::and_op => 3,
        Rule::cmp_op => 5,
        Rule::flatten => 9,
        Rule::star => 20,
        Rule::filter => 21,
        Rule::dot => 40,
        Rule::not_op => 45,
        Rule::hash => 50,
        Rule::bracket => 55,
        Rule::group => 60,
        _ => 0,
    }
}

struct Level<'i> {
    tokens: Vec<Pair<'i, Rule>>,
    pos: usize,
    end: usize,
}

impl<'i> Level<'i> {
    fn peek(&self) -> Option<&Pair<'i, Rule>> {
        self.tokens.get(self.pos)
    }

    fn peek_lbp(&self) -> u8 {
        self.peek().map_or(0, |t| lbp(t.as_rule()))
    }

    fn next(&mut self) -> Result<Pair<'i, Rule>, ParseError> {
        let t = self
            .tokens
            .get(self.pos)
            .cloned()
            .ok_or_else(|| syntax(self.end, "unexpected end of expression"))?;
        self.pos += 1;
        Ok(t)
    }

    fn expr(&mut self, rbp: u8) -> Result<Node, ParseError> {
        let token = self.next()?;
        let mut left = self.nud(token)?;
        while rbp < self.peek_lbp() {
            let token = self.next()?;
            left = self.led(token, left)?;
        }
        Ok(left)
    }

    fn nud(&mut self, t: Pair<'i, Rule>) -> Result<Node, ParseError> {
        let at = t.as_span().start();
        match t.as_rule() {
            Rule::current => Ok(Node::Current),
            Rule::identifier => Ok(Node::Field(t.as_str().to_owned())),
            Rule::quoted_identifier => {
                if self.peek().map(Pair::as_rule) == Some(Rule::group) {
                    return Err(syntax(at, "a quoted identifier cannot name a function"));
                }
                Ok(Node::Field(quoted(&t)?))
            }
            Rule::literal => literal(t),
            Rule::raw_string => Ok(Node::Literal(Value::String(raw_string(&t)))),
            Rule::star => {
                let rhs = self.projection_rhs(lbp(Rule::star))?;
                Ok(Node::ValueProjection(
                    Box::new(Node::Current),
                    Box::new(rhs),
                ))
            }
            Rule::bracket => self.bracket(t, Node::Current, true),
            Rule::flatten => self.flatten(Node::Current),
            Rule::filter => self.filter(t, Node::Current),
            Rule::hash => hash(t),
            Rule::not_op => Ok(Node::Not(Box::new(self.expr(lbp(Rule::not_op))?))),
            Rule::ampersand => Ok(Node::Expref(Box::new(self.expr(0)?))),
            Rule::group => {
                let mut items = t.into_inner();
                match (items.next(), items.next()) {
                    (Some(inner), None) => parse_level(inner),
                    _ => Err(syntax(
                        at,
                        "a parenthesised expression holds one expression",
                    )),
                }
            }
            _ => Err(syntax(at, format!("unexpected {}", describe(&t)))),
        }
    }

    fn led(&mut self, t: Pair<'i, Rule>, left: Node) -> Result<Node, ParseError> {
        let at = t.as_span().start();
        let binary = |this: &mut Self, rule| this.expr(lbp(rule)).map(Box::new);
        match t.as_rule() {
            // `x.*` is an object projection of `x` itself (as go-jmespath parses it), so
            // a missing `x` makes the projection null instead of an error.
            Rule::dot if self.peek().map(Pair::as_rule) == Some(Rule::star) => {
                self.pos += 1;
                let rhs = self.projection_rhs(lbp(Rule::dot))?;
                Ok(Node::ValueProjection(Box::new(left), Box::new(rhs)))
            }
            Rule::dot => {
                let rhs = self.dot_rhs(lbp(Rule::dot))?;
                Ok(Node::Subexpr(Box::new(left), Box::new(rhs)))
            }
            Rule::bracket => self.bracket(t, left, false),
            Rule::flatten => self.flatten(left),
            Rule::filter => self.filter(t, left),
            Rule::pipe_op => Ok(Node::Pipe(Box::new(left), binary(self, Rule::pipe_op)?)),
            Rule::or_op => Ok(Node::Or(Box::new(left), binary(self, Rule::or_op)?)),
            Rule::and_op => Ok(Node::And(Box::new(left), binary(self, Rule::and_op)?)),
            Rule::cmp_op => {
                let op = match t.as_str() {
                    "==" => Comparator::Eq,
                    "!=" => Comparator::Ne,
                    "<" => Comparator::Lt,
                    "<=" => Comparator::Le,
                    ">" => Comparator::Gt,
                    _ => Comparator::Ge,
                };
                Ok(Node::Compare(
                    op,
                    Box::new(left),
                    binary(self, Rule::cmp_op)?,
                ))
            }
            Rule::group => {
                let called_by_name = self.pos >= 2
                    && self
                        .tokens
                        .get(self.pos - 2)
                        .is_some_and(|p| p.as_rule() == Rule::identifier);
                match left {
                    Node::Field(name) if called_by_name => function_call(&name, at, t),
                    _ => Err(syntax(at, "unexpected '('")),
                }
            }
            _ => Err(syntax(at, format!("unexpected {}", describe(&t)))),
        }
    }

    /// What may follow a `.`: an identifier, `*`, a multiselect, a function call.
    fn dot_rhs(&mut self, bp: u8) -> Result<Node, ParseError> {
        let Some(next) = self.peek() else {
            return Err(syntax(self.end, "expected an identifier after '.'"));
        };
        let at = next.as_span().start();
        match next.as_rule() {
            Rule::identifier
            | Rule::quoted_identifier
            | Rule::star
            | Rule::hash
            | Rule::ampersand => self.expr(bp),
            Rule::bracket => {
                let t = self.next()?;
                let inner = t.into_inner().next();
                match inner {
                    Some(items) if items.as_rule() == Rule::list_items => multi_list(items),
                    // `.[*]` is a one-item multiselect list holding the expression `*`.
                    Some(star) if star.as_rule() == Rule::wildcard_star => {
                        Ok(Node::MultiList(vec![Node::ValueProjection(
                            Box::new(Node::Current),
                            Box::new(Node::Current),
                        )]))
                    }
                    _ => Err(syntax(at, "expected a multiselect list after '.'")),
                }
            }
            _ => Err(syntax(
                at,
                format!("unexpected {} after '.'", describe(next)),
            )),
        }
    }

    /// The right-hand side of a projection: everything that binds tighter than the stop.
    fn projection_rhs(&mut self, bp: u8) -> Result<Node, ParseError> {
        if self.peek_lbp() < PROJECTION_STOP {
            return Ok(Node::Current);
        }
        let Some(next) = self.peek() else {
            return Ok(Node::Current);
        };
        match next.as_rule() {
            Rule::dot => {
                self.pos += 1;
                self.dot_rhs(bp)
            }
            Rule::bracket | Rule::filter => self.expr(bp),
            _ => Err(syntax(
                next.as_span().start(),
                format!("unexpected {} after a projection", describe(next)),
            )),
        }
    }

    fn bracket(&mut self, t: Pair<'i, Rule>, left: Node, nud: bool) -> Result<Node, ParseError> {
        let at = t.as_span().start();
        let inner = t
            .into_inner()
            .next()
            .ok_or_else(|| syntax(at, "empty brackets"))?;
        match inner.as_rule() {
            Rule::index => {
                let index = number(&inner)?;
                Ok(subexpr(left, Node::Index(index)))
            }
            Rule::slice => {
                let mut parts = [None, None, None];
                for (slot, part) in parts.iter_mut().zip(inner.into_inner()) {
                    if let Some(n) = part.into_inner().next() {
                        *slot = Some(number(&n)?);
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
                let rhs = self.projection_rhs(lbp(Rule::star))?;
                Ok(Node::Projection(
                    Box::new(subexpr(left, Node::Slice(a, b, c))),
                    Box::new(rhs),
                ))
            }
            Rule::wildcard_star => {
                let rhs = self.projection_rhs(lbp(Rule::star))?;
                Ok(Node::Projection(Box::new(left), Box::new(rhs)))
            }
            _ if nud => multi_list(inner),
            _ => Err(syntax(
                at,
                "a multiselect list cannot follow an expression here",
            )),
        }
    }

    fn flatten(&mut self, left: Node) -> Result<Node, ParseError> {
        let rhs = self.projection_rhs(lbp(Rule::flatten))?;
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
        let condition = parse_level(cond)?;
        let rhs = self.projection_rhs(lbp(Rule::filter))?;
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

fn number(p: &Pair<'_, Rule>) -> Result<i64, ParseError> {
    p.as_str()
        .parse()
        .map_err(|_| syntax(p.as_span().start(), "number out of range"))
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

fn multi_list(items: Pair<'_, Rule>) -> Result<Node, ParseError> {
    items
        .into_inner()
        .map(parse_level)
        .collect::<Result<_, _>>()
        .map(Node::MultiList)
}

fn hash(t: Pair<'_, Rule>) -> Result<Node, ParseError> {
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
        entries.push((name, parse_level(value)?));
    }
    Ok(Node::MultiHash(entries))
}

fn function_call(name: &str, at: usize, group: Pair<'_, Rule>) -> Result<Node, ParseError> {
    let Some(spec) = functions::lookup(name) else {
        return Err(ParseError {
            offset: at.saturating_sub(name.len()),
            message: format!("unknown function: {name}()"),
            kind: ParseErrorKind::UnknownFunction,
        });
    };
    let args: Vec<Node> = group
        .into_inner()
        .map(parse_level)
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
