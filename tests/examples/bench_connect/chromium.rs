//! The Chromium <-> Chromium baseline: runs `tests/browser/bench_chromium.js` (two
//! headless Chromium pages, non-trickle, loopback) in this process's network namespace
//! and reads the one JSON object it prints.

use std::time::Duration;

use serde_json::Value;

use crate::measure::{BoxError, Row};

/// What the script reports besides the row.
pub struct ChromiumRun {
    /// The numbers, in the same units as the Rust rows.
    pub row: Row,
    /// Chromium's version string.
    pub version: String,
    /// The ICE pair it used, e.g. "host 127.0.0.1:… <-> host 127.0.0.1:…".
    pub selected_pair: String,
    /// Every connect sample, ms.
    pub connects: Vec<f64>,
}

/// Runs the script with `pairs` fresh pairs and `pings` round trips (bounded: 5 min).
pub async fn run(pairs: usize, pings: usize) -> Result<ChromiumRun, BoxError> {
    let args = [pairs.to_string(), pings.to_string()];
    let v = tincan_tests::bulk::chromium_script(&args, Duration::from_secs(300)).await?;
    let num = |k: &str| v.get(k).and_then(Value::as_f64);
    let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("?").to_owned();
    Ok(ChromiumRun {
        row: Row {
            connect_ms: num("connect_median_ms"),
            rtt_p50: num("rtt_p50_ms"),
            rtt_p99: num("rtt_p99_ms"),
            mbs_16k: num("mbs_16k"),
            mbs_64k: num("mbs_64k"),
        },
        version: text("chromium"),
        selected_pair: text("selected_pair"),
        connects: v
            .get("connect_ms")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default(),
    })
}
