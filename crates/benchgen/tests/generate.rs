//! Generates small trees and checks size, determinism and the metadata's
//! phrase counts against the bytes actually written.

// Helpers outside #[test] fns unwrap too: a failed setup step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;
use rootline_benchgen::{Config, MANIFEST, Manifest, PHRASES, generate};

fn config(out: &Path, size: u64, seed: u64, incidents: usize, jobs: usize) -> Config {
    Config {
        out: out.to_path_buf(),
        size,
        size_arg: size.to_string(),
        seed,
        incidents,
        jobs,
    }
}

/// The test trees are a few MB; cap each read at 64 MiB all the same.
const READ_LIMIT: u64 = 64 << 20;

fn read_capped(r: impl Read) -> Vec<u8> {
    let mut v = Vec::new();
    // Bounded by the take() above it.
    #[allow(clippy::disallowed_methods)]
    r.take(READ_LIMIT).read_to_end(&mut v).unwrap();
    v
}

fn read(path: &Path) -> Vec<u8> {
    read_capped(fs::File::open(path).unwrap())
}

fn read_string(path: &Path) -> String {
    String::from_utf8(read(path)).unwrap()
}

/// Every regular file under `root` (relative, `/`-separated) but the metadata.
fn files(root: &Path) -> BTreeMap<String, PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, PathBuf>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                if rel != MANIFEST {
                    out.insert(rel, p);
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn lines_of(path: &Path) -> Vec<Vec<u8>> {
    let raw = fs::File::open(path).unwrap();
    let mut reader: Box<dyn BufRead> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(BufReader::new(GzDecoder::new(raw)))
    } else {
        Box::new(BufReader::new(raw))
    };
    let mut out = Vec::new();
    loop {
        let mut l = Vec::new();
        if reader.read_until(b'\n', &mut l).unwrap() == 0 {
            break;
        }
        out.push(l);
    }
    out
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Phrase counts per file, from the files on disk.
fn count(root: &Path) -> BTreeMap<String, BTreeMap<String, u64>> {
    let mut all = BTreeMap::new();
    for (rel, p) in files(root) {
        let mut c: BTreeMap<String, u64> = BTreeMap::new();
        for l in lines_of(&p) {
            for ph in PHRASES {
                if contains(&l, ph) {
                    *c.entry(ph.to_string()).or_default() += 1;
                }
            }
        }
        all.insert(rel, c);
    }
    all
}

fn read_manifest(root: &Path) -> Manifest {
    serde_json::from_slice(&read(&root.join(MANIFEST))).unwrap()
}

#[test]
fn small_tree_sizes_determinism_and_counts() {
    let size = 5 << 20;
    let a = tempfile::tempdir().unwrap();
    let m = generate(&config(a.path(), size, 42, 20, 2)).unwrap();

    // The metadata on disk is what generate() returned.
    let on_disk = read_manifest(a.path());
    assert_eq!(
        serde_json::to_value(&on_disk).unwrap(),
        serde_json::to_value(&m).unwrap()
    );
    assert_eq!(m.seed, 42);
    // …and its bytes name no phrase (spaces in strings are \u0020), so a
    // scanner that reads dot-files finds nothing in it.
    let raw_manifest = read(&a.path().join(MANIFEST));
    for p in PHRASES {
        assert!(!contains(&raw_manifest, p), "{p:?} in the metadata");
    }
    assert_eq!(m.incidents.len(), 20);

    // Sizes: every listed file exists with its size; nothing else was written;
    // the total is within 3% of the target.
    let disk = files(a.path());
    let listed: Vec<&str> = m.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(disk.keys().map(String::as_str).collect::<Vec<_>>(), listed);
    let mut total = 0;
    for f in &m.files {
        let len = fs::metadata(&disk[&f.path]).unwrap().len();
        assert_eq!(len, f.bytes, "{}", f.path);
        total += len;
        if f.gzip {
            let raw = read_capped(GzDecoder::new(fs::File::open(&disk[&f.path]).unwrap()));
            assert_eq!(raw.len() as u64, f.raw_bytes, "{}", f.path);
        }
    }
    assert_eq!(total, m.total_bytes);
    let ratio = total as f64 / size as f64;
    assert!((0.97..1.03).contains(&ratio), "total {total} for {size}");
    for must in [
        "sos_commands/date/date",
        "sos_commands/host/uptime",
        "etc/timezone",
        "var/log/kern.log",
        "var/log/kern.log.1",
        "var/log/kern.log.2.gz",
        "var/log/syslog",
        "var/log/syslog.1",
        "sos_commands/kernel/dmesg",
        "sos_commands/logs/journalctl_--no-pager",
        "var/log/nova/nova-compute.log",
        "var/log/nova/nova-compute.log.1",
        "var/log/cinder/cinder-volume.log",
        "var/log/libvirt/libvirtd.log",
        "var/log/libvirt/qemu/instance-0000001c.log",
        "sos_commands/kubernetes/journalctl_--no-pager_--unit_kubelet",
        "sos_commands/process/ps_auxwwwm",
    ] {
        assert!(disk.contains_key(must), "{must} missing");
    }
    assert!(disk.keys().any(|k| k.starts_with("var/log/containers/")));
    // The biggest files are the syslog/journal/kernel ones.
    let mut by_size: Vec<_> = m.files.iter().collect();
    by_size.sort_by_key(|f| std::cmp::Reverse(f.bytes));
    assert_eq!(by_size[0].path, "sos_commands/logs/journalctl_--no-pager");
    assert_eq!(by_size[1].path, "var/log/syslog");

    // Counts: the metadata's per-file and total phrase counts are the lines
    // on disk containing each phrase; every phrase was injected.
    let counted = count(a.path());
    let mut totals: BTreeMap<String, u64> = PHRASES.iter().map(|p| (p.to_string(), 0)).collect();
    for f in &m.files {
        assert_eq!(counted[&f.path], f.phrases, "{}", f.path);
        for (p, c) in &f.phrases {
            *totals.get_mut(p).unwrap() += c;
        }
    }
    assert_eq!(totals, m.phrases);
    for p in PHRASES {
        assert!(m.phrases[*p] > 0, "phrase {p:?} never injected");
    }
    assert!(
        m.incidents
            .iter()
            .all(|i| i.lines > 0 && !i.files.is_empty())
    );
    // Phrases land in the files of their layer.
    let in_file = |path: &str, p: &str| {
        m.files
            .iter()
            .any(|f| f.path.starts_with(path) && f.phrases.contains_key(p))
    };
    assert!(in_file("var/log/kern.log", "Failing path"));
    assert!(in_file("sos_commands/kubernetes/", "Probe failed"));
    assert!(in_file(
        "var/log/nova/",
        "does not match the vm_power_state"
    ));
    assert!(in_file(
        "var/log/cinder/",
        "Running cmd (subprocess): chmod 660"
    ));
    assert!(in_file(
        "var/log/libvirt/qemu/",
        "block I/O error in device"
    ));
    assert!(!in_file("var/log/kern.log", "checker failed path"));

    // Consistent times: date matches the metadata; the journal says where it begins.
    let date = read_string(&disk["sos_commands/date/date"]);
    assert_eq!(date, "Tue Oct 14 09:30:12 UTC 2025\n");
    assert_eq!(m.collected_at, "2025-10-14T09:30:12Z");
    let uptime = read_string(&disk["sos_commands/host/uptime"]);
    assert!(
        uptime.starts_with(" 09:30:14 up 22 days,  3:17,"),
        "{uptime}"
    );
    let journal = lines_of(&disk["sos_commands/logs/journalctl_--no-pager"]);
    assert!(journal[0].starts_with(b"-- Logs begin at Tue 2025-09-23 00:00:05 UTC, end at "));

    // Determinism: same seed, other thread count → the same bytes.
    let b = tempfile::tempdir().unwrap();
    generate(&config(b.path(), size, 42, 20, 1)).unwrap();
    let disk_b = files(b.path());
    assert_eq!(
        disk.keys().collect::<Vec<_>>(),
        disk_b.keys().collect::<Vec<_>>()
    );
    for (rel, p) in &disk {
        assert!(read(p) == read(&disk_b[rel]), "{rel} differs");
    }
    assert_eq!(
        read(&a.path().join(MANIFEST)),
        read(&b.path().join(MANIFEST))
    );
    // Another seed → other bytes.
    let c = tempfile::tempdir().unwrap();
    generate(&config(c.path(), size, 43, 20, 2)).unwrap();
    let syslog = |d: &Path| read(&d.join("var/log/syslog"));
    assert_ne!(syslog(a.path()), syslog(c.path()));
}

/// With no incidents, nothing written contains a phrase: the noise is clean.
#[test]
fn noise_alone_has_no_phrases() {
    let d = tempfile::tempdir().unwrap();
    let m = generate(&config(d.path(), 3 << 20, 7, 0, 2)).unwrap();
    assert!(m.incidents.is_empty());
    assert!(m.phrases.values().all(|&c| c == 0), "{:?}", m.phrases);
    for (rel, c) in count(d.path()) {
        assert!(c.is_empty(), "{rel}: {c:?}");
    }
}
