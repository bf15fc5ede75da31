//! Small facts about the machine the tests and benchmarks run on: who we are, which
//! programs are installed, what `/proc` says — and, for benchmarks, running the same
//! binary again inside a private network namespace.

use std::process::{Command, ExitStatus};

/// The effective uid from `/proc/self/status`, as written there.
pub fn effective_uid() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let uid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))?
        .split_whitespace()
        .nth(1)?;
    Some(uid.to_owned())
}

/// Whether this process runs as root (and so may make network namespaces).
pub fn is_root() -> bool {
    effective_uid().as_deref() == Some("0")
}

/// Whether an executable file of that name is in a `PATH` directory.
pub fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
}

/// A `/proc` (or any) file's text without surrounding whitespace; `?` if unreadable,
/// for machine notes printed next to benchmark results.
pub fn read_trimmed(path: &str) -> String {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "?".to_owned())
}

/// The variable that tells a benchmark it already runs inside its namespace.
pub const IN_NETNS: &str = "TINCAN_BENCH_IN_NETNS";

/// Whether this process is the copy started by [`rerun_in_lo_netns`].
pub fn in_netns() -> bool {
    std::env::var_os(IN_NETNS).is_some()
}

/// As root and not yet inside: runs this same binary, with the same arguments, inside
/// a namespace with only `lo` up (`tests/browser/in-netns.sh --lo-only`) and returns its
/// exit status. `None` when the caller should go on itself (inside, or not root).
pub fn rerun_in_lo_netns() -> Result<Option<ExitStatus>, String> {
    if in_netns() || !is_root() {
        return Ok(None);
    }
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("browser/in-netns.sh");
    let exe = std::env::current_exe().map_err(|e| format!("finding this benchmark: {e}"))?;
    let status = Command::new(script)
        .arg("--lo-only")
        .arg(exe)
        .args(std::env::args().skip(1))
        .env(IN_NETNS, "1")
        .status()
        .map_err(|e| format!("running in-netns.sh (needs root for unshare -n): {e}"))?;
    Ok(Some(status))
}

/// A binary of this package (`tests/src/bin/NAME.rs`) of the calling example's build,
/// brought up to date first: examples do not build the package's binaries. Bounded:
/// 15 minutes.
pub fn package_bin(name: &str) -> Result<std::path::PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| format!("finding this program: {e}"))?;
    // target/<profile>/examples/<example> → target/<profile>/<name>
    let profile_dir = exe
        .parent()
        .and_then(std::path::Path::parent)
        .ok_or("this benchmark lives in target/<profile>/examples")?;
    let mut build = Command::new(env!("CARGO"));
    build.args(["build", "-q", "-p", "tincan-tests", "--bin", name]);
    if profile_dir.file_name().is_some_and(|n| n == "release") {
        build.arg("--release");
    }
    eprintln!("bench: building {name}…");
    let mut child = build
        .stdin(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("running cargo: {e}"))?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(900);
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if std::time::Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("building {name} took over 15 minutes"));
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    if !status.success() {
        return Err(format!(
            "cargo build -p tincan-tests --bin {name} failed ({status})"
        ));
    }
    Ok(profile_dir.join(name))
}

/// A benchmark's run on this machine: started with the load average before it, and
/// printed at the end as the common "Machine:" lines the results are read against.
pub struct BenchRun {
    started: std::time::Instant,
    load_before: String,
    load_after: Option<String>,
}

impl BenchRun {
    /// Notes the load now, before anything is measured.
    pub fn start() -> Self {
        Self {
            load_before: read_trimmed("/proc/loadavg"),
            started: std::time::Instant::now(),
            load_after: None,
        }
    }

    /// Notes the load once the measurements are over (before printing takes time).
    pub fn measured(&mut self) {
        self.load_after = Some(read_trimmed("/proc/loadavg"));
    }

    /// Prints "Machine:" with CPUs, load before and after, run time, kernel and
    /// network; the benchmark adds its own lines below.
    pub fn print_machine(&self) {
        println!("\nMachine:");
        println!(
            "- {} CPUs; load average before {}, after {}; run took {:.0} s",
            std::thread::available_parallelism().map_or(0, |n| n.get()),
            self.load_before,
            self.load_after.as_deref().unwrap_or("?"),
            self.started.elapsed().as_secs_f64()
        );
        println!("- kernel {}", read_trimmed("/proc/sys/kernel/osrelease"));
        println!(
            "- network: {}",
            if in_netns() {
                "private namespace, only lo up"
            } else {
                "host loopback (not root: no namespace)"
            }
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_who_we_are_and_what_is_installed() {
        let uid = effective_uid().expect("Linux has /proc/self/status");
        assert!(uid.parse::<u32>().is_ok(), "{uid}");
        assert_eq!(is_root(), uid == "0");
        assert!(on_path("sh"), "every Debian machine has sh");
        assert!(!on_path("no-such-tool-for-tincan"));
        assert_eq!(read_trimmed("/no/such/file"), "?");
        assert!(!read_trimmed("/proc/loadavg").ends_with('\n'));
    }
}
