//! The bytes of room operations and posts, as they are stored and sent. Every field is
//! checked on reading ([`crate::bytes::Reader`]); damaged or hostile bytes are an
//! error, never a panic. Signatures are checked by `membership.rs` and `log.rs`.
//!
//! Operation: `room (16) ‖ clock (u64) ‖ author (32) ‖ kind (1) ‖ name (1-byte length)
//! or member key (32) ‖ signature (64)`. Post: `room (16) ‖ author (32) ‖ seq (u64) ‖
//! prev (32) ‖ epoch (u64) ‖ body length (u32) ‖ body ‖ signature (64)`.

use super::log::{Entry, MAX_BODY_BYTES};
use super::membership::{Change, Operation, MAX_NAME_BYTES};
use super::RoomError;
use crate::bytes::{Reader, WriteExt};

fn malformed(e: impl std::fmt::Display) -> RoomError {
    RoomError::Malformed(e.to_string())
}

/// An operation's bytes.
pub fn write_operation(op: &Operation) -> Result<Vec<u8>, RoomError> {
    let mut out = Vec::with_capacity(160);
    out.extend_from_slice(&op.room);
    out.extend_from_slice(&op.clock.to_be_bytes());
    out.extend_from_slice(&op.author);
    match &op.change {
        Change::Create { name } => {
            out.push(0);
            out.put_short_bytes(name.as_bytes(), "room name")
                .map_err(malformed)?;
        }
        Change::Add(k) => {
            out.push(1);
            out.extend_from_slice(k);
        }
        Change::Remove(k) => {
            out.push(2);
            out.extend_from_slice(k);
        }
        Change::Promote(k) => {
            out.push(3);
            out.extend_from_slice(k);
        }
    }
    out.extend_from_slice(&op.sig);
    Ok(out)
}

/// Reads an operation's bytes.
pub fn read_operation(bytes: &[u8]) -> Result<Operation, RoomError> {
    let mut r = Reader::new(bytes);
    let room = r.array("room").map_err(malformed)?;
    let clock = r.u64("clock").map_err(malformed)?;
    let author = r.array("author").map_err(malformed)?;
    let change = match r.u8("kind").map_err(malformed)? {
        0 => {
            let name = r.short_str("room name").map_err(malformed)?;
            if name.is_empty() || name.len() > MAX_NAME_BYTES {
                return Err(RoomError::Malformed("room name".into()));
            }
            Change::Create { name: name.into() }
        }
        1 => Change::Add(r.array("member").map_err(malformed)?),
        2 => Change::Remove(r.array("member").map_err(malformed)?),
        3 => Change::Promote(r.array("member").map_err(malformed)?),
        _ => return Err(RoomError::Malformed("operation kind".into())),
    };
    let sig = r.array("signature").map_err(malformed)?;
    r.finish().map_err(malformed)?;
    Ok(Operation {
        room,
        clock,
        author,
        change,
        sig,
    })
}

/// A post's bytes.
pub fn write_entry(e: &Entry) -> Vec<u8> {
    let mut out = Vec::with_capacity(e.body.len() + 170);
    out.extend_from_slice(&e.room);
    out.extend_from_slice(&e.author);
    out.extend_from_slice(&e.seq.to_be_bytes());
    out.extend_from_slice(&e.prev);
    out.extend_from_slice(&e.epoch.to_be_bytes());
    out.extend_from_slice(&(e.body.len() as u32).to_be_bytes());
    out.extend_from_slice(&e.body);
    out.extend_from_slice(&e.sig);
    out
}

/// Reads a post's bytes.
pub fn read_entry(bytes: &[u8]) -> Result<Entry, RoomError> {
    let mut r = Reader::new(bytes);
    let room = r.array("room").map_err(malformed)?;
    let author = r.array("author").map_err(malformed)?;
    let seq = r.u64("seq").map_err(malformed)?;
    let prev = r.array("prev").map_err(malformed)?;
    let epoch = r.u64("epoch").map_err(malformed)?;
    let len = r.u32("body length").map_err(malformed)? as usize;
    if len > MAX_BODY_BYTES {
        return Err(RoomError::Malformed("the post is too large".into()));
    }
    let body = r.take(len, "body").map_err(malformed)?.to_vec();
    let sig = r.array("signature").map_err(malformed)?;
    r.finish().map_err(malformed)?;
    Ok(Entry {
        room,
        author,
        seq,
        prev,
        epoch,
        body,
        sig,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Identity;
    use crate::room::log::Logs;
    use crate::room::membership::RoomState;

    #[test]
    fn round_trips_and_damaged_bytes_are_errors_not_panics() {
        let ana = Identity::generate();
        let mut room = RoomState::create([4; 16], "Choir", &ana).unwrap();
        room.change(Change::Add([8; 32]), &ana).unwrap();
        for op in room.operations() {
            let bytes = write_operation(&op).unwrap();
            assert_eq!(read_operation(&bytes).unwrap(), op);
            for cut in 0..bytes.len() {
                assert!(read_operation(&bytes[..cut]).is_err());
            }
            let mut longer = bytes.clone();
            longer.push(0);
            assert!(read_operation(&longer).is_err());
        }
        let mut logs = Logs::new([4; 16]);
        let entry = logs.write(&ana, 0, b"sealed bytes".to_vec()).unwrap();
        let bytes = write_entry(&entry);
        assert_eq!(read_entry(&bytes).unwrap(), entry);
        for cut in 0..bytes.len() {
            assert!(read_entry(&bytes[..cut]).is_err());
        }
        // A length claiming more than the limit is refused before reading it.
        let mut huge = bytes.clone();
        huge[16 + 32 + 8 + 32 + 8..16 + 32 + 8 + 32 + 8 + 4]
            .copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(read_entry(&huge).is_err());
        // Flipping any byte never panics (and the signature check catches the rest).
        for i in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[i] ^= 0x5a;
            if let Ok(e) = read_entry(&flipped) {
                assert!(Logs::new(e.room).add(e).is_err());
            }
        }
    }
}
