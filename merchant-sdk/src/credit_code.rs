//! The credit-code format, versions 1 (phone) and 2 (paper): the one place
//! its layout is written in code. `docs/credit-code.md` is the same layout
//! in prose, with test vectors.
//!
//! ```text
//! offset len field
//!      0   1 version        (0x01 phone code, 0x02 paper code)
//!      1   8 short key id   (first 8 bytes of the key's RFC 7638 thumbprint)
//!      9   1 level rank     (1..=5)
//!     10   4 issued_at      (Unix seconds, big-endian u32)
//!     14   2 lifetime       (big-endian u16: phone, seconds 1..=300;
//!                            paper, minutes 1..=40320, i.e. 28 days)
//!     16  16 citizen handle (opaque to everyone but the service)
//!     32  64 Ed25519 signature over SIGNING_CONTEXT || bytes 0..32
//! ```
//!
//! The 96 bytes are written as `XY:` followed by their Base45 (RFC 9285).

use crate::error::VerifyError;
use crate::key_id::{KeyId, SHORT_KEY_ID_LEN};
use crate::level::CreditLevel;
use ed25519_dalek::{Signature, Signer, SigningKey};
use sha2::{Digest, Sha256};
use std::fmt;
use time::OffsetDateTime;

/// The phone code's version byte; [`CodeMedium::version`] gives each medium's.
pub const FORMAT_VERSION: u8 = 1;
pub const PAPER_FORMAT_VERSION: u8 = 2;
/// Marks the text as a xinyi code; every character is in the QR alphanumeric set.
pub const TEXT_PREFIX: &str = "XY:";
/// Domain separation: these bytes precede the payload in the signed message,
/// so a signature made for anything else never verifies as a credit code.
pub const SIGNING_CONTEXT: &[u8] = b"XINYI-CREDIT-CODE\0";
pub const HANDLE_LEN: usize = 16;
pub const PAYLOAD_LEN: usize = 1 + SHORT_KEY_ID_LEN + 1 + 4 + 2 + HANDLE_LEN;
pub const SIGNATURE_LEN: usize = 64;
pub const CODE_LEN: usize = PAYLOAD_LEN + SIGNATURE_LEN;

const KEY_ID_AT: usize = 1;
const LEVEL_AT: usize = KEY_ID_AT + SHORT_KEY_ID_LEN;
const ISSUED_AT_AT: usize = LEVEL_AT + 1;
const LIFETIME_AT: usize = ISSUED_AT_AT + 4;
const HANDLE_AT: usize = LIFETIME_AT + 2;
const SIGNED_MESSAGE_LEN: usize = SIGNING_CONTEXT.len() + PAYLOAD_LEN;

/// What a code is shown on. The version byte says it, so a terminal knows
/// before any key is looked up; both have the same 96-byte layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodeMedium {
    /// A phone's screen: a fresh code every minute or so.
    Phone,
    /// A printed sheet (纸质信用码) for a resident without a phone: each
    /// code is single-use and lives up to 28 days.
    Paper,
}

impl CodeMedium {
    pub const fn version(self) -> u8 {
        match self {
            CodeMedium::Phone => FORMAT_VERSION,
            CodeMedium::Paper => PAPER_FORMAT_VERSION,
        }
    }

    pub const fn from_version(version: u8) -> Option<CodeMedium> {
        match version {
            FORMAT_VERSION => Some(CodeMedium::Phone),
            PAPER_FORMAT_VERSION => Some(CodeMedium::Paper),
            _ => None,
        }
    }

    /// `phone` or `paper`, as reports and answers say it.
    pub const fn as_str(self) -> &'static str {
        match self {
            CodeMedium::Phone => "phone",
            CodeMedium::Paper => "paper",
        }
    }

    /// Seconds one unit of the lifetime field counts on this medium.
    const fn unit_secs(self) -> u32 {
        match self {
            CodeMedium::Phone => 1,
            CodeMedium::Paper => 60,
        }
    }

    /// The largest lifetime field this medium allows.
    const fn max_units(self) -> u16 {
        match self {
            CodeMedium::Phone => 300,
            CodeMedium::Paper => 28 * 24 * 60,
        }
    }
}

/// How long a code is valid after it is issued: a phone code 1 to 300
/// seconds, a paper code 1 minute to 28 days, in whole minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CodeLifetime {
    medium_is_paper: bool,
    units: u16,
}

impl CodeLifetime {
    pub const DEFAULT: CodeLifetime = CodeLifetime { medium_is_paper: false, units: 90 };
    /// The longest a phone code lives.
    pub const MAX: CodeLifetime = CodeLifetime { medium_is_paper: false, units: CodeMedium::Phone.max_units() };
    /// The longest a paper code lives: 28 days.
    pub const PAPER_MAX: CodeLifetime = CodeLifetime { medium_is_paper: true, units: CodeMedium::Paper.max_units() };

