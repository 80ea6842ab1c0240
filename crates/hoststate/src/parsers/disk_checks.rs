//! What the disk parsers share (smartctl text and `-j`, nvme smart-log):
//! the disk they fill, its `disk` fact, and the checks raised from it —
//! `smart-failed`, `smart-errors-while-passed`, `nvme-error-log-entries`,
//! `nvme-endurance-used-up`, `unsafe-shutdowns`, `disk-thermal`,
//! `smr-disk` — with their thresholds; and when a disk file's name decides
//! its kind.
//!
//! A file may hold several outputs one after the other (an operator pasting
//! `smartctl -a` for every disk); each disk becomes its own fact. The device
//! name comes from the command line when the file shows it (`# smartctl -a
//! /dev/sda`), from `device.name` in JSON, or from the `nvme` header; a bare
//! sosreport file has none (the caller knows it from the file name).

use std::collections::BTreeMap;

use rootline_model::FieldKind;
use serde_json::{Value, json};

use super::numbers::{content_is_void, void_note};
use super::{nvme, smartctl, smartctl_json};
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

/// A disk file's name decides its kind only when its content says nothing
/// (a sosreport command that timed out, an empty file, an error message)
/// and no disk parser's content test knows it: those all come first, in
/// registry order, then the names. It is asked in the content pass, where
/// the content is seen.
pub(super) fn name_may_decide(sample: &str) -> bool {
    content_is_void(sample)
        && smartctl_json::content_kind(sample).is_none()
        && nvme::content_kind(sample).is_none()
        && smartctl::content_kind(sample).is_none()
}

// ---------------------------------------------------------------------------
// Command lines.

/// The device from a command line (`[root@h ~]# smartctl -a /dev/sda` → `sda`).
pub(super) fn device_in_command(line: &str) -> Option<String> {
    line.split_whitespace()
        .rev()
        .find_map(|t| t.strip_prefix("/dev/"))
        .map(|d| d.trim_end_matches([',', ';', ':']).to_string())
        .filter(|d| !d.is_empty())
}

// ---------------------------------------------------------------------------
// The disk model, filled from any of the formats.

#[derive(Default, Debug)]
pub(super) struct Attr {
    pub(super) id: i64,
    pub(super) name: String,
    pub(super) value: Option<i64>,
    pub(super) worst: Option<i64>,
    pub(super) thresh: Option<i64>,
    pub(super) when_failed: String,
    pub(super) raw: Option<i64>,
    pub(super) raw_string: String,
    pub(super) cite: Option<Cite>,
}

#[derive(Default, Debug)]
pub(super) struct Disk {
    pub(super) start: u64,
    pub(super) device: Option<String>,
    pub(super) model: Option<String>,
    pub(super) family: Option<String>,
    pub(super) vendor: Option<String>,
    pub(super) serial: Option<String>,
    pub(super) firmware: Option<String>,
    pub(super) protocol: Option<&'static str>,
    /// Some(true) PASSED / OK, Some(false) FAILED.
    pub(super) passed: Option<bool>,
    pub(super) health_cite: Option<Cite>,
    pub(super) smart_unavailable: Option<Cite>,
    /// Numeric values by key (temperature, media_errors…), with their line.
    pub(super) vals: BTreeMap<&'static str, (i64, Option<Cite>)>,
    pub(super) attrs: Vec<Attr>,
    pub(super) error_entry: Option<Cite>,
    /// Status fields of the error-log entries shown (`0x4004`).
    pub(super) error_statuses: Vec<u16>,
    pub(super) notes: Vec<String>,
    pub(super) seen_info: bool,
    pub(super) seen_data: bool,
}

