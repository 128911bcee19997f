//! From tokens to [`Node`]: a Pratt parser with the binding powers of the reference
//! implementations (jmespath.py, jmespath.rs), which decide where a projection ends.
//!
//! The grammar it implements is the JMESPath specification's; `spec/expressions.md` lists
//! the syntax. [`super::lexer`] splits the text first, so the parser only looks at token kinds.

use std::borrow::Cow;

use serde_json::Value;

use super::ast::{FunctionCall, Node, Operands};
use super::error::{ParseError, ParseErrorKind};
use super::functions;
use super::lexer::{Lexer, Tok, Token};

/// Binding power at which a projection stops collecting its right-hand side.
const PROJECTION_STOP: u8 = 10;

/// How deep the parser may recurse (sub-expressions, projections, brackets and groups
/// together): far below what overflows a thread's stack, far above real expressions.
const MAX_DEPTH: usize = 110;

/// The tallest syntax tree accepted. Chains (`a.b.c`, `a | b`, `a || b`, `a[0][0]`) are parsed
/// in a loop, not by recursion, but the tree they build is as tall as the chain, and evaluating
/// or dropping a tree recurses: this bound keeps both far from the end of a 2 MiB thread stack.
/// The compliance suite's deepest benchmark (104 projections) is 211 nodes tall.
pub(super) const MAX_HEIGHT: usize = 400;

/// A parsed subtree and its height (a leaf is 1).
type Tree = (Node, usize);

/// Parse a whole expression; `variables` accepts `$name` references.
pub(super) fn parse(src: &str, variables: bool) -> Result<Node, ParseError> {
    let mut lexer = Lexer::new(src, variables);
    let current = lexer.next_token();
    let mut parser = Parser {
        src,
        lexer,
        current,
        previous: current,
        depth: 0,
    };
    let (node, _) = parser.expr(0)?;
    let rest = parser.peek();
    if rest.kind != Tok::Eof {
        return Err(parser.unexpected(rest));
    }
    Ok(node)
}

