//! Room posts are encrypted end to end with sender keys: each member has, per key
//! epoch, a random chain key of its own, given to every current member sealed to
//! their identity key (`KeyGift`). A post's key is derived from the author's chain key
//! and the post's sequence number; the post is sealed with XChaCha20-Poly1305, bound to
//! room, author, epoch and sequence.
//!
//! A removal starts a new epoch (`Membership::epoch`): every remaining member makes a
//! new chain key and gives it only to the members shown now. So a removed member can
//! still read what was posted in the epochs it was given keys for (it held those keys;
//! nothing can take them back), and nothing posted under a later epoch. A post written
//! concurrently with the removal, by a member who had not yet seen it, is still under
//! the old epoch: the removed member could read it if someone passed it on. There is
//! no ratchet within an epoch: whoever obtains a member's chain key for an epoch reads
//! that member's posts of the whole epoch.

use std::collections::BTreeMap;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use rand_core::CryptoRngCore;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::membership::MemberKey;
use super::RoomError;
use crate::identity::Identity;
use crate::intro::seal::{open_with, seal_to};

/// One member's chain keys, by epoch, and those given to it by the others.
#[derive(Default)]
pub struct KeyRing {
    own: BTreeMap<u64, Zeroizing<[u8; 32]>>,
    given: BTreeMap<(MemberKey, u64), Zeroizing<[u8; 32]>>,
}

fn gift_aad(room: &[u8; 16], author: &MemberKey, epoch: u64) -> Vec<u8> {
    let mut aad = b"tincan room key v1\0".to_vec();
    aad.extend_from_slice(room);
    aad.extend_from_slice(author);
    aad.extend_from_slice(&epoch.to_be_bytes());
    aad
}

fn post_aad(room: &[u8; 16], author: &MemberKey, epoch: u64, seq: u64) -> Vec<u8> {
    let mut aad = b"tincan room post key v1\0".to_vec();
    aad.extend_from_slice(room);
    aad.extend_from_slice(author);
    aad.extend_from_slice(&epoch.to_be_bytes());
    aad.extend_from_slice(&seq.to_be_bytes());
    aad
}

fn post_key(chain: &[u8; 32], seq: u64) -> Zeroizing<[u8; 32]> {
    let mut key = Zeroizing::new([0u8; 32]);
    let mut info = b"tincan room post v1".to_vec();
    info.extend_from_slice(&seq.to_be_bytes());
    // A 32-byte output is always within HKDF-SHA256's limit.
    let _ = Hkdf::<Sha256>::new(None, chain).expand(&info, key.as_mut());
    key
}

/// A key ring as the secret store keeps it (hex keys).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct SavedRing {
    own: Vec<(u64, String)>,
    given: Vec<(String, u64, String)>,
}

fn hex(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(bytes)
}

fn unhex32(s: &str) -> Option<[u8; 32]> {
    data_encoding::HEXLOWER
        .decode(s.as_bytes())
        .ok()?
        .try_into()
        .ok()
}

impl KeyRing {
    /// What to keep in the secret store.
    pub fn save(&self) -> SavedRing {
        SavedRing {
            own: self
                .own
                .iter()
                .map(|(e, k)| (*e, hex(k.as_ref())))
                .collect(),
            given: self
                .given
                .iter()
                .map(|((a, e), k)| (hex(a), *e, hex(k.as_ref())))
                .collect(),
        }
    }

    /// The ring kept by [`KeyRing::save`]; unreadable entries are skipped.
    pub fn restore(saved: &SavedRing) -> Self {
        let mut ring = KeyRing::default();
        for (epoch, k) in &saved.own {
            if let Some(k) = unhex32(k) {
                ring.own.insert(*epoch, Zeroizing::new(k));
            }
        }
        for (author, epoch, k) in &saved.given {
            if let (Some(a), Some(k)) = (unhex32(author), unhex32(k)) {
                ring.given.insert((a, *epoch), Zeroizing::new(k));
            }
        }
        ring
    }

    /// Whether we made our chain key for `epoch` (and so gave it out).
    pub fn has_own(&self, epoch: u64) -> bool {
        self.own.contains_key(&epoch)
    }

    /// Our chain key for `epoch`, made on first use.
    fn own_chain(&mut self, epoch: u64, rng: &mut impl CryptoRngCore) -> Zeroizing<[u8; 32]> {
        self.own
            .entry(epoch)
            .or_insert_with(|| {
                let mut k = Zeroizing::new([0u8; 32]);
                rng.fill_bytes(k.as_mut());
                k
            })
            .clone()
    }

