//! Drives `tests/browser/page_peer.js`: a headless Chromium page as a WebRTC peer,
//! one JSON command per line. Only run it inside a private network namespace.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// `tests/browser`, where the node scripts and their `node_modules` live.
pub fn browser_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("browser")
}

/// A running page peer. Dropping it closes node's stdin, which makes the script close
/// Chromium and exit (a SIGKILL would orphan Chromium in the namespace).
pub struct PagePeer {
    child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
}

impl PagePeer {
    /// Starts Chromium and waits until its page is ready.
    pub async fn start() -> Result<Self> {
        Self::start_script("page_peer.js").await
    }

    /// Starts another driver script of `tests/browser` that speaks the same JSON-lines
    /// protocol (`{"ok":…}` replies, a first `{"ready":true}`).
    pub async fn start_script(script: &str) -> Result<Self> {
        Self::start_script_with_env(script, &[]).await
    }

    /// [`PagePeer::start_script`] with extra environment variables for the script.
    pub async fn start_script_with_env(script: &str, env: &[(&str, &str)]) -> Result<Self> {
        let dir = browser_dir();
        if !dir.join("node_modules/playwright-core").exists() {
            bail!(
                "playwright-core is not installed: run `npm ci` in {}",
                dir.display()
            );
        }
        let mut child = Command::new("node")
            .arg(script)
            .envs(env.iter().copied())
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .context("starting node (is Node.js installed?)")?;
        let stdin = child.stdin.take().ok_or_else(|| anyhow!("no stdin"))?;
        let stdout = child.stdout.take().ok_or_else(|| anyhow!("no stdout"))?;
        let mut peer = Self {
            child,
            stdin,
            lines: BufReader::new(stdout).lines(),
        };
        let ready = peer.next_reply(Duration::from_secs(60)).await?;
        if ready.get("ready") != Some(&Value::Bool(true)) {
            bail!("page peer did not start: {ready}");
        }
        Ok(peer)
    }

    async fn next_reply(&mut self, limit: Duration) -> Result<Value> {
        let line = tokio::time::timeout(limit, self.lines.next_line())
            .await
            .context("page peer did not answer in time")??
            .ok_or_else(|| anyhow!("page peer exited"))?;
        Ok(serde_json::from_str(&line)?)
    }

    /// Sends one command; returns the reply, or the page's error as an `Err`.
    pub async fn call(&mut self, cmd: Value) -> Result<Value> {
        let mut line = cmd.to_string();
        line.push('\n');
        self.stdin.write_all(line.as_bytes()).await?;
        self.stdin.flush().await?;
        let reply = self.next_reply(Duration::from_secs(40)).await?;
        if reply.get("ok") == Some(&Value::Bool(true)) {
            Ok(reply)
        } else {
            bail!(
                "page: {}",
                reply.get("error").and_then(Value::as_str).unwrap_or("?")
            )
        }
    }

    /// A string field of a reply.
    pub async fn call_for(&mut self, cmd: Value, field: &str) -> Result<String> {
        let reply = self.call(cmd).await?;
        reply
            .get(field)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| anyhow!("reply has no {field}: {reply}"))
    }

    /// Closes the browser and waits for node to exit.
    pub async fn quit(mut self) -> Result<()> {
        let _ = self
            .stdin
            .write_all(json!({"op": "quit"}).to_string().as_bytes())
            .await;
        let _ = self.stdin.write_all(b"\n").await;
        match tokio::time::timeout(Duration::from_secs(20), self.child.wait()).await {
            Ok(status) => {
                status?;
            }
            Err(_) => {
                self.child.kill().await?;
            }
        }
        Ok(())
    }
}

/// Runs this very test again inside `tests/browser/in-netns.sh` (a private network
/// namespace with only loopback and a dead-end veth), so Chromium and the Rust peer
/// share a network nobody else can reach. Returns `true` in the inner run.
pub fn inside_private_netns(test_name: &str) -> Result<bool> {
    const MARK: &str = "TINCAN_IN_PRIVATE_NETNS";
    if std::env::var_os(MARK).is_some() {
        return Ok(true);
    }
    let exe = std::env::current_exe()?;
    let status = std::process::Command::new(browser_dir().join("in-netns.sh"))
        .arg(exe)
        .args([test_name, "--exact", "--nocapture", "--test-threads=1"])
        .env(MARK, "1")
        .status()
        .context("running in-netns.sh (needs root for unshare -n)")?;
    if !status.success() {
        bail!("the test failed inside the private namespace ({status})");
    }
    Ok(false)
}
