//! The fast path for the block YAML that Kubernetes manifests are written in: JSON values built
//! straight from the bytes, with no events and no spans.
//!
//! It reads a subset of YAML and declines (returns `None`) on anything else, so that the caller
//! falls back to the event builder. For every text it accepts, the result is exactly what
//! `events::build::<Value>` gives; scalars go through the same resolution code (`resolve.rs`).
//!
//! The subset: documents separated by `---` lines; comments and blank lines; block mappings with
//! plain or quoted one-line keys; block sequences, indented or at the indentation of their key,
//! with compact `- key: value` and `- - item` entries; one-line plain, single- and double-quoted
//! scalars; one-line flow collections of such scalars (`[a, "b"]`, `{k: v}`, `{}`).
//!
//! Declined: tabs, carriage returns and other control characters anywhere, byte order marks,
//! `...`, directives, anchors, aliases, tags, block scalars, `? ` complex keys, `<<` merge keys,
//! multi-line scalars and flow collections, duplicate keys, long keys, deep nesting, scalars that
//! resolve to an error (`.inf`, a null key), and any indentation or indicator the reader does
//! not expect (the YAML path then reads it, or reports the error with its span).

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::Span;
use super::events::MAX_DEPTH;
use super::resolve::resolve;
use super::tree::Tree;

/// The deepest nesting of collections accepted here; deeper documents go to the YAML path,
/// which has its own limit ([`MAX_DEPTH`]).
const MAX_NESTING: usize = 64;
const _: () = assert!(MAX_NESTING < MAX_DEPTH);

/// The longest key, in bytes up to its `:`, accepted here. saphyr stops treating a block key as
/// a key 1,024 characters after its start; staying well below keeps us out of that rule.
const MAX_KEY: usize = 512;

/// Parses `text` as a stream of documents in the supported subset; `None` when it is not
/// exactly that (the caller then uses the YAML path, which gives the same values or an error).
pub(crate) fn parse_stream(text: &str) -> Option<Vec<Value>> {
    if !plain_text(text.as_bytes()) {
        return None;
    }
    let mut p = Reader {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        line_start: 0,
        next: Next::End,
        depth: 0,
        items: Vec::new(),
    };
    let mut docs = Vec::new();
    p.advance()?;
    loop {
        match p.next {
            Next::End => return Some(docs),
            Next::Marker => {
                p.pos += 3;
                p.end_line()?;
            }
            Next::Content(col) => {
                docs.push(p.node(col)?);
                if let Next::Content(_) = p.next {
                    return None;
                }
            }
        }
    }
}

/// True when the text has no byte that the reader leaves to the YAML path wholesale: control
/// characters other than line feeds (tabs and carriage returns included), DEL, and the byte
/// order mark (saphyr treats it specially wherever it appears).
fn plain_text(bytes: &[u8]) -> bool {
    let control = bytes.chunks(64).any(|chunk| {
        chunk.iter().fold(false, |bad, &b| {
            bad | ((b < 0x20) & (b != b'\n')) | (b == 0x7f)
        })
    });
    !control && memchr::memmem::find(bytes, "\u{feff}".as_bytes()).is_none()
}

/// What the next line with content holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    /// Content starting at this column (the reader is at its first byte).
    Content(usize),
    /// A `---` document marker at column 0 (the reader is at its first `-`).
    Marker,
    /// The end of the text.
    End,
}

/// A scalar read in block context: a mapping key (its `:` consumed) or a value.
enum Token {
    Key(String),
    Value(Value),
}

/// The reader's position in the text. Every method returns `None` to decline.
struct Reader<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    line_start: usize,
    /// The next line with content, once a line has been finished (see [`Reader::advance`]).
    next: Next,
    depth: usize,
    /// The items of the open sequences, innermost last (each is built at its final size).
    items: Vec<Value>,
}

/// True for a space, a line feed or the end of the text (0: the text has no NUL bytes).
fn blank_or_end(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | 0)
}

/// True for the flow indicators `,[]{}`.
fn flow_indicator(b: u8) -> bool {
    matches!(b, b',' | b'[' | b']' | b'{' | b'}')
}