    /// A phone code's lifetime, 1 to 300 seconds.
    pub const fn from_secs(secs: u64) -> Option<CodeLifetime> {
        CodeLifetime::from_units(CodeMedium::Phone, secs)
    }

    /// A paper code's lifetime, 1 to 40,320 minutes (28 days).
    pub const fn paper_from_minutes(minutes: u64) -> Option<CodeLifetime> {
        CodeLifetime::from_units(CodeMedium::Paper, minutes)
    }

    const fn from_units(medium: CodeMedium, units: u64) -> Option<CodeLifetime> {
        if units >= 1 && units <= medium.max_units() as u64 {
            Some(CodeLifetime { medium_is_paper: matches!(medium, CodeMedium::Paper), units: units as u16 })
        } else {
            None
        }
    }

    pub const fn medium(self) -> CodeMedium {
        if self.medium_is_paper { CodeMedium::Paper } else { CodeMedium::Phone }
    }

    /// The whole lifetime in seconds.
    pub const fn secs(self) -> u32 {
        self.units as u32 * self.medium().unit_secs()
    }

    /// The lifetime field as written in the code.
    const fn units(self) -> u16 {
        self.units
    }
}

impl Default for CodeLifetime {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The service's sealed reference to a citizen. Only the service holds the
/// key that opens it, and it is fresh for every code, so it tells a
/// merchant nothing and links nothing.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct CitizenHandle(pub [u8; HANDLE_LEN]);

impl fmt::Debug for CitizenHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CitizenHandle(..)")
    }
}

/// What the service puts in a code. The lifetime says the medium.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeClaims {
    pub level: CreditLevel,
    pub issued_at: OffsetDateTime,
    pub lifetime: CodeLifetime,
    pub handle: CitizenHandle,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IssueError {
    #[error("issued_at {0} is outside 1970–2106, which a v1 code cannot carry")]
    IssuedAtOutOfRange(OffsetDateTime),
}

/// Signs credit codes with one key. Held by the service.
pub struct CodeSigner {
    key: SigningKey,
    key_id: KeyId,
}

impl CodeSigner {
    pub fn new(key: SigningKey) -> CodeSigner {
        let key_id = KeyId::of(&key.verifying_key());
        CodeSigner { key, key_id }
    }

    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// The code text for `claims`. Seconds below one are dropped from `issued_at`.
    pub fn sign(&self, claims: &CodeClaims) -> Result<String, IssueError> {
        Ok(self.sign_with_id(claims)?.0)
    }

    /// The code and its id, for an issuer that records the ids of the codes
    /// it hands out (printed sheets, a family proxy's codes): the id comes
    /// from the payload in hand, with no decoding of the text just made.
    pub fn sign_with_id(&self, claims: &CodeClaims) -> Result<(String, CodeId), IssueError> {
        let issued_at = u32::try_from(claims.issued_at.unix_timestamp())
            .map_err(|_| IssueError::IssuedAtOutOfRange(claims.issued_at))?;
        let mut code = [0u8; CODE_LEN];
        code[0] = claims.lifetime.medium().version();
        code[KEY_ID_AT..LEVEL_AT].copy_from_slice(&self.key_id.short());
        code[LEVEL_AT] = claims.level.rank();
        code[ISSUED_AT_AT..LIFETIME_AT].copy_from_slice(&issued_at.to_be_bytes());
        code[LIFETIME_AT..HANDLE_AT].copy_from_slice(&claims.lifetime.units().to_be_bytes());
        code[HANDLE_AT..PAYLOAD_LEN].copy_from_slice(&claims.handle.0);
        let payload: &[u8; PAYLOAD_LEN] = code[..PAYLOAD_LEN].try_into().expect("fixed layout");
        let signature = self.key.sign(&signed_message(payload));
        let id = CodeId::of_payload(payload);
        code[PAYLOAD_LEN..].copy_from_slice(&signature.to_bytes());
        Ok((format!("{TEXT_PREFIX}{}", base45::encode(code)), id))
    }
}

fn signed_message(payload: &[u8; PAYLOAD_LEN]) -> [u8; SIGNED_MESSAGE_LEN] {
    let mut message = [0u8; SIGNED_MESSAGE_LEN];
    message[..SIGNING_CONTEXT.len()].copy_from_slice(SIGNING_CONTEXT);
    message[SIGNING_CONTEXT.len()..].copy_from_slice(payload);
    message
}

