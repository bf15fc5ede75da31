//! Shared helpers for Tincan's cross-crate scenario tests.
#![allow(clippy::panic, clippy::unwrap_used)]

pub mod netns;
pub mod process;
