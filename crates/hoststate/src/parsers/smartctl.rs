//! `smartctl -a` / `-x` text (ATA/SATA, SCSI and NVMe; smartctl 5.x to
//! 7.x; several outputs in one file; a console's 80-column wrapping
//! undone): a `disk` fact per output and the disk checks
//! ([`super::disk_checks`]). Numbers are read with any thousands separator
//! the locale put in (`2,787`, `2.787`, `512 110 190 592`).

use super::disk_checks::{
    self, Attr, Disk, NVME_LABELS, device_in_command, disks_state, finish_ata, norm_label,
};
use super::numbers::{parse_int, void_name_hint};
use super::{HostParser, Kind};
use crate::{Cite, HostState};

/// `smartctl` in text.
pub(crate) struct Smartctl;

impl HostParser for Smartctl {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Smartctl]
    }
    fn by_content(&self, rel_path: &str, sample: &str) -> Option<Kind> {
        if let Some(k) = content_kind(sample) {
            return Some(k);
        }
        let base = void_name_hint(rel_path, sample, disk_checks::name_may_decide)?;
        (base.starts_with("smartctl") && !(base.contains("_-j") || base.contains("json")))
            .then_some(Kind::Smartctl)
    }
    fn parse(&self, _kind: Kind, text: &str) -> HostState {
        let disks = parse_smartctl_text(text);
        disks_state(disks, text, Vec::new())
    }
}

/// smartctl's text, by its banner, section headers and verdict lines.
pub(super) fn content_kind(sample: &str) -> Option<Kind> {
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
    SMARTCTL_MARKS
        .iter()
        .any(|m| sample.contains(m))
        .then_some(Kind::Smartctl)
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

#[cfg(test)]
mod tests {
    use super::*;
    use rootline_model::{FieldKind, Severity};

    const NVME_SEED: &str = include_str!("../../tests/captures/smartctl/smartctl-a-nvme0n1.txt");
    const ATA_SMR: &str = include_str!("../../tests/captures/smartctl/smartctl_-a_.dev.sda");
    const MICRON_PROMPT: &str =
        include_str!("../../tests/captures/smartctl/smartctl-a-nvme0-kubernetes-host.txt");

    /// `-x` layout of the attribute table (FLAGS column), a failing drive
    /// with pending / uncorrectable sectors, as smartctl 7.x prints it.
    const ATA_FAILED_X: &str = include_str!("../../tests/captures/smartctl/smartctl_-x_.dev.sda");
    const ATA_PASSED_PENDING: &str =
        include_str!("../../tests/captures/smartctl/smartctl-a-sdb.txt");
    const NO_SMART: &str = include_str!("../../tests/captures/smartctl/smartctl_-a_.dev.sdd");
    const OPEN_FAILED: &str = include_str!("../../tests/captures/smartctl/smartctl_-a_.dev.sdc");

    /// A failing Seagate Momentus laptop disk, `smartctl -a` as posted on the
    /// Linux Mint forums (2015), attribute table trimmed to the rows that
    /// matter here.
    const ATA_FAILED_FORUM: &str = include_str!("../../tests/captures/smartctl/smartctl.txt");

    /// smartctl for Windows pasted from an 80-column console: every wider
    /// line broken at column 80, mid-word (forum post, 2011; a few rows).
    const ATA_WRAPPED_80: &str = include_str!("../../tests/captures/smartctl/smartctl-a.txt");

    /// The `-x` brief layout (FLAGS column) lists 190 Airflow_Temperature
    /// before 194 Temperature_Celsius; the drive temperature is 194's, as
    /// smartctl takes it (telegraf `mockInfoAttributeData`, cut).
    const ATA_X_TWO_TEMPERATURES: &str =
        include_str!("../../tests/captures/smartctl/smartctl_-x_.dev.disk0");

    /// smartctl 5.x on a RAID volume: "Device does not support SMART", no
    /// section header (insights `CISCO_DRIVE`, cut).
    const SCSI_NO_SMART: &str = include_str!("../../tests/captures/smartctl/smartctl_-a_.dev.sdb");

    /// A Windows build prints thousands separators of its code page; one
    /// reaches the file as U+FFFD (`10�779`; telegraf
    /// `smartctlNVMeInfoDataWindows`, cut).
    const NVME_WINDOWS_LOCALIZED: &str =
        include_str!("../../tests/captures/smartctl/smartctl-a-nvme0-windows.txt");

    /// Parsed as this parser's kind, and rendered with the shipped check
    /// book (severity, text and fix come from it).
    fn run(kind: Kind, text: &str) -> HostState {
        assert!(Smartctl.kinds().contains(&kind), "own kind");
        crate::parse(kind, text)
    }
    fn ids(st: &HostState) -> Vec<&str> {
        st.checks.iter().map(|c| c.id.as_str()).collect()
    }

    #[test]
    fn nvme_passed_with_errors_seed_004() {
        assert_eq!(
            crate::recognise("smartctl-a-nvme0n1.txt", NVME_SEED),
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
            crate::recognise("sos_commands/ata/smartctl_-a_.dev.sda", ATA_SMR),
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
    fn truncated_text_mid_table() {
        let cut = &NVME_SEED[..NVME_SEED.find("Unsafe Shutdowns").unwrap()];
        let st = run(Kind::Smartctl, cut);
        assert_eq!(st.facts[0]["health"], "passed");
        assert!(st.facts[0].get("error_log_entries").is_none());
        assert!(st.checks.is_empty());
    }

    #[test]
    fn real_ata_disk_that_failed_its_verdict() {
        assert_eq!(
            crate::recognise("smartctl.txt", ATA_FAILED_FORUM),
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
    fn smartctl_wrapped_at_80_columns() {
        assert_eq!(
            crate::recognise("smartctl-a.txt", ATA_WRAPPED_80),
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

    #[test]
    fn smartctl_x_temperature_is_194_before_190() {
        let st = run(Kind::Smartctl, ATA_X_TWO_TEMPERATURES);
        let f = &st.facts[0];
        assert_eq!(f["temperature"], 34);
        assert_eq!(f["power_on_hours"], 2988);
        assert_eq!(f["health"], "passed");
        assert!(st.checks.is_empty(), "{:?}", ids(&st));
    }

    #[test]
    fn smartctl_device_without_smart() {
        assert_eq!(
            crate::recognise("sos_commands/ata/smartctl_-a_.dev.sdb", SCSI_NO_SMART),
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
