//! `free` (`-m`, `-h`, plain KiB; procps-ng old and new, `-/+
//! buffers/cache`): a `memory` fact per table and `memory-pressure`.

use super::numbers::{parse_float, void_name_hint, void_note};
use super::system_common::{self, Mem, is_prompt, memory_check, prompt_host, size_mib};
use super::{HostParser, Kind};
use crate::{Cite, HostState};

/// `free` without a unit flag prints KiB; `free -m` MiB. With neither the
/// prompt nor a suffix nor whole pages to tell (too few figures), a Mem
/// total at or above this is KiB (≥ ~1 GiB in KiB, or ≥ ~1 TiB in MiB — the
/// rarer case).
const FREE_KIB_GUESS_MIN: f64 = 1_000_000.0;

/// `free`.
pub(crate) struct Free;

impl HostParser for Free {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Free]
    }
    fn by_content(&self, rel_path: &str, sample: &str) -> Option<Kind> {
        if content_kind(sample).is_some() {
            return Some(Kind::Free);
        }
        let base = void_name_hint(rel_path, sample, system_common::name_may_decide)?;
        (base == "free" || base.starts_with("free_") || base.starts_with("free-"))
            .then_some(Kind::Free)
    }
    fn parse(&self, _kind: Kind, text: &str) -> HostState {
        parse_free(text)
    }
}

/// `free`, by its header (`total used free`) and its `Mem:` row.
pub(super) fn content_kind(sample: &str) -> Option<Kind> {
    let lines = system_common::head_lines(sample);
    (lines.iter().any(|l| is_free_header(l)) && system_common::starts(&lines, "Mem:"))
        .then_some(Kind::Free)
}

fn is_free_header(l: &str) -> bool {
    let t: Vec<&str> = l.split_whitespace().collect();
    t.len() >= 3 && t[0] == "total" && t[1] == "used" && t[2] == "free"
}

fn parse_free(text: &str) -> HostState {
    let mut st = HostState::default();
    let lines: Vec<&str> = text.lines().collect();
    let mut host: Option<String> = None;
    let mut flag_unit: Option<f64> = None;
    let mut i = 0;
    let mut blocks: Vec<Mem> = Vec::new();
    while i < lines.len() {
        let l = lines[i];
        if is_prompt(l) {
            host = prompt_host(l).or(host.clone());
            flag_unit = None;
            if l.contains("free") {
                let args: Vec<&str> = l.split_whitespace().collect();
                for a in args.iter().skip_while(|a| !a.ends_with("free")) {
                    flag_unit = match *a {
                        "-b" | "--bytes" => Some(1.0 / (1024.0 * 1024.0)),
                        "-k" | "--kibi" | "--kilo" => Some(1.0 / 1024.0),
                        "-m" | "--mebi" | "--mega" => Some(1.0),
                        "-g" | "--gibi" | "--giga" => Some(1024.0),
                        _ => flag_unit,
                    };
                }
            }
            i += 1;
            continue;
        }
        if !is_free_header(l) {
            i += 1;
            continue;
        }
        let names: Vec<&str> = l.split_whitespace().collect();
        let mut m = Mem {
            source: "free",
            line: i as u64 + 1,
            host: host.clone(),
            ..Default::default()
        };
        let mut rows: Vec<(usize, &str, Vec<&str>)> = Vec::new();
        let mut j = i + 1;
        while j < lines.len() {
            let t = lines[j].trim();
            let Some((label, rest)) = t.split_once(':') else {
                break;
            };
            if label.contains(' ') && !label.starts_with("-/+") {
                break;
            }
            rows.push((j, label, rest.split_whitespace().collect()));
            j += 1;
        }
        // Unit: the flag on the prompt, a suffix, whole pages, or a guess
        // from the size.
        let human = rows.iter().any(|r| {
            r.2.iter()
                .any(|v| v.chars().any(|c| c.is_ascii_alphabetic()))
        });
        let unit = if human {
            1.0
        } else if let Some(u) = flag_unit {
            u
        } else {
            let total = rows
                .iter()
                .find(|r| r.1 == "Mem")
                .and_then(|r| r.2.first())
                .and_then(|v| parse_float(v))
                .unwrap_or(0.0);
            // The kernel counts memory in pages (4 KiB or more): in KiB
            // every figure is a whole number of pages; `free -m` rounds
            // each one down to a MiB on its own, and most are not.
            let figures: Vec<u64> = rows
                .iter()
                .flat_map(|r| r.2.iter())
                .filter_map(|v| v.parse::<u64>().ok())
                .filter(|v| *v > 0)
                .collect();
            let kib = if figures.len() >= 3 {
                figures.iter().all(|v| v % 4 == 0)
            } else {
                total >= FREE_KIB_GUESS_MIN
            };
            if kib {
                st.notes.push(format!(
                    "line {}: no unit given; read as KiB (plain `free`)",
                    i + 1
                ));
                1.0 / 1024.0
            } else {
                st.notes.push(format!(
                    "line {}: no unit given; read as MiB (`free -m`)",
                    i + 1
                ));
                1.0
            }
        };
        let mut plus_free = None;
        for (ln, label, vals) in &rows {
            let get = |n: &str| {
                names
                    .iter()
                    .position(|x| *x == n)
                    .and_then(|p| vals.get(p))
                    .and_then(|v| size_mib(v, unit))
            };
            match *label {
                "Mem" => {
                    m.total = get("total");
                    m.used = get("used");
                    m.free = get("free");
                    m.available = get("available");
                    m.buff_cache =
                        get("buff/cache").or_else(|| match (get("buffers"), get("cached")) {
                            (Some(a), Some(b)) => Some(a + b),
                            _ => None,
                        });
                    m.mem_cite = Some(Cite::nth(*ln, lines[*ln]));
                }
                "Swap" => {
                    m.swap_total = get("total");
                    m.swap_used = get("used");
                    m.swap_free = get("free");
                    m.swap_cite = Some(Cite::nth(*ln, lines[*ln]));
                }
                l if l.starts_with("-/+") => {
                    plus_free = vals.get(1).and_then(|v| size_mib(v, unit));
                }
                _ => {}
            }
        }
        if m.available.is_none() {
            m.available = plus_free;
        }
        m.fill_swap_used();
        if rows.is_empty() {
            st.notes.push(format!(
                "line {}: header without values (output cut)",
                i + 1
            ));
        } else {
            blocks.push(m);
        }
        i = j.max(i + 1);
    }
    for m in &blocks {
        st.facts.push(m.fact());
        memory_check(m, &mut st.checks);
    }
    if blocks.is_empty() {
        st.notes
            .push(void_note(text).unwrap_or_else(|| "no `free` table found".into()));
    }
    st
}

