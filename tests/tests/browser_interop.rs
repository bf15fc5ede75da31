//! A real `tincan` process and a plain serverless chat page (`tests/browser/plain_chat.html`)
//! in headless Chromium talk to each other by exchanging the JSON the page shows, in a
//! private network namespace with only loopback (and a dead-end veth) up. The page is
//! used like a person would: click, copy the description box, paste, type, read the log.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::time::Duration;

use anyhow::Result;
use common::browser::{inside_private_netns, PagePeer};
use serde_json::json;
use tincan_tests::process::{Stream, Tincan};

const T: Duration = Duration::from_secs(30);

struct Person {
    page: PagePeer,
    rt: tokio::runtime::Runtime,
}

impl Person {
    fn open() -> Result<Self> {
        Self::open_with(&[])
    }

    fn open_with(env: &[(&str, &str)]) -> Result<Self> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let page = rt.block_on(PagePeer::start_script_with_env("plain_chat_person.js", env))?;
        Ok(Self { page, rt })
    }

    fn desc(&mut self, cmd: serde_json::Value) -> Result<String> {
        self.rt.block_on(self.page.call_for(cmd, "desc"))
    }

    fn call(&mut self, cmd: serde_json::Value) -> Result<()> {
        self.rt.block_on(self.page.call(cmd)).map(drop)
    }

    fn log(&mut self) -> Result<Vec<String>> {
        let reply = self.rt.block_on(self.page.call(json!({"op": "log"})))?;
        Ok(serde_json::from_value(reply["lines"].clone())?)
    }

    fn quit(self) -> Result<()> {
        self.rt.block_on(self.page.quit())
    }
}

fn tincan(name: &str, dir: &std::path::Path, rest: &[&str]) -> Tincan {
    tincan_bound(name, dir, "127.0.0.1:0", rest)
}

fn tincan_bound(name: &str, dir: &std::path::Path, bind: &str, rest: &[&str]) -> Tincan {
    let data = dir.join(name).display().to_string();
    let mut args = vec!["--data-dir", &data, "--bind", bind];
    args.extend_from_slice(rest);
    Tincan::start(name, &[], &args)
}

/// Wraps a long text the way a messenger that hard-wraps might: lines of 70 characters
/// (breaks may fall inside words; indentation is not added, since inside an SDP it
/// cannot be told from a real space — see `sdp::unwrap_messenger_lines`).
fn wrapped(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars
        .chunks(70)
        .map(|c| c.iter().collect::<String>())
        .collect()
}

