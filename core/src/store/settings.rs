//! The person's settings as plain key/value pairs, so every shell (the phone apps, the
//! CLI) reads the same name and network choices from the data directory.

use rusqlite::{params, OptionalExtension};

use super::{Store, StoreError};

impl Store {
    /// One setting, if it was ever saved.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
            .query_row(params![key], |r| r.get(0))
            .optional()?)
    }

    /// Saves (or replaces) one setting.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_setting_is_saved_replaced_and_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        {
            let store = Store::open(&path).unwrap();
            assert_eq!(store.setting("name").unwrap(), None);
            store.set_setting("name", "Ana").unwrap();
            store.set_setting("name", "Ana B").unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.setting("name").unwrap().as_deref(), Some("Ana B"));
    }
}