#[cfg(test)]
mod tests {
    use super::*;
    use rootline_model::Severity;
    use serde_json::Value;

    const FREE_H: &str = include_str!("../../tests/captures/free/free.txt");
    const SOS_FREE: &str = include_str!("../../tests/captures/free/free");
    const SOS_FREE_M: &str = include_str!("../../tests/captures/free/free_-m");

    /// procps-ng before 3.3.10 (RHEL 6/7.0): buffers and cached columns and
    /// the `-/+ buffers/cache` line, no `available`.
    const FREE_OLD_M: &str = include_str!("../../tests/captures/free/free-m-old-procps.txt");

    /// Plain `free` (KiB) and `free -m`, forum posts (2007 and an ESX guest).
    const FREE_KIB_2007: &str = include_str!("../../tests/captures/free/free-2007.txt");
    const FREE_M_ESX: &str = include_str!("../../tests/captures/free/free-m-esx-guest.txt");

    /// Parsed as this parser's kind, and rendered with the shipped check
    /// book (severity, text and fix come from it).
    fn run(kind: Kind, text: &str) -> HostState {
        assert!(Free.kinds().contains(&kind), "own kind");
        crate::parse(kind, text)
    }
    fn mem_facts(st: &HostState) -> Vec<&Value> {
        st.facts.iter().filter(|f| f["type"] == "memory").collect()
    }

    #[test]
    fn free_human_before_and_after_swapoff() {
        assert_eq!(crate::recognise("free.txt", FREE_H), Some(Kind::Free));
        let st = run(Kind::Free, FREE_H);
        let m = mem_facts(&st);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0]["total"], 15360.0);
        assert_eq!(m[0]["available"], 1228.8);
        assert_eq!(m[1]["swap_total"], 0.0);
        let sev: Vec<Severity> = st.checks.iter().map(|c| c.severity).collect();
        assert_eq!(sev, vec![Severity::Warning, Severity::Error]);
        assert!(
            st.checks[1]
                .evidence
                .iter()
                .any(|e| e.text.starts_with("Mem: 15Gi 14Gi 491Mi"))
        );
    }

    #[test]
    fn free_sosreport_kib_and_mib_agree() {
        assert_eq!(
            crate::recognise("sos_commands/memory/free", SOS_FREE),
            Some(Kind::Free)
        );
        assert_eq!(
            crate::recognise("sos_commands/memory/free_-m", SOS_FREE_M),
            Some(Kind::Free)
        );
        let a = run(Kind::Free, SOS_FREE);
        let b = run(Kind::Free, SOS_FREE_M);
        let (ta, tb) = (
            mem_facts(&a)[0]["total"].as_f64().unwrap(),
            mem_facts(&b)[0]["total"].as_f64().unwrap(),
        );
        assert!((ta - tb).abs() < 2.0, "{ta} vs {tb}");
        assert!(
            a.checks.is_empty() && b.checks.is_empty(),
            "no false findings on the corpus"
        );
    }

    #[test]
    fn free_old_format() {
        let st = run(Kind::Free, FREE_OLD_M);
        let m = mem_facts(&st);
        assert_eq!(m[0]["available"], 734.0);
        assert_eq!(m[0]["buff_cache"], 313.0);
        assert_eq!(m[0]["host"], "compute-0");
        assert_eq!(st.checks[0].severity, Severity::Error);
    }

    /// Plain `free` prints KiB, `free -m` MiB, and neither says so. In KiB
    /// every figure is a whole number of 4 KiB pages; `free -m` rounds each
    /// one down on its own (forum posts, 2007 and an ESX guest).
    #[test]
    fn free_unit_from_whole_pages() {
        let kib = FREE_KIB_2007;
        let st = run(Kind::Free, kib);
        let m = mem_facts(&st)[0];
        assert!((m["total"].as_f64().unwrap() - 503.7).abs() < 0.1, "{m}");
        assert!(
            (m["available"].as_f64().unwrap() - 302.3).abs() < 0.1,
            "{m}"
        );
        assert!(
            (m["swap_total"].as_f64().unwrap() - 392.2).abs() < 0.1,
            "{m}"
        );
        let mib = FREE_M_ESX;
        let st = run(Kind::Free, mib);
        let m = mem_facts(&st)[0];
        assert_eq!(m["total"], 3808.0);
        assert_eq!(m["available"], 3355.0);
        assert!(st.notes.iter().any(|n| n.contains("MiB")));
    }
}
