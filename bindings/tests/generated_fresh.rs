//! The committed Kotlin and Swift bindings must be exactly what the library exports.
//!
//! Apps compile `bindings/generated/`; if someone changes the Rust API and forgets
//! `scripts/gen-bindings`, the phones would call functions with stale signatures and
//! fail the checksum check at start-up. This regenerates in-process with the same
//! UniFFI version and options as the script and compares.
//!
//! The comparison ignores the order of lines: UniFFI emits items in the order their
//! metadata symbols appear in the library's symbol table, which changes between
//! builds of the same source (features, codegen units, incremental state). Any real
//! change — a new or renamed function, a changed signature or checksum — changes
//! lines, so it is still caught.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use uniffi::{generate, GenerateOptions, TargetLanguage};

/// A file's lines, sorted: its content regardless of item order.
fn canonical(bytes: &[u8]) -> Vec<String> {
    let mut lines: Vec<String> = String::from_utf8_lossy(bytes)
        .lines()
        .map(str::to_owned)
        .collect();
    lines.sort();
    lines
}

fn files_under(root: &Path) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, canonical(&std::fs::read(&path).unwrap()));
            }
        }
    }
    out
}

#[test]
fn committed_bindings_match_the_library() {
    let lib = common::library_path();
    let tmp = tempfile::tempdir().unwrap();
    for (language, dir) in [
        (TargetLanguage::Kotlin, "kotlin"),
        (TargetLanguage::Swift, "swift"),
    ] {
        generate(GenerateOptions {
            languages: vec![language],
            source: lib.to_str().unwrap().to_owned().into(),
            out_dir: tmp.path().join(dir).to_str().unwrap().to_owned().into(),
            config_override: None,
            // Same as scripts/gen-bindings: no ktlint/swiftformat, so every machine
            // produces the same bytes.
            format: false,
            crate_filter: None,
            metadata_no_deps: false,
        })
        .unwrap();
    }
    let fresh = files_under(tmp.path());
    let committed = files_under(&common::bindings_dir().join("generated"));
    assert!(fresh.keys().any(|k| k.ends_with(".kt")));
    assert!(fresh.keys().any(|k| k.ends_with(".modulemap")));
    let mut stale: Vec<&String> = fresh
        .keys()
        .chain(committed.keys())
        .filter(|k| fresh.get(*k) != committed.get(*k))
        .collect();
    stale.dedup();
    assert!(
        stale.is_empty(),
        "bindings/generated is stale ({stale:?}): run scripts/gen-bindings and commit the result"
    );
}
