//! How often a degraded QR code is still read, as a markdown table for
//! BENCHMARKS.md:
//!
//! ```text
//! cargo run --release -p tincan-core --example qr_robustness [SAMPLES] [SEED]
//! ```
//!
//! Each row renders fresh 290-character codes, spoils them (see
//! `tests/qr_support/degrade.rs`) and decodes them with `qr::decode_gray`. The
//! defaults (50 samples, seed 1) take about a minute on two cores.

#[path = "../tests/qr_support/degrade.rs"]
mod degrade;

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let samples: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(50);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let started = Instant::now();

    println!("### QR versions\n");
    println!("{}", degrade::versions_markdown());
    println!("### QR decode rate under degradation\n");
    println!(
        "{samples} seeded samples per row (seed {seed}), each a fresh 290-character code \
         (version 10, level M, 57×57 modules); 4 px per module unless the row says otherwise.\n"
    );
    let results: Vec<degrade::RowResult> = degrade::suite()
        .iter()
        .map(|d| degrade::run(d, samples, seed))
        .collect();
    println!("{}", degrade::markdown(&results));
    println!("### QR decode time for camera frames\n");
    println!("{}", degrade::frame_timing_markdown(9));
    eprintln!("took {:.1} s", started.elapsed().as_secs_f64());
}
