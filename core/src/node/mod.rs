//! The node: the one façade shells use. It owns the async runtime, the store, the
//! secret store, the links and the event queue, and offers blocking methods that any
//! plain thread (a CLI, a Kotlin coroutine on an IO dispatcher, a Swift task) can call.
//!
//! ```text
//! Ana: create_invite ──code──▶ Ben: open_invite, join ──reply──▶ Ana: accept_reply
//!      … both: PeerState::Connected, then send / Event::Message
//! ```

mod contacts;
mod conversation;
mod dir_lock;
mod doorbell;
mod error;
pub mod events;
pub mod files;
mod handshake;
mod held;
#[cfg(test)]
mod hostile_file_tests;
#[cfg(test)]
mod hostile_network_tests;
#[cfg(test)]
mod hostile_tests;
mod introductions;
mod invites;
mod listing;
mod peer;
mod plain;
mod relay;
mod rooms;
mod route;
#[cfg(test)]
mod test_support;
mod transfers;

pub use contacts::ContactInfo;
pub use conversation::ReconnectPolicy;
pub use dir_lock::check_data_dir_free;
pub use error::NodeError;
pub use events::{Event, PeerId, PeerState};
pub use introductions::{IntroducedSide, IntroductionInfo, MadeIntroductionInfo};
pub use invites::PendingInviteInfo;
pub use listing::LinkStats;
pub use plain::{
    is_browser_description, read_browser_description, BrowserJoin, BrowserOffer,
    BROWSER_CHANNEL_LABEL, BROWSER_PEER_PREFIX,
};
pub use relay::{RelayInfo, RELAYS_PER_WINDOW};
pub use rooms::{RoomInfo, RoomPost, RoomStats, HOPS_COUNTED};

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand_core::OsRng;
use serde::{Deserialize, Serialize};
use tokio::runtime::Runtime;

use crate::code::invite::hex_id;
use crate::code::{
    create_invite, parse_any, unix_now, Exchange, Invite, InviteMode, ParsedCode, PendingInvite,
    DEFAULT_LIFETIME_SECS,
};
use crate::identity::Identity;
use crate::link::{self, LinkConfig, LinkSecrets, PendingOffer};
use crate::protect::argon::{self, ArgonParams};
use crate::protect::keys::Role;
use crate::sdp::{self, SdpKind};
use crate::secrets::SecretStore;
use crate::store::{ConversationRecord, InviteRecord, MessageRecord, Store};
use crate::wire::MAX_TEXT_BYTES;
use crate::CodeError;

use conversation::Ctx;
use events::EventQueue;
use peer::{Command, PeerSlot};
use route::ConversationSecrets;

/// How a node is set up.
pub struct NodeConfig {
    /// Where the database lives (created if missing).
    pub data_dir: PathBuf,
    /// Network settings for every link.
    pub link: LinkConfig,
    /// Argon2id cost for invites this node makes.
    pub argon: ArgonParams,
    /// Shown to peers after key confirmation.
    pub display_name: Option<String>,
    /// Where secrets (pending invites' keys, certificates) are kept.
    pub secret_store: Arc<dyn SecretStore>,
    /// How long a new connection may take to open; long enough to exchange a
    /// follow-up code by hand.
    pub connect_timeout: Duration,
    /// Events kept for a shell that is not pulling.
    pub event_capacity: usize,
    /// How lost connections to known contacts are retried.
    pub reconnect: ReconnectPolicy,
    /// Reconnect every known contact on open (a phone app). A shell that chats with
    /// one contact at a time (the CLI) turns this off and calls [`Node::resume`].
    pub resume_on_open: bool,
    /// Limits on files and photos.
    pub files: crate::files::FileLimits,
    /// How many letters this device holds for offline contacts, once opted in.
    pub holding: crate::store::HoldLimits,
}

impl NodeConfig {
    /// Defaults for everything but where data and secrets live.
    pub fn new(data_dir: PathBuf, secret_store: Arc<dyn SecretStore>) -> Self {
        Self {
            data_dir,
            link: LinkConfig::default(),
            argon: argon::DEFAULT,
            display_name: None,
            secret_store,
            connect_timeout: Duration::from_secs(120),
            event_capacity: 1024,
            reconnect: ReconnectPolicy::default(),
            resume_on_open: true,
            files: crate::files::FileLimits::default(),
            holding: crate::store::HoldLimits::default(),
        }
    }
}

/// How an invite is protected, as a shell asks for it: the code layer's own choice.
pub use crate::code::InviteSecret as Protection;

/// What a shell asks for when inviting.
#[derive(Debug, Clone)]
pub struct InviteRequest {
    /// How the invite is protected.
    pub protection: Protection,
    /// Seconds until it expires; default 24 h.
    pub lifetime_secs: Option<u64>,
}

