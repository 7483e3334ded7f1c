//! Rules of the program that hold whatever the transport or the database.

pub mod levels;
pub mod score_event;
pub mod offers;
pub mod periods;
pub mod ledger;
pub mod redemption;
