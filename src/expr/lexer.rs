//! From text to tokens: one pass over the bytes of an expression.
//!
//! JMESPath's lexical grammar is small and byte-oriented (every token but the quoted ones is
//! ASCII), so the lexer looks at the first byte of each token and scans it directly; quoted
//! tokens keep their raw text and are decoded by the parser.

use super::ast::Comparator;
use super::error::ParseError;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Tok {
    /// An unquoted identifier: `foo`, `_a1`.
    Identifier,
    /// A `"quoted identifier"`, quotes included in its text.
    QuotedIdentifier,
    /// An integer, `-` included: only valid inside brackets.
    Number,
    /// A `` `json literal` ``, backticks included.
    Literal,
    /// A `'raw string'`, quotes included.
    RawString,
    /// `.`
    Dot,
    /// `*`
    Star,
    /// `[]`, written without whitespace.
    Flatten,
    /// `[?`, written without whitespace.
    Filter,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `,`
    Comma,
    /// `:`
    Colon,
    /// `|`
    Pipe,
    /// `||`
    Or,
    /// `&&`
    And,
    /// `!`
    Not,
    /// `&`
    Ampersand,
    /// `@`
    Current,
    /// `$name`, or `$` alone: a variable (only when the lexer accepts them).
    Variable,
    /// `==`, `!=`, `<`, `<=`, `>`, `>=`
    Compare(Comparator),
    /// The end of the text.
    Eof,
    /// A lexical error, kept by the [`Lexer`].
    Error,
}

/// One token: its kind and its byte range in the expression.
#[derive(Clone, Copy, Debug)]
pub(super) struct Token {
    pub kind: Tok,
    pub start: usize,
    pub end: usize,
}

/// Splits an expression into tokens on demand; after the last token it returns
/// [`Tok::Eof`] for ever, and after a lexical error [`Tok::Error`] for ever.
pub(super) struct Lexer<'a> {
    src: &'a str,
    at: usize,
    error: Option<ParseError>,
    /// Whether `$name` is a token (kyverno-json's JMESPath); Kyverno's rejects it.
    variables: bool,
}

impl<'a> Lexer<'a> {
    /// A lexer at the start of `src`.
    pub fn new(src: &'a str, variables: bool) -> Self {
        Lexer {
            src,
            at: 0,
            error: None,
            variables,
        }
    }

    /// The lexical error that produced [`Tok::Error`], if any.
    pub fn error(&self) -> Option<&ParseError> {
        self.error.as_ref()
    }

    /// Whether the next token starts with `byte` (a cheap one-token lookahead).
    pub fn next_byte_is(&self, byte: u8) -> bool {
        let at = skip_whitespace(self.src.as_bytes(), self.at);
        self.error.is_none() && self.src.as_bytes().get(at) == Some(&byte)
    }

    /// The next token.
    pub fn next_token(&mut self) -> Token {
        if let Some(e) = &self.error {
            return Token {
                kind: Tok::Error,
                start: e.offset,
                end: e.offset,
            };
        }
        match self.scan() {
            Ok((kind, start)) => Token {
                kind,
                start,
                end: self.at,
            },
            Err(e) => {
                let at = e.offset;
                self.error = Some(e);
                Token {
                    kind: Tok::Error,
                    start: at,
                    end: at,
                }
            }
        }
    }

    /// Skip whitespace, then scan one token and move past it; the token's kind and start.
    fn scan(&mut self) -> Result<(Tok, usize), ParseError> {
        let bytes = self.src.as_bytes();
        self.at = skip_whitespace(bytes, self.at);
        let at = self.at;
        let Some(&b) = bytes.get(at) else {
            return Ok((Tok::Eof, at));
        };
        let (kind, len) = match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => (Tok::Identifier, identifier_len(bytes, at)),
            b'.' => (Tok::Dot, 1),
            b'[' => match bytes.get(at + 1) {
                Some(b']') => (Tok::Flatten, 2),
                Some(b'?') => (Tok::Filter, 2),
                _ => (Tok::LBracket, 1),
            },
            b']' => (Tok::RBracket, 1),
            b'*' => (Tok::Star, 1),
            b'0'..=b'9' | b'-' => (Tok::Number, number_len(bytes, at)?),
            b'|' => pair(bytes, at, b'|', Tok::Or, Tok::Pipe),
            b'&' => pair(bytes, at, b'&', Tok::And, Tok::Ampersand),
            b'=' => match bytes.get(at + 1) {
                Some(b'=') => (Tok::Compare(Comparator::Eq), 2),
                _ => return Err(unexpected_character(self.src, at)),
            },
            b'!' => pair(bytes, at, b'=', Tok::Compare(Comparator::Ne), Tok::Not),
            b'<' => comparison(bytes, at, Comparator::Le, Comparator::Lt),
            b'>' => comparison(bytes, at, Comparator::Ge, Comparator::Gt),
            b'(' => (Tok::LParen, 1),
            b')' => (Tok::RParen, 1),
            b'{' => (Tok::LBrace, 1),
            b'}' => (Tok::RBrace, 1),
            b',' => (Tok::Comma, 1),
            b':' => (Tok::Colon, 1),
            b'@' => (Tok::Current, 1),
            b'$' if self.variables => (Tok::Variable, identifier_len(bytes, at)),
            b'"' => (Tok::QuotedIdentifier, quoted_len(bytes, at, b'"')?),
            b'\'' => (Tok::RawString, quoted_len(bytes, at, b'\'')?),
            b'`' => (Tok::Literal, quoted_len(bytes, at, b'`')?),
            _ => return Err(unexpected_character(self.src, at)),
        };
        self.at += len;
        Ok((kind, at))
    }
}

