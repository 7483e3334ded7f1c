//! A quote: the same rules a redemption meets, decided against the stored
//! state as it is now, writing nothing. It does not go through the writer
//! (nothing is written, so nothing waits for a commit), and it promises
//! nothing: another till may spend the budget or the code between the
//! quote and the redemption, which then decides again.

use super::plan::{self, check};
use super::{Command, RedemptionAttempt};
use crate::domain::redemption::{Decision, Refusal};
use crate::storage::{Store, StoreError};

/// What the attempt would come to if it were redeemed now.
pub async fn quote(store: &Store, attempt: RedemptionAttempt) -> Result<Result<Decision, Refusal>, StoreError> {
    let command = Command::Redeem(attempt);
    let wanted = plan::wanted(&[&command]);
    let reads = store.read_for_quote(&wanted.keys).await?;
    let Command::Redeem(attempt) = &command else { unreachable!("built above") };
    Ok(check(&reads, attempt).map(|checked| Decision {
        discount_fen: checked.discount_fen,
        payable_fen: attempt.amount_fen - checked.discount_fen,
    }))
}
