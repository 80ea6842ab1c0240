//! Host state end to end: command outputs in the bundles become findings
//! with their evidence and exact fix, join the diagnoses, and show in every
//! report format; a healthy host gets no false findings.

#![allow(clippy::disallowed_methods)] // tests write and read small files

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::cargo_bin;
use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> String {
    let out = Command::new(cargo_bin("rootline"))
        .current_dir(repo())
        .arg("analyze")
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(path: &str) -> Value {
    serde_json::from_str(&run(&["--format", "json", path])).unwrap()
}

fn finding<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no finding {id}: {:#}", v["findings"]))
}

fn fix_text(f: &Value) -> String {
    f["fix"].to_string()
}

#[test]
fn seed_004_smart_passed_with_errors_and_host_pressure() {
    let v = json("examples/incidents/004-instances-shutoff-failing-nvme");
    let smart = finding(&v, "host.smart-errors-while-passed");
    assert_eq!(smart["severity"], "error");
    let cited = smart["evidence"].to_string();
    assert!(cited.contains("2,787"), "{cited}");
    assert!(
        fix_text(smart).contains("smartctl -x"),
        "{}",
        fix_text(smart)
    );
    finding(&v, "host.memory-pressure");
    finding(&v, "host.server-stopped-by-host");
    finding(&v, "host.smr-disk");
    // The facts join the diagnosis: SMART is root evidence of failing-disk,
    // and the host's memory pressure is a contributing factor.
    let d = &v["diagnoses"][0];
    assert_eq!(d["cause"], "failing-disk");
    let sigs: Vec<String> = d["chain"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["events"].as_array().unwrap().iter())
        .map(|e| e["signature"].as_str().unwrap().to_string())
        .collect();
    assert!(
        sigs.contains(&"host.smart-errors-while-passed".to_string()),
        "{sigs:?}"
    );
    let contributing: Vec<&str> = d["contributing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["cause"].as_str().unwrap())
        .collect();
    assert!(
        contributing.contains(&"host-memory-pressure"),
        "{contributing:?}"
    );
}

#[test]
fn seed_003_volume_modes_and_cinder_options() {
    let v = json("examples/incidents/003-nfs-volume-permission-denied");
    let mode = finding(&v, "host.volume-file-mode");
    let cited = mode["evidence"].to_string();
    assert!(
        cited.contains("-rw-rw----.") && cited.contains(" nova "),
        "{mode:#}"
    );
    let nas = finding(&v, "host.cinder-nas-secure-auto");
    assert!(
        fix_text(nas).contains("nas_secure_file"),
        "{}",
        fix_text(nas)
    );
}

#[test]
fn leftover_maps_are_found_with_the_fix() {
    for (bundle, map) in [
        ("examples/incidents/000-stale-device-after-detach", "mpathc"),
        (
            "examples/incidents/001-libvirt-crashloop-multipath",
            "mpathu",
        ),
    ] {
        let v = json(bundle);
        let f = finding(&v, "host.multipath-map-no-active-path");
        assert!(f["text"].as_str().unwrap().contains(map), "{f:#}");
        assert!(
            fix_text(f).contains(&format!("multipath -f {map}")),
            "{}",
            fix_text(f)
        );
    }
}

#[test]
fn findings_show_in_every_format() {
    let b = "examples/incidents/004-instances-shutoff-failing-nvme";
    for format in ["text", "markdown", "html"] {
        let out = run(&["--format", format, "--color", "never", b]);
        assert!(
            out.contains("host.smart-errors-while-passed"),
            "{format} report lacks the finding"
        );
    }
}

#[test]
fn a_storage_command_that_timed_out_is_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("sosreport-node37");
    std::fs::create_dir_all(root.join("sos_reports")).unwrap();
    std::fs::create_dir_all(root.join("sos_commands/multipath")).unwrap();
    std::fs::write(root.join("sos_commands/multipath/multipath_-ll"), "").unwrap();
    std::fs::write(
        root.join("sos_reports/manifest.json"),
        r#"{"version": "1.0", "components": {"report": {"sos_version": "4.5.6", "plugins": {"multipath": {"timeout_hit": true, "commands": [{"command": "multipath -ll", "exec": "multipath -ll", "filepath": "sos_commands/multipath/multipath_-ll", "return_code": 124, "run_time": 300.0}]}}}}}"#,
    )
    .unwrap();
    let v = json(root.to_str().unwrap());
    let f = finding(&v, "host.command-timed-out");
    assert_eq!(f["severity"], "error");
    assert!(f["text"].as_str().unwrap().contains("multipath -ll"));
}

#[test]
fn the_healthy_corpus_has_no_false_findings() {
    let corpus = repo().join("../shared/corpus/sosreport-openstack-compute");
    if !corpus.is_dir() {
        eprintln!("skipping: {} is absent", corpus.display());
        return;
    }
    let v = json(corpus.to_str().unwrap());
    let above_info: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] != "info")
        .collect();
    assert!(above_info.is_empty(), "{above_info:#?}");
    // Its command outputs were read as host state.
    let kinds: Vec<&str> = v["host"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["kind"].as_str())
        .collect();
    for k in ["multipath-ll", "dmsetup-info", "lsblk", "ps", "free"] {
        assert!(kinds.contains(&k), "{k} not in {kinds:?}");
    }
    // The terminal report lists the host facts.
    let text = run(&["--color", "never", corpus.to_str().unwrap()]);
    for line in [
        "disks      bcache0",
        "maps       multipath: none",
        "memory     15.6 GiB total",
        "processes  ",
    ] {
        assert!(text.contains(line), "missing {line:?}");
    }
    // A domain XML is read as a domain, not as a multipath listing.
    assert!(v["host"].as_array().unwrap().iter().any(|h| {
        h["kind"] == "domain-xml"
            && h["path"]
                .as_str()
                .unwrap()
                .ends_with("instance-00000001.xml")
    }));
}

