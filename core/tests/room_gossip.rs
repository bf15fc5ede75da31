//! A room of 50 whose members are not all linked (each has a few links), simulated
//! step by step with the real gossip core (`room::gossip`) and logs (`room::log`):
//! every post reaches every member exactly once, including through relays; the full
//! copies sent stay near one per member reached (not 50 × 49); 20 % of members are
//! offline for a while and catch up from whichever neighbour they meet, exactly once
//! each, in bounded rounds. Deterministic (seeded), no network.
#![allow(clippy::unwrap_used, clippy::panic, missing_docs)]

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use tincan_core::identity::Identity;
use tincan_core::room::gossip::{Gossip, Spreader};
use tincan_core::room::log::{Entry, Logs};
use tincan_core::room::membership::MemberKey;

const N: usize = 50;
const LINKS_EACH: usize = 4;
const GRAFT_TIMEOUT: u64 = 3;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

struct Member {
    who: Identity,
    spreader: Spreader<Entry>,
    logs: Logs,
    delivered: BTreeMap<(MemberKey, u64), u32>,
    online: bool,
}

struct Room {
    members: Vec<Member>,
    index: BTreeMap<MemberKey, usize>,
    links: BTreeSet<(usize, usize)>,
    queue: VecDeque<(usize, usize, Gossip<Entry>)>,
    full_copies: usize,
    announcements: usize,
    now: u64,
}

impl Room {
    fn new(seed: u64) -> Self {
        let mut rng = Rng(seed);
        let members: Vec<Member> = (0..N)
            .map(|_| Member {
                who: Identity::generate(),
                spreader: Spreader::default(),
                logs: Logs::new([9; 16]),
                delivered: BTreeMap::new(),
                online: true,
            })
            .collect();
        let index = members
            .iter()
            .enumerate()
            .map(|(i, m)| (m.who.public_key(), i))
            .collect();
        // A ring (so everyone is reachable) plus random extra links.
        let mut links = BTreeSet::new();
        for i in 0..N {
            links.insert((i.min((i + 1) % N), i.max((i + 1) % N)));
            for _ in 0..LINKS_EACH - 2 {
                let j = rng.below(N);
                if j != i {
                    links.insert((i.min(j), i.max(j)));
                }
            }
        }
        let mut room = Room {
            members,
            index,
            links,
            queue: VecDeque::new(),
            full_copies: 0,
            announcements: 0,
            now: 0,
        };
        room.links_up();
        room
    }

    fn key(&self, i: usize) -> MemberKey {
        self.members[i].who.public_key()
    }

    fn links_up(&mut self) {
        let links: Vec<_> = self.links.iter().copied().collect();
        for (a, b) in links {
            if self.members[a].online && self.members[b].online {
                let (ka, kb) = (self.key(a), self.key(b));
                self.members[a].spreader.link_up(kb);
                self.members[b].spreader.link_up(ka);
            }
        }
    }

    fn set_online(&mut self, i: usize, online: bool) {
        self.members[i].online = online;
        let neighbours: Vec<usize> = self
            .links
            .iter()
            .filter_map(|&(a, b)| (a == i).then_some(b).or((b == i).then_some(a)))
            .collect();
        for j in neighbours {
            let (ki, kj) = (self.key(i), self.key(j));
            if online {
                if self.members[j].online {
                    self.members[i].spreader.link_up(kj);
                    self.members[j].spreader.link_up(ki);
                }
            } else {
                self.members[i].spreader.link_down(&kj);
                self.members[j].spreader.link_down(&ki);
            }
        }
    }

    fn send(&mut self, from: usize, out: Vec<(MemberKey, Gossip<Entry>)>) {
        for (to, msg) in out {
            let to = self.index[&to];
            match msg {
                Gossip::Post { .. } => self.full_copies += 1,
                Gossip::IHave(_) => self.announcements += 1,
                _ => {}
            }
            self.queue.push_back((from, to, msg));
        }
    }

    fn deliver(&mut self, i: usize, entry: &Entry) {
        let m = &mut self.members[i];
        m.logs.add(entry.clone()).unwrap();
        *m.delivered.entry((entry.author, entry.seq)).or_default() += 1;
    }

    fn post(&mut self, author: usize, text: &str) {
        let m = &mut self.members[author];
        let entry = m.logs.write(&m.who, 0, text.as_bytes().to_vec()).unwrap();
        let id = (entry.author, entry.seq);
        *m.delivered.entry(id).or_default() += 1;
        let out = m.spreader.publish(id, entry);
        self.send(author, out);
    }

