//! The FUSE filesystem whose single file can be made to fail or hang.

use std::collections::BTreeMap;
use std::ffi::{CString, OsStr};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use fuser::{
    BackgroundSession, Config, Errno, FileAttr, FileHandle, FileType, Filesystem, FopenFlags,
    Generation, INodeNo, LockOwner, MountOption, OpenFlags, ReplyAttr, ReplyData, ReplyDirectory,
    ReplyEmpty, ReplyEntry, ReplyOpen, ReplyWrite, Request, SessionACL, WriteFlags,
};

/// Name of the one file in the filesystem.
pub const FILE_NAME: &str = "disk.img";

/// Prefix of the mount source shown in /proc/mounts. The owning process id
/// follows it (`rootline-testfs:1234`), so that a mount left behind by a
/// process that died can be told from a live one without touching it.
pub const FS_NAME: &str = "rootline-testfs";

const FILE_INO: INodeNo = INodeNo(2);
/// Data is kept in pages so a large, mostly untouched disk costs no memory.
const PAGE: u64 = 4096;
/// Nothing about the file changes behind the kernel's back except data, and
/// data is never cached (direct I/O), so attributes may be cached for long.
const ATTR_TTL: Duration = Duration::from_secs(3600);

/// How the file answers data requests (read, write, fsync).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Requests are served normally.
    Ok,
    /// Requests are answered with EIO, like a disk returning media errors.
    Fail,
    /// Requests are held unanswered, like a disk or path that stopped
    /// responding; they are answered when the mode changes again.
    Hang,
}

/// Counts of data requests seen by the filesystem since it was mounted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub reads: u64,
    pub writes: u64,
    pub fsyncs: u64,
    /// Requests answered with EIO (in [`Mode::Fail`], or released into it).
    pub failed: u64,
    /// Requests that were held in [`Mode::Hang`] (answered or not).
    pub held_total: u64,
    /// Requests held right now.
    pub held_now: u64,
}

/// A request taken in [`Mode::Hang`], with what is needed to answer it later.
enum Held {
    Read {
        offset: u64,
        size: u32,
        reply: ReplyData,
    },
    Write {
        offset: u64,
        data: Vec<u8>,
        reply: ReplyWrite,
    },
    Fsync {
        reply: ReplyEmpty,
    },
}

struct State {
    mode: Mode,
    pages: BTreeMap<u64, Box<[u8]>>,
    held: Vec<Held>,
    stats: Stats,
}

struct Shared {
    size: u64,
    state: Mutex<State>,
    /// Signalled whenever a request is held, so tests can wait for one.
    held_changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the page map torn in a
        // way that matters to a test disk; keep serving rather than poison
        // every later request (and the Drop that must release held ones).
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn read_data(&self, offset: u64, size: u32) -> Vec<u8> {
        let end = offset.saturating_add(u64::from(size)).min(self.size);
        if offset >= end {
            return Vec::new();
        }
        let mut out = vec![0u8; (end - offset) as usize];
        let st = self.lock();
        let mut pos = offset;
        while pos < end {
            let page = pos / PAGE;
            let in_page = (pos % PAGE) as usize;
            let n = ((PAGE as usize) - in_page).min((end - pos) as usize);
            if let Some(data) = st.pages.get(&page) {
                let at = (pos - offset) as usize;
                out[at..at + n].copy_from_slice(&data[in_page..in_page + n]);
            }
            pos += n as u64;
        }
        out
    }

    /// Stores data; returns how many bytes fit below the file size.
    fn write_data(&self, offset: u64, data: &[u8]) -> usize {
        let end = offset.saturating_add(data.len() as u64).min(self.size);
        if offset >= end {
            return 0;
        }
        let mut st = self.lock();
        let mut pos = offset;
        while pos < end {
            let page = pos / PAGE;
            let in_page = (pos % PAGE) as usize;
            let n = ((PAGE as usize) - in_page).min((end - pos) as usize);
            let at = (pos - offset) as usize;
            let buf = st
                .pages
                .entry(page)
                .or_insert_with(|| vec![0u8; PAGE as usize].into_boxed_slice());
            buf[in_page..in_page + n].copy_from_slice(&data[at..at + n]);
            pos += n as u64;
        }
        (end - offset) as usize
    }

