//! The app model's records and enums, mirrored for UniFFI ("remote types": the
//! definitions live in `tincan_core::app`; these mirrors only let UniFFI generate
//! Kotlin and Swift for them, and the compiler refuses a mirror that drifts from its
//! original). Docs are repeated because they reach the Kotlin and Swift docs.

use tincan_core::app::*;

/// Everything the app shows right now. Shells render the `Screen` on top and the
/// parts every screen shares (notice, keep-alive).
#[uniffi::remote(Record)]
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
    /// then dispatches `AlertsShown`).
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
#[uniffi::remote(Enum)]
pub enum Screen {
    /// The conversation list (`conversations`).
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
    /// The camera is reading QR codes; frames go to `scan_frame`.
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
#[uniffi::remote(Enum)]
pub enum IntroductionStage {
    /// Waiting for the person's Accept or Decline.
    NeedsAnswer,
    /// The person accepted; the other person has not answered yet.
    WaitingForOther,
    /// Both accepted: the phones are connecting.
    Connecting,
}

/// An introduction made to the person ("Ana introduces Cleo"), above the list.
#[uniffi::remote(Record)]
pub struct IntroductionRow {
    /// The introduction's id (for `AcceptIntroduction`); also the conversation it
    /// becomes.
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
#[uniffi::remote(Record)]
pub struct IntroduceCandidate {
    /// Our conversation with them (for `IntroduceTo`).
    pub conversation: String,
    /// Their name.
    pub name: String,
    /// Their connection state in words ("connected", "offline").
    pub status: String,
    /// Whether their safety number was compared.
    pub verified: bool,
}

/// Picking whom to introduce a contact to.
#[uniffi::remote(Record)]
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
#[uniffi::remote(Record)]
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
#[uniffi::remote(Enum)]
pub enum RowKind {
    /// A conversation with a contact (or one being set up).
    Chat,
    /// Our invite, waiting for the reply.
    WaitingInvite,
    /// We answered an invite; waiting for the inviter to load our reply.
    WaitingJoin,
}

/// Where a connection stands, for an icon or a colour.
#[uniffi::remote(Enum)]
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
#[uniffi::remote(Record)]
pub struct Notice {
    /// The words.
    pub text: String,
    /// Whether something went wrong.
    pub is_error: bool,
}

/// Whether the shell must keep the process alive (Android: a foreground service;
/// iOS: a background task while it lasts).
#[uniffi::remote(Record)]
pub struct KeepAlive {
    /// Keep running in the background.
    pub needed: bool,
    /// For the ongoing notification ("Connected to 2 contacts · 1 message waiting").
    pub text: String,
}

/// An incoming message to announce.
#[uniffi::remote(Record)]
pub struct Alert {
    /// Increasing id; `AlertsShown` acknowledges up to one.
    pub id: u64,
    /// The conversation (to open it, or to reply from the notification).
    pub conversation: String,
    /// Who wrote.
    pub title: String,
    /// The message.
    pub body: String,
}

/// How an invite is protected, as the person picks it.
#[uniffi::remote(Enum)]
pub enum ProtectionChoice {
    /// A question only the other person can answer (sent through a messenger).
    Question,
    /// In person: a QR code shown to the other phone, no question.
    InPerson,
    /// A question, with our addresses sealed too: needs a strong passphrase.
    Private,
}

/// Where the invite flow stands.
#[uniffi::remote(Enum)]
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
#[uniffi::remote(Record)]
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
#[uniffi::remote(Enum)]
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
#[uniffi::remote(Record)]
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
#[uniffi::remote(Enum)]
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
#[uniffi::remote(Enum)]
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
#[uniffi::remote(Enum)]
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
#[uniffi::remote(Record)]
pub struct AttachmentView {
    /// The transfer's id (for `AcceptFile` and the like).
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
#[uniffi::remote(Record)]
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
#[uniffi::remote(Enum)]
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
#[uniffi::remote(Record)]
pub struct Banner {
    /// What kind.
    pub kind: BannerKind,
    /// The words.
    pub text: String,
}

/// A follow-up code offered when a connection does not come up by itself.
#[uniffi::remote(Record)]
pub struct FollowUpOffer {
    /// Why and what to do, in words.
    pub explanation: String,
    /// The code (empty until the person asks for it).
    pub code: String,
    /// The line to send.
    pub share_text: String,
}

/// One conversation.
#[uniffi::remote(Record)]
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
#[uniffi::remote(Record)]
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
#[uniffi::remote(Record)]
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
#[uniffi::remote(Enum)]
pub enum ScanPurpose {
    /// Any Tincan code (an invite, a reply, a follow-up).
    AnyCode,
    /// A contact's safety number, to verify them.
    SafetyNumber,
}

/// The camera screen.
#[uniffi::remote(Record)]
pub struct ScanView {
    /// What it is looking for.
    pub purpose: ScanPurpose,
    /// What to point the camera at, in words.
    pub hint: String,
}

/// How something from outside the app arrived (only changes the words shown).
#[uniffi::remote(Enum)]
pub enum Source {
    /// Pasted into the app.
    Paste,
    /// Shared to the app from another app (WhatsApp, SMS…).
    Share,
    /// Opened as a `tincan:` link.
    Link,
    /// Read by the camera.
    Camera,
    /// A picture picked from the gallery or opened with the app.
    Image,
}

/// One thing the person did.
#[uniffi::remote(Enum)]
pub enum Action {
    /// Leave the screen on top (the system back gesture).
    Back,
    /// The app came to the screen (true) or left it (false): a visible conversation
    /// marks what arrives as read; a hidden app announces messages as alerts.
    SetVisible {
        /// Whether the person can see the app.
        visible: bool,
    },
    /// The phone's network changed (Android: a ConnectivityManager callback; iOS:
    /// NWPathMonitor): contacts that are not connected are tried again at once.
    NetworkChanged,
    /// Close the notice.
    DismissNotice,
    /// The shell posted notifications for alerts up to this id.
    AlertsShown {
        /// The last alert shown.
        up_to: u64,
    },

