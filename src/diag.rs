//! Diagnostics: errors and warnings that point at a place in a source file, rendered with
//! codespan-reporting (`file:line:col`, the offending text underlined, notes and suggestions).

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, Config, termcolor};

use crate::yaml::Span;

/// Index of a file in a [`SourceMap`].
pub type FileId = usize;

/// Every file read so far, kept so that diagnostics can show their text.
#[derive(Default)]
pub struct SourceMap {
    files: SimpleFiles<String, String>,
    count: usize,
}

impl std::fmt::Debug for SourceMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceMap")
            .field("files", &self.count)
            .finish()
    }
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.count += 1;
        self.files.add(name.into(), text.into())
    }

    /// The display name of a file.
    pub fn name(&self, id: FileId) -> &str {
        self.files
            .get(id)
            .map(|f| f.name().as_str())
            .unwrap_or("<unknown>")
    }

    /// The text of a file.
    pub fn text(&self, id: FileId) -> &str {
        self.files
            .get(id)
            .map(|f| f.source().as_str())
            .unwrap_or("")
    }

    /// The 1-based line and column of a byte offset.
    pub fn line_col(&self, id: FileId, offset: usize) -> (usize, usize) {
        let text = self.text(id);
        let offset = offset.min(text.len());
        let before = text.get(..offset).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let col = before
            .rsplit('\n')
            .next()
            .map(|l| l.chars().count())
            .unwrap_or(0)
            + 1;
        (line, col)
    }

    /// How many files have been added.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether no file has been added.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The input cannot be used.
    Error,
    /// The input is used, but probably not as the author meant.
    Warning,
}

/// One problem in one file, with the place it is about.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file the span points into.
    pub file: FileId,
    /// The offending text.
    pub span: Span,
    /// The headline: what is wrong.
    pub message: String,
    /// A short text shown under the underline.
    pub label: String,
    /// Further lines: what was expected, a suggestion.
    pub notes: Vec<String>,
    /// Other places that explain the problem (in the same file), with their labels.
    pub related: Vec<(Span, String)>,
}

impl Diagnostic {
    /// An error at `span` in `file`.
    pub fn error(file: FileId, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file,
            span,
            message: message.into(),
            label: String::new(),
            notes: Vec::new(),
            related: Vec::new(),
        }
    }

    /// A warning at `span` in `file`.
    pub fn warning(file: FileId, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, span, message)
        }
    }

    /// Sets the text under the underline.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Adds another place, with its label.
    pub fn with_related(mut self, span: Span, label: impl Into<String>) -> Self {
        self.related.push((span, label.into()));
        self
    }

    /// Adds a note line.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Whether this is an error (as opposed to a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    fn to_codespan(&self) -> CsDiagnostic<FileId> {
        let severity = match self.severity {
            Severity::Error => CsSeverity::Error,
            Severity::Warning => CsSeverity::Warning,
        };
        CsDiagnostic::new(severity)
            .with_message(&self.message)
            .with_labels(
                std::iter::once(
                    Label::primary(self.file, self.span.range()).with_message(&self.label),
                )
                .chain(self.related.iter().map(|(span, label)| {
                    Label::secondary(self.file, span.range()).with_message(label)
                }))
                .collect(),
            )
            .with_notes(self.notes.clone())
    }

    /// Renders this diagnostic as text, with ANSI colours when `color` is set. On a line longer
    /// than [`LONG_LINE`] characters (minified JSON, a generated manifest) only a window around
    /// the offending text is shown.
    pub fn render(&self, sources: &SourceMap, color: bool) -> String {
        if let Some(window) = Window::around(sources.text(self.file), self.span) {
            return self.render_windowed(sources, &window);
        }
        let config = Config::default();
        let diagnostic = self.to_codespan();
        if color {
            let mut buffer = termcolor::Buffer::ansi();
            if term::emit_to_write_style(&mut buffer, &config, &sources.files, &diagnostic).is_ok()
            {
                return String::from_utf8_lossy(buffer.as_slice()).into_owned();
            }
        }
        term::emit_into_string(&config, &sources.files, &diagnostic).unwrap_or_else(|_| {
            let (line, col) = sources.line_col(self.file, self.span.start);
            format!(
                "error: {}\n  at {}:{line}:{col}\n",
                self.message,
                sources.name(self.file)
            )
        })
    }
}

/// Lines longer than this many characters are shown as a window around the offending text.
pub const LONG_LINE: usize = 240;
/// Characters shown on each side of the offending text on a long line.
const CONTEXT: usize = 60;
/// The most characters of the offending text itself shown on a long line.
const SHOWN: usize = 80;

/// The part of a long line a diagnostic shows.
struct Window {
    /// 1-based line and column of the span's start.
    line: usize,
    column: usize,
    /// The shown text, with `…` where the line goes on.
    text: String,
    /// Where the underline starts in `text`, and how long it is (in characters).
    mark_at: usize,
    mark_len: usize,
}

