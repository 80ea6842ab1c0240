//! Memory, load, temperatures: free, /proc/meminfo, vmstat, the top header, uptime, sensors;
//! and what the host is: uname -a, date.
//!
//! Kinds owned here: Free, Meminfo, Vmstat, Top, Uptime, Sensors, Uname, Date.
//!
//! Memory facts are in MiB whatever the output used. A file may hold several
//! outputs (before/after, one per host behind a shell prompt); each becomes
//! its own fact, and the host from the prompt (`[root@host ~]#`) is kept.

use rootline_model::FieldKind;
use serde_json::{Value, json};

use crate::disks::{content_is_void, parse_float, parse_int, void_note};
use crate::parsers::Kind;
use crate::{Check, Cite, HostState};

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
/// vmstat samples (after the first, which is the average since boot) with
/// si/so > 0 needed to call it ongoing swap activity.
const SWAP_ACTIVE_SAMPLES_MIN: usize = 2;
/// CPU package/core temperature at which it counts as hot even when the chip
/// gives no `high` limit: most desktop/server CPUs throttle from 90–100 °C
/// and run below 80 °C under normal load.
const CPU_HOT_C: f64 = 85.0;
/// Sensor limits above this are junk (e.g. `high = +65261.8°C`).
const PLAUSIBLE_LIMIT_C: f64 = 150.0;
/// Degrees below a drive sensor's `high` from which it is "near" it.
const DRIVE_MARGIN_C: f64 = 5.0;
/// `free` without a unit flag prints KiB; `free -m` MiB. With neither the
/// prompt nor a suffix nor whole pages to tell (too few figures), a Mem
/// total at or above this is KiB (≥ ~1 GiB in KiB, or ≥ ~1 TiB in MiB — the
/// rarer case).
const FREE_KIB_GUESS_MIN: f64 = 1_000_000.0;

// ---------------------------------------------------------------------------
// Recognition.

pub(crate) fn recognise(rel_path: &str, sample: &str) -> Option<Kind> {
    let lines: Vec<&str> = sample.lines().take(400).collect();
    let starts = |p: &str| lines.iter().any(|l| l.trim_start().starts_with(p));
    if lines
        .iter()
        .any(|l| l.trim_start().starts_with("top - ") && l.contains("load average"))
        || starts("MiB Mem :")
        || starts("KiB Mem :")
        || starts("GiB Mem :")
    {
        return Some(Kind::Top);
    }
    if lines.iter().any(|l| is_free_header(l)) && starts("Mem:") {
        return Some(Kind::Free);
    }
    if starts("MemTotal:") && (starts("MemFree:") || sample.contains(" kB")) {
        return Some(Kind::Meminfo);
    }
    if lines.iter().any(|l| is_vmstat_header(l)) || starts("procs -") {
        return Some(Kind::Vmstat);
    }
    if starts("Adapter:")
        && (sample.contains("°C") || sample.contains("_input:") || sample.contains(" C "))
    {
        return Some(Kind::Sensors);
    }
    let body: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| !l.trim().is_empty() && !is_prompt(l))
        .collect();
    if body.len() <= 5
        && body
            .iter()
            .any(|l| l.contains(" up ") && (l.contains("load average") || l.contains("user")))
    {
        return Some(Kind::Uptime);
    }
    if !body.is_empty() && body.len() <= 3 && body.iter().all(|l| uname_line(l).is_some()) {
        return Some(Kind::Uname);
    }
    if !body.is_empty() && body.len() <= 3 && body.iter().all(|l| date_line(l).is_some()) {
        return Some(Kind::Date);
    }
    if content_is_void(sample) {
        let base = rel_path
            .rsplit('/')
            .next()
            .unwrap_or(rel_path)
            .to_ascii_lowercase();
        let kind = if base == "free" || base.starts_with("free_") || base.starts_with("free-") {
            Kind::Free
        } else if base == "meminfo" {
            Kind::Meminfo
        } else if base.starts_with("vmstat") {
            Kind::Vmstat
        } else if base == "top" || base.starts_with("top_") {
            Kind::Top
        } else if base.starts_with("uptime") {
            Kind::Uptime
        } else if base.starts_with("sensors") {
            Kind::Sensors
        } else if base.starts_with("uname") {
            Kind::Uname
        } else if base == "date" || base.starts_with("date_") {
            Kind::Date
        } else {
            return None;
        };
        return Some(kind);
    }
    None
}

fn is_free_header(l: &str) -> bool {
    let t: Vec<&str> = l.split_whitespace().collect();
    t.len() >= 3 && t[0] == "total" && t[1] == "used" && t[2] == "free"
}

fn is_vmstat_header(l: &str) -> bool {
    let t: Vec<&str> = l.split_whitespace().collect();
    t.len() >= 8 && t[0] == "r" && t[1] == "b" && t.contains(&"si") && t.contains(&"so")
}

fn is_prompt(l: &str) -> bool {
    let t = l.trim();
    t.contains("]# ")
        || t.contains("]$ ")
        || t.ends_with("]#")
        || t.starts_with("# ")
        || t.starts_with("$ ")
}

