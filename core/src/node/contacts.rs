//! Contacts as a shell shows them, and the person's decisions about them: verifying a
//! safety number, accepting a changed identity key.

use super::{lock, Node, NodeError};
use crate::identity;
use crate::store::ContactRecord;

/// A contact as a shell lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactInfo {
    /// Stable id.
    pub id: String,
    /// The name the contact gave.
    pub name: Option<String>,
    /// What the two people compare (digits), for the trusted key.
    pub safety_number: String,
    /// Whether the person confirmed the safety number.
    pub verified: bool,
    /// The contact presented a different key that is not trusted: warn loudly.
    pub identity_changed: bool,
    /// The contact id of whoever introduced them, if they met by an introduction:
    /// shown ("introduced by Ana, not verified") until the safety number is compared,
    /// because the introducer chose which key to forward.
    pub introduced_by: Option<String>,
}

impl Node {
    fn contact_info(&self, c: ContactRecord) -> ContactInfo {
        ContactInfo {
            safety_number: identity::safety_number(
                &self.inner.ctx.identity.public_key(),
                &c.identity_key,
            ),
            id: c.id,
            name: c.display_name,
            verified: c.verified,
            identity_changed: c.changed_identity_key.is_some(),
            introduced_by: c.introduced_by,
        }
    }

    /// Every contact.
    pub fn contacts(&self) -> Result<Vec<ContactInfo>, NodeError> {
        let records = lock(&self.inner.store).contacts()?;
        Ok(records.into_iter().map(|c| self.contact_info(c)).collect())
    }

    /// One contact.
    pub fn contact(&self, id: &str) -> Result<ContactInfo, NodeError> {
        let record = lock(&self.inner.store)
            .contact(id)?
            .ok_or_else(|| NodeError::UnknownContact(id.to_owned()))?;
        Ok(self.contact_info(record))
    }

    /// This device's identity public key (hex): what contacts know us by.
    pub fn identity_key(&self) -> String {
        super::peer::hex(&self.inner.ctx.identity.public_key())
    }

    /// The text a safety-number QR code carries for this contact; scanning the
    /// other phone's code and passing it to [`Node::verify_scanned`] compares them.
    pub fn safety_qr_payload(&self, contact: &str) -> Result<String, NodeError> {
        let record = lock(&self.inner.store)
            .contact(contact)?
            .ok_or_else(|| NodeError::UnknownContact(contact.to_owned()))?;
        Ok(identity::safety_qr_payload(
            &self.inner.ctx.identity.public_key(),
            &record.identity_key,
        ))
    }

    /// Compares a scanned safety-number QR payload with ours; a match marks the
    /// contact verified. Returns whether it matched.
    pub fn verify_scanned(&self, contact: &str, payload: &str) -> Result<bool, NodeError> {
        let record = lock(&self.inner.store)
            .contact(contact)?
            .ok_or_else(|| NodeError::UnknownContact(contact.to_owned()))?;
        let matched = identity::compare_scanned(
            payload,
            &self.inner.ctx.identity.public_key(),
            &record.identity_key,
        )
        .map_err(|e| NodeError::Invalid(e.to_string()))?;
        if matched {
            lock(&self.inner.store).set_verified(contact, true)?;
        }
        Ok(matched)
    }

    /// Records that the person compared safety numbers (or withdraws it).
    pub fn set_verified(&self, contact: &str, verified: bool) -> Result<(), NodeError> {
        if lock(&self.inner.store).set_verified(contact, verified)? {
            Ok(())
        } else {
            Err(NodeError::UnknownContact(contact.to_owned()))
        }
    }

    /// After a [`super::Event::IdentityChanged`] warning and a safety-number check in
    /// person: trust the contact's new key and reconnect its conversations.
    pub fn accept_new_identity(&self, contact: &str) -> Result<(), NodeError> {
        if !lock(&self.inner.store).accept_changed_identity(contact)? {
            return Err(NodeError::Invalid(
                "this contact has no changed identity key to accept".into(),
            ));
        }
        let conversations = lock(&self.inner.store).conversations()?;
        for record in conversations
            .into_iter()
            .filter(|c| c.contact.as_deref() == Some(contact) && !c.closed)
        {
            let running = lock(&self.inner.ctx.peers)
                .get(&record.id)
                .is_some_and(|slot| !matches!(slot.state(), super::PeerState::Failed { .. }));
            if running {
                continue;
            }
            let exchange = self.saved_exchange(&record)?;
            self.start_conversation(record.id, record.role, None, Some(exchange), None);
        }
        Ok(())
    }
}
