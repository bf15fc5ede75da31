//! Benchmark (issue #15): how long a chain of N people connected by codes takes to
//! become a full mesh by introductions (everyone introduces pairs of their contacts who
//! do not know each other; everyone accepts), and how many introductions each person
//! accepts. Baseline from the same run: the time one pair takes to connect by codes
//! (open invite, loopback), so the mesh time is also given per introduced link and as
//! a ratio to a code-made link. Nodes run in this process on loopback. Prints markdown.
//!
//! Run: `cargo bench -p tincan-core --bench mesh [-- --sizes 3,5,10,20 --reps 5]`
#![allow(clippy::unwrap_used, clippy::panic, missing_docs, dead_code)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::device::{connect, Device};
use common::mesh::Mesh;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let sizes: Vec<usize> = arg("--sizes")
        .unwrap_or_else(|| "3,5,10,20".into())
        .split(',')
        .map(|s| s.parse().unwrap())
        .collect();
    let reps: usize = arg("--reps").map_or(5, |r| r.parse().unwrap());
    println!(
        "| N | reps | mesh time median (s) | p95 (s) | introduced links | per link (ms) | \
         vs a code-made link | accepts per person (mean / max) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let mut all_code_links = Vec::new();
    for &n in &sizes {
        let (mut times, mut code_links, mut means, mut maxes) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for rep in 0..reps {
            let dir = tempfile::tempdir().unwrap();
            let names: Vec<&'static str> = (0..n)
                .map(|i| &*Box::leak(format!("p{i}").into_boxed_str()))
                .collect();
            let devices: Vec<Device> = names.iter().map(|p| Device::new(p, dir.path())).collect();
            let nodes: Vec<_> = devices.iter().map(Device::start).collect();
            // Baseline: one extra pair by codes, timed alone.
            let (x, y) = (
                Device::new("x", dir.path()).start(),
                Device::new("y", dir.path()).start(),
            );
            let start = Instant::now();
            connect(&x, &y);
            code_links.push(start.elapsed().as_secs_f64());
            x.shutdown();
            y.shutdown();
            let mut mesh = Mesh::chain(nodes);
            let took = mesh
                .grow(Duration::from_secs(600))
                .unwrap_or_else(|| panic!("N={n} rep {rep}: no full mesh in 600 s"));
            times.push(took.as_secs_f64());
            let accepts = &mesh.accepts;
            means.push(accepts.iter().sum::<usize>() as f64 / n as f64);
            maxes.push(*accepts.iter().max().unwrap());
            for node in &mesh.nodes {
                node.shutdown();
            }
        }
        times.sort_by(f64::total_cmp);
        code_links.sort_by(f64::total_cmp);
        all_code_links.extend_from_slice(&code_links);
        let introduced = n * (n - 1) / 2 - (n - 1);
        let median = percentile(&times, 0.5);
        let code_link = percentile(&code_links, 0.5);
        let per_link = if introduced == 0 {
            0.0
        } else {
            median / introduced as f64
        };
        println!(
            "| {n} | {reps} | {median:.2} | {:.2} | {introduced} | {:.0} | {:.2}× | {:.1} / {} |",
            percentile(&times, 0.95),
            per_link * 1000.0,
            per_link / code_link,
            means.iter().sum::<f64>() / means.len() as f64,
            maxes.iter().max().unwrap()
        );
    }
    all_code_links.sort_by(f64::total_cmp);
    println!(
        "\nBaseline: one pair connected by codes (open invite, loopback) in the same run, \
         median {:.0} ms over {} pairs.",
        percentile(&all_code_links, 0.5) * 1000.0,
        all_code_links.len()
    );
}
