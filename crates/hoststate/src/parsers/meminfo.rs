//! /proc/meminfo: a `memory` fact (with commit, dirty, huge-page and
//! slab figures) and `memory-pressure`.

use serde_json::json;

use super::numbers::{parse_int, void_name_hint, void_note};
use super::system_common::{self, Mem, memory_check, round1};
use super::{HostParser, Kind};
use crate::{Cite, HostState};

/// /proc/meminfo.
pub(crate) struct Meminfo;

impl HostParser for Meminfo {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Meminfo]
    }
    fn by_content(&self, rel_path: &str, sample: &str) -> Option<Kind> {
        if content_kind(sample).is_some() {
            return Some(Kind::Meminfo);
        }
        let base = void_name_hint(rel_path, sample, system_common::name_may_decide)?;
        (base == "meminfo").then_some(Kind::Meminfo)
    }
    fn parse(&self, _kind: Kind, text: &str) -> HostState {
        parse_meminfo(text)
    }
}

/// /proc/meminfo, by its `MemTotal:` and `MemFree:` lines (or `kB` units).
pub(super) fn content_kind(sample: &str) -> Option<Kind> {
    let lines = system_common::head_lines(sample);
    (system_common::starts(&lines, "MemTotal:")
        && (system_common::starts(&lines, "MemFree:") || sample.contains(" kB")))
    .then_some(Kind::Meminfo)
}

fn parse_meminfo(text: &str) -> HostState {
    let mut st = HostState::default();
    let mut m = Mem {
        source: "meminfo",
        ..Default::default()
    };
    let mut seen = false;
    for (i, l) in text.lines().enumerate() {
        let Some((k, v)) = l.split_once(':') else {
            continue;
        };
        let k = k.trim();
        let toks: Vec<&str> = v.split_whitespace().collect();
        let Some(n) = toks.first().and_then(|t| parse_int(t)) else {
            continue;
        };
        let kb = toks.get(1).is_some_and(|u| u.eq_ignore_ascii_case("kB"));
        let mib = if kb { n as f64 / 1024.0 } else { n as f64 };
        if !seen {
            m.line = i as u64 + 1;
            seen = true;
        }
        let c = Some(Cite::nth(i, l));
        match k {
            "MemTotal" => {
                m.total = Some(mib);
                m.mem_cite = m.mem_cite.take().or(c);
            }
            "MemFree" => m.free = Some(mib),
            "MemAvailable" => {
                m.available = Some(mib);
                m.mem_cite = c.or(m.mem_cite.take());
            }
            "SwapTotal" => m.swap_total = Some(mib),
            "SwapFree" => {
                m.swap_free = Some(mib);
                m.swap_cite = c;
            }
            "Buffers" | "Cached" => m.buff_cache = Some(m.buff_cache.unwrap_or(0.0) + mib),
            "Committed_AS" | "CommitLimit" | "Dirty" | "Writeback" | "Shmem" | "AnonHugePages"
            | "HugePages_Total" | "HugePages_Free" | "Hugepagesize" | "SUnreclaim" => {
                let v = if kb { json!(round1(mib)) } else { json!(n) };
                m.extra.insert(k.to_string(), v);
            }
            _ => {}
        }
    }
    if m.available.is_none()
        && let (Some(f), Some(b)) = (m.free, m.buff_cache)
    {
        // Kernels before 3.14: free + page cache approximates it.
        m.available = Some(f + b);
        st.notes.push(
            "no MemAvailable (old kernel): approximated as MemFree + Buffers + Cached".into(),
        );
    }
    if let (Some(t), Some(f)) = (m.total, m.free) {
        m.used = Some(t - f - m.buff_cache.unwrap_or(0.0));
    }
    m.fill_swap_used();
    if m.total.is_some() {
        st.facts.push(m.fact());
        memory_check(&m, &mut st.checks);
    } else {
        st.notes.push(
            void_note(text).unwrap_or_else(|| "no MemTotal: output cut or not meminfo".into()),
        );
    }
    st
}

#[cfg(test)]
mod tests {
    use super::*;
    use rootline_model::Severity;
    use serde_json::Value;

    const MEMINFO_LOW: &str = include_str!("../../tests/captures/meminfo/meminfo");

    /// Parsed as this parser's kind, and rendered with the shipped check
    /// book (severity, text and fix come from it).
    fn run(kind: Kind, text: &str) -> HostState {
        assert!(Meminfo.kinds().contains(&kind), "own kind");
        crate::parse(kind, text)
    }
    fn mem_facts(st: &HostState) -> Vec<&Value> {
        st.facts.iter().filter(|f| f["type"] == "memory").collect()
    }

    #[test]
    fn meminfo() {
        assert_eq!(
            crate::recognise("proc/meminfo", MEMINFO_LOW),
            Some(Kind::Meminfo)
        );
        let st = run(Kind::Meminfo, MEMINFO_LOW);
        let m = mem_facts(&st);
        assert_eq!(m[0]["swap_used"], 6144.0);
        assert_eq!(m[0]["HugePages_Total"], 0);
        let c = &st.checks[0];
        assert_eq!(c.id, "memory-pressure");
        assert_eq!(c.severity, Severity::Error);
        assert!(
            c.evidence
                .iter()
                .any(|e| e.text.starts_with("MemAvailable:"))
        );
        assert!(c.evidence.iter().any(|e| e.text.starts_with("SwapFree:")));
        // Cut before MemAvailable: approximated, and said so.
        let cut = &MEMINFO_LOW[..MEMINFO_LOW.find("MemAvailable").unwrap()];
        let st = run(Kind::Meminfo, cut);
        assert!(st.notes.is_empty() || st.facts.len() == 1);
    }
}
