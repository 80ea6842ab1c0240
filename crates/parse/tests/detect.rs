//! Format detection on realistic samples of every format, and on the real
//! sosreport corpus when it is present.

use std::path::PathBuf;

use rootline_parse::{LogFormat, detect};

fn det(sample: &str, name: &str) -> (LogFormat, f32) {
    let d = detect(sample.as_bytes(), name);
    (d.format, d.confidence)
}

fn assert_format(sample: &str, name: &str, want: LogFormat) {
    let (got, conf) = det(sample, name);
    assert_eq!(got, want, "detected {got:?} ({conf}) for {name}");
    assert!((0.0..=1.0).contains(&conf));
}

const KERN_LOG: &str = "\
Feb  4 09:34:10 compute4 kernel: [    0.000000] Linux version 5.4.0-97-generic (buildd@lcy02-amd64-032)
Feb  4 09:34:10 compute4 kernel: [    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz-5.4.0-97-generic ro
Feb  4 09:34:10 compute4 kernel: [    0.000000] KERNEL supported cpus:
Feb  4 09:34:10 compute4 kernel: [    0.000000]   Intel GenuineIntel
Feb  4 09:34:10 compute4 kernel: [    0.000000]   AMD AuthenticAMD
";

#[test]
fn syslog_and_kern_log() {
    assert_format(KERN_LOG, "var/log/kern.log", LogFormat::Syslog);
    let journal = "\
-- Logs begin at Fri 2022-02-04 09:34:04 UTC, end at Thu 2022-02-10 16:19:19 UTC. --
Feb 04 09:34:04 ubuntu kernel: Linux version 5.4.0-97-generic
Feb 04 09:34:04 ubuntu kernel: Command line: BOOT_IMAGE=/boot/vmlinuz-5.4.0-97-generic ro
-- Boot 5c6b1c0e5e2a4a4a9d0c1a2b3c4d5e6f --
Feb 09 22:38:11 compute4 systemd[1]: Starting Journal Service...
-- Subject: A start job for unit systemd-journald.service has begun execution
-- Defined-By: systemd
-- Support: http://www.ubuntu.com/support
-- 
-- A start job for unit systemd-journald.service has begun execution.
Feb 09 22:38:11 compute4 kubelet[2345]: E1013 19:56:01.123456    2345 remote_runtime.go:394] \"ExecSync cmd from runtime service failed\"
";
    let (f, c) = det(
        journal,
        "sos_commands/logs/journalctl_--no-pager_--catalog_--boot",
    );
    assert_eq!(f, LogFormat::Syslog);
    assert_eq!(c, 1.0);
}

