//! `smartctl -j` (any protocol; several objects one after the other, a
//! shell prompt before them, or JSON cut short) and `nvme smart-log -o
//! json`, which the nvme parser reads with it: a `disk` fact per object and
//! the disk checks ([`super::disk_checks`]).

use serde_json::Value;

use super::disk_checks::{self, Attr, Disk, disks_state, finish_ata};
use super::numbers::{parse_int, void_name_hint};
use super::{HostParser, Kind};
use crate::{Cite, HostState};

/// `smartctl -j`.
pub(crate) struct SmartctlJson;

impl HostParser for SmartctlJson {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::SmartctlJson]
    }
    fn by_content(&self, rel_path: &str, sample: &str) -> Option<Kind> {
        if let Some(k) = content_kind(sample) {
            return Some(k);
        }
        let base = void_name_hint(rel_path, sample, disk_checks::name_may_decide)?;
        (base.starts_with("smartctl") && (base.contains("_-j") || base.contains("json")))
            .then_some(Kind::SmartctlJson)
    }
    fn parse(&self, _kind: Kind, text: &str) -> HostState {
        let mut notes = Vec::new();
        let disks = parse_smartctl_json(text, &mut notes);
        disks_state(disks, text, notes)
    }
}

/// smartctl's JSON, by its `smartctl` or `json_format_version` key.
pub(super) fn content_kind(sample: &str) -> Option<Kind> {
    json_part(sample)
        .filter(|j| j.contains("\"smartctl\"") || j.contains("\"json_format_version\""))
        .map(|_| Kind::SmartctlJson)
}

/// The JSON in a sample, from its first `{`: when the sample opens with it,
/// or only shell prompts come before it (`[root@h ~]# smartctl -j -a
/// /dev/nvme0`).
pub(super) fn json_part(sample: &str) -> Option<&str> {
    let trimmed = sample.trim_start();
    let json_start = sample.find('{').map(|i| &sample[i..]).unwrap_or("");
    let looks_json = trimmed.starts_with('{')
        || (json_start.len() > 2
            && first_lines_are_prompts(sample, sample.len() - json_start.len()));
    looks_json.then_some(json_start)
}

/// Everything before byte `upto` is shell prompts / commands / blank lines.
fn first_lines_are_prompts(sample: &str, upto: usize) -> bool {
    sample[..upto].lines().all(|l| {
        let l = l.trim();
        l.is_empty()
            || l.contains("]# ")
            || l.contains("]$ ")
            || l.starts_with("# ")
            || l.starts_with("$ ")
    })
}

// ---------------------------------------------------------------------------
// smartctl -j (and nvme smart-log -o json).

fn jint(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => parse_int(s),
        _ => None,
    }
}

/// The 1-based line of the first `"key"` at or after byte `from`.
fn json_cite(text: &str, key: &str, from: usize) -> Option<Cite> {
    let needle = format!("\"{key}\"");
    let at = text.get(from..)?.find(&needle)? + from;
    let line_no = text[..at].matches('\n').count();
    let line = text[at..].lines().next().unwrap_or("");
    let start = text[..at].rfind('\n').map(|p| p + 1).unwrap_or(0);
    let full = format!("{}{}", &text[start..at], line);
    Some(Cite::nth(line_no, &full))
}

