//! Real-kernel tests: a FUSE disk under a loop device, failed or hung on
//! purpose, and what the kernel then says in /dev/kmsg.
//!
//! Each test skips (passing, with the reason printed) where it cannot run:
//! not root, no FUSE, no loop devices, a hung-task detector that would panic.

// Helpers outside #[test] fns unwrap too: a failed setup step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rootline_testfs::{
    BlockedReader, KernelLock, Kmsg, KmsgRecord, LoopDevice, Mode, SysctlGuard, TestFs,
    cleanup_stale, dd_read, dd_write, require_hung_task_detector, require_root_and_fuse,
};

const DISK_SIZE: u64 = 16 << 20;
const TIMEOUT: Duration = Duration::from_secs(10);
const HUNG_TIMEOUT: &str = "kernel/hung_task_timeout_secs";
const HUNG_WARNINGS: &str = "kernel/hung_task_warnings";
/// The child side of `stale_mount_of_killed_process_is_cleaned_up`.
const CHILD_ENV: &str = "ROOTLINE_TESTFS_STALE_CHILD";

/// The lock when the test can run here; None (after saying why) otherwise.
fn setup(require: fn() -> std::io::Result<()>) -> Option<KernelLock> {
    if std::env::var_os(CHILD_ENV).is_some() {
        // Re-executed as a helper child: only the helper test may run.
        return None;
    }
    if let Err(why) = require() {
        println!("skipped: {why}");
        return None;
    }
    let lock = KernelLock::acquire().expect("kernel test lock");
    for line in lock.cleaned() {
        println!("cleaned up before the test: {line}");
    }
    Some(lock)
}

fn sysctls() -> (String, String) {
    (
        SysctlGuard::read(HUNG_TIMEOUT).unwrap(),
        SysctlGuard::read(HUNG_WARNINGS).unwrap(),
    )
}

fn mounted(mount_point: &Path) -> bool {
    let info = read_small(Path::new("/proc/self/mountinfo")).unwrap();
    let needle = format!(" {} ", mount_point.display());
    info.lines().any(|l| l.contains(&needle))
}

/// Loop devices whose backing file lies under `mount_point`.
fn loops_on(mount_point: &Path) -> Vec<String> {
    let prefix = format!("{}/", mount_point.display());
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/sys/block").unwrap().flatten() {
        let backing = entry.path().join("loop/backing_file");
        if let Ok(file) = read_small(&backing)
            && file.starts_with(&prefix)
        {
            out.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    out
}

/// Waits for what the test created to be gone; teardown is asynchronous
/// where a loop device detaches on its last close.
fn assert_clean(mount_point: &Path, reader_pid: Option<u32>) {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let loops = loops_on(mount_point);
        let is_mounted = mounted(mount_point);
        let reader_alive = reader_pid.is_some_and(|p| Path::new(&format!("/proc/{p}")).exists());
        if loops.is_empty() && !is_mounted && !reader_alive {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "left behind: loops {loops:?}, mounted {is_mounted}, reader alive {reader_alive}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn print_records(title: &str, records: &[KmsgRecord]) {
    println!("--- {title}: {} kmsg records", records.len());
    for r in records {
        println!("{}", r.to_dmesg_line());
    }
}

/// The hung-task report that follows the `INFO: task` line of `pid`: the
/// lines up to the end of its stack.
fn report_of(kmsg: &mut Kmsg, pid: u32) -> Vec<String> {
    kmsg.settle(Duration::from_millis(500), Duration::from_secs(3));
    let messages = kmsg.messages();
    let start = messages
        .iter()
        .position(|m| m.starts_with("INFO: task ") && m.contains(&format!(":{pid} blocked")))
        .expect("report start");
    messages[start..]
        .iter()
        .take_while(|m| !m.contains("</TASK>"))
        .cloned()
        .collect()
}

#[test]
fn fail_mode_produces_block_and_buffer_io_errors() {
    let Some(_lock) = setup(require_root_and_fuse) else {
        return;
    };
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let fs = TestFs::mount(dir.path(), DISK_SIZE).unwrap();
    let mount_point = fs.mount_point().to_owned();
    assert!(mounted(&mount_point));
    assert_eq!(fs.connection_id(), fs.dev().1);

    // Data goes through to the daemon, never from a cache: a read that just
    // worked fails as soon as the mode says so, and works again after.
    std::fs::write(fs.file(), b"rootline").unwrap();
    assert_eq!(head(fs.file()).unwrap(), *b"rootline");
    fs.set_mode(Mode::Fail);
    let err = head(fs.file()).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EIO), "{err}");
    fs.set_mode(Mode::Ok);
    assert_eq!(head(fs.file()).unwrap(), *b"rootline");

    let lo = LoopDevice::attach(fs.file()).unwrap();
    assert_eq!(lo.backing_file().as_deref(), Some(fs.file()));
    assert!(lo.name().starts_with("loop"), "{}", lo.name());
    assert!(lo.maj_min().starts_with("7:"), "{}", lo.maj_min());
    // Whatever the attach read must not be served from the block cache.
    lo.flush_buffers().unwrap();

    let mut kmsg = Kmsg::open().unwrap();
    fs.set_mode(Mode::Fail);
    let out = dd_read(lo.path(), 8, false).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "dd read should fail: {stderr}");
    assert!(stderr.contains("Input/output error"), "{stderr}");

    let dev = lo.name().to_owned();
    let io_error = kmsg
        .wait_for(
            |m| m.starts_with(&format!("I/O error, dev {dev}, sector ")),
            TIMEOUT,
        )
        .expect("block layer I/O error line");
    let buffer_error = kmsg
        .wait_for(
            |m| m.starts_with(&format!("Buffer I/O error on dev {dev}, logical block ")),
            TIMEOUT,
        )
        .expect("buffer I/O error line");
    assert!(io_error.contains(" op 0x0:(READ) "), "{io_error}");
    kmsg.settle(Duration::from_millis(300), Duration::from_secs(2));
    print_records("fail mode", kmsg.records());
    assert!(fs.stats().failed >= 1, "{:?}", fs.stats());

    // Back to normal, the same read succeeds.
    fs.set_mode(Mode::Ok);
    let out = dd_read(lo.path(), 8, false).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!("fail-mode lines: {io_error:?} / {buffer_error:?}");

    drop(lo);
    drop(fs);
    assert_clean(&mount_point, None);
    println!("fail_mode test took {:?}", started.elapsed());
}

