//! What processes cost while they idle, read from `/proc` from outside, so the act of
//! measuring never wakes them: context switches of every thread (each one a wake-up of
//! the CPU on the process's behalf) and CPU time, both as the kernel bills it in
//! clock ticks (`utime + stime`) and to the nanosecond per thread (`schedstat`), since
//! an idle process may not use one 10 ms tick in minutes. A snapshot is taken before
//! and after an idle stretch; the difference is the cost.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

/// Counters of a set of processes at one instant.
#[derive(Debug, Clone)]
pub struct Snapshot {
    at: Instant,
    /// Per `(pid, tid)`: voluntary and involuntary context switches, time on a CPU (ns).
    tasks: BTreeMap<(u32, u32), Task>,
    /// Per pid: utime + stime in clock ticks, all its threads (dead ones included).
    cpu: BTreeMap<u32, u64>,
}

/// One thread's counters.
#[derive(Debug, Clone, Copy, Default)]
struct Task {
    voluntary: u64,
    involuntary: u64,
    run_ns: u64,
}

/// The difference between two snapshots.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cost {
    /// Seconds between the snapshots.
    pub secs: f64,
    /// Voluntary context switches (waits, sleeps: the process asked to be woken).
    pub voluntary: u64,
    /// Involuntary ones (preempted).
    pub involuntary: u64,
    /// CPU time, milliseconds (utime + stime: clock ticks, threads that ended included).
    pub cpu_ms: f64,
    /// Time on a CPU, milliseconds, from every live thread's `schedstat` (ns resolution).
    pub oncpu_ms: f64,
    /// Processes alive at the end.
    pub processes: usize,
    /// Threads alive at the end.
    pub threads: usize,
    /// Threads that ended in between: their last switches are missing.
    pub ended: usize,
    /// Processes that ended in between: their CPU time is missing.
    pub ended_processes: usize,
}

impl Cost {
    /// Context switches of both kinds per second: the wake-ups.
    pub fn wakeups_per_s(&self) -> f64 {
        (self.voluntary + self.involuntary) as f64 / self.secs
    }

    /// CPU milliseconds per minute (utime + stime).
    pub fn cpu_ms_per_min(&self) -> f64 {
        self.cpu_ms * 60.0 / self.secs
    }

    /// On-CPU milliseconds per minute (`schedstat`).
    pub fn oncpu_ms_per_min(&self) -> f64 {
        self.oncpu_ms * 60.0 / self.secs
    }
}

/// Clock ticks per second of `/proc/PID/stat` times (`getconf CLK_TCK`; Linux fixes
/// USER_HZ at 100, the fallback).
pub fn clock_ticks() -> f64 {
    tincan_tests::netns::run("getconf", &["CLK_TCK"])
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// Counters of `pids` (gone ones are skipped).
pub fn snapshot(pids: &[u32]) -> Snapshot {
    let mut tasks = BTreeMap::new();
    let mut cpu = BTreeMap::new();
    for &pid in pids {
        if let Some(t) = process_ticks(pid) {
            cpu.insert(pid, t);
        }
        let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
            continue;
        };
        for entry in dir.flatten() {
            let Some(tid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
                continue;
            };
            let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else {
                continue;
            };
            let run_ns = std::fs::read_to_string(entry.path().join("schedstat"))
                .ok()
                .and_then(|s| s.split_whitespace().next()?.parse().ok())
                .unwrap_or(0);
            let field = |key: &str| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix(key))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0)
            };
            tasks.insert(
                (pid, tid),
                Task {
                    voluntary: field("voluntary_ctxt_switches:"),
                    involuntary: field("nonvoluntary_ctxt_switches:"),
                    run_ns,
                },
            );
        }
    }
    Snapshot {
        at: Instant::now(),
        tasks,
        cpu,
    }
}

/// The cost between `before` and `after`: threads alive at both ends count their
/// difference, threads born in between count everything, threads that ended are lost
/// (counted in [`Cost::ended`]). The same for processes' CPU time.
pub fn cost(before: &Snapshot, after: &Snapshot, clock_ticks: f64) -> Cost {
    let mut c = Cost {
        secs: after.at.saturating_duration_since(before.at).as_secs_f64(),
        processes: after.cpu.len(),
        threads: after.tasks.len(),
        ended: before
            .tasks
            .keys()
            .filter(|k| !after.tasks.contains_key(k))
            .count(),
        ended_processes: before
            .cpu
            .keys()
            .filter(|p| !after.cpu.contains_key(p))
            .count(),
        ..Cost::default()
    };
    let mut run_ns = 0;
    for (key, t) in &after.tasks {
        let t0 = before.tasks.get(key).copied().unwrap_or_default();
        c.voluntary += t.voluntary.saturating_sub(t0.voluntary);
        c.involuntary += t.involuntary.saturating_sub(t0.involuntary);
        run_ns += t.run_ns.saturating_sub(t0.run_ns);
    }
    c.oncpu_ms = run_ns as f64 / 1e6;
    let mut ticks = 0;
    for (pid, t) in &after.cpu {
        ticks += t.saturating_sub(before.cpu.get(pid).copied().unwrap_or_default());
    }
    c.cpu_ms = ticks as f64 * 1000.0 / clock_ticks;
    c
}

/// utime + stime of a process (fields 14 and 15 of `/proc/PID/stat`, after the
/// parenthesised command name, which may itself hold spaces).
fn process_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state): utime is field 14, stime 15.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// The parent of a process (field 4 of `/proc/PID/stat`).
fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// Every descendant of `root` (not `root` itself), from one pass over `/proc`.
pub fn descendants(root: u32) -> Vec<u32> {
    let mut children: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for entry in dir.flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
                continue;
            };
            if let Some(parent) = parent_of(pid) {
                children.entry(parent).or_default().push(pid);
            }
        }
    }
    let mut out = BTreeSet::new();
    let mut todo = vec![root];
    while let Some(p) = todo.pop() {
        for &c in children.get(&p).map(Vec::as_slice).unwrap_or_default() {
            if out.insert(c) {
                todo.push(c);
            }
        }
    }
    out.into_iter().collect()
}
