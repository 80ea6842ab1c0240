//! Directory roots: walking, display paths, sosreport detection, symlinks,
//! symlink stubs, bad paths.

mod common;

use std::os::unix::fs::symlink;

use common::{run, s, snapshot, write};
use rootline_evidence::RootKind;

#[test]
fn walks_a_directory_with_display_and_rel_paths() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let logs = tmp.path().join("logs");
    write(&logs, "syslog", b"Feb 10 16:19:17 host a: hello\n");
    write(
        &logs,
        "nova/nova-compute.log",
        b"2022-02-10 16:19:17.123 1 INFO x\n",
    );
    write(&logs, "deep/er/still/x.txt", b"deep\n");
    write(&logs, "rotated.log.1.gz", &common::gzip(b"gzipped line\n"));
    let before = snapshot(tmp.path());

    let r = run(&[&s(&logs)]);
    let c = &r.collection;
    assert_eq!(c.roots.len(), 1);
    assert_eq!(c.roots[0].kind, RootKind::Directory);
    assert_eq!(c.roots[0].display, s(&logs));
    assert!(
        c.roots[0].anchors.collected_at.is_none(),
        "plain dirs have no anchors"
    );
    assert!(c.not_read.is_empty(), "{:?}", c.not_read);
    let want: Vec<String> = [
        "deep/er/still/x.txt",
        "nova/nova-compute.log",
        "rotated.log.1.gz",
        "syslog",
    ]
    .iter()
    .map(|p| s(&logs.join(p)))
    .collect();
    assert_eq!(r.displays(), want);
    let nova = r
        .by_display(&s(&logs.join("nova/nova-compute.log")))
        .expect("nova");
    assert_eq!(nova.rel_path, "nova/nova-compute.log");
    assert!(nova.mtime.is_some());
    let gz = r
        .by_display(&s(&logs.join("rotated.log.1.gz")))
        .expect("gz");
    assert_eq!(gz.rel_path, "rotated.log.1");
    assert_eq!(gz.content, b"gzipped line\n");
    assert!(r.seen.iter().all(|x| x.root == 0 && x.error.is_none()));

    assert_eq!(before, snapshot(tmp.path()), "collect wrote something");
}

#[test]
fn single_compressed_files_on_the_command_line() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let gz = write(tmp.path(), "nova-compute.log.1.gz", &common::gzip(b"one\n"));
    let xz = write(tmp.path(), "kern.log.2.xz", &common::xz(b"two\n"));
    let zst = write(tmp.path(), "syslog.3.zst", &common::zst(b"three\n"));
    // The name is only a hint: gzip content without a .gz name.
    let hidden = write(tmp.path(), "messages", &common::gzip(b"four\n"));
    let r = run(&[&s(&gz), &s(&xz), &s(&zst), &s(&hidden)]);
    assert!(
        r.collection.not_read.is_empty(),
        "{:?}",
        r.collection.not_read
    );
    assert_eq!(r.collection.roots.len(), 4);
    assert!(r.collection.roots.iter().all(|x| x.kind == RootKind::File));
    let one = r.by_display(&s(&gz)).expect("gz");
    assert_eq!(one.content, b"one\n");
    assert!(
        one.rel_path.ends_with("nova-compute.log.1"),
        "{}",
        one.rel_path
    );
    assert_eq!(r.by_display(&s(&xz)).expect("xz").content, b"two\n");
    assert_eq!(r.by_display(&s(&zst)).expect("zst").content, b"three\n");
    assert_eq!(
        r.by_display(&s(&hidden)).expect("hidden").content,
        b"four\n"
    );
}

