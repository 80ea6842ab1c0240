//! A host snapshot read from sysfs and procfs text files under a root (`/`
//! on the live host, or a tree laid out like it).
//!
//! Why only these files: on a host with a dead LUN or a hung FUSE/NFS mount,
//! opening a block device or `stat`-ing a file on that mount puts the caller
//! in D state, and nothing can kill it. sysfs and procfs are answered by the
//! kernel from memory. So device names come from sysfs strings
//! (`loop/backing_file`, `dm/name`), open files from `readlink` of
//! `/proc/*/fd/*` (the kernel prints the path without touching the file
//! system), and nothing here ever opens `/dev/*` or a path that such a string
//! names.
//!
//! One hazard remains inside procfs: reading `/proc/<pid>/cmdline` waits for
//! the task's memory-map lock, which a task stuck in a page fault on a dead
//! mount holds. Task reading therefore runs on a worker thread with a
//! watchdog: a task that does not answer in time is recorded as such and
//! skipped (the blocked thread is abandoned; it is released when rootline
//! exits).
//!
//! The structs are the JSON shapes of the bundle's
//! `sos_commands/rootline/block.json` and `tasks.json`, and what `rootline
//! fix` re-reads right before each step: [`block_device`] and [`task`]
//! re-read one device or task in a few file reads.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::Error;

/// Cap for one sysfs/procfs attribute file (they are a few bytes; a cap
/// still, because a `--root` tree is whatever the user points at).
const ATTR_CAP: u64 = 64 * 1024;
/// Cap for `mountinfo`, `swaps`, `etc/passwd`.
const TABLE_CAP: u64 = 8 << 20;
/// Command lines kept per task: qemu's run to tens of KiB and carry the
/// disks; others are cut shorter.
const CMDLINE_CAP_QEMU: u64 = 64 * 1024;
const CMDLINE_CAP: u64 = 4 * 1024;
/// Open files listed per task.
const FDS_PER_TASK: usize = 512;

/// One block device (`/sys/block/<name>`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BlockDevice {
    /// Kernel name: `sda`, `loop3`, `dm-4`, `nvme0n1`.
    pub name: String,
    /// `major:minor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dev: Option<String>,
    /// Size in bytes (`size` is in 512-byte sectors whatever the device).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ro: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removable: Option<bool>,
    /// Where the device sits in `/sys/devices` (shows the transport:
    /// `…/session3/…` is iSCSI, `…/rport-…` FC, `…/virtual/block/…` none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sysfs_path: Option<String>,
    /// Devices stacked on this one (`dm-3` on `sdb`): not free to remove.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holders: Vec<String>,
    /// Devices this one is stacked on (a dm map's paths).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slaves: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partitions: Vec<Partition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dm: Option<DmInfo>,
    #[serde(default, rename = "loop", skip_serializing_if = "Option::is_none")]
    pub loop_dev: Option<LoopInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scsi: Option<ScsiInfo>,
    /// Requests in flight right now (`inflight`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inflight: Option<InFlight>,
    /// Cumulative I/O counters (`stat`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stat: Option<IoStat>,
}

/// A partition of a block device (`/sys/block/sda/sda1`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Partition {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dev: Option<String>,
    /// First sector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holders: Vec<String>,
}

/// Device-mapper attributes (`/sys/block/dm-N/dm/`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DmInfo {
    /// The map name (`mpatha`, `360014…`, `vg-lv`).
    pub name: String,
    /// `mpath-<wwid>` for multipath maps, `LVM-…` for LVs, `CRYPT-…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// A suspended map blocks all I/O until resumed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspended: Option<bool>,
}

/// Loop device attributes (`/sys/block/loopN/loop/`; absent when unbound).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LoopInfo {
    /// The backing file's path as the kernel prints it, without the
    /// ` (deleted)` suffix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backing_file: Option<String>,
    /// The kernel appended ` (deleted)`: the file was unlinked while the
    /// loop device keeps it (and its space) alive.
    #[serde(default)]
    pub backing_deleted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sizelimit: Option<u64>,
    /// Detached automatically at last close.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoclear: Option<bool>,
}

/// SCSI attributes (`/sys/block/sdX/device/`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScsiInfo {
    /// `running`, `offline`, `blocked`, `transport-offline`…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Host:channel:target:lun, from the `device` link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hctl: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wwid: Option<String>,
}

/// Requests in flight (`inflight`: reads, writes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InFlight {
    pub read: u64,
    pub write: u64,
}

/// The first eleven counters of `stat` (Documentation/block/stat.rst).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IoStat {
    pub read_ios: u64,
    pub read_merges: u64,
    pub read_sectors: u64,
    pub read_ticks_ms: u64,
    pub write_ios: u64,
    pub write_merges: u64,
    pub write_sectors: u64,
    pub write_ticks_ms: u64,
    pub in_flight: u64,
    pub io_ticks_ms: u64,
    pub time_in_queue_ms: u64,
}

/// One mount (`/proc/self/mountinfo`, or `/proc/mounts` without numbers).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Mount {
    pub source: String,
    pub mountpoint: String,
    pub fstype: String,
    /// `major:minor` of the file system (`0:52` for FUSE: the minor is the
    /// FUSE connection number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dev: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub options: String,
}

/// One active swap area (`/proc/swaps`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Swap {
    pub filename: String,
    /// `partition` or `file`.
    pub kind: String,
    pub size_kib: u64,
    pub used_kib: u64,
    pub priority: i64,
}

