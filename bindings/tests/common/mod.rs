//! Finding the host build of the bindings library that this test run compiled.
// Each test target uses a different part of this module.
#![allow(dead_code)]

pub mod maven;

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

/// The host build of `libtincan_ffi`, brought up to date once per test binary.
///
/// Cargo builds only the rlib when a library is a dependency of its own integration
/// tests, so on a clean checkout the cdylib would not exist; build it explicitly.
pub fn library_path() -> PathBuf {
    static LIB: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    LIB.get_or_init(build_library).clone()
}

fn build_library() -> PathBuf {
    let dir = profile_dir();
    let mut build = std::process::Command::new(env!("CARGO"));
    build.args(["build", "-q", "-p", "tincan-bindings", "--lib"]);
    if dir.file_name().is_some_and(|n| n == "release") {
        build.arg("--release");
    }
    let status = build.status().expect("run cargo build");
    assert!(
        status.success(),
        "cargo build -p tincan-bindings --lib failed"
    );
    let path = dir.join(library_file_name());
    assert!(
        path.is_file(),
        "{} is missing after cargo build",
        path.display()
    );
    path
}

/// `bindings/` in the source tree.
pub fn bindings_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}
