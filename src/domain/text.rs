//! Free text people type: a reason, a name, a label.

/// Characters that take no room on a screen: zero-width spaces and joiners,
/// direction marks, word joiners, the soft hyphen and the byte-order mark.
fn invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c, '\u{00AD}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}')
}

/// The text trimmed, if it shows at least one character and has at most
/// `max` characters.
pub fn visible_text(text: &str, max: usize) -> Option<&str> {
    let text = text.trim();
    (text.chars().any(|c| !invisible(c)) && text.chars().count() <= max).then_some(text)
}

/// A machine name: a lowercase ASCII letter, then lowercase letters, digits
/// or `joiner`, `min` to `max` bytes in all (`civil-affairs`, `gov_service`).
pub fn is_slug(text: &str, (min, max): (usize, usize), joiner: char) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && (min..=max).contains(&text.len())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == joiner)
}

/// A text cell a spreadsheet will not run: one that begins with `=`, `+`,
/// `-`, `@`, a tab or a carriage return gets a leading `'` (OWASP's rule
/// against CSV injection). Merchant names and labels are typed by people.
pub fn spreadsheet_safe(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_of_only_invisible_characters_is_not_text() {
        assert_eq!(visible_text("\u{200B}\u{200B}\u{FEFF} \u{3000}", 10), None);
        assert_eq!(visible_text("", 10), None);
        assert_eq!(visible_text(" 收费有误 ", 10), Some("收费有误"));
        assert_eq!(visible_text(&"长".repeat(11), 10), None);
    }

    #[test]
    fn a_cell_a_spreadsheet_would_run_gets_a_leading_quote() {
        for cell in ["=HYPERLINK(\"http://x\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\tx", "\rx"] {
            assert_eq!(spreadsheet_safe(cell), format!("'{cell}"));
        }
        assert_eq!(spreadsheet_safe("万达广场"), "万达广场");
        assert_eq!(spreadsheet_safe("a=b"), "a=b");
    }
}
