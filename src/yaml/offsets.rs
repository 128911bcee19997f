//! Converts saphyr's character indices to byte offsets.

/// A cursor over the text that turns character indices into byte offsets. Parser positions
/// mostly move forward, so each lookup walks only the distance from the previous one.
pub(crate) struct Offsets<'t> {
    text: &'t str,
    ascii: bool,
    char_index: usize,
    byte_index: usize,
}

impl<'t> Offsets<'t> {
    /// A converter for `text` (character index 0 is byte 0).
    pub(crate) fn new(text: &'t str) -> Self {
        Offsets {
            text,
            ascii: text.is_ascii(),
            char_index: 0,
            byte_index: 0,
        }
    }

    /// The text being converted.
    pub(crate) fn text(&self) -> &'t str {
        self.text
    }

    /// The byte offset of character `index`, clamped to the end of the text.
    pub(crate) fn byte(&mut self, index: usize) -> usize {
        if self.ascii {
            return index.min(self.text.len());
        }
        while self.char_index < index {
            let Some(c) = self
                .text
                .get(self.byte_index..)
                .and_then(|s| s.chars().next())
            else {
                break;
            };
            self.byte_index += c.len_utf8();
            self.char_index += 1;
        }
        while self.char_index > index && self.byte_index > 0 {
            self.byte_index -= 1;
            while !self.text.is_char_boundary(self.byte_index) {
                self.byte_index -= 1;
            }
            self.char_index -= 1;
        }
        self.byte_index
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multibyte_forward_and_back() {
        let text = "aü€😀b";
        let mut o = Offsets::new(text);
        assert_eq!(o.byte(0), 0);
        assert_eq!(o.byte(2), 3);
        assert_eq!(o.byte(4), 10);
        assert_eq!(o.byte(1), 1);
        assert_eq!(o.byte(3), 6);
        assert_eq!(o.byte(5), 11);
        assert_eq!(o.byte(99), 11);
    }

    #[test]
    fn ascii_is_identity() {
        let mut o = Offsets::new("abc");
        assert_eq!(o.byte(2), 2);
        assert_eq!(o.byte(7), 3);
    }
}
