//! Host-level checks: what only several files read together show.
//!
//! Each parser sees one file. Some findings need two: a volume file's mode
//! means nothing without the user qemu runs as (`qemu.conf`, `ps`); a
//! `.cinderSecureEnvIndicator` on a share matters because `cinder.conf`
//! leaves the NAS security options at `auto`; a multipath map with open
//! count 0 is a leftover only if no domain uses it. [`cross_check`] runs once
//! per evidence root (one host's sosreport or one incident bundle) over the
//! state of all its files; its checks cite lines of every file they rest on
//! ([`Cite::file`]), and it names the single-file checks they replace (a
//! listing's guess of the qemu user gives way to the user qemu.conf names).

use std::collections::BTreeMap;

use rootline_model::FieldKind;
use serde_json::Value;

use crate::{Check, Cite, HostState};

/// The result of the host-level pass.
#[derive(Clone, Debug, Default)]
pub struct Crossed {
    /// New checks; every cite names its file.
    pub checks: Vec<Check>,
    /// Single-file checks these replace: (index into the files given,
    /// check id). Every check of that id in that file is superseded.
    pub superseded: Vec<(usize, String)>,
}

/// Checks across the files of one host (or one bundle): `files` are
/// (path as reported, its state).
pub fn cross_check(files: &[(&str, &HostState)]) -> Crossed {
    let fs = Files(files);
    let mut out = Crossed::default();
    volume_modes(&fs, &mut out);
    nas_secure_indicator(&fs, &mut out);
    multipath_settings(&fs, &mut out);
    unused_maps(&fs, &mut out);
    scsi_outside_multipath(&fs, &mut out);
    out.superseded.sort();
    out.superseded.dedup();
    crate::book::shipped().render_all(&mut out.checks);
    out
}

struct Files<'a>(&'a [(&'a str, &'a HostState)]);

impl<'a> Files<'a> {
    /// Every fact of type `ty`, with the index of its file.
    fn facts(&self, ty: &'a str) -> impl Iterator<Item = (usize, &'a Value)> + 'a {
        let files = self.0;
        files.iter().enumerate().flat_map(move |(i, (_, st))| {
            st.facts
                .iter()
                .filter(move |f| f["type"] == ty)
                .map(move |f| (i, f))
        })
    }

    fn cite(&self, fi: usize, line: u64) -> Option<Cite> {
        let (path, st) = self.0.get(fi)?;
        st.cite(path, line)
    }

    /// The line a fact starts at.
    fn cite_fact(&self, fi: usize, f: &Value) -> Option<Cite> {
        self.cite(fi, f["line"].as_u64()?)
    }

    fn kind(&self, fi: usize) -> Option<&'static str> {
        self.0.get(fi).and_then(|(_, st)| st.kind)
    }

    /// Files of this kind that hold a check with this id.
    fn files_with_check(&self, id: &str) -> Vec<usize> {
        self.0
            .iter()
            .enumerate()
            .filter(|(_, (_, st))| st.checks.iter().any(|c| c.id == id))
            .map(|(i, _)| i)
            .collect()
    }
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

fn push_cite(c: &mut Check, cite: Option<Cite>) {
    if let Some(x) = cite {
        c.add_cite(&x);
    }
}

// ---------------------------------------------------------------------------
// a. Volume file modes against the user qemu really runs as
// ---------------------------------------------------------------------------

/// Who qemu runs as, and how we know.
struct RunsAs {
    user: String,
    /// The primary group, when a file names it.
    group: Option<String>,
    /// The user's name and uid (an `ls -ln` listing shows numbers).
    ids: Vec<String>,
    /// Group names and gids the user is in.
    groups: Vec<String>,
    /// qemu.conf's lines and the qemu processes.
    cites: Vec<Cite>,
    /// The `id` lines that gave the groups.
    id_cites: Vec<Cite>,
    /// How we know: qemu.conf names this user (`Some(true)`) or another
    /// one (`Some(false)`); the running qemu processes' owner.
    from_conf: Option<bool>,
    from_ps: bool,
    /// `dynamic_ownership = 1`: libvirt chowns a disk only when the domain
    /// starts, which explains an owner that drifted afterwards.
    dynamic_ownership: bool,
}

