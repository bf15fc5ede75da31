//! `tincan online`: stay reachable for every contact at once — the desktop's way of
//! being part of the small network (issue #15). Messages that arrive are printed and
//! stored; introductions are announced; reconnection details contacts ask to have
//! passed on are passed on (`tincan online` is what lets Ana help Ben and Cleo find
//! each other again after both moved). Ends when standard input ends (Ctrl-D).

use std::io::BufRead;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::Result;
use tincan_core::node::{Event, Node, PeerState};

use crate::setup::Global;

/// Runs every conversation with a known contact.
pub fn resume_all(node: &Node) {
    for known in node.known_conversations().unwrap_or_default() {
        if known.ended {
            continue;
        }
        if let Err(e) = node.resume(&known.peer) {
            eprintln!("cannot reconnect {}: {e}", known.peer);
        }
    }
}

fn name_of(node: &Node, peer: &str) -> String {
    node.known_conversations()
        .unwrap_or_default()
        .into_iter()
        .find(|k| k.peer == peer)
        .and_then(|k| k.name)
        .unwrap_or_else(|| peer.chars().take(8).collect())
}

fn describe(node: &Node, event: &Event) -> Option<String> {
    match event {
        Event::Message { peer, text, .. } => Some(format!("{}: {text}", name_of(node, peer))),
        Event::PeerState {
            peer,
            state: PeerState::Connected,
        } => Some(format!("● {} is online", name_of(node, peer))),
        Event::RoomPost {
            room,
            author,
            name,
            text,
        } => {
            let room = node
                .rooms()
                .into_iter()
                .find(|r| &r.id == room)
                .map_or_else(|| room.chars().take(8).collect(), |r| r.name);
            let who = crate::rooms::author_name(node, author, name.as_deref());
            Some(format!("[{room}] {who}: {text}"))
        }
        Event::RoomChanged { room } => node
            .rooms()
            .into_iter()
            .find(|r| &r.id == room)
            .map(|r| format!("room {}: {} members", r.name, r.members.len())),
        other => crate::introductions::on_event(node, other),
    }
}

/// Prints what was passed on since the first `shown` relays ("who relays what").
fn show_relays(node: &Node, shown: &mut usize) {
    let passed = node.relays();
    for r in passed.iter().skip(*shown) {
        println!(
            "passed on {} sealed bytes from {} to {}",
            r.bytes,
            name_of(node, &r.from),
            name_of(node, &r.to)
        );
    }
    *shown = passed.len();
}

/// `tincan online`; `hold` turns holding letters for offline contacts on or off.
pub fn run(global: &Global, hold: Option<bool>) -> Result<()> {
    let node = global.open_node()?;
    if let Some(on) = hold {
        node.set_holding(on)?;
    }
    if node.holding() {
        let (count, bytes) = node.held_letters()?;
        eprintln!(
            "Holding sealed letters for your contacts who are offline ({count} held, \
             {bytes} bytes); `--no-hold-letters` stops."
        );
    }
    resume_all(&node);
    crate::introductions::resume_needed(&node);
    eprintln!(
        "Online for all your contacts: messages are printed as they arrive, \
         introductions are announced, and contacts' reconnections are passed on. \
         Ctrl-D to leave."
    );
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            if line.is_err() {
                break;
            }
        }
        let _ = tx.send(());
    });
    let mut shown = node.relays().len();
    while rx.try_recv().is_err() {
        if let Some(event) = node.next_event(Duration::from_millis(200)) {
            if let Some(line) = describe(&node, &event) {
                println!("{line}");
            }
        }
        show_relays(&node, &mut shown);
    }
    node.shutdown();
    Ok(())
}
