//! `dmsetup table` and `dmsetup status` (one line per target, `name: start
//! length target args`): a `dm-table` or `dm-status` fact per line, a
//! multipath target's path groups read; checks
//! `multipath-map-no-active-path` (no path group, or no active path) and
//! `multipath-queue-unbounded`.

use serde_json::{Map, Value, json};

use super::block_common::{
    PathRef, add_cite, base_name, is_devnum, meaningful_lines, no_active_path_check,
    queue_unbounded_check, read, set,
};
use super::{HostParser, Kind};
use crate::HostState;

/// `dmsetup table` and `dmsetup status`: one format, told apart by the
/// file's name or, failing that, by how the lines read.
pub(crate) struct DmsetupTable;

impl HostParser for DmsetupTable {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::DmsetupTable, Kind::DmsetupStatus]
    }

    fn by_content(&self, rel_path: &str, sample: &str) -> Option<Kind> {
        let lines = meaningful_lines(sample);
        lines.first()?;
        let dm: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| {
                split_dm_line(l)
                    .is_some_and(|(n, _, _, t, _)| n.is_some() && DM_TARGETS.contains(&t))
            })
            .collect();
        if !dm.is_empty() && dm.len() * 2 >= lines.len().min(20) {
            let b = base_name(rel_path);
            if b.contains("status") {
                return Some(Kind::DmsetupStatus);
            }
            if b.contains("table") {
                return Some(Kind::DmsetupTable);
            }
            return match dm_status_like(&dm) {
                Some(true) => Some(Kind::DmsetupStatus),
                _ => Some(Kind::DmsetupTable),
            };
        }
        None
    }

    fn by_name(&self, rel_path: &str) -> Option<Kind> {
        let b = base_name(rel_path);
        if b.starts_with("dmsetup_table") {
            return Some(Kind::DmsetupTable);
        }
        if b.starts_with("dmsetup_status") {
            return Some(Kind::DmsetupStatus);
        }
        None
    }

    fn parse(&self, kind: Kind, text: &str) -> HostState {
        read(text, |lines, _, st| match kind {
            Kind::DmsetupStatus => parse_dmsetup_status(lines, st),
            _ => parse_dmsetup_table(lines, st),
        })
    }
}

const DM_TARGETS: &[&str] = &[
    "linear",
    "multipath",
    "crypt",
    "striped",
    "thin",
    "thin-pool",
    "error",
    "zero",
    "snapshot",
    "snapshot-origin",
    "snapshot-merge",
    "mirror",
    "raid",
    "cache",
    "writecache",
    "era",
    "integrity",
    "verity",
    "delay",
    "flakey",
    "vdo",
    "dust",
    "clone",
    "switch",
    "unstriped",
];

/// `name: 0 2097152 multipath …` → (name, start, length, target, rest).
fn split_dm_line(line: &str) -> Option<(Option<&str>, u64, u64, &str, &str)> {
    let (name, rest) = match line.find(": ") {
        Some(i) if !line[..i].contains(char::is_whitespace) => (Some(&line[..i]), &line[i + 2..]),
        _ => (None, line),
    };
    let rest = rest.trim_start();
    let mut it = rest.splitn(4, char::is_whitespace);
    let start = it.next()?.parse().ok()?;
    let len = it.next()?.parse().ok()?;
    let target = it.next()?;
    if target.is_empty() {
        return None;
    }
    let args = it.next().unwrap_or("").trim();
    Some((name, start, len, target, args))
}

/// Whether a `dmsetup` line set looks like `status` (true) or `table` (false).
fn dm_status_like(lines: &[&str]) -> Option<bool> {
    let mut votes_status = 0;
    let mut votes_table = 0;
    for l in lines {
        let Some((_, _, _, target, args)) = split_dm_line(l) else {
            continue;
        };
        let toks: Vec<&str> = args.split_whitespace().collect();
        match target {
            "linear" | "crypt" | "striped" => {
                if toks.is_empty() {
                    votes_status += 1;
                } else if toks.iter().any(|t| is_devnum(t)) {
                    votes_table += 1;
                }
            }
            "multipath" => {
                if toks
                    .windows(2)
                    .any(|w| is_devnum(w[0]) && (w[1] == "A" || w[1] == "F"))
                {
                    votes_status += 1;
                } else if toks.iter().any(|t| {
                    matches!(
                        *t,
                        "service-time" | "round-robin" | "queue-length" | "historical-service-time"
                    )
                }) {
                    votes_table += 1;
                }
            }
            _ => {}
        }
    }
    if votes_status > votes_table {
        Some(true)
    } else if votes_table > votes_status {
        Some(false)
    } else {
        None
    }
}

struct MpTable {
    features: Vec<String>,
    hwhandler: Vec<String>,
    groups: Vec<(String, Vec<String>)>,
    complete: bool,
}

