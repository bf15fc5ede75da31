//! Two `tincan` processes started as a person would, passing codes through files,
//! chatting both ways through their standard input and output.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::Path;
use std::time::Duration;

use tincan_tests::process::{wait_for_file, Stream, Tincan};

const T: Duration = Duration::from_secs(30);

fn args<'a>(dir: &'a Path, who: &'a str, name: &'a str, rest: &[&'a str]) -> Vec<String> {
    let mut v = vec![
        "--data-dir".to_owned(),
        dir.join(who).display().to_string(),
        "--name".to_owned(),
        name.to_owned(),
        "--bind".to_owned(),
        "127.0.0.1:0".to_owned(),
    ];
    v.extend(rest.iter().map(|s| s.to_string()));
    v
}

fn start(name: &str, args: &[String]) -> Tincan {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    Tincan::start(name, &[], &refs)
}

/// Both sides type, both see the other's words, both leave cleanly.
fn chat_both_ways(ana: &mut Tincan, ben: &mut Tincan) {
    ana.expect_line(Stream::Err, "● connected to Ben", T);
    ben.expect_line(Stream::Err, "● connected to Ana", T);
    ana.type_line("hello from Ana");
    ben.expect_line(Stream::Out, "Ana: hello from Ana", T);
    ben.type_line("hi Ana, Ben here ✨");
    ana.expect_line(Stream::Out, "Ben: hi Ana, Ben here ✨", T);
    ana.close_input();
    assert!(ana.wait_exit(T), "ana failed:\n{}", ana.dump());
    // Ana leaving is "away", not goodbye: Ben starts reconnecting.
    ben.expect_line(Stream::Err, "reconnecting to Ana", T);
    ben.close_input();
    assert!(
        ben.wait_exit(T),
        "ben exits after the peer left:\n{}",
        ben.dump()
    );
}

#[test]
fn invite_join_and_chat_through_files() {
    let dir = tempfile::tempdir().unwrap();
    let (invite, reply) = (dir.path().join("invite.txt"), dir.path().join("reply.txt"));
    let mut ana = start(
        "ana",
        &args(
            dir.path(),
            "a",
            "Ana",
            &[
                "invite",
                "--question",
                "Where did we meet?",
                "--answer",
                "Lisbon",
                "--out",
                invite.to_str().unwrap(),
                "--reply-file",
                reply.to_str().unwrap(),
            ],
        ),
    );
    wait_for_file(&invite, T);
    let mut ben = start(
        "ben",
        &args(
            dir.path(),
            "b",
            "Ben",
            &[
                "join",
                "--file",
                invite.to_str().unwrap(),
                "--answer",
                " lisbon",
                "--out",
                reply.to_str().unwrap(),
            ],
        ),
    );
    chat_both_ways(&mut ana, &mut ben);
}

/// Like `args`, but choosing the network by interface name instead of address.
fn args_on_interface(dir: &Path, who: &str, name: &str, rest: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = [
        "--data-dir",
        &dir.join(who).display().to_string(),
        "--name",
        name,
        "--interface",
        "lo",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.extend(rest.iter().map(|s| s.to_string()));
    v
}

#[test]
fn codes_pasted_into_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let mut ana = start(
        "ana",
        &args_on_interface(dir.path(), "a", "Ana", &["invite", "--open"]),
    );
    let code = ana.expect_line(Stream::Out, "TINCAN-I1-", T);
    let mut ben = start(
        "ben",
        &args_on_interface(dir.path(), "b", "Ben", &["join", "-"]),
    );
    // A messenger split the code over two lines.
    let (first, second) = code.split_at(code.len() / 2);
    ben.type_line(first);
    ben.type_line(second);
    let reply = ben.expect_line(Stream::Out, "TINCAN-R1-", T);
    ana.type_line(&reply);
    chat_both_ways(&mut ana, &mut ben);
}

#[test]
fn the_inviter_is_killed_after_printing_and_completes_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (invite, reply) = (dir.path().join("invite.txt"), dir.path().join("reply.txt"));
    let mut ana = start(
        "ana",
        &args(
            dir.path(),
            "a",
            "Ana",
            &[
                "invite",
                "--question",
                "Where?",
                "--answer",
                "Lisbon",
                "--out",
                invite.to_str().unwrap(),
            ],
        ),
    );
    wait_for_file(&invite, T);
    ana.kill(); // kill -9 while it waits for the reply
    let mut ben = start(
        "ben",
        &args(
            dir.path(),
            "b",
            "Ben",
            &[
                "join",
                "--file",
                invite.to_str().unwrap(),
                "--answer",
                "lisbon",
                "--out",
                reply.to_str().unwrap(),
            ],
        ),
    );
    wait_for_file(&reply, T);
    let mut ana = start(
        "ana again",
        &args(
            dir.path(),
            "a",
            "Ana",
            &["accept", "--file", reply.to_str().unwrap()],
        ),
    );
    let pair = ana.expect_line(Stream::Err, "● connected to Ben", T);
    println!("restarted inviter: {pair}");
    chat_both_ways(&mut ana, &mut ben);
}

