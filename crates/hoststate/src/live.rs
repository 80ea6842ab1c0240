//! What `rootline collect` (and `analyze --live`) writes about the host it
//! ran on: the sysfs/procfs snapshot (`sos_commands/rootline/block.json`,
//! `tasks.json`; shapes in `rootline_live::sys`) and its manifest.
//!
//! Kinds owned here: LiveBlock, LiveTasks, LiveManifest.
//!
//! Checks raised here: `loop-backing-deleted`, `scsi-device-offline`,
//! `dm-map-suspended`, `process-d-state` (the ids, words and fields of
//! `block.rs` and `virt.rs`, so that the same device or task seen in
//! `losetup` or `ps` output is one finding), and, from what only the
//! snapshot shows: `fuse-requests-waiting` (a FUSE daemon that does not
//! answer), `loop-backing-not-answering` (a loop device whose backing file
//! lies on such a mount), `io-in-flight` (requests in flight on a device
//! whose I/O cannot complete). From the manifest: sos's
//! `command-timed-out`, `collection-redacted` and `collection-reduced`.
//!
//! The snapshot JSON keeps one record per line, so records are read line
//! by line: a document cut at the host-state cap still yields every whole
//! record before the cut, and a check cites its record's line.

use rootline_model::FieldKind;
use serde_json::{Value, json};

use crate::parsers::Kind;
use crate::{Check, Cite, HostState};

pub(crate) fn recognise(rel_path: &str, sample: &str) -> Option<Kind> {
    let t = sample.trim_start();
    if !t.starts_with('{') {
        return None;
    }
    let head = &t[..t.len().min(200)];
    if head.contains("\"format\":\"rootline-block\"") {
        return Some(Kind::LiveBlock);
    }
    if head.contains("\"format\":\"rootline-tasks\"") {
        return Some(Kind::LiveTasks);
    }
    let named = rel_path.ends_with("sos_reports/manifest.json") || rel_path == "manifest.json";
    (named && head.contains("\"collector\": \"rootline\"")).then_some(Kind::LiveManifest)
}

pub(crate) fn parse(kind: Kind, text: &str) -> Option<HostState> {
    match kind {
        Kind::LiveBlock => Some(parse_block(text)),
        Kind::LiveTasks => Some(parse_tasks(text)),
        Kind::LiveManifest => Some(parse_manifest(text)),
        _ => None,
    }
}

/// One record of a snapshot document: its section, 1-based line, the
/// line's text and the parsed value.
struct Record<'a> {
    section: &'a str,
    line: u64,
    text: &'a str,
    value: Value,
}

fn records(text: &str) -> Vec<Record<'_>> {
    let mut out = Vec::new();
    let mut section = "";
    for (i, l) in text.lines().enumerate() {
        let t = l.trim_end();
        if let Some(rest) = t.strip_prefix('"')
            && let Some(name) = rest
                .strip_suffix("\":[")
                .or_else(|| rest.strip_suffix("\":[]"))
        {
            section = name;
            continue;
        }
        if !t.starts_with('{') || section.is_empty() {
            continue;
        }
        let body = t.strip_suffix(',').unwrap_or(t);
        if let Ok(v) = serde_json::from_str::<Value>(body) {
            out.push(Record {
                section,
                line: i as u64 + 1,
                text: t,
                value: v,
            });
        }
    }
    out
}

/// A record line as cited: long lines (a qemu command line) are cut.
fn cite(r: &Record<'_>) -> Cite {
    let t = r.text;
    if t.len() <= 300 {
        return Cite::at(r.line, t);
    }
    let mut end = 300;
    while !t.is_char_boundary(end) {
        end -= 1;
    }
    Cite::at(r.line, &format!("{}…", &t[..end]))
}

