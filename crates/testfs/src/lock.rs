//! One kernel-state test at a time, across processes.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::fs::FS_NAME;

const LOCK_FILE: &str = "rootline-testfs.lock";

/// An exclusive `flock` on a file under the system temp dir, held until
/// dropped.
///
/// Tests that lower the hung-task timeout, read `/dev/kmsg` or count loop
/// devices would see each other's effects: cargo runs the tests of one
/// binary on parallel threads and several test binaries (or worktrees) may
/// run at once. flock conflicts between separate opens even within one
/// process, and the kernel drops it when a holder dies, so a crashed test
/// never leaves it taken.
#[derive(Debug)]
pub struct KernelLock {
    _file: File,
    cleaned: Vec<String>,
}

impl KernelLock {
    /// Blocks until the lock is free, then removes what dead holders left
    /// behind (see [`cleanup_stale`]).
    pub fn acquire() -> io::Result<KernelLock> {
        let path = std::env::temp_dir().join(LOCK_FILE);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o666)
            .open(&path)?;
        loop {
            // SAFETY: flock on an fd we own.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0 {
                break;
            }
            let err = io::Error::last_os_error();
            if err.kind() != io::ErrorKind::Interrupted {
                return Err(err);
            }
        }
        let cleaned = cleanup_stale().unwrap_or_else(|e| vec![format!("cleanup failed: {e}")]);
        Ok(KernelLock {
            _file: file,
            cleaned,
        })
    }

    /// What [`cleanup_stale`] removed when the lock was taken.
    pub fn cleaned(&self) -> &[String] {
        &self.cleaned
    }
}

/// Removes test filesystems whose serving process is gone and the loop
/// devices on them, and restores sysctls that such a process had changed
/// (see [`crate::SysctlGuard`]); returns a line per thing done.
///
/// A test process that is killed never runs its destructors. Its FUSE mount
/// then stays listed (every access failing with ENOTCONN) and a loop device
/// may still point into it. Such mounts are recognised by their source,
/// `rootline-testfs:<pid>`, naming a process that no longer exists — known
/// without touching the mount, which could block if it were live.
pub fn cleanup_stale() -> io::Result<Vec<String>> {
    let mut done = crate::sysctl::restore_stale();
    let mountinfo = crate::read_small(Path::new("/proc/self/mountinfo"))?;
    for mount_point in stale_mounts(&mountinfo) {
        let prefix = format!("{}/", mount_point.display());
        for (device, backing) in loop_backings() {
            if backing.starts_with(&prefix) {
                let result = crate::loopdev::detach(&device);
                done.push(format!(
                    "detached {} ({backing}): {result:?}",
                    device.display()
                ));
            }
        }
        let result = crate::fs::unmount(&mount_point);
        done.push(format!("unmounted {}: {result:?}", mount_point.display()));
    }
    Ok(done)
}

fn stale_mounts(mountinfo: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for line in mountinfo.lines() {
        // id parent maj:min root mount-point options [optional...] - type source super-options
        let Some((left, right)) = line.split_once(" - ") else {
            continue;
        };
        let mut right = right.split(' ');
        let (Some(fstype), Some(source)) = (right.next(), right.next()) else {
            continue;
        };
        if !fstype.starts_with("fuse") {
            continue;
        }
        let Some(pid) = source
            .strip_prefix(FS_NAME)
            .and_then(|s| s.strip_prefix(':'))
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == std::process::id() || Path::new("/proc").join(pid.to_string()).exists() {
            continue;
        }
        if let Some(mp) = left.split(' ').nth(4) {
            out.push(PathBuf::from(unescape_octal(mp)));
        }
    }
    out
}

/// `(/dev/loopN, backing file)` for every attached loop device.
fn loop_backings() -> Vec<(PathBuf, String)> {
    let Ok(entries) = std::fs::read_dir("/sys/block") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.starts_with("loop") {
                return None;
            }
            let backing = crate::read_small(&e.path().join("loop/backing_file")).ok()?;
            Some((
                Path::new("/dev").join(&name),
                backing.trim_end_matches('\n').to_owned(),
            ))
        })
        .collect()
}

/// mountinfo writes space, tab, newline and backslash as `\ooo`.
fn unescape_octal(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && let Some(oct) = s.get(i + 1..i + 4)
            && let Ok(b) = u8::from_str_radix(oct, 8)
        {
            out.push(b);
            i += 4;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_only_mounts_of_dead_processes() {
        let me = std::process::id();
        // pid 0x7fffffff is above pid_max, so never alive.
        let info = format!(
            "36 25 0:45 / /tmp/a\\040b rw,nosuid,nodev,relatime shared:1 - fuse {FS_NAME}:2147483647 rw,user_id=0,group_id=0\n\
             37 25 0:46 / /tmp/mine rw,nosuid,nodev,relatime - fuse {FS_NAME}:{me} rw\n\
             38 25 0:47 / /tmp/other rw - fuse sshfs rw\n\
             39 25 8:1 / /data rw - ext4 /dev/sda1 rw\n"
        );
        assert_eq!(stale_mounts(&info), [PathBuf::from("/tmp/a b")]);
    }
}
