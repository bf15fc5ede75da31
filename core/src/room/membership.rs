//! Who is in a room: signed operations replayed in one agreed order, so every member
//! converges on the same membership whatever order the operations arrived in.
//!
//! Each operation carries a Lamport clock (one more than the highest its author had
//! seen) and is signed by its author. The membership is the replay of every known
//! operation sorted by `(clock, author key, operation hash)`; an operation counts only
//! if its author had the right to make it at that point of the replay (an admin, or
//! the creator for the first one). Two members holding the same set of operations
//! compute the same members and admins, and the set only grows, so they converge.
//! Concurrent changes resolve by that order: an admin removed "before" (in the order)
//! an add they made has that add ignored, on every device.

use std::collections::{BTreeMap, BTreeSet};

use sha2::{Digest, Sha256};

use super::RoomError;
use crate::identity::{self, Identity, PUBLIC_KEY_LEN, SIGNATURE_LEN};

/// A member's identity key.
pub type MemberKey = [u8; PUBLIC_KEY_LEN];

/// What an operation does.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// The room is made; its author is the first member and admin.
    Create {
        /// The room's name.
        name: String,
    },
    /// Adds a member (an admin's right).
    Add(MemberKey),
    /// Removes a member (an admin's right; anyone may remove themselves: leaving).
    Remove(MemberKey),
    /// Makes a member an admin (an admin's right).
    Promote(MemberKey),
}

/// One signed membership operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// The room.
    pub room: [u8; 16],
    /// Lamport clock.
    pub clock: u64,
    /// Who made it.
    pub author: MemberKey,
    /// What it does.
    pub change: Change,
    /// The author's signature over everything above.
    pub sig: [u8; SIGNATURE_LEN],
}

/// Longest room name, in bytes.
pub const MAX_NAME_BYTES: usize = 128;

fn signed_bytes(room: &[u8; 16], clock: u64, author: &MemberKey, change: &Change) -> Vec<u8> {
    let mut out = b"tincan room op v1\0".to_vec();
    out.extend_from_slice(room);
    out.extend_from_slice(&clock.to_be_bytes());
    out.extend_from_slice(author);
    match change {
        Change::Create { name } => {
            out.push(0);
            out.extend_from_slice(name.as_bytes());
        }
        Change::Add(k) => {
            out.push(1);
            out.extend_from_slice(k);
        }
        Change::Remove(k) => {
            out.push(2);
            out.extend_from_slice(k);
        }
        Change::Promote(k) => {
            out.push(3);
            out.extend_from_slice(k);
        }
    }
    out
}

impl Operation {
    /// Makes and signs an operation.
    pub fn sign(room: [u8; 16], clock: u64, change: Change, by: &Identity) -> Self {
        let author = by.public_key();
        let sig = by.sign(&signed_bytes(&room, clock, &author, &change));
        Self {
            room,
            clock,
            author,
            change,
            sig,
        }
    }

    /// Whether the signature is the author's and the operation is well formed.
    pub fn verify(&self) -> Result<(), RoomError> {
        if let Change::Create { name } = &self.change {
            if name.is_empty() || name.len() > MAX_NAME_BYTES {
                return Err(RoomError::Malformed("a room name of 1 to 128 bytes".into()));
            }
        }
        let bytes = signed_bytes(&self.room, self.clock, &self.author, &self.change);
        if identity::verify(&self.author, &bytes, &self.sig) {
            Ok(())
        } else {
            Err(RoomError::BadSignature)
        }
    }

    /// Its hash: identifies it and breaks ties in the order.
    pub fn hash(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(signed_bytes(
            &self.room,
            self.clock,
            &self.author,
            &self.change,
        ));
        h.update(self.sig);
        h.finalize().into()
    }

    fn order_key(&self) -> (u64, MemberKey, [u8; 32]) {
        (self.clock, self.author, self.hash())
    }
}

/// A room's membership as every member computes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Membership {
    /// The room's name (from its creation).
    pub name: Option<String>,
    /// Current members.
    pub members: BTreeSet<MemberKey>,
    /// Current admins (always members).
    pub admins: BTreeSet<MemberKey>,
    /// How many times someone was removed: each removal starts a new key epoch.
    pub epoch: u64,
}

