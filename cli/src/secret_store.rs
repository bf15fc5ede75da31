//! Choosing where the CLI keeps secrets (the identity key, pending invites), and
//! telling the person which place it chose.
//!
//! `auto` (the default) uses the OS credential store when a real write/read/delete
//! works there; otherwise the passphrase-encrypted file in the data directory, with
//! the passphrase from `TINCAN_PASSPHRASE` or typed on the terminal. There is no
//! silent plaintext fallback: with neither a store nor a passphrase, Tincan stops and
//! says what to do.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use tincan_core::secrets::{
    import_plaintext_dir, KeyringSecretStore, PassphraseFileError, PassphraseFileStore,
    SecretStore, LEGACY_DIR_NAME,
};
use zeroize::Zeroizing;

/// The environment variable holding the secrets-file passphrase.
pub const PASSPHRASE_ENV: &str = "TINCAN_PASSPHRASE";

/// Tries a person gets to type the passphrase of an existing file.
const PROMPT_TRIES: usize = 3;

/// Where secrets go (`--secret-store`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum SecretStoreChoice {
    /// The OS credential store if it works, else the passphrase-encrypted file.
    #[default]
    Auto,
    /// Only the OS credential store (fails if there is none).
    Keyring,
    /// Only the passphrase-encrypted file in the data directory.
    PassphraseFile,
}

/// The store in use and the sentence that tells the person about it.
pub struct OpenedStore {
    /// The store.
    pub store: Arc<dyn SecretStore>,
    /// Printed once on standard error.
    pub notice: String,
}

/// Opens the store `choice` asks for, for the data directory `dir`; moves secrets
/// left in plaintext by older releases into it.
pub fn open(choice: SecretStoreChoice, dir: &Path) -> Result<OpenedStore> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut opened = match choice {
        SecretStoreChoice::Keyring => {
            keyring(dir).context("--secret-store keyring: the OS credential store is not usable")?
        }
        SecretStoreChoice::PassphraseFile => passphrase_file(dir, None)?,
        SecretStoreChoice::Auto => match keyring(dir) {
            Ok(opened) => opened,
            Err(why) => passphrase_file(dir, Some(&format!("{why:#}")))?,
        },
    };
    let legacy = dir.join(LEGACY_DIR_NAME);
    match import_plaintext_dir(&legacy, opened.store.as_ref()) {
        Ok(0) => {}
        Ok(n) => opened.notice.push_str(&format!(
            "\nMoved {n} secret(s) left in plaintext by an older Tincan from {} into it, \
             and deleted the plaintext copies.",
            legacy.display()
        )),
        Err(e) => opened.notice.push_str(&format!(
            "\nWarning: secrets left in plaintext by an older Tincan could not all be moved: {e}"
        )),
    }
    Ok(opened)
}

/// The OS store, namespaced by the data directory so two instances never mix.
fn keyring(dir: &Path) -> Result<OpenedStore> {
    let canonical = dir
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", dir.display()))?;
    // The store's own words, without the generic "the secret store failed" prefix.
    let store = KeyringSecretStore::probe(&canonical.to_string_lossy())
        .map_err(|e| anyhow::anyhow!(e.0))?;
    Ok(OpenedStore {
        store: Arc::new(store),
        notice: format!(
            "Secrets (your identity key, pending invites) are kept in {}.",
            KeyringSecretStore::platform_store_name()
        ),
    })
}

/// The passphrase file; `no_keyring` is why the OS store was not used (in `auto`).
fn passphrase_file(dir: &Path, no_keyring: Option<&str>) -> Result<OpenedStore> {
    let exists = PassphraseFileStore::exists(dir);
    let store = match std::env::var(PASSPHRASE_ENV) {
        Ok(passphrase) if !passphrase.is_empty() => {
            PassphraseFileStore::open(dir, &Zeroizing::new(passphrase))
                .map_err(|e| explain(e, &format!("the passphrase in {PASSPHRASE_ENV}")))?
        }
        _ if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() => {
            if let Some(why) = no_keyring {
                eprintln!("No OS credential store is usable here ({why}).");
            }
            prompt_and_open(dir, exists)?
        }
        _ => {
            let why = no_keyring.map_or(String::new(), |w| {
                format!("No OS credential store is usable here ({w}), and t")
            });
            let start = if why.is_empty() { "T" } else { "" };
            bail!(
                "{why}{start}he encrypted secrets file needs a passphrase, but none was given \
                 and there is no terminal to type one. Set {PASSPHRASE_ENV}, or run tincan in a \
                 terminal, or use a desktop session with a Secret Service (GNOME Keyring, \
                 KWallet)."
            );
        }
    };
    let path = store.path().display().to_string();
    let notice = match no_keyring {
        Some(why) => format!(
            "No OS credential store is usable here ({why}). Secrets (your identity key, \
             pending invites) are kept in {path}, encrypted with your passphrase; without it \
             they cannot be recovered."
        ),
        None => format!(
            "Secrets (your identity key, pending invites) are kept in {path}, encrypted with \
             your passphrase; without it they cannot be recovered."
        ),
    };
    Ok(OpenedStore {
        store: Arc::new(store),
        notice,
    })
}

/// Asks on the terminal: twice for a new file, up to [`PROMPT_TRIES`] times for an
/// existing one.
fn prompt_and_open(dir: &Path, exists: bool) -> Result<PassphraseFileStore> {
    if !exists {
        eprintln!(
            "Choose a passphrase for the encrypted secrets file in {} (set {PASSPHRASE_ENV} \
             to skip this question).",
            dir.display()
        );
        let first = read_passphrase("New passphrase: ")?;
        let second = read_passphrase("Repeat it: ")?;
        if *first != *second {
            bail!("the two passphrases differ; nothing was created");
        }
        return PassphraseFileStore::open(dir, &first)
            .map_err(|e| explain(e, "the passphrase you typed"));
    }
    let mut tries = 0;
    loop {
        tries += 1;
        let passphrase = read_passphrase("Passphrase for Tincan's secrets: ")?;
        match PassphraseFileStore::open(dir, &passphrase) {
            Err(PassphraseFileError::WrongPassphrase { .. }) if tries < PROMPT_TRIES => {
                eprintln!("That passphrase does not open the secrets file; try again.");
            }
            other => return other.map_err(|e| explain(e, "the passphrase you typed")),
        }
    }
}

fn read_passphrase(prompt: &str) -> Result<Zeroizing<String>> {
    rpassword::prompt_password(prompt)
        .map(Zeroizing::new)
        .context("cannot read the passphrase")
}

/// Adds where a wrong passphrase came from.
fn explain(e: PassphraseFileError, source: &str) -> anyhow::Error {
    match e {
        PassphraseFileError::WrongPassphrase { .. } => {
            anyhow::Error::new(e).context(format!("{source} does not open the secrets file"))
        }
        other => anyhow::Error::new(other),
    }
}
