//! What a phone screen shows: plain data the shells render as it is. Every word a
//! person reads is decided here (and tested in Rust); the shells only lay it out.

/// Everything the app shows right now. Shells render the [`Screen`] on top and the
/// parts every screen shares (notice, keep-alive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppView {
    /// Increases with every change; a shell can skip a view it already rendered.
    pub revision: u64,
    /// The screen on top.
    pub screen: Screen,
    /// Whether a back action leaves the current screen (false on the list itself).
    pub can_go_back: bool,
    /// The conversation list (also under every other screen).
    pub conversations: Vec<ConversationRow>,
    /// A message for the person that is not tied to a field: what was pasted, why
    /// something failed. Stays until dismissed or replaced.
    pub notice: Option<Notice>,
    /// Whether the shell should keep the app alive in the background.
    pub keep_alive: KeepAlive,
    /// Incoming messages to announce (the shell posts a notification for each and
    /// then dispatches [`super::Action::AlertsShown`]).
    pub alerts: Vec<Alert>,
    /// The person's own name, as others see it (empty when not set).
    pub my_name: String,
    /// Introductions made to the person that wait for an answer or are under way,
    /// shown above the conversation list (newest first).
    pub introductions: Vec<IntroductionRow>,
    /// The person's group rooms, newest activity first (a section of the list).
    pub rooms: Vec<RoomRow>,
}

/// The screen on top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// The conversation list ([`AppView::conversations`]).
    Conversations,
    /// Making an invite.
    Invite {
        /// Its state.
        view: InviteView,
    },
    /// Answering someone's invite.
    Join {
        /// Its state.
        view: JoinView,
    },
    /// One conversation.
    Conversation {
        /// Its state.
        view: ConversationView,
    },
    /// A contact's details and safety number.
    Contact {
        /// Its state.
        view: ContactView,
    },
    /// The person's settings.
    Settings {
        /// Its state.
        view: SettingsView,
    },
    /// The camera is reading QR codes; frames go to [`super::App::scan_frame`].
    Scan {
        /// Its state.
        view: ScanView,
    },
    /// Picking whom to introduce a contact to.
    Introduce {
        /// Its state.
        view: IntroduceView,
    },
    /// Making a group room: its name and which contacts are in it.
    NewRoom {
        /// Its state.
        view: NewRoomView,
    },
    /// One group room: its posts and members.
    Room {
        /// Its state.
        view: RoomView,
    },
    /// Relaying and holding letters for contacts (opened from the settings).
    Network {
        /// Its state.
        view: NetworkView,
    },
}

/// Where an introduction made to the person stands, for the row's look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntroductionStage {
    /// Waiting for the person's Accept or Decline.
    NeedsAnswer,
    /// The person accepted; the other person has not answered yet.
    WaitingForOther,
    /// Both accepted: the phones are connecting.
    Connecting,
}

/// An introduction made to the person ("Ana introduces Cleo"), above the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntroductionRow {
    /// The introduction's id (for [`super::Action::AcceptIntroduction`]); also the
    /// conversation it becomes.
    pub id: String,
    /// Where it stands.
    pub stage: IntroductionStage,
    /// "Ana introduces Cleo".
    pub title: String,
    /// What accepting does, or what it waits for, and when it expires.
    pub detail: String,
    /// Show Accept and Decline.
    pub can_answer: bool,
}

/// Someone a contact can be introduced to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntroduceCandidate {
    /// Our conversation with them (for [`super::Action::IntroduceTo`]).
    pub conversation: String,
    /// Their name.
    pub name: String,
    /// Their connection state in words ("connected", "offline").
    pub status: String,
    /// Whether their safety number was compared.
    pub verified: bool,
}

/// Picking whom to introduce a contact to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntroduceView {
    /// The conversation with the contact being introduced.
    pub conversation: String,
    /// That contact's name.
    pub name: String,
    /// "Introduce Ben to…".
    pub title: String,
    /// What happens, in words.
    pub explanation: String,
    /// The other contacts, by name.
    pub candidates: Vec<IntroduceCandidate>,
    /// Why the list is empty, in words (empty when it is not).
    pub empty: String,
}

