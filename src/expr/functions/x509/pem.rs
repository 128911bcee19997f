//! The first PEM block of a text, found the way Go's `encoding/pem.Decode` finds it: the
//! `-----BEGIN ` marker may follow any text (at the start or after a line break), `Key: value`
//! header lines are skipped, spaces, tabs and line breaks inside the base64 body are ignored, and
//! a block whose END line or base64 does not check out is skipped in favour of a later one.

use base64::Engine as _;
use base64::alphabet::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Go's `base64.StdEncoding`: padded, and lenient about the unused bits of the last symbol.
const GO_STD: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// One decoded PEM block.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Block {
    /// The type from the BEGIN line (`CERTIFICATE`).
    pub(super) kind: String,
    /// The decoded body.
    pub(super) bytes: Vec<u8>,
}

const BEGIN: &str = "-----BEGIN ";
const END: &str = "\n-----END ";
const DASHES: &str = "-----";

/// The first well-formed PEM block of `text`, if there is one.
pub(super) fn decode(text: &str) -> Option<Block> {
    let mut rest = text;
    loop {
        rest = if let Some(after) = rest.strip_prefix(BEGIN) {
            after
        } else {
            let at = rest.find("\n-----BEGIN ")?;
            rest.get(at + 1 + BEGIN.len()..)?
        };
        if let Some(block) = block(&mut rest) {
            return Some(block);
        }
    }
}

/// Reads the block whose BEGIN marker was just consumed; on failure `rest` is left just after
/// the type line so that the caller searches on from there.
fn block(rest: &mut &str) -> Option<Block> {
    let (type_line, after_type) = line(rest);
    *rest = after_type;
    let kind = type_line.strip_suffix(DASHES)?;
    let mut body = after_type;
    let mut headers = false;
    loop {
        if body.is_empty() {
            return None;
        }
        let (header, next) = line(body);
        if !header.contains(':') {
            break;
        }
        headers = true;
        body = next;
    }
    let (end_index, trailer_start) = if !headers && body.starts_with(&END[1..]) {
        (0, END.len() - 1)
    } else {
        let at = body.find(END)?;
        (at, at + END.len())
    };
    let trailer = body.get(trailer_start..)?;
    let trailer = trailer.strip_prefix(kind)?.strip_prefix(DASHES)?;
    if !line(trailer).0.is_empty() {
        return None;
    }
    let base64: Vec<u8> = body
        .get(..end_index)?
        .bytes()
        .filter(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .collect();
    let bytes = GO_STD.decode(base64).ok()?;
    Some(Block {
        kind: kind.to_owned(),
        bytes,
    })
}

/// The first line of `data` without its line break and trailing spaces/tabs, and the rest.
fn line(data: &str) -> (&str, &str) {
    let (line, rest) = match data.find('\n') {
        Some(i) => {
            let (l, r) = data.split_at(i);
            (l.strip_suffix('\r').unwrap_or(l), r.get(1..).unwrap_or(""))
        }
        None => (data, ""),
    };
    (line.trim_end_matches([' ', '\t']), rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_and_bytes(text: &str) -> Option<(String, Vec<u8>)> {
        decode(text).map(|b| (b.kind, b.bytes))
    }

    #[test]
    fn finds_the_block_after_other_text() {
        let text = "junk\n-----BEGIN THING-----\naGVs\nbG8=\n-----END THING-----\ntail";
        assert_eq!(
            kind_and_bytes(text),
            Some(("THING".to_owned(), b"hello".to_vec()))
        );
        let crlf = "-----BEGIN THING-----\r\naGVsbG8=\r\n-----END THING-----\r\n";
        assert_eq!(
            kind_and_bytes(crlf),
            Some(("THING".to_owned(), b"hello".to_vec()))
        );
    }

    #[test]
    fn headers_are_skipped_and_empty_blocks_allowed() {
        let text = "-----BEGIN A-----\nProc-Type: 4,ENCRYPTED\n\naGk=\n-----END A-----";
        assert_eq!(kind_and_bytes(text), Some(("A".to_owned(), b"hi".to_vec())));
        assert_eq!(
            kind_and_bytes("-----BEGIN A-----\n-----END A-----"),
            Some(("A".to_owned(), Vec::new()))
        );
    }

    #[test]
    fn bad_blocks_are_skipped_or_rejected() {
        // Mismatched END type, then a good block.
        let text =
            "-----BEGIN A-----\naGk=\n-----END B-----\n-----BEGIN C-----\naGk=\n-----END C-----";
        assert_eq!(kind_and_bytes(text), Some(("C".to_owned(), b"hi".to_vec())));
        assert_eq!(kind_and_bytes("no pem here"), None);
        assert_eq!(
            kind_and_bytes("-----BEGIN A-----\n!!!!\n-----END A-----"),
            None
        );
        assert_eq!(kind_and_bytes("-----BEGIN A-----\naGk=\n"), None);
        // The BEGIN marker must start a line.
        assert_eq!(
            kind_and_bytes("x-----BEGIN A-----\naGk=\n-----END A-----"),
            None
        );
    }
}
