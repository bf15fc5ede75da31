//! The explicit fallback where no OS credential store exists (a headless server):
//! every secret in one file in the data directory, encrypted under a passphrase.
//!
//! The passphrase is hardened with Argon2id (the same parameters and limits as
//! invite answers, [`crate::protect::argon`]) with a random 16-byte salt, once when
//! the file is opened; the derived key stays in memory (zeroized on drop) for the
//! session. The contents are sealed with XChaCha20-Poly1305 under a fresh random nonce
//! on every write, with the header bound in as associated data.
//!
//! # File layout (big-endian)
//!
//! | bytes | field |
//! |---|---|
//! | 8 | magic `TINCANSF` |
//! | 1 | format version, 1 |
//! | 3 | Argon2id parameters (log2 KiB, passes, lanes) |
//! | 16 | salt |
//! | 16 | passphrase check: HKDF-SHA256(hardened, "…check") |
//! | 24 | nonce |
//! | n | sealed entries (`u32` count, then per entry `u16`-length key, `u32`-length value) |
//! | 4 | CRC-32 of everything before |
//!
//! The CRC tells a damaged file from a wrong passphrase: a file whose CRC holds but
//! whose check value differs was opened with the wrong passphrase; a CRC that fails,
//! or a seal that does not open although the check matched, is damage. Either way the
//! file is left exactly as it is — it may hold the person's identity.
//!
//! # Safety of writes
//!
//! Every change re-reads the file (another process with the same data directory may
//! have written since), holds an exclusive advisory lock on `secrets.tincan.lock` for
//! the read–modify–write, writes a temporary file with owner-only permissions, syncs
//! it and renames it over the old one. A crash leaves the old file or the new one,
//! never half of either. If the current file cannot be read, nothing is written.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use hkdf::Hkdf;
use rand_core::RngCore;
use sha2::Sha256;
use thiserror::Error;
use unicode_normalization::UnicodeNormalization;
use zeroize::Zeroizing;

use super::{invalid_key, is_valid_key, SecretStore, SecretStoreError};
use crate::bytes::{FormatError, Reader};
use crate::protect::argon::{self, ArgonParams};
use crate::protect::seal::{self, NONCE_LEN, TAG_LEN};

/// The file's name inside the data directory.
pub const FILE_NAME: &str = "secrets.tincan";

const MAGIC: &[u8; 8] = b"TINCANSF";
const VERSION: u8 = 1;
const SALT_LEN: usize = 16;
const CHECK_LEN: usize = 16;
const HEADER_LEN: usize = 8 + 1 + 3 + SALT_LEN + CHECK_LEN + NONCE_LEN;
const CRC_LEN: usize = 4;
/// Far above what a node stores (a few KiB per pending invite); refuses absurd files
/// before reading them into memory.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
const KEY_INFO: &[u8] = b"tincan secrets file v1 key";
const CHECK_INFO: &[u8] = b"tincan secrets file v1 check";

/// Why the secrets file could not be opened or changed. Each message says what to do.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PassphraseFileError {
    /// An empty passphrase would protect nothing.
    #[error("the secrets file needs a passphrase; an empty one would protect nothing")]
    EmptyPassphrase,
    /// The passphrase does not open this file. Nothing was changed.
    #[error(
        "wrong passphrase for the secrets file {}: it does not open it (nothing was changed). \
         Try again with the passphrase you chose when it was created",
        .path.display()
    )]
    WrongPassphrase {
        /// The file.
        path: PathBuf,
    },
    /// The file is damaged. It was left exactly as it is.
    #[error(
        "the secrets file {} is damaged ({reason}); it was left as it is. Restore it from a \
         backup, or move it away to start over (the identity and pending invites in it \
         would be lost)",
        .path.display()
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong, in words (never any secret).
        reason: String,
    },
    /// The file was written by a newer release.
    #[error(
        "the secrets file {} was written by a newer version of Tincan (format {version}); \
         update Tincan to use it",
        .path.display()
    )]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// The format version found.
        version: u8,
    },
    /// The file system refused.
    #[error("cannot use the secrets file {}: {reason}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
}

impl From<PassphraseFileError> for SecretStoreError {
    fn from(e: PassphraseFileError) -> Self {
        SecretStoreError(e.to_string())
    }
}

/// The entries, zeroized when dropped.
type Entries = BTreeMap<String, Zeroizing<Vec<u8>>>;

