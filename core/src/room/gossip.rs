//! How a room's posts spread between members who are not all linked to each other:
//! PlumTree-style gossip (Leitão et al., "Epidemic Broadcast Trees"). Each member
//! pushes a new post in full to a few neighbours (the *eager* set, at most
//! [`EAGER_MAX`]) and only announces its id to the others (*lazy*). A full copy that
//! arrives twice makes the receiver move that sender to lazy (`Prune`), so the eager
//! links settle into a tree; an announcement of a post that does not arrive in full in
//! time is asked for (`Graft`), which also makes the link eager again. A room of 50
//! thus sends about one full copy per member reached instead of 50 × 49.
//!
//! This is the sans-IO core: it takes in what arrived and returns what to send; the
//! node puts it on links. Posts are identified by `(author, seq)` (`log.rs`).

use std::collections::{BTreeMap, BTreeSet};

use super::membership::MemberKey;

/// Most neighbours a post is pushed to in full.
pub const EAGER_MAX: usize = 3;
/// Announcers remembered per awaited post.
const ANNOUNCERS_KEPT: usize = 4;
/// Grafts sent for one post before it is left to catch-up.
const MAX_ASKS: usize = 8;

/// A post's id: its author and place in the author's log.
pub type PostId = (MemberKey, u64);

/// What one member sends another about posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gossip<P> {
    /// The post in full, and how many hops it travelled to the sender.
    Post {
        /// The post.
        post: P,
        /// Its id.
        id: PostId,
        /// Hops from its author to the sender.
        hops: u32,
    },
    /// "I have this post" (lazy link).
    IHave(PostId),
    /// "Send me that post in full, and push to me from now on."
    Graft(PostId),
    /// "You pushed me a copy I had: only announce to me from now on."
    Prune,
}

/// One member's gossip state for one room.
#[derive(Debug, Clone)]
pub struct Spreader<P: Clone> {
    eager: BTreeSet<MemberKey>,
    lazy: BTreeSet<MemberKey>,
    have: BTreeMap<PostId, (P, u32)>,
    /// Announced but not received.
    waiting: BTreeMap<PostId, Waiting>,
}

/// A post announced to us but not received in full yet.
#[derive(Debug, Clone)]
struct Waiting {
    /// Who announced it, first first (at most [`ANNOUNCERS_KEPT`]).
    announcers: Vec<MemberKey>,
    /// When we first heard, or last asked.
    since: u64,
    /// Grafts sent so far: each asks the next announcer, so one whose link went down
    /// does not hold the post back.
    asked: usize,
}

impl<P: Clone> Default for Spreader<P> {
    fn default() -> Self {
        Self {
            eager: BTreeSet::new(),
            lazy: BTreeSet::new(),
            have: BTreeMap::new(),
            waiting: BTreeMap::new(),
        }
    }
}

/// A message to send: to whom, what.
pub type Out<P> = Vec<(MemberKey, Gossip<P>)>;

impl<P: Clone> Spreader<P> {
    /// Pushes to `peer` from now on. No other link is demoted to make room: a demotion
    /// the other side does not hear of leaves posts waiting on grafts, and repeats
    /// prune the eager links back to a tree anyway.
    fn make_eager(&mut self, peer: MemberKey) {
        self.lazy.remove(&peer);
        self.eager.insert(peer);
    }

    /// A link to a member came up: push to it while there is room, else announce.
    pub fn link_up(&mut self, peer: MemberKey) {
        if self.eager.contains(&peer) || self.lazy.contains(&peer) {
            return;
        }
        if self.eager.len() < EAGER_MAX {
            self.eager.insert(peer);
        } else {
            self.lazy.insert(peer);
        }
    }

    /// A link went down (or the member left the room). A lost eager link is replaced
    /// by lazy ones while there is room: otherwise, once the tree settled through a
    /// member who then leaves, every post would wait a graft timeout at each hop.
    pub fn link_down(&mut self, peer: &MemberKey) {
        let was_eager = self.eager.remove(peer);
        self.lazy.remove(peer);
        while was_eager && self.eager.len() < EAGER_MAX {
            let Some(next) = self.lazy.pop_first() else {
                break;
            };
            self.eager.insert(next);
        }
    }

