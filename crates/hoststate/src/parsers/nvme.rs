//! `nvme smart-log` (text, or `-o json` read as smartctl's JSON), `nvme
//! error-log` and `nvme list`: per smart-log a `disk` fact and the disk
//! checks ([`super::disk_checks`]); per error-log entry with a non-zero
//! count (up to 64) an `nvme-error` fact, `benign_probe` when its status is
//! the drive refusing an unsupported command; per listed namespace an
//! `nvme-namespace` fact.

use serde_json::{Value, json};

use super::disk_checks::{self, Disk, NVME_LABELS, device_in_command, disks_state, norm_label};
use super::numbers::{parse_int, void_name_hint, void_note};
use super::smartctl_json;
use super::{HostParser, Kind};
use crate::{Cite, HostState};

/// How many error-log entries become facts (the log holds at most 64–256).
const MAX_ERROR_ENTRIES: usize = 64;

/// `nvme smart-log`, `nvme error-log`, `nvme list`.
pub(crate) struct Nvme;

impl HostParser for Nvme {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::NvmeSmartLog, Kind::NvmeErrorLog, Kind::NvmeList]
    }
    fn by_content(&self, rel_path: &str, sample: &str) -> Option<Kind> {
        if let Some(k) = content_kind(sample) {
            return Some(k);
        }
        let base = void_name_hint(rel_path, sample, disk_checks::name_may_decide)?;
        if base.starts_with("nvme") {
            if base.contains("smart-log") || base.contains("smart_log") {
                return Some(Kind::NvmeSmartLog);
            }
            if base.contains("error-log") || base.contains("error_log") {
                return Some(Kind::NvmeErrorLog);
            }
            if base.contains("list") {
                return Some(Kind::NvmeList);
            }
        }
        None
    }
    fn parse(&self, kind: Kind, text: &str) -> HostState {
        match kind {
            Kind::NvmeSmartLog => {
                let mut notes = Vec::new();
                let disks = if text.trim_start().starts_with('{') {
                    smartctl_json::parse_smartctl_json(text, &mut notes)
                } else {
                    parse_nvme_smart_log_text(text)
                };
                disks_state(disks, text, notes)
            }
            Kind::NvmeErrorLog => parse_nvme_error_log(text),
            Kind::NvmeList => parse_nvme_list(text),
            _ => HostState::default(),
        }
    }
}

/// The outputs of `nvme`, by their headers and keys (`smart-log -o json`:
/// `num_err_log_entries` and `critical_warning`).
pub(super) fn content_kind(sample: &str) -> Option<Kind> {
    if smartctl_json::json_part(sample).is_some_and(|j| {
        j.contains("\"num_err_log_entries\"") && j.contains("\"critical_warning\"")
    }) {
        return Some(Kind::NvmeSmartLog);
    }
    if sample.contains("Smart Log for NVME device")
        || (has_line_key(sample, "critical_warning") && has_line_key(sample, "media_errors"))
    {
        return Some(Kind::NvmeSmartLog);
    }
    if sample.contains("Error Log Entries for device")
        || (has_line_key(sample, "error_count") && has_line_key(sample, "status_field"))
    {
        return Some(Kind::NvmeErrorLog);
    }
    if sample.lines().take(20).any(is_nvme_list_header) {
        return Some(Kind::NvmeList);
    }
    None
}

fn has_line_key(sample: &str, key: &str) -> bool {
    sample.lines().any(|l| {
        let l = l.trim_start();
        l.strip_prefix(key)
            .is_some_and(|r| r.trim_start().starts_with(':'))
    })
}

fn is_nvme_list_header(line: &str) -> bool {
    let t: Vec<&str> = line.split_whitespace().collect();
    t.first() == Some(&"Node") && t.contains(&"SN") && t.contains(&"Model")
}

// ---------------------------------------------------------------------------
// nvme smart-log (text): `key : value` lines after a header.