/// Secrets in one passphrase-encrypted file. See the module documentation.
pub struct PassphraseFileStore {
    path: PathBuf,
    lock_path: PathBuf,
    params: ArgonParams,
    salt: [u8; SALT_LEN],
    check: [u8; CHECK_LEN],
    key: Zeroizing<[u8; 32]>,
    /// Serialises this process's writers (the file lock serialises processes).
    writing: Mutex<()>,
}

impl std::fmt::Debug for PassphraseFileStore {
    // Never the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PassphraseFileStore")
            .field("path", &self.path)
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

impl PassphraseFileStore {
    /// Whether `dir` already has a secrets file (a shell asks for a new passphrase
    /// twice, an existing one once).
    pub fn exists(dir: &Path) -> bool {
        dir.join(FILE_NAME).exists()
    }

    /// Opens the secrets file in `dir` with `passphrase`, creating `dir` and an empty
    /// file (with Tincan's default Argon2id cost) when there is none.
    ///
    /// Takes as long as one Argon2id derivation (a few hundred milliseconds). The
    /// passphrase is NFC-normalised, so the same words typed on different systems
    /// open the same file.
    pub fn open(dir: &Path, passphrase: &str) -> Result<Self, PassphraseFileError> {
        Self::open_with_params(dir, passphrase, argon::DEFAULT)
    }

