//! Helpers shared by the scenario tests.
pub mod browser;
pub mod webrtc_peer;
