//! `sensors` (and `sensors -u`): a `temperature` fact per reading (junk
//! limits dropped); `cpu-hot` for CPU package/core sensors at their `high`
//! or hot, and `disk-thermal` for drive sensors (nvme-pci, drivetemp) near
//! theirs.

use rootline_model::FieldKind;
use serde_json::json;

use super::numbers::{void_name_hint, void_note};
use super::system_common::{self, is_prompt};
use super::{HostParser, Kind};
use crate::{Check, Cite, HostState};

/// CPU package/core temperature at which it counts as hot even when the chip
/// gives no `high` limit: most desktop/server CPUs throttle from 90–100 °C
/// and run below 80 °C under normal load.
const CPU_HOT_C: f64 = 85.0;
/// Sensor limits above this are junk (e.g. `high = +65261.8°C`).
const PLAUSIBLE_LIMIT_C: f64 = 150.0;
/// Degrees below a drive sensor's `high` from which it is "near" it.
const DRIVE_MARGIN_C: f64 = 5.0;

/// `sensors`.
pub(crate) struct Sensors;

impl HostParser for Sensors {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Sensors]
    }
    fn by_content(&self, rel_path: &str, sample: &str) -> Option<Kind> {
        if content_kind(sample).is_some() {
            return Some(Kind::Sensors);
        }
        let base = void_name_hint(rel_path, sample, system_common::name_may_decide)?;
        (base.starts_with("sensors")).then_some(Kind::Sensors)
    }
    fn parse(&self, _kind: Kind, text: &str) -> HostState {
        parse_sensors(text)
    }
}

/// `sensors`, by its `Adapter:` lines and temperatures.
pub(super) fn content_kind(sample: &str) -> Option<Kind> {
    let lines = system_common::head_lines(sample);
    (system_common::starts(&lines, "Adapter:")
        && (sample.contains("°C") || sample.contains("_input:") || sample.contains(" C ")))
    .then_some(Kind::Sensors)
}

#[derive(Debug, Clone)]
struct Reading {
    chip: String,
    adapter: Option<String>,
    label: String,
    value: f64,
    high: Option<f64>,
    crit: Option<f64>,
    cite: Cite,
}

/// `+91.0°C` / `+91.0 C` / `91.000` → 91.0; None when not a temperature.
fn temp_value(s: &str) -> Option<f64> {
    let s = s.trim();
    let s = s.strip_prefix('+').unwrap_or(s);
    let num: String = s
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | '-'))
        .collect();
    num.parse().ok()
}

fn is_temp(s: &str) -> bool {
    s.contains("°C")
        || s.contains("Â°C")
        || s.trim_end().ends_with(" C")
        || s.contains(" C ")
        || s.contains("C  (")
}

/// `(high = +80.0°C, crit = +100.0°C)` → (high, crit).
fn limits(s: &str, r: &mut Reading) {
    for part in s.split(['(', ')', ',']) {
        let Some((k, v)) = part.split_once('=') else {
            continue;
        };
        let k = k.trim();
        let v = temp_value(v);
        match k {
            "high" | "max" => r.high = r.high.or(v),
            "crit" => r.crit = r.crit.or(v),
            _ => {}
        }
    }
}