#[test]
fn bad_input_gets_a_message_and_a_failure_exit() {
    let dir = tempfile::tempdir().unwrap();
    for (input, expected) in [
        ("TINCAN-I1-AAAAAAAAAAAAAAAA", "damaged or incomplete"),
        ("hello there", "not a Tincan code"),
        ("TINCAN-I9-AAAA", "newer version of Tincan"),
        (
            "TINCAN-SN1:123451234512345123451234512345123451234512345123451234512345",
            "safety-number code",
        ),
    ] {
        let mut p = start(
            "ben",
            &args(dir.path(), "b", "Ben", &["join", input, "--answer", "x"]),
        );
        p.expect_line(Stream::Err, expected, T);
        assert!(
            !p.wait_exit(T),
            "exit status must be non-zero for {input:?}"
        );
    }
    let mut p = start(
        "ana",
        &args(
            dir.path(),
            "a",
            "Ana",
            &["accept", "TINCAN-R1-AAAAAAAAAAAAAAAA"],
        ),
    );
    p.expect_line(Stream::Err, "damaged or incomplete", T);
    assert!(!p.wait_exit(T));
}

/// `--name` given once is kept in the data directory: a later `accept` without it
/// still introduces Ana by her name.
#[test]
fn a_name_given_once_is_kept_for_later_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (invite, reply) = (dir.path().join("invite.txt"), dir.path().join("reply.txt"));
    let ana_dir = dir.path().join("a").display().to_string();
    let mut ana = start(
        "ana",
        &args(
            dir.path(),
            "a",
            "Ana",
            &[
                "invite",
                "--open",
                "--no-wait",
                "--out",
                invite.to_str().unwrap(),
            ],
        ),
    );
    assert!(ana.wait_exit(T), "invite --no-wait exits:\n{}", ana.dump());
    let mut ben = start(
        "ben",
        &args(
            dir.path(),
            "b",
            "Ben",
            &[
                "join",
                "--file",
                invite.to_str().unwrap(),
                "--out",
                reply.to_str().unwrap(),
            ],
        ),
    );
    wait_for_file(&reply, T);
    // No --name this time.
    let mut ana = start(
        "ana again",
        &[
            "--data-dir",
            &ana_dir,
            "--bind",
            "127.0.0.1:0",
            "accept",
            "--file",
            reply.to_str().unwrap(),
        ]
        .map(str::to_owned),
    );
    ben.expect_line(Stream::Err, "● connected to Ana", T);
    ana.expect_line(Stream::Err, "● connected to Ben", T);
    ana.kill();
    ben.kill();
}

/// Ana invites and Ben joins through files, without waiting for each other.
fn invite_and_join(dir: &Path) -> (Tincan, Tincan) {
    let (invite, reply) = (dir.join("invite.txt"), dir.join("reply.txt"));
    let ana = start(
        "ana",
        &args(
            dir,
            "a",
            "Ana",
            &[
                "invite",
                "--open",
                "--out",
                invite.to_str().unwrap(),
                "--reply-file",
                reply.to_str().unwrap(),
            ],
        ),
    );
    wait_for_file(&invite, T);
    let ben = start(
        "ben",
        &args(
            dir,
            "b",
            "Ben",
            &[
                "join",
                "--file",
                invite.to_str().unwrap(),
                "--out",
                reply.to_str().unwrap(),
            ],
        ),
    );
    (ana, ben)
}

/// One `tincan` per data directory: a second one on Ana's is refused with a sentence
/// naming the directory and a failure exit, and makes nothing; the first one goes on
/// to connect and chat as if nothing happened.
#[test]
fn a_second_tincan_on_the_same_data_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let invite = dir.path().join("invite.txt");
    let mut ana = start(
        "ana",
        &args(
            dir.path(),
            "a",
            "Ana",
            &[
                "invite",
                "--open",
                "--out",
                invite.to_str().unwrap(),
                "--reply-file",
                dir.path().join("reply.txt").to_str().unwrap(),
            ],
        ),
    );
    wait_for_file(&invite, T);
    let other = dir.path().join("other-invite.txt");
    let mut second = start(
        "second ana",
        &args(
            dir.path(),
            "a",
            "Ana",
            &[
                "invite",
                "--open",
                "--no-wait",
                "--out",
                other.to_str().unwrap(),
            ],
        ),
    );
    let said = second.expect_line(Stream::Err, "Another Tincan is already using", T);
    let ana_dir = dir.path().join("a").display().to_string();
    assert!(
        said.contains(&ana_dir) && said.contains("close it first"),
        "{said}"
    );
    assert!(!second.wait_exit(T), "a failure exit:\n{}", second.dump());
    assert!(!other.exists(), "the refused tincan made an invite");

    // Ana's first tincan never noticed.
    let mut ben = start(
        "ben",
        &args(
            dir.path(),
            "b",
            "Ben",
            &[
                "join",
                "--file",
                invite.to_str().unwrap(),
                "--out",
                dir.path().join("reply.txt").to_str().unwrap(),
            ],
        ),
    );
    chat_both_ways(&mut ana, &mut ben);
}

