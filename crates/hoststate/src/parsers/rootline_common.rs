//! What rootline's own documents share: the opening of a JSON document
//! that recognition looks at, and the records of the sysfs/procfs snapshot
//! (`block.json`, `tasks.json`; shapes in `rootline_live::sys`).
//!
//! The snapshot JSON keeps one record per line, so records are read line
//! by line: a document cut at the host-state cap still yields every whole
//! record before the cut, and a check cites its record's line.

use serde_json::Value;

use crate::Cite;

/// The first bytes of a JSON document (up to 200, never cutting a
/// character), `None` if the sample does not open with `{`.
pub(super) fn json_head(sample: &str) -> Option<&str> {
    let t = sample.trim_start();
    if !t.starts_with('{') {
        return None;
    }
    Some(&t[..t.floor_char_boundary(200)])
}

/// One record of a snapshot document: its section, 1-based line, the
/// line's text and the parsed value.
pub(super) struct Record<'a> {
    pub(super) section: &'a str,
    pub(super) line: u64,
    pub(super) text: &'a str,
    pub(super) value: Value,
}

pub(super) fn records(text: &str) -> Vec<Record<'_>> {
    let mut out = Vec::new();
    let mut section = "";
    for (i, l) in text.lines().enumerate() {
        let t = l.trim_end();
        if let Some(rest) = t.strip_prefix('"')
            && let Some(name) = rest
                .strip_suffix("\":[")
                .or_else(|| rest.strip_suffix("\":[]"))
        {
            section = name;
            continue;
        }
        if !t.starts_with('{') || section.is_empty() {
            continue;
        }
        let body = t.strip_suffix(',').unwrap_or(t);
        if let Ok(v) = serde_json::from_str::<Value>(body) {
            out.push(Record {
                section,
                line: i as u64 + 1,
                text: t,
                value: v,
            });
        }
    }
    out
}

/// A record line as cited: long lines (a qemu command line) are cut.
pub(super) fn cite(r: &Record<'_>) -> Cite {
    let t = r.text;
    if t.len() <= 300 {
        return Cite::at(r.line, t);
    }
    let mut end = 300;
    while !t.is_char_boundary(end) {
        end -= 1;
    }
    Cite::at(r.line, &format!("{}…", &t[..end]))
}

pub(super) fn s<'v>(v: &'v Value, k: &str) -> Option<&'v str> {
    v.get(k).and_then(Value::as_str).filter(|x| !x.is_empty())
}

#[cfg(test)]
pub(super) fn ids(st: &crate::HostState) -> Vec<&str> {
    st.checks.iter().map(|c| c.id.as_str()).collect()
}

#[cfg(test)]
pub(super) fn has(c: &crate::Check, name: &str, value: &str) -> bool {
    c.fields.iter().any(|(n, v, _)| n == name && v == value)
}

#[cfg(test)]
mod tests {
    /// Any JSON file is looked at: a character across byte 200 is not cut.
    #[test]
    fn the_head_of_a_json_document_keeps_whole_characters() {
        let doc = format!("{{\"k\":\"{}é\"}}\n", "a".repeat(193));
        assert!(!doc.is_char_boundary(200));
        assert_eq!(super::json_head(&doc).map(str::len), Some(199));
        assert_eq!(crate::recognise("x/data.json", &doc), None);
    }
}
