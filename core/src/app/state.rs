//! What the app remembers between actions that the node does not: which screen is on
//! top, the flows in progress, the notice, alerts not yet shown.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use super::view::{Alert, InviteStage, JoinStage, Notice, ProtectionChoice, ScanPurpose};

/// How many alerts wait for a shell that does not take them (older ones are dropped:
/// the conversation list still shows the unread counts).
pub const MAX_ALERTS: usize = 50;

/// When a connection that does not come up is offered a follow-up code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowUpTiming {
    /// A first connection (after the codes) that is still trying.
    pub after_connecting: Duration,
    /// A known contact that stays unreachable.
    pub after_loss: Duration,
}

impl Default for FollowUpTiming {
    fn default() -> Self {
        Self {
            after_connecting: Duration::from_secs(10),
            after_loss: Duration::from_secs(30),
        }
    }
}

/// One screen of the navigation stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The conversation list (always at the bottom).
    Conversations,
    /// The invite flow ([`State::invite`]).
    Invite,
    /// The join flow ([`State::join`]).
    Join,
    /// A conversation, by id.
    Conversation(String),
    /// The contact of a conversation, by conversation id.
    Contact(String),
    /// The settings.
    Settings,
    /// The camera.
    Scan(ScanPurpose),
    /// Picking whom to introduce the contact of a conversation to, by conversation id.
    Introduce(String),
    /// Making a group room ([`State::new_room`]).
    NewRoom,
    /// A group room, by id.
    Room(String),
    /// Relaying and holding.
    Network,
}

/// The invite being made or shown.
#[derive(Debug, Clone)]
pub struct InviteDraft {
    pub stage: InviteStage,
    pub protection: ProtectionChoice,
    pub question: String,
    pub answer: String,
    pub error: Option<String>,
    pub invite_id: String,
    pub code: String,
    pub expires_at: u64,
}

impl InviteDraft {
    pub fn new() -> Self {
        Self {
            stage: InviteStage::Choose,
            protection: ProtectionChoice::Question,
            question: String::new(),
            answer: String::new(),
            error: None,
            invite_id: String::new(),
            code: String::new(),
            expires_at: 0,
        }
    }
}

/// The invite being answered.
#[derive(Debug, Clone)]
pub struct JoinDraft {
    pub stage: JoinStage,
    /// The invite code (or browser offer) as received.
    pub code: String,
    /// A plain browser's offer: no question, and the reply is the browser's JSON.
    pub browser: bool,
    pub opened: String,
    pub question: String,
    pub answer: String,
    pub error: Option<String>,
    pub invite_id: String,
    pub reply_code: String,
    pub expires_at: u64,
}

/// The app's own memory.
#[derive(Debug)]
pub struct State {
    pub routes: Vec<Route>,
    pub invite: Option<InviteDraft>,
    pub join: Option<JoinDraft>,
    pub notice: Option<Notice>,
    pub alerts: VecDeque<Alert>,
    pub next_alert: u64,
    pub visible: bool,
    /// How many messages the open conversation shows.
    pub window: u32,
    /// Follow-up codes made, by conversation.
    pub follow_ups: BTreeMap<String, String>,
    /// Since when a conversation has not been connected (for the follow-up offer).
    pub unconnected_since: BTreeMap<String, Instant>,
    /// Joins of this run waiting for the inviter, by conversation: the reply stays at
    /// hand to show or share again.
    pub waiting_joins: BTreeMap<String, JoinDraft>,
    pub settings_error: Option<String>,
    pub follow_up: FollowUpTiming,
    /// A file picked for a conversation, waiting for Send.
    pub picked: Option<Picked>,
    /// The newest progress of running transfers, by id (done, total): the store
    /// keeps only coarse counts.
    pub progress: BTreeMap<String, (u64, u64)>,
    /// The last state seen of each introduction made to us (this run), to tell the
    /// person when one they accepted ends or connects, and to alert once.
    pub intro_states: BTreeMap<String, crate::store::IntroState>,
    /// The group room being made.
    pub new_room: Option<NewRoomDraft>,
}

/// The group room being made.
#[derive(Debug, Clone, Default)]
pub struct NewRoomDraft {
    pub name: String,
    /// Conversations of the contacts ticked.
    pub chosen: std::collections::BTreeSet<String>,
    pub error: Option<String>,
}

/// A file picked for a conversation, waiting for Send.
#[derive(Debug, Clone)]
pub struct Picked {
    pub conversation: String,
    pub path: std::path::PathBuf,
    pub name: String,
    pub size: u64,
    pub is_photo: bool,
    /// A picture whose metadata the core cannot remove (HEIC, AVIF, WebP): sent only
    /// as it is, when the person says so.
    pub unstrippable: Option<&'static str>,
    pub keep_metadata: bool,
}

/// Messages a conversation shows at first; [`super::Action::LoadEarlier`] adds as many.
pub const WINDOW: u32 = 50;

impl State {
    pub fn new(follow_up: FollowUpTiming) -> Self {
        Self {
            routes: vec![Route::Conversations],
            invite: None,
            join: None,
            notice: None,
            alerts: VecDeque::new(),
            next_alert: 1,
            visible: true,
            window: WINDOW,
            follow_ups: BTreeMap::new(),
            unconnected_since: BTreeMap::new(),
            waiting_joins: BTreeMap::new(),
            settings_error: None,
            follow_up,
            picked: None,
            progress: BTreeMap::new(),
            intro_states: BTreeMap::new(),
            new_room: None,
        }
    }

    /// The screen on top.
    pub fn top(&self) -> &Route {
        self.routes.last().unwrap_or(&Route::Conversations)
    }

    /// Puts a screen on top; one already in the stack is brought back instead of
    /// stacked twice (a shared code opened twice shows one join screen).
    pub fn push(&mut self, route: Route) {
        if let Some(i) = self.routes.iter().position(|r| *r == route) {
            self.routes.truncate(i + 1);
            return;
        }
        if matches!(route, Route::Conversation(_)) {
            self.window = WINDOW;
        }
        self.routes.push(route);
    }

    /// Replaces the screen on top (a flow that finished becomes its conversation).
    pub fn replace_top(&mut self, route: Route) {
        if self.routes.len() > 1 {
            self.routes.pop();
        }
        self.push(route);
    }

    /// Leaves the screen on top; the list itself stays.
    pub fn pop(&mut self) {
        if self.routes.len() > 1 {
            self.routes.pop();
        }
    }

    /// The id of the open room, if one is on top.
    pub fn open_room(&self) -> Option<&str> {
        match self.top() {
            Route::Room(id) => Some(id),
            _ => None,
        }
    }

    /// The id of the open conversation, if one is on top.
    pub fn open_conversation(&self) -> Option<&str> {
        match self.top() {
            Route::Conversation(id) => Some(id),
            _ => None,
        }
    }

    /// Says something to the person.
    pub fn tell(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            is_error: false,
        });
    }

    /// Says that something went wrong.
    pub fn warn(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            is_error: true,
        });
    }

    /// Queues an alert for a message that arrived out of sight.
    pub fn alert(&mut self, conversation: &str, title: String, body: String) {
        let id = self.next_alert;
        self.next_alert += 1;
        self.alerts.push_back(Alert {
            id,
            conversation: conversation.to_owned(),
            title,
            body,
        });
        while self.alerts.len() > MAX_ALERTS {
            self.alerts.pop_front();
        }
    }
}
