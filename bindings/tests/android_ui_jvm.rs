//! Runs the Android `ui` module's tests (android/ui) on the desktop JVM: its Compose
//! screens compiled by Compose Multiplatform desktop, their screenshot tests (rendered
//! headless by Skia and compared with android/ui/screenshots/*.png) and Compose UI
//! tests, against the library this test run just built (the screens use the generated
//! bindings), so `cargo test --workspace` checks the Android UI on a machine without the
//! Android SDK.
//!
//! Needs `java` and `mvn` (scripts/setup installs the Maven dependencies and the system
//! libraries Skia loads); their absence is a failure, never a skip.
#![allow(clippy::unwrap_used, clippy::panic, missing_docs)]

mod common;

/// Fewer tests than this means surefire did not find some of them: a failure, not a
/// pass (70 today: 54 screenshots, seven UI tests with phones on the real core, labels,
/// the harness).
const MIN_UI_TESTS: u32 = 66;

#[test]
fn android_ui_tests_pass_on_the_jvm() {
    common::maven::tests_pass(
        &common::bindings_dir().join("../android/ui"),
        "Android UI tests",
        MIN_UI_TESTS,
        "a screenshot mismatch leaves the fresh render and a diff in \
         android/ui/target/screenshots-actual/",
    );
}