/// A new invite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteInfo {
    /// Hex id; the conversation will have the same id.
    pub invite_id: String,
    /// The code to share.
    pub code: String,
    /// Unix seconds.
    pub expires_at: u64,
}

/// What an invite asks, before answering it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitePreview {
    /// Hex id.
    pub invite_id: String,
    /// The question, if the invite has one.
    pub question: Option<String>,
    /// How it is protected.
    pub mode: InviteMode,
    /// Unix seconds.
    pub expires_at: u64,
}

/// The result of joining: the reply to send back and the conversation's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinInfo {
    /// The conversation (connects once the inviter loads the reply).
    pub peer: PeerId,
    /// The reply code to send back.
    pub reply_code: String,
}

/// A conversation as a shell lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerInfo {
    /// Its id.
    pub peer: PeerId,
    /// Whether we invited or joined.
    pub role: Role,
    /// Connection state.
    pub state: PeerState,
    /// The name the other side gave, if any.
    pub name: Option<String>,
    /// The ICE candidate pair in use, for the curious.
    pub selected_pair: Option<String>,
    /// Messages written here that the peer has not acknowledged yet.
    pub outbox: u64,
    /// The contact (once identities were exchanged).
    pub contact: Option<String>,
}

/// A stored conversation with a known contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownConversation {
    /// Its id.
    pub peer: PeerId,
    /// The contact.
    pub contact: String,
    /// The contact's name.
    pub name: Option<String>,
    /// Ended for good (history only).
    pub ended: bool,
}

/// What a conversation made from codes keeps until its first connection.
struct FirstContact {
    /// The invite's expiry: how long both sides keep trying.
    until: u64,
    /// The reply code (the joiner's side), to show again.
    reply_code: Option<String>,
    /// The port our candidates name, bound again after a restart.
    local_port: Option<u16>,
}

/// A first contact still waiting for the other side, as a shell lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingConversation {
    /// Its id (the invite's).
    pub peer: PeerId,
    /// Whether we invited (and loaded the reply) or joined (and sent it).
    pub role: Role,
    /// Unix seconds: the invite's expiry, when waiting ends.
    pub until: u64,
    /// The reply code we sent back, to share again (a joiner's).
    pub reply_code: Option<String>,
}

/// What the secret store keeps per pending invite.
#[derive(Serialize, Deserialize)]
struct InviteSecrets {
    pending: PendingInvite,
    link: LinkSecrets,
    /// The code as shared, so an app can show it again after a restart (absent in
    /// invites made before it was kept). Kept with the secrets: an open invite's code
    /// *is* its secret.
    #[serde(default)]
    code: Option<String>,
    /// The question asked, to remind the inviter.
    #[serde(default)]
    question: Option<String>,
}

fn invite_secret_key(id: &str) -> String {
    format!("invite-{id}")
}

/// The node: a cheap, cloneable handle.
#[derive(Clone)]
pub struct Node {
    inner: Arc<Inner>,
}

struct Inner {
    runtime: Mutex<Option<Runtime>>,
    handle: tokio::runtime::Handle,
    config: NodeConfig,
    store: Arc<Mutex<Store>>,
    events: Arc<EventQueue>,
    ctx: Arc<Ctx>,
    offers: Mutex<BTreeMap<String, PendingOffer>>,
    /// This node's hold on the data directory, until shutdown.
    dir_lock: Mutex<Option<dir_lock::DataDirLock>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Node {
    /// Opens the node: creates the data directory and database, starts the runtime.
    /// Fails with [`NodeError::DataDirInUse`] while another node (in this process or
    /// another) runs on the same data directory; it is free again once that node is
    /// shut down or dropped.
    pub fn open(config: NodeConfig) -> Result<Node, NodeError> {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| NodeError::Storage(format!("{}: {e}", config.data_dir.display())))?;
        // Before anything stored is touched: one node per data directory.
        let dir_lock = dir_lock::DataDirLock::acquire(&config.data_dir)?;
        let store = Store::open(&config.data_dir.join("tincan.db"))?;
        let files_dirs = crate::files::FileDirs::under(&config.data_dir.join("files"));
        files_dirs.create()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("tincan-node")
            .enable_all()
            .build()
            .map_err(|e| {
                NodeError::Unreachable(format!("could not start the network runtime: {e}"))
            })?;
        let handle = runtime.handle().clone();
        let (identity, created) = Identity::load_or_create(config.secret_store.as_ref())
            .map_err(|e| NodeError::Storage(e.to_string()))?;
        if created {
            tracing::info!("a new identity was created for this device");
        }
        let mut config = config;
        stretch_ice_for_followups(&mut config);
        let store = Arc::new(Mutex::new(store));
        let events = Arc::new(EventQueue::new(config.event_capacity));
        let ctx = Arc::new(Ctx {
            store: store.clone(),
            events: events.clone(),
            identity,
            secret_store: config.secret_store.clone(),
            link_config: config.link.clone(),
            connect_timeout: config.connect_timeout,
            display_name: config.display_name.clone(),
            reconnect: config.reconnect.clone(),
            pace: tokio::sync::watch::channel(crate::link::Pace::Foreground).0,
            files: conversation::FilesCtx {
                dirs: files_dirs,
                limits: config.files.clone(),
            },
            peers: Mutex::new(BTreeMap::new()),
            handle: handle.clone(),
            relay: Default::default(),
            holding: std::sync::atomic::AtomicBool::new(held::stored_opt_in(&lock(&store))),
            hold_limits: config.holding,
            rooms: Default::default(),
        });
        rooms::load(&ctx)?;
        let node = Node {
            inner: Arc::new(Inner {
                runtime: Mutex::new(Some(runtime)),
                handle,
                events,
                store,
                ctx,
                config,
                offers: Mutex::new(BTreeMap::new()),
                dir_lock: Mutex::new(Some(dir_lock)),
            }),
        };
        if node.inner.config.resume_on_open {
            let known = lock(&node.inner.store).conversations()?;
            // Known contacts reconnect; first contacts still waiting carry on waiting.
            for record in known.iter().filter(|c| !c.closed) {
                if let Err(e) = node.resume(&record.id) {
                    tracing::warn!(peer = %record.id, "cannot reconnect: {e}");
                }
            }
        }
        Ok(node)
    }

