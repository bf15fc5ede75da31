//! A durable conversation's task: connect, prove identities, move messages, and when
//! the connection is lost, reconnect by itself for as long as the conversation lives.
//!
//! ```text
//! first link (from codes) ─┐
//!                          ▼
//!        ┌──▶ open ─▶ handshake ─▶ Connected: drain outbox, chat ──lost──┐
//!        │                                                              │
//!        └──── rebuild the same session (route.rs), backoff ◀───────────┘
//! ```
//!
//! Delivery: the database is the truth. `Node::send` commits the message to the
//! outbox and nudges this task; the task sends everything in the outbox that the
//! current link has not carried yet. A message leaves the outbox only when the peer's
//! `Ack` says it was stored there; after a reconnect the rest is sent again and the
//! peer drops what it already has (same id), so each message is shown exactly once.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use super::doorbell;
use super::events::{Event, EventQueue, PeerId, PeerState};
use super::handshake::{self, HandshakeError};
use super::held;
use super::introductions;
use super::peer::{Command, PeerSlot};
use super::relay;
use super::rooms;
use super::route;
use super::transfers::Transfers;
use crate::files::chunk;
use crate::identity::Identity;
use crate::link::{Link, LinkConfig, LinkState, Pace};
use crate::secrets::SecretStore;
use crate::store::Store;
use crate::wire::Frame;

/// How long going away waits for what we sent to be acknowledged by the transport.
const AWAY_GRACE: Duration = Duration::from_secs(3);

/// How the task paces reconnection attempts.
#[derive(Debug, Clone)]
pub struct ReconnectPolicy {
    /// How long one attempt keeps checking before it is rebuilt (fresh local
    /// addresses, e.g. after a network change).
    pub attempt_window: Duration,
    /// Pause after the first failed attempt; doubles up to `max_delay`.
    pub first_delay: Duration,
    /// Longest pause between attempts.
    pub max_delay: Duration,
    /// Without success for this long, the conversation shows as `Offline`.
    pub offline_after: Duration,
    /// A rebuilt session whose path was found but whose handshake has not finished
    /// this long later is talking to the peer's previous session, which answers the
    /// same credentials while it closes; rebuild rather than wait out the window.
    /// Generous: DTLS retransmits a lost flight after 1 s, then 2 s, then 4 s.
    pub handshake_limit: Duration,
    /// A link `Disconnected` (ICE heard nothing for `ice_disconnected_timeout`) for
    /// this long is given up and rebuilt. Zero (the default): at once. Measured: after
    /// an outage of 10 s or more, webrtc's SCTP resumes slowly or not at all (its
    /// retransmission timer backs off to 60 s and stops after 5 expiries), while a
    /// rebuilt session is up within a second of the network returning.
    pub stall_limit: Duration,
    /// Quiet for this long: send a `Ping` (and check the limits below this often).
    pub ping_after: Duration,
    /// Nothing at all from the peer for this long, though the link looks up: the
    /// session behind it is gone (e.g. the peer restarted); rebuild.
    pub silence_limit: Duration,
    /// `ping_after` in the background pace: a `Ping` costs three packets, so it is
    /// rare there (the link's keep-alives show the path is up; this shows the peer's
    /// session is still the one we talk to).
    pub background_ping_after: Duration,
    /// `silence_limit` in the background pace.
    pub background_silence_limit: Duration,
}

impl ReconnectPolicy {
    /// `(ping_after, silence_limit)` for the pace in force.
    fn liveness(&self, pace: Pace) -> (Duration, Duration) {
        match pace {
            Pace::Foreground => (self.ping_after, self.silence_limit),
            Pace::Background => (self.background_ping_after, self.background_silence_limit),
        }
    }
}

impl Default for ReconnectPolicy {
    fn default() -> Self {
        Self {
            attempt_window: Duration::from_secs(30),
            first_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            offline_after: Duration::from_secs(120),
            handshake_limit: Duration::from_secs(8),
            stall_limit: Duration::ZERO,
            ping_after: Duration::from_secs(5),
            silence_limit: Duration::from_secs(20),
            background_ping_after: Duration::from_secs(300),
            background_silence_limit: Duration::from_secs(330),
        }
    }
}

/// What every conversation task shares with the node.
pub(super) struct Ctx {
    pub store: Arc<Mutex<Store>>,
    pub events: Arc<EventQueue>,
    pub identity: Identity,
    pub secret_store: Arc<dyn SecretStore>,
    pub link_config: LinkConfig,
    pub connect_timeout: Duration,
    pub display_name: Option<String>,
    pub reconnect: ReconnectPolicy,
    /// This device's pace: background when nobody looks at the app.
    pub pace: watch::Sender<Pace>,
    /// Where files go and how big they may be.
    pub files: FilesCtx,
    /// Every running conversation, by id: a frame on one conversation can start or
    /// nudge another (an introduction completing, a reply to forward).
    pub peers: Mutex<BTreeMap<PeerId, Arc<PeerSlot>>>,
    /// The node's runtime, to start conversation tasks from anywhere.
    pub handle: tokio::runtime::Handle,
    /// What relaying for contacts remembers (repeats, budgets, a log).
    pub relay: relay::RelayState,
    /// We hold letters for contacts who are offline (`held.rs`).
    pub holding: std::sync::atomic::AtomicBool,
    /// How many letters we hold at most.
    pub hold_limits: crate::store::HoldLimits,
    /// Group rooms this device is in, in memory.
    pub rooms: rooms::Rooms,
}

