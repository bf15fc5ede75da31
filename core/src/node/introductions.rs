//! Introductions through the node (docs/NETWORK.md): making one (the introducer),
//! answering one (the two people), and the frames that carry them.
//!
//! Every frame of an introduction rides the control outbox (`store/introductions.rs`):
//! sent on each connection until the peer answers `ok`, so an introduction made
//! while someone is offline reaches them when they are back, and a repeat is harmless
//! (each step is keyed by the introduction's id).

use std::sync::Arc;

use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};

use super::conversation::{self, Ctx, Spawn, Start};
use super::events::{Event, PeerId};
use super::peer::{hex, unhex};
use super::route::{self, ConversationSecrets};
use super::{lock, unix_now, Node, NodeError};
use crate::code::invite::hex_id;
use crate::code::Exchange;
use crate::intro::card::{self, Card, MAX_SEALED_CARD_BYTES};
use crate::intro::{IntroError, LIFETIME_SECS, MAX_PENDING_PER_INTRODUCER, MAX_PENDING_TOTAL};
use crate::link::{LinkSecrets, PendingOffer};
use crate::protect::keys::Role;
use crate::sdp;
use crate::store::{
    AnswerSeen, ConversationRecord, IntroAnswer, IntroRecord, IntroState, MadeIntroRecord,
};
use crate::wire::Frame;

/// What the secret store keeps for an introduction we accepted, until it connects:
/// what our card promised the other side.
#[derive(Serialize, Deserialize)]
struct Acceptance {
    link: LinkSecrets,
    seed: [u8; 32],
    /// Our session description as sealed in the card.
    local_sdp: String,
    /// The port its candidates name, bound again for the first attempts.
    local_port: Option<u16>,
}

fn acceptance_key(id: &str) -> String {
    format!("introduction-{id}")
}

/// An introduction someone made to us, as a shell lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntroductionInfo {
    /// Its id; also the conversation it makes once both accepted.
    pub id: String,
    /// The conversation with whoever introduced us.
    pub introducer: PeerId,
    /// The introducer's name.
    pub introducer_name: Option<String>,
    /// The name of the person introduced, as the introducer knows it.
    pub name: Option<String>,
    /// Their identity key (hex), as the introducer gave it.
    pub key: String,
    /// Where it stands.
    pub state: IntroState,
    /// Why it was declined or failed.
    pub reason: Option<String>,
    /// Unix seconds.
    pub expires_at: u64,
}

/// One side of an introduction we made, as far as we may know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntroducedSide {
    /// Our conversation with them.
    pub peer: PeerId,
    /// Their name.
    pub name: Option<String>,
    /// Their answer, when, and the size of the sealed card we forwarded.
    pub seen: AnswerSeen,
}

/// An introduction we made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MadeIntroductionInfo {
    /// Its id.
    pub id: String,
    /// The two people, in the order given.
    pub sides: [IntroducedSide; 2],
    /// Unix seconds.
    pub expires_at: u64,
}

fn invalid(what: impl Into<String>) -> NodeError {
    NodeError::Invalid(what.into())
}

fn encoded(frame: &Frame) -> String {
    String::from_utf8(frame.encode()).unwrap_or_default()
}

/// An introduction id as bytes: 16 hex digits.
fn id_bytes(id: &str) -> Option<[u8; 8]> {
    if id.len() != 16 {
        return None;
    }
    unhex(id)?.try_into().ok()
}

