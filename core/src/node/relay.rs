//! Reconnection through a mutual contact (issue #15, docs/NETWORK.md).
//!
//! When both sides of a conversation moved (new networks, both stored addresses
//! stale), no packet can find the other: that needed a follow-up code passed by hand.
//! Here the conversation, once a whole attempt on the stored addresses failed, makes
//! that follow-up code itself — a
//! fresh link on a fresh port, sealed under the conversation's own session keys — and
//! asks every contact it is connected to to pass it on (`relay`). A contact with a
//! live link to the addressee forwards it (`relayed`); the addressee loads it as if
//! pasted, and the link comes back with no codes.
//!
//! A relay sees who asks whom, when, and the size: the details are sealed under keys
//! only the two share. It forwards only to a contact it is connected to right now,
//! never stores, drops repeats (by id) and lets each contact ask at most
//! [`RELAYS_PER_WINDOW`] times per [`RELAY_WINDOW`].
//!
//! A relay passes a request on only over a link that is up, and right after a move
//! its link to the addressee may still be coming back; so while our fresh link waits,
//! its details are sent again [`REPEATS`] times, [`ASK_SOON_AGAIN_AFTER`] apart, to
//! whoever is connected then. A repeat carries the same code under a new id; the
//! addressee takes in a code it already loaded only once.
//!
//! Both sides asking at once (both moved, both went offline together): each would
//! drop its own fresh link for the other's and neither would be waiting. So while its
//! own fresh link waits the inviter keeps it, and instead of loading the joiner's sends
//! its own details again through the contact who just passed the joiner's (that
//! contact is connected to the joiner now, and the inviter's first ask may have found
//! it not yet connected); the joiner loads the inviter's. One fresh link is used: the
//! inviter's while it waits.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand_core::{OsRng, RngCore};

use super::conversation::Ctx;
use super::events::PeerId;
use super::peer::{hex, unhex, Command, PeerSlot};
use super::route::{self, Attempt};
use super::{NodeError, PeerState};
use crate::code::{parse_any, ParsedCode, DEFAULT_LIFETIME_SECS};
use crate::protect::keys::Role;
use crate::sdp;
use crate::wire::Frame;

/// How often one contact may ask us to pass something on.
pub const RELAYS_PER_WINDOW: usize = 6;
/// The window for [`RELAYS_PER_WINDOW`].
pub const RELAY_WINDOW: Duration = Duration::from_secs(600);
/// How long an `Offline` conversation waits before asking for help again.
pub const ASK_AGAIN_AFTER: Duration = Duration::from_secs(300);
/// The first [`QUICK_ASKS`] asks after a loss, and a waiting fresh link's details
/// ([`REPEATS`]), are repeated this soon: a mutual contact passes a request on only
/// over a link that is up, and right after a move theirs to the other side may still
/// be coming back (seen in loaded CI runs).
pub const ASK_SOON_AGAIN_AFTER: Duration = Duration::from_secs(15);
/// Asks repeated after [`ASK_SOON_AGAIN_AFTER`] before the wait grows to
/// [`ASK_AGAIN_AFTER`].
const QUICK_ASKS: u32 = 3;
/// How many times our fresh link's details are sent again while it waits.
pub const REPEATS: u32 = 2;
/// Relay ids remembered to drop repeats.
const SEEN_IDS: usize = 1024;
/// Relays remembered for a shell to show.
const LOG_LEN: usize = 64;

/// Something we passed on, as a shell shows it ("who relays what").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayInfo {
    /// Unix seconds.
    pub at: u64,
    /// The conversation it came from.
    pub from: PeerId,
    /// The conversation it went to.
    pub to: PeerId,
    /// Bytes passed on (sealed: we cannot read them).
    pub bytes: u64,
}

/// What the node remembers about relaying, in memory only.
#[derive(Default)]
pub(super) struct RelayState {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    seen: VecDeque<String>,
    asked: BTreeMap<PeerId, VecDeque<Instant>>,
    log: VecDeque<RelayInfo>,
}

