//! Host state end to end: command outputs in the bundles become findings
//! with their evidence and exact fix, join the diagnoses, and show in every
//! report format; a healthy host gets no false findings.

// Helpers outside #[test] fns unwrap too: a failed setup step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
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
    // 2,787 error-log entries, and the one shown is status 0x4004 (Invalid
    // Field in Command): the drive refusing a probe, not a media error. It
    // is reported, as information, and cannot open an incident on its own.
    let smart = finding(&v, "host.nvme-error-log-entries");
    assert_eq!(smart["severity"], "info");
    let cited = smart["evidence"].to_string();
    assert!(cited.contains("2,787"), "{cited}");
    assert!(cited.contains("0x4004"), "{cited}");
    assert!(
        fix_text(smart).contains("nvme error-log /dev/nvme0"),
        "{}",
        fix_text(smart)
    );
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["id"] != "host.smart-errors-while-passed"),
        "probe answers are no SMART errors"
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
        sigs.contains(&"host.nvme-error-log-entries".to_string()),
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

/// The files a finding or chain step cites, by their last path components.
fn files_of(evidence: &Value) -> Vec<String> {
    let mut v: Vec<String> = evidence
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["file"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v.dedup();
    v
}

#[test]
fn seed_003_joins_qemu_conf_ps_and_the_share_listing() {
    let b = "examples/incidents/003-nfs-volume-permission-denied";
    let v = json(b);
    // The qemu user comes from qemu.conf and the running qemu-kvm, not from
    // a guess over the listing: the finding cites all three files.
    let mode = finding(&v, "host.volume-file-mode");
    let files = files_of(&mode["evidence"]);
    for f in [
        "etc/libvirt/qemu.conf",
        "sos_commands/process/ps_auxwwwm",
        "ls-l-cinder-mnt.txt",
    ] {
        assert!(files.iter().any(|x| x.ends_with(f)), "{f} not in {files:?}");
    }
    let text = mode["text"].as_str().unwrap();
    assert!(text.contains("runs as qemu:qemu"), "{text}");
    assert!(
        fix_text(mode).contains("crudini --set /etc/cinder/cinder.conf nfs-nas01"),
        "{}",
        fix_text(mode)
    );
    // Every cited line is that file's line.
    for e in mode["evidence"].as_array().unwrap() {
        let path = repo().join(e["file"].as_str().unwrap());
        let body = std::fs::read_to_string(&path).unwrap();
        let got = body.lines().nth(e["line"].as_u64().unwrap() as usize - 1);
        assert_eq!(got.map(str::trim_end), e["text"].as_str(), "{path:?}");
    }
    // The indicator on the share and cinder.conf at auto: one finding, an
    // error, citing both; no second, weaker one from cinder.conf alone.
    let nas: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "host.cinder-nas-secure-auto")
        .collect();
    assert_eq!(nas.len(), 1, "{nas:#?}");
    assert_eq!(nas[0]["severity"], "error");
    let files = files_of(&nas[0]["evidence"]);
    assert!(
        files.iter().any(|f| f.ends_with("cinder.conf")),
        "{files:?}"
    );
    assert!(
        files.iter().any(|f| f.ends_with("ls-l-cinder-mnt.txt")),
        "{files:?}"
    );
    // The diagnosis's chain shows the check with a line of each file.
    let d = &v["diagnoses"][0];
    assert_eq!(d["cause"], "volume-permission-denied");
    let step = d["chain"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "volume-file-0660")
        .unwrap();
    let files = files_of(&step["events"]);
    assert!(files.iter().any(|f| f.ends_with("qemu.conf")), "{files:?}");
    assert!(
        files.iter().any(|f| f.ends_with("ls-l-cinder-mnt.txt")),
        "{files:?}"
    );
    // Every report format names each file of a finding resting on several.
    for format in ["text", "markdown", "html"] {
        let out = run(&["--format", format, "--color", "never", b]);
        for f in ["etc/libvirt/qemu.conf:3", "ls-l-cinder-mnt.txt:10"] {
            assert!(out.contains(f), "{format} report lacks {f}");
        }
    }
}

