//! xinyi: the 信易+ credit-benefit service.

pub mod auth;
pub mod citizen_handle;
pub mod cli;
pub mod credit_statement;
pub mod demo_idp;
pub mod directory;
pub mod domain;
pub mod engine;
pub mod http;
pub mod ids;
pub mod ledger_log;
pub mod metrics;
pub mod qr;
pub mod reporting;
pub mod signing;
pub mod standing;
pub mod startup;
pub mod statements;
pub mod storage;
pub mod web;
pub mod witness;