#[test]
fn rfc3339_syslog() {
    let s = "\
2025-10-13T19:51:02.123456+09:00 node37 multipathd[1491]: mpathb: remaining active paths: 0
2025-10-13T19:51:02.223456+09:00 node37 kernel: [12289.195649] sd 2:0:0:0: [sdv] tag#0 FAILED
<13>2025-10-13T19:51:03+09:00 node37 root: hello
2025-10-13T19:51:04+0900 node37 systemd[1]: Started Session 1 of user root.
";
    assert_format(s, "var/log/messages", LogFormat::Rfc3339Syslog);
    let s5424 = "\
<34>1 2025-10-13T19:51:02.003Z host app 1234 ID47 - msg one
<34>1 2025-10-13T19:51:03.003Z host app 1234 ID47 [a@1 b=\"c\"] msg two
";
    assert_format(s5424, "remote.log", LogFormat::Rfc3339Syslog);
}

#[test]
fn dmesg_family() {
    let raw = "\
[    0.000000] Linux version 5.14.0-503.23.1.el9_5.x86_64
[    1.233783] md: Waiting for all devices to be available before autodetect
[    1.500000] usb 1-1: new high-speed USB device number 2 using xhci_hcd
[    1.600000] usb 1-1: New USB device found, idVendor=0627
[12289.195649] INFO: task nova-compute:1069 blocked for more than 122 seconds.
[12289.195694]       Not tainted 5.14.0-503.23.1.el9_5.x86_64 #1
";
    assert_format(raw, "sos_commands/kernel/dmesg", LogFormat::Dmesg);
    let sos = "\
[    0.000000] kernel: Linux version 5.4.0-97-generic
[    0.000000] kernel: Command line: BOOT_IMAGE=/boot/vmlinuz ro
[    2.589609] systemd[1]: Inserted module 'autofs4'
";
    assert_format(sos, "var/log/dmesg", LogFormat::Dmesg);
    let x = "\
kern  :info  : [    0.000000] Linux version 5.14.0
kern  :err   : [  123.456000] blk_update_request: I/O error, dev sdv
";
    assert_format(x, "dmesg-x.txt", LogFormat::Dmesg);
    let t = "\
[Mon Oct 13 19:51:02 2025] sd 2:0:0:0: [sdv] tag#0 FAILED Result
[Mon Oct 13 19:51:02 2025] blk_update_request: I/O error, dev sdv, sector 2410496
[Mon Oct 13 19:53:12 2025] device-mapper: multipath: 253:21: Failing path 65:48.
";
    assert_format(t, "dmesg_-T", LogFormat::DmesgT);
    let mono = "\
[    0.000000] node37 kernel: Linux version 5.14.0
[    1.233783] node37 kernel: md: Waiting for all devices
[    5.123456] node37 systemd[1]: Started Journal Service.
[12289.195649] node37 kernel: INFO: task nova-compute:1069 blocked for more than 122 seconds.
";
    assert_format(
        mono,
        "journalctl_-o_short-monotonic",
        LogFormat::JournalMonotonic,
    );
}

#[test]
fn journal_machine_formats() {
    let json = r#"{"__CURSOR":"s=1","__REALTIME_TIMESTAMP":"1760385062123456","__MONOTONIC_TIMESTAMP":"12289195649","_HOSTNAME":"node37","SYSLOG_IDENTIFIER":"kernel","PRIORITY":"3","MESSAGE":"sd 2:0:0:0: [sdv] tag#0 FAILED"}
{"__CURSOR":"s=2","__REALTIME_TIMESTAMP":"1760385062223456","_HOSTNAME":"node37","SYSLOG_IDENTIFIER":"multipathd","_PID":"1491","MESSAGE":[109,112,97,116,104,98]}
"#;
    assert_format(json, "journal.json", LogFormat::JournalJson);
    assert_format(json, "journal.txt", LogFormat::JournalJson);
    let export = "\
__CURSOR=s=abc;i=1
__REALTIME_TIMESTAMP=1760385062123456
__MONOTONIC_TIMESTAMP=12289195649
_BOOT_ID=6f1c
_HOSTNAME=node37
SYSLOG_IDENTIFIER=kernel
MESSAGE=sd 2:0:0:0: [sdv] tag#0 FAILED

__CURSOR=s=abc;i=2
__REALTIME_TIMESTAMP=1760385062223456
_HOSTNAME=node37
MESSAGE=mpathb: remaining active paths: 0
";
    assert_format(export, "journal.export", LogFormat::JournalExport);
}

#[test]
fn openstack_and_kubernetes() {
    let oslo = "\
2022-02-04 09:37:50.031 21562 INFO os_vif [-] Loaded VIF plugins: linux_bridge, noop, ovs
2022-02-04 09:37:50.159 21562 ERROR oslo.messaging._drivers.impl_rabbit [req-30b3bc7c-90c2-4c1c-8d0c-62455d58bfca - - - - -] Connection failed: [Errno 111] ECONNREFUSED
2022-02-04 10:21:58.881 284971 ERROR nova.compute.manager [req-97b163b2 - - - - -] Error updating resources: oslo_concurrency.processutils.ProcessExecutionError: Unexpected error while running
Command: ceph df --format=json
Exit code: 1
2022-02-04 10:21:58.881 284971 ERROR nova.compute.manager Traceback (most recent call last):
";
    assert_format(oslo, "var/log/nova/nova-compute.log", LogFormat::Oslo);
    let klog = "\
I1013 19:46:00.123456    1234 prober.go:107] \"Probe failed\" probeType=\"Liveness\"
E1013 19:56:01.123456    2345 remote_runtime.go:394] \"ExecSync cmd from runtime service failed\"
W1013 19:56:02.000001    2345 kubelet.go:2000] \"Pod status\"
";
    assert_format(klog, "kubelet.log", LogFormat::Klog);
    let logfmt = "\
time=\"2025-10-13T19:56:01.123456789Z\" level=error msg=\"ExecSync for \\\"753ac7cfab3c\\\" failed\" error=\"rpc error: code = DeadlineExceeded\"
time=\"2025-10-13T19:56:02.123456789Z\" level=info msg=\"StopContainer\"
";
    assert_format(logfmt, "containerd.log", LogFormat::Logfmt);
    let cri = "\
2025-10-13T19:56:01.123456789Z stderr F error: failed to connect
2025-10-13T19:56:01.223456789Z stdout P partial
2025-10-13T19:56:01.323456789Z stdout F  line
";
    assert_format(cri, "var/log/pods/x/libvirt/0.log", LogFormat::CriLog);
}