impl Node {
    /// Introduces the contacts of two conversations to each other. Both are asked;
    /// if both accept, they connect directly and we only ever carry sealed bytes.
    /// Returns the introduction's id.
    pub fn introduce(&self, first: &str, second: &str) -> Result<String, NodeError> {
        if first == second {
            return Err(invalid("Pick two different people to introduce."));
        }
        let now = unix_now();
        let mut store = lock(&self.inner.store);
        let mut contacts = Vec::with_capacity(2);
        for peer in [first, second] {
            let record = store
                .conversation(peer)?
                .ok_or_else(|| NodeError::UnknownPeer(peer.to_owned()))?;
            let contact = match (&record.contact, record.closed) {
                (Some(contact), false) => store.contact(contact)?,
                _ => None,
            }
            .ok_or_else(|| {
                invalid(format!(
                    "Conversation {peer} has no connected contact: only people you have \
                     talked to can be introduced."
                ))
            })?;
            contacts.push(contact);
        }
        if contacts[0].identity_key == contacts[1].identity_key {
            return Err(invalid("Both conversations are with the same person."));
        }
        let waiting = store.made_introductions()?.into_iter().any(|m| {
            m.expires_at > now
                && m.sides.iter().all(|s| s == first || s == second)
                && m.answers.iter().all(|a| a.answer != IntroAnswer::Declined)
        });
        if waiting {
            return Err(invalid(
                "You already introduced these two; they have not both answered yet.",
            ));
        }
        let mut raw = [0u8; 8];
        OsRng.fill_bytes(&mut raw);
        let id = hex_id(&raw);
        let expires_at = now + LIFETIME_SECS;
        let frame_for = |other: &crate::store::ContactRecord| {
            encoded(&Frame::Intro {
                id: id.clone(),
                key: hex(&other.identity_key),
                name: other.display_name.clone(),
                expires_at,
            })
        };
        let frames = [frame_for(&contacts[1]), frame_for(&contacts[0])];
        store.add_made_introduction(
            &MadeIntroRecord {
                id: id.clone(),
                sides: [first.to_owned(), second.to_owned()],
                created_at: now,
                expires_at,
                answers: [AnswerSeen::WAITING; 2],
            },
            [&frames[0], &frames[1]],
        )?;
        drop(store);
        self.inner.ctx.nudge(first);
        self.inner.ctx.nudge(second);
        Ok(id)
    }

    /// Introductions made to us, newest first (expired ones marked as such).
    pub fn introductions(&self) -> Result<Vec<IntroductionInfo>, NodeError> {
        let mut store = lock(&self.inner.store);
        store.expire_introductions(unix_now())?;
        let records = store.introductions()?;
        records
            .into_iter()
            .map(|r| {
                let introducer_name = match store.conversation_contact(&r.via)? {
                    Some(contact) => store.contact(&contact)?.and_then(|c| c.display_name),
                    None => None,
                };
                Ok(IntroductionInfo {
                    key: hex(&r.peer_key),
                    id: r.id,
                    introducer: r.via,
                    introducer_name,
                    name: r.peer_name,
                    state: r.state,
                    reason: r.reason,
                    expires_at: r.expires_at,
                })
            })
            .collect()
    }

    /// Introductions we made, newest first, with what we saw of the answers.
    pub fn introductions_made(&self) -> Result<Vec<MadeIntroductionInfo>, NodeError> {
        let store = lock(&self.inner.store);
        let made = store.made_introductions()?;
        made.into_iter()
            .map(|m| {
                let side = |i: usize| -> Result<IntroducedSide, NodeError> {
                    let name = match store.conversation_contact(&m.sides[i])? {
                        Some(contact) => store.contact(&contact)?.and_then(|c| c.display_name),
                        None => None,
                    };
                    Ok(IntroducedSide {
                        peer: m.sides[i].clone(),
                        name,
                        seen: m.answers[i],
                    })
                };
                Ok(MadeIntroductionInfo {
                    sides: [side(0)?, side(1)?],
                    id: m.id,
                    expires_at: m.expires_at,
                })
            })
            .collect()
    }

    /// Whether every introduction, answer and forwarded answer this device queued has
    /// reached its peer (a CLI run waits for this before ending).
    pub fn introductions_delivered(&self) -> bool {
        lock(&self.inner.store)
            .control_waiting(unix_now())
            .is_ok_and(|n| n == 0)
    }

    /// The conversations introductions still need: those with something queued for
    /// them, and both sides of an introduction we made that waits for an answer. A
    /// shell that runs only some conversations (the CLI) runs these too, so answers
    /// can come in and be passed on.
    pub fn introduction_conversations(&self) -> Result<Vec<PeerId>, NodeError> {
        let now = unix_now();
        let store = lock(&self.inner.store);
        let mut needed = store.control_targets(now)?;
        for made in store.made_introductions()? {
            let waiting = made
                .answers
                .iter()
                .any(|a| a.answer == IntroAnswer::Waiting);
            let declined = made
                .answers
                .iter()
                .any(|a| a.answer == IntroAnswer::Declined);
            if made.expires_at > now && waiting && !declined {
                needed.extend(made.sides.iter().cloned());
            }
        }
        needed.sort();
        needed.dedup();
        Ok(needed)
    }

