//! Introductions between real nodes on loopback (issue #15): Ana, connected to Ben and
//! to Cleo by codes, introduces them; they connect directly with no codes, the contact
//! is marked "introduced by Ana, not verified", and Ana only ever held sealed bytes.
#![allow(clippy::unwrap_used, clippy::panic, missing_docs)]

mod common;

use std::time::{Duration, Instant};

use common::device::{connect, Device};
use common::mesh::Mesh;
use common::{expect_connected, expect_received};
use tincan_core::node::{IntroductionInfo, Node};
use tincan_core::store::{IntroAnswer, IntroState, Store};

/// Waits (bounded) until `node` lists introduction `id` in a state `pred` accepts.
fn wait_intro(
    node: &Node,
    id: &str,
    what: &str,
    pred: impl Fn(&IntroductionInfo) -> bool,
) -> IntroductionInfo {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Some(found) = node
            .introductions()
            .unwrap()
            .into_iter()
            .find(|i| i.id == id && pred(i))
        {
            return found;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "introduction {id}: no {what}; have {:?}",
        node.introductions()
    );
}

fn offered(node: &Node, id: &str) -> IntroductionInfo {
    wait_intro(node, id, "offer", |i| i.state == IntroState::Offered)
}

/// Every byte a device keeps: its data directory and its secrets.
fn everything_kept(device: &Device) -> Vec<u8> {
    let mut out = Vec::new();
    let mut dirs = vec![device.dir.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                out.extend_from_slice(&bytes);
            }
        }
    }
    for key in device.secrets.keys() {
        use tincan_core::secrets::SecretStore;
        out.extend_from_slice(&device.secrets.get(&key).unwrap().unwrap_or_default());
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The other side's connection details for `conversation`, as `device` stored them.
fn stored_details(device: &Device, conversation: &str) -> (String, [u8; 32]) {
    let store = Store::open(&device.dir.join("tincan.db")).unwrap();
    let record = store.conversation(conversation).unwrap().unwrap();
    let desc = tincan_core::sdp::parse(&record.remote_sdp).unwrap();
    (desc.ice_ufrag, desc.fingerprint)
}

#[test]
fn ana_introduces_ben_and_cleo_who_then_talk_directly_and_she_sees_only_sizes() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        Device::new("Ana", dir.path()),
        Device::new("Ben", dir.path()),
        Device::new("Cleo", dir.path()),
    );
    let (ana, ben, cleo) = (a.start(), b.start(), c.start());
    let with_ben = connect(&ana, &ben);
    let with_cleo = connect(&ana, &cleo);

    let id = ana.introduce(&with_ben, &with_cleo).unwrap();
    let to_ben = offered(&ben, &id);
    assert_eq!(to_ben.name.as_deref(), Some("Cleo"));
    assert_eq!(to_ben.introducer_name.as_deref(), Some("Ana"));
    assert_eq!(to_ben.key, cleo.identity_key());
    assert_eq!(to_ben.introducer, with_ben);
    ben.accept_introduction(&id).unwrap();
    let to_cleo = offered(&cleo, &id);
    assert_eq!(to_cleo.key, ben.identity_key());
    cleo.accept_introduction(&id).unwrap();

    expect_connected(&ben, &id);
    expect_connected(&cleo, &id);
    ben.send(&id, "hi Cleo, Ana says you knit").unwrap();
    expect_received(&cleo, &id, "hi Cleo, Ana says you knit");
    cleo.send(&id, "I do!").unwrap();
    expect_received(&ben, &id, "I do!");

    // Introduced by Ana, not verified, on both sides.
    for (node, name, introducer) in [(&ben, "Cleo", &with_ben), (&cleo, "Ben", &with_cleo)] {
        let ana_contact = node
            .known_conversations()
            .unwrap()
            .into_iter()
            .find(|k| &k.peer == introducer)
            .unwrap()
            .contact;
        let met = node
            .contacts()
            .unwrap()
            .into_iter()
            .find(|k| k.name.as_deref() == Some(name))
            .unwrap();
        assert_eq!(met.introduced_by.as_deref(), Some(ana_contact.as_str()));
        assert!(!met.verified);
        wait_intro(node, &id, "connected", |i| i.state == IntroState::Connected);
    }

    // Ana saw that both answered, when, and how big the sealed cards were: nothing more.
    let made = ana.introductions_made().unwrap();
    assert_eq!(made.len(), 1);
    for side in &made[0].sides {
        assert_eq!(side.seen.answer, IntroAnswer::Accepted);
        assert!(side.seen.at.is_some());
        let bytes = side.seen.bytes.unwrap();
        assert!(
            (100..1024).contains(&bytes),
            "a sealed card of {bytes} bytes"
        );
    }
    // Neither person's details for their conversation are anywhere Ana keeps things.
    let kept_by_ana = everything_kept(&a);
    for (device, of) in [(&c, "Ben"), (&b, "Cleo")] {
        let (ufrag, fingerprint) = stored_details(device, &id);
        let hex: String = fingerprint.iter().map(|b| format!("{b:02x}")).collect();
        assert!(!contains(&kept_by_ana, ufrag.as_bytes()), "{of}'s ufrag");
        assert!(!contains(&kept_by_ana, &fingerprint), "{of}'s fingerprint");
        assert!(
            !contains(&kept_by_ana, hex.as_bytes()),
            "{of}'s fingerprint"
        );
    }
    // The same pair cannot be introduced twice while it waits, nor anyone to themselves.
    assert!(ana.introduce(&with_ben, &with_ben).is_err());
}

