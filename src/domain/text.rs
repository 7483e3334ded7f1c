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
}
