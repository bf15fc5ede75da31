//! A fast sender cannot pile up memory: 64 MiB in 16 KiB messages arrive complete and
//! in order while unacknowledged bytes stay under the high-water mark.
//! (Own test binary so the RSS reading is not disturbed by other tests.)

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tincan_core::link::{answer, LinkConfig, LinkSecrets, PendingOffer};

const TOTAL: usize = 64 << 20;
const MESSAGE: usize = 16 << 10;

fn rss_kib() -> usize {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

fn message(seq: u64) -> Vec<u8> {
    let mut m = vec![(seq % 251) as u8; MESSAGE];
    m[..8].copy_from_slice(&seq.to_be_bytes());
    m
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_mib_arrive_in_order_with_bounded_memory() {
    let config = LinkConfig::loopback();
    let high_water = config.send_high_water;
    let offer = PendingOffer::create(&config, &LinkSecrets::generate().expect("secrets"))
        .await
        .expect("offer");
    let (answer_sdp, bob) = answer(
        &config,
        &LinkSecrets::generate().expect("secrets"),
        offer.local_sdp(),
    )
    .await
    .expect("answer");
    let alice = Arc::new(offer.accept(&answer_sdp).await.expect("accept"));
    alice
        .wait_open(Duration::from_secs(10))
        .await
        .expect("open");
    bob.wait_open(Duration::from_secs(10)).await.expect("open");

    let rss_before = rss_kib();
    let count = (TOTAL / MESSAGE) as u64;
    let max_outstanding = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let sender = {
        let alice = alice.clone();
        let max_outstanding = max_outstanding.clone();
        tokio::spawn(async move {
            let mut peak_rss = 0;
            for seq in 0..count {
                alice.send(&message(seq)).await.expect("send");
                if seq % 256 == 0 {
                    max_outstanding.fetch_max(alice.outstanding_bytes().await, Ordering::Relaxed);
                    peak_rss = peak_rss.max(rss_kib());
                }
            }
            peak_rss
        })
    };
    let receive = async {
        for seq in 0..count {
            let got = bob.recv().await.expect("link open");
            assert_eq!(got.len(), MESSAGE, "message {seq} length");
            assert_eq!(
                got.as_ref(),
                message(seq).as_slice(),
                "message {seq} in order and intact"
            );
        }
    };
    tokio::time::timeout(Duration::from_secs(120), receive)
        .await
        .expect("64 MiB within 120 s");
    let peak_rss = sender.await.expect("sender");
    let secs = started.elapsed().as_secs_f64();
    let peak_out = max_outstanding.load(Ordering::Relaxed);
    println!(
        "64 MiB in {secs:.2} s = {:.1} MB/s; peak outstanding {peak_out} B (high water {high_water}); RSS {rss_before} -> peak {peak_rss} KiB",
        TOTAL as f64 / secs / 1e6
    );
    assert!(
        peak_out <= high_water + MESSAGE,
        "outstanding {peak_out} above high water"
    );
    assert!(
        peak_rss.saturating_sub(rss_before) < 32 * 1024,
        "RSS grew by {} KiB while sending 64 MiB",
        peak_rss.saturating_sub(rss_before)
    );
}