impl Disk {
    pub(super) fn is_empty(&self) -> bool {
        self.model.is_none()
            && self.serial.is_none()
            && self.passed.is_none()
            && self.vals.is_empty()
            && self.attrs.is_empty()
            && self.smart_unavailable.is_none()
    }
    pub(super) fn set(&mut self, key: &'static str, v: i64, cite: Option<Cite>) {
        self.vals.entry(key).or_insert((v, cite));
    }
    pub(super) fn get(&self, key: &str) -> Option<i64> {
        self.vals.get(key).map(|v| v.0)
    }
    pub(super) fn cite_of(&self, key: &str) -> Option<&Cite> {
        self.vals.get(key).and_then(|v| v.1.as_ref())
    }
    pub(super) fn attr(&self, names: &[&str]) -> Option<&Attr> {
        self.attrs
            .iter()
            .find(|a| names.iter().any(|n| a.name.eq_ignore_ascii_case(n)))
    }
    pub(super) fn smr(&self) -> bool {
        let fam = self.family.as_deref().unwrap_or("");
        if fam.contains("SMR") {
            return true;
        }
        let model = self.model.as_deref().unwrap_or("").to_ascii_uppercase();
        let model = model.strip_prefix("WDC ").unwrap_or(&model);
        let model = model.strip_prefix("TOSHIBA ").unwrap_or(model);
        SMR_MODEL_PREFIXES.iter().any(|p| model.starts_with(p))
    }
    pub(super) fn label(&self) -> String {
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
pub(super) const NVME_LABELS: &[(&str, &str)] = &[
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

pub(super) fn norm_label(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase()
}

// ---------------------------------------------------------------------------
// ATA attributes (text and JSON) to the keys of the disk.

pub(super) fn finish_ata(d: &mut Disk) {
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

pub(super) fn disks_state(disks: Vec<Disk>, text: &str, mut notes: Vec<String>) -> HostState {
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

#[cfg(test)]
mod tests {
    use super::super::nvme::Nvme;
    use super::super::smartctl::Smartctl;
    use super::super::smartctl_json::SmartctlJson;
    use super::super::{HostParser, Kind};
    use super::*;

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

    #[test]
    fn timed_out_and_empty() {
        assert_eq!(
            crate::recognise("sos_commands/ata/smartctl_-a_.dev.sda", ""),
            Some(Kind::Smartctl)
        );
        assert_eq!(
            crate::recognise(
                "sos_commands/nvme/smartctl_--all_.dev.nvme0n1",
                "timeout: the monitored command dumped core\n"
            ),
            Some(Kind::Smartctl)
        );
        assert_eq!(
            crate::recognise("sos_commands/nvme/smartctl_--all_.dev.nvme0n1_-j", ""),
            Some(Kind::SmartctlJson)
        );
        assert_eq!(
            crate::recognise("sos_commands/nvme/nvme_smart-log_.dev.nvme0", ""),
            Some(Kind::NvmeSmartLog)
        );
        assert_eq!(crate::recognise("notes.txt", ""), None);
        for k in [
            Kind::Smartctl,
            Kind::SmartctlJson,
            Kind::NvmeSmartLog,
            Kind::NvmeErrorLog,
            Kind::NvmeList,
        ] {
            let st = crate::parse(k, "");
            assert!(st.facts.is_empty() && st.checks.is_empty());
            assert!(!st.notes.is_empty());
        }
    }

    /// A name decides only after every disk parser's content test: smartctl's
    /// text that says it failed (void) under a `-j` or an nvme name is
    /// smartctl's text, as its content says.
    #[test]
    fn names_decide_after_every_disk_content_test() {
        let failed = "smartctl 7.2 2020-12-30 r5155 [x86_64-linux-5.14.0] (local build)\nCopyright (C) 2002-20, Bruce Allen, Christian Franke, www.smartmontools.org\n\nSmartctl open device: /dev/nvme0n1 failed: Permission denied\n";
        assert!(content_is_void(failed));
        for name in [
            "sos_commands/nvme/smartctl_--all_.dev.nvme0n1_-j",
            "sos_commands/nvme/nvme_smart-log_.dev.nvme0",
        ] {
            assert_eq!(
                crate::recognise(name, failed),
                Some(Kind::Smartctl),
                "{name}"
            );
        }
    }

    #[test]
    fn not_my_kinds() {
        let free = "              total        used        free\nMem: 1 2 3\n";
        let disk_parsers: [&dyn HostParser; 3] = [&SmartctlJson, &Nvme, &Smartctl];
        for p in disk_parsers {
            assert_eq!(p.by_content("sos_commands/memory/free", free), None);
        }
    }
}
