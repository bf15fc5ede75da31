//! The chat screen. In a terminal: a line editor whose prompt stays put while incoming
//! messages and connection changes are printed above it. With piped input: every
//! input line is a message, incoming messages are printed one per line
//! (`name: text`), and the program ends once input ends and the outbox is empty —
//! so scripts and tests can drive it.
//!
//! Leaving the chat does not end the conversation: the contact stays, messages
//! written later wait in the outbox, and `tincan chat` reconnects without codes.

use std::collections::BTreeSet;
use std::io::{BufRead, IsTerminal};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use rustyline::error::ReadlineError;
use rustyline::ExternalPrinter;
use tincan_core::node::{Event, Node, PeerState};

/// How long, after input ended, unacknowledged messages may take to be delivered.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(15);

/// What the event side learned, shared with the input side.
#[derive(Default)]
struct Status {
    connected_once: AtomicBool,
    ended: AtomicBool,
}

fn describe(node: &Node, peer: &str, state: &PeerState) -> String {
    let info = node.peers().into_iter().find(|p| p.peer == peer);
    let name = info
        .as_ref()
        .and_then(|p| p.name.clone())
        .unwrap_or_else(|| "peer".into());
    let waiting = info.as_ref().map_or(0, |p| p.outbox);
    let queue = match waiting {
        0 => String::new(),
        1 => " (1 message waiting to send)".into(),
        n => format!(" ({n} messages waiting to send)"),
    };
    match state {
        PeerState::Connecting => "… connecting".into(),
        // Attempt 0: the link just dropped and nothing has been tried yet.
        PeerState::Reconnecting { attempt: 0 } => format!("↻ reconnecting to {name}{queue}"),
        PeerState::Reconnecting { attempt } => {
            format!("↻ reconnecting to {name} (attempt {attempt}){queue}")
        }
        PeerState::Offline { reason } => format!("○ {name} is offline{queue}: {reason}"),
        PeerState::Confirming => "… connected, confirming keys".into(),
        PeerState::Connected => format!(
            "● connected to {name} via {} — type a message and press Enter; /quit to leave",
            info.and_then(|p| p.selected_pair).unwrap_or_default()
        ),
        PeerState::Disconnected { reason } => format!("○ disconnected: {reason}"),
        PeerState::Failed { reason } => format!("✗ connection failed: {reason}"),
    }
}

/// Handles one event; returns a line to show, if any.
fn on_event(
    node: &Node,
    peer: &str,
    status: &Status,
    pending: &mut BTreeSet<String>,
    event: Event,
) -> Option<String> {
    match event {
        Event::PeerState { peer: p, state } if p == peer => {
            match &state {
                PeerState::Connected => status.connected_once.store(true, Ordering::SeqCst),
                PeerState::Disconnected { .. } | PeerState::Failed { .. } => {
                    status.ended.store(true, Ordering::SeqCst)
                }
                _ => {}
            }
            Some(describe(node, peer, &state))
        }
        Event::Message { peer: p, text, .. } if p == peer => {
            let name = node
                .peers()
                .into_iter()
                .find(|i| i.peer == peer)
                .and_then(|i| i.name)
                .unwrap_or_else(|| "peer".into());
            Some(format!("{name}: {text}"))
        }
        Event::Delivered { peer: p, id } if p == peer => {
            pending.remove(&id);
            None
        }
        Event::Read { peer: p, ids } if p == peer => Some(format!(
            "✓✓ read ({} message{})",
            ids.len(),
            if ids.len() == 1 { "" } else { "s" }
        )),
        Event::ContactAdded {
            peer: p,
            name,
            safety_number,
            ..
        } if p == peer => Some(format!(
            "New contact {}. Safety number: {safety_number} — compare it with theirs \
             (`tincan contacts`) to be sure nobody is in between.",
            name.as_deref().unwrap_or("(no name)")
        )),
        Event::IdentityChanged {
            peer: p,
            name,
            contact,
        } if p == peer => Some(format!(
            "!!! WARNING: {} now presents a DIFFERENT identity key. The connection was \
             refused. If they reinstalled Tincan, compare safety numbers in person, then run \
             `tincan contacts --accept-new-key {contact}`.",
            name.as_deref().unwrap_or("this contact")
        )),
        Event::Overflow { dropped } => Some(format!("({dropped} events were skipped)")),
        _ => None,
    }
}

/// Messages written here that the peer has not acknowledged (all runs).
fn outbox(node: &Node, peer: &str) -> u64 {
    node.peers()
        .into_iter()
        .find(|p| p.peer == peer)
        .map_or(0, |p| p.outbox)
}

/// Offers a follow-up code once, if the conversation has not connected after `after`.
struct FollowUpOffer {
    after: Option<Duration>,
    started: Instant,
    done: bool,
}

impl FollowUpOffer {
    fn new(after: Option<Duration>) -> Self {
        Self {
            after,
            started: Instant::now(),
            done: false,
        }
    }

    /// The text to show, when it is time.
    fn poll(&mut self, node: &Node, peer: &str, status: &Status) -> Option<String> {
        let after = self.after?;
        if self.done
            || status.connected_once.load(Ordering::SeqCst)
            || self.started.elapsed() < after
        {
            return None;
        }
        self.done = true;
        Some(match node.followup_code(peer) {
            Ok(code) => format!(
                "Not connected after {} s. If you are on different networks, send this follow-up \
                 code to the other person and ask them to paste it into their chat:\n\n{code}\n",
                after.as_secs()
            ),
            Err(e) => format!("(could not make a follow-up code: {e})"),
        })
    }
}