/// A compute node's sosreport with an iSCSI SAN: `root` gets `files`.
fn sosreport(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("sosreport-cmp07");
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::write(root.join("etc/hostname"), "cmp07\n").unwrap();
    for (p, body) in files {
        let path = root.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
    (dir, root)
}

const DMSETUP_INFO: &str = "Name                  Maj Min Stat Open Targ Event  UUID
mpathd                253   5 L--w    0    1      0 mpath-3600a098038304437415d4b6a59684a52
mpatha                253   1 L--w    1    1      0 mpath-3624a93701c0d6b3e4f5a2b1c00012a41
";
const MULTIPATH_LL: &str = "mpathd (3600a098038304437415d4b6a59684a52) dm-5 NETAPP,LUN C-Mode
size=20G features='0' hwhandler='1 alua' wp=rw
`-+- policy='service-time 0' prio=50 status=active
  |- 3:0:0:4 sdh 8:112 active ready running
  `- 4:0:0:4 sdi 8:128 active ready running
mpatha (3624a93701c0d6b3e4f5a2b1c00012a41) dm-1 PURE,FlashArray
size=40G features='0' hwhandler='1 alua' wp=rw
`-+- policy='service-time 0' prio=50 status=active
  |- 3:0:0:1 sdb 8:16 active ready running
  `- 4:0:0:1 sde 8:64 active ready running
";
const SYS_BLOCK: &str = "/sys/block:
total 0
lrwxrwxrwx. 1 root root 0 Oct 11 17:55 sda -> ../devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0/block/sda
lrwxrwxrwx. 1 root root 0 Oct 11 17:55 sdb -> ../devices/platform/host3/session1/target3:0:0/3:0:0:1/block/sdb
lrwxrwxrwx. 1 root root 0 Oct 11 17:55 sde -> ../devices/platform/host4/session2/target4:0:0/4:0:0:1/block/sde
lrwxrwxrwx. 1 root root 0 Oct 11 17:55 sdh -> ../devices/platform/host3/session1/target3:0:0/3:0:0:4/block/sdh
lrwxrwxrwx. 1 root root 0 Oct 11 17:55 sdi -> ../devices/platform/host4/session2/target4:0:0/4:0:0:4/block/sdi
lrwxrwxrwx. 1 root root 0 Oct 11 17:55 sdj -> ../devices/platform/host3/session1/target3:0:0/3:0:0:7/block/sdj
";

#[test]
fn maps_and_san_disks_are_judged_across_outputs() {
    // mpatha is instance-0000001c's disk (by WWID); mpathd is open nowhere
    // and no domain names it; sdj is an iSCSI disk no map claims.
    let xml = "<domain type='kvm'>
  <name>instance-0000001c</name>
  <uuid>5e0a2c1b-84d7-4f3e-9b61-2c7d8e9fa041</uuid>
  <devices>
    <disk type='block' device='disk'>
      <driver name='qemu' type='raw' cache='none' io='native'/>
      <source dev='/dev/disk/by-id/dm-uuid-mpath-3624a93701c0d6b3e4f5a2b1c00012a41'/>
      <target dev='vdb' bus='virtio'/>
    </disk>
  </devices>
</domain>
";
    let (_dir, root) = sosreport(&[
        ("sos_commands/devicemapper/dmsetup_info_-c", DMSETUP_INFO),
        ("sos_commands/multipath/multipath_-ll", MULTIPATH_LL),
        ("sos_commands/block/ls_-lanR_.sys.block", SYS_BLOCK),
        ("etc/libvirt/qemu/instance-0000001c.xml", xml),
    ]);
    let v = json(root.to_str().unwrap());
    let unused = finding(&v, "host.dm-unused-open-zero");
    assert_eq!(unused["severity"], "warning");
    assert!(unused["text"].as_str().unwrap().contains("mpathd"));
    let files = files_of(&unused["evidence"]);
    assert!(
        files.iter().any(|f| f.ends_with("dmsetup_info_-c")),
        "{files:?}"
    );
    assert!(
        files.iter().any(|f| f.ends_with("instance-0000001c.xml")),
        "{files:?}"
    );
    assert!(fix_text(unused).contains("multipath -f mpathd"));
    let lonely = finding(&v, "host.scsi-disk-not-in-multipath");
    let text = lonely["text"].as_str().unwrap();
    assert!(
        text.contains("sdj (iscsi)") && !text.contains("sda"),
        "{text}"
    );
    assert!(fix_text(lonely).contains("/sys/block/sdj/device/delete"));

    // Without any domain definition, the same map is only "could not compare".
    let (_dir, root) = sosreport(&[("sos_commands/devicemapper/dmsetup_info_-c", DMSETUP_INFO)]);
    let v = json(root.to_str().unwrap());
    let unused = finding(&v, "host.dm-unused-open-zero");
    assert_eq!(unused["severity"], "info");
    assert!(
        unused["text"]
            .as_str()
            .unwrap()
            .contains("could not be compared"),
        "{unused:#}"
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
            out.contains("host.nvme-error-log-entries"),
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
    for k in [
        "multipath-ll",
        "dmsetup-info",
        "lsblk",
        "ps",
        "free",
        "blockdev-report",
        "uname",
        "date",
    ] {
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

/// The real command outputs of `../shared/realworld/host-state/` (other
/// projects' fixtures and public posts; not copied into this repository)
/// are read right: every key of its `expect.toml` is scored as that file's
/// header defines it (`kind`, `count`, `facts` with the tolerant comparison
/// and the `^` `~` `#` suffixes and the multipath pseudo-keys, `must_find`,
/// `note_any`, `healthy` with `allow`; `want` is not scored). Every mismatch
/// of every file is printed, then "N/80 read right, M/80 recognised".
/// Skipped with a message where the directory is absent.
#[test]
fn real_host_state_outputs_are_read_right() {
    let dir = repo().join("../shared/realworld/host-state");
    let Ok(text) = std::fs::read_to_string(dir.join("expect.toml")) else {
        eprintln!("skipped: {} not found", dir.display());
        return;
    };
    let expect: toml::Table = toml::from_str(&text).unwrap();
    let (mut right, mut recognised) = (0, 0);
    let mut report = String::new();
    for (path, t) in &expect {
        let t = t.as_table().unwrap();
        let v = json(dir.join(path).to_str().unwrap());
        let (problems, kind_ok) = score_one(t, &v);
        recognised += usize::from(kind_ok);
        if problems.is_empty() {
            right += 1;
        } else {
            report.push_str(&format!("{path}:\n"));
            for p in problems {
                report.push_str(&format!("    {p}\n"));
            }
        }
    }
    let n = expect.len();
    let figure = format!("{right}/{n} read right, {recognised}/{n} recognised");
    eprintln!("{report}{figure}");
    assert!(right == n && recognised == n, "{figure} (mismatches above)");
}

/// The mismatches of one sample against its table, and whether its kind
/// was recognised.
fn score_one(t: &toml::Table, v: &Value) -> (Vec<String>, bool) {
    let mut problems = Vec::new();
    let host: Vec<&Value> = v["host"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let kinds: Vec<&str> = host.iter().filter_map(|h| h["kind"].as_str()).collect();
    let facts: Vec<&Value> = host
        .iter()
        .filter_map(|h| h["facts"].as_array())
        .flatten()
        .collect();
    let notes: Vec<&str> = host
        .iter()
        .filter_map(|h| h["notes"].as_array())
        .flatten()
        .filter_map(|n| n.as_str())
        .collect();
    let findings: Vec<(&str, &str)> = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["id"].as_str().unwrap_or(""),
                f["severity"].as_str().unwrap_or(""),
            )
        })
        .collect();
    let strs = |key: &str| -> Vec<&str> {
        match t.get(key) {
            Some(toml::Value::String(s)) => vec![s.as_str()],
            Some(toml::Value::Array(a)) => a.iter().filter_map(|x| x.as_str()).collect(),
            _ => Vec::new(),
        }
    };
    // kind: a string or a list of accepted kinds.
    let accepted = strs("kind");
    let kind_ok = accepted.is_empty() || kinds.iter().any(|k| accepted.contains(k));
    if !kind_ok {
        problems.push(format!("kind: want {accepted:?}, read as {kinds:?}"));
    }
    // count: exact number of facts per type.
    if let Some(counts) = t.get("count").and_then(|c| c.as_table()) {
        for (ty, want) in counts {
            let got = facts.iter().filter(|f| f["type"] == ty.as_str()).count();
            if Some(got as i64) != want.as_integer() {
                problems.push(format!("count {ty}: want {want}, got {got}"));
            }
        }
    }
    // facts: each must match one fact of its type in every key.
    for want in t
        .get("facts")
        .and_then(|f| f.as_array())
        .into_iter()
        .flatten()
    {
        let want = want.as_table().unwrap();
        let ty = want["type"].as_str().unwrap();
        let of_type: Vec<&&Value> = facts.iter().filter(|f| f["type"] == ty).collect();
        let mut best: Option<Vec<String>> = None;
        for f in &of_type {
            let misses: Vec<String> = want
                .iter()
                .filter(|(k, _)| k.as_str() != "type")
                .filter_map(|(k, w)| fact_key_mismatch(f, k, w))
                .collect();
            if best.as_ref().is_none_or(|b| misses.len() < b.len()) {
                best = Some(misses);
            }
        }
        match best {
            None => problems.push(format!("fact {}: no fact of type {ty}", toml_inline(want))),
            Some(m) if !m.is_empty() => problems.push(format!(
                "fact {}: closest {ty} differs: {}",
                toml_inline(want),
                m.join("; ")
            )),
            Some(_) => {}
        }
    }
    // must_find: "id-substring" (severity >= warning) or "id-substring@info".
    for m in strs("must_find") {
        let (sub, any_severity) = match m.split_once('@') {
            Some((s, _)) => (s, true),
            None => (m, false),
        };
        if !findings
            .iter()
            .any(|(id, sev)| id.contains(sub) && (any_severity || *sev != "info"))
        {
            problems.push(format!("must_find {m}: not raised (findings {findings:?})"));
        }
    }
    // note_any: one note contains one of these.
    let note_any = strs("note_any");
    if !note_any.is_empty()
        && !notes.iter().any(|n| {
            let n = n.to_lowercase();
            note_any.iter().any(|s| n.contains(&s.to_lowercase()))
        })
    {
        problems.push(format!("note_any {note_any:?}: notes are {notes:?}"));
    }
    // healthy: no finding of severity warning or above but the allowed
    // ones, and no diagnosis.
    if t.get("healthy").and_then(|h| h.as_bool()) == Some(true) {
        let allow = strs("allow");
        let alarms: Vec<&str> = findings
            .iter()
            .filter(|(id, sev)| *sev != "info" && !allow.iter().any(|a| id.contains(a)))
            .map(|(id, _)| *id)
            .collect();
        let causes: Vec<&str> = v["diagnoses"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d["cause"].as_str())
            .collect();
        if !alarms.is_empty() || !causes.is_empty() {
            problems.push(format!(
                "healthy: but findings {alarms:?}, diagnoses {causes:?}"
            ));
        }
    }
    (problems, kind_ok)
}

/// Why key `key` (with its suffix) of an expected fact does not match fact
/// `f`, if it does not.
fn fact_key_mismatch(f: &Value, key: &str, want: &toml::Value) -> Option<String> {
    let want_json = serde_json::to_value(want).unwrap();
    let paths = || f["paths"].as_array().into_iter().flatten();
    let (name, got, ok) = if let Some(k) = key.strip_suffix('^') {
        let got = f.get(k).cloned().unwrap_or(Value::Null);
        let ok = match (got.as_str(), want.as_str()) {
            (Some(g), Some(w)) => g.to_lowercase().starts_with(&w.to_lowercase()),
            _ => false,
        };
        (k, got, ok)
    } else if let Some(k) = key.strip_suffix('~') {
        let got = f.get(k).cloned().unwrap_or(Value::Null);
        let text = match &got {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let ok = want
            .as_str()
            .is_some_and(|w| text.to_lowercase().contains(&w.to_lowercase()));
        (k, got, ok)
    } else if let Some(k) = key.strip_suffix('#') {
        let got = f
            .get(k)
            .and_then(|x| x.as_array())
            .map(|a| Value::from(a.len()));
        let ok = got.as_ref().is_some_and(|g| same(g, &want_json));
        (k, got.unwrap_or(Value::Null), ok)
    } else if f["type"] == "multipath-map" && key == "usable_paths" {
        let got = Value::from(paths().filter(|p| p["usable"] == true).count());
        let ok = same(&got, &want_json);
        (key, got, ok)
    } else if f["type"] == "multipath-map" && (key == "failed_paths" || key == "path_devices") {
        let got = Value::Array(
            paths()
                .filter(|p| key == "path_devices" || p["usable"] != true)
                .map(|p| p["device"].clone())
                .collect(),
        );
        let ok = same(&got, &want_json);
        (key, got, ok)
    } else {
        let got = f.get(key).cloned().unwrap_or(Value::Null);
        let ok = same(&got, &want_json);
        (key, got, ok)
    };
    (!ok).then(|| format!("{name}: want {want_json}, got {got}"))
}

/// The tolerant comparison of `expect.toml`: strings case-insensitively (a
/// number read as text compares by its text), numbers within 1 % or 0.5,
/// lists as sets.
fn same(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::String(g), Value::String(w)) => g.to_lowercase() == w.to_lowercase(),
        (Value::Number(g), Value::String(w)) => g.to_string().eq_ignore_ascii_case(w),
        (Value::String(g), Value::Number(w)) => g
            .trim()
            .parse::<f64>()
            .is_ok_and(|g| near(g, w.as_f64().unwrap())),
        (Value::Number(g), Value::Number(w)) => near(g.as_f64().unwrap(), w.as_f64().unwrap()),
        (Value::Bool(g), Value::Bool(w)) => g == w,
        (Value::Array(g), Value::Array(w)) => {
            g.iter().all(|x| w.iter().any(|y| same(x, y)))
                && w.iter().all(|y| g.iter().any(|x| same(x, y)))
        }
        _ => false,
    }
}

fn near(got: f64, want: f64) -> bool {
    let d = (got - want).abs();
    d <= 0.5 || d <= want.abs() * 0.01
}

fn toml_inline(t: &toml::Table) -> String {
    serde_json::to_string(t).unwrap()
}
