//! What people paste into `tincan` — codes and plain browser pages' JSON, cut short,
//! wrapped in quotes or backticks, encoded twice, pasted twice — as real processes
//! read it from arguments and standard input. Two `tincan` processes stand in for the
//! browser page (`tincan invite --browser` makes the same JSON a page does). The cases
//! came from a new user trying Tincan with plain browser pages.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::Path;
use std::time::Duration;

use tincan_tests::process::{Stream, Tincan};

const T: Duration = Duration::from_secs(30);

/// A Chromium page's offer, as it showed it (`core/tests/fixtures/sdp`).
const PAGE_OFFER: &str = include_str!("../../core/tests/fixtures/sdp/chromium-offer.json");
/// A Chromium page's answer.
const PAGE_ANSWER: &str = include_str!("../../core/tests/fixtures/sdp/chromium-answer.json");

fn tincan(name: &str, dir: &Path, rest: &[&str]) -> Tincan {
    let data = dir.join(name).display().to_string();
    let mut args = vec!["--data-dir", &data, "--bind", "127.0.0.1:0"];
    args.extend_from_slice(rest);
    Tincan::start(name, &[], &args)
}

/// Hard-wraps `text` every `width` characters, the wrapped lines indented by `indent`.
fn wrapped(text: &str, width: usize, indent: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars
        .chunks(width)
        .enumerate()
        .map(|(i, c)| {
            let line: String = c.iter().collect();
            if i == 0 {
                line
            } else {
                format!("{indent}{line}")
            }
        })
        .collect()
}

/// Typographic quotes instead of straight ones, as a phone keyboard writes them.
fn smart_quotes(text: &str) -> String {
    let mut open = false;
    text.chars()
        .map(|c| match c {
            '"' => {
                open = !open;
                if open {
                    '\u{201c}'
                } else {
                    '\u{201d}'
                }
            }
            c => c,
        })
        .collect()
}

/// Asserts nothing was printed as a message from the other side that is a piece of
/// browser JSON.
fn assert_no_json_message(p: &mut Tincan) {
    let dump = p.dump();
    assert!(
        !p.transcript.iter().any(|(s, l)| *s == Stream::Out
            && l.starts_with("peer: ")
            && (l.contains('{') || l.contains("a=candidate") || l.contains("sdp"))),
        "{}: browser JSON arrived as a message:\n{dump}",
        p.name
    );
}

/// The offer and the answer are each pasted twice (the second answer wrapped by a
/// messenger): both sides connect, and no copy leaves as a chat message. In the chat,
/// a pasted code is not sent either, unless written after /send.
#[test]
fn browser_json_pasted_twice_connects_and_is_never_sent_as_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let mut ana = tincan("ana", dir.path(), &["invite", "--browser"]);
    let offer = ana.expect_line(Stream::Out, "{\"type\":\"offer\"", T);
    let mut ben = tincan("ben", dir.path(), &["join"]);
    ben.type_line(&offer);
    ben.type_line(&offer);
    let answer = ben.expect_line(Stream::Out, "{\"type\":\"answer\"", T);
    ana.type_line(&answer);
    for line in wrapped(&answer, 70, "") {
        ana.type_line(&line);
    }
    ana.expect_line(Stream::Err, "● connected", T);
    ben.expect_line(Stream::Err, "● connected", T);
    ben.expect_line(Stream::Err, "Not sent: that is a browser's offer", T);
    ana.expect_line(Stream::Err, "Not sent: that is a browser's answer", T);

    ben.type_line("TINCAN-I1-AAAAAAAAAAAA");
    ben.expect_line(Stream::Err, "Not sent, because it looks like a code", T);
    ben.type_line("/send TINCAN-I1-AAAA is how codes start");
    ana.expect_line(Stream::Out, "peer: TINCAN-I1-AAAA is how codes start", T);
    ben.type_line("hello from ben");
    ana.expect_line(Stream::Out, "peer: hello from ben", T);
    ana.type_line("hello from ana");
    ben.expect_line(Stream::Out, "peer: hello from ana", T);
    ana.type_line(&offer);
    ana.expect_line(Stream::Err, "Not sent: that is a browser's offer", T);
    ben.type_line("last words");
    ana.expect_line(Stream::Out, "peer: last words", T);

    assert_no_json_message(&mut ana);
    assert_no_json_message(&mut ben);
    assert!(!ana
        .transcript
        .iter()
        .any(|(_, l)| l.contains("TINCAN-I1-AAAAAAAAAAAA")));
    ben.close_input();
    assert!(ben.wait_exit(T), "ben:\n{}", ben.dump());
    ana.close_input();
    ana.wait_exit(T);
}

