//! What the memory, load and clock parsers share: the memory model that
//! `free`, /proc/meminfo and the `top` header fill (in MiB whatever the
//! output used), its `memory` fact and the `memory-pressure` check with
//! its thresholds; shell prompts (a file may hold several outputs, before
//! and after, or one per host behind `[root@host ~]#`: the host is kept);
//! and when a file's name decides its kind.

use rootline_model::FieldKind;
use serde_json::{Value, json};

use super::numbers::{content_is_void, parse_float};
use super::{date, free, meminfo, sensors, top, uname, uptime, vmstat};
use crate::{Check, Cite};

// ---------------------------------------------------------------------------
// Thresholds.

/// Available memory below this share of the total: the kernel is reclaiming
/// page cache hard and the next allocation burst (a VM start, a qemu-img
/// convert) goes to swap or the OOM killer.
const AVAIL_LOW_RATIO: f64 = 0.10;
/// Below this share it is severe (error): reclaim stalls are already likely.
const AVAIL_CRITICAL_RATIO: f64 = 0.05;
/// Swap used above this share of the swap space means the working set no
/// longer fits in RAM (a little swap of idle pages is normal)…
const SWAP_USED_RATIO: f64 = 0.25;
/// …and above this size (MiB): small amounts are idle pages pushed out once.
const SWAP_USED_MIN_MIB: f64 = 1024.0;
/// …while available memory is under this share ("little free"): otherwise
/// the swap is history, not pressure.
const SWAP_AVAIL_RATIO: f64 = 0.25;
/// Swap more than half full with under this share available: severe.
const SWAP_SEVERE_RATIO: f64 = 0.50;
const SWAP_SEVERE_AVAIL_RATIO: f64 = 0.15;

// ---------------------------------------------------------------------------
// Recognition.

/// The first 400 lines of a sample, which the content tests read.
pub(super) fn head_lines(sample: &str) -> Vec<&str> {
    sample.lines().take(400).collect()
}

/// Whether a line starts with `p`, leading white space aside.
pub(super) fn starts(lines: &[&str], p: &str) -> bool {
    lines.iter().any(|l| l.trim_start().starts_with(p))
}

/// The lines that are neither blank nor a shell prompt.
pub(super) fn body_lines<'a>(lines: &[&'a str]) -> Vec<&'a str> {
    lines
        .iter()
        .copied()
        .filter(|l| !l.trim().is_empty() && !is_prompt(l))
        .collect()
}

/// A file's name decides its kind only when its content says nothing (a
/// sosreport command that timed out, an empty file, an error message) and
/// no parser of these commands knows the content: their content tests all
/// come first, in registry order, then the names. It is asked in the
/// content pass, where the content is seen.
pub(super) fn name_may_decide(sample: &str) -> bool {
    content_is_void(sample)
        && top::content_kind(sample).is_none()
        && free::content_kind(sample).is_none()
        && meminfo::content_kind(sample).is_none()
        && vmstat::content_kind(sample).is_none()
        && sensors::content_kind(sample).is_none()
        && uptime::content_kind(sample).is_none()
        && uname::content_kind(sample).is_none()
        && date::content_kind(sample).is_none()
}

// ---------------------------------------------------------------------------
// Shell prompts.

pub(super) fn is_prompt(l: &str) -> bool {
    let t = l.trim();
    t.contains("]# ")
        || t.contains("]$ ")
        || t.ends_with("]#")
        || t.starts_with("# ")
        || t.starts_with("$ ")
}

/// `[root@openstack-host ~]# top` → `openstack-host`.
pub(super) fn prompt_host(l: &str) -> Option<String> {
    let t = l.trim();
    let inner = t.strip_prefix('[')?.split(']').next()?;
    let at = inner.split_whitespace().next()?;
    let host = at.split_once('@')?.1;
    (!host.is_empty()).then(|| host.to_string())
}

// ---------------------------------------------------------------------------
// Memory.

#[derive(Default, Debug, Clone)]
pub(super) struct Mem {
    pub(super) source: &'static str,
    pub(super) line: u64,
    pub(super) host: Option<String>,
    pub(super) total: Option<f64>,
    pub(super) free: Option<f64>,
    pub(super) used: Option<f64>,
    pub(super) available: Option<f64>,
    pub(super) buff_cache: Option<f64>,
    pub(super) swap_total: Option<f64>,
    pub(super) swap_used: Option<f64>,
    pub(super) swap_free: Option<f64>,
    pub(super) mem_cite: Option<Cite>,
    pub(super) swap_cite: Option<Cite>,
    pub(super) extra: serde_json::Map<String, Value>,
}

pub(super) fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

impl Mem {
    pub(super) fn fact(&self) -> Value {
        let r = |v: Option<f64>| v.map(round1);
        let mut f = json!({
            "type": "memory",
            "line": self.line.max(1),
            "source": self.source,
            "host": self.host,
            "unit": "MiB",
            "total": r(self.total),
            "free": r(self.free),
            "used": r(self.used),
            "available": r(self.available),
            "buff_cache": r(self.buff_cache),
            "swap_total": r(self.swap_total),
            "swap_used": r(self.swap_used),
            "swap_free": r(self.swap_free),
        });
        if let Some(o) = f.as_object_mut() {
            for (k, v) in &self.extra {
                o.insert(k.clone(), v.clone());
            }
        }
        f
    }
    pub(super) fn fill_swap_used(&mut self) {
        if self.swap_used.is_none()
            && let (Some(t), Some(f)) = (self.swap_total, self.swap_free)
        {
            self.swap_used = Some((t - f).max(0.0));
        }
    }
}