    /// Our chain key for `epoch`, sealed to member `to` (give one to every member
    /// shown in that epoch, and only to them).
    pub fn gift(
        &mut self,
        room: &[u8; 16],
        by: &Identity,
        epoch: u64,
        to: &MemberKey,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Vec<u8>, RoomError> {
        let chain = self.own_chain(epoch, rng);
        seal_to(
            to,
            &gift_aad(room, &by.public_key(), epoch),
            chain.as_ref(),
            rng,
        )
        .map_err(|e| RoomError::Malformed(e.to_string()))
    }

    /// Takes in a chain key `author` gave us for `epoch`.
    pub fn accept_gift(
        &mut self,
        room: &[u8; 16],
        me: &Identity,
        author: &MemberKey,
        epoch: u64,
        sealed: &[u8],
    ) -> Result<(), RoomError> {
        let chain =
            open_with(me, &gift_aad(room, author, epoch), sealed).map_err(|_| RoomError::NoKey)?;
        let chain: [u8; 32] = chain.try_into().map_err(|_| RoomError::NoKey)?;
        self.given.insert((*author, epoch), Zeroizing::new(chain));
        Ok(())
    }

    /// Seals our post number `seq` for `epoch`.
    pub fn seal_post(
        &mut self,
        room: &[u8; 16],
        by: &Identity,
        epoch: u64,
        seq: u64,
        text: &[u8],
        rng: &mut impl CryptoRngCore,
    ) -> Vec<u8> {
        let chain = self.own_chain(epoch, rng);
        let key = post_key(&chain, seq);
        let mut nonce = [0u8; 24];
        rng.fill_bytes(&mut nonce);
        let aad = post_aad(room, &by.public_key(), epoch, seq);
        let sealed = XChaCha20Poly1305::new(key.as_ref().into())
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: text,
                    aad: &aad,
                },
            )
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        out
    }

    /// Opens `author`'s post number `seq` of `epoch`; [`RoomError::NoKey`] without
    /// that author's key for that epoch.
    pub fn open_post(
        &self,
        room: &[u8; 16],
        me: &Identity,
        author: &MemberKey,
        epoch: u64,
        seq: u64,
        sealed: &[u8],
    ) -> Result<Vec<u8>, RoomError> {
        let chain = if *author == me.public_key() {
            self.own.get(&epoch)
        } else {
            self.given.get(&(*author, epoch))
        }
        .ok_or(RoomError::NoKey)?;
        if sealed.len() < 24 {
            return Err(RoomError::Malformed("a post too short".into()));
        }
        let (nonce, body) = sealed.split_at(24);
        let key = post_key(chain, seq);
        XChaCha20Poly1305::new(key.as_ref().into())
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: &post_aad(room, author, epoch, seq),
                },
            )
            .map_err(|_| RoomError::NoKey)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::OsRng;

    #[test]
    fn members_read_each_other_and_a_removed_member_reads_nothing_new() {
        let room = [5u8; 16];
        let (ana, ben, cleo) = (
            Identity::generate(),
            Identity::generate(),
            Identity::generate(),
        );
        let (mut a, mut b, mut c) = (KeyRing::default(), KeyRing::default(), KeyRing::default());
        // Epoch 0: all three; Ana gives her key to Ben and Cleo.
        for (ring, who) in [(&mut b, &ben), (&mut c, &cleo)] {
            let gift = a
                .gift(&room, &ana, 0, &who.public_key(), &mut OsRng)
                .unwrap();
            ring.accept_gift(&room, who, &ana.public_key(), 0, &gift)
                .unwrap();
        }
        let post = a.seal_post(&room, &ana, 0, 1, b"hello all", &mut OsRng);
        for (ring, who) in [(&b, &ben), (&c, &cleo)] {
            let text = ring
                .open_post(&room, who, &ana.public_key(), 0, 1, &post)
                .unwrap();
            assert_eq!(text, b"hello all");
        }
        assert_eq!(
            a.open_post(&room, &ana, &ana.public_key(), 0, 1, &post)
                .unwrap(),
            b"hello all"
        );
        // Bound to its place: not valid as another sequence number or author.
        assert!(b
            .open_post(&room, &ben, &ana.public_key(), 0, 2, &post)
            .is_err());
        assert!(b
            .open_post(&room, &ben, &cleo.public_key(), 0, 1, &post)
            .is_err());
        // Cleo is removed: epoch 1 keys go to Ben only.
        let gift = a
            .gift(&room, &ana, 1, &ben.public_key(), &mut OsRng)
            .unwrap();
        b.accept_gift(&room, &ben, &ana.public_key(), 1, &gift)
            .unwrap();
        assert!(
            c.accept_gift(&room, &cleo, &ana.public_key(), 1, &gift)
                .is_err(),
            "a gift sealed to Ben is useless to Cleo"
        );
        let after = a.seal_post(&room, &ana, 1, 2, b"after Cleo left", &mut OsRng);
        assert_eq!(
            b.open_post(&room, &ben, &ana.public_key(), 1, 2, &after)
                .unwrap(),
            b"after Cleo left"
        );
        assert_eq!(
            c.open_post(&room, &cleo, &ana.public_key(), 1, 2, &after)
                .unwrap_err(),
            RoomError::NoKey
        );
        // What Cleo was given before, she still reads.
        assert!(c
            .open_post(&room, &cleo, &ana.public_key(), 0, 1, &post)
            .is_ok());
    }
}
