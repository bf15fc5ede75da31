//! The node as the apps hold it: one object per app, opened with a data directory and
//! the platform's secret store, closed deliberately with `shutdown()`.
//!
//! Methods block (the core owns its runtime): call them from a background thread —
//! Kotlin `Dispatchers.IO`, a Swift detached task — never from the UI thread. Events
//! are awaited through [`Node::events`] (a suspend/async `next()`, see
//! [`crate::EventStream`]) or pulled on a plain thread with [`Node::next_event`];
//! `bindings/README.md` says why pulling beats a listener here, and shows the Flow /
//! AsyncStream wrappers.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tincan_core::link::LinkConfig;
use tincan_core::node::{self as core, NodeConfig};
use tincan_core::protect::keys;

use crate::codes::InviteMode;
use crate::events::EventStream;
use crate::secrets::{Adapter, SecretStore};
use crate::TincanError;

/// The longest a single `next_event` call waits, so a forgotten call cannot pin a
/// thread for hours.
const MAX_EVENT_WAIT_MS: u32 = 60_000;

/// How a node is opened.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NodeOptions {
    /// Where the node keeps its database (created if missing): the app's private
    /// files directory.
    pub data_dir: String,
    /// The name shown to peers after they connect.
    #[uniffi(default)]
    pub display_name: Option<String>,
    /// Bind to 127.0.0.1 only: for tests and demos on one machine. Apps leave it off.
    #[uniffi(default)]
    pub loopback_only: bool,
    /// How long a new connection may take to open, in seconds (default 120).
    #[uniffi(default)]
    pub connect_timeout_secs: Option<u32>,
}

/// How an invite is protected.
#[derive(Debug, Clone, uniffi::Enum)]
pub enum Protection {
    /// No question: for a QR code shown in person.
    Open,
    /// A question only the other person can answer; the answer stays on this device.
    Question {
        /// Shown to the person joining.
        question: String,
        /// What they must type.
        answer: String,
    },
    /// A question, and the connection details are hidden too; needs a strong passphrase.
    Private {
        /// Shown to the person joining.
        question: String,
        /// A strong passphrase.
        answer: String,
    },
}

/// A new invite to share.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct InviteInfo {
    /// The invite's id; the conversation will have the same id.
    pub invite_id: String,
    /// The code to share (text or QR).
    pub code: String,
    /// When it expires, Unix seconds.
    pub expires_at: u64,
}

/// What an invite asks, before answering it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct InvitePreview {
    /// The invite's id.
    pub invite_id: String,
    /// The question to show, if it has one.
    pub question: Option<String>,
    /// How it is protected.
    pub mode: InviteMode,
    /// When it expires, Unix seconds.
    pub expires_at: u64,
}

/// The result of joining: the reply to send back, and the conversation's id.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct JoinInfo {
    /// The conversation; it connects once the inviter loads the reply.
    pub peer: String,
    /// The reply code to send back.
    pub reply_code: String,
}

/// Which side of the first exchange this device was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Role {
    /// Made the invite.
    Inviter,
    /// Answered it.
    Joiner,
}

/// Where a conversation's connection stands.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum PeerState {
    /// Finding a path and setting up encryption.
    Connecting,
    /// Connected; proving both sides hold the same key.
    Confirming,
    /// Ready: messages flow.
    Connected,
    /// The connection was lost; reconnecting by itself, no codes needed. Messages
    /// written meanwhile wait in the outbox (`PeerInfo.outbox`).
    Reconnecting {
        /// Attempts since the loss.
        attempt: u32,
    },
    /// Not reachable for a while; still trying now and then. A follow-up code from
    /// either side connects at once.
    Offline {
        /// Why, in words.
        reason: String,
    },
    /// The connection ended.
    Disconnected {
        /// Why, in words.
        reason: String,
    },
    /// The connection could not be made or proven.
    Failed {
        /// Why, in words.
        reason: String,
    },
}

/// A conversation as the app lists it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PeerInfo {
    /// Its id.
    pub peer: String,
    /// Whether this device invited or joined.
    pub role: Role,
    /// Connection state.
    pub state: PeerState,
    /// The name the other side gave, if any.
    pub name: Option<String>,
    /// The network path in use, for a details screen.
    pub selected_pair: Option<String>,
    /// Messages written here that the other side has not received yet.
    pub outbox: u64,
    /// The contact, once identities were exchanged.
    pub contact: Option<String>,
}

