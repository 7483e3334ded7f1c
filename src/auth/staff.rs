//! Making a staff principal: a fresh token of its role's kind, stored only
//! as its hash, and shown to the caller once.

use super::bearer_tokens::{new_staff_token, token_hash};
use crate::domain::principals::{NewPrincipal, Principal};
use crate::storage::{Store, StoreError};
use time::OffsetDateTime;

/// The stored principal and its token, which nobody can read back later.
pub async fn create_principal(
    store: &Store,
    new: &NewPrincipal,
    now: OffsetDateTime,
) -> Result<(Principal, String), StoreError> {
    let token = new_staff_token(new.role);
    let principal = store.create_principal(new, &token_hash(&token), now).await?;
    Ok((principal, token))
}
