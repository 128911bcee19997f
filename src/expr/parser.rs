//! From tokens to [`Node`]: a Pratt parser with the binding powers of the reference
//! implementations (jmespath.py, jmespath.rs), which decide where a projection ends.
//!
//! The grammar it implements is the JMESPath specification's; `spec/expressions.md` lists
//! the syntax. [`super::lexer`] splits the text first, so the parser only looks at token kinds.

use std::borrow::Cow;

use serde_json::Value;

use super::ast::{FunctionCall, Node};
use super::functions;
use super::lexer::{Lexer, Tok, Token};
use super::{ParseError, ParseErrorKind};

/// Binding power at which a projection stops collecting its right-hand side.
const PROJECTION_STOP: u8 = 10;

/// How deep the parser may recurse (sub-expressions, projections, brackets and groups
/// together): far below what overflows a thread's stack, far above real expressions.
const MAX_DEPTH: usize = 110;

/// Parse a whole expression.
pub(super) fn parse(src: &str) -> Result<Node, ParseError> {
    let mut lexer = Lexer::new(src);
    let current = lexer.next_token();
    let mut parser = Parser {
        src,
        lexer,
        current,
        previous: current,
        depth: 0,
    };
    let node = parser.expr(0)?;
    let rest = parser.peek();
    if rest.kind != Tok::Eof {
        return Err(parser.unexpected(rest));
    }
    Ok(node)
}

/// Left binding power of a token that may continue an expression.
fn lbp(kind: Tok) -> u8 {
    match kind {
        Tok::Pipe => 1,
        Tok::Or => 2,
        Tok::And => 3,
        Tok::Compare(_) => 5,
        Tok::Flatten => 9,
        Tok::Star => 20,
        Tok::Filter => 21,
        Tok::Dot => 40,
        Tok::Not => 45,
        Tok::LBrace => 50,
        Tok::LBracket => 55,
        Tok::LParen => 60,
        _ => 0,
    }
}

/// What is between the brackets of an index, `[*]` or a slice.
enum Bracket {
    Index(i64),
    Star,
    Slice([Option<i64>; 3]),
}