    /// Runs until nothing moves: one queue pass per time step, then announcement
    /// timeouts.
    fn settle(&mut self) {
        for _ in 0..1000 {
            self.now += 1;
            let batch: Vec<_> = self.queue.drain(..).collect();
            for (from, to, msg) in batch {
                if !self.members[to].online || !self.members[from].online {
                    continue;
                }
                let from_key = self.key(from);
                let now = self.now;
                let (out, new) = self.members[to].spreader.receive(from_key, msg, now);
                if let Some(entry) = new {
                    self.deliver(to, &entry);
                }
                self.send(to, out);
            }
            for i in 0..N {
                if self.members[i].online {
                    let now = self.now;
                    let out = self.members[i].spreader.tick(now, GRAFT_TIMEOUT);
                    self.send(i, out);
                }
            }
            if self.queue.is_empty() && self.now > GRAFT_TIMEOUT * 2 {
                let waiting = (0..N).any(|i| {
                    let m = &self.members[i];
                    m.online
                        && self.members.iter().any(|o| {
                            o.online && o.spreader.held().any(|(id, _)| !m.spreader.has(id))
                        })
                });
                if !waiting {
                    return;
                }
            }
        }
        panic!("the room did not settle in 1000 steps");
    }

    /// A member back online catches up from one online neighbour, `limit` entries
    /// per round; returns (rounds, entries).
    fn catch_up(&mut self, i: usize, limit: usize) -> (usize, usize) {
        let neighbour = self
            .links
            .iter()
            .filter_map(|&(a, b)| (a == i).then_some(b).or((b == i).then_some(a)))
            .find(|j| self.members[*j].online)
            .unwrap();
        let (mut rounds, mut entries) = (0, 0);
        loop {
            let heights = self.members[i].logs.heights();
            let batch = self.members[neighbour].logs.missing_for(&heights, limit);
            rounds += 1;
            if batch.is_empty() {
                return (rounds, entries);
            }
            for entry in batch {
                entries += 1;
                let id = (entry.author, entry.seq);
                if !self.members[i].spreader.has(&id) {
                    self.deliver(i, &entry);
                    self.members[i].spreader.caught_up(id, entry);
                }
            }
        }
    }
}

#[test]
fn a_room_of_fifty_with_few_links_gets_every_post_once_with_bounded_copies_and_catch_up() {
    let mut room = Room::new(0x5EED_1234_ABCD_0001);
    assert!(
        room.links.len() < N * (N - 1) / 2 / 5,
        "far from everyone linked"
    );
    // Everyone online: 20 posts from different members.
    for k in 0..20 {
        room.post((k * 7) % N, &format!("post {k}"));
        room.settle();
    }
    for m in &room.members {
        assert_eq!(m.delivered.len(), 20);
        assert!(m.delivered.values().all(|&n| n == 1), "each post once");
    }
    let reached = 20 * (N - 1);
    let redundancy = room.full_copies as f64 / reached as f64;
    let longest = room
        .members
        .iter()
        .flat_map(|m| m.spreader.held().map(|(_, (_, hops))| *hops))
        .max()
        .unwrap();
    println!(
        "full copies {} for {reached} deliveries ({redundancy:.2} per member reached), \
         {} announcements, longest relay path {longest} hops",
        room.full_copies, room.announcements
    );
    assert!(
        redundancy < 2.0,
        "{redundancy:.2} full copies per member reached"
    );
    assert!(longest >= 2, "posts did travel through relays");

    // 20 % go offline; 20 more posts; they come back and catch up.
    let away: Vec<usize> = (0..N).filter(|i| i % 5 == 2).collect();
    for &i in &away {
        room.set_online(i, false);
    }
    for k in 20..40 {
        let author = (0..N)
            .map(|j| (k * 11 + j) % N)
            .find(|a| !away.contains(a))
            .unwrap();
        room.post(author, &format!("post {k}"));
        room.settle();
    }
    for &i in &away {
        room.set_online(i, true);
        let (rounds, entries) = room.catch_up(i, 8);
        assert!(entries >= 20, "member {i} got what it missed");
        assert!(rounds <= 20 / 8 + 2, "bounded rounds: {rounds}");
    }
    for m in &room.members {
        assert_eq!(m.delivered.len(), 40, "everyone has every post");
        assert!(
            m.delivered.values().all(|&n| n == 1),
            "each post once, catch-up too"
        );
    }
}
