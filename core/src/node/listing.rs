//! Reads an app needs beyond the chat itself: one summary per conversation for a
//! list, a conversation's stored facts, and the person's settings.

use super::{lock, Node, NodeError};
use crate::store::{ConversationRecord, ConversationSummary};

impl Node {
    /// One summary per stored conversation (newest message, unread, outbox).
    pub fn conversation_summaries(&self) -> Result<Vec<ConversationSummary>, NodeError> {
        Ok(lock(&self.inner.store).conversation_summaries()?)
    }

    /// A stored conversation's facts, if it exists.
    pub fn conversation_record(&self, id: &str) -> Result<Option<ConversationRecord>, NodeError> {
        Ok(lock(&self.inner.store).conversation(id)?)
    }

    /// One of the person's settings.
    pub fn setting(&self, key: &str) -> Result<Option<String>, NodeError> {
        Ok(lock(&self.inner.store).setting(key)?)
    }

    /// Saves one of the person's settings.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), NodeError> {
        Ok(lock(&self.inner.store).set_setting(key, value)?)
    }
}

impl Node {
    /// The network changed (a phone joined Wi-Fi, an interface came back): every
    /// conversation waiting between reconnection attempts tries again at once.
    pub fn network_changed(&self) {
        let slots: Vec<_> = lock(&self.inner.peers).values().cloned().collect();
        for slot in slots {
            let _ = slot.commands.try_send(super::peer::Command::Retry);
        }
    }
}
