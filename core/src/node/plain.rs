//! Plain browser sessions: talking to an ordinary serverless WebRTC page.
//!
//! Such a page shows `JSON.stringify(pc.localDescription)` —
//! `{"type":"offer","sdp":"v=0…"}` — for the person to copy, takes the other side's JSON
//! back, and then sends plain UTF-8 text on a data channel. Tincan accepts that JSON
//! wherever it accepts a code ([`Node::join`] for an offer, [`Node::accept_reply`] for
//! an answer) and makes one on request ([`Node::create_browser_offer`]).
//!
//! A page knows nothing of Tincan, so in this mode there is no question, no PAKE, no key
//! confirmation, no identity and no read receipts: whoever holds the JSON can answer it.
//! `Event::Delivered` still arrives, but it means the browser's SCTP stack acknowledged
//! the bytes, not that a Tincan peer stored them. Offers made in this mode live only in
//! memory: they do not survive a restart of the node.
//!
//! mDNS: real browsers hide their addresses behind `<uuid>.local` names. With
//! [`LinkConfig::mdns`](crate::link::LinkConfig::mdns) on, the link resolves them. With
//! it off (the default), `.local` candidates are dropped. A description left with no
//! address is still used — the browser checks our addresses too, and ICE learns its
//! address from those checks (peer-reflexive), which works whenever the browser can
//! reach this device — but [`read_browser_description`] returns a warning saying what
//! to do if it does not connect, and a failed connection repeats it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand_core::{OsRng, RngCore};
use tokio::sync::mpsc;

use super::events::{Event, EventQueue, PeerId, PeerState};
use super::peer::{Command, PeerSlot};
use super::{lock, Node, NodeError};
use crate::code::Exchange;
use crate::link::{self, Link, LinkSecrets, LinkState, PendingOffer};
use crate::protect::keys::Role;
use crate::sdp::{self, CandidateAddress, SdpKind, SessionDescription};
use crate::CodeError;

/// The data-channel label of offers Tincan makes for browsers (pages often show it).
pub const BROWSER_CHANNEL_LABEL: &str = "chat";
/// Conversation ids of browser sessions start with this; the rest is random hex.
pub const BROWSER_PEER_PREFIX: &str = "browser-";
/// How often the task checks whether sent text has been acknowledged.
const ACK_POLL: Duration = Duration::from_millis(20);

/// An offer for a plain browser page, made by [`Node::create_browser_offer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserOffer {
    /// The conversation this offer becomes once the page's answer is loaded.
    pub peer: PeerId,
    /// `{"type":"offer","sdp":"…"}` for the person to paste into the page.
    pub offer_json: String,
}

/// The result of joining a browser's offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserJoin {
    /// The conversation (connects once the page applies the answer).
    pub peer: PeerId,
    /// `{"type":"answer","sdp":"…"}` for the person to paste back into the page.
    pub answer_json: String,
}

/// True if `text` looks like a browser's session description (a JSON object) rather
/// than a Tincan code. Cheap; [`Node::join`] and [`Node::accept_reply`] check it fully.
pub fn is_browser_description(text: &str) -> bool {
    text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .starts_with('{')
}

/// Why follow-up codes do not exist for browser sessions.
pub(super) fn no_followups() -> NodeError {
    NodeError::Code(CodeError::Description {
        reason: "follow-up codes exist only between Tincan apps; a browser page cannot read \
                 them. Make a new offer instead."
            .into(),
    })
}

/// A browser's description as Tincan will use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserDescription {
    /// What the link is given: `.local` candidates removed unless mDNS is resolved.
    pub description: SessionDescription,
    /// Something the person should know before relying on it (addresses hidden behind
    /// mDNS names, or none at all), in words.
    pub warning: Option<String>,
}

/// Why a description with no usable address may still connect, and what to do if not.
const HIDDEN_ADDRESSES: &str = "the browser hid its network addresses behind .local (mDNS) \
     names, which Tincan does not resolve with mDNS off. It can still connect if the browser \
     reaches this device's addresses (on the same network it does). If it does not connect: \
     run Tincan with mDNS on (`--mdns`), or make the browser show real addresses: allow the \
     page to use the camera and microphone, or disable \
     chrome://flags/#enable-webrtc-hide-local-ips-with-mdns (Firefox: \
     media.peerconnection.ice.obfuscate_host_addresses = false).";
const NO_ADDRESSES: &str = "the browser's description lists no network addresses (it was \
     probably copied before the page finished gathering them). It can still connect if the \
     browser reaches this device's addresses; if it does not, copy the page's description \
     again once it is complete.";

