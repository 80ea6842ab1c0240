//! `uptime` (any locale's decimal mark): an `uptime` fact (time, uptime
//! in seconds, users, load averages). Its line is also the first of `top`.

use serde_json::{Value, json};

use super::numbers::{parse_float, parse_int, void_name_hint, void_note};
use super::system_common::{self, is_prompt, prompt_host};
use super::{HostParser, Kind};
use crate::HostState;

/// `uptime`.
pub(crate) struct Uptime;

impl HostParser for Uptime {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Uptime]
    }
    fn by_content(&self, rel_path: &str, sample: &str) -> Option<Kind> {
        if content_kind(sample).is_some() {
            return Some(Kind::Uptime);
        }
        let base = void_name_hint(rel_path, sample, system_common::name_may_decide)?;
        (base.starts_with("uptime")).then_some(Kind::Uptime)
    }
    fn parse(&self, _kind: Kind, text: &str) -> HostState {
        parse_uptime(text)
    }
}

/// `uptime`: a few lines, one of them ` up ` with the load average or the users.
pub(super) fn content_kind(sample: &str) -> Option<Kind> {
    let lines = system_common::head_lines(sample);
    let body = system_common::body_lines(&lines);
    (body.len() <= 5
        && body
            .iter()
            .any(|l| l.contains(" up ") && (l.contains("load average") || l.contains("user"))))
    .then_some(Kind::Uptime)
}

/// An `uptime` line, also the first line of `top` (`top - 03:57:24 up …`).
pub(super) fn parse_uptime_line(l: &str) -> Option<Value> {
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

#[cfg(test)]
mod tests {
    use super::*;

    const SOS_UPTIME: &str = include_str!("../../tests/captures/uptime/uptime");
    const UPTIME_DE: &str = include_str!("../../tests/captures/uptime/uptime-de.txt");

    /// Parsed as this parser's kind, and rendered with the shipped check
    /// book (severity, text and fix come from it).
    fn run(kind: Kind, text: &str) -> HostState {
        assert!(Uptime.kinds().contains(&kind), "own kind");
        crate::parse(kind, text)
    }

    #[test]
    fn uptime_variants() {
        assert_eq!(
            crate::recognise("sos_commands/host/uptime", SOS_UPTIME),
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
}
