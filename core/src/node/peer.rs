//! One conversation's task: key confirmation first, then chat frames both ways.
//!
//! The task owns the link. Shells talk to it through a command channel and hear from
//! it through the node's event queue; nothing else touches the link.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use super::events::{Event, EventQueue, PeerId, PeerState};
use crate::code::Exchange;
use crate::link::Link;
use crate::protect::keys::Role;
use crate::wire::Frame;

/// How long the peer may take to send its confirmation once the channel is open.
const CONFIRM_TIMEOUT: Duration = Duration::from_secs(15);

/// What a shell asks a conversation to do.
#[derive(Debug)]
pub(super) enum Command {
    /// Send a chat message with this id.
    Send { id: String, text: String },
    /// Say goodbye and close.
    Close,
}

/// The node's view of one conversation.
pub(super) struct PeerSlot {
    pub role: Role,
    pub state: Mutex<PeerState>,
    pub name: Mutex<Option<String>>,
    pub selected_pair: Mutex<Option<String>>,
    pub exchange: Mutex<Exchange>,
    pub link: Arc<Link>,
    /// Our side's current session description (what a follow-up code carries).
    pub local_sdp: String,
    pub commands: mpsc::Sender<Command>,
}

impl PeerSlot {
    fn set_state(&self, id: &PeerId, events: &EventQueue, state: PeerState) {
        let mut current = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if *current != state {
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
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 || s.len() > 128 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Runs a conversation until it ends.
pub(super) async fn run(
    id: PeerId,
    slot: Arc<PeerSlot>,
    events: Arc<EventQueue>,
    mut commands: mpsc::Receiver<Command>,
    connect_timeout: Duration,
    display_name: Option<String>,
) {
    let link = slot.link.clone();
    slot.set_state(&id, &events, PeerState::Connecting);
    if let Err(e) = link.wait_open(connect_timeout).await {
        slot.set_state(
            &id,
            &events,
            PeerState::Failed {
                reason: format!(
                    "{e}. If you are on different networks, exchange a follow-up code."
                ),
            },
        );
        return;
    }
    slot.set_state(&id, &events, PeerState::Confirming);
    if let Err(reason) = confirm(&slot, &link, display_name).await {
        tracing::warn!(peer = %id, "key confirmation failed: {reason}");
        let _ = link.close().await;
        slot.set_state(&id, &events, PeerState::Failed { reason });
        return;
    }
    *slot.selected_pair.lock().unwrap_or_else(|p| p.into_inner()) = link.selected_pair().await;
    slot.set_state(&id, &events, PeerState::Connected);

    let reason = loop {
        tokio::select! {
            incoming = link.recv() => {
                let Some(bytes) = incoming else {
                    break "the other side left or the connection was lost".to_owned();
                };
                match Frame::decode(&bytes) {
                    Ok(Frame::Chat { id: msg_id, text, .. }) => {
                        events.push(Event::Message { peer: id.clone(), id: msg_id.clone(), text });
                        if link.send(&Frame::Ack { id: msg_id }.encode()).await.is_err() {
                            break "the connection was lost".to_owned();
                        }
                    }
                    Ok(Frame::Ack { id: msg_id }) => {
                        events.push(Event::Delivered { peer: id.clone(), id: msg_id });
                    }
                    Ok(Frame::Bye) => break "the other side ended the conversation".to_owned(),
                    Ok(Frame::Confirm { .. }) => tracing::debug!(peer = %id, "repeated confirmation ignored"),
                    Err(e) => tracing::warn!(peer = %id, "dropped a frame from the peer: {e}"),
                }
            }
            command = commands.recv() => match command {
                Some(Command::Send { id: msg_id, text }) => {
                    let frame = Frame::Chat { id: msg_id, sent_at: unix_millis(), text };
                    if link.send(&frame.encode()).await.is_err() {
                        break "the connection was lost".to_owned();
                    }
                }
                Some(Command::Close) | None => {
                    let _ = link.send(&Frame::Bye.encode()).await;
                    let _ = link.close().await;
                    break "closed".to_owned();
                }
            }
        }
    };
    slot.set_state(&id, &events, PeerState::Disconnected { reason });
}

/// Key confirmation: send our tag, check theirs, before any chat data.
async fn confirm(slot: &PeerSlot, link: &Link, display_name: Option<String>) -> Result<(), String> {
    let local_fp = link.local_fingerprint();
    let remote_fp = link
        .remote_fingerprint()
        .await
        .map_err(|e| format!("could not read the other side's certificate: {e}"))?;
    let (tag, verify) = {
        let exchange = slot.exchange.lock().unwrap_or_else(|p| p.into_inner());
        (
            exchange.confirmation(&local_fp, &remote_fp),
            exchange.clone(),
        )
    };
    link.send(
        &Frame::Confirm {
            tag: hex(&tag),
            name: display_name,
        }
        .encode(),
    )
    .await
    .map_err(|e| format!("could not send the confirmation: {e}"))?;
    let first = tokio::time::timeout(CONFIRM_TIMEOUT, link.recv())
        .await
        .map_err(|_| "the other side did not confirm the key in time".to_owned())?
        .ok_or_else(|| "the connection closed during key confirmation".to_owned())?;
    match Frame::decode(&first) {
        Ok(Frame::Confirm { tag, name }) => {
            let tag = unhex(&tag).unwrap_or_default();
            if verify.verify_confirmation(&local_fp, &remote_fp, &tag) {
                *slot.name.lock().unwrap_or_else(|p| p.into_inner()) = name;
                Ok(())
            } else {
                Err(
                    "the other side could not prove it took part in this exchange: \
                     a wrong answer, or someone in the middle"
                        .to_owned(),
                )
            }
        }
        _ => Err("the other side sent something other than a key confirmation".to_owned()),
    }
}

fn unix_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
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
