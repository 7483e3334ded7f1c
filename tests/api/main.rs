//! Integration tests: the real service over HTTP, one binary for all.

mod code_privacy;
mod codes;
mod crash;
mod database;
mod demo;
mod disputes;
mod exactly_once;
mod group_commit;
mod helpers;
mod http_limits;
mod idp_algorithms;
mod import;
mod keys;
mod ledger;
mod logs;
mod lookup;
mod offline_terminals;
mod openapi;
mod rate_limits;
mod redemptions;
mod reports;
mod score_events;
mod sdk_client;
mod tokens;
mod two_nodes;
