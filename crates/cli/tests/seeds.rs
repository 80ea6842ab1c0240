//! Every log line the five seed incidents quote, written into files of every
//! format a real host would have it in, must be recognised by the right
//! signature with the right fields — through the real binary.

// Helpers outside #[test] fns unwrap too: a failed setup step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::disallowed_methods)] // tests write and read small files

use std::fmt::Write as _;

use assert_cmd::cargo::cargo_bin;
use serde_json::Value;

/// (seed, ident, message as the program wrote it, signature, fields ⊆ event's).
type Case = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const CASES: &[Case] = &[
    (
        "000",
        "kernel",
        "blk_update_request: I/O error, dev sdc, sector 2048 op 0x0:(READ) flags 0x80700 phys_seg 1 prio class 0",
        "kernel.block.io-error",
        &[("device", "sdc"), ("sector", "2048"), ("op", "READ")],
    ),
    (
        "000",
        "kernel",
        "Buffer I/O error on dev dm-3, logical block 0, async page read",
        "kernel.block.buffer-io-error",
        &[("device", "dm-3")],
    ),
    (
        "001",
        "kernel",
        "I/O error, dev sdv, sector 2410496 op 0x1:(WRITE) flags 0x800 phys_seg 1 prio class 0",
        "kernel.block.io-error",
        &[("device", "sdv"), ("sector", "2410496"), ("op", "WRITE")],
    ),
    (
        "001",
        "kernel",
        "device-mapper: multipath: 253:21: Failing path 65:48.",
        "multipath.failing-path",
        &[("dm", "253:21"), ("devnum", "65:48")],
    ),
    (
        "001",
        "kernel",
        "INFO: task qemu-system-x86:12345 blocked for more than 120 seconds.",
        "kernel.hung-task",
        &[
            ("task", "qemu-system-x86"),
            ("pid", "12345"),
            ("seconds", "120"),
        ],
    ),
    (
        "001",
        "multipathd",
        "mpathb: remaining active paths: 0",
        "multipath.all-paths-down",
        &[("map", "mpathb"), ("paths", "0")],
    ),
    (
        "001",
        "multipathd",
        "path is down",
        "multipath.path-down",
        &[],
    ),
    (
        "002",
        "kernel",
        "task:fluentd state:D stack:0 pid:1234",
        "kernel.task-state-d",
        &[("task", "fluentd"), ("pid", "1234")],
    ),
    (
        "002",
        "kernel",
        "watchdog: BUG: soft lockup - CPU# stuck for 223s! [swapper/0:0]",
        "kernel.soft-lockup",
        &[("seconds", "223"), ("task", "swapper/0")],
    ),
    (
        "004",
        "kernel",
        "INFO: task nova-compute:1069 blocked for more than 122 seconds.",
        "kernel.hung-task",
        &[
            ("task", "nova-compute"),
            ("pid", "1069"),
            ("seconds", "122"),
        ],
    ),
    (
        "004",
        "kernel",
        "Kernel panic - not syncing: Host injected async #PF in kernel mode",
        "kernel.panic.async-pf",
        &[],
    ),
    (
        "004",
        "kernel",
        "Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)",
        "kernel.panic.no-root",
        &[("root", "unknown-block(0,0)")],
    ),
];

/// The kernel line in every kernel-log format.
fn kernel_formats(msg: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "kern.log",
            format!("Oct 13 19:52:37 node37 kernel: [12289.195649] {msg}\n"),
        ),
        (
            "journal-short",
            format!("Oct 13 19:52:37 node37 kernel: {msg}\n"),
        ),
        (
            "journal-precise",
            format!("Oct 13 19:52:37.123456 node37 kernel: {msg}\n"),
        ),
        (
            "journal-iso",
            format!("2025-10-13T19:52:37+0900 node37 kernel: {msg}\n"),
        ),
        (
            "journal-monotonic",
            format!("[12289.195649] node37 kernel: {msg}\n"),
        ),
        ("dmesg", format!("[12289.195649] {msg}\n")),
        ("dmesg-T", format!("[Mon Oct 13 19:52:37 2025] {msg}\n")),
        (
            "rfc5424",
            format!("<3>1 2025-10-13T19:52:37.123+09:00 node37 kernel - - - {msg}\n"),
        ),
    ]
}

fn daemon_formats(ident: &str, msg: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "syslog",
            format!("Oct 13 19:51:21 node37 {ident}[1491]: {msg}\n"),
        ),
        (
            "journal-iso",
            format!("2025-10-13T19:51:21+0900 node37 {ident}[1491]: {msg}\n"),
        ),
        (
            "rsyslog-3339",
            format!("2025-10-13T19:51:21.004512+09:00 node37 {ident}[1491]: {msg}\n"),
        ),
    ]
}

