//! Disks and their health: smartctl (ATA/SATA, SCSI and NVMe, text and -j), nvme smart-log / error-log / list.
//!
//! Kinds owned here: Smartctl, SmartctlJson, NvmeSmartLog, NvmeErrorLog, NvmeList.
//!
//! A file may hold several outputs one after the other (an operator pasting
//! `smartctl -a` for every disk); each disk becomes its own fact. Numbers are
//! read with any thousands separator the locale put in (`2,787`, `2.787`,
//! `512 110 190 592`). The device name comes from the command line when the
//! file shows it (`# smartctl -a /dev/sda`), from `device.name` in JSON, or
//! from the `nvme` header; a bare sosreport file has none (the caller knows
//! it from the file name).

use std::collections::BTreeMap;

use rootline_model::FieldKind;
use serde_json::{Value, json};

use crate::parsers::Kind;
use crate::{Check, Cite, HostState};

// ---------------------------------------------------------------------------
// Thresholds.

/// Unsafe shutdowns are counted for life; a handful is normal (power cuts,
/// hard resets). Above this count *and* above [`UNSAFE_SHUTDOWN_RATIO`] of the
/// power cycles the drive is regularly losing power without a flush, which
/// risks metadata corruption and firmware recovery stalls.
const UNSAFE_SHUTDOWNS_MIN: i64 = 10;
/// Share of power cycles that were unsafe (1 %) above which it is a pattern.
const UNSAFE_SHUTDOWN_RATIO: f64 = 0.01;
/// Degrees below the drive's own warning threshold (NVMe WCTEMP) from which
/// the temperature counts as "near" it: throttling starts around there.
const THERMAL_MARGIN_C: i64 = 5;
/// Without a threshold from the drive (ATA/SATA, SCSI): 60 °C is the usual
/// maximum operating temperature of hard disks and SATA SSDs; 55 °C is near it.
const DISK_TEMP_WARN_C: i64 = 55;
/// NVMe thermal-management transitions (T1 = light throttling, T2 = heavy).
/// A few are normal under bursts; this many mean the drive throttles often,
/// which shows as I/O latency spikes in the guests.
const THERMAL_TRANSITIONS_MANY: i64 = 50;
/// How many error-log entries become facts (the log holds at most 64–256).
const MAX_ERROR_ENTRIES: usize = 64;

/// Model prefixes of drive-managed SMR disks that smartctl's database does
/// not always label `(SMR)` (vendor disclosures of 2020: WD Red EFAX, WD Blue
/// SPZX/EZAZ, Seagate Barracuda DM00x/LM0xx, Toshiba DT02/MQ04/P300). Not
/// exhaustive: the model family string wins when it says SMR.
const SMR_MODEL_PREFIXES: &[&str] = &[
    "WD20EFAX",
    "WD30EFAX",
    "WD40EFAX",
    "WD60EFAX",
    "WD10SPZX",
    "WD20SPZX",
    "WD20EZAZ",
    "WD60EZAZ",
    "ST2000DM008",
    "ST3000DM007",
    "ST4000DM004",
    "ST6000DM003",
    "ST8000DM004",
    "ST1000LM048",
    "ST2000LM015",
    "ST3000LM024",
    "ST4000LM024",
    "ST5000LM000",
    "DT02ABA",
    "MQ04ABF100",
    "MQ04ABD200",
    "HDWD240",
    "HDWD260",
];

// ---------------------------------------------------------------------------
// Recognition.

pub(crate) fn recognise(rel_path: &str, sample: &str) -> Option<Kind> {
    let trimmed = sample.trim_start();
    let json_start = sample.find('{').map(|i| &sample[i..]).unwrap_or("");
    let looks_json = trimmed.starts_with('{')
        || (json_start.len() > 2
            && first_lines_are_prompts(sample, sample.len() - json_start.len()));
    if looks_json
        && (json_start.contains("\"smartctl\"") || json_start.contains("\"json_format_version\""))
    {
        return Some(Kind::SmartctlJson);
    }
    if looks_json
        && json_start.contains("\"num_err_log_entries\"")
        && json_start.contains("\"critical_warning\"")
    {
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
    const SMARTCTL_MARKS: &[&str] = &[
        "www.smartmontools.org",
        "=== START OF INFORMATION SECTION ===",
        "=== START OF SMART DATA SECTION ===",
        "=== START OF READ SMART DATA SECTION ===",
        "SMART overall-health self-assessment",
        "SMART/Health Information (NVMe Log",
        "Vendor Specific SMART Attributes",
        "SMART support is:",
        "SMART Health Status:",
        // smartctl 5.x's banner and its answer for a device without SMART
        // (a RAID volume): the output has no section header then.
        "smartmontools.sourceforge.net",
        "Device does not support SMART",
    ];
    if SMARTCTL_MARKS.iter().any(|m| sample.contains(m)) {
        return Some(Kind::Smartctl);
    }
    // The name is only a hint: used when the content says nothing (a
    // sosreport command that timed out, an empty file, an error message).
    if content_is_void(sample) {
        let base = rel_path
            .rsplit('/')
            .next()
            .unwrap_or(rel_path)
            .to_ascii_lowercase();
        if base.starts_with("smartctl") {
            if base.contains("_-j") || base.contains("json") {
                return Some(Kind::SmartctlJson);
            }
            return Some(Kind::Smartctl);
        }
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
    }
    None
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

/// Empty, or only a timeout / error message: what a sosreport leaves when the
/// command did not produce output (or failed, [`crate::parsers::command_failure`]).
pub(crate) fn content_is_void(sample: &str) -> bool {
    let t = sample.trim();
    if t.is_empty() || crate::parsers::command_failure(t).is_some() {
        return true;
    }
    let lines = t.lines().count();
    let l = t.to_ascii_lowercase();
    lines <= 3
        && (l.starts_with("timeout")
            || l.contains("timed out")
            || l.contains("command not found")
            || l.contains("no such file")
            || l.contains("not supported")
            || l.contains("permission denied"))
}

/// A note for a file whose command produced nothing usable.
pub(crate) fn void_note(text: &str) -> Option<String> {
    let t = text.trim();
    if t.is_empty() {
        return Some("empty output (the command produced nothing or timed out)".into());
    }
    if content_is_void(text) {
        let first = t.lines().next().unwrap_or("").trim();
        return Some(format!("no data: {first}"));
    }
    None
}

// ---------------------------------------------------------------------------
// Numbers.

/// An integer with optional thousands separators (`2,787`, `2.787`,
/// `512 110 190 592`, `1'234`, NBSP, thin space, U+FFFD), read from the start of `s` and ending
/// at the first character that is not part of it (`51 Celsius` → 51,
/// `4%` → 4, `38 (Min/Max 10/58)` → 38). Also `0x..` hexadecimal.
pub(crate) fn parse_int(s: &str) -> Option<i64> {
    let s = s.trim_start();
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        let hex: String = h.chars().take_while(|c| c.is_ascii_hexdigit()).collect();
        return i64::from_str_radix(&hex, 16).ok();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut digits = String::new();
    while i < chars.len() && chars[i].is_ascii_digit() {
        digits.push(chars[i]);
        i += 1;
    }
    if digits.is_empty() {
        return None;
    }
    // Groups of exactly three digits after a separator.
    if digits.len() <= 3 {
        while i < chars.len() {
            let sep = chars[i];
            // U+FFFD: a separator of another code page that did not
            // survive the trip to UTF-8 (`10�779`, smartctl on Windows).
            if !matches!(
                sep,
                ',' | '.' | ' ' | '\'' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '_' | '\u{fffd}'
            ) {
                break;
            }
            let group: String = chars[i + 1..].iter().take(3).collect();
            if group.len() != 3 || !group.chars().all(|c| c.is_ascii_digit()) {
                break;
            }
            // The group must end there (no fourth digit).
            if chars.get(i + 4).is_some_and(|c| c.is_ascii_digit()) {
                break;
            }
            digits.push_str(&group);
            i += 4;
        }
    }
    let v: i64 = digits.parse().ok()?;
    Some(if neg { -v } else { v })
}

/// A decimal number, `.` or `,` as the decimal mark (`15654.8`, `3,58`).
pub(crate) fn parse_float(s: &str) -> Option<f64> {
    let s = s.trim().trim_end_matches(',').trim_end_matches(';');
    let t: String = s
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '+'))
        .collect();
    if t.is_empty() {
        return None;
    }
    let t = if t.contains('.') {
        t.replace(',', "")
    } else {
        t.replace(',', ".")
    };
    t.parse().ok()
}

// ---------------------------------------------------------------------------
// Checks: small builders shared with `system`.

/// The device from a command line (`[root@h ~]# smartctl -a /dev/sda` → `sda`).
fn device_in_command(line: &str) -> Option<String> {
    line.split_whitespace()
        .rev()
        .find_map(|t| t.strip_prefix("/dev/"))
        .map(|d| d.trim_end_matches([',', ';', ':']).to_string())
        .filter(|d| !d.is_empty())
}

// ---------------------------------------------------------------------------
// The disk model, filled from any of the formats.

#[derive(Default, Debug)]
struct Attr {
    id: i64,
    name: String,
    value: Option<i64>,
    worst: Option<i64>,
    thresh: Option<i64>,
    when_failed: String,
    raw: Option<i64>,
    raw_string: String,
    cite: Option<Cite>,
}

#[derive(Default, Debug)]
struct Disk {
    start: u64,
    device: Option<String>,
    model: Option<String>,
    family: Option<String>,
    vendor: Option<String>,
    serial: Option<String>,
    firmware: Option<String>,
    protocol: Option<&'static str>,
    /// Some(true) PASSED / OK, Some(false) FAILED.
    passed: Option<bool>,
    health_cite: Option<Cite>,
    smart_unavailable: Option<Cite>,
    /// Numeric values by key (temperature, media_errors…), with their line.
    vals: BTreeMap<&'static str, (i64, Option<Cite>)>,
    attrs: Vec<Attr>,
    error_entry: Option<Cite>,
    /// Status fields of the error-log entries shown (`0x4004`).
    error_statuses: Vec<u16>,
    notes: Vec<String>,
    seen_info: bool,
    seen_data: bool,
}