fn parse_nvme_smart_log_text(text: &str) -> Vec<Disk> {
    let mut disks = Vec::new();
    let mut cur = Disk {
        protocol: Some("NVMe"),
        ..Default::default()
    };
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("Smart Log for NVME device:") {
            if !cur.vals.is_empty() {
                disks.push(std::mem::replace(
                    &mut cur,
                    Disk {
                        protocol: Some("NVMe"),
                        ..Default::default()
                    },
                ));
            }
            cur.start = i as u64 + 1;
            cur.device = rest
                .split_whitespace()
                .next()
                .map(|s| s.trim_start_matches("/dev/").to_string());
            continue;
        }
        if (t.contains("]# ") || t.contains("]$ ") || t.starts_with("# ")) && t.contains("nvme") {
            if !cur.vals.is_empty() {
                disks.push(std::mem::take(&mut cur));
                cur.protocol = Some("NVMe");
            }
            cur.start = i as u64 + 1;
            cur.device = device_in_command(t);
            continue;
        }
        let Some((label, value)) = t.split_once(':') else {
            continue;
        };
        let nl = norm_label(label);
        if let Some((_, key)) = NVME_LABELS.iter().find(|(l, _)| *l == nl)
            && let Some(v) = parse_int(value)
        {
            cur.set(key, v, Some(Cite::nth(i, line)));
        }
    }
    if !cur.vals.is_empty() {
        disks.push(cur);
    }
    disks
}

// ---------------------------------------------------------------------------
// nvme error-log.

fn parse_nvme_error_log(text: &str) -> HostState {
    let mut st = HostState::default();
    let mut device: Option<String> = None;
    let mut entry: Option<(usize, serde_json::Map<String, Value>)> = None;
    let mut entries: Vec<(usize, serde_json::Map<String, Value>)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let t = raw.trim();
        if let Some(rest) = t.strip_prefix("Error Log Entries for device:") {
            device = rest.split_whitespace().next().map(|s| s.to_string());
            continue;
        }
        if t.starts_with("Entry[") {
            if let Some(e) = entry.take() {
                entries.push(e);
            }
            entry = Some((i, serde_json::Map::new()));
            continue;
        }
        let Some((k, v)) = t.split_once(':') else {
            continue;
        };
        let k = k.trim();
        let v = v.trim();
        let e = entry.get_or_insert_with(|| (i, serde_json::Map::new()));
        match k {
            "error_count" | "sqid" | "phase_tag" | "nsid" | "lba" | "cs" => {
                e.1.insert(k.into(), json!(parse_int(v)));
                if k == "error_count" {
                    e.0 = e.0.min(i);
                }
            }
            "cmdid" | "parm_err_loc" | "vs" => {
                e.1.insert(k.into(), json!(v));
            }
            "status_field" => {
                let code = v.split('(').next().unwrap_or(v).trim();
                let name = v
                    .split_once('(')
                    .map(|x| x.1.trim_end_matches(')').to_string());
                e.1.insert("status".into(), json!(code));
                e.1.insert("status_text".into(), json!(name));
            }
            _ => {}
        }
    }
    if let Some(e) = entry.take() {
        entries.push(e);
    }
    let mut n = 0;
    for (line, mut m) in entries {
        let count = m.get("error_count").and_then(|v| v.as_i64()).unwrap_or(0);
        if count == 0 || n >= MAX_ERROR_ENTRIES {
            continue;
        }
        n += 1;
        let text_l = m
            .get("status_text")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_ascii_uppercase();
        let benign = text_l.contains("INVALID_FIELD")
            || text_l.contains("INVALID FIELD")
            || text_l.contains("INVALID_OPCODE");
        m.insert("type".into(), json!("nvme-error"));
        m.insert("line".into(), json!(line + 1));
        m.insert("device".into(), json!(device));
        m.insert("benign_probe".into(), json!(benign));
        st.facts.push(Value::Object(m));
    }
    if st.facts.is_empty() {
        st.notes.push(
            void_note(text)
                .unwrap_or_else(|| "no error-log entry with a non-zero error count".into()),
        );
    }
    st
}

// ---------------------------------------------------------------------------
// nvme list.

