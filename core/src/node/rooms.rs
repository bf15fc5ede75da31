//! Group rooms on the node (issue #15, docs/NETWORK.md "Group rooms"): the room core
//! (`crate::room`) put on the node's links and store.
//!
//! - Membership operations go to every member we are connected to, and on every new
//!   connection with a member all of them are sent (rooms are small; repeats are
//!   dropped). Operations for a room we are not in are held in memory, bounded, until
//!   one adds us.
//! - Posts spread by gossip (`room::gossip`) between members with a live link; on every
//!   new connection both sides compare heights and send what the other lacks, at most
//!   [`CATCH_UP_BATCH`] posts per round.
//! - Keys: before its first post in an epoch, and when a member joins, a member posts a
//!   *keys* entry to its own log with its chain key for the epoch sealed to each member
//!   shown now. Keys travel like posts, so they reach members it is not linked to.
//!
//! Nobody sends a room's frames to someone not shown as a member, and posts by someone
//! who is not a member (now, or in the epoch they name) are refused.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use rand_core::{OsRng, RngCore};

use super::conversation::Ctx;
use super::events::{Event, PeerId};
use super::peer::{hex, unhex, Command};
use super::{lock, unix_now, Node, NodeError, PeerState};
use crate::identity::Identity;
use crate::room::codec::{read_entry, read_operation, write_entry, write_operation};
use crate::room::gossip::{Gossip, PostId, Spreader};
use crate::room::keys::{KeyRing, SavedRing};
use crate::room::log::{Added, Entry, Logs};
use crate::room::membership::{Change, MemberKey, RoomState};
use crate::room::RoomError;
use crate::wire::Frame;

/// Posts sent per catch-up round.
pub const CATCH_UP_BATCH: usize = 64;
/// Milliseconds an announced post may take before it is asked for.
const GRAFT_AFTER_MS: u64 = 1_000;
/// Most ticks of one graft timer (a quarter of [`GRAFT_AFTER_MS`] apart).
const GRAFT_TIMER_TICKS: usize = 40;
/// While a room is active, heights are compared with one linked member, in turn, this
/// often: a post whose push was lost on the way (a full send queue, a link that
/// dropped) is fetched then, not only at the next reconnection.
const EXCHANGE_EVERY_SECS: u64 = 10;
/// How long after the last room traffic a room counts as active (a quiet room costs
/// nothing).
const ACTIVE_FOR_SECS: u64 = 120;
/// Posts one author may push to us live per [`FLOOD_WINDOW_SECS`]; more are dropped
/// (not kept, not passed on): a member cannot flood the room.
pub const LIVE_POSTS_PER_WINDOW: usize = 30;
/// The window for [`LIVE_POSTS_PER_WINDOW`].
pub const FLOOD_WINDOW_SECS: u64 = 10;
/// Most posts kept per author and room.
pub const MAX_POSTS_PER_AUTHOR: usize = 10_000;
/// Rooms we are not (yet) in whose operations we hold in memory, and ops per room.
const LIMBO_ROOMS: usize = 16;
const LIMBO_OPS: usize = 512;

const TEXT: u8 = 0;
const KEYS: u8 = 1;

/// One room this device is in, in memory.
pub(super) struct Live {
    state: RoomState,
    pub(super) logs: Logs,
    keys: KeyRing,
    spreader: Spreader<Entry>,
    /// Posts already told to the shell.
    shown: BTreeSet<PostId>,
    /// When each author's recent live posts arrived (flood limit).
    recent: BTreeMap<MemberKey, std::collections::VecDeque<u64>>,
    /// Comparing heights while the room is active.
    exchange: Exchange,
}

/// When a room last had traffic and last compared heights (unix seconds).
#[derive(Default)]
struct Exchange {
    active: u64,
    last: u64,
    turn: usize,
}

/// Every room, in memory (the store holds the same).
#[derive(Default)]
pub(super) struct Rooms {
    live: Mutex<BTreeMap<[u8; 16], Live>>,
    limbo: Mutex<BTreeMap<[u8; 16], RoomState>>,
    counters: Counters,
    /// A tick is due soon for an announced post (see [`arm_graft_timer`]).
    graft_timer: std::sync::atomic::AtomicBool,
}

/// Longest relay path [`RoomStats::hops`] tells apart; longer ones count in its last
/// slot.
pub const HOPS_COUNTED: usize = 16;

/// What this node sent and took in for all its rooms since it started, for diagnostics
/// and benchmarks (`core/benches/rooms.rs`); [`Node::room_stats`]. Bytes are encoded
/// frames as put on a link (before the link's own encryption and framing).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoomStats {
    /// Text posts pushed in full by gossip (pushed on, or asked for by a graft).
    pub payload_frames: u64,
    /// Their bytes.
    pub payload_bytes: u64,
    /// Keys entries pushed in full by gossip.
    pub keys_frames: u64,
    /// Their bytes.
    pub keys_bytes: u64,
    /// Everything else: operations, announcements, grafts, prunes, heights, "more".
    pub control_frames: u64,
    /// Their bytes.
    pub control_bytes: u64,
    /// Of the control frames, heights sent (`have`: one per link up, one per "more").
    pub heights_frames: u64,
    /// Posts (text or keys) sent by catch-up.
    pub catchup_frames: u64,
    /// Their bytes.
    pub catchup_bytes: u64,
    /// Posts new to us that came by gossip.
    pub gossip_new: u64,
    /// Full copies by gossip of posts we already had.
    pub gossip_repeats: u64,
    /// Posts new to us that came by catch-up.
    pub caught_up: u64,
    /// Posts new to us by gossip, by links travelled from their author (index = hops;
    /// the last slot counts that many or more).
    pub hops: [u64; HOPS_COUNTED],
}