#[test]
fn detects_sosreport_directories() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let report = tmp.path().join("one/sosreport-host1-2025-01-01-abc");
    write(
        &report,
        "sos_commands/date/date",
        b"Thu Feb 10 16:19:17 UTC 2022\n",
    );
    write(&report, "var/log/kern.log", b"kern\n");
    write(&tmp.path().join("one"), "sosreport-host1.md5", b"abc\n");

    // The report itself.
    let r = run(&[&s(&report)]);
    assert_eq!(r.collection.roots[0].kind, RootKind::SosreportDir);
    assert_eq!(
        r.by_rel("var/log/kern.log").expect("kern").display,
        s(&report.join("var/log/kern.log"))
    );
    assert!(r.collection.roots[0].anchors.collected_at.is_some());

    // Its parent, holding exactly one report: rel paths start inside it.
    let parent = tmp.path().join("one");
    let r = run(&[&s(&parent)]);
    assert_eq!(r.collection.roots.len(), 1);
    assert_eq!(r.collection.roots[0].kind, RootKind::SosreportDir);
    let kern = r
        .by_rel("var/log/kern.log")
        .expect("kern rel inside the report");
    assert_eq!(kern.display, s(&report.join("var/log/kern.log")));
    assert!(r.by_rel("sosreport-host1.md5").is_some());
    assert!(r.collection.roots[0].anchors.collected_at.is_some());

    // A manifest alone is enough.
    let other = tmp.path().join("two/sosreport-host2");
    write(&other, "sos_reports/manifest.json", b"{}\n");
    write(&other, "var/log/syslog", b"s\n");
    let r = run(&[&s(&other)]);
    assert_eq!(r.collection.roots[0].kind, RootKind::SosreportDir);

    // Two reports under one directory: each its own root.
    let both = tmp.path();
    std::fs::rename(
        tmp.path().join("two/sosreport-host2"),
        tmp.path().join("one/sosreport-host2"),
    )
    .expect("mv");
    let r = run(&[&s(&both.join("one"))]);
    let kinds: Vec<RootKind> = r.collection.roots.iter().map(|x| x.kind).collect();
    assert_eq!(
        kinds,
        vec![
            RootKind::Directory,
            RootKind::SosreportDir,
            RootKind::SosreportDir
        ]
    );
    let kern = r.by_rel("var/log/kern.log").expect("kern");
    assert_eq!(kern.root, 1);
    assert_eq!(r.collection.roots[1].display, s(&report));
    assert!(r.collection.roots[1].anchors.collected_at.is_some());
    assert!(r.collection.roots[0].anchors.collected_at.is_none());
}

#[test]
fn symlinks_inside_outside_dangling_and_loops() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let outside = write(tmp.path(), "secret.txt", b"not yours\n");
    let rep = tmp.path().join("sosreport-x");
    write(
        &rep,
        "sos_commands/date/date",
        b"Thu Feb 10 16:19:17 UTC 2022\n",
    );
    write(&rep, "sos_strings/logs/var.log.messages.tailed", b"tail\n");
    std::fs::create_dir_all(rep.join("var/log")).expect("mkdir");
    symlink("sos_commands/date/date", rep.join("date")).expect("ln");
    symlink(
        "../../sos_strings/logs/var.log.messages.tailed",
        rep.join("var/log/messages"),
    )
    .expect("ln");
    symlink(&outside, rep.join("abs-out")).expect("ln");
    symlink("../secret.txt", rep.join("rel-out")).expect("ln");
    symlink("nowhere/at/all", rep.join("dangling")).expect("ln");
    symlink("loop-b", rep.join("loop-a")).expect("ln");
    symlink("loop-a", rep.join("loop-b")).expect("ln");
    symlink("..", rep.join("var/up")).expect("ln");
    symlink("var", rep.join("var-again")).expect("ln");
    let before = snapshot(tmp.path());

    let r = run(&[&s(&rep)]);
    let c = &r.collection;
    let d = |p: &str| s(&rep.join(p));
    let aliases = &c.roots[0].aliases;
    assert!(
        aliases.contains(&(d("date"), d("sos_commands/date/date"))),
        "{aliases:?}"
    );
    assert!(aliases.contains(&(
        d("var/log/messages"),
        d("sos_strings/logs/var.log.messages.tailed")
    )));
    assert!(aliases.contains(&(d("var/up"), s(&rep))), "{aliases:?}");
    assert!(aliases.contains(&(d("var-again"), d("var"))));
    // Targets are read under their own names, once.
    assert_eq!(
        r.seen
            .iter()
            .filter(|x| x.rel_path == "sos_commands/date/date")
            .count(),
        1
    );
    assert!(
        r.by_rel("sos_strings/logs/var.log.messages.tailed")
            .is_some()
    );
    assert!(r.by_rel("date").is_none());
    // Nothing outside was read.
    assert!(r.seen.iter().all(|x| x.content != b"not yours\n"));
    let why = |p: &str| {
        c.not_read
            .iter()
            .find(|n| n.path == d(p))
            .map(|n| n.reason.clone())
            .unwrap_or_default()
    };
    assert!(
        why("abs-out").starts_with("symlink points outside the report ("),
        "{}",
        why("abs-out")
    );
    assert_eq!(
        why("rel-out"),
        "symlink points outside the report (../secret.txt)"
    );
    assert_eq!(why("dangling"), "dangling symlink (nowhere/at/all)");
    assert!(
        why("loop-a").starts_with("symlink loop"),
        "{}",
        why("loop-a")
    );
    assert!(why("loop-b").starts_with("symlink loop"));
    assert_eq!(before, snapshot(tmp.path()));

    // A link named on the command line is followed.
    let link = tmp.path().join("report-link");
    symlink(&rep, &link).expect("ln");
    let r = run(&[&s(&link)]);
    assert_eq!(r.collection.roots[0].kind, RootKind::SosreportDir);
    assert_eq!(
        r.by_rel("sos_commands/date/date").expect("date").display,
        s(&link.join("sos_commands/date/date"))
    );
    let file_link = tmp.path().join("file-link");
    symlink(&outside, &file_link).expect("ln");
    let r = run(&[&s(&file_link)]);
    assert_eq!(r.seen.len(), 1);
    assert_eq!(r.seen[0].content, b"not yours\n");
}

