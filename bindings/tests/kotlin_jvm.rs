//! Runs the Kotlin tests (bindings/kotlin-tests) on the JVM against the library this
//! test run just built, so `cargo test --workspace` proves the bindings from Kotlin
//! exactly as the Android app calls them.
//!
//! Needs `java` and `mvn` (scripts/setup installs the Maven dependencies); their
//! absence is a failure, never a skip.
#![allow(clippy::unwrap_used, clippy::panic, missing_docs)]

mod common;

/// Fewer tests than this means surefire did not find some of them: a failure, not a
/// pass (28 today).
const MIN_KOTLIN_TESTS: u32 = 28;

#[test]
fn kotlin_tests_pass_on_the_jvm() {
    common::maven::tests_pass(
        &common::bindings_dir().join("kotlin-tests"),
        "Kotlin tests",
        MIN_KOTLIN_TESTS,
        "see the JUnit report in bindings/kotlin-tests/target/surefire-reports",
    );
}
