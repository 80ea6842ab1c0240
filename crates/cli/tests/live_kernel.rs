//! The live host, proven against the running kernel: real loop devices, a
//! real FUSE file system of ours that fails or stops answering on demand,
//! the real hung-task detector. These tests need root, `/dev/fuse` and loop
//! devices; where those are missing they say why and pass without running
//! (CI runs them as root). Each takes the cross-process kernel-test lock and
//! restores the machine through guards, also when it fails.

#![allow(clippy::disallowed_methods)] // tests read small sysfs attributes and audit logs

use std::process::Command;

use rootline_testfs::{KernelLock, LoopDevice, require_root_and_fuse};

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

fn skip(why: &str) {
    println!("skipped: {why}");
}

fn backing_file(name: &str) -> Option<String> {
    std::fs::read_to_string(format!("/sys/block/{name}/loop/backing_file"))
        .ok()
        .map(|s| s.trim().to_string())
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
    let img = dir.path().join("scratch.img");
    std::fs::write(&img, vec![0u8; 4 << 20]).unwrap();
    let lo = LoopDevice::attach(&img).expect("loop device");
    let name = lo.name().to_string();
    std::fs::remove_file(&img).unwrap();
    assert!(backing_file(&name).unwrap().ends_with("(deleted)"));

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
    let img = dir.path().join("busy.img");
    std::fs::write(&img, vec![0u8; 4 << 20]).unwrap();
    let lo = LoopDevice::attach(&img).expect("loop device");
    let name = lo.name().to_string();
    std::fs::remove_file(&img).unwrap();
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
