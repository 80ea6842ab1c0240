//! `lsblk` in all its layouts (tree, `-f`, `-l`, `-t`, `-P`, `-O -P`, `-J`,
//! RHEL 6's `name (dm-N)`, UTF-8 tree drawing): a `block-device` fact per
//! device with its parents, and what lsblk printed about a device it could
//! not show as a note; checks `multipath-map-no-active-path` (a multipath
//! map with no device under it) and `scsi-device-offline`.

use rootline_model::FieldKind;
use serde_json::{Map, Value, json};

use super::block_common::{
    add_cite, add_field, base_name, is_devnum, is_offline, looks_wwid, meaningful_lines,
    no_active_path_check, read, scsi_offline_check, set, spans,
};
use super::{HostParser, Kind};
use crate::HostState;

/// `lsblk`, every layout.
pub(crate) struct Lsblk;

impl HostParser for Lsblk {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Lsblk]
    }

    fn by_content(&self, _rel_path: &str, sample: &str) -> Option<Kind> {
        let lines = meaningful_lines(sample);
        let first = *lines.first()?;
        let ft = first.trim_start();
        if ft.starts_with('{') && sample.contains("\"blockdevices\"") {
            return Some(Kind::Lsblk);
        }
        if lines.iter().take(5).any(|l| lsblk_pairs_row(l)) {
            return Some(Kind::Lsblk);
        }
        let head: Vec<&str> = ft.split_whitespace().collect();
        if head.first() == Some(&"NAME")
            && (head.iter().any(|t| {
                matches!(
                    *t,
                    "MAJ:MIN" | "FSTYPE" | "KNAME" | "DISC-ALN" | "ALIGNMENT" | "HCTL" | "WWN"
                )
            }) || (head.contains(&"TYPE")
                && head
                    .iter()
                    .any(|t| matches!(*t, "MOUNTPOINT" | "MOUNTPOINTS" | "RM" | "RO"))))
        {
            return Some(Kind::Lsblk);
        }
        None
    }

    fn by_name(&self, rel_path: &str) -> Option<Kind> {
        base_name(rel_path)
            .starts_with("lsblk")
            .then_some(Kind::Lsblk)
    }

    fn parse(&self, _kind: Kind, text: &str) -> HostState {
        read(text, |lines, _, st| parse_lsblk(text, lines, st))
    }
}

fn lsblk_key(k: &str) -> Option<&'static str> {
    Some(match k.to_ascii_lowercase().as_str() {
        "name" => "name",
        "kname" => "kname",
        "path" => "path",
        "maj:min" | "maj_min" => "devnum",
        "type" => "dev_type",
        "size" => "size",
        "ro" => "ro",
        "rm" => "rm",
        "mountpoint" | "mountpoints" => "mountpoint",
        "fstype" => "fstype",
        "uuid" => "uuid",
        "label" => "label",
        "model" => "model",
        "serial" => "serial",
        "wwn" => "wwn",
        "vendor" => "vendor",
        "rev" => "rev",
        "state" => "state",
        "tran" => "tran",
        "hctl" => "hctl",
        "pkname" => "pkname",
        _ => return None,
    })
}

struct BlkRow {
    line: u64,
    text: String,
    obj: Map<String, Value>,
    parent: Option<String>,
}

fn jstr(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Array(a) => a
            .iter()
            .map(jstr)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    }
}

/// A `lsblk -P` row: `KEY="value"` pairs in the order of `-o` (NAME need
/// not come first: `ALIGNMENT="0" … NAME="sda" …`), one of them NAME or
/// KNAME.
fn lsblk_pairs_row(l: &str) -> bool {
    let key: String = l.chars().take_while(|c| *c != '=').collect();
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || ":_-%.".contains(c))
        && l[key.len()..].starts_with("=\"")
        && [" NAME=\"", " KNAME=\""]
            .iter()
            .any(|k| l.starts_with(&k[1..]) || l.contains(k))
}

