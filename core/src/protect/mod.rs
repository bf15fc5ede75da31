//! Protection of the exchange: answer normalisation, Argon2id hardening, SPAKE2,
//! sealing with XChaCha20-Poly1305, the key schedule and key confirmation.
//!
//! Why this shape (SPAKE2 over an Argon2id-hardened answer, rather than sealing the
//! codes under the answer) is written down in `docs/SECURITY.md`.

pub mod argon;
pub mod keys;
pub mod normalize;
pub mod pake;
pub mod seal;
pub mod strength;
