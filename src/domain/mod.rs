//! Rules of the program that hold whatever the transport or the database.

pub mod levels;
pub mod score_event;