impl Disk {
    fn is_empty(&self) -> bool {
        self.model.is_none()
            && self.serial.is_none()
            && self.passed.is_none()
            && self.vals.is_empty()
            && self.attrs.is_empty()
            && self.smart_unavailable.is_none()
    }
    fn set(&mut self, key: &'static str, v: i64, cite: Option<Cite>) {
        self.vals.entry(key).or_insert((v, cite));
    }
    fn get(&self, key: &str) -> Option<i64> {
        self.vals.get(key).map(|v| v.0)
    }
    fn cite_of(&self, key: &str) -> Option<&Cite> {
        self.vals.get(key).and_then(|v| v.1.as_ref())
    }
    fn attr(&self, names: &[&str]) -> Option<&Attr> {
        self.attrs
            .iter()
            .find(|a| names.iter().any(|n| a.name.eq_ignore_ascii_case(n)))
    }
    fn smr(&self) -> bool {
        let fam = self.family.as_deref().unwrap_or("");
        if fam.contains("SMR") {
            return true;
        }
        let model = self.model.as_deref().unwrap_or("").to_ascii_uppercase();
        let model = model.strip_prefix("WDC ").unwrap_or(&model);
        let model = model.strip_prefix("TOSHIBA ").unwrap_or(model);
        SMR_MODEL_PREFIXES.iter().any(|p| model.starts_with(p))
    }
    fn label(&self) -> String {
        match (&self.device, &self.model) {
            (Some(d), Some(m)) => format!("{d} ({m})"),
            (Some(d), None) => d.clone(),
            (None, Some(m)) => m.clone(),
            (None, None) => self.serial.clone().unwrap_or_else(|| "disk".into()),
        }
    }
}

/// NVMe health-log labels (smartctl text and `nvme smart-log` text), lower
/// case with single spaces, to keys.
const NVME_LABELS: &[(&str, &str)] = &[
    ("critical warning", "critical_warning"),
    ("critical_warning", "critical_warning"),
    ("temperature", "temperature"),
    ("available spare", "available_spare"),
    ("available_spare", "available_spare"),
    ("available spare threshold", "available_spare_threshold"),
    ("available_spare_threshold", "available_spare_threshold"),
    ("percentage used", "percentage_used"),
    ("percentage_used", "percentage_used"),
    ("power cycles", "power_cycles"),
    ("power_cycles", "power_cycles"),
    ("power on hours", "power_on_hours"),
    ("power_on_hours", "power_on_hours"),
    ("unsafe shutdowns", "unsafe_shutdowns"),
    ("unsafe_shutdowns", "unsafe_shutdowns"),
    ("media and data integrity errors", "media_errors"),
    ("media_errors", "media_errors"),
    ("error information log entries", "error_log_entries"),
    ("num_err_log_entries", "error_log_entries"),
    ("warning comp. temperature time", "warning_temp_time"),
    ("warning temperature time", "warning_temp_time"),
    ("critical comp. temperature time", "critical_temp_time"),
    ("critical composite temperature time", "critical_temp_time"),
    ("thermal temp. 1 transition count", "thermal_t1_transitions"),
    ("thermal temp. 2 transition count", "thermal_t2_transitions"),
    (
        "thermal management t1 trans count",
        "thermal_t1_transitions",
    ),
    (
        "thermal management t2 trans count",
        "thermal_t2_transitions",
    ),
    ("thermal temp. 1 total time", "thermal_t1_time"),
    ("thermal temp. 2 total time", "thermal_t2_time"),
    ("thermal management t1 total time", "thermal_t1_time"),
    ("thermal management t2 total time", "thermal_t2_time"),
    ("warning comp. temp. threshold", "warning_temp_threshold"),
    ("critical comp. temp. threshold", "critical_temp_threshold"),
    ("ata error count", "ata_error_count"),
    ("elements in grown defect list", "grown_defects"),
    ("current drive temperature", "temperature"),
    ("drive trip temperature", "warning_temp_threshold"),
    ("percentage used endurance indicator", "percentage_used"),
];

fn norm_label(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase()
}

// ---------------------------------------------------------------------------
// smartctl text.

fn parse_smartctl_text(text: &str) -> Vec<Disk> {
    let mut disks: Vec<Disk> = Vec::new();
    let mut cur = Disk::default();
    let mut in_attrs = false;
    let mut in_nvme_errors = false;
    let flush = |cur: &mut Disk, disks: &mut Vec<Disk>| {
        let d = std::mem::take(cur);
        if !d.is_empty() || !d.notes.is_empty() {
            disks.push(d);
        }
    };
    for (i, raw) in console_lines(text) {
        let line = raw.as_str();
        let t = line.trim();
        let c = || Some(Cite::nth(i, line));
        // A command line starts a new disk.
        let is_prompt =
            t.contains("]# ") || t.contains("]$ ") || t.starts_with("# ") || t.starts_with("$ ");
        if is_prompt {
            if t.contains("smartctl") {
                if !cur.is_empty() {
                    flush(&mut cur, &mut disks);
                }
                cur.start = i as u64 + 1;
                cur.device = device_in_command(t);
            } else if !cur.is_empty() {
                // Another command: the output ended.
                flush(&mut cur, &mut disks);
            }
            in_attrs = false;
            continue;
        }
        if t.starts_with("smartctl ") && t.contains('[') {
            // The banner: a new output unless the current one is still empty.
            if !cur.is_empty() {
                let dev = None;
                flush(&mut cur, &mut disks);
                cur.device = dev;
            }
            if cur.start == 0 {
                cur.start = i as u64 + 1;
            }
            in_attrs = false;
            continue;
        }
        if t.starts_with("=== START OF INFORMATION SECTION") {
            if cur.seen_info || cur.seen_data {
                flush(&mut cur, &mut disks);
            }
            if cur.start == 0 {
                cur.start = i as u64 + 1;
            }
            cur.seen_info = true;
            in_attrs = false;
            continue;
        }
        if t.starts_with("=== START OF") {
            cur.seen_data = true;
            if cur.start == 0 {
                cur.start = i as u64 + 1;
            }
            in_attrs = false;
            continue;
        }
        if let Some(rest) = t.strip_prefix("Smartctl open device:") {
            if cur.device.is_none() {
                cur.device = device_in_command(rest.split(" failed").next().unwrap_or(rest));
            }
            cur.notes
                .push(format!("smartctl could not open the device: {t}"));
            cur.smart_unavailable = c();
            continue;
        }
        if t == "Device does not support SMART" {
            // smartctl 5.x on a device without SMART (a RAID volume, a
            // virtual disk): no verdict to read.
            cur.smart_unavailable = c();
            cur.notes
                .push(format!("SMART is not supported by this device: {t}"));
            continue;
        }
        if t.starts_with("ID#") && t.contains("ATTRIBUTE_NAME") {
            in_attrs = true;
            cur.protocol.get_or_insert("ATA");
            continue;
        }
        if in_attrs {
            if let Some(a) = parse_attr_row(t) {
                let mut a = a;
                a.cite = c();
                cur.attrs.push(a);
                continue;
            }
            in_attrs = false;
        } else if let Some(mut a) = parse_full_attr_row(t) {
            // Rows pasted without their header (a forum post quoting the
            // lines that matter): only the full `-a` layout is taken, whose
            // shape — flag, type, updated — no other line has.
            a.cite = c();
            cur.protocol.get_or_insert("ATA");
            cur.attrs.push(a);
            continue;
        }
        if t.starts_with("Error Information (NVMe Log") {
            in_nvme_errors = true;
            continue;
        }
        if in_nvme_errors {
            let toks: Vec<&str> = t.split_whitespace().collect();
            if toks.len() >= 5 && toks[0].parse::<u32>().is_ok() && toks[1].parse::<u64>().is_ok() {
                if cur.error_entry.is_none() {
                    cur.error_entry = c();
                }
                if let Some(st) = toks
                    .get(4)
                    .and_then(|x| x.strip_prefix("0x"))
                    .and_then(|x| u16::from_str_radix(x, 16).ok())
                {
                    cur.error_statuses.push(st);
                }
                continue;
            }
            if toks.first().is_some_and(|x| *x == "Num") || t.starts_with("...") {
                continue;
            }
            in_nvme_errors = false;
        }
        let Some((label, value)) = t.split_once(':') else {
            continue;
        };
        let value = value.trim();
        let nl = norm_label(label);
        match nl.as_str() {
            "model family" => cur.family = Some(value.to_string()),
            "device model" | "model number" | "product" => cur.model = Some(value.to_string()),
            "vendor" => cur.vendor = Some(value.to_string()),
            "serial number" => cur.serial = Some(value.to_string()),
            "firmware version" | "revision" => cur.firmware = Some(value.to_string()),
            "nvme version" => cur.protocol = Some("NVMe"),
            "ata version is" | "sata version is" => cur.protocol = Some("ATA"),
            "transport protocol" => cur.protocol = Some("SCSI"),
            "smart overall-health self-assessment test result" => {
                let v = value.to_ascii_uppercase();
                cur.passed = Some(!v.starts_with("FAIL"));
                cur.health_cite = c();
            }
            "smart health status" => {
                cur.passed = Some(value.eq_ignore_ascii_case("OK"));
                cur.health_cite = c();
                cur.protocol.get_or_insert("SCSI");
            }
            "smart support is" => {
                let v = value.to_ascii_lowercase();
                if v.starts_with("unavailable") || v.contains("lacks smart") {
                    cur.smart_unavailable = c();
                    cur.notes
                        .push(format!("SMART is not supported by this device: {t}"));
                } else if v.starts_with("disabled") {
                    cur.smart_unavailable = c();
                    cur.notes
                        .push("SMART is disabled on this device (smartctl -s on /dev/X)".into());
                }
            }
            _ => {
                if let Some((_, key)) = NVME_LABELS.iter().find(|(l, _)| *l == nl)
                    && let Some(v) = parse_int(value)
                {
                    if *key == "temperature" || *key == "critical_warning" {
                        cur.protocol.get_or_insert("NVMe");
                    }
                    cur.set(key, v, c());
                } else if nl.starts_with("temperature sensor")
                    && let Some(v) = parse_int(value)
                {
                    let key = match nl.trim_start_matches("temperature sensor").trim() {
                        "1" => "temperature_sensor_1",
                        "2" => "temperature_sensor_2",
                        _ => "temperature_sensor_n",
                    };
                    cur.set(key, v, c());
                }
            }
        }
    }
    flush(&mut cur, &mut disks);
    for d in &mut disks {
        finish_ata(d);
        if d.protocol.is_none() && d.model.is_some() && d.vals.contains_key("error_log_entries") {
            d.protocol = Some("NVMe");
        }
    }
    disks
}

/// Width of the console an output may have been pasted from.
const CONSOLE_WIDTH: usize = 80;

