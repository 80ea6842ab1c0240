//! The five seed incidents end to end: the real binary on the evidence
//! bundles in `examples/incidents/`, checked for the top diagnosis, its chain
//! and key entities — and the negative bundles for no diagnosis at all.

// Helpers outside #[test] fns unwrap too: a failed setup step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::disallowed_methods)] // tests read small bundle files whole

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::cargo_bin;
use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn analyze(bundle: &str, extra: &[&str]) -> Value {
    let out = Command::new(cargo_bin("rootline"))
        .current_dir(repo())
        .args(["analyze", "--format", "json"])
        .args(extra)
        .arg(bundle)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Signatures cited anywhere in a diagnosis's chain.
fn chain_signatures(d: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for s in d["chain"].as_array().unwrap() {
        for e in s["events"].as_array().unwrap() {
            out.push(e["signature"].as_str().unwrap().to_string());
        }
    }
    out
}

/// Every cited line must exist, at that line, in that file: the engine never
/// invents an event.
fn cited_lines_exist(d: &Value) {
    for e in d["evidence"].as_array().unwrap() {
        let file = e["file"].as_str().unwrap();
        let line = e["line"].as_u64().unwrap() as usize;
        let path = repo().join(file);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue; // compressed or archive members are checked elsewhere
        };
        let got = text.lines().nth(line - 1).unwrap_or_default();
        let cited = e["text"].as_str().unwrap().trim_end_matches('…');
        assert!(
            got.starts_with(cited) || cited.starts_with(got),
            "{file}:{line}: cited {cited:?} but the file has {got:?}"
        );
    }
}

fn top<'a>(v: &'a Value, cause: &str) -> &'a Value {
    let ds = v["diagnoses"].as_array().unwrap();
    let names: Vec<&str> = ds.iter().map(|d| d["cause"].as_str().unwrap()).collect();
    assert!(!ds.is_empty(), "no diagnosis (wanted {cause})");
    assert_eq!(ds[0]["cause"], cause, "ranking: {names:?}");
    cited_lines_exist(&ds[0]);
    &ds[0]
}

fn any_command(d: &Value, needle: &str) -> bool {
    d["remediation"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["command"].as_str().is_some_and(|c| c.contains(needle)))
}

#[test]
fn seed_000_stale_device_after_detach() {
    let v = analyze("examples/incidents/000-stale-device-after-detach", &[]);
    let d = top(&v, "stale-device-after-detach");
    let sigs = chain_signatures(d);
    assert!(
        sigs.iter().any(|s| s.starts_with("kernel.block")),
        "{sigs:?}"
    );
    assert!(
        sigs.iter()
            .any(|s| s.starts_with("nova.") || s.starts_with("os-brick.")),
        "{sigs:?}"
    );
    let devices = strs(&d["entities"]["devices"]);
    assert!(devices.contains(&"sdc".to_string()), "{devices:?}");
    assert!(
        any_command(d, "multipath -f") || any_command(d, "dmsetup remove"),
        "{:#}",
        d["remediation"]
    );
}

