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
    /// Announced but not received: who announced it, and when we first heard.
    waiting: BTreeMap<PostId, (MemberKey, u64)>,
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
    /// Pushes to `peer` from now on, keeping at most [`EAGER_MAX`] eager links: another
    /// one becomes lazy (announcements and grafts keep every member reached).
    fn make_eager(&mut self, peer: MemberKey) {
        self.lazy.remove(&peer);
        self.eager.insert(peer);
        while self.eager.len() > EAGER_MAX {
            let Some(other) = self.eager.iter().find(|p| **p != peer).copied() else {
                break;
            };
            self.eager.remove(&other);
            self.lazy.insert(other);
        }
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

    /// A link went down (or the member left the room).
    pub fn link_down(&mut self, peer: &MemberKey) {
        self.eager.remove(peer);
        self.lazy.remove(peer);
    }

    /// Whether we hold this post.
    pub fn has(&self, id: &PostId) -> bool {
        self.have.contains_key(id)
    }

    /// Posts held, with the hops each travelled to us.
    pub fn held(&self) -> impl Iterator<Item = (&PostId, &(P, u32))> {
        self.have.iter()
    }

    /// A post that arrived by catch-up (others already have it): held, not spread.
    pub fn caught_up(&mut self, id: PostId, post: P) {
        self.waiting.remove(&id);
        self.have.entry(id).or_insert((post, 0));
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
                    self.waiting.entry(id).or_insert((from, now));
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

    /// Announced posts that did not arrive within `timeout` of the announcement: ask
    /// their announcer for them (a `Graft`), at time `now`.
    pub fn tick(&mut self, now: u64, timeout: u64) -> Out<P> {
        let mut out = Vec::new();
        let mut grafted = Vec::new();
        for (id, (announcer, since)) in self.waiting.iter_mut() {
            if now.saturating_sub(*since) >= timeout {
                out.push((*announcer, Gossip::Graft(*id)));
                *since = now;
                grafted.push(*announcer);
            }
        }
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
