//! Tincan's core: everything the app does, with no UI and no platform code.
//!
//! Shells (the `tincan` CLI, the UniFFI bindings, the phone apps) reach this crate only
//! through its public modules, so every behaviour can be tested here in Rust.
#![deny(missing_docs)]

pub mod app;
pub mod bytes;
pub mod code;
pub mod compact;
pub mod error;
pub mod files;
pub mod identity;
pub mod inbound;
pub mod intro;
pub mod letter;
pub mod link;
pub mod node;
pub mod protect;
pub mod qr;
pub mod room;
pub mod sdp;
pub mod secrets;
pub mod store;
pub mod wire;

pub use error::CodeError;