/// The operations a member knows of one room, and what they mean.
#[derive(Debug, Clone)]
pub struct RoomState {
    room: [u8; 16],
    ops: BTreeMap<[u8; 32], Operation>,
    clock: u64,
}

impl RoomState {
    /// An empty state for `room` (operations arrive with [`RoomState::apply`]).
    pub fn new(room: [u8; 16]) -> Self {
        Self {
            room,
            ops: BTreeMap::new(),
            clock: 0,
        }
    }

    /// Creates a room made by `creator`, named `name`.
    pub fn create(room: [u8; 16], name: &str, creator: &Identity) -> Result<Self, RoomError> {
        let mut state = Self::new(room);
        let op = Operation::sign(room, 1, Change::Create { name: name.into() }, creator);
        state.apply(op)?;
        Ok(state)
    }

    /// Takes in an operation from anyone (checked; a repeat changes nothing). Returns
    /// whether it was new.
    pub fn apply(&mut self, op: Operation) -> Result<bool, RoomError> {
        if op.room != self.room {
            return Err(RoomError::Malformed("an operation of another room".into()));
        }
        op.verify()?;
        let hash = op.hash();
        if self.ops.contains_key(&hash) {
            return Ok(false);
        }
        self.clock = self.clock.max(op.clock);
        self.ops.insert(hash, op);
        Ok(true)
    }

    /// Makes, signs and applies a change by `by`. Refused (nothing recorded) when `by`
    /// has not the right to make it now.
    pub fn change(&mut self, change: Change, by: &Identity) -> Result<Operation, RoomError> {
        let now = self.membership();
        let author = by.public_key();
        if !allowed(&now, &author, &change) {
            return Err(RoomError::NotAllowed);
        }
        let op = Operation::sign(self.room, self.clock + 1, change, by);
        self.apply(op.clone())?;
        Ok(op)
    }

    /// Every operation known, in the agreed order (to send to another member).
    pub fn operations(&self) -> Vec<Operation> {
        let mut ops: Vec<Operation> = self.ops.values().cloned().collect();
        ops.sort_by_key(Operation::order_key);
        ops
    }

    /// For someone removed and not added back: the operations up to and including
    /// their removal, so a member who meets them later can tell them they are out
    /// without showing them what changed after. `None` for members and strangers.
    pub fn operations_until_removed(&self, key: &MemberKey) -> Option<Vec<Operation>> {
        let ops = self.operations();
        let mut m = Membership::default();
        let mut removed_at = None;
        for (i, op) in ops.iter().enumerate() {
            if !allowed(&m, &op.author, &op.change) {
                continue;
            }
            apply_change(&mut m, op);
            if op.change == Change::Remove(*key) {
                removed_at = Some(i);
            }
        }
        if m.members.contains(key) {
            return None;
        }
        removed_at.map(|i| ops[..=i].to_vec())
    }

    /// The membership: every operation replayed in the agreed order.
    pub fn membership(&self) -> Membership {
        let mut m = Membership::default();
        for op in self.operations() {
            if !allowed(&m, &op.author, &op.change) {
                continue;
            }
            apply_change(&mut m, &op);
        }
        m
    }
}

/// One allowed operation's effect on the membership.
fn apply_change(m: &mut Membership, op: &Operation) {
    match &op.change {
        Change::Create { name } => {
            m.name = Some(name.clone());
            m.members.insert(op.author);
            m.admins.insert(op.author);
        }
        Change::Add(k) => {
            m.members.insert(*k);
        }
        Change::Remove(k) => {
            m.members.remove(k);
            m.admins.remove(k);
            m.epoch += 1;
        }
        Change::Promote(k) => {
            m.admins.insert(*k);
        }
    }
}

