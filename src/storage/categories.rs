//! The scenario catalogue: categories and how many merchants each has.

use super::rows::StoredRow;
use super::{Store, StoreError, unix};
use crate::domain::categories::Category;
use time::OffsetDateTime;

fn category(row: &impl StoredRow) -> Result<Category, StoreError> {
    Ok(Category { code: row.text("code")?, name_zh: row.text("name_zh")?, name_en: row.text("name_en")? })
}

impl Store {
    /// Every category, oldest first (the four of the start, then in the
    /// order coordinators added them), with its number of merchants.
    pub async fn categories(&self) -> Result<Vec<(Category, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.code, c.name_zh, c.name_en, \
             CAST((SELECT COUNT(*) FROM merchants m WHERE m.category = c.code) AS BIGINT) AS merchants \
             FROM categories c ORDER BY c.created_at, c.code",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|row| Ok((category(row)?, row.int("merchants")?))).collect()
    }

    pub async fn category(&self, code: &str) -> Result<Option<Category>, StoreError> {
        let row = sqlx::query("SELECT code, name_zh, name_en FROM categories WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(category).transpose()
    }

    /// Adds a category; its code must be new.
    pub async fn create_category(&self, new: &Category, now: OffsetDateTime) -> Result<(), StoreError> {
        let done = sqlx::query(
            "INSERT INTO categories (code, name_zh, name_en, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(&new.code)
        .bind(&new.name_zh)
        .bind(&new.name_en)
        .bind(unix(now))
        .execute(&self.pool)
        .await?;
        match done.rows_affected() {
            1 => Ok(()),
            _ => Err(StoreError::AlreadyExists(format!("category {}", new.code))),
        }
    }

    /// Renames a category; false if there is none with its code.
    pub async fn rename_category(&self, renamed: &Category) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE categories SET name_zh = $1, name_en = $2 WHERE code = $3")
            .bind(&renamed.name_zh)
            .bind(&renamed.name_en)
            .bind(&renamed.code)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
