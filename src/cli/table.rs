//! The results table Kyverno's CLI prints: `│`/`─` borders, one space of padding, header in
//! upper case, `ID (<n>)` in the first header when there are more than 10 rows, cells of at
//! most [`CELL_LIMIT`] characters (Kyverno's `RowCharLimit`).

/// The most characters a cell shows; longer ones end in `…` (the full text is in the JSON and
/// YAML outputs).
pub const CELL_LIMIT: usize = 300;

/// A cell's text, cut to [`CELL_LIMIT`] characters, on one line.
fn cell_text(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.len() <= CELL_LIMIT && !cell.contains('\n') {
        return std::borrow::Cow::Borrowed(cell);
    }
    let one_line = cell.replace('\n', " ");
    if visible_width(&one_line) <= CELL_LIMIT {
        return std::borrow::Cow::Owned(one_line);
    }
    let mut cut: String = one_line.chars().take(CELL_LIMIT - 1).collect();
    cut.push('…');
    std::borrow::Cow::Owned(cut)
}

/// Renders rows under headers. Every row must have as many cells as there are headers.
pub fn render(headers: &[&str], rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<std::borrow::Cow<'_, str>>> = rows
        .iter()
        .map(|r| r.iter().map(|c| cell_text(c)).collect())
        .collect();
    let mut headers: Vec<String> = headers.iter().map(|h| h.to_uppercase()).collect();
    if rows.len() > 10
        && let Some(first) = headers.first_mut()
    {
        *first = format!("{first} ({})", rows.len());
    }
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(visible_width(cell.as_ref()));
        }
    }
    let rule: String = {
        let parts: Vec<String> = widths.iter().map(|w| "─".repeat(w + 2)).collect();
        format!("│{}│\n", parts.join("│"))
    };
    let line = |cells: &[std::borrow::Cow<'_, str>]| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| {
                format!(
                    " {c}{} ",
                    " ".repeat(w.saturating_sub(visible_width(c.as_ref())))
                )
            })
            .collect();
        format!("│{}│\n", parts.join("│"))
    };
    let mut out = String::new();
    out.push_str(&rule);
    let headers: Vec<std::borrow::Cow<'_, str>> = headers
        .iter()
        .map(|h| std::borrow::Cow::Borrowed(h.as_str()))
        .collect();
    out.push_str(&line(&headers));
    out.push_str(&rule);
    for row in &rows {
        out.push_str(&line(row));
    }
    out.push_str(&rule);
    out
}

/// Width of a cell on screen: characters, not counting ANSI colour sequences.
fn visible_width(s: &str) -> usize {
    let mut width = 0;
    let mut in_escape = false;
    for c in s.chars() {
        match (in_escape, c) {
            (false, '\u{1b}') => in_escape = true,
            (true, 'm') => in_escape = false,
            (true, _) => {}
            (false, _) => width += 1,
        }
    }
    width
}

/// Wraps text in an ANSI colour when `on`.
pub fn paint(text: &str, code: &str, on: bool) -> String {
    if on {
        format!("\u{1b}[{code}m{text}\u{1b}[0m")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_kyverno() {
        let rows = vec![vec!["1".to_string(), "p".to_string(), "Pass".to_string()]];
        let text = render(&["id", "policy", "result"], &rows);
        assert_eq!(
            text,
            "│────│────────│────────│\n│ ID │ POLICY │ RESULT │\n│────│────────│────────│\n│ 1  │ p      │ Pass   │\n│────│────────│────────│\n"
        );
    }

    #[test]
    fn counts_rows_past_ten() {
        let rows: Vec<Vec<String>> = (1..=11).map(|i| vec![i.to_string()]).collect();
        assert!(render(&["id"], &rows).contains("│ ID (11) │"));
    }

    #[test]
    fn long_cells_are_cut() {
        let rows = vec![vec!["x".repeat(100_000)], vec!["two\nlines".to_string()]];
        let text = render(&["message"], &rows);
        let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        assert_eq!(
            widest,
            CELL_LIMIT + 4,
            "borders and padding around 300 characters"
        );
        assert!(text.contains(&format!("{}… │", "x".repeat(CELL_LIMIT - 1))));
        assert!(text.contains("│ two lines "));
    }

    #[test]
    fn colour_codes_do_not_count_as_width() {
        assert_eq!(visible_width(&paint("Pass", "32", true)), 4);
    }
}