/// What a sent frame counts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Payload,
    Keys,
    Control,
    Heights,
    Catchup,
}

#[derive(Default)]
struct Counters {
    frames: [AtomicU64; 5],
    bytes: [AtomicU64; 5],
    gossip_new: AtomicU64,
    gossip_repeats: AtomicU64,
    caught_up: AtomicU64,
    hops: [AtomicU64; HOPS_COUNTED],
}

fn bump(counter: &AtomicU64, by: u64) {
    counter.fetch_add(by, Ordering::Relaxed);
}

impl Counters {
    fn sent(&self, class: Class, bytes: usize) {
        let i = class as usize;
        bump(&self.frames[i], 1);
        bump(&self.bytes[i], bytes as u64);
    }

    fn snapshot(&self) -> RoomStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let frames = |c: Class| get(&self.frames[c as usize]);
        let bytes = |c: Class| get(&self.bytes[c as usize]);
        RoomStats {
            payload_frames: frames(Class::Payload),
            payload_bytes: bytes(Class::Payload),
            keys_frames: frames(Class::Keys),
            keys_bytes: bytes(Class::Keys),
            control_frames: frames(Class::Control) + frames(Class::Heights),
            control_bytes: bytes(Class::Control) + bytes(Class::Heights),
            heights_frames: frames(Class::Heights),
            catchup_frames: frames(Class::Catchup),
            catchup_bytes: bytes(Class::Catchup),
            gossip_new: get(&self.gossip_new),
            gossip_repeats: get(&self.gossip_repeats),
            caught_up: get(&self.caught_up),
            hops: std::array::from_fn(|i| get(&self.hops[i])),
        }
    }
}

/// Counts frames about to go on a link (answers and greetings the caller sends).
fn counted(ctx: &Ctx, frames: Vec<(Class, Frame)>) -> Vec<Frame> {
    frames
        .into_iter()
        .map(|(class, f)| {
            ctx.rooms.counters.sent(class, f.encode().len());
            f
        })
        .collect()
}

impl Rooms {
    pub(super) fn live(&self) -> MutexGuard<'_, BTreeMap<[u8; 16], Live>> {
        self.live.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A room as a shell lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomInfo {
    /// Its id (32 hex digits).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Members' identity keys (hex), ours included while we are one.
    pub members: Vec<String>,
    /// Admins' identity keys (hex).
    pub admins: Vec<String>,
    /// Whether we are still a member.
    pub joined: bool,
    /// The key epoch (one more after each removal).
    pub epoch: u64,
}

/// A post as a shell shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomPost {
    /// The author's identity key (hex).
    pub author: String,
    /// Its place in the author's log.
    pub seq: u64,
    /// The name the author gave (sealed with the text; members who are not our
    /// contacts are known by it), when readable.
    pub name: Option<String>,
    /// The text; `None` while this device has no key for it.
    pub text: Option<String>,
}

/// What is sealed in a text post: the author's name (1-byte length) and the text.
fn named(name: Option<&str>, text: &str) -> Vec<u8> {
    let name: String = name.unwrap_or_default().chars().take(64).collect();
    let mut out = vec![name.len() as u8];
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(text.as_bytes());
    out
}

fn room_id(hex_id: &str) -> Result<[u8; 16], NodeError> {
    unhex(hex_id)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| NodeError::Invalid(format!("There is no room {hex_id}.")))
}

/// Gossip's clock: grafts are timed in milliseconds.
fn unix_now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn room_error(e: RoomError) -> NodeError {
    NodeError::Invalid(e.to_string())
}

fn secret_key(room: &[u8; 16]) -> String {
    format!("room-{}", hex(room))
}

fn frame(room: &[u8; 16], kind: &str, data: &[u8], hops: u32) -> Frame {
    Frame::Room {
        room: hex(room),
        kind: kind.into(),
        data: data_encoding::BASE64.encode(data),
        hops,
    }
}

fn post_id_bytes(id: &PostId) -> Vec<u8> {
    let mut out = id.0.to_vec();
    out.extend_from_slice(&id.1.to_be_bytes());
    out
}

fn read_post_id(data: &[u8]) -> Option<PostId> {
    if data.len() != 40 {
        return None;
    }
    let author: MemberKey = data[..32].try_into().ok()?;
    let seq = u64::from_be_bytes(data[32..].try_into().ok()?);
    Some((author, seq))
}

fn heights_bytes(heights: &BTreeMap<MemberKey, u64>) -> Vec<u8> {
    let mut out = (heights.len().min(u16::MAX as usize) as u16)
        .to_be_bytes()
        .to_vec();
    for (author, h) in heights.iter().take(u16::MAX as usize) {
        out.extend_from_slice(author);
        out.extend_from_slice(&h.to_be_bytes());
    }
    out
}

fn read_heights(data: &[u8]) -> Option<BTreeMap<MemberKey, u64>> {
    let n = u16::from_be_bytes(data.get(..2)?.try_into().ok()?) as usize;
    let rest = &data[2..];
    if rest.len() != n * 40 {
        return None;
    }
    Some(
        rest.chunks(40)
            .filter_map(|c| {
                Some((
                    c[..32].try_into().ok()?,
                    u64::from_be_bytes(c[32..].try_into().ok()?),
                ))
            })
            .collect(),
    )
}

