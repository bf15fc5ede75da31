//! UniFFI layer over `tincan-core` for the Android and iOS shells.

uniffi::setup_scaffolding!();