struct Parser<'a> {
    src: &'a str,
    /// Positioned after `current`.
    lexer: Lexer<'a>,
    /// The next token.
    current: Token,
    /// The last token taken.
    previous: Token,
    /// Current recursion depth.
    depth: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Token {
        self.current
    }

    /// Take the next token; the end and a lexical error are never taken.
    fn next(&mut self) -> Token {
        let t = self.current;
        if !matches!(t.kind, Tok::Eof | Tok::Error) {
            self.previous = t;
            self.current = self.lexer.next_token();
        }
        t
    }

    /// Take `n` tokens already peeked at.
    fn skip(&mut self, n: usize) {
        for _ in 0..n {
            self.next();
        }
    }

    fn text(&self, t: Token) -> &'a str {
        self.src.get(t.start..t.end).unwrap_or("")
    }

    fn unexpected(&self, t: Token) -> ParseError {
        if let (Tok::Error, Some(e)) = (t.kind, self.lexer.error()) {
            return e.clone();
        }
        if t.kind == Tok::Eof {
            return ParseError::syntax(t.start, "unexpected end of expression");
        }
        ParseError::syntax(t.start, format!("unexpected token '{}'", self.text(t)))
    }

    /// Take a token of the given kind, or fail naming what came instead.
    fn expect(&mut self, kind: Tok) -> Result<Token, ParseError> {
        let t = self.next();
        if t.kind == kind {
            Ok(t)
        } else {
            Err(self.unexpected(t))
        }
    }

    fn expr(&mut self, rbp: u8) -> Result<Node, ParseError> {
        if self.depth >= MAX_DEPTH {
            return Err(ParseError::syntax(
                self.peek().start,
                "expression nested too deeply",
            ));
        }
        self.depth += 1;
        let node = self.expr_at_depth(rbp);
        self.depth -= 1;
        node
    }

    fn expr_at_depth(&mut self, rbp: u8) -> Result<Node, ParseError> {
        let token = self.next();
        let mut left = self.nud(token)?;
        while rbp < lbp(self.peek().kind) {
            let token = self.next();
            left = self.led(token, left)?;
        }
        Ok(left)
    }

    fn nud(&mut self, t: Token) -> Result<Node, ParseError> {
        match t.kind {
            Tok::Current => Ok(Node::Current),
            Tok::Identifier if self.peek().kind == Tok::LParen => self.function_call(t),
            Tok::Identifier => Ok(Node::Field(self.text(t).into())),
            Tok::QuotedIdentifier if self.peek().kind == Tok::LParen => Err(ParseError::syntax(
                t.start,
                "a quoted identifier cannot name a function",
            )),
            Tok::QuotedIdentifier => Ok(Node::Field(self.quoted(t)?.into())),
            Tok::Literal => self.literal(t),
            Tok::RawString => Ok(Node::Literal(Box::new(Value::String(self.raw_string(t))))),
            Tok::Star => {
                let rhs = self.projection_rhs(lbp(Tok::Star))?;
                Ok(Node::ValueProjection(Box::new([Node::Current, rhs])))
            }
            Tok::LBracket if self.starts_bracket_body() => self.bracket(Node::Current),
            Tok::LBracket => self.multi_list(),
            Tok::Flatten => self.flatten(Node::Current),
            Tok::Filter => self.filter(Node::Current),
            Tok::LBrace => self.multi_hash(),
            Tok::Not => Ok(Node::Not(Box::new(self.expr(lbp(Tok::Not))?))),
            Tok::Ampersand => Ok(Node::Expref(Box::new(self.expr(0)?))),
            Tok::LParen => {
                let inner = self.expr(0)?;
                match self.next() {
                    t if t.kind == Tok::RParen => Ok(inner),
                    t if t.kind == Tok::Comma => Err(ParseError::syntax(
                        t.start,
                        "a parenthesised expression holds one expression",
                    )),
                    t => Err(self.unexpected(t)),
                }
            }
            _ => Err(self.unexpected(t)),
        }
    }

    fn led(&mut self, t: Token, left: Node) -> Result<Node, ParseError> {
        let right = |this: &mut Self| this.expr(lbp(t.kind));
        match t.kind {
            // `x.*` is an object projection of `x` itself (as go-jmespath parses it), so
            // a missing `x` makes the projection null instead of an error.
            Tok::Dot if self.peek().kind == Tok::Star => {
                self.next();
                let rhs = self.projection_rhs(lbp(Tok::Dot))?;
                Ok(Node::ValueProjection(Box::new([left, rhs])))
            }
            Tok::Dot => {
                let rhs = self.dot_rhs(lbp(Tok::Dot))?;
                Ok(Node::Subexpr(Box::new([left, rhs])))
            }
            Tok::LBracket if self.starts_bracket_body() => self.bracket(left),
            Tok::LBracket => Err(ParseError::syntax(
                t.start,
                "a multiselect list cannot follow an expression here",
            )),
            Tok::Flatten => self.flatten(left),
            Tok::Filter => self.filter(left),
            Tok::Pipe => Ok(Node::Pipe(Box::new([left, right(self)?]))),
            Tok::Or => Ok(Node::Or(Box::new([left, right(self)?]))),
            Tok::And => Ok(Node::And(Box::new([left, right(self)?]))),
            Tok::Compare(op) => Ok(Node::Compare(op, Box::new([left, right(self)?]))),
            _ => Err(self.unexpected(t)),
        }
    }

    /// What may follow a `.`: an identifier, `*`, a multiselect, a function call.
    fn dot_rhs(&mut self, bp: u8) -> Result<Node, ParseError> {
        let next = self.peek();
        match next.kind {
            Tok::Identifier | Tok::QuotedIdentifier | Tok::Star | Tok::LBrace | Tok::Ampersand => {
                self.expr(bp)
            }
            Tok::LBracket => {
                self.next();
                match self.peek().kind {
                    // `.[*]` is a one-item multiselect list holding the expression `*`.
                    Tok::Star if self.starts_bracket_body() => {
                        self.skip(2);
                        Ok(Node::MultiList(vec![Node::ValueProjection(Box::new([
                            Node::Current,
                            Node::Current,
                        ]))]))
                    }
                    _ if self.starts_bracket_body() => Err(ParseError::syntax(
                        next.start,
                        "expected a multiselect list after '.'",
                    )),
                    _ => self.multi_list(),
                }
            }
            Tok::Eof => Err(ParseError::syntax(
                next.start,
                "expected an identifier after '.'",
            )),
            Tok::Error => Err(self.unexpected(next)),
            _ => Err(ParseError::syntax(
                next.start,
                format!("unexpected token '{}' after '.'", self.text(next)),
            )),
        }
    }

    /// The right-hand side of a projection: everything that binds tighter than the stop.
    fn projection_rhs(&mut self, bp: u8) -> Result<Node, ParseError> {
        let next = self.peek();
        if lbp(next.kind) < PROJECTION_STOP {
            return Ok(Node::Current);
        }
        match next.kind {
            Tok::Dot => {
                self.next();
                self.dot_rhs(bp)
            }
            Tok::LBracket | Tok::Filter => self.expr(bp),
            _ => Err(ParseError::syntax(
                next.start,
                format!("unexpected token '{}' after a projection", self.text(next)),
            )),
        }
    }

    /// Whether the token after a `[` starts an index, `[*]` or a slice (and not a list).
    fn starts_bracket_body(&self) -> bool {
        match self.peek().kind {
            Tok::Number | Tok::Colon => true,
            Tok::Star => self.lexer.next_byte_is(b']'),
            _ => false,
        }
    }

    /// An index, `[*]` or a slice after `left`; the `[` is taken.
    fn bracket(&mut self, left: Node) -> Result<Node, ParseError> {
        let open = self.previous.start;
        match self.bracket_body(open)? {
            Bracket::Index(index) => Ok(subexpr(left, Node::Index(index))),
            Bracket::Star => {
                let rhs = self.projection_rhs(lbp(Tok::Star))?;
                Ok(Node::Projection(Box::new([left, rhs])))
            }
            Bracket::Slice([a, b, c]) => {
                let rhs = self.projection_rhs(lbp(Tok::Star))?;
                let sliced = subexpr(left, Node::Slice(Box::new([a, b, c])));
                Ok(Node::Projection(Box::new([sliced, rhs])))
            }
        }
    }

    fn bracket_body(&mut self, open: usize) -> Result<Bracket, ParseError> {
        if self.peek().kind == Tok::Star {
            self.skip(2);
            return Ok(Bracket::Star);
        }
        let mut parts = [None, None, None];
        let mut colons = 0;
        loop {
            let t = self.next();
            match t.kind {
                Tok::Number => {
                    let slot = parts.get_mut(colons).ok_or_else(|| self.unexpected(t))?;
                    if slot.is_some() {
                        return Err(self.unexpected(t));
                    }
                    *slot = Some(self.number(t)?);
                }
                Tok::Colon if colons < 2 => colons += 1,
                Tok::RBracket => break,
                _ => return Err(self.unexpected(t)),
            }
        }
        if colons == 0 {
            return parts[0]
                .map(Bracket::Index)
                .ok_or_else(|| ParseError::syntax(open, "empty brackets"));
        }
        if parts[2] == Some(0) {
            return Err(ParseError {
                offset: open,
                message: "slice step cannot be 0".to_owned(),
                kind: ParseErrorKind::InvalidValue,
            });
        }
        Ok(Bracket::Slice(parts))
    }

    fn flatten(&mut self, left: Node) -> Result<Node, ParseError> {
        let rhs = self.projection_rhs(lbp(Tok::Flatten))?;
        Ok(Node::Projection(Box::new([
            Node::Flatten(Box::new(left)),
            rhs,
        ])))
    }

    /// `left[?condition]` and what follows it; the `[?` is taken.
    fn filter(&mut self, left: Node) -> Result<Node, ParseError> {
        let condition = self.expr(0)?;
        self.expect(Tok::RBracket)?;
        let rhs = self.projection_rhs(lbp(Tok::Filter))?;
        Ok(Node::FilterProjection {
            lhs: Box::new(left),
            rhs: Box::new(rhs),
            condition: Box::new(condition),
        })
    }

    /// `[a, b, ...]`; the `[` is taken.
    fn multi_list(&mut self) -> Result<Node, ParseError> {
        self.items(Tok::RBracket).map(Node::MultiList)
    }

    /// Comma-separated expressions up to `close`, at least one.
    fn items(&mut self, close: Tok) -> Result<Vec<Node>, ParseError> {
        let mut items = Vec::new();
        loop {
            items.push(self.expr(0)?);
            let t = self.next();
            match t.kind {
                Tok::Comma => {}
                kind if kind == close => return Ok(items),
                _ => return Err(self.unexpected(t)),
            }
        }
    }

    /// `{key: a, ...}`; the `{` is taken.
    fn multi_hash(&mut self) -> Result<Node, ParseError> {
        let mut entries = Vec::new();
        loop {
            let key = self.next();
            let name = match key.kind {
                Tok::Identifier => self.text(key).to_owned(),
                Tok::QuotedIdentifier => self.quoted(key)?,
                _ => return Err(self.unexpected(key)),
            };
            self.expect(Tok::Colon)?;
            entries.push((name, self.expr(0)?));
            let t = self.next();
            match t.kind {
                Tok::Comma => {}
                Tok::RBrace => return Ok(Node::MultiHash(entries)),
                _ => return Err(self.unexpected(t)),
            }
        }
    }

    /// `name(args...)`; `name` is taken and `(` is next.
    fn function_call(&mut self, name: Token) -> Result<Node, ParseError> {
        let text = self.text(name);
        let Some(spec) = functions::lookup(text) else {
            return Err(ParseError {
                offset: name.start,
                message: format!("unknown function: {text}()"),
                kind: ParseErrorKind::UnknownFunction,
            });
        };
        let open = self.next();
        let args = if self.peek().kind == Tok::RParen {
            self.next();
            Vec::new()
        } else {
            self.items(Tok::RParen)?
        };
        if !spec.accepts_arity(args.len()) {
            return Err(ParseError {
                offset: open.start,
                message: format!(
                    "function {text}() expects {} argument(s), got {}",
                    spec.arity_text(),
                    args.len()
                ),
                kind: ParseErrorKind::InvalidArity,
            });
        }
        let regex = match (spec.literal_regex, args.first()) {
            (true, Some(Node::Literal(literal))) => match &**literal {
                Value::String(pattern) => functions::regex::compile(pattern).ok(),
                _ => None,
            },
            _ => None,
        };
        Ok(Node::Function(Box::new(FunctionCall { spec, args, regex })))
    }

    fn number(&self, t: Token) -> Result<i64, ParseError> {
        self.text(t)
            .parse()
            .map_err(|_| ParseError::syntax(t.start, "number out of range"))
    }

    /// The text between the first and last byte of a quoted token.
    fn inner(&self, t: Token) -> &'a str {
        self.src
            .get(t.start + 1..t.end.saturating_sub(1))
            .unwrap_or("")
    }

    fn quoted(&self, t: Token) -> Result<String, ParseError> {
        serde_json::from_str(self.text(t))
            .map_err(|e| ParseError::syntax(t.start, format!("invalid quoted identifier: {e}")))
    }

    fn raw_string(&self, t: Token) -> String {
        unescape(self.inner(t), "\\'", "'").into_owned()
    }

    fn literal(&self, t: Token) -> Result<Node, ParseError> {
        let text = unescape(self.inner(t), "\\`", "`");
        if let Ok(v) = serde_json::from_str::<Value>(&text) {
            return Ok(Node::Literal(Box::new(v)));
        }
        // Legacy form: an unquoted string literal such as `foo`.
        let legacy = format!("\"{}\"", text.trim_start());
        serde_json::from_str::<Value>(&legacy)
            .map(|v| Node::Literal(Box::new(v)))
            .map_err(|e| ParseError::syntax(t.start, format!("invalid JSON literal: {e}")))
    }
}

/// `text` with each `escaped` sequence replaced by `plain`, copied only when it has a backslash.
fn unescape<'t>(text: &'t str, escaped: &str, plain: &str) -> Cow<'t, str> {
    if text.contains('\\') {
        Cow::Owned(text.replace(escaped, plain))
    } else {
        Cow::Borrowed(text)
    }
}

/// `left` followed by `rhs`; `@` on the left is dropped.
fn subexpr(left: Node, rhs: Node) -> Node {
    match left {
        Node::Current => rhs,
        left => Node::Subexpr(Box::new([left, rhs])),
    }
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
