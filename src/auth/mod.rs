//! Who is calling: citizens with the city identity provider's JWTs, staff
//! principals (coordinators, departments, auditors, service desks) with
//! tokens from `xinyi principal create` or `POST /v1/principals`, and
//! merchants' terminals with API keys.

pub mod bearer_tokens;
pub mod idp;
pub mod merchant_keys;
pub mod staff;