/// Reads a browser's JSON (tolerating messenger line breaks) as a description of the
/// `expected` kind, keeping only candidates the link can use. Shells may call it first,
/// to show its warning before joining or accepting.
pub fn read_browser_description(
    text: &str,
    expected: SdpKind,
    mdns: bool,
) -> Result<BrowserDescription, CodeError> {
    let text = text.trim_start_matches('\u{feff}');
    let (kind, mut description) = sdp::parse_browser_json(text)?;
    if kind != expected {
        return Err(match expected {
            SdpKind::Offer => CodeError::WrongKind {
                expected: "an invite code or a browser's offer",
                found: "a browser's answer",
            },
            SdpKind::Answer => CodeError::WrongKind {
                expected: "a reply code or a browser's answer",
                found: "a browser's offer",
            },
        });
    }
    let before = description.candidates.len();
    if !mdns {
        description
            .candidates
            .retain(|c| !matches!(c.address, CandidateAddress::Mdns(_)));
    }
    // No usable candidate is not fatal: the browser's own checks reach us and ICE
    // learns its address as a peer-reflexive candidate (tests/browser_json.rs).
    let warning = match (before, description.candidates.len()) {
        (0, _) => Some(NO_ADDRESSES.to_owned()),
        (_, 0) => Some(HIDDEN_ADDRESSES.to_owned()),
        _ => None,
    };
    Ok(BrowserDescription {
        description,
        warning,
    })
}

fn random_hex(bytes: usize) -> String {
    let mut raw = vec![0u8; bytes];
    OsRng.fill_bytes(&mut raw);
    raw.iter().map(|b| format!("{b:02x}")).collect()
}

/// The node's side of browser sessions. Lives here so `mod.rs` only routes to it.
impl Node {
    /// Makes an offer for a plain browser page: `{"type":"offer","sdp":"…"}` with a data
    /// channel labelled `chat`. Load the page's answer with [`Node::accept_reply`] (or
    /// [`Node::accept_browser_answer`] when several browser offers are waiting). No
    /// question and no key confirmation protect it; it is kept in memory only.
    pub fn create_browser_offer(&self) -> Result<BrowserOffer, NodeError> {
        let secrets = LinkSecrets::generate()?;
        let config = &self.inner.config.link;
        let offer = self.block_on(PendingOffer::create_with_label(
            config,
            &secrets,
            BROWSER_CHANNEL_LABEL,
        ))??;
        let description = sdp::parse(offer.local_sdp()).map_err(CodeError::from)?;
        let peer = format!("{BROWSER_PEER_PREFIX}{}", random_hex(8));
        let offer_json = description.to_browser_json(SdpKind::Offer);
        lock(&self.inner.offers).insert(peer.clone(), offer);
        Ok(BrowserOffer { peer, offer_json })
    }

    /// Answers a browser page's offer JSON: returns the answer JSON for the page.
    pub fn join_browser(&self, offer_json: &str) -> Result<BrowserJoin, NodeError> {
        let config = &self.inner.config.link;
        let read = read_browser_description(offer_json, SdpKind::Offer, config.mdns)?;
        let secrets = LinkSecrets::generate()?;
        let offer_sdp = read.description.to_sdp(SdpKind::Offer);
        let (local_sdp, link) = self.block_on(link::answer(config, &secrets, &offer_sdp))??;
        let answer_json = sdp::parse(&local_sdp)
            .map_err(CodeError::from)?
            .to_browser_json(SdpKind::Answer);
        let peer = format!("{BROWSER_PEER_PREFIX}{}", random_hex(8));
        self.start_plain_peer(peer.clone(), Role::Joiner, link, local_sdp, read.warning);
        Ok(BrowserJoin { peer, answer_json })
    }

    /// Completes the browser offer `peer` (from [`Node::create_browser_offer`]) with the
    /// page's answer JSON; the conversation then connects in the background.
    pub fn accept_browser_answer(
        &self,
        peer: &str,
        answer_json: &str,
    ) -> Result<PeerId, NodeError> {
        let config = &self.inner.config.link;
        let read = read_browser_description(answer_json, SdpKind::Answer, config.mdns)?;
        let offer = if peer.starts_with(BROWSER_PEER_PREFIX) {
            lock(&self.inner.offers).remove(peer)
        } else {
            None
        };
        let offer = offer.ok_or(NodeError::UnknownInvite)?;
        let local_sdp = offer.local_sdp().to_owned();
        let answer_sdp = read.description.to_sdp(SdpKind::Answer);
        let link = self.block_on(offer.accept(&answer_sdp))??;
        self.start_plain_peer(
            peer.to_owned(),
            Role::Inviter,
            link,
            local_sdp,
            read.warning,
        );
        Ok(peer.to_owned())
    }