/// A FUSE connection (`/sys/fs/fuse/connections/<N>/`), with its mount.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FuseConnection {
    /// The connection number: the minor of the mount's device number.
    pub id: u32,
    /// Requests sent to the daemon and not answered yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting: Option<u64>,
    /// The mount it serves (matched by device number `0:<id>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mountpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fstype: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// One task (process) from `/proc/<pid>`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub pid: u32,
    /// Kernel command name (at most 15 bytes).
    pub comm: String,
    /// State letter from `stat`: `R`, `S`, `D`, `Z`, `T`, `I`…
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ppid: Option<u32>,
    /// Where in the kernel it sleeps (`io_schedule`, `fuse_wait_answer`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wchan: Option<String>,
    /// Arguments (`cmdline`, NUL-separated); empty for kernel threads.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cmdline: Vec<String>,
    /// The command line was cut at the cap.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cmdline_cut: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
    /// The user name for `uid` from the root's `etc/passwd`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Open block devices and files (only for tasks in D state, with a
    /// thread in D state, or qemu).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<OpenFile>,
    /// Kernel stack (`stack`; root only), for tasks in D state.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stack: Vec<String>,
    /// Threads in D state of a task whose main thread is not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocked_threads: Vec<Thread>,
}

/// A thread of a task (`/proc/<pid>/task/<tid>`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Thread {
    pub tid: u32,
    pub comm: String,
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wchan: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stack: Vec<String>,
}

/// An open file of a task, from the `fd/<n>` link target (never stat-ed).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OpenFile {
    pub fd: u32,
    /// The target as the kernel prints it, without ` (deleted)`.
    pub path: String,
    /// The block device it names (`loop3`, `dm-2`, `sdb1`), when it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    /// The mount point the file lies under (longest matching prefix).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mount: Option<String>,
}

/// Something that could not be read, and why; repeated reasons for the
/// same kind of file are counted, not listed (`proc/*/stack` × 312).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Unreadable {
    /// A path relative to the root, with `*` for the varying part.
    pub path: String,
    pub reason: String,
    #[serde(default = "one")]
    pub count: u64,
}

fn one() -> u64 {
    1
}

/// Everything [`snapshot`] reads.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub block: Vec<BlockDevice>,
    pub mounts: Vec<Mount>,
    pub swaps: Vec<Swap>,
    pub fuse: Vec<FuseConnection>,
    pub tasks: Vec<Task>,
    pub unreadable: Vec<Unreadable>,
}

/// Collects [`Unreadable`] entries, counting repeats.
#[derive(Default)]
struct Misses {
    seen: BTreeMap<(String, String), u64>,
}

impl Misses {
    fn add(&mut self, pattern: &str, e: &io::Error) {
        *self
            .seen
            .entry((pattern.to_string(), describe(e)))
            .or_insert(0) += 1;
    }

    fn add_reason(&mut self, pattern: &str, reason: String) {
        *self.seen.entry((pattern.to_string(), reason)).or_insert(0) += 1;
    }

    fn into_vec(self) -> Vec<Unreadable> {
        self.seen
            .into_iter()
            .map(|((path, reason), count)| Unreadable {
                path,
                reason,
                count,
            })
            .collect()
    }
}

pub(crate) fn describe(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// Reads at most `cap` bytes of a small text file.
pub fn read_capped(path: &Path, cap: u64) -> io::Result<Vec<u8>> {
    let f = std::fs::File::open(path)?;
    let mut out = Vec::new();
    // Bounded by `take`: the size is capped first.
    #[allow(clippy::disallowed_methods)]
    f.take(cap).read_to_end(&mut out)?;
    Ok(out)
}

/// A sysfs/procfs attribute, trimmed.
fn attr(path: &Path) -> io::Result<String> {
    let b = read_capped(path, ATTR_CAP)?;
    Ok(String::from_utf8_lossy(&b).trim().to_string())
}

fn attr_opt(path: &Path) -> Option<String> {
    attr(path).ok().filter(|s| !s.is_empty())
}

fn attr_u64(path: &Path) -> Option<u64> {
    attr(path).ok()?.parse().ok()
}

fn attr_bool(path: &Path) -> Option<bool> {
    match attr(path).ok()?.as_str() {
        "1" | "Y" | "y" => Some(true),
        "0" | "N" | "n" => Some(false),
        _ => None,
    }
}

/// Names in a directory, sorted (empty if it cannot be listed).
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort_by_key(|a| natural(a));
    v
}

