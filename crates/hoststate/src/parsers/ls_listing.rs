//! `ls -l` / `ls -ln` / `ls -lZ` / `ls -laR` listings and `stat`, with
//! `id <user>` lines beside them: `file`, `cinder-secure-indicator` and
//! `account` facts; check `volume-file-mode` (a volume file qemu cannot
//! open).

use super::virt_common::{basename, find_uuid, with_empty_note};
use super::{HostParser, Kind};
use crate::{Check, Cite, HostState};
use rootline_model::FieldKind;
use serde_json::json;

pub(crate) struct LsListing;

impl HostParser for LsListing {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::LsListing]
    }

    fn by_content(&self, _rel_path: &str, sample: &str) -> Option<Kind> {
        if sample.trim().is_empty() {
            return None;
        }
        if sample
            .lines()
            .any(|l| l.contains("Access: (") && l.contains("Uid: ("))
        {
            return Some(Kind::LsListing);
        }
        let ls_lines = sample
            .lines()
            .filter(|l| parse_ls_line(l).is_some())
            .count();
        if ls_lines >= 2 || (ls_lines == 1 && sample.contains("volume-")) {
            return Some(Kind::LsListing);
        }
        None
    }

    fn parse(&self, _kind: Kind, text: &str) -> HostState {
        with_empty_note(parse_ls(text), text)
    }
}

fn dirname(p: &str) -> Option<&str> {
    p.rfind('/').map(|i| &p[..i])
}

struct LsEntry {
    perms: String,
    owner: String,
    group: String,
    name: String,
    /// The SELinux context `ls -Z` prints (`system_u:object_r:nfs_t:s0`).
    context: Option<String>,
}

/// An SELinux context column: `user:role:type:level`, or `?` where the file
/// system has none (Ubuntu without SELinux).
fn is_context(s: &str) -> bool {
    s == "?" || (s.matches(':').count() >= 2 && s.starts_with(|c: char| c.is_ascii_alphabetic()))
}

fn perm_mode(p: &str) -> Option<u32> {
    let b = p.as_bytes();
    if b.len() < 10 {
        return None;
    }
    let mut m = 0;
    for (i, c) in b[1..10].iter().enumerate() {
        let bit = 1 << (8 - i);
        match c {
            b'r' | b'w' | b'x' | b's' | b't' => m |= bit,
            b'-' | b'S' | b'T' => {}
            _ => return None,
        }
    }
    Some(m)
}

fn parse_ls_line(l: &str) -> Option<LsEntry> {
    let t: Vec<&str> = l.split_whitespace().collect();
    if t.len() < 5 {
        return None;
    }
    let p = t[0];
    if !matches!(
        p.as_bytes().first(),
        Some(b'-' | b'd' | b'l' | b'b' | b'c' | b'p' | b's')
    ) {
        return None;
    }
    if perm_mode(p).is_none() || !(10..=11).contains(&p.len()) {
        return None;
    }
    // RHEL 7's `ls -Z` / `ls -lZ`: mode, owner, group, context, name only
    // (`-rw-------. root root system_u:object_r:admin_home_t:s0 anaconda-ks.cfg`).
    if !t[1].chars().all(|c| c.is_ascii_digit()) {
        if t.len() < 5 || !is_context(t[3]) || t[3] == "?" {
            return None;
        }
        let mut rest = l.trim_start();
        for _ in 0..4 {
            let e = rest.find(char::is_whitespace)?;
            rest = rest[e..].trim_start();
        }
        return Some(LsEntry {
            perms: p.to_string(),
            owner: t[1].to_string(),
            group: t[2].to_string(),
            name: rest.to_string(),
            context: Some(t[3].to_string()),
        });
    }
    if t.len() < 8 {
        return None;
    }
    // Newer coreutils put the context between the group and the size.
    let context = (t.len() >= 9 && is_context(t[4])).then(|| t[4].to_string());
    let mut k = if context.is_some() { 5 } else { 4 };
    if t[k].ends_with(',') {
        k += 2; // major, minor
    } else {
        k += 1; // size
    }
    // Date: `Oct 11 17:55` / `Oct  4  2019` (3), `2019-10-11 17:55` (2), full-iso (3).
    let date_n = match t.get(k) {
        Some(d) if d.len() == 10 && d.as_bytes().get(4) == Some(&b'-') => {
            if t.get(k + 2)
                .is_some_and(|z| z.starts_with('+') || z.starts_with('-'))
            {
                3
            } else {
                2
            }
        }
        _ => 3,
    };
    k += date_n;
    // The name: the rest of the line after the k-th token.
    let mut rest = l.trim_start();
    for _ in 0..k {
        let e = rest.find(char::is_whitespace)?;
        rest = rest[e..].trim_start();
    }
    if rest.is_empty() {
        return None;
    }
    Some(LsEntry {
        perms: p.to_string(),
        owner: t[2].to_string(),
        group: t[3].to_string(),
        name: rest.to_string(),
        context,
    })
}

