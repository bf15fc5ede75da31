//! Group rooms in the app (issue #15): the rooms section of the list, making a room,
//! a room's posts and members, and what the person may do there. The node keeps the
//! rooms (`crate::node::rooms`); this module decides everything a room screen shows,
//! including who may do what, so the shells hold no rule.
//!
//! Posts carry no time of their own: they are listed in the order they arrived on
//! this device, with that time. What the person has seen of a room is kept as a
//! setting (`room_read:ID`, the number of posts stored when they last looked), so the
//! unread count survives a restart. Leaving is remembered the same way
//! (`room_left:ID`), so a room the person left does not say they were removed.

use std::collections::BTreeMap;

use super::render::Facts;
use super::state::{NewRoomDraft, Route, State};
use super::view::*;
use super::words::{self, Clock};
use super::App;
use crate::node::{Node, NodeError, RoomInfo, RoomPost};

const NO_KEY: &str = "No key for this post";

fn read_key(room: &str) -> String {
    format!("room_read:{room}")
}

fn left_key(room: &str) -> String {
    format!("room_left:{room}")
}

/// What to call a member: "you", a contact's name, the name they gave marked as not a
/// contact, or the first digits of their key. The bool says "not a contact".
fn member_name(me: &str, facts: &Facts, key: &str, given: Option<&str>) -> (String, bool) {
    if key == me {
        return ("you".into(), false);
    }
    let contact = facts
        .contacts
        .get(key)
        .and_then(|c| c.name.clone())
        .filter(|n| !n.trim().is_empty());
    match (contact, given.filter(|g| !g.trim().is_empty())) {
        (Some(name), _) => (name, false),
        (None, Some(given)) => (format!("{given} (not your contact)"), true),
        (None, None) => (
            format!(
                "{} (not your contact)",
                key.chars().take(8).collect::<String>()
            ),
            true,
        ),
    }
}

/// A room's posts (readable or not), in the order they arrived here, each with the
/// arrival time (ms) and its place among every stored entry (posts and key entries:
/// the unread mark counts these).
struct Timeline {
    posts: Vec<(RoomPost, u64, usize)>,
}

fn timeline(node: &Node, room: &str) -> Result<Timeline, NodeError> {
    let arrivals = node.room_post_arrivals(room)?;
    let place: BTreeMap<(String, u64), (usize, u64)> = arrivals
        .iter()
        .enumerate()
        .map(|(i, (author, seq, at))| ((author.clone(), *seq), (i, at.saturating_mul(1000))))
        .collect();
    let mut posts: Vec<(RoomPost, u64, usize)> = node
        .room_posts(room)?
        .into_iter()
        .map(|p| {
            let (i, at) = place
                .get(&(p.author.clone(), p.seq))
                .copied()
                .unwrap_or((usize::MAX, 0));
            (p, at, i)
        })
        .collect();
    posts.sort_by_key(|(p, _, i)| (*i, p.author.clone(), p.seq));
    Ok(Timeline { posts })
}

/// The name each author gave in their newest readable post.
fn given_names(timeline: &Timeline) -> BTreeMap<String, String> {
    timeline
        .posts
        .iter()
        .filter_map(|(p, _, _)| Some((p.author.clone(), p.name.clone()?)))
        .collect()
}

