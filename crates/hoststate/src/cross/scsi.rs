//! `scsi-disk-not-in-multipath`: SAN disks (iSCSI or FC by `lsblk`'s
//! transport, `/sys/block` links or `iscsiadm` sessions) that no multipath
//! map claims, on a host with multipath output (and a map, or nova.conf
//! asking for multipath).

use std::collections::BTreeMap;

use rootline_model::FieldKind;
use serde_json::Value;

use super::{Crossed, Files, push_cite, s};
use crate::{Check, Cite};

// ---------------------------------------------------------------------------
// SAN disks that no multipath map claims
// ---------------------------------------------------------------------------

fn is_sd(name: &str) -> bool {
    name.len() > 2 && name.starts_with("sd") && name[2..].bytes().all(|b| b.is_ascii_lowercase())
}

pub(super) fn scsi_outside_multipath(fs: &Files<'_>, out: &mut Crossed) {
    let maps: Vec<(usize, &Value)> = fs.facts("multipath-map").collect();
    let mp_output =
        fs.0.iter()
            .any(|(_, st)| matches!(st.kind, Some("multipath-ll" | "multipathd-show")));
    if !mp_output {
        return; // nothing to compare with
    }
    // Without a single map, only a host told to use multipath for volumes
    // says that a SAN disk should be in one.
    let nova_wants = fs
        .facts("multipath-setting")
        .any(|(_, f)| f["service"] == "nova" && f["explicit"] == true && f["value"] == true);
    if maps.is_empty() && !nova_wants {
        return;
    }
    let mut claimed: Vec<String> = maps
        .iter()
        .flat_map(|(_, m)| m["paths"].as_array().cloned().unwrap_or_default())
        .filter_map(|p| p["device"].as_str().map(str::to_string))
        .collect();
    // lsblk shows a map as the child of each of its paths.
    for (_, f) in fs.facts("block-device") {
        if f["dev_type"] == "mpath" {
            for p in f["parents"].as_array().into_iter().flatten() {
                claimed.push(s(p).to_string());
            }
        }
    }
    // SAN disks: a transport that says so (local SATA/SAS boot disks and
    // virtio disks are never expected in a map).
    let mut san: BTreeMap<String, (&'static str, Vec<Cite>)> = BTreeMap::new();
    let mut note = |dev: &str, tr: &'static str, cite: Option<Cite>| {
        let e = san.entry(dev.to_string()).or_insert((tr, Vec::new()));
        if let Some(c) = cite
            && !e.1.contains(&c)
        {
            e.1.push(c);
        }
    };
    for (fi, f) in fs.facts("block-device") {
        let name = s(&f["name"]);
        let tran = s(&f["tran"]);
        if is_sd(name) && matches!(tran, "iscsi" | "fc") && f["dev_type"] != "part" {
            note(
                name,
                if tran == "fc" { "fc" } else { "iscsi" },
                fs.cite_fact(fi, f),
            );
        }
    }
    for (fi, f) in fs.facts("sysfs-block") {
        let name = s(&f["device"]);
        let tr = s(&f["transport"]);
        if is_sd(name) && matches!(tr, "iscsi" | "fc") {
            note(
                name,
                if tr == "fc" { "fc" } else { "iscsi" },
                fs.cite_fact(fi, f),
            );
        }
    }
    for (fi, f) in fs.facts("iscsi-session") {
        for d in f["disks"].as_array().into_iter().flatten() {
            let name = s(&d["device"]);
            if is_sd(name) {
                let cite = d["line"].as_u64().and_then(|l| fs.cite(fi, l));
                note(name, "iscsi", cite);
            }
        }
    }
    let lonely: Vec<(&String, &(&'static str, Vec<Cite>))> =
        san.iter().filter(|(d, _)| !claimed.contains(d)).collect();
    if lonely.is_empty() {
        return;
    }
    let list = lonely
        .iter()
        .map(|(d, (tr, _))| format!("{d} ({tr})"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut c = Check::raise(crate::id::SCSI_DISK_NOT_IN_MULTIPATH);
    c.bind("disks", list);
    // nova.conf wants multipath for volumes, but there is no map at all.
    c.flag("no_maps", maps.is_empty());
    for (d, (_, cites)) in &lonely {
        c.add_field("device", d, FieldKind::Device);
        for x in cites.iter().take(3) {
            c.add_cite(x);
        }
    }
    match maps.first() {
        Some((fi, m)) => push_cite(&mut c, fs.cite_fact(*fi, m)),
        None => {
            if let Some((fi, f)) = fs
                .facts("multipath-setting")
                .find(|(_, f)| f["service"] == "nova" && f["explicit"] == true)
            {
                push_cite(&mut c, f["line"].as_u64().and_then(|l| fs.cite(fi, l)));
            }
        }
    }
    let devs: Vec<&str> = lonely.iter().map(|(d, _)| d.as_str()).collect();
    c.bind_list("dev", devs.iter().copied());
    out.checks.push(c);
}

#[cfg(test)]
mod tests {
    use super::super::tests::{cited_files, cross, one};

    // The maps of the unused-map test.
    const MULTIPATH_LL: &str = include_str!("../../tests/captures/cross/unused-map/multipath_-ll");

    #[test]
    fn san_disks_outside_every_map_but_not_local_disks() {
        // ls -l /sys/block: sdb/sde/sdh/sdi are iSCSI sessions, sdj is
        // iSCSI too, sda is the SATA boot disk, vda a virtio disk.
        let sys =
            include_str!("../../tests/captures/cross/scsi-not-in-multipath/ls_-lanR_.sys.block");
        let (_, c) = cross(&[
            ("sos_commands/block/ls_-lanR_.sys.block", sys),
            ("sos_commands/multipath/multipath_-ll", MULTIPATH_LL),
        ]);
        let v = one(&c, "scsi-disk-not-in-multipath");
        assert!(v.en.contains("sdj (iscsi)"), "{}", v.en);
        for d in ["sda", "sdb", "sdh", "vda"] {
            assert!(!v.en.contains(&format!("{d} ")), "{d}: {}", v.en);
        }
        assert_eq!(
            cited_files(v),
            [
                "sos_commands/block/ls_-lanR_.sys.block",
                "sos_commands/multipath/multipath_-ll"
            ]
        );
        assert!(v.fields.iter().any(|f| f.0 == "device" && f.1 == "sdj"));

        // Every SAN disk in a map: nothing to say.
        let all_in = sys.replace(
            "lrwxrwxrwx. 1 root root 0 Oct 11 17:55 sdj -> ../devices/platform/host3/session1/target3:0:0/3:0:0:7/block/sdj\n",
            "",
        );
        let (_, c) = cross(&[("sys", &all_in), ("multipath_-ll", MULTIPATH_LL)]);
        assert!(c.checks.is_empty(), "{:#?}", c.checks);
        // No multipath output at all: nothing to compare with.
        let (_, c) = cross(&[("sos_commands/block/ls_-lanR_.sys.block", sys)]);
        assert!(c.checks.is_empty(), "{:#?}", c.checks);
    }

    #[test]
    fn lsblk_scsi_transports_tell_san_disks_from_the_boot_disk() {
        // `lsblk --scsi` on an iSCSI initiator (VirtualBox SATA boot disk,
        // a LIO target's LUN), from a public iSCSI lab write-up found with
        // the code search; multipath has a map of another LUN only.
        let lsblk = include_str!("../../tests/captures/cross/scsi-not-in-multipath/lsblk_-S");
        let mpathd: String = MULTIPATH_LL
            .lines()
            .take(5)
            .map(|l| format!("{l}\n"))
            .collect();
        let (st, c) = cross(&[
            ("sos_commands/block/lsblk_-S", lsblk),
            ("sos_commands/multipath/multipath_-ll", &mpathd),
        ]);
        assert!(
            st[0]
                .1
                .facts
                .iter()
                .any(|f| f["name"] == "sdb" && f["tran"] == "iscsi"),
            "{:#?}",
            st[0].1.facts
        );
        let v = one(&c, "scsi-disk-not-in-multipath");
        assert!(
            v.en.contains("sdb (iscsi)") && !v.en.contains("sda"),
            "{}",
            v.en
        );
        assert!(
            v.evidence
                .iter()
                .any(|e| e.text.starts_with("sdb  3:0:0:0"))
        );
    }
}