fn json_formats(ident: &str, msg: &str) -> Vec<(&'static str, String)> {
    let m = serde_json::to_string(msg).unwrap();
    vec![
        (
            "journal.json",
            format!(
                "{{\"__REALTIME_TIMESTAMP\":\"1760352681004512\",\"__MONOTONIC_TIMESTAMP\":\"12289195649\",\"_HOSTNAME\":\"node37\",\"SYSLOG_IDENTIFIER\":\"{ident}\",\"_PID\":\"1491\",\"MESSAGE\":{m}}}\n"
            ),
        ),
        (
            "journal.export",
            format!(
                "__CURSOR=s=1;i=2\n__REALTIME_TIMESTAMP=1760352681004512\n__MONOTONIC_TIMESTAMP=12289195649\n_HOSTNAME=node37\nSYSLOG_IDENTIFIER={ident}\n_PID=1491\nMESSAGE={msg}\n\n"
            ),
        ),
        (
            "opensearch.jsonl",
            format!(
                "{{\"@timestamp\":\"2025-10-13T10:51:21.004Z\",\"host\":{{\"name\":\"node37\"}},\"message\":{m}}}\n"
            ),
        ),
    ]
}

fn events_by_file(dir: &std::path::Path) -> Value {
    let out = std::process::Command::new(cargo_bin("rootline"))
        .args(["analyze", "--format", "json"])
        .arg(dir)
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

/// A file name, the signature expected in it, and fields the event must have.
type Expect<'a> = (String, &'a str, Vec<(&'a str, &'a str)>);

/// A native-format file: name, content, signature, fields.
type Native = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

fn check(v: &Value, expect: &[Expect<'_>]) {
    let events = v["events"].as_array().unwrap();
    let mut failures = String::new();
    for (file, sig, fields) in expect {
        let found = events.iter().filter(|e| {
            e["source"]["file"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/{file}"))
        });
        let mut ok = false;
        let mut seen = Vec::new();
        for e in found {
            seen.push(format!("{} {}", e["signature"], e["fields"]));
            if e["signature"] != *sig {
                continue;
            }
            ok = fields.iter().all(|(k, want)| {
                let got = &e["fields"][*k];
                got.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| got.to_string())
                    == *want
            });
            // A stamped format must produce a time (ps output has none;
            // dmesg's seconds since boot need a boot time these files lack).
            let timeless = ["dmesg", "monotonic", "ps_"]
                .iter()
                .any(|t| file.contains(t));
            if ok && !timeless {
                ok = !e["time"]["utc"].is_null();
            }
            if ok {
                break;
            }
        }
        if !ok {
            let _ = writeln!(failures, "{file}: want {sig} {fields:?}; got {seen:?}");
        }
    }
    assert!(failures.is_empty(), "{failures}");
}

#[test]
fn seed_log_lines_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let mut expect = Vec::new();
    for (i, (seed, ident, msg, sig, fields)) in CASES.iter().enumerate() {
        let mut variants = if *ident == "kernel" {
            kernel_formats(msg)
        } else {
            daemon_formats(ident, msg)
        };
        variants.extend(json_formats(ident, msg));
        for (fmt, content) in variants {
            let name = format!("seed{seed}-{i:02}-{fmt}");
            std::fs::write(dir.path().join(&name), content).unwrap();
            expect.push((name, *sig, fields.to_vec()));
        }
    }
    check(&events_by_file(dir.path()), &expect);
}