    /// Accepts an introduction: gathers this device's connection details, seals them
    /// to the other person and hands them to the introducer. Once the other person
    /// accepted too, the conversation connects by itself (its id is the
    /// introduction's).
    pub fn accept_introduction(&self, id: &str) -> Result<(), NodeError> {
        let now = unix_now();
        let record = self.pending_introduction(id, now)?;
        if record.state != IntroState::Offered {
            return Ok(());
        }
        let ctx = &self.inner.ctx;
        let secrets = LinkSecrets::generate()?;
        let offer = self.block_on(PendingOffer::create(&self.inner.config.link, &secrets))??;
        let local_sdp = offer.local_sdp().to_owned();
        // Its port is bound again for the first attempts: let go of it now.
        self.block_on(offer.close())??;
        let mut seed = [0u8; 32];
        OsRng.fill_bytes(&mut seed);
        let acceptance = Acceptance {
            link: secrets,
            seed,
            local_port: route::first_host_port(&local_sdp),
            local_sdp,
        };
        let sealed = own_card(ctx, &record, &acceptance)?
            .seal(&ctx.identity, &mut OsRng)
            .map_err(|e| invalid(e.to_string()))?;
        let blob =
            serde_json::to_vec(&acceptance).map_err(|e| NodeError::Storage(e.to_string()))?;
        ctx.secret_store.put(&acceptance_key(id), &blob)?;
        let reply = encoded(&Frame::IntroReply {
            id: id.to_owned(),
            card: Some(data_encoding::BASE64.encode(&sealed)),
        });
        // Under one hold on the store with `on_pass`'s check, so exactly one of the two
        // sees both the acceptance and the card, whichever comes last.
        let card_arrived = {
            let mut store = lock(&self.inner.store);
            store.set_introduction_state(id, IntroState::Accepted, None)?;
            store.queue_control(
                &record.via,
                &format!("reply:{id}"),
                &reply,
                record.expires_at,
            )?;
            store
                .introduction(id)?
                .is_some_and(|r| r.peer_card.is_some())
        };
        ctx.nudge(&record.via);
        ctx.events
            .push(Event::IntroductionChanged { id: id.to_owned() });
        if card_arrived {
            // The other side accepted first and waits for our card: send short until
            // it has it and reaches us.
            complete(ctx, id, true);
        }
        Ok(())
    }

    /// Declines an introduction; the other person is told (through the introducer).
    pub fn decline_introduction(&self, id: &str) -> Result<(), NodeError> {
        let record = self.pending_introduction(id, unix_now())?;
        if record.state != IntroState::Offered {
            return Err(invalid(
                "This introduction was already accepted; it connects once the other \
                 person accepts too.",
            ));
        }
        decline(&self.inner.ctx, &record, "You declined.")?;
        Ok(())
    }

    /// An introduction made to us that is still waiting for answers.
    fn pending_introduction(&self, id: &str, now: u64) -> Result<IntroRecord, NodeError> {
        let mut store = lock(&self.inner.store);
        store.expire_introductions(now)?;
        let record = store
            .introduction(id)?
            .ok_or_else(|| invalid(format!("There is no introduction {id}.")))?;
        if !record.state.is_pending() {
            let why = record
                .reason
                .as_deref()
                .unwrap_or("it is no longer waiting");
            return Err(invalid(format!("This introduction has ended: {why}")));
        }
        Ok(record)
    }
}

