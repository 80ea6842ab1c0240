//! Per-format header parsing on real lines (sosreport corpus, seeds, public
//! issue reports) and the shapes each format's writers produce.

// Helpers outside #[test] fns unwrap too: a failed setup step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use jiff::civil::{date, time};
use rootline_model::RawStamp;
use rootline_parse::{LogFormat, ParsedLine, parse_line};

fn parse(f: LogFormat, line: &str) -> ParsedLine {
    parse_line(f, line.as_bytes(), &[])
}

fn msg(p: &ParsedLine) -> &str {
    std::str::from_utf8(&p.message).expect("test messages are UTF-8")
}

fn instant(s: &str) -> Option<RawStamp> {
    Some(RawStamp::Instant(s.parse().expect("valid test instant")))
}

fn no_year(month: i8, day: i8, h: i8, m: i8, s: i8, ns: i32) -> Option<RawStamp> {
    Some(RawStamp::NoYear {
        month,
        day,
        time: time(h, m, s, ns),
    })
}

fn civil(y: i16, mo: i8, d: i8, h: i8, mi: i8, s: i8, ns: i32) -> Option<RawStamp> {
    Some(RawStamp::Civil(date(y, mo, d).at(h, mi, s, ns)))
}

fn some(s: &str) -> Option<String> {
    Some(s.to_string())
}

// ---- RFC 3164 syslog / kern.log / journalctl short ----

#[test]
fn syslog_multipathd_with_pid() {
    let p = parse(
        LogFormat::Syslog,
        "Oct 13 19:51:02 s-dcn37-com604-krw1a multipathd[1491]: mpathb: remaining active paths: 0",
    );
    assert_eq!(p.stamp, no_year(10, 13, 19, 51, 2, 0));
    assert_eq!(p.stamp_text, "Oct 13 19:51:02");
    assert_eq!(p.host, some("s-dcn37-com604-krw1a"));
    assert_eq!(p.ident, some("multipathd"));
    assert_eq!(p.pid, Some(1491));
    assert_eq!(p.level, None);
    assert_eq!(p.since_boot_micros, None);
    assert_eq!(msg(&p), "mpathb: remaining active paths: 0");
}

/// multipath(8)'s own stderr stamp: `Aug 30 05:09:18 | msg`, no host
/// (quoted in multipath-tools issue #12 and many forum posts).
#[test]
fn multipath_stderr_stamp_has_no_host() {
    let p = parse(
        LogFormat::Syslog,
        "Aug 30 05:09:18 | 65:16: cannot find block device",
    );
    assert_eq!(p.stamp, no_year(8, 30, 5, 9, 18, 0));
    assert_eq!(p.host, None);
    assert_eq!(p.ident, some("multipath"));
    assert_eq!(msg(&p), "65:16: cannot find block device");
}

#[test]
fn kern_log_space_padded_day_and_uptime() {
    let p = parse(
        LogFormat::Syslog,
        "Feb  4 09:34:10 compute4 kernel: [    0.000000] Linux version 5.4.0-97-generic (buildd@lcy02-amd64-032)",
    );
    assert_eq!(p.stamp, no_year(2, 4, 9, 34, 10, 0));
    assert_eq!(p.stamp_text, "Feb  4 09:34:10");
    assert_eq!(p.host, some("compute4"));
    assert_eq!(p.ident, some("kernel"));
    assert_eq!(p.pid, None);
    assert_eq!(p.since_boot_micros, Some(0));
    assert_eq!(
        msg(&p),
        "Linux version 5.4.0-97-generic (buildd@lcy02-amd64-032)"
    );

    let p = parse(
        LogFormat::Syslog,
        "Feb 10 00:00:19 compute4 kernel: [ 4931.803472] audit: type=1400 audit(1644451219.767:432): apparmor=\"DENIED\"",
    );
    assert_eq!(p.since_boot_micros, Some(4_931_803_472));
    assert_eq!(
        msg(&p),
        "audit: type=1400 audit(1644451219.767:432): apparmor=\"DENIED\""
    );
}

#[test]
fn kern_log_keeps_indentation_of_the_message() {
    let p = parse(
        LogFormat::Syslog,
        "Feb  4 09:34:10 compute4 kernel: [    0.000000]   Intel GenuineIntel",
    );
    assert_eq!(msg(&p), "  Intel GenuineIntel");
}

#[test]
fn journalctl_short_zero_padded_day() {
    let p = parse(
        LogFormat::Syslog,
        "Feb 04 09:34:04 ubuntu kernel: Linux version 5.4.0-97-generic",
    );
    assert_eq!(p.stamp, no_year(2, 4, 9, 34, 4, 0));
    assert_eq!(p.host, some("ubuntu"));
    assert_eq!(p.ident, some("kernel"));
    assert_eq!(p.since_boot_micros, None);
    assert_eq!(msg(&p), "Linux version 5.4.0-97-generic");
}

