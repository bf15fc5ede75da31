//! Argon2id hardening of the answer, with the limits a receiver enforces.
//!
//! The parameters travel in the invite so they can be raised later without a format
//! change. A receiver refuses parameters above [`CAP`] (a hostile code must not exhaust
//! a phone's memory) and below [`FLOOR`] (a code must not quietly weaken the answer).

use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

use crate::bytes::{FormatError, Reader};
use crate::CodeError;

/// Argon2id cost parameters as carried in an invite.
///
/// Memory is a power of two so it fits one byte (`log2` of KiB).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ArgonParams {
    /// Memory as `log2(KiB)`: 17 is 128 MiB.
    pub memory_log2_kib: u8,
    /// Passes over memory.
    pub time: u8,
    /// Lanes (threads with the `parallel` feature).
    pub lanes: u8,
}

/// Tincan's default: 128 MiB, 3 passes, 4 lanes (see BENCHMARKS.md for the time).
pub const DEFAULT: ArgonParams = ArgonParams {
    memory_log2_kib: 17,
    time: 3,
    lanes: 4,
};

/// The weakest parameters a receiver accepts: 64 MiB, 3 passes, 1 lane.
pub const FLOOR: ArgonParams = ArgonParams {
    memory_log2_kib: 16,
    time: 3,
    lanes: 1,
};

/// The most a receiver will spend: 1 GiB, 10 passes, 16 lanes.
pub const CAP: ArgonParams = ArgonParams {
    memory_log2_kib: 20,
    time: 10,
    lanes: 16,
};

impl ArgonParams {
    /// Memory in KiB.
    pub fn memory_kib(&self) -> u32 {
        1u32 << self.memory_log2_kib.min(31)
    }

    /// Appends the three parameter bytes.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&[self.memory_log2_kib, self.time, self.lanes]);
    }

    /// Reads the three parameter bytes (limits are checked by [`ArgonParams::check`]).
    pub fn read(r: &mut Reader) -> Result<Self, FormatError> {
        Ok(Self {
            memory_log2_kib: r.u8("argon2 memory")?,
            time: r.u8("argon2 passes")?,
            lanes: r.u8("argon2 lanes")?,
        })
    }

    /// Refuses parameters outside `[FLOOR, CAP]`, before any work is done.
    pub fn check(&self) -> Result<(), CodeError> {
        if self.memory_log2_kib > CAP.memory_log2_kib
            || self.time > CAP.time
            || self.lanes > CAP.lanes
        {
            return Err(CodeError::TooCostly {
                detail: format!(
                    "{} MiB, {} passes, {} lanes; the limit is {} MiB, {} passes, {} lanes",
                    self.memory_kib() / 1024,
                    self.time,
                    self.lanes,
                    CAP.memory_kib() / 1024,
                    CAP.time,
                    CAP.lanes
                ),
            });
        }
        if self.memory_log2_kib < FLOOR.memory_log2_kib
            || self.time < FLOOR.time
            || self.lanes < FLOOR.lanes
        {
            return Err(CodeError::TooWeak {
                detail: format!(
                    "at least {} MiB and {} passes are required",
                    FLOOR.memory_kib() / 1024,
                    FLOOR.time
                ),
            });
        }
        Ok(())
    }
}

/// Derives 32 bytes from a normalised answer; refuses parameters outside the limits.
pub fn harden(
    normalized_answer: &str,
    salt: &[u8; 16],
    params: ArgonParams,
) -> Result<Zeroizing<[u8; 32]>, CodeError> {
    params.check()?;
    let argon_params = Params::new(
        params.memory_kib(),
        u32::from(params.time),
        u32::from(params.lanes),
        Some(32),
    )
    .map_err(|e| CodeError::TooWeak {
        detail: e.to_string(),
    })?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, argon_params);
    let mut out = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(normalized_answer.as_bytes(), salt, out.as_mut())
        .map_err(|e| CodeError::TooCostly {
            detail: e.to_string(),
        })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_enforced_before_any_work() {
        let huge = ArgonParams {
            memory_log2_kib: 24,
            ..DEFAULT
        };
        assert!(matches!(huge.check(), Err(CodeError::TooCostly { .. })));
        let slow = ArgonParams {
            time: 200,
            ..DEFAULT
        };
        assert!(matches!(slow.check(), Err(CodeError::TooCostly { .. })));
        let weak = ArgonParams {
            memory_log2_kib: 10,
            ..DEFAULT
        };
        assert!(matches!(weak.check(), Err(CodeError::TooWeak { .. })));
        // harden refuses without allocating a gigantic buffer.
        assert!(harden("x", &[0; 16], huge).is_err());
        assert!(DEFAULT.check().is_ok() && FLOOR.check().is_ok() && CAP.check().is_ok());
    }

    #[test]
    fn hardening_is_deterministic_and_salted() {
        let a = harden("lisbon", &[1; 16], FLOOR).unwrap();
        let b = harden("lisbon", &[1; 16], FLOOR).unwrap();
        let c = harden("lisbon", &[2; 16], FLOOR).unwrap();
        assert_eq!(*a, *b);
        assert_ne!(*a, *c);
    }
}