fn head(file: &Path) -> std::io::Result<[u8; 8]> {
    let mut buf = [0u8; 8];
    std::fs::File::open(file)?.read_exact(&mut buf)?;
    Ok(buf)
}

/// Reads a small /proc or /sys file.
fn read_small(path: &Path) -> std::io::Result<String> {
    let mut text = String::new();
    // Capped by `take`, as the workspace rule on whole reads asks.
    #[allow(clippy::disallowed_methods)]
    std::fs::File::open(path)?
        .take(1 << 20)
        .read_to_string(&mut text)?;
    Ok(text)
}

/// A reader hung on the device, reported by the hung-task detector.
///
/// The reader uses O_DIRECT, so it waits in `submit_bio_wait` for its own
/// bio in TASK_UNINTERRUPTIBLE. That wait wakes every half hung-task timeout
/// on purpose (so that slow I/O is not reported), with the period fixed when
/// the wait begins — and without any period when the detector is off (0).
/// So the detector is switched off while the reader starts, and set to one
/// second once the reader sleeps: set to one second first, the reader would
/// wake every 0.5 s and never be reported.
#[test]
fn hang_mode_reader_is_reported_as_hung_task() {
    let Some(_lock) = setup(require_hung_task_detector) else {
        return;
    };
    let started = Instant::now();
    let before = sysctls();
    let dir = tempfile::tempdir().unwrap();
    let fs = TestFs::mount(dir.path(), DISK_SIZE).unwrap();
    let mount_point = fs.mount_point().to_owned();
    let lo = LoopDevice::attach(fs.file()).unwrap();
    let mut kmsg = Kmsg::open().unwrap();

    let warnings = SysctlGuard::set(HUNG_WARNINGS, "10").unwrap();
    let timeout = SysctlGuard::set(HUNG_TIMEOUT, "0").unwrap();

    fs.set_mode(Mode::Hang);
    let reader = BlockedReader::spawn(dd_read(lo.path(), 1, true), TIMEOUT).unwrap();
    let pid = reader.pid();
    assert!(fs.wait_held(1, TIMEOUT), "the read reached the daemon");
    assert_eq!(reader.state(), Some('D'));
    let comm = reader.comm().unwrap();
    println!(
        "reader pid {pid} ({comm}) wchan {:?}\n{}",
        reader.wchan(),
        reader.kernel_stack().unwrap_or_default()
    );
    timeout.update("1").unwrap();
    let info = kmsg
        .wait_for(
            |m| m.starts_with(&format!("INFO: task {comm}:{pid} blocked for more than ")),
            Duration::from_secs(15),
        )
        .expect("hung-task report for the reader");
    assert!(info.ends_with(" seconds."), "{info}");
    let report = report_of(&mut kmsg, pid);
    println!("--- hung-task report\n{}", report.join("\n"));
    assert!(
        report
            .iter()
            .any(|l| l.starts_with(&format!("task:{comm} ")) && l.contains(" state:D ")),
        "{report:#?}"
    );
    assert!(report.iter().any(|l| l == "Call Trace:"), "{report:#?}");
    assert!(
        report.iter().any(|l| l.contains("blkdev_read_iter")),
        "{report:#?}"
    );
    assert!(
        !report.iter().any(|l| l.starts_with("task:kworker")),
        "only the reader is reported"
    );

    // Resume: the reader gets its data and ends normally.
    drop(timeout);
    drop(warnings);
    assert_eq!(sysctls(), before);
    fs.set_mode(Mode::Ok);
    let (status, stderr) = reader.finish(TIMEOUT).unwrap();
    assert!(status.success(), "{stderr}");
    print_records("hang mode (all)", kmsg.records());

    drop(lo);
    drop(fs);
    assert_clean(&mount_point, Some(pid));
    assert_eq!(sysctls(), before);
    println!("hang_mode reader test took {:?}", started.elapsed());
}

