//! Test support for driving *real* kernel storage failures on a Linux host.
//!
//! rootline explains storage-induced failures from what the kernel says about
//! them. To prove that against a live kernel rather than against recorded
//! logs, tests need a disk that can be made to fail or to stop answering on
//! demand. This crate builds one out of pieces every CI machine has:
//!
//! - [`TestFs`]: an in-process FUSE filesystem with a single file whose reads
//!   and writes can be switched between [`Mode::Ok`], [`Mode::Fail`] (EIO) and
//!   [`Mode::Hang`] (requests held unanswered);
//! - [`LoopDevice`]: a loop block device on top of that file, so the block
//!   layer (and its error messages) sits between the test and the FUSE file;
//! - [`SysctlGuard`]: a sysctl changed for the duration of a test, e.g. to
//!   make the hung-task detector fire after one second;
//! - [`Kmsg`]: a reader of the kernel log that only sees new records;
//! - [`BlockedReader`]: a child process that is known to sit in `D` state;
//! - [`KernelLock`]: a cross-process lock, because all of the above is global
//!   kernel state that two tests must not share.
//!
//! Everything restores what it changed when dropped, in whatever order a
//! failing test unwinds. Only Linux is supported and almost everything needs
//! root; [`require_root_and_fuse`] tells a test whether to skip.
//!
//! ```no_run
//! use std::time::Duration;
//! use rootline_testfs::{dd_read, BlockedReader, KernelLock, Kmsg, LoopDevice, Mode, TestFs};
//!
//! if let Err(why) = rootline_testfs::require_root_and_fuse() {
//!     eprintln!("skipped: {why}");
//!     return;
//! }
//! let _lock = KernelLock::acquire().unwrap();
//! let dir = std::env::temp_dir().join("example-mnt");
//! std::fs::create_dir_all(&dir).unwrap();
//! let fs = TestFs::mount(&dir, 16 << 20).unwrap();
//! let lo = LoopDevice::attach(fs.file()).unwrap();
//! let mut kmsg = Kmsg::open().unwrap();
//! fs.set_mode(Mode::Fail);
//! let _ = dd_read(lo.path(), 8, false).output();
//! let line = kmsg.wait_for(|m| m.contains("I/O error, dev loop"), Duration::from_secs(5));
//! assert!(line.is_some());
//! ```

#![cfg(target_os = "linux")]

mod blocked;
mod fs;
mod kmsg;
mod lock;
mod loopdev;
mod sysctl;

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::FileTypeExt;
use std::path::Path;
use std::process::{Command, Stdio};

pub use blocked::{BlockedReader, dd_read, dd_write, proc_state};
pub use fs::{FILE_NAME, FS_NAME, Mode, Stats, TestFs};
pub use kmsg::{Kmsg, KmsgRecord};
pub use lock::{KernelLock, cleanup_stale};
pub use loopdev::LoopDevice;
pub use sysctl::SysctlGuard;

/// Files under /proc and /sys read here are a few bytes; anything larger is
/// not what we expect and is cut rather than read whole.
const SMALL_FILE_LIMIT: u64 = 64 * 1024;

/// Reads a small kernel-provided text file (a /proc or /sys entry).
pub(crate) fn read_small(path: &Path) -> io::Result<String> {
    let mut text = String::new();
    // The size is capped by `take` first, which is what the workspace rule
    // against unbounded reads asks for.
    #[allow(clippy::disallowed_methods)]
    File::open(path)?
        .take(SMALL_FILE_LIMIT)
        .read_to_string(&mut text)?;
    Ok(text)
}

/// Why the kernel tests cannot run here (the error's message), or `Ok(())`
/// when they can.
///
/// Checks what every test in this crate's family needs: root, a FUSE driver,
/// loop devices with `losetup`, a readable `/dev/kmsg`, `dd`, and that a
/// hung-task report cannot panic the machine (`kernel.hung_task_panic` must
/// be 0 where the detector exists).
pub fn require_root_and_fuse() -> io::Result<()> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let euid = unsafe { libc::geteuid() };
    if euid != 0 {
        return Err(unavailable(format!(
            "needs root (euid is {euid}): mounts FUSE, attaches loop devices, writes sysctls"
        )));
    }
    let is_char = |p: &str| {
        std::fs::metadata(p)
            .map(|m| m.file_type().is_char_device())
            .unwrap_or(false)
    };
    if !is_char("/dev/fuse") {
        return Err(unavailable("no /dev/fuse character device"));
    }
    let filesystems = read_small(Path::new("/proc/filesystems"))
        .map_err(|e| io::Error::new(e.kind(), format!("cannot read /proc/filesystems: {e}")))?;
    if !filesystems
        .lines()
        .any(|l| l.split_whitespace().last() == Some("fuse"))
    {
        return Err(unavailable(
            "the kernel has no fuse filesystem (not in /proc/filesystems)",
        ));
    }
    if !is_char("/dev/loop-control") {
        return Err(unavailable(
            "no /dev/loop-control: loop devices are unavailable",
        ));
    }
    for tool in [["losetup", "--version"], ["dd", "--version"]] {
        let ok = Command::new(tool[0])
            .arg(tool[1])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !ok {
            return Err(unavailable(format!("`{}` is not runnable", tool[0])));
        }
    }
    if let Err(e) = File::open("/dev/kmsg") {
        return Err(io::Error::new(
            e.kind(),
            format!("cannot open /dev/kmsg: {e}"),
        ));
    }
    let panic = Path::new("/proc/sys/kernel/hung_task_panic");
    if panic.exists() {
        let value = read_small(panic)
            .map_err(|e| io::Error::new(e.kind(), format!("cannot read {panic:?}: {e}")))?;
        if value.trim() != "0" {
            return Err(unavailable(format!(
                "kernel.hung_task_panic is {}: a provoked hung task would panic this machine",
                value.trim()
            )));
        }
    }
    Ok(())
}

/// Why hung-task tests cannot run here (the error's message), or `Ok(())`
/// when they can.
///
/// On top of [`require_root_and_fuse`]: the hung-task detector must be built
/// in, and FUSE must not time out held requests on its own (a non-zero
/// `fs.fuse.default_request_timeout` would abort the connection under a test
/// that holds requests on purpose).
pub fn require_hung_task_detector() -> io::Result<()> {
    require_root_and_fuse()?;
    for name in [
        "hung_task_timeout_secs",
        "hung_task_warnings",
        "hung_task_panic",
    ] {
        let path = Path::new("/proc/sys/kernel").join(name);
        if !path.exists() {
            return Err(unavailable(format!(
                "no {}: the kernel has no hung-task detector",
                path.display()
            )));
        }
    }
    let fuse_timeout = Path::new("/proc/sys/fs/fuse/default_request_timeout");
    if let Ok(value) = read_small(fuse_timeout) {
        let secs: u64 = value.trim().parse().unwrap_or(0);
        if secs != 0 && secs < 120 {
            return Err(unavailable(format!(
                "fs.fuse.default_request_timeout is {secs}s: held FUSE requests would be aborted"
            )));
        }
    }
    Ok(())
}

/// A requirement of the kernel tests that this machine does not meet.
fn unavailable(why: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::Unsupported, why.into())
}

/// `(major, minor)` of a device number.
pub(crate) fn split_dev(dev: u64) -> (u32, u32) {
    (libc::major(dev), libc::minor(dev))
}
