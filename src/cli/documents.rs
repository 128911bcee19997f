//! The documents of a YAML file, read one at a time: a file is split at its document markers
//! (`---` and `...` at the start of a line, which YAML does not allow inside a document's
//! content) without parsing it, so that documents can be parsed and evaluated on several
//! cores while the file is still being read, and never held all at once.

use std::io::BufRead;

/// One document's text, as written (its `---` line included), and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawDocument {
    /// The 1-based line of the file its text starts on.
    pub first_line: usize,
    /// The text.
    pub text: String,
}

/// A file that cannot be split here: a read error (invalid UTF-8 included), a directive
/// (`%YAML`, `%TAG`) or a byte order mark. The caller reads it whole instead, which handles or
/// reports them.
#[derive(Debug)]
pub struct NeedsWholeFile;

/// Splits a reader into documents.
pub struct Splitter<R> {
    reader: R,
    line: usize,
    carry: Option<String>,
    done: bool,
}

impl<R: BufRead> Splitter<R> {
    /// A splitter at the start of a file.
    pub fn new(reader: R) -> Self {
        Splitter {
            reader,
            line: 0,
            carry: None,
            done: false,
        }
    }

    /// The next document, `None` at the end.
    pub fn next_document(&mut self) -> Option<Result<RawDocument, NeedsWholeFile>> {
        if self.done {
            return None;
        }
        let first_line = self.line + 1;
        let mut text = self.carry.take().unwrap_or_default();
        let starts_with_carry = !text.is_empty();
        let mut line = String::new();
        loop {
            line.clear();
            match self.reader.read_line(&mut line) {
                Err(_) => {
                    self.done = true;
                    return Some(Err(NeedsWholeFile));
                }
                Ok(0) => {
                    self.done = true;
                    return (!text.is_empty()).then_some(Ok(RawDocument {
                        first_line: first_line - usize::from(starts_with_carry),
                        text,
                    }));
                }
                Ok(_) => {}
            }
            self.line += 1;
            if self.line == 1 && line.starts_with('\u{feff}') || line.starts_with('%') {
                self.done = true;
                return Some(Err(NeedsWholeFile));
            }
            match marker(&line) {
                Some(Marker::Start) if !text.is_empty() => {
                    // The marker starts the next document.
                    self.carry = Some(line.clone());
                    return Some(Ok(RawDocument {
                        first_line: first_line - usize::from(starts_with_carry),
                        text,
                    }));
                }
                Some(Marker::End) => {
                    text.push_str(&line);
                    return Some(Ok(RawDocument {
                        first_line: first_line - usize::from(starts_with_carry),
                        text,
                    }));
                }
                _ => text.push_str(&line),
            }
        }
    }
}

enum Marker {
    Start,
    End,
}

/// `---` or `...` at the start of a line, followed by whitespace or the end of the line.
fn marker(line: &str) -> Option<Marker> {
    let kind = if line.starts_with("---") {
        Marker::Start
    } else if line.starts_with("...") {
        Marker::End
    } else {
        return None;
    };
    match line.as_bytes().get(3) {
        None | Some(b' ' | b'\t' | b'\n' | b'\r') => Some(kind),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<(usize, String)> {
        let mut s = Splitter::new(text.as_bytes());
        let mut out = Vec::new();
        while let Some(Ok(d)) = s.next_document() {
            out.push((d.first_line, d.text));
        }
        out
    }

    #[test]
    fn splits_at_markers_and_keeps_lines() {
        let docs = split("a: 1\n---\nb: 2\n--- # c\nc: |\n  ---x\n  text\n...\nd: 4\n");
        assert_eq!(
            docs,
            vec![
                (1, "a: 1\n".to_string()),
                (2, "---\nb: 2\n".to_string()),
                (4, "--- # c\nc: |\n  ---x\n  text\n...\n".to_string()),
                (9, "d: 4\n".to_string()),
            ]
        );
        // Every document parses alone to what the file gives as a whole.
        let whole = "a: 1\n---\nb: 2\n--- # c\nc: |\n  ---x\n  text\n...\nd: 4\n";
        let pieces: Vec<serde_json::Value> = split(whole)
            .iter()
            .flat_map(|(_, t)| rampart::yaml::parse_values(t).unwrap_or_default())
            .collect();
        assert_eq!(
            Ok(pieces),
            rampart::yaml::parse_values(whole).map_err(|e| e.to_string())
        );
    }

    #[test]
    fn a_leading_marker_and_markers_in_content() {
        assert_eq!(split("---\na: 1\n"), vec![(1, "---\na: 1\n".to_string())]);
        assert_eq!(
            split("a: ---\nb: '---'\n"),
            vec![(1, "a: ---\nb: '---'\n".to_string())]
        );
        assert_eq!(split("----\n"), vec![(1, "----\n".to_string())]);
    }

    #[test]
    fn directives_and_invalid_text_are_left_to_the_whole_file_reader() {
        let mut s = Splitter::new("%YAML 1.2\n---\na: 1\n".as_bytes());
        assert!(matches!(s.next_document(), Some(Err(NeedsWholeFile))));
        let bytes: &[u8] = b"a: \xff\n";
        let mut s = Splitter::new(bytes);
        assert!(matches!(s.next_document(), Some(Err(NeedsWholeFile))));
    }
}