#[test]
fn journalctl_short_precise() {
    let p = parse(
        LogFormat::Syslog,
        "Oct 13 19:51:02.123456 node37 multipathd[1491]: sdv: mark as failed",
    );
    assert_eq!(p.stamp, no_year(10, 13, 19, 51, 2, 123_456_000));
    assert_eq!(p.stamp_text, "Oct 13 19:51:02.123456");
    assert_eq!(p.ident, some("multipathd"));
    assert_eq!(msg(&p), "sdv: mark as failed");
}

#[test]
fn syslog_identifiers_with_punctuation() {
    let p = parse(
        LogFormat::Syslog,
        "Feb 10 16:09:23 compute4 haproxy-metadata-proxy-984c22fd-64b3-4fa1-8ddd-87090f401ce5[1773296]: Proxy listener started.",
    );
    assert_eq!(
        p.ident,
        some("haproxy-metadata-proxy-984c22fd-64b3-4fa1-8ddd-87090f401ce5")
    );
    assert_eq!(p.pid, Some(1_773_296));
    assert_eq!(msg(&p), "Proxy listener started.");

    let p = parse(
        LogFormat::Syslog,
        "Feb 10 16:09:23 compute4 systemd/user@1000.service[33]: x",
    );
    assert_eq!(p.ident, some("systemd/user@1000.service"));
    assert_eq!(p.pid, Some(33));

    let p = parse(
        LogFormat::Syslog,
        "Feb 10 16:09:23 compute4 ovs-vsctl: ovs|00001|vsctl|INFO|Called as ovs-vsctl",
    );
    assert_eq!(p.ident, some("ovs-vsctl"));
    assert_eq!(p.pid, None);
    assert_eq!(msg(&p), "ovs|00001|vsctl|INFO|Called as ovs-vsctl");
}

#[test]
fn syslog_without_tag_or_host() {
    let p = parse(
        LogFormat::Syslog,
        "Oct 13 19:51:02 node37 message repeated 3 times",
    );
    assert_eq!(p.host, some("node37"));
    assert_eq!(p.ident, None);
    assert_eq!(msg(&p), "message repeated 3 times");

    let p = parse(LogFormat::Syslog, "Oct 13 19:51:02 multipathd[1491]: x");
    assert_eq!(p.host, None);
    assert_eq!(p.ident, some("multipathd"));
    assert_eq!(msg(&p), "x");
}

#[test]
fn syslog_with_priority() {
    let p = parse(LogFormat::Syslog, "<27>Oct 13 19:51:02 node37 app[1]: boom");
    assert_eq!(p.level, some("err"));
    assert_eq!(p.ident, some("app"));
}

#[test]
fn klog_inside_a_journal_line() {
    let p = parse(
        LogFormat::Syslog,
        "Oct 13 19:56:01 node37 kubelet[2345]: E1013 19:56:01.123456    2345 remote_runtime.go:394] \"ExecSync cmd from runtime service failed\" err=\"rpc error: code = DeadlineExceeded desc = context deadline exceeded\"",
    );
    assert_eq!(p.stamp, no_year(10, 13, 19, 56, 1, 0));
    assert_eq!(p.host, some("node37"));
    assert_eq!(p.ident, some("kubelet"));
    assert_eq!(p.pid, Some(2345));
    assert_eq!(p.level, some("E"));
    assert_eq!(
        msg(&p),
        "\"ExecSync cmd from runtime service failed\" err=\"rpc error: code = DeadlineExceeded desc = context deadline exceeded\""
    );
}

#[test]
fn logfmt_inside_a_journal_line() {
    let p = parse(
        LogFormat::Syslog,
        "Oct 13 19:56:01 node37 containerd[812]: time=\"2025-10-13T19:56:01.123456789Z\" level=error msg=\"ExecSync for \\\"753ac7cfab3c\\\" failed\" error=\"rpc error: code = DeadlineExceeded\"",
    );
    assert_eq!(p.stamp, no_year(10, 13, 19, 56, 1, 0));
    assert_eq!(p.ident, some("containerd"));
    assert_eq!(p.pid, Some(812));
    assert_eq!(p.level, some("error"));
    assert_eq!(
        msg(&p),
        "ExecSync for \"753ac7cfab3c\" failed error=\"rpc error: code = DeadlineExceeded\""
    );
}

#[test]
fn libvirtd_inside_a_journal_line() {
    let p = parse(
        LogFormat::Syslog,
        "Nov 24 17:54:42 matrix_03 libvirtd: 2018-11-24 09:54:42.785+0000: 1809955: error : virNetSocketReadWire:1808 : End of file while reading data: Input/output error",
    );
    assert_eq!(p.ident, some("libvirtd"));
    assert_eq!(p.pid, Some(1_809_955));
    assert_eq!(p.level, some("error"));
    assert_eq!(
        msg(&p),
        "End of file while reading data: Input/output error"
    );
}

// ---- RFC 3339 / RFC 5424 ----

