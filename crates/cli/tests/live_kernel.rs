//! The live host, proven against the running kernel: real loop devices, a
//! real FUSE file system of ours that fails or stops answering on demand,
//! the real hung-task detector. These tests need root, `/dev/fuse` and loop
//! devices; where those are missing they say why and pass without running
//! (CI runs them as root). Each takes the cross-process kernel-test lock and
//! restores the machine through guards, also when it fails.

// Helpers outside #[test] fns unwrap too: a failed setup step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::disallowed_methods)] // tests read small sysfs attributes and audit logs

use std::process::Command;
use std::time::{Duration, Instant};

use rootline_testfs::{
    BlockedReader, KernelLock, Kmsg, LoopDevice, Mode, SysctlGuard, TestFs, dd_read, dd_write,
    require_hung_task_detector, require_root_and_fuse,
};

fn rootline() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rootline"))
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("rootline runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn skip(why: impl std::fmt::Display) {
    println!("skipped: {why}");
}

fn backing_file(name: &str) -> Option<String> {
    std::fs::read_to_string(format!("/sys/block/{name}/loop/backing_file"))
        .ok()
        .map(|s| s.trim().to_string())
}

/// A loop device on a 4 MiB file in `dir`, the file then deleted; with its
/// name (`loop3`).
fn loop_on_deleted_file(dir: &std::path::Path) -> (LoopDevice, String) {
    let img = dir.join("scratch.img");
    std::fs::write(&img, vec![0u8; 4 << 20]).unwrap();
    let lo = LoopDevice::attach(&img).expect("loop device");
    let name = lo.name().to_string();
    std::fs::remove_file(&img).unwrap();
    (lo, name)
}

/// A loop device whose backing file was deleted: `fix` plans `losetup -d`
/// with every safety check passing, `--apply --yes` detaches it and logs
/// it, and a second run finds nothing left to do for it.
#[test]
fn stale_loop_device_is_planned_detached_and_gone() {
    if let Err(why) = require_root_and_fuse() {
        return skip(&why);
    }
    let _lock = KernelLock::acquire().expect("kernel-test lock");
    let dir = tempfile::tempdir().unwrap();
    let (lo, name) = loop_on_deleted_file(dir.path());
    assert!(backing_file(&name).unwrap().ends_with("(deleted)"));

    // The live analysis reports it as stale, from losetup and the snapshot
    // (one finding).
    let (doc, _) = live_json();
    let stale: Vec<&serde_json::Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f.to_string().contains("loop-backing-deleted")
                && f.to_string().contains(&format!("/dev/{name} "))
        })
        .collect();
    assert_eq!(stale.len(), 1, "{:#}", doc["findings"]);
    assert!(
        stale[0]
            .to_string()
            .contains(&format!("losetup -d /dev/{name}"))
    );

    // The plan: exactly the command, every check passing.
    let (code, plan, err) = run(rootline().args(["fix", "--device", &name]));
    assert_eq!(code, 0, "{plan}{err}");
    assert!(plan.contains(&format!("loop device {name}")), "{plan}");
    assert!(
        plan.contains(&format!("$ losetup -d /dev/{name}")),
        "{plan}"
    );
    assert!(plan.contains("dry run"), "{plan}");
    assert!(
        !plan.contains("FAIL") && !plan.contains("REFUSED"),
        "{plan}"
    );
    // A dry run changes nothing.
    assert!(backing_file(&name).is_some_and(|b| b.ends_with("(deleted)")));

    // JSON plan for tools.
    let (_, json, _) = run(rootline().args(["fix", "--json", "--device", &name]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["items"][0]["target"]["kind"], "loop");
    assert_eq!(v["items"][0]["steps"][0]["argv"][0], "losetup");

    // Apply.
    let audit = dir.path().join("audit/fix.jsonl");
    let audit_s = audit.to_str().unwrap();
    let (code, out, err) = run(rootline().args([
        "fix",
        "--apply",
        "--yes",
        "--device",
        &name,
        "--audit-log",
        audit_s,
    ]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(&format!("{name}: done")), "{out}");
    assert_eq!(backing_file(&name), None, "still attached");
    let log = std::fs::read_to_string(&audit).unwrap();
    let events: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events[0]["event"], "run");
    assert_eq!(events[0]["command"], format!("losetup -d /dev/{name}"));
    assert!(events[0]["checks"].as_array().unwrap().len() >= 6);
    assert_eq!(events[1]["event"], "succeeded");

    // Twice is harmless: nothing to do for it any more.
    let (code, out, _) = run(rootline().args([
        "fix",
        "--apply",
        "--yes",
        "--device",
        &name,
        "--audit-log",
        audit_s,
    ]));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("no stale device"), "{out}");
    assert_eq!(std::fs::read_to_string(&audit).unwrap(), log);
    drop(lo);
}