/// Sort key putting `loop2` before `loop10`.
fn natural(s: &str) -> (String, u64, String) {
    let i = s.find(|c: char| c.is_ascii_digit()).unwrap_or(s.len());
    let j = s[i..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(s.len(), |k| i + k);
    (
        s[..i].to_string(),
        s[i..j].parse().unwrap_or(0),
        s[j..].to_string(),
    )
}

/// A path below `root` for an absolute-looking `rel` (`sys/block`).
fn under(root: &Path, rel: &str) -> PathBuf {
    root.join(rel.trim_start_matches('/'))
}

/// Splits `x (deleted)` into (`x`, true).
fn strip_deleted(s: &str) -> (String, bool) {
    match s.strip_suffix(" (deleted)") {
        Some(p) => (p.to_string(), true),
        None => (s.to_string(), false),
    }
}

/// Every block device under `<root>/sys/block`, with what could not be read.
pub fn block_devices(root: &Path) -> (Vec<BlockDevice>, Vec<Unreadable>) {
    let mut misses = Misses::default();
    let dir = under(root, "sys/block");
    if let Err(e) = std::fs::read_dir(&dir) {
        misses.add("sys/block", &e);
        return (Vec::new(), misses.into_vec());
    }
    let devs = names(&dir)
        .into_iter()
        .filter_map(|n| match block_device(root, &n) {
            Ok(d) => Some(d),
            Err(Error::Io { source, .. }) => {
                misses.add("sys/block/*", &source);
                None
            }
            Err(_) => None,
        })
        .collect();
    (devs, misses.into_vec())
}

/// One block device, re-read from sysfs (a dozen small reads): what `fix`
/// checks right before a step. An error only if the device is gone.
pub fn block_device(root: &Path, name: &str) -> Result<BlockDevice, Error> {
    let valid = !name.is_empty() && !name.contains('/') && name != "." && name != "..";
    let base = under(root, "sys/block").join(name);
    if !valid || !base.exists() {
        return Err(Error::Io {
            path: format!("sys/block/{name}"),
            source: io::Error::from(io::ErrorKind::NotFound),
        });
    }
    let mut d = BlockDevice {
        name: name.to_string(),
        dev: attr_opt(&base.join("dev")),
        size_bytes: attr_u64(&base.join("size")).map(|s| s.saturating_mul(512)),
        ro: attr_bool(&base.join("ro")),
        removable: attr_bool(&base.join("removable")),
        sysfs_path: std::fs::read_link(&base)
            .ok()
            .map(|p| p.to_string_lossy().trim_start_matches("../").to_string()),
        holders: names(&base.join("holders")),
        slaves: names(&base.join("slaves")),
        ..BlockDevice::default()
    };
    for sub in names(&base) {
        if sub.starts_with(name) && base.join(&sub).join("partition").exists() {
            let p = base.join(&sub);
            d.partitions.push(Partition {
                dev: attr_opt(&p.join("dev")),
                start: attr_u64(&p.join("start")),
                size_bytes: attr_u64(&p.join("size")).map(|s| s.saturating_mul(512)),
                holders: names(&p.join("holders")),
                name: sub,
            });
        }
    }
    if let Some(dm_name) = attr_opt(&base.join("dm/name")) {
        d.dm = Some(DmInfo {
            name: dm_name,
            uuid: attr_opt(&base.join("dm/uuid")),
            suspended: attr_bool(&base.join("dm/suspended")),
        });
    }
    if base.join("loop").is_dir() {
        let (backing_file, backing_deleted) = match attr_opt(&base.join("loop/backing_file")) {
            Some(b) => {
                let (p, del) = strip_deleted(&b);
                (Some(p), del)
            }
            None => (None, false),
        };
        d.loop_dev = Some(LoopInfo {
            backing_file,
            backing_deleted,
            offset: attr_u64(&base.join("loop/offset")),
            sizelimit: attr_u64(&base.join("loop/sizelimit")),
            autoclear: attr_bool(&base.join("loop/autoclear")),
        });
    }
    let scsi_state = attr_opt(&base.join("device/state"));
    if scsi_state.is_some() || base.join("device/scsi_device").exists() {
        let hctl = std::fs::read_link(base.join("device")).ok().and_then(|p| {
            let last = p.file_name()?.to_string_lossy().into_owned();
            (last.split(':').count() == 4).then_some(last)
        });
        d.scsi = Some(ScsiInfo {
            state: scsi_state,
            hctl,
            vendor: attr_opt(&base.join("device/vendor")),
            model: attr_opt(&base.join("device/model")),
            wwid: attr_opt(&base.join("device/wwid")),
        });
    }
    d.inflight = attr(&base.join("inflight")).ok().and_then(|s| {
        let mut it = s.split_whitespace().map(|x| x.parse::<u64>());
        Some(InFlight {
            read: it.next()?.ok()?,
            write: it.next()?.ok()?,
        })
    });
    d.stat = attr(&base.join("stat")).ok().and_then(|s| {
        let v: Vec<u64> = s.split_whitespace().map_while(|x| x.parse().ok()).collect();
        (v.len() >= 11).then(|| IoStat {
            read_ios: v[0],
            read_merges: v[1],
            read_sectors: v[2],
            read_ticks_ms: v[3],
            write_ios: v[4],
            write_merges: v[5],
            write_sectors: v[6],
            write_ticks_ms: v[7],
            in_flight: v[8],
            io_ticks_ms: v[9],
            time_in_queue_ms: v[10],
        })
    });
    Ok(d)
}

/// Undoes the octal escapes of mount tables (`\040` for a space).
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            let v = (b[i + 1] - b'0') as u32 * 64
                + (b[i + 2] - b'0') as u32 * 8
                + (b[i + 3] - b'0') as u32;
            if let Ok(c) = u8::try_from(v) {
                out.push(c);
                i += 4;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses `mountinfo` lines:
/// `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue`.
pub fn parse_mountinfo(text: &str) -> Vec<Mount> {
    text.lines()
        .filter_map(|l| {
            let (left, right) = l.split_once(" - ")?;
            let lf: Vec<&str> = left.split_whitespace().collect();
            let rf: Vec<&str> = right.split_whitespace().collect();
            if lf.len() < 6 || rf.is_empty() {
                return None;
            }
            Some(Mount {
                source: rf.get(1).map(|s| unescape(s)).unwrap_or_default(),
                mountpoint: unescape(lf[4]),
                fstype: rf[0].to_string(),
                dev: Some(lf[2].to_string()),
                options: lf[5].to_string(),
            })
        })
        .collect()
}

/// Parses `/proc/mounts` (`fstab` layout, no device numbers).
pub fn parse_proc_mounts(text: &str) -> Vec<Mount> {
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            if f.len() < 4 {
                return None;
            }
            Some(Mount {
                source: unescape(f[0]),
                mountpoint: unescape(f[1]),
                fstype: f[2].to_string(),
                dev: None,
                options: f[3].to_string(),
            })
        })
        .collect()
}

/// The mounts under `root`: `proc/self/mountinfo`, `proc/1/mountinfo`,
/// else `proc/mounts`.
pub fn mounts(root: &Path) -> Result<Vec<Mount>, Error> {
    let mut last = None;
    for rel in ["proc/self/mountinfo", "proc/1/mountinfo"] {
        match read_capped(&under(root, rel), TABLE_CAP) {
            Ok(b) => return Ok(parse_mountinfo(&String::from_utf8_lossy(&b))),
            Err(e) => last = Some((rel, e)),
        }
    }
    match read_capped(&under(root, "proc/mounts"), TABLE_CAP) {
        Ok(b) => Ok(parse_proc_mounts(&String::from_utf8_lossy(&b))),
        Err(e) => {
            let (path, source) = last.unwrap_or(("proc/mounts", e));
            Err(Error::Io {
                path: path.to_string(),
                source,
            })
        }
    }
}

