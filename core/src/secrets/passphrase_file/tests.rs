//! The passphrase file: round trips, wrong passphrases, damage, and that nothing
//! stored is ever lost to an overwrite.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::cell::Cell;

use super::*;

thread_local! {
    /// Argon2id derivations on this thread (each test runs on its own thread).
    pub(super) static DERIVATIONS: Cell<usize> = const { Cell::new(0) };
}

fn derivations() -> usize {
    DERIVATIONS.with(Cell::get)
}

/// Opens with the cheapest accepted cost, to keep tests quick.
fn open(dir: &Path, passphrase: &str) -> Result<PassphraseFileStore, PassphraseFileError> {
    PassphraseFileStore::open_with_params(dir, passphrase, argon::FLOOR)
}

fn file(dir: &Path) -> PathBuf {
    dir.join(FILE_NAME)
}

#[test]
fn behaves_like_every_store_and_derives_the_key_once() {
    let dir = tempfile::tempdir().unwrap();
    let before = derivations();
    let store = open(dir.path(), "correct horse battery staple").unwrap();
    assert_eq!(derivations() - before, 1);
    crate::secrets::tests::exercise(&store);
    for i in 0..20 {
        store.put(&format!("k{i}"), &[i; 100]).unwrap();
    }
    assert_eq!(store.get("k7").unwrap().as_deref(), Some(&[7u8; 100][..]));
    assert_eq!(
        derivations() - before,
        1,
        "puts and gets reuse the session key"
    );
    assert!(store.put("../escape", b"x").is_err());
    assert!(store.get("a/b").is_err());
}

#[test]
fn secrets_survive_a_reopen_and_are_not_in_clear_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let secret = b"THE-IDENTITY-SECRET-0123456789";
    {
        let store = open(dir.path(), "pass phrase").unwrap();
        store.put("identity-ed25519", secret).unwrap();
    }
    let on_disk = std::fs::read(file(dir.path())).unwrap();
    let contains = |needle: &[u8]| on_disk.windows(needle.len()).any(|w| w == needle);
    assert!(!contains(secret));
    assert!(!contains(b"identity-ed25519"), "names are encrypted too");
    let store = open(dir.path(), "pass phrase").unwrap();
    assert_eq!(
        store.get("identity-ed25519").unwrap().as_deref(),
        Some(&secret[..])
    );
    assert!(PassphraseFileStore::exists(dir.path()));
    assert!(!PassphraseFileStore::exists(&dir.path().join("elsewhere")));
}

#[test]
fn a_wrong_passphrase_is_named_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    open(dir.path(), "right").unwrap().put("a", b"1").unwrap();
    let before = std::fs::read(file(dir.path())).unwrap();
    let err = open(dir.path(), "wrong").unwrap_err();
    assert_eq!(
        err,
        PassphraseFileError::WrongPassphrase {
            path: file(dir.path())
        }
    );
    assert!(err.to_string().starts_with("wrong passphrase"), "{err}");
    assert_eq!(std::fs::read(file(dir.path())).unwrap(), before);
    assert_eq!(
        open(dir.path(), "").unwrap_err(),
        PassphraseFileError::EmptyPassphrase
    );
}

#[test]
fn the_passphrase_is_nfc_normalised() {
    let dir = tempfile::tempdir().unwrap();
    open(dir.path(), "caf\u{e9}")
        .unwrap()
        .put("a", b"1")
        .unwrap();
    let store = open(dir.path(), "cafe\u{301}").unwrap();
    assert_eq!(store.get("a").unwrap().as_deref(), Some(&b"1"[..]));
}

/// Damages the file with `damage` and checks that opening reports `expect` and leaves
/// the damaged bytes exactly as they were.
fn assert_refused(
    damage: impl FnOnce(&mut Vec<u8>),
    expect: impl FnOnce(&PassphraseFileError) -> bool,
) {
    let dir = tempfile::tempdir().unwrap();
    open(dir.path(), "pw")
        .unwrap()
        .put("identity-ed25519", &[5; 32])
        .unwrap();
    let mut bytes = std::fs::read(file(dir.path())).unwrap();
    damage(&mut bytes);
    std::fs::write(file(dir.path()), &bytes).unwrap();
    let err = open(dir.path(), "pw").unwrap_err();
    assert!(expect(&err), "unexpected error: {err:?}");
    assert_eq!(
        std::fs::read(file(dir.path())).unwrap(),
        bytes,
        "file untouched"
    );
}