/// What conversations need to know about files.
pub(super) struct FilesCtx {
    pub dirs: crate::files::FileDirs,
    pub limits: crate::files::FileLimits,
}

impl Ctx {
    /// The database, locked. Held only for one short call, never across an await.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// How a connected stretch ended.
enum Ending {
    /// Lost: reconnect.
    Lost(String),
    /// The peer said it is going offline: reconnect once its session has closed.
    PeerAway,
    /// Ended for good by either side.
    Closed(String),
    /// We are going offline (shutdown).
    Away,
}

/// How a conversation task starts.
pub(super) enum Start {
    /// The link from the code exchange, just made.
    Codes(Link, String),
    /// Nothing running yet: build the link from what is stored (a known contact, or a
    /// first contact resumed after a restart).
    Stored,
    /// An introduced conversation's first attempts, built from the stored cards.
    /// `holding`: the other side may not have our card yet, so send short until heard
    /// (`ttl_hold.rs`), as a joiner waiting for its reply to be loaded does.
    Introduced {
        /// Send short until heard.
        holding: bool,
    },
}

/// Whether a task starts as the last side of an introduction to complete.
enum StartKind {
    IntroducedLast,
    Other,
}

/// What starting a conversation task needs.
pub(super) struct Spawn {
    pub id: PeerId,
    pub role: crate::protect::keys::Role,
    pub start: Start,
    pub exchange: Option<crate::code::Exchange>,
    pub first_contact_until: Option<u64>,
    pub on_confirm_failed: Option<Box<dyn Fn() + Send + Sync>>,
}

/// Registers a durable conversation with the node and starts its task.
pub(super) fn spawn(ctx: &Arc<Ctx>, s: Spawn) {
    let (tx, rx) = mpsc::channel(256);
    let slot = Arc::new(PeerSlot {
        role: s.role,
        state: Mutex::new(PeerState::Connecting),
        name: Mutex::new(None),
        selected_pair: Mutex::new(None),
        exchange: Mutex::new(s.exchange),
        link: Mutex::new(None),
        local_sdp: Mutex::new(String::new()),
        durable: true,
        on_confirm_failed: s.on_confirm_failed,
        asked_for_help: Mutex::new(None),
        help_asks: Default::default(),
        waiting_code: Mutex::new(None),
        peer_holds: Default::default(),
        offered_to_holders: Default::default(),
        commands: tx,
    });
    ctx.peers
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(s.id.clone(), slot.clone());
    ctx.handle.spawn(run(
        ctx.clone(),
        s.id,
        slot,
        rx,
        s.start,
        s.first_contact_until,
    ));
}

impl Ctx {
    /// Tells a running conversation that something is waiting to be sent.
    pub fn nudge(&self, id: &str) {
        let slot = self
            .peers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .cloned();
        if let Some(slot) = slot {
            let _ = slot.commands.try_send(Command::Flush);
        }
    }
}

/// What a link attempt is waiting for, and how long.
#[derive(Clone, Copy)]
enum Window {
    /// A first contact: a quick window (`connect_timeout`) right after codes arrived.
    FirstQuick,
    /// A first contact waiting for the other side to load a code, until the invite's
    /// expiry.
    FirstWaiting,
    /// A known contact: one reconnection attempt.
    Reconnect,
    /// The fresh link of a follow-up code we made: as long as a first contact may
    /// wait, or `connect_timeout` for a known contact.
    FollowUp,
}

/// Something a shell asked for while no link is connected.
enum Interrupt {
    /// Stop: closed for good (`Some(Close)`) or going offline.
    End(Option<Command>),
    /// We made a follow-up code: use its fresh link.
    Adopt(Link, String),
    /// The network changed: try now.
    Retry,
    /// The other side's follow-up code was loaded: try its details now.
    Loaded,
    /// The pause ended.
    Waited,
}

/// What the next attempt will be, as shells' interrupts change it.
struct Plan {
    /// A link to use next instead of rebuilding one (codes, or our follow-up code's).
    next: Option<(Link, String, Window)>,
    /// A first contact sends short until heard (`ttl_hold.rs`).
    holding: bool,
    /// A follow-up code was loaded: a first contact's next attempt checks quickly, and
    /// a known contact's next attempt tries the loaded details before asking mutual
    /// contacts for help again.
    quick_next: bool,
}

impl Plan {
    /// Takes in what interrupted a wait; `false` when the task must end.
    fn take_in(&mut self, interrupt: Interrupt) -> bool {
        match interrupt {
            Interrupt::End(_) => return false,
            Interrupt::Adopt(fresh, sdp) => self.next = Some((fresh, sdp, Window::FollowUp)),
            // The other side waits for our packets: send normally, and soon.
            Interrupt::Loaded => {
                self.holding = false;
                self.quick_next = true;
            }
            Interrupt::Retry | Interrupt::Waited => {}
        }
        true
    }
}

/// Runs a conversation until it is closed for good or the node shuts down.
/// `first_contact_until` (unix seconds) marks a conversation whose first connection
/// has not happened yet: it keeps trying until then — the invite's expiry — across
/// restarts, then gives up (a first contact that never connected is not kept).
pub(super) async fn run(
    ctx: Arc<Ctx>,
    id: PeerId,
    slot: Arc<PeerSlot>,
    mut commands: mpsc::Receiver<Command>,
    start: Start,
    first_contact_until: Option<u64>,
) {
    let mut until = first_contact_until;
    // A joiner waits for the inviter to load its reply: it sends short (ttl_hold.rs)
    // until heard, unless it loaded the other side's follow-up code since.
    let start_kind = match &start {
        Start::Introduced { holding: false } => StartKind::IntroducedLast,
        _ => StartKind::Other,
    };
    let holding = match &start {
        Start::Introduced { holding } => *holding,
        Start::Codes(..) | Start::Stored => slot.role == crate::protect::keys::Role::Joiner,
    };
    let next = match start {
        Start::Codes(link, sdp) => {
            let window = if holding {
                Window::FirstWaiting
            } else {
                Window::FirstQuick
            };
            Some((link, sdp, window))
        }
        Start::Stored | Start::Introduced { .. } => None,
    };
    // The side of an introduction that completes last knows the other is already
    // waiting for its checks: try at the normal pace at once.
    let quick_next = matches!(start_kind, StartKind::IntroducedLast);
    let mut plan = Plan {
        next,
        holding,
        quick_next,
    };
    let mut attempt: u32 = 0;
    let mut lost_since: Option<Instant> = None;
    let mut delay = ctx.reconnect.first_delay;
    loop {
        let (link, local_sdp, window) = match plan.next.take() {
            Some(found) => found,
            None => {
                if let Some(deadline) = until {
                    if unix_now() >= deadline {
                        fail_first(&ctx, &id, &slot, expired_reason(slot.role));
                        return;
                    }
                }
                attempt = attempt.saturating_add(1);
                if until.is_none() {
                    show_reconnecting(&ctx, &id, &slot, attempt, lost_since);
                    // Not back after a whole attempt: both sides may have moved. Ask
                    // mutual contacts to pass on a fresh link's details (relay.rs) —
                    // unless the other side's just came: this attempt tries them.
                    if !plan.quick_next && relay::help_due(&slot, attempt) {
                        held::offer_to_holders(&ctx, &id, &slot);
                        if let Some((link, sdp)) = relay::ask_for_help(&ctx, &id, &slot).await {
                            plan.next = Some((link, sdp, Window::FollowUp));
                            continue;
                        }
                    }
                }
                let (kind, window) = match until {
                    None => (route::Attempt::RECONNECT, Window::Reconnect),
                    Some(_) if plan.quick_next => (route::Attempt::RECONNECT, Window::FirstQuick),
                    Some(deadline) => (
                        route::Attempt {
                            holding: plan.holding,
                            slow_for: Some(remaining(deadline)),
                            fresh_port: false,
                        },
                        Window::FirstWaiting,
                    ),
                };
                plan.quick_next = false;
                // The old link must let go of our port before the new one binds it.
                slot.clear_link();
                match route::rebuild(&ctx, &id, slot.role, kind).await {
                    Ok((link, sdp)) => (link, sdp, window),
                    Err(e) => {
                        tracing::warn!(peer = %id, "could not prepare a connection: {e}");
                        if !plan.take_in(
                            pause(
                                &ctx,
                                &mut commands,
                                &mut delay,
                                until.is_none().then_some((&id, &*slot)),
                            )
                            .await,
                        ) {
                            return;
                        }
                        continue;
                    }
                }
            }
        };
        let link = Arc::new(link);
        slot.set_link(link.clone(), local_sdp);
        let attempt_started = Instant::now();
        let opening = async {
            match (window, until) {
                (Window::FollowUp, None) => {
                    tokio::select! {
                        opened = link.wait_open(ctx.connect_timeout) => opened,
                        never = relay::repeat_while_waiting(&ctx, &id, &slot) => match never {},
                    }
                }
                (Window::Reconnect, _) | (_, None) => {
                    let policy = &ctx.reconnect;
                    link.wait_open_unless_stalled(policy.attempt_window, policy.handshake_limit)
                        .await
                }
                (Window::FirstQuick, Some(deadline)) => {
                    link.wait_open(ctx.connect_timeout.min(remaining(deadline)))
                        .await
                }
                (Window::FirstWaiting | Window::FollowUp, Some(deadline)) => {
                    link.wait_open(remaining(deadline).min(route::WAITING_ATTEMPT))
                        .await
                }
            }
        };
        // While our fresh link waits on the answer to an ask, the contact may simply
        // come back where it was and check towards the port it knows us by, which
        // the fresh link left: hear that and try there at once.
        let knocked = async {
            if matches!((window, until), (Window::FollowUp, None)) && relay::is_waiting(&slot) {
                doorbell::knock(&ctx, &id).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        let opened = tokio::select! {
            opened = opening => opened,
            () = knocked => {
                relay::stop_waiting(&slot);
                let _ = link.close_without_goodbye().await;
                plan.quick_next = true;
                continue;
            }
            interrupt = next_interrupt(&mut commands, false) => {
                relay::stop_waiting(&slot);
                if let Interrupt::End(command) = interrupt {
                    finish_without_link(&ctx, &id, &slot, &link, command).await;
                    return;
                }
                let _ = link.close_without_goodbye().await;
                plan.take_in(interrupt);
                continue;
            }
        };
        relay::stop_waiting(&slot);
        let first_contact = until.is_some();
        if let Err(e) = opened {
            tracing::info!(peer = %id, "attempt {attempt} did not connect: {e}");
            let _ = link.close_without_goodbye().await;
            if first_contact && attempt_started.elapsed() >= LONG_ATTEMPT {
                // A long wait ran its course: carry on at once on the same port, so
                // the NAT mapping the wait keeps open does not lapse in a pause.
                tracing::info!(peer = %id, "still waiting for the first connection");
                delay = ctx.reconnect.first_delay;
                continue;
            }
            if !plan.take_in(
                pause(
                    &ctx,
                    &mut commands,
                    &mut delay,
                    until.is_none().then_some((&id, &*slot)),
                )
                .await,
            ) {
                return;
            }
            continue;
        }
        slot.set_state(&id, &ctx.events, PeerState::Confirming);
        match handshake::run(&ctx, &id, &slot, &link, first_contact).await {
            Ok(()) => {}
            Err(HandshakeError::Refused(reason)) => {
                tracing::warn!(peer = %id, "handshake refused: {reason}");
                if first_contact {
                    if let Some(count) = &slot.on_confirm_failed {
                        count();
                    }
                }
                let _ = link.close().await;
                if first_contact {
                    fail_first(&ctx, &id, &slot, reason);
                } else {
                    slot.set_state(&id, &ctx.events, PeerState::Failed { reason });
                }
                return;
            }
            Err(HandshakeError::Lost(reason)) => {
                tracing::info!(peer = %id, "handshake interrupted: {reason}");
                let _ = link.close_without_goodbye().await;
                if !plan.take_in(
                    pause(
                        &ctx,
                        &mut commands,
                        &mut delay,
                        until.is_none().then_some((&id, &*slot)),
                    )
                    .await,
                ) {
                    return;
                }
                continue;
            }
        }
        if first_contact {
            until = None;
            first_contact_made(&ctx, &id);
            introductions::first_contact_made(&ctx, &id);
        }
        attempt = 0;
        delay = ctx.reconnect.first_delay;
        remember_route(&ctx, &id, &slot, &link).await;
        slot.set_state(&id, &ctx.events, PeerState::Connected);
        let ending = connected(&ctx, &id, &slot, &link, &mut commands).await;
        rooms::on_link_down(&ctx, &id);
        match ending {
            Ending::Lost(reason) => {
                tracing::info!(peer = %id, "connection lost: {reason}");
                let _ = link.close_without_goodbye().await;
                lost_since = Some(Instant::now());
            }
            Ending::Closed(reason) => {
                if let Err(e) = ctx.store().close_conversation(&id) {
                    tracing::warn!(peer = %id, "could not record the close: {e}");
                }
                slot.set_state(&id, &ctx.events, PeerState::Disconnected { reason });
                return;
            }
            Ending::PeerAway => {
                tracing::info!(peer = %id, "the other side went offline");
                let _ = link.close_without_goodbye().await;
                lost_since = Some(Instant::now());
                slot.set_state(&id, &ctx.events, PeerState::Reconnecting { attempt: 0 });
                // Its closing session would answer our first checks (handshake_limit).
                let mut wait = ctx.reconnect.first_delay;
                if !plan.take_in(
                    pause(
                        &ctx,
                        &mut commands,
                        &mut wait,
                        until.is_none().then_some((&id, &*slot)),
                    )
                    .await,
                ) {
                    return;
                }
            }
            Ending::Away => return,
        }
    }
}

/// A first-contact attempt that lasted this long ended by its own clock, not by an
/// error: the next one starts without a pause.
const LONG_ATTEMPT: Duration = Duration::from_secs(60);

/// Seconds since the Unix epoch.
fn unix_now() -> u64 {
    unix_millis() / 1000
}

/// Time left until `deadline` (unix seconds), at least a second.
fn remaining(deadline: u64) -> Duration {
    Duration::from_secs(deadline.saturating_sub(unix_now()).max(1))
}

fn expired_reason(role: crate::protect::keys::Role) -> String {
    match role {
        crate::protect::keys::Role::Joiner => "The invite expired before the other person \
                                               loaded your reply. Ask for a new invite."
            .into(),
        crate::protect::keys::Role::Inviter => "The invite expired before the connection \
                                                could be made. Make a new invite."
            .into(),
    }
}

/// The first connection is made: the conversation no longer waits for codes.
fn first_contact_made(ctx: &Ctx, id: &PeerId) {
    let store = ctx.secret_store.as_ref();
    match route::load_secrets(store, id) {
        Ok(mut secrets) if secrets.waiting_until.is_some() => {
            secrets.waiting_until = None;
            secrets.reply_code = None;
            if let Err(e) = route::save_secrets(store, id, &secrets) {
                tracing::warn!(peer = %id, "could not record the first connection: {e}");
            }
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(peer = %id, "could not record the first connection: {e}"),
    }
}

/// The first connection failed: the conversation never started, so it is not kept
/// for reconnecting.
fn fail_first(ctx: &Ctx, id: &PeerId, slot: &PeerSlot, reason: String) {
    if let Err(e) = ctx.store().close_conversation(id) {
        tracing::warn!(peer = %id, "could not record the failure: {e}");
    }
    slot.set_state(id, &ctx.events, PeerState::Failed { reason });
}

fn show_reconnecting(
    ctx: &Ctx,
    id: &PeerId,
    slot: &PeerSlot,
    attempt: u32,
    lost_since: Option<Instant>,
) {
    let long = lost_since.is_none_or(|t| t.elapsed() >= ctx.reconnect.offline_after);
    let state = if long && attempt > 1 {
        PeerState::Offline {
            reason: "not reachable; still trying now and then. If both of you changed \
                     networks, exchange a follow-up code."
                .into(),
        }
    } else {
        PeerState::Reconnecting { attempt }
    };
    // Don't flood the shell with one event per attempt while offline.
    if !(matches!(state, PeerState::Offline { .. })
        && matches!(slot.state(), PeerState::Offline { .. }))
    {
        slot.set_state(id, &ctx.events, state);
    }
}

/// Waits before the next attempt, unless something asks for attention first. A known
/// contact (`Some`) in the background pace is not polled: the next attempt waits for
/// the contact knocking at our port (`doorbell.rs`), a network change, new details or
/// the app coming to the foreground.
async fn pause(
    ctx: &Ctx,
    commands: &mut mpsc::Receiver<Command>,
    delay: &mut Duration,
    known_contact: Option<(&PeerId, &PeerSlot)>,
) -> Interrupt {
    let mut pace = ctx.pace.subscribe();
    let background = *pace.borrow_and_update() == Pace::Background;
    let doorbell = known_contact.filter(|_| background);
    if let Some((_, slot)) = doorbell {
        // The closed link lets go of the port the doorbell listens on.
        slot.clear_link();
    }
    let until = Instant::now() + *delay;
    *delay = (*delay * 2).min(ctx.reconnect.max_delay);
    let waited = async {
        let Some((id, _)) = doorbell else {
            tokio::time::sleep_until(until).await;
            return;
        };
        tokio::select! {
            () = doorbell::knock(ctx, id) => {}
            // The app comes to the foreground.
            seen = async { pace.wait_for(|p| *p == Pace::Foreground).await.is_ok() } => {
                if !seen {
                    std::future::pending::<()>().await;
                }
            }
        }
    };
    tokio::select! {
        () = waited => Interrupt::Waited,
        interrupt = next_interrupt(commands, true) => interrupt,
    }
}

/// The next command that matters while no link is connected. Messages wait in the
/// outbox meanwhile.
async fn next_interrupt(commands: &mut mpsc::Receiver<Command>, retry: bool) -> Interrupt {
    loop {
        match commands.recv().await {
            Some(Command::Flush) | Some(Command::Send { .. }) | Some(Command::Forward(_)) => {
                continue
            }
            #[cfg(test)]
            Some(Command::Raw(_)) => continue,
            // An attempt under way already uses the current addresses.
            Some(Command::Retry) if !retry => continue,
            Some(Command::Retry) => return Interrupt::Retry,
            Some(Command::Loaded) => return Interrupt::Loaded,
            Some(Command::Adopt { link, local_sdp }) => return Interrupt::Adopt(link, local_sdp),
            other => return Interrupt::End(other),
        }
    }
}

async fn finish_without_link(
    ctx: &Ctx,
    id: &PeerId,
    slot: &PeerSlot,
    link: &Link,
    command: Option<Command>,
) {
    let _ = link.close_without_goodbye().await;
    if let Some(Command::Close) = command {
        if let Err(e) = ctx.store().close_conversation(id) {
            tracing::warn!(peer = %id, "could not record the close: {e}");
        }
        slot.set_state(
            id,
            &ctx.events,
            PeerState::Disconnected {
                reason: "closed".into(),
            },
        );
    }
}

/// Remembers where the peer was reachable and which port we used.
async fn remember_route(ctx: &Ctx, id: &PeerId, slot: &PeerSlot, link: &Link) {
    *slot.selected_pair.lock().unwrap_or_else(|p| p.into_inner()) = link.selected_pair().await;
    let Some((local, remote)) = link.selected_route().await else {
        return;
    };
    let mut store = ctx.store();
    let Ok(Some(record)) = store.conversation(id) else {
        return;
    };
    match route::with_observed_address(&record.remote_sdp, route::remote_kind(slot.role), remote) {
        Ok(sdp) => {
            if let Err(e) = store.update_route(id, &sdp, Some(local.port())) {
                tracing::warn!(peer = %id, "could not remember the route: {e}");
            }
        }
        Err(e) => tracing::warn!(peer = %id, "stored description unreadable: {e}"),
    }
}

/// The connected stretch: outbox out, frames in, until the link ends.
async fn connected(
    ctx: &Arc<Ctx>,
    id: &PeerId,
    slot: &PeerSlot,
    link: &Link,
    commands: &mut mpsc::Receiver<Command>,
) -> Ending {
    let mut sent = Sent::default();
    if let Err(reason) = flush(ctx, id, link, &mut sent).await {
        return Ending::Lost(reason);
    }
    let greeting = held::announcement(ctx)
        .into_iter()
        .chain(held::letters_to_hand_over(ctx, id))
        .chain(rooms::on_link_up(ctx, id));
    for frame in greeting {
        if let Err(e) = link.send(&frame.encode()).await {
            return Ending::Lost(format!("the connection broke: {e}"));
        }
    }
    let mut states = link.events();
    let mut stalled_since: Option<Instant> = None;
    let mut last_heard = Instant::now();
    let mut last_ping = Instant::now();
    let policy = &ctx.reconnect;
    let mut pace = Pacing::new(ctx.pace.subscribe());
    if let Err(reason) = pace.start(link).await {
        return Ending::Lost(reason);
    }
    let mut check = pace.check_timer(policy);
    let mut files = Transfers::new(ctx, id, link);
    if let Err(reason) = files.resume().await {
        return Ending::Lost(reason);
    }
    let mut stalls = tokio::time::interval(ctx.files.limits.stall_timeout / 2);
    stalls.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            // Frames first: a goodbye must win over the close that follows it.
            biased;
            incoming = link.recv() => {
                let Some(bytes) = incoming else {
                    return Ending::Lost("the connection closed".into());
                };
                last_heard = Instant::now();
                if chunk::is_chunk(&bytes) {
                    if let Err(reason) = files.on_chunk(&bytes).await {
                        return Ending::Lost(reason);
                    }
                    continue;
                }
                match Frame::decode(&bytes) {
                    Ok(Frame::Pace { background }) => {
                        if pace.peer_changed(link, background) {
                            check = pace.check_timer(policy);
                        }
                    }
                    Ok(frame) => {
                        if let Some(ending) = on_frame(ctx, id, link, &mut files, frame).await {
                            return ending;
                        }
                    }
                    Err(e) => tracing::warn!(peer = %id, "dropped a frame from the peer: {e}"),
                }
            }
            Some((file, sent)) = files.next_sent(), if files.is_sending() => {
                if let Err(reason) = files.on_sent(file, sent).await {
                    return Ending::Lost(reason);
                }
            }
            _ = stalls.tick(), if files.is_receiving() => {
                if let Err(reason) = files.check_stalls().await {
                    return Ending::Lost(reason);
                }
            }
            command = commands.recv() => match command {
                Some(Command::Flush) => {
                    if let Err(reason) = flush(ctx, id, link, &mut sent).await {
                        return Ending::Lost(reason);
                    }
                    if let Err(reason) = files.resume().await {
                        return Ending::Lost(reason);
                    }
                }
                Some(Command::Send { .. }) | Some(Command::Retry) | Some(Command::Loaded) => {}
                Some(Command::Forward(frame)) => {
                    if let Err(e) = link.send(&frame).await {
                        return Ending::Lost(format!("the connection broke: {e}"));
                    }
                }
                // Connected after all: the fresh link is not needed.
                Some(Command::Adopt { link: fresh, .. }) => {
                    let _ = fresh.close_without_goodbye().await;
                }
                #[cfg(test)]
                Some(Command::Raw(bytes)) => {
                    let _ = link.send(&bytes).await;
                }
                Some(Command::Close) => {
                    let _ = link.send(&Frame::Bye.encode()).await;
                    let _ = link.close().await;
                    return Ending::Closed("closed".into());
                }
                Some(Command::Away) | None => {
                    let _ = link.send(&Frame::Away.encode()).await;
                    // Acks we just sent must reach the peer, or it keeps those messages
                    // in its outbox until next time.
                    let deadline = Instant::now() + AWAY_GRACE;
                    while link.outstanding_bytes().await > 0 && Instant::now() < deadline {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    let _ = link.close().await;
                    return Ending::Away;
                }
            },
            changed = states.changed() => {
                let state = *states.borrow();
                if changed.is_err() || state.is_final() {
                    // The peer's last frames (a goodbye, acks) may still be queued
                    // behind the close: read them before deciding how it ended.
                    while let Ok(Some(bytes)) =
                        tokio::time::timeout(Duration::from_millis(200), link.recv()).await
                    {
                        if let Ok(frame) = Frame::decode(&bytes) {
                            if let Some(ending) = on_frame(ctx, id, link, &mut files, frame).await {
                                return ending;
                            }
                        }
                    }
                    return Ending::Lost(format!("the connection ended ({state:?})"));
                }
                // Silence shows as "reconnecting" at once (the shell's signal that
                // messages now wait); the same link usually comes back by itself.
                stalled_since = match state {
                    LinkState::Disconnected => {
                        slot.set_state(id, &ctx.events, PeerState::Reconnecting { attempt: 0 });
                        if policy.stall_limit.is_zero() {
                            return Ending::Lost("no packets from the other side".into());
                        }
                        stalled_since.or(Some(Instant::now()))
                    }
                    _ => {
                        slot.set_state(id, &ctx.events, PeerState::Connected);
                        None
                    }
                };
            }
            changed = pace.local.changed() => {
                if changed.is_err() {
                    return Ending::Away;
                }
                match pace.local_changed(link).await {
                    Ok(()) => check = pace.check_timer(policy),
                    Err(reason) => return Ending::Lost(reason),
                }
            }
            _ = check.tick() => {
                rooms::tick(ctx);
                let (ping_after, silence_limit) = policy.liveness(pace.effective());
                if stalled_since.is_some_and(|t| t.elapsed() >= policy.stall_limit) {
                    return Ending::Lost("no packets from the other side".into());
                }
                if last_heard.elapsed() >= silence_limit {
                    return Ending::Lost("no answer from the other side".into());
                }
                if last_heard.elapsed() >= ping_after && last_ping.elapsed() >= ping_after {
                    last_ping = Instant::now();
                    // A send that cannot complete is noticed by the limits above.
                    let _ = tokio::time::timeout(ping_after, link.send(&Frame::Ping.encode())).await;
                }
            }
        }
    }
}

/// The pace of one connected stretch: ours (the app's), the peer's (its last `Pace`
/// frame), and the one both use — background while either is.
struct Pacing {
    local: watch::Receiver<Pace>,
    peer_background: bool,
}

impl Pacing {
    fn new(local: watch::Receiver<Pace>) -> Self {
        Self {
            local,
            peer_background: false,
        }
    }

    fn effective(&self) -> Pace {
        if self.peer_background || *self.local.borrow() == Pace::Background {
            Pace::Background
        } else {
            Pace::Foreground
        }
    }

    /// Tells the peer our pace if it is not the default, and applies it.
    async fn start(&mut self, link: &Link) -> Result<(), String> {
        let ours = *self.local.borrow_and_update();
        if ours == Pace::Background {
            send_pace(link, ours).await?;
        }
        link.set_pace(self.effective());
        Ok(())
    }

    /// Our pace changed: tell the peer, apply.
    async fn local_changed(&mut self, link: &Link) -> Result<(), String> {
        let ours = *self.local.borrow_and_update();
        send_pace(link, ours).await?;
        link.set_pace(self.effective());
        Ok(())
    }

    /// The peer told us its pace; `true` when the pace in force changed.
    fn peer_changed(&mut self, link: &Link, background: bool) -> bool {
        let before = self.effective();
        self.peer_background = background;
        link.set_pace(self.effective());
        before != self.effective()
    }

    /// How often the liveness checks run in the pace in force.
    fn check_timer(&self, policy: &ReconnectPolicy) -> tokio::time::Interval {
        let (ping_after, _) = policy.liveness(self.effective());
        let period = ping_after.max(Duration::from_millis(100));
        let mut check = tokio::time::interval_at(Instant::now() + period, period);
        check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        check
    }
}

async fn send_pace(link: &Link, pace: Pace) -> Result<(), String> {
    let frame = Frame::Pace {
        background: pace == Pace::Background,
    };
    link.send(&frame.encode())
        .await
        .map_err(|e| format!("the connection broke: {e}"))
}

/// What one link has carried already, so a flush sends only what is new.
#[derive(Default)]
struct Sent {
    /// The newest outbox message sent.
    up_to: i64,
    /// Control frames sent (`control_outbox` keys).
    controls: std::collections::HashSet<String>,
}

/// Sends what the outbox holds beyond what this link already carried, owed read
/// receipts and queued control frames. `Err` when the link broke.
async fn flush(ctx: &Ctx, id: &PeerId, link: &Link, sent: &mut Sent) -> Result<(), String> {
    let (pending, receipts, controls) = {
        let store = ctx.store();
        let pending = store
            .outbox_after(id, sent.up_to)
            .map_err(|e| e.to_string())?;
        let receipts = store.pending_receipts(id).map_err(|e| e.to_string())?;
        let controls = store
            .control_outbox(id, unix_now())
            .map_err(|e| e.to_string())?;
        (pending, receipts, controls)
    };
    for message in pending {
        let attachment = ctx
            .store()
            .attachment_by_seq(message.seq)
            .map_err(|e| e.to_string())?;
        let frame = match attachment {
            Some(file) => Frame::File {
                id: message.id.clone(),
                sent_at: message.sent_at,
                name: file.name,
                mime: file.mime,
                size: file.size,
                hash: file.hash,
                preview: file.preview.map(|p| data_encoding::BASE64.encode(&p)),
            },
            None => Frame::Chat {
                id: message.id.clone(),
                sent_at: message.sent_at,
                text: message.text,
            },
        };
        link.send(&frame.encode())
            .await
            .map_err(|e| format!("the connection broke while sending: {e}"))?;
        sent.up_to = message.seq;
        if let Err(e) = ctx.store().mark_sent(id, &message.id) {
            tracing::warn!(peer = %id, "could not mark a message sent: {e}");
        }
    }
    for chunk in receipts.chunks(crate::wire::MAX_READ_IDS) {
        link.send(
            &Frame::Read {
                ids: chunk.to_vec(),
            }
            .encode(),
        )
        .await
        .map_err(|e| format!("the connection broke while sending: {e}"))?;
        if let Err(e) = ctx.store().receipts_sent(id, chunk) {
            tracing::warn!(peer = %id, "could not record sent receipts: {e}");
        }
    }
    for (key, frame) in controls {
        if sent.controls.contains(&key) {
            continue;
        }
        link.send(frame.as_bytes())
            .await
            .map_err(|e| format!("the connection broke while sending: {e}"))?;
        sent.controls.insert(key);
    }
    Ok(())
}

/// Handles one frame from the peer; `Some` ends the connected stretch.
async fn on_frame(
    ctx: &Arc<Ctx>,
    id: &PeerId,
    link: &Link,
    files: &mut Transfers<'_>,
    frame: Frame,
) -> Option<Ending> {
    match frame {
        Frame::File {
            id: file_id,
            sent_at,
            name,
            mime,
            size,
            hash,
            preview,
        } => {
            let offered = files
                .on_offer(file_id, sent_at, name, mime, size, hash, preview)
                .await;
            if let Err(reason) = offered {
                return Some(Ending::Lost(reason));
            }
        }
        Frame::Want {
            id: file_id,
            offset,
        } => files.on_want(file_id, offset),
        Frame::Got { id: file_id } => files.on_got(file_id),
        Frame::Refuse {
            id: file_id,
            reason,
            declined,
        } => {
            if let Err(reason) = files.on_refuse(file_id, reason, declined).await {
                return Some(Ending::Lost(reason));
            }
        }
        Frame::Chat {
            id: msg_id,
            sent_at,
            text,
        } => {
            let stored = ctx
                .store()
                .store_incoming(id, &msg_id, &text, sent_at, unix_millis());
            match stored {
                Ok(Some(record)) => ctx.events.push(Event::Message {
                    peer: id.clone(),
                    id: record.id,
                    text: record.text,
                }),
                Ok(None) => tracing::debug!(peer = %id, "repeat of {msg_id} acknowledged again"),
                Err(e) => {
                    // Not stored: no ack, so the peer keeps it and sends it again.
                    tracing::warn!(peer = %id, "could not store a message: {e}");
                    return None;
                }
            }
            if let Err(e) = link.send(&Frame::Ack { id: msg_id }.encode()).await {
                return Some(Ending::Lost(format!("the connection broke: {e}")));
            }
        }
        Frame::Ack { id: msg_id } => match ctx.store().mark_delivered(id, &msg_id) {
            Ok(true) => ctx.events.push(Event::Delivered {
                peer: id.clone(),
                id: msg_id,
            }),
            Ok(false) => {}
            Err(e) => tracing::warn!(peer = %id, "could not record a delivery: {e}"),
        },
        Frame::Read { ids } => match ctx.store().mark_read_by_peer(id, &ids) {
            Ok(changed) if !changed.is_empty() => ctx.events.push(Event::Read {
                peer: id.clone(),
                ids: changed,
            }),
            Ok(_) => {}
            Err(e) => tracing::warn!(peer = %id, "could not record a read receipt: {e}"),
        },
        Frame::Bye => {
            return Some(Ending::Closed(
                "the other side ended the conversation".into(),
            ))
        }
        Frame::Ping => {
            if let Err(e) = link.send(&Frame::Pong.encode()).await {
                return Some(Ending::Lost(format!("the connection broke: {e}")));
            }
        }
        Frame::Pong => {}
        // Taken in by `connected` before it gets here.
        Frame::Pace { .. } => {}
        Frame::Away => return Some(Ending::PeerAway),
        Frame::Confirm { .. } | Frame::Hello { .. } | Frame::Proof { .. } => {
            tracing::debug!(peer = %id, "handshake frame after the handshake ignored");
        }
        Frame::Relay {
            id: relay_id,
            to,
            payload,
        } => relay::on_relay(ctx, id, &relay_id, &to, payload),
        Frame::Relayed {
            id: relay_id,
            from,
            payload,
        } => relay::on_relayed(ctx, id, &relay_id, &from, &payload),
        Frame::Holding { on } => {
            if let Some(slot) = ctx.peers.lock().unwrap_or_else(|p| p.into_inner()).get(id) {
                slot.peer_holds
                    .store(on, std::sync::atomic::Ordering::SeqCst);
            }
        }
        Frame::Hold {
            id: letter_id,
            to,
            letter,
            expires_at,
        } => held::on_hold(ctx, id, &letter_id, &to, &letter, expires_at),
        Frame::Handover {
            id: letter_id,
            from,
            letter,
        } => {
            if let Some(answer) = held::on_handover(ctx, id, &letter_id, &from, &letter) {
                if let Err(e) = link.send(&answer.encode()).await {
                    return Some(Ending::Lost(format!("the connection broke: {e}")));
                }
            }
        }
        Frame::Room {
            room,
            kind,
            data,
            hops,
        } => {
            for answer in rooms::on_frame(ctx, id, &room, &kind, &data, hops) {
                if let Err(e) = link.send(&answer.encode()).await {
                    return Some(Ending::Lost(format!("the connection broke: {e}")));
                }
            }
        }
        frame @ (Frame::Intro { .. }
        | Frame::IntroReply { .. }
        | Frame::IntroPass { .. }
        | Frame::Ok { .. }) => {
            if let Some(answer) = introductions::on_frame(ctx, id, frame) {
                if let Err(e) = link.send(&answer.encode()).await {
                    return Some(Ending::Lost(format!("the connection broke: {e}")));
                }
            }
        }
    }
    None
}

/// Unix milliseconds now.
pub(super) fn unix_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}
