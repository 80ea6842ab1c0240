//! The `top` header (procps-ng and the old `16265820k total,` form, one
//! per host behind a prompt): `uptime`, `tasks`, `cpu` and `memory` facts,
//! and `memory-pressure`.

use serde_json::json;

use super::numbers::{parse_float, void_name_hint, void_note};
use super::system_common::{self, Mem, is_prompt, memory_check, prompt_host, size_mib};
use super::uptime::parse_uptime_line;
use super::{HostParser, Kind};
use crate::{Cite, HostState};

/// The `top` header.
pub(crate) struct Top;

impl HostParser for Top {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Top]
    }
    fn by_content(&self, rel_path: &str, sample: &str) -> Option<Kind> {
        if content_kind(sample).is_some() {
            return Some(Kind::Top);
        }
        let base = void_name_hint(rel_path, sample, system_common::name_may_decide)?;
        (base == "top" || base.starts_with("top_")).then_some(Kind::Top)
    }
    fn parse(&self, _kind: Kind, text: &str) -> HostState {
        parse_top(text)
    }
}

/// `top`, by its first line (`top - … load average`) or its memory lines (`MiB Mem :`).
pub(super) fn content_kind(sample: &str) -> Option<Kind> {
    let lines = system_common::head_lines(sample);
    let starts = |p: &str| system_common::starts(&lines, p);
    (lines
        .iter()
        .any(|l| l.trim_start().starts_with("top - ") && l.contains("load average"))
        || starts("MiB Mem :")
        || starts("KiB Mem :")
        || starts("GiB Mem :"))
    .then_some(Kind::Top)
}

/// `15654.8 total, 628.2 free, 13778.5 used, 1776.6 buff/cache` (also the
/// old `16265820k total,` form and `4482.2 used. 1876.3 avail Mem`).
fn top_pairs(rest: &str, unit_mib: f64) -> Vec<(String, f64)> {
    let rest = rest.replace(". ", ", ");
    rest.split(", ")
        .filter_map(|piece| {
            let mut it = piece.split_whitespace();
            let num = it.next()?;
            let label = it.collect::<Vec<_>>().join(" ");
            let v = size_mib(num, unit_mib).or_else(|| parse_float(num).map(|n| n * unit_mib))?;
            Some((label, v))
        })
        .collect()
}

fn parse_top(text: &str) -> HostState {
    let mut st = HostState::default();
    let mut host: Option<String> = None;
    let mut cur: Option<Mem> = None;
    let mut blocks: Vec<Mem> = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        if is_prompt(l) {
            host = prompt_host(l).or(host.clone());
            continue;
        }
        if t.starts_with("top - ") {
            if let Some(m) = cur.take() {
                blocks.push(m);
            }
            cur = Some(Mem {
                source: "top",
                line: i as u64 + 1,
                host: host.clone(),
                ..Default::default()
            });
            if let Some(mut f) = parse_uptime_line(t) {
                f["line"] = json!(i + 1);
                f["host"] = json!(host);
                st.facts.push(f);
            }
            continue;
        }
        if let Some(rest) = t
            .strip_prefix("Tasks:")
            .or_else(|| t.strip_prefix("Threads:"))
        {
            let pairs = top_pairs(rest, 1.0);
            let get = |n: &str| pairs.iter().find(|p| p.0 == n).map(|p| p.1 as i64);
            st.facts.push(json!({
                "type": "tasks", "line": i + 1, "host": host,
                "total": get("total"), "running": get("running"), "sleeping": get("sleeping"),
                "stopped": get("stopped"), "zombie": get("zombie"),
            }));
            continue;
        }
        if let Some(rest) = t
            .strip_prefix("%Cpu(s):")
            .or_else(|| t.strip_prefix("Cpu(s):"))
        {
            let rest = rest.replace('%', " ");
            let pairs = top_pairs(&rest, 1.0);
            let get = |n: &str| pairs.iter().find(|p| p.0 == n).map(|p| p.1);
            st.facts.push(json!({
                "type": "cpu", "line": i + 1, "host": host,
                "us": get("us"), "sy": get("sy"), "id": get("id"), "wa": get("wa"), "st": get("st"),
            }));
            continue;
        }
        // `MiB Mem :`, `KiB Swap:`, old `Mem:  16265820k total,`.
        let Some((label, rest)) = t.split_once(':') else {
            continue;
        };
        let label = label.trim();
        let (unit, what) = match label.split_whitespace().collect::<Vec<_>>().as_slice() {
            ["KiB", w] => (1.0 / 1024.0, *w),
            ["MiB", w] => (1.0, *w),
            ["GiB", w] => (1024.0, *w),
            ["TiB", w] => (1024.0 * 1024.0, *w),
            ["PiB", w] => (1024.0 * 1024.0 * 1024.0, *w),
            ["EiB", w] => (1024.0f64.powi(4), *w),
            [w] if rest.contains("total") => (1.0 / 1024.0, *w),
            _ => continue,
        };
        let m = cur.get_or_insert_with(|| Mem {
            source: "top",
            line: i as u64 + 1,
            host: host.clone(),
            ..Default::default()
        });
        let pairs = top_pairs(rest, unit);
        let get = |n: &str| pairs.iter().find(|p| p.0 == n).map(|p| p.1);
        match what {
            "Mem" => {
                m.total = get("total");
                m.free = get("free");
                m.used = get("used");
                m.buff_cache = get("buff/cache").or(get("buffers"));
                m.mem_cite = Some(Cite::nth(i, l));
            }
            "Swap" => {
                m.swap_total = get("total");
                m.swap_free = get("free");
                m.swap_used = get("used");
                m.available = get("avail Mem").or(m.available);
                m.swap_cite = Some(Cite::nth(i, l));
            }
            _ => {}
        }
    }
    if let Some(m) = cur.take() {
        blocks.push(m);
    }
    let mut any = false;
    for m in &mut blocks {
        m.fill_swap_used();
        if m.total.is_none() {
            continue;
        }
        any = true;
        st.facts.push(m.fact());
        memory_check(m, &mut st.checks);
    }
    if !any && st.facts.is_empty() {
        st.notes
            .push(void_note(text).unwrap_or_else(|| "no top header found".into()));
    } else if !any {
        st.notes
            .push("top header without the memory lines (output cut)".into());
    }
    st
}