/// A pasted line that is a code, not a message: load it as a follow-up.
fn handle_code_line(node: &Node, line: &str) -> Option<String> {
    if !tincan_core::code::text::looks_like_code(line) {
        return None;
    }
    Some(match node.accept_followup(line) {
        Ok(_) => "Follow-up code loaded: trying the new connection details…".to_owned(),
        Err(e) => format!("That looks like a Tincan code, so it was not sent as a message: {e}"),
    })
}

/// Runs the chat for `peer` until the person leaves or the conversation ends.
/// `followup_after`: offer a follow-up code if not connected by then.
pub fn run(node: &Node, peer: &str, followup_after: Option<Duration>) -> Result<()> {
    if std::io::stdin().is_terminal() {
        interactive(node, peer, followup_after)
    } else {
        piped(node, peer, followup_after)
    }
}

fn interactive(node: &Node, peer: &str, followup_after: Option<Duration>) -> Result<()> {
    let mut editor = rustyline::DefaultEditor::new()?;
    let mut printer = editor.create_external_printer()?;
    let status = Arc::new(Status::default());
    let stop = Arc::new(AtomicBool::new(false));
    let events = {
        let (node, peer, status, stop) =
            (node.clone(), peer.to_owned(), status.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut pending = BTreeSet::new();
            let mut followup = FollowUpOffer::new(followup_after);
            while !stop.load(Ordering::SeqCst) {
                if let Some(text) = followup.poll(&node, &peer, &status) {
                    let _ = printer.print(format!("{text}\n"));
                }
                if let Some(event) = node.next_event(Duration::from_millis(200)) {
                    if let Some(line) = on_event(&node, &peer, &status, &mut pending, event) {
                        let _ = printer.print(format!("{line}\n"));
                    }
                }
            }
        })
    };
    loop {
        match editor.readline("> ") {
            Ok(line) if line.trim() == "/quit" => break,
            Ok(line) if line.trim() == "/help" => {
                println!(
                    "Type a message and press Enter. /quit (or Ctrl-D) leaves; the contact \
                     stays and `tincan chat` reconnects. /end ends the conversation for good."
                );
            }
            Ok(line) if line.trim() == "/end" => {
                let _ = node.close_peer(peer);
                break;
            }
            Ok(line) if line.trim().is_empty() => {}
            Ok(line) if tincan_core::code::text::looks_like_code(&line) => {
                if let Some(note) = handle_code_line(node, &line) {
                    println!("{note}");
                }
            }
            Ok(line) => {
                if status.ended.load(Ordering::SeqCst) {
                    println!("The conversation has ended; /quit to leave.");
                    continue;
                }
                let _ = editor.add_history_entry(line.as_str());
                if let Err(e) = node.send(peer, &line) {
                    println!("not sent: {e}");
                }
            }
            Err(ReadlineError::Interrupted | ReadlineError::Eof) => break,
            Err(e) => return Err(e.into()),
        }
    }
    // Leaving is "away", not goodbye: the conversation reconnects next time.
    stop.store(true, Ordering::SeqCst);
    let _ = events.join();
    Ok(())
}

fn piped(node: &Node, peer: &str, followup_after: Option<Duration>) -> Result<()> {
    let (lines_tx, lines_rx) = mpsc::channel::<Option<String>>();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            match line {
                Ok(l) => {
                    if lines_tx.send(Some(l)).is_err() {
                        return;
                    }
                }
                Err(_) => break,
            }
        }
        let _ = lines_tx.send(None);
    });
    let status = Status::default();
    let mut pending = BTreeSet::new();
    let mut input_ended_at: Option<Instant> = None;
    let mut followup = FollowUpOffer::new(followup_after);
    loop {
        if let Some(text) = followup.poll(node, peer, &status) {
            println!("{text}");
        }
        while let Ok(msg) = lines_rx.try_recv() {
            match msg {
                Some(line) if line.trim().is_empty() => {}
                Some(line) if tincan_core::code::text::looks_like_code(&line) => {
                    if let Some(note) = handle_code_line(node, &line) {
                        eprintln!("{note}");
                    }
                }
                Some(line) => match node.send(peer, &line) {
                    Ok(id) => {
                        pending.insert(id);
                    }
                    Err(e) => eprintln!("not sent: {e}"),
                },
                None => input_ended_at = Some(Instant::now()),
            }
        }
        if let Some(event) = node.next_event(Duration::from_millis(50)) {
            let is_message = matches!(event, Event::Message { .. });
            if let Some(line) = on_event(node, peer, &status, &mut pending, event) {
                if is_message {
                    println!("{line}");
                } else {
                    eprintln!("{line}");
                }
            }
        }
        if status.ended.load(Ordering::SeqCst) {
            break;
        }
        if let Some(at) = input_ended_at {
            let connected = status.connected_once.load(Ordering::SeqCst);
            if (connected && pending.is_empty() && outbox(node, peer) == 0)
                || at.elapsed() > DRAIN_TIMEOUT
            {
                break;
            }
        }
    }
    if !status.connected_once.load(Ordering::SeqCst) {
        bail!("the conversation never connected");
    }
    let waiting = outbox(node, peer).max(pending.len() as u64);
    if waiting > 0 {
        bail!(
            "{waiting} message(s) were not confirmed as delivered yet; they stay in the \
             outbox and go out the next time you run `tincan chat`"
        );
    }
    Ok(())
}