/// The lines of `text` (without `\r`), each with the index of its first
/// line, and joined again where a console wrapped them: smartctl for
/// Windows in an 80-column console breaks every longer line at column 80,
/// mid-word (`… Always   FAILI` / `NG_NOW 4015`), and a line of exactly 80
/// leaves an empty line after it. Wrapped means: no line is wider than 80
/// and at least three are exactly 80 (an output not wrapped has wider
/// lines: the attribute table's header alone is 87).
fn console_lines(text: &str) -> Vec<(usize, String)> {
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let width = |l: &str| l.chars().count();
    let wrapped = lines.iter().all(|l| width(l) <= CONSOLE_WIDTH)
        && lines.iter().filter(|l| width(l) == CONSOLE_WIDTH).count() >= 3;
    if !wrapped {
        return lines
            .iter()
            .enumerate()
            .map(|(i, l)| (i, l.to_string()))
            .collect();
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let start = i;
        let mut joined = lines[i].to_string();
        while width(lines[i]) == CONSOLE_WIDTH && i + 1 < lines.len() {
            i += 1;
            if lines[i].is_empty() {
                // The line was exactly 80: the console's own line break.
                break;
            }
            joined.push_str(lines[i]);
        }
        out.push((start, joined));
        i += 1;
    }
    out
}

/// An `-a` attribute row outside its table: `5 Reallocated_Sector_Ct
/// 0x0033 094 094 036 Pre-fail Always - 8256`.
fn parse_full_attr_row(t: &str) -> Option<Attr> {
    let toks: Vec<&str> = t.split_whitespace().collect();
    let shaped = toks.len() >= 10
        && toks[2].starts_with("0x")
        && matches!(toks[6], "Pre-fail" | "Old_age")
        && matches!(toks[7], "Always" | "Offline");
    if shaped { parse_attr_row(t) } else { None }
}