/// A loop device in use is refused with the reason, and `--apply` does not
/// touch it.
#[test]
fn a_loop_device_in_use_is_refused() {
    if let Err(why) = require_root_and_fuse() {
        return skip(&why);
    }
    let _lock = KernelLock::acquire().expect("kernel-test lock");
    let dir = tempfile::tempdir().unwrap();
    let (lo, name) = loop_on_deleted_file(dir.path());
    // Someone keeps it open.
    let holder = std::fs::File::open(lo.path()).unwrap();

    let audit = dir.path().join("fix.jsonl");
    let (code, out, err) = run(rootline().args([
        "fix",
        "--apply",
        "--yes",
        "--device",
        &name,
        "--audit-log",
        audit.to_str().unwrap(),
    ]));
    assert_eq!(code, 4, "{out}{err}");
    assert!(
        out.contains(&format!("REFUSED: a process has {name} open")),
        "{out}"
    );
    assert!(backing_file(&name).is_some_and(|b| b.ends_with("(deleted)")));
    drop(holder);
    drop(lo);
}

/// `--apply` with `--root` would act on this machine for another one.
#[test]
fn apply_refuses_a_root_tree() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(rootline().args([
        "fix",
        "--apply",
        "--yes",
        "--root",
        dir.path().to_str().unwrap(),
    ]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("describes another system"), "{err}");
}

/// The top diagnosis of `rootline analyze --live --format json` and the
/// whole document.
fn live_json() -> (serde_json::Value, String) {
    let start = Instant::now();
    let (code, out, err) = run(rootline().args(["analyze", "--live", "--format", "json"]));
    assert_eq!(code, 0, "{err}");
    // rootline must not hang with the device: commands are killed at their
    // timeout, sysfs/procfs are read instead of the device.
    assert!(
        start.elapsed() < Duration::from_secs(90),
        "{:?}",
        start.elapsed()
    );
    (serde_json::from_str(&out).expect("JSON report"), err)
}

fn diagnosis<'a>(doc: &'a serde_json::Value, cause: &str) -> Option<&'a serde_json::Value> {
    doc["diagnoses"]
        .as_array()?
        .iter()
        .find(|d| d["cause"] == cause)
}

fn step<'a>(d: &'a serde_json::Value, id: &str) -> Option<&'a serde_json::Value> {
    d["chain"].as_array()?.iter().find(|s| s["step"] == id)
}