#[test]
fn rfc3339_syslog() {
    let p = parse(
        LogFormat::Rfc3339Syslog,
        "2025-10-13T19:51:02.123456+09:00 node37 multipathd[1491]: mpathb: remaining active paths: 0",
    );
    assert_eq!(p.stamp, instant("2025-10-13T10:51:02.123456Z"));
    assert_eq!(p.stamp_text, "2025-10-13T19:51:02.123456+09:00");
    assert_eq!(p.host, some("node37"));
    assert_eq!(p.ident, some("multipathd"));
    assert_eq!(p.pid, Some(1491));
    assert_eq!(msg(&p), "mpathb: remaining active paths: 0");
}

#[test]
fn rfc3339_with_priority_no_version() {
    let p = parse(
        LogFormat::Rfc3339Syslog,
        "<13>2025-10-13T19:51:02+09:00 node37 kernel: [12289.195649] INFO: task nova-compute:1069 blocked for more than 122 seconds.",
    );
    assert_eq!(p.stamp, instant("2025-10-13T10:51:02Z"));
    assert_eq!(p.level, some("notice"));
    assert_eq!(p.ident, some("kernel"));
    assert_eq!(p.since_boot_micros, Some(12_289_195_649));
    assert_eq!(
        msg(&p),
        "INFO: task nova-compute:1069 blocked for more than 122 seconds."
    );
}

#[test]
fn rfc5424() {
    let p = parse(
        LogFormat::Rfc3339Syslog,
        "<34>1 2025-10-13T19:51:02.003Z host app 1234 ID47 - msg text",
    );
    assert_eq!(p.stamp, instant("2025-10-13T19:51:02.003Z"));
    assert_eq!(p.level, some("crit"));
    assert_eq!(p.host, some("host"));
    assert_eq!(p.ident, some("app"));
    assert_eq!(p.pid, Some(1234));
    assert_eq!(msg(&p), "msg text");

    let p = parse(
        LogFormat::Rfc3339Syslog,
        "<165>1 2025-10-13T19:51:02.003+02:00 mymachine evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"App]lication\"][x@1 a=\"\\]\"] An application event",
    );
    assert_eq!(p.stamp, instant("2025-10-13T17:51:02.003Z"));
    assert_eq!(p.pid, None);
    assert_eq!(p.ident, some("evntslog"));
    assert_eq!(msg(&p), "An application event");
}

#[test]
fn journalctl_short_iso_offset_without_colon() {
    let p = parse(
        LogFormat::Rfc3339Syslog,
        "2025-10-13T19:51:02+0900 node37 kernel: sd 2:0:0:0: [sdv] tag#0 FAILED Result",
    );
    assert_eq!(p.stamp, instant("2025-10-13T10:51:02Z"));
    assert_eq!(p.stamp_text, "2025-10-13T19:51:02+0900");
    assert_eq!(p.ident, some("kernel"));
    assert_eq!(msg(&p), "sd 2:0:0:0: [sdv] tag#0 FAILED Result");
}

#[test]
fn rfc3339_libvirtd_payload() {
    let p = parse(
        LogFormat::Rfc3339Syslog,
        "<30>2020-06-11T08:42:47.577912+08:00 cmp001 libvirtd[18541]: 2020-06-11 00:42:47.489+0000: 18541: error : virNetSocketReadWire:1811 : End of file while reading data: Input/output error",
    );
    assert_eq!(p.stamp, instant("2020-06-11T00:42:47.577912Z"));
    assert_eq!(p.ident, some("libvirtd"));
    assert_eq!(p.level, some("error"));
    assert_eq!(
        msg(&p),
        "End of file while reading data: Input/output error"
    );
}

// ---- dmesg family ----

#[test]
fn dmesg_raw() {
    let p = parse(
        LogFormat::Dmesg,
        "[12289.195649] INFO: task nova-compute:1069 blocked for more than 122 seconds.",
    );
    assert_eq!(
        p.stamp,
        Some(RawStamp::Monotonic {
            micros: 12_289_195_649
        })
    );
    assert_eq!(p.stamp_text, "12289.195649");
    assert_eq!(p.since_boot_micros, Some(12_289_195_649));
    assert_eq!(p.host, None);
    assert_eq!(p.ident, None);
    assert_eq!(
        msg(&p),
        "INFO: task nova-compute:1069 blocked for more than 122 seconds."
    );

    let p = parse(
        LogFormat::Dmesg,
        "[    1.233824] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)",
    );
    assert_eq!(p.stamp, Some(RawStamp::Monotonic { micros: 1_233_824 }));
    assert_eq!(p.stamp_text, "1.233824");
    assert_eq!(
        msg(&p),
        "Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)"
    );
}

#[test]
fn dmesg_empty_message_and_collapsed_padding() {
    let p = parse(LogFormat::Dmesg, "[ 1.233823]");
    assert_eq!(p.stamp, Some(RawStamp::Monotonic { micros: 1_233_823 }));
    assert_eq!(msg(&p), "");
}