impl RunsAs {
    fn is_root(&self) -> bool {
        self.ids.iter().any(|i| i == "root" || i == "0")
    }
}

/// `ps aux` cuts user names longer than 8 characters to 7 and a `+`.
fn ps_user(u: &str) -> String {
    match u {
        "libvirt+" => "libvirt-qemu".to_string(),
        _ => u.to_string(),
    }
}

fn qemu_runs_as(fs: &Files<'_>) -> Option<RunsAs> {
    // What runs wins over what is configured: the owners of the running
    // qemu processes, the most common one if domains differ.
    let mut ps_users: BTreeMap<String, Vec<(usize, &Value)>> = BTreeMap::new();
    for (fi, f) in fs.facts("qemu-process") {
        let u = s(&f["user"]);
        if !u.is_empty() {
            ps_users.entry(ps_user(u)).or_default().push((fi, f));
        }
    }
    let ps_best = ps_users
        .iter()
        .max_by_key(|(_, v)| v.len())
        .map(|(u, v)| (u.clone(), v.clone()));
    let conf = fs
        .facts("qemu-user")
        .find(|(_, f)| f["explicit"] == true && !s(&f["user"]).is_empty());
    let conf_user = conf.map(|(_, f)| s(&f["user"]).trim_start_matches('+').to_string());
    let user = match (&ps_best, &conf_user) {
        (Some((u, _)), _) => u.clone(),
        (None, Some(u)) => u.clone(),
        (None, None) => return None,
    };
    let mut r = RunsAs {
        user: user.clone(),
        group: None,
        ids: vec![user.clone()],
        groups: Vec::new(),
        cites: Vec::new(),
        id_cites: Vec::new(),
        from_conf: None,
        from_ps: false,
        dynamic_ownership: false,
    };
    if let Some((cfi, cf)) = conf {
        // qemu.conf's group applies to the user it names.
        let same_user = conf_user.as_deref() == Some(user.as_str());
        push_cite_vec(&mut r.cites, fs.cite_fact(cfi, cf));
        for (_, f) in fs.facts("config").filter(|(i, _)| *i == cfi) {
            let key = s(&f["key"]);
            if key == "group" && same_user {
                let g = s(&f["value"]).trim_start_matches('+').to_string();
                if !g.is_empty() {
                    r.group = Some(g.clone());
                    r.groups.push(g);
                }
                push_cite_vec(&mut r.cites, fs.cite_fact(cfi, f));
            }
            if key == "dynamic_ownership" && s(&f["value"]).trim() == "1" {
                r.dynamic_ownership = true;
                push_cite_vec(&mut r.cites, fs.cite_fact(cfi, f));
            }
        }
        r.from_conf = Some(same_user);
    }
    if let Some((_, procs)) = &ps_best {
        for (fi, f) in procs.iter().take(2) {
            push_cite_vec(&mut r.cites, fs.cite_fact(*fi, f));
        }
        r.from_ps = true;
    }
    // `id qemu` lines (in a listing) give the uid and every group.
    let mut known_groups = false;
    for (fi, f) in fs.facts("account") {
        let name = s(&f["user"]);
        let uid = s(&f["uid"]);
        if name == user || uid == user {
            r.ids.push(name.to_string());
            r.ids.push(uid.to_string());
            for g in f["groups"].as_array().into_iter().flatten() {
                r.groups.push(s(g).to_string());
            }
            known_groups = true;
            push_cite_vec(&mut r.id_cites, fs.cite_fact(fi, f));
        }
    }
    if !known_groups {
        // Without `id`, assume the distributions' own layout: the user's
        // group of the same name (qemu:qemu), and kvm for Debian's
        // libvirt-qemu.
        r.groups.push(user.clone());
        if user == "libvirt-qemu" {
            r.groups.push("kvm".to_string());
        }
    }
    r.ids.retain(|x| !x.is_empty());
    r.groups.retain(|x| !x.is_empty());
    Some(r)
}

fn push_cite_vec(v: &mut Vec<Cite>, c: Option<Cite>) {
    if let Some(c) = c
        && !v.contains(&c)
    {
        v.push(c);
    }
}

fn mode_of(f: &Value) -> Option<u32> {
    u32::from_str_radix(s(&f["mode"]), 8).ok()
}

