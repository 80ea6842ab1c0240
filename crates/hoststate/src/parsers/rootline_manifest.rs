//! The manifest of a bundle `rootline collect` wrote
//! (`sos_reports/manifest.json`, sos's shape plus a `rootline` section):
//! sos's `sos-command` facts and `command-timed-out` check (flagged as
//! rootline's own collection), a `collection` fact, the collector's notes,
//! and checks `collection-redacted` (secrets taken out before analysis)
//! and `collection-reduced` (collected without root).

use serde_json::{Value, json};

use super::rootline_common::json_head;
use super::{HostParser, Kind};
use crate::{Check, Cite, HostState};

/// `manifest.json` of a rootline bundle.
pub(super) struct RootlineManifest;

impl HostParser for RootlineManifest {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::LiveManifest]
    }
    fn by_content(&self, rel_path: &str, sample: &str) -> Option<Kind> {
        let head = json_head(sample)?;
        let named = rel_path.ends_with("sos_reports/manifest.json") || rel_path == "manifest.json";
        (named && head.contains("\"collector\": \"rootline\"")).then_some(Kind::LiveManifest)
    }
    fn parse(&self, _kind: Kind, text: &str) -> HostState {
        parse_manifest(text)
    }
}

fn parse_manifest(text: &str) -> HostState {
    let mut st = super::sos_manifest::parse(text);
    // sos's words are about a sosreport; this one is rootline's own.
    for c in &mut st.checks {
        c.flag("rootline", true);
    }
    let Ok(root) = serde_json::from_str::<Value>(text) else {
        return st;
    };
    let r = &root["rootline"];
    let host = r["host"].as_str().unwrap_or("?");
    st.facts.push(json!({
        "type": "collection", "line": 1, "host": host, "root": r["root"], "live": r["live"],
        "uid": r["uid"], "user": r["user"], "started": r["started"], "finished": r["finished"],
    }));
    for n in r["notes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        st.notes.push(n.to_string());
    }
    let redacted: Vec<&Value> = r["redacted"].as_array().into_iter().flatten().collect();
    if !redacted.is_empty() {
        let total: u64 = redacted.iter().filter_map(|x| x["count"].as_u64()).sum();
        let per_file: Vec<String> = redacted
            .iter()
            .map(|x| {
                let kinds: Vec<String> = x["kinds"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, n)| format!("{k} ×{}", n.as_u64().unwrap_or(0)))
                    .collect();
                format!(
                    "{} ({})",
                    x["file"].as_str().unwrap_or("?"),
                    kinds.join(", ")
                )
            })
            .collect();
        let mut c = Check::raise(crate::id::COLLECTION_REDACTED);
        c.bind("total", total);
        c.bind("files", per_file.join("; "));
        c.add_cite(&Cite::at(
            line_of(text, "\"redacted\": ["),
            &format!("redacted: {total} in {} files", redacted.len()),
        ));
        st.checks.push(c);
    }
    let uid = r["uid"].as_u64();
    if uid.is_some_and(|u| u != 0) {
        let unreadable: u64 = r["unreadable"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|u| u["count"].as_u64())
            .sum::<u64>()
            + r["skipped"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|s| {
                    s["reason"]
                        .as_str()
                        .is_some_and(|r| r.starts_with("permission denied"))
                })
                .count() as u64;
        let mut c = Check::raise(crate::id::COLLECTION_REDUCED);
        if let Some(u) = r["user"].as_str() {
            c.bind("user", u);
        }
        c.bind("uid", uid.unwrap_or(0));
        c.bind("unreadable", unreadable);
        c.add_cite(&Cite::at(
            line_of(text, "\"uid\":"),
            &format!("uid: {}", uid.unwrap_or(0)),
        ));
        st.checks.push(c);
    }
    st
}

fn line_of(text: &str, needle: &str) -> u64 {
    text.find(needle)
        .map(|i| text[..i].matches('\n').count() as u64 + 1)
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::super::rootline_common::ids;
    use super::*;

    #[test]
    fn recognised_by_content() {
        assert_eq!(
            RootlineManifest.by_content(
                "r/sos_reports/manifest.json",
                "{\n  \"collector\": \"rootline\",\n"
            ),
            Some(Kind::LiveManifest)
        );
        assert_eq!(
            RootlineManifest.by_content("r/sos_reports/manifest.json", "{\n  \"version\": \"1.0\""),
            None
        );
        assert_eq!(
            RootlineManifest.by_content("x/data.json", "{\"a\":1}"),
            None
        );
    }

    #[test]
    fn manifest_of_a_collection() {
        let text = include_str!("../../tests/captures/rootline-manifest/manifest.json");
        let st = crate::parse(Kind::LiveManifest, text);
        assert_eq!(
            ids(&st),
            vec![
                "command-timed-out",
                "collection-redacted",
                "collection-reduced"
            ]
        );
        assert!(
            st.checks[0]
                .en
                .starts_with("`multipath -ll` did not answer when rootline collected evidence"),
            "{}",
            st.checks[0].en
        );
        assert_eq!(
            st.checks[1].en,
            "3 secret(s) were redacted from the collected files before analysis: etc/nova/nova.conf (password ×1, url-password ×2)"
        );
        assert!(
            st.checks[2]
                .en
                .contains("as ops (uid 1000), not root: 42 files could not be read"),
            "{}",
            st.checks[2].en
        );
        assert_eq!(
            st.notes,
            vec!["`multipath -ll` did not answer in 10 s (killed)"]
        );
    }
}
