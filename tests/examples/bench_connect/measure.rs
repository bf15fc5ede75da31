//! The measurements every Rust row shares, so the Tincan link and the plain `webrtc`
//! peers are timed by exactly the same code: round trips and bulk throughput over one
//! connected pair, whatever sits underneath (`End`).

use std::sync::Arc;
use std::time::Instant;

pub use tincan_tests::bulk::{median, percentile, BoxError, End};
use tincan_tests::bulk::{recv_within, throughput};

/// Bytes per throughput run (64 MiB, as the issue asks).
pub const TOTAL: usize = 64 << 20;
/// Unacknowledged bytes at which a sender pauses (same for every row, Chromium too).
pub const HIGH_WATER: usize = 1 << 20;

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

/// Round trips and both throughputs over one connected pair.
pub async fn traffic(
    a: Arc<dyn End>,
    b: &dyn End,
    pings: usize,
    connect_ms: f64,
) -> Result<Row, BoxError> {
    let (rtt_p50, rtt_p99) = round_trips(a.as_ref(), b, pings).await?;
    let mbs_16k = throughput(a.clone(), b, TOTAL, 16 << 10).await?;
    let mbs_64k = throughput(a, b, TOTAL, 64 << 10).await?;
    Ok(Row {
        connect_ms: Some(connect_ms),
        rtt_p50: Some(rtt_p50),
        rtt_p99: Some(rtt_p99),
        mbs_16k: Some(mbs_16k),
        mbs_64k: Some(mbs_64k),
    })
}
