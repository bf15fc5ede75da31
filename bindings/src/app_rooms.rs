//! Group rooms and relaying in the app model (issue #15), mirrored for UniFFI as
//! remote types like `app_types.rs` (kept apart to keep each file small). The
//! decisions live in `tincan_core::app::rooms` and `tincan_core::app::network`.

use tincan_core::app::*;

/// One group room in the list.
#[uniffi::remote(Record)]
pub struct RoomRow {
    /// The room's id (for `OpenRoom`).
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
#[uniffi::remote(Record)]
pub struct RoomCandidate {
    /// Our conversation with them (for `ChooseRoomMember` and
    /// `AddRoomMember`).
    pub conversation: String,
    /// Their name.
    pub name: String,
    /// Their connection state in words ("connected", "offline").
    pub status: String,
    /// Ticked for the new room (always false in a room's add list).
    pub chosen: bool,
}

/// Making a group room.
#[uniffi::remote(Record)]
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
#[uniffi::remote(Record)]
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
#[uniffi::remote(Record)]
pub struct RoomMemberView {
    /// Their identity key (hex; for `RemoveRoomMember`).
    pub key: String,
    /// "You", a contact's name, or the name they gave marked "(not your contact)".
    pub name: String,
    /// Admins may add and remove members.
    pub is_admin: bool,
    /// The person.
    pub is_me: bool,
    /// "Ben · admin", "You · admin", "Dan (not your contact)".
    pub label: String,
    /// Not one of the person's contacts: the screen marks the name as it marks posts.
    pub not_contact: bool,
    /// Show "Remove" (the person is an admin, and this is someone else).
    pub can_remove: bool,
}

/// One group room.
#[uniffi::remote(Record)]
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
    /// Contacts not yet in the room, by name (for `AddRoomMember`).
    pub addable: Vec<RoomCandidate>,
    /// Show "Leave room".
    pub can_leave: bool,
}

/// Something this phone passed on for two of its contacts.
#[uniffi::remote(Record)]
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
#[uniffi::remote(Record)]
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
