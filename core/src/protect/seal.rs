//! XChaCha20-Poly1305 sealing for the parts of a code that must stay secret.
//!
//! 24-byte random nonces, so a key may safely seal more than once; every clear byte
//! of a code is bound in as associated data, so nothing in clear can be changed.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

/// Bytes the AEAD tag adds.
pub const TAG_LEN: usize = 16;
/// Length of an XChaCha20 nonce.
pub const NONCE_LEN: usize = 24;

/// Seals `plaintext`, binding `aad`.
pub fn seal(key: &[u8; 32], nonce: &[u8; NONCE_LEN], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    XChaCha20Poly1305::new(key.into())
        .encrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory buffers")
}

/// Opens a sealed box; `None` if the key, nonce, associated data or bytes differ.
pub fn open(key: &[u8; 32], nonce: &[u8; NONCE_LEN], aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    XChaCha20Poly1305::new(key.into())
        .decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad })
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tampering_anywhere_fails() {
        let key = [3u8; 32];
        let nonce = [4u8; NONCE_LEN];
        let sealed = seal(&key, &nonce, b"header", b"secret");
        assert_eq!(sealed.len(), 6 + TAG_LEN);
        assert_eq!(open(&key, &nonce, b"header", &sealed).unwrap(), b"secret");
        assert!(open(&key, &nonce, b"headex", &sealed).is_none());
        assert!(open(&[5u8; 32], &nonce, b"header", &sealed).is_none());
        let mut flipped = sealed.clone();
        flipped[0] ^= 1;
        assert!(open(&key, &nonce, b"header", &flipped).is_none());
        assert!(open(&key, &nonce, b"header", &sealed[..4]).is_none());
    }
}