/// `[root@openstack-host ~]# top` → `openstack-host`.
fn prompt_host(l: &str) -> Option<String> {
    let t = l.trim();
    let inner = t.strip_prefix('[')?.split(']').next()?;
    let at = inner.split_whitespace().next()?;
    let host = at.split_once('@')?.1;
    (!host.is_empty()).then(|| host.to_string())
}

// ---------------------------------------------------------------------------
// Memory.

#[derive(Default, Debug, Clone)]
struct Mem {
    source: &'static str,
    line: u64,
    host: Option<String>,
    total: Option<f64>,
    free: Option<f64>,
    used: Option<f64>,
    available: Option<f64>,
    buff_cache: Option<f64>,
    swap_total: Option<f64>,
    swap_used: Option<f64>,
    swap_free: Option<f64>,
    mem_cite: Option<Cite>,
    swap_cite: Option<Cite>,
    extra: serde_json::Map<String, Value>,
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

impl Mem {
    fn fact(&self) -> Value {
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
    fn fill_swap_used(&mut self) {
        if self.swap_used.is_none()
            && let (Some(t), Some(f)) = (self.swap_total, self.swap_free)
        {
            self.swap_used = Some((t - f).max(0.0));
        }
    }
}

fn memory_check(m: &Mem, out: &mut Vec<Check>) {
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
fn size_mib(tok: &str, unit_mib: f64) -> Option<f64> {
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

// ---------------------------------------------------------------------------
// top header.

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

fn parse_uptime_line(l: &str) -> Option<Value> {
    let up_at = l.find(" up ")?;
    let after = &l[up_at + 4..];
    let (up_part, users, load) = {
        let load_at = after.find("load average");
        let head = &after[..load_at.unwrap_or(after.len())];
        let mut up = Vec::new();
        let mut users = None;
        for seg in head.split(',') {
            let s = seg.trim();
            if s.is_empty() {
                continue;
            }
            if s.contains("user") {
                users = parse_int(s);
            } else {
                up.push(s.to_string());
            }
        }
        let load: Vec<f64> = load_at
            .map(|p| {
                let s = &after[p..];
                let s = s.split_once(':').map(|x| x.1).unwrap_or("");
                let parts: Vec<&str> = if s.contains(", ") {
                    s.split(", ").collect()
                } else {
                    s.split_whitespace().collect()
                };
                parts.iter().filter_map(|x| parse_float(x)).collect()
            })
            .unwrap_or_default();
        (up, users, load)
    };
    let mut secs: i64 = 0;
    for p in &up_part {
        let p = p.trim_start_matches("up ").trim();
        if let Some((h, m)) = p.split_once(':') {
            secs += parse_int(h).unwrap_or(0) * 3600 + parse_int(m).unwrap_or(0) * 60;
            continue;
        }
        let n = parse_int(p).unwrap_or(0);
        let word = p.split_whitespace().nth(1).unwrap_or("");
        secs += n * match word {
            w if w.starts_with("week") => 7 * 86400,
            w if w.starts_with("day") => 86400,
            w if w.starts_with("hour") || w.starts_with("hr") => 3600,
            w if w.starts_with("min") => 60,
            w if w.starts_with("sec") => 1,
            _ => 0,
        };
    }
    let time = l[..up_at]
        .trim()
        .trim_start_matches("top -")
        .trim()
        .to_string();
    Some(json!({
        "type": "uptime",
        "time": if time.is_empty() { None } else { Some(time) },
        "uptime_seconds": secs,
        "uptime_text": up_part.join(", "),
        "users": users,
        "load1": load.first(),
        "load5": load.get(1),
        "load15": load.get(2),
    }))
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

// ---------------------------------------------------------------------------
// vmstat.

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

// ---------------------------------------------------------------------------
// uptime.

fn parse_uptime(text: &str) -> HostState {
    let mut st = HostState::default();
    let mut host = None;
    for (i, l) in text.lines().enumerate() {
        if is_prompt(l) {
            host = prompt_host(l).or(host);
            continue;
        }
        if !l.contains(" up ") {
            continue;
        }
        if let Some(mut f) = parse_uptime_line(l) {
            f["line"] = json!(i + 1);
            f["host"] = json!(host);
            st.facts.push(f);
        }
    }
    if st.facts.is_empty() {
        st.notes
            .push(void_note(text).unwrap_or_else(|| "no uptime line found".into()));
    }
    st
}

// ---------------------------------------------------------------------------
// sensors.

#[derive(Debug, Clone)]
struct Reading {
    chip: String,
    adapter: Option<String>,
    label: String,
    value: f64,
    high: Option<f64>,
    crit: Option<f64>,
    cite: Cite,
}

/// `+91.0°C` / `+91.0 C` / `91.000` → 91.0; None when not a temperature.
fn temp_value(s: &str) -> Option<f64> {
    let s = s.trim();
    let s = s.strip_prefix('+').unwrap_or(s);
    let num: String = s
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | '-'))
        .collect();
    num.parse().ok()
}

fn is_temp(s: &str) -> bool {
    s.contains("°C")
        || s.contains("Â°C")
        || s.trim_end().ends_with(" C")
        || s.contains(" C ")
        || s.contains("C  (")
}

/// `(high = +80.0°C, crit = +100.0°C)` → (high, crit).
fn limits(s: &str, r: &mut Reading) {
    for part in s.split(['(', ')', ',']) {
        let Some((k, v)) = part.split_once('=') else {
            continue;
        };
        let k = k.trim();
        let v = temp_value(v);
        match k {
            "high" | "max" => r.high = r.high.or(v),
            "crit" => r.crit = r.crit.or(v),
            _ => {}
        }
    }
}

fn parse_sensors(text: &str) -> HostState {
    let mut st = HostState::default();
    let mut chip = String::new();
    let mut adapter = None;
    let mut readings: Vec<Reading> = Vec::new();
    let mut raw_label: Option<String> = None;
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        if t.is_empty() {
            raw_label = None;
            continue;
        }
        if is_prompt(l) {
            continue;
        }
        let indented = l.starts_with([' ', '\t']);
        if !indented && !t.contains(':') {
            chip = t.to_string();
            adapter = None;
            continue;
        }
        if let Some(a) = t.strip_prefix("Adapter:") {
            adapter = Some(a.trim().to_string());
            continue;
        }
        if indented && t.starts_with('(') {
            if let Some(last) = readings.last_mut() {
                limits(t, last);
            }
            continue;
        }
        // `sensors -u`: a label line `Core 0:` then `temp2_input: 45.000`.
        if indented && let Some((k, v)) = t.split_once(':') {
            let k = k.trim();
            if k.starts_with("temp") {
                let v = temp_value(v);
                if k.ends_with("_input")
                    && let Some(v) = v
                {
                    readings.push(Reading {
                        chip: chip.clone(),
                        adapter: adapter.clone(),
                        label: raw_label
                            .clone()
                            .unwrap_or_else(|| k.trim_end_matches("_input").to_string()),
                        value: v,
                        high: None,
                        crit: None,
                        cite: Cite::nth(i, l),
                    });
                } else if let Some(last) = readings.last_mut() {
                    if k.ends_with("_max") {
                        last.high = last.high.or(v);
                    } else if k.ends_with("_crit") {
                        last.crit = last.crit.or(v);
                    }
                }
            }
            continue;
        }
        let Some((label, rest)) = t.split_once(':') else {
            continue;
        };
        if rest.trim().is_empty() {
            raw_label = Some(label.trim().to_string());
            continue;
        }
        let value_part = rest.split('(').next().unwrap_or("");
        if !is_temp(value_part) && !is_temp(rest) {
            continue;
        }
        let Some(v) = temp_value(value_part) else {
            continue;
        };
        let mut r = Reading {
            chip: chip.clone(),
            adapter: adapter.clone(),
            label: label.trim().to_string(),
            value: v,
            high: None,
            crit: None,
            cite: Cite::nth(i, l),
        };
        limits(rest, &mut r);
        readings.push(r);
    }
    let plausible = |x: Option<f64>| x.filter(|v| *v > 0.0 && *v < PLAUSIBLE_LIMIT_C);
    for r in &readings {
        st.facts.push(json!({
            "type": "temperature",
            "line": r.cite.line,
            "chip": r.chip,
            "adapter": r.adapter,
            "label": r.label,
            "value": r.value,
            "high": plausible(r.high),
            "crit": plausible(r.crit),
        }));
    }
    // cpu-hot
    let is_cpu = |r: &Reading| {
        let c = r.chip.to_ascii_lowercase();
        let l = r.label.to_ascii_lowercase();
        c.starts_with("coretemp")
            || c.starts_with("k10temp")
            || c.starts_with("zenpower")
            || c.starts_with("cpu_thermal")
            || l.starts_with("package")
            || l.starts_with("core ")
            || l.starts_with("tctl")
            || l.starts_with("tdie")
            || l.starts_with("cpu")
    };
    let hot: Vec<&Reading> = readings
        .iter()
        .filter(|r| is_cpu(r))
        .filter(|r| plausible(r.high).is_some_and(|h| r.value >= h) || r.value >= CPU_HOT_C)
        .collect();
    if !hot.is_empty() {
        let maxr = hot
            .iter()
            .copied()
            .fold(hot[0], |a, b| if b.value > a.value { b } else { a });
        let at_crit = hot
            .iter()
            .any(|r| plausible(r.crit).is_some_and(|c| r.value >= c));
        let mut c = Check::raise(crate::id::CPU_HOT);
        c.flag("critical", at_crit);
        c.bind("sensor", &maxr.label);
        c.bind("hot_sensors", hot.len());
        if let Some(h) = plausible(maxr.high) {
            c.bind("high", format!("{h:.0}"));
        }
        c.add_field("chip", &maxr.chip, FieldKind::Text);
        c.add_field("max_temp_c", format!("{:.0}", maxr.value), FieldKind::Int);
        // Package first, then the hottest.
        let mut ev: Vec<&Reading> = hot.clone();
        ev.sort_by(|a, b| {
            let pa = a.label.to_ascii_lowercase().starts_with("package");
            let pb = b.label.to_ascii_lowercase().starts_with("package");
            pb.cmp(&pa).then(b.value.total_cmp(&a.value))
        });
        for r in ev.iter().take(6) {
            c.add_cite(&r.cite);
        }
        st.checks.push(c);
    }
    // disk-thermal from drive sensors (nvme-pci-*, drivetemp-*).
    for r in &readings {
        let c0 = r.chip.to_ascii_lowercase();
        if !(c0.starts_with("nvme") || c0.starts_with("drivetemp")) {
            continue;
        }
        let Some(h) = plausible(r.high) else {
            continue;
        };
        if r.value < h - DRIVE_MARGIN_C {
            continue;
        }
        // The check book's sensors variant of disk-thermal (the chip is
        // bound; the drive behind it is not known).
        let mut c = Check::raise(crate::id::DISK_THERMAL);
        c.add_field("chip", &r.chip, FieldKind::Text);
        c.bind("sensor", &r.label);
        c.bind("temperature", format!("{:.0}", r.value));
        c.bind("high", format!("{h:.0}"));
        c.add_cite(&r.cite);
        st.checks.push(c);
    }
    if readings.is_empty() {
        st.notes
            .push(void_note(text).unwrap_or_else(|| "no temperature reading found".into()));
    }
    st
}

// ---------------------------------------------------------------------------
// uname -a, date

/// `Linux compute4 5.4.0-97-generic #110-Ubuntu SMP Thu Jan 13 18:22:13 UTC
/// 2022 x86_64 x86_64 x86_64 GNU/Linux` → (kernel name, node, release,
/// version, machine).
fn uname_line(l: &str) -> Option<(String, String, String, String, String)> {
    let t: Vec<&str> = l.split_whitespace().collect();
    if t.len() < 5 || !matches!(t[0], "Linux" | "GNU/Linux") {
        return None;
    }
    let hash = t.iter().position(|x| x.starts_with('#'))?;
    if hash < 3 || !t[2].starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    // The version runs from `#…` to the year; the machine follows it.
    let year = (hash + 1..t.len()).find(|&i| t[i].len() == 4 && t[i].parse::<u16>().is_ok());
    let (version, machine) = match year {
        Some(y) => (t[hash..=y].join(" "), t.get(y + 1).copied().unwrap_or("")),
        None => (t[hash..].join(" "), ""),
    };
    Some((
        t[0].to_string(),
        t[1].to_string(),
        t[2].to_string(),
        version,
        machine.to_string(),
    ))
}

fn parse_uname(text: &str) -> HostState {
    let mut st = HostState::default();
    for (i, l) in text.lines().enumerate() {
        if let Some((os, node, release, version, machine)) = uname_line(l) {
            st.facts
                .push(json!({"type": "kernel", "line": i + 1, "os": os,
                "node": node, "release": release, "version": version, "machine": machine}));
        }
    }
    if st.facts.is_empty() && !text.trim().is_empty() {
        st.notes.push("no uname line found".to_string());
    }
    st
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A `date` line: the C locale's `Thu Feb 10 16:19:17 UTC 2022`, `date -R`'s
/// `Thu, 10 Feb 2022 16:19:17 +0000`, or ISO 8601 / RFC 3339 (`date -Is`,
/// `date --rfc-3339=seconds`). → (date `YYYY-MM-DD`, time, zone as written).
fn date_line(l: &str) -> Option<(String, String, String)> {
    let t: Vec<&str> = l.split_whitespace().collect();
    let month = |m: &str| MONTHS.iter().position(|x| *x == m).map(|i| i + 1);
    // HH:MM:SS, checked byte by byte (ASCII only, so slicing at 8 is safe).
    let clock = |c: &str| {
        let b = c.as_bytes();
        let ok = b.len() >= 8
            && b[..8].iter().enumerate().all(|(i, x)| match i {
                2 | 5 => *x == b':',
                _ => x.is_ascii_digit(),
            });
        ok.then(|| c.to_string())
    };
    let day = |d: &str| d.parse::<u8>().ok().filter(|d| (1..=31).contains(d));
    let year = |y: &str| y.parse::<u16>().ok().filter(|y| *y >= 1970);
    // C locale: Www Mmm d HH:MM:SS ZONE YYYY (the zone may be absent).
    if (t.len() == 6 || t.len() == 5) && t[0].len() == 3 && t[0].chars().all(char::is_alphabetic) {
        let (m, d, c) = (month(t[1])?, day(t[2])?, clock(t[3])?);
        let (zone, y) = if t.len() == 6 {
            (t[4], year(t[5])?)
        } else {
            ("", year(t[4])?)
        };
        return Some((format!("{y:04}-{m:02}-{d:02}"), c, zone.to_string()));
    }
    // date -R: Www, d Mmm YYYY HH:MM:SS +hhmm
    if t.len() == 6 && t[0].ends_with(',') {
        let (d, m, y, c) = (day(t[1])?, month(t[2])?, year(t[3])?, clock(t[4])?);
        return Some((format!("{y:04}-{m:02}-{d:02}"), c, t[5].to_string()));
    }
    // ISO: 2022-02-10T16:19:17+00:00, or 2022-02-10 16:19:17+00:00.
    let iso = l.trim();
    let (d, rest) = if iso.len() >= 19 && matches!(iso.as_bytes()[10], b'T' | b' ') {
        (&iso[..10], &iso[11..])
    } else {
        return None;
    };
    let db = d.as_bytes();
    if !(db[4] == b'-' && db[7] == b'-' && year(&d[..4]).is_some()) {
        return None;
    }
    let c = clock(rest)?;
    let time: String = c[..8].to_string();
    let zone = rest[8..].trim_start_matches(|ch: char| ch == '.' || ch.is_ascii_digit());
    if zone.contains(' ') {
        return None;
    }
    Some((d.to_string(), time, zone.to_string()))
}

/// `+0900`, `+09:00`, `Z`, `UTC`, `GMT` → `+09:00`; a zone abbreviation
/// (`KST`, `EDT`) says nothing certain (abbreviations repeat): `None`.
fn zone_offset(z: &str) -> Option<String> {
    match z {
        "UTC" | "GMT" | "Z" | "+0000" | "+00:00" => return Some("+00:00".to_string()),
        _ => {}
    }
    let sign = z.chars().next().filter(|c| *c == '+' || *c == '-')?;
    let digits: String = z[1..].chars().filter(|c| c.is_ascii_digit()).collect();
    (digits.len() == 4 && z[1..].chars().all(|c| c.is_ascii_digit() || c == ':'))
        .then(|| format!("{sign}{}:{}", &digits[..2], &digits[2..]))
}

fn parse_date(text: &str) -> HostState {
    let mut st = HostState::default();
    for (i, l) in text.lines().enumerate() {
        let Some((date, time, zone)) = date_line(l) else {
            continue;
        };
        let offset = zone_offset(&zone);
        let mut f = json!({"type": "date", "line": i + 1, "text": l.trim(),
            "date": date, "time": time, "zone": zone});
        if let Some(o) = &offset {
            f["offset"] = json!(o);
            f["iso"] = json!(format!("{date}T{time}{o}"));
        }
        st.facts.push(f);
    }
    if st.facts.is_empty() && !text.trim().is_empty() {
        st.notes.push("no date line found".to_string());
    }
    st
}

// ---------------------------------------------------------------------------
// Dispatch.

pub(crate) fn parse(kind: Kind, text: &str) -> Option<HostState> {
    Some(match kind {
        Kind::Free => parse_free(text),
        Kind::Meminfo => parse_meminfo(text),
        Kind::Vmstat => parse_vmstat(text),
        Kind::Top => parse_top(text),
        Kind::Uptime => parse_uptime(text),
        Kind::Sensors => parse_sensors(text),
        Kind::Uname => parse_uname(text),
        Kind::Date => parse_date(text),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rootline_model::Severity;

    const TOP_SEED: &str = r#"[root@openstack-host ~]# top
top - 03:57:24 up 122 days, 24 min, 4 users, load average: 1.32, 1.11, 1.10
Tasks: 284 total, 1 running, 283 sleeping, 0 stopped, 0 zombie
%Cpu(s): 3.1 us, 7.7 sy, 0.0 ni, 88.3 id, 0.0 wa, 0.5 hi, 0.5 si, 0.0 st
MiB Mem : 15654.8 total, 628.2 free, 13778.5 used, 1776.6 buff/cache
MiB Swap: 8024.0 total, 3541.7 free, 4482.2 used. 1876.3 avail Mem

PID USER PR NI VIRT RES SHR S %CPU %MEM TIME+ COMMAND
2718 qemu 20 0 10.3g 7.6g 6904 S 11.3 49.6 2218:41 qemu-kvm
2517 qemu 20 0 7891272 4.1g 7212 S 4.0 26.9 9517:12 qemu-kvm
1187 root 20 0 1830024 39212 18440 S 0.7 0.2 602:19 virtqemud
61 root 20 0 0 0 0 S 0.3 0.0 318:44 kswapd0
1 root 20 0 174952 10936 6588 S 0.0 0.1 41:03 systemd
1043 root 20 0 19128 5412 4872 S 0.0 0.0 2:11 systemd-machined
1071 root 20 0 262092 11808 8232 S 0.0 0.1 9:44 rsyslogd
"#;
    const FREE_H: &str = r#"[root@openstack-host ~]# free -h
total used free shared buff/cache available
Mem: 15Gi 14Gi 176Mi 55Mi 1.4Gi 1.2Gi
Swap: 7.8Gi 1.7Gi 6.1Gi
[root@openstack-host ~]# swapoff -a
[root@openstack-host ~]# free -h
total used free shared buff/cache available
Mem: 15Gi 14Gi 491Mi 307Mi 451Mi 396Mi
Swap: 0B 0B 0B
"#;
    const VMSTAT_IDLE: &str = r#"[root@compute ~]# vmstat 1
procs -----------memory---------- ---swap-- -----io---- -system-- ------cpu-----
r b swpd free buff cache si so bi bo in cs us sy id wa st
1 0 0 3565668 1640 469252 0 0 99 4 341 388 4 1 94 0 0
0 0 0 3565896 1640 469252 0 0 0 0 2806 3029 5 2 93 0 0
0 0 0 3567480 1640 469252 0 0 0 0 1486 1641 3 1 96 0 0
1 0 0 3567736 1640 469252 0 0 0 0 1663 1628 4 1 94 0 0
0 0 0 3567512 1640 469252 0 0 0 14 1991 2241 5 1 94 0 0
"#;
    const SENSORS_HOT: &str = r#"coretemp-isa-0000
Adapter: ISA adapter
Package id 0:  +91.0°C  (high = +80.0°C, crit = +100.0°C)
Core 0:        +89.0°C  (high = +80.0°C, crit = +100.0°C)
Core 1:        +91.0°C  (high = +80.0°C, crit = +100.0°C)
Core 2:        +88.0°C  (high = +80.0°C, crit = +100.0°C)
Core 3:        +90.0°C  (high = +80.0°C, crit = +100.0°C)
Core 4:        +87.0°C  (high = +80.0°C, crit = +100.0°C)
Core 5:        +90.0°C  (high = +80.0°C, crit = +100.0°C)

nvme-pci-0100
Adapter: PCI adapter
Composite:    +51.9°C  (low  = -273.1°C, high = +83.8°C)
                       (crit = +84.8°C)
Sensor 1:     +51.9°C  (low  = -273.1°C, high = +65261.8°C)
Sensor 2:     +53.9°C  (low  = -273.1°C, high = +65261.8°C)

acpitz-acpi-0
Adapter: ACPI interface
temp1:        +27.8°C  (crit = +119.0°C)

drivetemp-scsi-0-0
Adapter: SCSI adapter
temp1:        +38.0°C  (low  =  +0.0°C, high = +60.0°C)
                       (crit low =  +0.0°C, crit = +70.0°C)
"#;
    const SOS_FREE: &str = r#"              total        used        free      shared  buff/cache   available
Mem:       16393164     7474740      185156       44924     8733268     8638440
Swap:       4194300       67584     4126716
"#;
    const SOS_FREE_M: &str = r#"              total        used        free      shared  buff/cache   available
Mem:          16008        7301         178          43        8528        8433
Swap:          4095          66        4029
"#;
    const SOS_UPTIME: &str = r#" 16:19:19 up 17:41,  2 users,  load average: 3.58, 3.27, 2.58
"#;

    const MEMINFO_LOW: &str = "MemTotal:       16393164 kB
MemFree:          185156 kB
MemAvailable:     638440 kB
Buffers:            2104 kB
Cached:           512096 kB
SwapCached:        81236 kB
Active:         12000000 kB
SwapTotal:       8388604 kB
SwapFree:        2097148 kB
Dirty:               512 kB
Committed_AS:   31234567 kB
CommitLimit:    16585184 kB
HugePages_Total:       0
Hugepagesize:       2048 kB
";

    /// procps-ng before 3.3.10 (RHEL 6/7.0): buffers and cached columns and
    /// the `-/+ buffers/cache` line, no `available`.
    const FREE_OLD_M: &str = "[root@compute-0 ~]# free -m
             total       used       free     shared    buffers     cached
Mem:         64264      63843        421          0         12        301
-/+ buffers/cache:      63530        734
Swap:         4095       3900        195
";

    const TOP_OLD: &str =
        "top - 10:12:01 up 41 days,  3:02,  2 users,  load average: 12.05, 11.80, 10.33
Tasks: 412 total,   3 running, 405 sleeping,   0 stopped,   4 zombie
Cpu(s): 12.1%us,  3.0%sy,  0.0%ni, 60.2%id, 24.5%wa,  0.0%hi,  0.2%si,  0.0%st
Mem:  32877484k total, 32620112k used,   257372k free,     2228k buffers
Swap:  8388604k total,  6291456k used,  2097148k free,   112340k cached
";

    const VMSTAT_SWAPPING: &str = "[root@openstack-host ~]# vmstat 1 5
procs -----------memory---------- ---swap-- -----io---- -system-- ------cpu-----
 r  b   swpd   free   buff  cache   si   so    bi    bo   in   cs us sy id wa st
 2  1 4589876 643212   1640 1776000  12   30   140    80  341  388  4  2 90  4  0
 1  3 4590112 630100   1640 1776000 2310 4120  9800  5200 2806 3029  5  8 52 35  0
 0  4 4592300 628200   1640 1776000 1880 3544  8700  4100 1486 1641  3  7 55 35  0
 1  2 4593000 629000   1640 1776000    0    0   120    40 1663 1628  4  1 94  1  0
 2  5 4601200 620000   1640 1776000 3020 5100 11000  6100 1991 2241  5  9 48 38  0
";

    const UPTIME_DE: &str =
        " 10:12:01 up 3 days,  2:04,  1 user,  load average: 0,08, 0,03, 0,01\n";

    const SENSORS_U: &str = "coretemp-isa-0000
Adapter: ISA adapter
Package id 0:
  temp1_input: 92.000
  temp1_max: 80.000
  temp1_crit: 100.000
  temp1_crit_alarm: 0.000
Core 0:
  temp2_input: 88.000
  temp2_max: 80.000
  temp2_crit: 100.000
";

    /// Parsed as one of this module's kinds, and rendered with the shipped
    /// check book (severity, text and fix come from it).
    fn run(kind: Kind, text: &str) -> HostState {
        assert!(parse(kind, text).is_some(), "own kind");
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
        assert_eq!(recognise("top.txt", TOP_SEED), Some(Kind::Top));
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
        let text = "[root@openstack-host ~]# top
top - 03:57:24 up 122 days, 24 min, 4 users, load average: 1.32, 1.11, 1.10
MiB Mem : 15654.8 total, 628.2 free, 13778.5 used, 1776.6 buff/cache
MiB Swap: 8024.0 total, 3541.7 free, 4482.2 used. 1876.3 avail Mem
[root@controller ~]# top
top - 03:58:31 up 122 days, 25 min, 1 user, load average: 0.36, 0.18, 0.11
MiB Mem : 5668.1 total, 755.2 free, 4602.6 used, 667.1 buff/cache
MiB Swap: 4096.0 total, 2956.6 free, 1139.4 used. 1065.4 avail Mem
[root@compute ~]# top
top - 03:57:40 up 3 days, 39 min, 1 user, load average: 0.01, 0.02, 0.00
MiB Mem : 7683.6 total, 6465.9 free, 1099.7 used, 401.1 buff/cache
MiB Swap: 6898.0 total, 6898.0 free, 0.0 used. 6583.8 avail Mem
";
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

    #[test]
    fn free_human_before_and_after_swapoff() {
        assert_eq!(recognise("free.txt", FREE_H), Some(Kind::Free));
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
            recognise("sos_commands/memory/free", SOS_FREE),
            Some(Kind::Free)
        );
        assert_eq!(
            recognise("sos_commands/memory/free_-m", SOS_FREE_M),
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

    #[test]
    fn meminfo() {
        assert_eq!(recognise("proc/meminfo", MEMINFO_LOW), Some(Kind::Meminfo));
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

    #[test]
    fn vmstat_idle_and_swapping() {
        assert_eq!(recognise("vmstat.txt", VMSTAT_IDLE), Some(Kind::Vmstat));
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

    #[test]
    fn uptime_variants() {
        assert_eq!(
            recognise("sos_commands/host/uptime", SOS_UPTIME),
            Some(Kind::Uptime)
        );
        let st = run(Kind::Uptime, SOS_UPTIME);
        assert_eq!(st.facts[0]["uptime_seconds"], 17 * 3600 + 41 * 60);
        assert_eq!(st.facts[0]["users"], 2);
        assert_eq!(st.facts[0]["load15"], 2.58);
        let st = run(Kind::Uptime, UPTIME_DE);
        assert_eq!(st.facts[0]["uptime_seconds"], 3 * 86400 + 2 * 3600 + 4 * 60);
        assert_eq!(st.facts[0]["load1"], 0.08);
        assert_eq!(st.facts[0]["load15"], 0.01);
    }

    #[test]
    fn sensors_hot_cpu_seed_004() {
        assert_eq!(recognise("sensors.txt", SENSORS_HOT), Some(Kind::Sensors));
        let st = run(Kind::Sensors, SENSORS_HOT);
        let nvme = st.facts.iter().find(|f| f["label"] == "Composite").unwrap();
        assert_eq!(nvme["crit"], 84.8);
        assert_eq!(nvme["high"], 83.8);
        let s1 = st.facts.iter().find(|f| f["label"] == "Sensor 1").unwrap();
        assert!(s1["high"].is_null(), "junk limit dropped");
        assert_eq!(ids(&st), vec!["cpu-hot"]);
        let c = &st.checks[0];
        assert_eq!(c.severity, Severity::Warning);
        assert!(c.evidence[0].text.starts_with("Package id 0:"));
        assert!(c.en.contains("91"));
        let st = run(Kind::Sensors, SENSORS_U);
        assert_eq!(ids(&st), vec!["cpu-hot"]);
        assert_eq!(st.facts[0]["label"], "Package id 0");
        assert_eq!(st.facts[0]["high"], 80.0);
    }

    #[test]
    fn timed_out_and_empty() {
        assert_eq!(recognise("sos_commands/memory/free", ""), Some(Kind::Free));
        assert_eq!(
            recognise(
                "sos_commands/memory/free_-m",
                "timeout: sending signal TERM to command 'free'\n"
            ),
            Some(Kind::Free)
        );
        assert_eq!(
            recognise("sos_commands/host/uptime", ""),
            Some(Kind::Uptime)
        );
        assert_eq!(recognise("notes.txt", "hello\n"), None);
        for k in [
            Kind::Free,
            Kind::Meminfo,
            Kind::Vmstat,
            Kind::Top,
            Kind::Uptime,
            Kind::Sensors,
        ] {
            let st = run(k, "");
            assert!(
                st.facts.is_empty() && st.checks.is_empty() && !st.notes.is_empty(),
                "{k:?}"
            );
            let st = run(k, "timeout: sending signal TERM to command\n");
            assert!(st.checks.is_empty());
        }
        assert!(parse(Kind::Smartctl, "").is_none());
    }

    #[test]
    fn never_panics_on_prefixes() {
        let all = [
            TOP_SEED,
            FREE_H,
            VMSTAT_IDLE,
            SENSORS_HOT,
            SOS_FREE,
            SOS_FREE_M,
            SOS_UPTIME,
            MEMINFO_LOW,
            FREE_OLD_M,
            TOP_OLD,
            VMSTAT_SWAPPING,
            UPTIME_DE,
            SENSORS_U,
        ];
        let kinds = [
            Kind::Free,
            Kind::Meminfo,
            Kind::Vmstat,
            Kind::Top,
            Kind::Uptime,
            Kind::Sensors,
        ];
        for s in all {
            let mut cuts: Vec<usize> = (0..s.len()).step_by(3).collect();
            cuts.push(s.len());
            for cut in cuts {
                let Some(p) = s.get(..cut) else { continue };
                let _ = recognise("x", p);
                for k in kinds {
                    let _ = parse(k, p);
                }
            }
        }
    }

    // A CentOS 7 instance on EC2, from a public setup note found with the
    // code search (`uname -a` verbatim).
    const UNAME_EL7: &str = "[root@ip-172-31-7-188 centos]# uname -a
Linux ip-172-31-7-188.ap-southeast-1.compute.internal 3.10.0-862.2.3.el7.x86_64 #1 SMP Wed May 9 18:05:47 UTC 2018 x86_64 x86_64 x86_64 GNU/Linux
";

    #[test]
    fn uname_a_is_the_kernel() {
        assert_eq!(crate::recognise("notes.txt", UNAME_EL7), Some(Kind::Uname));
        let st = run(Kind::Uname, UNAME_EL7);
        let k = &st.facts[0];
        assert_eq!(k["type"], "kernel");
        assert_eq!(k["line"], 2);
        assert_eq!(k["node"], "ip-172-31-7-188.ap-southeast-1.compute.internal");
        assert_eq!(k["release"], "3.10.0-862.2.3.el7.x86_64");
        assert_eq!(k["version"], "#1 SMP Wed May 9 18:05:47 UTC 2018");
        assert_eq!(k["machine"], "x86_64");
        // sos names it; a timed-out run is still the kernel's file.
        assert_eq!(
            crate::recognise("sos_commands/kernel/uname_-a", ""),
            Some(Kind::Uname)
        );
        // A log line that mentions Linux is no uname.
        assert_eq!(
            uname_line(
                "Linux version 3.10.0-1062.1.2.el7.x86_64 (mockbuild@kbuilder.bsys.centos.org)"
            ),
            None
        );
    }

    #[test]
    fn date_in_the_formats_date_prints() {
        // `date` in the C locale (seed 004's sosreport, EDT), `date -R` from a
        // public shell transcript (+0530) and linux-next's merge log (+0000),
        // and `hwclock` (ISO, with fractions) as sos saves it.
        let c = "Tue Jul  8 03:41:07 EDT 2025\n";
        assert_eq!(
            crate::recognise("sos_commands/date/date", c),
            Some(Kind::Date)
        );
        let st = run(Kind::Date, c);
        let f = &st.facts[0];
        assert_eq!(
            (f["date"].as_str(), f["time"].as_str()),
            (Some("2025-07-08"), Some("03:41:07"))
        );
        assert_eq!(f["zone"], "EDT");
        // An abbreviation is not an offset (EDT, IST… repeat): no instant.
        assert!(f.get("iso").is_none());
        let r = "$ date -R\nMon, 31 Oct 2022 17:08:30 +0530\n";
        assert_eq!(crate::recognise("x", r), Some(Kind::Date));
        assert_eq!(
            run(Kind::Date, r).facts[0]["iso"],
            "2022-10-31T17:08:30+05:30"
        );
        let utc = "Fri, 27 Feb 2026 06:40:15 +0000";
        assert_eq!(
            run(Kind::Date, utc).facts[0]["iso"],
            "2026-02-27T06:40:15+00:00"
        );
        let hw = "2022-02-10 16:19:16.999455+00:00\n";
        assert_eq!(
            crate::recognise("sos_commands/date/hwclock", hw),
            Some(Kind::Date)
        );
        assert_eq!(
            run(Kind::Date, hw).facts[0]["iso"],
            "2022-02-10T16:19:16+00:00"
        );
        // A syslog line starts like a date but is a log.
        assert_eq!(
            date_line(
                "Oct 11 17:50:12 app-web-01 kernel: EXT4-fs (vda1): Remounting filesystem read-only"
            ),
            None
        );
        assert!(
            crate::recognise(
                "messages",
                "Oct 11 17:50:12 app-web-01 kernel: EXT4-fs (vda1): Remounting filesystem read-only\n"
            ) != Some(Kind::Date)
        );
        // Never panics on odd bytes.
        assert_eq!(date_line("2022-02-10T16:19:1é+00:00"), None);
    }

    /// Plain `free` prints KiB, `free -m` MiB, and neither says so. In KiB
    /// every figure is a whole number of 4 KiB pages; `free -m` rounds each
    /// one down on its own (forum posts, 2007 and an ESX guest).
    #[test]
    fn free_unit_from_whole_pages() {
        let kib = "             total       used       free     shared    buffers     cached
Mem:        515792     501372      14420          0      54784     240360
-/+ buffers/cache:     206228     309564
Swap:       401616          0     401616
";
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
        let mib = "             total       used       free     shared    buffers     cached
Mem:          3808       3626        181          0        175       2997
-/+ buffers/cache:        453       3355
Swap:         4204          0       4204
";
        let st = run(Kind::Free, mib);
        let m = mem_facts(&st)[0];
        assert_eq!(m["total"], 3808.0);
        assert_eq!(m["available"], 3355.0);
        assert!(st.notes.iter().any(|n| n.contains("MiB")));
    }
}
