//! What the person does, as the shells report it. Each action is handled by the core,
//! which then publishes a new [`super::AppView`]; shells never decide what follows.

use super::view::ProtectionChoice;

/// How something from outside the app arrived (only changes the words shown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Leave the screen on top (the system back gesture).
    Back,
    /// The app came to the screen (true) or left it (false): a visible conversation
    /// marks what arrives as read; a hidden app announces messages as alerts and
    /// keeps its links on the background pace (few packets, loss noticed within a
    /// minute, offline contacts retried on a network change or when visible again).
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
        purpose: super::view::ScanPurpose,
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
    /// A room's id (a room post's alert) posts to that room.
    SendTo {
        /// The conversation, or a room.
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