/// Users and groups from `id <user>` lines: (user, uid, group names and
/// numbers, 0-based line).
fn parse_id_lines(text: &str) -> Vec<(String, String, Vec<String>, usize)> {
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        let Some(rest) = t.strip_prefix("uid=") else {
            continue;
        };
        let name_of = |s: &str| {
            s.split('(')
                .nth(1)
                .and_then(|x| x.split(')').next())
                .map(str::to_string)
        };
        let parts: Vec<&str> = rest.split_whitespace().collect();
        // A copy cut right after `uid=` names nobody.
        let Some(user) = parts.first().and_then(|p| name_of(p)) else {
            continue;
        };
        let uid = parts[0].split('(').next().unwrap_or("").to_string();
        let mut groups = Vec::new();
        for p in &parts[1..] {
            if let Some(g) = p.strip_prefix("groups=").or_else(|| p.strip_prefix("gid=")) {
                for x in g.split(',') {
                    if let Some(n) = name_of(x) {
                        groups.push(n);
                    }
                    groups.push(x.split('(').next().unwrap_or("").to_string());
                }
            }
        }
        groups.push(user.clone());
        groups.retain(|g| !g.is_empty());
        groups.dedup();
        out.push((user, uid, groups, i));
    }
    out
}

fn parse_ls(text: &str) -> HostState {
    let mut st = HostState::default();
    let lines: Vec<&str> = text.lines().collect();
    let mut dir: Option<String> = None;
    let mut entries: Vec<(usize, LsEntry, Option<String>)> = Vec::new();
    let mut stat_file: Option<(usize, String)> = None;
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim();
        // `ls -l <dir>` prompt or `-R` heading names the directory.
        let words: Vec<&str> = t.split_whitespace().collect();
        let is_prompt = t.starts_with('[') || t.starts_with('#') || t.starts_with('$');
        if let Some(p) = words
            .iter()
            .position(|w| *w == "ls" || w.ends_with("#ls") || w.ends_with("$ls"))
            && (is_prompt || p == 0)
        {
            if let Some(last) = words[p..].iter().rev().find(|w| w.starts_with('/')) {
                dir = Some(last.trim_end_matches('/').to_string());
            }
            continue;
        }
        if t.starts_with('/') && t.ends_with(':') && !t.contains(' ') {
            dir = Some(t.trim_end_matches(':').trim_end_matches('/').to_string());
            continue;
        }
        if let Some(f) = t.strip_prefix("File:") {
            let f = f.trim().trim_matches(['\'', '"', '‘', '’']).to_string();
            stat_file = Some((i, f));
            continue;
        }
        if t.starts_with("Access: (")
            && t.contains("Uid: (")
            && let Some((fl, name)) = stat_file.take()
        {
            // Access: (0660/-rw-rw----)  Uid: (  162/    nova)   Gid: (  162/    nova)
            let perms = t
                .split('/')
                .nth(1)
                .and_then(|s| s.split(')').next())
                .unwrap_or("")
                .to_string();
            let who = |k: &str| {
                t.split(k)
                    .nth(1)
                    .and_then(|s| s.split(')').next())
                    .and_then(|s| s.split('/').nth(1))
                    .map(|s| s.trim().to_string())
                    .unwrap_or_default()
            };
            let e = LsEntry {
                perms,
                owner: who("Uid: ("),
                group: who("Gid: ("),
                name: basename(&name).to_string(),
                context: None,
            };
            let d = dirname(&name).map(str::to_string).or_else(|| dir.clone());
            let _ = fl;
            entries.push((i, e, d));
            continue;
        }
        if let Some(e) = parse_ls_line(l) {
            entries.push((i, e, dir.clone()));
        }
    }
    let ids = parse_id_lines(text);
    let mut indicator: Option<usize> = None;
    for (i, e, d) in &entries {
        let mode = perm_mode(&e.perms).unwrap_or(0);
        let path = match d {
            Some(d) => format!("{d}/{}", e.name),
            None => e.name.clone(),
        };
        if e.name.contains(".cinderSecureEnvIndicator") {
            indicator = Some(*i);
        }
        let mut f = json!({"type": "file", "line": i + 1, "path": path, "name": e.name,
            "owner": e.owner, "group": e.group, "mode": format!("{mode:04o}"),
            "kind": e.perms.get(..1)});
        if let Some(c) = e.context.as_deref().filter(|c| *c != "?") {
            f["selinux"] = json!(c);
            if let Some(ty) = c.split(':').nth(2) {
                f["selinux_type"] = json!(ty);
            }
        }
        st.facts.push(f);
    }
    if let Some(i) = indicator {
        st.facts
            .push(json!({"type": "cinder-secure-indicator", "line": i + 1}));
    }
    // `id qemu` and friends: who is in which group, for checks that learn
    // the qemu user from another file (qemu.conf, ps).
    for (user, uid, groups, i) in &ids {
        st.facts
            .push(json!({"type": "account", "line": i + 1, "user": user,
            "uid": uid, "groups": groups}));
    }
    // Which user runs qemu: a volume owner named like it, else the distribution default.
    let volumes: Vec<&(usize, LsEntry, Option<String>)> = entries
        .iter()
        .filter(|(_, e, _)| e.perms.starts_with('-') && e.name.starts_with("volume-"))
        .collect();
    let qemu_user = volumes
        .iter()
        .map(|(_, e, _)| e.owner.as_str())
        .find(|o| matches!(*o, "qemu" | "libvirt-qemu" | "107" | "64055"))
        .unwrap_or("qemu")
        .to_string();
    let mut qemu_groups: Vec<String> = vec![qemu_user.clone()];
    if qemu_user == "libvirt-qemu" {
        qemu_groups.push("kvm".into());
    }
    if let Some((_, uid, g, _)) = ids.iter().find(|(u, _, _, _)| *u == qemu_user) {
        qemu_groups.extend(g.iter().cloned());
        qemu_groups.push(uid.clone());
    }
    let mut bad: Vec<(usize, String, String, String)> = Vec::new();
    for (i, e, d) in &volumes {
        let mode = perm_mode(&e.perms).unwrap_or(0);
        let ok = (e.owner == qemu_user && mode & 0o600 == 0o600)
            || (qemu_groups.contains(&e.group) && mode & 0o060 == 0o060)
            || mode & 0o006 == 0o006
            || e.owner == "root" && qemu_user == "root";
        if !ok {
            let path = match d {
                Some(d) => format!("{d}/{}", e.name),
                None => e.name.clone(),
            };
            bad.push((
                *i,
                path,
                format!("{}:{} {:04o}", e.owner, e.group, mode),
                e.name.clone(),
            ));
        }
    }
    if !bad.is_empty() {
        let mut ev: Vec<Cite> = bad.iter().map(|b| Cite::nth(b.0, lines[b.0])).collect();
        if let Some(i) = indicator {
            ev.push(Cite::nth(i, lines[i]));
        }
        ev.sort_by_key(|c| c.line);
        let mut c = Check::raise(crate::id::VOLUME_FILE_MODE);
        for (_, path, _, name) in &bad {
            if let Some(u) = find_uuid(name) {
                c.add_field("volume", u, FieldKind::Uuid);
            }
            c.add_field("path", path, FieldKind::Path);
        }
        let list = bad.iter().map(|b| format!("{} ({})", b.3, b.2));
        let paths = bad
            .iter()
            .map(|b| b.1.clone())
            .collect::<Vec<_>>()
            .join(" ");
        c.bind("count", bad.len());
        c.bind_list("files", list);
        c.bind("paths", paths);
        // Only the listing: the qemu user is guessed from the owners.
        c.flag("guessed", true);
        c.bind("user", &qemu_user);
        c.bind(
            "group",
            if qemu_user == "libvirt-qemu" {
                "kvm"
            } else {
                qemu_user.as_str()
            },
        );
        if let Some(i) = indicator {
            c.bind(
                "indicator",
                entries
                    .iter()
                    .find(|e| e.0 == i)
                    .map_or("", |e| e.1.name.as_str()),
            );
        }
        c.evidence = ev;
        st.checks.push(c);
    }
    st
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parsers::virt_common::testing::*;
    use rootline_model::Severity;

    #[test]
    fn bundle_003_listing() {
        let t =
            read(&ex("003-nfs-volume-permission-denied/ls-l-cinder-mnt.txt")).expect("bundle 003");
        let (k, st) = run("ls-l-cinder-mnt.txt", &t);
        assert_eq!(k, Kind::LsListing);
        let c = check(&st, "volume-file-mode");
        assert_eq!(c.severity, Severity::Error);
        for v in [
            "2c8e41f0-9b37-4d6a-a5e2-71f0c3d8b964",
            "9d9074a3-2f80-4db2-be3a-3f8a65c426c3",
            "e5a17b92-0c64-4f18-8d3a-6b2f9e1c7d05",
        ] {
            assert!(has_field(c, "volume", v), "{v}");
        }
        assert!(!has_field(
            c,
            "volume",
            "3a61f0d8-94c2-4b7e-a1d5-8e2c6f9b0a17"
        ));
        assert!(!has_field(
            c,
            "volume",
            "1d93e7a5-60bc-4f2e-8a71-c5b9d0e3f248"
        ));
        assert!(
            c.fix
                .iter()
                .any(|f| f.command.as_deref().is_some_and(|x| x.starts_with(
                    "chmod 666 /var/lib/cinder/mnt/63bf80ae8c90ff6c5fcee0d7b3c5711e/volume-2c8e41f0"
                )))
        );
        assert!(
            c.evidence
                .iter()
                .any(|e| e.text.contains(".cinderSecureEnvIndicator"))
        );
        assert!(
            st.facts
                .iter()
                .any(|f| f["type"] == "cinder-secure-indicator")
        );
    }

    #[test]
    fn ls_numeric_stat_and_ubuntu() {
        let ln = include_str!("../../tests/captures/ls-l/ls_-ln");
        let (k, st) = run("ls-ln.txt", ln);
        assert_eq!(k, Kind::LsListing);
        let c = check(&st, "volume-file-mode");
        assert!(has_field(
            c,
            "volume",
            "2c8e41f0-9b37-4d6a-a5e2-71f0c3d8b964"
        ));
        let stat = include_str!("../../tests/captures/ls-l/stat_volume.txt");
        let (k, st) = run("stat.txt", stat);
        assert_eq!(k, Kind::LsListing);
        let c = check(&st, "volume-file-mode");
        assert!(has_field(
            c,
            "path",
            "/var/lib/nova/mnt/63bf/volume-9d9074a3-2f80-4db2-be3a-3f8a65c426c3"
        ));
        let ok = include_str!("../../tests/captures/ls-l/ls_-l");
        let (_, st) = run("ls.txt", ok);
        assert!(st.checks.is_empty(), "{:?}", ids(&st));
        assert_eq!(st.facts[0]["owner"], "libvirt-qemu");
    }

    #[test]
    fn ls_with_selinux_contexts_keeps_owner_and_mode() {
        // RHEL 7's `ls -Z` (mode, owner, group, context, name), as printed in
        // a public SELinux tutorial; a RHEL 8 `ls -lZ` with the context
        // between group and size; Ubuntu's `ls -laZ` with `?` (the healthy
        // corpus sosreport's openstack_neutron listing has that shape).
        let el7 = include_str!("../../tests/captures/ls-l/ls_-Z");
        let (k, st) = run("ls-Z.txt", el7);
        assert_eq!(k, Kind::LsListing);
        let f = &st.facts[0];
        assert_eq!(
            (f["name"].as_str(), f["owner"].as_str(), f["mode"].as_str()),
            (Some("anaconda-ks.cfg"), Some("root"), Some("0600"))
        );
        assert_eq!(f["selinux_type"], "admin_home_t");

        let el8 = include_str!("../../tests/captures/ls-l/ls_-lZ.txt");
        let (k, st) = run("ls.txt", el8);
        assert_eq!(k, Kind::LsListing);
        let f = &st.facts[0];
        assert_eq!(f["name"], "volume-9d9074a3-2f80-4db2-be3a-3f8a65c426c3");
        assert_eq!(
            f["path"],
            "/var/lib/nova/mnt/63bf80ae8c90ff6c5fcee0d7b3c5711e/volume-9d9074a3-2f80-4db2-be3a-3f8a65c426c3"
        );
        assert_eq!(
            (f["owner"].as_str(), f["mode"].as_str()),
            (Some("nova"), Some("0660"))
        );
        assert_eq!(f["selinux"], "system_u:object_r:nfs_t:s0");
        // The mode check still reads it.
        assert!(ids(&st).iter().any(|(id, _)| *id == "volume-file-mode"));

        let ubuntu = include_str!("../../tests/captures/ls-l/ls_-laZR_.var.lib.neutron.lock");
        let (_, st) = run("ls_-laZR_.var.lib.neutron.lock", ubuntu);
        let f = &st.facts[1];
        assert_eq!(
            f["name"],
            "neutron-iptables-fip-32981f34-497a-4fae-914a-8576055c8d0d"
        );
        assert!(f.get("selinux").is_none());
    }
}
