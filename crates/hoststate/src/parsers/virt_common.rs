//! Helpers the parsers of processes, images, domains, OpenStack listings,
//! file listings and configuration share (ps, qemu-img, domain XML, virsh,
//! openstack, ls -l, cinder/nova/qemu/multipath.conf): UUIDs, check fields,
//! paths, truncation, masked secrets, JSON inside a paste, the note for an
//! empty output. No facts or checks of its own.

use crate::HostState;
use rootline_model::FieldKind;
use serde_json::Value;

/// The path (`/` separators) and its last component, lower-cased: what the
/// name tests look at.
pub(crate) fn path_and_base(rel_path: &str) -> (String, String) {
    let path = rel_path.replace('\\', "/").to_ascii_lowercase();
    let base = path.rsplit('/').next().unwrap_or("").to_string();
    (path, base)
}

/// Every parser of this family says so when a file is empty.
pub(crate) fn with_empty_note(mut st: HostState, text: &str) -> HostState {
    if text.trim().is_empty() {
        st.notes.push(
            "empty output: the command printed nothing (it may have timed out or not been run)"
                .to_string(),
        );
    }
    st
}

pub(crate) fn field(name: &str, value: &str, kind: FieldKind) -> (String, String, FieldKind) {
    (name.to_string(), value.to_string(), kind)
}

pub(crate) fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// The first UUID inside `s`, lower-cased.
pub(crate) fn find_uuid(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 36 {
        return None;
    }
    for i in 0..=b.len() - 36 {
        if let Some(w) = s.get(i..i + 36)
            && is_uuid(w)
        {
            return Some(w.to_ascii_lowercase());
        }
    }
    None
}

pub(crate) fn truncate(s: &str, n: usize) -> String {
    if s.len() <= n {
        return s.to_string();
    }
    let mut end = n;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

pub(crate) fn basename(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

/// Mask values that look like secrets in configuration facts.
pub(crate) fn masked(key: &str, value: &str) -> String {
    let k = key.to_ascii_lowercase();
    if k.contains("password")
        || k.contains("secret")
        || k == "transport_url"
        || k == "connection"
        || k.contains("_key")
    {
        if value.is_empty() {
            String::new()
        } else {
            "*********".to_string()
        }
    } else {
        value.to_string()
    }
}

pub(crate) fn json_slice(text: &str) -> Option<(usize, Value)> {
    let start = text.find(['{', '['])?;
    let end = text.rfind(['}', ']'])?;
    if end < start {
        return None;
    }
    let v: Value = serde_json::from_str(&text[start..=end]).ok()?;
    let line = text[..start].matches('\n').count();
    Some((line, v))
}

pub(crate) fn line_of(lines: &[&str], needle: &str) -> Option<usize> {
    lines.iter().position(|l| l.contains(needle))
}

#[cfg(test)]
pub(crate) mod testing {
    //! What the tests of this family share: the example bundles, the
    //! healthy corpus sosreport, recognising and reading a file as the
    //! binary does.
    use crate::parsers::{Kind, recognise};
    use crate::{Check, HostState};
    use rootline_model::Severity;
    use std::path::PathBuf;

    pub(crate) fn ex(rel: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/incidents")
            .join(rel)
    }
    pub(crate) fn corpus(rel: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/corpus/sosreport-openstack-compute")
            .join(rel)
    }
    pub(crate) fn read(p: &PathBuf) -> Option<String> {
        use std::io::Read;
        let f = std::fs::File::open(p).ok()?;
        let mut b = Vec::new();
        // Test fixtures are small; cap at 16 MiB.
        #[allow(clippy::disallowed_methods)]
        f.take(16 << 20).read_to_end(&mut b).ok()?;
        Some(String::from_utf8_lossy(&b).into_owned())
    }
    pub(crate) fn run(path: &str, text: &str) -> (Kind, HostState) {
        let k = recognise(path, text).unwrap_or_else(|| panic!("not recognised: {path}"));
        // Rendered with the shipped check book, as the binary does.
        (k, crate::parse(k, text))
    }
    pub(crate) fn ids(st: &HostState) -> Vec<(&str, Severity)> {
        st.checks
            .iter()
            .map(|c| (c.id.as_str(), c.severity))
            .collect()
    }

    pub(crate) fn check<'a>(st: &'a HostState, id: &str) -> &'a Check {
        st.checks
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("no {id}: {:?}", ids(st)))
    }
    pub(crate) fn has_field(c: &Check, name: &str, value: &str) -> bool {
        c.fields.iter().any(|f| f.0 == name && f.1 == value)
    }

    /// Files of the healthy corpus sosreport: recognised, read (facts), no
    /// finding above info; `also` looks further at each. Skips what is
    /// absent.
    pub(crate) fn corpus_files_have_no_findings(files: &[&str], also: impl Fn(&str, &HostState)) {
        let mut seen = 0;
        for f in files {
            let Some(t) = read(&corpus(f)) else {
                eprintln!("SKIP: corpus file {f} absent");
                continue;
            };
            seen += 1;
            let k = recognise(f, &t).unwrap_or_else(|| panic!("{f} not recognised"));
            let st = crate::parse(k, &t);
            assert!(!st.facts.is_empty(), "{f}: no facts");
            for c in &st.checks {
                assert!(c.severity <= Severity::Info, "{f}: {} {}", c.id, c.en);
            }
            also(f, &st);
        }
        if seen == 0 {
            eprintln!("SKIP: corpus absent");
        }
    }
}
