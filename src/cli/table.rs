//! The results table Kyverno's CLI prints: `│`/`─` borders, one space of padding, header in
//! upper case, `ID (<n>)` in the first header when there are more than 10 rows.

/// Renders rows under headers. Every row must have as many cells as there are headers.
pub fn render(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut headers: Vec<String> = headers.iter().map(|h| h.to_uppercase()).collect();
    if rows.len() > 10
        && let Some(first) = headers.first_mut()
    {
        *first = format!("{first} ({})", rows.len());
    }
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(visible_width(cell));
        }
    }
    let rule: String = {
        let parts: Vec<String> = widths.iter().map(|w| "─".repeat(w + 2)).collect();
        format!("│{}│\n", parts.join("│"))
    };
    let line = |cells: &[String]| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!(" {c}{} ", " ".repeat(w.saturating_sub(visible_width(c)))))
            .collect();
        format!("│{}│\n", parts.join("│"))
    };
    let mut out = String::new();
    out.push_str(&rule);
    out.push_str(&line(&headers));
    out.push_str(&rule);
    for row in rows {
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
    fn colour_codes_do_not_count_as_width() {
        assert_eq!(visible_width(&paint("Pass", "32", true)), 4);
    }
}
