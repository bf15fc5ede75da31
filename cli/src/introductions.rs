//! Introductions in the CLI (issue #15). In a chat: `/introduce NAME` introduces the
//! person you are chatting with and your contact NAME to each other; an introduction
//! made to you is announced with its id, answered with `/meet ID` or `/no-meet ID`;
//! `/introductions` lists them. Outside a chat: `tincan introduce A B` and
//! `tincan introductions [--meet ID | --no-meet ID]`.
//!
//! Answers and introductions travel when the people involved are connected: a node
//! keeps them queued, so a command that ends before they left sends them next time.

use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use tincan_core::node::{Event, IntroductionInfo, MadeIntroductionInfo, Node};
use tincan_core::store::{IntroAnswer, IntroState};

use crate::known::find_conversation;
use crate::setup::Global;

/// The short form of an introduction id people type (the first 6 hex digits).
fn short(id: &str) -> &str {
    &id[..id.len().min(6)]
}

fn name(n: &Option<String>) -> &str {
    n.as_deref().unwrap_or("(no name)")
}

/// One line about an introduction made to us.
pub fn describe(i: &IntroductionInfo) -> String {
    let who = name(&i.name);
    let by = name(&i.introducer_name);
    let id = short(&i.id);
    match i.state {
        IntroState::Offered => format!(
            "{by} introduces you to {who}. /meet {id} to connect (you will see \"introduced by \
             {by}, not verified\" until you compare safety numbers), /no-meet {id} to say no."
        ),
        IntroState::Accepted => {
            format!("You accepted to meet {who} (introduced by {by}); waiting for {who}.")
        }
        IntroState::Connecting => format!("Both accepted: connecting to {who}…"),
        IntroState::Connected => {
            format!("Connected to {who}, introduced by {by} (not verified): `tincan chat {who}`.")
        }
        IntroState::Declined | IntroState::Failed => format!(
            "Introduction to {who} by {by} ended: {}",
            i.reason.as_deref().unwrap_or("declined.")
        ),
        IntroState::Expired => format!("Introduction to {who} by {by} expired."),
    }
}

fn answer_word(a: IntroAnswer) -> &'static str {
    match a {
        IntroAnswer::Waiting => "no answer yet",
        IntroAnswer::Accepted => "accepted",
        IntroAnswer::Declined => "declined",
    }
}

/// One line about an introduction we made: only what we may know of it.
pub fn describe_made(m: &MadeIntroductionInfo) -> String {
    let side = |i: usize| {
        let s = &m.sides[i];
        let bytes = s
            .seen
            .bytes
            .map(|b| format!(", forwarded {b} sealed bytes"))
            .unwrap_or_default();
        format!("{}: {}{bytes}", name(&s.name), answer_word(s.seen.answer))
    };
    format!(
        "You introduced {} and {} ({}; {})",
        name(&m.sides[0].name),
        name(&m.sides[1].name),
        side(0),
        side(1)
    )
}

/// Everything waiting or done, one line each.
pub fn list(node: &Node) -> String {
    let mine = node.introductions().unwrap_or_default();
    let made = node.introductions_made().unwrap_or_default();
    if mine.is_empty() && made.is_empty() {
        return "No introductions. `/introduce NAME` in a chat introduces that person to NAME."
            .into();
    }
    mine.iter()
        .map(|i| format!("  {}  {}", short(&i.id), describe(i)))
        .chain(
            made.iter()
                .map(|m| format!("  {}  {}", short(&m.id), describe_made(m))),
        )
        .collect::<Vec<_>>()
        .join("\n")
}

/// The introduction made to us that `typed` names (an id or its first characters).
fn find(node: &Node, typed: &str) -> Result<IntroductionInfo> {
    let typed = typed.trim();
    if typed.is_empty() {
        bail!("Say which introduction: /introductions lists them.");
    }
    let all = node.introductions()?;
    let matches: Vec<_> = all
        .into_iter()
        .filter(|i| i.id.starts_with(typed))
        .collect();
    match matches.as_slice() {
        [one] => Ok(one.clone()),
        [] => bail!("No introduction matches {typed:?}: /introductions lists them."),
        _ => bail!("{typed:?} matches several introductions; type more of the id."),
    }
}

/// Accepts (`meet`) or declines one; the line to show.
pub fn answer(node: &Node, typed: &str, meet: bool) -> Result<String> {
    let intro = find(node, typed)?;
    let who = name(&intro.name).to_owned();
    if meet {
        node.accept_introduction(&intro.id)?;
        Ok(format!(
            "You accepted to meet {who}. You connect once {who} accepts too (both of you \
             need Tincan running, and {} for the answers to pass).",
            name(&intro.introducer_name)
        ))
    } else {
        node.decline_introduction(&intro.id)?;
        Ok(format!("Declined; {who} will be told."))
    }
}

