//! Protection of the exchange: answer normalisation, Argon2id hardening, SPAKE2,
//! sealing with XChaCha20-Poly1305 and key confirmation.
