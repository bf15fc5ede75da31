//! Contacts: the peers whose identity keys we learned on a first connection.
//!
//! A contact's id is the hex of the identity key it was first seen with and never
//! changes. A *different* key later presented on the same conversation is never
//! adopted silently: it is parked in `changed_identity_key` and reported, until the
//! person compares safety numbers and accepts it.

use rusqlite::{params, OptionalExtension, Row};

use super::{Store, StoreError};

/// One contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRecord {
    /// Stable id (hex of the first identity key).
    pub id: String,
    /// The identity key we trust for this contact.
    pub identity_key: [u8; 32],
    /// The name the contact gave.
    pub display_name: Option<String>,
    /// Whether the person compared safety numbers.
    pub verified: bool,
    /// Unix seconds.
    pub added_at: u64,
    /// A different key the contact's conversation presented, not trusted (yet).
    pub changed_identity_key: Option<[u8; 32]>,
    /// The contact id of whoever introduced them (issue #15), if they met that way.
    pub introduced_by: Option<String>,
}

/// What learning a peer's identity key on a conversation meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityOutcome {
    /// First time: a new contact was stored.
    NewContact(ContactRecord),
    /// The key we already trust for this conversation (or a known contact met again
    /// through a new invite).
    Known(ContactRecord),
    /// This conversation's contact now presents another key: a loud warning.
    Changed {
        /// The contact as trusted so far.
        contact: ContactRecord,
        /// The key now presented.
        presented: [u8; 32],
    },
}

fn key32(v: Vec<u8>) -> Result<[u8; 32], StoreError> {
    v.try_into()
        .map_err(|_| StoreError::Corrupt("an identity key is not 32 bytes".into()))
}

type ContactRow = (
    String,
    Vec<u8>,
    Option<String>,
    bool,
    i64,
    Option<Vec<u8>>,
    Option<String>,
);

