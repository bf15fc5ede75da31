//! The secrets a link endpoint must keep to finish an invite after a restart.
//!
//! An inviter's app may be killed between sending its code and receiving the reply.
//! The code already carries our ICE credentials and DTLS fingerprint, so a new process
//! must come back with exactly those: we choose the ICE ufrag/pwd ourselves (compact:
//! they travel in the code) and keep the certificate as PEM.

use crate::sdp::derived_ice_pwd;
use rand_core::{OsRng, RngCore};
use rtc::crypto::SignatureScheme;
use rtc::peer_connection::certificate::{CertificateParams, RTCCertificate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use super::LinkError;

/// RFC 8445 `ice-char`: ALPHA / DIGIT / "+" / "/".
const ICE_CHARS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Length of a generated ufrag: the RFC minimum (24 bits).
pub const UFRAG_LEN: usize = 4;
/// Length of a generated password: the RFC minimum (128 bits of 6-bit chars = 22).
pub const PWD_LEN: usize = 22;
/// Longest credential we accept back (RFC 8839 allows up to 256).
const MAX_CRED_LEN: usize = 256;

/// ICE credentials and DTLS certificate of one link endpoint, safe to persist.
///
/// Treat as secret: the password and the private key let someone else answer for us.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LinkSecrets {
    /// ICE username fragment (4+ ice-chars).
    pub ice_ufrag: String,
    /// ICE password (22+ ice-chars).
    pub ice_pwd: String,
    /// DTLS certificate and private key, in `RTCCertificate::serialize_pem` form.
    pub certificate_pem: String,
}

impl std::fmt::Debug for LinkSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the password or key.
        f.debug_struct("LinkSecrets")
            .field("ice_ufrag", &self.ice_ufrag)
            .finish_non_exhaustive()
    }
}

impl Drop for LinkSecrets {
    fn drop(&mut self) {
        self.ice_pwd.zeroize();
        self.certificate_pem.zeroize();
    }
}

impl LinkSecrets {
    /// A fresh ECDSA P-256 certificate, a random ufrag and the password derived from both.
    pub fn generate() -> Result<Self, LinkError> {
        let provider = rtc::crypto::default_provider().map_err(LinkError::setup)?;
        let params = CertificateParams::new(vec!["tincan".to_owned()]).map_err(LinkError::setup)?;
        let cert =
            RTCCertificate::generate(provider.crypto(), SignatureScheme::EcdsaP256Sha256, params)
                .map_err(LinkError::setup)?;
        let mut secrets = Self {
            ice_ufrag: random_ice_chars(UFRAG_LEN),
            ice_pwd: String::new(),
            certificate_pem: cert.serialize_pem().map_err(LinkError::setup)?,
        };
        // The password is derived from public fields, so codes need not carry it
        // (see `sdp::derived_ice_pwd`): it travels in clear in a code either way.
        secrets.ice_pwd = derived_ice_pwd(&secrets.ice_ufrag, &secrets.fingerprint()?);
        Ok(secrets)
    }

    /// Check what came back from storage before handing it to the WebRTC stack.
    pub fn validate(&self) -> Result<(), LinkError> {
        check_ice_chars("ufrag", &self.ice_ufrag, UFRAG_LEN)?;
        check_ice_chars("password", &self.ice_pwd, PWD_LEN)?;
        self.certificate().map(|_| ())
    }

    /// The certificate, parsed from the stored PEM.
    pub(crate) fn certificate(&self) -> Result<RTCCertificate, LinkError> {
        let provider = rtc::crypto::default_provider().map_err(LinkError::setup)?;
        let pem = self.certificate_pem.clone();
        // `RTCCertificate::from_pem` slices its EXPIRES block without a length check
        // (rtc 0.21.1, certificate/mod.rs) and so panics on a damaged file: contain it.
        let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            RTCCertificate::from_pem(&pem, provider.crypto()).map_err(|e| e.to_string())
        }));
        match parsed {
            Ok(Ok(cert)) => Ok(cert),
            Ok(Err(reason)) => Err(LinkError::Secrets(format!("certificate: {reason}"))),
            Err(_) => Err(LinkError::Secrets("certificate: malformed PEM".into())),
        }
    }

    /// SHA-256 of our certificate (DER): the fingerprint the peer will verify.
    pub fn fingerprint(&self) -> Result<[u8; 32], LinkError> {
        let cert = self.certificate()?;
        let der = cert
            .dtls_certificate
            .certificate
            .first()
            .ok_or_else(|| LinkError::Secrets("certificate chain is empty".into()))?;
        Ok(Sha256::digest(der.as_ref()).into())
    }
}

fn random_ice_chars(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    OsRng.fill_bytes(&mut bytes);
    // 256 is a multiple of 64, so masking is unbiased.
    let out = bytes
        .iter()
        .map(|b| char::from(ICE_CHARS[usize::from(b & 63)]))
        .collect();
    bytes.zeroize();
    out
}

fn check_ice_chars(what: &str, value: &str, min: usize) -> Result<(), LinkError> {
    if value.len() < min || value.len() > MAX_CRED_LEN {
        return Err(LinkError::Secrets(format!(
            "ICE {what} must be {min} to {MAX_CRED_LEN} characters"
        )));
    }
    if !value.bytes().all(|b| ICE_CHARS.contains(&b)) {
        return Err(LinkError::Secrets(format!(
            "ICE {what} has characters outside A-Z a-z 0-9 + /"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_are_compact_valid_and_round_trip() {
        let s = LinkSecrets::generate().expect("generate");
        assert_eq!(s.ice_ufrag.len(), UFRAG_LEN);
        assert_eq!(s.ice_pwd.len(), PWD_LEN);
        s.validate().expect("valid");
        let json = serde_json::to_string(&s).expect("serialize");
        let back: LinkSecrets = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back, s);
        assert_eq!(
            back.fingerprint().expect("fp"),
            s.fingerprint().expect("fp")
        );
        let other = LinkSecrets::generate().expect("generate");
        assert_ne!(
            other.fingerprint().expect("fp"),
            s.fingerprint().expect("fp")
        );
        assert_ne!(other.ice_pwd, s.ice_pwd);
    }

    #[test]
    fn damaged_secrets_are_errors_not_panics() {
        let good = LinkSecrets::generate().expect("generate");
        for pem in [
            "",
            "-----BEGIN EXPIRES-----\nAA==\n-----END EXPIRES-----\n\nx",
            "garbage",
        ] {
            let mut s = good.clone();
            s.certificate_pem = pem.to_owned();
            assert!(
                matches!(s.validate(), Err(LinkError::Secrets(_))),
                "{pem:?}"
            );
        }
        let mut s = good.clone();
        s.ice_pwd = "short".into();
        assert!(s.validate().is_err());
        let mut s = good;
        s.ice_ufrag = "ab:c".into();
        assert!(s.validate().is_err());
    }
}