fn read_mark(node: &Node, room: &str) -> usize {
    node.setting(&read_key(room))
        .ok()
        .flatten()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn members_text(n: usize) -> String {
    match n {
        1 => "1 member".into(),
        n => format!("{n} members"),
    }
}

/// The rooms section of the list, newest activity first.
pub fn rows(node: &Node, facts: &Facts, clock: &Clock) -> Result<Vec<RoomRow>, NodeError> {
    let me = node.identity_key();
    let mut rows: Vec<(u64, RoomRow)> = Vec::new();
    for room in &facts.rooms {
        let timeline = timeline(node, &room.id)?;
        let mark = read_mark(node, &room.id);
        let unread = timeline
            .posts
            .iter()
            .filter(|(p, _, i)| *i >= mark && p.author != me && p.text.is_some())
            .count();
        let newest = timeline
            .posts
            .iter()
            .rev()
            .find(|(p, _, _)| p.text.is_some());
        let names = given_names(&timeline);
        let preview = match newest {
            _ if !room.joined => "You are no longer in this room".to_owned(),
            Some((p, _, _)) => {
                let (who, _) = member_name(
                    &me,
                    facts,
                    &p.author,
                    names.get(&p.author).map(|s| s.as_str()),
                );
                let who = if who == "you" { "You".to_owned() } else { who };
                format!(
                    "{who}: {}",
                    words::preview(p.text.as_deref().unwrap_or_default(), 80)
                )
            }
            None => "No posts yet".to_owned(),
        };
        let when = newest.map(|(_, at, _)| *at).unwrap_or(0);
        rows.push((
            when,
            RoomRow {
                id: room.id.clone(),
                name: room.name.clone(),
                member_count: u32::try_from(room.members.len()).unwrap_or(u32::MAX),
                members_text: members_text(room.members.len()),
                preview,
                time_label: if when > 0 {
                    clock.short_label(when)
                } else {
                    String::new()
                },
                unread: u32::try_from(unread).unwrap_or(u32::MAX),
                joined: room.joined,
            },
        ));
    }
    rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
    Ok(rows.into_iter().map(|(_, r)| r).collect())
}

/// Contacts that can be put in a room: one per contact, not ended, key unchanged,
/// by name; `skip` holds identity keys already in it.
fn candidates(
    node: &Node,
    facts: &Facts,
    skip: &[String],
    chosen: &std::collections::BTreeSet<String>,
) -> Result<Vec<RoomCandidate>, NodeError> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for known in node.known_conversations()? {
        if known.ended || skip.contains(&known.contact) {
            continue;
        }
        let Some(contact) = facts.contacts.get(&known.contact) else {
            continue;
        };
        if contact.identity_changed || !seen.insert(known.contact.clone()) {
            continue;
        }
        out.push(RoomCandidate {
            conversation: known.peer.clone(),
            name: facts.name(&known.peer, Some(&known.contact)),
            status: words::connection_status(facts.connection(&known.peer, false), 0),
            chosen: chosen.contains(&known.peer),
        });
    }
    out.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then_with(|| a.conversation.cmp(&b.conversation))
    });
    Ok(out)
}

fn new_room_problem(draft: &NewRoomDraft) -> Option<String> {
    let name = draft.name.trim();
    if name.is_empty() {
        Some("Give the room a name.".into())
    } else if name.len() > 128 {
        Some("A room name can be at most 128 bytes long.".into())
    } else if draft.chosen.is_empty() {
        Some("Pick at least one contact to be in the room.".into())
    } else {
        None
    }
}

/// The "new room" screen.
pub fn new_room_view(node: &Node, facts: &Facts, state: &State) -> Result<NewRoomView, NodeError> {
    let fresh = NewRoomDraft::default();
    let draft = state.new_room.as_ref().unwrap_or(&fresh);
    let candidates = candidates(node, facts, &[], &draft.chosen)?;
    Ok(NewRoomView {
        name: draft.name.clone(),
        explanation: "Everyone you pick can read and write in the room. Posts travel only \
                      between members' phones, sealed for the members; members who are not \
                      connected to each other get them through the others."
            .into(),
        empty: if candidates.is_empty() {
            "You have no contacts to put in a room yet. Invite someone first.".into()
        } else {
            String::new()
        },
        can_create: new_room_problem(draft).is_none(),
        error: draft.error.clone(),
        candidates,
    })
}

