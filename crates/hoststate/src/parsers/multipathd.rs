//! `multipathd show paths` / `show maps` (default and `format` tables): a
//! `multipath-path` or `multipath-map` fact per row; checks
//! `multipath-map-no-active-path` (a map with 0 paths, or whose paths all
//! failed), `multipath-queue-unbounded`, `scsi-device-not-in-map` (an
//! `[orphan]` path), `scsi-device-offline`.

use rootline_model::FieldKind;
use serde_json::{Map, Value, json};

use super::block_common::{
    MpPath, PathRef, add_cite, add_field, base_name, is_devnum, is_dm_name, is_mp_message,
    is_offline, meaningful_lines, no_active_path_check, queue_unbounded_check, read,
    scsi_offline_check, set, spans,
};
use super::{HostParser, Kind};
use crate::{Check, HostState};

/// `multipathd show paths` and `show maps`.
pub(crate) struct Multipathd;

impl HostParser for Multipathd {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::MultipathdShow]
    }

    fn by_content(&self, _rel_path: &str, sample: &str) -> Option<Kind> {
        let lines = meaningful_lines(sample);
        let first = *lines.first()?;
        let ft = first.trim_start();
        let head: Vec<&str> = ft.split_whitespace().collect();
        let lower: Vec<String> = head.iter().map(|t| t.to_ascii_lowercase()).collect();
        let has = |s: &str| lower.iter().any(|t| t == s);
        if (has("hcil") && (has("dev") || has("dev_t")))
            || has("dm_st")
            || has("chk_st")
            || (has("name") && (has("sysfs") || has("dm-st") || has("queueing")))
        {
            return Some(Kind::MultipathdShow);
        }
        None
    }

    fn by_name(&self, rel_path: &str) -> Option<Kind> {
        let b = base_name(rel_path);
        let b = b.as_str();
        if b.starts_with("multipathd")
            && (b.contains("show_maps")
                || b.contains("show_paths")
                || b.contains("show_multipaths"))
        {
            return Some(Kind::MultipathdShow);
        }
        None
    }

    fn parse(&self, _kind: Kind, text: &str) -> HostState {
        read(text, |lines, _, st| parse_multipathd_show(lines, st))
    }
}

/// Assign the tokens of an aligned-table row to header columns (left or
/// right aligned, empty cells allowed).
fn aligned_row(header: &[(usize, usize, &str)], line: &str) -> Vec<String> {
    let mut cols: Vec<String> = vec![String::new(); header.len()];
    if header.is_empty() {
        return cols;
    }
    for (s, e, t) in spans(line) {
        let mut best: Option<(usize, usize)> = None;
        for (i, (hs, he, _)) in header.iter().enumerate() {
            let ov = e.min(*he).saturating_sub(s.max(*hs));
            if ov > 0 && best.is_none_or(|(_, b)| ov > b) {
                best = Some((i, ov));
            }
        }
        let idx = match best {
            Some((i, _)) => i,
            None => header.iter().rposition(|(hs, _, _)| *hs <= s).unwrap_or(0),
        };
        if !cols[idx].is_empty() {
            cols[idx].push(' ');
        }
        cols[idx].push_str(t);
    }
    cols
}

/// A `show paths` row: line, text, path.
type PathRow = (u64, String, MpPath);

