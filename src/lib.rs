//! xinyi: the 信易+ credit-benefit service.

pub mod citizen_handle;
pub mod domain;
pub mod signing;
pub mod storage;
pub mod auth;
pub mod http;
pub mod qr;
pub mod cli;
pub mod demo_idp;
pub mod startup;