    /// Answers a request as the given mode would. `Mode::Hang` is never
    /// passed here: held requests are only answered once hanging stops.
    fn answer(&self, held: Held, mode: Mode) {
        if mode != Mode::Ok {
            self.lock().stats.failed += 1;
            match held {
                Held::Read { reply, .. } => reply.error(Errno::EIO),
                Held::Write { reply, .. } => reply.error(Errno::EIO),
                Held::Fsync { reply } => reply.error(Errno::EIO),
            }
            return;
        }
        match held {
            Held::Read {
                offset,
                size,
                reply,
            } => reply.data(&self.read_data(offset, size)),
            Held::Write {
                offset,
                data,
                reply,
            } => {
                let n = self.write_data(offset, &data);
                if n == 0 && !data.is_empty() {
                    reply.error(Errno::ENOSPC);
                } else {
                    reply.written(n as u32);
                }
            }
            // Data lives in memory: there is nothing to make durable.
            Held::Fsync { reply } => reply.ok(),
        }
    }

    /// Routes a data request by the current mode: answered now, or held.
    fn dispatch(&self, held: Held) {
        let mode = {
            let mut st = self.lock();
            if st.mode == Mode::Hang {
                st.held.push(held);
                st.stats.held_total += 1;
                st.stats.held_now = st.held.len() as u64;
                self.held_changed.notify_all();
                return;
            }
            st.mode
        };
        self.answer(held, mode);
    }

    fn set_mode(&self, mode: Mode) {
        let released = {
            let mut st = self.lock();
            st.mode = mode;
            if mode == Mode::Hang {
                Vec::new()
            } else {
                st.stats.held_now = 0;
                std::mem::take(&mut st.held)
            }
        };
        // Answered outside the lock: each answer takes it again for data.
        for held in released {
            self.answer(held, mode);
        }
    }
}

/// The `fuser::Filesystem`: a root directory holding one file.
struct Disk {
    shared: Arc<Shared>,
    uid: u32,
    gid: u32,
    mounted_at: SystemTime,
}

impl Disk {
    fn attr(&self, ino: INodeNo) -> Option<FileAttr> {
        let (kind, perm, nlink, size) = match ino {
            INodeNo::ROOT => (FileType::Directory, 0o755, 2, 0),
            FILE_INO => (FileType::RegularFile, 0o644, 1, self.shared.size),
            _ => return None,
        };
        Some(FileAttr {
            ino,
            size,
            blocks: size.div_ceil(512),
            atime: self.mounted_at,
            mtime: self.mounted_at,
            ctime: self.mounted_at,
            crtime: self.mounted_at,
            kind,
            perm,
            nlink,
            uid: self.uid,
            gid: self.gid,
            rdev: 0,
            blksize: PAGE as u32,
            flags: 0,
        })
    }
}

impl Filesystem for Disk {
    fn lookup(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEntry) {
        match self.attr(FILE_INO) {
            Some(attr) if parent == INodeNo::ROOT && name == FILE_NAME => {
                reply.entry(&ATTR_TTL, &attr, Generation(0))
            }
            _ => reply.error(Errno::ENOENT),
        }
    }

    fn getattr(&self, _req: &Request, ino: INodeNo, _fh: Option<FileHandle>, reply: ReplyAttr) {
        match self.attr(ino) {
            Some(attr) => reply.attr(&ATTR_TTL, &attr),
            None => reply.error(Errno::ENOENT),
        }
    }

