//! From a message on the link to the view the app shell gets. One plain `Node` sender
//! per receiver sends one message at a time, all pairs in the same run, taking turns
//! round by round so they share the machine's noise:
//!
//! - **bare** (baseline): a plain `Node`; the clock stops when its `Event::Message` is
//!   pulled from the node's event queue (awaited exactly as the app's pump awaits it).
//! - **app**: an `App` with the conversation open on screen; the clock stops when
//!   `Updates::next()` returns a view whose conversation shows the message. The app's
//!   pump consumes the node's events, so the bare event cannot be timed on the same
//!   receiver without stealing it: hence the separate pair.
//! - **app, big store**: the same with the receiver's store holding the 200-conversation
//!   fixture too (every view renders the whole list).
//! - **app, long conversation**: the open conversation has 5,000 messages of history
//!   (sent first, as fast as the sender goes).
//! - **app, hidden** (ablation): the app in the background with the conversation still
//!   on top, so the pump marks nothing read (it queues an alert instead).
//!
//! The clock starts just before `Node::send` on the sender, which returns once the
//! message is committed (synced) in its outbox.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tincan_core::app::{Action, App, AppView, JoinStage, Screen, Source, Updates};
use tincan_core::node::events::EventQueue;
use tincan_core::node::{Event, InviteRequest, Node, PeerState, Protection};
use tincan_core::secrets::MemorySecretStore;
use tincan_core::store::Store;

use crate::common::{app_config, ms, node, percentile, shows_message, text, BoxError, STEP};
use crate::fixture::{self, Fixture, Shape};

/// Pause between two messages (the app's views settle; the same for every receiver).
const GAP: Duration = Duration::from_millis(3);

