//! Clock anchors from synthetic sosreports, and the real corpus when present.

mod common;

use std::path::PathBuf;

use common::{run, s, snapshot, write};
use rootline_evidence::RootKind;

#[test]
fn anchors_from_a_synthetic_report() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let rep = tmp.path().join("sosreport-seoul-2025");
    write(
        &rep,
        "sos_commands/date/date",
        b"Thu Feb 10 16:19:17 KST 2022\n",
    );
    write(
        &rep,
        "sos_commands/date/date_--utc",
        b"Thu Feb 10 07:19:17 UTC 2022\n",
    );
    write(
        &rep,
        "sos_commands/date/hwclock",
        b"2022-02-10 16:19:16.999455+09:00\n",
    );
    write(
        &rep,
        "sos_commands/systemd/timedatectl",
        b"               Local time: Thu 2022-02-10 16:19:48 KST\n           Universal time: Thu 2022-02-10 07:19:48 UTC\n                Time zone: Asia/Seoul (KST, +0900)\n",
    );
    write(
        &rep,
        "sos_commands/host/uptime",
        b" 16:19:19 up 3 days, 39 min,  2 users,  load average: 0.1, 0.2, 0.3\n",
    );
    write(&rep, "sos_commands/host/hostname", b"seoul-1\n");
    write(&rep, "etc/hostname", b"seoul-1.example\n");
    write(&rep, "date", b"sos_commands/systemd/timedatectl\n");
    let tzif = common::read_small(std::path::Path::new("/usr/share/zoneinfo/Asia/Seoul"));
    match &tzif {
        Some(bytes) => {
            write(&rep, "etc/localtime", bytes);
        }
        None => {
            println!(
                "no /usr/share/zoneinfo/Asia/Seoul: using a localtime stub instead of TZif bytes"
            );
            write(&rep, "etc/localtime", b"../usr/share/zoneinfo/Asia/Seoul");
        }
    }

    let r = run(&[&s(&rep)]);
    let c = &r.collection;
    assert_eq!(c.roots[0].kind, RootKind::SosreportDir);
    let a = &c.roots[0].anchors;
    let zone = a.zone.as_ref().expect("zone");
    assert_eq!(zone.from, "etc/localtime");
    let at = a.collected_at.as_ref().expect("collected");
    assert_eq!(at.value.to_string(), "2022-02-10T07:19:17Z");
    assert_eq!(at.from, "sos_commands/date/date");
    let boot = a.boot_time.as_ref().expect("boot");
    assert_eq!(boot.value.to_string(), "2022-02-07T06:40:17Z");
    assert!(
        boot.from.contains("sos_commands/host/uptime"),
        "{}",
        boot.from
    );
    assert!(boot.from.contains("minute resolution"), "{}", boot.from);
    let host = a.hostname.as_ref().expect("hostname");
    assert_eq!(
        (host.value.as_str(), host.from.as_str()),
        ("seoul-1", "sos_commands/host/hostname")
    );
    if tzif.is_some() {
        // Real TZif bytes, named after the zone timedatectl reports.
        assert_eq!(zone.value.iana_name(), Some("Asia/Seoul"));
        let info = zone.value.to_offset_info(at.value);
        assert_eq!(info.abbreviation(), "KST");
        // The TZif file is still handed to the visitor as an input.
        assert!(r.by_rel("etc/localtime").is_some());
    }
    // Anchor files are ordinary inputs too, whole.
    let date = r.by_rel("sos_commands/date/date").expect("date visited");
    assert_eq!(date.content, b"Thu Feb 10 16:19:17 KST 2022\n");

    // Exact sources win over minute-resolution ones.
    write(&rep, "proc/uptime", b"63667.12 12345.6\n");
    let r = run(&[&s(&rep)]);
    let boot = r.collection.roots[0]
        .anchors
        .boot_time
        .clone()
        .expect("boot");
    assert_eq!(boot.value.to_string(), "2022-02-09T13:38:09.88Z");
    write(
        &rep,
        "proc/stat",
        b"cpu  1 2 3 4\nintr 12345 1 2 3\nctxt 42\nbtime 1644446346\nprocesses 1\n",
    );
    let r = run(&[&s(&rep)]);
    let boot = r.collection.roots[0]
        .anchors
        .boot_time
        .clone()
        .expect("boot");
    assert_eq!(boot.value.as_second(), 1644446346);
    assert_eq!(boot.from, "proc/stat (btime)");
}

