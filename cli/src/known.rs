//! Commands for people you already know: resume a chat without codes, list contacts
//! and their safety numbers, read the history.

use anyhow::{bail, Result};
use tincan_core::node::{KnownConversation, Node, WaitingConversation};
use tincan_core::protect::keys::Role;

use crate::chat;
use crate::setup::Global;

/// Which conversation `who` means: its id, its contact's id (or a prefix of at
/// least 4 characters), or the contact's name (any case). Ended ones only if asked.
pub fn find_conversation(
    node: &Node,
    who: Option<&str>,
    include_ended: bool,
) -> Result<KnownConversation> {
    let known: Vec<KnownConversation> = node
        .known_conversations()?
        .into_iter()
        .filter(|k| include_ended || !k.ended)
        .collect();
    if known.is_empty() {
        bail!("You have no contacts yet: start with `tincan invite` or `tincan join`.");
    }
    let Some(who) = who else {
        if let [only] = known.as_slice() {
            return Ok(only.clone());
        }
        bail!(
            "You have {} conversations; say which one:\n{}",
            known.len(),
            listing(&known)
        );
    };
    let lower = who.to_lowercase();
    let matches: Vec<&KnownConversation> = known
        .iter()
        .filter(|k| {
            k.peer == who
                || (who.len() >= 4 && k.contact.starts_with(who))
                || k.name.as_deref().is_some_and(|n| n.to_lowercase() == lower)
        })
        .collect();
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        [] => bail!(
            "No conversation matches {who:?}. Yours:\n{}",
            listing(&known)
        ),
        _ => bail!(
            "{who:?} matches several conversations; use an id:\n{}",
            listing(&known)
        ),
    }
}

