//! Shared helpers for Tincan's cross-crate scenario tests.
#![allow(clippy::panic, clippy::unwrap_used)]

pub mod address_move;
pub mod bulk;
pub mod cli_net;
pub mod cli_people;
pub mod delay;
pub mod host;
pub mod keyring_session;
pub mod netns;
pub mod ns_socket;
pub mod proc_mem;
pub mod process;
pub mod small_net;