/// A writer waiting in fsync for writeback that never completes — the
/// classic hung task of a stalled disk (it sleeps without a timeout, so the
/// order of lowering the sysctl does not matter here).
#[test]
fn hang_mode_fsync_writer_is_reported_as_hung_task() {
    let Some(_lock) = setup(require_hung_task_detector) else {
        return;
    };
    let started = Instant::now();
    let before = sysctls();
    let dir = tempfile::tempdir().unwrap();
    let fs = TestFs::mount(dir.path(), DISK_SIZE).unwrap();
    let mount_point = fs.mount_point().to_owned();
    let lo = LoopDevice::attach(fs.file()).unwrap();
    let mut kmsg = Kmsg::open().unwrap();
    let _warnings = SysctlGuard::set(HUNG_WARNINGS, "10").unwrap();
    let _timeout = SysctlGuard::set(HUNG_TIMEOUT, "1").unwrap();

    fs.set_mode(Mode::Hang);
    let writer = BlockedReader::spawn(dd_write(lo.path(), 1, true), TIMEOUT).unwrap();
    let pid = writer.pid();
    assert!(fs.wait_held(1, TIMEOUT), "the write reached the daemon");
    let comm = writer.comm().unwrap();
    kmsg.wait_for(
        |m| m.starts_with(&format!("INFO: task {comm}:{pid} blocked for more than ")),
        Duration::from_secs(15),
    )
    .expect("hung-task report for the writer");
    let report = report_of(&mut kmsg, pid);
    println!("--- hung-task report\n{}", report.join("\n"));
    assert!(report.iter().any(|l| l.contains("fsync")), "{report:#?}");

    fs.set_mode(Mode::Ok);
    let (status, stderr) = writer.finish(TIMEOUT).unwrap();
    assert!(status.success(), "{stderr}");
    assert!(fs.stats().writes >= 1);
    drop(_timeout);
    drop(_warnings);
    drop(lo);
    drop(fs);
    assert_clean(&mount_point, Some(pid));
    assert_eq!(sysctls(), before);
    println!("hang_mode writer test took {:?}", started.elapsed());
}

/// Aborting the connection (through fusectl, mounted for the moment if need
/// be) fails the held request and everything after it, without the daemon.
#[test]
fn abort_connection_fails_held_requests() {
    let Some(_lock) = setup(require_root_and_fuse) else {
        return;
    };
    let started = Instant::now();
    let fusectl_before = fusectl_mounted();
    let dir = tempfile::tempdir().unwrap();
    let fs = TestFs::mount(dir.path(), DISK_SIZE).unwrap();
    let mount_point = fs.mount_point().to_owned();
    let lo = LoopDevice::attach(fs.file()).unwrap();
    let mut kmsg = Kmsg::open().unwrap();
    fs.set_mode(Mode::Hang);
    let reader = BlockedReader::spawn(dd_read(lo.path(), 1, true), TIMEOUT).unwrap();
    let pid = reader.pid();
    assert!(fs.wait_held(1, TIMEOUT));
    fs.abort_connection().unwrap();
    let (status, stderr) = reader.finish(TIMEOUT).unwrap();
    assert!(!status.success(), "read after abort should fail");
    assert!(stderr.contains("Input/output error"), "{stderr}");
    let dev = lo.name().to_owned();
    let line = kmsg
        .wait_for(
            |m| m.starts_with(&format!("I/O error, dev {dev}, sector ")),
            TIMEOUT,
        )
        .expect("I/O error after abort");
    println!("after abort: {line}");
    assert_eq!(
        head(fs.file()).unwrap_err().raw_os_error(),
        Some(libc::ENOTCONN)
    );
    assert_eq!(fusectl_mounted(), fusectl_before, "fusectl left as found");
    drop(lo);
    drop(fs);
    assert_clean(&mount_point, Some(pid));
    println!("abort test took {:?}", started.elapsed());
}

