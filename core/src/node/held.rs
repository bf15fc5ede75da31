//! Letters held for an offline contact (issue #15, docs/NETWORK.md).
//!
//! A person who opted in (`Node::set_holding`) tells each contact so (`holding`).
//! When a conversation cannot reach its contact (a whole attempt failed), it hands a
//! sealed copy of each text waiting in its outbox (`letter.rs`) to every connected
//! contact that holds letters (`hold`). A holder keeps it only for one of its own
//! contacts and within its limits (`store/held.rs`), and hands it over (`handover`)
//! when it meets the recipient, who answers `ok`; then the holder forgets it.
//!
//! The recipient stores the message in its conversation with the author under the
//! author's message id, so the author's own copy, sent again when the two meet
//! directly, is recognised as a repeat and acknowledged: each message is shown once.
//! The holder sees who wrote (the conversation it came through), for whom, when and
//! the size.

use std::sync::atomic::Ordering;

use rand_core::OsRng;

use super::conversation::Ctx;
use super::events::{Event, PeerId};
use super::peer::{hex, unhex, Command, PeerSlot};
use super::{conversation::unix_millis, lock, unix_now, Node, NodeError, PeerState};
use crate::letter::{Letter, MAX_SEALED_LETTER_BYTES};
use crate::store::{HeldLetter, HoldOutcome};
use crate::wire::Frame;

/// How long a letter is held at most.
pub const HOLD_FOR_SECS: u64 = 7 * 24 * 3600;

/// The settings key of the opt-in.
const SETTING: &str = "hold_letters";

fn key32(s: &str) -> Option<[u8; 32]> {
    unhex(s).and_then(|k| k.try_into().ok())
}

fn conversation_bytes(id: &str) -> Option<[u8; 8]> {
    (id.len() == 16).then_some(())?;
    unhex(id)?.try_into().ok()
}

/// The identity key of a conversation's contact.
fn contact_key(ctx: &Ctx, conversation: &str) -> Option<[u8; 32]> {
    let contact = ctx.store().conversation_contact(conversation).ok()??;
    key32(&contact)
}

/// Whether this device holds letters, as stored (read at start).
pub(super) fn stored_opt_in(store: &crate::store::Store) -> bool {
    matches!(store.setting(SETTING), Ok(Some(v)) if v == "on")
}

impl Node {
    /// Opts in to (or out of) holding letters for contacts who are offline; told to
    /// every contact. Kept across restarts.
    pub fn set_holding(&self, on: bool) -> Result<(), NodeError> {
        lock(&self.inner.store).set_setting(SETTING, if on { "on" } else { "off" })?;
        let ctx = &self.inner.ctx;
        ctx.holding.store(on, Ordering::SeqCst);
        let frame = Frame::Holding { on }.encode();
        let slots: Vec<_> = lock(&ctx.peers).values().cloned().collect();
        for slot in slots.iter().filter(|s| s.durable) {
            let _ = slot.commands.try_send(Command::Forward(frame.clone()));
        }
        Ok(())
    }

    /// Whether this device holds letters for its contacts.
    pub fn holding(&self) -> bool {
        self.inner.ctx.holding.load(Ordering::SeqCst)
    }

    /// How many letters this device holds for others, and their bytes.
    pub fn held_letters(&self) -> Result<(usize, u64), NodeError> {
        Ok(lock(&self.inner.store).held_totals()?)
    }
}

/// Said after the handshake when we hold letters.
pub(super) fn announcement(ctx: &Ctx) -> Option<Frame> {
    ctx.holding
        .load(Ordering::SeqCst)
        .then_some(Frame::Holding { on: true })
}

/// The author's side: hands a sealed copy of each text waiting for `id` to every
/// connected contact that holds letters (each text once per run).
pub(super) fn offer_to_holders(ctx: &Ctx, id: &PeerId, slot: &PeerSlot) {
    let holders: Vec<_> = ctx
        .peers
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .filter(|(other, s)| {
            *other != id
                && s.durable
                && s.peer_holds.load(Ordering::SeqCst)
                && s.state() == PeerState::Connected
        })
        .map(|(_, s)| s.clone())
        .collect();
    let (Some(to), Some(conversation)) = (contact_key(ctx, id), conversation_bytes(id)) else {
        return;
    };
    if holders.is_empty() {
        return;
    }
    let waiting = match ctx.store().outbox_after(id, 0) {
        Ok(waiting) => waiting,
        Err(e) => {
            tracing::warn!(peer = %id, "could not read the outbox: {e}");
            return;
        }
    };
    let expires_at = unix_now() + HOLD_FOR_SECS;
    for message in waiting {
        let is_file = ctx
            .store()
            .attachment_by_seq(message.seq)
            .ok()
            .flatten()
            .is_some();
        let fresh = slot
            .offered_to_holders
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(message.id.clone());
        if is_file || !fresh {
            continue;
        }
        let letter = Letter {
            conversation,
            from: ctx.identity.public_key(),
            to,
            id: message.id.clone(),
            sent_at: message.sent_at,
            text: message.text,
        };
        let Ok(sealed) = letter.seal(&ctx.identity, &mut OsRng) else {
            continue;
        };
        let frame = Frame::Hold {
            id: message.id,
            to: hex(&to),
            letter: data_encoding::BASE64.encode(&sealed),
            expires_at,
        }
        .encode();
        for holder in &holders {
            let _ = holder.commands.try_send(Command::Forward(frame.clone()));
        }
    }
}