#[test]
fn dmesg_sosreport_kernel_prefix() {
    let p = parse(
        LogFormat::Dmesg,
        "[    0.000000] kernel: Linux version 5.4.0-97-generic (buildd@lcy02-amd64-032)",
    );
    assert_eq!(p.ident, some("kernel"));
    assert_eq!(
        msg(&p),
        "Linux version 5.4.0-97-generic (buildd@lcy02-amd64-032)"
    );
    let p = parse(
        LogFormat::Dmesg,
        "[    0.000000] kernel:   Intel GenuineIntel",
    );
    assert_eq!(msg(&p), "  Intel GenuineIntel");
}

#[test]
fn dmesg_x_prefix() {
    let p = parse(
        LogFormat::Dmesg,
        "kern  :err   : [ 123.456] blk_update_request: I/O error, dev sdv, sector 2410496 op 0x1:(WRITE)",
    );
    assert_eq!(
        p.stamp,
        Some(RawStamp::Monotonic {
            micros: 123_456_000
        })
    );
    assert_eq!(p.level, some("err"));
    assert_eq!(
        msg(&p),
        "blk_update_request: I/O error, dev sdv, sector 2410496 op 0x1:(WRITE)"
    );
}

#[test]
fn dmesg_after_a_shell_prompt() {
    let line = "[root@compute ~]# [12289.195649] INFO: task nova-compute:1069 blocked for more than 122 seconds.";
    for f in [LogFormat::Dmesg, LogFormat::Plain, LogFormat::Syslog] {
        let p = parse(f, line);
        assert_eq!(
            p.stamp,
            Some(RawStamp::Monotonic {
                micros: 12_289_195_649
            }),
            "{f:?}"
        );
        assert_eq!(
            msg(&p),
            "INFO: task nova-compute:1069 blocked for more than 122 seconds."
        );
    }
}

#[test]
fn dmesg_t() {
    let p = parse(
        LogFormat::DmesgT,
        "[Mon Oct 13 19:51:02 2025] sd 2:0:0:0: [sdv] tag#0 FAILED",
    );
    assert_eq!(p.stamp, civil(2025, 10, 13, 19, 51, 2, 0));
    assert_eq!(p.stamp_text, "Mon Oct 13 19:51:02 2025");
    assert_eq!(msg(&p), "sd 2:0:0:0: [sdv] tag#0 FAILED");

    let p = parse(LogFormat::DmesgT, "[Fri Oct  3 01:02:03 2025] x");
    assert_eq!(p.stamp, civil(2025, 10, 3, 1, 2, 3, 0));
}

#[test]
fn journal_short_monotonic() {
    let p = parse(
        LogFormat::JournalMonotonic,
        "[12289.195649] node37 kernel: INFO: task nova-compute:1069 blocked for more than 122 seconds.",
    );
    assert_eq!(
        p.stamp,
        Some(RawStamp::Monotonic {
            micros: 12_289_195_649
        })
    );
    assert_eq!(p.since_boot_micros, Some(12_289_195_649));
    assert_eq!(p.host, some("node37"));
    assert_eq!(p.ident, some("kernel"));
    assert_eq!(
        msg(&p),
        "INFO: task nova-compute:1069 blocked for more than 122 seconds."
    );
    let p = parse(
        LogFormat::JournalMonotonic,
        "[    5.123456] node37 systemd[1]: Started Journal Service.",
    );
    assert_eq!(p.ident, some("systemd"));
    assert_eq!(p.pid, Some(1));
    // In plain text, a raw dmesg line is not mistaken for short-monotonic.
    let p = parse(
        LogFormat::Plain,
        "[    1.500000] usb 1-1: new high-speed USB device",
    );
    assert_eq!(p.host, None);
    assert_eq!(msg(&p), "usb 1-1: new high-speed USB device");
}

// ---- journald machine formats ----

#[test]
fn journal_json() {
    let line = r#"{"__REALTIME_TIMESTAMP":"1760385062123456","__MONOTONIC_TIMESTAMP":"12289195649","_BOOT_ID":"6f1c","_HOSTNAME":"node37","SYSLOG_IDENTIFIER":"multipathd","_PID":"1491","PRIORITY":"3","MESSAGE":"mpathb: remaining active paths: 0"}"#;
    let p = parse(LogFormat::JournalJson, line);
    assert_eq!(p.stamp, instant("2025-10-13T19:51:02.123456Z"));
    assert_eq!(p.stamp_text, "2025-10-13T19:51:02.123456Z");
    assert_eq!(p.since_boot_micros, Some(12_289_195_649));
    assert_eq!(p.host, some("node37"));
    assert_eq!(p.ident, some("multipathd"));
    assert_eq!(p.pid, Some(1491));
    assert_eq!(p.level, some("err"));
    assert_eq!(msg(&p), "mpathb: remaining active paths: 0");
}

#[test]
fn journal_json_binary_message_and_comm() {
    // "I/O \xff" as the byte-array form journalctl uses for non-UTF-8.
    let line = r#"{"__REALTIME_TIMESTAMP":"1760385062000000","_COMM":"qemu-kvm","MESSAGE":[73,47,79,32,255]}"#;
    let p = parse(LogFormat::JournalJson, line);
    assert_eq!(p.ident, some("qemu-kvm"));
    assert_eq!(p.message, b"I/O \xff");
    let line = r#"{"__REALTIME_TIMESTAMP":"1760385062000000","MESSAGE":null}"#;
    assert_eq!(parse(LogFormat::JournalJson, line).message, b"");
}