pub(super) fn memory_check(m: &Mem, out: &mut Vec<Check>) {
    let Some(total) = m.total.filter(|t| *t > 0.0) else {
        return;
    };
    let avail = m.available;
    let avail_ratio = avail.map(|a| a / total);
    let low_avail = avail_ratio.is_some_and(|r| r < AVAIL_LOW_RATIO);
    let swap_ratio = match (m.swap_used, m.swap_total) {
        (Some(u), Some(t)) if t > 0.0 => Some(u / t),
        _ => None,
    };
    let swap_heavy = swap_ratio.is_some_and(|r| r > SWAP_USED_RATIO)
        && m.swap_used.is_some_and(|u| u > SWAP_USED_MIN_MIB)
        && avail_ratio.is_none_or(|r| r < SWAP_AVAIL_RATIO);
    if !low_avail && !swap_heavy {
        return;
    }
    let severe = avail_ratio.is_some_and(|r| r < AVAIL_CRITICAL_RATIO)
        || (swap_ratio.is_some_and(|r| r > SWAP_SEVERE_RATIO)
            && avail_ratio.is_some_and(|r| r < SWAP_SEVERE_AVAIL_RATIO));
    let mut c = Check::raise(crate::id::MEMORY_PRESSURE);
    c.flag("severe", severe);
    if let Some(h) = &m.host {
        c.add_field("host", h, FieldKind::Host);
    }
    c.add_field("total_mib", format!("{:.0}", total), FieldKind::Int);
    if let Some(a) = avail {
        c.add_field("available_mib", format!("{:.0}", a), FieldKind::Int);
    }
    if let Some(u) = m.swap_used {
        c.add_field("swap_used_mib", format!("{:.0}", u), FieldKind::Int);
    }
    // What the text says: the share available, and the swap in use (when
    // some is).
    if let Some(r) = avail_ratio {
        c.bind("available_pct", format!("{:.1}", r * 100.0));
    }
    if let (Some(u), Some(t), Some(r)) = (m.swap_used, m.swap_total, swap_ratio)
        && u > 0.0
    {
        c.bind("swap_total_mib", format!("{:.0}", t));
        c.bind("swap_pct", format!("{:.0}", r * 100.0));
    }
    for x in [&m.mem_cite, &m.swap_cite].into_iter().flatten() {
        c.add_cite(x);
    }
    out.push(c);
}

/// A size in `free -h` style (`15Gi`, `176Mi`, `0B`, `1,4G`) or a plain
/// number in `unit_mib` MiB per unit, to MiB.
pub(super) fn size_mib(tok: &str, unit_mib: f64) -> Option<f64> {
    let t = tok.trim();
    let num_end = t
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || matches!(c, '.' | ',' | '-')))
        .map(|(i, _)| i)
        .unwrap_or(t.len());
    let n = parse_float(&t[..num_end])?;
    let suffix = &t[num_end..];
    let mult = match suffix.trim_end_matches('i').trim_end_matches('B') {
        "" if suffix.is_empty() => unit_mib,
        "" => 1.0 / (1024.0 * 1024.0), // "0B"
        "K" | "k" => 1.0 / 1024.0,
        "M" => 1.0,
        "G" => 1024.0,
        "T" => 1024.0 * 1024.0,
        "P" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    Some(n * mult)
}

#[cfg(test)]
mod tests {
    use super::super::Kind;

    #[test]
    fn timed_out_and_empty() {
        assert_eq!(
            crate::recognise("sos_commands/memory/free", ""),
            Some(Kind::Free)
        );
        assert_eq!(
            crate::recognise(
                "sos_commands/memory/free_-m",
                "timeout: sending signal TERM to command 'free'\n"
            ),
            Some(Kind::Free)
        );
        assert_eq!(
            crate::recognise("sos_commands/host/uptime", ""),
            Some(Kind::Uptime)
        );
        assert_eq!(crate::recognise("notes.txt", "hello\n"), None);
        for k in [
            Kind::Free,
            Kind::Meminfo,
            Kind::Vmstat,
            Kind::Top,
            Kind::Uptime,
            Kind::Sensors,
        ] {
            let st = crate::parse(k, "");
            assert!(
                st.facts.is_empty() && st.checks.is_empty() && !st.notes.is_empty(),
                "{k:?}"
            );
            let st = crate::parse(k, "timeout: sending signal TERM to command\n");
            assert!(st.checks.is_empty());
        }
    }

    /// A name decides only after every content test of these parsers: a
    /// `sensors` output with an error in its first lines (void) saved as
    /// `top` is still `sensors`, as its content says.
    #[test]
    fn names_decide_after_every_content_test() {
        let sensors = "coretemp-isa-0000\nAdapter: ISA adapter\nERROR: Can't get value of subfeature temp1_input: Can't read\n";
        assert!(super::content_is_void(sensors));
        assert_eq!(crate::recognise("top", sensors), Some(Kind::Sensors));
    }
}
