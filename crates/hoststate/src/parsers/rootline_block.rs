//! rootline's sysfs/procfs block snapshot (`sos_commands/rootline/block.json`,
//! written by `rootline collect` and `analyze --live`): facts
//! `block-device`, `dm-device`, `multipath-map`, `loop-device`, `mount`,
//! `swap`, `fuse-connection`, `io-in-flight`. Checks: `loop-backing-deleted`,
//! `scsi-device-offline`, `dm-map-suspended` (the ids, words and fields of
//! the `losetup`, `multipath -ll`/`lsblk` and `dmsetup` checks, so that the
//! same device seen in their output is one finding), and, from what only
//! the snapshot shows: `fuse-requests-waiting` (a FUSE daemon that does not
//! answer), `loop-backing-not-answering` (a loop device whose backing file
//! lies on such a mount), `loop-backing-remote`, `io-in-flight` (requests
//! in flight on a device whose I/O cannot complete).

use rootline_model::FieldKind;
use serde_json::{Value, json};

use super::rootline_common::{Record, cite, json_head, records, s};
use super::{HostParser, Kind};
use crate::{Check, Cite, HostState};

/// `block.json` of rootline's snapshot.
pub(super) struct RootlineBlock;

impl HostParser for RootlineBlock {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::LiveBlock]
    }
    fn by_content(&self, _rel_path: &str, sample: &str) -> Option<Kind> {
        let head = json_head(sample)?;
        head.contains("\"format\":\"rootline-block\"")
            .then_some(Kind::LiveBlock)
    }
    fn parse(&self, _kind: Kind, text: &str) -> HostState {
        parse_block(text)
    }
}

/// A FUSE mount with requests waiting for its daemon.
struct Stalled {
    id: u64,
    waiting: u64,
    mountpoint: String,
    fstype: String,
    source: String,
    line: u64,
    text: String,
}

/// The mount a path lies under (longest mount point prefix).
fn mount_of<'m>(mounts: &'m [(String, Value)], path: &str) -> Option<&'m Value> {
    mounts
        .iter()
        .filter(|(mp, _)| {
            let mp = mp.trim_end_matches('/');
            mp.is_empty()
                || path == mp
                || (path.starts_with(mp) && path.as_bytes().get(mp.len()) == Some(&b'/'))
        })
        .max_by_key(|(mp, _)| mp.trim_end_matches('/').len())
        .map(|(_, v)| v)
}

fn dev_type(name: &str, dm_uuid: Option<&str>) -> &'static str {
    if name.starts_with("loop") {
        "loop"
    } else if let Some(u) = dm_uuid {
        if u.starts_with("mpath-") {
            "mpath"
        } else if u.starts_with("LVM-") {
            "lvm"
        } else if u.starts_with("CRYPT-") {
            "crypt"
        } else {
            "dm"
        }
    } else if name.starts_with("dm-") {
        "dm"
    } else if name.starts_with("sr") {
        "rom"
    } else {
        "disk"
    }
}

fn parse_block(text: &str) -> HostState {
    let mut st = HostState::default();
    let recs = records(text);
    if recs.is_empty() {
        st.notes
            .push("no device, mount or swap records (cut or empty snapshot)".to_string());
    }
    let mounts: Vec<(String, Value)> = recs
        .iter()
        .filter(|r| r.section == "mounts")
        .filter_map(|r| Some((s(&r.value, "mountpoint")?.to_string(), r.value.clone())))
        .collect();
    let mut stalled: Vec<Stalled> = Vec::new();
    for r in recs.iter().filter(|r| r.section == "fuse") {
        let v = &r.value;
        let waiting = v["waiting"].as_u64().unwrap_or(0);
        let id = v["id"].as_u64().unwrap_or(0);
        let mp = s(v, "mountpoint").unwrap_or_default().to_string();
        st.facts.push(json!({
            "type": "fuse-connection", "line": r.line, "id": id, "waiting": waiting,
            "mountpoint": mp, "fstype": v["fstype"], "source": v["source"],
        }));
        if waiting == 0 {
            continue;
        }
        let stall = Stalled {
            id,
            waiting,
            fstype: s(v, "fstype").unwrap_or("fuse").to_string(),
            source: s(v, "source").unwrap_or_default().to_string(),
            mountpoint: mp,
            line: r.line,
            text: r.text.to_string(),
        };
        st.checks.push(fuse_check(&stall, &cite(r)));
        stalled.push(stall);
    }
    for r in recs.iter().filter(|r| r.section == "mounts") {
        let v = &r.value;
        st.facts.push(json!({
            "type": "mount", "line": r.line, "source": v["source"], "mountpoint": v["mountpoint"],
            "fstype": v["fstype"], "devnum": v["dev"],
        }));
    }
    for r in recs.iter().filter(|r| r.section == "swaps") {
        let v = &r.value;
        st.facts.push(json!({
            "type": "swap", "line": r.line, "filename": v["filename"], "kind": v["kind"],
            "size_kib": v["size_kib"], "used_kib": v["used_kib"],
        }));
    }
    for r in recs.iter().filter(|r| r.section == "devices") {
        device(&mut st, r, &mounts, &stalled);
    }
    st
}

