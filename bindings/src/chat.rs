//! What the apps need for contacts that stay connected: history pages, read
//! receipts, contacts with safety numbers, resuming known conversations.

use tincan_core::node as core;
use tincan_core::store::{MessageRecord, MessageStatus as CoreStatus};

use crate::node::Node;
use crate::TincanError;

/// Where a message stands. Ours: queued → sent → delivered → read. Theirs:
/// received → read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum MessageStatus {
    /// Stored here, waiting for a connection.
    Queued,
    /// On its way; not confirmed yet.
    Sent,
    /// The other side stored it.
    Delivered,
    /// Read (ours: they read it; theirs: marked read here).
    Read,
    /// Theirs, not read yet.
    Received,
}

/// One message of a conversation's history.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Message {
    /// Display order; page back with the first one's `seq`.
    pub seq: i64,
    /// The author's id for it (ours: what `send` returned).
    pub id: String,
    /// Written on this device.
    pub outgoing: bool,
    /// The text.
    pub text: String,
    /// The author's clock, Unix milliseconds.
    pub sent_at: u64,
    /// Where it stands.
    pub status: MessageStatus,
}

/// A contact as the app lists it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Contact {
    /// Stable id.
    pub id: String,
    /// The name it gave.
    pub name: Option<String>,
    /// The digits both people compare.
    pub safety_number: String,
    /// The person confirmed the safety number.
    pub verified: bool,
    /// A different identity key was presented and refused: warn loudly.
    pub identity_changed: bool,
    /// The contact id of whoever introduced them, while the safety number has not
    /// been compared ("introduced by Ana, not verified").
    pub introduced_by: Option<String>,
}

/// A stored conversation with a known contact (running or not).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct KnownConversation {
    /// Its id.
    pub peer: String,
    /// The contact.
    pub contact: String,
    /// The contact's name.
    pub name: Option<String>,
    /// Ended for good (history only).
    pub ended: bool,
}

/// A first contact still waiting for the other side (running or not).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct WaitingConversation {
    /// Its id.
    pub peer: String,
    /// Whether we invited (and loaded the reply) or joined (and sent it).
    pub role: crate::Role,
    /// Unix seconds: the invite's expiry, when the wait ends.
    pub until: u64,
    /// The reply code we sent back, to share again (a joiner's).
    pub reply_code: Option<String>,
}

impl From<CoreStatus> for MessageStatus {
    fn from(s: CoreStatus) -> Self {
        match s {
            CoreStatus::Queued => Self::Queued,
            CoreStatus::Sent => Self::Sent,
            CoreStatus::Delivered => Self::Delivered,
            CoreStatus::Read => Self::Read,
            CoreStatus::Received => Self::Received,
        }
    }
}

impl From<MessageRecord> for Message {
    fn from(m: MessageRecord) -> Self {
        Self {
            seq: m.seq,
            id: m.id,
            outgoing: m.outgoing,
            text: m.text,
            sent_at: m.sent_at,
            status: m.status.into(),
        }
    }
}

impl From<core::ContactInfo> for Contact {
    fn from(c: core::ContactInfo) -> Self {
        Self {
            id: c.id,
            name: c.name,
            safety_number: c.safety_number,
            verified: c.verified,
            identity_changed: c.identity_changed,
            introduced_by: c.introduced_by,
        }
    }
}

#[uniffi::export]
impl Node {
    /// A page of history, oldest first: up to `limit` messages before `before_seq`
    /// (or the newest ones).
    pub fn history(
        &self,
        peer: &str,
        before_seq: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Message>, TincanError> {
        Ok(self
            .inner
            .history(peer, before_seq, limit)?
            .into_iter()
            .map(Message::from)
            .collect())
    }

    /// The person read the other side's messages up to `up_to_seq`; they are told.
    pub fn mark_read(&self, peer: &str, up_to_seq: i64) -> Result<(), TincanError> {
        Ok(self.inner.mark_read(peer, up_to_seq)?)
    }

    /// Every contact.
    pub fn contacts(&self) -> Result<Vec<Contact>, TincanError> {
        Ok(self
            .inner
            .contacts()?
            .into_iter()
            .map(Contact::from)
            .collect())
    }

    /// This device's identity key (hex).
    pub fn identity_key(&self) -> String {
        self.inner.identity_key()
    }

    /// What this device's safety-number QR code for `contact` carries.
    pub fn safety_qr_payload(&self, contact: &str) -> Result<String, TincanError> {
        Ok(self.inner.safety_qr_payload(contact)?)
    }

    /// Compares the other phone's scanned safety QR; a match marks the contact verified.
    pub fn verify_scanned(&self, contact: &str, payload: &str) -> Result<bool, TincanError> {
        Ok(self.inner.verify_scanned(contact, payload)?)
    }

    /// Records that the person compared safety numbers (or withdraws it).
    pub fn set_verified(&self, contact: &str, verified: bool) -> Result<(), TincanError> {
        Ok(self.inner.set_verified(contact, verified)?)
    }

    /// After an `IdentityChanged` warning and an in-person check: trust the new key.
    pub fn accept_new_identity(&self, contact: &str) -> Result<(), TincanError> {
        Ok(self.inner.accept_new_identity(contact)?)
    }

    /// Stored conversations with known contacts.
    pub fn known_conversations(&self) -> Result<Vec<KnownConversation>, TincanError> {
        Ok(self
            .inner
            .known_conversations()?
            .into_iter()
            .map(|k| KnownConversation {
                peer: k.peer,
                contact: k.contact,
                name: k.name,
                ended: k.ended,
            })
            .collect())
    }

    /// First contacts still waiting for the other side (a reply not loaded yet, a
    /// follow-up code to come), with when the wait ends.
    pub fn waiting_conversations(&self) -> Result<Vec<WaitingConversation>, TincanError> {
        Ok(self
            .inner
            .waiting_conversations()?
            .into_iter()
            .map(|w| WaitingConversation {
                peer: w.peer,
                role: w.role.into(),
                until: w.until,
                reply_code: w.reply_code,
            })
            .collect())
    }

    /// Starts reconnecting a known conversation (the node does this for all of them
    /// when opened).
    pub fn resume(&self, peer: &str) -> Result<(), TincanError> {
        Ok(self.inner.resume(peer)?)
    }
}
