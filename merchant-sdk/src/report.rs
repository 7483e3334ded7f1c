//! The one-line JSON reports of a verification, for tools and terminals:
//! `{"ok":true,"level":4,…}` or `{"ok":false,"error":"expired",…}`.

use crate::error::VerifyError;
use crate::verify::VerifiedCode;
use serde::Serialize;
use time::OffsetDateTime;

/// The JSON form of an accepted code. `level` is the rank (1–5).
#[derive(Debug, Clone, Serialize)]
pub struct VerifiedCodeReport {
    pub ok: bool,
    /// `phone` or `paper`.
    pub medium: &'static str,
    pub level: u8,
    pub level_name: &'static str,
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub expires_at_unix: i64,
    pub key_id: String,
    pub code_id: String,
}

impl From<&VerifiedCode> for VerifiedCodeReport {
    fn from(code: &VerifiedCode) -> Self {
        VerifiedCodeReport {
            ok: true,
            medium: code.medium.as_str(),
            level: code.level.rank(),
            level_name: code.level.name(),
            issued_at: code.issued_at,
            expires_at: code.expires_at,
            expires_at_unix: code.expires_at.unix_timestamp(),
            key_id: code.key_id.to_base64url(),
            code_id: code.code_id.to_hex(),
        }
    }
}

/// The JSON form of a refusal: `{"ok":false,"error":"expired","message":…}`.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyErrorReport {
    pub ok: bool,
    pub error: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none", with = "time::serde::rfc3339::option")]
    pub expired_at: Option<OffsetDateTime>,
    #[serde(skip_serializing_if = "Option::is_none", with = "time::serde::rfc3339::option")]
    pub valid_from: Option<OffsetDateTime>,
}

impl From<&VerifyError> for VerifyErrorReport {
    fn from(error: &VerifyError) -> Self {
        let (expired_at, valid_from) = match error {
            VerifyError::Expired { expired_at } => (Some(*expired_at), None),
            VerifyError::NotYetValid { valid_from } => (None, Some(*valid_from)),
            _ => (None, None),
        };
        VerifyErrorReport { ok: false, error: error.code(), message: error.to_string(), expired_at, valid_from }
    }
}
