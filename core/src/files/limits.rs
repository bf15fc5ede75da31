//! How big, how many and how patient: the limits a node puts on files. Defaults are
//! for a phone: a film from the camera fits, a disk image does not, and nothing large
//! is fetched over someone's mobile data without a yes.

use std::time::Duration;

/// Limits on attachments, sending and receiving.
#[derive(Debug, Clone)]
pub struct FileLimits {
    /// Largest file this node sends or accepts (default 2 GiB).
    pub max_file_bytes: u64,
    /// Larger offers wait for the person's yes (default 25 MiB).
    pub auto_accept_bytes: u64,
    /// Incoming transfers running at once per conversation; the rest wait their turn
    /// (default 2).
    pub max_running: usize,
    /// Free space to leave on the disk after a file arrives (default 64 MiB).
    pub free_space_margin: u64,
    /// No chunk for this long while the link is up: ask again (default 20 s).
    pub stall_timeout: Duration,
    /// After this many asks with nothing arriving, give up (default 3).
    pub stall_retries: u32,
    /// Strip EXIF/GPS and other metadata from photos unless the person asks
    /// otherwise (default on).
    pub strip_photo_metadata: bool,
}

impl Default for FileLimits {
    fn default() -> Self {
        Self {
            max_file_bytes: 2 << 30,
            auto_accept_bytes: 25 << 20,
            max_running: 2,
            free_space_margin: 64 << 20,
            stall_timeout: Duration::from_secs(20),
            stall_retries: 3,
            strip_photo_metadata: true,
        }
    }
}
