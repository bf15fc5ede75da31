//! The node's events: a bounded queue the shells pull from.
//!
//! Bounded so a shell that stops pulling (an Android app in the background) cannot
//! make the core grow without limit; when full, the oldest events are dropped and the
//! next pull returns [`Event::Overflow`] first, so the shell knows to re-query state.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::Notify;

/// Identifies a peer session (the hex id of the invite that started it).
pub type PeerId = String;

/// Where a connection to a peer stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerState {
    /// Exchanging ICE checks and DTLS.
    Connecting,
    /// The channel is open; key confirmation is running.
    Confirming,
    /// Key confirmation and identities succeeded: chat data may flow.
    Connected,
    /// The connection was lost; reconnecting by itself (no codes needed). Messages
    /// written meanwhile wait in the outbox.
    Reconnecting {
        /// Attempts so far since the loss.
        attempt: u32,
    },
    /// Not reachable for a while (the other device is off, or both changed networks).
    /// Still trying now and then; a follow-up code from either side connects at once.
    Offline {
        /// Why, in words.
        reason: String,
    },
    /// The connection ended (goodbye, loss or close).
    Disconnected {
        /// Why, in words.
        reason: String,
    },
    /// The connection could not be made or authenticated.
    Failed {
        /// Why, in words.
        reason: String,
    },
}

/// Something the shell may want to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A peer's connection state changed.
    PeerState {
        /// The peer.
        peer: PeerId,
        /// Its new state.
        state: PeerState,
    },
    /// A chat message arrived.
    Message {
        /// From whom.
        peer: PeerId,
        /// The sender's message id.
        id: String,
        /// The text.
        text: String,
    },
    /// The peer acknowledged a message we sent.
    Delivered {
        /// To whom.
        peer: PeerId,
        /// Our message id.
        id: String,
    },
    /// The peer read messages we sent.
    Read {
        /// Who.
        peer: PeerId,
        /// Our message ids.
        ids: Vec<String>,
    },
    /// A first connection proved the peer's identity key: a new contact.
    ContactAdded {
        /// The conversation.
        peer: PeerId,
        /// The contact's id.
        contact: String,
        /// The name the contact gave.
        name: Option<String>,
        /// What the two people compare to verify each other.
        safety_number: String,
    },
    /// An introduction (made to us, or by us) changed: offered, answered, connecting,
    /// connected, declined, expired or failed. Re-read
    /// [`crate::node::Node::introductions`] / [`crate::node::Node::introductions_made`].
    IntroductionChanged {
        /// The introduction.
        id: String,
    },
    /// A room was made, joined or left, or its members changed: re-read
    /// [`crate::node::Node::rooms`].
    RoomChanged {
        /// The room.
        room: String,
    },
    /// A post in a room (now readable: it arrived, or its key did).
    RoomPost {
        /// The room.
        room: String,
        /// The author's identity key (hex).
        author: String,
        /// The name the author gave, sealed with the post.
        name: Option<String>,
        /// The text.
        text: String,
    },
    /// SECURITY: a known contact's conversation presented a *different* identity key.
    /// The connection was refused; it stays refused until the person compares safety
    /// numbers and accepts the new key ([`crate::node::Node::accept_new_identity`]).
    IdentityChanged {
        /// The conversation.
        peer: PeerId,
        /// The contact.
        contact: String,
        /// The name it had.
        name: Option<String>,
    },
    /// A reply to one of our invites had the wrong answer (or was forged).
    WrongAnswer {
        /// The invite (hex id).
        invite: String,
        /// Attempts left before the invite is burned.
        attempts_left: u8,
    },
    /// The peer offered a file or photo (its preview, if any, is in the store).
    FileOffered {
        /// From whom.
        peer: PeerId,
        /// The transfer (and message) id.
        id: String,
        /// The name it gave.
        name: String,
        /// Bytes.
        size: u64,
        /// It is too large to fetch without the person's yes
        /// ([`crate::node::Node::accept_file`]).
        needs_accept: bool,
    },
    /// Bytes of a transfer moved (at most a few times a second per transfer).
    FileProgress {
        /// The peer.
        peer: PeerId,
        /// The transfer.
        id: String,
        /// We send it.
        outgoing: bool,
        /// Bytes so far.
        done: u64,
        /// Bytes in all.
        total: u64,
    },
    /// A transfer finished: every byte arrived and matched its hash.
    FileDone {
        /// The peer.
        peer: PeerId,
        /// The transfer.
        id: String,
        /// We sent it.
        outgoing: bool,
        /// Incoming: where the file is now.
        path: Option<String>,
    },
    /// A transfer ended unfinished: declined or given up.
    FileStopped {
        /// The peer.
        peer: PeerId,
        /// The transfer.
        id: String,
        /// We were sending it.
        outgoing: bool,
        /// Declined by the receiver rather than failed.
        declined: bool,
        /// Why, in words.
        reason: String,
    },
    /// Events were dropped because nobody pulled them; re-query state.
    Overflow {
        /// How many.
        dropped: u64,
    },
}

/// A bounded multi-producer queue with a blocking and an async pull.
pub struct EventQueue {
    inner: Mutex<Inner>,
    notify: Notify,
    capacity: usize,
}

struct Inner {
    events: VecDeque<Event>,
    dropped: u64,
    closed: bool,
}