impl RelayState {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `true` the first time `id` is seen.
    fn first_sight(&self, id: &str) -> bool {
        let mut inner = self.lock();
        if inner.seen.iter().any(|s| s == id) {
            return false;
        }
        if inner.seen.len() >= SEEN_IDS {
            inner.seen.pop_front();
        }
        inner.seen.push_back(id.to_owned());
        true
    }

    /// `true` when `from` may ask once more now.
    fn within_budget(&self, from: &str, now: Instant) -> bool {
        let mut inner = self.lock();
        let times = inner.asked.entry(from.to_owned()).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) > RELAY_WINDOW)
        {
            times.pop_front();
        }
        if times.len() >= RELAYS_PER_WINDOW {
            return false;
        }
        times.push_back(now);
        true
    }

    fn record(&self, info: RelayInfo) {
        let mut inner = self.lock();
        if inner.log.len() >= LOG_LEN {
            inner.log.pop_front();
        }
        inner.log.push_back(info);
    }

    /// What we passed on lately, oldest first.
    pub fn log(&self) -> Vec<RelayInfo> {
        self.lock().log.iter().cloned().collect()
    }
}

fn random_id() -> String {
    let mut raw = [0u8; 8];
    OsRng.fill_bytes(&mut raw);
    hex(&raw)
}

fn slots(ctx: &Ctx) -> Vec<(PeerId, std::sync::Arc<PeerSlot>)> {
    ctx.peers
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .map(|(id, slot)| (id.clone(), slot.clone()))
        .collect()
}

/// The conversation with the contact holding `key`, if its link is up now.
fn live_conversation_with(ctx: &Ctx, key: &[u8; 32]) -> Option<(PeerId, std::sync::Arc<PeerSlot>)> {
    let id = ctx.store().conversation_with_key(key).ok().flatten()?;
    let slot = ctx
        .peers
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&id)
        .cloned()?;
    (slot.state() == PeerState::Connected).then_some((id, slot))
}

/// The identity key of the contact in conversation `id`.
fn contact_key(ctx: &Ctx, id: &PeerId) -> Option<Vec<u8>> {
    ctx.store()
        .conversation_contact(id)
        .ok()
        .flatten()
        .and_then(|contact| unhex(&contact))
}

/// The contacts, other than conversation `id`'s, connected now who can pass its
/// details on: all of them, or only `via`.
fn helpers(
    ctx: &Ctx,
    id: &PeerId,
    via: Option<&PeerId>,
) -> Vec<(PeerId, std::sync::Arc<PeerSlot>)> {
    slots(ctx)
        .into_iter()
        .filter(|(other, s)| {
            other != id
                && via.is_none_or(|v| v == other)
                && s.durable
                && s.state() == PeerState::Connected
        })
        .collect()
}

/// Whether a conversation that lost its link should ask mutual contacts for help
/// now: once a whole attempt on the stored addresses failed (`attempt` ≥ 2), and not
/// again for [`ASK_SOON_AGAIN_AFTER`] (the first few times) or [`ASK_AGAIN_AFTER`]. Asking costs one small frame per connected contact,
/// so it does not wait for `Offline`.
pub(super) fn help_due(slot: &PeerSlot, attempt: u32) -> bool {
    let again_after = if slot.help_asks.load(std::sync::atomic::Ordering::Relaxed) < QUICK_ASKS {
        ASK_SOON_AGAIN_AFTER
    } else {
        ASK_AGAIN_AFTER
    };
    attempt >= 2
        && slot
            .asked_for_help
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_none_or(|t| t.elapsed() >= again_after)
}

