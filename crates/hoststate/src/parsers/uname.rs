//! `uname -a`: a `kernel` fact (kernel name, node, release, version,
//! machine).

use serde_json::json;

use super::numbers::void_name_hint;
use super::system_common;
use super::{HostParser, Kind};
use crate::HostState;

/// `uname -a`.
pub(crate) struct Uname;

impl HostParser for Uname {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Uname]
    }
    fn by_content(&self, rel_path: &str, sample: &str) -> Option<Kind> {
        if content_kind(sample).is_some() {
            return Some(Kind::Uname);
        }
        let base = void_name_hint(rel_path, sample, system_common::name_may_decide)?;
        (base.starts_with("uname")).then_some(Kind::Uname)
    }
    fn parse(&self, _kind: Kind, text: &str) -> HostState {
        parse_uname(text)
    }
}

/// `uname -a`: up to three lines, every one a uname line.
pub(super) fn content_kind(sample: &str) -> Option<Kind> {
    let lines = system_common::head_lines(sample);
    let body = system_common::body_lines(&lines);
    (!body.is_empty() && body.len() <= 3 && body.iter().all(|l| uname_line(l).is_some()))
        .then_some(Kind::Uname)
}

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

#[cfg(test)]
mod tests {
    use super::*;

    // A CentOS 7 instance on EC2, from a public setup note found with the
    // code search (`uname -a` verbatim).
    const UNAME_EL7: &str = include_str!("../../tests/captures/uname/uname_-a.txt");

    /// Parsed as this parser's kind, and rendered with the shipped check
    /// book (severity, text and fix come from it).
    fn run(kind: Kind, text: &str) -> HostState {
        assert!(Uname.kinds().contains(&kind), "own kind");
        crate::parse(kind, text)
    }

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
}
