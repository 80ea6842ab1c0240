//! Nothing in this crate may panic on input: arbitrary bytes, invalid
//! UTF-8, NULs, truncated and mutated real lines, very long lines.

use proptest::prelude::*;
use rootline_model::BlockKind;
use rootline_parse::{LogFormat, ParsedLine, continues, detect, parse_line};

const FORMATS: [LogFormat; 15] = [
    LogFormat::Syslog,
    LogFormat::Rfc3339Syslog,
    LogFormat::Dmesg,
    LogFormat::DmesgT,
    LogFormat::JournalMonotonic,
    LogFormat::JournalJson,
    LogFormat::JournalExport,
    LogFormat::Oslo,
    LogFormat::Klog,
    LogFormat::Logfmt,
    LogFormat::CriLog,
    LogFormat::Libvirtd,
    LogFormat::QemuLog,
    LogFormat::JsonLines,
    LogFormat::Plain,
];

const KINDS: [BlockKind; 4] = [
    BlockKind::KernelTrace,
    BlockKind::Oom,
    BlockKind::PythonTraceback,
    BlockKind::Backslash,
];

/// Real line shapes of every format; mutated and cut by the strategies so
/// that the parsers are exercised past their first byte.
const SEEDS: &[&str] = &[
    "Oct 13 19:51:02 s-dcn37-com604-krw1a multipathd[1491]: mpathb: remaining active paths: 0",
    "Feb  4 09:34:10 compute4 kernel: [    0.000000] Linux version 5.4.0-97-generic",
    "Oct 13 19:51:02.123456 host ident[pid]: msg",
    "<34>1 2025-10-13T19:51:02.003Z host app 1234 ID47 [a@1 b=\"\\]\"] msg",
    "<13>2025-10-13T19:51:02.123456+09:00 host ident[12]: msg",
    "2025-10-13T19:51:02+0900 host kernel: [12289.195649] x",
    "[12289.195649] INFO: task nova-compute:1069 blocked for more than 122 seconds.",
    "kern  :err   : [ 123.456] msg",
    "<6>[ 1.5] kernel: x",
    "[root@compute ~]# [12289.195649] INFO: task",
    "[Mon Oct 13 19:51:02 2025] msg",
    "[12289.195649] hostname kernel: msg",
    "{\"__REALTIME_TIMESTAMP\":\"1760385062123456\",\"_PID\":\"1\",\"MESSAGE\":[1,2,300,-1]}",
    "{\"@timestamp\":1e300,\"message\":\"m\",\"host\":{\"name\":\"n\"}}",
    "{\"time\":\"99999999999999999999999\",\"msg\":{\"a\":[1]}}",
    "MESSAGE=x",
    "2025-10-13 19:46:01.123 1234 ERROR nova.compute.manager [req-4f2f - - - - -] msg",
    "I1013 19:46:00.123456    1234 prober.go:107] \"Probe failed\"",
    "time=\"2025-10-13T19:56:01.123456789Z\" level=error msg=\"a \\\"b\\\" c\\",
    "2025-10-13T19:56:01.123456789Z stderr F message",
    "2025-10-13 10:46:01.123+0000: 1234: error : virNetSocketReadWire:1791 : End of file",
    "2025-10-13T10:46:01.123456Z qemu-kvm: -drive x: Permission denied",
    "-device '{\"driver\":\"x\"}' \\",
    "2022-02-10T00:00:01.174Z|00117|vlog|INFO|opened",
];

fn mutated_line() -> impl Strategy<Value = Vec<u8>> {
    (
        0..SEEDS.len(),
        any::<usize>(),
        proptest::collection::vec((any::<usize>(), any::<u8>()), 0..4),
        proptest::collection::vec(any::<u8>(), 0..64),
    )
        .prop_map(|(i, cut, edits, tail)| {
            let mut v = SEEDS[i].as_bytes().to_vec();
            v.truncate(cut % (v.len() + 1));
            for (pos, b) in edits {
                if !v.is_empty() {
                    let n = v.len();
                    v[pos % n] = b;
                }
            }
            v.extend(tail);
            v
        })
}

fn line() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        mutated_line(),
    ]
}

fn check_all(line: &[u8], record: &[u8]) -> Vec<ParsedLine> {
    FORMATS
        .iter()
        .map(|f| parse_line(*f, line, record))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parse_line_never_panics(l in line(), record in line()) {
        for p in check_all(&l, &record) {
            // Unrecognised lines keep their text.
            if p.stamp.is_none() && p.host.is_none() && p.ident.is_none() {
                prop_assert!(p.message.len() <= l.len() + record.len());
            }
        }
    }

    #[test]
    fn detect_never_panics(lines in proptest::collection::vec(line(), 0..40), name in ".{0,40}") {
        let sample = lines.join(&b'\n');
        let d = detect(&sample, &name);
        prop_assert!((0.0..=1.0).contains(&d.confidence));
    }

    #[test]
    fn continues_never_panics(a in line(), b in line()) {
        for f in FORMATS {
            let first = parse_line(f, &a, &[]);
            let next = parse_line(f, &b, &[]);
            for k in KINDS {
                let _ = continues(k, &first, &next);
            }
        }
    }
}

#[test]
fn very_long_lines() {
    let mut long = b"Oct 13 19:51:02 host kernel: [1.0] ".to_vec();
    long.extend(std::iter::repeat_n(b'x', 1 << 20));
    let ps = check_all(&long, &long);
    assert!(ps.iter().all(|p| p.message.len() <= long.len()));
    let mut json = b"{\"MESSAGE\":\"".to_vec();
    json.extend(std::iter::repeat_n(b'a', 1 << 20));
    check_all(&json, &[]);
    let brackets = vec![b'['; 1 << 20];
    check_all(&brackets, &[]);
    let spaces = [b"[".as_slice(), &vec![b' '; 1 << 20]].concat();
    check_all(&spaces, &[]);
    let quotes = [b"time=\"".as_slice(), &vec![b'\\'; 1 << 20]].concat();
    check_all(&quotes, &[]);
    for s in [&long, &json, &brackets, &spaces, &quotes] {
        let d = detect(s, "x");
        assert!((0.0..=1.0).contains(&d.confidence));
    }
}

#[test]
fn nul_and_invalid_utf8() {
    let lines: [&[u8]; 5] = [
        b"\0\0\0",
        b"Oct 13 19:51:02 h\xff\xfe k[1]: \xc3\x28",
        b"[\xff] x",
        b"{\"MESSAGE\":\"\xff\"}",
        b"2025-10-13 19:46:01.123 1234 ERROR \xff\xfe msg",
    ];
    for l in lines {
        let ps = check_all(l, l);
        for (a, b) in ps.iter().zip(ps.iter().skip(1)) {
            for k in KINDS {
                let _ = continues(k, a, b);
            }
        }
        let _ = detect(l, "\u{0}");
    }
    // Identifiers with invalid UTF-8 are kept lossily, not dropped.
    let p = parse_line(LogFormat::Syslog, lines[1], &[]);
    assert_eq!(p.ident.as_deref(), Some("k"));
    assert_eq!(p.host.as_deref(), Some("h\u{fffd}\u{fffd}"));
}
