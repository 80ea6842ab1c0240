//! Configuration files: `cinder.conf` and `nova.conf` (ini), `qemu.conf`,
//! `multipath.conf` (also `multipathd show config`, `multipath -t`):
//! `config`, `multipath-setting`, `cinder-nfs-backend`, `qemu-user` and
//! `multipath-config-dump` facts; checks `cinder-nas-secure-auto`,
//! `multipath-setting-mismatch` and `multipath-queue-forever`.

use super::virt_common::{masked, path_and_base, with_empty_note};
use super::{HostParser, Kind};
use crate::{Check, Cite, HostState};
use rootline_model::FieldKind;
use serde_json::json;

pub(crate) struct ConfigFiles;

impl HostParser for ConfigFiles {
    fn kinds(&self) -> &'static [Kind] {
        &[
            Kind::CinderConf,
            Kind::NovaConf,
            Kind::QemuConf,
            Kind::MultipathConf,
        ]
    }

    /// Configuration files are named (their content is generic ini): the
    /// name first, then the content.
    fn by_content(&self, rel_path: &str, sample: &str) -> Option<Kind> {
        let (_, base) = path_and_base(rel_path);
        // Configuration files are named; their content is generic ini.
        if base.starts_with("cinder.conf") {
            return Some(Kind::CinderConf);
        }
        if base.starts_with("nova.conf") || base.starts_with("nova-compute.conf") {
            return Some(Kind::NovaConf);
        }
        if base.starts_with("qemu.conf") {
            return Some(Kind::QemuConf);
        }
        if base.starts_with("multipath.conf") {
            return Some(Kind::MultipathConf);
        }

        if sample.trim().is_empty() {
            return None;
        }
        let lower = sample.to_ascii_lowercase();
        // Configuration by content.
        let has_section = sample.lines().any(|l| {
            let t = l.trim();
            t.starts_with('[') && t.ends_with(']') && t.len() > 2
        });
        let key = |k: &str| {
            sample.lines().any(|l| {
                let t = l.trim_start();
                t.starts_with(k) && t[k.len()..].trim_start().starts_with('=')
            })
        };
        if has_section
            && (key("enabled_backends")
                || key("volume_driver")
                || key("nfs_shares_config")
                || key("nas_secure_file_operations"))
        {
            return Some(Kind::CinderConf);
        }
        if has_section
            && (key("compute_driver")
                || key("volume_use_multipath")
                || (lower.contains("[libvirt]") && (key("virt_type") || key("images_type"))))
        {
            return Some(Kind::NovaConf);
        }
        if !has_section
            && (key("security_driver")
                || key("dynamic_ownership")
                || key("cgroup_device_acl")
                || (key("user") && key("group") && key("vnc_listen")))
        {
            return Some(Kind::QemuConf);
        }
        if sample.lines().any(|l| {
            let t: Vec<&str> = l.split_whitespace().collect();
            t.len() == 2
                && t[1] == "{"
                && matches!(
                    t[0],
                    "defaults" | "devices" | "blacklist" | "multipaths" | "overrides"
                )
        }) && MP_WORDS.iter().any(|w| sample.contains(w))
            && !sample.contains("global {")
            && !sample.contains("activation {")
        {
            return Some(Kind::MultipathConf);
        }
        None
    }

    fn parse(&self, kind: Kind, text: &str) -> HostState {
        let st = match kind {
            Kind::CinderConf => parse_ini(text, "cinder.conf"),
            Kind::NovaConf => parse_ini(text, "nova.conf"),
            Kind::QemuConf => parse_qemu_conf(text),
            Kind::MultipathConf => parse_multipath_conf(text),
            _ => return HostState::default(),
        };
        with_empty_note(st, text)
    }
}

const MP_WORDS: [&str; 9] = [
    "user_friendly_names",
    "path_checker",
    "find_multipaths",
    "no_path_retry",
    "path_grouping_policy",
    "polling_interval",
    "queue_if_no_path",
    "blacklist {",
    "multipaths {",
];