/// Puts `frame` on the link to the member holding `key`, if it is up.
fn send_to(ctx: &Ctx, key: &MemberKey, frame: &Frame, class: Class) {
    let Ok(Some(conversation)) = ctx.store().conversation_with_key(key) else {
        return;
    };
    let slot = lock(&ctx.peers).get(&conversation).cloned();
    if let Some(slot) = slot.filter(|s| s.state() == PeerState::Connected) {
        let bytes = frame.encode();
        let len = bytes.len();
        if slot.commands.try_send(Command::Forward(bytes)).is_ok() {
            ctx.rooms.counters.sent(class, len);
        }
    }
}

fn send_gossip(ctx: &Ctx, room: &[u8; 16], out: Vec<(MemberKey, Gossip<Entry>)>) {
    for (to, msg) in out {
        let (f, class) = match msg {
            Gossip::Post { post, hops, .. } => (
                frame(room, "post", &write_entry(&post), hops),
                if post.body.first() == Some(&KEYS) {
                    Class::Keys
                } else {
                    Class::Payload
                },
            ),
            Gossip::IHave(id) => (frame(room, "ihave", &post_id_bytes(&id), 0), Class::Control),
            Gossip::Graft(id) => (frame(room, "graft", &post_id_bytes(&id), 0), Class::Control),
            Gossip::Prune => (frame(room, "prune", &[], 0), Class::Control),
        };
        send_to(ctx, &to, &f, class);
    }
}

/// The contact key of a conversation.
fn contact_key(ctx: &Ctx, conversation: &str) -> Option<MemberKey> {
    let contact = ctx.store().conversation_contact(conversation).ok()??;
    unhex(&contact)?.try_into().ok()
}

/// Keeps the key ring in the secret store.
fn save_keys(ctx: &Ctx, room: &[u8; 16], keys: &KeyRing) {
    let saved = serde_json::to_vec(&keys.save()).unwrap_or_default();
    if let Err(e) = ctx.secret_store.put(&secret_key(room), &saved) {
        tracing::warn!("could not keep a room's keys: {e}");
    }
}

/// Loads every room from the store (at node start).
pub(super) fn load(ctx: &Ctx) -> Result<(), NodeError> {
    let ids = ctx.store().room_ids()?;
    for id in ids {
        let Ok(room) = room_id(&id) else { continue };
        let mut state = RoomState::new(room);
        for bytes in ctx.store().room_ops(&id)? {
            if let Ok(op) = read_operation(&bytes) {
                let _ = state.apply(op);
            }
        }
        let mut logs = Logs::new(room);
        let mut spreader = Spreader::default();
        let mut shown = BTreeSet::new();
        for bytes in ctx.store().room_posts(&id)? {
            if let Ok(entry) = read_entry(&bytes) {
                let pid = (entry.author, entry.seq);
                if logs.add(entry.clone()).is_ok() {
                    spreader.caught_up(pid, entry);
                    shown.insert(pid);
                }
            }
        }
        let keys = ctx
            .secret_store
            .get(&secret_key(&room))?
            .and_then(|b| serde_json::from_slice::<SavedRing>(&b).ok())
            .map(|s| KeyRing::restore(&s))
            .unwrap_or_default();
        ctx.rooms.live().insert(
            room,
            Live {
                state,
                logs,
                keys,
                spreader,
                shown,
                recent: BTreeMap::new(),
                exchange: Exchange::default(),
            },
        );
    }
    Ok(())
}

impl Live {
    /// Writes an entry of ours, keeps it, returns the gossip to send.
    fn write(
        &mut self,
        ctx: &Ctx,
        room: &[u8; 16],
        epoch: u64,
        body: Vec<u8>,
    ) -> Result<Vec<(MemberKey, Gossip<Entry>)>, NodeError> {
        let entry = self
            .logs
            .write(&ctx.identity, epoch, body)
            .map_err(room_error)?;
        let pid = (entry.author, entry.seq);
        ctx.store().add_room_post(
            &hex(room),
            &entry.author,
            entry.seq,
            &write_entry(&entry),
            unix_now(),
        )?;
        self.shown.insert(pid);
        self.exchange.active = unix_now();
        Ok(self.spreader.publish(pid, entry))
    }

    /// The member to compare heights with now, if the room is active and it is time.
    fn exchange_due(&mut self, now: u64) -> Option<MemberKey> {
        let x = &self.exchange;
        if now.saturating_sub(x.active) > ACTIVE_FOR_SECS
            || now.saturating_sub(x.last) < EXCHANGE_EVERY_SECS
        {
            return None;
        }
        let (eager, lazy) = self.spreader.links();
        let linked: Vec<MemberKey> = eager.iter().chain(lazy).copied().collect();
        let peer = *linked.get(self.exchange.turn % linked.len().max(1))?;
        self.exchange.last = now;
        self.exchange.turn = self.exchange.turn.wrapping_add(1);
        Some(peer)
    }

    /// Our heights, to ask a member for what we lack.
    fn heights_frame(&self, room: &[u8; 16]) -> Frame {
        frame(room, "have", &heights_bytes(&self.logs.heights()), 0)
    }

    /// Whether a post by `entry`'s author may be taken in now (checked before it is
    /// spread: one refused here is not marked as held, so it can be asked for again).
    fn may_take(&self, entry: &Entry) -> Result<(), NodeError> {
        let m = self.state.membership();
        if !m.members.contains(&entry.author) && entry.epoch >= m.epoch {
            return Err(NodeError::Invalid(
                "a post by someone not in the room".into(),
            ));
        }
        Ok(())
    }

