//! The app model both phone apps render: one [`App`] over the [`Node`], a view
//! snapshot ([`AppView`]), a stream of updates and the person's [`Action`]s.
//!
//! The approach of redbadger/crux: the core holds every screen's state and decides
//! what follows each action; the shells render the view, perform OS calls (share
//! sheet, camera, notifications, keep-alive) and report what the person did. Anything
//! from outside the app (pasted, shared, a link, a camera frame, an image) enters
//! through one door, [`Action::Received`] / [`Action::ReceivedImage`] /
//! [`App::scan_frame`], and is classified by [`crate::inbound`].
//!
//! ```text
//! shell ──Action──▶ App::dispatch ──▶ Node ──events──▶ pump ──▶ revision++ ──▶ Updates::next ──AppView──▶ shell
//! ```
//!
//! Navigation lives here too (a stack of screens, [`Action::Back`]), so a shared code
//! opens the same flow on both phones and every route is tested in Rust.

mod action;
mod arrivals;
mod attachments;
mod handle;
mod introductions;
mod network;
mod render;
mod rooms;
mod settings;
mod state;
pub mod view;
mod words;

pub use action::{Action, Source};
pub use arrivals::MAX_IMAGE_BYTES;
pub use attachments::{METADATA_KEPT, METADATA_REMOVED};
pub use settings::{Settings, SettingsError};
pub use state::FollowUpTiming;
pub use view::*;
/// Bytes for people ("812 B", "4.2 MB"): the CLI says sizes the way the app does.
pub use words::size as byte_size;
pub use words::Clock;

use std::path::PathBuf;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::watch;

use crate::link::LinkConfig;
use crate::node::{Node, NodeConfig, NodeError, PeerState};
use crate::protect::argon::{self, ArgonParams};
use crate::protect::keys::Role;
use crate::secrets::SecretStore;
use state::{Route, State};

/// How an app is set up by its shell.
#[derive(Clone)]
pub struct AppConfig {
    /// The app's private data directory.
    pub data_dir: PathBuf,
    /// The platform's secret store (Android Keystore, iOS Keychain, the OS keyring).
    pub secret_store: Arc<dyn SecretStore>,
    /// The phone's time zone, minutes east of UTC (for "Today" and "14:05").
    pub utc_offset_minutes: i32,
    /// Network choices other than STUN servers (which are a setting): phones leave
    /// the default; tests bind loopback.
    pub link: LinkConfig,
    /// Argon2id cost of invites this app makes.
    pub argon: ArgonParams,
    /// When a stuck connection is offered a follow-up code.
    pub follow_up: FollowUpTiming,
    /// Limits on files and photos (phones keep the defaults; tests lower the size
    /// that needs the person's yes).
    pub files: crate::files::FileLimits,
}

impl AppConfig {
    /// Defaults for a phone.
    pub fn new(data_dir: PathBuf, secret_store: Arc<dyn SecretStore>) -> Self {
        Self {
            data_dir,
            secret_store,
            utc_offset_minutes: 0,
            link: LinkConfig::default(),
            argon: argon::DEFAULT,
            follow_up: FollowUpTiming::default(),
            files: crate::files::FileLimits::default(),
        }
    }
}

