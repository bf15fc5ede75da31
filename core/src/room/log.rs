//! Each member's posts in a room form their own signed log: author, sequence number
//! (1, 2, …) and the hash of the author's previous entry. A member keeps every log it
//! has seen; repeats are dropped, gaps are known (so they can be asked for), and
//! nobody can forge or reorder another member's posts: the signature is the author's
//! and the chain of hashes fixes the order.
//!
//! Catch-up compares heights: each member says how far it has every author's log
//! (`heights`), and the other sends what lies beyond (`missing_for`), bounded.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::membership::MemberKey;
use super::RoomError;
use crate::identity::{self, Identity, SIGNATURE_LEN};

/// One post in an author's log. `body` is the sealed post (`keys.rs`): the log
/// checks who wrote what in which order, not what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The room.
    pub room: [u8; 16],
    /// The author.
    pub author: MemberKey,
    /// 1 for the author's first post.
    pub seq: u64,
    /// Hash of the author's previous entry (zeros for the first).
    pub prev: [u8; 32],
    /// The key epoch the body is sealed under.
    pub epoch: u64,
    /// The sealed post.
    pub body: Vec<u8>,
    /// The author's signature over everything above.
    pub sig: [u8; SIGNATURE_LEN],
}

/// Largest sealed post.
pub const MAX_BODY_BYTES: usize = 32 * 1024;

fn signed_bytes(e: &Entry) -> Vec<u8> {
    let mut out = b"tincan room post v1\0".to_vec();
    out.extend_from_slice(&e.room);
    out.extend_from_slice(&e.author);
    out.extend_from_slice(&e.seq.to_be_bytes());
    out.extend_from_slice(&e.prev);
    out.extend_from_slice(&e.epoch.to_be_bytes());
    out.extend_from_slice(&e.body);
    out
}

impl Entry {
    /// Whether the author's signature is on it (checked again by [`Logs::add`]).
    pub fn is_signed_by_author(&self) -> bool {
        identity::verify(&self.author, &signed_bytes(self), &self.sig)
    }

    /// The entry's hash (what the author's next entry names as `prev`).
    pub fn hash(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(signed_bytes(self));
        h.update(self.sig);
        h.finalize().into()
    }
}

/// What [`Logs::add`] did with an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// New, and the author's log is complete up to it.
    New,
    /// New, but earlier entries of the author are still missing (kept; ask for them).
    AfterGap,
    /// Already had it.
    Repeat,
}

/// Every author's log of one room, as this member has it.
#[derive(Debug, Clone, Default)]
pub struct Logs {
    room: [u8; 16],
    by_author: BTreeMap<MemberKey, BTreeMap<u64, Entry>>,
}

impl Logs {
    /// Empty logs for `room`.
    pub fn new(room: [u8; 16]) -> Self {
        Self {
            room,
            by_author: BTreeMap::new(),
        }
    }

    /// Writes our next post (already sealed) into our own log.
    pub fn write(&mut self, by: &Identity, epoch: u64, body: Vec<u8>) -> Result<Entry, RoomError> {
        if body.len() > MAX_BODY_BYTES {
            return Err(RoomError::Malformed("the post is too large".into()));
        }
        let author = by.public_key();
        let (seq, prev) = match self.by_author.get(&author).and_then(|l| l.last_key_value()) {
            Some((seq, last)) => (seq + 1, last.hash()),
            None => (1, [0; 32]),
        };
        let mut entry = Entry {
            room: self.room,
            author,
            seq,
            prev,
            epoch,
            body,
            sig: [0; SIGNATURE_LEN],
        };
        entry.sig = by.sign(&signed_bytes(&entry));
        self.add(entry.clone())?;
        Ok(entry)
    }

    /// Takes in an entry from anyone: the author's signature, the room, and the chain
    /// with the neighbours already held are checked. A different entry at a sequence
    /// number already held (a fork) is refused.
    pub fn add(&mut self, entry: Entry) -> Result<Added, RoomError> {
        if entry.room != self.room || entry.seq == 0 || entry.body.len() > MAX_BODY_BYTES {
            return Err(RoomError::Malformed("not an entry of this room".into()));
        }
        if !identity::verify(&entry.author, &signed_bytes(&entry), &entry.sig) {
            return Err(RoomError::BadSignature);
        }
        let log = self.by_author.entry(entry.author).or_default();
        if let Some(held) = log.get(&entry.seq) {
            return if held.hash() == entry.hash() {
                Ok(Added::Repeat)
            } else {
                Err(RoomError::Fork)
            };
        }
        let prev_ok = match entry.seq {
            1 => entry.prev == [0; 32],
            n => log.get(&(n - 1)).is_none_or(|p| p.hash() == entry.prev),
        };
        let next_ok = log
            .get(&(entry.seq + 1))
            .is_none_or(|next| next.prev == entry.hash());
        if !prev_ok || !next_ok {
            return Err(RoomError::Fork);
        }
        let complete = (1..entry.seq).all(|s| log.contains_key(&s));
        log.insert(entry.seq, entry);
        Ok(if complete {
            Added::New
        } else {
            Added::AfterGap
        })
    }