/// A leaf.
fn leaf(node: Node) -> Tree {
    (node, 1)
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

    fn too_deep(&self) -> ParseError {
        ParseError::syntax(self.previous.start, "expression nested too deeply")
    }

    /// A node over children of the given heights, unless it would be too tall.
    fn node(&self, node: Node, children: &[usize]) -> Result<Tree, ParseError> {
        let height = children.iter().copied().max().unwrap_or(0) + 1;
        if height > MAX_HEIGHT {
            return Err(self.too_deep());
        }
        Ok((node, height))
    }

    /// A binary node.
    fn binary(
        &self,
        make: fn(Operands) -> Node,
        (left, lh): Tree,
        (right, rh): Tree,
    ) -> Result<Tree, ParseError> {
        self.node(make(Box::new([left, right])), &[lh, rh])
    }

    /// `left` followed by `rhs`; `@` on the left is dropped.
    fn subexpr(&self, (left, lh): Tree, (rhs, rh): Tree) -> Result<Tree, ParseError> {
        match left {
            Node::Current => Ok((rhs, rh)),
            left => self.node(Node::Subexpr(Box::new([left, rhs])), &[lh, rh]),
        }
    }

    fn expr(&mut self, rbp: u8) -> Result<Tree, ParseError> {
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

    fn expr_at_depth(&mut self, rbp: u8) -> Result<Tree, ParseError> {
        let token = self.next();
        let mut left = self.nud(token)?;
        while rbp < lbp(self.peek().kind) {
            let token = self.next();
            left = self.led(token, left)?;
        }
        Ok(left)
    }

    fn nud(&mut self, t: Token) -> Result<Tree, ParseError> {
        match t.kind {
            Tok::Current => Ok(leaf(Node::Current)),
            Tok::Variable => Ok(leaf(Node::Variable(
                self.text(t).trim_start_matches('$').into(),
            ))),
            Tok::Identifier if self.peek().kind == Tok::LParen => self.function_call(t),
            Tok::Identifier => Ok(leaf(Node::Field(self.text(t).into()))),
            Tok::QuotedIdentifier if self.peek().kind == Tok::LParen => Err(ParseError::syntax(
                t.start,
                "a quoted identifier cannot name a function",
            )),
            Tok::QuotedIdentifier => Ok(leaf(Node::Field(self.quoted(t)?.into()))),
            Tok::Literal => self.literal(t).map(leaf),
            Tok::RawString => Ok(leaf(Node::Literal(Box::new(Value::String(
                self.raw_string(t),
            ))))),
            Tok::Star => {
                let rhs = self.projection_rhs(lbp(Tok::Star))?;
                self.binary(Node::ValueProjection, leaf(Node::Current), rhs)
            }
            Tok::LBracket if self.starts_bracket_body() => self.bracket(leaf(Node::Current)),
            Tok::LBracket => self.multi_list(),
            Tok::Flatten => self.flatten(leaf(Node::Current)),
            Tok::Filter => self.filter(leaf(Node::Current)),
            Tok::LBrace => self.multi_hash(),
            Tok::Not => {
                let (inner, h) = self.expr(lbp(Tok::Not))?;
                self.node(Node::Not(Box::new(inner)), &[h])
            }
            Tok::Ampersand => {
                let (inner, h) = self.expr(0)?;
                self.node(Node::Expref(Box::new(inner)), &[h])
            }
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

    fn led(&mut self, t: Token, left: Tree) -> Result<Tree, ParseError> {
        let right = |this: &mut Self| this.expr(lbp(t.kind));
        match t.kind {
            // `x.*` is an object projection of `x` itself (as go-jmespath parses it), so
            // a missing `x` makes the projection null instead of an error.
            Tok::Dot if self.peek().kind == Tok::Star => {
                self.next();
                let rhs = self.projection_rhs(lbp(Tok::Dot))?;
                self.binary(Node::ValueProjection, left, rhs)
            }
            Tok::Dot => {
                let rhs = self.dot_rhs(lbp(Tok::Dot))?;
                self.binary(Node::Subexpr, left, rhs)
            }
            Tok::LBracket if self.starts_bracket_body() => self.bracket(left),
            Tok::LBracket => Err(ParseError::syntax(
                t.start,
                "a multiselect list cannot follow an expression here",
            )),
            Tok::Flatten => self.flatten(left),
            Tok::Filter => self.filter(left),
            Tok::Pipe => {
                let rhs = right(self)?;
                self.binary(Node::Pipe, left, rhs)
            }
            Tok::Or => {
                let rhs = right(self)?;
                self.binary(Node::Or, left, rhs)
            }
            Tok::And => {
                let rhs = right(self)?;
                self.binary(Node::And, left, rhs)
            }
            Tok::Compare(op) => {
                let ((l, lh), (r, rh)) = (left, right(self)?);
                self.node(Node::Compare(op, Box::new([l, r])), &[lh, rh])
            }
            _ => Err(self.unexpected(t)),
        }
    }

    /// What may follow a `.`: an identifier, `*`, a multiselect, a function call.
    fn dot_rhs(&mut self, bp: u8) -> Result<Tree, ParseError> {
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
                        Ok((
                            Node::MultiList(vec![Node::ValueProjection(Box::new([
                                Node::Current,
                                Node::Current,
                            ]))]),
                            3,
                        ))
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
    fn projection_rhs(&mut self, bp: u8) -> Result<Tree, ParseError> {
        let next = self.peek();
        if lbp(next.kind) < PROJECTION_STOP {
            return Ok(leaf(Node::Current));
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
    fn bracket(&mut self, left: Tree) -> Result<Tree, ParseError> {
        let open = self.previous.start;
        match self.bracket_body(open)? {
            Bracket::Index(index) => self.subexpr(left, leaf(Node::Index(index))),
            Bracket::Star => {
                let rhs = self.projection_rhs(lbp(Tok::Star))?;
                self.binary(Node::Projection, left, rhs)
            }
            Bracket::Slice([a, b, c]) => {
                let rhs = self.projection_rhs(lbp(Tok::Star))?;
                let sliced = self.subexpr(left, leaf(Node::Slice(Box::new([a, b, c]))))?;
                self.binary(Node::Projection, sliced, rhs)
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

    fn flatten(&mut self, (left, lh): Tree) -> Result<Tree, ParseError> {
        let flat = self.node(Node::Flatten(Box::new(left)), &[lh])?;
        let rhs = self.projection_rhs(lbp(Tok::Flatten))?;
        self.binary(Node::Projection, flat, rhs)
    }

    /// `left[?condition]` and what follows it; the `[?` is taken.
    fn filter(&mut self, (left, lh): Tree) -> Result<Tree, ParseError> {
        let (condition, ch) = self.expr(0)?;
        self.expect(Tok::RBracket)?;
        let (rhs, rh) = self.projection_rhs(lbp(Tok::Filter))?;
        self.node(
            Node::FilterProjection {
                lhs: Box::new(left),
                rhs: Box::new(rhs),
                condition: Box::new(condition),
            },
            &[lh, ch, rh],
        )
    }

    /// `[a, b, ...]`; the `[` is taken.
    fn multi_list(&mut self) -> Result<Tree, ParseError> {
        let (items, h) = self.items(Tok::RBracket)?;
        self.node(Node::MultiList(items), &[h])
    }

    /// Comma-separated expressions up to `close`, at least one, and the tallest one's height.
    fn items(&mut self, close: Tok) -> Result<(Vec<Node>, usize), ParseError> {
        let mut items = Vec::new();
        let mut height = 0;
        loop {
            let (item, h) = self.expr(0)?;
            items.push(item);
            height = height.max(h);
            let t = self.next();
            match t.kind {
                Tok::Comma => {}
                kind if kind == close => return Ok((items, height)),
                _ => return Err(self.unexpected(t)),
            }
        }
    }

    /// `{key: a, ...}`; the `{` is taken.
    fn multi_hash(&mut self) -> Result<Tree, ParseError> {
        let mut entries = Vec::new();
        let mut height = 0;
        loop {
            let key = self.next();
            let name = match key.kind {
                Tok::Identifier => self.text(key).to_owned(),
                Tok::QuotedIdentifier => self.quoted(key)?,
                _ => return Err(self.unexpected(key)),
            };
            self.expect(Tok::Colon)?;
            let (value, h) = self.expr(0)?;
            entries.push((name, value));
            height = height.max(h);
            let t = self.next();
            match t.kind {
                Tok::Comma => {}
                Tok::RBrace => return self.node(Node::MultiHash(entries), &[height]),
                _ => return Err(self.unexpected(t)),
            }
        }
    }

    /// `name(args...)`; `name` is taken and `(` is next.
    fn function_call(&mut self, name: Token) -> Result<Tree, ParseError> {
        let text = self.text(name);
        let Some(spec) = functions::lookup(text) else {
            return Err(ParseError {
                offset: name.start,
                message: format!("unknown function: {text}()"),
                kind: ParseErrorKind::UnknownFunction,
            });
        };
        let open = self.next();
        let (args, height) = if self.peek().kind == Tok::RParen {
            self.next();
            (Vec::new(), 0)
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
        self.node(
            Node::Function(Box::new(FunctionCall { spec, args, regex })),
            &[height],
        )
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

#[cfg(test)]
mod tests {
    /// The stack of a spawned thread (2 MiB) in release builds, which the depth bounds are
    /// made for; unoptimised builds use about twenty times more stack per level.
    const STACK: usize = if cfg!(debug_assertions) {
        32 << 20
    } else {
        2 << 20
    };

    /// Parse on a thread with a small stack.
    fn parses_on_small_stack(text: String) -> Result<(), super::ParseError> {
        std::thread::Builder::new()
            .stack_size(STACK)
            .spawn(move || super::parse(&text, false).map(drop))
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

    /// Parses, evaluates and drops on a thread with a small stack; `Err` for a parse error.
    fn runs_on_small_stack(text: String) -> Result<(), super::ParseError> {
        std::thread::Builder::new()
            .stack_size(STACK)
            .spawn(move || {
                let expr = crate::expr::parse(&text)?;
                let doc = serde_json::json!({"a": {"a": [[1]]}, "b": true});
                let _ = expr.evaluate(&doc);
                Ok(())
            })
            .expect("thread starts")
            .join()
            .expect("no stack overflow")
    }

    /// Chains are parsed in a loop, but the trees they build are as tall as the chain: every
    /// operator repeated 20,000 and 100,000 times is a clean error, and the tallest accepted
    /// chain evaluates and drops on a small stack.
    #[test]
    fn long_chains_of_every_operator_are_bounded() {
        let links = [
            ".a", " | a", " || a", " && a", "[0]", "[]", "[*]", ".*", "[?a]", "[0:1]", " == a",
            " < a", ".[a]", ".{a: a}",
        ];
        for link in links {
            for n in [20_000, 100_000] {
                let text = "a".to_owned() + &link.repeat(n);
                let e = runs_on_small_stack(text).unwrap_err();
                assert_eq!(e.message, "expression nested too deeply", "{link}");
            }
            // The longest chain that fits is evaluated and dropped without trouble.
            let fits = (1..super::MAX_HEIGHT)
                .rev()
                .map(|n| "a".to_owned() + &link.repeat(n))
                .find(|t| crate::expr::parse(t).is_ok())
                .expect("a short chain parses");
            assert!(runs_on_small_stack(fits).is_ok(), "{link}");
        }
    }
}
