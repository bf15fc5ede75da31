//! Runs a Maven project's JUnit tests on the JVM against the library this test run
//! built, for the test targets that prove the bindings from Kotlin (kotlin_jvm.rs,
//! android_ui_jvm.rs). Missing `java` or `mvn` is a failure, never a skip. Maven runs
//! offline first (scripts/setup fetched everything) and online only when something is
//! missing.
// Test support: a failed run is a failed test.
#![allow(clippy::panic)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A whole Maven run (Kotlin compile + tests) must finish within this.
const MAVEN_TIMEOUT: Duration = Duration::from_secs(15 * 60);

fn require(tool: &str, what: &str) {
    let ok = Command::new(tool)
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "`{tool}` is not installed: the {what} need Java 17+ and Maven \
         (Debian: apt-get install openjdk-17-jdk-headless maven; then scripts/setup)"
    );
}

/// Runs Maven, bounded in time; returns (success, combined output).
fn maven(project: &Path, offline: bool, lib_dir: &Path) -> (bool, String) {
    let log = tempfile::NamedTempFile::new().expect("a temporary log file");
    let stdout = log.reopen().expect("the log file reopens");
    let stderr = log.reopen().expect("the log file reopens");
    let mut cmd = Command::new("mvn");
    cmd.current_dir(project).arg("-B");
    if offline {
        cmd.arg("-o");
    }
    cmd.arg("test")
        .arg(format!("-Dtincan.lib.dir={}", lib_dir.display()))
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr);
    let mut child = cmd.spawn().expect("mvn starts");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("mvn can be waited for") {
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
pub fn totals(output: &str) -> Option<(u32, u32, u32, u32)> {
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

/// Runs `project`'s tests and asserts they all passed, none skipped, and at least
/// `min_tests` ran (fewer means surefire did not find them). `what` names the suite in
/// messages; `on_failure` says where to look when it fails.
pub fn tests_pass(project: &Path, what: &str, min_tests: u32, on_failure: &str) {
    require("java", what);
    require("mvn", what);
    // A private copy: the shared target directory may be rebuilt by another cargo
    // run while the JVM is loading the library.
    let lib_dir = tempfile::tempdir().expect("a temporary directory");
    let lib = lib_dir.path().join(super::library_file_name());
    std::fs::copy(super::library_path(), &lib).expect("the library can be copied");

    let (mut ok, mut output) = maven(project, true, lib_dir.path());
    let mut mode = "offline";
    if !ok && output.contains("offline mode") {
        // scripts/setup was not run (or the pom changed): fetch what is missing.
        (ok, output) = maven(project, false, lib_dir.path());
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
        "{what} (JVM, {}, Maven {mode}):\n  {}",
        lib.display(),
        summary.join("\n  ")
    );
    assert!(
        ok,
        "the {what} failed ({on_failure}); Maven output:\n{output}"
    );
    let (run, failures, errors, skipped) =
        totals(&output).unwrap_or_else(|| panic!("no surefire summary in:\n{output}"));
    assert_eq!((failures, errors, skipped), (0, 0, 0), "{output}");
    assert!(
        run >= min_tests,
        "only {run} of the {what} ran (expected at least {min_tests}):\n{output}"
    );
}
