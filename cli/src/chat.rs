//! The chat screen. In a terminal: a line editor whose prompt stays put while incoming
//! messages and connection changes are printed above it. With piped input: every
//! input line is a message, incoming messages are printed one per line
//! (`name: text`), and the program ends once input ends and the outbox is empty —
//! so scripts and tests can drive it.
//!
//! Leaving the chat does not end the conversation: the contact stays, messages
//! written later wait in the outbox, and `tincan chat` reconnects without codes.
//!
//! Nothing a person pastes that is a code or a browser's JSON leaves as a message (see
//! [`InputFilter`]): a follow-up code is loaded, anything else is explained. `/send
//! TEXT` sends TEXT exactly as written.

use std::collections::BTreeSet;
use std::io::{BufRead, IsTerminal};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use rustyline::error::ReadlineError;
use rustyline::ExternalPrinter;
use tincan_core::inbound::{self, Inbound};
use tincan_core::link::Pace;
use tincan_core::node::{Event, Node, PeerInfo, PeerState};
use tincan_core::CodeError;

use crate::cli::where_it_goes;
use crate::codes_io::PASTE_GRACE;

/// How long, after input ended, unacknowledged messages may take to be delivered.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(15);

/// What the event side learned, shared with the input side.
#[derive(Default)]
struct Status {
    connected_once: AtomicBool,
    ended: AtomicBool,
}

/// What to call the other person: the name they gave in this run, else the name
/// stored with the contact (a restarted chat has not heard from them yet, so its
/// "reconnecting" lines would otherwise be nameless), else "peer".
fn name_of(node: &Node, peer: &str, info: Option<&PeerInfo>) -> String {
    info.and_then(|p| p.name.clone())
        .or_else(|| {
            node.known_conversations()
                .ok()?
                .into_iter()
                .find(|k| k.peer == peer)?
                .name
        })
        .unwrap_or_else(|| "peer".into())
}

fn describe(node: &Node, peer: &str, state: &PeerState) -> String {
    let info = node.peers().into_iter().find(|p| p.peer == peer);
    let name = name_of(node, peer, info.as_ref());
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
                // Lost: run the other conversations too, so a mutual contact can pass
                // on new details if both of you moved (the core asks them).
                PeerState::Reconnecting { .. } | PeerState::Offline { .. } => {
                    crate::online::resume_all(node)
                }
                PeerState::Disconnected { .. } | PeerState::Failed { .. } => {
                    status.ended.store(true, Ordering::SeqCst)
                }
                _ => {}
            }
            Some(describe(node, peer, &state))
        }
        Event::Message { peer: p, text, .. } if p == peer => {
            let info = node.peers().into_iter().find(|i| i.peer == peer);
            let name = name_of(node, peer, info.as_ref());
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
        Event::FileDone {
            peer: ref p,
            ref id,
            outgoing: true,
            ..
        }
        | Event::FileStopped {
            peer: ref p,
            ref id,
            outgoing: true,
            ..
        } if p == peer => {
            pending.remove(id);
            crate::files::on_event(node, peer, &event)
        }
        Event::Overflow { dropped } => Some(format!("({dropped} events were skipped)")),
        other => crate::files::on_event(node, peer, &other)
            .or_else(|| crate::introductions::on_event(node, &other)),
    }
}

