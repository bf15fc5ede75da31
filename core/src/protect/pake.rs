//! SPAKE2 (Ed25519) between inviter and joiner, with the hardened answer as password.
//!
//! The `spake2` crate's state cannot be serialised, but an invite must survive an app
//! restart. So the inviter's secret scalar comes from a persisted 32-byte seed: the
//! state is rebuilt from (password, seed) whenever a reply arrives. Messages travel
//! without the crate's one-byte side tag (the side is implied by the code kind).

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rand_core::CryptoRngCore;
use spake2::{Ed25519Group, Identity, Password, Spake2};
use zeroize::Zeroizing;

use crate::CodeError;

/// A SPAKE2 message without its side tag.
pub type PakeMessage = [u8; 32];

const INVITER_IDENTITY: &[u8] = b"tincan/v1 inviter";
const JOINER_IDENTITY: &[u8] = b"tincan/v1 joiner";
const SIDE_A: u8 = b'A';
const SIDE_B: u8 = b'B';

fn start_inviter(password: &[u8; 32], seed: &[u8; 32]) -> (Spake2<Ed25519Group>, Vec<u8>) {
    Spake2::<Ed25519Group>::start_a_with_rng(
        &Password::new(password),
        &Identity::new(INVITER_IDENTITY),
        &Identity::new(JOINER_IDENTITY),
        ChaCha20Rng::from_seed(*seed),
    )
}

fn untag(msg: &[u8]) -> PakeMessage {
    let mut out = [0u8; 32];
    out.copy_from_slice(&msg[1..33]);
    out
}

fn tagged(side: u8, msg: &PakeMessage) -> [u8; 33] {
    let mut out = [0u8; 33];
    out[0] = side;
    out[1..].copy_from_slice(msg);
    out
}

fn key_from(result: Result<Vec<u8>, spake2::Error>) -> Result<Zeroizing<[u8; 32]>, CodeError> {
    let key = result.map_err(|_| CodeError::Damaged {
        reason: "the key-exchange message is not a valid curve point".into(),
    })?;
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(&key[..32]);
    Ok(out)
}

/// The inviter's half, rebuildable from what the invite store persists.
pub struct InviterPake {
    password: Zeroizing<[u8; 32]>,
    seed: Zeroizing<[u8; 32]>,
}

impl InviterPake {
    /// Rebuilds the inviter's half from its password and seed.
    pub fn new(password: Zeroizing<[u8; 32]>, seed: Zeroizing<[u8; 32]>) -> Self {
        Self { password, seed }
    }

    /// The message that goes into the invite.
    pub fn message(&self) -> PakeMessage {
        untag(&start_inviter(&self.password, &self.seed).1)
    }

    /// The shared key for one joiner message. Each call is one online guess for
    /// whoever made that message; the caller limits the number of attempts.
    pub fn finish(&self, joiner_message: &PakeMessage) -> Result<Zeroizing<[u8; 32]>, CodeError> {
        let (state, _) = start_inviter(&self.password, &self.seed);
        key_from(state.finish(&tagged(SIDE_B, joiner_message)))
    }
}

/// The joiner's whole side: its message and the shared key.
pub fn joiner_exchange(
    password: &[u8; 32],
    inviter_message: &PakeMessage,
    rng: &mut impl CryptoRngCore,
) -> Result<(PakeMessage, Zeroizing<[u8; 32]>), CodeError> {
    let (state, msg) = Spake2::<Ed25519Group>::start_b_with_rng(
        &Password::new(password),
        &Identity::new(INVITER_IDENTITY),
        &Identity::new(JOINER_IDENTITY),
        rng,
    );
    let key = key_from(state.finish(&tagged(SIDE_A, inviter_message)))?;
    Ok((untag(&msg), key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inviter(pw: u8) -> InviterPake {
        InviterPake::new(Zeroizing::new([pw; 32]), Zeroizing::new([7; 32]))
    }

    #[test]
    fn same_password_same_key_and_rebuild_is_stable() {
        let a = inviter(1);
        assert_eq!(a.message(), inviter(1).message(), "seeded state rebuilds");
        let mut rng = ChaCha20Rng::from_seed([9; 32]);
        let (msg_b, key_b) = joiner_exchange(&[1; 32], &a.message(), &mut rng).unwrap();
        assert_eq!(*a.finish(&msg_b).unwrap(), *key_b);
    }

    #[test]
    fn different_password_different_key() {
        let a = inviter(1);
        let mut rng = ChaCha20Rng::from_seed([9; 32]);
        let (msg_b, key_b) = joiner_exchange(&[2; 32], &a.message(), &mut rng).unwrap();
        assert_ne!(*a.finish(&msg_b).unwrap(), *key_b);
    }

    #[test]
    fn garbage_message_is_an_error_not_a_panic() {
        let a = inviter(1);
        // Not every 32-byte string is a point on the curve.
        let results: Vec<_> = (0u8..=255).map(|b| a.finish(&[b; 32]).is_err()).collect();
        assert!(results.iter().any(|e| *e));
    }
}
