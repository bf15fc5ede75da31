//! Bulk traffic over one connected pair, shared by the benchmarks that compare against
//! the bare link (`bench_connect`, `bench_files`): a Tincan link pair on a config, the
//! throughput of a number of bytes in messages of one size, percentiles, and the
//! headless-Chromium baseline script's JSON.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use tincan_core::link::{answer, Link, LinkConfig, LinkSecrets, PendingOffer};

/// Errors of the benchmarks: anything failing ends the run with a message.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Longest any single receive may take before the run is declared stuck.
const STEP: Duration = Duration::from_secs(30);

/// One side of a connected pair.
#[async_trait::async_trait]
pub trait End: Send + Sync {
    /// Sends one message; may wait for flow control.
    async fn send(&self, data: &[u8]) -> Result<(), BoxError>;
    /// The next message, `None` once closed.
    async fn recv(&self) -> Option<Bytes>;
}

#[async_trait::async_trait]
impl End for Link {
    async fn send(&self, data: &[u8]) -> Result<(), BoxError> {
        Ok(Link::send(self, data).await?)
    }
    async fn recv(&self) -> Option<Bytes> {
        Link::recv(self).await
    }
}

/// The next message on `end`, failing after 30 s or when the channel closes.
pub async fn recv_within(end: &dyn End) -> Result<Bytes, BoxError> {
    tokio::time::timeout(STEP, end.recv())
        .await
        .map_err(|_| "no message within 30 s")?
        .ok_or_else(|| "channel closed".into())
}

/// A connected pair of bare Tincan links (offerer, answerer) and the connect time: from
/// applying the answer to the channel open on both sides.
pub async fn link_pair(config: &LinkConfig) -> Result<(Link, Link, Duration), BoxError> {
    let offer = PendingOffer::create(config, &LinkSecrets::generate()?).await?;
    let (answer_sdp, bob) = answer(config, &LinkSecrets::generate()?, offer.local_sdp()).await?;
    let started = Instant::now();
    let alice = offer.accept(&answer_sdp).await?;
    let (a, b) = tokio::join!(
        alice.wait_open(Duration::from_secs(10)),
        bob.wait_open(Duration::from_secs(10))
    );
    a?;
    b?;
    Ok((alice, bob, started.elapsed()))
}

/// Sends `total` bytes from `a` to `b` in `size`-byte messages (the last one shorter
/// when `size` does not divide `total`); MB/s (10^6 bytes) from the first send to the
/// last byte received.
pub async fn throughput(
    a: Arc<dyn End>,
    b: &dyn End,
    total: usize,
    size: usize,
) -> Result<f64, BoxError> {
    let started = Instant::now();
    let sender = tokio::spawn(async move {
        let msg = vec![1u8; size];
        let mut left = total;
        while left > 0 {
            let n = left.min(size);
            a.send(&msg[..n]).await?;
            left -= n;
        }
        Ok::<_, BoxError>(())
    });
    let mut got = 0;
    while got < total {
        got += recv_within(b).await?.len();
    }
    let took = started.elapsed();
    sender.await??;
    Ok(total as f64 / took.as_secs_f64() / 1e6)
}

/// The value at fraction `p` of sorted samples (nearest rank).
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(idx).copied().unwrap_or(f64::NAN)
}

/// Median of unsorted samples.
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    percentile(&v, 0.5)
}

/// Runs `tests/browser/bench_chromium.js ARGS…` (two headless Chromium pages; run it
/// only inside a private namespace) and returns the one JSON object it prints. Bounded
/// by `limit`; the script closes Chromium itself, `kill_on_drop` only covers a hang.
pub async fn chromium_script(
    args: &[String],
    limit: Duration,
) -> Result<serde_json::Value, BoxError> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("browser");
    if !dir.join("node_modules/playwright-core").exists() {
        return Err(format!(
            "playwright-core is not installed: run scripts/setup (or `npm ci` in {})",
            dir.display()
        )
        .into());
    }
    let child = tokio::process::Command::new("node")
        .arg("bench_chromium.js")
        .args(args)
        .current_dir(&dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("starting node (is Node.js installed?): {e}"))?;
    let out = tokio::time::timeout(limit, child.wait_with_output())
        .await
        .map_err(|_| format!("bench_chromium.js took over {limit:?}"))??;
    if !out.status.success() {
        return Err(format!("bench_chromium.js failed ({})", out.status).into());
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(percentile(&v, 0.5), 3.0);
        assert_eq!(percentile(&v, 0.95), 5.0);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert!(percentile(&[], 0.5).is_nan());
    }
}