fn contact_row(r: &Row<'_>) -> rusqlite::Result<ContactRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get::<_, i64>(3)? != 0,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

fn finish(row: ContactRow) -> Result<ContactRecord, StoreError> {
    let (id, key, display_name, verified, added_at, changed, introduced_by) = row;
    Ok(ContactRecord {
        id,
        identity_key: key32(key)?,
        display_name,
        verified,
        added_at: added_at.max(0) as u64,
        changed_identity_key: changed.map(key32).transpose()?,
        introduced_by,
    })
}

const CONTACT_COLUMNS: &str =
    "id, identity_key, display_name, verified, added_at, changed_identity_key, introduced_by";

/// The contact id for an identity key.
pub fn contact_id(key: &[u8; 32]) -> String {
    key.iter().map(|b| format!("{b:02x}")).collect()
}

impl Store {
    /// One contact.
    pub fn contact(&self, id: &str) -> Result<Option<ContactRecord>, StoreError> {
        let row = self
            .conn
            .query_row(
                &format!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE id = ?1"),
                params![id],
                contact_row,
            )
            .optional()?;
        row.map(finish).transpose()
    }

    /// Every contact, by name.
    pub fn contacts(&self) -> Result<Vec<ContactRecord>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts ORDER BY display_name, id"
        ))?;
        let rows = stmt
            .query_map([], contact_row)?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(finish).collect()
    }

    /// Records the identity key a conversation's peer proved it holds. One
    /// transaction; see [`IdentityOutcome`].
    pub fn learn_identity(
        &mut self,
        conversation: &str,
        key: &[u8; 32],
        name: Option<&str>,
        now: u64,
    ) -> Result<IdentityOutcome, StoreError> {
        let tx = self.conn.transaction()?;
        let linked: Option<Option<String>> = tx
            .query_row(
                "SELECT contact_id FROM conversations WHERE id = ?1",
                params![conversation],
                |r| r.get(0),
            )
            .optional()?;
        let Some(linked) = linked else {
            return Err(StoreError::Corrupt(format!(
                "no conversation {conversation} to attach a contact to"
            )));
        };
        let load = |id: &str| -> Result<Option<ContactRecord>, StoreError> {
            tx.query_row(
                &format!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE id = ?1"),
                params![id],
                contact_row,
            )
            .optional()?
            .map(finish)
            .transpose()
        };
        if let Some(contact_id) = linked {
            let contact = load(&contact_id)?.ok_or_else(|| {
                StoreError::Corrupt(format!("conversation names missing contact {contact_id}"))
            })?;
            if &contact.identity_key != key {
                tx.execute(
                    "UPDATE contacts SET changed_identity_key = ?2 WHERE id = ?1",
                    params![contact.id, key.as_slice()],
                )?;
                tx.commit()?;
                return Ok(IdentityOutcome::Changed {
                    contact,
                    presented: *key,
                });
            }
            if name.is_some() {
                tx.execute(
                    "UPDATE contacts SET display_name = ?2 WHERE id = ?1",
                    params![contact.id, name],
                )?;
            }
            let contact = load(&contact.id)?.unwrap_or(contact);
            tx.commit()?;
            return Ok(IdentityOutcome::Known(contact));
        }
        let id = contact_id(key);
        let existing = load(&id)?;
        if existing.is_none() {
            tx.execute(
                "INSERT INTO contacts (id, identity_key, display_name, added_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    id,
                    key.as_slice(),
                    name,
                    i64::try_from(now).unwrap_or(i64::MAX)
                ],
            )?;
        } else if name.is_some() {
            tx.execute(
                "UPDATE contacts SET display_name = ?2 WHERE id = ?1",
                params![id, name],
            )?;
        }
        tx.execute(
            "UPDATE conversations SET contact_id = ?2 WHERE id = ?1",
            params![conversation, id],
        )?;
        let contact =
            load(&id)?.ok_or_else(|| StoreError::Corrupt(format!("contact {id} vanished")))?;
        tx.commit()?;
        Ok(match existing {
            None => IdentityOutcome::NewContact(contact),
            Some(_) => IdentityOutcome::Known(contact),
        })
    }

    /// The person compared safety numbers with the contact's *new* key and accepts it:
    /// it becomes the trusted key and verification starts over.
    pub fn accept_changed_identity(&self, contact: &str) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "UPDATE contacts SET identity_key = changed_identity_key,
                 changed_identity_key = NULL, verified = 0
             WHERE id = ?1 AND changed_identity_key IS NOT NULL",
            params![contact],
        )?;
        Ok(n > 0)
    }

    /// Records whether the person compared safety numbers with this contact.
    pub fn set_verified(&self, contact: &str, verified: bool) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "UPDATE contacts SET verified = ?2 WHERE id = ?1",
            params![contact, verified],
        )?;
        Ok(n > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protect::keys::Role;
    use crate::store::ConversationRecord;

    fn store_with(conversations: &[&str]) -> Store {
        let store = Store::in_memory().unwrap();
        for id in conversations {
            store
                .add_conversation(&ConversationRecord {
                    id: (*id).into(),
                    role: Role::Joiner,
                    contact: None,
                    created_at: 1,
                    remote_sdp: String::new(),
                    local_port: None,
                    closed: false,
                })
                .unwrap();
        }
        store
    }

    #[test]
    fn first_key_makes_a_contact_and_a_changed_key_is_parked_not_adopted() {
        let mut store = store_with(&["c1"]);
        let k1 = [1u8; 32];
        let k2 = [2u8; 32];
        let IdentityOutcome::NewContact(c) =
            store.learn_identity("c1", &k1, Some("Ana"), 5).unwrap()
        else {
            panic!("expected a new contact")
        };
        assert_eq!(c.display_name.as_deref(), Some("Ana"));
        assert!(matches!(
            store.learn_identity("c1", &k1, None, 6).unwrap(),
            IdentityOutcome::Known(_)
        ));
        let outcome = store.learn_identity("c1", &k2, Some("Mallory"), 7).unwrap();
        assert!(matches!(outcome, IdentityOutcome::Changed { presented, .. } if presented == k2));
        let stored = store.contact(&c.id).unwrap().unwrap();
        assert_eq!(stored.identity_key, k1, "the trusted key did not change");
        assert_eq!(stored.display_name.as_deref(), Some("Ana"));
        assert_eq!(stored.changed_identity_key, Some(k2));
        assert!(store.accept_changed_identity(&c.id).unwrap());
        let stored = store.contact(&c.id).unwrap().unwrap();
        assert_eq!(stored.identity_key, k2);
        assert_eq!(stored.changed_identity_key, None);
        assert!(!stored.verified);
    }

    #[test]
    fn a_known_key_on_a_new_conversation_is_the_same_contact() {
        let mut store = store_with(&["c1", "c2"]);
        let k = [9u8; 32];
        store.learn_identity("c1", &k, Some("Ben"), 1).unwrap();
        assert!(matches!(
            store.learn_identity("c2", &k, None, 2).unwrap(),
            IdentityOutcome::Known(c) if c.display_name.as_deref() == Some("Ben")
        ));
        assert_eq!(store.contacts().unwrap().len(), 1);
        assert!(store.learn_identity("nope", &k, None, 3).is_err());
        assert!(store.set_verified(&contact_id(&k), true).unwrap());
        assert!(store.contact(&contact_id(&k)).unwrap().unwrap().verified);
    }
}
