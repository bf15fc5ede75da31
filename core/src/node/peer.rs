//! The node's handle on one conversation, shared by durable conversations
//! (`conversation.rs`) and plain browser sessions (`plain.rs`).
//!
//! A conversation's task owns its links. Shells talk to it through a command channel
//! and hear from it through the node's event queue; nothing else touches a link.

use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use super::events::{Event, EventQueue, PeerId, PeerState};
use crate::code::Exchange;
use crate::link::Link;
use crate::protect::keys::Role;

/// What a shell asks a conversation to do.
pub(super) enum Command {
    /// Plain sessions: send this text now (they have no outbox).
    Send { id: String, text: String },
    /// Durable conversations: the outbox or the owed read receipts changed.
    Flush,
    /// End the conversation for good (the other side is told).
    Close,
    /// This device is going offline (app closing): tell the peer, keep the contact.
    Away,
    /// New connection details arrived (a follow-up code): stop waiting between
    /// reconnection attempts.
    Retry,
    /// The other side's follow-up code was loaded (its details are stored): try them
    /// now, sending normally.
    Loaded,
    /// We made a follow-up code: wait on the fresh link it describes.
    Adopt { link: Link, local_sdp: String },
    /// Put this frame on the link if it is connected now, else drop it (a relay
    /// request or a relayed message: `relay.rs`).
    Forward(Vec<u8>),
    /// Tests only: put these bytes on the link as they are (a misbehaving peer).
    #[cfg(test)]
    Raw(Vec<u8>),
}

/// The node's view of one conversation.
pub(super) struct PeerSlot {
    pub role: Role,
    pub state: Mutex<PeerState>,
    pub name: Mutex<Option<String>>,
    pub selected_pair: Mutex<Option<String>>,
    /// The code exchange behind the conversation; `None` for a plain browser session,
    /// which has no key to confirm (see `plain.rs`).
    pub exchange: Mutex<Option<Exchange>>,
    /// The link in use (a durable conversation replaces it on every reconnect).
    pub link: Mutex<Option<Arc<Link>>>,
    /// Our side's current session description (what a follow-up code carries).
    pub local_sdp: Mutex<String>,
    /// Stored in the database (messages, outbox, reconnection) or a plain session.
    pub durable: bool,
    /// The contact said it holds letters for its offline contacts (`held.rs`).
    pub peer_holds: std::sync::atomic::AtomicBool,
    /// Outbox messages already handed to holders in this run.
    pub offered_to_holders: Mutex<std::collections::HashSet<String>>,
    /// When this conversation last asked mutual contacts to pass on new details.
    pub asked_for_help: Mutex<Option<std::time::Instant>>,
    /// Asks since the link was last connected: the first few are repeated soon (see
    /// `relay::help_due`).
    pub help_asks: std::sync::atomic::AtomicU32,
    /// The follow-up code of our fresh link while it waits for the other side after an
    /// ask (`relay.rs`): sent again while it waits, and an inviter's wins over the
    /// joiner's.
    pub waiting_code: Mutex<Option<String>>,
    /// Called when the peer fails key confirmation (the inviter counts it as a guess).
    pub on_confirm_failed: Option<Box<dyn Fn() + Send + Sync>>,
    pub commands: mpsc::Sender<Command>,
}

impl PeerSlot {
    pub(super) fn set_state(&self, id: &PeerId, events: &EventQueue, state: PeerState) {
        let mut current = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if *current != state {
            if state == PeerState::Connected {
                self.help_asks
                    .store(0, std::sync::atomic::Ordering::Relaxed);
            }
            *current = state.clone();
            drop(current);
            events.push(Event::PeerState {
                peer: id.clone(),
                state,
            });
        }
    }

    /// The current state.
    pub fn state(&self) -> PeerState {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The link in use, if any.
    pub fn current_link(&self) -> Option<Arc<Link>> {
        self.link.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Forgets the link in use (so its sockets close before the next one binds the
    /// same port).
    pub fn clear_link(&self) {
        *self.link.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Makes `link` the one in use, with its local description.
    pub fn set_link(&self, link: Arc<Link>, local_sdp: String) {
        *self.link.lock().unwrap_or_else(|p| p.into_inner()) = Some(link);
        *self.local_sdp.lock().unwrap_or_else(|p| p.into_inner()) = local_sdp;
    }
}

/// Lower-case hex.
pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hex back to bytes; `None` for anything else (or over 64 bytes).
pub(super) fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 || s.len() > 128 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_junk() {
        assert_eq!(unhex(&hex(&[0, 1, 0xab])), Some(vec![0, 1, 0xab]));
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
        assert_eq!(unhex("é1"), None);
    }
}
