//! Files in the chat: `/file PATH` sends one (a photo's location and camera data are
//! removed unless `/file --keep-metadata PATH`), offers too large to fetch unasked are
//! answered with `/accept` or `/decline`, `/files` lists this conversation's files and
//! where received ones are, and transfers show their progress as they go.

use std::path::Path;

use tincan_core::app::byte_size as size;
use tincan_core::node::files::Attachment;
use tincan_core::node::{Event, Node};
use tincan_core::store::FileState;

/// What a `/file`, `/accept`, `/decline` or `/files` line did: the line to show, and
/// the id of a file now being sent (piped mode waits for it before ending).
pub struct Outcome {
    pub say: String,
    pub sending: Option<String>,
}

fn say(text: impl Into<String>) -> Option<Outcome> {
    Some(Outcome {
        say: text.into(),
        sending: None,
    })
}

/// Handles a file command; `None` when the line is not one.
pub fn command(node: &Node, peer: &str, line: &str) -> Option<Outcome> {
    let line = line.trim();
    let (cmd, rest) = line.split_once(' ').unwrap_or((line, ""));
    let rest = rest.trim();
    match cmd {
        "/file" => Some(send(node, peer, rest)),
        "/accept" | "/decline" => {
            let Some(file) = pick_offer(node, peer, rest) else {
                return say(if rest.is_empty() {
                    "No file is waiting for your answer.".to_owned()
                } else {
                    format!("No offered file matches {rest:?}; /files lists them.")
                });
            };
            let done = if cmd == "/accept" {
                node.accept_file(peer, &file.id).map(|()| {
                    format!(
                        "Accepted {}: it arrives while you are connected.",
                        file.name
                    )
                })
            } else {
                node.decline_file(peer, &file.id)
                    .map(|()| format!("Declined {}.", file.name))
            };
            say(done.unwrap_or_else(|e| format!("{e}")))
        }
        "/files" => say(list(node, peer)),
        _ => None,
    }
}

fn send(node: &Node, peer: &str, rest: &str) -> Outcome {
    let (strip, path) = match rest.strip_prefix("--keep-metadata") {
        Some(path) => (false, path.trim()),
        None => (true, rest),
    };
    if path.is_empty() {
        return Outcome {
            say: "/file PATH sends a file or photo (photos without location and camera data; \
                  /file --keep-metadata PATH keeps them)."
                .into(),
            sending: None,
        };
    }
    match node.send_file(peer, Path::new(path), strip) {
        Ok(id) => {
            let note = node
                .attachment(peer, &id)
                .ok()
                .flatten()
                .map(|a| {
                    let photo = if a.preview.is_some() && strip {
                        ", a preview first; location and camera data removed"
                    } else if a.preview.is_some() {
                        ", a preview first; metadata kept as you asked"
                    } else {
                        ""
                    };
                    format!("Sending {} ({}{photo}).", a.name, size(a.size))
                })
                .unwrap_or_else(|| "Sending.".into());
            Outcome {
                say: note,
                sending: Some(id),
            }
        }
        Err(e) => Outcome {
            say: format!("not sent: {e}"),
            sending: None,
        },
    }
}

/// The offer `/accept` or `/decline` means: the one whose id starts with `prefix`, or
/// the newest waiting one.
fn pick_offer(node: &Node, peer: &str, prefix: &str) -> Option<Attachment> {
    let files = node.files(peer).ok()?;
    files
        .into_iter()
        .rev()
        .filter(|a| !a.outgoing && !a.state.is_final())
        .find(|a| {
            if prefix.is_empty() {
                a.state == FileState::Offered
            } else {
                a.id.starts_with(prefix)
            }
        })
}

/// This conversation's files, one per line.
pub fn list(node: &Node, peer: &str) -> String {
    match node.files(peer) {
        Ok(files) if files.is_empty() => "No files in this conversation yet.".into(),
        Ok(files) => files.iter().map(describe).collect::<Vec<_>>().join("\n"),
        Err(e) => format!("{e}"),
    }
}

/// One file in a line: direction, name, size, state, where it is.
pub fn describe(a: &Attachment) -> String {
    let arrow = if a.outgoing { "↑" } else { "↓" };
    let short = &a.id[..a.id.len().min(8)];
    let state = match (a.state, a.outgoing) {
        (FileState::Offered, false) => "waiting for your /accept or /decline".to_owned(),
        (FileState::Offered, true) => "offered".to_owned(),
        (FileState::Accepted, _) => format!("transferring, {} so far", size(a.done_bytes)),
        (FileState::Complete, false) => format!(
            "received: {}",
            a.path.as_deref().unwrap_or("(path unknown)")
        ),
        (FileState::Complete, true) => "delivered".to_owned(),
        (FileState::Declined, _) => "declined".to_owned(),
        (FileState::Failed, _) => format!(
            "failed: {}",
            a.error.as_deref().unwrap_or("no reason recorded")
        ),
    };
    format!(
        "{arrow} [{short}] {} ({}, {}) — {state}",
        a.name,
        a.mime,
        size(a.size)
    )
}

/// Lines for file events of this conversation.
pub fn on_event(node: &Node, peer: &str, event: &Event) -> Option<String> {
    let name = |id: &str| {
        node.attachment(peer, id)
            .ok()
            .flatten()
            .map_or_else(|| "a file".to_owned(), |a| a.name)
    };
    match event {
        Event::FileOffered {
            peer: p,
            id,
            name,
            size: bytes,
            needs_accept,
        } if p == peer => Some(if *needs_accept {
            format!(
                "↓ offered: {name} ({}) — /accept {} or /decline {}",
                size(*bytes),
                &id[..id.len().min(8)],
                &id[..id.len().min(8)]
            )
        } else {
            format!("↓ receiving {name} ({})", size(*bytes))
        }),
        Event::FileProgress {
            peer: p,
            id,
            outgoing,
            done,
            total,
        } if p == peer => Some(format!(
            "{} {} {}% ({} of {})",
            if *outgoing { "↑" } else { "↓" },
            name(id),
            done.saturating_mul(100) / (*total).max(1),
            size(*done),
            size(*total)
        )),
        Event::FileDone {
            peer: p,
            id,
            outgoing,
            path,
        } if p == peer => Some(if *outgoing {
            format!("✓ {} delivered", name(id))
        } else {
            format!(
                "✓ received {} → {}",
                name(id),
                path.as_deref().unwrap_or("(path unknown)")
            )
        }),
        Event::FileStopped {
            peer: p,
            id,
            declined,
            reason,
            ..
        } if p == peer => Some(if *declined {
            format!("✗ {} declined", name(id))
        } else {
            format!("✗ {} stopped: {reason}", name(id))
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_a_person_writes_them() {
        assert_eq!(size(0), "0 B");
        assert_eq!(size(999), "999 B");
        assert_eq!(size(1500), "1.5 KB");
        assert_eq!(size(209_715_200), "209.7 MB");
        assert_eq!(size(3_000_000_000), "3.0 GB");
    }
}