fn parse_mp_table(args: &str) -> MpTable {
    let t: Vec<&str> = args.split_whitespace().collect();
    let mut r = MpTable {
        features: Vec::new(),
        hwhandler: Vec::new(),
        groups: Vec::new(),
        complete: false,
    };
    let mut i = 0;
    let num = |i: usize| -> Option<usize> { t.get(i)?.parse().ok() };
    let Some(nf) = num(i) else { return r };
    r.features = t
        .iter()
        .skip(i + 1)
        .take(nf)
        .map(|s| s.to_string())
        .collect();
    i += 1 + nf;
    let Some(nh) = num(i) else { return r };
    r.hwhandler = t
        .iter()
        .skip(i + 1)
        .take(nh)
        .map(|s| s.to_string())
        .collect();
    i += 1 + nh;
    let Some(npg) = num(i) else { return r };
    i += 2; // #pgs, next pg
    for _ in 0..npg {
        let Some(sel) = t.get(i) else { return r };
        let Some(nsel) = num(i + 1) else { return r };
        i += 2 + nsel;
        let (Some(np), Some(npa)) = (num(i), num(i + 1)) else {
            return r;
        };
        i += 2;
        let mut devs = Vec::new();
        for _ in 0..np {
            let Some(d) = t.get(i) else { return r };
            devs.push(d.to_string());
            i += 1 + npa;
        }
        r.groups.push((sel.to_string(), devs));
    }
    r.complete = i <= t.len();
    r
}

fn parse_dmsetup_table(lines: &[(u64, &str)], st: &mut HostState) {
    let mut last_name: Option<String> = None;
    for &(n, l) in lines {
        let Some((name, start, len, target, args)) = split_dm_line(l) else {
            continue;
        };
        let name = name
            .map(str::to_string)
            .or_else(|| last_name.clone())
            .unwrap_or_default();
        last_name = Some(name.clone());
        let mut f = Map::new();
        f.insert("type".into(), json!("dm-table"));
        f.insert("line".into(), json!(n));
        set(&mut f, "name", &name);
        f.insert("start".into(), json!(start));
        f.insert("length".into(), json!(len));
        set(&mut f, "target", target);
        let devs: Vec<&str> = args.split_whitespace().filter(|t| is_devnum(t)).collect();
        f.insert("devnums".into(), json!(devs));
        if target == "multipath" {
            let m = parse_mp_table(args);
            let q = m.features.iter().any(|x| x == "queue_if_no_path");
            f.insert("features".into(), json!(m.features.join(" ")));
            f.insert("queue_if_no_path".into(), json!(q));
            set(&mut f, "hwhandler", &m.hwhandler.join(" "));
            let groups: Vec<Value> = m
                .groups
                .iter()
                .map(|(s, d)| json!({"selector": s, "paths": d}))
                .collect();
            f.insert("path_groups".into(), Value::Array(groups));
            let npaths: usize = m.groups.iter().map(|(_, d)| d.len()).sum();
            if m.complete && npaths == 0 {
                let mut c = no_active_path_check(&name, None, None, &[], q, "dmsetup table");
                c.flag("no_groups", true);
                add_cite(&mut c, n, l);
                st.checks.push(c);
                if q {
                    let mut c = queue_unbounded_check(&name, None, None, "dmsetup table");
                    add_cite(&mut c, n, l);
                    st.checks.push(c);
                }
            }
        } else {
            set(&mut f, "args", args);
        }
        st.facts.push(Value::Object(f));
    }
}

/// A path group in `dmsetup status`: state, then (devnum, active, fail count) per path.
type StatusGroup = (String, Vec<(String, bool, u64)>);

struct MpStatus {
    queue_io: Option<u64>,
    pg_init_count: Option<u64>,
    groups: Vec<StatusGroup>,
    complete: bool,
}

fn parse_mp_status(args: &str) -> MpStatus {
    let t: Vec<&str> = args.split_whitespace().collect();
    let mut r = MpStatus {
        queue_io: None,
        pg_init_count: None,
        groups: Vec::new(),
        complete: false,
    };
    let num = |i: usize| -> Option<usize> { t.get(i)?.parse().ok() };
    let mut i = 0;
    let Some(nf) = num(i) else { return r };
    if nf >= 1 {
        r.queue_io = t.get(1).and_then(|s| s.parse().ok());
    }
    if nf >= 2 {
        r.pg_init_count = t.get(2).and_then(|s| s.parse().ok());
    }
    i += 1 + nf;
    let Some(nh) = num(i) else { return r };
    i += 1 + nh;
    let Some(npg) = num(i) else { return r };
    i += 2;
    for _ in 0..npg {
        let Some(state) = t.get(i) else { return r };
        let Some(nps) = num(i + 1) else { return r };
        i += 2 + nps;
        let (Some(np), Some(npa)) = (num(i), num(i + 1)) else {
            return r;
        };
        i += 2;
        let mut paths = Vec::new();
        for _ in 0..np {
            let (Some(d), Some(a)) = (t.get(i), t.get(i + 1)) else {
                return r;
            };
            let fails = t.get(i + 2).and_then(|s| s.parse().ok()).unwrap_or(0);
            paths.push((d.to_string(), *a == "A", fails));
            i += 3 + npa;
        }
        r.groups.push((state.to_string(), paths));
    }
    r.complete = i <= t.len();
    r
}