/// The FUSE file system under a loop device fails I/O: the kernel prints
/// real `I/O error, dev loopN` and `Buffer I/O error` lines, and the live
/// analysis explains them as the backing store's failure — not as benign
/// loop noise, because the live snapshot shows the backing file on FUSE.
#[test]
fn failing_backing_store_explains_loop_io_errors() {
    if let Err(why) = require_root_and_fuse() {
        return skip(&why);
    }
    let _lock = KernelLock::acquire().expect("kernel-test lock");
    let dir = tempfile::tempdir().unwrap();
    let fs = TestFs::mount(dir.path(), 8 << 20).expect("FUSE mount");
    let lo = LoopDevice::attach(fs.file()).expect("loop device");
    let name = lo.name().to_string();
    let mut kmsg = Kmsg::open().unwrap();
    lo.flush_buffers().unwrap();
    fs.set_mode(Mode::Fail);
    let status = dd_read(lo.path(), 8, false).status().unwrap();
    assert!(!status.success());
    let io_error = kmsg
        .wait_for(
            |m| m.starts_with(&format!("I/O error, dev {name},")),
            Duration::from_secs(10),
        )
        .expect("the kernel reports the I/O error");
    kmsg.wait_for(
        |m| m.starts_with(&format!("Buffer I/O error on dev {name}")),
        Duration::from_secs(10),
    )
    .expect("and the buffer I/O error");

    let (doc, _) = live_json();
    let d = diagnosis(&doc, "loop-backing-store-failure")
        .unwrap_or_else(|| panic!("no loop-backing-store-failure: {:#}", doc["diagnoses"]));
    assert_eq!(doc["diagnoses"][0]["cause"], "loop-backing-store-failure");
    let errors = step(d, "loop-io-errors").expect("the I/O errors are the root");
    let cited: Vec<&str> = errors["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["text"].as_str())
        .collect();
    assert!(
        cited
            .iter()
            .any(|t| t.contains(&format!("dev {name},")) || t.contains(&format!("dev {name} "))),
        "{cited:?} (kernel said: {io_error})"
    );
    let remote = step(d, "backing-remote").expect("the snapshot shows the backing file on FUSE");
    assert!(remote.to_string().contains(&name), "{remote}");
    let finding = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["check"] == "loop-backing-remote"
                || f.to_string().contains("host.loop-backing-remote")
        })
        .map(|f| f.to_string())
        .unwrap_or_default();
    assert!(
        finding.contains(&name) && finding.contains("rootline-testfs"),
        "{finding}"
    );
    // Not dismissed as a snap image's noise.
    let benign = doc["findings"].to_string();
    assert!(
        !benign.contains(&format!("dev {name},")) || !benign.contains("loop-device"),
        "{benign}"
    );
    fs.set_mode(Mode::Ok);
    drop(lo);
    drop(fs);
}

/// The FUSE file system stops answering: a writer of the loop device blocks
/// in D state, the kernel's hung-task detector reports it, and the live
/// analysis — which itself must not block — links the hung task to the loop
/// device (its open file) and to the backing store that does not answer.
#[test]
fn unresponsive_backing_store_explains_the_hung_task() {
    if let Err(why) = require_hung_task_detector() {
        return skip(&why);
    }
    let _lock = KernelLock::acquire().expect("kernel-test lock");
    let dir = tempfile::tempdir().unwrap();
    let fs = TestFs::mount(dir.path(), 8 << 20).expect("FUSE mount");
    let lo = LoopDevice::attach(fs.file()).expect("loop device");
    let name = lo.name().to_string();
    let mut kmsg = Kmsg::open().unwrap();
    let _warnings = SysctlGuard::set("kernel/hung_task_warnings", "10").unwrap();
    let timeout = SysctlGuard::set("kernel/hung_task_timeout_secs", "1").unwrap();
    fs.set_mode(Mode::Hang);
    let writer = BlockedReader::spawn(dd_write(lo.path(), 1, true), Duration::from_secs(15))
        .expect("the writer blocks in D state");
    let pid = writer.pid();
    kmsg.wait_for(
        |m| m.starts_with(&format!("INFO: task dd:{pid} blocked for more than")),
        Duration::from_secs(20),
    )
    .expect("the kernel reports the hung task");
    // Back to the default so the detector does not keep reporting while
    // rootline reads the host.
    timeout.update(timeout.old_value()).unwrap();

    let (doc, _) = live_json();
    let d = diagnosis(&doc, "loop-backing-store-failure")
        .unwrap_or_else(|| panic!("no loop-backing-store-failure: {:#}", doc["diagnoses"]));
    assert_eq!(doc["diagnoses"][0]["cause"], "loop-backing-store-failure");
    let root = step(d, "backing-unresponsive")
        .unwrap_or_else(|| panic!("the backing store does not answer: {d:#}"));
    assert!(root.to_string().contains(&name), "{root}");
    let blocked = step(d, "tasks-blocked").expect("the hung task is in the chain");
    let text = blocked.to_string();
    assert!(
        text.contains(&format!("INFO: task dd:{pid} blocked")),
        "{text}"
    );
    assert_eq!(blocked["link"], "identity", "{blocked}");

    fs.set_mode(Mode::Ok);
    let (status, _) = writer
        .finish(Duration::from_secs(15))
        .expect("the writer finishes");
    assert!(status.success());
    drop(lo);
    drop(fs);
}