const QEMU_LOG: &str = "\
2022-02-10 16:18:04.843+0000: starting up libvirt version: 6.0.0, package: 0ubuntu8.15, qemu version: 4.2.1
LC_ALL=C \\
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin \\
HOME=/var/lib/libvirt/qemu/domain-2-instance-00000001 \\
QEMU_AUDIO_DRV=none \\
/usr/bin/qemu-system-x86_64 \\
-name guest=instance-00000001,debug-threads=on \\
-S \\
-m 2048 \\
-uuid d1d75e2f-ada4-49bc-a963-528d89dfda25 \\
-msg timestamp=on
char device redirected to /dev/pts/3 (label charserial0)
2022-02-10T16:18:05.033085Z qemu-system-x86_64: warning: host doesn't support requested feature
2022-02-10 16:18:31.313+0000: initiating migration
2022-02-10 16:18:33.029+0000: shutting down, reason=migrated
";

#[test]
fn libvirt_logs() {
    let libvirtd = "\
2015-06-01 10:34:40.399+0000: 1185: error : virNetSocketReadWire:1454 : End of file while reading data: Input/output error
2015-06-01 10:39:11.946+0000: 30612: info : libvirt version: 1.2.2
2015-06-01 10:39:11.946+0000: 30612: warning : virSecurityManagerNew:179 : Configured security driver
";
    assert_format(
        libvirtd,
        "var/log/libvirt/libvirtd.log",
        LogFormat::Libvirtd,
    );
    // By content, and by the name hint.
    assert_format(QEMU_LOG, "instance-00000001.log", LogFormat::QemuLog);
    assert_format(
        QEMU_LOG,
        "var/log/libvirt/qemu/instance-00000001.log",
        LogFormat::QemuLog,
    );
    let refcount = "\
ERROR cluster 261192 refcount=0 reference=1
ERROR cluster 261193 refcount=0 reference=1
ERROR cluster 261194 refcount=0 reference=1
";
    assert_format(
        refcount,
        "var/log/libvirt/qemu/compute.log.0",
        LogFormat::QemuLog,
    );
    assert_format(refcount, "compute.log.0", LogFormat::Plain);
}

#[test]
fn json_lines() {
    let os = r#"{"@timestamp":"2025-10-13T10:57:02.123Z","message":"Connection to libvirt lost: 1","host":{"name":"node37"}}
{"@timestamp":"2025-10-13T10:57:03.123Z","message":"Reconnected","host":{"name":"node37"}}
"#;
    assert_format(os, "opensearch-export.json", LogFormat::JsonLines);
    let loki = r#"{"timestamp":"1760353022123456789","log":"I1013 10:57:02.123456 1 x.go:1] a\n","kubernetes":{"host":"node37"}}
{"time":1760353022.5,"msg":"b"}
"#;
    assert_format(loki, "loki.ndjson", LogFormat::JsonLines);
}

#[test]
fn plain_text() {
    let prose = "\
직접 답변
OpenStack에서 디스크를 삭제하면 호스트 커널에서 I/O 오류가 발생할 수 있습니다.
[root@controller ~]# openstack server list
+-------------+---------------+
| RegionOne | placement | 1.0 |
Jul 21 05:06:10 compute systemd[1]: Started Virtual Machine qemu-1-instance-000>
";
    let (f, c) = det(prose, "seed.txt");
    assert_eq!(f, LogFormat::Plain);
    assert!(c > 0.0 && c < 0.3, "{c}");
}

#[test]
fn mixed_pasted_dmesg_in_prose_is_plain_below_threshold() {
    let mut s = String::new();
    for i in 0..10 {
        s.push_str(&format!("설명 문장 {i}\n"));
    }
    s.push_str("[12289.195649] INFO: task nova-compute:1069 blocked for more than 122 seconds.\n");
    assert_eq!(det(&s, "x.txt").0, LogFormat::Plain);
}

#[test]
fn degenerate_samples() {
    assert_eq!(det("", "x").0, LogFormat::Plain);
    assert_eq!(det("", "x").1, 0.0);
    assert_eq!(det("\n\n  \n", "x").0, LogFormat::Plain);
    assert_eq!(det("-- No entries --\n", "journal").0, LogFormat::Plain);
    // The cut last line does not count.
    let cut = format!("{KERN_LOG}Feb  4 09:3");
    assert_eq!(det(&cut, "kern.log"), (LogFormat::Syslog, 1.0));
    let d = detect(b"\xff\xfe\x00\x00garbage\n\x00\x01", "bin");
    assert_eq!(d.format, LogFormat::Plain);
    let long = vec![b'a'; 1 << 20];
    assert_eq!(detect(&long, "big").format, LogFormat::Plain);
}

