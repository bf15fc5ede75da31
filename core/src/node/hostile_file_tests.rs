//! A peer that passed the handshake and then sends bad files: a wrong hash, more
//! bytes than announced, a path for a name, pictures built to exhaust memory, a
//! transfer it never finishes. Each ends with a clear state, no partial file is left
//! as if complete, and the conversation carries on. In-crate for the raw-bytes hook.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::time::{Duration, Instant};

use super::*;
use crate::files::chunk;
use crate::store::FileState;
use crate::wire::Frame;

use super::test_support::{connect, raw, start_with, wait_for};

fn start(name: &str, dir: &std::path::Path) -> Node {
    start_with(name, dir, |config| {
        config.files.stall_timeout = Duration::from_millis(400);
        config.files.stall_retries = 2;
    })
}

/// Ben offers a file to Ana as a raw frame.
fn offer(
    ben: &Node,
    peer: &str,
    id: &str,
    name: &str,
    mime: &str,
    content: &[u8],
    preview: Option<&[u8]>,
) {
    let frame = Frame::File {
        id: id.into(),
        sent_at: 1,
        name: name.into(),
        mime: mime.into(),
        size: content.len() as u64,
        hash: blake3::hash(content).to_hex().to_string(),
        preview: preview.map(|p| data_encoding::BASE64.encode(p)),
    };
    raw(ben, peer, frame.encode());
}

/// Waits until Ana asked Ben for `id`'s bytes (her `Want` reached him, which only
/// logs it: he has no such file).
fn wait_asked(ana: &Node, peer: &str, id: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if ana
            .attachment(peer, id)
            .unwrap()
            .is_some_and(|a| a.state == FileState::Accepted)
        {
            std::thread::sleep(Duration::from_millis(200));
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("{id} never accepted");
}

fn stopped(ana: &Node, id: &str) -> String {
    match wait_for(
        ana,
        "a stopped file",
        |e| matches!(e, Event::FileStopped { id: i, .. } if i == id),
    ) {
        Event::FileStopped { reason, .. } => reason,
        _ => unreachable!(),
    }
}

/// A PNG whose header claims `side` × `side` pixels (a 1×1 image with its IHDR
/// rewritten): tiny on disk, gigabytes if decoded.
fn bomb_png(side: u32) -> Vec<u8> {
    let mut png = Vec::new();
    image::DynamicImage::new_rgb8(1, 1)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    // Signature (8), IHDR length (4), "IHDR" (4), then width and height.
    png[16..20].copy_from_slice(&side.to_be_bytes());
    png[20..24].copy_from_slice(&side.to_be_bytes());
    let crc = crc32fast::hash(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

fn leftovers(ana_dir: &std::path::Path) -> (Vec<String>, Vec<String>) {
    let list = |sub: &str| -> Vec<String> {
        std::fs::read_dir(ana_dir.join("files").join(sub))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    };
    (list("received"), list("partial"))
}

#[test]
fn bad_files_from_a_peer_end_cleanly_and_the_chat_carries_on() {
    let dir = tempfile::tempdir().unwrap();
    let (ana, ben) = (start("Ana", dir.path()), start("Ben", dir.path()));
    let peer = connect(&ana, &ben);
    let ana_dir = dir.path().join("Ana");

    // A wrong hash: the bytes arrive, do not match, and are not kept.
    offer(&ben, &peer, "wrong1", "a.txt", "text/plain", b"right", None);
    wait_asked(&ana, &peer, "wrong1");
    raw(&ben, &peer, chunk::encode("wrong1", 0, b"wrong"));
    assert!(stopped(&ana, "wrong1").contains("damaged"));

    // More bytes than announced.
    offer(&ben, &peer, "more1", "b.txt", "text/plain", b"abc", None);
    wait_asked(&ana, &peer, "more1");
    raw(&ben, &peer, chunk::encode("more1", 0, b"abcdefghij"));
    assert!(stopped(&ana, "more1").contains("more bytes"));

    // A path for a name: kept inside the received folder under its last part.
    offer(&ben, &peer, "path1", "../../x", "text/plain", b"hi", None);
    wait_asked(&ana, &peer, "path1");
    raw(&ben, &peer, chunk::encode("path1", 0, b"hi"));
    let done = wait_for(
        &ana,
        "path1 done",
        |e| matches!(e, Event::FileDone { id, .. } if id == "path1"),
    );
    let Event::FileDone {
        path: Some(path), ..
    } = done
    else {
        panic!("{done:?}");
    };
    assert_eq!(
        std::path::Path::new(&path),
        ana_dir.join("files").join("received").join("x")
    );
    assert!(!dir.path().join("x").exists() && !ana_dir.join("x").exists());

    // A preview built to exhaust memory is dropped; the offer itself stays.
    let small = b"just a file".to_vec();
    offer(
        &ben,
        &peer,
        "prev1",
        "p.png",
        "image/png",
        &small,
        Some(&bomb_png(30_000)),
    );
    wait_asked(&ana, &peer, "prev1");
    assert_eq!(
        ana.attachment(&peer, "prev1").unwrap().unwrap().preview,
        None
    );

    // A full picture of 30,000 × 30,000 pixels is not kept, whatever type it claims.
    let bomb = bomb_png(30_000);
    offer(
        &ben,
        &peer,
        "bomb1",
        "big.dat",
        "application/octet-stream",
        &bomb,
        None,
    );
    wait_asked(&ana, &peer, "bomb1");
    raw(&ben, &peer, chunk::encode("bomb1", 0, &bomb));
    assert!(stopped(&ana, "bomb1").contains("too large"));

    // A transfer that stops halfway forever: asked again, then given up.
    let content = vec![7u8; 1000];
    offer(
        &ben,
        &peer,
        "stall1",
        "c.bin",
        "application/octet-stream",
        &content,
        None,
    );
    wait_asked(&ana, &peer, "stall1");
    raw(&ben, &peer, chunk::encode("stall1", 0, &content[..100]));
    assert!(stopped(&ana, "stall1").contains("stopped sending"));

    for (id, state) in [
        ("wrong1", FileState::Failed),
        ("more1", FileState::Failed),
        ("path1", FileState::Complete),
        ("bomb1", FileState::Failed),
        ("stall1", FileState::Failed),
        // Never sent a byte: given up like the stalled one.
        ("prev1", FileState::Failed),
    ] {
        let a = ana.attachment(&peer, id).unwrap().unwrap();
        assert_eq!(a.state, state, "{id}: {a:?}");
    }
    let (received, partial) = leftovers(&ana_dir);
    assert_eq!(received, vec!["x".to_owned()], "only the good file is kept");
    assert!(partial.is_empty(), "no partial file left: {partial:?}");

    // The conversation is unharmed.
    ben.send(&peer, "sorry about those").unwrap();
    wait_for(
        &ana,
        "the message",
        |e| matches!(e, Event::Message { text, .. } if text == "sorry about those"),
    );
    ana.shutdown();
    ben.shutdown();
}