/// The app model: a cheap, cloneable handle. Every method may be called from any
/// thread; [`App::dispatch`] may take a moment (hardening an answer, gathering
/// addresses), so shells call it off their UI thread.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    config: AppConfig,
    node: RwLock<Node>,
    state: Mutex<State>,
    settings: Mutex<Settings>,
    revision: watch::Sender<u64>,
    utc_offset: AtomicI32,
    /// Wakes the event thread to recompute when the next follow-up offer is due.
    nudge: Arc<tokio::sync::Notify>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl App {
    /// Opens the app on its data directory: the store, the identity, the settings,
    /// and reconnects every known contact.
    pub fn open(config: AppConfig) -> Result<App, NodeError> {
        let settings = Settings::load(&config.data_dir)?;
        let node = Node::open(node_config(&config, &settings))?;
        let _ = node.forget_expired_invites();
        let (revision, _) = watch::channel(1);
        let app = App {
            inner: Arc::new(Inner {
                utc_offset: AtomicI32::new(config.utc_offset_minutes),
                state: Mutex::new(State::new(config.follow_up)),
                config,
                node: RwLock::new(node.clone()),
                settings: Mutex::new(settings),
                revision,
                nudge: Arc::new(tokio::sync::Notify::new()),
            }),
        };
        app.remember_waiting_joins(&node);
        app.start_pump(&node);
        Ok(app)
    }

    /// Joins from an earlier run still waiting for their inviter: listed with their
    /// expiry, and opened on their reply to share again, as in the run that made them.
    fn remember_waiting_joins(&self, node: &Node) {
        let Ok(waiting) = node.waiting_conversations() else {
            return;
        };
        let mut state = lock(&self.inner.state);
        for join in waiting.into_iter().filter(|w| w.role == Role::Joiner) {
            state.waiting_joins.insert(
                join.peer.clone(),
                state::JoinDraft {
                    stage: JoinStage::ShowReply,
                    code: String::new(),
                    browser: false,
                    opened: "An invite you answered earlier".into(),
                    question: String::new(),
                    answer: String::new(),
                    error: None,
                    invite_id: join.peer,
                    reply_code: join.reply_code.unwrap_or_default(),
                    expires_at: join.until,
                },
            );
        }
    }

    /// The view as it is now.
    pub fn view(&self) -> AppView {
        let node = self.node();
        let state = lock(&self.inner.state);
        let settings = lock(&self.inner.settings).clone();
        render::render(
            &node,
            &state,
            &self.clock(),
            &settings,
            *self.inner.revision.borrow(),
        )
    }

    /// A stream of views: each [`Updates::next`] waits for a change and returns the
    /// newest view (several changes in a row are one update).
    pub fn updates(&self) -> Updates {
        Updates {
            app: self.clone(),
            changes: self.inner.revision.subscribe(),
            first: true,
        }
    }

    /// Does what the person did, then publishes the new view.
    pub fn dispatch(&self, action: Action) {
        handle::dispatch(self, action);
        self.publish();
    }

    /// One camera frame's luminance (Android: the Y plane; iOS: the luma plane),
    /// `row_stride` bytes per row. Returns true once a code was read and handled (the
    /// shell closes the camera); frames without a code return false.
    pub fn scan_frame(&self, width: u32, height: u32, row_stride: u32, luma: &[u8]) -> bool {
        let done = arrivals::scan_frame(self, width, height, row_stride, luma);
        if done {
            self.publish();
        }
        done
    }

    /// The phone's time zone changed.
    pub fn set_utc_offset(&self, minutes: i32) {
        self.inner.utc_offset.store(minutes, Ordering::Relaxed);
        self.publish();
    }

    /// The node underneath, for what the app model does not cover (tests, the CLI).
    pub fn node(&self) -> Node {
        self.inner
            .node
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Says goodbye to every contact and stops. Idempotent; later views still render
    /// what is stored.
    pub fn shutdown(&self) {
        self.node().shutdown();
        self.publish();
    }

    fn clock(&self) -> Clock {
        Clock {
            utc_offset_minutes: self.inner.utc_offset.load(Ordering::Relaxed),
            now_ms: now_ms(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.inner.state)
    }

    /// A new connection started trying: time it for the follow-up offer.
    fn connecting(&self, id: &str) {
        self.state()
            .unconnected_since
            .entry(id.to_owned())
            .or_insert_with(Instant::now);
        self.inner.nudge.notify_one();
    }

    fn settings(&self) -> Settings {
        lock(&self.inner.settings).clone()
    }

    /// Tells every update stream that the view changed.
    fn publish(&self) {
        self.inner.revision.send_modify(|r| *r += 1);
    }

    /// Restarts the node with new settings (names and STUN servers are fixed per
    /// node); known contacts reconnect by themselves.
    fn restart_node(&self, settings: Settings) -> Result<(), NodeError> {
        let old = self.node();
        old.shutdown();
        let node = Node::open(node_config(&self.inner.config, &settings))?;
        *self.inner.node.write().unwrap_or_else(|p| p.into_inner()) = node.clone();
        *lock(&self.inner.settings) = settings;
        self.start_pump(&node);
        Ok(())
    }

    /// Turns the node's events into state changes and published views, on a thread
    /// that sleeps until an event arrives or a follow-up offer falls due.
    fn start_pump(&self, node: &Node) {
        let queue = node.event_queue();
        let nudge = self.inner.nudge.clone();
        let weak = Arc::downgrade(&self.inner);
        let spawned = std::thread::Builder::new()
            .name("tincan-app".into())
            .spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_time()
                    .build()
                else {
                    return;
                };
                loop {
                    let due = match weak.upgrade() {
                        Some(inner) => next_offer_due(&lock(&inner.state)),
                        None => return,
                    };
                    // Sleeps until an event, a follow-up offer falling due, or a nudge
                    // that the stuck set changed — never on a fixed tick.
                    let event = rt.block_on(async {
                        let due = async {
                            match due {
                                Some(d) => tokio::time::sleep(d).await,
                                None => std::future::pending().await,
                            }
                        };
                        tokio::select! {
                            event = queue.wait() => Some(event),
                            () = due => None,
                            () = nudge.notified() => None,
                        }
                    });
                    let Some(inner) = weak.upgrade() else { return };
                    let app = App { inner };
                    match event {
                        Some(None) => {
                            app.publish();
                            return;
                        }
                        Some(Some(event)) => handle::on_event(&app, event),
                        None => {}
                    }
                    app.publish();
                }
            });
        if let Err(e) = spawned {
            tracing::warn!("cannot start the app's event thread: {e}");
        }
    }
}

