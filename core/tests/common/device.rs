//! One person's device for node tests: a data directory and a secret store that
//! outlive restarts, started with loopback links, cheap Argon2 and quick reconnects.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tincan_core::link::LinkConfig;
use tincan_core::node::{InviteRequest, Node, NodeConfig, Protection, ReconnectPolicy};
use tincan_core::protect::argon;
use tincan_core::secrets::MemorySecretStore;

use super::expect_connected;

pub struct Device {
    pub name: &'static str,
    pub dir: PathBuf,
    pub secrets: Arc<MemorySecretStore>,
}

impl Device {
    pub fn new(name: &'static str, root: &Path) -> Self {
        Self {
            name,
            dir: root.join(name),
            secrets: Arc::new(MemorySecretStore::default()),
        }
    }

    /// Started with the test configuration.
    pub fn start(&self) -> Node {
        self.start_with(|_| {})
    }

    /// The test configuration, changed by `tune` before opening.
    pub fn start_with(&self, tune: impl FnOnce(&mut NodeConfig)) -> Node {
        let mut config = NodeConfig::new(self.dir.clone(), self.secrets.clone());
        config.link = LinkConfig::loopback();
        config.argon = argon::FLOOR;
        config.display_name = Some(self.name.to_owned());
        config.connect_timeout = Duration::from_secs(20);
        config.reconnect = ReconnectPolicy {
            attempt_window: Duration::from_secs(10),
            first_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(2),
            ..ReconnectPolicy::default()
        };
        tune(&mut config);
        Node::open(config).unwrap()
    }
}

/// Ana invites Ben with an open invite; both connected. Returns the conversation id.
pub fn connect(ana: &Node, ben: &Node) -> String {
    let invite = ana
        .create_invite(InviteRequest {
            protection: Protection::Open,
            lifetime_secs: None,
        })
        .unwrap();
    let joined = ben.join(&invite.code, None).unwrap();
    let peer = ana.accept_reply(&joined.reply_code).unwrap();
    expect_connected(ana, &peer);
    expect_connected(ben, &peer);
    peer
}
