//! Where the CLI keeps its data and secrets, and how it configures the node.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use tincan_core::app::Settings;
use tincan_core::link::{IceServer, LinkConfig};
use tincan_core::node::{Node, NodeConfig};

use crate::secret_store::{self, SecretStoreChoice};

/// Options every subcommand shares.
#[derive(Debug, Clone, clap::Args)]
pub struct Global {
    /// Where Tincan keeps its data [default: $XDG_DATA_HOME/tincan, usually ~/.local/share/tincan].
    /// Use different directories to run two instances on one machine.
    #[arg(long, global = true, env = "TINCAN_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// The name the other side sees.
    #[arg(long, global = true, env = "TINCAN_NAME")]
    pub name: Option<String>,

    /// Local address to use (repeatable), e.g. 192.168.1.20:0 or 127.0.0.1:0
    /// [default: every non-loopback IPv4 interface].
    #[arg(long = "bind", global = true, value_name = "IP:PORT")]
    pub bind: Vec<SocketAddr>,

    /// Use only this network interface (repeatable), e.g. wlan0: binds its addresses.
    #[arg(long = "interface", global = true, value_name = "NAME")]
    pub interfaces: Vec<String>,

    /// A STUN server (repeatable), e.g. stun.example.org:3478. None by default:
    /// without one, only devices on the same network can connect.
    #[arg(long = "stun", global = true, value_name = "HOST:PORT")]
    pub stun: Vec<String>,

    /// Also announce .local (mDNS) names.
    #[arg(long, global = true)]
    pub mdns: bool,

    /// Where to keep secrets (your identity key, pending invites): the OS credential
    /// store (`keyring`), a passphrase-encrypted file in the data directory
    /// (`passphrase-file`, passphrase from TINCAN_PASSPHRASE or typed), or `auto`: the
    /// OS store when it works, else the file.
    #[arg(
        long,
        global = true,
        env = "TINCAN_SECRET_STORE",
        value_enum,
        default_value_t = SecretStoreChoice::Auto,
        value_name = "WHERE"
    )]
    pub secret_store: SecretStoreChoice,

    /// Seconds to wait for a connection to open.
    #[arg(long, global = true, default_value_t = 120, value_name = "SECONDS")]
    pub connect_timeout: u64,
}

impl Global {
    fn data_dir(&self) -> Result<PathBuf> {
        if let Some(dir) = &self.data_dir {
            return Ok(dir.clone());
        }
        directories::ProjectDirs::from("", "", "tincan")
            .map(|d| d.data_dir().to_owned())
            .context("cannot find a home directory; pass --data-dir")
    }

    /// Opens the node with these options.
    pub fn open_node(&self) -> Result<Node> {
        let dir = self.data_dir()?;
        // Refuse a second Tincan before asking for a passphrase it would not need.
        tincan_core::node::check_data_dir_free(&dir)?;
        let secrets = secret_store::open(self.secret_store, &dir)?;
        // Said once per run, before anything is stored: where the secrets are.
        eprintln!("{}", secrets.notice);
        let mut config = NodeConfig::new(dir, secrets.store);
        // The terminal chats with one contact at a time: `tincan chat` resumes it.
        config.resume_on_open = false;
        let mut link = LinkConfig {
            bind: self.bind_addrs()?,
            mdns: self.mdns,
            ..LinkConfig::default()
        };
        link.ice_servers = self
            .stun
            .iter()
            .map(|s| IceServer {
                urls: vec![format!("stun:{s}")],
                username: String::new(),
                credential: String::new(),
            })
            .collect();
        config.link = link;
        // A name given once is kept in the data directory (the phone apps' setting), so a
        // later `accept` or `chat` without `--name` still introduces the person by it.
        let mut settings = Settings::load(&config.data_dir).context("cannot start Tincan")?;
        let given = self
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        config.display_name = given
            .map(str::to_owned)
            .or_else(|| Some(settings.display_name.clone()).filter(|n| !n.is_empty()));
        config.connect_timeout = Duration::from_secs(self.connect_timeout.max(1));
        let node = Node::open(config).context("cannot start Tincan")?;
        if let Some(name) = given.filter(|n| *n != settings.display_name) {
            settings.display_name = name.to_owned();
            settings.save(&node).context("cannot save your name")?;
        }
        Ok(node)
    }

    /// `--bind` addresses plus the IPv4 addresses of each `--interface`.
    fn bind_addrs(&self) -> Result<Vec<SocketAddr>> {
        let mut addrs = self.bind.clone();
        if self.interfaces.is_empty() {
            return Ok(addrs);
        }
        let all = if_addrs::get_if_addrs().context("cannot list network interfaces")?;
        for name in &self.interfaces {
            let found: Vec<SocketAddr> = all
                .iter()
                .filter(|i| &i.name == name && i.ip().is_ipv4())
                .map(|i| SocketAddr::new(i.ip(), 0))
                .collect();
            if found.is_empty() {
                let names: std::collections::BTreeSet<_> =
                    all.iter().map(|i| i.name.as_str()).collect();
                anyhow::bail!(
                    "no IPv4 address on interface {name:?}; interfaces here: {}",
                    names.into_iter().collect::<Vec<_>>().join(", ")
                );
            }
            addrs.extend(found);
        }
        Ok(addrs)
    }
}