#[test]
fn sos3_layout_and_zone_without_tzif() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let rep = tmp.path().join("sosreport-old");
    write(
        &rep,
        "sos_commands/general/date",
        b"Thu Feb 10 16:19:17 CET 2022\n",
    );
    write(
        &rep,
        "sos_commands/general/uptime",
        b" 16:19:19 up 5 min,  1 user,  load average: 0.00, 0.01, 0.05\n",
    );
    write(&rep, "sos_commands/general/hostname", b"old-host\n");
    write(&rep, "etc/timezone", b"Europe/Berlin\n");
    let r = run(&[&s(&rep)]);
    let a = &r.collection.roots[0].anchors;
    assert_eq!(
        a.zone.as_ref().expect("zone").value.iana_name(),
        Some("Europe/Berlin")
    );
    assert_eq!(
        a.collected_at.as_ref().expect("at").value.to_string(),
        "2022-02-10T15:19:17Z"
    );
    assert_eq!(
        a.boot_time.as_ref().expect("boot").value.to_string(),
        "2022-02-10T15:14:17Z"
    );
    assert_eq!(a.hostname.as_ref().expect("host").value, "old-host");
}

fn corpus() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/sosreport-openstack-compute");
    if p.is_dir() {
        Some(p)
    } else {
        println!("corpus not present at {}: skipping", p.display());
        None
    }
}

fn count_files(root: &std::path::Path) -> usize {
    snapshot(root)
        .keys()
        .filter(|p| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file()))
        .count()
}

#[test]
fn the_real_corpus() {
    let Some(root) = corpus() else { return };
    let before = snapshot(&root);
    let r = run(&[&s(&root)]);
    let c = &r.collection;
    assert_eq!(c.roots.len(), 1, "{:?}", c.roots);
    let root0 = &c.roots[0];
    // `sos_commands/process/lsof_M_-n_-l.xz` really is a tar.xz: its member
    // belongs to the report.
    let lsof = s(&root.join("sos_commands/process/lsof_M_-n_-l.xz"));
    let member = r
        .by_display(&format!("{lsof}!lsof_M_-n_-l"))
        .expect("lsof member");
    assert_eq!(member.root, 0);
    assert_eq!(root0.kind, RootKind::SosreportDir);
    let a = &root0.anchors;
    let at = a.collected_at.as_ref().expect("collected_at");
    assert_eq!(at.value.to_string(), "2022-02-10T16:19:17Z");
    assert_eq!(at.from, "sos_commands/date/date");
    let zone = a.zone.as_ref().expect("zone");
    assert_eq!(zone.value.iana_name(), Some("Etc/UTC"));
    assert!(zone.from.starts_with("etc/localtime"), "{}", zone.from);
    assert_eq!(a.hostname.as_ref().expect("hostname").value, "compute4");
    let boot = a.boot_time.as_ref().expect("boot");
    // 16:19:17 − 17:41 (minute resolution).
    assert_eq!(boot.value.to_string(), "2022-02-09T22:38:17Z");

    let d = |p: &str| s(&root.join(p));
    let why = |p: &str| {
        r.not_read(&d(p))
            .map(|n| n.reason.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        why("etc/localtime"),
        "dangling symlink stub (../usr/share/zoneinfo/Etc/UTC)"
    );
    assert_eq!(
        why("etc/os-release"),
        "dangling symlink stub (../usr/lib/os-release)"
    );
    assert!(
        root0
            .aliases
            .contains(&(d("date"), d("sos_commands/systemd/timedatectl")))
    );
    assert!(
        root0
            .aliases
            .contains(&(d("uptime"), d("sos_commands/host/uptime")))
    );
    // The gzipped nova log arrives decompressed.
    let nova = r
        .seen
        .iter()
        .find(|x| x.display.ends_with(".gz"))
        .expect("a .gz log");
    assert!(!nova.rel_path.ends_with(".gz"));
    assert!(
        nova.content.starts_with(b"20"),
        "{:?}",
        &nova.content[..20.min(nova.content.len())]
    );

    // Every file is accounted for: read, skipped by the visitor, an alias
    // (stub) or listed.
    let files = count_files(&root);
    let direct = r.seen.iter().filter(|x| !x.display.contains('!')).count();
    let archives = 1;
    let listed = c
        .not_read
        .iter()
        .filter(|n| !n.reason.contains("binary"))
        .count();
    let accounted = direct + archives + root0.aliases.len() + listed;
    assert_eq!(
        files,
        accounted,
        "files {files}, read {direct}, archives {archives}, aliases {}, not read {:?}",
        root0.aliases.len(),
        c.not_read
    );
    assert!(files > 1000);
    assert_eq!(before, snapshot(&root));
}