/// Parses `/proc/swaps`.
pub fn parse_swaps(text: &str) -> Vec<Swap> {
    text.lines()
        .filter(|l| !l.starts_with("Filename"))
        .filter_map(|l| {
            // The file name may contain spaces (escaped as \040); the four
            // last columns are numbers and a word.
            let f: Vec<&str> = l.split_whitespace().collect();
            if f.len() < 5 {
                return None;
            }
            let n = f.len();
            Some(Swap {
                filename: unescape(&f[..n - 4].join(" ")),
                kind: f[n - 4].to_string(),
                size_kib: f[n - 3].parse().ok()?,
                used_kib: f[n - 2].parse().ok()?,
                priority: f[n - 1].parse().ok()?,
            })
        })
        .collect()
}

/// The active swap areas under `root` (`proc/swaps`).
pub fn swaps(root: &Path) -> Result<Vec<Swap>, Error> {
    read_capped(&under(root, "proc/swaps"), TABLE_CAP)
        .map(|b| parse_swaps(&String::from_utf8_lossy(&b)))
        .map_err(|source| Error::Io {
            path: "proc/swaps".to_string(),
            source,
        })
}

/// A task holding a device open, found by [`users_of`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceUser {
    pub pid: u32,
    pub comm: String,
    pub fd: u32,
    /// The link target as the kernel prints it (`/dev/mapper/mpathc`).
    pub path: String,
}

/// Every task that has block device `name` (`loop3`, `dm-2`, `sdc`) open,
/// by `readlink` of every `/proc/*/fd/*` (`/dev/<name>`, and for a dm
/// device also `/dev/mapper/<map>`): what `fix` checks before detaching or
/// removing it. Tasks whose fds cannot be read (another user's, without
/// root) are returned in the second list by pid: the check is then not
/// complete and must say so.
pub fn users_of(root: &Path, name: &str) -> (Vec<DeviceUser>, Vec<u32>) {
    let mut targets = vec![format!("/dev/{name}")];
    if let Some(map) = attr_opt(&under(root, "sys/block").join(name).join("dm/name")) {
        targets.push(format!("/dev/mapper/{map}"));
    }
    let mut users = Vec::new();
    let mut unknown = Vec::new();
    for pid in names_numeric(&under(root, "proc")) {
        let dir = under(root, "proc").join(pid.to_string());
        let rd = match std::fs::read_dir(dir.join("fd")) {
            Ok(rd) => rd,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(_) => {
                unknown.push(pid);
                continue;
            }
        };
        let mut comm = None;
        for e in rd.flatten() {
            let Some(fd) = e.file_name().to_str().and_then(|f| f.parse::<u32>().ok()) else {
                continue;
            };
            let Ok(t) = std::fs::read_link(e.path()) else {
                continue;
            };
            let t = t.to_string_lossy().into_owned();
            if targets.contains(&t) {
                let comm = comm
                    .get_or_insert_with(|| {
                        attr(&dir.join("stat"))
                            .ok()
                            .and_then(|s| parse_stat(&s))
                            .map(|(c, _, _)| c)
                            .unwrap_or_default()
                    })
                    .clone();
                users.push(DeviceUser {
                    pid,
                    comm,
                    fd,
                    path: t,
                });
            }
        }
    }
    (users, unknown)
}

/// FUSE connections under `root`, matched to their mounts.
pub fn fuse_connections(root: &Path, mounts: &[Mount]) -> Vec<FuseConnection> {
    let dir = under(root, "sys/fs/fuse/connections");
    names(&dir)
        .into_iter()
        .filter_map(|n| {
            let id: u32 = n.parse().ok()?;
            let m = mounts
                .iter()
                .find(|m| m.dev.as_deref() == Some(&format!("0:{id}")));
            Some(FuseConnection {
                id,
                waiting: attr_u64(&dir.join(&n).join("waiting")),
                mountpoint: m.map(|m| m.mountpoint.clone()),
                fstype: m.map(|m| m.fstype.clone()),
                source: m.map(|m| m.source.clone()),
            })
        })
        .collect()
}

/// The mount a path lies under: the longest mount point that is a path
/// prefix of it (string comparison only; nothing is looked up).
pub fn mount_of<'m>(mounts: &'m [Mount], path: &str) -> Option<&'m Mount> {
    mounts
        .iter()
        .filter(|m| {
            let mp = m.mountpoint.trim_end_matches('/');
            mp.is_empty()
                || path == mp
                || (path.starts_with(mp) && path.as_bytes().get(mp.len()) == Some(&b'/'))
        })
        // The last of equal mount points is the one on top.
        .max_by_key(|m| m.mountpoint.trim_end_matches('/').len())
}

/// `(comm, state, ppid)` from `stat`: `1234 (qemu-kvm) D 1 …` — the comm
/// may hold spaces and parentheses, so the last `)` ends it.
fn parse_stat(s: &str) -> Option<(String, String, Option<u32>)> {
    let open = s.find('(')?;
    let close = s.rfind(')')?;
    let comm = s.get(open + 1..close)?.to_string();
    let mut rest = s.get(close + 1..)?.split_whitespace();
    let state = rest.next()?.to_string();
    let ppid = rest.next().and_then(|p| p.parse().ok());
    Some((comm, state, ppid))
}

fn stack_of(dir: &Path, misses: &mut Misses, pattern: &str) -> Vec<String> {
    match read_capped(&dir.join("stack"), ATTR_CAP) {
        Ok(b) => String::from_utf8_lossy(&b)
            .lines()
            .map(|l| l.trim_end().to_string())
            .filter(|l| !l.is_empty())
            .collect(),
        Err(e) => {
            misses.add(pattern, &e);
            Vec::new()
        }
    }
}

fn is_qemu(comm: &str) -> bool {
    comm.starts_with("qemu") || comm == "kvm"
}

/// What the snapshot knows about the host while reading tasks: block
/// device names (`/dev/…` targets are matched to them) and mounts.
#[derive(Default)]
struct Names {
    /// `/dev/<x>` name → kernel name, for devices, partitions, `mapper/<map>`.
    dev: HashMap<String, String>,
    mounts: Vec<Mount>,
    users: HashMap<u32, String>,
}