/// A conversation that lost its link asks for help: a fresh link (returned, to wait on) and
/// its follow-up code sent to every contact connected now. `None` when there is
/// nobody to ask or the link could not be made.
pub(super) async fn ask_for_help(
    ctx: &Ctx,
    id: &PeerId,
    slot: &PeerSlot,
) -> Option<(crate::link::Link, String)> {
    let key = contact_key(ctx, id)?;
    let helpers = helpers(ctx, id, None);
    if helpers.is_empty() {
        return None;
    }
    let exchange = slot
        .exchange
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()?;
    let attempt = Attempt {
        holding: true,
        slow_for: Some(ctx.connect_timeout),
        fresh_port: true,
    };
    slot.clear_link();
    let (link, local_sdp) = match route::rebuild(ctx, id, slot.role, attempt).await {
        Ok(built) => built,
        Err(e) => {
            tracing::warn!(peer = %id, "could not prepare a link to pass on: {e}");
            return None;
        }
    };
    let code = sdp::parse(&local_sdp)
        .map_err(|e| e.to_string())
        .and_then(|description| {
            exchange
                .followup_code(
                    &description,
                    super::unix_now(),
                    DEFAULT_LIFETIME_SECS,
                    &mut OsRng,
                )
                .map_err(|e| e.to_string())
        });
    let code = match code {
        Ok(code) => code,
        Err(e) => {
            tracing::warn!(peer = %id, "could not describe the fresh link: {e}");
            let _ = link.close_without_goodbye().await;
            return None;
        }
    };
    send_details(id, &key, &code, &helpers);
    *slot.waiting_code.lock().unwrap_or_else(|p| p.into_inner()) = Some(code);
    *slot
        .asked_for_help
        .lock()
        .unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
    slot.help_asks
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Some((link, local_sdp))
}

/// Sends `code` (our fresh link's details, for the contact holding `key`) to each of
/// `helpers` to pass on, under a new relay id: a relay drops an id it saw before, even
/// one it could not pass on then.
fn send_details(
    id: &PeerId,
    key: &[u8],
    code: &str,
    helpers: &[(PeerId, std::sync::Arc<PeerSlot>)],
) {
    let frame = Frame::Relay {
        id: random_id(),
        to: hex(key),
        payload: code.to_owned(),
    }
    .encode();
    for (helper, s) in helpers {
        tracing::info!(peer = %id, via = %helper, "asking a mutual contact to pass on new details");
        let _ = s.commands.try_send(Command::Forward(frame.clone()));
    }
}

/// Sends the details of our waiting fresh link again: to every contact connected now,
/// or only to `via`. Nothing when no fresh link of ours waits.
fn send_again(ctx: &Ctx, id: &PeerId, slot: &PeerSlot, via: Option<&PeerId>) {
    let Some(code) = slot
        .waiting_code
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
    else {
        return;
    };
    let Some(key) = contact_key(ctx, id) else {
        return;
    };
    send_details(id, &key, &code, &helpers(ctx, id, via));
}

/// Runs beside our fresh link's wait after an ask: sends its details again
/// [`REPEATS`] times, [`ASK_SOON_AGAIN_AFTER`] apart, then waits to be dropped.
pub(super) async fn repeat_while_waiting(
    ctx: &Ctx,
    id: &PeerId,
    slot: &PeerSlot,
) -> std::convert::Infallible {
    for _ in 0..REPEATS {
        tokio::time::sleep(ASK_SOON_AGAIN_AFTER).await;
        send_again(ctx, id, slot, None);
    }
    std::future::pending().await
}

/// Whether a fresh link of ours waits on the answer to an ask.
pub(super) fn is_waiting(slot: &PeerSlot) -> bool {
    slot.waiting_code
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .is_some()
}

/// Our fresh link stopped waiting (it opened, timed out or was replaced): its details
/// are no longer sent again or preferred.
pub(super) fn stop_waiting(slot: &PeerSlot) {
    *slot.waiting_code.lock().unwrap_or_else(|p| p.into_inner()) = None;
}

/// A contact (`via`) asks us to pass `payload` to the contact holding `to`.
pub(super) fn on_relay(ctx: &Ctx, via: &PeerId, relay_id: &str, to: &str, payload: String) {
    let now = Instant::now();
    if !ctx.relay.first_sight(relay_id) {
        return;
    }
    let Some(to_key) = unhex(to).and_then(|k| <[u8; 32]>::try_from(k).ok()) else {
        return;
    };
    let Some(from) = ctx.store().conversation_contact(via).ok().flatten() else {
        return;
    };
    if !ctx.relay.within_budget(via, now) {
        tracing::info!(peer = %via, "relay request over the limit: dropped");
        return;
    }
    let Some((target, slot)) = live_conversation_with(ctx, &to_key) else {
        tracing::debug!(peer = %via, "nobody connected to pass the details to");
        return;
    };
    if &target == via {
        return;
    }
    let bytes = payload.len() as u64;
    let frame = Frame::Relayed {
        id: relay_id.to_owned(),
        from,
        payload,
    }
    .encode();
    if slot.commands.try_send(Command::Forward(frame)).is_ok() {
        ctx.relay.record(RelayInfo {
            at: super::unix_now(),
            from: via.clone(),
            to: target,
            bytes,
        });
    }
}