fn disk_from_json(v: &Value, text: &str, base: usize) -> Disk {
    let mut d = Disk {
        start: text[..base].matches('\n').count() as u64 + 1,
        ..Default::default()
    };
    let s = |p: &str| v.pointer(p).and_then(|x| x.as_str()).map(|x| x.to_string());
    // A device smartctl could not open has no `device` object; its command
    // line still names it.
    d.device = s("/device/name")
        .or_else(|| {
            v.pointer("/smartctl/argv")
                .and_then(|a| a.as_array())
                .and_then(|a| {
                    a.iter()
                        .rev()
                        .find_map(|x| x.as_str().filter(|x| x.starts_with("/dev/")))
                })
                .map(str::to_string)
        })
        .map(|n| n.trim_start_matches("/dev/").to_string());
    d.model = s("/model_name")
        .or_else(|| s("/scsi_model_name"))
        .or_else(|| s("/product"));
    d.family = s("/model_family");
    d.vendor = s("/vendor").or_else(|| s("/scsi_vendor"));
    d.serial = s("/serial_number");
    d.firmware = s("/firmware_version").or_else(|| s("/revision"));
    d.protocol = match s("/device/protocol").as_deref() {
        Some("NVMe") => Some("NVMe"),
        Some("ATA") => Some("ATA"),
        Some("SCSI") => Some("SCSI"),
        _ => None,
    };
    if let Some(p) = v.pointer("/smart_status/passed").and_then(|x| x.as_bool()) {
        d.passed = Some(p);
        d.health_cite = json_cite(text, "passed", base);
    }
    if v.pointer("/smart_support/available")
        .and_then(|x| x.as_bool())
        == Some(false)
    {
        d.smart_unavailable = json_cite(text, "smart_support", base);
        d.notes.push("SMART is not supported by this device".into());
    }
    if let Some(msgs) = v.pointer("/smartctl/messages").and_then(|m| m.as_array()) {
        for m in msgs {
            if let Some(s) = m.get("string").and_then(|x| x.as_str()) {
                d.notes.push(format!("smartctl: {s}"));
            }
        }
    }
    let nvme_log = v.get("nvme_smart_health_information_log").unwrap_or(v);
    let sec = text[base..]
        .find("\"nvme_smart_health_information_log\"")
        .map(|p| p + base)
        .unwrap_or(base);
    let keys: &[(&str, &'static str)] = &[
        ("critical_warning", "critical_warning"),
        ("temperature", "temperature"),
        ("available_spare", "available_spare"),
        ("avail_spare", "available_spare"),
        ("available_spare_threshold", "available_spare_threshold"),
        ("spare_thresh", "available_spare_threshold"),
        ("percentage_used", "percentage_used"),
        ("percent_used", "percentage_used"),
        ("power_cycles", "power_cycles"),
        ("power_on_hours", "power_on_hours"),
        ("unsafe_shutdowns", "unsafe_shutdowns"),
        ("media_errors", "media_errors"),
        ("num_err_log_entries", "error_log_entries"),
        ("warning_temp_time", "warning_temp_time"),
        ("critical_comp_time", "critical_temp_time"),
        ("thm_temp1_trans_count", "thermal_t1_transitions"),
        ("thm_temp2_trans_count", "thermal_t2_transitions"),
    ];
    let is_nvme = v.get("nvme_smart_health_information_log").is_some()
        || v.get("num_err_log_entries").is_some();
    if is_nvme {
        d.protocol.get_or_insert("NVMe");
        for (k, key) in keys {
            if let Some(mut n) = nvme_log.get(*k).and_then(jint) {
                // nvme-cli's JSON gives the temperature in kelvin.
                if *key == "temperature" && n > 200 {
                    n -= 273;
                }
                d.set(key, n, json_cite(text, k, sec));
            }
        }
    }
    if let Some(n) = v.pointer("/temperature/current").and_then(jint) {
        d.set("temperature", n, json_cite(text, "current", base));
    }
    if let Some(n) = v
        .pointer("/nvme_smart_health_information_log/temperature_sensors/0")
        .and_then(jint)
    {
        d.set("temperature_sensor_1", n, None);
    }
    if let Some(n) = v
        .pointer("/nvme_warning_temperature")
        .and_then(jint)
        .or_else(|| v.pointer("/temperature/op_limit_max").and_then(jint))
    {
        d.set("warning_temp_threshold", n, None);
    }
    if let Some(n) = v
        .pointer("/ata_smart_error_log/summary/count")
        .and_then(jint)
    {
        d.set(
            "ata_error_count",
            n,
            json_cite(text, "ata_smart_error_log", base),
        );
    }
    if let Some(n) = v.pointer("/scsi_grown_defect_list").and_then(jint) {
        d.set(
            "grown_defects",
            n,
            json_cite(text, "scsi_grown_defect_list", base),
        );
    }
    if let Some(table) = v
        .pointer("/ata_smart_attributes/table")
        .and_then(|t| t.as_array())
    {
        d.protocol.get_or_insert("ATA");
        let tsec = text[base..]
            .find("\"ata_smart_attributes\"")
            .map(|p| p + base)
            .unwrap_or(base);
        for row in table {
            let name = row
                .get("name")
                .and_then(|x| x.as_str())
                .unwrap_or("")
                .to_string();
            let cite = if name.is_empty() {
                None
            } else {
                let needle = format!("\"{name}\"");
                text[tsec..].find(&needle).map(|p| {
                    let at = p + tsec;
                    let ln = text[..at].matches('\n').count();
                    let start = text[..at].rfind('\n').map(|q| q + 1).unwrap_or(0);
                    Cite::nth(ln, text[start..].lines().next().unwrap_or(""))
                })
            };
            d.attrs.push(Attr {
                id: row.get("id").and_then(jint).unwrap_or(0),
                value: row.get("value").and_then(jint),
                worst: row.get("worst").and_then(jint),
                thresh: row.get("thresh").and_then(jint),
                when_failed: row
                    .get("when_failed")
                    .and_then(|x| x.as_str())
                    .unwrap_or("")
                    .to_string(),
                raw: row.pointer("/raw/value").and_then(jint),
                raw_string: row
                    .pointer("/raw/string")
                    .and_then(|x| x.as_str())
                    .unwrap_or("")
                    .to_string(),
                name,
                cite,
            });
        }
        finish_ata(&mut d);
    }
    d
}

/// Truncated or broken JSON: pick the known keys out of the text.
fn disk_from_broken_json(text: &str) -> Disk {
    let mut d = Disk::default();
    let val_after = |key: &str, from: usize| -> Option<(String, usize)> {
        let needle = format!("\"{key}\"");
        let at = text.get(from..)?.find(&needle)? + from;
        let rest = text[at + needle.len()..]
            .trim_start()
            .strip_prefix(':')?
            .trim_start();
        let v: String = if let Some(r) = rest.strip_prefix('"') {
            r.chars().take_while(|c| *c != '"').collect()
        } else {
            rest.chars()
                .take_while(|c| !matches!(c, ',' | '}' | '\n' | ']'))
                .collect()
        };
        Some((v.trim().to_string(), at))
    };
    let line_of = |at: usize| {
        let ln = text[..at].matches('\n').count();
        let start = text[..at].rfind('\n').map(|q| q + 1).unwrap_or(0);
        Cite::nth(ln, text[start..].lines().next().unwrap_or(""))
    };
    d.device = val_after("name", 0).map(|(v, _)| v.trim_start_matches("/dev/").to_string());
    d.model = val_after("model_name", 0).map(|v| v.0);
    d.family = val_after("model_family", 0).map(|v| v.0);
    d.serial = val_after("serial_number", 0).map(|v| v.0);
    d.firmware = val_after("firmware_version", 0).map(|v| v.0);
    if let Some((v, at)) = val_after("passed", 0) {
        d.passed = match v.as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        };
        d.health_cite = Some(line_of(at));
    }
    if let Some(sec) = text.find("\"nvme_smart_health_information_log\"") {
        d.protocol = Some("NVMe");
        for (k, key) in [
            ("critical_warning", "critical_warning"),
            ("temperature", "temperature"),
            ("percentage_used", "percentage_used"),
            ("power_cycles", "power_cycles"),
            ("unsafe_shutdowns", "unsafe_shutdowns"),
            ("media_errors", "media_errors"),
            ("num_err_log_entries", "error_log_entries"),
            ("warning_temp_time", "warning_temp_time"),
            ("critical_comp_time", "critical_temp_time"),
        ] {
            if let Some((v, at)) = val_after(k, sec)
                && let Some(n) = parse_int(&v)
            {
                d.set(key, n, Some(line_of(at)));
            }
        }
    }
    if let Some(sec) = text.find("\"ata_smart_attributes\"") {
        d.protocol = Some("ATA");
        for name in [
            "Reallocated_Sector_Ct",
            "Current_Pending_Sector",
            "Offline_Uncorrectable",
            "UDMA_CRC_Error_Count",
            "Temperature_Celsius",
            "Power_Cycle_Count",
        ] {
            let needle = format!("\"{name}\"");
            if let Some(p) = text[sec..].find(&needle) {
                let at = sec + p;
                // The raw value is the first "value" after "raw".
                if let Some(r) = text[at..].find("\"raw\"")
                    && let Some((v, _)) = val_after("value", at + r)
                {
                    d.attrs.push(Attr {
                        name: name.to_string(),
                        raw: parse_int(&v),
                        cite: Some(line_of(at)),
                        ..Default::default()
                    });
                }
            }
        }
        finish_ata(&mut d);
    }
    d
}

