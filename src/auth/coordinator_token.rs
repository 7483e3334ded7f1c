//! Coordinator bearer tokens: random, shown once, stored only as a hash.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Marks a coordinator token, so it is never mistaken for a citizen JWT.
pub const COORDINATOR_TOKEN_PREFIX: &str = "xyc_";

pub fn new_coordinator_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{COORDINATOR_TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// 256 random bits need no slow password hash: SHA-256 cannot be reversed.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