    /// Whether announced posts are awaited (asked for, or soon to be).
    pub fn awaits(&self) -> bool {
        !self.waiting.is_empty()
    }

    /// Whether we hold this post.
    pub fn has(&self, id: &PostId) -> bool {
        self.have.contains_key(id)
    }

    /// Posts held, with the hops each travelled to us.
    pub fn held(&self) -> impl Iterator<Item = (&PostId, &(P, u32))> {
        self.have.iter()
    }

    /// A post read back from the store: held, not spread.
    pub fn caught_up(&mut self, id: PostId, post: P) {
        self.waiting.remove(&id);
        self.have.entry(id).or_insert((post, 0));
    }

    /// A post new to us that `from` gave by catch-up: held, and announced to every
    /// other neighbour. Its author may have written it before any link was up, so
    /// nobody pushed it; neighbours who miss it graft it from us.
    pub fn caught_up_from(&mut self, from: MemberKey, id: PostId, post: P) -> Out<P> {
        if self.have.contains_key(&id) {
            return Vec::new();
        }
        self.caught_up(id, post);
        self.eager
            .iter()
            .chain(self.lazy.iter())
            .filter(|p| **p != from)
            .map(|p| (*p, Gossip::IHave(id)))
            .collect()
    }

    /// Our own new post: spread it.
    pub fn publish(&mut self, id: PostId, post: P) -> Out<P> {
        self.spread(id, post, 0, None)
    }

    fn spread(&mut self, id: PostId, post: P, hops: u32, from: Option<MemberKey>) -> Out<P> {
        self.waiting.remove(&id);
        self.have.insert(id, (post.clone(), hops));
        let mut out = Vec::new();
        for peer in self.eager.iter().filter(|p| Some(**p) != from) {
            out.push((
                *peer,
                Gossip::Post {
                    post: post.clone(),
                    id,
                    hops,
                },
            ));
        }
        for peer in self.lazy.iter().filter(|p| Some(**p) != from) {
            out.push((*peer, Gossip::IHave(id)));
        }
        out
    }

    /// Takes in what `from` sent at time `now` (any monotonic unit). Returns what to
    /// send, and the post if it is new to us (to store and show).
    pub fn receive(&mut self, from: MemberKey, msg: Gossip<P>, now: u64) -> (Out<P>, Option<P>) {
        match msg {
            Gossip::Post { post, id, hops } => {
                if self.have.contains_key(&id) {
                    // A second full copy: this link need not push to us.
                    self.eager.remove(&from);
                    self.lazy.insert(from);
                    return (vec![(from, Gossip::Prune)], None);
                }
                // Whoever pushed it is a good eager link.
                self.make_eager(from);
                let out = self.spread(id, post.clone(), hops + 1, Some(from));
                (out, Some(post))
            }
            Gossip::IHave(id) => {
                if !self.have.contains_key(&id) {
                    let w = self.waiting.entry(id).or_insert_with(|| Waiting {
                        announcers: Vec::new(),
                        since: now,
                        asked: 0,
                    });
                    if w.announcers.len() < ANNOUNCERS_KEPT && !w.announcers.contains(&from) {
                        w.announcers.push(from);
                    }
                }
                (Vec::new(), None)
            }
            Gossip::Graft(id) => {
                self.make_eager(from);
                let out = match self.have.get(&id) {
                    Some((post, hops)) => vec![(
                        from,
                        Gossip::Post {
                            post: post.clone(),
                            id,
                            hops: *hops,
                        },
                    )],
                    None => Vec::new(),
                };
                (out, None)
            }
            Gossip::Prune => {
                if self.eager.remove(&from) {
                    self.lazy.insert(from);
                }
                (Vec::new(), None)
            }
        }
    }

