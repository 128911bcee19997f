//! A strict DER reader with the acceptance rules of Go's `golang.org/x/crypto/cryptobyte`
//! (single-byte tags, minimal definite lengths up to four length bytes, minimal integers), so
//! that a certificate is rejected exactly where Go's parser rejects it. Every read returns
//! `None` instead of failing loudly; callers turn that into Go's error text.

/// Universal and context-specific tags used by certificates.
pub(super) mod tag {
    pub(in super::super) const BOOLEAN: u8 = 0x01;
    pub(in super::super) const INTEGER: u8 = 0x02;
    pub(in super::super) const BIT_STRING: u8 = 0x03;
    pub(in super::super) const OCTET_STRING: u8 = 0x04;
    pub(in super::super) const OID: u8 = 0x06;
    pub(in super::super) const UTF8_STRING: u8 = 0x0c;
    pub(in super::super) const NUMERIC_STRING: u8 = 0x12;
    pub(in super::super) const PRINTABLE_STRING: u8 = 0x13;
    pub(in super::super) const T61_STRING: u8 = 0x14;
    pub(in super::super) const IA5_STRING: u8 = 0x16;
    pub(in super::super) const UTC_TIME: u8 = 0x17;
    pub(in super::super) const GENERALIZED_TIME: u8 = 0x18;
    pub(in super::super) const BMP_STRING: u8 = 0x1e;
    pub(in super::super) const SEQUENCE: u8 = 0x30;
    pub(in super::super) const SET: u8 = 0x31;

    /// `[n]` context-specific, primitive.
    pub(in super::super) const fn context(n: u8) -> u8 {
        0x80 | n
    }

    /// `[n]` context-specific, constructed.
    pub(in super::super) const fn explicit(n: u8) -> u8 {
        0xa0 | n
    }
}

/// A cursor over DER bytes.
#[derive(Clone, Copy, Debug)]
pub(super) struct Reader<'a> {
    rest: &'a [u8],
}

/// One element: its tag, its content and its full encoding (tag and length included).
#[derive(Clone, Copy, Debug)]
pub(super) struct Element<'a> {
    pub(super) tag: u8,
    pub(super) content: &'a [u8],
    pub(super) full: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Reader { rest: bytes }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The tag of the next element, if any.
    pub(super) fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// Whether the next element has this tag.
    pub(super) fn peek_is(&self, tag: u8) -> bool {
        self.peek_tag() == Some(tag)
    }

    /// The next element, whatever its tag.
    pub(super) fn read_any(&mut self) -> Option<Element<'a>> {
        let (&tag, after_tag) = self.rest.split_first()?;
        if tag & 0x1f == 0x1f {
            // cryptobyte does not read high-tag-number identifiers.
            return None;
        }
        let (&first, after_len) = after_tag.split_first()?;
        let (length, body) = if first & 0x80 == 0 {
            (usize::from(first), after_len)
        } else {
            let count = usize::from(first & 0x7f);
            if count == 0 || count > 4 {
                return None;
            }
            let (len_bytes, body) = after_len.split_at_checked(count)?;
            let length = len_bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            // Lengths must be minimal: no long form below 128, no leading zero byte.
            if length < 128 || len_bytes.first() == Some(&0) {
                return None;
            }
            (length, body)
        };
        let content = body.get(..length)?;
        let header = self.rest.len() - body.len();
        let full = self.rest.get(..header + length)?;
        self.rest = body.get(length..)?;
        Some(Element { tag, content, full })
    }

    /// The next element, which must have this tag.
    pub(super) fn read_element(&mut self, tag: u8) -> Option<Element<'a>> {
        if !self.peek_is(tag) {
            return None;
        }
        self.read_any()
    }

    /// The content of the next element, which must have this tag.
    pub(super) fn read(&mut self, tag: u8) -> Option<&'a [u8]> {
        self.read_element(tag).map(|e| e.content)
    }

    /// The content of an optional element: `Some(None)` when the next tag differs.
    pub(super) fn read_optional(&mut self, tag: u8) -> Option<Option<&'a [u8]>> {
        if self.peek_is(tag) {
            self.read(tag).map(Some)
        } else {
            Some(None)
        }
    }

    /// A DER BOOLEAN (`0x00` or `0xff` only).
    pub(super) fn read_bool(&mut self) -> Option<bool> {
        match self.read(tag::BOOLEAN)? {
            [0x00] => Some(false),
            [0xff] => Some(true),
            _ => None,
        }
    }

    /// A minimally encoded INTEGER with this tag, as its two's-complement bytes.
    pub(super) fn read_integer_with(&mut self, tag: u8) -> Option<&'a [u8]> {
        let bytes = self.read(tag)?;
        minimal_integer(bytes).then_some(bytes)
    }

    /// A minimally encoded INTEGER, as its two's-complement bytes.
    pub(super) fn read_integer(&mut self) -> Option<&'a [u8]> {
        self.read_integer_with(tag::INTEGER)
    }

    /// An INTEGER that fits in a Go `int` (64 bits).
    pub(super) fn read_i64(&mut self) -> Option<i64> {
        int64(self.read_integer()?)
    }

    /// A BIT STRING: its whole bytes and the number of bits in use.
    pub(super) fn read_bit_string(&mut self) -> Option<BitString<'a>> {
        let content = self.read(tag::BIT_STRING)?;
        let (&unused, bytes) = content.split_first()?;
        let last = bytes.last().copied();
        let valid = unused <= 7
            && !(bytes.is_empty() && unused != 0)
            && last.is_none_or(|b| b & ((1u8 << unused) - 1) == 0);
        valid.then(|| BitString {
            bytes,
            bit_length: bytes.len() * 8 - usize::from(unused),
        })
    }

    /// An OBJECT IDENTIFIER whose arcs fit cryptobyte's 31-bit limit.
    pub(super) fn read_oid(&mut self) -> Option<Vec<u64>> {
        oid_arcs(self.read(tag::OID)?, 31)
    }
}