/// A file or introduction command typed in the chat; `None` when the line is neither.
fn slash_command(node: &Node, peer: &str, line: &str) -> Option<crate::files::Outcome> {
    crate::files::command(node, peer, line).or_else(|| {
        crate::introductions::command(node, peer, line)
            .map(|say| crate::files::Outcome { say, sending: None })
    })
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

/// Typed before a line to send it exactly as written, even when it looks like a code.
const SEND_AS_IS: &str = "/send";

/// How to send a withheld line anyway.
const HOW_TO_SEND_ANYWAY: &str =
    "To send it as a message anyway, type /send, a space, and then the text.";

/// What to do with what was typed or pasted.
#[derive(Debug, PartialEq, Eq)]
enum Action {
    /// Send this text as a message.
    Send(String),
    /// Load this follow-up code.
    FollowUp(String),
    /// Tell the person this (nothing was sent).
    Say(String),
}

/// Keeps codes and browser JSON out of the conversation. Every line goes through
/// [`inbound::classify_text`]: plain text is sent; a follow-up code is loaded; any
/// other code, safety number or browser JSON — whole or broken — is not sent, and the
/// person is told what it was, where it belongs, and how to send it anyway (`/send`).
///
/// A paste wrapped over several lines arrives line by line: a line that starts a code
/// or a browser's JSON but does not complete it is held, and the lines that follow
/// within [`PASTE_GRACE`] of each other are read with it, so no piece of it is sent
/// either. When no more lines come, the held text is explained and dropped.
#[derive(Debug, Default)]
struct InputFilter {
    held: String,
    last: Option<Instant>,
}

impl InputFilter {
    /// Whether a paste is being held.
    fn holding(&self) -> bool {
        !self.held.is_empty()
    }

    /// What to do with one line, read at `now`.
    fn line(&mut self, line: &str, now: Instant) -> Vec<Action> {
        let mut actions = Vec::new();
        if self.holding() {
            // `/send` is never part of a paste.
            let typed = line.starts_with(SEND_AS_IS);
            if !typed
                && self
                    .last
                    .is_some_and(|last| now.saturating_duration_since(last) <= PASTE_GRACE)
            {
                self.held.push('\n');
                self.held.push_str(line);
                self.last = Some(now);
                match inbound::classify_text(&self.held) {
                    Ok(found) => {
                        self.clear();
                        actions.push(found_action(found));
                    }
                    Err(e) if may_be_longer(&e) => {}
                    Err(e) => {
                        self.clear();
                        actions.push(Action::Say(withheld(&e)));
                    }
                }
                return actions;
            }
            actions.extend(self.release().map(Action::Say));
        }
        if let Some(text) = line
            .strip_prefix(SEND_AS_IS)
            .and_then(|r| r.strip_prefix(' '))
        {
            actions.push(Action::Send(text.to_owned()));
            return actions;
        }
        if line.trim() == SEND_AS_IS {
            actions.push(Action::Say(
                "/send TEXT sends TEXT as a message exactly as written, even when it looks \
                 like a code."
                    .to_owned(),
            ));
            return actions;
        }
        match inbound::classify_text(line) {
            Err(CodeError::NotACode) => actions.push(Action::Send(line.to_owned())),
            Ok(found) => actions.push(found_action(found)),
            Err(e) if may_be_longer(&e) => {
                self.held = line.to_owned();
                self.last = Some(now);
            }
            Err(e) => actions.push(Action::Say(withheld(&e))),
        }
        actions
    }

    /// The explanation for held text once its paste is over (no line for
    /// [`PASTE_GRACE`]), if any.
    fn expire(&mut self, now: Instant) -> Option<String> {
        let over = self
            .last
            .is_some_and(|last| now.saturating_duration_since(last) > PASTE_GRACE);
        if self.holding() && over {
            self.release()
        } else {
            None
        }
    }

    /// Drops the held text, explaining why it was not sent.
    fn release(&mut self) -> Option<String> {
        let held = std::mem::take(&mut self.held);
        self.last = None;
        if held.is_empty() {
            return None;
        }
        inbound::classify_text(&held).err().map(|e| withheld(&e))
    }

    fn clear(&mut self) {
        self.held.clear();
        self.last = None;
    }
}

/// Refusals that more lines of the same paste may still complete.
fn may_be_longer(e: &CodeError) -> bool {
    matches!(
        e,
        CodeError::Damaged { .. } | CodeError::BrowserJsonIncomplete
    )
}

/// What to do with a whole code or browser JSON found in the input.
fn found_action(found: Inbound) -> Action {
    match found {
        Inbound::FollowUp { code, .. } => Action::FollowUp(code),
        other => Action::Say(format!(
            "Not sent: that is {}, not a message. {} {HOW_TO_SEND_ANYWAY}",
            other.described(),
            where_it_goes(&other)
        )),
    }
}

/// Why a broken code or JSON was not sent.
fn withheld(e: &CodeError) -> String {
    format!("Not sent, because it looks like a code or a browser's JSON: {e} {HOW_TO_SEND_ANYWAY}")
}

/// Loads a follow-up code found in the input; returns what to tell the person.
fn load_followup(node: &Node, code: &str) -> String {
    match node.accept_followup(code) {
        Ok(_) => "Follow-up code loaded: trying the new connection details…".to_owned(),
        Err(e) => format!("That looks like a Tincan code, so it was not sent as a message: {e}"),
    }
}

fn lock(filter: &Mutex<InputFilter>) -> MutexGuard<'_, InputFilter> {
    filter.lock().unwrap_or_else(|e| e.into_inner())
}

