//! Where `tincan` keeps secrets, seen from outside as a person would: the OS store
//! when there is one (a real GNOME Keyring on a private D-Bus session), the
//! passphrase file when there is not — said on standard error every time — and a
//! clear refusal when neither can be used. Never a silent plaintext file.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use tincan_tests::keyring_session;
use tincan_tests::process::{Stream, Tincan};

const T: Duration = Duration::from_secs(60);

/// A private HOME and runtime directory: no session bus is found there, and a
/// keyring started there writes its files there.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        let dir = tempfile::tempdir().unwrap();
        let run = dir.path().join("run");
        std::fs::create_dir(&run).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        Home { dir }
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `tincan --data-dir DATA invites` with `passphrase` (or none) and `store`
    /// (or the default), under `wrapper`.
    fn run(
        &self,
        name: &str,
        wrapper: &[&str],
        store: Option<&str>,
        passphrase: Option<&str>,
    ) -> Tincan {
        let data = self.data().display().to_string();
        let home = self.dir.path().display().to_string();
        let run = self.dir.path().join("run").display().to_string();
        let mut args = vec!["--data-dir", data.as_str()];
        if let Some(store) = store {
            args.extend(["--secret-store", store]);
        }
        args.push("invites");
        let env = [
            ("HOME", Some(home.as_str())),
            ("XDG_RUNTIME_DIR", Some(run.as_str())),
            ("DBUS_SESSION_BUS_ADDRESS", None),
            ("TINCAN_SECRET_STORE", None),
            ("TINCAN_PASSPHRASE", passphrase),
        ];
        Tincan::start_with_env(name, wrapper, &args, &env)
    }
}

fn secrets_file(data: &Path) -> PathBuf {
    data.join("secrets.tincan")
}

#[test]
fn without_a_keyring_the_passphrase_file_is_used_and_announced() {
    let home = Home::new();
    let mut first = home.run("first", &[], None, Some("pass 1"));
    let notice = first.expect_line(Stream::Err, "kept in", T);
    assert!(
        notice.contains("No OS credential store is usable here"),
        "{notice}"
    );
    assert!(notice.contains("secrets.tincan"), "{notice}");
    assert!(
        notice.contains("encrypted with your passphrase"),
        "{notice}"
    );
    first.expect_line(Stream::Out, "No invites are waiting", T);
    assert!(first.wait_exit(T), "{}", first.dump());
    let file = std::fs::read(secrets_file(&home.data())).unwrap();
    assert!(file.starts_with(b"TINCANSF"));

    // A wrong passphrase stops with a reason and changes nothing.
    let mut wrong = home.run("wrong", &[], None, Some("pass 2"));
    let err = wrong.expect_line(Stream::Err, "tincan:", T);
    assert!(
        err.contains("TINCAN_PASSPHRASE does not open the secrets file"),
        "{err}"
    );
    assert!(!wrong.wait_exit(T));
    assert_eq!(std::fs::read(secrets_file(&home.data())).unwrap(), file);

    // The right one, with the store named explicitly.
    let mut again = home.run("again", &[], Some("passphrase-file"), Some("pass 1"));
    let notice = again.expect_line(Stream::Err, "kept in", T);
    assert!(!notice.contains("No OS credential store"), "{notice}");
    assert!(again.wait_exit(T), "{}", again.dump());
}

#[test]
fn without_a_keyring_or_a_passphrase_tincan_says_what_to_do() {
    let home = Home::new();
    let mut none = home.run("none", &[], None, None);
    let err = none.expect_line(Stream::Err, "tincan:", T);
    assert!(err.contains("needs a passphrase"), "{err}");
    assert!(err.contains("Set TINCAN_PASSPHRASE"), "{err}");
    assert!(!none.wait_exit(T));
    assert!(!secrets_file(&home.data()).exists());

    let mut forced = home.run("forced", &[], Some("keyring"), Some("unused"));
    let err = forced.expect_line(Stream::Err, "tincan:", T);
    assert!(err.contains("--secret-store keyring"), "{err}");
    assert!(err.contains("could not be reached"), "{err}");
    assert!(!forced.wait_exit(T));
}

#[test]
fn plaintext_secrets_from_an_older_release_are_moved_and_deleted() {
    let home = Home::new();
    let legacy = home.data().join("secrets");
    std::fs::create_dir_all(&legacy).unwrap();
    std::fs::write(legacy.join("invite-old"), b"an old invite's keys").unwrap();
    let mut run = home.run("upgrade", &[], Some("passphrase-file"), Some("pw"));
    let moved = run.expect_line(Stream::Err, "Moved 1 secret", T);
    assert!(moved.contains("deleted the plaintext copies"), "{moved}");
    assert!(run.wait_exit(T), "{}", run.dump());
    assert!(!legacy.exists());
    let file = std::fs::read(secrets_file(&home.data())).unwrap();
    assert!(!file
        .windows(b"an old invite's keys".len())
        .any(|w| w == b"an old invite's keys"));
}

#[test]
fn with_a_secret_service_the_os_store_is_used() {
    if let Some((tool, package)) = keyring_session::missing_tool() {
        panic!("`{tool}` is missing: run scripts/setup (installs Debian `{package}`)");
    }
    let home = Home::new();
    // No passphrase at all: none is needed.
    let mut run = home.run("keyring", &keyring_session::WRAPPER, None, None);
    let notice = run.expect_line(Stream::Err, "kept in", T);
    assert!(notice.contains("Secret Service"), "{notice}");
    run.expect_line(Stream::Out, "No invites are waiting", T);
    assert!(run.wait_exit(T), "{}", run.dump());
    assert!(
        !secrets_file(&home.data()).exists(),
        "no file when the OS store works"
    );
    // The keyring itself lives in the private HOME.
    assert!(home.dir.path().join(".local/share/keyrings").is_dir());
}
