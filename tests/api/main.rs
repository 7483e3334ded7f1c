//! Integration tests: the real service over HTTP, one binary for all.
//!
//! Every test runs on a two-thread runtime: a test that waits for a
//! command (`xinyi import`, `xinyi ledger verify`) blocks its thread, and
//! the app it started must go on meanwhile. Its checkpointer takes the
//! writer lock now and then; frozen on a single thread, it would keep the
//! lock from the very command the test waits for.

mod categories;
mod code_privacy;
mod code_sheets;
mod codes;
mod counter;
mod crash;
mod credit_statement;
mod database;
mod declarations;
mod demo;
mod directory;
mod disputes;
mod exactly_once;
mod group_commit;
mod helpers;
mod http_limits;
mod idp_algorithms;
mod import;
mod keys;
mod ledger;
mod ledger_log;
mod ledger_witness;
mod lists_and_repairs;
mod logs;
mod lookup;
mod offer_edits;
mod offline_terminals;
mod openapi;
mod outage;
mod principals;
mod proxies;
mod rate_limits;
mod read_replica;
mod redemptions;
mod reports;
mod roles;
mod score_events;
mod sdk_client;
mod sdk_offline_safety;
mod sdk_receipts;
mod statements;
mod tokens;
mod two_nodes;