#[test]
fn symlink_loop_on_the_command_line_is_reported() {
    let tmp = tempfile::tempdir().expect("tempdir");
    symlink("b", tmp.path().join("a")).expect("ln");
    symlink("a", tmp.path().join("b")).expect("ln");
    let r = run(&[&s(&tmp.path().join("a"))]);
    assert!(r.collection.roots.is_empty());
    assert_eq!(r.collection.not_read[0].reason, "symlink loop");
}

#[test]
fn symlink_stubs_are_treated_like_links() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let rep = tmp.path().join("sosreport-stub");
    write(
        &rep,
        "sos_commands/systemd/timedatectl",
        b"       Time zone: Asia/Seoul (KST, +0900)\n",
    );
    write(
        &rep,
        "sos_commands/date/date",
        b"Thu Feb 10 16:19:17 KST 2022\n",
    );
    write(&rep, "date", b"sos_commands/systemd/timedatectl");
    write(&rep, "uptime", b"sos_commands/host/uptime\n");
    write(&rep, "etc/localtime", b"../usr/share/zoneinfo/Asia/Seoul");
    write(&rep, "etc/os-release", b"../usr/lib/os-release");
    write(&rep, "etc/escape", b"../../../../etc/passwd");
    // Looks like a path but points nowhere and does not climb: a file.
    write(&rep, "etc/mode", b"rw/ro\n");

    let r = run(&[&s(&rep)]);
    let d = |p: &str| s(&rep.join(p));
    let c = &r.collection;
    assert!(
        c.roots[0]
            .aliases
            .contains(&(d("date"), d("sos_commands/systemd/timedatectl"))),
        "{:?}",
        c.roots[0].aliases
    );
    assert!(r.by_rel("date").is_none());
    let why = |p: &str| {
        r.not_read(&d(p))
            .map(|n| n.reason.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        why("etc/localtime"),
        "dangling symlink stub (../usr/share/zoneinfo/Asia/Seoul)"
    );
    assert_eq!(
        why("etc/os-release"),
        "dangling symlink stub (../usr/lib/os-release)"
    );
    assert_eq!(
        why("etc/escape"),
        "symlink stub points outside the report (../../../../etc/passwd)"
    );
    // `uptime` names a missing file and does not climb: read as content.
    assert_eq!(
        r.by_rel("uptime").expect("uptime").content,
        b"sos_commands/host/uptime\n"
    );
    assert_eq!(r.by_rel("etc/mode").expect("mode").content, b"rw/ro\n");
    // The stub's target still names the zone, which places `date`'s KST.
    let a = &c.roots[0].anchors;
    let zone = a.zone.as_ref().expect("zone");
    assert_eq!(zone.value.iana_name(), Some("Asia/Seoul"));
    assert!(zone.from.starts_with("etc/localtime"), "{}", zone.from);
    let at = a.collected_at.as_ref().expect("collected");
    assert_eq!(at.value.to_string(), "2022-02-10T07:19:17Z");
}

