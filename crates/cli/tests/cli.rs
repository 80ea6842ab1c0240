//! End-to-end tests: the real binary on temporary evidence trees.

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

#[test]
fn no_path_is_a_usage_error() {
    let out = rootline().arg("analyze").output().unwrap();
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
    let bin: Vec<u8> = (0u32..4096).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    std::fs::write(dir.path().join("core.dump"), &bin).unwrap();
    // A kern.log with invalid UTF-8 around a real I/O error line.
    let mut log = b"Oct 13 19:51:01 node37 kernel: [12289.100000] caf\xe9 \xff\xfe garbage\n".to_vec();
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
        nr.iter().any(|n| n["path"].as_str().unwrap().ends_with("core.dump")
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
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &v["inputs"]["files"][0];
    assert_eq!(f["long_lines"], 1);
    assert!(f["bytes"].as_u64().unwrap() > 1 << 30);
    let ev = v["events"].as_array().unwrap();
    assert!(ev.iter().any(|e| e["fields"]["device"] == "dm-21"), "{ev:?}");
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
    assert!(listing(cwd.path()).is_empty(), "nothing is written to the working directory");
}