fn parse_nvme_list(text: &str) -> HostState {
    let mut st = HostState::default();
    let mut header: Option<String> = None;
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        if is_nvme_list_header(line) {
            // Column names are cut from it by the dash line's spans.
            header = Some(line.to_string());
            spans.clear();
            continue;
        }
        if header.is_some() && line.starts_with("---") {
            let mut start = None;
            for (p, ch) in line.char_indices() {
                match (ch, start) {
                    ('-', None) => start = Some(p),
                    (' ', Some(s)) => {
                        spans.push((s, p));
                        start = None;
                    }
                    _ => {}
                }
            }
            if let Some(s) = start {
                spans.push((s, usize::MAX));
            }
            continue;
        }
        if !line.starts_with("/dev/") {
            continue;
        }
        let hdr = header.clone().unwrap_or_default();
        let cols: Vec<String> = if !spans.is_empty() {
            spans
                .iter()
                .enumerate()
                .map(|(k, &(s, e))| {
                    // Stretch each span to the start of the next one.
                    let end = spans
                        .get(k + 1)
                        .map(|n| n.0)
                        .unwrap_or(usize::MAX)
                        .max(e.min(line.len()));
                    let s = s.min(line.len());
                    let end = end.min(line.len());
                    line.get(s..end).unwrap_or("").trim().to_string()
                })
                .collect()
        } else {
            line.split("  ")
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        };
        let names: Vec<String> = {
            let mut v = Vec::new();
            if !spans.is_empty() {
                for (k, &(s, _)) in spans.iter().enumerate() {
                    let end = spans
                        .get(k + 1)
                        .map(|n| n.0)
                        .unwrap_or(hdr.len())
                        .min(hdr.len());
                    v.push(
                        hdr.get(s.min(hdr.len())..end)
                            .unwrap_or("")
                            .trim()
                            .to_string(),
                    );
                }
            }
            v
        };
        let get = |n: &str, idx: usize| -> Option<String> {
            names
                .iter()
                .position(|x| x == n)
                .and_then(|p| cols.get(p))
                .or_else(|| {
                    if names.is_empty() {
                        cols.get(idx)
                    } else {
                        None
                    }
                })
                .cloned()
                .filter(|s| !s.is_empty())
        };
        let has_generic = names.iter().any(|n| n == "Generic");
        let off = usize::from(has_generic);
        st.facts.push(json!({
            "type": "nvme-namespace",
            "line": i + 1,
            "device": cols.first().map(|s| s.trim_start_matches("/dev/").to_string()),
            "generic": if has_generic { get("Generic", 1) } else { None },
            "serial": get("SN", 1 + off),
            "model": get("Model", 2 + off),
            "namespace": get("Namespace", 3 + off).or_else(|| get("Namespace Usage", 3 + off)),
            "usage": get("Usage", 4 + off),
            "format": get("Format", 5 + off),
            "firmware": get("FW Rev", 6 + off),
        }));
    }
    if st.facts.is_empty() {
        st.notes
            .push(void_note(text).unwrap_or_else(|| "no NVMe namespace listed".into()));
    }
    st
}

#[cfg(test)]
mod tests {
    use super::*;

    const NVME_SMART_LOG: &str =
        include_str!("../../tests/captures/nvme-smart-log/nvme_smart-log_.dev.nvme0");

    /// `nvme smart-log` and `nvme error-log` of one desktop, from a NixOS
    /// user's published diagnostic report (nvme-cli 2.x prints °C and the
    /// shifted status code 0x2002).
    const NVME_SMART_LOG_NIXOS: &str =
        include_str!("../../tests/captures/nvme-smart-log/nvme-smart-log.txt");
    const NVME_ERROR_LOG: &str =
        include_str!("../../tests/captures/nvme-error-log/nvme_error-log_.dev.nvme0");
    const NVME_ERROR_LOG_NIXOS: &str =
        include_str!("../../tests/captures/nvme-error-log/nvme-error-log.txt");

