//! `vmstat` (samples after the first, the average since boot, are live):
//! a `vmstat` fact (swap-in/out, blocked tasks, I/O wait) and
//! `swap-activity`.

use rootline_model::FieldKind;
use serde_json::json;

use super::numbers::{parse_int, void_name_hint, void_note};
use super::system_common::{self, is_prompt, prompt_host, round1};
use super::{HostParser, Kind};
use crate::{Check, Cite, HostState};

/// vmstat samples (after the first, which is the average since boot) with
/// si/so > 0 needed to call it ongoing swap activity.
const SWAP_ACTIVE_SAMPLES_MIN: usize = 2;

/// `vmstat`.
pub(crate) struct Vmstat;

impl HostParser for Vmstat {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Vmstat]
    }
    fn by_content(&self, rel_path: &str, sample: &str) -> Option<Kind> {
        if content_kind(sample).is_some() {
            return Some(Kind::Vmstat);
        }
        let base = void_name_hint(rel_path, sample, system_common::name_may_decide)?;
        (base.starts_with("vmstat")).then_some(Kind::Vmstat)
    }
    fn parse(&self, _kind: Kind, text: &str) -> HostState {
        parse_vmstat(text)
    }
}

/// `vmstat`, by its column header (`r b … si so`) or its group line (`procs -`).
pub(super) fn content_kind(sample: &str) -> Option<Kind> {
    let lines = system_common::head_lines(sample);
    (lines.iter().any(|l| is_vmstat_header(l)) || system_common::starts(&lines, "procs -"))
        .then_some(Kind::Vmstat)
}

fn is_vmstat_header(l: &str) -> bool {
    let t: Vec<&str> = l.split_whitespace().collect();
    t.len() >= 8 && t[0] == "r" && t[1] == "b" && t.contains(&"si") && t.contains(&"so")
}

fn parse_vmstat(text: &str) -> HostState {
    let mut st = HostState::default();
    let mut names: Vec<String> = Vec::new();
    let mut header: Option<Cite> = None;
    let mut host: Option<String> = None;
    let mut rows: Vec<(usize, Vec<i64>)> = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        if is_prompt(l) {
            host = prompt_host(l).or(host.clone());
            continue;
        }
        if is_vmstat_header(l) {
            names = l.split_whitespace().map(|s| s.to_string()).collect();
            header.get_or_insert_with(|| Cite::nth(i, l));
            continue;
        }
        if names.is_empty() {
            continue;
        }
        let toks: Vec<&str> = l.split_whitespace().collect();
        let need = names
            .iter()
            .position(|n| n == "so")
            .map(|p| p + 1)
            .unwrap_or(names.len());
        if toks.len() < need {
            continue;
        }
        let vals: Vec<i64> = toks
            .iter()
            .map_while(|t| parse_int(t).filter(|_| t.chars().all(|c| c.is_ascii_digit())))
            .collect();
        if vals.len() >= need {
            rows.push((i, vals));
        }
    }
    let col = |n: &str| names.iter().position(|x| x == n);
    let (si, so, wa, b) = (col("si"), col("so"), col("wa"), col("b"));
    let pick = |r: &Vec<i64>, c: Option<usize>| c.and_then(|c| r.get(c).copied());
    if rows.is_empty() {
        st.notes
            .push(void_note(text).unwrap_or_else(|| "no vmstat sample found".into()));
        return st;
    }
    // The first sample is the average since boot; the rest are live.
    let live: &[(usize, Vec<i64>)] = if rows.len() > 1 {
        &rows[1..]
    } else {
        &rows[..]
    };
    let active: Vec<&(usize, Vec<i64>)> = live
        .iter()
        .filter(|(_, r)| pick(r, si).unwrap_or(0) > 0 || pick(r, so).unwrap_or(0) > 0)
        .collect();
    let max = |c: Option<usize>| rows.iter().filter_map(|(_, r)| pick(r, c)).max();
    let avg_wa = {
        let v: Vec<i64> = live.iter().filter_map(|(_, r)| pick(r, wa)).collect();
        (!v.is_empty()).then(|| v.iter().sum::<i64>() as f64 / v.len() as f64)
    };
    st.facts.push(json!({
        "type": "vmstat",
        "line": header.as_ref().map(|h| h.line).unwrap_or(1),
        "host": host,
        "samples": rows.len(),
        "swap_active_samples": active.len(),
        "max_si": max(si),
        "max_so": max(so),
        "max_blocked": max(b),
        "avg_wa": avg_wa.map(round1),
        "swpd_kib": rows.last().and_then(|(_, r)| pick(r, col("swpd"))),
    }));
    if rows.len() > 1
        && active.len() >= SWAP_ACTIVE_SAMPLES_MIN.min(live.len())
        && !active.is_empty()
    {
        let mut c = Check::raise(crate::id::SWAP_ACTIVITY);
        if let Some(h) = &host {
            c.add_field("host", h, FieldKind::Host);
        }
        c.bind("active_samples", active.len());
        c.bind("samples", live.len());
        c.bind("max_si", max(si).unwrap_or(0));
        c.bind("max_so", max(so).unwrap_or(0));
        if let Some(h) = &header {
            c.add_cite(h);
        }
        for (ln, _) in active.iter().take(5) {
            c.add_cite(&Cite::nth(*ln, lines[*ln]));
        }
        st.checks.push(c);
    }
    st
}

#[cfg(test)]
mod tests {
    use super::*;

    const VMSTAT_IDLE: &str = include_str!("../../tests/captures/vmstat/vmstat.txt");
    const VMSTAT_SWAPPING: &str = include_str!("../../tests/captures/vmstat/vmstat_1_5.txt");

    /// Parsed as this parser's kind, and rendered with the shipped check
    /// book (severity, text and fix come from it).
    fn run(kind: Kind, text: &str) -> HostState {
        assert!(Vmstat.kinds().contains(&kind), "own kind");
        crate::parse(kind, text)
    }

    #[test]
    fn vmstat_idle_and_swapping() {
        assert_eq!(
            crate::recognise("vmstat.txt", VMSTAT_IDLE),
            Some(Kind::Vmstat)
        );
        let st = run(Kind::Vmstat, VMSTAT_IDLE);
        assert_eq!(st.facts[0]["samples"], 5);
        assert!(st.checks.is_empty());
        let st = run(Kind::Vmstat, VMSTAT_SWAPPING);
        assert_eq!(st.facts[0]["max_so"], 5100);
        assert_eq!(st.facts[0]["swap_active_samples"], 3);
        let c = &st.checks[0];
        assert_eq!(c.id, "swap-activity");
        assert_eq!(c.evidence.len(), 4);
        assert!(c.evidence[0].text.contains("swpd"));
        // The since-boot first row alone is not activity.
        let first_only = VMSTAT_SWAPPING
            .lines()
            .take(4)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(run(Kind::Vmstat, &first_only).checks.is_empty());
    }
}