/// One line of the conversation list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationRow {
    /// Stable key: the conversation's (or invite's) id.
    pub id: String,
    /// What the row is.
    pub kind: RowKind,
    /// The contact's name, or what the row is waiting for.
    pub title: String,
    /// The newest message, or what happens next.
    pub preview: String,
    /// When the newest thing happened, as a short label ("14:05", "Yesterday").
    pub time_label: String,
    /// Incoming messages not yet read.
    pub unread: u32,
    /// Connection state.
    pub connection: Connection,
    /// The connection state in words ("connected", "offline · 2 waiting").
    pub status: String,
    /// Whether the safety number was compared.
    pub verified: bool,
}

/// What a conversation-list row stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// A conversation with a contact (or one being set up).
    Chat,
    /// Our invite, waiting for the reply.
    WaitingInvite,
    /// We answered an invite; waiting for the inviter to load our reply.
    WaitingJoin,
}

/// Where a connection stands, for an icon or a colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    /// Codes exchanged, the first connection is being made.
    Connecting,
    /// Chat data flows.
    Connected,
    /// Lost; reconnecting by itself.
    Reconnecting,
    /// Not reachable for now; messages wait in the outbox.
    Offline,
    /// Waiting for the other person (a reply, or for them to load ours).
    Waiting,
    /// Ended for good; history only.
    Ended,
}

/// A message for the person, shown above any screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The words.
    pub text: String,
    /// Whether something went wrong.
    pub is_error: bool,
}

/// Whether the shell must keep the process alive (Android: a foreground service;
/// iOS: a background task while it lasts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeepAlive {
    /// Keep running in the background.
    pub needed: bool,
    /// For the ongoing notification ("Connected to 2 contacts · 1 message waiting").
    pub text: String,
}

/// An incoming message to announce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// Increasing id; [`super::Action::AlertsShown`] acknowledges up to one.
    pub id: u64,
    /// The conversation (to open it, or to reply from the notification).
    pub conversation: String,
    /// Who wrote.
    pub title: String,
    /// The message.
    pub body: String,
}

/// How an invite is protected, as the person picks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtectionChoice {
    /// A question only the other person can answer (sent through a messenger).
    Question,
    /// In person: a QR code shown to the other phone, no question.
    InPerson,
    /// A question, with our addresses sealed too: needs a strong passphrase.
    Private,
}

/// Where the invite flow stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteStage {
    /// Choosing the protection and typing the question.
    Choose,
    /// Making the code (hardening the answer takes a moment).
    Creating,
    /// The code is ready to share; waiting for the reply.
    WaitingForReply,
    /// The reply was loaded; connecting.
    Connecting,
    /// Connected: the conversation can start.
    Connected,
}

/// The invite flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteView {
    /// Where it stands.
    pub stage: InviteStage,
    /// The protection picked.
    pub protection: ProtectionChoice,
    /// One line on each choice, for the picker.
    pub protection_help: String,
    /// The question typed so far.
    pub question: String,
    /// The answer typed so far (the person's own input, never logged).
    pub answer: String,
    /// What this answer protects against, in words (empty when nothing is typed).
    pub strength: String,
    /// Whether the answer is too weak for the chosen protection.
    pub strength_warning: bool,
    /// Whether "Create" may be pressed.
    pub can_create: bool,
    /// A problem with the input, in words.
    pub error: Option<String>,
    /// The invite's id, once made.
    pub invite_id: String,
    /// The code to share (empty until made).
    pub code: String,
    /// The one line to send through a messenger: what to do, then the code.
    pub share_text: String,
    /// The text a QR code of this invite holds.
    pub qr_payload: String,
    /// What happens next, in words.
    pub instructions: String,
    /// "Expires today at 14:05".
    pub expires: String,
    /// The conversation, once connected.
    pub conversation: String,
}

/// Where the join flow stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinStage {
    /// The invite asks a question; type the answer.
    Answer,
    /// Making the reply (hardening the answer takes a moment).
    Working,
    /// The reply is ready to send back; waiting for the inviter to load it.
    ShowReply,
    /// Connected.
    Connected,
}