    /// Conversations with known contacts stored on this device, running or not
    /// (ended ones included, for their history).
    pub fn known_conversations(&self) -> Result<Vec<KnownConversation>, NodeError> {
        let store = lock(&self.inner.store);
        let mut out = Vec::new();
        for record in store.conversations()? {
            let Some(contact) = record.contact else {
                continue;
            };
            let name = store.contact(&contact)?.and_then(|c| c.display_name);
            out.push(KnownConversation {
                peer: record.id,
                contact,
                name,
                ended: record.closed,
            });
        }
        Ok(out)
    }

    /// Starts reconnecting a known contact's conversation (no codes), or resumes a
    /// first contact still waiting for the other side. Already running: nothing to do.
    pub fn resume(&self, peer: &str) -> Result<(), NodeError> {
        if lock(&self.inner.ctx.peers).contains_key(peer) {
            return Ok(());
        }
        let record = lock(&self.inner.store)
            .conversation(peer)?
            .ok_or_else(|| NodeError::UnknownPeer(peer.to_owned()))?;
        if record.closed {
            return Err(NodeError::Invalid(
                "this conversation has ended; start a new one with an invite".into(),
            ));
        }
        let until = match record.contact {
            Some(_) => None,
            None => Some(self.still_waiting(&record)?),
        };
        let exchange = self.saved_exchange(&record)?;
        self.start_conversation(record.id, record.role, None, Some(exchange), until);
        Ok(())
    }

    /// Until when a stored first contact keeps waiting; one whose invite expired is
    /// ended here (it never connected, so nothing of it is lost).
    fn still_waiting(&self, record: &ConversationRecord) -> Result<u64, NodeError> {
        let store = self.inner.config.secret_store.as_ref();
        let until = route::load_secrets(store, &record.id)?.waiting_until;
        match until {
            Some(until) if until > unix_now() => Ok(until),
            _ => {
                lock(&self.inner.store).close_conversation(&record.id)?;
                Err(NodeError::Invalid(
                    "the invite expired before this first connection was made; start again \
                     with a new invite"
                        .into(),
                ))
            }
        }
    }

    /// First contacts stored on this device that are still waiting for the other side
    /// (to load a reply, or a follow-up code), running or not.
    pub fn waiting_conversations(&self) -> Result<Vec<WaitingConversation>, NodeError> {
        let records = lock(&self.inner.store).conversations()?;
        let store = self.inner.config.secret_store.as_ref();
        let now = unix_now();
        let mut out = Vec::new();
        for record in records
            .into_iter()
            .filter(|r| r.contact.is_none() && !r.closed)
        {
            let Ok(secrets) = route::load_secrets(store, &record.id) else {
                continue;
            };
            let Some(until) = secrets.waiting_until.filter(|u| *u > now) else {
                continue;
            };
            out.push(WaitingConversation {
                peer: record.id,
                role: record.role,
                until,
                reply_code: secrets.reply_code,
            });
        }
        Ok(out)
    }

    /// The code exchange behind a stored conversation, for follow-up codes.
    fn saved_exchange(&self, record: &ConversationRecord) -> Result<Exchange, NodeError> {
        let secrets = route::load_secrets(self.inner.config.secret_store.as_ref(), &record.id)?;
        let remote = sdp::parse(&record.remote_sdp).map_err(CodeError::from)?;
        Ok(Exchange::new(
            record.role,
            secrets.invite_id,
            secrets.keys.clone(),
            remote,
        ))
    }