/// One row of the tree (or list) layout, the name starting at byte
/// `name_start` (after the tree drawing): the name, the kernel name RHEL 6
/// prints after it (`mpathb (dm-2)`), and the other cells by header column
/// (index 0, NAME, left empty). Cells are placed by column (character), not
/// byte: a UTF-8 tree (`└─`) takes 2 columns and 6 bytes. lsblk pads the
/// name to the widest one, but a row need not line up with the header
/// anyway (a fixture edited by hand, a tree redrawn in another width): when
/// the header has MAJ:MIN and the row a `major:minor`, the cells are placed
/// by how far its colon is from the header's — lsblk aligns that column on
/// its colon.
fn lsblk_tree_row(
    header: &[(usize, usize, &str)],
    l: &str,
    name_start: usize,
) -> (String, Option<String>, Vec<String>) {
    let col = |b: usize| l[..b].chars().count();
    let toks = spans(l);
    let mut cols = vec![String::new(); header.len()];
    let Some(ti) = toks.iter().position(|(_, e, _)| *e > name_start) else {
        return (String::new(), None, cols);
    };
    let name = l[name_start.max(toks[ti].0)..toks[ti].1].to_string();
    let mut rest = &toks[ti + 1..];
    let mut kname = None;
    if let Some((_, _, t)) = rest.first()
        && let Some(k) = t.strip_prefix("(dm-").and_then(|k| k.strip_suffix(')'))
        && k.chars().all(|c| c.is_ascii_digit())
    {
        kname = Some(format!("dm-{k}"));
        rest = &rest[1..];
    }
    let colon = |s: usize, t: &str| t.find(':').map(|c| (s + c) as isize);
    let shift = header
        .iter()
        .find(|(_, _, h)| h.eq_ignore_ascii_case("MAJ:MIN"))
        .and_then(|(hs, _, h)| colon(*hs, h))
        .and_then(|hc| {
            rest.iter()
                .find(|(_, _, t)| is_devnum(t))
                .and_then(|(s, _, t)| colon(col(*s), t))
                .map(|rc| rc - hc)
        })
        .unwrap_or(0);
    for (s, e, t) in rest {
        let (s, e) = (col(*s) as isize - shift, col(*e) as isize - shift);
        let mut best: Option<(usize, isize)> = None;
        for (i, (hs, he, _)) in header.iter().enumerate().skip(1) {
            let ov = e.min(*he as isize) - s.max(*hs as isize);
            if ov > 0 && best.is_none_or(|(_, b)| ov > b) {
                best = Some((i, ov));
            }
        }
        let idx = match best {
            Some((i, _)) => i,
            None => header
                .iter()
                .rposition(|(hs, _, _)| *hs as isize <= s)
                .unwrap_or(0)
                .max(1)
                .min(header.len().saturating_sub(1)),
        };
        if !cols[idx].is_empty() {
            cols[idx].push(' ');
        }
        cols[idx].push_str(t);
    }
    (name, kname, cols)
}

