//! Files between two nodes on loopback: sizes from empty to 200 MiB arrive intact and
//! hash-checked, a text is not held up behind a big file, a large offer waits for a
//! yes (or a no), a receiver restarted mid-transfer carries on from what it has, a
//! photo's preview comes first and its location data never leaves, and a file changed
//! after sending is not sent under its old hash.
//!
//! Cuts by a link outage in namespaces and by `kill -9` of a receiving CLI process are
//! in tests/tests/files_netns.rs.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rand_chacha::rand_core::RngCore;
use tincan_core::node::{Event, Node};
use tincan_core::store::FileState;

use common::device::{connect, Device};
use common::{expect_event, expect_received};

/// Writes `len` pseudo-random bytes (seeded) to `path`, 1 MiB at a time.
fn random_file(path: &Path, len: usize, seed: u8) -> PathBuf {
    let mut rng = common::rng(seed);
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut left = len;
    let mut buf = vec![0u8; 1 << 20];
    while left > 0 {
        let n = left.min(buf.len());
        rng.fill_bytes(&mut buf[..n]);
        out.write_all(&buf[..n]).unwrap();
        left -= n;
    }
    out.flush().unwrap();
    path.to_path_buf()
}

fn hash_of(path: &Path) -> blake3::Hash {
    let mut hasher = blake3::Hasher::new();
    hasher
        .update_reader(std::fs::File::open(path).unwrap())
        .unwrap();
    hasher.finalize()
}

/// Waits up to `within` for `id` to be received by `node`; returns where it is.
fn expect_file(node: &Node, id: &str, within: Duration) -> PathBuf {
    let deadline = Instant::now() + within;
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        match node.next_event(Duration::from_millis(200)) {
            Some(Event::FileDone {
                id: done,
                path: Some(path),
                outgoing: false,
                ..
            }) if done == id => return PathBuf::from(path),
            Some(Event::FileProgress { .. }) | None => {}
            Some(e) => seen.push(e),
        }
    }
    panic!("{id} not received within {within:?}; saw {seen:?}");
}