    /// Makes a short follow-up code with this side's current connection details, for
    /// a conversation that did not connect (typically a stale NAT mapping after the
    /// inviter restarted). The other side loads it with [`Node::accept_followup`].
    pub fn followup_code(&self, peer: &str) -> Result<String, NodeError> {
        let slot = self.slot(peer)?;
        let exchange = lock(&slot.exchange)
            .clone()
            .ok_or_else(plain::no_followups)?;
        let local_sdp = if slot.durable {
            self.fresh_followup_link(peer, &slot)?
        } else {
            lock(&slot.local_sdp).clone()
        };
        let description = sdp::parse(&local_sdp).map_err(CodeError::from)?;
        Ok(exchange.followup_code(
            &description,
            unix_now(),
            crate::code::DEFAULT_LIFETIME_SECS,
            &mut OsRng,
        )?)
    }

    /// Builds the link a follow-up code describes and hands it to the conversation:
    /// a fresh port (no NAT on the way holds a stale record of it), sending short
    /// until the other side loads the code and reaches it (`link/ttl_hold.rs`).
    fn fresh_followup_link(&self, peer: &str, slot: &PeerSlot) -> Result<String, NodeError> {
        let store = self.inner.config.secret_store.as_ref();
        let until = route::load_secrets(store, peer)?.waiting_until;
        let wait = match until {
            Some(deadline) => Duration::from_secs(deadline.saturating_sub(unix_now()).max(1)),
            None => self.inner.config.connect_timeout,
        };
        let attempt = route::Attempt {
            holding: true,
            slow_for: Some(wait),
            fresh_port: true,
        };
        let ctx = self.inner.ctx.clone();
        let id = peer.to_owned();
        let role = slot.role;
        let (link, local_sdp) =
            self.block_on(async move { route::rebuild(&ctx, &id, role, attempt).await })??;
        slot.commands
            .try_send(Command::Adopt {
                link,
                local_sdp: local_sdp.clone(),
            })
            .map_err(|_| NodeError::Unreachable("the conversation is not running".into()))?;
        Ok(local_sdp)
    }

    /// Loads the other side's follow-up code: its fresh candidates join the checks of
    /// the conversation it belongs to. Returns that conversation's id.
    pub fn accept_followup(&self, code: &str) -> Result<PeerId, NodeError> {
        let invite_id = match parse_any(code, unix_now())? {
            ParsedCode::FollowUp { invite_id } => invite_id,
            ParsedCode::Invite(_) => {
                return Err(CodeError::WrongKind {
                    expected: "a follow-up code",
                    found: "an invite code",
                }
                .into())
            }
            ParsedCode::Reply { .. } => {
                return Err(CodeError::WrongKind {
                    expected: "a follow-up code",
                    found: "a reply code",
                }
                .into())
            }
        };
        let id = hex_id(&invite_id);
        let slot = self.slot(&id)?;
        let description = lock(&slot.exchange)
            .as_mut()
            .ok_or_else(plain::no_followups)?
            .accept_followup(code, unix_now())?
            .clone();
        let kind = route::remote_kind(slot.role);
        let remote_sdp = description.to_sdp(kind);
        if !slot.durable {
            let link = slot
                .current_link()
                .ok_or_else(|| NodeError::Unreachable("the conversation is not running".into()))?;
            let added =
                self.block_on(async move { link.add_remote_candidates(&remote_sdp).await })??;
            tracing::info!(peer = %id, added, "follow-up candidates added");
            return Ok(id);
        }
        // The next attempt uses the new details, at once and sending normally: the
        // other side is waiting for our packets.
        lock(&self.inner.store).update_route(&id, &remote_sdp, None)?;
        slot.commands
            .try_send(Command::Loaded)
            .map_err(|_| NodeError::Unreachable("the conversation is not running".into()))?;
        Ok(id)
    }

    /// Counts a failed key confirmation against the invite, as a wrong answer.
    fn confirm_failure_counter(&self, id: &str) -> Box<dyn Fn() + Send + Sync> {
        let store = self.inner.config.secret_store.clone();
        let events = self.inner.events.clone();
        let id = id.to_owned();
        Box::new(move || {
            let key = invite_secret_key(&id);
            let Ok(Some(blob)) = store.get(&key) else {
                return;
            };
            let Ok(mut secrets) = serde_json::from_slice::<InviteSecrets>(&blob) else {
                return;
            };
            secrets.pending.record_failed_confirmation();
            if let Ok(blob) = serde_json::to_vec(&secrets) {
                let _ = store.put(&key, &blob);
            }
            events.push(Event::WrongAnswer {
                invite: id.clone(),
                attempts_left: crate::code::MAX_FAILED_ATTEMPTS
                    .saturating_sub(secrets.pending.failed_attempts()),
            });
        })
    }