// ---- the real corpus, when present ----

fn corpus() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/sosreport-openstack-compute");
    if p.is_dir() {
        Some(p)
    } else {
        println!("skipping: corpus not found at {}", p.display());
        None
    }
}

/// Read at most `limit` bytes of a corpus file.
fn read_capped(path: &std::path::Path, limit: u64) -> Option<Vec<u8>> {
    use std::io::Read;
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            println!("skipping {}: {e}", path.display());
            return None;
        }
    };
    let mut out = Vec::new();
    // Bounded by `take`: corpus files are a few MiB at most.
    #[allow(clippy::disallowed_methods)]
    file.take(limit).read_to_end(&mut out).ok()?;
    Some(out)
}

fn read_sample(path: &std::path::Path) -> Option<Vec<u8>> {
    let bytes = if path.extension().is_some_and(|e| e == "gz") {
        gunzip(&read_capped(path, 16 << 20)?)?
    } else {
        read_capped(path, 64 * 1024)?
    };
    Some(bytes[..bytes.len().min(64 * 1024)].to_vec())
}

/// The corpus's nova log is gzipped; `zcat` reads it without adding a
/// dependency to this crate.
fn gunzip(bytes: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("zcat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let input = bytes.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().ok()?;
    let _ = writer.join();
    if out.stdout.is_empty() {
        println!("skipping gzip file: zcat unavailable");
        return None;
    }
    Some(out.stdout)
}

#[test]
fn corpus_files() {
    let Some(root) = corpus() else {
        return;
    };
    let cases = [
        ("var/log/kern.log", LogFormat::Syslog),
        ("var/log/syslog", LogFormat::Syslog),
        ("var/log/auth.log", LogFormat::Syslog),
        ("var/log/dmesg", LogFormat::Dmesg),
        ("sos_commands/kernel/dmesg", LogFormat::Dmesg),
        ("sos_commands/logs/journalctl_--no-pager", LogFormat::Syslog),
        (
            "sos_commands/logs/journalctl_--no-pager_--catalog_--boot",
            LogFormat::Syslog,
        ),
        (
            "sos_commands/logs/journalctl_--no-pager_--catalog_--boot_-1",
            LogFormat::Syslog,
        ),
        (
            "var/log/libvirt/qemu/instance-00000001.log",
            LogFormat::QemuLog,
        ),
        (
            "var/log/libvirt/qemu/instance-00000002.log",
            LogFormat::QemuLog,
        ),
        ("var/log/nova/nova-compute.log.1.gz", LogFormat::Oslo),
        ("var/log/cloud-init.log", LogFormat::Plain),
    ];
    for (rel, want) in cases {
        let Some(sample) = read_sample(&root.join(rel)) else {
            continue;
        };
        let d = detect(&sample, rel);
        assert_eq!(d.format, want, "{rel}: {d:?}");
        if want != LogFormat::Plain {
            assert!(d.confidence >= 0.9, "{rel}: {d:?}");
        }
    }
    // The qemu logs are recognised by content alone too.
    for rel in [
        "var/log/libvirt/qemu/instance-00000001.log",
        "var/log/libvirt/qemu/instance-00000002.log",
    ] {
        if let Some(sample) = read_sample(&root.join(rel)) {
            assert_eq!(
                detect(&sample, "domain.log").format,
                LogFormat::QemuLog,
                "{rel}"
            );
        }
    }
}

#[test]
fn corpus_lines_all_parse_with_stamps() {
    let Some(root) = corpus() else {
        return;
    };
    for rel in [
        "var/log/kern.log",
        "var/log/syslog",
        "var/log/dmesg",
        "sos_commands/kernel/dmesg",
        "sos_commands/logs/journalctl_--no-pager",
    ] {
        let Some(bytes) = read_capped(&root.join(rel), 16 << 20) else {
            continue;
        };
        let format = detect(&bytes[..bytes.len().min(64 * 1024)], rel).format;
        for line in bytes.split(|b| *b == b'\n') {
            if line.is_empty() || line.starts_with(b"-- ") {
                continue;
            }
            let p = rootline_parse::parse_line(format, line, &[]);
            assert!(
                p.stamp.is_some(),
                "{rel}: no stamp in {:?}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