/// A BIT STRING's bytes and length in bits.
#[derive(Clone, Copy, Debug)]
pub(super) struct BitString<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) bit_length: usize,
}

impl BitString<'_> {
    /// Bit `i`, counting from the most significant bit of the first byte (0 past the end).
    pub(super) fn at(&self, i: usize) -> bool {
        i < self.bit_length
            && self
                .bytes
                .get(i / 8)
                .is_some_and(|b| b & (0x80 >> (i % 8)) != 0)
    }

    /// The bits shifted so that padding is at the front (Go's `BitString.RightAlign`).
    pub(super) fn right_align(&self) -> Vec<u8> {
        let shift = 8 - self.bit_length % 8;
        if shift == 8 || self.bytes.is_empty() {
            return self.bytes.to_vec();
        }
        let mut out = Vec::with_capacity(self.bytes.len());
        let mut carry = 0u8;
        for &b in self.bytes {
            out.push(carry | (b >> shift));
            carry = b << (8 - shift);
        }
        out
    }
}

/// Whether INTEGER content is non-empty and minimally encoded.
fn minimal_integer(bytes: &[u8]) -> bool {
    match bytes {
        [] => false,
        [0x00, second, ..] => second & 0x80 != 0,
        [0xff, second, ..] => second & 0x80 == 0,
        _ => true,
    }
}

/// Two's-complement INTEGER content as an `i64`, if it fits.
pub(super) fn int64(bytes: &[u8]) -> Option<i64> {
    if bytes.is_empty() || bytes.len() > 8 {
        return None;
    }
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    let start: i64 = if negative { -1 } else { 0 };
    Some(
        bytes
            .iter()
            .fold(start, |acc, &b| (acc << 8) | i64::from(b)),
    )
}

/// The arcs of OBJECT IDENTIFIER content, each at most `max_bits` wide; `None` when malformed.
pub(super) fn oid_arcs(content: &[u8], max_bits: u32) -> Option<Vec<u64>> {
    let mut values = Vec::new();
    let mut current: u64 = 0;
    let mut started = false;
    for &b in content {
        if !started && b == 0x80 {
            // Non-minimal base-128 encoding.
            return None;
        }
        started = true;
        if current >= 1u64 << (max_bits - 7) {
            return None;
        }
        current = (current << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            values.push(current);
            current = 0;
            started = false;
        }
    }
    if started {
        // The last arc is unterminated.
        return None;
    }
    let (&first, rest) = values.split_first()?;
    let (a, b) = match first {
        0..40 => (0, first),
        40..80 => (1, first - 40),
        _ => (2, first - 80),
    };
    let mut arcs = vec![a, b];
    arcs.extend_from_slice(rest);
    Some(arcs)
}

/// Arcs in dotted form (`2.5.29.15`).
pub(super) fn dotted(arcs: &[u64]) -> String {
    let parts: Vec<String> = arcs.iter().map(u64::to_string).collect();
    parts.join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_must_be_minimal() {
        assert!(Reader::new(&[0x04, 0x01, 0xaa]).read_any().is_some());
        // Long form for a short length.
        assert!(Reader::new(&[0x04, 0x81, 0x01, 0xaa]).read_any().is_none());
        // Indefinite length.
        assert!(Reader::new(&[0x30, 0x80, 0x00, 0x00]).read_any().is_none());
        // Truncated content.
        assert!(Reader::new(&[0x04, 0x05, 0xaa]).read_any().is_none());
        // High tag number.
        assert!(Reader::new(&[0x1f, 0x01, 0x00]).read_any().is_none());
    }

    #[test]
    fn integers_and_oids() {
        assert_eq!(Reader::new(&[0x02, 0x01, 0xff]).read_i64(), Some(-1));
        assert_eq!(
            Reader::new(&[0x02, 0x03, 0x01, 0x00, 0x01]).read_i64(),
            Some(65537)
        );
        assert!(Reader::new(&[0x02, 0x02, 0x00, 0x01]).read_i64().is_none());
        assert_eq!(
            Reader::new(&[0x06, 0x03, 0x55, 0x1d, 0x0f]).read_oid(),
            Some(vec![2, 5, 29, 15])
        );
        assert!(oid_arcs(&[0x55, 0x80, 0x01], 31).is_none());
        assert!(oid_arcs(&[0x55, 0x81], 31).is_none());
    }

    #[test]
    fn bit_strings() {
        let mut r = Reader::new(&[0x03, 0x02, 0x05, 0xa0]);
        let bits = r.read_bit_string().unwrap();
        assert!(bits.at(0) && !bits.at(1) && bits.at(2) && !bits.at(3));
        assert_eq!(bits.right_align(), vec![0x05]);
        // Non-zero padding bits; padding without bytes (found by the proptest).
        assert!(
            Reader::new(&[0x03, 0x02, 0x01, 0x01])
                .read_bit_string()
                .is_none()
        );
        assert!(Reader::new(&[0x03, 0x01, 0x05]).read_bit_string().is_none());
    }
}
