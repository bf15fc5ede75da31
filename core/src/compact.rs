//! The compact binary form of a [`crate::sdp::SessionDescription`] (format documented
//! in `docs/FORMAT.md`), a small fraction of the SDP it stands for.
