//! Volume files against who opens them: `volume-file-mode` (a volume
//! file's owner and mode in a share listing against the user and groups
//! qemu really runs as: the running qemu processes' owner, else
//! `qemu.conf`'s `user`/`group`, with `id` lines for the groups; it replaces
//! the listing's own guess) and `cinder-nas-secure-auto` (a
//! `.cinderSecureEnvIndicator` on a share while `cinder.conf` leaves the NAS
//! security options at `auto`; it replaces cinder.conf's own check).

use std::collections::BTreeMap;

use rootline_model::FieldKind;
use serde_json::Value;

use super::{Crossed, Files, push_cite, s};
use crate::{Check, Cite};

// ---------------------------------------------------------------------------
// Volume file modes against the user qemu really runs as
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

pub(super) fn volume_modes(fs: &Files<'_>, out: &mut Crossed) {
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
        if let Some(u) = crate::parsers::virt_common::find_uuid(s(&f["name"])) {
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
// The secure-environment indicator on a share + cinder.conf at auto
// ---------------------------------------------------------------------------

pub(super) fn nas_secure_indicator(fs: &Files<'_>, out: &mut Crossed) {
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

#[cfg(test)]
mod tests {
    use super::super::tests::{cited_files, cross, one};
    use rootline_model::Severity;

    // The share listing of seed 003 (an RDO Stein compute with a Cinder NFS
    // backend), as the operator captured it.
    const LISTING: &str = include_str!("../../tests/captures/cross/nfs-share/ls-l-cinder-mnt.txt");
    const QEMU_CONF: &str = include_str!("../../tests/captures/cross/nfs-share/qemu.conf");
    const CINDER_CONF: &str = include_str!("../../tests/captures/cross/nfs-share/cinder.conf");

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
        let conf = include_str!("../../tests/captures/cross/qemu-as-root/qemu.conf");
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
        let conf = include_str!("../../tests/captures/cross/ubuntu-libvirt-qemu/qemu.conf");
        let ps = include_str!("../../tests/captures/cross/ubuntu-libvirt-qemu/ps_auxwwwm");
        let listing = include_str!("../../tests/captures/cross/ubuntu-libvirt-qemu/ls.txt");
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
}