#[test]
fn bad_paths_are_listed_not_fatal() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let good = write(tmp.path(), "good.log", b"fine\n");
    let missing = tmp.path().join("no-such-file");
    let r = run(&[&s(&missing), &s(&good), ""]);
    assert_eq!(
        r.not_read(&s(&missing)).expect("missing").reason,
        "no such file or directory"
    );
    assert!(r.not_read("").is_some());
    assert_eq!(r.by_display(&s(&good)).expect("good").content, b"fine\n");
    assert_eq!(r.collection.roots.len(), 1);

    // Unreadable files and directories (meaningless when running as root).
    let locked = write(tmp.path(), "dir/locked.log", b"x\n");
    std::fs::set_permissions(&locked, std::os::unix::fs::PermissionsExt::from_mode(0o000))
        .expect("chmod");
    if std::fs::File::open(&locked).is_ok() {
        println!("running as root: permission checks skipped");
    } else {
        let r = run(&[&s(&tmp.path().join("dir"))]);
        assert_eq!(
            r.not_read(&s(&locked)).expect("locked").reason,
            "permission denied"
        );
    }
}

#[test]
fn special_files_and_binary_content() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("d");
    write(&dir, "ok.log", b"ok\n");
    write(&dir, "blob.bin", b"\x00\x01\x02binary\xff");
    write(
        &dir,
        "fake.tar.xz",
        b"\x00\x9a random garbage, not xz at all \x01\x02",
    );
    write(&dir, "fake.log.gz", b"\x13\x37 not gzip either");
    write(&dir, "zero.gz", b"");
    let fifo = dir.join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|st| st.success());
    let r = run(&[&s(&dir)]);
    let why = |p: &str| {
        r.not_read(&s(&dir.join(p)))
            .map(|n| n.reason.clone())
            .unwrap_or_default()
    };
    assert_eq!(why("blob.bin"), "binary content");
    assert_eq!(
        why("fake.tar.xz"),
        "not xz data, although the name ends in .tar.xz"
    );
    assert_eq!(
        why("fake.log.gz"),
        "not gzip data, although the name ends in .gz"
    );
    assert_eq!(why("zero.gz"), "empty file, although the name ends in .gz");
    if made {
        assert_eq!(why("pipe"), "not a regular file (fifo)");
    }
    assert!(r.by_rel("ok.log").is_some());
}

#[test]
fn depth_limit_is_listed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("r");
    write(&root, "a/b/c/d/e.log", b"deep\n");
    write(&root, "a/top.log", b"top\n");
    let paths = vec![s(&root)];
    let opts = rootline_evidence::Options { max_depth: 2 };
    let c = rootline_evidence::collect(&paths, &opts, &|_| rootline_evidence::Visited::Read);
    let n = c
        .not_read
        .iter()
        .find(|n| n.path == s(&root.join("a/b/c")))
        .expect("listed");
    assert_eq!(n.reason, "more than 2 directory levels deep (not walked)");
}

#[test]
fn ordering_is_deterministic() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("r");
    for i in 0..50 {
        write(&root, &format!("d{}/f{i}.bin", i % 7), b"\x00bin");
        symlink(format!("missing-{i}"), root.join(format!("link{i}"))).expect("ln");
    }
    let a = run(&[&s(&root)]).collection.not_read;
    let b = run(&[&s(&root)]).collection.not_read;
    assert_eq!(a, b);
    assert_eq!(a.len(), 100);
}
