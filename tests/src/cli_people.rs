//! Several people, each a `tincan` process with its own data directory under one
//! test directory, on loopback: the CLI tests of the small network (issue #15).

use std::path::Path;
use std::time::Duration;

use crate::process::{wait_for_file, Stream, Tincan};

/// Longest wait for a step that should happen on loopback.
pub const T: Duration = Duration::from_secs(40);

/// `tincan ARGS…` as `name`, with data in `dir/who`, bound to loopback.
pub fn tincan(dir: &Path, who: &str, name: &str, rest: &[&str]) -> Tincan {
    let mut args = vec![
        "--data-dir".to_owned(),
        dir.join(who).display().to_string(),
        "--name".to_owned(),
        name.to_owned(),
        "--bind".to_owned(),
        "127.0.0.1:0".to_owned(),
    ];
    args.extend(rest.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    Tincan::start(&format!("{who}-{}", rest.join("-")), &[], &refs)
}

/// Ana (data dir `a`) and `who` connect with an open invite passed through files,
/// then both leave the chat.
pub fn meet_ana_by_codes(dir: &Path, who: &str, name: &str) {
    let (invite, reply) = (
        dir.join(format!("invite-{who}.txt")),
        dir.join(format!("reply-{who}.txt")),
    );
    let (invite_s, reply_s) = (invite.display().to_string(), reply.display().to_string());
    let mut ana = tincan(
        dir,
        "a",
        "Ana",
        &[
            "invite",
            "--open",
            "--out",
            &invite_s,
            "--reply-file",
            &reply_s,
        ],
    );
    wait_for_file(&invite, T);
    let mut other = tincan(
        dir,
        who,
        name,
        &["join", "--file", &invite_s, "--out", &reply_s],
    );
    ana.expect_line(Stream::Err, &format!("● connected to {name}"), T);
    other.expect_line(Stream::Err, "● connected to Ana", T);
    for p in [&mut ana, &mut other] {
        p.close_input();
        assert!(p.wait_exit(T), "{}", p.dump());
    }
}
