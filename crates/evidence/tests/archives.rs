//! Archive roots: every compression, top directory stripping, nested
//! members, links, hostile member names, truncation.

// Helpers outside #[test] fns unwrap too: a failed setup step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Member, run, s, snapshot, write};
use rootline_evidence::RootKind;

const TOP: &str = "sosreport-host-2025-01-01-abcdef";

fn report_members<'a>(gz_log: &'a [u8]) -> Vec<Member<'a>> {
    vec![
        Member::Dir("sosreport-host-2025-01-01-abcdef/"),
        Member::File(
            "sosreport-host-2025-01-01-abcdef/sos_commands/date/date",
            b"Thu Feb 10 16:19:17 UTC 2022\n",
        ),
        Member::File(
            "sosreport-host-2025-01-01-abcdef/sos_commands/host/hostname",
            b"compute9\n",
        ),
        Member::File(
            "sosreport-host-2025-01-01-abcdef/proc/uptime",
            b"63667.12 12345.6\n",
        ),
        Member::File(
            "sosreport-host-2025-01-01-abcdef/var/log/kern.log",
            b"Feb 10 16:19:17 compute9 kernel: hi\n",
        ),
        Member::File(
            "sosreport-host-2025-01-01-abcdef/var/log/nova/nova-compute.log.1.gz",
            gz_log,
        ),
        Member::Symlink(
            "sosreport-host-2025-01-01-abcdef/date",
            "sos_commands/date/date",
        ),
        Member::Symlink(
            "sosreport-host-2025-01-01-abcdef/etc/localtime",
            "/usr/share/zoneinfo/Asia/Seoul",
        ),
        Member::Symlink(
            "sosreport-host-2025-01-01-abcdef/var/log/gone",
            "../../nowhere",
        ),
        Member::Symlink(
            "sosreport-host-2025-01-01-abcdef/escape",
            "../../../etc/shadow",
        ),
        Member::Hardlink(
            "sosreport-host-2025-01-01-abcdef/kern.log.hard",
            "sosreport-host-2025-01-01-abcdef/var/log/kern.log",
        ),
        Member::Fifo("sosreport-host-2025-01-01-abcdef/run/fifo"),
    ]
}

fn check_report(archive: &str, r: &common::Run) {
    let c = &r.collection;
    assert_eq!(c.roots.len(), 1, "{:?}", c.roots);
    assert_eq!(c.roots[0].kind, RootKind::Archive);
    assert_eq!(c.roots[0].display, archive);
    let kern = r.by_rel("var/log/kern.log").expect("kern");
    assert_eq!(kern.display, format!("{archive}!{TOP}/var/log/kern.log"));
    assert_eq!(
        kern.mtime.map(|t| t.as_second()),
        Some(common::MTIME as i64)
    );
    let nova = r
        .by_rel("var/log/nova/nova-compute.log.1")
        .expect("nested gz member");
    assert_eq!(
        nova.display,
        format!("{archive}!{TOP}/var/log/nova/nova-compute.log.1.gz")
    );
    assert_eq!(nova.content, b"2022-02-10 16:19:17.123 1 ERROR nova x\n");
    assert!(r.seen.iter().all(|x| x.error.is_none()));

    let m = |p: &str| format!("{archive}!{TOP}/{p}");
    let aliases = &c.roots[0].aliases;
    assert!(
        aliases.contains(&(m("date"), m("sos_commands/date/date"))),
        "{aliases:?}"
    );
    assert!(
        aliases.contains(&(m("kern.log.hard"), m("var/log/kern.log"))),
        "{aliases:?}"
    );
    let why = |p: &str| {
        r.not_read(&m(p))
            .map(|n| n.reason.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        why("etc/localtime"),
        "symlink points outside the report (/usr/share/zoneinfo/Asia/Seoul)"
    );
    assert_eq!(why("var/log/gone"), "dangling symlink (../../nowhere)");
    assert_eq!(
        why("escape"),
        "symlink points outside the report (../../../etc/shadow)"
    );
    assert_eq!(why("run/fifo"), "not a regular file (fifo)");
    assert_eq!(c.not_read.len(), 4, "{:?}", c.not_read);

    let a = &c.roots[0].anchors;
    let at = a.collected_at.as_ref().expect("collected");
    assert_eq!(at.value.to_string(), "2022-02-10T16:19:17Z");
    assert_eq!(at.from, "sos_commands/date/date");
    assert_eq!(
        a.zone.as_ref().expect("zone").value.iana_name(),
        Some("Asia/Seoul")
    );
    assert_eq!(a.hostname.as_ref().expect("host").value, "compute9");
    let boot = a.boot_time.as_ref().expect("boot");
    assert_eq!(boot.value.to_string(), "2022-02-09T22:38:09.88Z");
}

#[test]
fn reads_every_archive_flavour() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let gz_log = common::gzip(b"2022-02-10 16:19:17.123 1 ERROR nova x\n");
    let plain = common::tar(&report_members(&gz_log));
    let flavours: Vec<(&str, Vec<u8>)> = vec![
        ("r.tar", plain.clone()),
        ("r.tar.xz", common::xz(&plain)),
        ("r.txz", common::xz(&plain)),
        ("r.tar.gz", common::gzip(&plain)),
        ("r.tgz", common::gzip(&plain)),
        ("r.tar.zst", common::zst(&plain)),
        // Content decides, not the name.
        ("misnamed.log", common::xz(&plain)),
    ];
    for (name, bytes) in flavours {
        let p = write(tmp.path(), name, &bytes);
        let before = snapshot(tmp.path());
        let r = run(&[&s(&p)]);
        check_report(&s(&p), &r);
        assert_eq!(
            before,
            snapshot(tmp.path()),
            "{name}: collect wrote something"
        );
    }
}

