//! The one binary frame on the data channel: a piece of a file. Every other frame is
//! JSON (`wire.rs`) and starts with `{`; a chunk starts with a zero byte, so the two
//! never mix up, and a file's bytes are not inflated by base64.
//!
//! Layout: `0x00`, id length (1 byte), id (ASCII), offset (8 bytes, big-endian), data.

use thiserror::Error;

use crate::wire::{valid_id, MAX_FRAME_BYTES};

/// The first byte of a chunk frame.
pub const CHUNK_TAG: u8 = 0;

/// File bytes per chunk: 64 KiB messages are where the link is fastest (BENCHMARKS.md,
/// "Live link"), less room for the header.
pub const CHUNK_BYTES: usize = 60 * 1024;

/// A piece of a file.
#[derive(Debug, PartialEq, Eq)]
pub struct Chunk<'a> {
    /// The transfer (the carrying message's id).
    pub id: &'a str,
    /// Where `data` starts in the file.
    pub offset: u64,
    /// The bytes.
    pub data: &'a [u8],
}

/// Why a chunk frame was dropped.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ChunkError {
    /// Cut short or with a bad id.
    #[error("malformed file chunk")]
    Malformed,
    /// Over the frame limit.
    #[error("file chunk of {0} bytes is over the limit")]
    TooLarge(usize),
}

/// Whether a frame from the peer is a chunk (and not JSON).
pub fn is_chunk(frame: &[u8]) -> bool {
    frame.first() == Some(&CHUNK_TAG)
}

/// The frame for `data` of transfer `id` at `offset`.
pub fn encode(id: &str, offset: u64, data: &[u8]) -> Vec<u8> {
    let id = id.as_bytes();
    let mut out = Vec::with_capacity(10 + id.len() + data.len());
    out.push(CHUNK_TAG);
    out.push(u8::try_from(id.len()).unwrap_or(u8::MAX));
    out.extend_from_slice(&id[..id.len().min(255)]);
    out.extend_from_slice(&offset.to_be_bytes());
    out.extend_from_slice(data);
    out
}

/// Parses a chunk frame from the peer.
pub fn decode(frame: &[u8]) -> Result<Chunk<'_>, ChunkError> {
    if frame.len() > MAX_FRAME_BYTES {
        return Err(ChunkError::TooLarge(frame.len()));
    }
    let (&tag, rest) = frame.split_first().ok_or(ChunkError::Malformed)?;
    let (&id_len, rest) = rest.split_first().ok_or(ChunkError::Malformed)?;
    if tag != CHUNK_TAG || rest.len() < usize::from(id_len) + 8 {
        return Err(ChunkError::Malformed);
    }
    let (id, rest) = rest.split_at(usize::from(id_len));
    let id = std::str::from_utf8(id).map_err(|_| ChunkError::Malformed)?;
    if !valid_id(id) {
        return Err(ChunkError::Malformed);
    }
    let (offset, data) = rest.split_at(8);
    let offset = u64::from_be_bytes(offset.try_into().map_err(|_| ChunkError::Malformed)?);
    Ok(Chunk { id, offset, data })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chunk_round_trips_and_bad_ones_are_refused() {
        let frame = encode("f00d", 1 << 40, b"bytes");
        assert!(is_chunk(&frame));
        assert!(!is_chunk(b"{\"v\":1}"));
        assert_eq!(
            decode(&frame),
            Ok(Chunk {
                id: "f00d",
                offset: 1 << 40,
                data: b"bytes"
            })
        );
        assert_eq!(decode(&frame[..5]), Err(ChunkError::Malformed));
        assert_eq!(decode(&encode("../x", 0, b"")), Err(ChunkError::Malformed));
        assert_eq!(decode(&[]), Err(ChunkError::Malformed));
        let big = encode("a", 0, &vec![0; MAX_FRAME_BYTES]);
        assert!(matches!(decode(&big), Err(ChunkError::TooLarge(_))));
        assert!(encode("a", 0, &vec![0; CHUNK_BYTES]).len() <= MAX_FRAME_BYTES);
    }
}
