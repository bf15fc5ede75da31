//! Nothing left behind: peers started by this benchmark exit when it dies (a pidfd,
//! which costs the idle peer no wake-up, unlike polling the parent), and Ctrl-C or
//! SIGTERM on the benchmark turns into an error at its next wait, so the usual drops
//! stop every process and delete every namespace.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Exits this process (status 2) when the process that started it dies: a thread
/// blocked in `poll` on the parent's pidfd, woken only then.
pub fn exit_with_parent(label: &'static str) -> Result<()> {
    use rustix::event::{poll, PollFd, PollFlags};
    use rustix::process::{getppid, pidfd_open, PidfdFlags};
    let parent = getppid().context("no parent")?;
    let fd = pidfd_open(parent, PidfdFlags::empty()).context("pidfd_open")?;
    // The parent may have died before the pidfd was opened.
    if getppid() != Some(parent) {
        bail!("the process that started me is already gone");
    }
    std::thread::spawn(move || {
        let mut fds = [PollFd::new(&fd, PollFlags::IN)];
        while poll(&mut fds, None).is_err() {}
        eprintln!("{label}: the process that started me is gone; exiting");
        std::process::exit(2);
    });
    Ok(())
}

/// Notes Ctrl-C and SIGTERM instead of dying on them (on a thread of its own).
pub fn catch_interrupts() -> Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    std::thread::spawn(move || {
        rt.block_on(async {
            use tokio::signal::unix::{signal, SignalKind};
            let (Ok(mut int), Ok(mut term)) = (
                signal(SignalKind::interrupt()),
                signal(SignalKind::terminate()),
            ) else {
                return;
            };
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            eprintln!("bench: interrupted; stopping every peer and deleting the namespaces…");
            INTERRUPTED.store(true, Ordering::Relaxed);
        });
    });
    Ok(())
}

/// An error once the run was interrupted.
pub fn check() -> Result<()> {
    if INTERRUPTED.load(Ordering::Relaxed) {
        bail!("interrupted");
    }
    Ok(())
}

/// Sleeps `d`, in short steps so an interrupt ends it early (with an error).
pub fn sleep(d: Duration) -> Result<()> {
    let end = Instant::now() + d;
    loop {
        check()?;
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(());
        }
        std::thread::sleep(left.min(Duration::from_millis(200)));
    }
}
