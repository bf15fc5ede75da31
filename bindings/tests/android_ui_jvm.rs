//! Runs the Android `ui` module's tests (android/ui) on the desktop JVM: its Compose
//! screens compiled by Compose Multiplatform desktop, their screenshot tests (rendered
//! headless by Skia and compared with android/ui/screenshots/*.png) and Compose UI
//! tests, against the library this test run just built (the screens use the generated
//! bindings), so `cargo test --workspace` checks the Android UI on a machine without the
//! Android SDK.
//!
//! Needs `java` and `mvn` (scripts/setup installs the Maven dependencies and the system
//! libraries Skia loads); their absence is a failure, never a skip. Maven runs offline
//! first and online only when something is missing.
#![allow(clippy::unwrap_used, clippy::panic, missing_docs)]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The whole Maven run (Kotlin and Compose compile + tests) must finish within this.
const MAVEN_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// Fewer tests than this means surefire did not find them: a failure, not a pass.
/// (The harness self-test alone has 7.)
const MIN_UI_TESTS: u32 = 7;

fn require(tool: &str) {
    let ok = Command::new(tool)
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "`{tool}` is not installed: the Android UI tests need Java 17+ and Maven \
         (Debian: apt-get install openjdk-17-jdk-headless maven; then scripts/setup)"
    );
}

fn ui_dir() -> PathBuf {
    common::bindings_dir().join("../android/ui")
}

/// Runs Maven, bounded in time; returns (success, combined output).
fn maven(offline: bool, lib_dir: &Path) -> (bool, String) {
    let log = tempfile::NamedTempFile::new().unwrap();
    let mut cmd = Command::new("mvn");
    cmd.current_dir(ui_dir()).arg("-B");
    if offline {
        cmd.arg("-o");
    }
    cmd.arg("test")
        .arg(format!("-Dtincan.lib.dir={}", lib_dir.display()))
        .stdin(Stdio::null())
        .stdout(log.reopen().unwrap())
        .stderr(log.reopen().unwrap());
    let mut child = cmd.spawn().expect("mvn starts");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > MAVEN_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "mvn test ran longer than {MAVEN_TIMEOUT:?}; output:\n{}",
                std::fs::read_to_string(log.path()).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let output = std::fs::read_to_string(log.path()).unwrap_or_default();
    (status.success(), output)
}

/// Surefire's closing "Tests run: N, Failures: F, Errors: E, Skipped: S" line.
fn totals(output: &str) -> Option<(u32, u32, u32, u32)> {
    let line = output
        .lines()
        .rfind(|l| l.contains("Tests run:") && !l.contains(" -- in "))?;
    let num = |key: &str| -> Option<u32> {
        let rest = &line[line.find(key)? + key.len()..];
        rest.trim_start()
            .split(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()
    };
    Some((
        num("Tests run:")?,
        num("Failures:")?,
        num("Errors:")?,
        num("Skipped:")?,
    ))
}

#[test]
fn android_ui_tests_pass_on_the_jvm() {
    require("java");
    require("mvn");
    // A private copy: the shared target directory may be rebuilt by another cargo
    // run while the JVM is loading the library.
    let lib_dir = tempfile::tempdir().unwrap();
    let lib = lib_dir.path().join(common::library_file_name());
    std::fs::copy(common::library_path(), &lib).unwrap();

    let (mut ok, mut output) = maven(true, lib_dir.path());
    let mut mode = "offline";
    if !ok && output.contains("offline mode") {
        // scripts/setup was not run (or the pom changed): fetch what is missing.
        (ok, output) = maven(false, lib_dir.path());
        mode = "online: the offline run missed packages; run scripts/setup";
    }
    let summary: Vec<&str> = output
        .lines()
        .filter(|l| {
            l.contains("Tests run:")
                || l.contains("FAIL")
                || l.contains("ERROR")
                || l.contains("AssertionError")
        })
        .collect();
    // Straight to stderr (not eprintln!, which the test harness captures) so the
    // results show in every `cargo test` run.
    let _ = writeln!(
        std::io::stderr(),
        "android ui (JVM, Compose desktop, {}, Maven {mode}):\n  {}",
        lib.display(),
        summary.join("\n  ")
    );
    assert!(
        ok,
        "the Android UI tests failed (a screenshot mismatch leaves the fresh render and a \
         diff in android/ui/target/screenshots-actual/); Maven output:\n{output}"
    );
    let (run, failures, errors, skipped) =
        totals(&output).unwrap_or_else(|| panic!("no surefire summary in:\n{output}"));
    assert_eq!((failures, errors, skipped), (0, 0, 0), "{output}");
    assert!(
        run >= MIN_UI_TESTS,
        "only {run} Android UI tests ran (expected at least {MIN_UI_TESTS}):\n{output}"
    );
}
