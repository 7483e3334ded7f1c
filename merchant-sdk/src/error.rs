//! Why a scanned code was not accepted, in words staff can act on.

use time::OffsetDateTime;

/// A refusal of a scanned code. [`VerifyError::code`] is a stable machine
/// name; the `Display` text is for people, in Chinese with English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error(
        "无法识别的信用码,请让顾客刷新后重扫 / Not a valid credit code ({0}); ask the customer to refresh and scan again"
    )]
    Malformed(&'static str),
    #[error("信用码版本 {0} 不受支持,请更新收银端 / Credit code version {0} is not supported; update this terminal")]
    UnsupportedVersion(u8),
    #[error(
        "信用码的签名密钥未知,请刷新密钥后重试 / The code was signed by a key this terminal does not know; refresh the keys and retry"
    )]
    UnknownKey,
    #[error(
        "信用码签名密钥在签发时无效 / The code's key was not allowed to sign at the time the code says it was issued"
    )]
    KeyNotValidAtIssue,
    #[error("信用码签名无效,可能被篡改 / The code's signature is invalid; it may have been altered")]
    BadSignature,
    #[error("信用码已过期,请让顾客刷新 / The code has expired; ask the customer to refresh it")]
    Expired { expired_at: OffsetDateTime },
    #[error("信用码尚未生效,请检查收银端时钟 / The code is not valid yet; check this terminal's clock")]
    NotYetValid { valid_from: OffsetDateTime },
    #[error("此信用码已在本机使用过 / This code was already accepted at this terminal")]
    Replay,
}

impl VerifyError {
    /// The stable machine name of the refusal.
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::Malformed(_) => "malformed",
            VerifyError::UnsupportedVersion(_) => "unsupported_version",
            VerifyError::UnknownKey => "unknown_key",
            VerifyError::KeyNotValidAtIssue => "key_not_valid_at_issue",
            VerifyError::BadSignature => "bad_signature",
            VerifyError::Expired { .. } => "expired",
            VerifyError::NotYetValid { .. } => "not_yet_valid",
            VerifyError::Replay => "replay",
        }
    }
}
