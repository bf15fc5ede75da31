//! Introductions in the app (issue #15): the rows above the conversation list for
//! introductions made to the person, the "Introduce to…" picker on a contact, the
//! "introduced by Ana, not verified" line, and what the actions do.

use super::render::Facts;
use super::state::Route;
use super::view::*;
use super::words::{self, Clock};
use super::App;
use crate::node::{Node, NodeError};
use crate::store::IntroState;

/// The introductions made to the person that still need them or are under way.
pub fn rows(node: &Node, clock: &Clock) -> Result<Vec<IntroductionRow>, NodeError> {
    Ok(node
        .introductions()?
        .into_iter()
        .filter_map(|i| {
            let stage = match i.state {
                IntroState::Offered => IntroductionStage::NeedsAnswer,
                IntroState::Accepted => IntroductionStage::WaitingForOther,
                IntroState::Connecting => IntroductionStage::Connecting,
                // Ended ones are gone from the list (the end was told as a notice);
                // a connected one is a conversation now.
                _ => return None,
            };
            let (title, detail) = words::introduction_row(
                i.introducer_name.as_deref(),
                i.name.as_deref(),
                stage,
                &clock.expiry(i.expires_at),
            );
            Some(IntroductionRow {
                id: i.id,
                stage,
                title,
                detail,
                can_answer: stage == IntroductionStage::NeedsAnswer,
            })
        })
        .collect())
}