pub(super) fn parse_smartctl_json(text: &str, notes: &mut Vec<String>) -> Vec<Disk> {
    let Some(first) = text.find('{') else {
        return Vec::new();
    };
    let mut disks = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(&text[first..]).into_iter::<Value>();
    let mut last_end = first;
    loop {
        let pos = first + stream.byte_offset();
        match stream.next() {
            Some(Ok(v)) => {
                let base = pos + text[pos..].find('{').unwrap_or(0);
                disks.push(disk_from_json(&v, text, base.min(text.len())));
                last_end = first + stream.byte_offset();
            }
            Some(Err(e)) => {
                notes.push(format!(
                    "JSON could not be read completely ({e}); read what was there"
                ));
                let rest = &text[last_end..];
                let mut d = disk_from_broken_json(rest);
                let shift = text[..last_end].matches('\n').count() as u64;
                d.start = shift + 1;
                for (_, c) in d.vals.values_mut() {
                    if let Some(c) = c {
                        c.line += shift;
                    }
                }
                if let Some(c) = &mut d.health_cite {
                    c.line += shift;
                }
                for a in &mut d.attrs {
                    if let Some(c) = &mut a.cite {
                        c.line += shift;
                    }
                }
                if !d.is_empty() {
                    disks.push(d);
                }
                break;
            }
            None => break,
        }
    }
    disks
}