    /// Gives our chain key for `epoch` to every member shown now (a keys entry).
    fn give_keys(
        &mut self,
        ctx: &Ctx,
        room: &[u8; 16],
        epoch: u64,
    ) -> Result<Vec<(MemberKey, Gossip<Entry>)>, NodeError> {
        let me = ctx.identity.public_key();
        let members = self.state.membership().members;
        let mut body = vec![KEYS];
        body.extend_from_slice(&epoch.to_be_bytes());
        let others: Vec<_> = members.iter().filter(|k| **k != me).collect();
        body.extend_from_slice(&(others.len() as u16).to_be_bytes());
        for to in others {
            let gift = self
                .keys
                .gift(room, &ctx.identity, epoch, to, &mut OsRng)
                .map_err(room_error)?;
            body.extend_from_slice(to);
            body.extend_from_slice(&(gift.len() as u16).to_be_bytes());
            body.extend_from_slice(&gift);
        }
        // Our own key exists from here on, given or not.
        let _ = self
            .keys
            .seal_post(room, &ctx.identity, epoch, 0, b"", &mut OsRng);
        save_keys(ctx, room, &self.keys);
        self.write(ctx, room, epoch, body)
    }

    /// Opens a post (if we have its key): the name its author gave, and the text.
    fn open(&self, room: &[u8; 16], me: &Identity, e: &Entry) -> Option<(Option<String>, String)> {
        let (kind, rest) = e.body.split_first()?;
        if *kind != TEXT {
            return None;
        }
        let plain = self
            .keys
            .open_post(room, me, &e.author, e.epoch, e.seq, rest)
            .ok()?;
        let (&len, rest) = plain.split_first()?;
        let name = std::str::from_utf8(rest.get(..len as usize)?).ok()?;
        let text = std::str::from_utf8(rest.get(len as usize..)?).ok()?;
        Some(((!name.is_empty()).then(|| name.to_owned()), text.to_owned()))
    }

    /// Takes in the gift addressed to us in a keys entry.
    fn accept_keys(&mut self, room: &[u8; 16], me: &Identity, e: &Entry) -> bool {
        let Some((&KEYS, rest)) = e.body.split_first() else {
            return false;
        };
        let (Some(epoch), Some(n)) = (
            rest.get(..8)
                .and_then(|b| b.try_into().ok())
                .map(u64::from_be_bytes),
            rest.get(8..10)
                .and_then(|b| b.try_into().ok())
                .map(u16::from_be_bytes),
        ) else {
            return false;
        };
        let mut at = 10;
        for _ in 0..n {
            let Some(to) = rest.get(at..at + 32) else {
                return false;
            };
            let Some(len) = rest
                .get(at + 32..at + 34)
                .and_then(|b| b.try_into().ok())
                .map(u16::from_be_bytes)
            else {
                return false;
            };
            let Some(gift) = rest.get(at + 34..at + 34 + len as usize) else {
                return false;
            };
            if to == me.public_key() {
                return self
                    .keys
                    .accept_gift(room, me, &e.author, epoch, gift)
                    .is_ok();
            }
            at += 34 + len as usize;
        }
        false
    }

    /// Tells the shell about every post it can read now and was not told of.
    fn show_new(&mut self, ctx: &Ctx, room: &[u8; 16]) {
        let me = ctx.identity.public_key();
        let authors: Vec<MemberKey> = self.logs.heights().keys().copied().collect();
        for author in authors {
            for e in self.logs.entries_of(&author) {
                let pid = (e.author, e.seq);
                if self.shown.contains(&pid) || author == me {
                    continue;
                }
                if let Some((name, text)) = self.open(room, &ctx.identity, &e) {
                    self.shown.insert(pid);
                    ctx.events.push(Event::RoomPost {
                        room: hex(room),
                        author: hex(&author),
                        name,
                        text,
                    });
                } else if e.body.first() == Some(&KEYS) {
                    self.shown.insert(pid);
                }
            }
        }
    }

    /// Whether `author` may push one more post to us live now.
    fn within_flood_limit(&mut self, author: &MemberKey, now: u64) -> bool {
        let times = self.recent.entry(*author).or_default();
        while times
            .front()
            .is_some_and(|t| now.saturating_sub(*t) >= FLOOD_WINDOW_SECS)
        {
            times.pop_front();
        }
        if times.len() >= LIVE_POSTS_PER_WINDOW {
            return false;
        }
        times.push_back(now);
        true
    }

    /// Takes in an entry from gossip or catch-up: checked, kept, keys taken, shown.
    fn take_in(&mut self, ctx: &Ctx, room: &[u8; 16], entry: Entry) -> Result<bool, NodeError> {
        let m = self.state.membership();
        if !m.members.contains(&entry.author) && entry.epoch >= m.epoch {
            return Err(NodeError::Invalid(
                "a post by someone not in the room".into(),
            ));
        }
        if self.logs.entries_of(&entry.author).len() >= MAX_POSTS_PER_AUTHOR {
            return Err(NodeError::Invalid(
                "that member's posts are over the limit".into(),
            ));
        }
        match self.logs.add(entry.clone()).map_err(room_error)? {
            Added::Repeat => return Ok(false),
            Added::New | Added::AfterGap => {}
        }
        ctx.store().add_room_post(
            &hex(room),
            &entry.author,
            entry.seq,
            &write_entry(&entry),
            unix_now(),
        )?;
        if self.accept_keys(room, &ctx.identity, &entry) {
            save_keys(ctx, room, &self.keys);
        }
        self.show_new(ctx, room);
        Ok(true)
    }
}