#[test]
fn journal_json_klog_payload() {
    let line = r#"{"__REALTIME_TIMESTAMP":"1760385361123456","_HOSTNAME":"node37","SYSLOG_IDENTIFIER":"kubelet","_PID":"2345","PRIORITY":"6","MESSAGE":"I1013 19:56:01.123456    2345 prober.go:107] \"Probe failed\" probeType=\"Liveness\""}"#;
    let p = parse(LogFormat::JournalJson, line);
    assert_eq!(p.level, some("I"));
    assert_eq!(msg(&p), "\"Probe failed\" probeType=\"Liveness\"");
}

#[test]
fn journal_export() {
    let record = b"__CURSOR=s=abc;i=1\n__REALTIME_TIMESTAMP=1760385062123456\n__MONOTONIC_TIMESTAMP=12289195649\n_BOOT_ID=6f1c\n_HOSTNAME=node37\n_COMM=multipathd\n_PID=1491\nPRIORITY=3\nMESSAGE=mpathb: remaining active paths: 0";
    let p = parse_line(
        LogFormat::JournalExport,
        b"MESSAGE=mpathb: remaining active paths: 0",
        record,
    );
    assert_eq!(p.stamp, instant("2025-10-13T19:51:02.123456Z"));
    assert_eq!(p.since_boot_micros, Some(12_289_195_649));
    assert_eq!(p.host, some("node37"));
    assert_eq!(p.ident, some("multipathd"));
    assert_eq!(p.pid, Some(1491));
    assert_eq!(p.level, some("err"));
    assert_eq!(msg(&p), "mpathb: remaining active paths: 0");
}

#[test]
fn journal_export_binary_field() {
    let mut record =
        b"__REALTIME_TIMESTAMP=1760385062123456\nSYSLOG_IDENTIFIER=kernel\nMESSAGE\n".to_vec();
    let data = b"line one\nline two";
    record.extend_from_slice(&(data.len() as u64).to_le_bytes());
    record.extend_from_slice(data);
    record.extend_from_slice(b"\n_PID=7");
    let p = parse_line(LogFormat::JournalExport, b"MESSAGE", &record);
    assert_eq!(p.message, data);
    assert_eq!(p.pid, Some(7));
    assert_eq!(p.ident, some("kernel"));
    // A length that runs past the record is cut at its end, not trusted.
    let bad = b"MESSAGE\n\xff\xff\xff\xff\xff\xff\xff\x7fabc";
    let p = parse_line(LogFormat::JournalExport, b"MESSAGE", bad);
    assert_eq!(p.message, b"abc");
}

// ---- OpenStack ----

#[test]
fn oslo_nova_with_instance() {
    let p = parse(
        LogFormat::Oslo,
        "2025-10-13 19:46:01.123 1234 ERROR nova.compute.manager [req-4f2f1c2e-0000-4000-8000-000000000000 - - - - -] [instance: 6c59b812-2d8d-4da5-92d6-6bbe527926d6] Instance failed to spawn",
    );
    assert_eq!(p.stamp, civil(2025, 10, 13, 19, 46, 1, 123_000_000));
    assert_eq!(p.stamp_text, "2025-10-13 19:46:01.123");
    assert_eq!(p.ident, some("nova.compute.manager"));
    assert_eq!(p.pid, Some(1234));
    assert_eq!(p.level, some("ERROR"));
    assert_eq!(
        msg(&p),
        "[req-4f2f1c2e-0000-4000-8000-000000000000 - - - - -] [instance: 6c59b812-2d8d-4da5-92d6-6bbe527926d6] Instance failed to spawn"
    );
}

#[test]
fn oslo_real_cinder_and_nova_lines() {
    let p = parse(
        LogFormat::Oslo,
        "2019-10-07 16:02:32.375 12254 DEBUG oslo_concurrency.processutils [req-55a29436-8cbe-4643-8d5c-0cbea8721f53 - - - - -] Running cmd (subprocess): chmod 660 /var/lib/cinder/mnt/63bf80ae8c90ff6c5fcee0d7b3c5711e/volume-9d9074a3-2f80-4db2-be3a-3f8a65c426c3 execute /usr/lib/python2.7/site-packages/oslo_concurrency/processutils.py:199",
    );
    assert_eq!(p.stamp, civil(2019, 10, 7, 16, 2, 32, 375_000_000));
    assert_eq!(p.ident, some("oslo_concurrency.processutils"));
    assert_eq!(p.pid, Some(12254));
    assert_eq!(p.level, some("DEBUG"));
    assert!(msg(&p).starts_with(
        "[req-55a29436-8cbe-4643-8d5c-0cbea8721f53 - - - - -] Running cmd (subprocess): chmod 660 "
    ));
    assert!(msg(&p).ends_with("processutils.py:199"));

    let p = parse(
        LogFormat::Oslo,
        "2022-02-04 09:37:50.159 21562 ERROR oslo.messaging._drivers.impl_rabbit [req-30b3bc7c-90c2-4c1c-8d0c-62455d58bfca - - - - -] Connection failed: [Errno 111] ECONNREFUSED (retrying in 2.0 seconds): ConnectionRefusedError: [Errno 111] ECONNREFUSED",
    );
    assert_eq!(p.ident, some("oslo.messaging._drivers.impl_rabbit"));
    assert_eq!(p.pid, Some(21562));
    assert_eq!(p.level, some("ERROR"));
    assert_eq!(
        msg(&p),
        "[req-30b3bc7c-90c2-4c1c-8d0c-62455d58bfca - - - - -] Connection failed: [Errno 111] ECONNREFUSED (retrying in 2.0 seconds): ConnectionRefusedError: [Errno 111] ECONNREFUSED"
    );
}

