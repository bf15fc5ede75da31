//! Reads an app needs beyond the chat itself: one summary per conversation for a
//! list, a conversation's stored facts, and the person's settings.

use super::{lock, Node, NodeError};
use crate::link::{Pace, WireCounts};
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

    /// When each post of a room arrived here, in arrival order: (author's identity
    /// key in hex, seq, unix seconds). Room posts carry no time of their own; an app
    /// lists them as this device saw them.
    pub fn room_post_arrivals(&self, room: &str) -> Result<Vec<(String, u64, u64)>, NodeError> {
        Ok(lock(&self.inner.store)
            .room_post_arrivals(room)?
            .into_iter()
            .map(|(author, seq, at)| (super::peer::hex(&author), seq, at))
            .collect())
    }

    /// Saves one of the person's settings.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), NodeError> {
        Ok(lock(&self.inner.store).set_setting(key, value)?)
    }
}

impl Node {
    /// Someone is looking at the app (`Foreground`) or nobody is (`Background`). In
    /// the background every open link keeps to the fewest packets that hold it
    /// (docs/IDLE.md): one keep-alive exchange every 25 s, a loss noticed within a
    /// minute, and contacts that are offline are not polled: they are tried again when
    /// they knock at our port (`doorbell.rs`), on a network change, or when the app
    /// comes back to the foreground. The peer is told and uses the same pace. Starts
    /// in the foreground.
    pub fn set_pace(&self, pace: Pace) {
        self.inner.ctx.pace.send_if_modified(|current| {
            let changed = *current != pace;
            *current = pace;
            changed
        });
    }

    /// What one conversation's current link costs and how it is paced, for
    /// diagnostics and benchmarks; `None` without a live link.
    pub fn link_stats(&self, peer: &str) -> Option<LinkStats> {
        let slot = lock(&self.inner.ctx.peers).get(peer).cloned()?;
        let link = lock(&slot.link).clone()?;
        if link.state().is_final() {
            return None;
        }
        Some(LinkStats {
            pace: link.pace(),
            driver_sleeps: link.driver_sleeps(),
            wire: link.wire_counts(),
        })
    }

    /// The pace set by [`Node::set_pace`].
    pub fn pace(&self) -> Pace {
        *self.inner.ctx.pace.borrow()
    }

    /// The network changed (a phone joined Wi-Fi, an interface came back): every
    /// conversation waiting between reconnection attempts tries again at once.
    pub fn network_changed(&self) {
        let slots: Vec<_> = lock(&self.inner.ctx.peers).values().cloned().collect();
        for slot in slots {
            let _ = slot.commands.try_send(super::peer::Command::Retry);
        }
    }
}

/// One link's pace and cost so far ([`Node::link_stats`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkStats {
    /// The pace both sides use now.
    pub pace: Pace,
    /// Timer sleeps its driver started (each follows a wake-up).
    pub driver_sleeps: u64,
    /// Packets and bytes its sockets moved.
    pub wire: WireCounts,
}