#[cfg(test)]
mod tests {
    use super::*;
    use rootline_model::{FieldKind, Severity};
    use serde_json::Value;

    const TOP_SEED: &str = include_str!("../../tests/captures/top/top.txt");
    const TOP_OLD: &str = include_str!("../../tests/captures/top/top-old-procps.txt");

    /// Three hosts of the seed, one `top` each behind its prompt.
    const TOP_THREE_HOSTS: &str = include_str!("../../tests/captures/top/top-three-hosts.txt");

    /// Parsed as this parser's kind, and rendered with the shipped check
    /// book (severity, text and fix come from it).
    fn run(kind: Kind, text: &str) -> HostState {
        assert!(Top.kinds().contains(&kind), "own kind");
        crate::parse(kind, text)
    }
    fn ids(st: &HostState) -> Vec<&str> {
        st.checks.iter().map(|c| c.id.as_str()).collect()
    }
    fn mem_facts(st: &HostState) -> Vec<&Value> {
        st.facts.iter().filter(|f| f["type"] == "memory").collect()
    }

    #[test]
    fn top_seed_004() {
        assert_eq!(crate::recognise("top.txt", TOP_SEED), Some(Kind::Top));
        let st = run(Kind::Top, TOP_SEED);
        let m = mem_facts(&st);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0]["total"], 15654.8);
        assert_eq!(m[0]["available"], 1876.3);
        assert_eq!(m[0]["swap_used"], 4482.2);
        assert_eq!(m[0]["host"], "openstack-host");
        let up = st.facts.iter().find(|f| f["type"] == "uptime").unwrap();
        assert_eq!(up["uptime_seconds"], 122 * 86400 + 24 * 60);
        assert_eq!(up["load1"], 1.32);
        assert_eq!(ids(&st), vec!["memory-pressure"]);
        let c = &st.checks[0];
        assert_eq!(c.severity, Severity::Error);
        assert!(
            c.evidence
                .iter()
                .any(|e| e.text.starts_with("MiB Mem : 15654.8 total") && e.line == 5)
        );
        assert!(
            c.evidence
                .iter()
                .any(|e| e.text.starts_with("MiB Swap: 8024.0 total"))
        );
        assert!(
            c.fields
                .iter()
                .any(|f| f.0 == "host" && f.1 == "openstack-host" && f.2 == FieldKind::Host)
        );
        assert!(
            c.fix
                .iter()
                .any(|f| f.command.as_deref() == Some("swapoff -a && swapon -a"))
        );
        assert!(
            c.fix
                .iter()
                .any(|f| f.command.as_deref() == Some("vmstat 1 10"))
        );
    }

    #[test]
    fn top_three_hosts_from_the_seed() {
        let text = TOP_THREE_HOSTS;
        let st = run(Kind::Top, text);
        assert_eq!(mem_facts(&st).len(), 3);
        let hosts: Vec<&str> = st
            .checks
            .iter()
            .map(|c| c.fields.iter().find(|f| f.0 == "host").unwrap().1.as_str())
            .collect();
        assert_eq!(hosts, vec!["openstack-host", "controller"]);
    }

    #[test]
    fn top_old_format() {
        let st = run(Kind::Top, TOP_OLD);
        let m = mem_facts(&st);
        assert_eq!(m[0]["total"], 32106.9);
        assert_eq!(m[0]["swap_used"], 6144.0);
        // No `avail Mem` in the old header: swap alone decides.
        assert_eq!(ids(&st), vec!["memory-pressure"]);
        let tasks = st.facts.iter().find(|f| f["type"] == "tasks").unwrap();
        assert_eq!(tasks["zombie"], 4);
        let cpu = st.facts.iter().find(|f| f["type"] == "cpu").unwrap();
        assert_eq!(cpu["wa"], 24.5);
    }
}