/// A code's fields as read from its text, not yet checked against any key.
#[derive(Debug, Clone)]
pub(crate) struct DecodedCode {
    payload: [u8; PAYLOAD_LEN],
    signature: Signature,
}

impl DecodedCode {
    /// Reads the layout. Surrounding white space (a scanner's CR/LF) is
    /// ignored; a v1 code can neither start nor end with a space.
    pub(crate) fn parse(text: &str) -> Result<DecodedCode, VerifyError> {
        let body =
            text.trim().strip_prefix(TEXT_PREFIX).ok_or(VerifyError::Malformed("the text does not start with XY:"))?;
        let bytes = base45::decode(body).map_err(|_| VerifyError::Malformed("not Base45"))?;
        let medium = match bytes.first() {
            None => return Err(VerifyError::Malformed("empty")),
            Some(&version) => CodeMedium::from_version(version).ok_or(VerifyError::UnsupportedVersion(version))?,
        };
        let bytes: [u8; CODE_LEN] = bytes.try_into().map_err(|_| VerifyError::Malformed("wrong length"))?;
        if CreditLevel::from_rank(bytes[LEVEL_AT]).is_none() {
            return Err(VerifyError::Malformed("level rank outside 1–5"));
        }
        let lifetime = u16::from_be_bytes([bytes[LIFETIME_AT], bytes[LIFETIME_AT + 1]]);
        if CodeLifetime::from_units(medium, lifetime.into()).is_none() {
            return Err(VerifyError::Malformed(match medium {
                CodeMedium::Phone => "lifetime outside 1–300 s",
                CodeMedium::Paper => "lifetime outside 1–40320 min",
            }));
        }
        let (payload, signature) = bytes.split_at(PAYLOAD_LEN);
        Ok(DecodedCode {
            payload: payload.try_into().expect("split at PAYLOAD_LEN"),
            signature: Signature::from_bytes(signature.try_into().expect("64 bytes remain")),
        })
    }

    pub(crate) fn short_key_id(&self) -> &[u8] {
        &self.payload[KEY_ID_AT..LEVEL_AT]
    }

    pub(crate) fn level(&self) -> CreditLevel {
        CreditLevel::from_rank(self.payload[LEVEL_AT]).expect("checked in parse")
    }

    pub(crate) fn issued_at_unix(&self) -> i64 {
        let bytes = self.payload[ISSUED_AT_AT..LIFETIME_AT].try_into().expect("4 bytes");
        u32::from_be_bytes(bytes).into()
    }

    pub(crate) fn medium(&self) -> CodeMedium {
        CodeMedium::from_version(self.payload[0]).expect("checked in parse")
    }

    pub(crate) fn lifetime_secs(&self) -> i64 {
        let units = u16::from_be_bytes([self.payload[LIFETIME_AT], self.payload[LIFETIME_AT + 1]]);
        i64::from(units) * i64::from(self.medium().unit_secs())
    }

    pub(crate) fn handle(&self) -> CitizenHandle {
        CitizenHandle(self.payload[HANDLE_AT..].try_into().expect("16 bytes"))
    }

    pub(crate) fn signed_message(&self) -> [u8; SIGNED_MESSAGE_LEN] {
        signed_message(&self.payload)
    }

    pub(crate) fn signature(&self) -> &Signature {
        &self.signature
    }

    /// Names the code for replay detection. It hashes the signed payload,
    /// not the signature, so no re-encoding of the signature can make one
    /// code look like two.
    pub(crate) fn code_id(&self) -> CodeId {
        CodeId::of_payload(&self.payload)
    }
}

/// A stable id for one issued code, the same at every terminal and in the service.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CodeId([u8; CodeId::LEN]);

impl CodeId {
    pub const LEN: usize = 16;

    /// The id of the code `text`, read from its layout without checking
    /// its signature. An issuer gets it from [`CodeSigner::sign_with_id`],
    /// a terminal from [`crate::Verifier::verify`].
    pub fn of_text(text: &str) -> Result<CodeId, crate::VerifyError> {
        Ok(DecodedCode::parse(text)?.code_id())
    }

    /// SHA-256 of the signed payload, first 16 bytes.
    fn of_payload(payload: &[u8; PAYLOAD_LEN]) -> CodeId {
        let digest = Sha256::digest(payload);
        CodeId(digest[..CodeId::LEN].try_into().expect("16 of 32 bytes"))
    }

    pub fn as_bytes(&self) -> &[u8; CodeId::LEN] {
        &self.0
    }

    /// Lower-case hex, 32 characters.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Display for CodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for CodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CodeId({})", self.to_hex())
    }
}