/// When the next follow-up offer should appear, if a conversation is stuck.
fn next_offer_due(state: &State) -> Option<Duration> {
    let timing = state.follow_up;
    state
        .unconnected_since
        .values()
        .flat_map(|since| {
            [timing.after_connecting, timing.after_loss]
                .into_iter()
                .map(move |after| (*since + after).saturating_duration_since(Instant::now()))
        })
        .filter(|d| !d.is_zero())
        .min()
        .map(|d| d + Duration::from_millis(50))
}

/// Records when a conversation stopped being connected (for the follow-up offer).
fn track_connection(state: &mut State, peer: &str, peer_state: &PeerState) {
    match peer_state {
        PeerState::Connected | PeerState::Disconnected { .. } | PeerState::Failed { .. } => {
            state.unconnected_since.remove(peer);
            if *peer_state == PeerState::Connected {
                state.follow_ups.remove(peer);
            }
        }
        _ => {
            state
                .unconnected_since
                .entry(peer.to_owned())
                .or_insert_with(Instant::now);
        }
    }
}

fn node_config(config: &AppConfig, settings: &Settings) -> NodeConfig {
    let mut node = NodeConfig::new(config.data_dir.clone(), config.secret_store.clone());
    node.link = config.link.clone();
    node.link.ice_servers = settings.ice_servers();
    node.argon = config.argon;
    node.display_name = Some(settings.display_name.clone()).filter(|n| !n.is_empty());
    node.resume_on_open = true;
    node.files = config.files.clone();
    node
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// A stream of views for one shell (Kotlin wraps it in a Flow, Swift in an
/// AsyncStream).
pub struct Updates {
    app: App,
    changes: watch::Receiver<u64>,
    first: bool,
}

impl Updates {
    /// The next view: the current one at first, then one per change (changes that
    /// happen while the shell renders are folded into one). `None` once the app is
    /// gone.
    pub async fn next(&mut self) -> Option<AppView> {
        if self.first {
            self.first = false;
            self.changes.borrow_and_update();
            return Some(self.app.view());
        }
        self.changes.changed().await.ok()?;
        self.changes.borrow_and_update();
        Some(self.app.view())
    }

    /// Waits at most `timeout` for the next view (for plain threads and tests).
    pub fn next_within(&mut self, timeout: Duration) -> Option<AppView> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .ok()?;
        rt.block_on(async { tokio::time::timeout(timeout, self.next()).await.ok()? })
    }
}

/// Handles a routed event for the app's state (used by the pump).
fn on_peer_state(app: &App, peer: &str, peer_state: &PeerState) {
    let mut state = app.state();
    track_connection(&mut state, peer, peer_state);
    if *peer_state != PeerState::Connected {
        if let PeerState::Failed { reason } = peer_state {
            if state.waiting_joins.remove(peer).is_some() {
                state.warn(format!("The connection could not be made: {reason}"));
            }
        }
        return;
    }
    state.waiting_joins.remove(peer);
    let mut finished = false;
    if let Some(invite) = state.invite.as_mut() {
        if invite.invite_id == peer {
            invite.stage = InviteStage::Connected;
            finished = true;
        }
    }
    if let Some(join) = state.join.as_mut() {
        if join.invite_id == peer {
            join.stage = JoinStage::Connected;
            finished = true;
        }
    }
    if finished && matches!(state.top(), Route::Invite | Route::Join) {
        state.replace_top(Route::Conversation(peer.to_owned()));
    }
}

/// Whether an event is about the conversation the person is looking at.
fn is_watched(state: &State, peer: &str) -> bool {
    state.visible && state.open_conversation() == Some(peer)
}

#[cfg(test)]
mod tests;