/// Something the app may want to show. Events carry ids; re-query with `peers()`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum Event {
    /// A conversation's connection state changed.
    PeerStateChanged {
        /// The conversation.
        peer: String,
        /// Its new state.
        state: PeerState,
    },
    /// A message arrived.
    Message {
        /// From which conversation.
        peer: String,
        /// The sender's message id.
        id: String,
        /// The text.
        text: String,
    },
    /// The other side received a message this device sent.
    Delivered {
        /// The conversation.
        peer: String,
        /// The id `send` returned.
        id: String,
    },
    /// The other side read messages this device sent.
    Read {
        /// The conversation.
        peer: String,
        /// The ids `send` returned.
        ids: Vec<String>,
    },
    /// A first connection proved the other side's identity: a new contact.
    ContactAdded {
        /// The conversation.
        peer: String,
        /// The contact's id.
        contact: String,
        /// The name it gave.
        name: Option<String>,
        /// What the two people compare to verify each other.
        safety_number: String,
    },
    /// An introduction changed (offered, answered, connecting, connected, declined,
    /// expired or failed): re-read the introductions.
    IntroductionChanged {
        /// The introduction.
        id: String,
    },
    /// A room was made, joined or left, or its members changed.
    RoomChanged {
        /// The room.
        room: String,
    },
    /// A post in a room became readable.
    RoomPost {
        /// The room.
        room: String,
        /// The author's identity key (hex).
        author: String,
        /// The name the author gave.
        name: Option<String>,
        /// The text.
        text: String,
    },
    /// SECURITY WARNING: a known contact presented a different identity key; the
    /// connection was refused until the person accepts it (`accept_new_identity`).
    IdentityChanged {
        /// The conversation.
        peer: String,
        /// The contact.
        contact: String,
        /// The name it had.
        name: Option<String>,
    },
    /// Someone answered one of this device's invites wrongly.
    WrongAnswer {
        /// The invite's id.
        invite: String,
        /// Tries left before the invite is burned.
        attempts_left: u8,
    },
    /// The other side offered a file or photo.
    FileOffered {
        /// The conversation.
        peer: String,
        /// The transfer (and message) id.
        id: String,
        /// The name it gave.
        name: String,
        /// Bytes.
        size: u64,
        /// Too large to fetch without the person's yes.
        needs_accept: bool,
    },
    /// Bytes of a transfer moved (a few times a second at most).
    FileProgress {
        /// The conversation.
        peer: String,
        /// The transfer.
        id: String,
        /// This device sends it.
        outgoing: bool,
        /// Bytes so far.
        done: u64,
        /// Bytes in all.
        total: u64,
    },
    /// A transfer finished, hash checked.
    FileDone {
        /// The conversation.
        peer: String,
        /// The transfer.
        id: String,
        /// This device sent it.
        outgoing: bool,
        /// Received: where the file is.
        path: Option<String>,
    },
    /// A transfer ended unfinished.
    FileStopped {
        /// The conversation.
        peer: String,
        /// The transfer.
        id: String,
        /// This device was sending it.
        outgoing: bool,
        /// Declined rather than failed.
        declined: bool,
        /// Why, in words.
        reason: String,
    },
    /// Events were dropped because nobody pulled them: re-query `peers()`.
    Overflow {
        /// How many.
        dropped: u64,
    },
}

impl From<core::PeerState> for PeerState {
    fn from(s: core::PeerState) -> Self {
        match s {
            core::PeerState::Connecting => PeerState::Connecting,
            core::PeerState::Confirming => PeerState::Confirming,
            core::PeerState::Connected => PeerState::Connected,
            core::PeerState::Reconnecting { attempt } => PeerState::Reconnecting { attempt },
            core::PeerState::Offline { reason } => PeerState::Offline { reason },
            core::PeerState::Disconnected { reason } => PeerState::Disconnected { reason },
            core::PeerState::Failed { reason } => PeerState::Failed { reason },
        }
    }
}

