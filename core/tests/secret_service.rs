//! The keyring store against a real Secret Service (GNOME Keyring on a private D-Bus
//! session), not a mock: the store a Linux desktop really has.
//!
//! Each test re-runs this test binary, filtered to itself, inside its own environment
//! (`dbus-run-session` with an unlocked `gnome-keyring-daemon`, or no bus at all). The
//! inner run is marked by [`INNER`] and does the actual checks; the outer run asserts
//! that the inner one ran exactly that one test and passed. HOME and the XDG
//! directories point into a temporary directory, so the keyring files never touch the
//! machine's own.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tincan_core::identity::Identity;
use tincan_core::secrets::{KeyringSecretStore, SecretStore, PROBE_TIMEOUT};

/// Set in the inner run.
const INNER: &str = "TINCAN_SECRET_SERVICE_INNER";

/// How long one inner run may take, D-Bus and keyring start-up included.
const RUN_LIMIT: Duration = Duration::from_secs(120);

fn inner() -> bool {
    std::env::var_os(INNER).is_some()
}

fn has_tool(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
}

/// Runs this test binary, filtered to `test`, through `wrapper` (a shell command line
/// that ends by running `"$@"`), in a fresh HOME; asserts it ran that test and passed.
fn run_inner(test: &str, wrapper: &str) -> String {
    let home = tempfile::tempdir().unwrap();
    let runtime = home.path().join("run");
    std::fs::create_dir(&runtime).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let exe = std::env::current_exe().unwrap();
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(wrapper)
        .arg("sh")
        .arg(&exe)
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(INNER, "1")
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("XDG_RUNTIME_DIR", &runtime)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let output = wait_with_limit(cmd, RUN_LIMIT);
    let out = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success() && out.contains("1 passed"),
        "the inner run of {test} failed ({}):\n{out}",
        output.status
    );
    out
}

/// Runs `cmd` to completion, killing it (by its own PID) past `limit`.
fn wait_with_limit(mut cmd: Command, limit: Duration) -> std::process::Output {
    let mut child = cmd.spawn().unwrap();
    // Drain the pipes on threads so a chatty child cannot block.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut v).ok();
        v
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut v).ok();
        v
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the inner test run did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    std::process::Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// What the inner run under a real Secret Service checks.
fn keyring_checks() {
    let ana = KeyringSecretStore::probe("/tmp/test-data/ana").expect("the Secret Service works");
    let ben = KeyringSecretStore::probe("/tmp/test-data/ben").unwrap();
    assert_eq!(ana.namespace(), "/tmp/test-data/ana");

    // put / get / overwrite / delete, binary values included.
    assert_eq!(ana.get("invite-1").unwrap(), None);
    ana.put("invite-1", b"first").unwrap();
    assert_eq!(ana.get("invite-1").unwrap().as_deref(), Some(&b"first"[..]));
    ana.put("invite-1", &[0, 255, 10, 13, 0]).unwrap();
    assert_eq!(
        ana.get("invite-1").unwrap().as_deref(),
        Some(&[0, 255, 10, 13, 0][..])
    );
    let big: Vec<u8> = (0..4096u32).map(|i| (i * 7) as u8).collect();
    ana.put("invite-big", &big).unwrap();
    assert_eq!(ana.get("invite-big").unwrap().as_deref(), Some(&big[..]));

    // Two data directories on one machine do not see each other's entries.
    assert_eq!(ben.get("invite-1").unwrap(), None);
    ben.put("invite-1", b"ben's").unwrap();
    assert_eq!(ben.get("invite-1").unwrap().as_deref(), Some(&b"ben's"[..]));
    assert_eq!(
        ana.get("invite-1").unwrap().as_deref(),
        Some(&[0, 255, 10, 13, 0][..])
    );
    ben.delete("invite-1").unwrap();
    assert_eq!(ben.get("invite-1").unwrap(), None);
    assert!(
        ana.get("invite-1").unwrap().is_some(),
        "ana's entry survives"
    );

    // Delete is idempotent.
    ana.delete("invite-1").unwrap();
    ana.delete("invite-1").unwrap();
    ana.delete("invite-big").unwrap();
    assert_eq!(ana.get("invite-1").unwrap(), None);

    // Names that could break the user string are refused.
    assert!(ana.put("../ben/invite-1", b"x").is_err());
    assert!(ana.get("").is_err());

    // The identity key lives there, and a new store object (a restarted app) finds it.
    let (id, created) = Identity::load_or_create(&ana).unwrap();
    assert!(created);
    let again = KeyringSecretStore::probe("/tmp/test-data/ana").unwrap();
    let (same, created) = Identity::load_or_create(&again).unwrap();
    assert!(!created);
    assert_eq!(id.public_key(), same.public_key());
    let (ben_id, _) = Identity::load_or_create(&ben).unwrap();
    assert_ne!(ben_id.public_key(), id.public_key());
    println!("secret service checks done");
}

#[test]
fn keyring_store_works_with_a_real_secret_service() {
    if inner() {
        keyring_checks();
        return;
    }
    for (tool, package) in [
        ("dbus-run-session", "dbus-x11"),
        ("gnome-keyring-daemon", "gnome-keyring"),
    ] {
        assert!(
            has_tool(tool),
            "`{tool}` is missing: run scripts/setup (installs Debian `{package}`), \
             this test needs a real Secret Service"
        );
    }
    let out = run_inner(
        "keyring_store_works_with_a_real_secret_service",
        // The daemon reads the new keyring's password from stdin and unlocks it, as a
        // desktop login does; it exits with the session bus.
        "exec dbus-run-session -- sh -c 'echo -n test-password | \
         gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec \"$@\"' sh \"$@\"",
    );
    assert!(out.contains("secret service checks done"), "{out}");
}

#[test]
fn probe_fails_quickly_and_clearly_without_a_store() {
    if inner() {
        let started = Instant::now();
        let err = KeyringSecretStore::probe("/tmp/test-data/nobody").unwrap_err();
        assert!(started.elapsed() < PROBE_TIMEOUT, "{:?}", started.elapsed());
        assert!(err.0.contains("could not be reached"), "{err}");
        println!("probe refused in {:?}: {err}", started.elapsed());
        return;
    }
    // No session bus address and an empty runtime directory: nothing to talk to.
    let out = run_inner(
        "probe_fails_quickly_and_clearly_without_a_store",
        "exec \"$@\"",
    );
    assert!(out.contains("probe refused"), "{out}");
    println!(
        "{}",
        out.lines()
            .find(|l| l.contains("probe refused"))
            .unwrap_or("")
    );
}

#[test]
fn empty_namespace_is_refused() {
    assert!(KeyringSecretStore::probe("").is_err());
}