    /// [`Node::accept_reply`] given a browser's answer: loads it into the one browser
    /// offer waiting for an answer (an answer does not say which offer it answers).
    pub(super) fn accept_browser_reply(&self, answer_json: &str) -> Result<PeerId, NodeError> {
        let waiting: Vec<String> = lock(&self.inner.offers)
            .keys()
            .filter(|k| k.starts_with(BROWSER_PEER_PREFIX))
            .cloned()
            .collect();
        match waiting.as_slice() {
            [peer] => self.accept_browser_answer(peer, answer_json),
            [] => Err(NodeError::Code(CodeError::Description {
                reason: "no browser offer is waiting for this answer in this run of Tincan \
                         (browser offers are not kept across restarts): make a new offer"
                    .into(),
            })),
            _ => Err(NodeError::Code(CodeError::Description {
                reason: format!(
                    "{} browser offers are waiting and an answer does not say which one it \
                     answers: load it into one of them by name",
                    waiting.len()
                ),
            })),
        }
    }

    fn start_plain_peer(
        &self,
        id: PeerId,
        role: Role,
        link: Link,
        local_sdp: String,
        warning: Option<String>,
    ) {
        let (tx, rx) = mpsc::channel(256);
        let slot = Arc::new(PeerSlot {
            role,
            state: Mutex::new(PeerState::Connecting),
            name: Mutex::new(None),
            selected_pair: Mutex::new(None),
            exchange: Mutex::new(None::<Exchange>),
            link: Mutex::new(Some(Arc::new(link))),
            local_sdp: Mutex::new(local_sdp),
            durable: false,
            // No key confirmation in browser mode, so nothing to count.
            on_confirm_failed: None,
            asked_for_help: Mutex::new(None),
            help_asks: Default::default(),
            waiting_code: Mutex::new(None),
            peer_holds: Default::default(),
            offered_to_holders: Default::default(),
            commands: tx,
        });
        lock(&self.inner.ctx.peers).insert(id.clone(), slot.clone());
        self.inner.handle.spawn(run(
            id,
            slot,
            self.inner.events.clone(),
            rx,
            self.inner.config.connect_timeout,
            warning,
        ));
    }
}

/// Runs a browser conversation until it ends: plain text both ways.
async fn run(
    id: PeerId,
    slot: Arc<PeerSlot>,
    events: Arc<EventQueue>,
    mut commands: mpsc::Receiver<Command>,
    connect_timeout: Duration,
    warning: Option<String>,
) {
    let Some(link) = slot.current_link() else {
        return;
    };
    slot.set_state(&id, &events, PeerState::Connecting);
    if let Err(e) = link.wait_open(connect_timeout).await {
        let reason = match warning {
            Some(warning) => format!("{e}: {warning}"),
            None => format!(
                "{e}. Browser sessions only connect when the two devices can reach each \
                 other's addresses (same network, or the page used STUN)."
            ),
        };
        slot.set_state(&id, &events, PeerState::Failed { reason });
        return;
    }
    *lock(&slot.selected_pair) = link.selected_pair().await;
    slot.set_state(&id, &events, PeerState::Connected);

    let mut states = link.events();
    // Ids of sent messages the browser's SCTP stack has not acknowledged yet.
    let mut unacked: Vec<String> = Vec::new();
    let mut ack_poll = tokio::time::interval(ACK_POLL);
    let reason = loop {
        tokio::select! {
            incoming = link.recv() => {
                let Some(bytes) = incoming else {
                    break "the page was closed or the connection was lost".to_owned();
                };
                // Pages send strings; anything else is shown as best we can.
                let text = String::from_utf8_lossy(&bytes).into_owned();
                events.push(Event::Message { peer: id.clone(), id: random_hex(16), text });
            }
            command = commands.recv() => match command {
                Some(Command::Send { id: msg_id, text }) => {
                    if link.send_text(&text).await.is_err() {
                        break "the connection was lost".to_owned();
                    }
                    unacked.push(msg_id);
                }
                Some(Command::Flush)
                | Some(Command::Retry)
                | Some(Command::Loaded)
                | Some(Command::Adopt { .. })
                | Some(Command::Forward(_)) => {}
                #[cfg(test)]
                Some(Command::Raw(_)) => {}
                Some(Command::Close) | Some(Command::Away) | None => {
                    let _ = link.close_without_goodbye().await;
                    break "closed".to_owned();
                }
            },
            _ = ack_poll.tick(), if !unacked.is_empty() => {
                if link.outstanding_bytes().await == 0 {
                    for msg_id in unacked.drain(..) {
                        events.push(Event::Delivered { peer: id.clone(), id: msg_id });
                    }
                }
            }
            changed = states.changed() => {
                let state = *states.borrow();
                if changed.is_err() || matches!(state, LinkState::Failed | LinkState::Closed | LinkState::ClosedByPeer) {
                    break "the page was closed or the connection was lost".to_owned();
                }
            }
        }
    };
    slot.set_state(&id, &events, PeerState::Disconnected { reason });
}