    // The size is fixed (it is a disk); truncation and the like are accepted
    // and ignored so that tools opening the file with O_TRUNC still work.
    fn setattr(
        &self,
        _req: &Request,
        ino: INodeNo,
        _mode: Option<u32>,
        _uid: Option<u32>,
        _gid: Option<u32>,
        _size: Option<u64>,
        _atime: Option<fuser::TimeOrNow>,
        _mtime: Option<fuser::TimeOrNow>,
        _ctime: Option<SystemTime>,
        _fh: Option<FileHandle>,
        _crtime: Option<SystemTime>,
        _chgtime: Option<SystemTime>,
        _bkuptime: Option<SystemTime>,
        _flags: Option<fuser::BsdFileFlags>,
        reply: ReplyAttr,
    ) {
        match self.attr(ino) {
            Some(attr) => reply.attr(&ATTR_TTL, &attr),
            None => reply.error(Errno::ENOENT),
        }
    }

    fn open(&self, _req: &Request, ino: INodeNo, _flags: OpenFlags, reply: ReplyOpen) {
        if ino != FILE_INO {
            return reply.error(Errno::EISDIR);
        }
        // Direct I/O (and no KEEP_CACHE): the kernel keeps no page cache for
        // the file, so every read and write reaches this process and a mode
        // change takes effect on the very next request.
        reply.opened(FileHandle(0), FopenFlags::FOPEN_DIRECT_IO);
    }

    fn read(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        size: u32,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyData,
    ) {
        self.shared.lock().stats.reads += 1;
        self.shared.dispatch(Held::Read {
            offset,
            size,
            reply,
        });
    }

    fn write(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        data: &[u8],
        _write_flags: WriteFlags,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyWrite,
    ) {
        self.shared.lock().stats.writes += 1;
        self.shared.dispatch(Held::Write {
            offset,
            data: data.to_vec(),
            reply,
        });
    }

    // Close must never hang, or a test could not even give up on the file.
    fn flush(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _fh: FileHandle,
        _lock_owner: LockOwner,
        reply: ReplyEmpty,
    ) {
        reply.ok();
    }

    fn fsync(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _fh: FileHandle,
        _datasync: bool,
        reply: ReplyEmpty,
    ) {
        self.shared.lock().stats.fsyncs += 1;
        self.shared.dispatch(Held::Fsync { reply });
    }

    fn readdir(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        mut reply: ReplyDirectory,
    ) {
        if ino != INodeNo::ROOT {
            return reply.error(Errno::ENOTDIR);
        }
        let entries = [
            (INodeNo::ROOT, FileType::Directory, "."),
            (INodeNo::ROOT, FileType::Directory, ".."),
            (FILE_INO, FileType::RegularFile, FILE_NAME),
        ];
        for (i, (ino, kind, name)) in entries.iter().enumerate().skip(offset as usize) {
            if reply.add(*ino, (i + 1) as u64, *kind, name) {
                break;
            }
        }
        reply.ok();
    }
}

/// A mounted FUSE filesystem served by a background thread of this process,
/// holding one file ([`FILE_NAME`]) of a fixed size whose data requests obey
/// the current [`Mode`].
///
/// Dropping it always restores the machine: held requests are answered, the
/// filesystem is unmounted (lazily if something still uses it), and if the
/// serving thread still does not end, the connection is aborted through
/// `/sys/fs/fuse/connections/<id>/abort`.
pub struct TestFs {
    shared: Arc<Shared>,
    session: Option<BackgroundSession>,
    mount_point: PathBuf,
    file: PathBuf,
    connection: u32,
    dev: (u32, u32),
}

