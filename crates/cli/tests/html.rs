//! The HTML report rendered in a real browser: the binary writes the page of
//! seed 001, headless Chromium takes a screenshot and dumps the DOM, and the
//! test checks that the picture is there (timeline, lanes, marks) and, when
//! the evidence yields a diagnosis, its section and the chain's arrows.
//!
//! Without a browser (`chromium` or `chromium-browser` on PATH) the browser
//! test says so and passes; CI installs Debian's `chromium`.

// Helpers outside #[test] fns unwrap too: a failed setup step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::disallowed_methods)] // tests read their own small outputs whole

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::cargo_bin;
use serde_json::Value;

const BROWSER_TIMEOUT: Duration = Duration::from_secs(60);

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn seed_001() -> PathBuf {
    repo().join("examples/incidents/001-libvirt-crashloop-multipath")
}

/// `rootline analyze --format FORMAT ARGS… PATH`, run from the repository.
fn analyze(format: &str, args: &[&str], path: &Path) -> Vec<u8> {
    let out = Command::new(cargo_bin("rootline"))
        .current_dir(repo())
        .args(["analyze", "--format", format])
        .args(args)
        .arg(path)
        .output()
        .expect("run rootline");
    assert!(
        out.status.success(),
        "rootline failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn find_browser() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for name in ["chromium", "chromium-browser"] {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Run the browser with `args`, stdout into `stdout`; kill it after the
/// timeout.
fn run_browser(browser: &Path, profile: &Path, args: &[String], stdout: &Path) {
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(File::create(stdout).expect("create the browser's stdout file"))
        .stderr(Stdio::null())
        .spawn()
        .expect("start the browser");
    let start = Instant::now();
    loop {
        match child.try_wait().expect("wait for the browser") {
            Some(status) => {
                assert!(status.success(), "the browser failed: {status}");
                return;
            }
            None if start.elapsed() > BROWSER_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the browser did not finish in {BROWSER_TIMEOUT:?}");
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(path: &Path) -> (u32, u32) {
    let mut head = [0u8; 24];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .expect("read the PNG header");
    assert_eq!(&head[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&head[16..20]), be(&head[20..24]))
}

#[test]
fn the_html_report_renders_in_a_browser() {
    let Some(browser) = find_browser() else {
        println!("skipping: no chromium (apt-get install chromium)");
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let page = tmp.path().join("report.html");
    std::fs::write(&page, analyze("html", &[], &seed_001())).expect("write the page");
    let json: Value =
        serde_json::from_slice(&analyze("json", &[], &seed_001())).expect("JSON report");
    let diagnoses = json["diagnoses"].as_array().cloned().unwrap_or_default();

    let url = format!("file://{}", page.display());
    let png = tmp.path().join("report.png");
    run_browser(
        &browser,
        &tmp.path().join("profile-1"),
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1400,2000".into(),
            url.clone(),
        ],
        &tmp.path().join("screenshot.log"),
    );
    let dom_file = tmp.path().join("dom.html");
    run_browser(
        &browser,
        &tmp.path().join("profile-2"),
        &["--dump-dom".into(), url],
        &dom_file,
    );

    // The screenshot: a real picture, not a blank page (a blank one is a
    // few kilobytes).
    let bytes = std::fs::metadata(&png).expect("the screenshot").len();
    assert!(bytes > 30_000, "screenshot only {bytes} bytes");
    assert_eq!(png_size(&png), (1400, 2000));

    // The DOM as the browser built it.
    let dom = std::fs::read_to_string(&dom_file).expect("the dumped DOM");
    assert!(dom.contains("<svg id=\"timeline\""), "no timeline picture");
    for lane in ["kernel", "multipath", "kubernetes"] {
        assert!(
            dom.contains(&format!("data-lane=\"{lane}\"><rect class=\"lane-bg\"")),
            "no {lane} lane"
        );
    }
    let marks = dom.matches("<circle class=\"event ").count();
    assert!(marks >= 50, "only {marks} event marks drawn");
    assert!(!dom.contains("<script"), "a script in the page");

    if diagnoses.is_empty() {
        assert!(dom.contains("id=\"no-diagnosis\""));
        println!("no diagnosis for seed 001 yet: diagnosis and chain checks skipped");
        return;
    }
    let top = diagnoses[0]["cause"].as_str().expect("cause id");
    assert!(
        dom.contains(&format!("id=\"diagnosis-1\" data-cause=\"{top}\"")),
        "no section for the top diagnosis {top}"
    );
    let timed_steps = diagnoses[0]["chain"]
        .as_array()
        .map(|c| c.iter().filter(|s| !s["first"].is_null()).count())
        .unwrap_or(0);
    if timed_steps >= 2 {
        let arrows = dom.matches("class=\"chain-arrow\" data-from=").count();
        assert!(arrows >= 1, "no chain arrow for {timed_steps} timed steps");
    }
}

#[test]
fn the_html_report_is_self_contained_and_speaks_korean() {
    let page = String::from_utf8(analyze("html", &["--lang", "ko"], &seed_001())).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<html lang=\"ko\">"));
    assert!(page.contains("장애 보고서"));
    assert!(page.contains("data-lane=\"kubernetes\""));
    // Nothing to fetch: no scripts, no external style sheets, images or fonts.
    for bad in ["<script", "<link", " src=", "url(http", "@import"] {
        assert!(!page.contains(bad), "the page contains {bad:?}");
    }
    assert!(page.contains("Content-Security-Policy"));
}
