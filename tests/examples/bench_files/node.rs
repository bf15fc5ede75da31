//! One `file-node` process (tests/src/bin/file-node.rs) driven over its stdin and
//! stdout: commands and their answers, and its events with their wall-clock stamps.
//! Every wait is bounded.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use tincan_tests::bulk::BoxError;

/// One event line: its stamp (µs since the Unix epoch) and its words after the stamp.
#[derive(Debug, Clone)]
pub struct Ev {
    /// When the node pulled the event.
    pub us: u128,
    /// `["done", id, "in", path]` and so on.
    pub words: Vec<String>,
}

impl Ev {
    /// Whether the event is `kind` about `id` (its first two words).
    pub fn is(&self, kind: &str, id: &str) -> bool {
        self.words.first().is_some_and(|w| w == kind) && self.words.get(1).is_some_and(|w| w == id)
    }
}

/// How the benchmark starts a node: the same every time, so a restart is the same node.
#[derive(Clone)]
pub struct NodeSpec {
    /// The `file-node` binary.
    pub bin: PathBuf,
    /// Its data directory.
    pub dir: PathBuf,
    /// Its display name (and the label in messages).
    pub name: &'static str,
    /// The address its links bind (`127.0.0.2:0`: the counting rules tell the nodes
    /// apart by address).
    pub bind: &'static str,
    /// Offers up to this size are fetched without asking.
    pub auto_accept_mib: u64,
}

/// A running `file-node`.
pub struct NodeProc {
    /// What started it.
    pub spec: NodeSpec,
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    /// Events seen and not yet taken by a wait.
    backlog: Vec<Ev>,
}

impl NodeProc {
    /// Starts the node and waits (bounded) until it has opened its data directory.
    pub fn start(spec: &NodeSpec) -> Result<NodeProc, BoxError> {
        let mut child = Command::new(&spec.bin)
            .args(["--dir", &spec.dir.display().to_string()])
            .args(["--name", spec.name, "--bind", spec.bind])
            .args(["--auto-accept-mib", &spec.auto_accept_mib.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("starting {}: {e}", spec.bin.display()))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let mut node = NodeProc {
            spec: spec.clone(),
            child,
            stdin,
            lines,
            backlog: Vec::new(),
        };
        node.answer("ready", Duration::from_secs(60))?;
        Ok(node)
    }

    /// The process id (for `/proc/<pid>/status`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `line` and returns the words of its answer, which starts with `expect`.
    pub fn cmd(
        &mut self,
        line: &str,
        expect: &str,
        within: Duration,
    ) -> Result<Vec<String>, BoxError> {
        writeln!(self.stdin, "{line}").map_err(|e| format!("{}: stdin: {e}", self.spec.name))?;
        self.stdin.flush()?;
        self.answer(expect, within)
    }

    /// Reads lines until the next answer (not an event); events go to the backlog.
    fn answer(&mut self, expect: &str, within: Duration) -> Result<Vec<String>, BoxError> {
        let deadline = Instant::now() + within;
        loop {
            let line = self.next_line(deadline)?;
            if self.keep_event(&line) {
                continue;
            }
            let words: Vec<String> = line.split(' ').map(str::to_owned).collect();
            if words.first().is_some_and(|w| w == expect) {
                return Ok(words);
            }
            return Err(format!("{}: expected {expect}, got {line:?}", self.spec.name).into());
        }
    }

    fn next_line(&mut self, deadline: Instant) -> Result<String, BoxError> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.lines.recv_timeout(left) {
            Ok(line) => Ok(line),
            Err(RecvTimeoutError::Timeout) => {
                Err(format!("{}: nothing in time", self.spec.name).into())
            }
            Err(RecvTimeoutError::Disconnected) => {
                Err(format!("{}: the process ended", self.spec.name).into())
            }
        }
    }

    /// An event line goes to the backlog (`true`); anything else is an answer.
    fn keep_event(&mut self, line: &str) -> bool {
        let Some(rest) = line.strip_prefix("ev ") else {
            return false;
        };
        let mut words = rest.split(' ').map(str::to_owned);
        let us = words.next().and_then(|w| w.parse().ok()).unwrap_or(0);
        self.backlog.push(Ev {
            us,
            words: words.collect(),
        });
        true
    }

    /// Takes the first event (seen before or arriving within `within`) that `want`
    /// accepts. Fails at once on a `stopped` transfer: nothing would come after it.
    pub fn wait(
        &mut self,
        what: &str,
        within: Duration,
        want: impl Fn(&Ev) -> bool,
    ) -> Result<Ev, BoxError> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(i) = self.backlog.iter().position(&want) {
                return Ok(self.backlog.remove(i));
            }
            if let Some(stop) = self
                .backlog
                .iter()
                .find(|e| e.words.first().is_some_and(|w| w == "stopped"))
            {
                return Err(
                    format!("{}: waiting for {what}: {:?}", self.spec.name, stop.words).into(),
                );
            }
            let line = self
                .next_line(deadline)
                .map_err(|e| format!("{e} (waiting for {what})"))?;
            if !self.keep_event(&line) {
                return Err(format!(
                    "{}: unexpected {line:?} (waiting for {what})",
                    self.spec.name
                )
                .into());
            }
        }
    }

    /// Whether an event `want` accepts has come (it stays for a later wait).
    pub fn has(&mut self, want: impl Fn(&Ev) -> bool) -> bool {
        while let Ok(line) = self.lines.try_recv() {
            self.keep_event(&line);
        }
        self.backlog.iter().any(want)
    }

    /// `kill -9` of this process (the one this benchmark started), reaped.
    pub fn kill9(mut self) -> Result<(), BoxError> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }

    /// Asks it to shut down and waits (bounded); kills it if it does not.
    pub fn quit(mut self) {
        let _ = writeln!(self.stdin, "quit");
        let _ = self.stdin.flush();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Connects `ana` (invites) and `ben` (joins) with an open invite; waits until both
/// report the conversation connected. Returns the conversation id.
pub fn connect(ana: &mut NodeProc, ben: &mut NodeProc) -> Result<String, BoxError> {
    let step = Duration::from_secs(60);
    let invite = ana.cmd("invite", "invite", step)?;
    let reply = ben.cmd(&format!("join {}", invite[1..].join(" ")), "reply", step)?;
    let peer = ana.cmd(
        &format!("accept_reply {}", reply[1..].join(" ")),
        "peer",
        step,
    )?[1]
        .clone();
    ana.wait("connected", step, |e| e.is("connected", &peer))?;
    ben.wait("connected", step, |e| e.is("connected", &peer))?;
    Ok(peer)
}

/// The partial file `<data>/files/partial/<id>.part` of a receiving node.
pub fn partial_path(spec: &NodeSpec, id: &str) -> PathBuf {
    spec.dir
        .join("node/files/partial")
        .join(format!("{id}.part"))
}

/// Length of a file, 0 if it is not there.
pub fn len_of(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}