    fn slot(&self, peer: &str) -> Result<Arc<PeerSlot>, NodeError> {
        lock(&self.inner.ctx.peers)
            .get(peer)
            .cloned()
            .ok_or_else(|| NodeError::UnknownPeer(peer.to_owned()))
    }

    /// Runs a future on the node's runtime and waits for it. From inside another tokio
    /// context (a `spawn_blocking` closure, an async caller) tokio forbids blocking on a
    /// runtime directly, so the wait then happens on a short-lived helper thread.
    fn block_on<F>(&self, f: F) -> Result<F::Output, NodeError>
    where
        F: std::future::Future + Send,
        F::Output: Send,
    {
        if lock(&self.inner.runtime).is_none() {
            return Err(NodeError::ShutDown);
        }
        let handle = &self.inner.handle;
        if tokio::runtime::Handle::try_current().is_err() {
            return Ok(handle.block_on(f));
        }
        std::thread::scope(|s| s.spawn(|| handle.block_on(f)).join())
            .map_err(|_| NodeError::Unreachable("an internal task failed".into()))
    }

    /// Makes an invite: gathers this device's connection details (bounded), hardens
    /// the answer (slow by design, about 0.2–0.4 s) and persists what is needed to
    /// complete the invite later, even after a restart.
    pub fn create_invite(&self, request: InviteRequest) -> Result<InviteInfo, NodeError> {
        // Refuse a bad answer before spending seconds on gathering.
        if let Protection::Question { answer, .. } | Protection::Private { answer, .. } =
            &request.protection
        {
            crate::protect::normalize::normalize_answer(answer)?;
        }
        if let Protection::Private { question, answer } = &request.protection {
            let strength = crate::protect::strength::estimate(answer, question);
            let needed = crate::protect::strength::PRIVATE_MIN_BITS;
            if strength.bits < needed {
                return Err(CodeError::WeakAnswer {
                    bits: strength.bits,
                    needed,
                }
                .into());
            }
        }
        let secrets = LinkSecrets::generate()?;
        let offer = self.block_on(PendingOffer::create(&self.inner.config.link, &secrets))??;
        let description = sdp::parse(offer.local_sdp()).map_err(CodeError::from)?;
        let question = match &request.protection {
            Protection::Question { question, .. } | Protection::Private { question, .. } => {
                Some(question.clone())
            }
            Protection::Open => None,
        };
        let secret = request.protection;
        let now = unix_now();
        let new = create_invite(
            secret,
            &description,
            now,
            request.lifetime_secs.unwrap_or(DEFAULT_LIFETIME_SECS),
            self.inner.config.argon,
            &mut OsRng,
        )?;
        let id = hex_id(&new.pending.id());
        let expires_at = new.pending.expires_at();
        let blob = serde_json::to_vec(&InviteSecrets {
            pending: new.pending,
            link: secrets,
            code: Some(new.code.clone()),
            question,
        })
        .map_err(|e| NodeError::Storage(e.to_string()))?;
        self.inner
            .config
            .secret_store
            .put(&invite_secret_key(&id), &blob)?;
        lock(&self.inner.store).save_invite(&InviteRecord {
            id: id.clone(),
            created_at: now,
            expires_at,
            local_sdp: offer.local_sdp().to_owned(),
        })?;
        lock(&self.inner.offers).insert(id.clone(), offer);
        Ok(InviteInfo {
            invite_id: id,
            code: new.code,
            expires_at,
        })
    }

    /// Reads an invite to show its question, without answering it.
    pub fn open_invite(&self, code: &str) -> Result<InvitePreview, NodeError> {
        if is_browser_description(code) {
            return Err(CodeError::WrongKind {
                expected: "an invite code",
                found: "a browser's session description (it has no question: join it directly)",
            }
            .into());
        }
        let invite = Invite::parse(code, unix_now())?;
        Ok(InvitePreview {
            invite_id: hex_id(&invite.id()),
            question: invite.question().map(str::to_owned),
            mode: invite.mode(),
            expires_at: invite.expires_at(),
        })
    }