fn parse_sensors(text: &str) -> HostState {
    let mut st = HostState::default();
    let mut chip = String::new();
    let mut adapter = None;
    let mut readings: Vec<Reading> = Vec::new();
    let mut raw_label: Option<String> = None;
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        if t.is_empty() {
            raw_label = None;
            continue;
        }
        if is_prompt(l) {
            continue;
        }
        let indented = l.starts_with([' ', '\t']);
        if !indented && !t.contains(':') {
            chip = t.to_string();
            adapter = None;
            continue;
        }
        if let Some(a) = t.strip_prefix("Adapter:") {
            adapter = Some(a.trim().to_string());
            continue;
        }
        if indented && t.starts_with('(') {
            if let Some(last) = readings.last_mut() {
                limits(t, last);
            }
            continue;
        }
        // `sensors -u`: a label line `Core 0:` then `temp2_input: 45.000`.
        if indented && let Some((k, v)) = t.split_once(':') {
            let k = k.trim();
            if k.starts_with("temp") {
                let v = temp_value(v);
                if k.ends_with("_input")
                    && let Some(v) = v
                {
                    readings.push(Reading {
                        chip: chip.clone(),
                        adapter: adapter.clone(),
                        label: raw_label
                            .clone()
                            .unwrap_or_else(|| k.trim_end_matches("_input").to_string()),
                        value: v,
                        high: None,
                        crit: None,
                        cite: Cite::nth(i, l),
                    });
                } else if let Some(last) = readings.last_mut() {
                    if k.ends_with("_max") {
                        last.high = last.high.or(v);
                    } else if k.ends_with("_crit") {
                        last.crit = last.crit.or(v);
                    }
                }
            }
            continue;
        }
        let Some((label, rest)) = t.split_once(':') else {
            continue;
        };
        if rest.trim().is_empty() {
            raw_label = Some(label.trim().to_string());
            continue;
        }
        let value_part = rest.split('(').next().unwrap_or("");
        if !is_temp(value_part) && !is_temp(rest) {
            continue;
        }
        let Some(v) = temp_value(value_part) else {
            continue;
        };
        let mut r = Reading {
            chip: chip.clone(),
            adapter: adapter.clone(),
            label: label.trim().to_string(),
            value: v,
            high: None,
            crit: None,
            cite: Cite::nth(i, l),
        };
        limits(rest, &mut r);
        readings.push(r);
    }
    let plausible = |x: Option<f64>| x.filter(|v| *v > 0.0 && *v < PLAUSIBLE_LIMIT_C);
    for r in &readings {
        st.facts.push(json!({
            "type": "temperature",
            "line": r.cite.line,
            "chip": r.chip,
            "adapter": r.adapter,
            "label": r.label,
            "value": r.value,
            "high": plausible(r.high),
            "crit": plausible(r.crit),
        }));
    }
    // cpu-hot
    let is_cpu = |r: &Reading| {
        let c = r.chip.to_ascii_lowercase();
        let l = r.label.to_ascii_lowercase();
        c.starts_with("coretemp")
            || c.starts_with("k10temp")
            || c.starts_with("zenpower")
            || c.starts_with("cpu_thermal")
            || l.starts_with("package")
            || l.starts_with("core ")
            || l.starts_with("tctl")
            || l.starts_with("tdie")
            || l.starts_with("cpu")
    };
    let hot: Vec<&Reading> = readings
        .iter()
        .filter(|r| is_cpu(r))
        .filter(|r| plausible(r.high).is_some_and(|h| r.value >= h) || r.value >= CPU_HOT_C)
        .collect();
    if !hot.is_empty() {
        let maxr = hot
            .iter()
            .copied()
            .fold(hot[0], |a, b| if b.value > a.value { b } else { a });
        let at_crit = hot
            .iter()
            .any(|r| plausible(r.crit).is_some_and(|c| r.value >= c));
        let mut c = Check::raise(crate::id::CPU_HOT);
        c.flag("critical", at_crit);
        c.bind("sensor", &maxr.label);
        c.bind("hot_sensors", hot.len());
        if let Some(h) = plausible(maxr.high) {
            c.bind("high", format!("{h:.0}"));
        }
        c.add_field("chip", &maxr.chip, FieldKind::Text);
        c.add_field("max_temp_c", format!("{:.0}", maxr.value), FieldKind::Int);
        // Package first, then the hottest.
        let mut ev: Vec<&Reading> = hot.clone();
        ev.sort_by(|a, b| {
            let pa = a.label.to_ascii_lowercase().starts_with("package");
            let pb = b.label.to_ascii_lowercase().starts_with("package");
            pb.cmp(&pa).then(b.value.total_cmp(&a.value))
        });
        for r in ev.iter().take(6) {
            c.add_cite(&r.cite);
        }
        st.checks.push(c);
    }
    // disk-thermal from drive sensors (nvme-pci-*, drivetemp-*).
    for r in &readings {
        let c0 = r.chip.to_ascii_lowercase();
        if !(c0.starts_with("nvme") || c0.starts_with("drivetemp")) {
            continue;
        }
        let Some(h) = plausible(r.high) else {
            continue;
        };
        if r.value < h - DRIVE_MARGIN_C {
            continue;
        }
        // The check book's sensors variant of disk-thermal (the chip is
        // bound; the drive behind it is not known).
        let mut c = Check::raise(crate::id::DISK_THERMAL);
        c.add_field("chip", &r.chip, FieldKind::Text);
        c.bind("sensor", &r.label);
        c.bind("temperature", format!("{:.0}", r.value));
        c.bind("high", format!("{h:.0}"));
        c.add_cite(&r.cite);
        st.checks.push(c);
    }
    if readings.is_empty() {
        st.notes
            .push(void_note(text).unwrap_or_else(|| "no temperature reading found".into()));
    }
    st
}

#[cfg(test)]
mod tests {
    use super::*;
    use rootline_model::Severity;

    const SENSORS_HOT: &str = include_str!("../../tests/captures/sensors/sensors.txt");
    const SENSORS_U: &str = include_str!("../../tests/captures/sensors/sensors_-u");

    /// Parsed as this parser's kind, and rendered with the shipped check
    /// book (severity, text and fix come from it).
    fn run(kind: Kind, text: &str) -> HostState {
        assert!(Sensors.kinds().contains(&kind), "own kind");
        crate::parse(kind, text)
    }
    fn ids(st: &HostState) -> Vec<&str> {
        st.checks.iter().map(|c| c.id.as_str()).collect()
    }

    #[test]
    fn sensors_hot_cpu_seed_004() {
        assert_eq!(
            crate::recognise("sensors.txt", SENSORS_HOT),
            Some(Kind::Sensors)
        );
        let st = run(Kind::Sensors, SENSORS_HOT);
        let nvme = st.facts.iter().find(|f| f["label"] == "Composite").unwrap();
        assert_eq!(nvme["crit"], 84.8);
        assert_eq!(nvme["high"], 83.8);
        let s1 = st.facts.iter().find(|f| f["label"] == "Sensor 1").unwrap();
        assert!(s1["high"].is_null(), "junk limit dropped");
        assert_eq!(ids(&st), vec!["cpu-hot"]);
        let c = &st.checks[0];
        assert_eq!(c.severity, Severity::Warning);
        assert!(c.evidence[0].text.starts_with("Package id 0:"));
        assert!(c.en.contains("91"));
        let st = run(Kind::Sensors, SENSORS_U);
        assert_eq!(ids(&st), vec!["cpu-hot"]);
        assert_eq!(st.facts[0]["label"], "Package id 0");
        assert_eq!(st.facts[0]["high"], 80.0);
    }
}