impl Names {
    fn new(block: &[BlockDevice], mounts: &[Mount], passwd: &str) -> Names {
        let mut dev = HashMap::new();
        for d in block {
            dev.insert(d.name.clone(), d.name.clone());
            for p in &d.partitions {
                dev.insert(p.name.clone(), p.name.clone());
            }
            if let Some(dm) = &d.dm {
                dev.insert(format!("mapper/{}", dm.name), d.name.clone());
            }
        }
        let users = passwd
            .lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split(':').collect();
                Some((f.get(2)?.parse().ok()?, f.first()?.to_string()))
            })
            .collect();
        Names {
            dev,
            mounts: mounts.to_vec(),
            users,
        }
    }

    fn open_file(&self, fd: u32, target: &str) -> Option<OpenFile> {
        if !target.starts_with('/') {
            // socket:[…], pipe:[…], anon_inode:[…]
            return None;
        }
        let (path, deleted) = strip_deleted(target);
        if let Some(rest) = path.strip_prefix("/dev/") {
            // Only block devices: /dev/null, ttys, /dev/kvm are not evidence.
            let device = self.dev.get(rest)?.clone();
            return Some(OpenFile {
                fd,
                path,
                device: Some(device),
                deleted,
                mount: None,
            });
        }
        if ["/proc/", "/sys/"].iter().any(|p| path.starts_with(p)) {
            return None;
        }
        let mount = mount_of(&self.mounts, &path).map(|m| m.mountpoint.clone());
        Some(OpenFile {
            fd,
            path,
            device: None,
            deleted,
            mount,
        })
    }
}

fn read_task(root: &Path, pid: u32, names: &Names, misses: &mut Misses) -> Option<Task> {
    let dir = under(root, "proc").join(pid.to_string());
    let stat = match attr(&dir.join("stat")) {
        Ok(s) => s,
        // Gone since the listing: not worth a note.
        Err(e) if e.kind() == io::ErrorKind::NotFound => return None,
        Err(e) => {
            misses.add("proc/*/stat", &e);
            return None;
        }
    };
    let (comm, state, ppid) = parse_stat(&stat)?;
    let qemu = is_qemu(&comm);
    let cap = if qemu { CMDLINE_CAP_QEMU } else { CMDLINE_CAP };
    let (cmdline, cmdline_cut) = match read_capped(&dir.join("cmdline"), cap + 1) {
        Ok(mut b) => {
            let cut = b.len() as u64 > cap;
            b.truncate(cap as usize);
            let args = b
                .split(|&c| c == 0)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect::<Vec<_>>();
            let mut args = args;
            while args.last().is_some_and(String::is_empty) {
                args.pop();
            }
            (args, cut)
        }
        Err(e) => {
            misses.add("proc/*/cmdline", &e);
            (Vec::new(), false)
        }
    };
    let uid = attr(&dir.join("status")).ok().and_then(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
    });
    let wchan = attr_opt(&dir.join("wchan")).filter(|w| w != "0");
    let mut t = Task {
        pid,
        user: uid.and_then(|u| names.users.get(&u).cloned()),
        uid,
        comm,
        state,
        ppid,
        wchan,
        cmdline,
        cmdline_cut,
        ..Task::default()
    };
    let blocked = t.state == "D";
    if !blocked {
        for tid in names_numeric(&dir.join("task")) {
            if tid == pid {
                continue;
            }
            let tdir = dir.join("task").join(tid.to_string());
            let Some((comm, state, _)) = attr(&tdir.join("stat")).ok().and_then(|s| parse_stat(&s))
            else {
                continue;
            };
            if state == "D" {
                t.blocked_threads.push(Thread {
                    tid,
                    comm,
                    state,
                    wchan: attr_opt(&tdir.join("wchan")).filter(|w| w != "0"),
                    stack: stack_of(&tdir, misses, "proc/*/task/*/stack"),
                });
            }
        }
    } else {
        t.stack = stack_of(&dir, misses, "proc/*/stack");
    }
    if blocked || !t.blocked_threads.is_empty() || qemu {
        match std::fs::read_dir(dir.join("fd")) {
            Ok(rd) => {
                let mut fds: Vec<u32> = rd
                    .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                    .collect();
                fds.sort_unstable();
                for fd in fds {
                    if t.files.len() >= FDS_PER_TASK {
                        break;
                    }
                    if let Ok(target) = std::fs::read_link(dir.join("fd").join(fd.to_string()))
                        && let Some(f) = names.open_file(fd, &target.to_string_lossy())
                    {
                        t.files.push(f);
                    }
                }
            }
            Err(e) => misses.add("proc/*/fd", &e),
        }
    }
    Some(t)
}

fn names_numeric(dir: &Path) -> Vec<u32> {
    let mut v: Vec<u32> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    v.sort_unstable();
    v
}

/// How long one task may take to read before it is given up.
const TASK_STALL: Duration = Duration::from_secs(2);
/// Stuck tasks skipped before task reading gives up altogether.
const MAX_STUCK: usize = 16;

enum Msg {
    Reading(u32),
    Task(Box<Task>),
    Done(Misses),
}