/// One room's screen.
pub fn room_view(
    node: &Node,
    facts: &Facts,
    clock: &Clock,
    id: &str,
) -> Result<RoomView, NodeError> {
    let room: &RoomInfo = facts
        .rooms
        .iter()
        .find(|r| r.id == id)
        .ok_or_else(|| NodeError::Invalid("This room is not on this phone.".into()))?;
    let me = node.identity_key();
    let timeline = timeline(node, id)?;
    let names = given_names(&timeline);
    let given = |k: &str| names.get(k).map(|s| s.as_str());
    let is_admin = room.joined && room.admins.contains(&me);
    let posts = timeline
        .posts
        .iter()
        .map(|(p, at, _)| {
            let (author_name, not_contact) = member_name(&me, facts, &p.author, given(&p.author));
            RoomPostView {
                key: format!("{}-{}", p.author, p.seq),
                author: p.author.clone(),
                mine: p.author == me,
                not_contact,
                author_name,
                readable: p.text.is_some(),
                text: p.text.clone().unwrap_or_else(|| NO_KEY.into()),
                time: if *at > 0 {
                    clock.time(*at)
                } else {
                    String::new()
                },
            }
        })
        .collect::<Vec<_>>();
    let mut members: Vec<RoomMemberView> = room
        .members
        .iter()
        .map(|k| {
            let (name, not_contact) = member_name(&me, facts, k, given(k));
            let is_me = *k == me;
            let name = if is_me { "You".to_owned() } else { name };
            let admin = room.admins.contains(k);
            RoomMemberView {
                key: k.clone(),
                label: if admin {
                    format!("{name} · admin")
                } else {
                    name.clone()
                },
                name,
                is_admin: admin,
                is_me,
                not_contact,
                can_remove: is_admin && !is_me,
            }
        })
        .collect();
    members.sort_by(|a, b| {
        b.is_me
            .cmp(&a.is_me)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
            .then_with(|| a.key.cmp(&b.key))
    });
    let addable = if is_admin {
        candidates(node, facts, &room.members, &Default::default())?
    } else {
        Vec::new()
    };
    let left = node.setting(&left_key(id)).ok().flatten().as_deref() == Some("1");
    let banner = match (room.joined, left) {
        (true, _) => String::new(),
        (false, true) => "You left this room. What is posted from now on is sealed with keys \
                          you do not get."
            .into(),
        (false, false) => "You were removed from this room. What is posted from now on is \
                           sealed with keys you do not get."
            .into(),
    };
    Ok(RoomView {
        id: room.id.clone(),
        name: room.name.clone(),
        subtitle: format!(
            "{}{}",
            members_text(room.members.len()),
            if is_admin { " · you are an admin" } else { "" }
        ),
        joined: room.joined,
        is_admin,
        banner,
        empty: if posts.is_empty() && room.joined {
            "No posts yet. What you write reaches every member, through the others when you \
             are not connected to them."
                .into()
        } else {
            String::new()
        },
        posts,
        members,
        can_post: room.joined,
        composer_hint: if room.joined {
            format!("Post to {}", room.name)
        } else {
            "You are no longer in this room".into()
        },
        can_add: !addable.is_empty(),
        addable,
        can_leave: room.joined,
    })
}

/// "New room" on the list.
pub fn start(app: &App) {
    let mut state = app.state();
    state.new_room = Some(NewRoomDraft::default());
    state.push(Route::NewRoom);
}

/// The new room's name changed.
pub fn edit_name(app: &App, name: String) {
    let mut state = app.state();
    let draft = state.new_room.get_or_insert_with(NewRoomDraft::default);
    draft.name = name;
    draft.error = None;
}

/// A contact ticked or unticked for the new room.
pub fn choose(app: &App, conversation: String, chosen: bool) {
    let mut state = app.state();
    let draft = state.new_room.get_or_insert_with(NewRoomDraft::default);
    if chosen {
        draft.chosen.insert(conversation);
    } else {
        draft.chosen.remove(&conversation);
    }
    draft.error = None;
}

/// "Create": makes the room and opens it.
pub fn create(app: &App) {
    let draft = {
        let mut state = app.state();
        let Some(draft) = state.new_room.as_mut() else {
            return;
        };
        if let Some(problem) = new_room_problem(draft) {
            draft.error = Some(problem);
            return;
        }
        draft.clone()
    };
    let peers: Vec<String> = draft.chosen.iter().cloned().collect();
    let result = app.node().create_room(draft.name.trim(), &peers);
    let mut state = app.state();
    match result {
        Ok(id) => {
            state.new_room = None;
            state.replace_top(Route::Room(id));
        }
        Err(e) => {
            if let Some(d) = state.new_room.as_mut() {
                d.error = Some(e.to_string());
            }
        }
    }
}

/// Opens a room and marks what is in it as seen.
pub fn open(app: &App, id: &str) {
    if !app.node().rooms().iter().any(|r| r.id == id) {
        app.state().warn("This room is not on this phone.");
        return;
    }
    app.state().push(Route::Room(id.to_owned()));
    mark_seen(app, id);
}

/// The person sees the room: everything stored is read.
pub fn mark_seen(app: &App, id: &str) {
    if !app.state().visible {
        return;
    }
    let node = app.node();
    if let Ok(arrivals) = node.room_post_arrivals(id) {
        if arrivals.len() != read_mark(&node, id) {
            let _ = node.set_setting(&read_key(id), &arrivals.len().to_string());
        }
    }
}