impl From<core::Event> for Event {
    fn from(e: core::Event) -> Self {
        match e {
            core::Event::PeerState { peer, state } => Event::PeerStateChanged {
                peer,
                state: state.into(),
            },
            core::Event::Message { peer, id, text } => Event::Message { peer, id, text },
            core::Event::Delivered { peer, id } => Event::Delivered { peer, id },
            core::Event::Read { peer, ids } => Event::Read { peer, ids },
            core::Event::ContactAdded {
                peer,
                contact,
                name,
                safety_number,
            } => Event::ContactAdded {
                peer,
                contact,
                name,
                safety_number,
            },
            core::Event::IntroductionChanged { id } => Event::IntroductionChanged { id },
            core::Event::RoomChanged { room } => Event::RoomChanged { room },
            core::Event::RoomPost {
                room,
                author,
                name,
                text,
            } => Event::RoomPost {
                room,
                author,
                name,
                text,
            },
            core::Event::IdentityChanged {
                peer,
                contact,
                name,
            } => Event::IdentityChanged {
                peer,
                contact,
                name,
            },
            core::Event::WrongAnswer {
                invite,
                attempts_left,
            } => Event::WrongAnswer {
                invite,
                attempts_left,
            },
            core::Event::FileOffered {
                peer,
                id,
                name,
                size,
                needs_accept,
            } => Event::FileOffered {
                peer,
                id,
                name,
                size,
                needs_accept,
            },
            core::Event::FileProgress {
                peer,
                id,
                outgoing,
                done,
                total,
            } => Event::FileProgress {
                peer,
                id,
                outgoing,
                done,
                total,
            },
            core::Event::FileDone {
                peer,
                id,
                outgoing,
                path,
            } => Event::FileDone {
                peer,
                id,
                outgoing,
                path,
            },
            core::Event::FileStopped {
                peer,
                id,
                outgoing,
                declined,
                reason,
            } => Event::FileStopped {
                peer,
                id,
                outgoing,
                declined,
                reason,
            },
            core::Event::Overflow { dropped } => Event::Overflow { dropped },
        }
    }
}

impl From<keys::Role> for Role {
    fn from(r: keys::Role) -> Self {
        match r {
            keys::Role::Inviter => Role::Inviter,
            keys::Role::Joiner => Role::Joiner,
        }
    }
}

/// A Tincan node: one per app. Close it with [`Node::shutdown`] (Kotlin's `close()`
/// and Swift's deinit also shut it down when the last reference goes).
#[derive(uniffi::Object)]
pub struct Node {
    pub(crate) inner: core::Node,
    shut_down: AtomicBool,
}

#[uniffi::export]
impl Node {
    /// Opens the node: creates the data directory and database and starts the
    /// network runtime. `secret_store` is the platform's (or [`crate::MemorySecretStore`]).
    #[uniffi::constructor]
    pub fn open(
        options: NodeOptions,
        secret_store: Arc<dyn SecretStore>,
    ) -> Result<Arc<Self>, TincanError> {
        if options.data_dir.trim().is_empty() {
            return Err(TincanError::InvalidInput(
                "The app gave Tincan no data directory.".into(),
            ));
        }
        let mut config = NodeConfig::new(
            PathBuf::from(options.data_dir),
            Arc::new(Adapter(secret_store)),
        );
        config.display_name = options.display_name;
        if options.loopback_only {
            config.link = LinkConfig::loopback();
        }
        if let Some(secs) = options.connect_timeout_secs {
            config.connect_timeout = Duration::from_secs(u64::from(secs.max(1)));
        }
        Ok(Arc::new(Node {
            inner: core::Node::open(config)?,
            shut_down: AtomicBool::new(false),
        }))
    }

    /// Makes an invite to share. Deriving the key from the answer takes a moment by
    /// design (about 0.2–0.4 s); `lifetime_secs` defaults to 24 hours.
    pub fn create_invite(
        &self,
        protection: Protection,
        lifetime_secs: Option<u64>,
    ) -> Result<InviteInfo, TincanError> {
        let protection = match protection {
            Protection::Open => core::Protection::Open,
            Protection::Question { question, answer } => {
                core::Protection::Question { question, answer }
            }
            Protection::Private { question, answer } => {
                core::Protection::Private { question, answer }
            }
        };
        let info = self.inner.create_invite(core::InviteRequest {
            protection,
            lifetime_secs,
        })?;
        Ok(InviteInfo {
            invite_id: info.invite_id,
            code: info.code,
            expires_at: info.expires_at,
        })
    }