/// (section, key, value, line) of an ini file; continuation lines are joined.
fn ini_entries(text: &str) -> Vec<(String, String, String, usize)> {
    let mut out: Vec<(String, String, String, usize)> = Vec::new();
    let mut section = "DEFAULT".to_string();
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
            continue;
        }
        if t.starts_with('[') && t.ends_with(']') {
            section = t[1..t.len() - 1].trim().to_string();
            continue;
        }
        if l.starts_with([' ', '\t'])
            && !t.contains('=')
            && let Some(last) = out.last_mut()
        {
            last.2.push(' ');
            last.2.push_str(t);
            continue;
        }
        if let Some((k, v)) = t.split_once('=') {
            out.push((
                section.clone(),
                k.trim().to_string(),
                v.trim().to_string(),
                i,
            ));
        }
    }
    out
}

fn truthy(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" | "on" => Some(true),
        "false" | "no" | "0" | "off" => Some(false),
        _ => None,
    }
}

fn parse_ini(text: &str, file: &str) -> HostState {
    let mut st = HostState::default();
    let lines: Vec<&str> = text.lines().collect();
    let entries = ini_entries(text);
    for (s, k, v, l) in &entries {
        st.facts
            .push(json!({"type": "config", "file": file, "line": l + 1,
            "section": s, "key": k, "value": masked(k, v)}));
    }
    let find = |s: &str, k: &str| entries.iter().find(|e| e.0 == s && e.1 == k);
    // Multipath settings, for the lead to compare across files.
    let nova_mp = entries
        .iter()
        .find(|e| e.1 == "volume_use_multipath" || e.1 == "iscsi_use_multipath");
    let cinder_mp = entries
        .iter()
        .find(|e| e.1 == "use_multipath_for_image_xfer");
    if file == "nova.conf" || nova_mp.is_some() {
        st.facts.push(json!({"type": "multipath-setting", "service": "nova",
            "key": "volume_use_multipath", "value": nova_mp.and_then(|e| truthy(&e.2)).unwrap_or(false),
            "explicit": nova_mp.is_some(), "line": nova_mp.map(|e| e.3 + 1)}));
    }
    if file == "cinder.conf" || cinder_mp.is_some() {
        st.facts.push(json!({"type": "multipath-setting", "service": "cinder",
            "key": "use_multipath_for_image_xfer", "value": cinder_mp.and_then(|e| truthy(&e.2)).unwrap_or(false),
            "explicit": cinder_mp.is_some(), "line": cinder_mp.map(|e| e.3 + 1)}));
    }
    if let (Some(n), Some(c)) = (nova_mp, cinder_mp)
        && truthy(&n.2) != truthy(&c.2)
    {
        let mut chk = Check::raise(crate::id::MULTIPATH_SETTING_MISMATCH);
        chk.flag("one_file", true);
        chk.bind("nova_key", &n.1);
        chk.bind("nova_value", &n.2);
        chk.bind("cinder_value", &c.2);
        // The section that sets it: where the fix sets it back.
        chk.bind("backend", &c.0);
        chk.evidence = vec![Cite::nth(n.3, lines[n.3]), Cite::nth(c.3, lines[c.3])];
        st.checks.push(chk);
    }
    if file != "cinder.conf" {
        return st;
    }
    // Cinder NFS backends without explicit nas_secure_* options.
    let enabled: Vec<String> = find("DEFAULT", "enabled_backends")
        .map(|e| {
            e.2.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let mut sections: Vec<String> = Vec::new();
    for e in &entries {
        if !sections.contains(&e.0) {
            sections.push(e.0.clone());
        }
    }
    let indicator = lines
        .iter()
        .position(|l| l.contains(".cinderSecureEnvIndicator"));
    for s in &sections {
        if !enabled.is_empty() && !enabled.contains(s) {
            continue;
        }
        if enabled.is_empty() && s != "DEFAULT" {
            continue;
        }
        let drv = find(s, "volume_driver");
        let shares = find(s, "nfs_shares_config");
        let is_nfs = drv
            .is_some_and(|d| d.2.contains("nfs.NfsDriver") || d.2.ends_with("NfsDriver"))
            || (drv.is_none() && shares.is_some());
        if !is_nfs {
            continue;
        }
        let opt = |k: &str| {
            find(s, k)
                .or_else(|| find("backend_defaults", k))
                .or_else(|| find("DEFAULT", k))
        };
        let ops = opt("nas_secure_file_operations");
        let perms = opt("nas_secure_file_permissions");
        let unset: Vec<&str> = [
            ("nas_secure_file_operations", ops),
            ("nas_secure_file_permissions", perms),
        ]
        .iter()
        .filter(|(_, e)| e.is_none_or(|e| e.2.trim().eq_ignore_ascii_case("auto")))
        .map(|(k, _)| *k)
        .collect();
        st.facts.push(json!({"type": "cinder-nfs-backend", "backend": s,
            "nas_secure_file_operations": ops.map(|e| e.2.clone()).unwrap_or_else(|| "auto".into()),
            "nas_secure_file_permissions": perms.map(|e| e.2.clone()).unwrap_or_else(|| "auto".into()),
            "line": drv.or(shares).map(|e| e.3 + 1)}));
        if unset.is_empty() {
            continue;
        }
        let mut ev = Vec::new();
        if let Some(hl) = lines.iter().position(|l| l.trim() == format!("[{s}]")) {
            ev.push(Cite::nth(hl, lines[hl]));
        }
        for e in [drv, shares, ops, perms].into_iter().flatten() {
            ev.push(Cite::nth(e.3, lines[e.3]));
        }
        if let Some(i) = indicator {
            ev.push(Cite::nth(i, lines[i]));
        }
        ev.sort_by_key(|c| c.line);
        ev.dedup();
        let mut c = Check::raise(crate::id::CINDER_NAS_SECURE_AUTO);
        c.add_field("backend", s, FieldKind::Text);
        c.bind("options", unset.join(" and "));
        c.flag("indicator", indicator.is_some());
        c.evidence = ev;
        st.checks.push(c);
    }
    st
}

fn parse_qemu_conf(text: &str) -> HostState {
    let mut st = HostState::default();
    let mut user: Option<(String, usize)> = None;
    let mut group: Option<(String, usize)> = None;
    let mut pending: Option<(String, String, usize)> = None;
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        if t.starts_with('#') || t.is_empty() {
            continue;
        }
        if let Some((_, v, _)) = pending.as_mut() {
            v.push(' ');
            v.push_str(t);
            if t.contains(']')
                && let Some((k, v, l0)) = pending.take()
            {
                st.facts.push(json!({"type": "config", "file": "qemu.conf", "line": l0 + 1, "key": k, "value": v}));
            }
            continue;
        }
        let Some((k, v)) = t.split_once('=') else {
            continue;
        };
        let k = k.trim().to_string();
        let v = v.trim().to_string();
        if v.starts_with('[') && !v.contains(']') {
            pending = Some((k, v, i));
            continue;
        }
        let unq = v.trim_matches('"').to_string();
        if k == "user" {
            user = Some((unq.clone(), i));
        }
        if k == "group" {
            group = Some((unq.clone(), i));
        }
        st.facts.push(json!({"type": "config", "file": "qemu.conf", "line": i + 1, "key": k, "value": masked(&k, &unq)}));
    }
    if let Some((k, v, l0)) = pending {
        st.facts.push(
            json!({"type": "config", "file": "qemu.conf", "line": l0 + 1, "key": k, "value": v}),
        );
        st.notes
            .push("qemu.conf ends inside a list (truncated)".to_string());
    }
    st.facts
        .push(json!({"type": "qemu-user", "source": "qemu.conf",
        "user": user.as_ref().map(|u| u.0.clone()), "group": group.as_ref().map(|g| g.0.clone()),
        "explicit": user.is_some(), "default": "qemu (RHEL) / libvirt-qemu (Debian, Ubuntu)",
        "line": user.as_ref().map(|u| u.1 + 1)}));
    st
}

fn parse_multipath_conf(text: &str) -> HostState {
    let mut st = HostState::default();
    let lines: Vec<&str> = text.lines().collect();
    // Stack of open blocks: (name, line, entries).
    type Block = (String, usize, Vec<(String, String, usize)>);
    let mut stack: Vec<Block> = Vec::new();
    let mut closed: Vec<(String, Block)> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let t = l.split('#').next().unwrap_or("").trim();
        if t.is_empty() {
            continue;
        }
        if t == "}" {
            if let Some(b) = stack.pop() {
                let path = stack
                    .iter()
                    .map(|b| b.0.as_str())
                    .chain([b.0.as_str()])
                    .collect::<Vec<_>>()
                    .join("/");
                closed.push((path, b));
            }
            continue;
        }
        if let Some(name) = t.strip_suffix('{') {
            stack.push((name.trim().to_string(), i, Vec::new()));
            continue;
        }
        let (k, v) = match t.split_once(char::is_whitespace) {
            Some((k, v)) => (k.to_string(), v.trim().trim_matches('"').to_string()),
            None => (t.to_string(), String::new()),
        };
        let section = stack
            .iter()
            .map(|b| b.0.as_str())
            .collect::<Vec<_>>()
            .join("/");
        st.facts.push(
            json!({"type": "config", "file": "multipath.conf", "line": i + 1,
            "section": section, "key": k, "value": v}),
        );
        if let Some(b) = stack.last_mut() {
            b.2.push((k, v, i));
        }
    }
    if !stack.is_empty() {
        st.notes
            .push("multipath.conf ends inside a block (truncated)".to_string());
        while let Some(b) = stack.pop() {
            let path = stack
                .iter()
                .map(|b| b.0.as_str())
                .chain([b.0.as_str()])
                .collect::<Vec<_>>()
                .join("/");
            closed.push((path, b));
        }
    }
    closed.sort_by_key(|c| c.1.1);
    // `multipathd show config` / `multipath -t` print the merged built-in
    // hardware table (many vendors default to queueing): only the user's
    // defaults, overrides and multipaths sections are judged there.
    let devices = closed.iter().filter(|c| c.1.0 == "device").count();
    let dump = devices > 15;
    if dump {
        st.facts
            .push(json!({"type": "multipath-config-dump", "devices": devices}));
    }
    for (path, (_, line, entries)) in closed {
        if dump && path.starts_with("devices") {
            continue;
        }
        let get = |k: &str| entries.iter().find(|e| e.0 == k);
        let npr = get("no_path_retry");
        let feat = get("features").filter(|e| e.1.contains("queue_if_no_path"));
        let npr_queue = npr.is_some_and(|e| e.1 == "queue");
        let bounded = npr.is_some_and(|e| e.1 == "fail" || e.1.parse::<u64>().is_ok());
        if !(npr_queue || (feat.is_some() && !bounded)) {
            continue;
        }
        let mut ev = vec![Cite::nth(line, lines[line])];
        for e in [
            get("vendor"),
            get("product"),
            get("wwid"),
            feat,
            npr.filter(|_| npr_queue),
        ]
        .into_iter()
        .flatten()
        {
            ev.push(Cite::nth(e.2, lines[e.2]));
        }
        let mut c = Check::raise(crate::id::MULTIPATH_QUEUE_FOREVER);
        c.bind("section", &path);
        if let (Some(v), Some(p)) = (get("vendor"), get("product")) {
            c.bind("vendor", &v.1);
            c.bind("product", &p.1);
        }
        if let Some(w) = get("wwid") {
            c.add_field("wwid", &w.1, FieldKind::Wwid);
        }
        c.evidence = ev;
        st.checks.push(c);
    }
    st
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parsers::recognise;
    use crate::parsers::virt_common::testing::*;
    use rootline_model::Severity;

    #[test]
    fn bundle_003_cinder_and_qemu_conf() {
        let t = read(&ex(
            "003-nfs-volume-permission-denied/etc/cinder/cinder.conf",
        ))
        .expect("bundle 003");
        let (k, st) = run("etc/cinder/cinder.conf", &t);
        assert_eq!(k, Kind::CinderConf);
        let c = check(&st, "cinder-nas-secure-auto");
        assert_eq!(c.severity, Severity::Warning);
        assert!(
            c.evidence
                .iter()
                .any(|e| e.text == "volume_driver = cinder.volume.drivers.nfs.NfsDriver")
        );
        assert!(c.fix.iter().any(|f| f.command.as_deref() == Some("crudini --set /etc/cinder/cinder.conf nfs-nas01 nas_secure_file_operations false && crudini --set /etc/cinder/cinder.conf nfs-nas01 nas_secure_file_permissions false")));
        assert!(
            c.fix
                .iter()
                .any(|f| f.command.as_deref() == Some("systemctl restart openstack-cinder-volume"))
        );
        assert_eq!(recognise("cinder.txt", &t), Some(Kind::CinderConf));
        // With the indicator in the same evidence: error; explicit options: nothing.
        let both = format!("{t}\n# ls /var/lib/cinder/mnt/x\n.cinderSecureEnvIndicator\n");
        assert_eq!(
            check(
                &crate::parse(Kind::CinderConf, &both),
                "cinder-nas-secure-auto"
            )
            .severity,
            Severity::Error
        );
        let fixed = t.replace("nfs_sparsed_volumes = True", "nfs_sparsed_volumes = True\nnas_secure_file_operations = false\nnas_secure_file_permissions = false");
        assert!(
            ConfigFiles
                .parse(Kind::CinderConf, &fixed)
                .checks
                .is_empty()
        );
        let q = read(&ex(
            "003-nfs-volume-permission-denied/etc/libvirt/qemu.conf",
        ))
        .expect("bundle 003");
        let (k, st) = run("etc/libvirt/qemu.conf", &q);
        assert_eq!(k, Kind::QemuConf);
        let u = st.facts.iter().find(|f| f["type"] == "qemu-user").unwrap();
        assert_eq!(u["user"], "qemu");
        assert_eq!(recognise("x", &q), Some(Kind::QemuConf));
    }

    #[test]
    fn multipath_conf_and_multipath_settings() {
        let t =
            read(&ex("001-libvirt-crashloop-multipath/etc/multipath.conf")).expect("bundle 001");
        let (k, st) = run("etc/multipath.conf", &t);
        assert_eq!(k, Kind::MultipathConf);
        let c = check(&st, "multipath-queue-forever");
        assert!(c.en.contains("NETAPP"));
        assert!(
            c.evidence
                .iter()
                .any(|e| e.text.trim() == "no_path_retry queue")
        );
        assert!(
            c.evidence
                .iter()
                .any(|e| e.text.trim() == "features \"1 queue_if_no_path\"")
        );
        assert!(
            c.fix
                .iter()
                .any(|f| f.command.as_deref() == Some("multipathd reconfigure"))
        );
        assert_eq!(recognise("x", &t), Some(Kind::MultipathConf));
        let bounded = t.replace("no_path_retry queue", "no_path_retry 12");
        assert!(
            ConfigFiles
                .parse(Kind::MultipathConf, &bounded)
                .checks
                .is_empty()
        );
        let both =
            include_str!("../../tests/captures/nova.conf/nova.conf__cinder-multipath-option");
        let st = ConfigFiles.parse(Kind::NovaConf, both);
        check(&st, "multipath-setting-mismatch");
        let nova = include_str!("../../tests/captures/nova.conf/nova.conf");
        let (k, st) = run("nova.txt", nova);
        assert_eq!(k, Kind::NovaConf);
        assert!(st.checks.is_empty());
        let f = st
            .facts
            .iter()
            .find(|f| f["type"] == "multipath-setting")
            .unwrap();
        assert_eq!(f["value"], true);
    }

    #[test]
    fn corpus_healthy_host_has_no_findings() {
        let files = [
            "etc/nova/nova.conf",
            "etc/libvirt/qemu.conf",
            "etc/multipath.conf",
            "sos_commands/multipath/multipathd_show_config",
            "sos_commands/multipath/multipath_-t",
        ];
        corpus_files_have_no_findings(&files, |_, _| {});
        if let Some(t) = read(&corpus("etc/lvm/lvm.conf")) {
            assert_eq!(
                recognise("etc/lvm/lvm.conf", &t),
                None,
                "lvm.conf is not multipath.conf"
            );
        }
    }
}