fn fusectl_mounted() -> bool {
    read_small(Path::new("/proc/self/mountinfo"))
        .unwrap()
        .lines()
        .any(|l| l.contains(" - fusectl "))
}

/// A test that fails while a reader is hung must still leave nothing
/// behind: guards unwind in reverse order (sysctls, reader, loop device,
/// filesystem), and the filesystem going away releases everything.
#[test]
fn panic_while_hung_still_cleans_up() {
    let Some(_lock) = setup(require_hung_task_detector) else {
        return;
    };
    let started = Instant::now();
    let before = sysctls();
    let dir = tempfile::tempdir().unwrap();
    let mut seen: Option<(PathBuf, u32)> = None;
    let result = catch_unwind(AssertUnwindSafe(|| {
        let fs = TestFs::mount(dir.path(), DISK_SIZE).unwrap();
        let lo = LoopDevice::attach(fs.file()).unwrap();
        fs.set_mode(Mode::Hang);
        let reader = BlockedReader::spawn(dd_read(lo.path(), 1, true), TIMEOUT).unwrap();
        let _warnings = SysctlGuard::set(HUNG_WARNINGS, "10").unwrap();
        let _timeout = SysctlGuard::set(HUNG_TIMEOUT, "1").unwrap();
        seen = Some((fs.mount_point().to_owned(), reader.pid()));
        panic!("deliberate failure with a hung reader");
    }));
    assert!(result.is_err());
    let (mount_point, pid) = seen.expect("got as far as the hang");
    assert_eq!(sysctls(), before);
    assert_clean(&mount_point, Some(pid));
    println!("panic cleanup test took {:?}", started.elapsed());
}

/// Dropped in the wrong order — the filesystem while a loop device still
/// holds its file open — the filesystem is unmounted lazily and its
/// connection aborted, and the loop device detaches afterwards.
#[test]
fn filesystem_dropped_before_its_loop_device_still_goes_away() {
    let Some(_lock) = setup(require_root_and_fuse) else {
        return;
    };
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let fs = TestFs::mount(dir.path(), DISK_SIZE).unwrap();
    let mount_point = fs.mount_point().to_owned();
    let lo = LoopDevice::attach(fs.file()).unwrap();
    fs.unmount().unwrap();
    assert!(!mounted(&mount_point));
    // A lazily unmounted file is named from its own root once detached.
    assert_eq!(
        lo.backing_file().as_deref(),
        Some(Path::new("/").join(rootline_testfs::FILE_NAME).as_path())
    );
    lo.detach().unwrap();
    assert_clean(&mount_point, None);
    println!("wrong-order test took {:?}", started.elapsed());
}

/// A killed test process runs no destructors; the next lock holder removes
/// its mount and loop device.
#[test]
fn stale_mount_of_killed_process_is_cleaned_up() {
    if let Some(dir) = std::env::var_os(CHILD_ENV) {
        return stale_child(Path::new(&dir));
    }
    let Some(_lock) = setup(require_root_and_fuse) else {
        return;
    };
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let mount_point = dir.path().canonicalize().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "stale_mount_of_killed_process_is_cleaned_up",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &mount_point)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + TIMEOUT;
    while loops_on(&mount_point).is_empty() {
        assert!(Instant::now() < deadline, "child did not set up");
        assert!(child.try_wait().unwrap().is_none(), "child ended early");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(mounted(&mount_point), "the dead process's mount stays");

    let cleaned = cleanup_stale().unwrap();
    println!("cleaned: {cleaned:#?}");
    assert!(cleaned.iter().any(|l| l.starts_with("detached /dev/loop")));
    assert!(cleaned.iter().any(|l| l.starts_with("unmounted ")));
    assert_clean(&mount_point, None);
    println!("stale cleanup test took {:?}", started.elapsed());
}

/// Runs in the re-executed child: mounts, attaches, and waits to be killed.
fn stale_child(dir: &Path) {
    let fs = TestFs::mount(dir, DISK_SIZE).unwrap();
    let lo = LoopDevice::attach(fs.file()).unwrap();
    std::thread::sleep(Duration::from_secs(30));
    // Not reached when the parent kills us as planned.
    drop(lo);
    drop(fs);
}