    /// The error log of a drive whose counter grows with nothing logged, from
    /// the linux-nvme mailing list (2020).
    const NVME_ERROR_LOG_EMPTY: &str =
        include_str!("../../tests/captures/nvme-error-log/nvme-error-log-empty.txt");
    const NVME_LIST: &str = include_str!("../../tests/captures/nvme-list/nvme_list");

    /// Parsed as this parser's kind, and rendered with the shipped check
    /// book (severity, text and fix come from it).
    fn run(kind: Kind, text: &str) -> HostState {
        assert!(Nvme.kinds().contains(&kind), "own kind");
        crate::parse(kind, text)
    }
    fn ids(st: &HostState) -> Vec<&str> {
        st.checks.iter().map(|c| c.id.as_str()).collect()
    }

    #[test]
    fn nvme_smart_log_text_locale() {
        assert_eq!(
            crate::recognise("nvme_smart-log", NVME_SMART_LOG),
            Some(Kind::NvmeSmartLog)
        );
        let st = run(Kind::NvmeSmartLog, NVME_SMART_LOG);
        let f = &st.facts[0];
        assert_eq!(f["device"], "nvme0");
        assert_eq!(f["error_log_entries"], 2787);
        assert_eq!(f["power_cycles"], 4721);
        assert_eq!(f["temperature"], 83);
        // No verdict in smart-log: no "while passed"; thermal and unsafe yes.
        let ids = ids(&st);
        assert!(
            ids.contains(&"disk-thermal") && ids.contains(&"unsafe-shutdowns"),
            "{ids:?}"
        );
    }

    #[test]
    fn nvme_error_log_and_list() {
        assert_eq!(
            crate::recognise("nvme_error-log", NVME_ERROR_LOG),
            Some(Kind::NvmeErrorLog)
        );
        let st = run(Kind::NvmeErrorLog, NVME_ERROR_LOG);
        assert_eq!(st.facts.len(), 1);
        assert_eq!(st.facts[0]["error_count"], 2787);
        assert_eq!(st.facts[0]["status"], "0x4004");
        assert_eq!(st.facts[0]["benign_probe"], true);
        assert_eq!(st.facts[0]["device"], "nvme0");

        assert_eq!(
            crate::recognise("nvme_list", NVME_LIST),
            Some(Kind::NvmeList)
        );
        let st = run(Kind::NvmeList, NVME_LIST);
        let f = &st.facts[0];
        assert_eq!(f["device"], "nvme0n1");
        assert_eq!(f["serial"], "S50HNF0MC03089");
        assert_eq!(f["model"], "SAMSUNG MZVLB512HBJQ-000L7");
        assert_eq!(f["firmware"], "EXF71K2Q");
    }

    #[test]
    fn real_nvme_logs_of_one_drive() {
        assert_eq!(
            crate::recognise("nvme-smart-log.txt", NVME_SMART_LOG_NIXOS),
            Some(Kind::NvmeSmartLog)
        );
        let st = run(Kind::NvmeSmartLog, NVME_SMART_LOG_NIXOS);
        let f = &st.facts[0];
        assert_eq!(f["temperature"], 34);
        assert_eq!(f["unsafe_shutdowns"], 2214);
        assert_eq!(f["power_cycles"], 5163);
        assert_eq!(f["error_log_entries"], 12137);
        // Without a verdict there is no "errors while passed"; the error
        // log without media errors is reported apart, and so are 2214
        // unsafe shutdowns of 5163 power cycles (both information).
        assert_eq!(ids(&st), ["nvme-error-log-entries", "unsafe-shutdowns"]);

        let st = run(Kind::NvmeErrorLog, NVME_ERROR_LOG_NIXOS);
        assert_eq!(st.facts[0]["error_count"], 12137);
        assert_eq!(st.facts[0]["status"], "0x2002");
        // Invalid Field: a tool probing an optional feature, not the media.
        assert_eq!(st.facts[0]["benign_probe"], true);

        let st = run(Kind::NvmeErrorLog, NVME_ERROR_LOG_EMPTY);
        assert!(st.facts.is_empty());
        assert!(
            st.notes.iter().any(|n| n.contains("non-zero")),
            "{:?}",
            st.notes
        );
    }
}