/// Answering someone's invite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinView {
    /// Where it stands.
    pub stage: JoinStage,
    /// What was opened, in words ("An invite with a question", "A browser's offer").
    pub opened: String,
    /// The question to answer (empty for an in-person invite).
    pub question: String,
    /// The answer typed so far.
    pub answer: String,
    /// Whether "Answer" may be pressed.
    pub can_submit: bool,
    /// A problem (wrong answer, expired), in words.
    pub error: Option<String>,
    /// The reply code to send back (empty until made).
    pub reply_code: String,
    /// The one line to send back through a messenger.
    pub share_text: String,
    /// The text a QR code of the reply holds.
    pub qr_payload: String,
    /// What happens next, in words.
    pub instructions: String,
    /// "Expires today at 14:05".
    pub expires: String,
    /// The conversation (once the reply is made).
    pub conversation: String,
}

/// How a message stands, as ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Waiting in the outbox for a connection.
    Queued,
    /// Handed to the connection.
    Sent,
    /// Stored on the other phone.
    Delivered,
    /// Read by the other person.
    Read,
    /// Theirs (no ticks).
    Incoming,
}

/// One item of a conversation: a message or a day separator.
// Boxing the attachment would not cross UniFFI's mirror unchanged; a day separator
// among messages wasting a message's size is cheap.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConversationItem {
    /// "Today", "Yesterday", "Monday 30 November".
    Day {
        /// Stable key.
        key: String,
        /// The label.
        label: String,
    },
    /// A message.
    Message {
        /// Stable key (the message's local sequence number).
        key: String,
        /// Written here.
        outgoing: bool,
        /// The text.
        text: String,
        /// "14:05".
        time: String,
        /// Ticks.
        delivery: Delivery,
        /// The ticks in words, for screen readers ("Delivered").
        delivery_label: String,
        /// A file or photo this message carries (its `text` is then empty).
        attachment: Option<AttachmentView>,
    },
}

/// Where a file or photo in a conversation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachmentState {
    /// Incoming and too large to fetch without the person's yes: Accept / Decline.
    NeedsAnswer,
    /// Outgoing, offered; the other phone has not started fetching it.
    Offered,
    /// Bytes are moving (or wait for the connection): see `progress_percent`.
    Transferring,
    /// Every byte arrived and matched. Incoming: `path` is the file.
    Complete,
    /// The receiver said no.
    Declined,
    /// Given up; `status` says why.
    Failed,
}

/// A file or photo in a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentView {
    /// The transfer's id (for [`super::Action::AcceptFile`] and the like).
    pub id: String,
    /// The name the sender gave.
    pub name: String,
    /// "4.2 MB".
    pub size_text: String,
    /// Media type, e.g. `image/jpeg` (the system viewer picks its app by it).
    pub mime: String,
    /// A picture the app can show.
    pub is_photo: bool,
    /// A small JPEG of a photo (at most 320 × 320), shown before the photo arrives.
    pub preview_jpeg: Option<Vec<u8>>,
    /// Where it stands.
    pub state: AttachmentState,
    /// How far the bytes got, 0–100 (100 once complete).
    pub progress_percent: u32,
    /// The state in words ("12.0 MB of 40.0 MB", "Tap Accept to download").
    pub status: String,
    /// Show Accept and Decline.
    pub can_accept: bool,
    /// Show a way to stop it (Decline for an incoming transfer not finished).
    pub can_decline: bool,
    /// Show "Open": the received file is at `path`.
    pub can_open: bool,
    /// Incoming and complete: the file on this phone (for the system viewer).
    /// Empty otherwise.
    pub path: String,
}

/// A file or photo the person picked, shown above the composer until sent or
/// cancelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickedFileView {
    /// Its name.
    pub name: String,
    /// "4.2 MB".
    pub size_text: String,
    /// It is a photo (the metadata switch applies).
    pub is_photo: bool,
    /// What happens to the photo's metadata, in words (empty for other files).
    pub metadata_note: String,
    /// The switch's label (empty for other files).
    pub keep_metadata_label: String,
    /// The switch: keep location and camera details.
    pub keep_metadata: bool,
    /// The send button's words ("Send photo", "Send file").
    pub send_label: String,
}

/// What kind of banner a conversation shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BannerKind {
    /// Reconnecting by itself.
    Reconnecting,
    /// Offline; messages wait.
    Offline,
    /// The first connection is being made.
    Connecting,
    /// SECURITY: the contact's key changed; nothing flows until accepted.
    KeyChanged,
    /// The conversation ended.
    Ended,
}