#[test]
fn oslo_traceback_line_keeps_indentation() {
    let p = parse(
        LogFormat::Oslo,
        "2022-02-04 10:21:58.881 284971 ERROR nova.compute.manager   File \"/usr/lib/python3/dist-packages/nova/compute/manager.py\", line 9807",
    );
    assert_eq!(
        msg(&p),
        "  File \"/usr/lib/python3/dist-packages/nova/compute/manager.py\", line 9807"
    );
    // A continuation of a multi-line message has no header.
    let p = parse(LogFormat::Oslo, "Command: ceph df --format=json");
    assert_eq!(p.stamp, None);
    assert_eq!(msg(&p), "Command: ceph df --format=json");
}

// ---- Kubernetes ----

#[test]
fn klog() {
    let p = parse(
        LogFormat::Klog,
        "I1013 19:46:00.123456    1234 prober.go:107] \"Probe failed\" probeType=\"Liveness\" pod=\"openstack/libvirt-libvirt-default-abcde\"",
    );
    assert_eq!(p.stamp, no_year(10, 13, 19, 46, 0, 123_456_000));
    assert_eq!(p.stamp_text, "I1013 19:46:00.123456");
    assert_eq!(p.pid, Some(1234));
    assert_eq!(p.level, some("I"));
    assert_eq!(
        msg(&p),
        "\"Probe failed\" probeType=\"Liveness\" pod=\"openstack/libvirt-libvirt-default-abcde\""
    );
    let p = parse(
        LogFormat::Klog,
        "E0405 09:44:33.761988 3280794 remote_runtime.go:394] \"ExecSync cmd from runtime service failed\"",
    );
    assert_eq!(p.pid, Some(3_280_794));
    assert_eq!(p.level, some("E"));
}

#[test]
fn logfmt_containerd() {
    let p = parse(
        LogFormat::Logfmt,
        "time=\"2025-10-13T19:56:01.123456789Z\" level=error msg=\"ExecSync for \\\"753ac7cfab3c\\\" failed\" error=\"rpc error: code = DeadlineExceeded desc = failed to exec in container: timeout 5s exceeded: context deadline exceeded\"",
    );
    assert_eq!(p.stamp, instant("2025-10-13T19:56:01.123456789Z"));
    assert_eq!(p.stamp_text, "2025-10-13T19:56:01.123456789Z");
    assert_eq!(p.level, some("error"));
    assert_eq!(
        msg(&p),
        "ExecSync for \"753ac7cfab3c\" failed error=\"rpc error: code = DeadlineExceeded desc = failed to exec in container: timeout 5s exceeded: context deadline exceeded\""
    );
}

#[test]
fn logfmt_offset_and_bare_values() {
    let p = parse(
        LogFormat::Logfmt,
        "time=\"2025-10-13T19:56:01.1+09:00\" level=info msg=\"starting containerd\" revision=abc version=1.7.2",
    );
    assert_eq!(p.stamp, instant("2025-10-13T10:56:01.1Z"));
    assert_eq!(msg(&p), "starting containerd revision=abc version=1.7.2");
}

#[test]
fn cri_log() {
    let p = parse(
        LogFormat::CriLog,
        "2025-10-13T19:56:01.123456789Z stderr F error: failed to connect to libvirt",
    );
    assert_eq!(p.stamp, instant("2025-10-13T19:56:01.123456789Z"));
    assert_eq!(msg(&p), "error: failed to connect to libvirt");
    let p = parse(
        LogFormat::CriLog,
        "2025-10-13T19:56:01.123456789+09:00 stdout P ",
    );
    assert_eq!(p.stamp, instant("2025-10-13T10:56:01.123456789Z"));
    assert_eq!(msg(&p), "");
    // openstack-helm pods write oslo lines to stdout.
    let p = parse(
        LogFormat::CriLog,
        "2025-10-13T19:46:01.123456789Z stdout F 2025-10-13 19:46:01.123 1234 ERROR nova.compute.manager [req-x - - - - -] boom",
    );
    assert_eq!(p.stamp, instant("2025-10-13T19:46:01.123456789Z"));
    assert_eq!(p.ident, some("nova.compute.manager"));
    assert_eq!(p.pid, Some(1234));
    assert_eq!(p.level, some("ERROR"));
    assert_eq!(msg(&p), "[req-x - - - - -] boom");
}