/// Every task under `<root>/proc`, read on worker threads with a watchdog
/// (see the module docs). `block` and `mounts` name open files.
pub fn tasks(root: &Path, block: &[BlockDevice], mounts: &[Mount]) -> (Vec<Task>, Vec<Unreadable>) {
    let passwd = read_capped(&under(root, "etc/passwd"), TABLE_CAP).unwrap_or_default();
    let names = std::sync::Arc::new(Names::new(block, mounts, &String::from_utf8_lossy(&passwd)));
    let pids = std::sync::Arc::new(names_numeric(&under(root, "proc")));
    let mut out = Vec::new();
    let mut misses = Misses::default();
    if pids.is_empty() {
        misses.add_reason("proc", "no processes listed".to_string());
    }
    let mut next = 0usize;
    let mut stuck = 0usize;
    while next < pids.len() {
        let (tx, rx) = mpsc::channel();
        let (root_c, names_c, pids_c) = (root.to_path_buf(), names.clone(), pids.clone());
        let from = next;
        let spawned = std::thread::Builder::new()
            .name("rootline-tasks".to_string())
            .spawn(move || {
                let mut m = Misses::default();
                for &pid in &pids_c[from..] {
                    if tx.send(Msg::Reading(pid)).is_err() {
                        return;
                    }
                    if let Some(t) = read_task(&root_c, pid, &names_c, &mut m)
                        && tx.send(Msg::Task(Box::new(t))).is_err()
                    {
                        return;
                    }
                }
                let _ = tx.send(Msg::Done(m));
            });
        if spawned.is_err() {
            misses.add_reason("proc", "cannot start a thread to read tasks".to_string());
            break;
        }
        let mut current = None;
        loop {
            match rx.recv_timeout(TASK_STALL) {
                Ok(Msg::Reading(pid)) => current = Some(pid),
                Ok(Msg::Task(t)) => out.push(*t),
                Ok(Msg::Done(m)) => {
                    for ((p, r), c) in m.seen {
                        *misses.seen.entry((p, r)).or_insert(0) += c;
                    }
                    next = pids.len();
                    break;
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    let pid = current.unwrap_or(0);
                    misses.add_reason(
                        &format!("proc/{pid}"),
                        format!(
                            "reading it did not return in {} s (its memory map is locked: typically a task stuck in a page fault on a dead device or mount)",
                            TASK_STALL.as_secs()
                        ),
                    );
                    stuck += 1;
                    next = pids
                        .iter()
                        .position(|&p| p == pid)
                        .map_or(pids.len(), |i| i + 1);
                    break;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    next = pids.len();
                    break;
                }
            }
        }
        if stuck >= MAX_STUCK {
            misses.add_reason(
                "proc",
                format!("{stuck} tasks did not answer; the remaining tasks were not read"),
            );
            break;
        }
    }
    (out, misses.into_vec())
}

/// One task, re-read (for `fix`'s re-checks). `None` if it is gone.
pub fn task(root: &Path, pid: u32) -> Option<Task> {
    let (block, _) = block_devices(root);
    let mounts = mounts(root).unwrap_or_default();
    let passwd = read_capped(&under(root, "etc/passwd"), TABLE_CAP).unwrap_or_default();
    let names = Names::new(&block, &mounts, &String::from_utf8_lossy(&passwd));
    read_task(root, pid, &names, &mut Misses::default())
}

