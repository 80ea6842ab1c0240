//! `virsh list --all` and `virsh domblklist [--details]`: `virsh-domain`
//! and `domain-block` facts; check `domains-paused` (every running domain
//! paused at once).

use super::virt_common::{find_uuid, path_and_base, with_empty_note};
use super::{HostParser, Kind};
use crate::{Check, Cite, HostState};
use rootline_model::FieldKind;
use serde_json::json;

pub(crate) struct Virsh;

impl HostParser for Virsh {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::VirshList, Kind::VirshDomblklist]
    }

    fn by_content(&self, _rel_path: &str, sample: &str) -> Option<Kind> {
        if sample.trim().is_empty() {
            return None;
        }
        for l in sample.lines().take(20) {
            let t: Vec<&str> = l.split_whitespace().collect();
            if t == ["Id", "Name", "State"] {
                return Some(Kind::VirshList);
            }
            if t == ["Target", "Source"] || t == ["Type", "Device", "Target", "Source"] {
                return Some(Kind::VirshDomblklist);
            }
        }
        None
    }

    /// A `virsh` that could not reach libvirt leaves only its name.
    fn by_name(&self, rel_path: &str) -> Option<Kind> {
        let (_, base) = path_and_base(rel_path);
        if base.starts_with("virsh_list") || base.starts_with("virsh-list") {
            return Some(Kind::VirshList);
        }
        if base.contains("domblklist") {
            return Some(Kind::VirshDomblklist);
        }
        None
    }

    fn parse(&self, kind: Kind, text: &str) -> HostState {
        let st = match kind {
            Kind::VirshList => parse_virsh_list(text),
            Kind::VirshDomblklist => parse_domblklist(text),
            _ => return HostState::default(),
        };
        with_empty_note(st, text)
    }
}

fn parse_virsh_list(text: &str) -> HostState {
    let mut st = HostState::default();
    let mut in_table = false;
    let mut rows: Vec<(usize, &str, String, String)> = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let t: Vec<&str> = l.split_whitespace().collect();
        if t == ["Id", "Name", "State"] {
            in_table = true;
            continue;
        }
        if !in_table || t.len() < 3 || l.trim_start().starts_with("---") {
            continue;
        }
        if !(t[0] == "-" || t[0].chars().all(|c| c.is_ascii_digit())) {
            continue;
        }
        st.facts
            .push(json!({"type": "virsh-domain", "line": i + 1, "id": t[0],
            "name": t[1], "state": t[2..].join(" ")}));
        rows.push((i, l, t[1].to_string(), t[2..].join(" ")));
    }
    // Every running domain paused at once. Nobody pauses all VMs of a host
    // by hand; qemu pauses a VM by itself when a disk write fails under its
    // error policy, and libvirt's default policy (werror=enospc) stops only
    // on ENOSPC: the storage under their images most likely filled up.
    let paused: Vec<&(usize, &str, String, String)> =
        rows.iter().filter(|r| r.3 == "paused").collect();
    let running = rows.iter().any(|r| r.3 == "running");
    if paused.len() >= 2 && !running {
        let mut c = Check::raise(crate::id::DOMAINS_PAUSED);
        c.bind("count", paused.len());
        c.bind("first_domain", &paused[0].2);
        for r in &paused {
            c.add_field_once("domain", &r.2, FieldKind::Domain);
            c.add_cite(&Cite::nth(r.0, r.1));
        }
        st.checks.push(c);
    }
    st
}

fn parse_domblklist(text: &str) -> HostState {
    let mut st = HostState::default();
    let mut details = None;
    for (i, l) in text.lines().enumerate() {
        let t: Vec<&str> = l.split_whitespace().collect();
        if t == ["Target", "Source"] {
            details = Some(false);
            continue;
        }
        if t == ["Type", "Device", "Target", "Source"] {
            details = Some(true);
            continue;
        }
        let Some(d) = details else { continue };
        if l.trim_start().starts_with("---") || t.is_empty() {
            continue;
        }
        let (target, source, ty) = if d {
            if t.len() < 4 {
                continue;
            }
            (t[2], t[3..].join(" "), Some(t[0]))
        } else {
            if t.len() < 2 {
                continue;
            }
            (t[0], t[1..].join(" "), None)
        };
        st.facts.push(
            json!({"type": "domain-block", "line": i + 1, "target": target,
            "source": source, "disk-type": ty, "volume": find_uuid(&source)}),
        );
    }
    st
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parsers::virt_common::testing::*;
    use rootline_model::Severity;

    #[test]
    fn every_domain_paused_at_once_points_at_full_storage() {
        let all = include_str!("../../tests/captures/virsh-list/virsh_list_--all__all-paused");
        let st = crate::parse(Kind::VirshList, all);
        let c = check(&st, "domains-paused");
        assert_eq!(c.severity, Severity::Warning);
        assert_eq!(c.evidence.len(), 2);
        assert!(
            c.fields
                .iter()
                .any(|(n, v, _)| n == "domain" && v == "db-0")
        );
        // One paused among running ones is an operator's pause, not this.
        let one = include_str!("../../tests/captures/virsh-list/virsh_list_--all__one-paused");
        assert!(parse_virsh_list(one).checks.is_empty());
    }

    #[test]
    fn virsh_list_and_domblklist() {
        let l = include_str!("../../tests/captures/virsh-list/virsh_list_--all");
        let (k, st) = run("virsh_list_--all", l);
        assert_eq!(k, Kind::VirshList);
        assert_eq!(st.facts.len(), 2);
        assert_eq!(st.facts[1]["state"], "shut off");
        let b = include_str!(
            "../../tests/captures/virsh-domblklist/virsh_domblklist_--details_instance-0000001c"
        );
        let (k, st) = run("domblklist", b);
        assert_eq!(k, Kind::VirshDomblklist);
        assert_eq!(st.facts[1]["source"], "/dev/dm-21");
        assert_eq!(
            st.facts[0]["volume"],
            "6c59b812-2d8d-4da5-92d6-6bbe527926d6"
        );
    }
}
