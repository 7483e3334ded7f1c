//! # xinyi merchant SDK
//!
//! What a checkout terminal needs to accept 信易+ credit codes:
//!
//! - [`TrustedKeys`]: the service's published keys (`GET /v1/keys`), parsed once;
//! - [`Verifier`]: checks a scanned code offline and returns the citizen's
//!   level, never who they are;
//! - [`ReplayGuard`]: refuses a second scan of the same code at this terminal;
//! - the credit-code format itself ([`credit_code`]), which the service uses
//!   to sign codes, so that there is exactly one implementation of it.
//!
//! ```
//! use xinyi_merchant_sdk::{TrustedKeys, Verifier, ReplayGuard};
//! # fn scan(keys_json: &str, scanned: &str) -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = Verifier::new(TrustedKeys::from_json(keys_json)?);
//! let mut guard = ReplayGuard::default();
//! match verifier.verify_once(scanned, time::OffsetDateTime::now_utc(), &mut guard) {
//!     Ok(code) => println!("level {}", code.level),
//!     Err(refusal) => println!("{refusal}"),
//! }
//! # Ok(()) }
//! ```

pub mod api;
pub mod cosignature;
pub mod credit_code;
mod error;
mod key_id;
mod key_set;
pub mod ledger_entry;
mod level;
pub mod merkle;
mod replay;
mod report;
pub mod signed_note;
pub mod statement;
pub mod tlog_proof;
mod verify;

pub use credit_code::{CitizenHandle, CodeClaims, CodeId, CodeLifetime, CodeMedium, CodeSigner, IssueError};
pub use error::VerifyError;
pub use key_id::{KeyId, SHORT_KEY_ID_LEN};
pub use key_set::{JsonWebKeySet, KeySetError, PublishedKey, TrustedKeys};
pub use level::{CreditLevel, LevelView};
pub use replay::ReplayGuard;
pub use report::{VerifiedCodeReport, VerifyErrorReport};
pub use statement::{STATEMENT_TYPE, StatementClaims, StatementError, verify_statement};
pub use verify::{DEFAULT_CLOCK_SKEW, VerifiedCode, Verifier};

#[cfg(feature = "client")]
pub mod client;
