//! Shared helpers for Tincan's cross-crate scenario tests.

pub mod proc_mem;
