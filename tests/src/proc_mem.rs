//! Memory of a running process as the kernel accounts it, for the benchmark's "idle
//! connected CLI peak RSS" row and for tests that bound memory: `VmHWM` (peak resident
//! set) and `VmRSS` (resident now) from `/proc/<pid>/status`. Linux only.

use std::io;

/// Resident memory of one process, in KiB (the unit `/proc` reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcMemory {
    /// `VmHWM`: the peak resident set size since the process started.
    pub peak_rss_kib: u64,
    /// `VmRSS`: the resident set size now.
    pub rss_kib: u64,
}

impl ProcMemory {
    /// Peak RSS in MB (10^6 bytes), the unit the targets use.
    pub fn peak_rss_mb(&self) -> f64 {
        self.peak_rss_kib as f64 * 1024.0 / 1e6
    }

    /// Current RSS in MB (10^6 bytes).
    pub fn rss_mb(&self) -> f64 {
        self.rss_kib as f64 * 1024.0 / 1e6
    }
}

/// Reads `VmHWM` and `VmRSS` of process `pid`. Fails if the process is gone, or is a
/// kernel thread / zombie (those have no such lines).
pub fn read(pid: u32) -> io::Result<ProcMemory> {
    parse(&std::fs::read_to_string(format!("/proc/{pid}/status"))?)
}

/// Reads this process's own memory.
pub fn read_self() -> io::Result<ProcMemory> {
    read(std::process::id())
}

/// The first process below `ancestor` (children, grandchildren…) whose command name
/// is `comm`: the program a wrapper such as `dbus-run-session -- sh -c 'exec …'` runs.
pub fn find_descendant(ancestor: u32, comm: &str) -> io::Result<Option<u32>> {
    let mut parents = Vec::new();
    for entry in std::fs::read_dir("/proc")? {
        let Some(pid) = entry?
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        // A process may exit between the listing and the read: skip it.
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        if let Some((name, ppid)) = parse_stat(&stat) {
            parents.push((pid, ppid, name));
        }
    }
    let mut frontier = vec![ancestor];
    // Bounded: every round moves one generation down, and a chain is never longer
    // than the number of processes listed.
    for _ in 0..parents.len() {
        let children: Vec<&(u32, u32, String)> = parents
            .iter()
            .filter(|(_, ppid, _)| frontier.contains(ppid))
            .collect();
        if let Some((pid, _, _)) = children.iter().find(|(_, _, name)| name == comm) {
            return Ok(Some(*pid));
        }
        if children.is_empty() {
            break;
        }
        frontier = children.iter().map(|(pid, _, _)| *pid).collect();
    }
    Ok(None)
}

/// Command name and parent pid from a `/proc/<pid>/stat` line. The name is in
/// parentheses and may itself hold spaces or parentheses, so split at the last `)`.
fn parse_stat(stat: &str) -> Option<(String, u32)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat.get(open + 1..close)?.to_owned();
    let mut rest = stat.get(close + 1..)?.split_whitespace();
    let _state = rest.next()?;
    let ppid = rest.next()?.parse().ok()?;
    Some((name, ppid))
}

/// Parses the text of a `/proc/<pid>/status` file.
pub fn parse(status: &str) -> io::Result<ProcMemory> {
    let field = |name: &str| -> io::Result<u64> {
        let line = status
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("no {name} line")))?;
        let mut words = line.split_whitespace();
        let value = words
            .next()
            .and_then(|v| v.parse::<u64>().ok())
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, format!("bad {name}")))?;
        match words.next() {
            Some("kB") => Ok(value),
            _ => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{name} is not in kB"),
            )),
        }
    };
    Ok(ProcMemory {
        peak_rss_kib: field("VmHWM")?,
        rss_kib: field("VmRSS")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_two_lines_it_needs() {
        let status =
            "Name:\ttincan\nVmPeak:\t  900000 kB\nVmHWM:\t   21504 kB\nVmRSS:\t   18432 kB\n";
        let m = parse(status).unwrap();
        assert_eq!(
            m,
            ProcMemory {
                peak_rss_kib: 21504,
                rss_kib: 18432
            }
        );
        assert!((m.peak_rss_mb() - 22.02).abs() < 0.01);
    }

    #[test]
    fn refuses_a_status_without_memory_lines() {
        // A zombie's status has no Vm* lines.
        assert!(parse("Name:\tx\nState:\tZ (zombie)\n").is_err());
        assert!(parse("VmHWM:\tlots kB\nVmRSS:\t1 kB\n").is_err());
        assert!(parse("VmHWM:\t1 MB\nVmRSS:\t1 kB\n").is_err());
    }

    #[test]
    fn peak_grows_when_this_process_touches_memory() {
        let before = read_self().unwrap();
        assert!(before.rss_kib > 0 && before.peak_rss_kib >= before.rss_kib);
        // Touch 32 MiB so it is resident, then check the peak saw it.
        let block = vec![1u8; 32 << 20];
        let during = read_self().unwrap();
        assert!(std::hint::black_box(&block)
            .iter()
            .step_by(4096)
            .all(|b| *b == 1));
        assert!(
            during.peak_rss_kib >= before.rss_kib + 30 * 1024,
            "{before:?} -> {during:?}"
        );
        // No check after freeing: the kernel updates VmHWM lazily (per-CPU RSS counters),
        // so the peak read after an unmap can come out below the one read while mapped.
        drop(block);
    }

    #[test]
    fn finds_a_program_below_a_wrapper() {
        let mut child = std::process::Command::new("sh")
            .args(["-c", "sleep 30; true"])
            .spawn()
            .unwrap();
        // sh forks `sleep` (it is not the last command, so sh does not exec it).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let mut found = None;
        while found.is_none() && std::time::Instant::now() < deadline {
            found = find_descendant(child.id(), "sleep").unwrap();
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let sleep_pid = found.expect("sleep below sh");
        assert_ne!(sleep_pid, child.id());
        let stat = std::fs::read_to_string(format!("/proc/{sleep_pid}/stat")).unwrap();
        assert_eq!(parse_stat(&stat), Some(("sleep".into(), child.id())));
        assert_eq!(
            find_descendant(child.id(), "no-such-program").unwrap(),
            None
        );
        let sleep = nix::unistd::Pid::from_raw(i32::try_from(sleep_pid).unwrap());
        let _ = nix::sys::signal::kill(sleep, nix::sys::signal::Signal::SIGKILL);
        let _ = child.kill();
        let _ = child.wait();
    }

    #[test]
    fn reads_names_with_spaces_and_parentheses() {
        assert_eq!(
            parse_stat("42 (a (b) c) S 7 42 42 0"),
            Some(("a (b) c".into(), 7))
        );
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn a_missing_process_is_an_error() {
        // PIDs never reach u32::MAX (pid_max is at most 2^22).
        assert!(read(u32::MAX).is_err());
    }
}