    /// Reads an invite to show its question before answering.
    pub fn open_invite(&self, code: &str) -> Result<InvitePreview, TincanError> {
        let p = self.inner.open_invite(code)?;
        Ok(InvitePreview {
            invite_id: p.invite_id,
            question: p.question,
            mode: p.mode.into(),
            expires_at: p.expires_at,
        })
    }

    /// Answers an invite; returns the reply code to send back.
    pub fn join(&self, code: &str, answer: Option<String>) -> Result<JoinInfo, TincanError> {
        let j = self.inner.join(code, answer.as_deref())?;
        Ok(JoinInfo {
            peer: j.peer,
            reply_code: j.reply_code,
        })
    }

    /// Loads the reply to one of this device's invites; the conversation then
    /// connects in the background. Returns the conversation's id.
    pub fn accept_reply(&self, code: &str) -> Result<String, TincanError> {
        Ok(self.inner.accept_reply(code)?)
    }

    /// A short follow-up code with fresh connection details, for a conversation that
    /// did not connect.
    pub fn followup_code(&self, peer: &str) -> Result<String, TincanError> {
        Ok(self.inner.followup_code(peer)?)
    }

    /// Loads the other side's follow-up code. Returns the conversation's id.
    pub fn accept_followup(&self, code: &str) -> Result<String, TincanError> {
        Ok(self.inner.accept_followup(code)?)
    }

    /// Sends a message; returns its id (a `Delivered` event names it later).
    pub fn send(&self, peer: &str, text: &str) -> Result<String, TincanError> {
        Ok(self.inner.send(peer, text)?)
    }

    /// Every conversation of this run.
    pub fn peers(&self) -> Vec<PeerInfo> {
        self.inner
            .peers()
            .into_iter()
            .map(|p| PeerInfo {
                peer: p.peer,
                role: p.role.into(),
                state: p.state.into(),
                name: p.name,
                selected_pair: p.selected_pair,
                outbox: p.outbox,
                contact: p.contact,
            })
            .collect()
    }

    /// Ids of this device's invites still waiting for a reply.
    pub fn open_invites(&self) -> Result<Vec<String>, TincanError> {
        Ok(self.inner.open_invites()?)
    }

    /// Waits up to `timeout_ms` (at most 60 s) for the next event, in order;
    /// `null`/`nil` on timeout and, at once, after `shutdown()`. Blocks the calling
    /// thread: from a coroutine or task use [`Node::events`] instead (a loop over this
    /// call never notices its coroutine's cancellation while no event comes).
    pub fn next_event(&self, timeout_ms: u32) -> Option<Event> {
        let wait = Duration::from_millis(u64::from(timeout_ms.min(MAX_EVENT_WAIT_MS)));
        self.inner.next_event(wait).map(Event::from)
    }

    /// The events as a stream to await (Kotlin `suspend`, Swift `async`): the way to
    /// feed a `Flow` or an `AsyncStream`. Ends when the node shuts down.
    pub fn events(&self) -> Arc<EventStream> {
        EventStream::new(self.inner.event_queue())
    }

    /// Ends one conversation (the other side is told).
    pub fn close_peer(&self, peer: &str) -> Result<(), TincanError> {
        Ok(self.inner.close_peer(peer)?)
    }

    /// Says goodbye to every peer and releases the node's threads, sockets and files
    /// (takes up to a few seconds). Pending `next_event` calls and event streams end at
    /// once; later calls fail with `Closed`. Calling it again does nothing.
    pub fn shutdown(&self) {
        self.shut_down.store(true, Ordering::SeqCst);
        self.inner.shutdown();
    }

    /// Whether [`Node::shutdown`] was called: an event loop stops pulling then.
    pub fn is_shut_down(&self) -> bool {
        self.shut_down.load(Ordering::SeqCst)
    }
}

impl Drop for Node {
    // The app dropped its last reference without shutting down: do it now, unless
    // this runs inside an async runtime, where the core's own drop stops the runtime
    // in the background instead (blocking there is not allowed).
    fn drop(&mut self) {
        if tokio::runtime::Handle::try_current().is_err() {
            self.inner.shutdown();
        }
    }
}