/// A paste cut short on standard input is explained as soon as its line ends (not at
/// the end of input), and the rest may still follow.
#[test]
fn a_paste_cut_short_is_explained_when_its_line_ends() {
    let dir = tempfile::tempdir().unwrap();
    let mut ana = tincan("ana", dir.path(), &["invite", "--open", "--no-wait"]);
    let code = ana.expect_line(Stream::Out, "TINCAN-I1-", T);
    assert!(ana.wait_exit(T));

    // A Tincan code: half, an explanation, then the other half completes it.
    let mut ben = tincan("ben", dir.path(), &["join", "-"]);
    let (first, second) = code.split_at(code.len() / 2);
    ben.type_line(first);
    ben.expect_line(Stream::Err, "damaged or incomplete", T);
    ben.expect_line(Stream::Err, "Still waiting", T);
    ben.type_line(second);
    ben.expect_line(Stream::Out, "TINCAN-R1-", T);
    ben.kill();

    // A browser's JSON: cut off, explained, and refused when input ends.
    let json = PAGE_OFFER.trim();
    let mut cut = tincan("cut", dir.path(), &["join"]);
    cut.type_line(&json[..json.len() / 2]);
    let note = cut.expect_line(Stream::Err, "cut off", T);
    assert!(note.contains("browser JSON"), "{note}");
    cut.close_input();
    assert!(!cut.wait_exit(T));
    cut.expect_line(Stream::Err, "tincan: This browser JSON", T);
    assert!(
        !cut.dump().contains("finding network addresses"),
        "{}",
        cut.dump()
    );
}

/// Browser JSON however it was pasted — in quotes, in backticks, encoded as a JSON
/// string, with typographic quotes, after a sentence, wrapped with indentation, on the
/// command line or on standard input — is recognised and answered.
#[test]
fn browser_json_in_any_wrapping_is_recognised() {
    let dir = tempfile::tempdir().unwrap();
    let json = PAGE_OFFER.trim();
    let escaped = serde_json::to_string(json).unwrap();
    let as_arguments = [
        format!("'{json}'"),
        format!("\"{json}\""),
        format!("`{json}`"),
        format!("```json\n{json}\n```"),
        escaped.clone(),
        smart_quotes(json),
        format!("Here is my offer: {json}"),
        wrapped(json, 70, "    ").join("\n"),
    ];
    let mut joins: Vec<Tincan> = as_arguments
        .iter()
        .enumerate()
        .map(|(i, text)| tincan(&format!("arg{i}"), dir.path(), &["join", text]))
        .collect();
    let on_stdin: [Vec<String>; 5] = [
        vec![format!("'{json}'")],
        vec![format!("`{json}`")],
        vec![escaped],
        vec!["Here is my offer:".into(), smart_quotes(json)],
        wrapped(json, 70, "  "),
    ];
    for (i, lines) in on_stdin.iter().enumerate() {
        let mut p = tincan(&format!("stdin{i}"), dir.path(), &["join"]);
        for line in lines {
            p.type_line(line);
        }
        joins.push(p);
    }
    for p in &mut joins {
        p.expect_line(Stream::Out, "{\"type\":\"answer\"", T);
        p.kill();
    }
}

