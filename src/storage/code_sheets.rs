//! Printed code sheets and the ids of their codes. A sheet's codes are not
//! stored, only their ids: enough to refuse the codes of a revoked sheet at
//! redemption and to show which numbers of a sheet were used.

use super::rows::StoredRow;
use super::{Store, StoreError, unix};
use crate::citizen_handle::CitizenNumber;
use std::collections::HashMap;
use time::OffsetDateTime;

/// A sheet to store, with the id of each code by its printed number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCodeSheet {
    pub sheet_id: String,
    pub citizen: CitizenNumber,
    pub kid: String,
    pub created_at: OffsetDateTime,
    pub valid_until: OffsetDateTime,
    /// The staff principal who printed it at a counter.
    pub created_by: Option<String>,
    pub code_ids: Vec<(u8, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeSheet {
    pub sheet_id: String,
    pub codes: u8,
    pub created_at: OffsetDateTime,
    pub valid_until: OffsetDateTime,
    pub created_by: Option<String>,
    pub revoked_at: Option<OffsetDateTime>,
    pub revoked_by: Option<String>,
    /// The printed numbers of the codes that were redeemed, ascending.
    pub used: Vec<u8>,
}

impl CodeSheet {
    /// Neither revoked nor past its printed expiry.
    pub fn active_at(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && now < self.valid_until
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetOutcome {
    Created,
    /// The citizen holds this many active sheets already.
    TooMany(i64),
}

const SHEET_COLUMNS: &str =
    "SELECT sheet_id, codes, created_at, valid_until, created_by, revoked_at, revoked_by FROM code_sheets";

fn sheet(row: &impl StoredRow) -> Result<CodeSheet, StoreError> {
    Ok(CodeSheet {
        sheet_id: row.text("sheet_id")?,
        codes: super::rows::small(row.int("codes")?, "sheet codes")?,
        created_at: row.time("created_at")?,
        valid_until: row.time("valid_until")?,
        created_by: row.opt_text("created_by")?,
        revoked_at: row.opt_time("revoked_at")?,
        revoked_by: row.opt_text("revoked_by")?,
        used: Vec::new(),
    })
}

impl Store {
    /// Stores `sheet` unless its citizen holds `max_active` active sheets
    /// already. The count and the insert share the writer lock, so two
    /// counters printing at once cannot both pass the count.
    pub async fn create_code_sheet(&self, sheet: &NewCodeSheet, max_active: i64) -> Result<SheetOutcome, StoreError> {
        let mut tx = self.begin_write().await?;
        let active: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM code_sheets WHERE citizen_number = $1 AND revoked_at IS NULL AND valid_until > $2",
        )
        .bind(sheet.citizen.0 as i64)
        .bind(unix(sheet.created_at))
        .fetch_one(&mut *tx)
        .await?;
        if active >= max_active {
            return Ok(SheetOutcome::TooMany(active));
        }
        sqlx::query(
            "INSERT INTO code_sheets (sheet_id, citizen_number, kid, codes, created_at, valid_until, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&sheet.sheet_id)
        .bind(sheet.citizen.0 as i64)
        .bind(&sheet.kid)
        .bind(sheet.code_ids.len() as i64)
        .bind(unix(sheet.created_at))
        .bind(unix(sheet.valid_until))
        .bind(&sheet.created_by)
        .execute(&mut *tx)
        .await?;
        for (number, code_id) in &sheet.code_ids {
            sqlx::query("INSERT INTO paper_codes (code_id, sheet_id, number) VALUES ($1, $2, $3)")
                .bind(code_id)
                .bind(&sheet.sheet_id)
                .bind(i64::from(*number))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(SheetOutcome::Created)
    }

    /// The citizen's sheets, newest first, each with the numbers used.
    pub async fn code_sheets_of(&self, citizen: CitizenNumber) -> Result<Vec<CodeSheet>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SHEET_COLUMNS} WHERE citizen_number = $1 ORDER BY created_at DESC, sheet_id"
        )))
        .bind(citizen.0 as i64)
        .fetch_all(&self.pool)
        .await?;
        let mut sheets = rows.iter().map(sheet).collect::<Result<Vec<_>, _>>()?;
        let used = sqlx::query(
            "SELECT p.sheet_id, p.number FROM paper_codes p \
             JOIN code_sheets s ON s.sheet_id = p.sheet_id \
             JOIN redemptions r ON r.code_id = p.code_id \
             WHERE s.citizen_number = $1 ORDER BY p.number",
        )
        .bind(citizen.0 as i64)
        .fetch_all(&self.pool)
        .await?;
        let mut by_sheet: HashMap<String, Vec<u8>> = HashMap::new();
        for row in &used {
            let number = super::rows::small(row.int("number")?, "paper code number")?;
            by_sheet.entry(row.text("sheet_id")?).or_default().push(number);
        }
        for sheet in &mut sheets {
            sheet.used = by_sheet.remove(&sheet.sheet_id).unwrap_or_default();
        }
        Ok(sheets)
    }

    /// Revokes the citizen's sheet `sheet_id`: from the commit on, no node
    /// redeems its codes. A sheet revoked already keeps its first
    /// revocation. `None` when the citizen has no such sheet.
    pub async fn revoke_code_sheet(
        &self,
        citizen: CitizenNumber,
        sheet_id: &str,
        by: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<Option<CodeSheet>, StoreError> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE code_sheets SET revoked_at = $1, revoked_by = $2 \
             WHERE sheet_id = $3 AND citizen_number = $4 AND revoked_at IS NULL",
        )
        .bind(unix(now))
        .bind(by)
        .bind(sheet_id)
        .bind(citizen.0 as i64)
        .execute(&mut *tx)
        .await?;
        assert!(updated.rows_affected() <= 1, "sheet_id is the primary key");
        tx.commit().await?;
        let sheets = self.code_sheets_of(citizen).await?;
        Ok(sheets.into_iter().find(|s| s.sheet_id == sheet_id))
    }

    /// For each key that signed a sheet, the latest printed expiry of its
    /// sheets: the key stays published until the codes it signed expire.
    pub async fn paper_codes_valid_until(&self) -> Result<HashMap<String, OffsetDateTime>, StoreError> {
        let rows = sqlx::query("SELECT kid, MAX(valid_until) AS valid_until FROM code_sheets GROUP BY kid")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|row| Ok((row.text("kid")?, row.time("valid_until")?))).collect()
    }
}