fn volume_modes(fs: &Files<'_>, out: &mut Crossed) {
    let Some(q) = qemu_runs_as(fs) else {
        return;
    };
    let volumes: Vec<(usize, &Value)> = fs
        .facts("file")
        .filter(|(_, f)| s(&f["name"]).starts_with("volume-") && s(&f["kind"]) == "-")
        .collect();
    if volumes.is_empty() {
        return;
    }
    // The listings' own guess of the qemu user gives way to this one.
    for fi in fs.files_with_check(crate::id::VOLUME_FILE_MODE.as_str()) {
        if fs.kind(fi) == Some("ls-l") {
            out.superseded
                .push((fi, crate::id::VOLUME_FILE_MODE.as_str().to_string()));
        }
    }
    if q.is_root() {
        return; // root opens any file mode (NFS root squash shows as EACCES in the logs)
    }
    let mut bad: Vec<(usize, &Value)> = Vec::new();
    for &(fi, f) in &volumes {
        let Some(mode) = mode_of(f) else { continue };
        let owner = s(&f["owner"]);
        let group = s(&f["group"]);
        let ok = (q.ids.iter().any(|i| i == owner) && mode & 0o600 == 0o600)
            || (q.groups.iter().any(|g| g == group) && mode & 0o060 == 0o060)
            || mode & 0o006 == 0o006;
        if !ok {
            bad.push((fi, f));
        }
    }
    if bad.is_empty() {
        return;
    }
    let group = q.group.clone().unwrap_or_else(|| {
        if q.user == "libvirt-qemu" {
            "kvm".to_string()
        } else {
            q.user.clone()
        }
    });
    let list = bad.iter().map(|(_, f)| {
        format!(
            "{} ({}:{} {})",
            s(&f["name"]),
            s(&f["owner"]),
            s(&f["group"]),
            s(&f["mode"])
        )
    });
    let paths = bad
        .iter()
        .map(|(_, f)| s(&f["path"]).to_string())
        .collect::<Vec<_>>()
        .join(" ");
    let indicator: Vec<(usize, &Value)> = fs.facts("cinder-secure-indicator").collect();
    let mut c = Check::raise(crate::id::VOLUME_FILE_MODE);
    c.bind("count", bad.len());
    c.bind_list("files", list);
    c.bind("paths", paths);
    c.bind("user", &q.user);
    c.bind("group", &group);
    c.flag("from_conf", q.from_conf == Some(true));
    c.flag("conf_other_user", q.from_conf == Some(false));
    c.flag("from_ps", q.from_ps);
    if q.dynamic_ownership {
        c.bind("dynamic_ownership", "1");
    }
    // The indicator as the listing names it.
    if let Some((_, f)) = fs
        .facts("file")
        .find(|(_, f)| s(&f["name"]).contains(".cinderSecureEnvIndicator"))
        .filter(|_| !indicator.is_empty())
    {
        c.bind("indicator", s(&f["name"]));
    }
    for x in &q.cites {
        c.add_cite(x);
    }
    for (fi, f) in &bad {
        push_cite(&mut c, fs.cite_fact(*fi, f));
        if let Some(u) = crate::virt::find_uuid(s(&f["name"])) {
            c.add_field("volume", u, FieldKind::Uuid);
        }
        c.add_field("path", s(&f["path"]), FieldKind::Path);
    }
    for (fi, f) in &indicator {
        push_cite(&mut c, fs.cite_fact(*fi, f));
    }
    for x in &q.id_cites {
        c.add_cite(x);
    }
    // The NFS backend's section, when cinder.conf is in the evidence.
    let backends: Vec<&str> = fs
        .facts("cinder-nfs-backend")
        .map(|(_, f)| s(&f["backend"]))
        .collect();
    if let [one] = backends.as_slice() {
        c.bind("backend", one);
    }
    out.checks.push(c);
}

// ---------------------------------------------------------------------------
// b. The secure-environment indicator on a share + cinder.conf at auto
// ---------------------------------------------------------------------------