/// True when a plain scalar may start with `b` followed by `next`: not an indicator, except `-`
/// before a non-space, and in block context `?` and `:` before a non-space (`host: ::1`).
fn plain_start(b: u8, next: u8, block: bool) -> bool {
    match b {
        b'-' => !blank_or_end(next),
        b'?' | b':' if block => !blank_or_end(next),
        b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|'
        | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`' | b' ' | b'\n' | 0 => false,
        _ => true,
    }
}

/// The JSON value of a plain scalar, resolved the Kubernetes way; `None` for `.inf` and `.nan`.
fn plain_value(text: &str) -> Option<Value> {
    let scalar = resolve(Cow::Borrowed(text), true, None)
        .ok()?
        .into_scalar()
        .ok()?;
    Some(Value::scalar(Span::new(0, 0), scalar))
}

/// The key string of a plain key; `None` for `<<` (a merge key) and keys that cannot be keys.
fn plain_key(text: &str) -> Option<String> {
    if text == "<<" {
        return None;
    }
    resolve(Cow::Borrowed(text), true, None)
        .ok()?
        .into_key()
        .ok()
}

/// Adds an entry, declining a duplicate key (the YAML path reports it).
fn insert(map: &mut Map<String, Value>, key: String, value: Value) -> Option<()> {
    map.insert(key, value).is_none().then_some(())
}

impl<'t> Reader<'t> {
    /// The byte at `i`, or 0 past the end.
    fn byte(&self, i: usize) -> u8 {
        self.bytes.get(i).copied().unwrap_or(0)
    }

    fn peek(&self) -> u8 {
        self.byte(self.pos)
    }

    fn skip_spaces(&mut self) {
        while self.peek() == b' ' {
            self.pos += 1;
        }
    }

    /// Moves past the next line feed (or to the end of the text).
    fn skip_line(&mut self) {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        self.pos = match memchr::memchr(b'\n', rest) {
            Some(i) => self.pos + i + 1,
            None => self.bytes.len(),
        };
    }

    /// True at a block sequence entry: `-` followed by a space or the end of the line.
    fn at_entry(&self) -> bool {
        self.peek() == b'-' && blank_or_end(self.byte(self.pos + 1))
    }

    /// From the start of a line, skips blank and comment lines and records in `self.next` what
    /// comes next. Declines `...` and other content at column 0 that starts like a marker.
    fn advance(&mut self) -> Option<()> {
        loop {
            self.line_start = self.pos;
            self.skip_spaces();
            match self.peek() {
                0 => {
                    self.next = Next::End;
                    return Some(());
                }
                b'\n' => self.pos += 1,
                b'#' => self.skip_line(),
                _ => {
                    let col = self.pos - self.line_start;
                    let head = self.bytes.get(self.pos..self.pos + 3);
                    if col == 0 && matches!(head, Some(b"---" | b"...")) {
                        if head == Some(&b"---"[..]) && blank_or_end(self.byte(self.pos + 3)) {
                            self.next = Next::Marker;
                            return Some(());
                        }
                        return None;
                    }
                    self.next = Next::Content(col);
                    return Some(());
                }
            }
        }
    }

    /// Finishes a line after a value: spaces, then a comment after a space, or the line end.
    fn end_line(&mut self) -> Option<()> {
        self.skip_spaces();
        match self.peek() {
            0 => {}
            b'\n' => self.pos += 1,
            b'#' if self.byte(self.pos.wrapping_sub(1)) == b' ' => self.skip_line(),
            _ => return None,
        }
        self.advance()
    }

    /// Reads the node starting at the reader, at column `col`: a block sequence, a block
    /// mapping, or a one-line scalar or flow collection. Afterwards `self.next` is the line
    /// after the node.
    fn node(&mut self, col: usize) -> Option<Value> {
        if self.depth >= MAX_NESTING {
            return None;
        }
        self.depth += 1;
        let value = if self.at_entry() {
            self.seq(col)
        } else if matches!(self.peek(), b'[' | b'{') {
            let value = self.flow()?;
            self.end_line()?;
            Some(value)
        } else {
            match self.token()? {
                Token::Key(key) => self.map(col, key),
                Token::Value(value) => {
                    self.end_line()?;
                    Some(value)
                }
            }
        };
        self.depth -= 1;
        value
    }

    /// The sequence of the items pushed since `base`.
    fn array(&mut self, base: usize) -> Value {
        Value::Array(self.items.drain(base..).collect())
    }

    /// A block sequence whose entries' `-` are at column `col`, the reader at the first one.
    fn seq(&mut self, col: usize) -> Option<Value> {
        let base = self.items.len();
        loop {
            self.pos += 1;
            self.skip_spaces();
            let item = if matches!(self.peek(), 0 | b'\n' | b'#') {
                self.end_line()?;
                match self.next {
                    Next::Content(c) if c > col => self.node(c)?,
                    _ => Value::Null,
                }
            } else {
                self.node(self.pos - self.line_start)?
            };
            self.items.push(item);
            match self.next {
                Next::Content(c) if c == col && self.at_entry() => {}
                Next::Content(c) if c > col => return None,
                _ => return Some(self.array(base)),
            }
        }
    }

    /// A block mapping whose keys are at column `col`; its first key has been read.
    fn map(&mut self, col: usize, first: String) -> Option<Value> {
        let mut map = Map::new();
        let mut key = first;
        loop {
            let value = self.map_value(col)?;
            insert(&mut map, key, value)?;
            match self.next {
                Next::Content(c) if c == col && !self.at_entry() => {
                    key = match self.token()? {
                        Token::Key(k) => k,
                        Token::Value(_) => return None,
                    };
                }
                Next::Content(c) if c >= col => return None,
                _ => return Some(Value::Object(map)),
            }
        }
    }

    /// The value after a key's `:` in a mapping at column `col`: on the same line, on the
    /// following more indented lines, a sequence at the key's own column, or null.
    fn map_value(&mut self, col: usize) -> Option<Value> {
        self.skip_spaces();
        match self.peek() {
            0 | b'\n' | b'#' => {
                self.end_line()?;
                match self.next {
                    Next::Content(c) if c > col || (c == col && self.at_entry()) => self.node(c),
                    _ => Some(Value::Null),
                }
            }
            b'[' | b'{' => {
                let value = self.flow()?;
                self.end_line()?;
                Some(value)
            }
            _ if self.at_entry() => None,
            _ => match self.token()? {
                Token::Key(_) => None,
                Token::Value(value) => {
                    self.end_line()?;
                    Some(value)
                }
            },
        }
    }

    /// A one-line scalar in block context, and whether a `: ` after it makes it a key.
    fn token(&mut self) -> Option<Token> {
        let start = self.pos;
        let first = self.peek();
        if matches!(first, b'\'' | b'"') {
            let text = self.quoted(first)?;
            let end = self.pos;
            self.skip_spaces();
            if self.peek() == b':' && blank_or_end(self.byte(self.pos + 1)) {
                return self.key_end(start).map(|()| Token::Key(text));
            }
            self.pos = end;
            return Some(Token::Value(Value::String(text)));
        }
        if !plain_start(first, self.byte(start + 1), true) {
            return None;
        }
        let (end, colon) = self.plain_block();
        let text = self.text.get(start..end)?;
        if colon {
            self.key_end(start)?;
            plain_key(text).map(Token::Key)
        } else {
            plain_value(text).map(Token::Value)
        }
    }

    /// Consumes the `:` after a key that started at `start`, declining long keys.
    fn key_end(&mut self, start: usize) -> Option<()> {
        if self.pos - start > MAX_KEY {
            return None;
        }
        self.pos += 1;
        Some(())
    }

    /// Scans a plain scalar in block context to its end: the line end, a comment (` #`) or a
    /// `:` followed by a space or line end (returned as `true`). Returns the end of its text
    /// (trailing spaces excluded) and leaves the reader at the stop.
    fn plain_block(&mut self) -> (usize, bool) {
        let mut end = self.pos;
        let mut i = self.pos;
        let colon = loop {
            match self.byte(i) {
                0 | b'\n' => break false,
                b' ' if self.byte(i + 1) == b'#' => break false,
                b' ' => i += 1,
                b':' if blank_or_end(self.byte(i + 1)) => break true,
                _ => {
                    i += 1;
                    end = i;
                }
            }
        };
        self.pos = i;
        (end, colon)
    }

    /// A quoted scalar on one line (`quote` is `'` or `"`), the reader at its opening quote;
    /// leaves the reader after the closing quote.
    fn quoted(&mut self, quote: u8) -> Option<String> {
        let mut out = String::new();
        let mut run = self.pos + 1;
        let mut i = run;
        loop {
            match self.byte(i) {
                0 | b'\n' => return None,
                b'\'' if quote == b'\'' => {
                    out.push_str(self.text.get(run..i)?);
                    if self.byte(i + 1) != b'\'' {
                        break;
                    }
                    out.push('\'');
                    i += 2;
                    run = i;
                }
                b'"' if quote == b'"' => {
                    out.push_str(self.text.get(run..i)?);
                    break;
                }
                b'\\' if quote == b'"' => {
                    out.push_str(self.text.get(run..i)?);
                    let (c, len) = self.escape(i + 1)?;
                    out.push(c);
                    i += 1 + len;
                    run = i;
                }
                _ => i += 1,
            }
        }
        self.pos = i + 1;
        Some(out)
    }

    /// The character of the double-quoted escape whose letter is at `i`, and how many bytes
    /// follow the backslash. Exactly YAML's escapes; an unknown one is declined.
    fn escape(&self, i: usize) -> Option<(char, usize)> {
        let simple = match self.byte(i) {
            b'0' => '\0',
            b'a' => '\x07',
            b'b' => '\x08',
            b't' => '\t',
            b'n' => '\n',
            b'v' => '\x0b',
            b'f' => '\x0c',
            b'r' => '\r',
            b'e' => '\x1b',
            b' ' => ' ',
            b'"' => '"',
            b'/' => '/',
            b'\\' => '\\',
            b'N' => '\u{85}',
            b'_' => '\u{a0}',
            b'L' => '\u{2028}',
            b'P' => '\u{2029}',
            b'x' => return self.hex_escape(i + 1, 2),
            b'u' => return self.hex_escape(i + 1, 4),
            b'U' => return self.hex_escape(i + 1, 8),
            _ => return None,
        };
        Some((simple, 1))
    }

    /// A `\x`, `\u` or `\U` escape: `digits` hex digits at `i`, naming a Unicode scalar value.
    fn hex_escape(&self, i: usize, digits: usize) -> Option<(char, usize)> {
        let hex = self.text.get(i..i + digits)?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let code = u32::from_str_radix(hex, 16).ok()?;
        Some((char::from_u32(code)?, 1 + digits))
    }

    /// A flow collection on one line, the reader at its `[` or `{`; leaves the reader after
    /// the closing bracket.
    fn flow(&mut self) -> Option<Value> {
        if self.depth >= MAX_NESTING {
            return None;
        }
        self.depth += 1;
        let open = self.peek();
        self.pos += 1;
        self.skip_spaces();
        let close = if open == b'[' { b']' } else { b'}' };
        let value = if self.peek() == close {
            self.pos += 1;
            if open == b'[' {
                Value::Array(Vec::new())
            } else {
                Value::Object(Map::new())
            }
        } else if open == b'[' {
            let base = self.items.len();
            loop {
                let item = self.flow_item()?;
                self.items.push(item);
                if self.flow_separator(close)? {
                    break self.array(base);
                }
            }
        } else {
            let mut map = Map::new();
            loop {
                let key = self.flow_key()?;
                self.skip_spaces();
                let value = self.flow_item()?;
                insert(&mut map, key, value)?;
                if self.flow_separator(close)? {
                    break Value::Object(map);
                }
            }
        };
        self.depth -= 1;
        Some(value)
    }

    /// After a flow entry: `true` after the closing bracket, `false` after a `,` followed by
    /// another entry. A trailing `,` is declined.
    fn flow_separator(&mut self, close: u8) -> Option<bool> {
        self.skip_spaces();
        match self.peek() {
            b',' => {
                self.pos += 1;
                self.skip_spaces();
                (self.peek() != close).then_some(false)
            }
            b if b == close => {
                self.pos += 1;
                Some(true)
            }
            _ => None,
        }
    }

    /// A value in a flow collection: a nested collection, a quoted or a plain scalar.
    fn flow_item(&mut self) -> Option<Value> {
        match self.peek() {
            b'[' | b'{' => self.flow(),
            q @ (b'\'' | b'"') => {
                let text = self.quoted(q)?;
                let end = self.pos;
                self.skip_spaces();
                if self.peek() == b':' {
                    return None;
                }
                self.pos = end;
                Some(Value::String(text))
            }
            _ => {
                let (text, _) = self.plain_flow(false)?;
                plain_value(text)
            }
        }
    }

    /// A key in a flow mapping with its `: `, which is consumed.
    fn flow_key(&mut self) -> Option<String> {
        let q = self.peek();
        if matches!(q, b'\'' | b'"') {
            let text = self.quoted(q)?;
            self.skip_spaces();
            if self.peek() != b':' || self.byte(self.pos + 1) != b' ' {
                return None;
            }
            self.pos += 1;
            return Some(text);
        }
        match self.plain_flow(true)? {
            (text, true) => {
                self.pos += 1;
                plain_key(text)
            }
            (_, false) => None,
        }
    }

    /// A plain scalar in a flow collection, ended by a flow indicator or, for a key, by `: `
    /// (returned as `true`, the reader at the `:`). Declines a `:`, `#` or quote inside, a `-`
    /// before a flow indicator, and the end of the line.
    fn plain_flow(&mut self, key: bool) -> Option<(&'t str, bool)> {
        let start = self.pos;
        if !plain_start(self.peek(), self.byte(start + 1), false) {
            return None;
        }
        let mut end = start;
        let mut i = start;
        let colon = loop {
            match self.byte(i) {
                b if flow_indicator(b) => break false,
                b' ' => i += 1,
                b':' if key && self.byte(i + 1) == b' ' => break true,
                b'-' if flow_indicator(self.byte(i + 1)) => return None,
                0 | b'\n' | b':' | b'#' | b'\'' | b'"' => return None,
                _ => {
                    i += 1;
                    end = i;
                }
            }
        };
        self.pos = i;
        Some((self.text.get(start..end)?, colon))
    }
}

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