#[test]
fn multi_stream_xz_is_read_whole() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let gz_log = common::gzip(b"2022-02-10 16:19:17.123 1 ERROR nova x\n");
    let plain = common::tar(&report_members(&gz_log));
    let (a, b) = plain.split_at(plain.len() / 2);
    let mut bytes = common::xz(a);
    bytes.extend(common::xz(b));
    let p = write(tmp.path(), "multi.tar.xz", &bytes);
    let r = run(&[&s(&p)]);
    check_report(&s(&p), &r);
}

#[test]
fn archive_inside_a_directory_is_its_own_root() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("case");
    let gz_log = common::gzip(b"2022-02-10 16:19:17.123 1 ERROR nova x\n");
    let bytes = common::xz(&common::tar(&report_members(&gz_log)));
    write(&dir, "notes.txt", b"customer notes\n");
    let arch = write(&dir, "sosreport-host.tar.xz", &bytes);
    let r = run(&[&s(&dir)]);
    let c = &r.collection;
    assert_eq!(c.roots.len(), 2);
    assert_eq!(c.roots[0].kind, RootKind::Directory);
    assert_eq!(c.roots[1].kind, RootKind::Archive);
    assert_eq!(c.roots[1].display, s(&arch));
    let kern = r.by_rel("var/log/kern.log").expect("kern");
    assert_eq!(kern.display, format!("{}!{TOP}/var/log/kern.log", s(&arch)));
    assert_eq!(kern.root, 1);
    assert_eq!(r.by_rel("notes.txt").expect("notes").root, 0);
    assert!(c.roots[1].anchors.collected_at.is_some());
    assert!(c.roots[0].anchors.collected_at.is_none());
}

#[test]
fn archive_inside_a_sosreport_directory_joins_its_root() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let rep = tmp.path().join("sosreport-h");
    write(
        &rep,
        "sos_commands/date/date",
        b"Thu Feb 10 16:19:17 UTC 2022\n",
    );
    let inner = common::xz(&common::tar(&[
        Member::File("date", b"Mon Jan  1 00:00:00 UTC 2001\n"),
        Member::File("out.txt", b"inner\n"),
    ]));
    let arch = write(&rep, "sos_commands/process/lsof.xz", &inner);
    let r = run(&[&s(&rep)]);
    let c = &r.collection;
    assert_eq!(c.roots.len(), 1);
    let out = r
        .by_display(&format!("{}!out.txt", s(&arch)))
        .expect("member");
    assert_eq!(out.root, 0);
    // The member named `date` does not set the report's clock.
    let at = c.roots[0].anchors.collected_at.as_ref().expect("at");
    assert_eq!(at.value.to_string(), "2022-02-10T16:19:17Z");
}

