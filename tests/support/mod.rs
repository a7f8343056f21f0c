//! Shared helpers for the AWS adapter tests: a moto server per test binary, seeding over its HTTP API, a
//! fault-injecting proxy in front of it, SDK clients that create and read resources directly (S3 buckets, EC2
//! groups and instances), and findings as Security Hub writes them.
#![allow(dead_code)]

pub mod asff;
pub mod binary;
#[path = "../common/mod.rs"]
pub mod common;
pub mod ec2;
pub mod http;
pub mod leases;
pub mod moto;
pub mod ocsf;
pub mod paging;
pub mod proxy;
pub mod queue;
pub mod s3;
pub mod sdk;
pub mod seed;
pub mod wire;