#[test]
fn seed_001_multipath_path_loss_down_to_crashloop() {
    let v = analyze("examples/incidents/001-libvirt-crashloop-multipath", &[]);
    let d = top(&v, "multipath-path-loss");
    let devices = strs(&d["entities"]["devices"]);
    for dev in ["dm-21", "dm-31", "sdt", "sdv"] {
        assert!(
            devices.contains(&dev.to_string()),
            "{dev} not in {devices:?}"
        );
    }
    let sigs = chain_signatures(d);
    for want in ["kernel.block.io-error", "kernel.hung-task"] {
        assert!(sigs.iter().any(|s| s == want), "{want} not in {sigs:?}");
    }
    assert!(
        sigs.iter()
            .any(|s| s == "kubelet.crash-loop" || s == "kubelet.back-off"),
        "the chain reaches the pod's CrashLoopBackOff: {sigs:?}"
    );
    let first = d["chain"][0]["role"].as_str().unwrap();
    assert_eq!(first, "root");
    assert!(any_command(d, "multipath"), "{:#}", d["remediation"]);
    // Syslog times were year- and zone-inferred: the report says so.
    assert!(
        d["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["time_inferred"] == true)
    );
}

#[test]
fn seed_002_hypervisor_storage_stall() {
    let v = analyze(
        "examples/incidents/002-node-notready-thin-provisioning",
        &[],
    );
    let d = top(&v, "hypervisor-storage-stall");
    let sigs = chain_signatures(d);
    assert!(sigs.iter().any(|s| s == "kernel.soft-lockup"), "{sigs:?}");
    assert!(
        sigs.iter()
            .any(|s| s.contains("not-ready") || s.contains("evict")),
        "{sigs:?}"
    );
}

#[test]
fn seed_003_volume_permission_denied() {
    let v = analyze("examples/incidents/003-nfs-volume-permission-denied", &[]);
    let d = top(&v, "volume-permission-denied");
    let sigs = chain_signatures(d);
    assert!(sigs.iter().any(|s| s == "qemu.block-io-error"), "{sigs:?}");
    let volumes = strs(&d["entities"]["volumes"]);
    assert!(
        volumes.contains(&"9d9074a3-2f80-4db2-be3a-3f8a65c426c3".to_string()),
        "{volumes:?}"
    );
    let text = d.to_string();
    assert!(
        text.contains("nas_secure_file"),
        "the fix names the cinder options"
    );
}

#[test]
fn seed_004_failing_disk_with_qcow2_and_guest_panics() {
    let v = analyze("examples/incidents/004-instances-shutoff-failing-nvme", &[]);
    let d = top(&v, "failing-disk");
    let sigs = chain_signatures(d);
    assert!(
        sigs.iter()
            .any(|s| s.starts_with("qemu.img-check") || s == "qemu.qcow2-corrupt"),
        "qcow2 corruption is in the chain: {sigs:?}"
    );
    assert!(
        sigs.iter()
            .any(|s| s == "kernel.hung-task" || s.starts_with("kernel.panic")),
        "guest hangs/panics are in the chain: {sigs:?}"
    );
    // qcow2-corruption does not stand as a separate, competing root cause.
    let causes: Vec<&str> = v["diagnoses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["cause"].as_str().unwrap())
        .collect();
    assert!(!causes.contains(&"qcow2-corruption"), "{causes:?}");
}

#[test]
fn healthy_and_benign_evidence_gets_no_diagnosis() {
    let v = analyze("examples/incidents/negative-benign-sr0-fd0", &[]);
    assert_eq!(
        v["diagnoses"].as_array().unwrap().len(),
        0,
        "{:#}",
        v["diagnoses"]
    );
    let findings: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !findings.is_empty(),
        "the sr0/fd0 errors are reported as benign findings"
    );

    let corpus = repo().join("../shared/corpus/sosreport-openstack-compute");
    if corpus.is_dir() {
        let v = analyze(corpus.to_str().unwrap(), &[]);
        assert_eq!(
            v["diagnoses"].as_array().unwrap().len(),
            0,
            "{:#}",
            v["diagnoses"]
        );
    } else {
        eprintln!("skipping the corpus part: {} is absent", corpus.display());
    }
}

#[test]
fn reports_in_markdown_and_korean() {
    let run = |args: &[&str]| {
        let out = Command::new(cargo_bin("rootline"))
            .current_dir(repo())
            .arg("analyze")
            .args(args)
            .arg("examples/incidents/001-libvirt-crashloop-multipath")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).unwrap()
    };
    let md = run(&["--format", "markdown"]);
    for section in [
        "### 1. Overview",
        "### 2. Symptoms",
        "### 3. Timeline",
        "### 4. Root cause",
        "### 5. Contributing factors",
        "### 6. Evidence",
        "### 7. Fix",
        "### 8. Prevention",
        "| Time (UTC) |",
    ] {
        assert!(md.contains(section), "missing {section}\n{md}");
    }
    let ko = run(&["--format", "markdown", "--lang", "ko"]);
    assert!(ko.contains("근본 원인"), "{ko}");
    assert!(ko.contains("multipath"), "terms stay in English: {ko}");
    let text = run(&["--color", "never", "--lang", "ko"]);
    assert!(text.starts_with("진단"), "{text}");
    // The verdict comes before the timeline.
    let en = run(&["--color", "never"]);
    let verdict = en.find("multipath-path-loss").unwrap();
    let timeline = en.find("Timeline (UTC)").unwrap();
    assert!(verdict < timeline);
}