/// Pulls and drops a sender's events (delivery and read receipts) so its bounded
/// queue never overflows; stops when dropped.
struct Drain {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drain {
    fn start(node: &Node) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let (node, st) = (node.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !st.load(Ordering::Relaxed) {
                let _ = node.next_event(Duration::from_millis(100));
            }
        });
        Self {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Drain {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

enum Receiver {
    Node {
        node: Node,
        queue: Arc<EventQueue>,
    },
    App {
        app: App,
        updates: Box<Updates>,
        _secrets: Arc<MemorySecretStore>,
    },
}

/// One sender and its receiver, connected, warm.
struct Pair {
    label: &'static str,
    sender: Node,
    peer: String,
    receiver: Receiver,
    _drain: Drain,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
    samples: Vec<f64>,
    /// `App::view()` at rest, ms (apps only).
    renders: Vec<f64>,
    /// Views `Updates::next()` returned while timed (apps only).
    views: usize,
}

/// Waits on the sender's own queue until its conversation is connected (before the
/// drain starts).
fn sender_connected(sender: &Node) -> Result<(), BoxError> {
    let deadline = Instant::now() + STEP;
    while Instant::now() < deadline {
        if let Some(Event::PeerState {
            state: PeerState::Connected,
            ..
        }) = sender.next_event(Duration::from_millis(200))
        {
            return Ok(());
        }
    }
    Err("the sender did not connect".into())
}

fn bare_pair(rt: &tokio::runtime::Runtime, base: &Path) -> Result<Pair, BoxError> {
    let (ds, dr) = (tempfile::tempdir_in(base)?, tempfile::tempdir_in(base)?);
    let (sender, receiver) = (node(ds.path())?, node(dr.path())?);
    let invite = sender.create_invite(InviteRequest {
        protection: Protection::Open,
        lifetime_secs: None,
    })?;
    let joined = receiver.join(&invite.code, None)?;
    let peer = sender.accept_reply(&joined.reply_code)?;
    sender_connected(&sender)?;
    let queue = receiver.event_queue();
    let deadline = Instant::now() + STEP;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rt.block_on(queue.next(left)) {
            Some(Event::PeerState {
                state: PeerState::Connected,
                ..
            }) => break,
            Some(_) => {}
            None => return Err("the bare receiver did not connect".into()),
        }
    }
    Ok(Pair {
        label: "bare",
        _drain: Drain::start(&sender),
        sender,
        peer,
        receiver: Receiver::Node {
            node: receiver,
            queue,
        },
        _dirs: (ds, dr),
        samples: Vec::new(),
        renders: Vec::new(),
        views: 0,
    })
}

/// The next view from `updates` (`Updates::next()` on our own current-thread
/// runtime, as a shell awaits it), or `None` after `timeout`.
fn next_view(
    rt: &tokio::runtime::Runtime,
    updates: &mut Updates,
    timeout: Duration,
) -> Option<AppView> {
    rt.block_on(async { tokio::time::timeout(timeout, updates.next()).await })
        .ok()
        .flatten()
}

/// Waits until `ok` holds for a view from `updates` (or the current one).
fn wait_view(
    rt: &tokio::runtime::Runtime,
    app: &App,
    updates: &mut Updates,
    what: &str,
    ok: impl Fn(&AppView) -> bool,
) -> Result<AppView, BoxError> {
    let deadline = Instant::now() + STEP;
    let mut last = app.view();
    while !ok(&last) {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(format!("timed out waiting for {what}").into());
        }
        if let Some(v) = next_view(rt, updates, left.min(Duration::from_millis(500))) {
            last = v;
        } else {
            last = app.view();
        }
    }
    Ok(last)
}

/// The sender invites in person (no Argon2); the app receives the code as pasted
/// text, answers it by itself (in-person invites have no question) and shows the
/// reply, which the sender loads. `visible` false: the app is then sent to the
/// background (the conversation stays on top, nothing is marked read, each message
/// becomes an alert instead). `history`: messages the sender sends first, as fast as
/// it can, so the open conversation is that long.
fn app_pair(
    rt: &tokio::runtime::Runtime,
    base: &Path,
    label: &'static str,
    store: Option<Shape>,
    visible: bool,
    history: usize,
) -> Result<(Pair, Option<Fixture>), BoxError> {
    let (ds, dr) = (tempfile::tempdir_in(base)?, tempfile::tempdir_in(base)?);
    let fixture = store
        .map(|shape| fixture::build(dr.path(), shape))
        .transpose()?;
    let sender = node(ds.path())?;
    let secrets = Arc::new(MemorySecretStore::default());
    let app = App::open(app_config(dr.path(), secrets.clone()))?;
    let mut updates = app.updates();
    let invite = sender.create_invite(InviteRequest {
        protection: Protection::Open,
        lifetime_secs: None,
    })?;
    app.dispatch(Action::Received {
        text: invite.code,
        source: Source::Paste,
    });
    let reply = match app.view().screen {
        Screen::Join { view } if view.stage == JoinStage::ShowReply => view.reply_code,
        other => return Err(format!("the app did not answer the invite: {other:?}").into()),
    };
    let peer = sender.accept_reply(&reply)?;
    sender_connected(&sender)?;
    wait_view(rt, &app, &mut updates, "the app connected", |v| {
        v.conversations
            .iter()
            .any(|r| r.id == peer && r.connection == tincan_core::app::Connection::Connected)
    })?;
    app.dispatch(Action::OpenConversation { id: peer.clone() });
    if !visible {
        app.dispatch(Action::SetVisible { visible: false });
    }
    if history > 0 {
        eprintln!("bench: message → view: {history} messages of history for {label}…");
        let mut last = String::new();
        for i in 0..history {
            last = text("history", i);
            sender.send(&peer, &last)?;
            // The sender's own events (delivery receipts) are not needed here.
            while sender.next_event(Duration::ZERO).is_some() {}
        }
        let deadline = Instant::now() + 4 * STEP;
        while !shows_message(&app.view(), &peer, &last) {
            if Instant::now() > deadline {
                return Err(format!("{label}: the history did not arrive").into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    Ok((
        Pair {
            label,
            _drain: Drain::start(&sender),
            sender,
            peer,
            receiver: Receiver::App {
                app,
                updates: Box::new(updates),
                _secrets: secrets,
            },
            _dirs: (ds, dr),
            samples: Vec::new(),
            renders: Vec::new(),
            views: 0,
        },
        fixture,
    ))
}

impl Pair {
    /// Sends one message and times it to the receiver; returns ms.
    fn one(&mut self, rt: &tokio::runtime::Runtime, body: &str) -> Result<f64, BoxError> {
        let deadline = Instant::now() + STEP;
        let started = Instant::now();
        self.sender.send(&self.peer, body)?;
        match &mut self.receiver {
            Receiver::Node { queue, .. } => loop {
                let left = deadline.saturating_duration_since(Instant::now());
                match rt.block_on(queue.next(left)) {
                    Some(Event::Message { text, .. }) if text == body => {
                        return Ok(ms(started.elapsed()))
                    }
                    Some(_) => {}
                    None => return Err(format!("{}: {body:?} not received", self.label).into()),
                }
            },
            Receiver::App { updates, .. } => loop {
                let left = deadline.saturating_duration_since(Instant::now());
                let view = next_view(rt, updates, left);
                self.views += usize::from(view.is_some());
                match view {
                    Some(view) if shows_message(&view, &self.peer, body) => {
                        return Ok(ms(started.elapsed()))
                    }
                    Some(_) => {}
                    _ => return Err(format!("{}: {body:?} never shown", self.label).into()),
                }
            },
        }
    }

    /// Lets the receiver settle: waits [`GAP`] and takes any views published meanwhile
    /// (the read receipt's own bookkeeping), bounded.
    fn settle(&mut self, rt: &tokio::runtime::Runtime) {
        match &mut self.receiver {
            Receiver::Node { .. } => std::thread::sleep(GAP),
            Receiver::App { updates, .. } => {
                for _ in 0..50 {
                    if next_view(rt, updates, GAP).is_none() {
                        break;
                    }
                }
            }
        }
    }

    /// Times `App::view()` at rest, `n` times.
    fn time_renders(&mut self, n: usize) {
        if let Receiver::App { app, .. } = &self.receiver {
            for _ in 0..n {
                let t = Instant::now();
                std::hint::black_box(app.view());
                self.renders.push(ms(t.elapsed()));
            }
        }
    }
}

/// One receiver's numbers.
pub struct Row {
    pub label: &'static str,
    /// Message → event or view, ms.
    pub samples: Vec<f64>,
    /// `App::view()` at rest, ms.
    pub renders: Vec<f64>,
    /// Views returned while timed.
    pub views: usize,
}

/// What the section measured.
pub struct Results {
    pub rows: Vec<Row>,
    /// One synced commit (`Store::queue_outgoing`) in the same directory, ms.
    pub commit: Vec<f64>,
    pub warmup: usize,
    pub rounds: usize,
    pub fixture: Option<Fixture>,
    /// Messages of history in the long conversation.
    pub long: usize,
}

/// Synced commits on the disk the pairs use (a received message costs one before its
/// event, the app's read marking one more).
fn commits(base: &Path, n: usize) -> Result<Vec<f64>, BoxError> {
    let dir = tempfile::tempdir_in(base)?;
    let mut store = Store::open(&dir.path().join("tincan.db"))?;
    store.add_conversation(&tincan_core::store::ConversationRecord {
        id: "c".into(),
        role: tincan_core::protect::keys::Role::Inviter,
        contact: None,
        created_at: 1,
        remote_sdp: String::new(),
        local_port: None,
        closed: false,
    })?;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        store.queue_outgoing("c", &format!("{i:032x}"), &text("c", i), 1)?;
        out.push(ms(t.elapsed()));
    }
    Ok(out)
}

/// Runs the section: `messages` timed per receiver (after `warmup` each), in `rounds`.
pub fn run(
    base: &Path,
    messages: usize,
    warmup: usize,
    rounds: usize,
    big: Option<Shape>,
    long: usize,
) -> Result<Results, BoxError> {
    eprintln!("bench: message → view: connecting the pairs…");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    let mut pairs = vec![bare_pair(&rt, base)?];
    let (app, _) = app_pair(&rt, base, "app", None, true, 0)?;
    pairs.push(app);
    let mut fixture = None;
    if let Some(shape) = big {
        let (p, f) = app_pair(&rt, base, "app, big store", Some(shape), true, 0)?;
        pairs.push(p);
        fixture = f;
    }
    if long > 0 {
        let (p, _) = app_pair(&rt, base, "app, long conversation", None, true, long)?;
        pairs.push(p);
    }
    let (hidden, _) = app_pair(&rt, base, "app, hidden", None, false, 0)?;
    pairs.push(hidden);
    for pair in &mut pairs {
        for i in 0..warmup {
            pair.one(&rt, &text(&format!("warm-{}", pair.label), i))?;
            pair.settle(&rt);
        }
        pair.views = 0;
    }
    let mut commit = commits(base, 100)?;
    let per_round = messages.div_ceil(rounds);
    eprintln!("bench: message → view: {messages} messages per receiver in {rounds} rounds…");
    for round in 0..rounds {
        // Rotate who goes first so no receiver always follows the same one.
        let n = pairs.len();
        for k in 0..n {
            let pair = &mut pairs[(round + k) % n];
            for i in 0..per_round {
                let idx = round * per_round + i;
                if idx >= messages {
                    break;
                }
                let body = text(&format!("r{round}-{}", pair.label), idx);
                let t = pair.one(&rt, &body)?;
                pair.samples.push(t);
                pair.settle(&rt);
            }
            pair.time_renders(20);
        }
    }
    commit.extend(commits(base, 100)?);
    let rows = pairs
        .iter()
        .map(|p| Row {
            label: p.label,
            samples: p.samples.clone(),
            renders: p.renders.clone(),
            views: p.views,
        })
        .collect();
    // Shut the apps and nodes down before the temporary directories go.
    for p in &pairs {
        if let Receiver::App { app, .. } = &p.receiver {
            app.shutdown();
        }
        if let Receiver::Node { node, .. } = &p.receiver {
            node.shutdown();
        }
        p.sender.shutdown();
    }
    Ok(Results {
        rows,
        commit,
        warmup,
        rounds,
        fixture,
        long,
    })
}

/// Sorted copy.
fn sorted(v: &[f64]) -> Vec<f64> {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

/// Prints the section's table.
pub fn print(r: &Results) {
    let Some(bare) = r.rows.first() else {
        return;
    };
    let bare = sorted(&bare.samples);
    let (b50, b99) = (percentile(&bare, 0.5), percentile(&bare, 0.99));
    println!("\n### Incoming message → updated view\n");
    println!(
        "A plain `Node` sends one message at a time (60 characters; {} warm-up messages \
         per receiver first, then {} rounds, receivers alternating round by round, ≥ 3 ms \
         between messages). Clock from just before `Node::send` (which returns once the \
         message is committed, synced, in the sender's outbox). Views per message: how \
         many `Updates::next()` returned while timed, the last one showing it.\n",
        r.warmup, r.rounds
    );
    println!("| receiver: clock stops when… | messages | p50 ms | p90 ms | p99 ms | × bare p50 | × bare p99 | views per message | `App::view()` at rest, p50 ms |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in &r.rows {
        let s = sorted(&row.samples);
        let (p50, p90, p99) = (
            percentile(&s, 0.5),
            percentile(&s, 0.9),
            percentile(&s, 0.99),
        );
        let store = r
            .fixture
            .as_ref()
            .map_or_else(String::new, |f| f.shape.label());
        let what = match row.label {
            "bare" => "**bare `Node` (baseline)**: its `Event::Message` is pulled from the \
                       event queue"
                .to_owned(),
            "app" => "**`App`**, conversation open: `Updates::next()` returns a view showing \
                      the message"
                .to_owned(),
            "app, big store" => {
                format!("**`App`, big store** (its store also holds {store}): the same")
            }
            "app, long conversation" => format!(
                "**`App`, long conversation** (the open conversation has {} messages of \
                 history): the same",
                crate::fixture::thousands(r.long)
            ),
            _ => "`App` in the background (`SetVisible { visible: false }`, conversation \
                  still on top: no read marking, an alert per message; ablation): the same"
                .to_owned(),
        };
        let (render, views) = if row.renders.is_empty() {
            ("—".to_owned(), "—".to_owned())
        } else {
            (
                format!("{:.3}", percentile(&sorted(&row.renders), 0.5)),
                format!("{:.2}", row.views as f64 / s.len().max(1) as f64),
            )
        };
        println!(
            "| {what} | {} | {p50:.3} | {p90:.3} | {p99:.3} | {:.2}× | {:.2}× | {views} | {render} |",
            s.len(),
            p50 / b50,
            p99 / b99
        );
    }
    let c = sorted(&r.commit);
    println!(
        "| one synced commit on that disk (`Store::queue_outgoing`, before and after; \
         baseline for the disk) | {} | {:.3} | {:.3} | {:.3} | — | — | — | — |",
        c.len(),
        percentile(&c, 0.5),
        percentile(&c, 0.9),
        percentile(&c, 0.99)
    );
}
