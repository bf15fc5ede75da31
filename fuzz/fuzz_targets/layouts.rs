//! Bytes behind a valid checksum: the binary layouts of every code kind and the
//! compact session description.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tincan_core::bytes::Reader;
use tincan_core::code::{parse_any, text, CodeKind, Invite};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let kind = match selector % 3 {
        0 => CodeKind::Invite,
        1 => CodeKind::Reply,
        _ => CodeKind::FollowUp,
    };
    let _ = parse_any(&text::encode(kind, bytes), 1_800_000_000);
    let _ = Invite::from_bytes(bytes.to_vec());
    let _ = tincan_core::compact::read(&mut Reader::new(bytes));
});