impl Node {
    /// Makes a room named `name` with the contacts of `peers` (conversation ids) as
    /// members; we are its admin. Returns its id.
    pub fn create_room(&self, name: &str, peers: &[String]) -> Result<String, NodeError> {
        let ctx = &self.inner.ctx;
        let mut raw = [0u8; 16];
        OsRng.fill_bytes(&mut raw);
        let mut state = RoomState::create(raw, name, &ctx.identity).map_err(room_error)?;
        for peer in peers {
            let key = contact_key(ctx, peer).ok_or_else(|| NodeError::UnknownPeer(peer.clone()))?;
            state
                .change(Change::Add(key), &ctx.identity)
                .map_err(room_error)?;
        }
        let id = hex(&raw);
        lock(&self.inner.store).add_room(&id, unix_now())?;
        for op in state.operations() {
            let bytes = write_operation(&op).map_err(room_error)?;
            lock(&self.inner.store).add_room_op(&id, &op.hash(), &bytes)?;
        }
        let live = Live {
            logs: Logs::new(raw),
            state,
            keys: KeyRing::default(),
            spreader: Spreader::default(),
            shown: BTreeSet::new(),
            recent: BTreeMap::new(),
            exchange: Exchange::default(),
        };
        ctx.rooms.live().insert(raw, live);
        self.share_ops(&raw, None);
        self.link_members(&raw);
        ctx.events.push(Event::RoomChanged { room: id.clone() });
        Ok(id)
    }

    /// Adds the contact of `peer` (a conversation id) to a room we administer.
    pub fn add_to_room(&self, room: &str, peer: &str) -> Result<(), NodeError> {
        let key = contact_key(&self.inner.ctx, peer)
            .ok_or_else(|| NodeError::UnknownPeer(peer.to_owned()))?;
        self.change_room(room, Change::Add(key))
    }

    /// Removes a member (their identity key, hex); or leaves, given our own key.
    pub fn remove_from_room(&self, room: &str, member: &str) -> Result<(), NodeError> {
        let key: MemberKey = unhex(member)
            .and_then(|k| k.try_into().ok())
            .ok_or_else(|| NodeError::Invalid(format!("{member} is not a member key")))?;
        self.change_room(room, Change::Remove(key))
    }

    fn change_room(&self, room: &str, change: Change) -> Result<(), NodeError> {
        let ctx = &self.inner.ctx;
        let raw = room_id(room)?;
        let removed = match change {
            Change::Remove(k) => Some(k),
            _ => None,
        };
        let newcomers: BTreeSet<MemberKey> = match change {
            Change::Add(k) => [k].into(),
            _ => BTreeSet::new(),
        };
        let (out, op) = {
            let mut rooms = ctx.rooms.live();
            let live = rooms
                .get_mut(&raw)
                .ok_or_else(|| NodeError::Invalid(format!("There is no room {room}.")))?;
            let added = matches!(change, Change::Add(_));
            let op = live
                .state
                .change(change, &ctx.identity)
                .map_err(room_error)?;
            let bytes = write_operation(&op).map_err(room_error)?;
            ctx.store().add_room_op(room, &op.hash(), &bytes)?;
            let epoch = live.state.membership().epoch;
            // A newcomer needs our key to read what we post next.
            let out = if added && live.keys.has_own(epoch) {
                live.give_keys(ctx, &raw, epoch)?
            } else {
                Vec::new()
            };
            (out, op)
        };
        share_change(ctx, &raw, &op, &newcomers, None);
        // The person removed is told too (and nothing else from then on).
        if let Some(gone) = removed {
            let ops = ctx
                .rooms
                .live()
                .get(&raw)
                .map(|l| l.state.operations())
                .unwrap_or_default();
            for op in ops {
                if let Ok(bytes) = write_operation(&op) {
                    send_to(ctx, &gone, &frame(&raw, "op", &bytes, 0), Class::Control);
                }
            }
        }
        self.link_members(&raw);
        send_gossip(ctx, &raw, out);
        ctx.events.push(Event::RoomChanged {
            room: room.to_owned(),
        });
        Ok(())
    }

    /// Posts `text` to a room; it reaches every member, through others if need be.
    pub fn post_to_room(&self, room: &str, text: &str) -> Result<(), NodeError> {
        if text.len() > crate::wire::MAX_TEXT_BYTES {
            return Err(NodeError::MessageTooLong(text.len()));
        }
        let ctx = &self.inner.ctx;
        let raw = room_id(room)?;
        let out = {
            let mut rooms = ctx.rooms.live();
            let live = rooms
                .get_mut(&raw)
                .ok_or_else(|| NodeError::Invalid(format!("There is no room {room}.")))?;
            let m = live.state.membership();
            if !m.members.contains(&ctx.identity.public_key()) {
                return Err(NodeError::Invalid("You are no longer in this room.".into()));
            }
            let mut out = Vec::new();
            if !live.keys.has_own(m.epoch) {
                out.extend(live.give_keys(ctx, &raw, m.epoch)?);
            }
            let me = ctx.identity.public_key();
            let seq = live.logs.heights().get(&me).copied().unwrap_or(0) + 1;
            let mut body = vec![TEXT];
            body.extend(live.keys.seal_post(
                &raw,
                &ctx.identity,
                m.epoch,
                seq,
                &named(ctx.display_name.as_deref(), text),
                &mut OsRng,
            ));
            out.extend(live.write(ctx, &raw, m.epoch, body)?);
            out
        };
        send_gossip(ctx, &raw, out);
        Ok(())
    }

    /// What this node sent and took in for its rooms since it started, for diagnostics
    /// and benchmarks (see [`RoomStats`]); counters only, nothing about content.
    pub fn room_stats(&self) -> RoomStats {
        self.inner.ctx.rooms.counters.snapshot()
    }