fn parse_dmsetup_status(lines: &[(u64, &str)], st: &mut HostState) {
    let mut last_name: Option<String> = None;
    for &(n, l) in lines {
        let Some((name, start, len, target, args)) = split_dm_line(l) else {
            continue;
        };
        let name = name
            .map(str::to_string)
            .or_else(|| last_name.clone())
            .unwrap_or_default();
        last_name = Some(name.clone());
        let mut f = Map::new();
        f.insert("type".into(), json!("dm-status"));
        f.insert("line".into(), json!(n));
        set(&mut f, "name", &name);
        f.insert("start".into(), json!(start));
        f.insert("length".into(), json!(len));
        set(&mut f, "target", target);
        if target == "multipath" {
            let m = parse_mp_status(args);
            let queueing = m.queue_io.is_some_and(|q| q != 0);
            f.insert("queueing".into(), json!(queueing));
            if let Some(p) = m.pg_init_count {
                f.insert("pg_init_count".into(), json!(p));
            }
            let mut active = 0;
            let mut failed: Vec<String> = Vec::new();
            let mut all: Vec<String> = Vec::new();
            let groups: Vec<Value> = m
                .groups
                .iter()
                .map(|(s, ps)| {
                    let paths: Vec<Value> = ps
                        .iter()
                        .map(|(d, a, fc)| {
                            all.push(d.clone());
                            if *a {
                                active += 1;
                            } else {
                                failed.push(d.clone());
                            }
                            json!({"devnum": d, "active": a, "fail_count": fc})
                        })
                        .collect();
                    json!({"state": s, "paths": paths})
                })
                .collect();
            f.insert("path_groups".into(), Value::Array(groups));
            f.insert("active_paths".into(), json!(active));
            f.insert("failed_paths".into(), json!(failed));
            if m.complete && active == 0 {
                let refs: Vec<PathRef> = all
                    .iter()
                    .map(|d| PathRef {
                        dev: None,
                        devnum: Some(d.clone()),
                    })
                    .collect();
                let mut c =
                    no_active_path_check(&name, None, None, &refs, queueing, "dmsetup status");
                add_cite(&mut c, n, l);
                st.checks.push(c);
                if queueing {
                    let mut c = queue_unbounded_check(&name, None, None, "dmsetup status");
                    add_cite(&mut c, n, l);
                    st.checks.push(c);
                }
            }
        } else {
            set(&mut f, "status", args);
        }
        st.facts.push(Value::Object(f));
    }
    if st.facts.is_empty() && lines.iter().any(|(_, l)| l.contains("No devices found")) {
        st.notes.push("dmsetup: no devices".to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::super::block_common::testing::{has_field, recognise, run};
    use super::*;

    const DM_STATUS_DOC: &str =
        include_str!("../../tests/captures/dmsetup-status/dmsetup_status_mpathx");
    // Two lines of a real `dmsetup table` (the example sosreport in
    // shared/corpus): a dm-crypt map and the Ceph LV on top of another.
    const DM_TABLE: &str = include_str!("../../tests/captures/dmsetup-table/dmsetup_table");

    #[test]
    fn recognised() {
        // No name on the line: only the file's name says it.
        assert_eq!(
            recognise("dmsetup_status_mpathx", DM_STATUS_DOC),
            Some(Kind::DmsetupStatus)
        );
        assert_eq!(recognise("x", DM_TABLE), Some(Kind::DmsetupTable));
    }

    #[test]
    fn dmsetup_table_targets_and_devices() {
        let st = run(Kind::DmsetupTable, DM_TABLE);
        assert_eq!(st.facts.len(), 2);
        assert_eq!(st.facts[0]["target"], "crypt");
        assert_eq!(st.facts[0]["devnums"], json!(["251:0"]));
        assert_eq!(st.facts[1]["target"], "linear");
        assert_eq!(st.facts[1]["devnums"], json!(["253:0"]));
        assert!(st.checks.is_empty());
    }

    #[test]
    fn dmsetup_status_without_name() {
        let st = run(Kind::DmsetupStatus, DM_STATUS_DOC);
        assert_eq!(st.facts[0]["failed_paths"], json!(["8:32", "8:48"]));
        let c = &st.checks[0];
        assert_eq!(c.id, "multipath-map-no-active-path");
        assert!(has_field(c, "devnum", "8:48"));
    }
}