    /// Answers an invite: hardens the answer, prepares this side of the connection
    /// and returns the reply code. The conversation connects once the inviter loads it.
    ///
    /// A browser page's offer JSON is accepted too: the reply is then the page's answer
    /// JSON and `answer` is ignored (see [`Node::join_browser`]).
    pub fn join(&self, code: &str, answer: Option<&str>) -> Result<JoinInfo, NodeError> {
        if is_browser_description(code) {
            let joined = self.join_browser(code)?;
            return Ok(JoinInfo {
                peer: joined.peer,
                reply_code: joined.answer_json,
            });
        }
        let now = unix_now();
        let invite = Invite::parse(code, now)?;
        let id = hex_id(&invite.id());
        if let Some(earlier) = self.earlier_reply(&id)? {
            return Ok(earlier);
        }
        if lock(&self.inner.ctx.peers).contains_key(&id) {
            return Err(CodeError::AlreadyUsed.into());
        }
        let answered = invite.answer(answer, now)?;
        let offer_sdp = answered.inviter_description().to_sdp(SdpKind::Offer);
        let secrets = LinkSecrets::generate()?;
        // We wait for the inviter to load our reply, for as long as the invite lives.
        let until = invite.expires_at();
        let waiting = route::Attempt {
            holding: true,
            slow_for: Some(Duration::from_secs(until.saturating_sub(now).max(1))),
            fresh_port: false,
        }
        .config(&self.inner.config.link);
        let (local_sdp, link) = self.block_on(link::answer(&waiting, &secrets, &offer_sdp))??;
        let description = sdp::parse(&local_sdp).map_err(CodeError::from)?;
        let (reply_code, exchange) =
            answered.reply(&description, now, DEFAULT_LIFETIME_SECS, &mut OsRng)?;
        let first = FirstContact {
            until,
            reply_code: Some(reply_code.clone()),
            local_port: route::first_host_port(&local_sdp),
        };
        self.save_conversation(&id, &exchange, secrets, now, first)?;
        self.start_conversation(
            id.clone(),
            Role::Joiner,
            Some((link, local_sdp)),
            Some(exchange),
            Some(until),
        );
        Ok(JoinInfo {
            peer: id,
            reply_code,
        })
    }

    /// An invite answered before and still waiting for its inviter: the same reply
    /// again (a new one would replace the credentials the first reply promised), and
    /// the wait resumed. `None` when it was never answered here.
    fn earlier_reply(&self, id: &str) -> Result<Option<JoinInfo>, NodeError> {
        let Some(record) = lock(&self.inner.store).conversation(id)? else {
            return Ok(None);
        };
        if record.closed || record.role != Role::Joiner {
            return Ok(None);
        }
        if record.contact.is_some() {
            return Err(CodeError::AlreadyUsed.into());
        }
        let secrets = route::load_secrets(self.inner.config.secret_store.as_ref(), id)?;
        let (Some(reply_code), Some(until)) = (secrets.reply_code, secrets.waiting_until) else {
            return Ok(None);
        };
        if until <= unix_now() {
            return Ok(None);
        }
        self.resume(id)?;
        Ok(Some(JoinInfo {
            peer: id.to_owned(),
            reply_code,
        }))
    }

    /// Completes one of our invites with the joiner's reply; the conversation then
    /// connects in the background (watch [`Node::next_event`]). Works after a restart.
    ///
    /// A browser page's answer JSON completes our waiting browser offer
    /// ([`Node::create_browser_offer`]); that one does not survive a restart.
    pub fn accept_reply(&self, code: &str) -> Result<PeerId, NodeError> {
        if is_browser_description(code) {
            return self.accept_browser_reply(code);
        }
        let now = unix_now();
        let invite_id = match parse_any(code, now)? {
            ParsedCode::Reply { invite_id } => invite_id,
            ParsedCode::Invite(_) => {
                return Err(CodeError::WrongKind {
                    expected: "a reply code",
                    found: "an invite code",
                }
                .into())
            }
            ParsedCode::FollowUp { .. } => {
                return Err(CodeError::WrongKind {
                    expected: "a reply code",
                    found: "a follow-up code",
                }
                .into())
            }
        };
        let id = hex_id(&invite_id);
        let key = invite_secret_key(&id);
        let store = &self.inner.config.secret_store;
        let blob = store.get(&key)?.ok_or(NodeError::UnknownInvite)?;
        let mut secrets: InviteSecrets = serde_json::from_slice(&blob)
            .map_err(|e| NodeError::Storage(format!("pending invite {id}: {e}")))?;
        let outcome = secrets.pending.accept_reply(code, now);
        // Attempts and single use must survive a crash: persist before acting.
        let blob = serde_json::to_vec(&secrets).map_err(|e| NodeError::Storage(e.to_string()))?;
        store.put(&key, &blob)?;
        let exchange = match outcome {
            Ok(exchange) => exchange,
            Err(CodeError::WrongAnswer) => {
                let left = crate::code::MAX_FAILED_ATTEMPTS
                    .saturating_sub(secrets.pending.failed_attempts());
                self.inner.events.push(Event::WrongAnswer {
                    invite: id,
                    attempts_left: left,
                });
                return Err(CodeError::WrongAnswer.into());
            }
            Err(e) => return Err(e.into()),
        };
        let offer = lock(&self.inner.offers).remove(&id);
        let offer = match offer {
            Some(offer) => offer,
            None => self.offer_again(&id, &secrets.link)?,
        };
        let answer_sdp = exchange.remote().to_sdp(SdpKind::Answer);
        let local_sdp = offer.local_sdp().to_owned();
        let link = self.block_on(offer.accept(&answer_sdp))??;
        let until = secrets.pending.expires_at();
        let first = FirstContact {
            until,
            reply_code: None,
            local_port: route::first_host_port(&local_sdp),
        };
        self.save_conversation(&id, &exchange, secrets.link.clone(), now, first)?;
        self.start_conversation(
            id.clone(),
            Role::Inviter,
            Some((link, local_sdp)),
            Some(exchange),
            Some(until),
        );
        Ok(id)
    }