// ---- libvirt ----

#[test]
fn libvirtd() {
    let p = parse(
        LogFormat::Libvirtd,
        "2025-10-13 10:46:01.123+0000: 1234: error : virNetSocketReadWire:1791 : End of file while reading data: Input/output error",
    );
    assert_eq!(p.stamp, instant("2025-10-13T10:46:01.123Z"));
    assert_eq!(p.stamp_text, "2025-10-13 10:46:01.123+0000");
    assert_eq!(p.pid, Some(1234));
    assert_eq!(p.level, some("error"));
    assert_eq!(p.ident, some("virNetSocketReadWire"));
    assert_eq!(
        msg(&p),
        "End of file while reading data: Input/output error"
    );

    let p = parse(
        LogFormat::Libvirtd,
        "2015-06-01 10:39:11.946+0000: 30612: info : libvirt version: 1.2.2",
    );
    assert_eq!(p.ident, None);
    assert_eq!(p.level, some("info"));
    assert_eq!(msg(&p), "libvirt version: 1.2.2");
}

#[test]
fn qemu_log_lines() {
    let f = LogFormat::QemuLog;
    let p = parse(
        f,
        "2022-02-10 16:18:04.843+0000: starting up libvirt version: 6.0.0, package: 0ubuntu8.15",
    );
    assert_eq!(p.stamp, instant("2022-02-10T16:18:04.843Z"));
    assert_eq!(p.stamp_text, "2022-02-10 16:18:04.843+0000");
    assert_eq!(
        msg(&p),
        "starting up libvirt version: 6.0.0, package: 0ubuntu8.15"
    );

    let p = parse(
        f,
        "2025-10-13T10:46:01.123456Z qemu-kvm: -drive file=/var/lib/nova/instances/x/disk: Could not open '/var/lib/nova/instances/x/disk': Permission denied",
    );
    assert_eq!(p.stamp, instant("2025-10-13T10:46:01.123456Z"));
    assert_eq!(p.ident, some("qemu-kvm"));
    assert_eq!(
        msg(&p),
        "-drive file=/var/lib/nova/instances/x/disk: Could not open '/var/lib/nova/instances/x/disk': Permission denied"
    );

    let p = parse(
        f,
        "2025-10-13 10:50:12.345+0000: shutting down, reason=crashed",
    );
    assert_eq!(p.stamp, instant("2025-10-13T10:50:12.345Z"));
    assert_eq!(msg(&p), "shutting down, reason=crashed");

    let p = parse(
        f,
        "qemu-system-x86_64: terminating on signal 15 from pid 1074",
    );
    assert_eq!(p.stamp, None);
    assert_eq!(p.ident, some("qemu-system-x86_64"));
    assert_eq!(msg(&p), "terminating on signal 15 from pid 1074");

    for line in [
        "ERROR cluster 261192 refcount=0 reference=1",
        "block I/O error in device 'drive-virtio-disk0': Permission denied (13)",
        "char device redirected to /dev/pts/0 (label charserial0)",
        "-device '{\"driver\":\"virtio-balloon-pci\",\"id\":\"balloon0\",\"bus\":\"pci.5\",\"addr\":\"0x0\"}' \\",
        "LC_ALL=C \\",
    ] {
        let p = parse(f, line);
        assert_eq!(p.stamp, None, "{line}");
        assert_eq!(p.ident, None, "{line}");
        assert_eq!(msg(&p), line);
    }
}

// ---- JSON lines ----

#[test]
fn json_lines_opensearch() {
    let p = parse(
        LogFormat::JsonLines,
        r#"{"@timestamp":"2025-10-13T10:57:02.123Z","message":"Connection to libvirt lost: 1","host":{"name":"node37"},"log":{"level":"error"}}"#,
    );
    assert_eq!(p.stamp, instant("2025-10-13T10:57:02.123Z"));
    assert_eq!(p.stamp_text, "2025-10-13T10:57:02.123Z");
    assert_eq!(p.host, some("node37"));
    assert_eq!(p.level, some("error"));
    assert_eq!(msg(&p), "Connection to libvirt lost: 1");
}