    /// Announced posts that did not arrive within `timeout` of the announcement (or
    /// of the last ask): ask an announcer still linked for them (a `Graft`), each
    /// time the next one, at time `now`.
    pub fn tick(&mut self, now: u64, timeout: u64) -> Out<P> {
        let mut out = Vec::new();
        let mut grafted = Vec::new();
        let linked = |p: &MemberKey| self.eager.contains(p) || self.lazy.contains(p);
        for (id, w) in self.waiting.iter_mut() {
            if now.saturating_sub(w.since) < timeout {
                continue;
            }
            // The next announcer still linked, in turn.
            let n = w.announcers.len();
            let Some(announcer) = (0..n)
                .map(|i| w.announcers[(w.asked + i) % n])
                .find(|p| linked(p))
            else {
                continue;
            };
            w.asked += 1;
            w.since = now;
            out.push((announcer, Gossip::Graft(*id)));
            grafted.push(announcer);
        }
        // Nobody left to ask, or asked often enough: comparing heights brings it.
        self.waiting
            .retain(|_, w| w.asked < MAX_ASKS && w.announcers.iter().any(linked));
        for peer in grafted {
            self.make_eager(peer);
        }
        out
    }

    /// The eager and lazy neighbours (for tests and the shell's "who relays what").
    pub fn links(&self) -> (&BTreeSet<MemberKey>, &BTreeSet<MemberKey>) {
        (&self.eager, &self.lazy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(i: u8) -> MemberKey {
        [i; 32]
    }

    /// A spreader whose links to 1..=n are up, with the first `EAGER_MAX` eager.
    fn linked(n: u8) -> Spreader<&'static str> {
        let mut s = Spreader::default();
        for i in 1..=n {
            s.link_up(key(i));
        }
        s
    }

    #[test]
    fn losing_an_eager_link_makes_a_lazy_one_eager() {
        let mut s = linked(5);
        assert_eq!(s.links().0.len(), EAGER_MAX);
        let gone = *s.links().0.iter().next().unwrap();
        s.link_down(&gone);
        let (eager, lazy) = s.links();
        assert_eq!(eager.len(), EAGER_MAX, "refilled from the lazy links");
        assert_eq!(lazy.len(), 1);
        assert!(!eager.contains(&gone) && !lazy.contains(&gone));
    }

    #[test]
    fn losing_a_lazy_link_leaves_the_eager_ones_alone() {
        let mut s = linked(5);
        let eager_before = s.links().0.clone();
        let lazy_one = *s.links().1.iter().next().unwrap();
        s.link_down(&lazy_one);
        assert_eq!(s.links().0, &eager_before);
        assert_eq!(s.links().1.len(), 1);
    }

    #[test]
    fn grafts_ask_the_next_announcer_still_linked() {
        let mut s = linked(5);
        let id = (key(9), 1);
        let (a, b) = (*s.links().1.iter().next().unwrap(), key(1));
        s.receive(a, Gossip::IHave(id), 0);
        s.receive(b, Gossip::IHave(id), 0);
        assert!(s.tick(1, 2).is_empty(), "not yet");
        assert_eq!(s.tick(2, 2), vec![(a, Gossip::Graft(id))]);
        assert_eq!(s.tick(4, 2), vec![(b, Gossip::Graft(id))], "then the other");
        s.link_down(&a);
        assert_eq!(s.tick(6, 2), vec![(b, Gossip::Graft(id))], "a is gone");
        s.receive(
            b,
            Gossip::Post {
                post: "p",
                id,
                hops: 1,
            },
            7,
        );
        assert!(s.tick(20, 2).is_empty(), "received: nothing awaited");
    }

    #[test]
    fn a_post_caught_up_is_announced_to_everyone_but_its_giver_once() {
        let mut s = linked(5);
        let id = (key(9), 1);
        let out = s.caught_up_from(key(2), id, "hello");
        let to: BTreeSet<MemberKey> = out.iter().map(|(p, _)| *p).collect();
        assert_eq!(to, [1, 3, 4, 5].map(key).into_iter().collect());
        assert!(out.iter().all(|(_, g)| *g == Gossip::IHave(id)));
        assert!(s.has(&id));
        assert!(s.caught_up_from(key(3), id, "hello").is_empty(), "known");
    }
}