/// Whether `author` may make `change` in membership `m`.
fn allowed(m: &Membership, author: &MemberKey, change: &Change) -> bool {
    match change {
        Change::Create { .. } => m.name.is_none() && m.members.is_empty(),
        Change::Add(k) => m.admins.contains(author) && !m.members.contains(k),
        Change::Remove(k) => m.members.contains(k) && (m.admins.contains(author) || author == k),
        Change::Promote(k) => {
            m.admins.contains(author) && m.members.contains(k) && !m.admins.contains(k)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people(n: usize) -> Vec<Identity> {
        (0..n).map(|_| Identity::generate()).collect()
    }

    #[test]
    fn a_removed_member_is_given_the_operations_up_to_their_removal_only() {
        let p = people(4);
        let mut room = RoomState::create([1; 16], "Knitting club", &p[0]).unwrap();
        let dan = p[3].public_key();
        room.change(Change::Add(p[1].public_key()), &p[0]).unwrap();
        room.change(Change::Add(dan), &p[0]).unwrap();
        assert_eq!(room.operations_until_removed(&dan), None, "a member");
        let removal = room.change(Change::Remove(dan), &p[0]).unwrap();
        room.change(Change::Add(p[2].public_key()), &p[0]).unwrap();
        let told = room.operations_until_removed(&dan).unwrap();
        assert_eq!(told.last(), Some(&removal), "ends with the removal");
        assert_eq!(told.len(), 4, "nothing after it");
        let mut theirs = RoomState::new([1; 16]);
        for op in told {
            theirs.apply(op).unwrap();
        }
        assert!(!theirs.membership().members.contains(&dan));
        assert_eq!(room.operations_until_removed(&p[2].public_key()), None);
        room.change(Change::Add(dan), &p[0]).unwrap();
        assert_eq!(room.operations_until_removed(&dan), None, "added back");
    }

    #[test]
    fn members_are_added_and_removed_by_admins_only() {
        let p = people(4);
        let mut room = RoomState::create([1; 16], "Knitting club", &p[0]).unwrap();
        room.change(Change::Add(p[1].public_key()), &p[0]).unwrap();
        // Not an admin: refused.
        assert_eq!(
            room.change(Change::Add(p[2].public_key()), &p[1])
                .unwrap_err(),
            RoomError::NotAllowed
        );
        room.change(Change::Promote(p[1].public_key()), &p[0])
            .unwrap();
        room.change(Change::Add(p[2].public_key()), &p[1]).unwrap();
        // Anyone may leave.
        room.change(Change::Remove(p[2].public_key()), &p[2])
            .unwrap();
        let m = room.membership();
        assert_eq!(m.name.as_deref(), Some("Knitting club"));
        assert_eq!(m.members.len(), 2);
        assert_eq!(m.admins.len(), 2);
        assert_eq!(m.epoch, 1);
        // A forged or foreign operation is refused.
        let mut forged = Operation::sign([1; 16], 9, Change::Add(p[3].public_key()), &p[3]);
        forged.author = p[0].public_key();
        assert_eq!(room.apply(forged).unwrap_err(), RoomError::BadSignature);
        let foreign = Operation::sign([2; 16], 9, Change::Add(p[3].public_key()), &p[0]);
        assert!(room.apply(foreign).is_err());
        // A non-admin's operation applied from outside is recorded but does nothing.
        let sneaky = Operation::sign([1; 16], 20, Change::Add(p[3].public_key()), &p[3]);
        room.apply(sneaky).unwrap();
        assert!(!room.membership().members.contains(&p[3].public_key()));
    }

    #[test]
    fn every_arrival_order_gives_the_same_membership() {
        let p = people(5);
        let mut a = RoomState::create([7; 16], "Family", &p[0]).unwrap();
        for k in 1..4 {
            a.change(Change::Add(p[k].public_key()), &p[0]).unwrap();
        }
        a.change(Change::Promote(p[1].public_key()), &p[0]).unwrap();
        // Two admins act concurrently from the same state: p0 removes p1 while p1
        // adds p4 and removes p2.
        let mut b = a.clone();
        a.change(Change::Remove(p[1].public_key()), &p[0]).unwrap();
        b.change(Change::Add(p[4].public_key()), &p[1]).unwrap();
        b.change(Change::Remove(p[2].public_key()), &p[1]).unwrap();
        let mut all = a.operations();
        all.extend(b.operations());
        // Apply in many orders; every member ends the same.
        let expected = {
            let mut s = RoomState::new([7; 16]);
            for op in all.clone() {
                s.apply(op).unwrap();
            }
            s.membership()
        };
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..50 {
            let mut order = all.clone();
            for i in (1..order.len()).rev() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                order.swap(i, (seed % (i as u64 + 1)) as usize);
            }
            let mut s = RoomState::new([7; 16]);
            for op in order {
                s.apply(op.clone()).unwrap();
                s.apply(op).unwrap(); // repeats change nothing
            }
            assert_eq!(s.membership(), expected);
        }
        assert!(!expected.members.contains(&p[1].public_key()));
    }
}