fn device(st: &mut HostState, r: &Record<'_>, mounts: &[(String, Value)], stalled: &[Stalled]) {
    let v = &r.value;
    let Some(name) = s(v, "name") else { return };
    let devnum = s(v, "dev");
    let dm_name = v["dm"]["name"].as_str();
    let dm_uuid = v["dm"]["uuid"].as_str();
    st.facts.push(json!({
        "type": "block-device", "line": r.line, "name": name, "devnum": devnum,
        "dev_type": dev_type(name, dm_uuid),
        "size_kib": v["size_bytes"].as_u64().map(|b| b / 1024),
        "ro": v["ro"], "holders": v["holders"], "slaves": v["slaves"],
    }));
    let inflight =
        v["inflight"]["read"].as_u64().unwrap_or(0) + v["inflight"]["write"].as_u64().unwrap_or(0);
    if inflight > 0 {
        st.facts.push(json!({
            "type": "io-in-flight", "line": r.line, "device": name,
            "read": v["inflight"]["read"], "write": v["inflight"]["write"],
        }));
    }
    // Why I/O on this device cannot complete, if it cannot.
    let mut stuck: Option<Stuck> = None;

    if let Some(map) = dm_name {
        let wwid = dm_uuid.and_then(|u| u.strip_prefix("mpath-"));
        let suspended = v["dm"]["suspended"].as_bool() == Some(true);
        st.facts.push(json!({
            "type": "dm-device", "line": r.line, "name": map, "devnum": devnum, "device": name,
            "uuid": dm_uuid, "suspended": suspended,
        }));
        if let Some(w) = wwid {
            let paths: Vec<Value> = v["slaves"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p.as_str())
                .map(|p| json!({"device": p}))
                .collect();
            st.facts.push(json!({
                "type": "multipath-map", "line": r.line, "name": map, "wwid": w, "dm": name,
                "paths": paths,
            }));
        }
        if suspended {
            let mut c = crate::parsers::block_common::dm_suspended_check(
                map,
                wwid,
                devnum.unwrap_or_default(),
                name,
            );
            c.add_cite(&cite(r));
            st.checks.push(c);
            stuck = Some(Stuck::Suspended(map));
        }
    }

    if let Some(state) = v["scsi"]["state"].as_str()
        && !matches!(state, "running" | "live")
    {
        let mut c = crate::parsers::block_common::scsi_offline_check(
            name,
            state,
            devnum,
            "sysfs device/state",
        );
        c.add_cite(&cite(r));
        st.checks.push(c);
        stuck = Some(Stuck::Offline(state));
    }

    if let Some(file) = v["loop"]["backing_file"].as_str() {
        let deleted = v["loop"]["backing_deleted"].as_bool() == Some(true);
        st.facts.push(json!({
            "type": "loop-device", "line": r.line, "device": name, "backing_file": file,
            "deleted": deleted, "devnum": devnum,
        }));
        let dev = format!("/dev/{name}");
        // Where it is mounted, if it is (its own file system, by device).
        let mounted: Vec<&str> = mounts
            .iter()
            .filter(|(_, m)| {
                m["source"].as_str() == Some(dev.as_str())
                    || (devnum.is_some() && m["dev"].as_str() == devnum)
            })
            .map(|(mp, _)| mp.as_str())
            .collect();
        if deleted {
            st.checks
                .push(crate::parsers::block_common::loop_backing_deleted(
                    &dev,
                    file,
                    &cite(r),
                    &mounted,
                ));
        }
        let on = mount_of(mounts, file);
        if let Some(m) = on
            && let Some(fuse) = stalled
                .iter()
                .find(|f| Some(f.mountpoint.as_str()) == m["mountpoint"].as_str())
        {
            let mut c = Check::raise(crate::id::LOOP_BACKING_NOT_ANSWERING);
            c.add_field_once("device", name, FieldKind::Device);
            c.add_field_once("path", file, FieldKind::Path);
            if let Some(d) = devnum {
                c.add_field_once("devnum", d, FieldKind::DevNum);
            }
            c.add_cite(&cite(r));
            c.add_cite(&Cite::at(fuse.line, &fuse.text));
            c.bind("loop", &dev);
            bind_fuse(&mut c, fuse);
            c.bind("mount", &fuse.mountpoint);
            c.bind("daemon", fuse.fstype.trim_start_matches("fuse."));
            st.checks.push(c);
            stuck = Some(Stuck::Fuse(&fuse.mountpoint));
        } else if let Some(m) = on
            && let Some(fstype) = m["fstype"].as_str().filter(|t| remote_fs(t))
        {
            let mp = m["mountpoint"].as_str().unwrap_or_default();
            let source = m["source"].as_str().unwrap_or_default();
            let mut c = if inflight > 0 {
                // Without fusectl (not mounted on many hosts) or for NFS,
                // the requests pending on the loop device are what shows
                // its backing store not completing them.
                stuck = Some(Stuck::Remote(fstype, mp));
                let mut c = Check::raise(crate::id::LOOP_BACKING_NOT_ANSWERING);
                c.bind("inflight", inflight);
                c
            } else {
                // Not a finding by itself (info): the context that makes the
                // loop device's I/O errors the backing store's, not snap noise.
                Check::raise(crate::id::LOOP_BACKING_REMOTE)
            };
            c.add_field_once("device", name, FieldKind::Device);
            c.add_field_once("path", file, FieldKind::Path);
            c.add_cite(&cite(r));
            c.bind("loop", &dev);
            c.bind("fstype", fstype);
            if !source.is_empty() {
                c.bind("source", source);
            }
            c.bind("mount", mp);
            st.checks.push(c);
        }
    }

    if inflight > 0
        && let Some(why) = stuck
    {
        let mut c = Check::raise(crate::id::IO_IN_FLIGHT);
        c.add_field_once("device", name, FieldKind::Device);
        c.add_cite(&cite(r));
        c.bind("inflight", inflight);
        match why {
            Stuck::Suspended(map) => c.bind("suspended_map", map),
            Stuck::Offline(state) => c.bind("scsi_state", state),
            Stuck::Fuse(mp) => c.bind("stalled_mount", mp),
            Stuck::Remote(fstype, mp) => {
                c.bind("remote_fstype", fstype);
                c.bind("remote_mount", mp);
            }
        }
        st.checks.push(c);
    }
}