/// `<` or `>`, with `=` after it or not.
fn comparison(bytes: &[u8], at: usize, with_eq: Comparator, alone: Comparator) -> (Tok, usize) {
    pair(bytes, at, b'=', Tok::Compare(with_eq), Tok::Compare(alone))
}

/// The position of the first non-whitespace byte at or after `at`.
fn skip_whitespace(bytes: &[u8], mut at: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(at) {
        at += 1;
    }
    at
}

/// A one-byte token, or a two-byte one when `second` follows.
fn pair(bytes: &[u8], at: usize, second: u8, double: Tok, single: Tok) -> (Tok, usize) {
    if bytes.get(at + 1) == Some(&second) {
        (double, 2)
    } else {
        (single, 1)
    }
}

fn identifier_len(bytes: &[u8], at: usize) -> usize {
    bytes
        .get(at + 1..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count()
        + 1
}

fn number_len(bytes: &[u8], at: usize) -> Result<usize, ParseError> {
    let sign = usize::from(bytes.get(at) == Some(&b'-'));
    let digits = bytes
        .get(at + sign..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 {
        return Err(ParseError::syntax(at, "unexpected character '-'"));
    }
    Ok(sign + digits)
}

/// The length of a token enclosed in `quote`, where a backslash escapes the next byte.
fn quoted_len(bytes: &[u8], at: usize, quote: u8) -> Result<usize, ParseError> {
    let mut i = at + 1;
    while let Some(found) = bytes
        .get(i..)
        .and_then(|rest| memchr::memchr2(quote, b'\\', rest))
    {
        i += found;
        if bytes.get(i) == Some(&quote) {
            return Ok(i + 1 - at);
        }
        i += 2;
    }
    let what = match quote {
        b'"' => "quoted identifier",
        b'\'' => "raw string",
        _ => "JSON literal",
    };
    Err(ParseError::syntax(at, format!("unterminated {what}")))
}

fn unexpected_character(src: &str, at: usize) -> ParseError {
    let found = src.get(at..).and_then(|s| s.chars().next()).unwrap_or('?');
    ParseError::syntax(at, format!("unexpected character '{found}'"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::ParseErrorKind;

    /// Every token up to and including the end (or the error).
    fn tokenize(src: &str) -> Result<Vec<Token>, ParseError> {
        let mut lexer = Lexer::new(src, false);
        let mut tokens = Vec::new();
        loop {
            let t = lexer.next_token();
            tokens.push(t);
            match t.kind {
                Tok::Eof => return Ok(tokens),
                Tok::Error => {
                    return Err(lexer
                        .error()
                        .cloned()
                        .expect("an error token has its error"));
                }
                _ => {}
            }
        }
    }

    fn kinds(src: &str) -> Vec<Tok> {
        tokenize(src).unwrap().into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn longest_operator_wins() {
        use Comparator::*;
        assert_eq!(
            kinds("a||b|c&&d&e!=f!g<=h<i>=j>k==l"),
            [
                Tok::Identifier,
                Tok::Or,
                Tok::Identifier,
                Tok::Pipe,
                Tok::Identifier,
                Tok::And,
                Tok::Identifier,
                Tok::Ampersand,
                Tok::Identifier,
                Tok::Compare(Ne),
                Tok::Identifier,
                Tok::Not,
                Tok::Identifier,
                Tok::Compare(Le),
                Tok::Identifier,
                Tok::Compare(Lt),
                Tok::Identifier,
                Tok::Compare(Ge),
                Tok::Identifier,
                Tok::Compare(Gt),
                Tok::Identifier,
                Tok::Compare(Eq),
                Tok::Identifier,
                Tok::Eof,
            ]
        );
    }

    #[test]
    fn brackets_join_only_without_whitespace() {
        assert_eq!(
            kinds("[] [ ] [?"),
            [
                Tok::Flatten,
                Tok::LBracket,
                Tok::RBracket,
                Tok::Filter,
                Tok::Eof
            ]
        );
        assert!(tokenize("[ ?").is_err());
    }

    #[test]
    fn quoted_tokens_keep_escapes_and_report_unterminated() {
        let t = tokenize(r#""a\"b" 'c\'d' `"e\`f`"#).unwrap();
        let src = r#""a\"b" 'c\'d' `"e\`f`"#;
        let texts: Vec<&str> = t.iter().map(|t| &src[t.start..t.end]).collect();
        assert_eq!(texts, [r#""a\"b""#, r"'c\'d'", r#"`"e\`f`"#, ""]);
        let e = tokenize("foo.'bar").unwrap_err();
        assert_eq!(
            (e.offset, e.message.as_str()),
            (4, "unterminated raw string")
        );
    }

    #[test]
    fn stray_characters_are_errors_with_offsets() {
        for (src, offset) in [("a = b", 2), ("a.#", 2), ("a - b", 2), ("é", 0)] {
            let e = tokenize(src).unwrap_err();
            assert_eq!(
                (e.offset, e.kind),
                (offset, ParseErrorKind::Syntax),
                "{src}"
            );
        }
        assert_eq!(
            kinds("[-1]"),
            [Tok::LBracket, Tok::Number, Tok::RBracket, Tok::Eof]
        );
    }
}
