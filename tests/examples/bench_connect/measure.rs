//! The measurements every Rust row shares, so the Tincan link and the plain `webrtc`
//! peers are timed by exactly the same code: round trips and bulk throughput over one
//! connected pair, whatever sits underneath (`End`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;

/// Errors of the benchmark: anything failing ends the run with a message.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Bytes per throughput run (64 MiB, as the issue asks).
pub const TOTAL: usize = 64 << 20;
/// Unacknowledged bytes at which a sender pauses (same for every row, Chromium too).
pub const HIGH_WATER: usize = 1 << 20;
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
impl End for tincan_core::link::Link {
    async fn send(&self, data: &[u8]) -> Result<(), BoxError> {
        Ok(tincan_core::link::Link::send(self, data).await?)
    }
    async fn recv(&self) -> Option<Bytes> {
        tincan_core::link::Link::recv(self).await
    }
}

async fn recv_within(end: &dyn End) -> Result<Bytes, BoxError> {
    tokio::time::timeout(STEP, end.recv())
        .await
        .map_err(|_| "no message within 30 s")?
        .ok_or_else(|| "channel closed".into())
}

/// One result row; `None` where a column was not measured.
#[derive(Clone, Copy, Debug, Default)]
pub struct Row {
    /// Median connect time, ms.
    pub connect_ms: Option<f64>,
    /// Round trip p50, ms.
    pub rtt_p50: Option<f64>,
    /// Round trip p99, ms.
    pub rtt_p99: Option<f64>,
    /// Throughput with 16 KiB messages, MB/s (10^6 bytes).
    pub mbs_16k: Option<f64>,
    /// Throughput with 64 KiB messages, MB/s.
    pub mbs_64k: Option<f64>,
}

/// `pings` 64-byte ping-pongs started by `a`; returns (p50, p99) in ms.
pub async fn round_trips(a: &dyn End, b: &dyn End, pings: usize) -> Result<(f64, f64), BoxError> {
    let ping = [7u8; 64];
    let mut samples = Vec::with_capacity(pings);
    for _ in 0..pings {
        let t = Instant::now();
        a.send(&ping).await?;
        let got = recv_within(b).await?;
        b.send(&got).await?;
        recv_within(a).await?;
        samples.push(t.elapsed().as_secs_f64() * 1e3);
    }
    samples.sort_by(f64::total_cmp);
    Ok((percentile(&samples, 0.50), percentile(&samples, 0.99)))
}

/// Sends `TOTAL` bytes from `a` to `b` in `size`-byte messages; MB/s from the first send
/// to the last byte received.
pub async fn throughput(a: Arc<dyn End>, b: &dyn End, size: usize) -> Result<f64, BoxError> {
    let count = TOTAL / size;
    let started = Instant::now();
    let sender = tokio::spawn(async move {
        let msg = vec![1u8; size];
        for _ in 0..count {
            a.send(&msg).await?;
        }
        Ok::<_, BoxError>(())
    });
    let mut got = 0;
    while got < count * size {
        got += recv_within(b).await?.len();
    }
    let took = started.elapsed();
    sender.await??;
    Ok((count * size) as f64 / took.as_secs_f64() / 1e6)
}

/// Round trips and both throughputs over one connected pair.
pub async fn traffic(
    a: Arc<dyn End>,
    b: &dyn End,
    pings: usize,
    connect_ms: f64,
) -> Result<Row, BoxError> {
    let (rtt_p50, rtt_p99) = round_trips(a.as_ref(), b, pings).await?;
    let mbs_16k = throughput(a.clone(), b, 16 << 10).await?;
    let mbs_64k = throughput(a, b, 64 << 10).await?;
    Ok(Row {
        connect_ms: Some(connect_ms),
        rtt_p50: Some(rtt_p50),
        rtt_p99: Some(rtt_p99),
        mbs_16k: Some(mbs_16k),
        mbs_64k: Some(mbs_64k),
    })
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