/// Runs `f` on the open room; a refusal becomes the notice.
fn with_open_room(app: &App, f: impl FnOnce(&Node, &str) -> Result<Option<String>, NodeError>) {
    let Some(id) = app.state().open_room().map(str::to_owned) else {
        app.state().warn("Open a room first.");
        return;
    };
    match f(&app.node(), &id) {
        Ok(Some(told)) => app.state().tell(told),
        Ok(None) => {}
        Err(e) => app.state().warn(e.to_string()),
    }
    mark_seen(app, &id);
}

/// "Post" in the open room.
pub fn post(app: &App, text: &str) {
    if text.trim().is_empty() {
        return;
    }
    with_open_room(app, |node, id| node.post_to_room(id, text).map(|()| None));
}

/// "Add" a contact to the open room.
pub fn add(app: &App, conversation: &str) {
    with_open_room(app, |node, id| {
        node.add_to_room(id, conversation)?;
        let name = node
            .conversation_record(conversation)?
            .and_then(|r| r.contact)
            .and_then(|c| node.contact(&c).ok())
            .and_then(|c| c.name)
            .unwrap_or_else(|| "Your contact".into());
        Ok(Some(format!(
            "{name} is in the room now and can read what is posted from now on."
        )))
    });
}

/// "Remove" a member of the open room.
pub fn remove(app: &App, member: &str) {
    with_open_room(app, |node, id| {
        if member == node.identity_key() {
            return Err(NodeError::Invalid(
                "To leave the room, use Leave room.".into(),
            ));
        }
        node.remove_from_room(id, member)?;
        Ok(Some(
            "Removed. What is posted from now on is sealed with new keys they never get.".into(),
        ))
    });
}

/// "Leave room": the others are told; the room stays listed with its history.
pub fn leave(app: &App) {
    with_open_room(app, |node, id| {
        node.set_setting(&left_key(id), "1")?;
        if let Err(e) = node.remove_from_room(id, &node.identity_key()) {
            let _ = node.set_setting(&left_key(id), "");
            return Err(e);
        }
        Ok(Some("You left the room.".into()))
    });
}

/// A post arrived: seen when the room is open in sight, an alert when the app is
/// hidden; otherwise the list's unread count says it.
pub fn on_post(app: &App, room: &str, author: &str, name: Option<&str>, text: &str) {
    let (watched, visible) = {
        let state = app.state();
        (state.open_room() == Some(room), state.visible)
    };
    if watched && visible {
        mark_seen(app, room);
        return;
    }
    if visible {
        return;
    }
    let node = app.node();
    let room_name = node
        .rooms()
        .into_iter()
        .find(|r| r.id == room)
        .map(|r| r.name)
        .unwrap_or_else(|| "A room".into());
    let who = node
        .contact(author)
        .ok()
        .and_then(|c| c.name)
        .or_else(|| name.map(|n| format!("{n} (not your contact)")))
        .unwrap_or_else(|| "Someone".into());
    app.state().alert(
        room,
        room_name,
        format!("{who}: {}", words::preview(text, 200)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_room_needs_a_name_and_a_contact() {
        let mut draft = NewRoomDraft::default();
        assert_eq!(
            new_room_problem(&draft).as_deref(),
            Some("Give the room a name.")
        );
        draft.name = "  Picnic ".into();
        assert_eq!(
            new_room_problem(&draft).as_deref(),
            Some("Pick at least one contact to be in the room.")
        );
        draft.chosen.insert("c1".into());
        assert_eq!(new_room_problem(&draft), None);
        draft.name = "x".repeat(129);
        assert!(new_room_problem(&draft).unwrap().contains("128"));
    }

    #[test]
    fn members_are_you_a_contact_or_marked_as_not_one() {
        let facts = Facts {
            peers: BTreeMap::new(),
            contacts: BTreeMap::new(),
            rooms: Vec::new(),
        };
        assert_eq!(member_name("aa", &facts, "aa", None), ("you".into(), false));
        assert_eq!(
            member_name("aa", &facts, "bb", Some("Dan")),
            ("Dan (not your contact)".into(), true)
        );
        assert_eq!(
            member_name("aa", &facts, "0123456789abcdef", None),
            ("01234567 (not your contact)".into(), true)
        );
        assert_eq!(members_text(1), "1 member");
        assert_eq!(members_text(3), "3 members");
    }
}