/// The page makes the offer; `tincan join` reads it (wrapped) from standard input,
/// prints the answer; the person pastes it into the page; both sides chat.
#[test]
fn page_offers_and_tincan_joins() -> Result<()> {
    if !inside_private_netns("page_offers_and_tincan_joins")? {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let mut ana = Person::open()?;
    let offer = ana.desc(json!({"op": "offer"}))?;
    assert!(offer.starts_with("{\"type\":\"offer\""), "{offer}");
    println!("page offer: {} characters", offer.len());

    let mut ben = tincan("ben", dir.path(), &["join"]);
    for line in wrapped(&offer) {
        ben.type_line(&line);
    }
    ben.expect_line(Stream::Err, "no key confirmation", T);
    let answer = ben.expect_line(Stream::Out, "{\"type\":\"answer\"", T);
    println!("tincan answer: {} characters", answer.len());
    ana.call(json!({"op": "paste", "desc": answer.trim()}))?;
    ana.call(json!({"op": "status", "is": "connected"}))?;
    ben.expect_line(Stream::Err, "connected", T);

    ana.call(json!({"op": "send", "text": "hello from the page ✨"}))?;
    ben.expect_line(Stream::Out, "peer: hello from the page ✨", T);
    ben.type_line("hello from tincan");
    ana.call(json!({"op": "see", "text": "them: hello from tincan"}))?;
    ana.call(json!({"op": "send", "text": "second line"}))?;
    ben.expect_line(Stream::Out, "peer: second line", T);

    // Input ends: tincan leaves once its message was acknowledged, without a stray
    // goodbye text in the page.
    ben.close_input();
    assert!(ben.wait_exit(T), "tincan failed:\n{}", ben.dump());
    let log = ana.log()?;
    assert!(
        log.iter().any(|l| l == "channel \"plain-chat\" open"),
        "{log:?}"
    );
    assert!(!log.iter().any(|l| l.contains("goodbye")), "{log:?}");
    ana.quit()
}

/// `tincan invite --browser` makes the offer; the person pastes it into the page, which
/// shows its answer; the answer is typed into tincan; both sides chat.
#[test]
fn tincan_offers_and_page_joins() -> Result<()> {
    if !inside_private_netns("tincan_offers_and_page_joins")? {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let mut ana = tincan("ana", dir.path(), &["invite", "--browser"]);
    ana.expect_line(Stream::Err, "no read receipts", T);
    let offer = ana.expect_line(Stream::Out, "{\"type\":\"offer\"", T);
    println!("tincan offer: {} characters", offer.len());

    let mut ben = Person::open()?;
    let answer = ben.desc(json!({"op": "paste", "desc": offer.trim()}))?;
    assert!(answer.starts_with("{\"type\":\"answer\""), "{answer}");
    println!("page answer: {} characters", answer.len());
    ana.type_line(&answer);
    ana.expect_line(Stream::Err, "connected", T);
    ben.call(json!({"op": "status", "is": "connected"}))?;
    ben.call(json!({"op": "see", "text": "channel \"chat\" open"}))?;

    ana.type_line("hi page, this is tincan");
    ben.call(json!({"op": "see", "text": "them: hi page, this is tincan"}))?;
    ben.call(json!({"op": "send", "text": "hi tincan — from Chromium"}))?;
    ana.expect_line(Stream::Out, "peer: hi tincan — from Chromium", T);

    ana.close_input();
    assert!(ana.wait_exit(T), "tincan failed:\n{}", ana.dump());
    ben.quit()
}

/// Chromium with its default address hiding (no permission, no flag): its offer names
/// only a `<uuid>.local` host. Tincan (mDNS off) says so, answers anyway, and connects
/// because the page's checks reach it. Tincan binds the namespace's veth address, the
/// one Chromium's hidden candidate stands for (the veth leads nowhere outside the test).
#[test]
fn page_with_mdns_names_still_reaches_tincan() -> Result<()> {
    if !inside_private_netns("page_with_mdns_names_still_reaches_tincan")? {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let mut ana = Person::open_with(&[("PLAIN_CHAT_MDNS", "1")])?;
    let offer = ana.desc(json!({"op": "offer"}))?;
    assert!(
        offer.contains(".local"),
        "expected an mDNS candidate: {offer}"
    );
    assert!(
        !offer.contains("127.0.0.1 ") && !offer.contains("10.99.0.1 "),
        "{offer}"
    );

    let mut ben = tincan_bound("ben", dir.path(), "10.99.0.1:0", &["join", &offer]);
    ben.expect_line(Stream::Err, ".local (mDNS)", T);
    let answer = ben.expect_line(Stream::Out, "{\"type\":\"answer\"", T);
    ana.call(json!({"op": "paste", "desc": answer.trim()}))?;
    ana.call(json!({"op": "status", "is": "connected"}))?;
    ben.expect_line(Stream::Err, "connected", T);
    ana.call(json!({"op": "send", "text": "hidden but here"}))?;
    ben.expect_line(Stream::Out, "peer: hidden but here", T);
    ben.type_line("found you");
    ana.call(json!({"op": "see", "text": "them: found you"}))?;
    ben.close_input();
    assert!(ben.wait_exit(T), "tincan failed:\n{}", ben.dump());
    ana.quit()
}