#[test]
fn files_of_every_size_arrive_intact_and_texts_are_not_held_up() {
    let root = tempfile::tempdir().unwrap();
    let (a, b) = (
        Device::new("Ana", root.path()),
        Device::new("Ben", root.path()),
    );
    // Everything up to 200 MiB is fetched without asking, for this test.
    let tune = |c: &mut tincan_core::node::NodeConfig| c.files.auto_accept_bytes = 256 << 20;
    let (ana, ben) = (a.start_with(tune), b.start_with(tune));
    let peer = connect(&ana, &ben);
    let src = root.path().join("src");
    std::fs::create_dir_all(&src).unwrap();

    for (name, len) in [("empty", 0), ("one", 1), ("ten.bin", 10 << 20)] {
        let path = random_file(&src.join(name), len, len as u8);
        let id = ana.send_file(&peer, &path, true).unwrap();
        let got = expect_file(&ben, &id, Duration::from_secs(60));
        assert_eq!(hash_of(&got), hash_of(&path), "{name}");
        assert_eq!(std::fs::metadata(&got).unwrap().len(), len as u64);
        assert_eq!(got.file_name().unwrap(), name);
        let sent = ana.attachment(&peer, &id).unwrap().unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while ana.attachment(&peer, &id).unwrap().unwrap().state != FileState::Complete {
            assert!(Instant::now() < deadline, "{sent:?} never complete");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    // 200 MiB, with a text sent in the middle: the text arrives long before the file.
    let big = random_file(&src.join("big.bin"), 200 << 20, 9);
    let id = ana.send_file(&peer, &big, true).unwrap();
    expect_event(
        &ben,
        "the big file under way",
        |e| matches!(e, Event::FileProgress { id: p, done, .. } if *p == id && *done > 0),
    );
    let sent_at = Instant::now();
    ana.send(&peer, "while it is coming").unwrap();
    expect_received(&ben, &peer, "while it is coming");
    let text_took = sent_at.elapsed();
    let file_state = ben.attachment(&peer, &id).unwrap().unwrap().state;
    println!("text during a 200 MiB transfer took {text_took:?}; file then {file_state:?}");
    assert_eq!(
        file_state,
        FileState::Accepted,
        "the text came before the file was done"
    );
    let got = expect_file(&ben, &id, Duration::from_secs(300));
    assert_eq!(hash_of(&got), hash_of(&big));
    let page = ben.history(&peer, None, 10).unwrap();
    let files = ben.files(&peer).unwrap();
    assert_eq!(files.len(), 4);
    assert!(files
        .iter()
        .all(|f| f.state == FileState::Complete && !f.outgoing));
    assert!(page.iter().any(|m| m.text == "while it is coming"));
    ana.shutdown();
    ben.shutdown();
}

#[test]
fn a_large_offer_waits_for_a_yes_and_a_no_is_told_to_the_sender() {
    let root = tempfile::tempdir().unwrap();
    let (a, b) = (
        Device::new("Ana", root.path()),
        Device::new("Ben", root.path()),
    );
    let tune = |c: &mut tincan_core::node::NodeConfig| c.files.auto_accept_bytes = 1000;
    let (ana, ben) = (a.start_with(tune), b.start_with(tune));
    let peer = connect(&ana, &ben);
    let first = random_file(&root.path().join("first.bin"), 5000, 1);
    let second = random_file(&root.path().join("second.bin"), 5000, 2);

    let id = ana.send_file(&peer, &first, true).unwrap();
    expect_event(
        &ben,
        "an offer that needs a yes",
        |e| matches!(e, Event::FileOffered { id: o, needs_accept: true, size: 5000, .. } if *o == id),
    );
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        ben.attachment(&peer, &id).unwrap().unwrap().state,
        FileState::Offered,
        "nothing is fetched before the yes"
    );
    ben.accept_file(&peer, &id).unwrap();
    let got = expect_file(&ben, &id, Duration::from_secs(30));
    assert_eq!(hash_of(&got), hash_of(&first));

    let id = ana.send_file(&peer, &second, true).unwrap();
    expect_event(
        &ben,
        "the second offer",
        |e| matches!(e, Event::FileOffered { id: o, .. } if *o == id),
    );
    ben.decline_file(&peer, &id).unwrap();
    expect_event(
        &ana,
        "the decline",
        |e| matches!(e, Event::FileStopped { id: o, declined: true, outgoing: true, .. } if *o == id),
    );
    assert_eq!(
        ana.attachment(&peer, &id).unwrap().unwrap().state,
        FileState::Declined
    );
    assert!(
        ben.accept_file(&peer, &id).is_err(),
        "a declined file stays declined"
    );
    ana.shutdown();
    ben.shutdown();
}

#[test]
fn a_receiver_restarted_mid_transfer_carries_on_from_what_it_has() {
    let root = tempfile::tempdir().unwrap();
    let (a, b) = (
        Device::new("Ana", root.path()),
        Device::new("Ben", root.path()),
    );
    let tune = |c: &mut tincan_core::node::NodeConfig| c.files.auto_accept_bytes = 256 << 20;
    let ana = a.start_with(tune);
    let ben = b.start_with(tune);
    let peer = connect(&ana, &ben);
    let path = random_file(&root.path().join("film.bin"), 60 << 20, 3);
    let id = ana.send_file(&peer, &path, true).unwrap();
    let partial = b
        .dir
        .join("files")
        .join("partial")
        .join(format!("{id}.part"));
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::metadata(&partial).map_or(0, |m| m.len()) < 10 << 20 {
        assert!(Instant::now() < deadline, "the transfer never got going");
        std::thread::sleep(Duration::from_millis(5));
    }
    ben.shutdown();
    let held = std::fs::metadata(&partial).unwrap().len();
    assert!(held < 60 << 20, "stopped mid-way ({held} bytes)");

    let ben = b.start_with(tune);
    // Every progress report after the restart starts from what was held.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut first_progress = None;
    let got = loop {
        assert!(Instant::now() < deadline, "not finished after the restart");
        match ben.next_event(Duration::from_millis(200)) {
            Some(Event::FileProgress { id: p, done, .. }) if p == id => {
                first_progress.get_or_insert(done);
            }
            Some(Event::FileDone {
                id: p,
                path: Some(got),
                ..
            }) if p == id => break PathBuf::from(got),
            _ => {}
        }
    };
    assert_eq!(hash_of(&got), hash_of(&path));
    if let Some(first) = first_progress {
        assert!(first >= held, "resumed at {first}, had {held}");
    }
    assert!(!partial.exists());
    ana.shutdown();
    ben.shutdown();
}

/// A JPEG carrying an EXIF segment with a GPS-looking marker.
fn photo_with_location(path: &Path) {
    let img = image::RgbImage::from_fn(900, 600, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(
            &mut std::io::Cursor::new(&mut jpeg),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    // APP1 "Exif" right after SOI.
    let mut exif = b"Exif\0\0GPS-LATITUDE-48.8566-SECRET".to_vec();
    let len = u16::try_from(exif.len() + 2).unwrap();
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&len.to_be_bytes());
    segment.append(&mut exif);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&segment);
    out.extend_from_slice(&jpeg[2..]);
    std::fs::write(path, out).unwrap();
}

#[test]
fn a_photo_arrives_preview_first_without_its_location() {
    let root = tempfile::tempdir().unwrap();
    let (a, b) = (
        Device::new("Ana", root.path()),
        Device::new("Ben", root.path()),
    );
    let (ana, ben) = (a.start_with(|_| {}), b.start_with(|_| {}));
    let peer = connect(&ana, &ben);
    let photo = root.path().join("holiday.jpg");
    photo_with_location(&photo);
    assert!(contains(&std::fs::read(&photo).unwrap(), b"SECRET"));

    let id = ana.send_file(&peer, &photo, true).unwrap();
    let mut order = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    let got = loop {
        assert!(Instant::now() < deadline, "no photo; saw {order:?}");
        match ben.next_event(Duration::from_millis(200)) {
            Some(Event::FileOffered { id: o, .. }) if o == id => {
                let offered = ben.attachment(&peer, &id).unwrap().unwrap();
                assert_eq!(offered.mime, "image/jpeg");
                let preview = offered.preview.expect("a preview with the offer");
                let small = image::load_from_memory(&preview).unwrap();
                assert!(small.width() <= 320 && small.height() <= 320);
                assert!(!contains(&preview, b"SECRET"));
                order.push("preview");
            }
            Some(Event::FileDone {
                id: d,
                path: Some(path),
                ..
            }) if d == id => {
                order.push("picture");
                break PathBuf::from(path);
            }
            _ => {}
        }
    };
    assert_eq!(order, ["preview", "picture"]);
    let bytes = std::fs::read(&got).unwrap();
    assert!(
        !contains(&bytes, b"SECRET"),
        "the location never left Ana's phone"
    );
    let full = image::load_from_memory(&bytes).unwrap();
    assert_eq!((full.width(), full.height()), (900, 600));
    // The original on Ana's side is untouched.
    assert!(contains(&std::fs::read(&photo).unwrap(), b"SECRET"));
    ana.shutdown();
    ben.shutdown();
}

#[test]
fn a_file_changed_after_sending_is_not_sent_under_its_old_hash() {
    let root = tempfile::tempdir().unwrap();
    let (a, b) = (
        Device::new("Ana", root.path()),
        Device::new("Ben", root.path()),
    );
    let tune = |c: &mut tincan_core::node::NodeConfig| c.files.auto_accept_bytes = 10;
    let (ana, ben) = (a.start_with(tune), b.start_with(tune));
    let peer = connect(&ana, &ben);
    let path = random_file(&root.path().join("draft.txt"), 4000, 4);
    let id = ana.send_file(&peer, &path, true).unwrap();
    expect_event(
        &ben,
        "the offer",
        |e| matches!(e, Event::FileOffered { id: o, .. } if *o == id),
    );
    // Edited before Ben said yes.
    random_file(&path, 5000, 5);
    ben.accept_file(&peer, &id).unwrap();
    let stopped = expect_event(
        &ben,
        "the refusal",
        |e| matches!(e, Event::FileStopped { id: o, .. } if *o == id),
    );
    let Event::FileStopped { reason, .. } = stopped else {
        unreachable!()
    };
    assert!(reason.contains("changed"), "{reason}");
    assert_eq!(
        ben.attachment(&peer, &id).unwrap().unwrap().state,
        FileState::Failed
    );
    assert_eq!(
        std::fs::read_dir(b.dir.join("files").join("received"))
            .unwrap()
            .count(),
        0
    );
    ana.shutdown();
    ben.shutdown();
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn two_people_sending_each_other_big_files_at_once_both_finish() {
    let root = tempfile::tempdir().unwrap();
    let (a, b) = (
        Device::new("Ana", root.path()),
        Device::new("Ben", root.path()),
    );
    let tune = |c: &mut tincan_core::node::NodeConfig| c.files.auto_accept_bytes = 256 << 20;
    let (ana, ben) = (a.start_with(tune), b.start_with(tune));
    let peer = connect(&ana, &ben);
    let for_ben = random_file(&root.path().join("for-ben.bin"), 40 << 20, 6);
    let for_ana = random_file(&root.path().join("for-ana.bin"), 40 << 20, 7);
    let to_ben = ana.send_file(&peer, &for_ben, true).unwrap();
    let to_ana = ben.send_file(&peer, &for_ana, true).unwrap();
    // Texts both ways while both streams run.
    ana.send(&peer, "mine is coming").unwrap();
    ben.send(&peer, "so is mine").unwrap();
    let (ben_got, ana_got) = std::thread::scope(|s| {
        let ben_side = s.spawn(|| expect_file(&ben, &to_ben, Duration::from_secs(120)));
        let ana_side = s.spawn(|| expect_file(&ana, &to_ana, Duration::from_secs(120)));
        (ben_side.join().unwrap(), ana_side.join().unwrap())
    });
    assert_eq!(hash_of(&ben_got), hash_of(&for_ben));
    assert_eq!(hash_of(&ana_got), hash_of(&for_ana));
    let texts = |node: &Node| -> Vec<String> {
        node.history(&peer, None, 20)
            .unwrap()
            .into_iter()
            .filter(|m| !m.outgoing)
            .map(|m| m.text)
            .collect()
    };
    assert!(texts(&ben).contains(&"mine is coming".to_owned()));
    assert!(texts(&ana).contains(&"so is mine".to_owned()));
    ana.shutdown();
    ben.shutdown();
}

#[test]
fn limits_size_free_space_and_transfers_at_once() {
    let root = tempfile::tempdir().unwrap();
    let (a, b) = (
        Device::new("Ana", root.path()),
        Device::new("Ben", root.path()),
    );
    let ana = a.start_with(|_| {});
    // Ben takes at most 32 MiB per file, without asking, and one transfer at a time.
    let ben = b.start_with(|c| {
        c.files.max_file_bytes = 32 << 20;
        c.files.auto_accept_bytes = 32 << 20;
        c.files.max_running = 1;
    });
    let peer = connect(&ana, &ben);

    // Over Ben's limit: declined at once, with the reason, and Ana is told.
    let big = random_file(&root.path().join("big.bin"), 33 << 20, 1);
    let id = ana.send_file(&peer, &big, true).unwrap();
    let stopped = expect_event(
        &ana,
        "the automatic decline",
        |e| matches!(e, Event::FileStopped { id: o, declined: true, .. } if *o == id),
    );
    let Event::FileStopped { reason, .. } = stopped else {
        unreachable!()
    };
    assert!(reason.contains("limit"), "{reason}");

    // Two files under the limit: the second waits until the first is in.
    let first = random_file(&root.path().join("first.bin"), 16 << 20, 2);
    let second = random_file(&root.path().join("second.bin"), 16 << 20, 3);
    let first_id = ana.send_file(&peer, &first, true).unwrap();
    let second_id = ana.send_file(&peer, &second, true).unwrap();
    let partial = |id: &str| {
        b.dir
            .join("files")
            .join("partial")
            .join(format!("{id}.part"))
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let (mut overlapped, mut seen_partial) = (false, false);
    loop {
        assert!(Instant::now() < deadline, "the two files never arrived");
        let (one, two) = (partial(&first_id).exists(), partial(&second_id).exists());
        overlapped |= one && two;
        seen_partial |= one || two;
        let done = |id: &str| {
            ben.attachment(&peer, id)
                .unwrap()
                .is_some_and(|f| f.state == FileState::Complete)
        };
        if done(&first_id) && done(&second_id) {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(seen_partial, "the transfers were too quick to watch");
    assert!(!overlapped, "both transfers ran at once");
    ben.shutdown();

    // A disk too full for the file: Ben's node refuses before fetching a byte.
    let ben = b.start_with(|c| c.files.free_space_margin = u64::MAX / 2);
    expect_event(&ben, "reconnected", |e| {
        matches!(
            e,
            Event::PeerState {
                state: tincan_core::node::PeerState::Connected,
                ..
            }
        )
    });
    let third = random_file(&root.path().join("third.bin"), 1000, 4);
    let id = ana.send_file(&peer, &third, true).unwrap();
    let stopped = expect_event(
        &ben,
        "no space",
        |e| matches!(e, Event::FileStopped { id: o, .. } if *o == id),
    );
    let Event::FileStopped { reason, .. } = stopped else {
        unreachable!()
    };
    assert!(reason.contains("not enough free space"), "{reason}");
    assert!(!partial(&id).exists());
    ana.shutdown();
    ben.shutdown();
}

#[test]
fn a_file_sent_while_the_contact_is_offline_goes_when_it_is_back() {
    let root = tempfile::tempdir().unwrap();
    let (a, b) = (
        Device::new("Ana", root.path()),
        Device::new("Ben", root.path()),
    );
    let (ana, ben) = (a.start(), b.start());
    let peer = connect(&ana, &ben);
    ben.shutdown();
    let path = random_file(&root.path().join("while-away.bin"), 300_000, 8);
    let id = ana.send_file(&peer, &path, true).unwrap();
    // Ana's app is closed too: the offer waits in her outbox across the restart.
    ana.shutdown();
    let ana = a.start();
    let ben = b.start();
    let got = expect_file(&ben, &id, Duration::from_secs(60));
    assert_eq!(hash_of(&got), hash_of(&path));
    let deadline = Instant::now() + Duration::from_secs(10);
    while ana.attachment(&peer, &id).unwrap().unwrap().state != FileState::Complete {
        assert!(Instant::now() < deadline, "Ana never heard it arrived");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(ben.files(&peer).unwrap().len(), 1, "arrived exactly once");
    ana.shutdown();
    ben.shutdown();
}
