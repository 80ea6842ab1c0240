//! End-to-end tests: the real binary on temporary evidence trees.

// Helpers outside #[test] fns unwrap too: a failed setup step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::disallowed_methods)] // tests read their own small outputs whole

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use assert_cmd::cargo::cargo_bin;
use serde_json::Value;

fn rootline() -> Command {
    Command::new(cargo_bin("rootline"))
}

/// Run `rootline analyze --format json ARGS` and parse the document.
fn analyze_json(args: &[&str]) -> (i32, Value) {
    let out = rootline()
        .arg("analyze")
        .arg("--format")
        .arg("json")
        .args(args)
        .output()
        .expect("run rootline");
    let code = out.status.code().unwrap_or(-1);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, v)
}

fn listing(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() && !p.is_symlink() {
                stack.push(p.clone());
            }
            out.push(p);
        }
    }
    out.sort();
    out
}

/// `analyze` with no path is the live host (tests/live.rs); a bad flag
/// value is still a usage error.
#[test]
fn a_bad_flag_value_is_a_usage_error() {
    let out = rootline()
        .args(["analyze", "--since", "three days"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = rootline()
        .args(["collect", "--timeout", "-1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn nothing_readable_exits_3_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-file");
    let (code, v) = analyze_json(&[missing.to_str().unwrap()]);
    assert_eq!(code, 3);
    assert_eq!(v["summary"]["files_read"], 0);
    let nr = v["not_read"].as_array().unwrap();
    assert_eq!(nr.len(), 1);
    assert!(nr[0]["path"].as_str().unwrap().contains("no-such-file"));
}

#[test]
fn binary_and_invalid_utf8_files() {
    let dir = tempfile::tempdir().unwrap();
    // Random-looking binary content.
    let bin: Vec<u8> = (0u32..4096)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(dir.path().join("core.dump"), &bin).unwrap();
    // A kern.log with invalid UTF-8 around a real I/O error line.
    let mut log =
        b"Oct 13 19:51:01 node37 kernel: [12289.100000] caf\xe9 \xff\xfe garbage\n".to_vec();
    log.extend_from_slice(
        b"Oct 13 19:51:02 node37 kernel: [12289.195649] I/O error, dev sdv, sector 2410496 op 0x1:(WRITE) flags 0x800 phys_seg 1 prio class 0\n",
    );
    std::fs::write(dir.path().join("kern.log"), &log).unwrap();
    let before = listing(dir.path());
    let (code, v) = analyze_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(listing(dir.path()), before, "evidence must not change");
    let nr = v["not_read"].as_array().unwrap();
    assert!(
        nr.iter()
            .any(|n| n["path"].as_str().unwrap().ends_with("core.dump")
                && n["reason"].as_str().unwrap().contains("binary")),
        "{nr:?}"
    );
    let ev = v["events"].as_array().unwrap();
    let io = ev
        .iter()
        .find(|e| e["fields"]["device"] == "sdv")
        .expect("the I/O error is found");
    assert_eq!(io["source"]["line"], 2);
    assert_eq!(io["fields"]["sector"], 2410496);
}

#[test]
fn a_huge_single_line_on_stdin_is_cut_not_loaded() {
    // 1 GiB without a newline, then a real line: memory stays bounded and
    // the line after the monster is still found.
    let mut child = rootline()
        .args(["analyze", "--format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..1024 {
            if stdin.write_all(&chunk).is_err() {
                return;
            }
        }
        let _ = stdin.write_all(
            b"\nOct 13 19:51:02 node37 kernel: [12289.195649] Buffer I/O error on dev dm-21, logical block 0, async page read\n",
        );
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &v["inputs"]["files"][0];
    assert_eq!(f["long_lines"], 1);
    assert!(f["bytes"].as_u64().unwrap() > 1 << 30);
    let ev = v["events"].as_array().unwrap();
    assert!(
        ev.iter().any(|e| e["fields"]["device"] == "dm-21"),
        "{ev:?}"
    );
}

#[test]
fn text_report_runs_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("messages"),
        "Oct 13 19:55:01 node37 kernel: device-mapper: multipath: 253:21: Failing path 65:48.\n",
    )
    .unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let out = rootline()
        .current_dir(cwd.path())
        .args(["analyze", "--color", "never"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Timeline (UTC)"), "{text}");
    assert!(text.contains("65:48"), "{text}");
    assert!(
        listing(cwd.path()).is_empty(),
        "nothing is written to the working directory"
    );
}

/// A ustar header + data for one regular file, written by hand so that the
/// name can be anything (the tar crate refuses `..`, as it should).
fn raw_tar_member(name: &str, data: &[u8]) -> Vec<u8> {
    let mut h = [0u8; 512];
    h[..name.len()].copy_from_slice(name.as_bytes());
    h[100..107].copy_from_slice(b"0000644");
    h[108..115].copy_from_slice(b"0000000");
    h[116..123].copy_from_slice(b"0000000");
    let size = format!("{:011o}", data.len());
    h[124..135].copy_from_slice(size.as_bytes());
    h[136..147].copy_from_slice(b"14770707000");
    h[156] = b'0';
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| b as u32).sum();
    h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
    let mut out = h.to_vec();
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
    out
}

fn have(cmd: &str) -> bool {
    Command::new(cmd).arg("--version").output().is_ok()
}

#[test]
fn garbage_gives_a_clear_report_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A symlink loop and a link out of the tree.
    std::os::unix::fs::symlink("loop-b", d.join("loop-a")).unwrap();
    std::os::unix::fs::symlink("loop-a", d.join("loop-b")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", d.join("outside")).unwrap();
    // An archive whose member tries to climb out, next to a good member.
    let line =
        b"Oct 13 19:55:01 node37 kernel: device-mapper: multipath: 253:21: Failing path 65:48.\n";
    let mut tar = raw_tar_member("report/../../x", line);
    tar.extend(raw_tar_member("report/var/log/kern.log", line));
    tar.extend([0u8; 1024]);
    std::fs::write(d.join("evil.tar"), &tar).unwrap();
    // A truncated .tar.xz: a real archive cut in half.
    if have("xz") {
        let src = tempfile::tempdir().unwrap();
        let mut big = String::new();
        for i in 0..20000 {
            big.push_str(&format!(
                "Oct 13 19:5{}:01 node37 systemd[1]: noise line {i}\n",
                i % 10
            ));
        }
        std::fs::create_dir_all(src.path().join("sosreport-x/var/log")).unwrap();
        std::fs::write(src.path().join("sosreport-x/var/log/syslog"), &big).unwrap();
        std::fs::write(src.path().join("sosreport-x/var/log/kern.log"), line).unwrap();
        let ok = Command::new("tar")
            .args(["-cJf", d.join("cut.tar.xz").to_str().unwrap(), "-C"])
            .arg(src.path())
            .args(["sosreport-x/var/log/kern.log", "sosreport-x/var/log/syslog"])
            .status()
            .unwrap()
            .success();
        assert!(ok);
        let full = std::fs::read(d.join("cut.tar.xz")).unwrap();
        std::fs::write(d.join("cut.tar.xz"), &full[..full.len() / 2]).unwrap();
    } else {
        eprintln!("skipping the truncated .tar.xz part: no xz (apt-get install xz-utils)");
    }
    let before = listing(d);
    let cwd = tempfile::tempdir().unwrap();
    let out = rootline()
        .current_dir(cwd.path())
        .args(["analyze", "--format", "json"])
        .arg(d)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(listing(d), before);
    assert!(listing(cwd.path()).is_empty());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let reasons: Vec<String> = v["not_read"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| format!("{} — {}", n["path"], n["reason"]))
        .collect();
    let has = |needle: &str| reasons.iter().any(|r| r.contains(needle));
    assert!(has("loop"), "{reasons:#?}");
    assert!(has("outside"), "{reasons:#?}");
    assert!(has("../../x"), "{reasons:#?}");
    if have("xz") {
        assert!(has("cut.tar.xz"), "{reasons:#?}");
    }
    // The good members of both archives were still read.
    let events = v["events"].as_array().unwrap();
    let files: Vec<&str> = events
        .iter()
        .map(|e| e["source"]["file"].as_str().unwrap())
        .collect();
    assert!(files.iter().any(|f| f.contains("evil.tar!")), "{files:?}");
    if have("xz") {
        assert!(files.iter().any(|f| f.contains("cut.tar.xz!")), "{files:?}");
    }
}

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/sosreport-openstack-compute");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("skipping: the corpus sosreport is not at {}", p.display());
        None
    }
}

#[test]
fn corpus_sosreport_reads_whole_and_lines_up() {
    let Some(root) = corpus() else { return };
    let (code, v) = analyze_json(&[root.to_str().unwrap()]);
    assert_eq!(code, 0);
    let root_info = &v["inputs"]["roots"][0];
    assert_eq!(root_info["kind"], "sosreport");
    assert_eq!(root_info["hostname"], "compute4");
    assert_eq!(root_info["clock"]["collected_at"], "2022-02-10T16:19:17Z");
    assert_eq!(root_info["clock"]["zone"], "Etc/UTC");
    // Everything is accounted for: read, or listed with a reason.
    let read = v["inputs"]["files"].as_array().unwrap().len();
    let not_read = v["not_read"].as_array().unwrap();
    assert!(read > 1100, "{read}");
    assert!(
        not_read
            .iter()
            .all(|n| !n["reason"].as_str().unwrap().is_empty())
    );
    assert!(
        not_read
            .iter()
            .any(|n| n["path"].as_str().unwrap().ends_with("etc/localtime")),
        "{not_read:?}"
    );
    let formats = |name: &str| {
        v["inputs"]["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"].as_str().unwrap().ends_with(name))
            .map(|f| f["format"].as_str().unwrap().to_string())
    };
    assert_eq!(formats("var/log/kern.log").as_deref(), Some("syslog"));
    assert_eq!(
        formats("sos_commands/kernel/dmesg").as_deref(),
        Some("dmesg")
    );
    assert_eq!(
        formats("var/log/nova/nova-compute.log.1.gz").as_deref(),
        Some("oslo")
    );
    // The same moments, read from kern.log (year-less syslog), dmesg (seconds
    // since boot) and the journal, agree with the kernel's own audit clock
    // printed inside the message: one clock for all.
    let mut by_file = std::collections::BTreeMap::new();
    for e in v["events"].as_array().unwrap() {
        let text = e["text"].as_str().unwrap();
        let Some(i) = text.find("audit(") else {
            continue;
        };
        let epoch: f64 = text[i + 6..].split(':').next().unwrap().parse().unwrap();
        let Some(utc) = e["time"]["utc"].as_str() else {
            continue;
        };
        let t: jiff::Timestamp = utc.parse().unwrap();
        let diff = (t.as_millisecond() as f64 / 1000.0 - epoch).abs();
        let file = e["source"]["file"]
            .as_str()
            .unwrap()
            .rsplit("compute/")
            .next()
            .unwrap()
            .to_string();
        let worst: &mut f64 = by_file.entry(file).or_insert(0.0);
        *worst = worst.max(diff);
    }
    for f in [
        "var/log/kern.log",
        "sos_commands/kernel/dmesg",
        "sos_commands/logs/journalctl_--no-pager",
    ] {
        let worst = by_file.get(f).copied();
        assert!(
            worst.is_some_and(|w| w < 2.0),
            "{f}: {worst:?} (all: {by_file:?})"
        );
    }
    // A healthy host: nothing above warning.
    let bad: Vec<&Value> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| matches!(e["severity"].as_str(), Some("error" | "critical")))
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn catalog_examples_pass_through_the_real_line_parser() {
    // From the repository root, so that the causes' example bundles run too.
    let out = rootline()
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .args(["catalog", "test"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.matches(" 0 failed").count(), 3, "{stdout}");
    assert!(stdout.contains(" host checks, "), "{stdout}");
    assert!(
        !stdout.contains(" 0 example bundles"),
        "the causes' bundles ran: {stdout}"
    );
    let list = rootline().args(["catalog", "list"]).output().unwrap();
    assert!(String::from_utf8_lossy(&list.stdout).contains("kernel.block.io-error"));
    let rg = rootline()
        .args(["catalog", "export", "--rg"])
        .output()
        .unwrap();
    let patterns = String::from_utf8(rg.stdout).unwrap();
    assert!(patterns.lines().count() > 100);
}

#[test]
fn an_operator_catalog_extends_and_its_errors_name_file_and_line() {
    let cat = tempfile::tempdir().unwrap();
    std::fs::write(
        cat.path().join("site.toml"),
        r#"[[signature]]
id = "site.raid-degraded"
component = "hardware"
severity = "error"
# The built-in md.disk-failure matches this line too: a site signature
# outranks it with a priority.
priority = 1
pattern = 'md/raid1:(?P<device>md\d+): Disk failure on (?P<member>\w+)'
fields = { device = "device", member = "device" }
description = { en = "A RAID member failed.", ko = "RAID 구성 디스크가 실패했습니다." }
negatives = ["md/raid1:md0: active with 2 out of 2 mirrors"]

[[signature.example]]
line = "Oct 13 19:50:00 node37 kernel: md/raid1:md0: Disk failure on sdb1, disabling device."
fields = { device = "md0", member = "sdb1" }
"#,
    )
    .unwrap();
    let ev = tempfile::tempdir().unwrap();
    std::fs::write(
        ev.path().join("kern.log"),
        "Oct 13 19:50:00 node37 kernel: [100.000001] md/raid1:md0: Disk failure on sdb1, disabling device.\n",
    )
    .unwrap();
    let (code, v) = analyze_json(&[
        "--catalog",
        cat.path().to_str().unwrap(),
        ev.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert_eq!(v["events"][0]["signature"], "site.raid-degraded");
    assert_eq!(v["events"][0]["fields"]["member"], "sdb1");

    // A broken pattern: the error names the file and the line.
    std::fs::write(
        cat.path().join("broken.toml"),
        "[[signature]]\nid = \"site.broken\"\ncomponent = \"kernel\"\nseverity = \"error\"\npattern = 'unclosed (group'\ndescription = { en = \"x\", ko = \"x\" }\n",
    )
    .unwrap();
    let out = rootline()
        .args(["catalog", "test", "--catalog"])
        .arg(cat.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken.toml:"), "{err}");
}

/// Host checks are data an operator extends: a `--catalog DIR/checks/`
/// entry rewords a shipped check in every report, its examples run with
/// `catalog test`, and an entry naming a check no code raises is refused.
#[test]
fn an_operator_rewords_a_host_check_and_a_misspelt_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let checks = dir.path().join("checks");
    std::fs::create_dir_all(&checks).unwrap();
    let manifest = r#"{ "version": "1.0", "components": { "report": { "plugins": { "multipath": {
  "commands": [ { "command": "multipath -ll", "exec": "multipath -ll", "return_code": 124, "run_time": 300.1 } ]
} } } } }"#;
    let def = format!(
        r#"[[check]]
id = "command-timed-out"
severity = "critical"
title = {{ en = "Hung command", ko = "멈춘 명령" }}
binds = ["task", "command", "seconds", "storage", "rootline"]
[[check.text]]
en = "SITE RUNBOOK 7: {{command}} hung"
ko = "사이트 런북 7: {{command}} 멈춤"
[[check.fix]]
en = "Page the storage on-call"
ko = "스토리지 당직자를 호출합니다"
command = "pagectl storage {{task}}"
[[check.example]]
file = "sos_reports/manifest.json"
values = {{ task = "multipath" }}
severity = "critical"
input = '''{manifest}'''
"#
    );
    std::fs::write(checks.join("site.toml"), &def).unwrap();
    let sos = dir.path().join("sos");
    std::fs::create_dir_all(sos.join("sos_reports")).unwrap();
    std::fs::write(sos.join("sos_reports/manifest.json"), manifest).unwrap();
    let cat = dir.path().to_str().unwrap();
    let out = rootline()
        .args([
            "analyze",
            sos.to_str().unwrap(),
            "--format",
            "json",
            "--catalog",
            cat,
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "host.command-timed-out")
        .unwrap_or_else(|| panic!("{:#}", v["findings"]));
    assert_eq!(f["text"], "SITE RUNBOOK 7: multipath -ll hung");
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["fix"][0]["command"], "pagectl storage multipath");
    let check = &v["host"][0]["checks"][0];
    assert_eq!(
        check["ko"], "사이트 런북 7: multipath -ll 멈춤",
        "{check:#}"
    );
    // The overlay's example runs; a wrong expectation fails the run.
    let ok = rootline()
        .args(["catalog", "test", "--catalog", cat])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .output()
        .unwrap();
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    std::fs::write(
        checks.join("site.toml"),
        def.replace("task = \"multipath\"", "task = \"iscsiadm\""),
    )
    .unwrap();
    let bad = rootline()
        .args(["catalog", "test", "--catalog", cat])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("FAIL host.command-timed-out"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    // A check no code raises is an error, not a check that never fires.
    std::fs::write(
        checks.join("site.toml"),
        def.replace("id = \"command-timed-out\"", "id = \"command-timedout\""),
    )
    .unwrap();
    let typo = rootline()
        .args(["analyze", sos.to_str().unwrap(), "--catalog", cat])
        .output()
        .unwrap();
    assert_eq!(typo.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&typo.stderr).contains("command-timedout"),
        "{}",
        String::from_utf8_lossy(&typo.stderr)
    );
}
