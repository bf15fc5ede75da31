//! UniFFI layer over `tincan-core` for the Android and iOS shells.
//!
//! Only adapts types: every behaviour lives in `tincan-core`, where Rust tests reach
//! it. The generated Kotlin and Swift are in `bindings/generated/` (regenerate with
//! `scripts/gen-bindings`); `bindings/README.md` explains the shape of the API.

uniffi::setup_scaffolding!();

mod app;
mod app_rooms;
mod app_types;
mod chat;
mod codes;
mod error;
mod events;
mod introductions;
mod node;
mod pace;
mod qr;
mod secrets;

pub use app::{image_byte_limit, AppModel, AppOptions, AppUpdates};
pub use chat::{Contact, KnownConversation, Message, MessageStatus, WaitingConversation};
pub use codes::{looks_like_code, parse_code, CodeKind, CodeSummary, InviteMode};
pub use error::TincanError;
pub use events::EventStream;
pub use introductions::{
    AnswerSeen, IntroAnswer, IntroState, IntroducedSide, IntroductionInfo, MadeIntroductionInfo,
};
pub use node::{
    Event, InviteInfo, InvitePreview, JoinInfo, Node, NodeOptions, PeerInfo, PeerState, Protection,
    Role,
};
pub use qr::{decode_qr_frame, decode_qr_image, render_qr, QrSymbol};
pub use secrets::{MemorySecretStore, SecretStore, SecretStoreError};
