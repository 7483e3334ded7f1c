//! Who is calling: citizens with the city identity provider's JWTs,
//! coordinators with tokens issued by `xinyi coordinator create`.

pub mod coordinator_token;
pub mod extractors;
pub mod idp;