/// The holder's side: a contact (`via`) asks us to hold a letter.
pub(super) fn on_hold(ctx: &Ctx, via: &PeerId, id: &str, to: &str, letter: &str, expires_at: u64) {
    if !ctx.holding.load(Ordering::SeqCst) {
        return;
    }
    let now = unix_now();
    let Some(to_key) = key32(to) else {
        return;
    };
    // Only for our own contacts (a mutual contact), never for ourselves.
    let Ok(Some(recipient)) = ctx.store().conversation_with_key(&to_key) else {
        return;
    };
    if &recipient == via {
        return;
    }
    let sealed = match data_encoding::BASE64.decode(letter.as_bytes()) {
        Ok(sealed) if sealed.len() <= MAX_SEALED_LETTER_BYTES => sealed,
        _ => return,
    };
    let held = HeldLetter {
        id: id.to_owned(),
        to_key,
        from_conversation: via.clone(),
        sealed,
        created_at: now,
        expires_at: expires_at.min(now + HOLD_FOR_SECS),
    };
    let outcome = ctx.store().hold_letter(&held, ctx.hold_limits, now);
    match outcome {
        Ok(HoldOutcome::Kept) => hand_over_now(ctx, &recipient, &held),
        Ok(HoldOutcome::Full) => tracing::info!(peer = %via, "letter not held: limits reached"),
        Err(e) => tracing::warn!(peer = %via, "could not hold a letter: {e}"),
    }
}

/// The recipient happens to be connected: hand the letter over at once.
fn hand_over_now(ctx: &Ctx, recipient: &PeerId, held: &HeldLetter) {
    let slot = ctx
        .peers
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(recipient)
        .cloned();
    if let (Some(slot), Some(frame)) = (slot, handover_frame(ctx, held)) {
        if slot.state() == PeerState::Connected {
            let _ = slot.commands.try_send(Command::Forward(frame.encode()));
        }
    }
}

fn handover_frame(ctx: &Ctx, held: &HeldLetter) -> Option<Frame> {
    let from = contact_key(ctx, &held.from_conversation)?;
    Some(Frame::Handover {
        id: held.id.clone(),
        from: hex(&from),
        letter: data_encoding::BASE64.encode(&held.sealed),
    })
}

/// The holder's side, on connecting to `id`: the letters held for its contact.
pub(super) fn letters_to_hand_over(ctx: &Ctx, id: &PeerId) -> Vec<Frame> {
    let Some(key) = contact_key(ctx, id) else {
        return Vec::new();
    };
    let letters = ctx
        .store()
        .letters_for(&key, unix_now())
        .unwrap_or_default();
    letters
        .iter()
        .filter_map(|held| handover_frame(ctx, held))
        .collect()
}

/// The holder's side: the recipient (`via`) has the letter.
pub(super) fn on_ok(ctx: &Ctx, via: &PeerId, key: &str) {
    let Some(id) = key.strip_prefix("handover:") else {
        return;
    };
    if let Some(to_key) = contact_key(ctx, via) {
        if let Err(e) = ctx.store().letter_delivered(id, &to_key) {
            tracing::warn!(peer = %via, "could not forget a delivered letter: {e}");
        }
    }
}

/// The recipient's side: a letter from the contact holding `from`, handed over by
/// `via`. Returns the `ok` to answer with (also for a letter that cannot be used, so
/// the holder forgets it); `None` when it could not be stored (it comes again).
pub(super) fn on_handover(
    ctx: &Ctx,
    via: &PeerId,
    id: &str,
    from: &str,
    letter: &str,
) -> Option<Frame> {
    let done = Some(Frame::Ok {
        key: format!("handover:{id}"),
    });
    let Some(from_key) = key32(from) else {
        return done;
    };
    let Ok(Some(conversation)) = ctx.store().conversation_with_key(&from_key) else {
        tracing::info!(peer = %via, "a letter from someone who is not our contact: dropped");
        return done;
    };
    let opened = data_encoding::BASE64
        .decode(letter.as_bytes())
        .ok()
        .and_then(|sealed| Letter::open(&sealed, &ctx.identity, id, &from_key).ok())
        .filter(|l| Some(l.conversation) == conversation_bytes(&conversation));
    let Some(letter) = opened else {
        tracing::info!(peer = %via, "a letter that does not open or verify: dropped");
        return done;
    };
    match ctx.store().store_incoming(
        &conversation,
        &letter.id,
        &letter.text,
        letter.sent_at,
        unix_millis(),
    ) {
        Ok(Some(record)) => ctx.events.push(Event::Message {
            peer: conversation,
            id: record.id,
            text: record.text,
        }),
        Ok(None) => {}
        Err(e) => {
            tracing::warn!(peer = %via, "could not store a held letter: {e}");
            return None;
        }
    }
    done
}
