//! Staff tokens and merchant API keys: random, shown once, stored only as
//! a hash. The prefix says which kind a token is (and a staff token's
//! role), so none is ever mistaken for another, or for a citizen's JWT.

use crate::domain::principals::Role;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub const MERCHANT_KEY_PREFIX: &str = "xym_";

fn new_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

pub fn new_staff_token(role: Role) -> String {
    new_token(role.token_prefix())
}

pub fn new_merchant_key() -> String {
    new_token(MERCHANT_KEY_PREFIX)
}

/// 256 random bits need no slow password hash: SHA-256 cannot be reversed.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