#[test]
fn seed_lines_in_their_native_formats() {
    let dir = tempfile::tempdir().unwrap();
    let files: &[Native] = &[
        // Seed 001: kubelet's klog inside the journal, containerd's logfmt.
        (
            "kubelet.journal",
            "Oct 13 19:56:31 s-dcn37-com604-krw1a kubelet[2345]: E1013 19:56:31.550912    2345 remote_runtime.go:496] \"ExecSync cmd from runtime service failed\" err=\"rpc error: code = DeadlineExceeded desc = failed to exec in container: timeout 5s exceeded: context deadline exceeded\" containerID=\"753ac7cfab3c91e0d6a4b5c2e8f1d7a9\" cmd=[\"virsh\",\"list\"]\n",
            "kubelet.exec-sync-failed",
            &[
                ("container", "753ac7cfab3c91e0d6a4b5c2e8f1d7a9"),
                ("timeout", "5"),
            ],
        ),
        (
            "kubelet.klog",
            "E1013 19:56:31.550912    2345 remote_runtime.go:496] \"ExecSync cmd from runtime service failed\" err=\"rpc error: code = DeadlineExceeded desc = failed to exec in container: timeout 5s exceeded: context deadline exceeded\" containerID=\"753ac7cfab3c91e0d6a4b5c2e8f1d7a9\" cmd=[\"virsh\",\"list\"]\n",
            "kubelet.exec-sync-failed",
            &[("container", "753ac7cfab3c91e0d6a4b5c2e8f1d7a9")],
        ),
        (
            "containerd.log",
            "time=\"2025-10-13T19:56:31.550811204+09:00\" level=error msg=\"ExecSync for \\\"753ac7cfab3c91e0d6a4b5c2e8f1d7a9\\\" failed\" error=\"failed to exec in container: timeout 5s exceeded: context deadline exceeded\"\n",
            "containerd.exec-sync-failed",
            &[("container", "753ac7cfab3c91e0d6a4b5c2e8f1d7a9")],
        ),
        // Seed 001: the OpenSearch view of nova's lost libvirt connection.
        (
            "opensearch.jsonl",
            "{\"@timestamp\":\"2025-10-13T10:57:43.311Z\",\"host\":\"s-dcn37-com604-krw1a\",\"message\":\"Connection to libvirt lost\"}\n",
            "nova.libvirt-connection-lost",
            &[],
        ),
        // Seed 001: the zombie libvirtd in ps output.
        (
            "ps_auxwwwm",
            "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\nroot       12345  0.0  0.0      0     0 ?        Z    19:58   0:00 [libvirtd] <defunct>\n",
            "process.zombie",
            &[("pid", "12345"), ("task", "libvirtd")],
        ),
        // Seed 003: qemu's unstamped lines in the domain log, and cinder's chmod.
        (
            "instance-000000a3.log",
            "2019-10-11 08:40:01.114+0000: starting up libvirt version: 4.5.0, package: 10.el7 (CentOS BuildSystem <http://bugs.centos.org>, 2019-08-08-17:40:10, x86-01.bsys.centos.org), qemu version: 2.12.0qemu-kvm-ev-2.12.0-33.1.el7, kernel: 3.10.0-1062.el7.x86_64, hostname: compute01\nchar device redirected to /dev/pts/0 (label charserial0)\nblock I/O error in device 'drive-virtio-disk0': Permission denied (13)\nblock I/O error in device 'drive-virtio-disk0': Permission denied (13)\n",
            "qemu.block-io-error",
            &[("device", "drive-virtio-disk0"), ("errno", "13")],
        ),
        (
            "cinder-volume.log",
            "2019-10-07 16:02:32.375 12254 DEBUG oslo_concurrency.processutils [req-55a29436-8cbe-4643-8d5c-0cbea8721f53 - - - - -] Running cmd (subprocess): chmod 660 /var/lib/cinder/mnt/63bf80ae8c90ff6c5fcee0d7b3c5711e/volume-9d9074a3-2f80-4db2-be3a-3f8a65c426c3 execute /usr/lib/python2.7/site-packages/oslo_concurrency/processutils.py:199\n",
            "cinder.volume-file-chmod",
            &[
                ("mode", "660"),
                ("volume", "9d9074a3-2f80-4db2-be3a-3f8a65c426c3"),
            ],
        ),
        // Seed 004: qcow2 refcount errors in the qemu log.
        (
            "compute.log.0",
            "2025-06-30 07:02:11.208+0000: starting up libvirt version: 10.5.0, package: 7.el9 (Rocky Enterprise Software Foundation), qemu version: 9.0.0qemu-kvm-9.0.0-10.el9, kernel: 5.14.0-503.26.1.el9_5.x86_64, hostname: openstack-host\nERROR cluster 261192 refcount=0 reference=1\nERROR cluster 261193 refcount=0 reference=1\n",
            "qemu.img-check-refcount-error",
            &[("cluster", "261192"), ("refcount", "0"), ("reference", "1")],
        ),
    ];
    let mut expect = Vec::new();
    for (name, content, sig, fields) in files {
        std::fs::write(dir.path().join(name), content).unwrap();
        expect.push((name.to_string(), *sig, fields.to_vec()));
    }
    let v = events_by_file(dir.path());
    check(&v, &expect);
    // Unstamped qemu lines borrow the stamp of their context, and say so.
    let qemu = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["signature"] == "qemu.img-check-refcount-error")
        .unwrap();
    assert_eq!(qemu["time"]["utc"], "2025-06-30T07:02:11.208Z");
    assert_eq!(qemu["time"]["borrowed"], true);
}