    /// Start making an invite (or show the one still waiting).
    StartInvite,
    /// Pick how the invite is protected.
    ChooseProtection {
        /// The choice.
        protection: ProtectionChoice,
    },
    /// The question or answer fields changed.
    EditInvite {
        /// The question as typed.
        question: String,
        /// The answer as typed.
        answer: String,
    },
    /// Make the invite code.
    CreateInvite,
    /// Take a waiting invite back.
    CancelInvite {
        /// Its id.
        invite_id: String,
    },
    /// Show a waiting invite again (from the list).
    OpenInvite {
        /// Its id.
        invite_id: String,
    },

    /// The answer field of a join changed.
    EditJoinAnswer {
        /// As typed.
        answer: String,
    },
    /// Answer the invite and make the reply.
    SubmitJoin,

    /// Text from outside: pasted, shared to the app, a link, or decoded by the shell.
    Received {
        /// The text as it came.
        text: String,
        /// How it came.
        source: Source,
    },
    /// An image from outside (shared, opened, picked from the gallery): the core
    /// reads the code in it.
    ReceivedImage {
        /// The file's bytes (PNG or JPEG).
        bytes: Vec<u8>,
    },
    /// Open the camera to read a code.
    OpenScanner {
        /// What to look for.
        purpose: ScanPurpose,
    },

    /// Open a conversation.
    OpenConversation {
        /// Its id.
        id: String,
    },
    /// Show older messages of the open conversation.
    LoadEarlier,
    /// Send a message in the open conversation.
    Send {
        /// The text.
        text: String,
    },
    /// Send a message to a conversation that is not open (a notification's reply).
    SendTo {
        /// The conversation.
        id: String,
        /// The text.
        text: String,
    },
    /// The person picked a file or photo for the open conversation. `path` is a file
    /// the app can read until the transfer is over (the phones pass a copy in their
    /// cache: a picker's content URI does not last). Shown above the composer with
    /// Send and the photo metadata switch.
    PickFile {
        /// The file.
        path: String,
    },
    /// The photo metadata switch: keep location and camera details (off by default).
    KeepMetadata {
        /// Keep them.
        keep: bool,
    },
    /// Send the picked file.
    SendPicked,
    /// Put the picked file back (nothing is sent).
    CancelPicked,
    /// Fetch a large incoming file (the person said yes).
    AcceptFile {
        /// The transfer's id.
        id: String,
    },
    /// Refuse an incoming file, or stop fetching it: the sender is told.
    DeclineFile {
        /// The transfer's id.
        id: String,
    },
    /// Make the follow-up code for the open conversation.
    MakeFollowUpCode,
    /// End the open conversation for good (the contact is told).
    EndConversation,

    /// Open the contact details of the open conversation.
    OpenContact,
    /// The person compared the safety numbers and they match (or un-mark it).
    SetVerified {
        /// Whether they match.
        verified: bool,
    },
    /// Trust the contact's new key after comparing the new safety number.
    AcceptNewKey,

    /// On the contact screen: pick someone to introduce this contact to.
    StartIntroduction,
    /// Introduce the contact of the picker to the contact of `conversation`.
    IntroduceTo {
        /// Our conversation with the second person.
        conversation: String,
    },
    /// Say yes to an introduction made to the person.
    AcceptIntroduction {
        /// The introduction's id.
        id: String,
    },
    /// Say no to an introduction made to the person (the other person is told).
    DeclineIntroduction {
        /// The introduction's id.
        id: String,
    },

    /// Start making a group room.
    StartRoom,
    /// The new room's name field changed.
    EditRoomName {
        /// As typed.
        name: String,
    },
    /// Tick or untick a contact for the new room.
    ChooseRoomMember {
        /// Our conversation with them.
        conversation: String,
        /// Ticked.
        chosen: bool,
    },
    /// Make the room with the name and the ticked contacts.
    CreateRoom,
    /// Open a room.
    OpenRoom {
        /// Its id.
        id: String,
    },
    /// Post in the open room.
    PostToRoom {
        /// The text.
        text: String,
    },
    /// Add a contact to the open room (admins).
    AddRoomMember {
        /// Our conversation with them.
        conversation: String,
    },
    /// Remove a member from the open room (admins).
    RemoveRoomMember {
        /// Their identity key.
        member: String,
    },
    /// Leave the open room (the others are told).
    LeaveRoom,

    /// Open relaying and holding (from the settings).
    OpenNetwork,
    /// The switch: hold sealed letters for contacts who are offline.
    SetHolding {
        /// On.
        on: bool,
    },

    /// Open the settings.
    OpenSettings,
    /// Save the settings.
    SaveSettings {
        /// The name others see.
        display_name: String,
        /// STUN servers, one `host:port` per line or separated by commas.
        stun_servers: String,
        /// How long new invites stay valid, in hours (1–168).
        invite_lifetime_hours: u32,
    },
}
