//! Driving `tincan` processes as a person would: start them, type into their standard
//! input, watch what they print, kill them. Every wait is bounded.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

/// The `tincan` binary of this build, brought up to date once per test binary (so
/// `cargo test -p tincan-tests` never drives a stale CLI).
pub fn tincan_bin() -> PathBuf {
    static BIN: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(build_tincan).clone()
}

fn build_tincan() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    // target/<profile>/deps/<test> → target/<profile>/tincan
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test binary lives in target/<profile>/deps");
    let bin = profile_dir.join(format!("tincan{}", std::env::consts::EXE_SUFFIX));
    let mut build = Command::new(env!("CARGO"));
    build.args(["build", "-q", "-p", "tincan-cli"]);
    if profile_dir.file_name().is_some_and(|n| n == "release") {
        build.arg("--release");
    }
    let status = build.status().expect("run cargo build");
    assert!(status.success(), "cargo build -p tincan-cli failed");
    bin
}

/// The passphrase every test `tincan` uses for its encrypted secrets file.
pub const TEST_PASSPHRASE: &str = "test passphrase, not a secret";

/// Environment for a test `tincan`: the passphrase-encrypted secrets file, always.
/// Not `auto`: on a developer's desktop that would fill their real keyring with
/// entries for temporary data directories. (`cli_secrets` tests `auto` itself.)
pub const TEST_SECRET_ENV: [(&str, &str); 2] = [
    ("TINCAN_SECRET_STORE", "passphrase-file"),
    ("TINCAN_PASSPHRASE", TEST_PASSPHRASE),
];

/// [`TEST_SECRET_ENV`] as a shell prefix (`env A=b C=d `), for commands run through a
/// shell such as tmux panes.
pub fn test_secret_env_prefix() -> String {
    let mut out = String::from("env");
    for (k, v) in TEST_SECRET_ENV {
        out.push_str(&format!(" {k}='{v}'"));
    }
    out.push(' ');
    out
}

/// Which output stream a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Out,
    /// Standard error.
    Err,
}

/// A running `tincan`.
pub struct Tincan {
    /// A label for messages ("ana").
    pub name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<(Stream, String)>,
    /// Everything printed so far, for failure messages.
    pub transcript: Vec<(Stream, String)>,
}

impl Tincan {
    /// Starts `tincan ARGS…` (optionally through a wrapper such as `ip netns exec NS`),
    /// with its secrets in a passphrase file ([`TEST_SECRET_ENV`]).
    pub fn start(name: &str, wrapper: &[&str], args: &[&str]) -> Tincan {
        let env: Vec<(&str, Option<&str>)> = TEST_SECRET_ENV
            .iter()
            .map(|(k, v)| (*k, Some(*v)))
            .collect();
        Self::start_with_env(name, wrapper, args, &env)
    }

    /// Like [`Tincan::start`] with exactly the given environment changes: `Some` sets a
    /// variable, `None` removes it. [`TEST_SECRET_ENV`] is not added.
    pub fn start_with_env(
        name: &str,
        wrapper: &[&str],
        args: &[&str],
        env: &[(&str, Option<&str>)],
    ) -> Tincan {
        let bin = tincan_bin();
        let mut cmd = match wrapper.split_first() {
            Some((first, rest)) => {
                let mut c = Command::new(first);
                c.args(rest).arg(&bin);
                c
            }
            None => Command::new(&bin),
        };
        for (key, value) in env {
            match value {
                Some(v) => cmd.env(key, v),
                None => cmd.env_remove(key),
            };
        }
        cmd.args(args)
            .env("RUST_BACKTRACE", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start tincan");
        let (tx, rx) = mpsc::channel();
        for (stream, reader) in [
            (
                Stream::Out,
                Box::new(child.stdout.take().expect("stdout")) as Box<dyn std::io::Read + Send>,
            ),
            (Stream::Err, Box::new(child.stderr.take().expect("stderr"))),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(reader).lines().map_while(Result::ok) {
                    if tx.send((stream, line)).is_err() {
                        return;
                    }
                }
            });
        }
        Tincan {
            name: name.to_owned(),
            stdin: child.stdin.take(),
            child,
            lines: rx,
            transcript: Vec::new(),
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Types a line.
    pub fn type_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin still open");
        writeln!(stdin, "{line}")
            .and_then(|()| stdin.flush())
            .expect("write to tincan");
    }

    /// Closes standard input (end of typing).
    pub fn close_input(&mut self) {
        self.stdin = None;
    }

    /// Waits for a printed line containing `needle`; panics with the transcript if it
    /// does not come within `timeout`.
    pub fn expect_line(&mut self, stream: Stream, needle: &str, timeout: Duration) -> String {
        // Already seen?
        if let Some((_, l)) = self
            .transcript
            .iter()
            .find(|(s, l)| *s == stream && l.contains(needle))
        {
            return l.clone();
        }
        self.expect_next_line(stream, needle, timeout)
    }

    /// Like [`Tincan::expect_line`], but only a line printed after every line seen so
    /// far counts: for something that happens again (a second "connected").
    pub fn expect_next_line(&mut self, stream: Stream, needle: &str, timeout: Duration) -> String {
        if let Some(line) = self.wait_next_line(stream, needle, timeout) {
            return line;
        }
        let dump = self.dump();
        panic!(
            "{}: no line containing {needle:?} on {stream:?} within {timeout:?}; printed so far:\n{dump}",
            self.name
        );
    }

    /// Like [`Tincan::expect_next_line`], but `None` instead of a panic: for a test
    /// that shows more than this program's transcript when the line does not come.
    pub fn wait_next_line(
        &mut self,
        stream: Stream,
        needle: &str,
        timeout: Duration,
    ) -> Option<String> {
        let deadline = Instant::now() + timeout;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok((s, line)) => {
                    self.transcript.push((s, line.clone()));
                    if s == stream && line.contains(needle) {
                        return Some(line);
                    }
                }
                Err(_) => break,
            }
        }
        None
    }

    /// Everything printed so far, one line each.
    pub fn dump(&mut self) -> String {
        while let Ok(l) = self.lines.try_recv() {
            self.transcript.push(l);
        }
        self.transcript
            .iter()
            .map(|(s, l)| format!("  [{}] {l}", if *s == Stream::Out { "out" } else { "err" }))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Waits for the process to exit; returns whether it succeeded.
    pub fn wait_exit(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("poll tincan") {
                return status.success();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                let dump = self.dump();
                panic!("{} did not exit within {timeout:?}:\n{dump}", self.name);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `kill -9`: the process gets no chance to clean up.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Tincan {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Waits (bounded) for a file to exist and hold a whole line.
pub fn wait_for_file(path: &Path, timeout: Duration) -> String {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Ok(text) = std::fs::read_to_string(path) {
            if text.ends_with('\n') {
                return text;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{} did not appear within {timeout:?}", path.display());
}