    /// Our offer again after a restart: same credentials and certificate, and the
    /// port the invite named when it is free — the joiner keeps its NAT mapping open
    /// towards exactly that address while it waits (`link/ttl_hold.rs`).
    fn offer_again(&self, id: &str, secrets: &LinkSecrets) -> Result<PendingOffer, NodeError> {
        let config = &self.inner.config.link;
        let invite_port = lock(&self.inner.store)
            .invite(id)?
            .and_then(|invite| route::first_host_port(&invite.local_sdp));
        if let Some(port) = invite_port {
            let pinned = route::with_port(config, port);
            match self.block_on(PendingOffer::create(&pinned, secrets))? {
                Ok(offer) => return Ok(offer),
                Err(e) => tracing::info!("the invite's port {port} is taken ({e}); using another"),
            }
        }
        // Another port: ICE may still find it through peer-reflexive candidates, or a
        // follow-up code carries it.
        Ok(self.block_on(PendingOffer::create(config, secrets))??)
    }

    /// Keeps what reconnecting needs: the secrets in the secret store, the peer's
    /// description in the database.
    fn save_conversation(
        &self,
        id: &str,
        exchange: &Exchange,
        link: LinkSecrets,
        now: u64,
        first: FirstContact,
    ) -> Result<(), NodeError> {
        let secrets = ConversationSecrets {
            link,
            keys: exchange.keys().clone(),
            invite_id: exchange.invite_id(),
            waiting_until: Some(first.until),
            reply_code: first.reply_code,
        };
        route::save_secrets(self.inner.config.secret_store.as_ref(), id, &secrets)?;
        lock(&self.inner.store).add_conversation(&ConversationRecord {
            id: id.to_owned(),
            role: exchange.role(),
            contact: None,
            created_at: now,
            remote_sdp: exchange
                .remote()
                .to_sdp(route::remote_kind(exchange.role())),
            local_port: first.local_port,
            closed: false,
        })?;
        Ok(())
    }

    fn start_conversation(
        &self,
        id: PeerId,
        role: Role,
        first: Option<(link::Link, String)>,
        exchange: Option<Exchange>,
        first_contact_until: Option<u64>,
    ) {
        let on_confirm_failed =
            (role == Role::Inviter && first.is_some()).then(|| self.confirm_failure_counter(&id));
        let start = match first {
            Some((link, sdp)) => conversation::Start::Codes(link, sdp),
            None => conversation::Start::Stored,
        };
        conversation::spawn(
            &self.inner.ctx,
            conversation::Spawn {
                id,
                role,
                start,
                exchange,
                first_contact_until,
                on_confirm_failed,
            },
        );
    }

    /// Sends a chat message; returns its id (receipts name it). The message is
    /// stored in the outbox before this returns, and goes out as soon as the
    /// conversation is connected (now, or after a reconnect or a restart).
    pub fn send(&self, peer: &str, text: &str) -> Result<String, NodeError> {
        if text.len() > MAX_TEXT_BYTES {
            return Err(NodeError::MessageTooLong(text.len()));
        }
        let slot = self.slot(peer)?;
        let id = random_id();
        if !slot.durable {
            slot.commands
                .try_send(Command::Send {
                    id: id.clone(),
                    text: text.to_owned(),
                })
                .map_err(|_| {
                    NodeError::Unreachable("the conversation has ended or is too far behind".into())
                })?;
            return Ok(id);
        }
        if matches!(
            slot.state(),
            PeerState::Disconnected { .. } | PeerState::Failed { .. }
        ) {
            return Err(NodeError::Unreachable(
                "this conversation has ended; start a new one with an invite".into(),
            ));
        }
        lock(&self.inner.store).queue_outgoing(peer, &id, text, conversation::unix_millis())?;
        // A full channel already holds a flush, which will send this one too.
        let _ = slot.commands.try_send(Command::Flush);
        Ok(id)
    }

    /// A page of a conversation's history, oldest first: up to `limit` messages
    /// before `before_seq` (or the newest). Page back with the first one's `seq`.
    pub fn history(
        &self,
        peer: &str,
        before_seq: Option<i64>,
        limit: u32,
    ) -> Result<Vec<MessageRecord>, NodeError> {
        Ok(lock(&self.inner.store).history(peer, before_seq, limit.min(1000))?)
    }