/// Our card for `record`, as sealed when we accepted (rebuilt the same way later to
/// derive the session keys).
fn own_card(ctx: &Ctx, record: &IntroRecord, acceptance: &Acceptance) -> Result<Card, NodeError> {
    let own = ctx.identity.public_key();
    let mut description = sdp::parse(&acceptance.local_sdp).map_err(crate::CodeError::from)?;
    description.setup = card::setup_for(card::role(&own, &record.peer_key));
    Ok(Card {
        intro: id_bytes(&record.id).ok_or_else(|| invalid("malformed introduction id"))?,
        from: own,
        to: record.peer_key,
        expires_at: record.expires_at,
        seed: acceptance.seed,
        description,
    })
}

/// Declines `record` with `reason` and queues the answer to the introducer.
fn decline(ctx: &Ctx, record: &IntroRecord, reason: &str) -> Result<(), NodeError> {
    let reply = encoded(&Frame::IntroReply {
        id: record.id.clone(),
        card: None,
    });
    {
        let mut store = ctx.store();
        store.set_introduction_state(&record.id, IntroState::Declined, Some(reason))?;
        store.queue_control(
            &record.via,
            &format!("reply:{}", record.id),
            &reply,
            record.expires_at,
        )?;
    }
    ctx.nudge(&record.via);
    ctx.events.push(Event::IntroductionChanged {
        id: record.id.clone(),
    });
    Ok(())
}

/// Handles an introduction frame that came on conversation `via`; returns the frame
/// to answer with (an `ok`), if any.
pub(super) fn on_frame(ctx: &Arc<Ctx>, via: &PeerId, frame: Frame) -> Option<Frame> {
    let result = match frame {
        Frame::Intro {
            id,
            key,
            name,
            expires_at,
        } => on_intro(ctx, via, &id, &key, name, expires_at).map(|()| ok("intro", &id)),
        Frame::IntroReply { id, card } => on_reply(ctx, via, &id, card).map(|()| ok("reply", &id)),
        Frame::IntroPass { id, card } => on_pass(ctx, via, &id, card).map(|()| ok("pass", &id)),
        Frame::Ok { key } => {
            super::held::on_ok(ctx, via, &key);
            ctx.store()
                .control_done(via, &key)
                .map(|()| None)
                .map_err(NodeError::from)
        }
        _ => Ok(None),
    };
    match result {
        Ok(answer) => answer,
        Err(e) => {
            // Not kept: no `ok`, so the peer sends it again on the next connection.
            tracing::warn!(peer = %via, "could not handle an introduction frame: {e}");
            None
        }
    }
}

fn ok(step: &str, id: &str) -> Option<Frame> {
    Some(Frame::Ok {
        key: format!("{step}:{id}"),
    })
}

/// Someone introduces us to the holder of `key`.
fn on_intro(
    ctx: &Ctx,
    via: &PeerId,
    id: &str,
    key: &str,
    name: Option<String>,
    expires_at: u64,
) -> Result<(), NodeError> {
    let now = unix_now();
    let Some(peer_key) = unhex(key).and_then(|k| <[u8; 32]>::try_from(k).ok()) else {
        return Ok(());
    };
    if id_bytes(id).is_none() || expires_at <= now {
        return Ok(());
    }
    let decline_reason = {
        let store = ctx.store();
        if store.introduction(id)?.is_some() {
            return Ok(());
        }
        let (through, all) = store.pending_introductions(via)?;
        if peer_key == ctx.identity.public_key() {
            Some("it named this device itself".to_owned())
        } else if crate::identity::agreement_key(&peer_key).is_none() {
            Some("it named a key that is not a valid identity key".to_owned())
        } else if store.conversation_with_key(&peer_key)?.is_some() {
            Some("you are already in touch".to_owned())
        } else if store.conversation(id)?.is_some() {
            Some("its id is already in use here".to_owned())
        } else if through >= MAX_PENDING_PER_INTRODUCER {
            Some(format!(
                "{MAX_PENDING_PER_INTRODUCER} introductions from the same person were \
                 already waiting"
            ))
        } else if all >= MAX_PENDING_TOTAL {
            Some(format!(
                "{MAX_PENDING_TOTAL} introductions were already waiting"
            ))
        } else {
            None
        }
    };
    let record = IntroRecord {
        id: id.to_owned(),
        via: via.clone(),
        peer_key,
        peer_name: name.map(|n| n.chars().take(64).collect()),
        created_at: now,
        // A lifetime longer than ours is cut to ours.
        expires_at: expires_at.min(now + LIFETIME_SECS),
        state: IntroState::Offered,
        peer_card: None,
        reason: None,
    };
    if !ctx.store().add_introduction(&record)? {
        return Ok(());
    }
    match decline_reason {
        Some(why) => {
            tracing::info!(peer = %via, "introduction {id} declined: {why}");
            decline(ctx, &record, &format!("Declined automatically: {why}."))?;
        }
        None => ctx
            .events
            .push(Event::IntroductionChanged { id: id.to_owned() }),
    }
    Ok(())
}