/// A line above the messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Banner {
    /// What kind.
    pub kind: BannerKind,
    /// The words.
    pub text: String,
}

/// A follow-up code offered when a connection does not come up by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpOffer {
    /// Why and what to do, in words.
    pub explanation: String,
    /// The code (empty until the person asks for it).
    pub code: String,
    /// The line to send.
    pub share_text: String,
}

/// One conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationView {
    /// Its id.
    pub id: String,
    /// The contact's name.
    pub title: String,
    /// The state in words, under the title.
    pub subtitle: String,
    /// Connection state.
    pub connection: Connection,
    /// Whether the safety number was compared.
    pub verified: bool,
    /// A banner above the messages, if any.
    pub banner: Option<Banner>,
    /// Oldest first.
    pub items: Vec<ConversationItem>,
    /// Whether older messages can be loaded.
    pub has_earlier: bool,
    /// Whether the composer accepts messages (they queue while offline).
    pub can_send: bool,
    /// The composer's placeholder ("Message", "Message — sent when Ben is back").
    pub composer_hint: String,
    /// Offered when a new connection is stuck.
    pub follow_up: Option<FollowUpOffer>,
    /// The contact's id (empty before identities were exchanged).
    pub contact: String,
    /// Whether the attach button is shown (files go to Tincan contacts, while the
    /// conversation has not ended).
    pub can_attach: bool,
    /// A picked file waiting for Send, with the photo metadata note and switch.
    pub picked: Option<PickedFileView>,
}

/// A contact's details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactView {
    /// The conversation these details were opened from.
    pub conversation: String,
    /// The contact's id.
    pub contact: String,
    /// The name.
    pub name: String,
    /// The safety number in groups of five digits.
    pub safety_number: String,
    /// The text a QR code of the safety number holds (the other phone scans it).
    pub safety_qr: String,
    /// Whether it was compared.
    pub verified: bool,
    /// SECURITY: a different key was presented and waits for a decision.
    pub key_changed: bool,
    /// What verifying means, or what the changed key means, in words.
    pub explanation: String,
    /// "Introduced by Ana · not verified — compare safety numbers to be sure this is
    /// really Cleo" while an introduced contact is not verified; empty otherwise.
    pub introduced_by: String,
    /// Show "Introduce to…" (there is someone else to introduce them to).
    pub can_introduce: bool,
    /// Introductions the person made with this contact, one line each ("Introduced
    /// to Cleo · Ben accepted · Cleo has not answered yet").
    pub introductions_made: Vec<String>,
}

/// The person's settings as they are being edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsView {
    /// The name others see.
    pub display_name: String,
    /// STUN servers, one `host:port` per line (none by default: only devices on the
    /// same network connect).
    pub stun_servers: String,
    /// What STUN servers do, in words.
    pub stun_help: String,
    /// How long new invites stay valid, in hours.
    pub invite_lifetime_hours: u32,
    /// A problem with the input, in words.
    pub error: Option<String>,
}

/// What the camera is looking for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanPurpose {
    /// Any Tincan code (an invite, a reply, a follow-up).
    AnyCode,
    /// A contact's safety number, to verify them.
    SafetyNumber,
}

/// The camera screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanView {
    /// What it is looking for.
    pub purpose: ScanPurpose,
    /// What to point the camera at, in words.
    pub hint: String,
}

/// One group room in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomRow {
    /// The room's id (for [`super::Action::OpenRoom`]).
    pub id: String,
    /// Its name.
    pub name: String,
    /// How many members it has (the person included while they are one).
    pub member_count: u32,
    /// "3 members".
    pub members_text: String,
    /// The newest readable post ("Ben: see you there", "You: hi"), "No posts yet",
    /// or "You are no longer in this room".
    pub preview: String,
    /// When the newest post arrived ("14:05", "Yesterday"); empty without posts.
    pub time_label: String,
    /// Posts by others that arrived since the person last had the room open.
    pub unread: u32,
    /// Whether the person is still a member.
    pub joined: bool,
}

