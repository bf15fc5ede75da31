//! The person's settings: the name others see, STUN servers (none by default) and how
//! long invites stay valid. Kept in the store so a name given once stays.

use std::path::Path;

use crate::link::IceServer;
use crate::node::NodeError;
use crate::store::Store;

/// Longest display name, in characters.
pub const MAX_NAME_CHARS: usize = 64;
/// Invite lifetime bounds, in hours (a week at most: codes are single-use anyway).
pub const LIFETIME_HOURS: std::ops::RangeInclusive<u32> = 1..=168;
/// At most this many STUN servers.
pub const MAX_STUN_SERVERS: usize = 8;

/// The person's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The name others see (empty: none).
    pub display_name: String,
    /// `host:port` of each STUN server.
    pub stun_servers: Vec<String>,
    /// How long new invites stay valid.
    pub invite_lifetime_hours: u32,
}

/// Why settings were refused, in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// The name is too long or has control characters.
    #[error("The name can have at most {MAX_NAME_CHARS} characters and no line breaks.")]
    Name,
    /// A STUN server is not `host:port`.
    #[error("\"{0}\" is not a STUN server. Write one per line as host:port, e.g. stun.example.org:3478.")]
    Stun(String),
    /// Too many STUN servers.
    #[error("At most {MAX_STUN_SERVERS} STUN servers.")]
    TooManyStun,
    /// The lifetime is out of bounds.
    #[error("Invites can stay valid from 1 hour to 7 days (168 hours).")]
    Lifetime,
}

const NAME: &str = "display_name";
const STUN: &str = "stun_servers";
const LIFETIME: &str = "invite_lifetime_hours";

impl Default for Settings {
    fn default() -> Self {
        Self {
            display_name: String::new(),
            stun_servers: Vec::new(),
            invite_lifetime_hours: 24,
        }
    }
}

impl Settings {
    /// Reads the settings of a data directory (defaults for what was never saved).
    pub fn load(data_dir: &Path) -> Result<Settings, NodeError> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| NodeError::Storage(format!("{}: {e}", data_dir.display())))?;
        let store = Store::open(&data_dir.join("tincan.db"))?;
        let mut s = Settings::default();
        if let Some(name) = store.setting(NAME)? {
            s.display_name = name;
        }
        if let Some(stun) = store.setting(STUN)? {
            s.stun_servers = stun.lines().map(str::to_owned).collect();
        }
        if let Some(hours) = store.setting(LIFETIME)?.and_then(|h| h.parse().ok()) {
            s.invite_lifetime_hours = hours;
        }
        Ok(s)
    }

    /// Checks what the person typed and builds settings from it.
    pub fn parse(name: &str, stun: &str, lifetime_hours: u32) -> Result<Settings, SettingsError> {
        let display_name = name.trim().to_owned();
        if display_name.chars().count() > MAX_NAME_CHARS
            || display_name.chars().any(char::is_control)
        {
            return Err(SettingsError::Name);
        }
        let mut stun_servers = Vec::new();
        for entry in stun
            .split(|c: char| c == '\n' || c == ',' || c.is_whitespace())
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            let entry = entry.strip_prefix("stun:").unwrap_or(entry);
            let valid = entry.rsplit_once(':').is_some_and(|(host, port)| {
                !host.is_empty()
                    && host
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || ".-[]:".contains(c))
                    && port.parse::<u16>().is_ok_and(|p| p > 0)
            });
            if !valid {
                return Err(SettingsError::Stun(entry.chars().take(60).collect()));
            }
            stun_servers.push(entry.to_owned());
        }
        if stun_servers.len() > MAX_STUN_SERVERS {
            return Err(SettingsError::TooManyStun);
        }
        if !LIFETIME_HOURS.contains(&lifetime_hours) {
            return Err(SettingsError::Lifetime);
        }
        Ok(Settings {
            display_name,
            stun_servers,
            invite_lifetime_hours: lifetime_hours,
        })
    }

    /// Saves them through the node's store.
    pub fn save(&self, node: &crate::node::Node) -> Result<(), NodeError> {
        node.set_setting(NAME, &self.display_name)?;
        node.set_setting(STUN, &self.stun_servers.join("\n"))?;
        node.set_setting(LIFETIME, &self.invite_lifetime_hours.to_string())
    }

    /// The STUN servers as the link wants them.
    pub fn ice_servers(&self) -> Vec<IceServer> {
        self.stun_servers
            .iter()
            .map(|s| IceServer {
                urls: vec![format!("stun:{s}")],
                username: String::new(),
                credential: String::new(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn typed_settings_are_checked_and_cleaned() {
        let s = Settings::parse("  Ana ", "stun.example.org:3478\n 10.0.0.1:3478,", 48).unwrap();
        assert_eq!(s.display_name, "Ana");
        assert_eq!(s.stun_servers, ["stun.example.org:3478", "10.0.0.1:3478"]);
        assert_eq!(
            Settings::parse("Ana", "stun.example.org", 24),
            Err(SettingsError::Stun("stun.example.org".into()))
        );
        assert_eq!(Settings::parse("Ana", "", 0), Err(SettingsError::Lifetime));
        assert_eq!(Settings::parse("A\nB", "", 24), Err(SettingsError::Name));
        assert_eq!(
            Settings::parse(&"x".repeat(65), "", 24),
            Err(SettingsError::Name)
        );
        assert!(Settings::parse("", "", 24).unwrap().stun_servers.is_empty());
    }
}