fn listing(known: &[KnownConversation]) -> String {
    known
        .iter()
        .map(|k| {
            format!(
                "  {}  {}{}",
                k.peer,
                k.name.as_deref().unwrap_or("(no name)"),
                if k.ended { "  (ended)" } else { "" }
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// How long `tincan chat` tries on its own before offering a follow-up code.
const FOLLOWUP_AFTER: std::time::Duration = std::time::Duration::from_secs(30);

/// `tincan chat [WHO]`: reconnect and chat — or keep waiting for a first contact
/// (a reply not loaded yet, a follow-up code still to come).
pub fn chat(global: &Global, who: Option<&str>) -> Result<()> {
    let node = global.open_node()?;
    let result = (|| {
        if let Some(waiting) = find_waiting(&node, who)? {
            return keep_waiting(&node, &waiting);
        }
        let info = find_conversation(&node, who, false)?;
        eprintln!(
            "Reconnecting to {} (no codes needed)…",
            info.name.as_deref().unwrap_or("your contact")
        );
        node.resume(&info.peer)?;
        crate::introductions::resume_needed(&node);
        // Both of you on new networks: after a while, offer a follow-up code (no
        // question needed: identities authenticate the reconnection).
        chat::run(&node, &info.peer, Some(FOLLOWUP_AFTER))
    })();
    node.shutdown();
    result
}

/// The first contact `who` means, if it is one still waiting: its id (or a prefix
/// of at least 4 characters), or none given while it is the only conversation.
fn find_waiting(node: &Node, who: Option<&str>) -> Result<Option<WaitingConversation>> {
    let waiting = node.waiting_conversations()?;
    let found = match who {
        Some(who) => waiting
            .into_iter()
            .find(|w| w.peer == who || (who.len() >= 4 && w.peer.starts_with(who))),
        None => {
            let known: Vec<KnownConversation> = node
                .known_conversations()?
                .into_iter()
                .filter(|k| !k.ended)
                .collect();
            match (known.len(), waiting.len()) {
                (0, 1) => waiting.into_iter().next(),
                (_, 0) => None,
                (k, w) => bail!(
                    "You have {} conversations; say which one:\n{}",
                    k + w,
                    [listing(&known), waiting_listing(&waiting)]
                        .into_iter()
                        .filter(|l| !l.is_empty())
                        .collect::<Vec<_>>()
                        .join("\n")
                ),
            }
        }
    };
    Ok(found)
}

/// First contacts still waiting, one line each, for a "say which one" list.
fn waiting_listing(waiting: &[WaitingConversation]) -> String {
    waiting
        .iter()
        .map(|w| {
            format!(
                "  {}  (waiting for the first connection; {} left)",
                w.peer,
                time_left(w.until)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Resumes a first contact and waits for it, saying what for and until when.
fn keep_waiting(node: &Node, waiting: &WaitingConversation) -> Result<()> {
    let left = time_left(waiting.until);
    match waiting.role {
        Role::Joiner => {
            eprintln!(
                "Still waiting for the person who invited you to load your reply ({left} \
                 left before the invite expires)."
            );
            if let Some(reply) = &waiting.reply_code {
                eprintln!("Your reply code, in case they still need it:\n\n{reply}\n");
            }
        }
        Role::Inviter => eprintln!(
            "Still trying to reach the person whose reply you loaded ({left} left before \
             the invite expires)."
        ),
    }
    node.resume(&waiting.peer)?;
    // The inviter loaded the reply: if nothing connects, a follow-up code from here
    // is what helps. The joiner can't tell whether its reply was loaded yet.
    let offer = (waiting.role == Role::Inviter).then_some(FOLLOWUP_AFTER);
    chat::run(node, &waiting.peer, offer)
}

/// "3 h 12 min" until `until` (unix seconds).
pub fn time_left(until: u64) -> String {
    let secs = until.saturating_sub(tincan_core::code::unix_now());
    let (h, m) = (secs / 3600, (secs % 3600) / 60);
    match (h, m) {
        (0, 0) => "less than a minute".into(),
        (0, m) => format!("{m} min"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// `tincan history WHO`: the conversation, oldest first.
pub fn history(global: &Global, who: Option<&str>, limit: u32) -> Result<()> {
    let node = global.open_node()?;
    let result = (|| {
        let info = find_conversation(&node, who, true)?;
        let name = info.name.clone().unwrap_or_else(|| "peer".into());
        let page = node.history(&info.peer, None, limit)?;
        let files = match (page.first(), page.last()) {
            (Some(first), Some(last)) => node.attachments_in(&info.peer, first.seq, last.seq)?,
            _ => Vec::new(),
        };
        for m in page {
            let author = if m.outgoing { "me" } else { name.as_str() };
            let text = match files.iter().find(|a| a.seq == m.seq) {
                Some(file) => crate::files::describe(file),
                None => m.text,
            };
            println!(
                "{}\t{}\t{}\t{}: {}",
                m.seq,
                m.id,
                m.status.as_str(),
                author,
                text
            );
        }
        Ok(())
    })();
    node.shutdown();
    result
}

/// `tincan contacts`: list, verify, accept a changed key, show a safety QR.
pub fn contacts(global: &Global, action: ContactAction) -> Result<()> {
    let node = global.open_node()?;
    let result = (|| {
        match action {
            ContactAction::List => {
                let contacts = node.contacts()?;
                if contacts.is_empty() {
                    println!("No contacts yet.");
                }
                let name_of = |id: &str| {
                    contacts
                        .iter()
                        .find(|c| c.id == id)
                        .and_then(|c| c.name.clone())
                        .unwrap_or_else(|| id.chars().take(8).collect())
                };
                for c in &contacts {
                    let mark = match (&c.introduced_by, c.identity_changed, c.verified) {
                        (_, true, _) => "!! IDENTITY CHANGED".to_owned(),
                        (_, false, true) => "verified".to_owned(),
                        // The introducer chose which key to forward: only comparing
                        // safety numbers shows it is really them.
                        (Some(by), false, false) => {
                            format!("introduced by {}, not verified", name_of(by))
                        }
                        (None, false, false) => "not verified".to_owned(),
                    };
                    println!(
                        "{}  {}  [{mark}]\n    safety number: {}",
                        c.id,
                        c.name.as_deref().unwrap_or("(no name)"),
                        c.safety_number
                    );
                }
            }
            ContactAction::Verify(id) => {
                node.set_verified(&id, true)?;
                println!("Marked as verified.");
            }
            ContactAction::AcceptNewKey(id) => {
                node.accept_new_identity(&id)?;
                println!("The new identity key is now trusted; verify it again in person.");
            }
            ContactAction::Qr(id) => {
                let payload = node.safety_qr_payload(&id)?;
                print!("{}", tincan_core::qr::render(&payload)?.to_terminal());
                println!("{payload}");
            }
        }
        Ok(())
    })();
    node.shutdown();
    result
}

/// What `tincan contacts` was asked to do.
pub enum ContactAction {
    /// Show them all.
    List,
    /// Mark one verified.
    Verify(String),
    /// Trust a contact's changed key.
    AcceptNewKey(String),
    /// Show one's safety number as a QR code.
    Qr(String),
}