    /// Every room, with its members.
    pub fn rooms(&self) -> Vec<RoomInfo> {
        let me = self.inner.ctx.identity.public_key();
        self.inner
            .ctx
            .rooms
            .live()
            .iter()
            .map(|(id, live)| {
                let m = live.state.membership();
                RoomInfo {
                    id: hex(id),
                    name: m.name.clone().unwrap_or_default(),
                    joined: m.members.contains(&me),
                    members: m.members.iter().map(|k| hex(k)).collect(),
                    admins: m.admins.iter().map(|k| hex(k)).collect(),
                    epoch: m.epoch,
                }
            })
            .collect()
    }

    /// A room's posts, each author's in order; `text` is `None` without a key for it.
    pub fn room_posts(&self, room: &str) -> Result<Vec<RoomPost>, NodeError> {
        let raw = room_id(room)?;
        let rooms = self.inner.ctx.rooms.live();
        let live = rooms
            .get(&raw)
            .ok_or_else(|| NodeError::Invalid(format!("There is no room {room}.")))?;
        let mut out = Vec::new();
        for author in live.logs.heights().keys().chain(std::iter::empty()) {
            for e in live.logs.entries_of(author) {
                if e.body.first() != Some(&TEXT) {
                    continue;
                }
                let opened = live.open(&raw, &self.inner.ctx.identity, &e);
                let (name, text) = match opened {
                    Some((name, text)) => (name, Some(text)),
                    None => (None, None),
                };
                out.push(RoomPost {
                    author: hex(&e.author),
                    seq: e.seq,
                    name,
                    text,
                });
            }
        }
        Ok(out)
    }

    /// Sends every operation of a room to each member we are connected to.
    fn share_ops(&self, raw: &[u8; 16], except: Option<&MemberKey>) {
        share_ops(&self.inner.ctx, raw, except);
    }

    /// Every member with a live link takes part in the room's gossip.
    fn link_members(&self, raw: &[u8; 16]) {
        let ctx = &self.inner.ctx;
        let slots: Vec<(PeerId, Arc<super::peer::PeerSlot>)> = lock(&ctx.peers)
            .iter()
            .map(|(id, s)| (id.clone(), s.clone()))
            .collect();
        let mut rooms = ctx.rooms.live();
        let Some(live) = rooms.get_mut(raw) else {
            return;
        };
        let members = live.state.membership().members;
        for (id, slot) in slots {
            if slot.state() != PeerState::Connected {
                continue;
            }
            if let Some(key) = contact_key(ctx, &id).filter(|k| members.contains(k)) {
                live.spreader.link_up(key);
            }
        }
    }
}

/// Passes a new operation on to every member we are connected to: the operation alone
/// to those who were members (they have the rest; every new connection resends all,
/// so a gap closes), every operation to newcomers (they know nothing of the room yet).
/// Resending all to all made a removal cost O(N²) operations in a room of N.
fn share_change(
    ctx: &Ctx,
    raw: &[u8; 16],
    op: &crate::room::membership::Operation,
    newcomers: &BTreeSet<MemberKey>,
    except: Option<&MemberKey>,
) {
    let (ops, members) = {
        let rooms = ctx.rooms.live();
        let Some(live) = rooms.get(raw) else { return };
        (live.state.operations(), live.state.membership().members)
    };
    let me = ctx.identity.public_key();
    let frame_of = |op: &crate::room::membership::Operation| {
        write_operation(op)
            .ok()
            .map(|bytes| frame(raw, "op", &bytes, 0))
    };
    let (all, one): (Vec<Frame>, Vec<Frame>) = (
        ops.iter().filter_map(frame_of).collect(),
        frame_of(op).into_iter().collect(),
    );
    for member in members.iter().filter(|k| **k != me && Some(*k) != except) {
        let frames = if newcomers.contains(member) {
            &all
        } else {
            &one
        };
        for f in frames {
            send_to(ctx, member, f, Class::Control);
        }
    }
}

fn share_ops(ctx: &Ctx, raw: &[u8; 16], except: Option<&MemberKey>) {
    let (ops, members) = {
        let rooms = ctx.rooms.live();
        let Some(live) = rooms.get(raw) else { return };
        (live.state.operations(), live.state.membership().members)
    };
    let me = ctx.identity.public_key();
    for member in members.iter().filter(|k| **k != me && Some(*k) != except) {
        for op in &ops {
            if let Ok(bytes) = write_operation(op) {
                send_to(ctx, member, &frame(raw, "op", &bytes, 0), Class::Control);
            }
        }
    }
}

/// A link to `conversation` came up: for each room its contact shares with us, take
/// part in gossip with it, send our operations and our heights (catch-up).
pub(super) fn on_link_up(ctx: &Ctx, conversation: &str) -> Vec<Frame> {
    let Some(key) = contact_key(ctx, conversation) else {
        return Vec::new();
    };
    let me = ctx.identity.public_key();
    let mut out = Vec::new();
    for (raw, live) in ctx.rooms.live().iter_mut() {
        let m = live.state.membership();
        if !m.members.contains(&me) {
            continue;
        }
        if !m.members.contains(&key) {
            // Removed while we were apart: tell them they are out, nothing after.
            let told = live
                .state
                .operations_until_removed(&key)
                .unwrap_or_default();
            out.extend(told.iter().filter_map(|op| {
                let bytes = write_operation(op).ok()?;
                Some((Class::Control, frame(raw, "op", &bytes, 0)))
            }));
            continue;
        }
        live.spreader.link_up(key);
        for op in live.state.operations() {
            if let Ok(bytes) = write_operation(&op) {
                out.push((Class::Control, frame(raw, "op", &bytes, 0)));
            }
        }
        out.push((Class::Heights, live.heights_frame(raw)));
    }
    counted(ctx, out)
}