fn nas_secure_indicator(fs: &Files<'_>, out: &mut Crossed) {
    let indicators: Vec<(usize, &Value)> = fs.facts("cinder-secure-indicator").collect();
    if indicators.is_empty() {
        return;
    }
    for (fi, (path, st)) in fs.0.iter().enumerate() {
        if st.kind != Some("cinder.conf") {
            continue;
        }
        // The indicator in another file than cinder.conf: a pasted
        // cinder.conf that shows it is already judged on its own.
        let others: Vec<&(usize, &Value)> = indicators.iter().filter(|(i, _)| *i != fi).collect();
        if others.is_empty() {
            continue;
        }
        let mut replaced = false;
        for base in st
            .checks
            .iter()
            .filter(|c| c.id == crate::id::CINDER_NAS_SECURE_AUTO.as_str())
        {
            replaced = true;
            let mut c = Check::raise(crate::id::CINDER_NAS_SECURE_AUTO);
            c.fields = base.fields.clone();
            c.values = base.values.clone();
            // The indicator on the share, in another file.
            c.flag("share_indicator", true);
            for e in &base.evidence {
                let mut e = e.clone();
                e.file.get_or_insert_with(|| path.to_string());
                c.add_cite(&e);
            }
            for (ifi, f) in &others {
                push_cite(&mut c, fs.cite_fact(*ifi, f));
            }
            out.checks.push(c);
        }
        if replaced {
            out.superseded
                .push((fi, crate::id::CINDER_NAS_SECURE_AUTO.as_str().to_string()));
        }
    }
}

// ---------------------------------------------------------------------------
// c. Multipath settings of Nova and Cinder in different files
// ---------------------------------------------------------------------------

/// The `host =` of the file a fact is in, when the file names it (a bundle
/// may hold the controller's cinder.conf and the compute's nova.conf).
fn conf_host(fs: &Files<'_>, fi: usize) -> Option<String> {
    fs.facts("config")
        .find(|(i, f)| *i == fi && f["section"] == "DEFAULT" && f["key"] == "host")
        .map(|(_, f)| s(&f["value"]).to_string())
        .filter(|h| !h.is_empty())
}

fn multipath_settings(fs: &Files<'_>, out: &mut Crossed) {
    let pick = |service: &str| -> Option<(usize, &Value)> {
        let all: Vec<(usize, &Value)> = fs
            .facts("multipath-setting")
            .filter(|(_, f)| f["service"] == service)
            .collect();
        // An explicit setting wins over a file that leaves the default.
        all.iter()
            .find(|(_, f)| f["explicit"] == true)
            .or(all.first())
            .copied()
    };
    let (Some((nfi, n)), Some((cfi, c))) = (pick("nova"), pick("cinder")) else {
        return;
    };
    if nfi == cfi || n["value"] == c["value"] {
        return; // one file: its own parser compares them
    }
    if n["explicit"] != true && c["explicit"] != true {
        return;
    }
    // Image transfer over multipath only concerns block backends (iSCSI,
    // FC); a cinder with only NFS or RBD backends never uses it.
    let drivers: Vec<&str> = fs
        .facts("config")
        .filter(|(i, f)| *i == cfi && f["key"] == "volume_driver")
        .map(|(_, f)| s(&f["value"]))
        .collect();
    let file_backed = |d: &str| {
        let d = d.to_ascii_lowercase();
        d.contains("nfs") || d.contains("rbd") || d.contains("glusterfs")
    };
    if !drivers.is_empty() && drivers.iter().all(|d| file_backed(d)) {
        return;
    }
    let mut chk = Check::raise(crate::id::MULTIPATH_SETTING_MISMATCH);
    let value = |f: &Value| if f["value"] == true { "true" } else { "false" };
    chk.bind("nova_value", value(n));
    chk.bind("cinder_value", value(c));
    chk.flag("nova_default", n["explicit"] != true);
    chk.flag("cinder_default", c["explicit"] != true);
    if let Some(h) = conf_host(fs, nfi) {
        chk.bind("nova_host", h);
    }
    if let Some(h) = conf_host(fs, cfi) {
        chk.bind("cinder_host", h);
    }
    // Where the fix sets it: the section that sets it, else the one
    // backend cinder.conf enables.
    let set_in = fs
        .facts("config")
        .find(|(i, f)| *i == cfi && f["key"] == "use_multipath_for_image_xfer")
        .map(|(_, f)| s(&f["section"]).to_string());
    let enabled: Vec<String> = fs
        .facts("config")
        .filter(|(i, f)| *i == cfi && f["key"] == "enabled_backends")
        .flat_map(|(_, f)| s(&f["value"]).split(',').map(|b| b.trim().to_string()))
        .filter(|b| !b.is_empty())
        .collect();
    match (set_in, enabled.as_slice()) {
        (Some(sec), _) => chk.bind("backend", sec),
        (None, [one]) => chk.bind("backend", one),
        _ => {}
    }
    for (fi, f, keys) in [
        (nfi, n, &["virt_type", "compute_driver"][..]),
        (cfi, c, &["enabled_backends", "volume_driver"][..]),
    ] {
        let cite = match f["line"].as_u64() {
            Some(l) => fs.cite(fi, l),
            // Not set: cite the file by the line that says what it
            // configures (the hypervisor, the backends).
            None => fs
                .facts("config")
                .filter(|(i, _)| *i == fi)
                .find(|(_, x)| keys.contains(&s(&x["key"])))
                .and_then(|(i, x)| fs.cite_fact(i, x)),
        };
        push_cite(&mut chk, cite);
    }
    out.checks.push(chk);
}