#[test]
fn json_lines_loki_and_epochs() {
    let p = parse(
        LogFormat::JsonLines,
        r#"{"timestamp":"1760353022123456789","log":"E1013 10:57:02.123456    2345 kubelet.go:1] boom\n","kubernetes":{"host":"node37","container_name":"kubelet"}}"#,
    );
    assert_eq!(p.stamp, instant("2025-10-13T10:57:02.123456789Z"));
    assert_eq!(p.host, some("node37"));
    assert_eq!(p.ident, some("kubelet"));
    assert_eq!(p.level, some("E"));
    assert_eq!(msg(&p), "boom");

    for (v, want) in [
        ("1760353022", "2025-10-13T10:57:02Z"),
        ("1760353022.5", "2025-10-13T10:57:02.5Z"),
        ("1760353022123", "2025-10-13T10:57:02.123Z"),
        ("1760353022123456", "2025-10-13T10:57:02.123456Z"),
        ("\"1760353022123\"", "2025-10-13T10:57:02.123Z"),
    ] {
        let line = format!(r#"{{"time":{v},"msg":"x"}}"#);
        let p = parse(LogFormat::JsonLines, &line);
        assert_eq!(p.stamp, instant(want), "{v}");
        assert_eq!(msg(&p), "x");
    }
    let p = parse(
        LogFormat::JsonLines,
        r#"{"time":"2025-10-13 10:57:02.123","msg":"no zone","hostname":"n1"}"#,
    );
    assert_eq!(p.stamp, civil(2025, 10, 13, 10, 57, 2, 123_000_000));
    assert_eq!(p.host, some("n1"));
}

// ---- plain and fallbacks ----

#[test]
fn plain_tries_every_format() {
    let p = parse(
        LogFormat::Plain,
        "Oct 13 19:51:02 node37 multipathd[1491]: sdv: mark as failed",
    );
    assert_eq!(p.ident, some("multipathd"));
    let p = parse(
        LogFormat::Plain,
        "2019-10-07 16:02:32.375 12254 DEBUG oslo_concurrency.processutils [req-1 - - - - -] x",
    );
    assert_eq!(p.level, some("DEBUG"));
    let p = parse(
        LogFormat::Plain,
        "Jul 21 05:06:10 compute systemd[1]: Started Virtual Machine qemu-1-instance-000>",
    );
    assert_eq!(p.ident, some("systemd"));
    // A line of another format inside a file still parses.
    let p = parse(
        LogFormat::Oslo,
        "[ 3121.583458] Kernel panic - not syncing: Host injected async #PF in kernel mode",
    );
    assert_eq!(
        p.stamp,
        Some(RawStamp::Monotonic {
            micros: 3_121_583_458
        })
    );
}

#[test]
fn plain_unrecognised_and_prompts() {
    for line in [
        "직접 답변",
        "[root@openstack-host ~]# sudo dmesg -T | grep -i 'oom-killer'",
        "$ openstack server list",
        "",
        "| RegionOne | placement | 1.0 |",
    ] {
        let p = parse(LogFormat::Plain, line);
        assert_eq!(p.stamp, None, "{line}");
        assert_eq!(msg(&p), line);
    }
    let p = parse(
        LogFormat::Plain,
        "root@node37:~# Oct 13 19:51:02 node37 kernel: sd 2:0:0:0: rejecting I/O",
    );
    assert_eq!(p.ident, some("kernel"));
    assert_eq!(msg(&p), "sd 2:0:0:0: rejecting I/O");
}

#[test]
fn plain_generic_leading_stamp() {
    let p = parse(
        LogFormat::Plain,
        "2022-02-04 09:34:05,817 - util.py[DEBUG]: Cloud-init v. 21.4 running",
    );
    assert_eq!(p.stamp, civil(2022, 2, 4, 9, 34, 5, 817_000_000));
    assert_eq!(msg(&p), "util.py[DEBUG]: Cloud-init v. 21.4 running");
    let p = parse(
        LogFormat::Plain,
        "2022-02-10T16:09:19.414Z|00118|bridge|INFO|bridge br-int: added interface",
    );
    assert_eq!(p.stamp, instant("2022-02-10T16:09:19.414Z"));
    assert_eq!(msg(&p), "00118|bridge|INFO|bridge br-int: added interface");
    let p = parse(
        LogFormat::Plain,
        "2025-07-03 07:01:04 - k8s-worker-1 is SHUTOFF, starting...",
    );
    assert_eq!(p.stamp, civil(2025, 7, 3, 7, 1, 4, 0));
    assert_eq!(msg(&p), "k8s-worker-1 is SHUTOFF, starting...");
}

#[test]
fn carriage_return_is_dropped() {
    let p = parse(LogFormat::Syslog, "Oct 13 19:51:02 h k: msg\r");
    assert_eq!(msg(&p), "msg");
}

#[test]
fn format_names() {
    let names: Vec<&str> = LogFormat::ALL.iter().map(|f| f.name()).collect();
    assert_eq!(
        names,
        [
            "syslog",
            "rfc3339-syslog",
            "dmesg",
            "dmesg-T",
            "journal-monotonic",
            "journal-json",
            "journal-export",
            "oslo",
            "klog",
            "logfmt",
            "cri",
            "libvirtd",
            "qemu",
            "json-lines",
            "plain"
        ]
    );
}

#[test]
fn indented_excerpts_parse() {
    let p = parse(
        LogFormat::Plain,
        "    [12289.195756] __schedule+0x229/0x550",
    );
    assert_eq!(
        p.stamp,
        Some(RawStamp::Monotonic {
            micros: 12_289_195_756
        })
    );
    assert_eq!(msg(&p), "__schedule+0x229/0x550");
    // Unrecognised indented text keeps its indentation.
    let p = parse(LogFormat::Plain, "    at foo");
    assert_eq!(msg(&p), "    at foo");
}