fn s<'v>(v: &'v Value, k: &str) -> Option<&'v str> {
    v.get(k).and_then(Value::as_str).filter(|x| !x.is_empty())
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
            let mut c =
                crate::block::dm_suspended_check(map, wwid, devnum.unwrap_or_default(), name);
            c.add_cite(&cite(r));
            st.checks.push(c);
            stuck = Some(Stuck::Suspended(map));
        }
    }

    if let Some(state) = v["scsi"]["state"].as_str()
        && !matches!(state, "running" | "live")
    {
        let mut c = crate::block::scsi_offline_check(name, state, devnum, "sysfs device/state");
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
            st.checks.push(crate::block::loop_backing_deleted(
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

fn important_task(task: &str) -> bool {
    let t = task.to_ascii_lowercase();
    t.contains("qemu")
        || t == "kvm"
        || t.contains("libvirtd")
        || t.contains("virtqemud")
        || t.contains("multipathd")
        || t.contains("iscsid")
}

fn parse_tasks(text: &str) -> HostState {
    let mut st = HostState::default();
    let recs = records(text);
    if recs.is_empty() {
        st.notes
            .push("no task records (cut or empty snapshot)".to_string());
    }
    for r in recs.iter().filter(|r| r.section == "tasks") {
        let v = &r.value;
        let Some(pid) = v["pid"].as_u64() else {
            continue;
        };
        let comm = s(v, "comm").unwrap_or_default();
        let state = s(v, "state").unwrap_or_default();
        let argv: Vec<&str> = v["cmdline"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let command = if argv.is_empty() {
            format!("[{comm}]")
        } else {
            argv.join(" ")
        };
        let mut fact = json!({
            "type": "process", "line": r.line, "pid": pid.to_string(), "task": comm,
            "state": state, "user": v["user"].as_str().map_or_else(|| v["uid"].clone(), |u| json!(u)),
            "command": command.chars().take(300).collect::<String>(),
        });
        if let Some(w) = s(v, "wchan") {
            fact["wchan"] = json!(w);
        }
        let threads: Vec<&Value> = v["blocked_threads"]
            .as_array()
            .into_iter()
            .flatten()
            .collect();
        if !threads.is_empty() {
            fact["blocked_threads"] = json!(threads.len());
        }
        let files: Vec<&Value> = v["files"].as_array().into_iter().flatten().collect();
        for f in &files {
            st.facts.push(json!({
                "type": "open-file", "line": r.line, "pid": pid.to_string(), "task": comm,
                "fd": f["fd"], "path": f["path"], "device": f["device"], "deleted": f["deleted"],
                "mount": f["mount"],
            }));
        }
        st.facts.push(fact);
        if state != "D" && threads.is_empty() {
            continue;
        }
        st.checks
            .push(d_state_check(r, pid, comm, state, &threads, &files));
    }
    st
}

fn d_state_check(
    r: &Record<'_>,
    pid: u64,
    comm: &str,
    state: &str,
    threads: &[&Value],
    files: &[&Value],
) -> Check {
    let v = &r.value;
    let devices: Vec<&str> = files.iter().filter_map(|f| s(f, "device")).collect();
    let paths: Vec<&str> = files
        .iter()
        .filter(|f| s(f, "device").is_none())
        .filter_map(|f| s(f, "path"))
        .collect();
    let mut c = Check::raise(crate::id::PROCESS_D_STATE);
    if state == "D" {
        if let Some(w) = s(v, "wchan") {
            c.bind("wchan", w);
        }
    } else {
        let names: Vec<String> = threads
            .iter()
            .take(4)
            .filter_map(|t| {
                let comm = s(t, "comm")?;
                Some(match s(t, "wchan") {
                    Some(w) => format!("{comm} in {w}"),
                    None => comm.to_string(),
                })
            })
            .collect();
        c.bind("threads", threads.len());
        c.bind_list("thread_list", names);
    }
    let mut open: Vec<String> = devices.iter().map(|d| format!("/dev/{d}")).collect();
    open.extend(paths.iter().take(4).map(|p| p.to_string()));
    c.bind_list("open", open);
    c.flag("important", important_task(comm));
    // Read from the task snapshot, which also sees FUSE and NFS stalls.
    c.flag("snapshot", true);
    // Named like `ps`'s check (task, pid) so both are one finding; the
    // devices and files it holds are joined under other names.
    c.add_field_once("task", comm, FieldKind::Task);
    c.add_field_once("pid", &pid.to_string(), FieldKind::Pid);
    for (i, d) in devices.iter().enumerate() {
        let name = if i == 0 {
            "blocked_on".to_string()
        } else {
            format!("blocked_on{i}")
        };
        c.add_field_once(&name, d, FieldKind::Device);
    }
    for (i, p) in paths.iter().take(8).enumerate() {
        c.add_field_once(&format!("open_file{i}"), p, FieldKind::Path);
    }
    c.add_cite(&cite(r));
    c
}

fn parse_manifest(text: &str) -> HostState {
    let mut st = crate::sos::parse(Kind::SosManifest, text).unwrap_or_default();
    // sos's words are about a sosreport; this one is rootline's own.
    for c in &mut st.checks {
        c.flag("rootline", true);
    }
    let Ok(root) = serde_json::from_str::<Value>(text) else {
        return st;
    };
    let r = &root["rootline"];
    let host = r["host"].as_str().unwrap_or("?");
    st.facts.push(json!({
        "type": "collection", "line": 1, "host": host, "root": r["root"], "live": r["live"],
        "uid": r["uid"], "user": r["user"], "started": r["started"], "finished": r["finished"],
    }));
    for n in r["notes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        st.notes.push(n.to_string());
    }
    let redacted: Vec<&Value> = r["redacted"].as_array().into_iter().flatten().collect();
    if !redacted.is_empty() {
        let total: u64 = redacted.iter().filter_map(|x| x["count"].as_u64()).sum();
        let per_file: Vec<String> = redacted
            .iter()
            .map(|x| {
                let kinds: Vec<String> = x["kinds"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, n)| format!("{k} ×{}", n.as_u64().unwrap_or(0)))
                    .collect();
                format!(
                    "{} ({})",
                    x["file"].as_str().unwrap_or("?"),
                    kinds.join(", ")
                )
            })
            .collect();
        let mut c = Check::raise(crate::id::COLLECTION_REDACTED);
        c.bind("total", total);
        c.bind("files", per_file.join("; "));
        c.add_cite(&Cite::at(
            line_of(text, "\"redacted\": ["),
            &format!("redacted: {total} in {} files", redacted.len()),
        ));
        st.checks.push(c);
    }
    let uid = r["uid"].as_u64();
    if uid.is_some_and(|u| u != 0) {
        let unreadable: u64 = r["unreadable"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|u| u["count"].as_u64())
            .sum::<u64>()
            + r["skipped"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|s| {
                    s["reason"]
                        .as_str()
                        .is_some_and(|r| r.starts_with("permission denied"))
                })
                .count() as u64;
        let mut c = Check::raise(crate::id::COLLECTION_REDUCED);
        if let Some(u) = r["user"].as_str() {
            c.bind("user", u);
        }
        c.bind("uid", uid.unwrap_or(0));
        c.bind("unreadable", unreadable);
        c.add_cite(&Cite::at(
            line_of(text, "\"uid\":"),
            &format!("uid: {}", uid.unwrap_or(0)),
        ));
        st.checks.push(c);
    }
    st
}

fn line_of(text: &str, needle: &str) -> u64 {
    text.find(needle)
        .map(|i| text[..i].matches('\n').count() as u64 + 1)
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rootline_model::Severity;

    /// What `rootline collect` wrote on a host with a deleted loop backing
    /// file (loop3), a loop device on an sshfs mount whose daemon stopped
    /// answering (loop5), an offline path under a suspended multipath map.
    const BLOCK: &str = r#"{"format":"rootline-block","version":1,"root":"/",
"devices":[
{"name":"dm-2","dev":"253:2","size_bytes":107374182400,"slaves":["sdc"],"dm":{"name":"mpathc","uuid":"mpath-3600a098038304437415d4b6a59684a52","suspended":true},"inflight":{"read":0,"write":4}},
{"name":"loop3","dev":"7:3","size_bytes":1073741824,"ro":false,"removable":false,"sysfs_path":"devices/virtual/block/loop3","loop":{"backing_file":"/var/tmp/x.img","backing_deleted":true,"offset":0,"sizelimit":0,"autoclear":false},"inflight":{"read":0,"write":0}},
{"name":"loop5","dev":"7:5","size_bytes":1073741824,"loop":{"backing_file":"/mnt/remote images/vm7.img","backing_deleted":false,"offset":0,"sizelimit":0,"autoclear":false},"inflight":{"read":3,"write":0}},
{"name":"sdc","dev":"8:32","size_bytes":107374182400,"holders":["dm-2"],"scsi":{"state":"offline","vendor":"NETAPP","model":"LUN C-Mode"},"inflight":{"read":0,"write":0}}
],
"mounts":[
{"source":"/dev/mapper/vg0-root","mountpoint":"/","fstype":"ext4","dev":"253:0","options":"rw,relatime"},
{"source":"backup@10.0.0.7:/srv/images","mountpoint":"/mnt/remote images","fstype":"fuse.sshfs","dev":"0:52","options":"rw,nosuid,nodev,relatime"}
],
"swaps":[],
"fuse":[
{"id":37,"waiting":0},
{"id":52,"waiting":2,"mountpoint":"/mnt/remote images","fstype":"fuse.sshfs","source":"backup@10.0.0.7:/srv/images"}
]}
"#;

    const TASKS: &str = r#"{"format":"rootline-tasks","version":1,"root":"/",
"tasks":[
{"pid":77,"comm":"bash","state":"S","ppid":1,"cmdline":["-bash"],"uid":1000},
{"pid":4242,"comm":"dd","state":"D","ppid":4100,"wchan":"folio_wait_bit_common","cmdline":["dd","if=/dev/loop5","of=/dev/null","bs=1M"],"uid":0,"user":"root","files":[{"fd":0,"path":"/dev/loop5","device":"loop5"}],"stack":["[<0>] folio_wait_bit_common+0x13d/0x350"]},
{"pid":5100,"comm":"qemu-system-x86","state":"S","ppid":1,"wchan":"do_sys_poll","cmdline":["/usr/bin/qemu-system-x86_64","-name","guest=instance-0000001c,debug-threads=on"],"uid":162,"user":"nova","files":[{"fd":17,"path":"/mnt/remote images/vm7.img","mount":"/mnt/remote images"}],"blocked_threads":[{"tid":5107,"comm":"IO iothread1","state":"D","wchan":"fuse_wait_answer"}]}
]}
"#;

    fn ids(st: &HostState) -> Vec<&str> {
        st.checks.iter().map(|c| c.id.as_str()).collect()
    }

    fn has(c: &Check, name: &str, value: &str) -> bool {
        c.fields.iter().any(|(n, v, _)| n == name && v == value)
    }

    #[test]
    fn recognised_by_content() {
        assert_eq!(
            recognise("x/sos_commands/rootline/block.json", BLOCK),
            Some(Kind::LiveBlock)
        );
        assert_eq!(recognise("tasks.json", TASKS), Some(Kind::LiveTasks));
        assert_eq!(recognise("x/data.json", "{\"a\":1}"), None);
        assert_eq!(
            recognise(
                "r/sos_reports/manifest.json",
                "{\n  \"collector\": \"rootline\",\n"
            ),
            Some(Kind::LiveManifest)
        );
        assert_eq!(
            recognise("r/sos_reports/manifest.json", "{\n  \"version\": \"1.0\""),
            None
        );
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
    fn task_snapshot_checks() {
        let st = crate::parse(Kind::LiveTasks, TASKS);
        assert_eq!(ids(&st), vec!["process-d-state", "process-d-state"]);
        let dd = &st.checks[0];
        assert_eq!(
            dd.en,
            "dd (pid 4242) is in uninterruptible sleep (D state) in folio_wait_bit_common, with /dev/loop5 open: it is blocked in the kernel, usually on I/O to a device that does not answer."
        );
        assert!(has(dd, "task", "dd") && has(dd, "pid", "4242") && has(dd, "blocked_on", "loop5"));
        assert_eq!(dd.severity, Severity::Warning);
        let q = &st.checks[1];
        assert_eq!(q.severity, Severity::Error);
        assert!(q.en.contains("has 1 thread(s) in uninterruptible sleep (D state): IO iothread1 in fuse_wait_answer"), "{}", q.en);
        assert!(has(q, "open_file0", "/mnt/remote images/vm7.img"));
        let procs: Vec<&Value> = st.facts.iter().filter(|f| f["type"] == "process").collect();
        assert_eq!(procs.len(), 3);
        assert_eq!(procs[1]["state"], "D");
        assert_eq!(procs[1]["pid"], "4242");
    }

    #[test]
    fn a_cut_snapshot_keeps_whole_records() {
        for cut in 0..BLOCK.len() {
            let _ = parse_block(&BLOCK[..cut]);
        }
        let cut = BLOCK.find("\"mounts\"").unwrap();
        let st = parse_block(&BLOCK[..cut]);
        // Devices before the cut are read; no mount to resolve loop5's
        // backing store, so no stall is claimed.
        assert!(ids(&st).contains(&"loop-backing-deleted"));
        assert!(!ids(&st).contains(&"loop-backing-not-answering"));
    }

    #[test]
    fn manifest_of_a_collection() {
        let text = r#"{
  "collector": "rootline",
  "version": "1.0",
  "rootline": {
    "top": "rootline-compute-07-20240502T101112Z",
    "host": "compute-07",
    "root": "/",
    "live": true,
    "uid": 1000,
    "user": "ops",
    "notes": ["`multipath -ll` did not answer in 10 s (killed)"],
    "redacted_total": 3,
    "redacted": [
      {"file": "etc/nova/nova.conf", "count": 3, "kinds": {"password": 1, "url-password": 2}}
    ],
    "skipped": [{"path": "var/log/secure", "reason": "permission denied"}],
    "unreadable": [{"path": "proc/*/stack", "reason": "permission denied", "count": 41}]
  },
  "components": {
    "report": {
      "rootline_version": "0.1.0",
      "plugins": {
        "multipath": {
          "commands": [
            {"command": "multipath -ll", "exec": "multipath -ll", "filepath": "sos_commands/multipath/multipath_-ll", "return_code": 124, "run_time": 10.002, "timed_out": true, "status": "timed-out", "reaped": true}
          ]
        }
      }
    }
  }
}"#;
        let st = crate::parse(Kind::LiveManifest, text);
        assert_eq!(
            ids(&st),
            vec![
                "command-timed-out",
                "collection-redacted",
                "collection-reduced"
            ]
        );
        assert!(
            st.checks[0]
                .en
                .starts_with("`multipath -ll` did not answer when rootline collected evidence"),
            "{}",
            st.checks[0].en
        );
        assert_eq!(
            st.checks[1].en,
            "3 secret(s) were redacted from the collected files before analysis: etc/nova/nova.conf (password ×1, url-password ×2)"
        );
        assert!(
            st.checks[2]
                .en
                .contains("as ops (uid 1000), not root: 42 files could not be read"),
            "{}",
            st.checks[2].en
        );
        assert_eq!(
            st.notes,
            vec!["`multipath -ll` did not answer in 10 s (killed)"]
        );
    }
}
