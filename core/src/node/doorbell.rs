//! Waiting for a known contact without a timer: while the app is in the background a
//! conversation whose link is lost does not poll (every attempt wakes the phone for
//! half a minute of checks). Instead it keeps a plain UDP socket on the port the
//! contact knows us by. A socket nobody writes to costs nothing: the process sleeps
//! until a packet arrives. When the contact comes back it checks towards that port
//! (its stored candidate for us); the first STUN packet "rings", and the conversation
//! rebuilds its link on the same port at once, in time to answer the contact's next
//! checks.
//!
//! It only hears a contact that can reach the port: on one network, or through a NAT
//! whose mapping for it is still open. Otherwise a network change or the app coming
//! to the foreground starts the next attempt.

use std::net::SocketAddr;

use tokio::net::UdpSocket;

use super::conversation::Ctx;
use super::route;
use crate::link::is_stun;

/// Largest datagram read while waiting (a STUN check is ~100 bytes).
const READ_BUF: usize = 2048;

/// Resolves when a STUN packet arrives on the port conversation `id` last used; never
/// resolves when that port is unknown or cannot be bound.
pub(super) async fn knock(ctx: &Ctx, id: &str) {
    let port = ctx
        .store()
        .conversation(id)
        .ok()
        .flatten()
        .and_then(|record| record.local_port);
    let Some(port) = port else {
        return std::future::pending().await;
    };
    let mut sockets = Vec::new();
    for addr in route::with_port(&ctx.link_config, port).bind_addrs() {
        match UdpSocket::bind(addr).await {
            Ok(socket) => sockets.push(socket),
            Err(e) => tracing::debug!(peer = %id, "no doorbell on {addr}: {e}"),
        }
    }
    if sockets.is_empty() {
        return std::future::pending().await;
    }
    tracing::debug!(peer = %id, "waiting for the contact on port {port}");
    let rings = sockets.iter().map(|s| Box::pin(ring(s)));
    let (from, _, _) = futures::future::select_all(rings).await;
    tracing::info!(peer = %id, "the contact knocked from {from}: trying now");
}

/// The next STUN packet's sender on `socket`.
async fn ring(socket: &UdpSocket) -> SocketAddr {
    let mut buf = vec![0u8; READ_BUF];
    loop {
        match socket.recv_from(&mut buf).await {
            Ok((n, from)) if is_stun(&buf[..n]) => return from,
            Ok(_) => {}
            // An ICMP error from an earlier send, or a transient failure: read on.
            Err(_) => tokio::task::yield_now().await,
        }
    }
}
