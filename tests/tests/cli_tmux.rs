//! The interactive chat screen, driven through tmux as a person would: typing the
//! answer at the prompt, pasting the reply, and seeing a message arrive while a line
//! is half typed — without losing the half-typed text.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::process::Command;
use std::time::{Duration, Instant};

use tincan_tests::process::{test_secret_env_prefix, tincan_bin, wait_for_file};

struct Pane(String);

impl Pane {
    fn start(name: &str, command: &str) -> Pane {
        let session = format!("tincan-{}-{name}", std::process::id());
        let ok = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &session,
                "-x",
                "220",
                "-y",
                "50",
                command,
            ])
            .status()
            .expect("tmux must be installed (scripts/setup installs it)")
            .success();
        assert!(ok, "tmux new-session failed");
        Pane(session)
    }

    fn keys(&self, keys: &[&str]) {
        let mut cmd = Command::new("tmux");
        cmd.args(["send-keys", "-t", &self.0]).args(keys);
        assert!(cmd.status().unwrap().success());
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.0])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            let screen = self.screen();
            if screen.contains(needle) {
                return screen;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "{}: {needle:?} never appeared; screen:\n{}",
            self.0,
            self.screen()
        );
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.0])
            .status();
    }
}

#[test]
fn two_people_chat_in_terminals() {
    let dir = tempfile::tempdir().unwrap();
    let bin = tincan_bin();
    let p = |s: &str| dir.path().join(s).display().to_string();
    let base = |who: &str, name: &str| {
        format!(
            "{}{} --data-dir {} --name {name} --bind 127.0.0.1:0",
            test_secret_env_prefix(),
            bin.display(),
            p(who)
        )
    };
    // `; sleep` keeps the pane around after exit so its last words can be read.
    let ana = Pane::start(
        "ana",
        &format!(
            "{} invite --question 'Where did we meet?' --answer Lisbon --out {}; sleep 60",
            base("a", "Ana"),
            p("invite.txt")
        ),
    );
    wait_for_file(&dir.path().join("invite.txt"), Duration::from_secs(30));
    let ben = Pane::start(
        "ben",
        &format!(
            "{} join --file {} --out {}; sleep 60",
            base("b", "Ben"),
            p("invite.txt"),
            p("reply.txt")
        ),
    );
    ben.wait_for("Your answer:");
    ben.keys(&["  LISBON ", "Enter"]);
    let reply = wait_for_file(&dir.path().join("reply.txt"), Duration::from_secs(30));
    ana.wait_for("Paste the reply code");
    ana.keys(&[reply.trim(), "Enter"]);
    ana.wait_for("● connected to Ben");
    ben.wait_for("● connected to Ana");

    ana.keys(&["Hi Ben", "Enter"]);
    ben.wait_for("Ana: Hi Ben");
    // Ben is half-way through a line when Ana's next message arrives.
    ben.keys(&["half-typed"]);
    std::thread::sleep(Duration::from_millis(300));
    ana.keys(&["are you there?", "Enter"]);
    let screen = ben.wait_for("Ana: are you there?");
    let last = screen
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    assert_eq!(
        last.trim(),
        "> half-typed",
        "the half-typed line stays below:\n{screen}"
    );
    ben.keys(&[" and done", "Enter"]);
    ana.wait_for("Ben: half-typed and done");

    // /end ends the conversation for good (/quit would only leave: "away").
    ana.keys(&["/end", "Enter"]);
    ben.wait_for("disconnected: the other side ended the conversation");
}

/// With no OS credential store and no TINCAN_PASSPHRASE, a person at a terminal is
/// asked for a passphrase — twice when the secrets file is new, again after a typo.
#[test]
fn the_passphrase_is_asked_on_a_terminal_when_there_is_no_keyring() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = dir.path().join("run");
    std::fs::create_dir(&runtime).unwrap();
    // No session bus (and an empty runtime directory), no passphrase in the
    // environment, `auto` store: exactly a headless server.
    let command = format!(
        "env -u TINCAN_PASSPHRASE -u DBUS_SESSION_BUS_ADDRESS TINCAN_SECRET_STORE=auto \
         XDG_RUNTIME_DIR={} {} --data-dir {} invites; sleep 60",
        runtime.display(),
        tincan_bin().display(),
        dir.path().join("data").display()
    );
    let first = Pane::start("pass1", &command);
    first.wait_for("New passphrase:");
    first.keys(&["a long passphrase", "Enter"]);
    first.wait_for("Repeat it:");
    first.keys(&["a long passphrase", "Enter"]);
    let screen = first.wait_for("No invites are waiting for a reply.");
    assert!(
        screen.contains("No OS credential store is usable here"),
        "{screen}"
    );
    assert!(
        !screen.contains("a long passphrase"),
        "never echoed:\n{screen}"
    );
    assert!(dir.path().join("data/secrets.tincan").is_file());

    let second = Pane::start("pass2", &command);
    second.wait_for("Passphrase for Tincan's secrets:");
    second.keys(&["a wrong one", "Enter"]);
    second.wait_for("does not open the secrets file; try again");
    second.keys(&["a long passphrase", "Enter"]);
    second.wait_for("No invites are waiting for a reply.");
}

/// At the prompts, a browser's offer and its answer are each pasted twice (one
/// `tincan` stands in for the page): both sides connect, and the second copies are not
/// sent as messages.
#[test]
fn browser_json_pasted_twice_at_the_prompt_is_not_sent() {
    let dir = tempfile::tempdir().unwrap();
    let bin = tincan_bin();
    let p = |s: &str| dir.path().join(s).display().to_string();
    let base = |who: &str| {
        format!(
            "{}{} --data-dir {} --bind 127.0.0.1:0",
            test_secret_env_prefix(),
            bin.display(),
            p(who)
        )
    };
    let ana = Pane::start(
        "page",
        &format!(
            "{} invite --browser --out {}; sleep 60",
            base("a"),
            p("offer.txt")
        ),
    );
    let offer = wait_for_file(&dir.path().join("offer.txt"), Duration::from_secs(30));
    let ben = Pane::start(
        "joiner",
        &format!("{} join --out {}; sleep 60", base("b"), p("answer.txt")),
    );
    ben.wait_for("Paste the invite code");
    for _ in 0..2 {
        ben.keys(&["-l", offer.trim()]);
        ben.keys(&["Enter"]);
    }
    let answer = wait_for_file(&dir.path().join("answer.txt"), Duration::from_secs(30));
    ana.wait_for("Paste the page's answer");
    for _ in 0..2 {
        ana.keys(&["-l", answer.trim()]);
        ana.keys(&["Enter"]);
    }
    ana.wait_for("● connected");
    ben.wait_for("● connected");
    ana.wait_for("Not sent: that is a browser's answer");
    ben.wait_for("Not sent: that is a browser's offer");
    ana.keys(&["hello from the page side", "Enter"]);
    ben.wait_for("peer: hello from the page side");
    ben.keys(&["hello back", "Enter"]);
    ana.wait_for("peer: hello back");
    for pane in [&ana, &ben] {
        let screen = pane.screen();
        assert!(!screen.contains("peer: {"), "{screen}");
    }
}