impl Window {
    /// The window around `span`, when its line is too long to print whole.
    fn around(source: &str, span: Span) -> Option<Window> {
        let start = span.start.min(source.len());
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[start..]
            .find('\n')
            .map_or(source.len(), |i| start + i);
        let line_text = &source[line_start..line_end];
        if line_text.chars().count() <= LONG_LINE {
            return None;
        }
        let before: Vec<char> = source[line_start..start].chars().collect();
        let end = span.end.clamp(start, line_end);
        let marked: Vec<char> = source[start..end].chars().collect();
        let after: Vec<char> = source[end..line_end].chars().collect();
        let lead = before.len().saturating_sub(CONTEXT);
        let shown_mark = marked.len().min(SHOWN);
        let trail = if marked.len() > SHOWN {
            0
        } else {
            after.len().min(CONTEXT)
        };
        let mut text = String::new();
        if lead > 0 {
            text.push('…');
        }
        text.extend(&before[lead..]);
        let mark_at = text.chars().count();
        text.extend(&marked[..shown_mark]);
        if marked.len() > SHOWN {
            text.push('…');
        } else {
            text.extend(&after[..trail]);
            if trail < after.len() {
                text.push('…');
            }
        }
        Some(Window {
            line: source[..line_start].matches('\n').count() + 1,
            column: before.len() + 1,
            text,
            mark_at,
            mark_len: shown_mark.max(1),
        })
    }
}

impl Diagnostic {
    /// codespan's layout, by hand, for a window of a long line.
    fn render_windowed(&self, sources: &SourceMap, window: &Window) -> String {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let number = window.line.to_string();
        let pad = " ".repeat(number.len());
        let mut out = format!(
            "{severity}: {}\n{pad} ┌─ {}:{}:{}\n{pad} │\n{number} │ {}\n{pad} │ {}{} {}\n",
            self.message,
            sources.name(self.file),
            window.line,
            window.column,
            window.text,
            " ".repeat(window.mark_at),
            "^".repeat(window.mark_len),
            self.label
        );
        let text = sources.text(self.file);
        let related = self.related.iter().map(|(span, label)| {
            let (line, col) = sources.line_col(self.file, span.start.min(text.len()));
            format!("also at {line}:{col}: {label}")
        });
        let notes: Vec<String> = related.chain(self.notes.iter().cloned()).collect();
        if !notes.is_empty() {
            out.push_str(&format!("{pad} │\n"));
        }
        for note in notes {
            out.push_str(&format!("{pad} = {note}\n"));
        }
        out.push('\n');
        out
    }
}

/// Renders several diagnostics, one after another.
pub fn render_all(diagnostics: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    diagnostics
        .iter()
        .map(|d| d.render(sources, color))
        .collect()
}

/// The closest spelling of `word` among `candidates`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let distance = edit_distance(&lower, &candidate.to_ascii_lowercase());
        let limit = (candidate.chars().count().max(word.chars().count()) / 3).max(1);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = substitution.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_spellings_only() {
        let fields = ["validationFailureAction", "background", "rules"];
        assert_eq!(did_you_mean("rulez", fields), Some("rules"));
        assert_eq!(
            did_you_mean("validationfailureaction", fields),
            Some("validationFailureAction")
        );
        assert_eq!(did_you_mean("backgroud", fields), Some("background"));
        assert_eq!(did_you_mean("something", fields), None);
    }

    #[test]
    fn line_and_column_are_one_based() {
        let mut sources = SourceMap::new();
        let id = sources.add("a.yaml", "ab\ncdé\nf");
        assert_eq!(sources.line_col(id, 0), (1, 1));
        assert_eq!(sources.line_col(id, 4), (2, 2));
        assert_eq!(sources.line_col(id, 8), (3, 1));
    }

    #[test]
    fn long_lines_show_a_window_around_the_column() {
        let mut sources = SourceMap::new();
        let line = format!(
            "{{\"a\": \"{}\", \"bad\": 1, \"z\": \"{}\"}}",
            "x".repeat(5000),
            "y".repeat(5000)
        );
        let at = line.find("\"bad\"").unwrap_or(0);
        let id = sources.add("big.json", format!("{line}\n"));
        let text = Diagnostic::error(id, Span::new(at, at + 5), "unknown field `bad`")
            .with_label("not a field")
            .render(&sources, false);
        assert!(text.contains(&format!("big.json:1:{}", at + 1)), "{text}");
        assert!(text.len() < 600, "{} bytes:\n{text}", text.len());
        assert!(text.contains("…xxxx"), "{text}");
        assert!(text.contains("\"bad\": 1"), "{text}");
        let caret_line = text.lines().find(|l| l.contains('^')).unwrap_or("");
        let code_line = text.lines().find(|l| l.contains("\"bad\"")).unwrap_or("");
        assert_eq!(
            caret_line
                .find('^')
                .map(|i| caret_line[..i].chars().count()),
            code_line
                .find("\"bad\"")
                .map(|i| code_line[..i].chars().count()),
            "{text}"
        );
    }

    #[test]
    fn renders_file_line_and_label() {
        let mut sources = SourceMap::new();
        let id = sources.add("p.yaml", "spec:\n  rulez: []\n");
        let text = Diagnostic::error(id, Span::new(8, 13), "unknown field `rulez`")
            .with_label("not a field of spec")
            .with_note("did you mean `rules`?")
            .render(&sources, false);
        assert!(text.contains("p.yaml:2:3"), "{text}");
        assert!(text.contains("unknown field `rulez`"), "{text}");
        assert!(text.contains("did you mean `rules`?"), "{text}");
    }
}