/// The link to `conversation` went down.
pub(super) fn on_link_down(ctx: &Ctx, conversation: &str) {
    if let Some(key) = contact_key(ctx, conversation) {
        for live in ctx.rooms.live().values_mut() {
            live.spreader.link_down(&key);
        }
    }
}

/// Announced posts that did not come: ask for them. Active rooms: compare heights
/// with the next linked member.
pub(super) fn tick(ctx: &Ctx) {
    let now = unix_now();
    let now_ms = unix_now_ms();
    let mut outs = Vec::new();
    let mut asks = Vec::new();
    for (raw, live) in ctx.rooms.live().iter_mut() {
        outs.push((*raw, live.spreader.tick(now_ms, GRAFT_AFTER_MS)));
        if let Some(peer) = live.exchange_due(now) {
            asks.push((peer, live.heights_frame(raw)));
        }
    }
    for (raw, out) in outs {
        send_gossip(ctx, &raw, out);
    }
    for (peer, ask) in asks {
        send_to(ctx, &peer, &ask, Class::Heights);
    }
}

/// A room frame from `conversation`; returns frames to answer with on the same link.
pub(super) fn on_frame(
    ctx: &Arc<Ctx>,
    conversation: &PeerId,
    room: &str,
    kind: &str,
    data: &str,
    hops: u32,
) -> Vec<Frame> {
    let (Ok(raw), Some(from), Ok(bytes)) = (
        room_id(room),
        contact_key(ctx, conversation),
        data_encoding::BASE64.decode(data.as_bytes()),
    ) else {
        return Vec::new();
    };
    if kind == "ihave" {
        arm_graft_timer(ctx);
    }
    let result = match kind {
        "op" => on_op(ctx, &raw, &from, &bytes).map(|()| Vec::new()),
        _ => on_room_data(ctx, &raw, &from, kind, &bytes, hops),
    };
    result.unwrap_or_else(|e| {
        tracing::info!(peer = %conversation, "room frame refused: {e}");
        Vec::new()
    })
}

/// Ticks while announced posts are awaited, so each is asked for about
/// [`GRAFT_AFTER_MS`] after its announcement: the conversations' own checks come only
/// every few seconds (minutes in the background). One timer at a time, and bounded:
/// it stops when nothing is awaited, or after [`GRAFT_TIMER_TICKS`].
fn arm_graft_timer(ctx: &Arc<Ctx>) {
    if ctx.rooms.graft_timer.swap(true, Ordering::AcqRel) {
        return;
    }
    let owned = ctx.clone();
    ctx.handle.spawn(async move {
        for _ in 0..GRAFT_TIMER_TICKS {
            tokio::time::sleep(std::time::Duration::from_millis(GRAFT_AFTER_MS / 4)).await;
            tick(&owned);
            let awaited = owned.rooms.live().values().any(|l| l.spreader.awaits());
            if !awaited {
                break;
            }
        }
        owned.rooms.graft_timer.store(false, Ordering::Release);
    });
}

fn on_op(ctx: &Ctx, raw: &[u8; 16], from: &MemberKey, bytes: &[u8]) -> Result<(), NodeError> {
    let op = read_operation(bytes).map_err(room_error)?;
    if &op.room != raw {
        return Err(NodeError::Invalid("an operation of another room".into()));
    }
    let me = ctx.identity.public_key();
    let id = hex(raw);
    let known = ctx.rooms.live().contains_key(raw);
    if !known {
        // Not in it (yet): hold the operations, bounded, until one adds us.
        let mut limbo = ctx.rooms.limbo.lock().unwrap_or_else(|p| p.into_inner());
        if !limbo.contains_key(raw) && limbo.len() >= LIMBO_ROOMS {
            return Ok(());
        }
        let state = limbo.entry(*raw).or_insert_with(|| RoomState::new(*raw));
        if state.operations().len() >= LIMBO_OPS {
            return Ok(());
        }
        state.apply(op).map_err(room_error)?;
        if !state.membership().members.contains(&me) {
            return Ok(());
        }
        let state = limbo.remove(raw).unwrap_or_else(|| RoomState::new(*raw));
        drop(limbo);
        ctx.store().add_room(&id, unix_now())?;
        for op in state.operations() {
            let bytes = write_operation(&op).map_err(room_error)?;
            ctx.store().add_room_op(&id, &op.hash(), &bytes)?;
        }
        ctx.rooms.live().insert(
            *raw,
            Live {
                logs: Logs::new(*raw),
                state,
                keys: KeyRing::default(),
                spreader: Spreader::default(),
                shown: BTreeSet::new(),
                recent: BTreeMap::new(),
                exchange: Exchange::default(),
            },
        );
        link_all_members(ctx, raw);
        ask_linked_for_missing(ctx, raw);
        ctx.events.push(Event::RoomChanged { room: id });
        return Ok(());
    }
    let (out, newcomers) = {
        let mut rooms = ctx.rooms.live();
        let Some(live) = rooms.get_mut(raw) else {
            return Ok(());
        };
        let before = live.state.membership();
        if !live.state.apply(op.clone()).map_err(room_error)? {
            return Ok(());
        }
        ctx.store()
            .add_room_op(&id, &op.hash(), &write_operation(&op).map_err(room_error)?)?;
        let after = live.state.membership();
        for gone in before.members.difference(&after.members) {
            live.spreader.link_down(gone);
        }
        let newcomers: BTreeSet<MemberKey> =
            after.members.difference(&before.members).copied().collect();
        let out = if !newcomers.is_empty()
            && after.members.contains(&me)
            && live.keys.has_own(after.epoch)
        {
            live.give_keys(ctx, raw, after.epoch)?
        } else {
            Vec::new()
        };
        (out, newcomers)
    };
    share_change(ctx, raw, &op, &newcomers, Some(from));
    link_all_members(ctx, raw);
    send_gossip(ctx, raw, out);
    ctx.events.push(Event::RoomChanged { room: id });
    Ok(())
}

