//! Sockets inside a test's namespace, opened by the test process itself.
//!
//! A socket belongs to the network namespace it was created in, for its whole life,
//! whichever thread uses it later. So a short-lived thread joins the namespace
//! (`setns`, which changes only the calling thread), creates the socket, hands it back
//! and exits; the rest of the test stays in its own namespace. This lets a test send
//! and time packets between namespaces without a helper process for each end.

use std::fs::File;
use std::net::{SocketAddr, UdpSocket};
use std::path::Path;

use anyhow::{anyhow, Context, Result};
use nix::sched::{setns, CloneFlags};

use crate::netns::Netns;

impl Netns {
    /// Run `f` on a fresh thread inside this namespace and return its result. Whatever
    /// `f` creates (sockets, listeners) stays in the namespace; threads `f` spawns are
    /// in it too.
    pub fn within<T, F>(&self, f: F) -> Result<T>
    where
        T: Send,
        F: FnOnce() -> std::io::Result<T> + Send,
    {
        let path = Path::new("/run/netns").join(self.name());
        std::thread::scope(|scope| {
            scope
                .spawn(|| -> Result<T> {
                    let ns =
                        File::open(&path).with_context(|| format!("opening {}", path.display()))?;
                    setns(&ns, CloneFlags::CLONE_NEWNET)
                        .with_context(|| format!("entering {}", self.name()))?;
                    Ok(f()?)
                })
                .join()
                .map_err(|_| anyhow!("the thread inside {} panicked", self.name()))?
        })
    }

    /// A UDP socket bound to `addr` inside this namespace.
    pub fn udp_socket(&self, addr: SocketAddr) -> Result<UdpSocket> {
        self.within(|| UdpSocket::bind(addr))
            .with_context(|| format!("binding {addr} in {}", self.name()))
    }
}
