//! Shared helpers for the AWS adapter tests: a moto server per test binary, seeding over its HTTP API, a
//! fault-injecting proxy in front of it, and SDK clients that create and read resources directly.
#![allow(dead_code)]

#[path = "../common/mod.rs"]
pub mod common;
pub mod http;
pub mod moto;
pub mod proxy;
pub mod queue;
pub mod sdk;
pub mod seed;