    /// The person has read the peer's messages up to `up_to_seq`: the peer is told
    /// (now, or when next connected).
    pub fn mark_read(&self, peer: &str, up_to_seq: i64) -> Result<(), NodeError> {
        let slot = self.slot(peer)?;
        let ids = lock(&self.inner.store).mark_read_here(peer, up_to_seq)?;
        if !ids.is_empty() {
            let _ = slot.commands.try_send(Command::Flush);
        }
        Ok(())
    }

    /// Every conversation of this run.
    pub fn peers(&self) -> Vec<PeerInfo> {
        lock(&self.inner.ctx.peers)
            .iter()
            .map(|(id, slot)| PeerInfo {
                peer: id.clone(),
                role: slot.role,
                state: slot.state(),
                name: lock(&slot.name).clone(),
                selected_pair: lock(&slot.selected_pair).clone(),
                outbox: if slot.durable {
                    lock(&self.inner.store).outbox_count(id).unwrap_or(0)
                } else {
                    0
                },
                contact: if slot.durable {
                    lock(&self.inner.store)
                        .conversation(id)
                        .ok()
                        .flatten()
                        .and_then(|c| c.contact)
                } else {
                    None
                },
            })
            .collect()
    }

    /// Ids of our invites still waiting for a reply.
    pub fn open_invites(&self) -> Result<Vec<String>, NodeError> {
        Ok(lock(&self.inner.store).open_invites(unix_now())?)
    }

    /// Waits up to `timeout` for the next event; `None` on timeout or after shutdown.
    pub fn next_event(&self, timeout: Duration) -> Option<Event> {
        let events = self.inner.events.clone();
        self.block_on(async move { events.next(timeout).await })
            .ok()
            .flatten()
    }

    /// The event queue itself, for a shell that awaits events on its own executor with
    /// [`EventQueue::wait`] instead of blocking a thread in [`Node::next_event`].
    /// Holding it does not keep the node open: shutdown (or dropping the node) closes
    /// the queue, which ends every wait.
    pub fn event_queue(&self) -> Arc<EventQueue> {
        self.inner.events.clone()
    }

    /// Ends one conversation (the other side is told).
    pub fn close_peer(&self, peer: &str) -> Result<(), NodeError> {
        let slot = self.slot(peer)?;
        let _ = slot.commands.try_send(Command::Close);
        Ok(())
    }

    /// Says goodbye to every peer, stops the runtime and releases its threads and
    /// sockets. Later calls fail with [`NodeError::ShutDown`]. Idempotent.
    pub fn shutdown(&self) {
        let Some(runtime) = lock(&self.inner.runtime).take() else {
            return;
        };
        let slots: Vec<_> = lock(&self.inner.ctx.peers).values().cloned().collect();
        for slot in &slots {
            // Durable conversations go "away" (they reconnect next time); plain
            // browser sessions end.
            let command = if slot.durable {
                Command::Away
            } else {
                Command::Close
            };
            let _ = slot.commands.try_send(command);
        }
        // Give the goodbyes a moment to leave, bounded.
        runtime.block_on(async {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
            for slot in &slots {
                let Some(link) = slot.current_link() else {
                    continue;
                };
                let mut states = link.events();
                let _ = tokio::time::timeout_at(deadline, states.wait_for(|s| s.is_final())).await;
            }
        });
        lock(&self.inner.ctx.peers).clear();
        lock(&self.inner.offers).clear();
        self.inner.events.close();
        runtime.shutdown_timeout(Duration::from_secs(2));
        // The data directory is free for the next node (an app restarting its node).
        lock(&self.inner.dir_lock).take();
    }
}

/// A random 128-bit message id, hex.
fn random_id() -> String {
    let mut raw = [0u8; 16];
    rand_core::RngCore::fill_bytes(&mut OsRng, &mut raw);
    peer::hex(&raw)
}

/// Keeps ICE checking for as long as a connection may take to open, so a follow-up
/// code that arrives late still finds both sides checking: webrtc gives a candidate
/// pair up after `ice_max_checks` checks and never revives it (docs/LINK.md), and fails
/// the connection after the disconnected + failed timeouts.
fn stretch_ice_for_followups(config: &mut NodeConfig) {
    let interval = config.link.ice_check_interval.max(Duration::from_millis(1));
    let checks = config.connect_timeout.as_millis() / interval.as_millis();
    config.link.ice_max_checks = config
        .link
        .ice_max_checks
        .max(u16::try_from(checks).unwrap_or(u16::MAX));
    config.link.ice_failed_timeout = config.link.ice_failed_timeout.max(config.connect_timeout);
}

impl Drop for Inner {
    fn drop(&mut self) {
        let runtime = self.runtime.get_mut().ok().and_then(Option::take);
        if let Some(runtime) = runtime {
            self.events.close();
            runtime.shutdown_background();
        }
    }
}