/// Introduces the contact of `peer` and `other` (a name or id); the line to show.
pub fn introduce(node: &Node, peer: &str, other: &str) -> Result<String> {
    let other = find_conversation(node, Some(other), false)?;
    node.introduce(peer, &other.peer)?;
    let here = node
        .known_conversations()?
        .into_iter()
        .find(|k| k.peer == peer)
        .and_then(|k| k.name);
    Ok(format!(
        "Asked {} and {} whether they want to meet; they connect directly once both \
         accept. You only pass on sealed details you cannot read.",
        name(&here),
        name(&other.name)
    ))
}

/// Handles an introduction command typed in a chat with `peer`; `None` when the line
/// is not one.
pub fn command(node: &Node, peer: &str, line: &str) -> Option<String> {
    let line = line.trim();
    let (cmd, rest) = line.split_once(' ').unwrap_or((line, ""));
    let done = match cmd {
        "/introduce" if rest.trim().is_empty() => {
            Ok("Say whom to introduce them to: /introduce NAME (one of your contacts).".into())
        }
        "/introduce" => introduce(node, peer, rest.trim()),
        "/introductions" => Ok(list(node)),
        "/meet" => answer(node, rest, true),
        "/no-meet" => answer(node, rest, false),
        _ => return None,
    };
    Some(done.unwrap_or_else(|e| format!("{e}")))
}

/// Runs the conversations introductions need besides the one being chatted in (the
/// CLI runs one at a time): an answer can then come in and be passed on.
pub fn resume_needed(node: &Node) {
    for peer in node.introduction_conversations().unwrap_or_default() {
        if let Err(e) = node.resume(&peer) {
            eprintln!("cannot reconnect {peer} for an introduction: {e}");
        }
    }
}

/// What to show for an event about introductions.
pub fn on_event(node: &Node, event: &Event) -> Option<String> {
    let Event::IntroductionChanged { id } = event else {
        return None;
    };
    resume_needed(node);
    if let Some(mine) = node.introductions().ok()?.into_iter().find(|i| &i.id == id) {
        return Some(describe(&mine));
    }
    let made = node
        .introductions_made()
        .ok()?
        .into_iter()
        .find(|m| &m.id == id)?;
    Some(describe_made(&made))
}

/// How long `tincan introduce` and `tincan introductions --meet` wait for what they
/// queued to leave before ending (it leaves next time otherwise).
const DELIVERY_WAIT: Duration = Duration::from_secs(60);

/// `tincan introduce A B`.
pub fn introduce_command(global: &Global, first: &str, second: &str) -> Result<()> {
    let node = global.open_node()?;
    let result = (|| {
        let a = find_conversation(&node, Some(first), false)?;
        println!("{}", introduce(&node, &a.peer, second)?);
        resume_needed(&node);
        wait_delivered(&node, |n| n.introductions_delivered());
        Ok(())
    })();
    node.shutdown();
    result
}

/// `tincan introductions [--meet ID | --no-meet ID]`.
pub fn introductions_command(
    global: &Global,
    meet: Option<&str>,
    no_meet: Option<&str>,
) -> Result<()> {
    let node = global.open_node()?;
    let result = (|| {
        match (meet, no_meet) {
            (Some(id), _) => println!("{}", answer(&node, id, true)?),
            (_, Some(id)) => println!("{}", answer(&node, id, false)?),
            _ => {
                println!("{}", list(&node));
                return Ok(());
            }
        }
        resume_needed(&node);
        wait_delivered(&node, |n| n.introductions_delivered());
        Ok(())
    })();
    node.shutdown();
    result
}

/// Waits (bounded) until nothing about introductions is left to send, printing what
/// happens meanwhile.
fn wait_delivered(node: &Node, delivered: impl Fn(&Node) -> bool) {
    let deadline = Instant::now() + DELIVERY_WAIT;
    while Instant::now() < deadline {
        if delivered(node) {
            return;
        }
        if let Some(event) = node.next_event(Duration::from_millis(200)) {
            if let Some(line) = on_event(node, &event) {
                eprintln!("{line}");
            }
        }
    }
    eprintln!(
        "Not everyone involved was reachable yet; what is waiting goes out the next time \
         you run Tincan while they are online."
    );
}