#[test]
fn ps_ties_a_hung_qemu_to_the_map_its_disk_sits_on() {
    // kern.log: every path of mpathu (dm-21) fails, then qemu hangs in D
    // state. ps shows that qemu's disk is mpathu's WWID; multipath -ll
    // names the map. The hung task then joins the chain by identity, not
    // merely by host.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("sosreport-node37");
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::write(root.join("etc/hostname"), "node37\n").unwrap();
    for d in [
        "var/log",
        "sos_commands/process",
        "sos_commands/multipath",
        "sos_commands/date",
    ] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    std::fs::write(
        root.join("sos_commands/date/date"),
        "Mon Oct 13 21:00:00 UTC 2025\n",
    )
    .unwrap();
    std::fs::write(
        root.join("var/log/kern.log"),
        "Oct 13 19:55:01 node37 kernel: [3689000.100000] device-mapper: multipath: 253:21: Failing path 65:48.\n\
         Oct 13 19:55:01 node37 kernel: [3689000.100100] device-mapper: multipath: 253:21: Failing path 65:32.\n\
         Oct 13 19:55:02 node37 kernel: [3689001.200000] I/O error, dev sdt, sector 2410496 op 0x1:(WRITE) flags 0x800 phys_seg 1 prio class 0\n\
         Oct 13 19:58:00 node37 kernel: [3689179.541047] INFO: task qemu-system-x86:4242 blocked for more than 120 seconds.\n\
         Oct 13 19:58:00 node37 kernel: [3689179.541060]       Not tainted 5.15.0-86-generic #96-Ubuntu\n",
    )
    .unwrap();
    std::fs::write(
        root.join("var/log/syslog"),
        "Oct 13 19:55:01 node37 multipathd[1102]: checker failed path 65:48 in map mpathu\n\
         Oct 13 19:55:01 node37 multipathd[1102]: mpathu: remaining active paths: 0\n",
    )
    .unwrap();
    std::fs::write(
        root.join("sos_commands/process/ps_auxwwwm"),
        "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n\
         libvirt+    4242  2.1  8.3 5412340 2731120 ?    Dl   Oct01 301:12 /usr/bin/qemu-system-x86_64 -name guest=instance-00000f3a,debug-threads=on -uuid 6c59b812-2d8d-4da5-92d6-6bbe527926d6 -blockdev {\"driver\":\"host_device\",\"filename\":\"/dev/disk/by-id/dm-uuid-mpath-3600a098038314c4a6b5d4f5a7a2f6d41\",\"node-name\":\"libvirt-2-storage\"} -device virtio-blk-pci,drive=libvirt-2-format,id=virtio-disk1,serial=4f2f8d1c-6b0e-4a57-9f1d-2c3b4a5d6e7f\n",
    )
    .unwrap();
    std::fs::write(
        root.join("sos_commands/multipath/multipath_-ll"),
        [
            "mpathu (3600a098038314c4a6b5d4f5a7a2f6d41) dm-21 NETAPP,LUN C-Mode",
            "size=40G features='1 queue_if_no_path' hwhandler='1 alua' wp=rw",
            "|-+- policy='service-time 0' prio=0 status=enabled",
            "| `- 7:0:0:1 sds 65:32 failed faulty running",
            "`-+- policy='service-time 0' prio=0 status=enabled",
            "  `- 8:0:0:1 sdt 65:48 failed faulty running",
            "",
        ]
        .join("\n"),
    )
    .unwrap();
    let v = json(root.to_str().unwrap());
    let d = &v["diagnoses"][0];
    assert_eq!(d["cause"], "multipath-path-loss", "{:#}", v["diagnoses"]);
    let step = d["chain"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "tasks-in-d-state")
        .unwrap_or_else(|| panic!("{:#}", d["chain"]));
    assert_eq!(step["link"], "identity", "{step:#}");
}
