//! Group rooms in the CLI (issue #15): `tincan rooms` lists them with their members;
//! `tincan room new NAME WHO…` makes one with some of your contacts; `tincan room add
//! ROOM WHO` and `tincan room remove ROOM WHO` change who is in it (an admin's right);
//! `tincan room chat ROOM` prints posts as they arrive and posts each line you type.
//! While a room chat runs, every conversation runs too: posts reach members through
//! whoever is connected.

use std::io::BufRead;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{bail, Result};
use tincan_core::node::{Event, Node, RoomInfo};

use crate::known::find_conversation;
use crate::setup::Global;

/// What `tincan room` was asked to do.
pub enum RoomAction {
    /// Make a room with these contacts.
    New { name: String, with: Vec<String> },
    /// Add a contact.
    Add { room: String, who: String },
    /// Remove a member (a contact, or yourself: leave).
    Remove { room: String, who: String },
    /// Chat in a room.
    Chat { room: String },
}

/// What to call the member holding `key` (hex): "me", a contact's name, else the name
/// they gave in their posts (`given`) marked as not a contact, else the key's first
/// digits.
pub fn author_name(node: &Node, key: &str, given: Option<&str>) -> String {
    if key == node.identity_key() {
        return "me".into();
    }
    let contact = node
        .contacts()
        .unwrap_or_default()
        .into_iter()
        .find(|c| c.id == key)
        .and_then(|c| c.name);
    match (contact, given) {
        (Some(name), _) => name,
        (None, Some(given)) => format!("{given} (not your contact)"),
        (None, None) => key.chars().take(8).collect(),
    }
}

fn describe(node: &Node, r: &RoomInfo) -> String {
    let posts = node.room_posts(&r.id).unwrap_or_default();
    let given = |key: &str| {
        posts
            .iter()
            .rev()
            .find(|p| p.author == key && p.name.is_some())
            .and_then(|p| p.name.clone())
    };
    let members: Vec<String> = r
        .members
        .iter()
        .map(|k| author_name(node, k, given(k).as_deref()))
        .collect();
    format!(
        "{}  {}  ({} members: {}){}",
        &r.id[..8],
        r.name,
        r.members.len(),
        members.join(", "),
        if r.joined {
            ""
        } else {
            "  — you are no longer in it"
        }
    )
}

/// The room `typed` names: its id (or first 4+ digits) or its name (any case).
fn find_room(node: &Node, typed: &str) -> Result<RoomInfo> {
    let lower = typed.to_lowercase();
    let rooms = node.rooms();
    let found: Vec<_> = rooms
        .iter()
        .filter(|r| (typed.len() >= 4 && r.id.starts_with(typed)) || r.name.to_lowercase() == lower)
        .collect();
    match found.as_slice() {
        [one] => Ok((*one).clone()),
        [] => bail!("No room matches {typed:?}; `tincan rooms` lists yours."),
        _ => bail!("{typed:?} matches several rooms; use the id."),
    }
}

/// `tincan rooms`.
pub fn list(global: &Global) -> Result<()> {
    let node = global.open_node()?;
    let rooms = node.rooms();
    if rooms.is_empty() {
        println!("No rooms yet: `tincan room new NAME WHO…` makes one with your contacts.");
    }
    for r in &rooms {
        println!("{}", describe(&node, r));
    }
    node.shutdown();
    Ok(())
}

/// `tincan room …`.
pub fn run(global: &Global, action: RoomAction) -> Result<()> {
    let node = global.open_node()?;
    crate::online::resume_all(&node);
    let result = (|| match action {
        RoomAction::New { name, with } => {
            let peers = with
                .iter()
                .map(|w| find_conversation(&node, Some(w), false).map(|k| k.peer))
                .collect::<Result<Vec<_>>>()?;
            let id = node.create_room(&name, &peers)?;
            println!("Made the room {name} ({}).", &id[..8]);
            stay(&node, &id)
        }
        RoomAction::Add { room, who } => {
            let r = find_room(&node, &room)?;
            let k = find_conversation(&node, Some(&who), false)?;
            node.add_to_room(&r.id, &k.peer)?;
            println!("Added {} to {}.", k.name.as_deref().unwrap_or(&who), r.name);
            stay(&node, &r.id)
        }
        RoomAction::Remove { room, who } => {
            let r = find_room(&node, &room)?;
            let key = if who == "me" {
                node.identity_key()
            } else {
                find_conversation(&node, Some(&who), false)?.contact
            };
            node.remove_from_room(&r.id, &key)?;
            println!(
                "Removed {who} from {}: what is posted from now on is sealed with new keys \
                 they never get.",
                r.name
            );
            stay(&node, &r.id)
        }
        RoomAction::Chat { room } => {
            let r = find_room(&node, &room)?;
            eprintln!("{} — type to post; Ctrl-D leaves.", describe(&node, &r));
            for post in node.room_posts(&r.id)? {
                if let Some(text) = post.text {
                    let who = author_name(&node, &post.author, post.name.as_deref());
                    println!("{who}: {text}");
                }
            }
            chat(&node, &r.id)
        }
    })();
    node.shutdown();
    result
}

/// Keeps running a few seconds so the change reaches the members who are online (the
/// others get it the next time you meet them).
fn stay(node: &Node, room: &str) -> Result<()> {
    let until = std::time::Instant::now() + Duration::from_secs(5);
    while std::time::Instant::now() < until {
        if let Some(Event::RoomChanged { room: r }) = node.next_event(Duration::from_millis(200)) {
            if r == room {
                continue;
            }
        }
    }
    Ok(())
}

fn chat(node: &Node, room: &str) -> Result<()> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if tx.send(Some(line)).is_err() {
                return;
            }
        }
        let _ = tx.send(None);
    });
    loop {
        match rx.try_recv() {
            Ok(Some(line)) if line.trim().is_empty() => {}
            Ok(Some(line)) => {
                if let Err(e) = node.post_to_room(room, &line) {
                    eprintln!("not posted: {e}");
                }
            }
            Ok(None) | Err(mpsc::TryRecvError::Disconnected) => return Ok(()),
            Err(mpsc::TryRecvError::Empty) => {}
        }
        match node.next_event(Duration::from_millis(100)) {
            Some(Event::RoomPost {
                room: r,
                author,
                name,
                text,
            }) if r == room => {
                println!("{}: {text}", author_name(node, &author, name.as_deref()))
            }
            Some(Event::RoomChanged { room: r }) if r == room => {
                if let Some(info) = node.rooms().into_iter().find(|i| i.id == room) {
                    eprintln!("{}", describe(node, &info));
                }
            }
            _ => {}
        }
    }
}
