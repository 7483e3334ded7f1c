//! Rules of the program that hold whatever the transport or the database.

pub mod categories;
pub mod code_sheets;
pub mod declarations;
pub mod ledger;
pub mod ledger_proofs;
pub mod ledger_tiles;
pub mod ledger_tree;
pub mod levels;
pub mod lists;
pub mod offers;
pub mod periods;
pub mod places;
pub mod principals;
pub mod proxies;
pub mod redemption;
pub mod repairs;
pub mod reports;
pub mod score_event;
pub mod text;
