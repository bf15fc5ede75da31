//! Relaying and holding letters in the app (issue #15, docs/NETWORK.md): the opt-in
//! switch for holding sealed letters for contacts who are offline, what is held now,
//! and "who relays what" — what this phone passed on between two of its contacts.
//! The node keeps the opt-in in its store and applies it at start, so the app only
//! shows it and flips it.

use super::render::Facts;
use super::state::Route;
use super::view::{NetworkView, RelayRow};
use super::words::{self, Clock};
use super::App;
use crate::node::{Node, NodeError};

/// The screen.
pub fn network_view(node: &Node, facts: &Facts, clock: &Clock) -> Result<NetworkView, NodeError> {
    let holding = node.holding();
    let (count, bytes) = node.held_letters()?;
    let name = |conversation: &str| {
        let contact = node
            .conversation_record(conversation)
            .ok()
            .flatten()
            .and_then(|r| r.contact);
        let name = facts.name(conversation, contact.as_deref());
        if name == "New contact" {
            "a contact".to_owned()
        } else {
            name
        }
    };
    let relays: Vec<RelayRow> = node
        .relays()
        .into_iter()
        .rev()
        .map(|r| {
            let (from, to) = (name(&r.from), name(&r.to));
            let time = clock.time(r.at.saturating_mul(1000));
            let size = words::size(r.bytes);
            RelayRow {
                text: format!("{from} → {to} · {size} · {time}"),
                time,
                from,
                to,
                size,
            }
        })
        .collect();
    Ok(NetworkView {
        holding,
        holding_label: "Hold letters for contacts who are offline".into(),
        holding_help: "When a contact cannot reach another of your contacts, your phone \
                       keeps their sealed letters (at most a week) and hands them over when \
                       you meet the person. You cannot read them; you see who wrote to whom, \
                       when, and the size."
            .into(),
        held_count: u32::try_from(count).unwrap_or(u32::MAX),
        held_bytes: bytes,
        held_text: match count {
            0 => "Holding no letters right now.".into(),
            1 => format!(
                "Holding 1 letter ({}) for a contact who is offline.",
                words::size(bytes)
            ),
            n => format!(
                "Holding {n} letters ({}) for contacts who are offline.",
                words::size(bytes)
            ),
        },
        relays_help: "Your phone passes on sealed connection details between two of your \
                      contacts who cannot reach each other directly. It cannot read them."
            .into(),
        relays_empty: if relays.is_empty() {
            "Nothing passed on lately.".into()
        } else {
            String::new()
        },
        relays,
    })
}

/// "Relaying and holding" in the settings.
pub fn open(app: &App) {
    app.state().push(Route::Network);
}

/// The switch.
pub fn set_holding(app: &App, on: bool) {
    let result = app.node().set_holding(on);
    let mut state = app.state();
    match result {
        Ok(()) if on => state.tell(
            "Your phone now holds sealed letters for your contacts who are offline. Your \
             contacts are told.",
        ),
        Ok(()) => state.tell("Your phone no longer takes letters to hold."),
        Err(e) => state.warn(e.to_string()),
    }
}