/// One of the two people answered an introduction we made: forward it, sealed as it
/// is, to the other. We only note that it came, when, and its size.
fn on_reply(ctx: &Ctx, via: &PeerId, id: &str, card: Option<String>) -> Result<(), NodeError> {
    let bytes = match &card {
        Some(b64) => match data_encoding::BASE64.decode(b64.as_bytes()) {
            Ok(sealed) if sealed.len() <= MAX_SEALED_CARD_BYTES => Some(sealed.len() as u64),
            _ => return Ok(()),
        },
        None => None,
    };
    let answer = if card.is_some() {
        IntroAnswer::Accepted
    } else {
        IntroAnswer::Declined
    };
    let now = unix_now();
    let mut store = ctx.store();
    let Some(made) = store.made_introduction(id)? else {
        return Ok(());
    };
    let Some(other) = store.record_introduction_answer(id, via, answer, now, bytes)? else {
        return Ok(());
    };
    let pass = encoded(&Frame::IntroPass {
        id: id.to_owned(),
        card,
    });
    store.queue_control(&other, &format!("pass:{id}"), &pass, made.expires_at)?;
    drop(store);
    ctx.nudge(&other);
    ctx.events
        .push(Event::IntroductionChanged { id: id.to_owned() });
    Ok(())
}

/// The introducer forwards the other person's answer.
fn on_pass(ctx: &Arc<Ctx>, via: &PeerId, id: &str, card: Option<String>) -> Result<(), NodeError> {
    let Some(record) = ctx.store().introduction(id)? else {
        return Ok(());
    };
    if &record.via != via || !record.state.is_pending() {
        return Ok(());
    }
    let Some(b64) = card else {
        let who = record.peer_name.as_deref().unwrap_or("The other person");
        ctx.store().set_introduction_state(
            id,
            IntroState::Declined,
            Some(&format!("{who} declined.")),
        )?;
        let _ = ctx.secret_store.delete(&acceptance_key(id));
        ctx.events
            .push(Event::IntroductionChanged { id: id.to_owned() });
        return Ok(());
    };
    let sealed = match data_encoding::BASE64.decode(b64.as_bytes()) {
        Ok(sealed) if sealed.len() <= MAX_SEALED_CARD_BYTES => sealed,
        _ => {
            fail(ctx, id, &IntroError::Malformed("not a sealed card".into()))?;
            return Ok(());
        }
    };
    // Under one hold on the store with `accept_introduction`'s check (see there).
    let accepted = {
        let mut store = ctx.store();
        store.set_introduction_card(id, Some(&sealed))?;
        store
            .introduction(id)?
            .is_some_and(|r| r.state == IntroState::Accepted)
    };
    ctx.events
        .push(Event::IntroductionChanged { id: id.to_owned() });
    if accepted {
        // We accepted first: the other side has our card and is already trying.
        complete(ctx, id, false);
    }
    Ok(())
}

fn fail(ctx: &Ctx, id: &str, why: &IntroError) -> Result<(), NodeError> {
    let mut store = ctx.store();
    store.set_introduction_state(id, IntroState::Failed, Some(&why.to_string()))?;
    store.set_introduction_card(id, None)?;
    drop(store);
    let _ = ctx.secret_store.delete(&acceptance_key(id));
    ctx.events
        .push(Event::IntroductionChanged { id: id.to_owned() });
    Ok(())
}