#[test]
fn archive_without_top_dir_and_tar_in_tar() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let inner = common::gzip(&common::tar(&[Member::File(
        "inner/a.log",
        b"inner line\n",
    )]));
    let outer = common::tar(&[
        Member::File(
            "./sos_commands/date/date",
            b"Thu Feb 10 16:19:17 UTC 2022\n",
        ),
        Member::File("./b.log", b"outer line\n"),
        Member::File("./bundles/host2.tar.gz", &inner),
    ]);
    let p = write(tmp.path(), "flat.tar", &outer);
    let r = run(&[&s(&p)]);
    let c = &r.collection;
    assert!(c.not_read.is_empty(), "{:?}", c.not_read);
    assert_eq!(
        r.by_rel("b.log").expect("b").display,
        format!("{}!b.log", s(&p))
    );
    let a = r.by_rel("a.log").expect("inner member");
    assert_eq!(
        a.display,
        format!("{}!bundles/host2.tar.gz!inner/a.log", s(&p))
    );
    assert_eq!(a.root, 1);
    assert_eq!(
        c.roots[1].display,
        format!("{}!bundles/host2.tar.gz", s(&p))
    );
    assert!(c.roots[0].anchors.collected_at.is_some());
}

#[test]
fn escaping_member_names_are_listed_not_read() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let bytes = common::tar(&[
        Member::File("r/ok.log", b"fine\n"),
        Member::RawName("../../rootline-escaped-x", b"evil\n"),
        Member::RawName("/etc/cron.d/evil", b"evil\n"),
        Member::RawName("r/../../y", b"evil\n"),
        Member::File("r/after.log", b"still read\n"),
    ]);
    let p = write(tmp.path(), "evil.tar", &bytes);
    let before = snapshot(tmp.path());
    let r = run(&[&s(&p)]);
    let arch = s(&p);
    assert_eq!(
        r.not_read(&format!("{arch}!../../rootline-escaped-x"))
            .expect("listed")
            .reason,
        "member path escapes the archive (../../rootline-escaped-x)"
    );
    assert!(r.not_read(&format!("{arch}!/etc/cron.d/evil")).is_some());
    assert!(r.not_read(&format!("{arch}!r/../../y")).is_some());
    assert!(r.seen.iter().all(|x| x.content != b"evil\n"));
    assert_eq!(
        r.by_rel("after.log").expect("after").content,
        b"still read\n"
    );
    assert_eq!(before, snapshot(tmp.path()));
    assert!(
        !tmp.path()
            .parent()
            .map(|p| p.join("rootline-escaped-x").exists())
            .unwrap_or(false)
    );
}

fn big_report() -> Vec<u8> {
    let logs: Vec<(String, Vec<u8>)> = (0..8)
        .map(|i| (format!("r/var/log/log{i}.log"), common::noisy_log(4000, i)))
        .collect();
    let members: Vec<Member<'_>> = logs.iter().map(|(n, d)| Member::File(n, d)).collect();
    common::tar(&members)
}

#[test]
fn truncated_xz_archive_keeps_what_came_before() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let full = common::xz(&big_report());
    let p = write(tmp.path(), "cut.tar.xz", &full[..full.len() / 2]);
    let r = run(&[&s(&p)]);
    let arch = s(&p);
    let n = r.not_read(&arch).expect("truncation listed");
    assert!(
        n.reason.starts_with("archive truncated or corrupt after "),
        "{}",
        n.reason
    );
    // Early members complete, one cut member reported by the visitor.
    let complete: Vec<_> = r.seen.iter().filter(|x| x.error.is_none()).collect();
    assert!(!complete.is_empty(), "nothing before the damage was read");
    assert_eq!(complete[0].content, common::noisy_log(4000, 0));
    assert_eq!(
        r.seen.iter().filter(|x| x.error.is_some()).count(),
        1,
        "{:?}",
        r.seen.iter().map(|x| &x.error).collect::<Vec<_>>()
    );
    assert!(r.seen.len() < 8);
}

