//! The scenario catalogue: merchant categories as data (信易批 approvals,
//! 信易购 shopping, 信易租 rentals, …), each with a Chinese and an English name.

use super::score_event::FieldError;
use super::text::visible_text;

/// A category's code, `^[a-z][a-z0-9_]{1,31}$`, e.g. `gov_service`.
pub fn is_code(text: &str) -> bool {
    super::text::is_slug(text, (2, 32), '_')
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

/// The longest name, in characters.
const MAX_NAME: usize = 60;

fn name(field: &'static str, text: &str) -> Result<String, FieldError> {
    visible_text(text, MAX_NAME).map(str::to_owned).ok_or_else(|| FieldError {
        field,
        message: format!("须为 1 到 {MAX_NAME} 个字符 / must be 1 to {MAX_NAME} characters"),
    })
}

impl Category {
    pub fn parse(code: &str, name_zh: &str, name_en: &str) -> Result<Category, FieldError> {
        if !is_code(code) {
            return Err(FieldError {
                field: "code",
                message: "须为小写字母开头的 2 到 32 个小写字母、数字或 _ / must match ^[a-z][a-z0-9_]{1,31}$".into(),
            });
        }
        Ok(Category { code: code.to_owned(), name_zh: name("name_zh", name_zh)?, name_en: name("name_en", name_en)? })
    }

    /// The category with either name changed; the code never changes, since
    /// merchants, the ledger and its rollups hold it.
    pub fn renamed(&self, name_zh: Option<&str>, name_en: Option<&str>) -> Result<Category, FieldError> {
        Ok(Category {
            code: self.code.clone(),
            name_zh: name_zh.map(|n| name("name_zh", n)).transpose()?.unwrap_or_else(|| self.name_zh.clone()),
            name_en: name_en.map(|n| name("name_en", n)).transpose()?.unwrap_or_else(|| self.name_en.clone()),
        })
    }

    /// 中文 first: "律师事务所 Law firms".
    pub fn label(&self) -> String {
        format!("{} {}", self.name_zh, self.name_en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_a_lowercase_word_of_two_to_32_characters() {
        for good in ["gov_service", "mall", "h2", "a_b_c"] {
            assert!(is_code(good), "{good}");
        }
        for bad in ["m", "Mall", "1mall", "_mall", "gov-service", "信易批", &"a".repeat(33)] {
            assert!(!is_code(bad), "{bad}");
        }
    }

    #[test]
    fn names_must_show_a_character_and_a_rename_keeps_the_code() {
        assert_eq!(Category::parse("gov_service", "\u{200B}", "x").unwrap_err().field, "name_zh");
        assert_eq!(Category::parse("gov_service", "信易批", "").unwrap_err().field, "name_en");
        let c = Category::parse("gov_service", " 信易批 ", "Approvals").unwrap();
        assert_eq!(c.label(), "信易批 Approvals");
        let renamed = c.renamed(None, Some("Government approvals")).unwrap();
        assert_eq!((renamed.code.as_str(), renamed.name_zh.as_str()), ("gov_service", "信易批"));
        assert_eq!(renamed.name_en, "Government approvals");
        assert!(c.renamed(Some(" "), None).is_err());
    }
}
