//! A real desktop secret store for a `tincan` process: a private D-Bus session
//! (`dbus-run-session`) with an unlocked GNOME Keyring in it, as a Linux desktop has.
//! Used by the CLI's secret-store tests and by the benchmark's idle-memory row.

/// The wrapper to start a program under: each run gets its own bus and keyring daemon,
/// which end with the program. The keyring's files go to `$HOME`, so give the program
/// a private HOME and `XDG_RUNTIME_DIR`, and remove `DBUS_SESSION_BUS_ADDRESS`.
pub const WRAPPER: [&str; 6] = [
    "dbus-run-session",
    "--",
    "sh",
    "-c",
    "echo -n keyring-pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null \
     && exec \"$@\"",
    "sh",
];

/// The programs [`WRAPPER`] needs and the Debian packages that bring them
/// (`scripts/setup` installs them).
pub const TOOLS: [(&str, &str); 2] = [
    ("dbus-run-session", "dbus-x11"),
    ("gnome-keyring-daemon", "gnome-keyring"),
];

/// The first tool of [`TOOLS`] that is not on `PATH`, with its package.
pub fn missing_tool() -> Option<(&'static str, &'static str)> {
    TOOLS
        .into_iter()
        .find(|(tool, _)| !crate::host::on_path(tool))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_a_missing_tool_with_its_package() {
        if let Some((tool, package)) = missing_tool() {
            assert!(TOOLS.contains(&(tool, package)));
        }
    }
}