/// Conversations whose contacts `conversation`'s contact can be introduced to: one
/// per other contact, not ended, with an unchanged key, by name.
fn candidates(
    node: &Node,
    facts: &Facts,
    conversation: &str,
) -> Result<Vec<IntroduceCandidate>, NodeError> {
    let this = node
        .conversation_record(conversation)?
        .and_then(|r| r.contact);
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for known in node.known_conversations()? {
        if known.ended || Some(&known.contact) == this.as_ref() || known.peer == conversation {
            continue;
        }
        let Some(contact) = facts.contacts.get(&known.contact) else {
            continue;
        };
        if contact.identity_changed || !seen.insert(known.contact.clone()) {
            continue;
        }
        let connection = facts.connection(&known.peer, false);
        out.push(IntroduceCandidate {
            conversation: known.peer.clone(),
            name: facts.name(&known.peer, Some(&known.contact)),
            status: words::connection_status(connection, 0),
            verified: contact.verified,
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

/// The picker.
pub fn introduce_view(
    node: &Node,
    facts: &Facts,
    conversation: &str,
) -> Result<IntroduceView, NodeError> {
    let record = node
        .conversation_record(conversation)?
        .ok_or_else(|| NodeError::UnknownPeer(conversation.to_owned()))?;
    let name = facts.name(conversation, record.contact.as_deref());
    let candidates = candidates(node, facts, conversation)?;
    Ok(IntroduceView {
        conversation: conversation.to_owned(),
        title: format!("Introduce {name} to…"),
        explanation: words::introduce_explanation(&name),
        empty: if candidates.is_empty() {
            format!(
                "You have nobody else to introduce {name} to yet. Invite someone first; \
                 then you can introduce them."
            )
        } else {
            String::new()
        },
        candidates,
        name,
    })
}

/// What the contact screen shows about introductions: the "introduced by" line,
/// whether "Introduce to…" is offered, and the introductions made with them.
pub fn contact_parts(
    node: &Node,
    facts: &Facts,
    conversation: &str,
    contact: &crate::node::ContactInfo,
    name: &str,
) -> Result<(String, bool, Vec<String>), NodeError> {
    let introduced_by = match (&contact.introduced_by, contact.verified) {
        (Some(introducer), false) => words::introduced_by(
            facts
                .contacts
                .get(introducer)
                .and_then(|c| c.name.as_deref()),
            name,
        ),
        _ => String::new(),
    };
    let can_introduce =
        !contact.identity_changed && !candidates(node, facts, conversation)?.is_empty();
    let made = node
        .introductions_made()?
        .into_iter()
        .filter_map(|m| {
            let here = m.sides.iter().position(|s| s.peer == conversation)?;
            let (this, other) = (&m.sides[here], &m.sides[1 - here]);
            let other_name = other
                .name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| "them".into());
            Some(format!(
                "Introduced to {other_name} · {} · {}",
                words::intro_answer(name, this.seen.answer),
                words::intro_answer(&other_name, other.seen.answer)
            ))
        })
        .collect();
    Ok((introduced_by, can_introduce, made))
}

/// "Introduce to…" on the contact screen.
pub fn start(app: &App) {
    let mut state = app.state();
    if let Route::Contact(conversation) = state.top().clone() {
        state.push(Route::Introduce(conversation));
    }
}

/// The person picked the second contact in the picker.
pub fn introduce_to(app: &App, second: &str) {
    let first = match app.state().top() {
        Route::Introduce(first) => first.clone(),
        _ => return,
    };
    let node = app.node();
    let result = node.introduce(&first, second);
    let mut state = app.state();
    match result {
        Ok(_) => {
            let first_name = app_name(&node, &first);
            let second_name = app_name(&node, second);
            state.pop();
            state.tell(words::introduced(&first_name, &second_name));
        }
        Err(e) => state.warn(e.to_string()),
    }
}

fn app_name(node: &Node, conversation: &str) -> String {
    node.conversation_record(conversation)
        .ok()
        .flatten()
        .and_then(|r| r.contact)
        .and_then(|c| node.contact(&c).ok())
        .and_then(|c| c.name)
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "your contact".into())
}

/// Accept or Decline on an introduction row.
pub fn answer(app: &App, id: &str, accept: bool) {
    let node = app.node();
    let result = if accept {
        node.accept_introduction(id)
    } else {
        node.decline_introduction(id)
    };
    let name = node
        .introductions()
        .ok()
        .and_then(|all| all.into_iter().find(|i| i.id == id));
    let mut state = app.state();
    match result {
        Ok(()) if !accept => {
            let (introducer, name) = name
                .map(|i| (i.introducer_name, i.name))
                .unwrap_or_default();
            state
                .intro_states
                .insert(id.to_owned(), IntroState::Declined);
            state.tell(format!(
                "You declined. {} and {} are told you said no.",
                introducer.unwrap_or_else(|| "Your contact".into()),
                name.unwrap_or_else(|| "the other person".into())
            ));
        }
        Ok(()) => {
            if let Some(i) = name {
                state.intro_states.insert(id.to_owned(), i.state);
            }
        }
        Err(e) => state.warn(e.to_string()),
    }
}

/// An introduction made to us changed: alert a new one while the app is hidden; tell
/// the person when one they accepted ends or connects.
pub fn on_changed(app: &App, id: &str) {
    let Some(intro) = app
        .node()
        .introductions()
        .ok()
        .and_then(|all| all.into_iter().find(|i| i.id == id))
    else {
        // One we made: the contact screens read it when they render.
        return;
    };
    let mut state = app.state();
    let before = state.intro_states.insert(id.to_owned(), intro.state);
    if before == Some(intro.state) {
        return;
    }
    let name = intro
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "The other person".into());
    match intro.state {
        IntroState::Offered if !state.visible && before.is_none() => {
            let (title, _) = words::introduction_row(
                intro.introducer_name.as_deref(),
                intro.name.as_deref(),
                IntroductionStage::NeedsAnswer,
                "",
            );
            let body = format!("Open Tincan to accept or decline meeting {name}.");
            state.alert(&intro.introducer, title, body);
        }
        IntroState::Declined | IntroState::Failed | IntroState::Expired
            if matches!(before, Some(IntroState::Accepted | IntroState::Connecting)) =>
        {
            let why = intro.reason.clone().unwrap_or_else(|| match intro.state {
                IntroState::Expired => "Nobody answered in time.".into(),
                _ => "It did not work out.".into(),
            });
            state.tell(format!("The introduction to {name} ended. {why}"));
        }
        IntroState::Connected if before.is_some() => {
            state.tell(format!(
                "You and {name} are connected. Compare safety numbers to be sure it is really \
                 {name}."
            ));
        }
        _ => {}
    }
}