// ---------------------------------------------------------------------------
// d. Multipath maps with open count 0: unused, or a shut-off domain's disk?
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

fn unused_maps(fs: &Files<'_>, out: &mut Crossed) {
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

// ---------------------------------------------------------------------------
// e. SAN disks that no multipath map claims
// ---------------------------------------------------------------------------

fn is_sd(name: &str) -> bool {
    name.len() > 2 && name.starts_with("sd") && name[2..].bytes().all(|b| b.is_ascii_lowercase())
}

fn scsi_outside_multipath(fs: &Files<'_>, out: &mut Crossed) {
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
    use super::*;
    use crate::{parse_file, recognise};
    use rootline_model::Severity;

    /// Parse `(path, text)` pairs as the scanner does: recognised by content
    /// and name.
    fn states(files: &[(&str, &str)]) -> Vec<(String, HostState)> {
        files
            .iter()
            .map(|(p, t)| {
                let k = recognise(p, t).unwrap_or_else(|| panic!("{p} not recognised"));
                (p.to_string(), parse_file(k, t, p))
            })
            .collect()
    }

    fn cross(files: &[(&str, &str)]) -> (Vec<(String, HostState)>, Crossed) {
        let st = states(files);
        let refs: Vec<(&str, &HostState)> = st.iter().map(|(p, s)| (p.as_str(), s)).collect();
        let c = cross_check(&refs);
        (st, c)
    }

    fn one<'a>(c: &'a Crossed, id: &str) -> &'a Check {
        let v: Vec<&Check> = c.checks.iter().filter(|x| x.id == id).collect();
        assert_eq!(v.len(), 1, "{id}: {:#?}", c.checks);
        v[0]
    }

    fn cited_files(c: &Check) -> Vec<&str> {
        let mut v: Vec<&str> = c
            .evidence
            .iter()
            .filter_map(|e| e.file.as_deref())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    // The share listing of seed 003 (an RDO Stein compute with a Cinder NFS
    // backend), as the operator captured it.
    const LISTING: &str =
        "[root@ctl01 ~]# ls -la /var/lib/cinder/mnt/63bf80ae8c90ff6c5fcee0d7b3c5711e/
total 215614468
drwxrwxrwx. 2 root   root           4096 Oct  9 15:47 .
-rw-r-----. 1 cinder cinder           76 Oct  7 15:41 .cinderSecureEnvIndicator
-rw-rw-rw-. 1 qemu   qemu    53687091200 Oct 11 17:55 volume-0b6f2d71-c4e8-4a93-9f15-7e2d8c1b0a46
-rw-rw----. 1 nova   nova    53687091200 Oct 11 17:48 volume-2c8e41f0-9b37-4d6a-a5e2-71f0c3d8b964
-rw-rw----. 1 qemu   qemu    10737418240 Oct 11 17:55 volume-3a61f0d8-94c2-4b7e-a1d5-8e2c6f9b0a17
-rw-rw----. 1 nova   nova    21474836480 Oct 11 17:49 volume-9d9074a3-2f80-4db2-be3a-3f8a65c426c3
";
    const QEMU_CONF: &str = "vnc_listen = \"0.0.0.0\"\nuser = \"qemu\"\ngroup = \"qemu\"\ndynamic_ownership = 1\nsecurity_driver = \"none\"\n";

    #[test]
    fn volume_modes_use_the_user_qemu_conf_names() {
        let (st, c) = cross(&[
            ("etc/libvirt/qemu.conf", QEMU_CONF),
            ("ls-l-cinder-mnt.txt", LISTING),
        ]);
        // The listing alone guessed; its check gives way to the joined one.
        assert!(st[1].1.checks.iter().any(|x| x.id == "volume-file-mode"));
        assert!(c.superseded.contains(&(1, "volume-file-mode".to_string())));
        let v = one(&c, "volume-file-mode");
        assert_eq!(v.severity, Severity::Error);
        assert!(v.en.contains("runs as qemu:qemu"), "{}", v.en);
        // nova:nova 0660 is unreadable for qemu; qemu:qemu 0660 and 0666 are fine.
        assert!(v.en.contains("volume-2c8e41f0") && v.en.contains("volume-9d9074a3"));
        assert!(!v.en.contains("volume-3a61f0d8") && !v.en.contains("volume-0b6f2d71"));
        assert_eq!(
            cited_files(v),
            ["etc/libvirt/qemu.conf", "ls-l-cinder-mnt.txt"]
        );
        let conf = v
            .evidence
            .iter()
            .find(|e| e.file.as_deref() == Some("etc/libvirt/qemu.conf"))
            .unwrap();
        assert_eq!((conf.line, conf.text.as_str()), (2, "user = \"qemu\""));
        assert!(v.fix.iter().any(|f| f.command.as_deref().is_some_and(|c| c.starts_with("chown qemu:qemu /var/lib/cinder/mnt/63bf80ae8c90ff6c5fcee0d7b3c5711e/volume-2c8e41f0"))));
        assert!(
            v.fields
                .iter()
                .any(|f| f.1 == "9d9074a3-2f80-4db2-be3a-3f8a65c426c3")
        );
    }

    #[test]
    fn qemu_running_as_root_reads_every_volume() {
        let conf = "user = \"root\"\ngroup = \"root\"\ndynamic_ownership = 0\n";
        let (st, c) = cross(&[("etc/libvirt/qemu.conf", conf), ("ls.txt", LISTING)]);
        assert!(st[1].1.checks.iter().any(|x| x.id == "volume-file-mode"));
        assert!(c.superseded.contains(&(1, "volume-file-mode".to_string())));
        assert!(
            c.checks.iter().all(|x| x.id != "volume-file-mode"),
            "{:#?}",
            c.checks
        );
    }

    #[test]
    fn the_owner_of_running_qemu_processes_wins() {
        // Ubuntu: ps aux cuts libvirt-qemu to `libvirt+`; qemu.conf leaves
        // the user commented out (the package default).
        let conf = "#user = \"root\"\n#group = \"root\"\nsecurity_driver = \"apparmor\"\n";
        let ps = "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND
libvirt+ 2875519 12.1  8.2 9120344 5412000 ?     Sl   Oct02 9120:11 /usr/bin/qemu-system-x86_64 -name guest=instance-00000f3a,debug-threads=on -uuid 6c59b812-2d8d-4da5-92d6-6bbe527926d6
root        1289  0.0  0.0 288424 27404 ?        SLsl Feb27  11:02 /sbin/multipathd -d -s
";
        let listing = "$ ls -l /var/lib/nova/mnt/9a1c/
-rw-rw---- 1 libvirt-qemu kvm  10737418240 Oct 11 17:55 volume-4f2f8d1c-6b0e-4a57-9f1d-2c3b4a5d6e7f
-rw-r----- 1 root         kvm  10737418240 Oct 11 17:55 volume-5e0a2c1b-84d7-4f3e-9b61-2c7d8e9fa041
-rw-rw---- 1 nova         nova 10737418240 Oct 11 17:55 volume-7f3b9e1d-a2c4-4856-b0d7-e9c1f5a3b682
";
        let (_, c) = cross(&[
            ("etc/libvirt/qemu.conf", conf),
            ("sos_commands/process/ps_auxwwwm", ps),
            ("ls.txt", listing),
        ]);
        let v = one(&c, "volume-file-mode");
        assert!(v.en.contains("runs as libvirt-qemu:kvm"), "{}", v.en);
        // root:kvm 0640 cannot be written by a member of kvm; nova:nova is
        // closed; the file libvirt-qemu owns is fine.
        assert!(v.en.contains("volume-5e0a2c1b") && v.en.contains("volume-7f3b9e1d"));
        assert!(!v.en.contains("volume-4f2f8d1c"));
        assert_eq!(
            cited_files(v),
            ["ls.txt", "sos_commands/process/ps_auxwwwm"]
        );
    }

    #[test]
    fn nothing_is_judged_without_knowing_the_qemu_user() {
        let (_, c) = cross(&[("ls.txt", LISTING)]);
        assert!(c.checks.is_empty() && c.superseded.is_empty(), "{c:#?}");
    }

    const CINDER_CONF: &str = "[DEFAULT]
host = ctl01
enabled_backends = nfs-nas01

[nfs-nas01]
volume_backend_name = nfs-nas01
volume_driver = cinder.volume.drivers.nfs.NfsDriver
nfs_shares_config = /etc/cinder/nfs_shares
nfs_mount_options = vers=4
";

    #[test]
    fn the_indicator_on_the_share_and_cinder_at_auto_are_one_finding() {
        let (st, c) = cross(&[("etc/cinder/cinder.conf", CINDER_CONF), ("ls.txt", LISTING)]);
        let alone = st[0]
            .1
            .checks
            .iter()
            .find(|x| x.id == "cinder-nas-secure-auto")
            .unwrap();
        assert_eq!(alone.severity, Severity::Warning);
        assert!(
            c.superseded
                .contains(&(0, "cinder-nas-secure-auto".to_string()))
        );
        let v = one(&c, "cinder-nas-secure-auto");
        assert_eq!(v.severity, Severity::Error);
        assert_eq!(cited_files(v), ["etc/cinder/cinder.conf", "ls.txt"]);
        assert!(
            v.evidence
                .iter()
                .any(|e| e.text.ends_with(".cinderSecureEnvIndicator"))
        );
        assert!(v.evidence.iter().any(|e| e.text == "[nfs-nas01]"));
        assert!(v.fix.iter().any(|f| f.command.as_deref().is_some_and(|c| c.contains("crudini --set /etc/cinder/cinder.conf nfs-nas01 nas_secure_file_operations false"))));

        // Options set explicitly: the indicator is intended.
        let set = format!(
            "{CINDER_CONF}nas_secure_file_operations = true\nnas_secure_file_permissions = true\n"
        );
        let (_, c) = cross(&[("etc/cinder/cinder.conf", &set), ("ls.txt", LISTING)]);
        assert!(c.checks.iter().all(|x| x.id != "cinder-nas-secure-auto"));
    }

    #[test]
    fn multipath_settings_of_nova_and_cinder_in_different_files() {
        let nova = "[DEFAULT]
host = cmp03.example.com
compute_driver = libvirt.LibvirtDriver

[libvirt]
virt_type = kvm
volume_use_multipath = True
";
        let cinder_iscsi = "[DEFAULT]
host = ctl01
enabled_backends = lvm

[lvm]
volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver
volume_group = cinder-volumes
target_protocol = iscsi
target_helper = lioadm
";
        let (_, c) = cross(&[
            ("etc/nova/nova.conf", nova),
            ("ctl01/etc/cinder/cinder.conf", cinder_iscsi),
        ]);
        let v = one(&c, "multipath-setting-mismatch");
        assert!(v.en.contains("nova.conf of cmp03.example.com"), "{}", v.en);
        assert!(v.en.contains("false (not set: the default)"), "{}", v.en);
        assert_eq!(
            cited_files(v),
            ["ctl01/etc/cinder/cinder.conf", "etc/nova/nova.conf"]
        );
        assert!(
            v.evidence
                .iter()
                .any(|e| e.text == "volume_use_multipath = True")
        );

        // Both true: nothing. NFS only: image transfer never uses multipath.
        let both = format!("{cinder_iscsi}use_multipath_for_image_xfer = true\n");
        let (_, c) = cross(&[("etc/nova/nova.conf", nova), ("cinder.conf", &both)]);
        assert!(c.checks.is_empty(), "{:#?}", c.checks);
        let (_, c) = cross(&[("etc/nova/nova.conf", nova), ("cinder.conf", CINDER_CONF)]);
        assert!(c.checks.is_empty(), "{:#?}", c.checks);
    }

    // dmsetup info -c as sos runs it: mpathd is open nowhere.
    const DMSETUP: &str = "Name                  Maj Min Stat Open Targ Event  UUID
mpathd                253   5 L--w    0    1      0 mpath-3600a098038304437415d4b6a59684a52
mpatha                253   1 L--w    1    1      0 mpath-3624a93701c0d6b3e4f5a2b1c00012a41
";
    const MULTIPATH_LL: &str = "mpathd (3600a098038304437415d4b6a59684a52) dm-5 NETAPP,LUN C-Mode
size=20G features='3 queue_if_no_path pg_init_retries 50' hwhandler='1 alua' wp=rw
`-+- policy='service-time 0' prio=50 status=active
  |- 3:0:0:4 sdh 8:112 active ready running
  `- 4:0:0:4 sdi 8:128 active ready running
mpatha (3624a93701c0d6b3e4f5a2b1c00012a41) dm-1 PURE,FlashArray
size=40G features='0' hwhandler='1 alua' wp=rw
`-+- policy='service-time 0' prio=50 status=active
  |- 3:0:0:1 sdb 8:16 active ready running
  `- 4:0:0:1 sde 8:64 active ready running
";

    fn domain_xml(source: &str) -> String {
        format!(
            "<domain type='kvm'>
  <name>instance-0000001c</name>
  <uuid>5e0a2c1b-84d7-4f3e-9b61-2c7d8e9fa041</uuid>
  <devices>
    <disk type='block' device='disk'>
      <driver name='qemu' type='raw' cache='none' io='native'/>
      <source dev='{source}'/>
      <target dev='vdb' bus='virtio'/>
      <serial>9d9074a3-2f80-4db2-be3a-3f8a65c426c3</serial>
    </disk>
  </devices>
</domain>
"
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
        let tree =
            "vg_appdata-lv_appdata (253:4)\n `-mpathd (253:5)\n    |- (8:112)\n    `- (8:128)\n";
        let (_, c) = cross(&[
            ("sos_commands/devicemapper/dmsetup_info_-c", DMSETUP),
            ("sos_commands/devicemapper/dmsetup_ls_--tree", tree),
        ]);
        assert!(c.checks.is_empty(), "{:#?}", c.checks);
    }

    #[test]
    fn san_disks_outside_every_map_but_not_local_disks() {
        // ls -l /sys/block: sdb/sde/sdh/sdi are iSCSI sessions, sdj is
        // iSCSI too, sda is the SATA boot disk, vda a virtio disk.
        let sys = "/sys/block:
total 0
lrwxrwxrwx. 1 root root 0 Oct 11 17:55 sda -> ../devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0/block/sda
lrwxrwxrwx. 1 root root 0 Oct 11 17:55 sdb -> ../devices/platform/host3/session1/target3:0:0/3:0:0:1/block/sdb
lrwxrwxrwx. 1 root root 0 Oct 11 17:55 sde -> ../devices/platform/host4/session2/target4:0:0/4:0:0:1/block/sde
lrwxrwxrwx. 1 root root 0 Oct 11 17:55 sdh -> ../devices/platform/host3/session1/target3:0:0/3:0:0:4/block/sdh
lrwxrwxrwx. 1 root root 0 Oct 11 17:55 sdi -> ../devices/platform/host4/session2/target4:0:0/4:0:0:4/block/sdi
lrwxrwxrwx. 1 root root 0 Oct 11 17:55 sdj -> ../devices/platform/host3/session1/target3:0:0/3:0:0:7/block/sdj
lrwxrwxrwx. 1 root root 0 Oct 11 17:55 vda -> ../devices/pci0000:00/0000:00:04.0/virtio1/block/vda
";
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
        let lsblk = "[root@initiator iscsi]# lsblk --scsi
NAME HCTL       TYPE VENDOR   MODEL             REV TRAN
sda  2:0:0:0    disk ATA      VBOX HARDDISK    1.0  sata
sdb  3:0:0:0    disk LIO-ORG  BD1              4.0  iscsi
";
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
