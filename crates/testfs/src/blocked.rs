//! Child processes stuck in uninterruptible sleep on a hung device.

use std::io::{self, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A process must be seen in `D` this many polls in a row: exec and page
/// faults put any process in `D` for an instant, which proves nothing.
const D_STREAK: u32 = 5;
const POLL_INTERVAL: Duration = Duration::from_millis(10);
/// dd's complaints are a line or two; never buffer more than this.
const STDERR_LIMIT: u64 = 64 * 1024;
/// How long Drop waits for a killed child before leaving it to a thread.
const KILL_GRACE: Duration = Duration::from_secs(2);

/// `dd` reading `count` 4 KiB blocks of `device` to /dev/null; with `direct`
/// it bypasses the page cache (O_DIRECT), so the read is one request to the
/// device that the process waits for itself.
pub fn dd_read(device: &Path, count: u32, direct: bool) -> Command {
    let mut cmd = Command::new("dd");
    cmd.arg(arg("if=", device))
        .args(["of=/dev/null", "bs=4096", &format!("count={count}")]);
    if direct {
        cmd.arg("iflag=direct");
    }
    cmd
}

/// `dd` writing `count` 4 KiB blocks of zeros to `device`; with `fsync` it
/// then waits for writeback of its dirty pages (`conv=fsync`).
pub fn dd_write(device: &Path, count: u32, fsync: bool) -> Command {
    let mut cmd = Command::new("dd");
    cmd.arg("if=/dev/zero")
        .arg(arg("of=", device))
        .args(["bs=4096", &format!("count={count}")]);
    if fsync {
        cmd.arg("conv=fsync");
    }
    cmd
}

fn arg(key: &str, path: &Path) -> std::ffi::OsString {
    let mut s = std::ffi::OsString::from(key);
    s.push(path.as_os_str());
    s
}

/// The state letter of a process from `/proc/<pid>/stat` (`R`, `S`, `D`,
/// `Z`, …), or None if it is gone.
pub fn proc_state(pid: u32) -> Option<char> {
    let stat = crate::read_small(&Path::new("/proc").join(pid.to_string()).join("stat")).ok()?;
    // The command name in parentheses may itself hold spaces and parens;
    // the state is the first field after the last ')'.
    stat.rsplit_once(')')?.1.trim_start().chars().next()
}

/// A child process known to be in uninterruptible sleep (`D`).
///
/// Dropping it kills the child and reaps it. A process in `D` cannot die
/// until the I/O it waits for completes, so Drop waits only briefly and then
/// leaves the reaping to a background thread: resuming the filesystem (for
/// instance by dropping the [`crate::TestFs`] afterwards) lets it finish.
#[derive(Debug)]
pub struct BlockedReader {
    child: Option<Child>,
    pid: u32,
}

impl BlockedReader {
    /// Spawns `cmd` (stdin and stdout null, stderr kept) and waits until the
    /// process sits in `D` state; fails if it exits or does not block within
    /// `timeout`.
    pub fn spawn(mut cmd: Command, timeout: Duration) -> io::Result<BlockedReader> {
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        let mut reader = BlockedReader {
            pid: child.id(),
            child: Some(child),
        };
        let deadline = Instant::now() + timeout;
        let mut streak = 0;
        while streak < D_STREAK {
            if let Some(status) = reader.child_mut()?.try_wait()? {
                let stderr = reader.take_stderr();
                return Err(io::Error::other(format!(
                    "{cmd:?} ended ({status}) instead of blocking: {}",
                    stderr.trim()
                )));
            }
            if Instant::now() >= deadline {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "{cmd:?} (pid {}) did not enter D state; last state {:?}",
                        reader.pid,
                        reader.state()
                    ),
                ));
            }
            streak = if reader.state() == Some('D') {
                streak + 1
            } else {
                0
            };
            std::thread::sleep(POLL_INTERVAL);
        }
        Ok(reader)
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The current state letter, None once reaped.
    pub fn state(&self) -> Option<char> {
        proc_state(self.pid)
    }

    /// The command name the kernel uses in its messages (`dd`).
    pub fn comm(&self) -> Option<String> {
        self.proc_file("comm").map(|s| s.trim().to_owned())
    }

    /// The kernel function the process sleeps in (`/proc/<pid>/wchan`).
    pub fn wchan(&self) -> Option<String> {
        self.proc_file("wchan").map(|s| s.trim().to_owned())
    }

    /// The kernel stack (`/proc/<pid>/stack`, root only).
    pub fn kernel_stack(&self) -> Option<String> {
        self.proc_file("stack")
    }

    /// Waits for the process to end (the device must have been resumed) and
    /// returns its exit status and what it wrote to stderr.
    pub fn finish(mut self, timeout: Duration) -> io::Result<(ExitStatus, String)> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child_mut()?.try_wait()? {
                let stderr = self.take_stderr();
                self.child = None;
                return Ok((status, stderr));
            }
            if Instant::now() >= deadline {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "pid {} still running after {timeout:?} (state {:?})",
                        self.pid,
                        self.state()
                    ),
                ));
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    /// The child, present until `finish` reaps it.
    fn child_mut(&mut self) -> io::Result<&mut Child> {
        self.child
            .as_mut()
            .ok_or_else(|| io::Error::other(format!("pid {} was already reaped", self.pid)))
    }

    fn take_stderr(&mut self) -> String {
        let mut text = String::new();
        if let Some(stderr) = self.child.as_mut().and_then(|c| c.stderr.take()) {
            // Bounded by `take`, as the workspace rule on whole reads asks.
            #[allow(clippy::disallowed_methods)]
            let _ = stderr.take(STDERR_LIMIT).read_to_string(&mut text);
        }
        text
    }

    fn proc_file(&self, name: &str) -> Option<String> {
        crate::read_small(&Path::new("/proc").join(self.pid.to_string()).join(name)).ok()
    }
}

impl Drop for BlockedReader {
    fn drop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = child.kill();
        let deadline = Instant::now() + KILL_GRACE;
        while Instant::now() < deadline {
            if !matches!(child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(POLL_INTERVAL);
        }
        // Still in D: the kill is pending until its I/O completes. Reap it
        // then, without holding up the rest of the cleanup that will resume
        // the device.
        let _ = std::thread::Builder::new()
            .name(format!("reap-{}", self.pid))
            .spawn(move || {
                let _ = child.wait();
            });
    }
}
