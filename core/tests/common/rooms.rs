//! A room between real nodes on loopback (core/tests/rooms.rs): n0 knows everyone by
//! codes and makes the room (its admin); the others know only their neighbours, in a
//! chain (n1–n2–…) or a ring (…and the last back to n1). Each wait is bounded, and
//! every `RoomPost` event a node gives is counted, so a test can say a post was shown
//! exactly once.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use tincan_core::node::{Event, Node, PeerState};

use super::device::{connect, Device};

/// Names of the people, in order: `n0` is the admin.
pub const NAMES: [&str; 16] = [
    "n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9", "n10", "n11", "n12", "n13", "n14",
    "n15",
];

/// How long a post, a change or a catch-up may take to reach a member.
pub const WAIT: Duration = Duration::from_secs(60);

/// How the members other than n0 know each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// n1–n2–…–n(N-1).
    Chain,
    /// The chain, and n(N-1)–n1.
    Ring,
}

/// N people in one room.
pub struct Club {
    pub devices: Vec<Device>,
    pub nodes: Vec<Node>,
    /// The room's id.
    pub room: String,
    /// Which nodes are shut down now.
    away: Vec<bool>,
    /// `RoomPost` events seen per (node, text).
    told: BTreeMap<(usize, String), usize>,
    _dir: tempfile::TempDir,
}

impl Club {
    /// `n` people (at most 16) connected by codes — n0 with everyone, the others in
    /// `shape` — and a room named `name` that n0 makes with all of them, joined by all.
    pub fn new(n: usize, shape: Shape, name: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let devices: Vec<Device> = NAMES[..n]
            .iter()
            .map(|m| Device::new(m, dir.path()))
            .collect();
        let nodes: Vec<Node> = devices.iter().map(Device::start).collect();
        let hub: Vec<String> = (1..n).map(|i| connect(&nodes[0], &nodes[i])).collect();
        for i in 1..n - 1 {
            connect(&nodes[i], &nodes[i + 1]);
        }
        if shape == Shape::Ring && n > 3 {
            connect(&nodes[n - 1], &nodes[1]);
        }
        let room = nodes[0].create_room(name, &hub).unwrap();
        let mut club = Club {
            devices,
            nodes,
            room,
            away: vec![false; n],
            told: BTreeMap::new(),
            _dir: dir,
        };
        club.wait_all(1..n, "joined", |node, room| {
            node.rooms().iter().any(|r| r.id == room && r.joined)
        });
        let info = club.nodes[n - 1]
            .rooms()
            .into_iter()
            .find(|r| r.id == club.room)
            .unwrap();
        assert_eq!(info.name, name);
        assert_eq!(info.members.len(), n);
        club
    }

    /// Takes in every event waiting on every node that is running, counting posts.
    fn pump(&mut self) {
        for (i, node) in self.nodes.iter().enumerate() {
            if self.away[i] {
                continue;
            }
            while let Some(e) = node.next_event(Duration::from_millis(1)) {
                match e {
                    Event::RoomPost { text, .. } => *self.told.entry((i, text)).or_default() += 1,
                    Event::Overflow { dropped } => panic!("n{i} dropped {dropped} events"),
                    _ => {}
                }
            }
        }
    }