/// Both accepted: open the other's card, keep the conversation it describes and start
/// connecting. A card that does not open or verify fails the introduction.
fn complete(ctx: &Arc<Ctx>, id: &str, holding: bool) {
    if let Err(e) = try_complete(ctx, id, holding) {
        tracing::warn!("introduction {id} could not be completed: {e}");
        let why = IntroError::Malformed(e.to_string());
        let _ = fail(ctx, id, &why);
    }
}

fn try_complete(ctx: &Arc<Ctx>, id: &str, holding: bool) -> Result<(), NodeError> {
    let now = unix_now();
    let record = ctx
        .store()
        .introduction(id)?
        .ok_or_else(|| invalid(format!("There is no introduction {id}.")))?;
    let (Some(sealed), Some(raw_id)) = (&record.peer_card, id_bytes(id)) else {
        return Ok(());
    };
    let blob = ctx
        .secret_store
        .get(&acceptance_key(id))?
        .ok_or_else(|| NodeError::Storage(format!("the keys of introduction {id} are missing")))?;
    let acceptance: Acceptance =
        serde_json::from_slice(&blob).map_err(|e| NodeError::Storage(e.to_string()))?;
    let theirs = match Card::open(sealed, &ctx.identity, &raw_id, &record.peer_key, now) {
        Ok(card) => card,
        Err(why) => return fail(ctx, id, &why),
    };
    let ours = own_card(ctx, &record, &acceptance)?;
    let role = card::role(&ours.from, &theirs.from);
    let (inviter, joiner) = match role {
        Role::Inviter => (&ours, &theirs),
        Role::Joiner => (&theirs, &ours),
    };
    let keys = card::session_keys(inviter, joiner).map_err(|e| invalid(e.to_string()))?;
    let remote_sdp = theirs.description.to_sdp(route::remote_kind(role));
    let exchange = Exchange::new(role, raw_id, keys.clone(), theirs.description);
    route::save_secrets(
        ctx.secret_store.as_ref(),
        id,
        &ConversationSecrets {
            link: acceptance.link,
            keys,
            invite_id: raw_id,
            waiting_until: Some(record.expires_at),
            reply_code: None,
        },
    )?;
    {
        let mut store = ctx.store();
        store.add_conversation(&ConversationRecord {
            id: id.to_owned(),
            role,
            contact: None,
            created_at: now,
            remote_sdp,
            local_port: acceptance.local_port,
            closed: false,
        })?;
        store.set_introduction_state(id, IntroState::Connecting, None)?;
        store.set_introduction_card(id, None)?;
    }
    let _ = ctx.secret_store.delete(&acceptance_key(id));
    conversation::spawn(
        ctx,
        Spawn {
            id: id.to_owned(),
            role,
            start: Start::Introduced { holding },
            exchange: Some(exchange),
            first_contact_until: Some(record.expires_at),
            on_confirm_failed: None,
        },
    );
    ctx.events
        .push(Event::IntroductionChanged { id: id.to_owned() });
    Ok(())
}

/// The identity key an introduced conversation must present: the one the introducer
/// named (and the card was signed with). `None` for other conversations.
pub(super) fn expected_key(ctx: &Ctx, conversation: &str) -> Option<[u8; 32]> {
    ctx.store()
        .introduction(conversation)
        .ok()
        .flatten()
        .map(|r| r.peer_key)
}

/// An introduced conversation's first connection was made: the contact is marked as
/// introduced by the introducer, until the safety numbers are compared.
pub(super) fn first_contact_made(ctx: &Ctx, conversation: &str) {
    let mut store = ctx.store();
    let Ok(Some(record)) = store.introduction(conversation) else {
        return;
    };
    let introducer = store.conversation_contact(&record.via).ok().flatten();
    let contact = store.conversation_contact(conversation).ok().flatten();
    if let (Some(introducer), Some(contact)) = (introducer, contact) {
        if let Err(e) = store.set_introduced_by(&contact, &introducer) {
            tracing::warn!("could not note who introduced {contact}: {e}");
        }
    }
    if let Err(e) = store.set_introduction_state(conversation, IntroState::Connected, None) {
        tracing::warn!("could not note introduction {conversation} connected: {e}");
    }
    drop(store);
    ctx.events.push(Event::IntroductionChanged {
        id: conversation.to_owned(),
    });
}
