//! Ends an idle link's settle window early: once everything this side sent has been
//! acknowledged and no acknowledgement is owed, SCTP has no timer running, so the
//! driver may go back to long sleeps without waiting out [`SETTLE`](super::idle::SETTLE).
//! A liveness ping and its answer then cost two or three driver wake-ups on each side
//! instead of the seven or eight 200 ms ticks of the whole window.

use std::sync::Weak;
use std::time::Instant;

use super::peer::Shared;

/// Runs for the life of one link: after each burst of DTLS traffic, asks SCTP once
/// (at [`ACK_WAIT`](super::idle::ACK_WAIT) after the last packet) whether anything is
/// unacknowledged, and tells the link's `Idle` when nothing is.
pub(crate) async fn confirm_quiet(shared: Weak<Shared>) {
    let Some(strong) = shared.upgrade() else {
        return;
    };
    let idle = strong.runtime.idle().clone();
    let mut states = strong.state.subscribe();
    drop(strong);
    loop {
        let moved = idle.dtls_moved.notified();
        tokio::pin!(moved);
        moved.as_mut().enable();
        if states.borrow().is_final() {
            return;
        }
        let Some(due) = idle.confirm_due(Instant::now()) else {
            tokio::select! {
                () = moved => {}
                changed = states.changed() => if changed.is_err() { return },
            }
            continue;
        };
        tokio::select! {
            () = tokio::time::sleep_until(due.into()) => {}
            changed = states.changed() => if changed.is_err() { return },
        }
        let checked = Instant::now();
        if idle.confirm_due(checked).is_none_or(|due| due > checked) {
            // More traffic since, or already settled: look again.
            continue;
        }
        let channel = match shared.upgrade() {
            Some(s) => s.channel.borrow().clone(),
            None => return,
        };
        let Some(channel) = channel else {
            continue;
        };
        if channel.outstanding_bytes().await.is_ok_and(|n| n == 0) {
            idle.confirm_quiet(checked);
            continue;
        }
        // Data in flight: its acknowledgement (or a retransmission) moves DTLS again;
        // if nothing moves, the settle window ends the wait on its own.
        tokio::select! {
            () = moved => {}
            changed = states.changed() => if changed.is_err() { return },
        }
    }
}