#[test]
fn explain_prints_how_a_cause_is_recognised_and_fixed() {
    let out = Command::new(cargo_bin("rootline"))
        .args(["explain", "multipath-path-loss"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("multipath"), "{text}");
    assert!(text.contains("signatures:"), "{text}");
    let bad = Command::new(cargo_bin("rootline"))
        .args(["explain", "no-such-cause"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
}

#[test]
fn independent_incidents_are_reported_separately() {
    // Two hosts' evidence in one run: two diagnoses, one per host.
    let out = Command::new(cargo_bin("rootline"))
        .current_dir(repo())
        .args(["analyze", "--format", "json"])
        .arg("examples/incidents/001-libvirt-crashloop-multipath")
        .arg("examples/incidents/003-nfs-volume-permission-denied")
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(String, String)> = v["diagnoses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["cause"].as_str().unwrap().to_string(),
                d["host"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect();
    assert!(
        found
            .iter()
            .any(|(c, h)| c == "multipath-path-loss" && h == "s-dcn37-com604-krw1a"),
        "{found:?}"
    );
    assert!(
        found.iter().any(|(c, _)| c == "volume-permission-denied"),
        "{found:?}"
    );
}

#[test]
fn the_text_verdict_fits_100_columns() {
    let out = Command::new(cargo_bin("rootline"))
        .current_dir(repo())
        .args(["analyze", "--color", "never"])
        .arg("examples/incidents/001-libvirt-crashloop-multipath")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let verdict = &text[..text.find("Timeline (UTC)").unwrap()];
    for line in verdict.lines() {
        // Commands are printed whole so they can be copied.
        if line.trim_start().starts_with('$') {
            continue;
        }
        assert!(
            line.chars().count() <= 100,
            "{} columns: {line}",
            line.chars().count()
        );
    }
}

#[test]
fn an_unplugged_usb_stick_is_benign() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("kern.log"),
        "Oct 13 19:40:00 node37 kernel: [3688010.001000] usb 1-1: new high-speed USB device number 3 using xhci_hcd\n\
         Oct 13 19:40:01 node37 kernel: [3688011.101002] sd 6:0:0:0: [sdb] Attached SCSI removable disk\n\
         Oct 13 19:52:10 node37 kernel: [3688740.551020] usb 1-1: USB disconnect, device number 3\n\
         Oct 13 19:52:10 node37 kernel: [3688740.561200] blk_update_request: I/O error, dev sdb, sector 2048 op 0x0:(READ) flags 0x80700 phys_seg 1 prio class 0\n\
         Oct 13 19:52:10 node37 kernel: [3688740.561310] Buffer I/O error on dev sdb1, logical block 0, async page read\n",
    )
    .unwrap();
    let v = analyze(dir.path().to_str().unwrap(), &[]);
    assert_eq!(
        v["diagnoses"].as_array().unwrap().len(),
        0,
        "{:#}",
        v["diagnoses"]
    );
    let f = v["findings"].as_array().unwrap();
    assert!(
        f.iter()
            .any(|f| f["id"] == "removable-disk-unplugged" && f["count"].as_u64() == Some(2)),
        "{f:#?}"
    );
}

/// Copy a bundle to a temporary directory, so a test can change one file.
fn copy_bundle(bundle: &str) -> (tempfile::TempDir, PathBuf) {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let dst = to.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                copy(&e.path(), &dst);
            } else {
                std::fs::copy(e.path(), dst).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let name = Path::new(bundle).file_name().unwrap();
    let root = dir.path().join(name);
    copy(&repo().join(bundle), &root);
    (dir, root)
}

fn step<'a>(d: &'a Value, id: &str) -> Option<&'a Value> {
    d["chain"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == id)
}

const SEED_003: &str = "examples/incidents/003-nfs-volume-permission-denied";
const XML_003: &str = "etc/libvirt/qemu/instance-000000a3.xml";

/// Seed 003's domain XML without Nova's metadata (no display name).
fn without_nova_name(root: &Path) {
    let p = root.join(XML_003);
    let xml = std::fs::read_to_string(&p).unwrap();
    let (a, rest) = xml.split_once("  <metadata>").unwrap();
    let (_, b) = rest.split_once("</metadata>\n").unwrap();
    std::fs::write(&p, format!("{a}{b}")).unwrap();
}

#[test]
fn a_guests_own_log_joins_its_volume_chain_by_identity() {
    // guest-messages are app-web-01's syslog lines; the domain XML says
    // app-web-01 is instance 5e0a2c1b-… (instance-000000a3) and its vda is
    // volume 9d9074a3-….
    let v = analyze(SEED_003, &[]);
    let ds = v["diagnoses"].as_array().unwrap();
    assert_eq!(
        ds.len(),
        1,
        "the guest starts no incident of its own: {ds:#?}"
    );
    let d = top(&v, "volume-permission-denied");
    for id in ["guest-io-errors", "read-only"] {
        let s = step(d, id).unwrap_or_else(|| panic!("no {id}: {:#}", d["chain"]));
        assert_eq!(s["link"], "identity", "{s:#}");
        assert!(
            s["events"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["file"].as_str().unwrap().ends_with("guest-messages")),
            "{s:#}"
        );
    }
    let instances = strs(&d["entities"]["instances"]);
    assert_eq!(instances, ["5e0a2c1b-84d7-4f3e-9b61-2c7d8e9fa041"]);
    let devices = strs(&d["entities"]["devices"]);
    assert!(devices.contains(&"vda".to_string()), "{devices:?}");
    assert!(
        d["missing"].as_array().unwrap().len() <= 1,
        "{:#}",
        d["missing"]
    );
}

#[test]
fn without_the_mapping_the_guest_stays_apart() {
    // The same bundle whose domain XML lacks <nova:name>: nothing says that
    // app-web-01 runs on cmp03, so its lines must not join by proximity.
    let (_dir, root) = copy_bundle(SEED_003);
    without_nova_name(&root);
    let v = analyze(root.to_str().unwrap(), &[]);
    let d = top(&v, "volume-permission-denied");
    assert!(step(d, "guest-io-errors").is_none(), "{:#}", d["chain"]);
    assert!(step(d, "read-only").is_none(), "{:#}", d["chain"]);
}

#[test]
fn openstack_server_show_maps_a_guest_too() {
    // No <nova:name>, but the operator saved `openstack server show`: the
    // name ↔ id pair and the compute host map the guest.
    let (_dir, root) = copy_bundle(SEED_003);
    without_nova_name(&root);
    std::fs::write(
        root.join("openstack-server-show.txt"),
        "+-------------------------------------+----------------------------------------------------------+
| Field                               | Value                                                    |
+-------------------------------------+----------------------------------------------------------+
| OS-DCF:diskConfig                   | MANUAL                                                   |
| OS-EXT-AZ:availability_zone         | nova                                                     |
| OS-EXT-SRV-ATTR:host                | cmp03.example.com                                        |
| OS-EXT-SRV-ATTR:hypervisor_hostname | cmp03.example.com                                        |
| OS-EXT-SRV-ATTR:instance_name       | instance-000000a3                                        |
| OS-EXT-STS:power_state              | Running                                                  |
| OS-EXT-STS:task_state               | None                                                     |
| OS-EXT-STS:vm_state                 | active                                                   |
| flavor                              | m1.medium (3)                                            |
| id                                  | 5e0a2c1b-84d7-4f3e-9b61-2c7d8e9fa041                     |
| image                               |                                                          |
| name                                | app-web-01                                               |
| status                              | ACTIVE                                                   |
| volumes_attached                    | id='9d9074a3-2f80-4db2-be3a-3f8a65c426c3'                |
+-------------------------------------+----------------------------------------------------------+
",
    )
    .unwrap();
    let v = analyze(root.to_str().unwrap(), &[]);
    let d = top(&v, "volume-permission-denied");
    let s = step(d, "guest-io-errors").unwrap_or_else(|| panic!("{:#}", d["chain"]));
    assert_eq!(s["link"], "identity");
}

/// A Korean report says its own words in Korean: headings, labels, the
/// engine's roles and links, the host summary, the timeline counts, and
/// `explain`. Quoted evidence (log lines, commands, paths) stays as the
/// host printed it, so only lines that are rootline's own are checked.
#[test]
fn korean_reports_have_no_english_words_of_their_own() {
    let run = |args: &[&str]| {
        let out = Command::new(cargo_bin("rootline"))
            .current_dir(repo())
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    // rootline's English vocabulary: each is a label or frame of its own.
    let english = [
        "Diagnosis",
        "confidence",
        "rests on",
        "Evidence chain",
        "(no time)",
        " events",
        "occurrences",
        "host state from",
        "command outputs",
        "read ",
        "not read",
        "note:",
        "same object",
        "same host",
        "effect ",
        "symptom ",
        " high]",
        " medium]",
        " low]",
        "Timeline",
        "Fix",
        "Prevention",
        "window:",
        "signatures:",
        "linked by",
        "References",
        "PT",
    ];
    let mut outputs = Vec::new();
    for bundle in [
        "examples/incidents/000-stale-device-after-detach",
        "examples/incidents/001-libvirt-crashloop-multipath",
        "examples/incidents/004-instances-shutoff-failing-nvme",
    ] {
        outputs.push(run(&[
            "analyze", "--color", "never", "--lang", "ko", bundle,
        ]));
        outputs.push(run(&[
            "analyze", "--format", "markdown", "--lang", "ko", bundle,
        ]));
    }
    outputs.push(run(&["explain", "multipath-path-loss", "--lang", "ko"]));
    outputs.push(run(&[
        "explain",
        "host.multipath-map-degraded",
        "--lang",
        "ko",
    ]));
    for text in &outputs {
        for line in text.lines() {
            let t = line.trim_start();
            // Quoted evidence and commands: a time stamp, a `$ ` command,
            // a `file:line` citation, a Markdown table row of evidence, a
            // note's quoted parser message, a source path after "—".
            let quoted = t.starts_with(|c: char| c.is_ascii_digit())
                || t.starts_with("$ ")
                || t.starts_with('|')
                || t.starts_with('`')
                || t.starts_with("- `")
                || t.starts_with("참고:")
                || t.split_whitespace()
                    .next()
                    .is_some_and(|w| w.contains(':') && w.contains(['/', '.']));
            if quoted {
                continue;
            }
            for w in english {
                // As a word: "read " is not inside "thread ".
                let word = line.match_indices(w).any(|(i, _)| {
                    let before = line[..i].chars().next_back();
                    let after = line[i + w.len()..].chars().next();
                    let starts = w.starts_with(|c: char| c.is_ascii_alphabetic());
                    let ends = w.ends_with(|c: char| c.is_ascii_alphabetic());
                    let glued_before = starts && before.is_some_and(|c| c.is_ascii_alphabetic());
                    let glued_after = ends && after.is_some_and(|c| c.is_ascii_alphabetic());
                    !glued_before && !glued_after
                });
                assert!(!word, "English {w:?} in a Korean report:\n{line}");
            }
        }
    }
}
