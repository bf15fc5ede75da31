//! UniFFI's `uniffi-bindgen` command, built from this workspace.
//!
//! The generator must be the very UniFFI version the scaffolding in `tincan_ffi` was
//! made with: the generated Kotlin and Swift check the library's contract version and
//! checksums when they load it, and a mismatch fails at run time on the phone. Building
//! the generator here, from the workspace's pinned `uniffi`, makes that impossible to
//! get wrong. `scripts/gen-bindings` runs it.

fn main() {
    uniffi::uniffi_bindgen_main();
}