#[test]
fn truncated_gz_and_zst_and_plain_archives() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let plain = big_report();
    for (name, full) in [
        ("cut.tar.gz", common::gzip(&plain)),
        ("cut.tar.zst", common::zst(&plain)),
        ("cut.tar", plain.clone()),
    ] {
        let p = write(tmp.path(), name, &full[..full.len() / 2]);
        let r = run(&[&s(&p)]);
        let n = r.not_read(&s(&p)).unwrap_or_else(|| {
            panic!("{name}: truncation not listed: {:?}", r.collection.not_read)
        });
        assert!(
            n.reason.starts_with("archive truncated or corrupt after "),
            "{name}: {}",
            n.reason
        );
        assert!(r.seen.iter().any(|x| x.error.is_none()), "{name}");
        assert!(
            r.seen.iter().any(|x| x.error.is_some()),
            "{name}: cut member not reported"
        );
    }
    // Cut exactly at a member boundary: no end-of-archive marker.
    let two = common::tar(&[
        Member::File("r/a.log", b"a\n"),
        Member::File("r/b.log", b"b\n"),
    ]);
    let p = write(tmp.path(), "boundary.tar", &two[..1024]);
    let r = run(&[&s(&p)]);
    assert_eq!(
        r.not_read(&s(&p)).expect("listed").reason,
        "archive truncated or corrupt after 1 members: unexpected end of data (no end-of-archive marker)"
    );
    assert_eq!(r.by_rel("a.log").expect("a").content, b"a\n");
}

#[test]
fn garbage_inside_archives() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let bytes = common::tar(&[
        Member::File("r/fake.log.gz", b"\x55\x66 not gzip"),
        Member::File(
            "r/bad.log.gz",
            &[
                0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 0x01,
            ],
        ),
        Member::File("r/blob", b"\x00\x00\x01binary"),
        Member::File("r/ok.log", b"ok\n"),
    ]);
    let p = write(tmp.path(), "g.tar", &bytes);
    let r = run(&[&s(&p)]);
    let m = |x: &str| format!("{}!r/{x}", s(&p));
    assert_eq!(
        r.not_read(&m("fake.log.gz")).expect("fake").reason,
        "not gzip data, although the name ends in .gz"
    );
    assert!(
        r.by_display(&m("bad.log.gz"))
            .expect("bad gz handed over")
            .error
            .is_some()
    );
    assert_eq!(
        r.not_read(&m("blob")).expect("blob").reason,
        "binary content"
    );
    assert_eq!(r.by_rel("ok.log").expect("ok").content, b"ok\n");
}

#[test]
fn stubs_inside_archives() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let bytes = common::tar(&[
        Member::File("s/date", b"sos_commands/systemd/timedatectl"),
        Member::File("s/etc/localtime", b"../usr/share/zoneinfo/Etc/UTC"),
        Member::File(
            "s/sos_commands/systemd/timedatectl",
            b" Universal time: Thu 2022-02-10 16:19:48 UTC\n",
        ),
        Member::File("s/notes", b"a/b\n"),
    ]);
    let p = write(tmp.path(), "stubs.tar", &bytes);
    let r = run(&[&s(&p)]);
    let m = |x: &str| format!("{}!s/{x}", s(&p));
    let c = &r.collection;
    assert!(
        c.roots[0]
            .aliases
            .contains(&(m("date"), m("sos_commands/systemd/timedatectl"))),
        "{:?}",
        c.roots[0].aliases
    );
    assert_eq!(
        r.not_read(&m("etc/localtime")).expect("tz").reason,
        "dangling symlink stub (../usr/share/zoneinfo/Etc/UTC)"
    );
    assert_eq!(r.by_rel("notes").expect("notes").content, b"a/b\n");
    let a = &c.roots[0].anchors;
    assert_eq!(
        a.zone.as_ref().expect("zone").value.iana_name(),
        Some("Etc/UTC")
    );
    assert_eq!(
        a.collected_at.as_ref().expect("at").value.to_string(),
        "2022-02-10T16:19:48Z"
    );
}