/// The pace a `/background` or `/foreground` line asks for.
fn pace_command(line: &str) -> Option<Pace> {
    match line.trim() {
        "/background" => Some(Pace::Background),
        "/foreground" => Some(Pace::Foreground),
        _ => None,
    }
}

/// Switches the node's pace; what to tell the person.
fn set_pace(node: &Node, pace: Pace) -> &'static str {
    node.set_pace(pace);
    match pace {
        Pace::Background => {
            "Background pace: one keep-alive every 25 s; a lost connection is noticed within \
             a minute; an offline contact is not polled, only answered when it comes back \
             (or tried again on /foreground)."
        }
        Pace::Foreground => "Foreground pace: a lost connection is noticed within seconds.",
    }
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
    let filter = Arc::new(Mutex::new(InputFilter::default()));
    let events = {
        let (node, peer, status, stop, filter) = (
            node.clone(),
            peer.to_owned(),
            status.clone(),
            stop.clone(),
            filter.clone(),
        );
        std::thread::spawn(move || {
            let mut pending = BTreeSet::new();
            let mut followup = FollowUpOffer::new(followup_after);
            while !stop.load(Ordering::SeqCst) {
                if let Some(text) = followup.poll(&node, &peer, &status) {
                    let _ = printer.print(format!("{text}\n"));
                }
                let held = lock(&filter).expire(Instant::now());
                if let Some(text) = held {
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
                     stays and `tincan chat` reconnects. /end ends the conversation for good. \
                     Codes and browser JSON pasted here are not sent (a follow-up code is \
                     loaded); /send TEXT sends TEXT exactly as written. /background keeps \
                     the connection on a phone's battery-saving pace (as when the app is \
                     hidden); /foreground goes back. /file PATH sends a file or photo \
                     (photos without location and camera data; /file --keep-metadata PATH \
                     keeps them); /accept and /decline answer a large offer; /files lists \
                     this conversation's files and where received ones are. /introduce NAME \
                     introduces this person and your contact NAME to each other; /meet ID or \
                     /no-meet ID answers an introduction; /introductions lists them."
                );
            }
            Ok(line) if line.trim() == "/end" => {
                let _ = node.close_peer(peer);
                break;
            }
            Ok(line) if line.trim().is_empty() && !lock(&filter).holding() => {}
            Ok(line) => {
                if let Some(pace) = pace_command(&line) {
                    println!("{}", set_pace(node, pace));
                    continue;
                }
                if let Some(outcome) = slash_command(node, peer, &line) {
                    let _ = editor.add_history_entry(line.as_str());
                    println!("{}", outcome.say);
                    continue;
                }
                let actions = lock(&filter).line(&line, Instant::now());
                for action in actions {
                    match action {
                        Action::Send(text) => {
                            if status.ended.load(Ordering::SeqCst) {
                                println!("The conversation has ended; /quit to leave.");
                                continue;
                            }
                            let _ = editor.add_history_entry(line.as_str());
                            if let Err(e) = node.send(peer, &text) {
                                println!("not sent: {e}");
                            }
                        }
                        Action::FollowUp(code) => println!("{}", load_followup(node, &code)),
                        Action::Say(note) => println!("{note}"),
                    }
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
    let mut filter = InputFilter::default();
    loop {
        if let Some(text) = followup.poll(node, peer, &status) {
            println!("{text}");
        }
        while let Ok(msg) = lines_rx.try_recv() {
            let actions = match msg {
                Some(line) if line.trim().is_empty() && !filter.holding() => Vec::new(),
                Some(line) => match (pace_command(&line), slash_command(node, peer, &line)) {
                    (Some(pace), _) => {
                        println!("{}", set_pace(node, pace));
                        Vec::new()
                    }
                    (None, Some(outcome)) => {
                        eprintln!("{}", outcome.say);
                        pending.extend(outcome.sending);
                        Vec::new()
                    }
                    (None, None) => filter.line(&line, Instant::now()),
                },
                None => {
                    input_ended_at = Some(Instant::now());
                    filter.release().map(Action::Say).into_iter().collect()
                }
            };
            for action in actions {
                match action {
                    Action::Send(text) => match node.send(peer, &text) {
                        Ok(id) => {
                            pending.insert(id);
                        }
                        Err(e) => eprintln!("not sent: {e}"),
                    },
                    Action::FollowUp(code) => eprintln!("{}", load_followup(node, &code)),
                    Action::Say(note) => eprintln!("{note}"),
                }
            }
        }
        if let Some(note) = filter.expire(Instant::now()) {
            eprintln!("{note}");
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
            // Introductions and answers queued here leave before ending, too.
            let drained =
                pending.is_empty() && outbox(node, peer) == 0 && node.introductions_delivered();
            if (connected && drained) || at.elapsed() > DRAIN_TIMEOUT {
                break;
            }
        }
    }
    if !status.connected_once.load(Ordering::SeqCst) {
        let waiting = node.waiting_conversations().unwrap_or_default();
        if let Some(first) = waiting.iter().find(|w| w.peer == peer) {
            // Closing while a first contact waits is fine: it is kept.
            eprintln!(
                "Not connected yet. The conversation keeps waiting ({} left before the \
                 invite expires): run `tincan chat` to carry on.",
                crate::known::time_left(first.until)
            );
            return Ok(());
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    const OFFER: &str = include_str!("../../core/tests/fixtures/sdp/chromium-offer.json");

    fn says(actions: &[Action], needle: &str) -> bool {
        actions
            .iter()
            .any(|a| matches!(a, Action::Say(note) if note.contains(needle)))
    }

    #[test]
    fn messages_are_sent_and_codes_are_not() {
        let mut filter = InputFilter::default();
        let now = Instant::now();
        assert_eq!(
            filter.line("hello {there}", now),
            vec![Action::Send("hello {there}".into())]
        );
        let offer = filter.line(OFFER.trim(), now);
        assert!(
            says(&offer, "Not sent: that is a browser's offer"),
            "{offer:?}"
        );
        assert!(says(&offer, "/send"), "{offer:?}");
        let broken = filter.line("{\"type\":\"offer\"}", now);
        assert!(says(&broken, "browser JSON"), "{broken:?}");
        assert_eq!(
            filter.line("/send {\"type\":\"offer\"}", now),
            vec![Action::Send("{\"type\":\"offer\"}".into())]
        );
        assert!(says(&filter.line("/send", now), "/send TEXT"));
        assert!(!filter.holding());
    }

    #[test]
    fn a_follow_up_code_is_loaded_even_when_wrapped() {
        // The layout's header and invite id are all the chat reads before loading it.
        let mut layout = vec![0x1c, 1, 2, 3, 4, 5, 6, 7, 8];
        layout.extend([0xAB; 40]);
        let code = tincan_core::code::text::encode(tincan_core::code::CodeKind::FollowUp, &layout);
        let mut filter = InputFilter::default();
        let now = Instant::now();
        assert_eq!(
            filter.line(&format!("  {code} "), now),
            vec![Action::FollowUp(code.clone())]
        );
        let (first, second) = code.split_at(30);
        assert!(filter.line(first, now).is_empty());
        assert_eq!(
            filter.line(second, now + PASTE_GRACE / 2),
            vec![Action::FollowUp(code.clone())]
        );
    }

    #[test]
    fn a_wrapped_paste_is_held_whole_and_nothing_of_it_is_sent() {
        let mut filter = InputFilter::default();
        let start = Instant::now();
        let json = OFFER.trim();
        let chars: Vec<char> = json.chars().collect();
        let lines: Vec<String> = chars.chunks(70).map(|c| c.iter().collect()).collect();
        let mut actions = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            actions.extend(filter.line(line, start + PASTE_GRACE / 4 * i as u32));
        }
        assert_eq!(actions.len(), 1, "{actions:?}");
        assert!(says(&actions, "a browser's offer"), "{actions:?}");

        // Cut short: held, then explained once the paste is over; the next line is a
        // message again.
        let later = start + Duration::from_secs(60);
        assert!(filter.line(&lines[0], later).is_empty());
        assert!(filter.line(&lines[1], later).is_empty());
        assert_eq!(filter.expire(later), None);
        let note = filter.expire(later + PASTE_GRACE * 2).unwrap();
        assert!(note.contains("cut off"), "{note}");
        assert!(!filter.holding());
        let after = later + PASTE_GRACE * 3;
        assert!(filter.line(&lines[0], after).is_empty());
        let next = filter.line("see you", after + PASTE_GRACE * 2);
        assert!(says(&next, "cut off"), "{next:?}");
        assert_eq!(next.last(), Some(&Action::Send("see you".into())));
    }
}
