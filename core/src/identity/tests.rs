//! Identity keys, their storage, and safety numbers — including known-answer vectors
//! computed independently of this code (RFC 8032 for signatures; the safety number
//! with Python's hashlib following the derivation in `safety.rs`).

#![allow(clippy::unwrap_used, clippy::panic)]

use super::*;
use crate::secrets::{MemorySecretStore, SecretStoreError};

fn hex32(s: &str) -> [u8; 32] {
    data_encoding::HEXLOWER
        .decode(s.as_bytes())
        .unwrap()
        .try_into()
        .unwrap()
}

/// RFC 8032 §7.1, test 1.
const RFC_SECRET_1: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const RFC_PUBLIC_1: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
const RFC_SIG_1: &str = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
/// RFC 8032 §7.1, test 2 (public key only).
const RFC_PUBLIC_2: &str = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";

#[test]
fn signatures_match_rfc_8032() {
    let id = Identity::from_secret_bytes(&hex32(RFC_SECRET_1));
    assert_eq!(id.public_key(), hex32(RFC_PUBLIC_1));
    let sig = id.sign(b"");
    assert_eq!(data_encoding::HEXLOWER.encode(&sig), RFC_SIG_1);
    assert!(verify(&id.public_key(), b"", &sig));
}

#[test]
fn verify_refuses_wrong_and_malformed_input_without_panicking() {
    let id = Identity::generate();
    let other = Identity::generate();
    let msg = b"bind me to this DTLS session";
    let sig = id.sign(msg);
    assert!(verify(&id.public_key(), msg, &sig));
    assert!(!verify(&id.public_key(), b"another message", &sig));
    assert!(!verify(&other.public_key(), msg, &sig));
    let mut flipped = sig;
    flipped[10] ^= 1;
    assert!(!verify(&id.public_key(), msg, &flipped));
    // Wrong lengths.
    assert!(!verify(&id.public_key(), msg, &[]));
    assert!(!verify(&id.public_key(), msg, &sig[..63]));
    assert!(!verify(
        &id.public_key(),
        msg,
        &[sig.as_slice(), &[0]].concat()
    ));
    // Not a curve point (y = 2 has no x on Ed25519), and a small-order point (the
    // identity element) that strict verification must refuse.
    let mut not_a_point = [0u8; 32];
    not_a_point[0] = 2;
    assert!(!verify(&not_a_point, msg, &sig));
    let mut identity_point = [0u8; 32];
    identity_point[0] = 1;
    assert!(!verify(&identity_point, msg, &sig));
    // Non-canonical S (all ones) is refused, not wrapped around.
    let mut big_s = sig;
    big_s[32..].fill(0xff);
    assert!(!verify(&id.public_key(), msg, &big_s));
    // Garbage of every length up to 70 bytes, for both key and signature.
    for len in 0..70u8 {
        let junk: Vec<u8> = (0..len).map(|i| i.wrapping_mul(37)).collect();
        let key: [u8; 32] = std::array::from_fn(|i| len.wrapping_add(i as u8));
        assert!(!verify(&key, msg, &junk));
    }
}

#[test]
fn load_or_create_creates_once_then_loads_the_same_key() {
    let store = MemorySecretStore::default();
    let (first, created) = Identity::load_or_create(&store).unwrap();
    assert!(created);
    let (again, created_again) = Identity::load_or_create(&store).unwrap();
    assert!(!created_again);
    assert_eq!(first.public_key(), again.public_key());
    let stored = store.get(IDENTITY_SECRET_KEY).unwrap().unwrap();
    assert_eq!(stored.len(), 32);
    assert_eq!(
        Identity::from_secret_bytes(&stored.try_into().unwrap()).public_key(),
        first.public_key()
    );
    // Another device (store) gets another identity.
    let (other, _) = Identity::load_or_create(&MemorySecretStore::default()).unwrap();
    assert_ne!(other.public_key(), first.public_key());
}

#[test]
fn a_damaged_stored_key_is_an_error_and_is_left_untouched() {
    for damaged in [&b""[..], &[7u8; 31], &[7u8; 33], &[7u8; 64]] {
        let store = MemorySecretStore::default();
        store.put(IDENTITY_SECRET_KEY, damaged).unwrap();
        let err = Identity::load_or_create(&store).unwrap_err();
        assert_eq!(err, IdentityError::CorruptKey { len: damaged.len() });
        assert!(err.to_string().contains("left untouched"), "{err}");
        assert_eq!(
            store.get(IDENTITY_SECRET_KEY).unwrap().as_deref(),
            Some(damaged)
        );
    }
}

/// A store that fails, or silently drops writes.
struct Broken {
    fail_reads: bool,
}

impl SecretStore for Broken {
    fn get(&self, _key: &str) -> Result<Option<Vec<u8>>, SecretStoreError> {
        if self.fail_reads {
            Err(SecretStoreError("the keyring is locked".into()))
        } else {
            Ok(None)
        }
    }
    fn put(&self, _key: &str, _value: &[u8]) -> Result<(), SecretStoreError> {
        Ok(())
    }
    fn delete(&self, _key: &str) -> Result<(), SecretStoreError> {
        Ok(())
    }
}