fn fix_crc(bytes: &mut [u8]) {
    let n = bytes.len() - CRC_LEN;
    let crc = crc32fast::hash(&bytes[..n]);
    bytes[n..].copy_from_slice(&crc.to_be_bytes());
}

fn is_corrupt(e: &PassphraseFileError) -> bool {
    matches!(e, PassphraseFileError::Corrupt { .. })
}

#[test]
fn damaged_files_are_reported_as_damaged_and_never_replaced() {
    // A flipped bit anywhere: header, sealed part, checksum.
    for at in [9, 20, HEADER_LEN + 3, usize::MAX] {
        assert_refused(
            |b| {
                let i = at.min(b.len() - 1);
                b[i] ^= 0x10;
            },
            is_corrupt,
        );
    }
    assert_refused(|b| b.truncate(b.len() / 2), is_corrupt);
    assert_refused(|b| b.truncate(3), is_corrupt);
    assert_refused(|b| b.clear(), is_corrupt);
    assert_refused(
        |b| *b = b"{\"not\": \"ours\"}".to_vec(),
        |e| is_corrupt(e) && e.to_string().contains("not a Tincan secrets file"),
    );
    // Tampered ciphertext with a recomputed checksum: the seal catches it.
    assert_refused(
        |b| {
            b[HEADER_LEN] ^= 1;
            fix_crc(b);
        },
        |e| is_corrupt(e) && e.to_string().contains("do not open"),
    );
    // A newer format.
    assert_refused(
        |b| {
            b[8] = 2;
            fix_crc(b);
        },
        |e| {
            matches!(
                e,
                PassphraseFileError::UnsupportedVersion { version: 2, .. }
            )
        },
    );
    // A hostile cost (1 TiB) is refused before any derivation.
    let before = derivations();
    assert_refused(
        |b| {
            b[9] = 30;
            fix_crc(b);
        },
        |e| is_corrupt(e) && e.to_string().contains("cost"),
    );
    assert_eq!(
        derivations() - before,
        1,
        "only the first, good open derived"
    );
}

#[test]
fn damage_after_opening_stops_writes_instead_of_losing_data() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), "pw").unwrap();
    store.put("identity-ed25519", &[5; 32]).unwrap();
    let mut bytes = std::fs::read(file(dir.path())).unwrap();
    let last = bytes.len() - 10;
    bytes[last] ^= 0xff;
    std::fs::write(file(dir.path()), &bytes).unwrap();
    let err = store.put("invite-x", b"new").unwrap_err();
    assert!(err.0.contains("damaged"), "{err}");
    assert!(store.delete("identity-ed25519").is_err());
    assert!(store.get("identity-ed25519").is_err());
    assert_eq!(std::fs::read(file(dir.path())).unwrap(), bytes);
    // Someone replaced the file with one under another passphrase: refused too.
    let other = tempfile::tempdir().unwrap();
    open(other.path(), "another").unwrap();
    std::fs::copy(file(other.path()), file(dir.path())).unwrap();
    let replaced = std::fs::read(file(dir.path())).unwrap();
    assert!(store
        .put("invite-x", b"new")
        .unwrap_err()
        .0
        .contains("wrong passphrase"));
    assert_eq!(std::fs::read(file(dir.path())).unwrap(), replaced);
}

#[test]
fn two_openers_of_one_directory_lose_no_update() {
    let dir = tempfile::tempdir().unwrap();
    let a = open(dir.path(), "shared").unwrap();
    let b = open(dir.path(), "shared").unwrap();
    std::thread::scope(|s| {
        for (name, store) in [("a", &a), ("b", &b)] {
            for t in 0..2 {
                s.spawn(move || {
                    for i in 0..15 {
                        store
                            .put(&format!("{name}{t}-{i}"), name.as_bytes())
                            .unwrap();
                    }
                });
            }
        }
    });
    for name in ["a", "b"] {
        for t in 0..2 {
            for i in 0..15 {
                let key = format!("{name}{t}-{i}");
                assert_eq!(
                    b.get(&key).unwrap().as_deref(),
                    Some(name.as_bytes()),
                    "{key} was lost"
                );
            }
        }
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[cfg(unix)]
#[test]
fn the_file_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), "pw").unwrap();
    store.put("a", b"1").unwrap();
    for name in [FILE_NAME.to_owned(), format!("{FILE_NAME}.lock")] {
        let mode = std::fs::metadata(dir.path().join(&name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{name}");
    }
}

#[test]
fn debug_never_shows_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), "pw").unwrap();
    let shown = format!("{store:?}");
    assert!(
        shown.contains("PassphraseFileStore") && !shown.contains("key"),
        "{shown}"
    );
}