/// JSON that cannot be used is refused with a message about browser JSON, before any
/// address is gathered.
#[test]
fn broken_browser_json_is_refused_as_browser_json_before_anything_else() {
    let dir = tempfile::tempdir().unwrap();
    let json = PAGE_OFFER.trim();
    let broken = [
        "{\"type\":\"offer\"}".to_owned(),
        json[..json.len() - 20].to_owned(),
        json.replace('"', "'"),
        json.replace("a=fingerprint", "a=fingerprunt"),
        json.replace("\"offer\"", "\"rollback\""),
    ];
    let mut runs: Vec<Tincan> = broken
        .iter()
        .enumerate()
        .map(|(i, text)| tincan(&format!("bad{i}"), dir.path(), &["join", text]))
        .collect();
    for p in &mut runs {
        p.expect_line(Stream::Err, "browser JSON", T);
        assert!(!p.wait_exit(T), "{}", p.dump());
        let dump = p.dump();
        for step in ["finding network addresses", "Answering", "Browser mode"] {
            assert!(!dump.contains(step), "{step:?} before the error:\n{dump}");
        }
    }
}

/// `tincan accept` cannot load a page's answer (the offer lives in the `tincan invite
/// --browser` run that made it): it says where the answer goes, and so do its help and
/// `tincan invites`. The running offer takes it (see the test above).
#[test]
fn accept_says_where_a_browser_answer_goes() {
    let dir = tempfile::tempdir().unwrap();
    let mut accept = tincan("ana", dir.path(), &["accept", PAGE_ANSWER]);
    let said = accept.expect_line(Stream::Err, "tincan invite --browser", T);
    assert!(said.contains("browser page's answer"), "{said}");
    assert!(!accept.wait_exit(T));
    assert!(!accept.dump().contains("Loading the reply"));

    let mut piped = tincan("ana", dir.path(), &["accept"]);
    piped.type_line(&format!("'{}'", PAGE_ANSWER.trim()));
    piped.expect_line(Stream::Err, "tincan invite --browser", T);
    assert!(!piped.wait_exit(T));

    let mut help = Tincan::start("help", &[], &["accept", "--help"]);
    assert!(help.wait_exit(T));
    std::thread::sleep(Duration::from_millis(200));
    let text = help.dump().split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("a browser page's answer goes into the `tincan invite --browser` run"),
        "{text}"
    );

    let mut invites = tincan("ana", dir.path(), &["invites"]);
    invites.expect_line(Stream::Out, "No invites are waiting for a reply.", T);
    invites.expect_line(Stream::Err, "Browser offers are not listed", T);
    assert!(invites.wait_exit(T));
}

/// The inviter waiting for a reply is not lost to a wrong paste: it says what it got
/// and goes on waiting for the right one.
#[test]
fn a_waiting_browser_offer_survives_a_wrong_paste() {
    let dir = tempfile::tempdir().unwrap();
    let mut ana = tincan("ana", dir.path(), &["invite", "--browser"]);
    let offer = ana.expect_line(Stream::Out, "{\"type\":\"offer\"", T);
    // Its own offer back, then a broken answer: explained, still waiting.
    ana.type_line(&offer);
    ana.expect_line(Stream::Err, "This is a browser's offer", T);
    ana.type_line("{\"type\":\"answer\"}");
    ana.expect_line(Stream::Err, "browser JSON", T);
    let mut ben = tincan("ben", dir.path(), &["join", &offer]);
    let answer = ben.expect_line(Stream::Out, "{\"type\":\"answer\"", T);
    ana.type_line(&answer);
    ana.expect_line(Stream::Err, "● connected", T);
    ben.expect_line(Stream::Err, "● connected", T);
    ben.type_line("made it");
    ana.expect_line(Stream::Out, "peer: made it", T);
    ben.close_input();
    assert!(ben.wait_exit(T), "ben:\n{}", ben.dump());
    ana.close_input();
    ana.wait_exit(T);
}