fn parse_lsblk(text: &str, lines: &[(u64, &str)], st: &mut HostState) {
    let mut rows: Vec<BlkRow> = Vec::new();
    // What lsblk said beside the listing (`lsblk: dm-0: failed to get
    // device path`): a device it could not show.
    let mut said: Vec<&str> = Vec::new();
    for (_, l) in lines {
        if l.starts_with("lsblk: ") && !said.contains(l) {
            said.push(l);
        }
    }
    st.notes
        .extend(said.iter().map(|l| format!("lsblk printed: {l}")));
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        match serde_json::from_str::<Value>(trimmed) {
            Ok(v) => {
                fn walk(v: &Value, parent: Option<String>, rows: &mut Vec<BlkRow>) {
                    let Some(o) = v.as_object() else { return };
                    let mut obj = Map::new();
                    for (k, val) in o {
                        if let Some(key) = lsblk_key(k) {
                            set(&mut obj, key, &jstr(val));
                        }
                    }
                    let name = obj.get("name").map(jstr).unwrap_or_default();
                    rows.push(BlkRow {
                        line: 0,
                        text: format!("\"name\": \"{name}\""),
                        obj,
                        parent: parent.clone(),
                    });
                    if let Some(ch) = o.get("children").and_then(Value::as_array) {
                        for c in ch {
                            walk(c, Some(name.clone()), rows);
                        }
                    }
                }
                if let Some(devs) = v.get("blockdevices").and_then(Value::as_array) {
                    for d in devs {
                        walk(d, None, &mut rows);
                    }
                }
                // Cite the line where each device's name appears.
                for r in rows.iter_mut() {
                    let name = r.obj.get("name").map(jstr).unwrap_or_default();
                    let pat = format!("\"{name}\"");
                    if let Some((n, l)) = lines
                        .iter()
                        .find(|(_, l)| l.contains("\"name\"") && l.contains(&pat))
                    {
                        r.line = *n;
                        r.text = l.to_string();
                    }
                }
            }
            Err(e) => st.notes.push(format!(
                "lsblk -J output could not be read as JSON ({e}); it may be truncated"
            )),
        }
    } else if lines.iter().any(|(_, l)| lsblk_pairs_row(l)) {
        for &(n, l) in lines {
            if !lsblk_pairs_row(l) {
                continue;
            }
            let mut obj = Map::new();
            let mut rest = l;
            while let Some(eq) = rest.find("=\"") {
                let key = rest[..eq].trim();
                let after = &rest[eq + 2..];
                let end = after.find('"').unwrap_or(after.len());
                let val = after[..end].replace("\\x20", " ");
                if let Some(k) = lsblk_key(key) {
                    set(&mut obj, k, &val);
                }
                rest = after.get(end + 1..).unwrap_or("");
            }
            if !obj.contains_key("name")
                && let Some(k) = obj.get("kname").cloned()
            {
                obj.insert("name".into(), k);
            }
            let parent = obj.get("pkname").map(jstr).filter(|s| !s.is_empty());
            rows.push(BlkRow {
                line: n,
                text: l.to_string(),
                obj,
                parent,
            });
        }
    } else if let Some(hi) = lines
        .iter()
        .position(|(_, l)| l.trim_start().starts_with("NAME"))
    {
        let (_, hl) = lines[hi];
        let header = spans(hl);
        let mut stack: Vec<(usize, String)> = Vec::new();
        for &(n, l) in &lines[hi + 1..] {
            if l.trim().is_empty() {
                continue;
            }
            // Depth from where the device name starts (2 columns per level;
            // the tree is drawn `|-` `` `- `` in the C locale, `├─` `└─` `│`
            // in UTF-8).
            let name_start = l
                .find(|c: char| !(c.is_whitespace() || "|`-├└│─".contains(c)))
                .unwrap_or(0);
            let (name, kname, cols) = lsblk_tree_row(&header, l, name_start);
            if name.is_empty() {
                continue;
            }
            let depth = l[..name_start].chars().count() / 2;
            while stack.last().is_some_and(|(d, _)| *d >= depth) {
                stack.pop();
            }
            let parent = if depth == 0 {
                None
            } else {
                stack.last().map(|(_, p)| p.clone())
            };
            stack.push((depth, name.clone()));
            let mut obj = Map::new();
            for ((_, _, h), v) in header.iter().zip(cols.iter()).skip(1) {
                if let Some(k) = lsblk_key(h) {
                    set(&mut obj, k, v);
                }
            }
            set(&mut obj, "name", &name);
            if let Some(k) = kname {
                set(&mut obj, "kname", &k);
            }
            rows.push(BlkRow {
                line: n,
                text: l.to_string(),
                obj,
                parent,
            });
        }
    }
    // Merge rows of the same device (a device under several parents).
    let mut order: Vec<String> = Vec::new();
    let mut merged: Vec<(BlkRow, Vec<String>)> = Vec::new();
    for r in rows {
        let name = r.obj.get("name").map(jstr).unwrap_or_default();
        if let Some(i) = order.iter().position(|x| *x == name) {
            if let Some(p) = r.parent
                && !merged[i].1.contains(&p)
            {
                merged[i].1.push(p);
            }
            continue;
        }
        order.push(name);
        let parents = r.parent.clone().into_iter().collect();
        merged.push((r, parents));
    }
    for (r, parents) in &merged {
        let mut f = Map::new();
        f.insert("type".into(), json!("block-device"));
        f.insert("line".into(), json!(r.line));
        for (k, v) in &r.obj {
            f.insert(k.clone(), v.clone());
        }
        f.insert("parents".into(), json!(parents));
        st.facts.push(Value::Object(f));
        let name = r.obj.get("name").map(jstr).unwrap_or_default();
        let dtype = r.obj.get("dev_type").map(jstr).unwrap_or_default();
        let devnum = r.obj.get("devnum").map(jstr);
        if dtype == "mpath" && parents.is_empty() {
            let dm = devnum
                .as_deref()
                .and_then(|d| d.strip_prefix("253:"))
                .map(|m| format!("dm-{m}"));
            let wwid = looks_wwid(&name).then_some(name.as_str());
            let mut c = no_active_path_check(&name, wwid, dm.as_deref(), &[], false, "lsblk");
            c.flag("no_device", true);
            if let Some(d) = &devnum {
                add_field(&mut c, "devnum", d, FieldKind::DevNum);
            }
            add_cite(&mut c, r.line, &r.text);
            st.checks.push(c);
        }
        let state = r.obj.get("state").map(jstr).unwrap_or_default();
        if is_offline(&state) {
            let mut c = scsi_offline_check(&name, &state, devnum.as_deref(), "lsblk");
            add_cite(&mut c, r.line, &r.text);
            st.checks.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::block_common::testing::{find, has_field, ids, recognise, run};
    use super::*;

    const LSBLK_JSON: &str = include_str!("../../tests/captures/lsblk/lsblk_-J");
    const LSBLK_P: &str = include_str!("../../tests/captures/lsblk/lsblk_-P_-o__state-pkname");
    const LSBLK_PAIRS_ANY_ORDER: &str =
        include_str!("../../tests/captures/lsblk/lsblk_-P_-o__insights-ext-data");
    const LSBLK_COMPLAINTS: &str =
        include_str!("../../tests/captures/lsblk/lsblk_-P_-o__insights-ext-data-failed-path");
    const LSBLK_RHEL6: &str =
        include_str!("../../tests/captures/lsblk/lsblk__insights-rhel6-mpath-cut");
    const LSBLK_UNALIGNED: &str =
        include_str!("../../tests/captures/lsblk/lsblk__insights-md-raid-unaligned");
    const LSBLK_UTF8: &str = include_str!("../../tests/captures/lsblk/lsblk__utf8-tree");

    #[test]
    fn recognised_by_content() {
        for text in [LSBLK_JSON, LSBLK_P] {
            assert_eq!(recognise("x", text), Some(Kind::Lsblk), "{text}");
        }
    }

    #[test]
    fn lsblk_json_and_pairs() {
        let st = run(Kind::Lsblk, LSBLK_JSON);
        assert_eq!(st.facts.len(), 3);
        assert_eq!(st.facts[1]["parents"], json!(["sda"]));
        let c = find(&st, "multipath-map-no-active-path", "mpathq");
        assert!(has_field(c, "devnum", "253:9") && has_field(c, "device", "dm-9"));
        assert!(c.evidence[0].line > 0);

        let st = run(Kind::Lsblk, LSBLK_P);
        assert_eq!(ids(&st), vec!["scsi-device-offline"]);
        assert!(has_field(&st.checks[0], "device", "sdc"));
        assert_eq!(st.facts[1]["parents"], json!(["sdc"]));

        let st = run(Kind::Lsblk, &LSBLK_JSON[..60]);
        assert!(st.notes.iter().any(|n| n.contains("JSON")));
    }

    fn blk<'a>(st: &'a HostState, name: &str) -> &'a Value {
        st.facts
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("no {name}: {:#?}", st.facts))
    }

    /// `lsblk -P -o …` prints the pairs in the order asked for: NAME need
    /// not be first (insights `LSBLK_EXT_DATA`, two of its rows, cut).
    #[test]
    fn lsblk_pairs_in_any_order() {
        let text = LSBLK_PAIRS_ANY_ORDER;
        assert_eq!(recognise("lsblk_-P_-o_x", text), Some(Kind::Lsblk));
        assert_eq!(recognise("notes.txt", text), Some(Kind::Lsblk));
        let st = run(Kind::Lsblk, text);
        assert_eq!(st.facts.len(), 2);
        let root = blk(&st, "vg_trex-lv_root");
        assert_eq!(root["kname"], "dm-0");
        assert_eq!(root["devnum"], "253:0");
        assert_eq!(root["mountpoint"], "/");
        assert_eq!(blk(&st, "sda1")["fstype"], "ext4");
    }

    /// What lsblk says of a device it cannot show is kept as a note
    /// (insights `LSBLK_EXT_DATA_FAILED_PATH`).
    #[test]
    fn lsblk_complaints_are_notes() {
        let text = LSBLK_COMPLAINTS;
        let st = run(Kind::Lsblk, text);
        assert_eq!(st.facts.len(), 1);
        assert_eq!(
            st.notes,
            [
                "lsblk printed: lsblk: dm-0: failed to get device path",
                "lsblk printed: lsblk: dm-1: failed to get device path"
            ]
        );
    }

    /// RHEL 6 lsblk prints a device-mapper name with its kernel name,
    /// `mpathb (dm-2)` (insights `LSBLK_DATA2`, cut).
    #[test]
    fn lsblk_rhel6_name_with_kernel_name() {
        let text = LSBLK_RHEL6;
        let st = run(Kind::Lsblk, text);
        let m = blk(&st, "mpathb");
        assert_eq!(m["kname"], "dm-2");
        assert_eq!(m["devnum"], "253:2");
        assert_eq!(m["dev_type"], "mpath");
        assert_eq!(m["parents"], json!(["sdb", "sde"]));
        let lv = blk(&st, "appdg-app");
        assert_eq!(lv["mountpoint"], "/splunk");
        assert_eq!(lv["parents"], json!(["mpathbp1"]));
        assert_eq!(blk(&st, "vg_root-lv_root")["mountpoint"], "/");
        assert!(st.checks.is_empty(), "{:?}", ids(&st));
    }

    /// Rows that do not line up with the header (insights `LSBLK_DATA3`,
    /// whose rhel-root/rhel-swap rows are 5 columns left of it) are placed
    /// by their MAJ:MIN colon.
    #[test]
    fn lsblk_rows_not_aligned_to_the_header() {
        let text = LSBLK_UNALIGNED;
        let st = run(Kind::Lsblk, text);
        let root = blk(&st, "rhel-root");
        assert_eq!(root["devnum"], "253:0");
        assert_eq!(root["dev_type"], "lvm");
        assert_eq!(root["size"], "9.4G");
        assert_eq!(root["mountpoint"], "/");
        assert_eq!(root["parents"], json!(["md126"]));
        assert_eq!(blk(&st, "rhel-swap")["mountpoint"], "[SWAP]");
        assert_eq!(blk(&st, "md126")["dev_type"], "raid1");
    }

    /// In a UTF-8 locale lsblk draws the tree with `├─` `└─` `│`: 2
    /// columns, 6 bytes (example bundle negative-benign-sr0-fd0).
    #[test]
    fn lsblk_utf8_tree() {
        let text = LSBLK_UTF8;
        let st = run(Kind::Lsblk, text);
        assert_eq!(st.facts.len(), 5);
        let b = blk(&st, "vda2");
        assert_eq!(b["mountpoint"], "/boot");
        assert_eq!(b["dev_type"], "part");
        assert_eq!(b["parents"], json!(["vda"]));
        let lv = blk(&st, "ubuntu--vg-ubuntu--lv");
        assert_eq!(lv["parents"], json!(["vda3"]));
        assert_eq!(lv["mountpoint"], "/");
        assert_eq!(blk(&st, "vdb")["parents"], json!([]));
    }
}
