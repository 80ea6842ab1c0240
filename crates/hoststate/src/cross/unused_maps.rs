//! Multipath maps with open count 0 (`dmsetup info`) against every disk a
//! domain is defined or running with (domain XML, `virsh domblklist`, qemu
//! command lines in `ps`) and what is built on the map (`dmsetup ls
//! --tree`, `lsblk`): `dm-open-zero-domain-disk` (a shut-off domain's disk,
//! not a leftover) or `dm-unused-open-zero` (unused, with what it was
//! compared with); either replaces dmsetup's own `dm-unused-open-zero`.

use std::collections::BTreeMap;

use rootline_model::FieldKind;
use serde_json::Value;

use super::{Crossed, Files, push_cite, s};
use crate::Check;

// ---------------------------------------------------------------------------
// Multipath maps with open count 0: unused, or a shut-off domain's disk?
// ---------------------------------------------------------------------------

/// A WWID in one spelling: lower case, without the NAA type-3 prefix
/// (`3600a09…` in `multipath -ll` and `scsi-` names = `600a09…` in `wwn-0x`).
fn norm_wwid(w: &str) -> String {
    let w = w.trim().to_ascii_lowercase();
    match w.strip_prefix('3') {
        Some(r) if r.len() == 32 && r.bytes().all(|b| b.is_ascii_hexdigit()) => r.to_string(),
        _ => w,
    }
}

/// What a disk source names: (map name, dm minor device `dm-N`, WWID).
fn source_keys(src: &str) -> (Option<String>, Option<String>, Option<String>) {
    let base = src.rsplit('/').next().unwrap_or(src);
    let map = src
        .strip_prefix("/dev/mapper/")
        .or_else(|| base.strip_prefix("dm-name-"))
        .map(str::to_string);
    let dm = src
        .strip_prefix("/dev/")
        .filter(|d| d.starts_with("dm-") && d[3..].bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_string);
    let wwid = base
        .strip_prefix("dm-uuid-mpath-")
        .or_else(|| base.strip_prefix("scsi-"))
        .or_else(|| base.strip_prefix("wwn-0x"))
        .map(|w| norm_wwid(w.split("-part").next().unwrap_or(w)));
    (map, dm, wwid)
}

/// A disk some domain is defined or running with.
struct DomainDisk<'a> {
    fi: usize,
    fact: &'a Value,
    domain: String,
    instance: String,
    source: String,
}

fn domain_disks<'a>(fs: &Files<'a>) -> (Vec<DomainDisk<'a>>, Vec<&'static str>) {
    let mut out = Vec::new();
    let mut kinds: Vec<&'static str> = Vec::new();
    for (fi, f) in fs.facts("domain-disk") {
        out.push(DomainDisk {
            fi,
            fact: f,
            domain: s(&f["domain"]).to_string(),
            instance: s(&f["instance"]).to_string(),
            source: s(&f["source"]).to_string(),
        });
    }
    if fs.facts("domain").next().is_some() || !out.is_empty() {
        kinds.push("domain XML");
    }
    let n = out.len();
    for (fi, f) in fs.facts("domain-block") {
        out.push(DomainDisk {
            fi,
            fact: f,
            domain: String::new(),
            instance: String::new(),
            source: s(&f["source"]).to_string(),
        });
    }
    if out.len() > n {
        kinds.push("virsh domblklist");
    }
    for (fi, f) in fs.facts("qemu-process") {
        let domain = s(&f["domain"]).to_string();
        let instance = s(&f["instance"]).to_string();
        for d in f["disks"].as_array().into_iter().flatten() {
            out.push(DomainDisk {
                fi,
                fact: f,
                domain: domain.clone(),
                instance: instance.clone(),
                source: s(d).to_string(),
            });
        }
        for w in f["wwids"].as_array().into_iter().flatten() {
            out.push(DomainDisk {
                fi,
                fact: f,
                domain: domain.clone(),
                instance: instance.clone(),
                source: format!("/dev/disk/by-id/dm-uuid-mpath-{}", s(w)),
            });
        }
    }
    if fs.facts("qemu-process").next().is_some() {
        kinds.push("qemu command lines (ps)");
    }
    (out, kinds)
}

