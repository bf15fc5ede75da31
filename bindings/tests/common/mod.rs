//! Finding the host build of the bindings library that this test run compiled.
// Each test target uses a different part of this module.
#![allow(dead_code)]

use std::path::PathBuf;

/// The library's file name on this host.
pub fn library_file_name() -> &'static str {
    if cfg!(target_os = "macos") {
        "libtincan_ffi.dylib"
    } else {
        "libtincan_ffi.so"
    }
}

/// The cargo profile directory (`target/debug`) this test binary was built into; the
/// library was built into it in the same run, because integration tests depend on it.
pub fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary knows its own path");
    // target/debug/deps/<test binary>
    exe.parent()
        .and_then(|deps| deps.parent())
        .expect("a test binary lives in <target>/<profile>/deps")
        .to_path_buf()
}

/// The freshly built `libtincan_ffi`.
pub fn library_path() -> PathBuf {
    let path = profile_dir().join(library_file_name());
    assert!(
        path.is_file(),
        "{} is missing: cargo builds it with the tests (crate-type cdylib)",
        path.display()
    );
    path
}

/// `bindings/` in the source tree.
pub fn bindings_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}
