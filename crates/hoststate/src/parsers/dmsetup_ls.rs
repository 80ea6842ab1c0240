//! `dmsetup ls` and `dmsetup ls --tree`: a `dm-device` fact per map (with
//! what it depends on, in a tree); check `multipath-map-no-active-path`
//! for a multipath map with no device under it.

use rootline_model::FieldKind;
use serde_json::{Map, Value, json};

use super::block_common::{
    add_cite, add_field, base_name, is_devnum, looks_wwid, meaningful_lines, no_active_path_check,
    read, set,
};
use super::{HostParser, Kind};
use crate::HostState;

/// `dmsetup ls [--tree]`.
pub(crate) struct DmsetupLs;

impl HostParser for DmsetupLs {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::DmsetupLs]
    }

    fn by_content(&self, _rel_path: &str, sample: &str) -> Option<Kind> {
        let lines = meaningful_lines(sample);
        let first = *lines.first()?;
        let ls_like = lines.iter().filter(|l| dm_ls_entry(l).is_some()).count();
        if ls_like > 0
            && ls_like * 2 >= lines.len().min(20)
            && !first.starts_with(char::is_whitespace)
        {
            return Some(Kind::DmsetupLs);
        }
        None
    }

    fn by_name(&self, rel_path: &str) -> Option<Kind> {
        base_name(rel_path)
            .starts_with("dmsetup_ls")
            .then_some(Kind::DmsetupLs)
    }

    fn parse(&self, _kind: Kind, text: &str) -> HostState {
        read(text, |lines, _, st| parse_dmsetup_ls(lines, st))
    }
}

fn looks_mpath_name(s: &str) -> bool {
    s.starts_with("mpath") || looks_wwid(s)
}

/// `name\t(253:0)`, `name (253, 0)`, ` |-name (253:0)`, `    `- (8:32)`.
/// Returns (depth column, name, devnum).
fn dm_ls_entry(line: &str) -> Option<(usize, String, Option<String>)> {
    let t = line.trim_end();
    let body_start = t.find(|c: char| !(c.is_whitespace() || "|`-".contains(c)))?;
    let body = &t[body_start..];
    let (name, devnum) = match body.rfind('(') {
        Some(i) if body.ends_with(')') => {
            let inner = &body[i + 1..body.len() - 1];
            let dn = inner.replace(", ", ":").replace(',', ":").replace(' ', "");
            if !is_devnum(&dn) {
                return None;
            }
            let name = body[..i].trim();
            if name.contains(char::is_whitespace) {
                return None;
            }
            (name.to_string(), Some(dn))
        }
        _ => {
            // A truncated tree node (`name...`) without a devnum.
            if body_start == 0 && !body.contains(char::is_whitespace) && body.ends_with("...") {
                (body.to_string(), None)
            } else {
                return None;
            }
        }
    };
    Some((body_start, name, devnum))
}

fn parse_dmsetup_ls(lines: &[(u64, &str)], st: &mut HostState) {
    struct Node {
        line: u64,
        text: String,
        depth: usize,
        name: String,
        devnum: Option<String>,
        deps: Vec<String>,
    }
    let tree = lines
        .iter()
        .any(|(_, l)| l.starts_with(char::is_whitespace) && (l.contains("`-") || l.contains("|-")));
    let mut nodes: Vec<Node> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    for &(n, l) in lines {
        let Some((depth, name, devnum)) = dm_ls_entry(l) else {
            continue;
        };
        while stack.last().is_some_and(|&i| nodes[i].depth >= depth) {
            stack.pop();
        }
        let dep_label = if name.is_empty() {
            devnum.clone().unwrap_or_default()
        } else {
            name.clone()
        };
        if let Some(&p) = stack.last() {
            nodes[p].deps.push(dep_label);
        }
        if !name.is_empty() {
            nodes.push(Node {
                line: n,
                text: l.to_string(),
                depth,
                name,
                devnum,
                deps: Vec::new(),
            });
            stack.push(nodes.len() - 1);
        }
    }
    let mut seen: Vec<String> = Vec::new();
    for nd in &nodes {
        if seen.contains(&nd.name) {
            continue;
        }
        seen.push(nd.name.clone());
        let mut f = Map::new();
        f.insert("type".into(), json!("dm-device"));
        f.insert("line".into(), json!(nd.line));
        set(&mut f, "name", nd.name.trim_end_matches("..."));
        if nd.name.ends_with("...") {
            f.insert("name_truncated".into(), json!(true));
        }
        if let Some(d) = &nd.devnum {
            set(&mut f, "devnum", d);
        }
        if tree {
            f.insert("depends_on".into(), json!(nd.deps));
        }
        st.facts.push(Value::Object(f));
        if tree && nd.depth == 0 && nd.deps.is_empty() && looks_mpath_name(&nd.name) {
            let dm = nd
                .devnum
                .as_deref()
                .and_then(|d| d.strip_prefix("253:"))
                .map(|m| format!("dm-{m}"));
            let wwid = looks_wwid(&nd.name).then_some(nd.name.as_str());
            let mut c = no_active_path_check(
                &nd.name,
                wwid,
                dm.as_deref(),
                &[],
                false,
                "dmsetup ls --tree",
            );
            c.flag("no_device", true);
            if let Some(d) = &nd.devnum {
                add_field(&mut c, "devnum", d, FieldKind::DevNum);
            }
            add_cite(&mut c, nd.line, &nd.text);
            st.checks.push(c);
        }
    }
    if nodes.is_empty() && lines.iter().any(|(_, l)| l.contains("No devices found")) {
        st.notes.push("dmsetup: no devices".to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::super::block_common::testing::{recognise, run};
    use super::*;

    // The Ceph OSD's part of a real `dmsetup ls --tree` (the example
    // sosreport in shared/corpus): a truncated LV name over its dm-crypt map.
    const DM_LS_TREE: &str = include_str!("../../tests/captures/dmsetup-ls/dmsetup_ls_--tree");

    #[test]
    fn tree_nodes_and_what_they_depend_on() {
        assert_eq!(recognise("x", DM_LS_TREE), Some(Kind::DmsetupLs));
        let st = run(Kind::DmsetupLs, DM_LS_TREE);
        assert_eq!(st.facts.len(), 2);
        assert_eq!(st.facts[0]["name_truncated"], true);
        assert_eq!(
            st.facts[0]["depends_on"],
            json!(["crypt-48858aa1-71a3-4f0e-95f3-a07d1d9a6749"])
        );
        assert_eq!(st.facts[1]["devnum"], "253:0");
        assert_eq!(st.facts[1]["depends_on"], json!(["251:128"]));
        assert!(st.checks.is_empty());
    }
}