impl TestFs {
    /// Mounts a new filesystem on `dir` (an existing, empty directory) with a
    /// file of `size` bytes, all zeros, in [`Mode::Ok`].
    pub fn mount(dir: impl AsRef<Path>, size: u64) -> io::Result<TestFs> {
        let mount_point = dir.as_ref().canonicalize()?;
        let parent_dev = std::fs::metadata(&mount_point)?.dev();
        let shared = Arc::new(Shared {
            size,
            state: Mutex::new(State {
                mode: Mode::Ok,
                pages: BTreeMap::new(),
                held: Vec::new(),
                stats: Stats::default(),
            }),
            held_changed: Condvar::new(),
        });
        let disk = Disk {
            shared: Arc::clone(&shared),
            // SAFETY: getuid/getgid have no preconditions and cannot fail.
            uid: unsafe { libc::getuid() },
            gid: unsafe { libc::getgid() },
            mounted_at: SystemTime::now(),
        };
        let mut config = Config::default();
        config.mount_options = vec![
            MountOption::FSName(format!("{FS_NAME}:{}", std::process::id())),
            MountOption::RW,
        ];
        // The loop driver and test helpers may act under other credentials
        // than the mounting thread; everyone may use a test disk.
        config.acl = SessionACL::All;
        let session = fuser::spawn_mount(disk, &mount_point, &config)?;
        let mut fs = TestFs {
            shared,
            session: Some(session),
            file: mount_point.join(FILE_NAME),
            mount_point,
            connection: 0,
            dev: (0, 0),
        };
        // From here on `fs` unmounts itself if anything below fails.
        let dev = std::fs::metadata(&fs.mount_point)?.dev();
        if dev == parent_dev {
            return Err(io::Error::other(format!(
                "{} did not become a mount point",
                fs.mount_point.display()
            )));
        }
        fs.dev = crate::split_dev(dev);
        // FUSE names its connection in fusectl by the minor of the anonymous
        // device number the superblock got.
        fs.connection = fs.dev.1;
        Ok(fs)
    }

    /// Switches how data requests are answered. Leaving [`Mode::Hang`]
    /// answers every held request as the new mode says (served for
    /// [`Mode::Ok`], EIO for [`Mode::Fail`]).
    pub fn set_mode(&self, mode: Mode) {
        self.shared.set_mode(mode);
    }

    pub fn mode(&self) -> Mode {
        self.shared.lock().mode
    }

    pub fn stats(&self) -> Stats {
        self.shared.lock().stats
    }

    /// Waits until at least `count` requests are held; false on timeout.
    /// Lets a test know a hang has really reached the filesystem.
    pub fn wait_held(&self, count: usize, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut st = self.shared.lock();
        while st.held.len() < count {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            st = self
                .shared
                .held_changed
                .wait_timeout(st, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        true
    }

    /// The directory the filesystem is mounted on.
    pub fn mount_point(&self) -> &Path {
        &self.mount_point
    }

    /// The path of the file ([`FILE_NAME`] under the mount point).
    pub fn file(&self) -> &Path {
        &self.file
    }

    pub fn size(&self) -> u64 {
        self.shared.size
    }

    /// The FUSE connection id: the directory name under
    /// `/sys/fs/fuse/connections/`.
    pub fn connection_id(&self) -> u32 {
        self.connection
    }

    /// `(major, minor)` of the mount's device number (`st_dev`).
    pub fn dev(&self) -> (u32, u32) {
        self.dev
    }

    /// Aborts the FUSE connection: every pending and future request fails
    /// (ENOTCONN) in the kernel without reaching this process.
    pub fn abort_connection(&self) -> io::Result<()> {
        abort_connection(self.connection)
    }

    /// Like dropping, but says what went wrong.
    pub fn unmount(mut self) -> io::Result<()> {
        self.teardown()
    }

    fn teardown(&mut self) -> io::Result<()> {
        // Held requests first: until they are answered, whatever waits on
        // them (a loop device, a reader in D state) keeps the mount busy.
        self.shared.set_mode(Mode::Ok);
        let Some(session) = self.session.take() else {
            return Ok(());
        };
        let mut result = unmount(&self.mount_point);
        if !wait_until(Duration::from_secs(3), || session.guard.is_finished()) {
            // Still served: a lazy unmount left the filesystem alive behind
            // an open file, or the kernel never told the thread it was
            // gone. Aborting the connection makes its read() return ENODEV.
            let aborted = abort_connection(self.connection);
            if result.is_ok() {
                result = aborted;
            }
            wait_until(Duration::from_secs(3), || session.guard.is_finished());
        }
        if session.guard.is_finished() {
            // The mount is gone already, so fuser's own unmount is a no-op.
            if let Err(e) = session.join()
                && result.is_ok()
            {
                result = Err(e);
            }
        } else {
            // Never block a test (or its unwinding) on a thread that will
            // not end; it dies with the process.
            drop(session);
            if result.is_ok() {
                result = Err(io::Error::other("the FUSE session thread did not end"));
            }
        }
        result
    }
}

impl Drop for TestFs {
    fn drop(&mut self) {
        let _ = self.teardown();
    }
}

impl std::fmt::Debug for TestFs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestFs")
            .field("mount_point", &self.mount_point)
            .field("connection", &self.connection)
            .field("mode", &self.mode())
            .finish()
    }
}