/// The whole snapshot under `root`.
pub fn snapshot(root: &Path) -> Snapshot {
    let (block, mut unreadable) = block_devices(root);
    let mounts = match mounts(root) {
        Ok(m) => m,
        Err(Error::Io { path, source }) => {
            unreadable.push(Unreadable {
                path,
                reason: describe(&source),
                count: 1,
            });
            Vec::new()
        }
        Err(_) => Vec::new(),
    };
    let swaps = match swaps(root) {
        Ok(s) => s,
        Err(Error::Io { path, source }) => {
            unreadable.push(Unreadable {
                path,
                reason: describe(&source),
                count: 1,
            });
            Vec::new()
        }
        Err(_) => Vec::new(),
    };
    let fuse = fuse_connections(root, &mounts);
    let (tasks, more) = tasks(root, &block, &mounts);
    unreadable.extend(more);
    Snapshot {
        block,
        mounts,
        swaps,
        fuse,
        tasks,
        unreadable,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::fs;

    /// Mount lines as a real machine prints them (a container host with a
    /// loop-mounted image and an sshfs mount).
    pub(crate) const MOUNTINFO: &str = "\
22 1 253:0 / / rw,relatime shared:1 - ext4 /dev/mapper/vg0-root rw,errors=remount-ro
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw
24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:6 - sysfs sysfs rw
25 22 0:5 / /dev rw,nosuid,relatime shared:2 - devtmpfs udev rw,size=16379412k,nr_inodes=4094853,mode=755
41 24 0:37 / /sys/fs/fuse/connections rw,nosuid,nodev,noexec,relatime shared:18 - fusectl fusectl rw
103 22 8:1 / /var/lib/nova/instances rw,relatime shared:52 - xfs /dev/sda1 rw,attr2,inode64,logbufs=8,logbsize=32k,noquota
212 22 0:52 / /mnt/remote\\040images rw,nosuid,nodev,relatime shared:120 - fuse.sshfs backup@10.0.0.7:/srv/images rw,user_id=0,group_id=0
230 22 7:3 / /var/lib/snapd/snap/core rw,relatime shared:130 - squashfs /dev/loop3 ro
";

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        if let Some(d) = p.parent() {
            fs::create_dir_all(d).unwrap();
        }
        fs::write(p, text).unwrap();
    }

    fn link(root: &Path, rel: &str, target: &str) {
        let p = root.join(rel);
        if let Some(d) = p.parent() {
            fs::create_dir_all(d).unwrap();
        }
        std::os::unix::fs::symlink(target, p).unwrap();
    }

    /// A tree like `/`: loop3 backed by a deleted file, loop5 backed by a
    /// file on a FUSE mount whose daemon stopped answering, an offline SCSI
    /// disk, a suspended multipath map, and a `dd` in D state reading loop5.
    pub(crate) fn fake_root(root: &Path) {
        for (dev, name) in [("7:3", "loop3"), ("7:5", "loop5")] {
            let b = format!("sys/block/{name}");
            write(root, &format!("{b}/dev"), &format!("{dev}\n"));
            write(root, &format!("{b}/size"), "2097152\n");
            write(root, &format!("{b}/ro"), "0\n");
            write(root, &format!("{b}/removable"), "0\n");
            write(root, &format!("{b}/loop/offset"), "0\n");
            write(root, &format!("{b}/loop/sizelimit"), "0\n");
            write(root, &format!("{b}/loop/autoclear"), "0\n");
            fs::create_dir_all(root.join(&b).join("holders")).unwrap();
        }
        write(
            root,
            "sys/block/loop3/loop/backing_file",
            "/var/tmp/x.img (deleted)\n",
        );
        write(root, "sys/block/loop3/inflight", "       0        0\n");
        write(
            root,
            "sys/block/loop5/loop/backing_file",
            "/mnt/remote images/vm7.img\n",
        );
        write(root, "sys/block/loop5/inflight", "       3        0\n");
        write(
            root,
            "sys/block/loop5/stat",
            "     120        0     3072      400        0        0        0        0        3    61234    61500        0        0        0        0\n",
        );
        write(root, "sys/block/sdc/dev", "8:32\n");
        write(root, "sys/block/sdc/size", "209715200\n");
        write(root, "sys/block/sdc/device/state", "offline\n");
        write(root, "sys/block/sdc/device/vendor", "NETAPP  \n");
        write(root, "sys/block/sdc/device/model", "LUN C-Mode      \n");
        fs::create_dir_all(root.join("sys/block/sdc/holders/dm-2")).unwrap();
        write(root, "sys/block/dm-2/dev", "253:2\n");
        write(root, "sys/block/dm-2/dm/name", "mpathc\n");
        write(
            root,
            "sys/block/dm-2/dm/uuid",
            "mpath-3600a098038304437415d4b6a59684a52\n",
        );
        write(root, "sys/block/dm-2/dm/suspended", "1\n");
        fs::create_dir_all(root.join("sys/block/dm-2/slaves/sdc")).unwrap();
        write(root, "sys/block/sda/dev", "8:0\n");
        write(root, "sys/block/sda/device/state", "running\n");
        write(root, "sys/block/sda/sda1/partition", "1\n");
        write(root, "sys/block/sda/sda1/dev", "8:1\n");
        write(root, "sys/block/sda/sda1/start", "2048\n");
        write(root, "sys/fs/fuse/connections/52/waiting", "2\n");
        write(root, "sys/fs/fuse/connections/37/waiting", "0\n");
        write(root, "proc/self/mountinfo", MOUNTINFO);
        write(
            root,
            "proc/swaps",
            "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/dev/dm-1                               partition\t8388604\t\t10240\t\t-2\n",
        );
        write(
            root,
            "etc/passwd",
            "root:x:0:0:root:/root:/bin/bash\nnova:x:162:162::/var/lib/nova:/sbin/nologin\n",
        );
        // dd reading loop5, blocked in the kernel.
        let p = "proc/4242";
        write(
            root,
            &format!("{p}/stat"),
            "4242 (dd) D 4100 4242 4100 34816 4242 4194304 131 0 0 0 0 1 0 0 20 0 1 0 81234 5623808 224 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n",
        );
        write(
            root,
            &format!("{p}/cmdline"),
            "dd\0if=/dev/loop5\0of=/dev/null\0bs=1M\0",
        );
        write(
            root,
            &format!("{p}/status"),
            "Name:\tdd\nState:\tD (disk sleep)\nUid:\t0\t0\t0\t0\n",
        );
        write(root, &format!("{p}/wchan"), "folio_wait_bit_common");
        write(
            root,
            &format!("{p}/stack"),
            "[<0>] folio_wait_bit_common+0x13d/0x350\n[<0>] filemap_read+0x5b4/0x6c0\n[<0>] blkdev_read_iter+0x6b/0x160\n",
        );
        fs::create_dir_all(root.join(p).join("fd")).unwrap();
        link(root, &format!("{p}/fd/0"), "/dev/loop5");
        link(root, &format!("{p}/fd/1"), "/dev/null");
        link(root, &format!("{p}/fd/2"), "/dev/pts/0");
        // A qemu whose I/O thread is blocked; its disk is on the FUSE mount.
        let q = "proc/5100";
        write(
            root,
            &format!("{q}/stat"),
            "5100 (qemu-system-x86) S 1 5100 5100 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 4 0 1000 1 1 1 1 1 1 1 1 1 1 1 1 1 17 0 0 0 0 0 0\n",
        );
        write(
            root,
            &format!("{q}/cmdline"),
            "/usr/bin/qemu-system-x86_64\0-name\0guest=instance-0000001c,debug-threads=on\0-drive\0file=/mnt/remote images/vm7.img,format=raw\0",
        );
        write(root, &format!("{q}/status"), "Uid:\t162\t162\t162\t162\n");
        write(root, &format!("{q}/wchan"), "do_sys_poll");
        write(
            root,
            &format!("{q}/task/5100/stat"),
            "5100 (qemu-system-x86) S 1\n",
        );
        write(
            root,
            &format!("{q}/task/5107/stat"),
            "5107 (IO iothread1) D 1\n",
        );
        write(root, &format!("{q}/task/5107/wchan"), "fuse_wait_answer\n");
        fs::create_dir_all(root.join(q).join("fd")).unwrap();
        link(root, &format!("{q}/fd/17"), "/mnt/remote images/vm7.img");
        link(root, &format!("{q}/fd/18"), "socket:[84211]");
        link(
            root,
            &format!("{q}/fd/19"),
            "/var/tmp/old-disk.qcow2 (deleted)",
        );
        // An ordinary sleeping shell: listed, no files read.
        write(root, "proc/77/stat", "77 (bash) S 1 77 77\n");
        write(root, "proc/77/cmdline", "-bash\0");
        write(root, "proc/77/status", "Uid:\t1000\t1000\t1000\t1000\n");
        fs::create_dir_all(root.join("proc/77/fd")).unwrap();
        link(root, "proc/77/fd/3", "/dev/loop3");
    }

    #[test]
    fn block_devices_from_a_fake_root() {
        let dir = tempfile::tempdir().unwrap();
        fake_root(dir.path());
        let (devs, _) = block_devices(dir.path());
        let names: Vec<&str> = devs.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, vec!["dm-2", "loop3", "loop5", "sda", "sdc"]);
        let l3 = block_device(dir.path(), "loop3").unwrap();
        assert_eq!(l3.dev.as_deref(), Some("7:3"));
        assert_eq!(l3.size_bytes, Some(1 << 30));
        let lo = l3.loop_dev.unwrap();
        assert_eq!(lo.backing_file.as_deref(), Some("/var/tmp/x.img"));
        assert!(lo.backing_deleted);
        assert_eq!(lo.autoclear, Some(false));
        let l5 = block_device(dir.path(), "loop5").unwrap();
        assert_eq!(l5.inflight, Some(InFlight { read: 3, write: 0 }));
        assert_eq!(l5.stat.unwrap().in_flight, 3);
        assert!(!l5.loop_dev.unwrap().backing_deleted);
        let dm = block_device(dir.path(), "dm-2").unwrap();
        let info = dm.dm.unwrap();
        assert_eq!(info.name, "mpathc");
        assert_eq!(info.suspended, Some(true));
        assert_eq!(dm.slaves, vec!["sdc"]);
        let sdc = block_device(dir.path(), "sdc").unwrap();
        assert_eq!(sdc.scsi.unwrap().state.as_deref(), Some("offline"));
        assert_eq!(sdc.holders, vec!["dm-2"]);
        let sda = block_device(dir.path(), "sda").unwrap();
        assert_eq!(sda.partitions[0].name, "sda1");
        assert_eq!(sda.partitions[0].start, Some(2048));
        assert!(block_device(dir.path(), "loop9").is_err());
        assert!(block_device(dir.path(), "../../etc").is_err());
    }

    #[test]
    fn mounts_swaps_and_fuse() {
        let dir = tempfile::tempdir().unwrap();
        fake_root(dir.path());
        let m = mounts(dir.path()).unwrap();
        assert_eq!(m.len(), 8);
        let fuse = m.iter().find(|m| m.fstype == "fuse.sshfs").unwrap();
        assert_eq!(fuse.mountpoint, "/mnt/remote images");
        assert_eq!(fuse.source, "backup@10.0.0.7:/srv/images");
        assert_eq!(fuse.dev.as_deref(), Some("0:52"));
        let c = fuse_connections(dir.path(), &m);
        assert_eq!(c.len(), 2);
        let c52 = c.iter().find(|c| c.id == 52).unwrap();
        assert_eq!(c52.waiting, Some(2));
        assert_eq!(c52.mountpoint.as_deref(), Some("/mnt/remote images"));
        assert_eq!(
            mount_of(&m, "/mnt/remote images/vm7.img").unwrap().fstype,
            "fuse.sshfs"
        );
        assert_eq!(mount_of(&m, "/mnt/remote").unwrap().mountpoint, "/");
        assert_eq!(
            mount_of(&m, "/var/lib/nova/instances/x/disk")
                .unwrap()
                .source,
            "/dev/sda1"
        );
        let s = parse_swaps(&String::from_utf8_lossy(
            &read_capped(&dir.path().join("proc/swaps"), 1 << 20).unwrap(),
        ));
        assert_eq!(s[0].filename, "/dev/dm-1");
        assert_eq!(s[0].used_kib, 10240);
        assert_eq!(s[0].priority, -2);
        // Without mountinfo: proc/mounts, and no device numbers.
        let pm = parse_proc_mounts(
            "/dev/sda1 /var/lib/nova/instances xfs rw,relatime 0 0\nsshfs#x /mnt/a\\040b fuse rw 0 0\n",
        );
        assert_eq!(pm[1].mountpoint, "/mnt/a b");
        assert_eq!(pm[1].dev, None);
    }

    #[test]
    fn tasks_from_a_fake_root() {
        let dir = tempfile::tempdir().unwrap();
        fake_root(dir.path());
        let snap = snapshot(dir.path());
        let pids: Vec<u32> = snap.tasks.iter().map(|t| t.pid).collect();
        assert_eq!(pids, vec![77, 4242, 5100]);
        let dd = &snap.tasks[1];
        assert_eq!(dd.comm, "dd");
        assert_eq!(dd.state, "D");
        assert_eq!(dd.ppid, Some(4100));
        assert_eq!(dd.user.as_deref(), Some("root"));
        assert_eq!(
            dd.cmdline,
            vec!["dd", "if=/dev/loop5", "of=/dev/null", "bs=1M"]
        );
        assert_eq!(dd.wchan.as_deref(), Some("folio_wait_bit_common"));
        assert_eq!(dd.stack.len(), 3);
        // Only the block device: /dev/null and the tty are not evidence.
        assert_eq!(dd.files.len(), 1);
        assert_eq!(dd.files[0].device.as_deref(), Some("loop5"));
        let q = &snap.tasks[2];
        assert_eq!(q.user.as_deref(), Some("nova"));
        assert_eq!(q.blocked_threads.len(), 1);
        assert_eq!(q.blocked_threads[0].comm, "IO iothread1");
        assert_eq!(
            q.blocked_threads[0].wchan.as_deref(),
            Some("fuse_wait_answer")
        );
        assert_eq!(q.files.len(), 2);
        assert_eq!(q.files[0].mount.as_deref(), Some("/mnt/remote images"));
        assert_eq!(q.files[1].path, "/var/tmp/old-disk.qcow2");
        assert!(q.files[1].deleted);
        // A sleeping shell: its files are none of our business.
        assert!(snap.tasks[0].files.is_empty());
        assert_eq!(snap.swaps.len(), 1);
        let json = serde_json::to_string(&snap).unwrap();
        let back: Snapshot = serde_json::from_str(&json).unwrap();
        assert_eq!(back, snap);
    }

    #[test]
    fn who_holds_a_device() {
        let dir = tempfile::tempdir().unwrap();
        fake_root(dir.path());
        let (users, unknown) = users_of(dir.path(), "loop3");
        assert_eq!(
            users,
            vec![DeviceUser {
                pid: 77,
                comm: "bash".into(),
                fd: 3,
                path: "/dev/loop3".into()
            }]
        );
        assert!(unknown.is_empty());
        let (users, _) = users_of(dir.path(), "loop5");
        assert_eq!(users.len(), 1);
        assert_eq!(users[0].comm, "dd");
        assert!(users_of(dir.path(), "sdc").0.is_empty());
        assert_eq!(swaps(dir.path()).unwrap().len(), 1);
    }

    #[test]
    fn the_live_host_reads_without_error() {
        // Whatever this machine has: the reading must not fail or hang.
        let snap = snapshot(Path::new("/"));
        assert!(!snap.tasks.is_empty());
        assert!(snap.tasks.iter().any(|t| t.pid == std::process::id()));
    }
}