pub(super) fn unused_maps(fs: &Files<'_>, out: &mut Crossed) {
    // Maps by name: every dmsetup info line that says open count 0.
    let mut maps: BTreeMap<String, Vec<(usize, &Value)>> = BTreeMap::new();
    for (fi, f) in fs.facts("dm-device") {
        if f["subsystem"] == "mpath" && f["open"].as_u64() == Some(0) {
            maps.entry(s(&f["name"]).to_string())
                .or_default()
                .push((fi, f));
        }
    }
    if maps.is_empty() {
        return;
    }
    for fi in fs.files_with_check(crate::id::DM_UNUSED_OPEN_ZERO.as_str()) {
        out.superseded
            .push((fi, crate::id::DM_UNUSED_OPEN_ZERO.as_str().to_string()));
    }
    let (disks, kinds) = domain_disks(fs);
    for (name, infos) in &maps {
        let (_, f0) = infos[0];
        let wwid = norm_wwid(s(&f0["wwid"]));
        let dm = s(&f0["device"]).to_string();
        // The paths under the map, from multipath -ll, for the fix.
        let paths: Vec<String> = fs
            .facts("multipath-map")
            .filter(|(_, m)| s(&m["name"]) == name)
            .flat_map(|(_, m)| m["paths"].as_array().cloned().unwrap_or_default())
            .filter_map(|p| p["device"].as_str().map(str::to_string))
            .collect();
        // Holders: a device built on the map (a partition, an LV).
        let holders: Vec<(usize, &Value)> = fs
            .facts("dm-device")
            .filter(|(_, d)| {
                d["depends_on"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|x| s(x) == name))
            })
            .chain(fs.facts("block-device").filter(|(_, d)| {
                d["dev_type"] != "mpath"
                    && d["parents"]
                        .as_array()
                        .is_some_and(|a| a.iter().any(|x| s(x) == name))
            }))
            .collect();
        let users: Vec<&DomainDisk<'_>> = disks
            .iter()
            .filter(|d| {
                let (m, dmd, w) = source_keys(&d.source);
                m.as_deref() == Some(name.as_str())
                    || (!dm.is_empty() && dmd.as_deref() == Some(dm.as_str()))
                    || (!wwid.is_empty() && w.as_deref() == Some(wwid.as_str()))
            })
            .collect();
        let mut c;
        if let Some(u) = users.first() {
            c = Check::raise(crate::id::DM_OPEN_ZERO_DOMAIN_DISK);
            if !u.domain.is_empty() {
                c.bind("user_domain", &u.domain);
            }
            c.bind("disk", &u.source);
            for (fi, f) in infos {
                push_cite(&mut c, fs.cite_fact(*fi, f));
            }
            for u in users.iter().take(3) {
                let line = u.fact["source-line"]
                    .as_u64()
                    .or_else(|| u.fact["line"].as_u64());
                if let Some(l) = line {
                    push_cite(&mut c, fs.cite(u.fi, l));
                }
                if !u.domain.is_empty() {
                    c.add_field("domain", &u.domain, FieldKind::Domain);
                }
                if !u.instance.is_empty() {
                    c.add_field("instance", &u.instance, FieldKind::Uuid);
                }
            }
        } else if !holders.is_empty() {
            // Something is built on it (the outputs disagree on the open
            // count): not unused either.
            continue;
        } else if kinds.is_empty() {
            // No domain definition to compare with.
            c = Check::raise(crate::id::DM_UNUSED_OPEN_ZERO);
            c.flag("host_level", true);
            for (fi, f) in infos {
                push_cite(&mut c, fs.cite_fact(*fi, f));
            }
        } else {
            c = Check::raise(crate::id::DM_UNUSED_OPEN_ZERO);
            c.flag("host_level", true);
            c.bind("disks", disks.len());
            c.bind("compared", kinds.join(", "));
            for (fi, f) in infos {
                push_cite(&mut c, fs.cite_fact(*fi, f));
            }
            // What it was compared with: the first disk definition of each file.
            let mut seen = Vec::new();
            for d in &disks {
                if seen.contains(&d.fi) {
                    continue;
                }
                seen.push(d.fi);
                let line = d.fact["source-line"]
                    .as_u64()
                    .or_else(|| d.fact["line"].as_u64());
                if let Some(l) = line {
                    push_cite(&mut c, fs.cite(d.fi, l));
                }
            }
        }
        if c.id != crate::id::DM_OPEN_ZERO_DOMAIN_DISK.as_str() {
            // The paths under the map, for the fix.
            let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
            c.bind_list("stale", paths.iter().copied());
            // The WWID as a disk source names it (without its `3`).
            if !wwid.is_empty() {
                c.bind("wwid_bare", &wwid);
            }
        }
        c.add_field("map", name, FieldKind::Map);
        if !wwid.is_empty() {
            c.add_field("wwid", s(&f0["wwid"]), FieldKind::Wwid);
        }
        if let Some(d) = f0["devnum"].as_str() {
            c.add_field("devnum", d, FieldKind::DevNum);
        }
        if !dm.is_empty() {
            c.add_field("device", &dm, FieldKind::Device);
        }
        out.checks.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{cited_files, cross, one};
    use rootline_model::Severity;

    // dmsetup info -c as sos runs it: mpathd is open nowhere.
    const DMSETUP: &str = include_str!("../../tests/captures/cross/unused-map/dmsetup_info_-c");
    const MULTIPATH_LL: &str = include_str!("../../tests/captures/cross/unused-map/multipath_-ll");

    /// A domain with one multipath disk, its source given.
    fn domain_xml(source: &str) -> String {
        include_str!("../../tests/captures/cross/unused-map/instance-0000001c.xml").replace(
            "/dev/disk/by-id/dm-uuid-mpath-3600a098038304437415d4b6a59684a52",
            source,
        )
    }

    #[test]
    fn a_map_a_domain_uses_is_not_unused() {
        for source in [
            "/dev/disk/by-id/dm-uuid-mpath-3600a098038304437415d4b6a59684a52",
            "/dev/mapper/mpathd",
            "/dev/dm-5",
        ] {
            let xml = domain_xml(source);
            let (_, c) = cross(&[
                ("sos_commands/devicemapper/dmsetup_info_-c", DMSETUP),
                ("etc/libvirt/qemu/instance-0000001c.xml", &xml),
            ]);
            assert!(
                c.superseded
                    .contains(&(0, "dm-unused-open-zero".to_string()))
            );
            assert!(
                c.checks.iter().all(|x| x.id != "dm-unused-open-zero"),
                "{source}"
            );
            let v = one(&c, "dm-open-zero-domain-disk");
            assert_eq!(v.severity, Severity::Info);
            assert!(v.en.contains("domain instance-0000001c"), "{}", v.en);
            assert_eq!(cited_files(v).len(), 2, "{v:#?}");
        }
    }

    #[test]
    fn an_unused_map_is_compared_with_every_domain() {
        let xml = domain_xml("/dev/disk/by-id/dm-uuid-mpath-3624a93701c0d6b3e4f5a2b1c00012a41");
        let (_, c) = cross(&[
            ("sos_commands/devicemapper/dmsetup_info_-c", DMSETUP),
            ("sos_commands/multipath/multipath_-ll", MULTIPATH_LL),
            ("etc/libvirt/qemu/instance-0000001c.xml", &xml),
        ]);
        let v = one(&c, "dm-unused-open-zero");
        assert_eq!(v.severity, Severity::Warning);
        assert!(
            v.en.contains("mpathd") && v.en.contains("domain XML"),
            "{}",
            v.en
        );
        assert_eq!(cited_files(v).len(), 2);
        let cmds: Vec<&str> = v.fix.iter().filter_map(|f| f.command.as_deref()).collect();
        assert!(cmds.contains(&"multipath -f mpathd"), "{cmds:?}");
        assert!(
            cmds.iter()
                .any(|c| c.contains("/sys/block/sdh/device/delete")),
            "{cmds:?}"
        );
    }

    #[test]
    fn without_domain_definitions_the_map_could_not_be_compared() {
        let (_, c) = cross(&[("sos_commands/devicemapper/dmsetup_info_-c", DMSETUP)]);
        let v = one(&c, "dm-unused-open-zero");
        assert_eq!(v.severity, Severity::Info);
        assert!(v.en.contains("could not be compared"), "{}", v.en);
    }

    #[test]
    fn a_map_with_something_built_on_it_is_not_unused() {
        let tree = include_str!("../../tests/captures/cross/unused-map/dmsetup_ls_--tree");
        let (_, c) = cross(&[
            ("sos_commands/devicemapper/dmsetup_info_-c", DMSETUP),
            ("sos_commands/devicemapper/dmsetup_ls_--tree", tree),
        ]);
        assert!(c.checks.is_empty(), "{:#?}", c.checks);
    }
}