/// A relay (`via`) passes on new details from the contact `from`.
pub(super) fn on_relayed(ctx: &Ctx, via: &PeerId, relay_id: &str, from: &str, payload: &str) {
    if let Err(e) = load_relayed(ctx, via, relay_id, from, payload) {
        tracing::info!(peer = %via, "details passed on by a contact not used: {e}");
    }
}

fn load_relayed(
    ctx: &Ctx,
    via: &PeerId,
    relay_id: &str,
    from: &str,
    payload: &str,
) -> Result<(), NodeError> {
    if !ctx.relay.first_sight(relay_id) {
        return Ok(());
    }
    let key = unhex(from)
        .and_then(|k| <[u8; 32]>::try_from(k).ok())
        .ok_or_else(|| NodeError::Invalid("a malformed key".into()))?;
    let conversation = ctx
        .store()
        .conversation_with_key(&key)?
        .ok_or_else(|| NodeError::Invalid("not from a contact of ours".into()))?;
    let ParsedCode::FollowUp { invite_id } = parse_any(payload, super::unix_now())? else {
        return Err(NodeError::Invalid("not a follow-up code".into()));
    };
    if crate::code::invite::hex_id(&invite_id) != conversation {
        return Err(NodeError::Invalid(
            "the details are for another conversation".into(),
        ));
    }
    let slot = ctx
        .peers
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&conversation)
        .cloned()
        .ok_or_else(|| NodeError::UnknownPeer(conversation.clone()))?;
    if slot.state() == PeerState::Connected {
        return Ok(());
    }
    if is_waiting(&slot) && slot.role == Role::Inviter {
        tracing::info!(peer = %conversation, "both asked at once: keeping our own fresh link, sending it again");
        send_again(ctx, &conversation, &slot, Some(via));
        return Ok(());
    }
    let (before, description) = {
        let mut exchange = slot.exchange.lock().unwrap_or_else(|p| p.into_inner());
        let exchange = exchange.as_mut().ok_or_else(super::plain::no_followups)?;
        let before = exchange.remote().clone();
        let description = exchange
            .accept_followup(payload, super::unix_now())?
            .clone();
        (before, description)
    };
    if description == before {
        // A repeat of details already loaded: the attempt under way uses them.
        return Ok(());
    }
    let remote_sdp = description.to_sdp(route::remote_kind(slot.role));
    ctx.store().update_route(&conversation, &remote_sdp, None)?;
    tracing::info!(peer = %conversation, "new details passed on by a mutual contact: trying them");
    slot.commands
        .try_send(Command::Loaded)
        .map_err(|_| NodeError::Unreachable("the conversation is not running".into()))
}

impl super::Node {
    /// What this device passed on for its contacts lately ("who relays what"): from
    /// which conversation to which, when, and how many sealed bytes.
    pub fn relays(&self) -> Vec<RelayInfo> {
        self.inner.ctx.relay.log()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_dropped_and_each_contact_has_a_budget() {
        let state = RelayState::default();
        assert!(state.first_sight("a"));
        assert!(!state.first_sight("a"));
        let start = Instant::now();
        for _ in 0..RELAYS_PER_WINDOW {
            assert!(state.within_budget("ben", start));
        }
        assert!(!state.within_budget("ben", start));
        assert!(
            state.within_budget("cleo", start),
            "budgets are per contact"
        );
        assert!(state.within_budget("ben", start + RELAY_WINDOW + Duration::from_secs(1)));
        for i in 0..SEEN_IDS + 1 {
            state.first_sight(&format!("id{i}"));
        }
        assert!(
            state.first_sight("id0"),
            "the oldest ids are forgotten, bounded"
        );
    }
}