    /// Like [`PassphraseFileStore::open`], with the cost used when the file is
    /// created (an existing file keeps its own). Tests use [`argon::FLOOR`].
    pub fn open_with_params(
        dir: &Path,
        passphrase: &str,
        params_if_new: ArgonParams,
    ) -> Result<Self, PassphraseFileError> {
        if passphrase.is_empty() {
            return Err(PassphraseFileError::EmptyPassphrase);
        }
        let passphrase: Zeroizing<String> = Zeroizing::new(passphrase.nfc().collect());
        let path = dir.join(FILE_NAME);
        let io = |e: std::io::Error| PassphraseFileError::Io {
            path: path.clone(),
            reason: e.to_string(),
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let lock_path = dir.join(format!("{FILE_NAME}.lock"));
        let lock = lock_file(&lock_path)?;
        let existing = read_file(&path)?;
        let store = match existing {
            Some(bytes) => {
                let header = Header::parse(&path, &bytes)?;
                let (key, check) = derive(&path, &passphrase, &header.salt, header.params)?;
                if check != header.check {
                    return Err(PassphraseFileError::WrongPassphrase { path });
                }
                let store = Self::assemble(path, lock_path, header.params, header.salt, check, key);
                // Prove the contents open now, not at the first get.
                store.decrypt(&bytes)?;
                store
            }
            None => {
                let mut salt = [0u8; SALT_LEN];
                rand_core::OsRng.fill_bytes(&mut salt);
                let (key, check) = derive(&path, &passphrase, &salt, params_if_new)?;
                let store = Self::assemble(path, lock_path, params_if_new, salt, check, key);
                store.write(&Entries::new())?;
                store
            }
        };
        drop(lock);
        Ok(store)
    }

    fn assemble(
        path: PathBuf,
        lock_path: PathBuf,
        params: ArgonParams,
        salt: [u8; SALT_LEN],
        check: [u8; CHECK_LEN],
        key: Zeroizing<[u8; 32]>,
    ) -> Self {
        Self {
            path,
            lock_path,
            params,
            salt,
            check,
            key,
            writing: Mutex::new(()),
        }
    }

    /// The file, to tell the person where their secrets are.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads and opens the current file.
    fn load(&self) -> Result<Entries, PassphraseFileError> {
        match read_file(&self.path)? {
            Some(bytes) => self.decrypt(&bytes),
            None => Err(PassphraseFileError::Corrupt {
                path: self.path.clone(),
                reason: "the file has disappeared since it was opened".into(),
            }),
        }
    }

    fn decrypt(&self, bytes: &[u8]) -> Result<Entries, PassphraseFileError> {
        let corrupt = |reason: &str| PassphraseFileError::Corrupt {
            path: self.path.clone(),
            reason: reason.to_owned(),
        };
        let header = Header::parse(&self.path, bytes)?;
        if header.salt != self.salt || header.params != self.params {
            // Someone replaced the file since it was opened: our key is for another one.
            return Err(PassphraseFileError::WrongPassphrase {
                path: self.path.clone(),
            });
        }
        if header.check != self.check {
            return Err(PassphraseFileError::WrongPassphrase {
                path: self.path.clone(),
            });
        }
        let sealed = bytes
            .get(HEADER_LEN..bytes.len() - CRC_LEN)
            .ok_or_else(|| corrupt("too short"))?;
        let aad = bytes
            .get(..HEADER_LEN)
            .ok_or_else(|| corrupt("too short"))?;
        let plain = seal::open(&self.key, &header.nonce, aad, sealed)
            .map(Zeroizing::new)
            .ok_or_else(|| corrupt("the encrypted contents do not open"))?;
        decode_entries(&plain).map_err(|e| corrupt(&format!("the entries are malformed: {e}")))
    }

    /// Seals `entries` and replaces the file atomically.
    fn write(&self, entries: &Entries) -> Result<(), PassphraseFileError> {
        let io = |e: std::io::Error| PassphraseFileError::Io {
            path: self.path.clone(),
            reason: e.to_string(),
        };
        let mut nonce = [0u8; NONCE_LEN];
        rand_core::OsRng.fill_bytes(&mut nonce);
        let mut out = Vec::with_capacity(HEADER_LEN + 64);
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        self.params.write(&mut out);
        out.extend_from_slice(&self.salt);
        out.extend_from_slice(&self.check);
        out.extend_from_slice(&nonce);
        let plain = encode_entries(entries).map_err(|reason| PassphraseFileError::Io {
            path: self.path.clone(),
            reason,
        })?;
        let sealed = seal::seal(&self.key, &nonce, &out, &plain);
        out.extend_from_slice(&sealed);
        let crc = crc32fast::hash(&out);
        out.extend_from_slice(&crc.to_be_bytes());

        let tmp = self
            .path
            .with_file_name(format!("{FILE_NAME}.tmp-{}", std::process::id()));
        let result = (|| {
            let mut file = owner_only_create(&tmp)?;
            file.write_all(&out)?;
            file.sync_all()?;
            drop(file);
            std::fs::rename(&tmp, &self.path)?;
            sync_dir(&self.path);
            Ok(())
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result.map_err(io)
    }

    /// Read–modify–write under both locks; nothing is written if the read fails.
    fn modify(&self, change: impl FnOnce(&mut Entries)) -> Result<(), PassphraseFileError> {
        let _writing = self.writing.lock().unwrap_or_else(|p| p.into_inner());
        let _lock = lock_file(&self.lock_path)?;
        let mut entries = self.load()?;
        change(&mut entries);
        self.write(&entries)
    }
}

impl SecretStore for PassphraseFileStore {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, SecretStoreError> {
        if !is_valid_key(key) {
            return Err(invalid_key(key));
        }
        let mut entries = self.load()?;
        Ok(entries.remove(key).map(|v| v.to_vec()))
    }

    fn put(&self, key: &str, value: &[u8]) -> Result<(), SecretStoreError> {
        if !is_valid_key(key) {
            return Err(invalid_key(key));
        }
        Ok(self.modify(|e| {
            e.insert(key.to_owned(), Zeroizing::new(value.to_vec()));
        })?)
    }

    fn delete(&self, key: &str) -> Result<(), SecretStoreError> {
        if !is_valid_key(key) {
            return Err(invalid_key(key));
        }
        Ok(self.modify(|e| {
            e.remove(key);
        })?)
    }
}

/// The clear fields in front of the sealed entries.
struct Header {
    params: ArgonParams,
    salt: [u8; SALT_LEN],
    check: [u8; CHECK_LEN],
    nonce: [u8; NONCE_LEN],
}

impl Header {
    /// Checks magic, CRC, version and parameter limits, in that order, so a damaged
    /// file is reported as damaged and a hostile one cannot demand a huge derivation.
    fn parse(path: &Path, bytes: &[u8]) -> Result<Self, PassphraseFileError> {
        let corrupt = |reason: String| PassphraseFileError::Corrupt {
            path: path.to_owned(),
            reason,
        };
        if bytes.get(..MAGIC.len()) != Some(&MAGIC[..]) {
            return Err(corrupt("it is not a Tincan secrets file".into()));
        }
        if bytes.len() < HEADER_LEN + TAG_LEN + CRC_LEN {
            return Err(corrupt(format!("it is too short ({} bytes)", bytes.len())));
        }
        let (body, crc) = bytes.split_at(bytes.len() - CRC_LEN);
        if crc32fast::hash(body).to_be_bytes() != crc {
            return Err(corrupt("its checksum does not match".into()));
        }
        let fmt = |e: FormatError| corrupt(e.to_string());
        let mut r = Reader::new(body);
        r.take(MAGIC.len(), "magic").map_err(fmt)?;
        let version = r.u8("version").map_err(fmt)?;
        if version != VERSION {
            return Err(PassphraseFileError::UnsupportedVersion {
                path: path.to_owned(),
                version,
            });
        }
        let params = ArgonParams::read(&mut r).map_err(fmt)?;
        params
            .check()
            .map_err(|e| corrupt(format!("its key-derivation cost is refused: {e}")))?;
        Ok(Self {
            params,
            salt: r.array("salt").map_err(fmt)?,
            check: r.array("passphrase check").map_err(fmt)?,
            nonce: r.array("nonce").map_err(fmt)?,
        })
    }
}

/// Argon2id, then HKDF into the sealing key and the passphrase check.
fn derive(
    path: &Path,
    passphrase: &str,
    salt: &[u8; SALT_LEN],
    params: ArgonParams,
) -> Result<(Zeroizing<[u8; 32]>, [u8; CHECK_LEN]), PassphraseFileError> {
    #[cfg(test)]
    tests::DERIVATIONS.with(|n| n.set(n.get() + 1));
    let hardened =
        argon::harden(passphrase, salt, params).map_err(|e| PassphraseFileError::Io {
            path: path.to_owned(),
            reason: format!("the passphrase could not be hardened: {e}"),
        })?;
    let hk = Hkdf::<Sha256>::new(None, hardened.as_slice());
    let mut key = Zeroizing::new([0u8; 32]);
    let mut check = [0u8; CHECK_LEN];
    // 32 and 16 bytes are far below HKDF-SHA256's 8160-byte limit.
    hk.expand(KEY_INFO, key.as_mut_slice())
        .and_then(|()| hk.expand(CHECK_INFO, &mut check))
        .map_err(|_| PassphraseFileError::Io {
            path: path.to_owned(),
            reason: "key expansion failed".into(),
        })?;
    Ok((key, check))
}

fn encode_entries(entries: &Entries) -> Result<Zeroizing<Vec<u8>>, String> {
    let mut out = Zeroizing::new(Vec::new());
    let count = u32::try_from(entries.len()).map_err(|_| "too many secrets".to_owned())?;
    out.extend_from_slice(&count.to_be_bytes());
    for (k, v) in entries {
        let klen = u16::try_from(k.len()).map_err(|_| "a secret name is too long".to_owned())?;
        let vlen = u32::try_from(v.len()).map_err(|_| "a secret is too large".to_owned())?;
        out.extend_from_slice(&klen.to_be_bytes());
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(&vlen.to_be_bytes());
        out.extend_from_slice(v);
    }
    Ok(out)
}

fn decode_entries(plain: &[u8]) -> Result<Entries, FormatError> {
    let mut r = Reader::new(plain);
    let count = r.u32("entry count")?;
    let mut entries = Entries::new();
    for _ in 0..count {
        let klen = usize::from(r.u16("name length")?);
        let key =
            std::str::from_utf8(r.take(klen, "name")?).map_err(|_| FormatError::Invalid("name"))?;
        let vlen = usize::try_from(r.u32("value length")?)
            .map_err(|_| FormatError::Invalid("value length"))?;
        let value = r.take(vlen, "value")?;
        entries.insert(key.to_owned(), Zeroizing::new(value.to_vec()));
    }
    r.finish()?;
    Ok(entries)
}

/// The whole file, `None` if it does not exist.
fn read_file(path: &Path) -> Result<Option<Vec<u8>>, PassphraseFileError> {
    let io = |e: std::io::Error| PassphraseFileError::Io {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
        Ok(m) if m.len() > MAX_FILE_BYTES => {
            return Err(PassphraseFileError::Corrupt {
                path: path.to_owned(),
                reason: format!("it is implausibly large ({} bytes)", m.len()),
            })
        }
        Ok(_) => {}
    }
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(e)),
    }
}

/// An exclusive advisory lock, released when the returned file is dropped.
// `File::lock` is Rust 1.89. The workspace still declares 1.85, but its dependencies
// already need 1.89 (rusqlite 0.43; keyring 4 needs 1.88), so nothing older builds.
#[allow(clippy::incompatible_msrv)]
fn lock_file(path: &Path) -> Result<File, PassphraseFileError> {
    let io = |e: std::io::Error| PassphraseFileError::Io {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    let file = owner_only_options().read(true).open(path).map_err(io)?;
    file.lock().map_err(io)?;
    Ok(file)
}

fn owner_only_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// Creates (truncating) a file only its owner can read, from the first byte on.
fn owner_only_create(path: &Path) -> std::io::Result<File> {
    let file = owner_only_options().truncate(true).open(path)?;
    // `mode` applies only to new files; a leftover temporary file keeps its mode.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

/// Makes the rename durable (best effort: not every platform can sync a directory).
fn sync_dir(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests;