#[cfg(test)]
mod tests {
    use super::*;

    const NVME_JSON: &str =
        include_str!("../../tests/captures/smartctl-json/smartctl_--all_.dev.nvme0n1_-j");
    const ATA_JSON: &str =
        include_str!("../../tests/captures/smartctl-json/smartctl_--all_.dev.sda_-j");

    /// `smartctl -A --json /dev/nvme0n1` run as a normal user, smartctl 7.5
    /// on Fedora, verbatim from a published Rust project's tests.
    const JSON_REFUSED: &str = include_str!("../../tests/captures/smartctl-json/smartctl.json");

    /// Parsed as this parser's kind, and rendered with the shipped check
    /// book (severity, text and fix come from it).
    fn run(kind: Kind, text: &str) -> HostState {
        assert!(SmartctlJson.kinds().contains(&kind), "own kind");
        crate::parse(kind, text)
    }
    fn ids(st: &HostState) -> Vec<&str> {
        st.checks.iter().map(|c| c.id.as_str()).collect()
    }

    #[test]
    fn smartctl_json_nvme_and_ata() {
        assert_eq!(
            crate::recognise(
                "sos_commands/nvme/smartctl_--all_.dev.nvme0n1_-j",
                NVME_JSON
            ),
            Some(Kind::SmartctlJson)
        );
        let st = run(Kind::SmartctlJson, NVME_JSON);
        let f = &st.facts[0];
        assert_eq!(f["device"], "nvme0");
        assert_eq!(f["error_log_entries"], 2787);
        // No media errors: the error log alone is a warning of its own.
        let c = st
            .checks
            .iter()
            .find(|c| c.id == "nvme-error-log-entries")
            .unwrap();
        assert!(
            c.evidence
                .iter()
                .any(|e| e.text.contains("\"num_err_log_entries\": 2787"))
        );
        assert!(ids(&st).contains(&"unsafe-shutdowns"));

        let st = run(Kind::SmartctlJson, ATA_JSON);
        let f = &st.facts[0];
        assert_eq!(f["device"], "sda");
        assert_eq!(f["pending"], 12);
        assert_eq!(f["smr"], true);
        let ids = ids(&st);
        assert!(ids.contains(&"smart-errors-while-passed") && ids.contains(&"smr-disk"));
        let c = st
            .checks
            .iter()
            .find(|c| c.id == "smart-errors-while-passed")
            .unwrap();
        assert!(
            c.evidence
                .iter()
                .any(|e| e.text.contains("Current_Pending_Sector"))
        );
    }

    #[test]
    fn smartctl_json_truncated_and_prompted() {
        let cut = &NVME_JSON[..NVME_JSON.find("\"warning_temp_time\"").unwrap()];
        let st = run(Kind::SmartctlJson, cut);
        assert!(st.notes.iter().any(|n| n.contains("JSON")));
        assert_eq!(st.facts[0]["error_log_entries"], 2787);
        assert!(ids(&st).contains(&"nvme-error-log-entries"));
        let c = st
            .checks
            .iter()
            .find(|c| c.id == "nvme-error-log-entries")
            .unwrap();
        let line = c
            .evidence
            .iter()
            .find(|e| e.text.contains("num_err_log_entries"))
            .unwrap()
            .line as usize;
        assert!(
            cut.lines()
                .nth(line - 1)
                .unwrap()
                .contains("num_err_log_entries")
        );

        let prompted = format!("[root@h ~]# smartctl -j -a /dev/nvme0\n{NVME_JSON}");
        assert_eq!(
            crate::recognise("x.txt", &prompted),
            Some(Kind::SmartctlJson)
        );
        let st = run(Kind::SmartctlJson, &prompted);
        let c = st
            .checks
            .iter()
            .find(|c| c.id == "nvme-error-log-entries")
            .unwrap();
        let e = c
            .evidence
            .iter()
            .find(|e| e.text.contains("num_err_log_entries"))
            .unwrap();
        assert_eq!(prompted.lines().nth(e.line as usize - 1).unwrap(), e.text);
    }

    #[test]
    fn real_json_of_a_device_that_could_not_be_opened() {
        assert_eq!(
            crate::recognise("smartctl.json", JSON_REFUSED),
            Some(Kind::SmartctlJson)
        );
        let st = run(Kind::SmartctlJson, JSON_REFUSED);
        assert!(st.checks.is_empty());
        assert_eq!(st.facts[0]["device"], "nvme0n1");
        assert!(
            st.notes.iter().any(|n| n.contains("Permission denied")),
            "{:?}",
            st.notes
        );
    }
}