/// Sends our heights to every linked member: on joining, posts written before we
/// knew we were in the room are fetched at once.
fn ask_linked_for_missing(ctx: &Ctx, raw: &[u8; 16]) {
    let asks: Vec<(MemberKey, Frame)> = match ctx.rooms.live().get(raw) {
        Some(live) => {
            let (eager, lazy) = live.spreader.links();
            let ask = live.heights_frame(raw);
            eager
                .iter()
                .chain(lazy)
                .map(|k| (*k, ask.clone()))
                .collect()
        }
        None => Vec::new(),
    };
    for (key, ask) in asks {
        send_to(ctx, &key, &ask, Class::Heights);
    }
}

fn link_all_members(ctx: &Ctx, raw: &[u8; 16]) {
    let slots: Vec<(PeerId, Arc<super::peer::PeerSlot>)> = lock(&ctx.peers)
        .iter()
        .map(|(id, s)| (id.clone(), s.clone()))
        .collect();
    let keys: Vec<MemberKey> = slots
        .iter()
        .filter(|(_, s)| s.state() == PeerState::Connected)
        .filter_map(|(id, _)| contact_key(ctx, id))
        .collect();
    let mut rooms = ctx.rooms.live();
    if let Some(live) = rooms.get_mut(raw) {
        let members = live.state.membership().members;
        for key in keys.into_iter().filter(|k| members.contains(k)) {
            live.spreader.link_up(key);
        }
    }
}

fn on_room_data(
    ctx: &Ctx,
    raw: &[u8; 16],
    from: &MemberKey,
    kind: &str,
    bytes: &[u8],
    hops: u32,
) -> Result<Vec<Frame>, NodeError> {
    let me = ctx.identity.public_key();
    let mut rooms = ctx.rooms.live();
    let Some(live) = rooms.get_mut(raw) else {
        return Ok(Vec::new());
    };
    let m = live.state.membership();
    // Only members talk about a room, and only while we are one.
    if !m.members.contains(from) || !m.members.contains(&me) {
        return Ok(Vec::new());
    }
    let now = unix_now();
    let now_ms = unix_now_ms();
    if !matches!(kind, "have" | "more") {
        live.exchange.active = now;
    }
    let (out, reply) = match kind {
        "post" => {
            let entry = read_entry(bytes).map_err(room_error)?;
            let pid = (entry.author, entry.seq);
            if !entry.is_signed_by_author() {
                return Err(room_error(RoomError::BadSignature));
            }
            live.may_take(&entry)?;
            if !live.spreader.has(&pid) && !live.within_flood_limit(&entry.author, now) {
                return Err(NodeError::Invalid(
                    "a member posting too fast: dropped".into(),
                ));
            }
            let (out, new) = live.spreader.receive(
                *from,
                Gossip::Post {
                    post: entry,
                    id: pid,
                    hops,
                },
                now_ms,
            );
            let counters = &ctx.rooms.counters;
            if let Some(entry) = new {
                bump(&counters.gossip_new, 1);
                bump(&counters.hops[(hops as usize + 1).min(HOPS_COUNTED - 1)], 1);
                live.take_in(ctx, raw, entry)?;
            } else {
                bump(&counters.gossip_repeats, 1);
            }
            (out, Vec::new())
        }
        "catchup" => {
            let entry = read_entry(bytes).map_err(room_error)?;
            let pid = (entry.author, entry.seq);
            if !live.spreader.has(&pid) && live.take_in(ctx, raw, entry.clone())? {
                bump(&ctx.rooms.counters.caught_up, 1);
                (live.spreader.caught_up_from(*from, pid, entry), Vec::new())
            } else {
                (Vec::new(), Vec::new())
            }
        }
        "ihave" | "graft" => {
            let pid = read_post_id(bytes)
                .ok_or_else(|| NodeError::Invalid("a malformed post id".into()))?;
            let msg = if kind == "ihave" {
                Gossip::IHave(pid)
            } else {
                Gossip::Graft(pid)
            };
            (live.spreader.receive(*from, msg, now_ms).0, Vec::new())
        }
        "prune" => (
            live.spreader.receive(*from, Gossip::Prune, now_ms).0,
            Vec::new(),
        ),
        "have" => {
            let theirs = read_heights(bytes)
                .ok_or_else(|| NodeError::Invalid("malformed heights".into()))?;
            let missing = live.logs.missing_for(&theirs, CATCH_UP_BATCH);
            let full = missing.len() == CATCH_UP_BATCH;
            let mut reply: Vec<(Class, Frame)> = missing
                .iter()
                .map(|e| (Class::Catchup, frame(raw, "catchup", &write_entry(e), 0)))
                .collect();
            // More to come: tell them to ask again.
            if full {
                reply.push((Class::Control, frame(raw, "more", &[], 0)));
            }
            (Vec::new(), reply)
        }
        "more" => (Vec::new(), vec![(Class::Heights, live.heights_frame(raw))]),
        _ => (Vec::new(), Vec::new()),
    };
    drop(rooms);
    send_gossip(ctx, raw, out);
    Ok(counted(ctx, reply))
}
