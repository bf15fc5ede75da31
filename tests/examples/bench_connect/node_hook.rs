//! HOOK for the lead: the two rows that need the node and the CLI, which have not landed
//! yet. Each returns `Ok(None)` until filled in; the table then prints "pending" and
//! the target check says "not measured". Fill them in here; nothing else in the
//! benchmark has to change.

use tincan_tests::proc_mem::ProcMemory;

use crate::measure::{BoxError, Row};

/// HOOK(node): "Tincan node" row, measured like the link rows.
///
/// - connect: for each of `pairs` fresh node pairs (alice = `Node` inviter, bob = joiner,
///   each with its own temp data dir, loopback config), do `alice.create_invite(..)`,
///   `bob.join(invite, answer)` → reply, then start the clock **after the reply is loaded
///   and key derivation is done** (time `accept_reply` with Argon2 excluded: e.g. open
///   mode, or subtract the derivation the node reports), and stop it when both
///   `next_event()` streams have reported the key-confirmed channel. Median of the
///   samples, like `crate::measure::median`.
/// - RTT / throughput: wrap the two nodes' send/receive in `crate::measure::End` and call
///   `crate::measure::traffic(a, b, pings, connect_ms)`: the same code the link uses.
pub async fn node_row(pairs: usize, pings: usize) -> Result<Option<Row>, BoxError> {
    let _ = (pairs, pings);
    Ok(None)
}

/// HOOK(cli): peak RSS of an idle connected `tincan` CLI process.
///
/// Start two `tincan` processes as a user would (separate `--data-dir`s in a temp dir),
/// pass the invite and reply through files or pipes, wait for "connected" on both, let
/// them sit idle for ~5 s, then read `tincan_tests::proc_mem::read(child.id())` for
/// each and return the larger `peak_rss_kib` (VmHWM). Kill both children by PID after.
pub async fn idle_cli_rss() -> Result<Option<ProcMemory>, BoxError> {
    Ok(None)
}