#[test]
fn a_decline_reaches_the_other_side_and_an_offline_person_gets_the_introduction_later() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        Device::new("Ana", dir.path()),
        Device::new("Ben", dir.path()),
        Device::new("Cleo", dir.path()),
    );
    let (ana, ben, cleo) = (a.start(), b.start(), c.start());
    let with_ben = connect(&ana, &ben);
    let with_cleo = connect(&ana, &cleo);

    // Cleo is offline when Ana introduces her; it reaches her when she is back.
    cleo.shutdown();
    drop(cleo);
    let id = ana.introduce(&with_ben, &with_cleo).unwrap();
    offered(&ben, &id);
    ben.accept_introduction(&id).unwrap();
    let cleo = c.start();
    offered(&cleo, &id);
    cleo.decline_introduction(&id).unwrap();
    let told = wait_intro(&ben, &id, "the decline", |i| {
        i.state == IntroState::Declined
    });
    assert_eq!(told.reason.as_deref(), Some("Cleo declined."));
    let mine = wait_intro(&cleo, &id, "own decline", |i| {
        i.state == IntroState::Declined
    });
    assert_eq!(mine.reason.as_deref(), Some("You declined."));
    assert!(
        cleo.accept_introduction(&id).is_err(),
        "a declined one stays declined"
    );
    let made = &ana.introductions_made().unwrap()[0];
    assert_eq!(made.sides[1].seen.answer, IntroAnswer::Declined);
    assert_eq!(made.sides[1].seen.bytes, None);
    // Declined: no conversation between them.
    assert!(!ben.peers().iter().any(|p| p.peer == id));
    // After a decline, Ana may ask again.
    assert!(ana.introduce(&with_cleo, &with_ben).is_ok());
}

#[test]
fn a_chain_of_eight_connected_by_codes_becomes_a_full_mesh_by_introductions() {
    const N: usize = 8;
    let dir = tempfile::tempdir().unwrap();
    let names = ["n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7"];
    let devices: Vec<Device> = names.iter().map(|n| Device::new(n, dir.path())).collect();
    let nodes: Vec<Node> = devices.iter().map(Device::start).collect();
    let mut mesh = Mesh::chain(nodes);
    let took = mesh.grow(Duration::from_secs(180));
    assert!(took.is_some(), "no full mesh in 180 s: {:?}", mesh.links);
    // Every pair made by introductions: two accepts each.
    let accepts: usize = mesh.accepts.iter().sum();
    assert_eq!(accepts, 2 * (N * (N - 1) / 2 - (N - 1)));
    // The two ends of the chain talk directly.
    let ends = mesh.links[0][N - 1].clone().unwrap();
    mesh.nodes[0]
        .send(&ends, "from one end to the other")
        .unwrap();
    expect_received(&mesh.nodes[N - 1], &ends, "from one end to the other");
    for node in &mesh.nodes {
        assert_eq!(node.contacts().unwrap().len(), N - 1);
    }
}