fn wait_until(timeout: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Unmounts `dir`, waiting a little for users to go away (a loop device
/// detaching after its last opener), then lazily. Not being mounted is fine.
pub(crate) fn unmount(dir: &Path) -> io::Result<()> {
    let path = CString::new(dir.as_os_str().as_bytes())?;
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        // SAFETY: `path` is a valid NUL-terminated string.
        if unsafe { libc::umount2(path.as_ptr(), 0) } == 0 {
            return Ok(());
        }
        let err = io::Error::last_os_error();
        match err.raw_os_error() {
            Some(libc::EINVAL) | Some(libc::ENOENT) => return Ok(()),
            Some(libc::EBUSY) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Some(libc::EBUSY) => break,
            _ => return Err(err),
        }
    }
    // SAFETY: as above.
    if unsafe { libc::umount2(path.as_ptr(), libc::MNT_DETACH) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

const FUSECTL_DIR: &str = "/sys/fs/fuse/connections";

/// Writes to `/sys/fs/fuse/connections/<id>/abort`, mounting fusectl for the
/// moment if the system has not (many minimal images do not).
pub(crate) fn abort_connection(id: u32) -> io::Result<()> {
    let abort = Path::new(FUSECTL_DIR).join(id.to_string()).join("abort");
    if abort.exists() {
        return std::fs::write(&abort, "1");
    }
    let dir = CString::new(FUSECTL_DIR)?;
    let kind = CString::new("fusectl")?;
    // SAFETY: all pointers are valid NUL-terminated strings; no data.
    let rc = unsafe {
        libc::mount(
            kind.as_ptr(),
            dir.as_ptr(),
            kind.as_ptr(),
            0,
            std::ptr::null(),
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    let result = if abort.exists() {
        std::fs::write(&abort, "1")
    } else {
        Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("no FUSE connection {id}"),
        ))
    };
    // Leave the system as found: fusectl was not mounted before.
    // SAFETY: as above.
    unsafe { libc::umount2(dir.as_ptr(), libc::MNT_DETACH) };
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(size: u64) -> Shared {
        Shared {
            size,
            state: Mutex::new(State {
                mode: Mode::Ok,
                pages: BTreeMap::new(),
                held: Vec::new(),
                stats: Stats::default(),
            }),
            held_changed: Condvar::new(),
        }
    }

    #[test]
    fn data_spans_pages_and_stops_at_the_size() {
        let s = shared(3 * PAGE);
        assert_eq!(s.read_data(0, 16), vec![0; 16]);
        let data: Vec<u8> = (0..=255).cycle().take(PAGE as usize).collect();
        assert_eq!(s.write_data(PAGE - 50, &data), data.len());
        assert_eq!(s.read_data(PAGE - 50, data.len() as u32), data);
        assert_eq!(s.lock().pages.len(), 2, "only touched pages are stored");
        // Reads and writes are cut at the end of the disk.
        assert_eq!(s.read_data(3 * PAGE - 10, 100).len(), 10);
        assert_eq!(s.write_data(3 * PAGE - 10, &[1; 100]), 10);
        assert_eq!(s.write_data(3 * PAGE, &[1; 100]), 0);
        assert!(s.read_data(3 * PAGE, 100).is_empty());
    }
}