/// A contact that can be put in a room (when making it, or added later).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomCandidate {
    /// Our conversation with them (for [`super::Action::ChooseRoomMember`] and
    /// [`super::Action::AddRoomMember`]).
    pub conversation: String,
    /// Their name.
    pub name: String,
    /// Their connection state in words ("connected", "offline").
    pub status: String,
    /// Ticked for the new room (always false in a room's add list).
    pub chosen: bool,
}

/// Making a group room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRoomView {
    /// The name typed so far.
    pub name: String,
    /// What a room is and what members see, in words.
    pub explanation: String,
    /// The person's contacts, by name, with the ones ticked.
    pub candidates: Vec<RoomCandidate>,
    /// Why the list is empty, in words (empty when it is not).
    pub empty: String,
    /// Whether "Create" may be pressed (a name and at least one contact).
    pub can_create: bool,
    /// A problem, in words (what is missing, or why the node refused).
    pub error: Option<String>,
}

/// One post in a room, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomPostView {
    /// Stable key (author and place in the author's log).
    pub key: String,
    /// The author's identity key (hex).
    pub author: String,
    /// Who wrote it: "you", a contact's name, or the name they gave marked "(not
    /// your contact)".
    pub author_name: String,
    /// Written by the person.
    pub mine: bool,
    /// The author is neither the person nor one of their contacts: the name is only
    /// what they call themselves.
    pub not_contact: bool,
    /// The text, or "No key for this post" while this device cannot open it.
    pub text: String,
    /// Whether `text` is the post (false: the "no key" words).
    pub readable: bool,
    /// When it arrived here ("14:05", "Yesterday").
    pub time: String,
}

/// One member of a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomMemberView {
    /// Their identity key (hex; for [`super::Action::RemoveRoomMember`]).
    pub key: String,
    /// "You", a contact's name, or the name they gave marked "(not your contact)".
    pub name: String,
    /// Admins may add and remove members.
    pub is_admin: bool,
    /// The person.
    pub is_me: bool,
    /// "Ben · admin", "You · admin", "Dan (not your contact)".
    pub label: String,
    /// Not one of the person's contacts: the name is only what they call themselves,
    /// so the screen marks it as it marks their posts.
    pub not_contact: bool,
    /// Show "Remove" (the person is an admin, and this is someone else).
    pub can_remove: bool,
}

/// One group room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomView {
    /// The room's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// "3 members · you are an admin".
    pub subtitle: String,
    /// Whether the person is still a member.
    pub joined: bool,
    /// Whether the person is an admin (adds and removes members).
    pub is_admin: bool,
    /// "You were removed from this room…" or "You left this room…"; empty while
    /// a member.
    pub banner: String,
    /// Posts, oldest first (in the order they arrived here).
    pub posts: Vec<RoomPostView>,
    /// "No posts yet…" when there are none; empty otherwise.
    pub empty: String,
    /// Members: the person first, then by name.
    pub members: Vec<RoomMemberView>,
    /// Show the composer.
    pub can_post: bool,
    /// The composer's hint.
    pub composer_hint: String,
    /// Show "Add member" (an admin with contacts not yet in the room).
    pub can_add: bool,
    /// Contacts not yet in the room, by name (for [`super::Action::AddRoomMember`]).
    pub addable: Vec<RoomCandidate>,
    /// Show "Leave room".
    pub can_leave: bool,
}

/// Something this phone passed on for two of its contacts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayRow {
    /// "14:05".
    pub time: String,
    /// Who it came from (a contact's name).
    pub from: String,
    /// Who it went to.
    pub to: String,
    /// "812 B".
    pub size: String,
    /// "Ben → Cleo · 812 B · 14:05".
    pub text: String,
}

/// Relaying and holding letters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkView {
    /// The switch: hold sealed letters for contacts who are offline.
    pub holding: bool,
    /// The switch's label.
    pub holding_label: String,
    /// What holding means, in words.
    pub holding_help: String,
    /// Letters held now.
    pub held_count: u32,
    /// Their bytes.
    pub held_bytes: u64,
    /// "Holding 2 letters (1.2 KB) for contacts who are offline", or that none are.
    pub held_text: String,
    /// What relaying is, in words.
    pub relays_help: String,
    /// What this phone passed on lately, newest first.
    pub relays: Vec<RelayRow>,
    /// Why the list is empty, in words (empty when it is not).
    pub relays_empty: String,
}