/// Lines that call the other person "peer" instead of by name.
fn nameless(p: &mut Tincan) -> Vec<String> {
    p.dump();
    p.transcript
        .iter()
        .map(|(_, l)| l.clone())
        .filter(|l| {
            l.contains("to peer") || l.contains("peer is offline") || l.starts_with("peer:")
        })
        .collect()
}

/// After a restart, before the other side has said a word, the chat calls the
/// contact by the name stored with it: "reconnecting to Ana", never "peer".
#[test]
fn a_restarted_chat_calls_the_contact_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let (mut ana, mut ben) = invite_and_join(dir.path());
    chat_both_ways(&mut ana, &mut ben);

    // Ben comes back while Ana is away.
    let mut ben = start("ben again", &args(dir.path(), "b", "Ben", &["chat", "Ana"]));
    ben.expect_line(Stream::Err, "↻ reconnecting to Ana", T);
    // Then Ana: both connect, and each names the other from the first line on.
    let mut ana = start("ana again", &args(dir.path(), "a", "Ana", &["chat", "Ben"]));
    let reconnect = Duration::from_secs(40);
    ana.expect_line(Stream::Err, "● connected to Ben", reconnect);
    ben.expect_line(Stream::Err, "● connected to Ana", reconnect);
    ana.type_line("back again");
    ben.expect_line(Stream::Out, "Ana: back again", T);
    for p in [&mut ana, &mut ben] {
        let lines = nameless(p);
        assert!(lines.is_empty(), "{}: {lines:?}", p.name);
    }
    ana.kill();
    ben.kill();
}

/// Ben already chats with Ana and answers Cleo's invite, then closes the chat before
/// she loads his reply: `tincan chat` lists both conversations (the waiting one says
/// so), `tincan chat ID` resumes the wait and shows the reply again, and Cleo loading
/// it later connects them.
#[test]
fn a_waiting_join_is_listed_and_resumed_by_tincan_chat() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let (mut ana, mut ben) = invite_and_join(dir);
    chat_both_ways(&mut ana, &mut ben);

    let (invite, reply) = (dir.join("invite-c.txt"), dir.join("reply-c.txt"));
    let (invite_s, reply_s) = (invite.display().to_string(), reply.display().to_string());
    let mut cleo = start(
        "cleo",
        &args(
            dir,
            "c",
            "Cleo",
            &["invite", "--open", "--no-wait", "--out", &invite_s],
        ),
    );
    assert!(cleo.wait_exit(T), "cleo:\n{}", cleo.dump());
    let mut ben = start(
        "ben",
        &args(
            dir,
            "b",
            "Ben",
            &["join", "--file", &invite_s, "--out", &reply_s],
        ),
    );
    let reply_code = wait_for_file(&reply, T);
    ben.expect_line(Stream::Err, "Waiting for them to load it", T);
    ben.close_input();
    ben.expect_line(Stream::Err, "keeps waiting", T);
    assert!(
        ben.wait_exit(T),
        "closing while waiting is fine:\n{}",
        ben.dump()
    );

    let mut which = start("ben", &args(dir, "b", "Ben", &["chat"]));
    assert!(!which.wait_exit(T), "no conversation named: a failure");
    let out = which.dump();
    assert!(out.contains("say which one"), "{out}");
    assert!(out.contains("Ana"), "{out}");
    let waiting_line = which.expect_line(Stream::Err, "waiting for the first connection", T);
    let id = waiting_line
        .split_whitespace()
        .find(|w| w.len() == 16 && w.chars().all(|c| c.is_ascii_hexdigit()))
        .unwrap_or_else(|| panic!("no id in {waiting_line:?}"))
        .to_owned();

    let mut ben = start("ben", &args(dir, "b", "Ben", &["chat", &id]));
    ben.expect_line(
        Stream::Err,
        "Still waiting for the person who invited you",
        T,
    );
    ben.expect_line(Stream::Err, reply_code.trim(), T);
    let mut cleo = start(
        "cleo",
        &args(dir, "c", "Cleo", &["accept", "--file", &reply_s]),
    );
    cleo.expect_line(Stream::Err, "● connected to Ben", T);
    ben.expect_line(Stream::Err, "● connected to Cleo", T);
    cleo.close_input();
    assert!(cleo.wait_exit(T), "cleo:\n{}", cleo.dump());
    ben.close_input();
    assert!(ben.wait_exit(T), "ben:\n{}", ben.dump());
}
