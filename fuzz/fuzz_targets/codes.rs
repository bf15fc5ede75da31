//! Any text, as pasted or scanned, through every code decoder.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = tincan_core::code::parse_any(s, 1_800_000_000);
    }
});
