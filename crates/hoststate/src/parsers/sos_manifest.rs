//! The sosreport's own record, `sos_reports/manifest.json`: every command
//! sos ran with its return code and run time, as `sos-command` facts.
//! Return code 124 is sos's timeout, check `command-timed-out`: on the hosts
//! rootline is for, a `multipath -ll`, `lsblk` or `virsh list` that does not
//! answer is itself evidence of a stuck storage stack.

use rootline_model::FieldKind;
use serde_json::Value;

use super::{HostParser, Kind};
use crate::{Check, Cite, HostState};

/// sos's `manifest.json`.
pub(super) struct SosManifest;

impl HostParser for SosManifest {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::SosManifest]
    }
    fn by_content(&self, rel_path: &str, sample: &str) -> Option<Kind> {
        let named = rel_path.ends_with("sos_reports/manifest.json") || rel_path == "manifest.json";
        let looks = sample.trim_start().starts_with('{')
            && sample.contains("\"return_code\"")
            && (sample.contains("\"sos_version\"") || sample.contains("\"components\""));
        (named && sample.trim_start().starts_with('{') || looks).then_some(Kind::SosManifest)
    }
    fn parse(&self, _kind: Kind, text: &str) -> HostState {
        parse(text)
    }
}

/// Commands that block when a device or the storage stack is stuck.
const STORAGE_COMMANDS: &[&str] = &[
    "multipath",
    "multipathd",
    "dmsetup",
    "lsblk",
    "blkid",
    "blockdev",
    "df",
    "fdisk",
    "parted",
    "udevadm",
    "lvs",
    "pvs",
    "vgs",
    "lvdisplay",
    "vgdisplay",
    "pvdisplay",
    "iscsiadm",
    "nvme",
    "smartctl",
    "virsh",
    "findmnt",
    "mount",
    "losetup",
    "sg_inq",
    "lsscsi",
];

/// sos's return code for a command it killed at its timeout.
const TIMED_OUT: i64 = 124;

/// Read a manifest (sos's, or the sos part of rootline's own).
pub(super) fn parse(text: &str) -> HostState {
    let mut st = HostState::default();
    let root: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            st.notes.push(format!(
                "manifest.json is not complete JSON ({e}); nothing read"
            ));
            return st;
        }
    };
    let mut commands = Vec::new();
    collect(&root, "", &mut commands);
    for (plugin, cmd) in commands {
        let command = cmd
            .get("command")
            .or_else(|| cmd.get("exec"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let rc = cmd.get("return_code").and_then(Value::as_i64);
        let run_time = cmd.get("run_time").and_then(Value::as_f64);
        let filepath = cmd
            .get("filepath")
            .and_then(Value::as_str)
            .unwrap_or_default();
        st.facts.push(serde_json::json!({
            "type": "sos-command",
            "line": line_of(text, &command),
            "plugin": plugin,
            "command": command,
            "return_code": rc,
            "run_time": run_time,
            "filepath": filepath,
        }));
        if rc != Some(TIMED_OUT) {
            continue;
        }
        let program = command
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string();
        let storage = STORAGE_COMMANDS.contains(&program.as_str());
        let mut c = Check::raise(crate::id::COMMAND_TIMED_OUT);
        c.add_field("task", &program, FieldKind::Task);
        c.bind("command", &command);
        if let Some(t) = run_time {
            c.bind("seconds", format!("{t:.0}"));
        }
        c.flag("storage", storage);
        let secs = run_time
            .map(|t| format!(" after {t:.0} s"))
            .unwrap_or_default();
        c.add_cite(&Cite {
            line: line_of(text, &command),
            text: format!("{command}: return_code 124{secs}"),
            file: None,
        });
        st.checks.push(c);
    }
    st
}

/// Every object that looks like a command record (`return_code` plus
/// `command` or `exec`), with the plugin it sits under.
fn collect<'a>(v: &'a Value, plugin: &str, out: &mut Vec<(String, &'a Value)>) {
    match v {
        Value::Object(map) => {
            if map.contains_key("return_code")
                && (map.contains_key("command") || map.contains_key("exec"))
            {
                out.push((plugin.to_string(), v));
                return;
            }
            for (k, child) in map {
                // Plugin names are the keys under "plugins".
                let p = if plugin.is_empty() || k != "commands" {
                    k.as_str()
                } else {
                    plugin
                };
                collect(
                    child,
                    if map.contains_key("commands") {
                        plugin
                    } else {
                        p
                    },
                    out,
                );
            }
        }
        Value::Array(a) => {
            for child in a {
                collect(child, plugin, out);
            }
        }
        _ => {}
    }
}

fn line_of(text: &str, needle: &str) -> u64 {
    if needle.is_empty() {
        return 0;
    }
    let quoted = serde_json::to_string(needle).unwrap_or_default();
    text.find(&quoted)
        .map(|i| text[..i].matches('\n').count() as u64 + 1)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape sos 4.x writes (trimmed).
    const MANIFEST: &str = include_str!("../../tests/captures/sos-manifest/manifest.json");

    #[test]
    fn a_timed_out_storage_command_is_an_error() {
        let kind = SosManifest.by_content("sosreport-x/sos_reports/manifest.json", MANIFEST);
        assert_eq!(kind, Some(Kind::SosManifest));
        let st = crate::parse(Kind::SosManifest, MANIFEST);
        assert_eq!(st.facts.len(), 3);
        assert_eq!(st.checks.len(), 1);
        let c = &st.checks[0];
        assert_eq!(c.id, "command-timed-out");
        assert_eq!(c.severity, rootline_model::Severity::Error);
        assert!(c.en.contains("multipath -ll"), "{}", c.en);
        assert!(c.evidence[0].line > 1);
        assert_eq!(st.facts[0]["plugin"], "multipath");
    }

    #[test]
    fn truncated_or_foreign_json() {
        let st = parse(&MANIFEST[..400]);
        assert!(st.checks.is_empty());
        assert_eq!(st.notes.len(), 1);
        assert_eq!(SosManifest.by_content("x/data.json", "{\"a\": 1}"), None);
    }
}
