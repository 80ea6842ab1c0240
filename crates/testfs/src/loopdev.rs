//! Loop block devices, attached and detached with util-linux `losetup`.

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// `BLKFLSBUF` from <linux/fs.h> (`_IO(0x12, 97)`): write back and drop a
/// block device's buffer cache. libc does not export it.
const BLKFLSBUF: libc::c_ulong = 0x1261;

/// A loop device backed by a file, detached on drop.
///
/// The backing file is opened *without* direct I/O, so the loop driver goes
/// through the backing file's normal read/write path — the path on which
/// page-cache writeback and buffer-head errors of a real disk show up.
#[derive(Debug)]
pub struct LoopDevice {
    path: PathBuf,
    name: String,
    dev: (u32, u32),
    detached: bool,
}

impl LoopDevice {
    /// Attaches the first free loop device to `file`.
    pub fn attach(file: impl AsRef<Path>) -> io::Result<LoopDevice> {
        let output = Command::new("losetup")
            .args(["--find", "--show", "--direct-io=off"])
            .arg(file.as_ref())
            .stdin(Stdio::null())
            .output()?;
        if !output.status.success() {
            return Err(io::Error::other(format!(
                "losetup --find --show {}: {}",
                file.as_ref().display(),
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        let path = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut device = LoopDevice {
            path,
            name,
            dev: (0, 0),
            detached: false,
        };
        // Detached by Drop if this fails.
        device.dev = crate::split_dev(std::fs::metadata(&device.path)?.rdev());
        Ok(device)
    }

    /// `/dev/loopN`.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `loopN`, as the kernel names the device in its messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `(major, minor)` of the block device.
    pub fn dev(&self) -> (u32, u32) {
        self.dev
    }

    /// `major:minor`, as in `/sys/dev/block/` and `/proc/partitions`-style
    /// listings.
    pub fn maj_min(&self) -> String {
        format!("{}:{}", self.dev.0, self.dev.1)
    }

    /// The backing file as the kernel reports it, if still attached.
    pub fn backing_file(&self) -> Option<PathBuf> {
        let sys = Path::new("/sys/block")
            .join(&self.name)
            .join("loop/backing_file");
        crate::read_small(&sys)
            .ok()
            .map(|s| PathBuf::from(s.trim_end_matches('\n')))
    }

    /// Drops the device's cached blocks, so that the next buffered read
    /// really reaches the backing file (and its current [`crate::Mode`]).
    pub fn flush_buffers(&self) -> io::Result<()> {
        let dev = File::open(&self.path)?;
        // SAFETY: BLKFLSBUF takes no argument; the fd is open for the call.
        if unsafe { libc::ioctl(dev.as_raw_fd(), BLKFLSBUF, 0) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Detaches now and says whether that worked. If the device is still
    /// open (a reader blocked on it), the kernel marks it to detach on its
    /// last close instead.
    pub fn detach(mut self) -> io::Result<()> {
        self.detached = true;
        detach(&self.path)
    }
}

impl Drop for LoopDevice {
    fn drop(&mut self) {
        if !self.detached {
            let _ = detach(&self.path);
        }
    }
}

pub(crate) fn detach(path: &Path) -> io::Result<()> {
    let output = Command::new("losetup")
        .arg("--detach")
        .arg(path)
        .stdin(Stdio::null())
        .output()?;
    if output.status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "losetup --detach {}: {}",
            path.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}