impl EventQueue {
    /// A queue holding at most `capacity` events.
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Inner {
                events: VecDeque::with_capacity(capacity.min(1024)),
                dropped: 0,
                closed: false,
            }),
            notify: Notify::new(),
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds an event, dropping the oldest if full.
    pub fn push(&self, event: Event) {
        let mut inner = self.lock();
        if inner.closed {
            return;
        }
        if inner.events.len() >= self.capacity {
            inner.events.pop_front();
            inner.dropped += 1;
        }
        inner.events.push_back(event);
        drop(inner);
        // Every waiter registered itself before it looked at the queue (see `wait`), so
        // waking the registered ones cannot miss anybody; no permit is stored.
        self.notify.notify_waiters();
    }

    /// Takes the next event without waiting.
    pub fn try_pop(&self) -> Option<Event> {
        let mut inner = self.lock();
        if inner.dropped > 0 {
            let dropped = std::mem::take(&mut inner.dropped);
            return Some(Event::Overflow { dropped });
        }
        inner.events.pop_front()
    }

    /// Waits up to `timeout` for the next event; `None` on timeout or once closed.
    /// Needs a tokio runtime with time enabled (the node's).
    pub async fn next(&self, timeout: Duration) -> Option<Event> {
        tokio::time::timeout(timeout, self.wait())
            .await
            .ok()
            .flatten()
    }

    /// Waits for the next event with no timer: `None` once the queue is closed.
    ///
    /// Runs on any executor (it needs no tokio runtime), so a shell can await it on its
    /// own (Kotlin coroutines, Swift tasks through UniFFI's async support); cancelling
    /// is dropping the future, which never loses an event: one is taken off the queue
    /// only in the poll that returns it.
    pub async fn wait(&self) -> Option<Event> {
        loop {
            // Register before looking, so a push or close between the look and the
            // await still wakes this waiter.
            let notified = self.notify.notified();
            let mut notified = std::pin::pin!(notified);
            notified.as_mut().enable();
            if let Some(e) = self.try_pop() {
                return Some(e);
            }
            if self.lock().closed {
                return None;
            }
            notified.await;
        }
    }

    /// Wakes every waiter and refuses further events.
    pub fn close(&self) {
        self.lock().closed = true;
        self.notify.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;

    fn msg(i: usize) -> Event {
        Event::Message {
            peer: "p".into(),
            id: i.to_string(),
            text: String::new(),
        }
    }

    #[test]
    fn overflow_is_itself_an_event_and_order_is_kept() {
        let q = EventQueue::new(3);
        for i in 0..5 {
            q.push(msg(i));
        }
        assert_eq!(q.try_pop(), Some(Event::Overflow { dropped: 2 }));
        assert_eq!(q.try_pop(), Some(msg(2)));
        assert_eq!(q.try_pop(), Some(msg(3)));
        assert_eq!(q.try_pop(), Some(msg(4)));
        assert_eq!(q.try_pop(), None);
    }

    #[tokio::test]
    async fn next_waits_for_a_push_and_times_out() {
        let q = std::sync::Arc::new(EventQueue::new(8));
        assert_eq!(q.next(Duration::from_millis(20)).await, None);
        let q2 = q.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(10)).await;
            q2.push(msg(1));
        });
        assert_eq!(q.next(Duration::from_secs(5)).await, Some(msg(1)));
        q.close();
        assert_eq!(q.next(Duration::from_secs(5)).await, None);
    }

    /// The smallest executor: polls on this thread, parks between wake-ups. No tokio,
    /// as when Kotlin or Swift drive the future through UniFFI.
    fn block_on_plain_thread<F: Future>(f: F) -> F::Output {
        struct Unpark(std::thread::Thread);
        impl std::task::Wake for Unpark {
            fn wake(self: std::sync::Arc<Self>) {
                self.0.unpark();
            }
        }
        let waker = std::task::Waker::from(std::sync::Arc::new(Unpark(std::thread::current())));
        let mut cx = std::task::Context::from_waker(&waker);
        let mut f = std::pin::pin!(f);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            if let std::task::Poll::Ready(out) = f.as_mut().poll(&mut cx) {
                return out;
            }
            assert!(std::time::Instant::now() < deadline, "never woken");
            std::thread::park_timeout(Duration::from_secs(1));
        }
    }

    #[test]
    fn wait_runs_without_a_runtime_and_is_woken_by_push_and_close() {
        assert!(tokio::runtime::Handle::try_current().is_err());
        let q = std::sync::Arc::new(EventQueue::new(8));
        let pusher = {
            let q = q.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(20));
                q.push(msg(1));
                q.push(msg(2));
                std::thread::sleep(Duration::from_millis(20));
                q.close();
            })
        };
        assert_eq!(block_on_plain_thread(q.wait()), Some(msg(1)));
        assert_eq!(block_on_plain_thread(q.wait()), Some(msg(2)));
        assert_eq!(
            block_on_plain_thread(q.wait()),
            None,
            "close wakes the waiter"
        );
        pusher.join().unwrap();
    }

    #[test]
    fn dropping_a_pending_wait_loses_no_event() {
        let q = EventQueue::new(8);
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        {
            let mut pending = std::pin::pin!(q.wait());
            assert!(pending.as_mut().poll(&mut cx).is_pending());
            q.push(msg(1));
        } // cancelled after the push, before it was polled again
        q.push(msg(2));
        assert_eq!(q.try_pop(), Some(msg(1)));
        assert_eq!(q.try_pop(), Some(msg(2)));
    }
}