/// Why the I/O in flight on a device does not complete.
enum Stuck<'a> {
    /// Its dm map is suspended.
    Suspended(&'a str),
    /// Its SCSI device is in this state (offline, blocked…).
    Offline(&'a str),
    /// Its loop backing file is on this FUSE mount, whose daemon does not
    /// answer.
    Fuse(&'a str),
    /// Its loop backing file is on a remote file system (type, mount).
    Remote(&'a str, &'a str),
}

/// File systems whose I/O goes to a server or a user-space daemon.
fn remote_fs(fstype: &str) -> bool {
    fstype == "fuse"
        || fstype.starts_with("fuse.")
        || fstype.starts_with("nfs")
        || matches!(
            fstype,
            "cifs" | "smb3" | "glusterfs" | "ceph" | "9p" | "virtiofs"
        )
}

fn fuse_check(f: &Stalled, at: &Cite) -> Check {
    let mut c = Check::raise(crate::id::FUSE_REQUESTS_WAITING);
    c.add_field_once("path", &f.mountpoint, FieldKind::Path);
    c.add_cite(at);
    bind_fuse(&mut c, f);
    c
}

/// What the text says of a FUSE connection with requests waiting.
fn bind_fuse(c: &mut Check, f: &Stalled) {
    c.bind("fstype", &f.fstype);
    if !f.source.is_empty() {
        c.bind("source", &f.source);
    }
    c.bind("waiting", f.waiting);
    c.bind("connection", f.id);
}

#[cfg(test)]
mod tests {
    use super::super::rootline_common::{has, ids};
    use super::*;
    use rootline_model::Severity;

    /// What `rootline collect` wrote on a host with a deleted loop backing
    /// file (loop3), a loop device on an sshfs mount whose daemon stopped
    /// answering (loop5), an offline path under a suspended multipath map.
    const BLOCK: &str = include_str!("../../tests/captures/rootline-block/block.json");

    #[test]
    fn recognised_by_content() {
        assert_eq!(
            RootlineBlock.by_content("x/sos_commands/rootline/block.json", BLOCK),
            Some(Kind::LiveBlock)
        );
        assert_eq!(RootlineBlock.by_content("x/data.json", "{\"a\":1}"), None);
    }

    #[test]
    fn block_snapshot_checks() {
        let st = crate::parse(Kind::LiveBlock, BLOCK);
        assert_eq!(
            ids(&st),
            vec![
                "fuse-requests-waiting",
                "dm-map-suspended",
                "io-in-flight",
                "loop-backing-deleted",
                "loop-backing-not-answering",
                "io-in-flight",
                "scsi-device-offline",
            ]
        );
        let deleted = &st.checks[3];
        // The words and fields of `losetup`'s check: one finding for both.
        assert_eq!(
            deleted.en,
            "loop device /dev/loop3 is backed by a deleted file /var/tmp/x.img: its space stays allocated and the data is unreachable by path"
        );
        assert!(has(deleted, "device", "loop3") && has(deleted, "path", "/var/tmp/x.img"));
        assert_eq!(deleted.evidence[0].line, 4);
        assert_eq!(
            deleted.fix.last().unwrap().command.as_deref(),
            Some("losetup -d /dev/loop3")
        );
        let stalled = &st.checks[4];
        assert_eq!(stalled.severity, Severity::Error);
        assert!(
            stalled
                .en
                .contains("fuse.sshfs at /mnt/remote images (backup@10.0.0.7:/srv/images)"),
            "{}",
            stalled.en
        );
        assert!(
            has(stalled, "device", "loop5") && has(stalled, "path", "/mnt/remote images/vm7.img")
        );
        assert_eq!(
            stalled.evidence.iter().map(|e| e.line).collect::<Vec<_>>(),
            vec![5, 15]
        );
        assert!(
            stalled
                .fix
                .iter()
                .any(|f| f.command.as_deref() == Some("echo 1 > /sys/fs/fuse/connections/52/abort"))
        );
        let inflight = &st.checks[5];
        assert!(
            inflight
                .en
                .starts_with("3 I/O request(s) in flight on loop5"),
            "{}",
            inflight.en
        );
        assert!(st.checks[2].en.contains("dm map mpathc is suspended"));
        assert!(has(&st.checks[6], "device", "sdc") && has(&st.checks[6], "devnum", "8:32"));
        let mp = st
            .facts
            .iter()
            .find(|f| f["type"] == "multipath-map")
            .unwrap();
        assert_eq!(mp["wwid"], "3600a098038304437415d4b6a59684a52");
        assert_eq!(mp["paths"][0]["device"], "sdc");
        assert_eq!(
            st.facts
                .iter()
                .filter(|f| f["type"] == "loop-device")
                .count(),
            2
        );
    }

    #[test]
    fn a_cut_snapshot_keeps_whole_records() {
        let cut = BLOCK.find("\"mounts\"").unwrap();
        let st = parse_block(&BLOCK[..cut]);
        // Devices before the cut are read; no mount to resolve loop5's
        // backing store, so no stall is claimed.
        assert!(ids(&st).contains(&"loop-backing-deleted"));
        assert!(!ids(&st).contains(&"loop-backing-not-answering"));
    }
}