/// One row of the ATA attribute table, `-a` (`0x0033 200 200 140 Pre-fail
/// Always - 0`) or `-x` (`PO--CK 200 200 140 - 0`) layout.
fn parse_attr_row(t: &str) -> Option<Attr> {
    let toks: Vec<&str> = t.split_whitespace().collect();
    if toks.len() < 4 {
        return None;
    }
    let id: i64 = toks[0].parse().ok()?;
    if !(1..=255).contains(&id) || !toks[1].chars().any(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut a = Attr {
        id,
        name: toks[1].to_string(),
        ..Default::default()
    };
    let long = toks[2].starts_with("0x");
    a.value = toks.get(3).and_then(|s| parse_int(s));
    a.worst = toks.get(4).and_then(|s| parse_int(s));
    a.thresh = toks.get(5).and_then(|s| parse_int(s));
    let (wf, raw_at) = if long { (8, 9) } else { (6, 7) };
    a.when_failed = toks.get(wf).map(|s| s.to_string()).unwrap_or_default();
    if a.when_failed == "-" {
        a.when_failed.clear();
    }
    if toks.len() > raw_at {
        a.raw_string = toks[raw_at..].join(" ");
        a.raw = parse_int(toks[raw_at]);
    }
    Some(a)
}

fn finish_ata(d: &mut Disk) {
    let map: &[(&[&str], &'static str)] = &[
        (&["Reallocated_Sector_Ct"], "reallocated"),
        (
            &["Current_Pending_Sector", "Total_Pending_Sectors"],
            "pending",
        ),
        (
            &["Offline_Uncorrectable", "Total_Offl_Uncorrectabl"],
            "offline_uncorrectable",
        ),
        (&["UDMA_CRC_Error_Count", "CRC_Error_Count"], "crc_errors"),
        (&["Reported_Uncorrect"], "reported_uncorrect"),
        (&["Power_Cycle_Count"], "power_cycles"),
        (&["Power_On_Hours"], "power_on_hours"),
        (
            &[
                "Temperature_Celsius",
                "Airflow_Temperature_Cel",
                "Temperature_Internal",
            ],
            "temperature",
        ),
    ];
    let mut found = Vec::new();
    for (names, key) in map {
        // The names in order of preference, not of the table: smartctl
        // takes the drive temperature from 194 before 190 (Airflow), which
        // comes first in the table.
        if let Some(a) = names.iter().find_map(|n| d.attr(&[n]))
            && let Some(raw) = a.raw
        {
            found.push((*key, raw, a.cite.clone()));
        }
    }
    for (k, v, c) in found {
        d.set(k, v, c);
    }
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

fn parse_smartctl_json(text: &str, notes: &mut Vec<String>) -> Vec<Disk> {
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
// Facts and checks for a disk.

fn disk_fact(d: &Disk) -> Value {
    let mut f = json!({
        "type": "disk",
        "line": d.start.max(1),
        "device": d.device,
        "model": d.model,
        "model_family": d.family,
        "vendor": d.vendor,
        "serial": d.serial,
        "firmware": d.firmware,
        "protocol": d.protocol,
        "smr": d.smr(),
        "health": match d.passed { Some(true) => "passed", Some(false) => "failed", None => "unknown" },
        "smart_supported": d.smart_unavailable.is_none(),
    });
    if let Some(obj) = f.as_object_mut() {
        for (k, (v, _)) in &d.vals {
            obj.insert((*k).to_string(), json!(v));
        }
        if !d.attrs.is_empty() {
            let attrs: Vec<Value> = d
                .attrs
                .iter()
                .map(|a| {
                    json!({
                        "id": a.id, "name": a.name, "value": a.value, "worst": a.worst,
                        "thresh": a.thresh, "when_failed": a.when_failed, "raw": a.raw,
                        "raw_string": a.raw_string,
                    })
                })
                .collect();
            obj.insert("attributes".into(), Value::Array(attrs));
        }
    }
    f
}

/// What every disk check binds: the drive's typed fields; `disk`, what the
/// output calls it (`sda (MODEL)`, the model, the serial); `controller`,
/// the NVMe controller of an `nvme…` device (`nvme0` of `nvme0n1`), which
/// `nvme error-log` reads; `nvme`, set on an NVMe drive.
fn disk_fields(c: &mut Check, d: &Disk) {
    if let Some(dev) = &d.device {
        c.add_field("device", dev, FieldKind::Device);
        if let Some(ctrl) = nvme_controller(dev) {
            c.bind("controller", ctrl);
        }
    }
    if let Some(m) = &d.model {
        c.add_field("model", m, FieldKind::Text);
    }
    if let Some(s) = &d.serial {
        c.add_field("serial", s, FieldKind::Text);
    }
    c.bind("disk", d.label());
    c.flag("nvme", d.protocol == Some("NVMe"));
}

/// `nvme0n1` → `nvme0` (the controller, for `nvme error-log`); `None` for a
/// device that is no NVMe one. Also used for a device only the file name
/// gives (`crate::parse_file`).
pub(crate) fn nvme_controller(dev: &str) -> Option<String> {
    let rest = dev.strip_prefix("nvme")?;
    let ctrl = match rest.find('n') {
        Some(p) => &dev[..4 + p],
        None => dev,
    };
    Some(ctrl.to_string())
}

/// Whether an NVMe status field (as smartctl prints it, phase bit
/// included) is a refusal of an unsupported command: generic Invalid
/// Command Opcode (0x01) or Invalid Field in Command (0x02), or
/// command-specific Invalid Log Page (0x09). The DNR and More bits are
/// ignored.
fn nvme_status_is_probe_answer(status: u16) -> bool {
    let sf = status >> 1;
    let sc = sf & 0xff;
    let sct = (sf >> 8) & 0x7;
    matches!((sct, sc), (0, 0x01) | (0, 0x02) | (1, 0x09))
}

/// The counters `smart-errors-while-passed` names, in the order its text
/// lists them (the words are in `catalog/checks/disks.toml`).
const ERROR_COUNTERS: &[&str] = &[
    "error_log_entries",
    "media_errors",
    "reallocated",
    "pending",
    "offline_uncorrectable",
    "grown_defects",
];

fn disk_checks(d: &Disk, out: &mut Vec<Check>) {
    let nvme = d.protocol == Some("NVMe");
    let cw = d.get("critical_warning").unwrap_or(0);
    // Bit 1 (0x02) is temperature: reported under disk-thermal instead.
    // Bit 2 (0x04, reliability degraded) alone on a drive whose rated
    // endurance is used up (Percentage Used ≥ 100), with its spare above the
    // threshold and no media errors, is wear-out the vendor flags, not a
    // failing drive: plan its replacement (reported as nvme-endurance-used-up).
    let worn_out = cw & !0x02 == 0x04
        && d.get("percentage_used").is_some_and(|p| p >= 100)
        && d.get("media_errors").unwrap_or(0) == 0
        && match (d.get("available_spare"), d.get("available_spare_threshold")) {
            (Some(a), Some(t)) => a > t,
            _ => false,
        };
    let cw_fail = cw & !0x02 != 0 && !worn_out;
    if worn_out {
        let mut c = Check::raise(crate::id::NVME_ENDURANCE_USED_UP);
        disk_fields(&mut c, d);
        c.bind("percentage_used", d.get("percentage_used").unwrap_or(100));
        for k in ["critical_warning", "percentage_used", "available_spare"] {
            if let Some(x) = d.cite_of(k) {
                c.add_cite(x);
            }
        }
        out.push(c);
    }

    // smart-failed
    if d.passed == Some(false) || cw_fail {
        let mut c = Check::raise(crate::id::SMART_FAILED);
        disk_fields(&mut c, d);
        if let Some(h) = &d.health_cite {
            c.add_cite(h);
        }
        if cw != 0
            && let Some(h) = d.cite_of("critical_warning")
        {
            c.add_cite(h);
        }
        for a in d.attrs.iter().filter(|a| !a.when_failed.is_empty()) {
            if let Some(ac) = &a.cite {
                c.add_cite(ac);
            }
        }
        out.push(c);
    }

    // An NVMe error log is not a failure by itself: most entries are the
    // drive's answers to commands it does not support (Invalid Field in
    // Command, Invalid Opcode, Invalid Log Page — sent by smartctl, nvme-cli,
    // udev probes). It counts as failure evidence only with media errors or
    // with an entry of another status; else it is reported apart.
    let probe_answers_only = nvme
        && d.get("media_errors").unwrap_or(0) == 0
        && d.error_statuses
            .iter()
            .all(|&st| nvme_status_is_probe_answer(st));
    if probe_answers_only && let Some(n) = d.get("error_log_entries").filter(|&n| n > 0) {
        // Information (in the check book): a growing error log alone is
        // not a failure; it never opens an incident but may join one other
        // evidence opened.
        let mut c = Check::raise(crate::id::NVME_ERROR_LOG_ENTRIES);
        disk_fields(&mut c, d);
        c.add_field("error_log_entries", n, FieldKind::Int);
        c.flag("shown", !d.error_statuses.is_empty());
        if let Some(x) = d.cite_of("error_log_entries") {
            c.add_cite(x);
        }
        if let Some(e) = &d.error_entry {
            c.add_cite(e);
        }
        out.push(c);
    }

    // smart-errors-while-passed
    if d.passed == Some(true) {
        let bad: Vec<&str> = ERROR_COUNTERS
            .iter()
            .copied()
            .filter(|k| d.get(k).unwrap_or(0) > 0)
            .filter(|k| !(probe_answers_only && *k == "error_log_entries"))
            .collect();
        if !bad.is_empty() {
            let mut c = Check::raise(crate::id::SMART_ERRORS_WHILE_PASSED);
            disk_fields(&mut c, d);
            if let Some(h) = &d.health_cite {
                c.add_cite(h);
            }
            // Each counter the drive logged, bound under its own name.
            for k in &bad {
                if let Some(ec) = d.cite_of(k) {
                    c.add_cite(ec);
                }
                c.add_field(k, d.get(k).unwrap_or(0), FieldKind::Int);
            }
            if let Some(e) = &d.error_entry {
                c.add_cite(e);
            }
            out.push(c);
        }
    }

    // unsafe-shutdowns
    if let Some(u) = d.get("unsafe_shutdowns") {
        let cycles = d.get("power_cycles");
        let ratio_ok = match cycles {
            Some(pc) if pc > 0 => (u as f64) > (pc as f64) * UNSAFE_SHUTDOWN_RATIO,
            _ => true,
        };
        if u > UNSAFE_SHUTDOWNS_MIN && ratio_ok {
            // Information (in the check book): power lost without a flush
            // is ordinary on laptops and desktops, and no failure of the
            // drive; it explains corrupt images or a stressed drive when
            // other evidence points there.
            let mut c = Check::raise(crate::id::UNSAFE_SHUTDOWNS);
            disk_fields(&mut c, d);
            c.add_field("unsafe_shutdowns", u, FieldKind::Int);
            if let Some(pc) = cycles {
                c.bind("power_cycles", pc);
            }
            if let Some(x) = d.cite_of("unsafe_shutdowns") {
                c.add_cite(x);
            }
            if let Some(x) = d.cite_of("power_cycles") {
                c.add_cite(x);
            }
            out.push(c);
        }
    }

    // disk-thermal: each reason the drive runs hot is bound on its own
    // (`threshold`, `warning_minutes`, `critical_minutes`, `transitions`,
    // `temperature_warning`); the text lists those bound.
    let temp = d.get("temperature");
    let warn_thr = d
        .get("warning_temp_threshold")
        .filter(|t| *t > 0 && *t < 150);
    let mut reasons: Vec<(&str, String)> = Vec::new();
    let mut cites: Vec<Cite> = Vec::new();
    if let Some(t) = temp {
        let near = match warn_thr {
            Some(w) => t >= w - THERMAL_MARGIN_C,
            None => (DISK_TEMP_WARN_C..150).contains(&t),
        };
        if near {
            let thr = warn_thr.unwrap_or(DISK_TEMP_WARN_C);
            reasons.push(("threshold", thr.to_string()));
            cites.extend(d.cite_of("temperature").cloned());
            cites.extend(d.cite_of("warning_temp_threshold").cloned());
        }
    }
    for (k, name) in [
        ("warning_temp_time", "warning_minutes"),
        ("critical_temp_time", "critical_minutes"),
    ] {
        if let Some(v) = d.get(k).filter(|v| *v > 0) {
            reasons.push((name, v.to_string()));
            cites.extend(d.cite_of(k).cloned());
        }
    }
    let trans =
        d.get("thermal_t1_transitions").unwrap_or(0) + d.get("thermal_t2_transitions").unwrap_or(0);
    if trans >= THERMAL_TRANSITIONS_MANY {
        reasons.push(("transitions", trans.to_string()));
        cites.extend(d.cite_of("thermal_t1_transitions").cloned());
        cites.extend(d.cite_of("thermal_t2_transitions").cloned());
    }
    if cw & 0x02 != 0 {
        reasons.push(("temperature_warning", "yes".into()));
        cites.extend(d.cite_of("critical_warning").cloned());
    }
    if !reasons.is_empty() {
        let mut c = Check::raise(crate::id::DISK_THERMAL);
        disk_fields(&mut c, d);
        if let Some(t) = temp {
            c.add_field("temperature", t, FieldKind::Int);
        }
        for (name, v) in &reasons {
            c.bind(name, v);
        }
        for x in &cites {
            c.add_cite(x);
        }
        out.push(c);
    }

    // smr-disk
    if d.smr() {
        let mut c = Check::raise(crate::id::SMR_DISK);
        disk_fields(&mut c, d);
        if let Some(f) = &d.family {
            c.add_field("model_family", f, FieldKind::Text);
        }
        out.push(c);
    }
}

/// Cites the Model Family / Device Model lines of SMR checks (text output).
fn cite_identity_lines(text: &str, checks: &mut [Check]) {
    for c in checks
        .iter_mut()
        .filter(|c| c.id == crate::id::SMR_DISK.as_str() && c.evidence.is_empty())
    {
        let model = c
            .fields
            .iter()
            .find(|f| f.0 == "model")
            .map(|f| f.1.clone());
        let family = c
            .fields
            .iter()
            .find(|f| f.0 == "model_family")
            .map(|f| f.1.clone());
        for (i, l) in text.lines().enumerate() {
            let hit = family.as_deref().is_some_and(|f| l.contains(f))
                || model.as_deref().is_some_and(|m| l.contains(m));
            if hit {
                c.evidence.push(Cite::nth(i, l));
            }
            if c.evidence.len() >= 2 {
                break;
            }
        }
    }
}

fn disks_state(disks: Vec<Disk>, text: &str, mut notes: Vec<String>) -> HostState {
    let mut st = HostState::default();
    for d in &disks {
        st.facts.push(disk_fact(d));
        disk_checks(d, &mut st.checks);
        for n in &d.notes {
            let who = d.label();
            notes.push(format!("{who}: {n}"));
        }
    }
    cite_identity_lines(text, &mut st.checks);
    if disks.is_empty() && notes.is_empty() {
        notes.push(
            void_note(text).unwrap_or_else(|| "no disk could be read from this output".into()),
        );
    }
    st.notes = notes;
    st
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

// ---------------------------------------------------------------------------
// Dispatch.

pub(crate) fn parse(kind: Kind, text: &str) -> Option<HostState> {
    match kind {
        Kind::Smartctl => {
            let disks = parse_smartctl_text(text);
            Some(disks_state(disks, text, Vec::new()))
        }
        Kind::SmartctlJson => {
            let mut notes = Vec::new();
            let disks = parse_smartctl_json(text, &mut notes);
            Some(disks_state(disks, text, notes))
        }
        Kind::NvmeSmartLog => {
            let mut notes = Vec::new();
            let disks = if text.trim_start().starts_with('{') {
                parse_smartctl_json(text, &mut notes)
            } else {
                parse_nvme_smart_log_text(text)
            };
            Some(disks_state(disks, text, notes))
        }
        Kind::NvmeErrorLog => Some(parse_nvme_error_log(text)),
        Kind::NvmeList => Some(parse_nvme_list(text)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn nvme_probe_answers_are_told_from_media_errors() {
        // Invalid Field in Command (with DNR), Invalid Command Opcode,
        // Invalid Log Page: the drive refusing what it does not support.
        assert!(nvme_status_is_probe_answer(0x4004));
        assert!(nvme_status_is_probe_answer(0x0004));
        assert!(nvme_status_is_probe_answer(0x2002));
        assert!(nvme_status_is_probe_answer(0x0212));
        // Unrecovered Read Error (media, SCT 2 SC 0x81) is not.
        assert!(!nvme_status_is_probe_answer(0x0502));
        assert!(!nvme_status_is_probe_answer(0x4502));
    }
    use super::*;
    use rootline_model::Severity;

    const NVME_SEED: &str = r#"smartctl 7.2 2020-12-30 r5155 [x86_64-linux-5.14.0-503.26.1.el9_5.x86_64] (local build)
Copyright (C) 2002-20, Bruce Allen, Christian Franke, www.smartmontools.org
=== START OF INFORMATION SECTION ===
Model Number: SAMSUNG MZVLB512HBJQ-000
Serial Number: S50HNF0MC03089
Firmware Version: EXF71K2Q
PCI Vendor/Subsystem ID: 0x144d
IEEE OUI Identifier: 0x002538
Total NVM Capacity: 512,110,190,592 [512 GB]
Unallocated NVM Capacity: 0
Controller ID: 4
NVMe Version: 1.3
Number of Namespaces: 1
Namespace 1 Size/Capacity: 512,110,190,592 [512 GB]
Namespace 1 Utilization: 322,146,443,264 [322 GB]
Namespace 1 Formatted LBA Size: 512
Local Time is: Mon Jul 7 11:48:23 2025 EDT
Firmware Updates (0x16): 3 Slots, no Reset required
Optional Admin Commands (0x0017): Security Format Frmw_DL Self_Test
Optional NVM Commands (0x005f): Comp Wr_Unc DS_Mngmt Wr_Zero Sav/Sel_Feat Timestmp
Log Page Attributes (0x03): S/H_per_NS Cmd_Eff_Lg
Maximum Data Transfer Size: 512 Pages
Warning Comp. Temp. Threshold: 84 Celsius
Critical Comp. Temp. Threshold: 85 Celsius
Supported Power States
St Op Max Active Idle RL RT WL WT Ent_Lat Ex_Lat
0 + 8.00W - - 0 0 0 0 0 0
1 + 6.30W - - 1 1 1 1 0 0
2 + 3.50W - - 2 2 2 2 0 0
3 - 0.0760W - - 3 3 3 3 210 1200
4 - 0.0050W - - 4 4 4 4 2000 8000
Supported LBA Sizes (NSID 0x1)
Id Fmt Data Metadt Rel_Perf
0 + 512 0 0
=== START OF SMART DATA SECTION ===
SMART overall-health self-assessment test result: PASSED
SMART/Health Information (NVMe Log 0x02)
Critical Warning: 0x00
Temperature: 51 Celsius
Available Spare: 100%
Available Spare Threshold: 10%
Percentage Used: 4%
Data Units Read: 87,654,825 [44.8 TB]
Data Units Written: 60,504,814 [30.9 TB]
Host Read Commands: 1,452,109,776
Host Write Commands: 1,038,125,773
Controller Busy Time: 4,125
Power Cycles: 4,721
Power On Hours: 5,410
Unsafe Shutdowns: 83
Media and Data Integrity Errors: 0
Error Information Log Entries: 2,787
Warning Comp. Temperature Time: 0
Critical Comp. Temperature Time: 0
Temperature Sensor 1: 51 Celsius
Temperature Sensor 2: 53 Celsius
Thermal Temp. 1 Transition Count: 99
Thermal Temp. 2 Transition Count: 1
Thermal Temp. 1 Total Time: 8726
Thermal Temp. 2 Total Time: 192
Error Information (NVMe Log 0x01, 16 of 64 entries)
Num ErrCount SQId CmdId Status PELoc LBA NSID VS
0 2787 0 0x0010 0x4004 - 0 0 -
"#;
    const ATA_SMR: &str = r#"smartctl 7.2 2020-12-30 r5155 [x86_64-linux-5.14.0-503.26.1.el9_5.x86_64] (local build)
Copyright (C) 2002-20, Bruce Allen, Christian Franke, www.smartmontools.org
=== START OF INFORMATION SECTION ===
Model Family: Western Digital Blue Mobile (SMR)
Device Model: WDC WD10SPZX-24Z10
Serial Number: WD-WXG1A89D0N10
LU WWN Device Id: 5 0014ee 266f4f70c
Firmware Version: 05.01A05
User Capacity: 1,000,204,886,016 bytes [1.00 TB]
Sector Sizes: 512 bytes logical, 4096 bytes physical
Rotation Rate: 5400 rpm
Form Factor: 2.5 inches
TRIM Command: Available, deterministic
Device is: In smartctl database [for details use: -P show]
ATA Version is: ACS-3 T13/2161-D revision 5
SATA Version is: SATA 3.1, 6.0 Gb/s (current: 6.0 Gb/s)
Local Time is: Tue Jul 8 03:28:51 2025 EDT
SMART support is: Available - device has SMART capability.
SMART support is: Enabled
=== START OF READ SMART DATA SECTION ===
SMART overall-health self-assessment test result: PASSED
General SMART Values:
Offline data collection status: (0x00) Offline data collection activity
was never started.
Auto Offline Data Collection: Disabled.
Self-test execution status: ( 0) The previous self-test routine completed
without error or no self-test has ever
been run.
Total time to complete Offline
data collection: ( 60) seconds.
Offline data collection
capabilities: (0x71) SMART execute Offline immediate.
No Auto Offline data collection support.
Suspend Offline collection upon new
command.
No Offline surface scan supported.
Self-test supported.
Conveyance Self-test supported.
Selective Self-test supported.
SMART capabilities: (0x0003) Saves SMART data before entering
power-saving mode.
Supports SMART auto save timer.
Error logging capability: (0x01) Error logging supported.
General Purpose Logging supported.
Short self-test routine
recommended polling time: ( 2) minutes.
Extended self-test routine
recommended polling time: ( 8) minutes.
Conveyance self-test routine
recommended polling time: ( 3) minutes.
SCT capabilities: (0x303d) SCT Status supported.
SCT Error Recovery Control supported.
SCT Feature Control supported.
SCT Data Table supported.
SMART Attributes Data Structure revision number: 16
Vendor Specific SMART Attributes with Thresholds:
ID# ATTRIBUTE_NAME FLAG VALUE WORST THRESH TYPE UPDATED WHEN_FAILED RAW_VALUE
1 Raw_Read_Error_Rate 0x002f 200 200 051 Pre-fail Always - 0
3 Spin_Up_Time 0x0027 193 185 021 Pre-fail Always - 1341
4 Start_Stop_Count 0x0032 019 019 000 Old_age Always - 81769
5 Reallocated_Sector_Ct 0x0033 200 200 140 Pre-fail Always - 0
7 Seek_Error_Rate 0x002e 200 200 000 Old_age Always - 0
9 Power_On_Hours 0x0032 091 091 000 Old_age Always - 6991
10 Spin_Retry_Count 0x0032 100 100 000 Old_age Always - 0
11 Calibration_Retry_Count 0x0032 100 100 000 Old_age Always - 0
12 Power_Cycle_Count 0x0032 096 096 000 Old_age Always - 4706
187 Reported_Uncorrect 0x0032 100 100 000 Old_age Always - 0
192 Power-Off_Retract_Count 0x0032 198 198 000 Old_age Always - 1875
193 Load_Cycle_Count 0x0032 156 156 000 Old_age Always - 132862
194 Temperature_Celsius 0x0022 105 085 000 Old_age Always - 38 (Min/Max 10/58)
196 Reallocated_Event_Count 0x0032 200 200 000 Old_age Always - 0
197 Current_Pending_Sector 0x0032 200 200 000 Old_age Always - 0
198 Offline_Uncorrectable 0x0030 100 253 000 Old_age Offline - 0
199 UDMA_CRC_Error_Count 0x0032 200 200 000 Old_age Always - 0
200 Multi_Zone_Error_Rate 0x0008 100 253 000 Old_age Offline - 0
206 Flying_Height 0x0022 100 000 000 Old_age Always - 36
240 Head_Flying_Hours 0x0032 098 098 000 Old_age Always - 1738
SMART Error Log Version: 1
No Errors Logged
SMART Self-test log structure revision number 1
No self-tests have been logged. [To run self-tests, use: smartctl -t]
SMART Selective self-test log data structure revision number 1
SPAN MIN_LBA MAX_LBA CURRENT_TEST_STATUS
1 0 0 Not_testing
2 0 0 Not_testing
3 0 0 Not_testing
4 0 0 Not_testing
5 0 0 Not_testing
Selective self-test flags (0x0):
After scanning selected spans, do NOT read-scan remainder of disk.
If Selective self-test is pending on power-up, resume after 0 minute delay.
"#;
    const MICRON_PROMPT: &str = r#"[root@kubernetes-host ~]# smartctl -a /dev/nvme0
smartctl 7.2 2020-12-30 r5155 [x86_64-linux-5.14.0-503.26.1.el9_5.x86_64] (local build)
Copyright (C) 2002-20, Bruce Allen, Christian Franke, www.smartmontools.org
=== START OF INFORMATION SECTION ===
Model Number: Micron_2450_MTFDKBA512TFK
Serial Number: 2208355B1B54
Firmware Version: V5MA010
PCI Vendor/Subsystem ID: 0x1344
IEEE OUI Identifier: 0x00a075
Controller ID: 0
NVMe Version: 1.4
Number of Namespaces: 1
Namespace 1 Size/Capacity: 512,110,190,592 [512 GB]
Namespace 1 Formatted LBA Size: 512
Namespace 1 IEEE EUI-64: 00a075 01355b1b54
Local Time is: Mon Jul 7 22:16:06 2025 EDT
Firmware Updates (0x14): 2 Slots, no Reset required
Optional Admin Commands (0x0017): Security Format Frmw_DL Self_Test
Optional NVM Commands (0x005f): Comp Wr_Unc DS_Mngmt Wr_Zero Sav/Sel_Feat Timestmp
Log Page Attributes (0x1e): Cmd_Eff_Lg Ext_Get_Lg Telmtry_Lg Pers_Ev_Lg
Maximum Data Transfer Size: 64 Pages
Warning Comp. Temp. Threshold: 83 Celsius
Critical Comp. Temp. Threshold: 85 Celsius
Supported Power States
St Op Max Active Idle RL RT WL WT Ent_Lat Ex_Lat
0 + 5.50W - - 0 0 0 0 0 0
1 + 2.40W - - 1 1 1 1 0 0
2 + 1.92W - - 2 2 2 2 0 0
3 - 0.0700W - - 3 3 3 3 1000 1000
4 - 0.0050W - - 4 4 4 4 10000 40000
Supported LBA Sizes (NSID 0x1)
Id Fmt Data Metadt Rel_Perf
0 + 512 0 0
=== START OF SMART DATA SECTION ===
SMART overall-health self-assessment test result: PASSED
SMART/Health Information (NVMe Log 0x02)
Critical Warning: 0x00
Temperature: 37 Celsius
Available Spare: 100%
Available Spare Threshold: 5%
Percentage Used: 0%
Data Units Read: 3,429,865 [1.75 TB]
Data Units Written: 4,749,613 [2.43 TB]
Host Read Commands: 46,523,451
Host Write Commands: 130,239,570
Controller Busy Time: 94
Power Cycles: 141
Power On Hours: 3,274
Unsafe Shutdowns: 73
Media and Data Integrity Errors: 0
Error Information Log Entries: 0
Warning Comp. Temperature Time: 0
Critical Comp. Temperature Time: 0
Temperature Sensor 1: 37 Celsius
Error Information (NVMe Log 0x01, 16 of 63 entries)
No Errors Logged
현재 Openstack이 위치한 머신과는 별도의 호스트 머신인 kubernetes-host의 NVMe는 PCIe 인터페이스를 사용하여 기존 SATA SSD보다 훨씬 높은 대역폭과 낮은 지연 시간을 제공하고 Kubernetes 환경에서 컨테이너 이미지 로딩, 컨테이너 시작, 로그 쓰기, 볼륨 I/O 등 모든 I/O 집약적인 작업에서 탁월한 성능을 발휘한다.
"#;

    /// `-x` layout of the attribute table (FLAGS column), a failing drive
    /// with pending / uncorrectable sectors, as smartctl 7.x prints it.
    const ATA_FAILED_X: &str = r#"smartctl 7.3 2022-02-28 r5338 [x86_64-linux-6.1.0-18-amd64] (local build)
Copyright (C) 2002-22, Bruce Allen, Christian Franke, www.smartmontools.org

=== START OF INFORMATION SECTION ===
Model Family:     Seagate Barracuda 7200.14 (AF)
Device Model:     ST3000DM001-1CH166
Serial Number:    Z1F2ABCD
Firmware Version: CC27
User Capacity:    3.000.592.982.016 bytes [3,00 TB]
SMART support is: Available - device has SMART capability.
SMART support is: Enabled

=== START OF READ SMART DATA SECTION ===
SMART overall-health self-assessment test result: FAILED!
Drive failure expected in less than 24 hours. SAVE ALL DATA.
See vendor-specific Attribute list for failed Attributes.

SMART Attributes Data Structure revision number: 10
Vendor Specific SMART Attributes with Thresholds:
ID# ATTRIBUTE_NAME          FLAGS    VALUE WORST THRESH FAIL RAW_VALUE
  1 Raw_Read_Error_Rate     POSR--   097   084   006    -    217223792
  5 Reallocated_Sector_Ct   PO--CK   001   001   036    NOW  65528
  9 Power_On_Hours          -O--CK   060   060   000    -    35612
 12 Power_Cycle_Count       -O--CK   100   100   020    -    118
187 Reported_Uncorrect      -O--CK   001   001   000    -    1456
194 Temperature_Celsius     -O---K   038   052   000    -    38 (0 18 0 0 0)
197 Current_Pending_Sector  -O--C-   100   100   000    -    1.024
198 Offline_Uncorrectable   ----C-   100   100   000    -    1.024
199 UDMA_CRC_Error_Count    -OSRCK   200   200   000    -    0
                            ||||||_ K auto-keep
                            |||||__ C event count
"#;

    const ATA_PASSED_PENDING: &str = r#"# smartctl -a /dev/sdb
=== START OF INFORMATION SECTION ===
Device Model:     WDC WD40EFAX-68JH4N0
Serial Number:    WD-WX12D
=== START OF READ SMART DATA SECTION ===
SMART overall-health self-assessment test result: PASSED
ID# ATTRIBUTE_NAME          FLAG     VALUE WORST THRESH TYPE      UPDATED  WHEN_FAILED RAW_VALUE
  5 Reallocated_Sector_Ct   0x0033   200   200   140    Pre-fail  Always       -       8
197 Current_Pending_Sector  0x0032   200   200   000    Old_age   Always       -       3
198 Offline_Uncorrectable   0x0030   100   253   000    Old_age   Offline      -       0
199 UDMA_CRC_Error_Count    0x0032   200   200   000    Old_age   Always       -       0
"#;

    const NO_SMART: &str = r#"smartctl 6.6 2017-11-05 r4594 [x86_64-linux-4.18.0-305.el8.x86_64] (local build)
Copyright (C) 2002-17, Bruce Allen, Christian Franke, www.smartmontools.org

=== START OF INFORMATION SECTION ===
Vendor:               QEMU
Product:              QEMU HARDDISK
Revision:             2.5+
User Capacity:        21,474,836,480 bytes [21.4 GB]
Logical block size:   512 bytes
Device type:          disk
Local Time is:        Tue Jul  8 03:28:51 2025 EDT
SMART support is:     Unavailable - device lacks SMART capability.

=== START OF READ SMART DATA SECTION ===
Current Drive Temperature:     0 C
Drive Trip Temperature:        0 C
"#;

    const OPEN_FAILED: &str = "smartctl 7.2 2020-12-30 r5155 [x86_64-linux-5.14.0] (local build)\nCopyright (C) 2002-20, Bruce Allen, Christian Franke, www.smartmontools.org\n\nSmartctl open device: /dev/sdc failed: No such device\n";

    const NVME_JSON: &str = r#"{
  "json_format_version": [
    1,
    0
  ],
  "smartctl": {
    "version": [
      7,
      2
    ],
    "exit_status": 0
  },
  "device": {
    "name": "/dev/nvme0",
    "info_name": "/dev/nvme0",
    "type": "nvme",
    "protocol": "NVMe"
  },
  "model_name": "SAMSUNG MZVLB512HBJQ-000L7",
  "serial_number": "S50HNF0MC03089",
  "firmware_version": "EXF71K2Q",
  "smart_status": {
    "passed": true,
    "nvme": {
      "value": 0
    }
  },
  "nvme_smart_health_information_log": {
    "critical_warning": 0,
    "temperature": 51,
    "available_spare": 100,
    "available_spare_threshold": 10,
    "percentage_used": 4,
    "power_cycles": 4721,
    "power_on_hours": 5410,
    "unsafe_shutdowns": 83,
    "media_errors": 0,
    "num_err_log_entries": 2787,
    "warning_temp_time": 0,
    "critical_comp_time": 0,
    "temperature_sensors": [
      51,
      53
    ]
  },
  "temperature": {
    "current": 51
  }
}
"#;

    const ATA_JSON: &str = r#"{
  "json_format_version": [1, 0],
  "smartctl": {"version": [7, 3], "exit_status": 0},
  "device": {"name": "/dev/sda", "info_name": "/dev/sda [SAT]", "type": "sat", "protocol": "ATA"},
  "model_family": "Western Digital Blue Mobile (SMR)",
  "model_name": "WDC WD10SPZX-24Z10",
  "serial_number": "WD-WXG1A89D0N10",
  "firmware_version": "05.01A05",
  "smart_status": {"passed": true},
  "ata_smart_attributes": {
    "revision": 16,
    "table": [
      {"id": 5, "name": "Reallocated_Sector_Ct", "value": 200, "worst": 200, "thresh": 140, "when_failed": "", "raw": {"value": 0, "string": "0"}},
      {"id": 197, "name": "Current_Pending_Sector", "value": 200, "worst": 200, "thresh": 0, "when_failed": "", "raw": {"value": 12, "string": "12"}},
      {"id": 194, "name": "Temperature_Celsius", "value": 105, "worst": 85, "thresh": 0, "when_failed": "", "raw": {"value": 38, "string": "38 (Min/Max 10/58)"}}
    ]
  },
  "temperature": {"current": 38}
}
"#;

    const NVME_SMART_LOG: &str = "Smart Log for NVME device:nvme0 namespace-id:ffffffff
critical_warning			: 0
temperature				: 83 C
available_spare				: 100%
available_spare_threshold		: 10%
percentage_used				: 4%
data_units_read				: 87.654.825
power_cycles				: 4.721
power_on_hours				: 5.410
unsafe_shutdowns			: 83
media_errors				: 3
num_err_log_entries			: 2.787
Warning Temperature Time		: 12
Critical Composite Temperature Time	: 0
Temperature Sensor 1			: 51 C
Thermal Management T1 Trans Count	: 99
Thermal Management T2 Trans Count	: 1
";

    const NVME_ERROR_LOG: &str = "Error Log Entries for device:nvme0 entries:64
.................
 Entry[ 0]
.................
error_count	: 2787
sqid		: 0
cmdid		: 0x10
status_field	: 0x4004(INVALID_FIELD: A reserved coded value or an unsupported value in a defined field)
phase_tag	: 0
parm_err_loc	: 0xffff
lba		: 0
nsid		: 0
vs		: 0
.................
 Entry[ 1]
.................
error_count	: 0
sqid		: 0
cmdid		: 0
status_field	: 0(SUCCESS: The command completed successfully)
";

    const NVME_LIST: &str = "Node                  SN                   Model                                    Namespace Usage                      Format           FW Rev
--------------------- -------------------- ---------------------------------------- --------- -------------------------- ---------------- --------
/dev/nvme0n1          S50HNF0MC03089       SAMSUNG MZVLB512HBJQ-000L7               1         322.15  GB / 512.11  GB    512   B +  0 B   EXF71K2Q
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

    #[test]
    fn numbers_with_separators() {
        assert_eq!(parse_int("2,787"), Some(2787));
        assert_eq!(parse_int("2.787"), Some(2787));
        assert_eq!(parse_int("512 110 190 592 [512 GB]"), Some(512_110_190_592));
        assert_eq!(parse_int("512,110,190,592 [512 GB]"), Some(512_110_190_592));
        assert_eq!(parse_int("2\u{a0}787"), Some(2787));
        assert_eq!(parse_int("51 Celsius"), Some(51));
        assert_eq!(parse_int("38 (Min/Max 10/58)"), Some(38));
        assert_eq!(parse_int("4%"), Some(4));
        assert_eq!(parse_int("0x04"), Some(4));
        assert_eq!(parse_int("1 2"), Some(1));
        assert_eq!(parse_int("x"), None);
    }

    #[test]
    fn nvme_passed_with_errors_seed_004() {
        assert_eq!(
            recognise("smartctl-a-nvme0n1.txt", NVME_SEED),
            Some(Kind::Smartctl)
        );
        // smartctl -a does not print the device: the file name gives it.
        let st = crate::parse_file(Kind::Smartctl, NVME_SEED, "smartctl-a-nvme0n1.txt");
        assert_eq!(st.facts.len(), 1);
        let f = &st.facts[0];
        assert_eq!(f["protocol"], "NVMe");
        assert_eq!(f["model"], "SAMSUNG MZVLB512HBJQ-000");
        assert_eq!(f["health"], "passed");
        assert_eq!(f["error_log_entries"], 2787);
        assert_eq!(f["unsafe_shutdowns"], 83);
        assert_eq!(f["thermal_t1_transitions"], 99);
        assert_eq!(f["warning_temp_threshold"], 84);
        // The one error-log entry shown is status 0x4004, Invalid Field in
        // Command: the drive refusing a probe. Reported apart, as information.
        let ids = ids(&st);
        assert!(ids.contains(&"nvme-error-log-entries"), "{ids:?}");
        assert!(!ids.contains(&"smart-errors-while-passed"), "{ids:?}");
        assert!(ids.contains(&"unsafe-shutdowns"));
        assert!(ids.contains(&"disk-thermal"));
        assert!(!ids.contains(&"smart-failed"));
        let c = st
            .checks
            .iter()
            .find(|c| c.id == "nvme-error-log-entries")
            .unwrap();
        assert_eq!(c.severity, Severity::Info);
        assert!(
            c.evidence
                .iter()
                .any(|e| e.text == "Error Information Log Entries: 2,787" && e.line == 52)
        );
        assert!(c.evidence.iter().any(|e| e.text.contains("0x4004")));
        assert!(
            c.fix
                .iter()
                .any(|f| f.command.as_deref() == Some("nvme error-log /dev/nvme0"))
        );
        assert!(!c.ko.is_empty());
    }

    #[test]
    fn ata_smr_bundle() {
        assert_eq!(
            recognise("sos_commands/ata/smartctl_-a_.dev.sda", ATA_SMR),
            Some(Kind::Smartctl)
        );
        let st = run(Kind::Smartctl, ATA_SMR);
        assert_eq!(st.facts.len(), 1);
        let f = &st.facts[0];
        assert_eq!(f["protocol"], "ATA");
        assert_eq!(f["smr"], true);
        assert_eq!(f["reallocated"], 0);
        assert_eq!(f["temperature"], 38);
        assert_eq!(f["attributes"].as_array().unwrap().len(), 20);
        assert_eq!(ids(&st), vec!["smr-disk"]);
        let c = &st.checks[0];
        assert!(
            c.evidence
                .iter()
                .any(|e| e.text.contains("Western Digital Blue Mobile (SMR)"))
        );
        assert!(!c.fix.is_empty());
    }

    #[test]
    fn micron_with_prompt_gets_device() {
        let st = run(Kind::Smartctl, MICRON_PROMPT);
        assert_eq!(st.facts.len(), 1);
        assert_eq!(st.facts[0]["device"], "nvme0");
        assert_eq!(st.facts[0]["error_log_entries"], 0);
        // 73 unsafe shutdowns of 141 power cycles.
        assert_eq!(ids(&st), vec!["unsafe-shutdowns"]);
        let c = &st.checks[0];
        assert!(
            c.fields
                .iter()
                .any(|f| f.0 == "device" && f.1 == "nvme0" && f.2 == FieldKind::Device)
        );
    }

    #[test]
    fn several_outputs_in_one_file() {
        let text = format!("{NVME_SEED}{ATA_SMR}{MICRON_PROMPT}");
        let st = run(Kind::Smartctl, &text);
        assert_eq!(st.facts.len(), 3);
        assert_eq!(st.facts[2]["model"], "Micron_2450_MTFDKBA512TFK");
    }

    #[test]
    fn ata_failed_x_layout_with_locale_dots() {
        let st = run(Kind::Smartctl, ATA_FAILED_X);
        let f = &st.facts[0];
        assert_eq!(f["health"], "failed");
        assert_eq!(f["reallocated"], 65528);
        assert_eq!(f["pending"], 1024);
        assert_eq!(f["offline_uncorrectable"], 1024);
        let c = st.checks.iter().find(|c| c.id == "smart-failed").unwrap();
        assert_eq!(c.severity, Severity::Critical);
        assert!(c.evidence.iter().any(|e| e.text.contains("FAILED!")));
        assert!(
            c.evidence
                .iter()
                .any(|e| e.text.contains("Reallocated_Sector_Ct"))
        );
        assert!(!ids(&st).contains(&"smart-errors-while-passed"));
    }

    #[test]
    fn ata_passed_with_pending_and_known_smr_model() {
        let st = run(Kind::Smartctl, ATA_PASSED_PENDING);
        assert_eq!(st.facts[0]["device"], "sdb");
        let ids = ids(&st);
        assert!(ids.contains(&"smart-errors-while-passed"));
        assert!(ids.contains(&"smr-disk"), "WD40EFAX is DM-SMR");
        let c = st
            .checks
            .iter()
            .find(|c| c.id == "smart-errors-while-passed")
            .unwrap();
        assert!(
            c.fix
                .iter()
                .any(|f| f.command.as_deref() == Some("smartctl -t long /dev/sdb"))
        );
    }

    #[test]
    fn device_without_smart() {
        let st = run(Kind::Smartctl, NO_SMART);
        assert_eq!(st.facts[0]["smart_supported"], false);
        assert_eq!(st.facts[0]["health"], "unknown");
        assert!(st.checks.is_empty());
        assert!(st.notes.iter().any(|n| n.contains("not supported")));
        let st = run(Kind::Smartctl, OPEN_FAILED);
        assert!(st.checks.is_empty());
        assert!(st.notes.iter().any(|n| n.contains("could not open")));
    }

    #[test]
    fn timed_out_and_empty() {
        assert_eq!(
            recognise("sos_commands/ata/smartctl_-a_.dev.sda", ""),
            Some(Kind::Smartctl)
        );
        assert_eq!(
            recognise(
                "sos_commands/nvme/smartctl_--all_.dev.nvme0n1",
                "timeout: the monitored command dumped core\n"
            ),
            Some(Kind::Smartctl)
        );
        assert_eq!(
            recognise("sos_commands/nvme/smartctl_--all_.dev.nvme0n1_-j", ""),
            Some(Kind::SmartctlJson)
        );
        assert_eq!(
            recognise("sos_commands/nvme/nvme_smart-log_.dev.nvme0", ""),
            Some(Kind::NvmeSmartLog)
        );
        assert_eq!(recognise("notes.txt", ""), None);
        for k in [
            Kind::Smartctl,
            Kind::SmartctlJson,
            Kind::NvmeSmartLog,
            Kind::NvmeErrorLog,
            Kind::NvmeList,
        ] {
            let st = run(k, "");
            assert!(st.facts.is_empty() && st.checks.is_empty());
            assert!(!st.notes.is_empty());
        }
    }

    #[test]
    fn truncated_text_mid_table() {
        let cut = &NVME_SEED[..NVME_SEED.find("Unsafe Shutdowns").unwrap()];
        let st = run(Kind::Smartctl, cut);
        assert_eq!(st.facts[0]["health"], "passed");
        assert!(st.facts[0].get("error_log_entries").is_none());
        assert!(st.checks.is_empty());
    }

    #[test]
    fn smartctl_json_nvme_and_ata() {
        assert_eq!(
            recognise(
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
        assert_eq!(recognise("x.txt", &prompted), Some(Kind::SmartctlJson));
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
    fn nvme_smart_log_text_locale() {
        assert_eq!(
            recognise("nvme_smart-log", NVME_SMART_LOG),
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
            recognise("nvme_error-log", NVME_ERROR_LOG),
            Some(Kind::NvmeErrorLog)
        );
        let st = run(Kind::NvmeErrorLog, NVME_ERROR_LOG);
        assert_eq!(st.facts.len(), 1);
        assert_eq!(st.facts[0]["error_count"], 2787);
        assert_eq!(st.facts[0]["status"], "0x4004");
        assert_eq!(st.facts[0]["benign_probe"], true);
        assert_eq!(st.facts[0]["device"], "nvme0");

        assert_eq!(recognise("nvme_list", NVME_LIST), Some(Kind::NvmeList));
        let st = run(Kind::NvmeList, NVME_LIST);
        let f = &st.facts[0];
        assert_eq!(f["device"], "nvme0n1");
        assert_eq!(f["serial"], "S50HNF0MC03089");
        assert_eq!(f["model"], "SAMSUNG MZVLB512HBJQ-000L7");
        assert_eq!(f["firmware"], "EXF71K2Q");
    }

    #[test]
    fn not_my_kinds() {
        assert!(parse(Kind::Free, "x").is_none());
        assert!(parse(Kind::MultipathLl, "x").is_none());
        assert_eq!(
            recognise(
                "sos_commands/memory/free",
                "              total        used        free\nMem: 1 2 3\n"
            ),
            None
        );
    }

    #[test]
    fn never_panics_on_prefixes() {
        let all = [
            NVME_SEED,
            ATA_SMR,
            MICRON_PROMPT,
            ATA_FAILED_X,
            ATA_PASSED_PENDING,
            NO_SMART,
            OPEN_FAILED,
            NVME_JSON,
            ATA_JSON,
            NVME_SMART_LOG,
            NVME_ERROR_LOG,
            NVME_LIST,
        ];
        let kinds = [
            Kind::Smartctl,
            Kind::SmartctlJson,
            Kind::NvmeSmartLog,
            Kind::NvmeErrorLog,
            Kind::NvmeList,
        ];
        for s in all {
            let mut cuts: Vec<usize> = (0..s.len()).step_by(7).collect();
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

    // Real captures (found with the code search), beside the hand-made
    // samples above that exercise locales and layouts.

    /// A failing Seagate Momentus laptop disk, `smartctl -a` as posted on the
    /// Linux Mint forums (2015), attribute table trimmed to the rows that
    /// matter here.
    const ATA_FAILED_FORUM: &str = "smartctl 6.2 2013-07-26 r3841 [i686-linux-3.13.0-45-generic] (local build)
Copyright (C) 2002-13, Bruce Allen, Christian Franke, www.smartmontools.org

=== START OF INFORMATION SECTION ===
Model Family:     Seagate Momentus SpinPoint M8 (AF)
Device Model:     ST1000LM024 HN-M101MBB
Serial Number:    S2WZJ90C728321
LU WWN Device Id: 5 0004cf 208104fa7
Firmware Version: 2AR20003
User Capacity:    1,000,204,886,016 bytes [1.00 TB]
Sector Size:      512 bytes logical/physical
Rotation Rate:    5400 rpm
Local Time is:    Tue May 19 21:45:00 2015 HKT
SMART support is: Available - device has SMART capability.
SMART support is: Enabled

=== START OF READ SMART DATA SECTION ===
SMART overall-health self-assessment test result: FAILED!
Drive failure expected in less than 24 hours. SAVE ALL DATA.
See vendor-specific Attribute list for failed Attributes.

SMART Attributes Data Structure revision number: 16
Vendor Specific SMART Attributes with Thresholds:
ID# ATTRIBUTE_NAME          FLAG     VALUE WORST THRESH TYPE      UPDATED  WHEN_FAILED RAW_VALUE
  1 Raw_Read_Error_Rate     0x002f   001   001   051    Pre-fail  Always   FAILING_NOW 42565
  5 Reallocated_Sector_Ct   0x0033   252   252   010    Pre-fail  Always       -       0
  9 Power_On_Hours          0x0032   100   100   000    Old_age   Always       -       17328
194 Temperature_Celsius     0x0002   053   043   000    Old_age   Always       -       47 (Min/Max 12/57)
197 Current_Pending_Sector  0x0032   097   097   000    Old_age   Always       -       499
198 Offline_Uncorrectable   0x0030   252   252   000    Old_age   Offline      -       0
199 UDMA_CRC_Error_Count    0x0036   200   200   000    Old_age   Always       -       0

SMART Error Log Version: 1
No Errors Logged
";

    /// `nvme smart-log` and `nvme error-log` of one desktop, from a NixOS
    /// user's published diagnostic report (nvme-cli 2.x prints °C and the
    /// shifted status code 0x2002).
    const NVME_SMART_LOG_NIXOS: &str = "Smart Log for NVME device:nvme0 namespace-id:ffffffff
critical_warning\t\t\t: 0
temperature\t\t\t\t: 34 \u{b0}C (307 K, 93 \u{b0}F)
available_spare\t\t\t\t: 100%
available_spare_threshold\t\t: 5%
percentage_used\t\t\t\t: 18%
endurance group critical warning summary: 0
Data Units Read\t\t\t\t: 475060001 (243.23 TB)
Data Units Written\t\t\t: 290391429 (148.68 TB)
power_cycles\t\t\t\t: 5163
power_on_hours\t\t\t\t: 15143
unsafe_shutdowns\t\t\t: 2214
media_errors\t\t\t\t: 0
num_err_log_entries\t\t\t: 12137
Warning Temperature Time\t\t: 0
Critical Composite Temperature Time\t: 0
";
    const NVME_ERROR_LOG_NIXOS: &str = "Error Log Entries for device:nvme0 entries:1
.................
 Entry[ 0]
.................
error_count\t: 12137
sqid\t\t: 0
cmdid\t\t: 0x1c
status_field\t: 0x2002 (Invalid Field in Command: A reserved coded value or an unsupported value in a defined field)
phase_tag\t: 0
parm_err_loc\t: 0x28
lba\t\t: 0
nsid\t\t: 0
vs\t\t: 0
trtype\t\t: 0 (The transport type is not indicated or the error is not transport related)
.................
";
    /// The error log of a drive whose counter grows with nothing logged, from
    /// the linux-nvme mailing list (2020).
    const NVME_ERROR_LOG_EMPTY: &str = "Error Log Entries for device:nvme0 entries:64

.................
 Entry[ 0]
.................
error_count  : 0
sqid         : 0
cmdid        : 0
status_field : 0(SUCCESS: The command completed successfully)
parm_err_loc : 0
lba          : 0
nsid         : 0
vs           : 0
cs           : 0
.................
";
    /// `smartctl -A --json /dev/nvme0n1` run as a normal user, smartctl 7.5
    /// on Fedora, verbatim from a published Rust project's tests.
    const JSON_REFUSED: &str = r#"{
  "json_format_version": [
    1,
    0
  ],
  "smartctl": {
    "version": [
      7,
      5
    ],
    "pre_release": false,
    "svn_revision": "5714",
    "platform_info": "x86_64-linux-7.1.13-200.fc44.x86_64",
    "build_info": "(local build)",
    "argv": [
      "smartctl",
      "-A",
      "--json",
      "/dev/nvme0n1"
    ],
    "messages": [
      {
        "string": "Smartctl open device: /dev/nvme0n1 failed: Permission denied",
        "severity": "error"
      }
    ],
    "exit_status": 2
  },
  "local_time": {
    "time_t": 1791358805,
    "asctime": "Wed Oct  7 18:40:05 2026 AEDT"
  }
}"#;

    #[test]
    fn real_ata_disk_that_failed_its_verdict() {
        assert_eq!(
            recognise("smartctl.txt", ATA_FAILED_FORUM),
            Some(Kind::Smartctl)
        );
        let st = run(Kind::Smartctl, ATA_FAILED_FORUM);
        let f = &st.facts[0];
        assert_eq!(f["health"], "failed");
        assert_eq!(f["pending"], 499);
        assert_eq!(f["model"], "ST1000LM024 HN-M101MBB");
        let c = st.checks.iter().find(|c| c.id == "smart-failed").unwrap();
        assert_eq!(c.severity, Severity::Critical);
        // The verdict line and the attribute that trips it are cited as read.
        for e in &c.evidence {
            assert_eq!(
                ATA_FAILED_FORUM.lines().nth(e.line as usize - 1),
                Some(e.text.as_str())
            );
        }
        assert!(c.evidence.iter().any(|e| e.text.contains("FAILING_NOW")));
    }

    #[test]
    fn real_nvme_logs_of_one_drive() {
        assert_eq!(
            recognise("nvme-smart-log.txt", NVME_SMART_LOG_NIXOS),
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

    #[test]
    fn real_json_of_a_device_that_could_not_be_opened() {
        assert_eq!(
            recognise("smartctl.json", JSON_REFUSED),
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

    /// smartctl for Windows pasted from an 80-column console: every wider
    /// line broken at column 80, mid-word (forum post, 2011; a few rows).
    const ATA_WRAPPED_80: &str = r#"smartctl 5.41 2011-06-09 r3365 [i686-w64-mingw32-win7(64)-sp1] (sf-win32-5.41-1)

Copyright (C) 2002-11 by Bruce Allen, http://smartmontools.sourceforge.net

=== START OF INFORMATION SECTION ===
Model Family:     Seagate Barracuda 7200.12
Device Model:     ST31000528AS
=== START OF READ SMART DATA SECTION ===
SMART overall-health self-assessment test result: FAILED!
SMART Attributes Data Structure revision number: 10
Vendor Specific SMART Attributes with Thresholds:
ID# ATTRIBUTE_NAME          FLAG     VALUE WORST THRESH TYPE      UPDATED  WHEN_
FAILED RAW_VALUE
  1 Raw_Read_Error_Rate     0x000f   112   099   006    Pre-fail  Always       -
       48233046
  3 Spin_Up_Time            0x0003   095   095   000    Pre-fail  Always       -
       0
  5 Reallocated_Sector_Ct   0x0033   002   002   036    Pre-fail  Always   FAILI
NG_NOW 4015
"#;

    #[test]
    fn smartctl_wrapped_at_80_columns() {
        assert_eq!(
            recognise("smartctl-a.txt", ATA_WRAPPED_80),
            Some(Kind::Smartctl)
        );
        let st = run(Kind::Smartctl, ATA_WRAPPED_80);
        assert_eq!(st.facts.len(), 1);
        let f = &st.facts[0];
        assert_eq!(f["model"], "ST31000528AS");
        assert_eq!(f["health"], "failed");
        assert_eq!(f["reallocated"], 4015);
        let a = f["attributes"].as_array().unwrap();
        assert_eq!(a.len(), 3);
        assert_eq!(a[0]["raw"], 48233046);
        assert_eq!(a[2]["when_failed"], "FAILING_NOW");
        let c = st.checks.iter().find(|c| c.id == "smart-failed").unwrap();
        // Cited at the line the row starts on, joined again.
        let row = c
            .evidence
            .iter()
            .find(|e| e.text.contains("Reallocated_Sector_Ct"))
            .unwrap();
        assert_eq!(row.line, 18);
        assert!(row.text.ends_with("FAILING_NOW 4015"), "{row:?}");
        // An output not wrapped is read line by line.
        assert_eq!(console_lines("a\nb\n").len(), 2);
    }

    /// The `-x` brief layout (FLAGS column) lists 190 Airflow_Temperature
    /// before 194 Temperature_Celsius; the drive temperature is 194's, as
    /// smartctl takes it (telegraf `mockInfoAttributeData`, cut).
    const ATA_X_TWO_TEMPERATURES: &str = r#"smartctl 6.5 2016-05-07 r4318 [Darwin 16.4.0 x86_64] (local build)
Copyright (C) 2002-16, Bruce Allen, Christian Franke, www.smartmontools.org
=== START OF INFORMATION SECTION ===
Device Model:     APPLE SSD SM256E
=== START OF READ SMART DATA SECTION ===
SMART overall-health self-assessment test result: PASSED
Vendor Specific SMART Attributes with Thresholds:
ID# ATTRIBUTE_NAME          FLAGS    VALUE WORST THRESH FAIL RAW_VALUE
  5 Reallocated_Sector_Ct   PO--CK   100   100   000    -    0
  9 Power_On_Hours          -O--CK   099   099   000    -    2988
190 Airflow_Temperature_Cel -O---K   055   040   045    Past 45 (Min/Max 43/57 #2689)
194 Temperature_Celsius     -O---K   066   021   000    -    34 (Min/Max 14/79)
197 Current_Pending_Sector  -O---K   100   100   000    -    0
"#;

    #[test]
    fn smartctl_x_temperature_is_194_before_190() {
        let st = run(Kind::Smartctl, ATA_X_TWO_TEMPERATURES);
        let f = &st.facts[0];
        assert_eq!(f["temperature"], 34);
        assert_eq!(f["power_on_hours"], 2988);
        assert_eq!(f["health"], "passed");
        assert!(st.checks.is_empty(), "{:?}", ids(&st));
    }

    /// smartctl 5.x on a RAID volume: "Device does not support SMART", no
    /// section header (insights `CISCO_DRIVE`, cut).
    const SCSI_NO_SMART: &str = r#"smartctl 5.43 2012-06-30 r3573 [x86_64-linux-2.6.32-573.8.1.el6.x86_64] (local build)
Copyright (C) 2002-12 by Bruce Allen, http://smartmontools.sourceforge.net
Vendor:               Cisco
Product:              UCSC-MRAID12G
Serial number:        003b95e4040c2c551d4056b715e7a68d
Device type:          disk
Device does not support SMART
Error Counter logging not supported
Device does not support Self Test logging
"#;

    #[test]
    fn smartctl_device_without_smart() {
        assert_eq!(
            recognise("sos_commands/ata/smartctl_-a_.dev.sdb", SCSI_NO_SMART),
            Some(Kind::Smartctl)
        );
        let st = run(Kind::Smartctl, SCSI_NO_SMART);
        let f = &st.facts[0];
        assert_eq!(f["smart_supported"], false);
        assert_eq!(f["health"], "unknown");
        assert_eq!(f["model"], "UCSC-MRAID12G");
        assert!(st.checks.is_empty(), "{:?}", ids(&st));
        assert!(
            st.notes
                .iter()
                .any(|n| n.contains("does not support SMART"))
        );
    }

    /// A Windows build prints thousands separators of its code page; one
    /// reaches the file as U+FFFD (`10�779`; telegraf
    /// `smartctlNVMeInfoDataWindows`, cut).
    const NVME_WINDOWS_LOCALIZED: &str = r#"smartctl 7.3 2022-02-28 r5338 [x86_64-w64-mingw32-w10-20H2] (sf-7.3-1)
Copyright (C) 2002-22, Bruce Allen, Christian Franke, www.smartmontools.org
=== START OF INFORMATION SECTION ===
Model Number:                       Samsung SSD 970 EVO 1TB
=== START OF SMART DATA SECTION ===
SMART overall-health self-assessment test result: PASSED
SMART/Health Information (NVMe Log 0x02)
Critical Warning:                   0x00
Temperature:                        47 Celsius
Power Cycles:                       10�779
Power On Hours:                     1�290
Unsafe Shutdowns:                   9
Media and Data Integrity Errors:    0
Error Information Log Entries:      979
"#;

    #[test]
    fn numbers_with_a_lost_separator() {
        assert_eq!(parse_int("10\u{fffd}779"), Some(10779));
        assert_eq!(parse_int("1\u{fffd}290"), Some(1290));
        assert_eq!(parse_int("2\u{2009}787"), Some(2787));
        let st = run(Kind::Smartctl, NVME_WINDOWS_LOCALIZED);
        let f = &st.facts[0];
        assert_eq!(f["power_cycles"], 10779);
        assert_eq!(f["power_on_hours"], 1290);
        assert_eq!(f["unsafe_shutdowns"], 9);
        assert_eq!(f["error_log_entries"], 979);
    }
}