    /// Waits until `check(node i, room)` holds for every `i` in `who`.
    pub fn wait_all(
        &mut self,
        who: impl IntoIterator<Item = usize>,
        what: &str,
        check: impl Fn(&Node, &str) -> bool,
    ) {
        let who: Vec<usize> = who.into_iter().collect();
        let deadline = Instant::now() + WAIT;
        loop {
            self.pump();
            let missing: Vec<usize> = who
                .iter()
                .copied()
                .filter(|&i| !check(&self.nodes[i], &self.room))
                .collect();
            if missing.is_empty() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "not {what} within {WAIT:?}: {missing:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// How many times node `i` lists `text` among the room's posts (readable ones).
    pub fn listed(&self, i: usize, text: &str) -> usize {
        self.nodes[i]
            .room_posts(&self.room)
            .unwrap_or_default()
            .iter()
            .filter(|p| p.text.as_deref() == Some(text))
            .count()
    }

    /// How many `RoomPost` events node `i` gave for `text` so far.
    pub fn told(&mut self, i: usize, text: &str) -> usize {
        self.pump();
        self.told.get(&(i, text.to_owned())).copied().unwrap_or(0)
    }

    /// Node `i` posts `text`.
    pub fn post(&mut self, i: usize, text: &str) {
        self.nodes[i].post_to_room(&self.room, text).unwrap();
    }

    /// Waits until every node in `who` has `text`, then checks each lists it once and
    /// was told of it once. Returns how long it took.
    pub fn expect_everywhere(
        &mut self,
        who: impl IntoIterator<Item = usize>,
        text: &str,
    ) -> Duration {
        let who: Vec<usize> = who.into_iter().collect();
        let start = Instant::now();
        let deadline = start + WAIT;
        loop {
            self.pump();
            let mut missing = Vec::new();
            for &i in &who {
                let listed = self.listed(i, text);
                assert!(listed <= 1, "n{i} lists {text:?} {listed} times");
                if listed == 0 {
                    missing.push(i);
                }
            }
            if missing.is_empty() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{text:?} did not reach {missing:?} within {WAIT:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let took = start.elapsed();
        for &i in &who {
            assert_eq!(self.told(i, text), 1, "n{i} was told of {text:?}");
        }
        took
    }

    /// Shuts node `i` down (its data and secrets stay).
    pub fn leave(&mut self, i: usize) {
        self.pump();
        self.nodes[i].shutdown();
        self.away[i] = true;
    }

    /// Starts node `i` again.
    pub fn back(&mut self, i: usize) {
        self.nodes[i] = self.devices[i].start();
        self.away[i] = false;
    }

    /// Waits until node `i` has a live link to node `j` (their conversation is up).
    pub fn wait_linked(&mut self, i: usize, j: usize) {
        self.wait_link(i, j, true);
    }

    /// Waits until node `i` no longer counts its link to node `j` as up (it took in
    /// `j`'s goodbye), so what `i` sends next goes round `j`.
    pub fn wait_unlinked(&mut self, i: usize, j: usize) {
        self.wait_link(i, j, false);
    }

    fn wait_link(&mut self, i: usize, j: usize, up: bool) {
        let key = self.nodes[j].identity_key();
        let deadline = Instant::now() + WAIT;
        loop {
            self.pump();
            let node = &self.nodes[i];
            let conversations = node.known_conversations().unwrap();
            let linked = node.peers().into_iter().any(|p| {
                p.state == PeerState::Connected
                    && conversations
                        .iter()
                        .any(|k| k.peer == p.peer && k.contact == key)
            });
            if linked == up {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "n{i} still {} to n{j} after {WAIT:?}",
                if up { "not linked" } else { "linked" }
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The admin (n0) removes `gone` once linked to it (a removed member is told over
    /// a live link), and the removal reaches every other running member (`others`).
    pub fn remove(&mut self, gone: usize, others: impl IntoIterator<Item = usize>) {
        self.wait_linked(0, gone);
        let key = self.nodes[gone].identity_key();
        let epoch = self.nodes[0]
            .rooms()
            .into_iter()
            .find(|r| r.id == self.room)
            .unwrap()
            .epoch;
        self.nodes[0].remove_from_room(&self.room, &key).unwrap();
        self.wait_all(others, "shown the removal", |node, room| {
            node.rooms()
                .iter()
                .any(|r| r.id == room && !r.members.contains(&key) && r.epoch == epoch + 1)
        });
    }

    /// Node `i`, removed, is told it is out, cannot post, and never reads `text`
    /// (posted after the removal and already read by the others).
    pub fn expect_locked_out(&mut self, i: usize, text: &str) {
        self.wait_all([i], "told it was removed", |node, room| {
            node.rooms().iter().any(|r| r.id == room && !r.joined)
        });
        assert!(self.nodes[i].post_to_room(&self.room, "let me in").is_err());
        // It may get the bytes from a careless neighbour: a while to read them.
        std::thread::sleep(Duration::from_secs(1));
        assert_eq!(self.listed(i, text), 0, "n{i} reads {text:?}");
        assert_eq!(self.told(i, text), 0, "n{i} was shown {text:?}");
    }
}
