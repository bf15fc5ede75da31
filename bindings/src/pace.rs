//! How lively a node keeps its links: the shells switch to the background pace when
//! nobody looks at the app (docs/IDLE.md), and report network changes.

use tincan_core::link::Pace;

use crate::node::Node;

/// How lively open links are kept.
#[uniffi::remote(Enum)]
pub enum Pace {
    /// Someone is looking: keep-alives every couple of seconds, a lost connection
    /// noticed within about 5 s.
    Foreground,
    /// Nobody is looking: one keep-alive exchange every 25 s, a lost connection
    /// noticed within a minute, offline contacts tried again only on a network change
    /// or back in the foreground.
    Background,
}

#[uniffi::export]
impl Node {
    /// Switches every link to `pace`; the contacts are told and use the same pace.
    /// A node starts in the foreground.
    pub fn set_pace(&self, pace: Pace) {
        self.inner.set_pace(pace);
    }

    /// The pace set with [`Node::set_pace`].
    pub fn pace(&self) -> Pace {
        self.inner.pace()
    }

    /// The phone's network changed (Android: a ConnectivityManager callback; iOS:
    /// NWPathMonitor): contacts that are not connected are tried again at once, also
    /// in the background.
    pub fn network_changed(&self) {
        self.inner.network_changed();
    }
}
