//! Integration tests: the real service over HTTP, one binary for all.

mod code_privacy;
mod codes;
mod demo;
mod helpers;
mod idp_algorithms;
mod import;
mod keys;
mod openapi;
mod score_events;
mod tokens;