fn parse_multipathd_show(lines: &[(u64, &str)], st: &mut HostState) {
    let Some(hi) = lines
        .iter()
        .position(|(_, l)| !l.trim().is_empty() && !is_mp_message(l))
    else {
        return;
    };
    let (_, hl) = lines[hi];
    let header = spans(hl);
    let names: Vec<String> = header
        .iter()
        .map(|(_, _, t)| t.to_ascii_lowercase())
        .collect();
    let is_paths = names
        .iter()
        .any(|n| matches!(n.as_str(), "hcil" | "dev_t" | "chk_st" | "dm_st" | "dev_st"));
    let col = |row: &[String], k: &str| -> String {
        names
            .iter()
            .position(|n| n == k)
            .and_then(|i| row.get(i))
            .cloned()
            .unwrap_or_default()
    };
    // (map key) -> (rows)
    let mut groups: Vec<(String, Vec<PathRow>)> = Vec::new();
    for &(n, l) in &lines[hi + 1..] {
        if l.trim().is_empty() || is_mp_message(l) {
            continue;
        }
        let row = aligned_row(&header, l);
        let mut f = Map::new();
        f.insert(
            "type".into(),
            json!(if is_paths {
                "multipath-path"
            } else {
                "multipath-map"
            }),
        );
        f.insert("line".into(), json!(n));
        for (k, v) in names.iter().zip(row.iter()) {
            let key = match k.as_str() {
                "dev" => "device",
                "dev_t" => "devnum",
                "dm_st" | "dm-st" => "dm_state",
                "chk_st" => "checker_state",
                "dev_st" => "online_state",
                "hcil" => "hctl",
                "sysfs" => "dm",
                "uuid" => "wwid",
                "multipath" => "map",
                other => other,
            };
            set(&mut f, key, v);
        }
        if is_paths {
            let p = MpPath {
                line: n,
                text: l.to_string(),
                hctl: col(&row, "hcil"),
                dev: Some(col(&row, "dev")).filter(|s| !s.is_empty()),
                devnum: Some(col(&row, "dev_t")).filter(|s| is_devnum(s)),
                dm_st: Some(col(&row, "dm_st")).filter(|s| !s.is_empty()),
                chk_st: Some(col(&row, "chk_st")).filter(|s| !s.is_empty()),
                dev_st: Some(col(&row, "dev_st")).filter(|s| !s.is_empty()),
                group: 0,
            };
            let map = col(&row, "multipath");
            let uuid = col(&row, "uuid");
            if map == "[orphan]"
                || (map.is_empty()
                    && p.dm_st.as_deref() == Some("undef")
                    && !names.iter().any(|x| x == "multipath"))
            {
                f.insert("orphan".into(), json!(true));
                if map == "[orphan]"
                    && let Some(dev) = &p.dev
                {
                    let mut c = Check::raise(crate::id::SCSI_DEVICE_NOT_IN_MAP);
                    c.flag("faulty", !p.usable());
                    add_field(&mut c, "device", dev, FieldKind::Device);
                    if let Some(d) = &p.devnum {
                        add_field(&mut c, "devnum", d, FieldKind::DevNum);
                    }
                    if !uuid.is_empty() {
                        add_field(&mut c, "wwid", &uuid, FieldKind::Wwid);
                    }
                    add_cite(&mut c, n, l);
                    st.checks.push(c);
                }
            } else {
                let key = if !map.is_empty() { map } else { uuid };
                if !key.is_empty() {
                    match groups.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, v)) => v.push((n, l.to_string(), p)),
                        None => groups.push((key, vec![(n, l.to_string(), p)])),
                    }
                }
            }
            let dev = col(&row, "dev");
            let s = col(&row, "dev_st");
            if is_offline(&s) && !dev.is_empty() {
                let dn = col(&row, "dev_t");
                let mut c = scsi_offline_check(
                    &dev,
                    &s,
                    Some(dn.as_str()).filter(|d| is_devnum(d)),
                    "multipathd show paths",
                );
                add_cite(&mut c, n, l);
                st.checks.push(c);
            }
        } else {
            let name = col(&row, "name");
            let paths = col(&row, "paths");
            let queueing = col(&row, "queueing");
            let wwid = Some(col(&row, "uuid")).filter(|s| !s.is_empty());
            let dm = Some(col(&row, "sysfs")).filter(|s| is_dm_name(s));
            if !name.is_empty() && paths.trim() == "0" {
                let q = queueing == "on";
                let mut c = no_active_path_check(
                    &name,
                    wwid.as_deref(),
                    dm.as_deref(),
                    &[],
                    q,
                    "multipathd show maps",
                );
                add_cite(&mut c, hi as u64 + 1, hl);
                add_cite(&mut c, n, l);
                st.checks.push(c);
                if q {
                    let mut c = queue_unbounded_check(
                        &name,
                        wwid.as_deref(),
                        dm.as_deref(),
                        "multipathd show maps",
                    );
                    add_cite(&mut c, n, l);
                    st.checks.push(c);
                }
            }
        }
        st.facts.push(Value::Object(f));
    }
    // Paths grouped by map: all failed?
    if names.iter().any(|x| x == "multipath") {
        for (map, rows) in &groups {
            if rows.iter().all(|(_, _, p)| !p.usable()) {
                let refs: Vec<PathRef> = rows
                    .iter()
                    .map(|(_, _, p)| PathRef {
                        dev: p.dev.clone(),
                        devnum: p.devnum.clone(),
                    })
                    .collect();
                let mut c =
                    no_active_path_check(map, None, None, &refs, false, "multipathd show paths");
                for (n, l, _) in rows {
                    add_cite(&mut c, *n, l);
                }
                st.checks.push(c);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::block_common::testing::{find, has_field, ids, recognise, run};
    use super::*;
    use rootline_model::Severity;

    const MPD_PATHS: &str =
        include_str!("../../tests/captures/multipathd-show/multipathd_show_paths");
    const MPD_PATHS_FMT: &str =
        include_str!("../../tests/captures/multipathd-show/multipathd_show_paths_format");
    const MPD_MAPS_STATUS: &str =
        include_str!("../../tests/captures/multipathd-show/multipathd_show_maps_status");

    #[test]
    fn recognised_by_content() {
        for text in [MPD_PATHS, MPD_PATHS_FMT, MPD_MAPS_STATUS] {
            assert_eq!(recognise("x", text), Some(Kind::MultipathdShow), "{text}");
        }
    }

    #[test]
    fn multipathd_show() {
        let st = run(Kind::MultipathdShow, MPD_PATHS);
        assert_eq!(st.facts.len(), 2);
        assert_eq!(st.facts[0]["type"], "multipath-path");
        assert_eq!(st.facts[0]["devnum"], "8:32");
        assert_eq!(st.facts[1]["online_state"], "offline");
        assert_eq!(st.facts[1]["next_check"], "X......... 2/20");
        assert_eq!(ids(&st), vec!["scsi-device-offline"]);

        let st = run(Kind::MultipathdShow, MPD_PATHS_FMT);
        assert_eq!(st.facts[2]["checker_state"], "i/o pending");
        // mpathc has one path in i/o pending: not all failed.
        assert!(!ids(&st).contains(&"multipath-map-no-active-path"));
        let c = st
            .checks
            .iter()
            .find(|c| c.id == "scsi-device-not-in-map")
            .unwrap();
        assert_eq!(c.severity, Severity::Warning);
        assert!(has_field(c, "device", "sdh"));

        let st = run(Kind::MultipathdShow, MPD_MAPS_STATUS);
        find(&st, "multipath-map-no-active-path", "mpathu");
        find(&st, "multipath-queue-unbounded", "mpathu");
        assert!(!st.checks.iter().any(|c| has_field(c, "map", "mpatha")));
    }
}
