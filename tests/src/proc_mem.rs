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
    fn a_missing_process_is_an_error() {
        // PIDs never reach u32::MAX (pid_max is at most 2^22).
        assert!(read(u32::MAX).is_err());
    }
}