    /// How far each author's log is complete (no gaps from 1).
    pub fn heights(&self) -> BTreeMap<MemberKey, u64> {
        self.by_author
            .iter()
            .map(|(author, log)| {
                let mut h = 0;
                while log.contains_key(&(h + 1)) {
                    h += 1;
                }
                (*author, h)
            })
            .filter(|(_, h)| *h > 0)
            .collect()
    }

    /// What someone at `theirs` lacks of what we hold, oldest first per author, at
    /// most `limit` entries (they ask again for the rest).
    pub fn missing_for(&self, theirs: &BTreeMap<MemberKey, u64>, limit: usize) -> Vec<Entry> {
        let mut out = Vec::new();
        for (author, log) in &self.by_author {
            let have = theirs.get(author).copied().unwrap_or(0);
            for entry in log.range(have + 1..).map(|(_, e)| e) {
                if out.len() >= limit {
                    return out;
                }
                out.push(entry.clone());
            }
        }
        out
    }

    /// One author's entries held, in order.
    pub fn entries_of(&self, author: &MemberKey) -> Vec<Entry> {
        self.by_author
            .get(author)
            .map(|l| l.values().cloned().collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_gaps_forks_and_forgeries() {
        let (ana, ben) = (Identity::generate(), Identity::generate());
        let mut anas = Logs::new([1; 16]);
        let posts: Vec<Entry> = (0..4)
            .map(|i| anas.write(&ana, 0, vec![i]).unwrap())
            .collect();
        let mut bens = Logs::new([1; 16]);
        // Out of order: a gap, then filled.
        assert_eq!(bens.add(posts[2].clone()).unwrap(), Added::AfterGap);
        assert_eq!(bens.add(posts[0].clone()).unwrap(), Added::New);
        assert_eq!(bens.heights()[&ana.public_key()], 1);
        assert_eq!(bens.add(posts[1].clone()).unwrap(), Added::New);
        assert_eq!(bens.heights()[&ana.public_key()], 3);
        assert_eq!(bens.add(posts[1].clone()).unwrap(), Added::Repeat);
        // Ben cannot post as Ana.
        let mut forged = posts[3].clone();
        forged.body = b"Ana never said this".to_vec();
        assert_eq!(bens.add(forged).unwrap_err(), RoomError::BadSignature);
        let mut as_ana = Logs::new([1; 16]);
        let mut fake = as_ana.write(&ben, 0, vec![9]).unwrap();
        fake.author = ana.public_key();
        assert_eq!(bens.add(fake).unwrap_err(), RoomError::BadSignature);
        // Ana signing two different 4th posts (a fork) is refused.
        let mut other = Logs::new([1; 16]);
        for p in &posts[..3] {
            other.add(p.clone()).unwrap();
        }
        let fork = other.write(&ana, 0, vec![42]).unwrap();
        bens.add(posts[3].clone()).unwrap();
        assert_eq!(bens.add(fork).unwrap_err(), RoomError::Fork);
    }

    #[test]
    fn catch_up_sends_only_what_is_missing_bounded() {
        let (ana, ben) = (Identity::generate(), Identity::generate());
        let mut full = Logs::new([2; 16]);
        for i in 0..10 {
            full.write(&ana, 0, vec![i]).unwrap();
        }
        for i in 0..5 {
            full.write(&ben, 0, vec![i]).unwrap();
        }
        let mut late = Logs::new([2; 16]);
        for e in full.missing_for(&BTreeMap::new(), 3) {
            late.add(e).unwrap();
        }
        assert_eq!(late.heights().values().sum::<u64>(), 3);
        // Round trips until caught up, each bounded.
        let mut rounds = 1;
        loop {
            let batch = full.missing_for(&late.heights(), 3);
            if batch.is_empty() {
                break;
            }
            for e in batch {
                late.add(e).unwrap();
            }
            rounds += 1;
        }
        assert_eq!(late.heights(), full.heights());
        assert_eq!(rounds, 5, "15 entries, 3 per round");
    }
}