#[test]
fn store_failures_are_typed_errors() {
    let err = Identity::load_or_create(&Broken { fail_reads: true }).unwrap_err();
    assert_eq!(
        err,
        IdentityError::Store(SecretStoreError("the keyring is locked".into()))
    );
    assert_eq!(
        Identity::load_or_create(&Broken { fail_reads: false }).unwrap_err(),
        IdentityError::NotKept
    );
}

#[test]
fn debug_shows_only_the_public_key() {
    let id = Identity::from_secret_bytes(&hex32(RFC_SECRET_1));
    let shown = format!("{id:?}");
    assert!(shown.contains(RFC_PUBLIC_1), "{shown}");
    assert!(!shown.contains(RFC_SECRET_1), "{shown}");
}

#[test]
fn safety_number_known_answer() {
    let (a, b) = (hex32(RFC_PUBLIC_1), hex32(RFC_PUBLIC_2));
    let expected = "34992 07446 14629 99164 66381 88094 94042 85373 21370 38938 08630 20362";
    assert_eq!(safety_number(&a, &b), expected);
    assert_eq!(safety_number(&b, &a), expected);
    assert_eq!(
        safety_qr_payload(&a, &b),
        format!("TINCAN-SN1:{}", expected.replace(' ', ""))
    );
}

#[test]
fn safety_numbers_are_symmetric_and_tell_keys_apart() {
    let keys: Vec<[u8; 32]> = (0..6).map(|_| Identity::generate().public_key()).collect();
    let mut seen = std::collections::BTreeSet::new();
    for (i, a) in keys.iter().enumerate() {
        for b in &keys[i + 1..] {
            let n = safety_number(a, b);
            assert_eq!(n, safety_number(b, a));
            assert_eq!(n.len(), SAFETY_NUMBER_DIGITS + SAFETY_NUMBER_DIGITS / 5 - 1);
            assert!(n.split(' ').all(|g| g.len() == 5));
            assert!(seen.insert(n), "two pairs share a safety number");
        }
    }
    // A man in the middle with his own key changes the number each side sees.
    let (ana, ben, mallory) = (keys[0], keys[1], keys[2]);
    assert_ne!(safety_number(&ana, &mallory), safety_number(&ana, &ben));
    assert_ne!(safety_number(&mallory, &ben), safety_number(&ana, &ben));
}

#[test]
fn scanned_payloads_are_compared_and_malformed_ones_explained() {
    let (a, b) = (hex32(RFC_PUBLIC_1), hex32(RFC_PUBLIC_2));
    let other = Identity::generate().public_key();
    let payload = safety_qr_payload(&a, &b);
    assert_eq!(compare_scanned(&payload, &b, &a), Ok(true));
    assert_eq!(compare_scanned(&payload, &a, &other), Ok(false));
    // Tolerated: surrounding whitespace, lower-case prefix, the spaced display form.
    let spaced = format!("  tincan-sn1:{}\n", safety_number(&a, &b));
    assert_eq!(compare_scanned(&spaced, &a, &b), Ok(true));

    let reason = |text: &str| match compare_scanned(text, &a, &b) {
        Err(IdentityError::BadSafetyPayload { reason }) => reason,
        other => panic!("{text:?} should be refused, got {other:?}"),
    };
    assert!(reason("").contains("TINCAN-SN1:"));
    assert!(reason("TINCAN-I1-ABCDEF").contains("TINCAN-SN1:"));
    assert!(reason("https://example.org").contains("TINCAN-SN1:"));
    assert!(reason("TINCAN-SN1").contains("incomplete"));
    assert!(reason("TINCAN-SN2:0123").contains("another version"));
    assert!(reason(&payload[..payload.len() - 3]).contains("57 digits"));
    assert!(reason(&format!("{payload}0")).contains("61 digits"));
    assert!(reason(&payload.replace('3', "x")).contains("only digits"));
    // Multi-byte text near the prefix must not split a character.
    assert!(reason("TINCAN-SÑ1:1").contains("TINCAN-SN1:"));
    assert!(reason("ÄÄÄÄÄÄÄÄÄÄÄ").contains("TINCAN-SN1:"));
    let err = compare_scanned("hello", &a, &b).unwrap_err();
    assert!(err
        .to_string()
        .starts_with("this is not a Tincan safety number"));
}

#[test]
fn safety_qr_renders_and_scans_back() {
    let (a, b) = (
        Identity::generate().public_key(),
        Identity::generate().public_key(),
    );
    let qr = safety_qr(&a, &b).unwrap();
    // An 11-character alphanumeric prefix and 60 digits in numeric mode: version 4 at
    // level Q (33 x 33 modules).
    assert_eq!((qr.version(), qr.ec_level()), (4, crate::qr::EcLevel::Q));
    let png = qr.to_png(6);
    let scanned = crate::qr::decode_image_bytes(&png).unwrap();
    assert_eq!(scanned, safety_qr_payload(&a, &b));
    assert_eq!(compare_scanned(&scanned, &b, &a), Ok(true));
    let stranger = Identity::generate().public_key();
    assert_eq!(compare_scanned(&scanned, &a, &stranger), Ok(false));
    // The terminal and SVG forms come from the same renderer.
    assert!(qr.to_terminal().contains('█'));
    assert!(qr.to_svg().starts_with("<?xml"));
}
