//! Who is calling: citizens with the city identity provider's JWTs,
//! coordinators with tokens issued by `xinyi coordinator create`.

pub mod bearer_tokens;
pub mod idp;
pub mod merchant_keys;
