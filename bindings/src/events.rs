//! Events awaited rather than pulled on a blocked thread: [`EventStream::next`] is a
//! Kotlin `suspend fun` and a Swift `async func`.
//!
//! Why it exists: a coroutine that loops over the blocking `Node::next_event` holds a
//! thread per node and only notices its cancellation when an event arrives or it checks
//! by hand, so a `flow { … }` built that way never finishes once its collector stops —
//! `first()`, `take(n)` and `withTimeout` then wait for it forever (bindings/README.md).
//! Awaiting instead, the coroutine holds no thread, and cancelling it drops the Rust
//! future at once (UniFFI frees it), which loses no event.
//!
//! The future needs no async runtime ([`EventQueue::wait`] is runtime-free), so the
//! export uses UniFFI's plain async support, driven by the caller's executor: no
//! `async_runtime = "tokio"` and no process-wide runtime thread beside the node's.

use std::sync::Arc;

use tincan_core::node::events::EventQueue;

use crate::node::Event;

/// The node's events, in order, awaited: `node.events()`. Shutting the node down
/// (or dropping it) ends the stream: `next()` returns `null`/`nil` from then on.
/// Holding a stream does not keep the node open. Use one consumer per node: each event
/// goes to exactly one `next()`.
#[derive(uniffi::Object)]
pub struct EventStream {
    queue: Arc<EventQueue>,
}

impl EventStream {
    pub(crate) fn new(queue: Arc<EventQueue>) -> Arc<Self> {
        Arc::new(Self { queue })
    }
}

#[uniffi::export]
impl EventStream {
    /// Waits for the next event, without holding a thread; `null`/`nil` once the node
    /// is shut down. Cancelling the caller (coroutine, task) cancels the wait at once
    /// and loses no event.
    pub async fn next(&self) -> Option<Event> {
        self.queue.wait().await.map(Event::from)
    }
}
