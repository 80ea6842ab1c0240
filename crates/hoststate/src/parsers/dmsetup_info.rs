//! `dmsetup info -c` and `dmsetup info` (long form): a `dm-device` fact per
//! map (device number, state, open count, UUID and the WWID or subsystem it
//! names); checks `dm-unused-open-zero` (a multipath map nobody holds) and
//! `dm-map-suspended`.

use rootline_model::FieldKind;
use serde_json::{Map, Value, json};

use super::block_common::{
    add_cite, add_field, base_name, dm_suspended_check, meaningful_lines, read, set,
};
use super::{HostParser, Kind};
use crate::{Check, HostState};

/// `dmsetup info`, columns (`-c`) or long form.
pub(crate) struct DmsetupInfo;

impl HostParser for DmsetupInfo {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::DmsetupInfo]
    }

    fn by_content(&self, _rel_path: &str, sample: &str) -> Option<Kind> {
        let lines = meaningful_lines(sample);
        let first = *lines.first()?;
        let ft = first.trim_start();
        let head: Vec<&str> = ft.split_whitespace().collect();
        if head.first() == Some(&"Name") && head.contains(&"Maj") && head.contains(&"Open") {
            return Some(Kind::DmsetupInfo);
        }
        // dmsetup info (long form)
        if sample.contains("Open count:") && lines.iter().any(|l| l.starts_with("Name:")) {
            return Some(Kind::DmsetupInfo);
        }
        None
    }

    fn by_name(&self, rel_path: &str) -> Option<Kind> {
        base_name(rel_path)
            .starts_with("dmsetup_info")
            .then_some(Kind::DmsetupInfo)
    }

    fn parse(&self, _kind: Kind, text: &str) -> HostState {
        read(text, |lines, _, st| parse_dmsetup_info(lines, st))
    }
}

struct DmInfo {
    line: u64,
    text: String,
    lines: Vec<(u64, String)>,
    name: String,
    major: String,
    minor: String,
    stat: String,
    suspended: bool,
    open: Option<u64>,
    targets: String,
    events: String,
    uuid: String,
}

fn dm_info_fact(d: &DmInfo) -> Value {
    let mut f = Map::new();
    f.insert("type".into(), json!("dm-device"));
    f.insert("line".into(), json!(d.line));
    set(&mut f, "name", &d.name);
    if !d.major.is_empty() && !d.minor.is_empty() {
        set(&mut f, "devnum", &format!("{}:{}", d.major, d.minor));
        if d.major == "253" || d.major == "252" || d.major == "254" {
            set(&mut f, "device", &format!("dm-{}", d.minor));
        }
    }
    set(&mut f, "stat", &d.stat);
    f.insert("suspended".into(), json!(d.suspended));
    if let Some(o) = d.open {
        f.insert("open".into(), json!(o));
    }
    set(&mut f, "targets", &d.targets);
    set(&mut f, "events", &d.events);
    set(&mut f, "uuid", &d.uuid);
    let (sub, wwid) = dm_uuid_kind(&d.uuid);
    set(&mut f, "subsystem", sub);
    if let Some(w) = wwid {
        set(&mut f, "wwid", w);
    }
    Value::Object(f)
}

/// `mpath-<wwid>` → ("mpath", wwid); `part1-mpath-<wwid>` → ("part", wwid);
/// `LVM-…` → ("LVM", None); `CRYPT-…` → ("CRYPT", None).
fn dm_uuid_kind(uuid: &str) -> (&str, Option<&str>) {
    if let Some(w) = uuid.strip_prefix("mpath-") {
        return ("mpath", Some(w));
    }
    if uuid.starts_with("part")
        && let Some(i) = uuid.find("-mpath-")
    {
        return ("part", Some(&uuid[i + 7..]));
    }
    match uuid.split_once('-') {
        Some((p, _)) if !p.is_empty() => (p, None),
        _ => ("", None),
    }
}

fn dm_info_checks(d: &DmInfo, st: &mut HostState) {
    let (sub, wwid) = dm_uuid_kind(&d.uuid);
    let devnum = if d.major.is_empty() {
        String::new()
    } else {
        format!("{}:{}", d.major, d.minor)
    };
    let dmdev = if d.major == "253" {
        format!("dm-{}", d.minor)
    } else {
        String::new()
    };
    if sub == "mpath" && d.open == Some(0) {
        let mut c = Check::raise(crate::id::DM_UNUSED_OPEN_ZERO);
        add_field(&mut c, "map", &d.name, FieldKind::Map);
        if let Some(w) = wwid {
            add_field(&mut c, "wwid", w, FieldKind::Wwid);
        }
        add_field(&mut c, "devnum", &devnum, FieldKind::DevNum);
        add_field(&mut c, "device", &dmdev, FieldKind::Device);
        for (n, t) in &d.lines {
            add_cite(&mut c, *n, t);
        }
        st.checks.push(c);
    }
    if d.suspended {
        let mut c = dm_suspended_check(&d.name, wwid, &devnum, &dmdev);
        for (n, t) in &d.lines {
            add_cite(&mut c, *n, t);
        }
        st.checks.push(c);
    }
}

fn parse_dmsetup_info(lines: &[(u64, &str)], st: &mut HostState) {
    let mut infos: Vec<DmInfo> = Vec::new();
    let columnar = lines
        .iter()
        .find(|(_, l)| !l.trim().is_empty())
        .is_some_and(|(_, l)| l.trim_start().starts_with("Name ") && l.contains("Open"));
    if columnar {
        let hi = lines
            .iter()
            .position(|(_, l)| l.trim_start().starts_with("Name "))
            .unwrap_or(0);
        let (hn, hl) = lines[hi];
        let names: Vec<String> = hl
            .split_whitespace()
            .map(|t| t.to_ascii_lowercase())
            .collect();
        for &(n, l) in &lines[hi + 1..] {
            let t: Vec<&str> = l.split_whitespace().collect();
            if t.len() < 2 {
                continue;
            }
            let get = |k: &str| {
                names
                    .iter()
                    .position(|x| x == k)
                    .and_then(|i| t.get(i))
                    .map(|s| s.to_string())
                    .unwrap_or_default()
            };
            let stat = get("stat");
            infos.push(DmInfo {
                line: n,
                text: l.to_string(),
                lines: vec![(hn, hl.to_string()), (n, l.to_string())],
                name: get("name"),
                major: get("maj"),
                minor: get("min"),
                suspended: stat.contains('s'),
                stat,
                open: get("open").parse().ok(),
                targets: get("targ"),
                events: get("event"),
                uuid: get("uuid"),
            });
        }
    } else {
        let mut cur: Option<DmInfo> = None;
        for &(n, l) in lines {
            let Some((k, v)) = l.split_once(':') else {
                continue;
            };
            let v = v.trim();
            if k == "Name" {
                if let Some(d) = cur.take() {
                    infos.push(d);
                }
                cur = Some(DmInfo {
                    line: n,
                    text: l.to_string(),
                    lines: vec![(n, l.to_string())],
                    name: v.to_string(),
                    major: String::new(),
                    minor: String::new(),
                    stat: String::new(),
                    suspended: false,
                    open: None,
                    targets: String::new(),
                    events: String::new(),
                    uuid: String::new(),
                });
                continue;
            }
            let Some(d) = cur.as_mut() else { continue };
            match k.trim() {
                "State" => {
                    d.stat = v.to_string();
                    d.suspended = v.contains("SUSPENDED");
                    d.lines.push((n, l.to_string()));
                }
                "Open count" => {
                    d.open = v.parse().ok();
                    d.lines.push((n, l.to_string()));
                }
                "Major, minor" => {
                    if let Some((a, b)) = v.split_once(',') {
                        d.major = a.trim().to_string();
                        d.minor = b.trim().to_string();
                    }
                }
                "Number of targets" => d.targets = v.to_string(),
                "Event number" => d.events = v.to_string(),
                "UUID" => d.uuid = v.to_string(),
                _ => {}
            }
        }
        if let Some(d) = cur.take() {
            infos.push(d);
        }
    }
    for d in &infos {
        let _ = &d.text;
        st.facts.push(dm_info_fact(d));
        dm_info_checks(d, st);
    }
    if infos.is_empty() && lines.iter().any(|(_, l)| l.contains("No devices found")) {
        st.notes.push("dmsetup: no devices".to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::super::block_common::testing::{find, has_field, recognise, run};
    use super::*;
    use rootline_model::Severity;

    const DM_INFO_C: &str = include_str!("../../tests/captures/dmsetup-info/dmsetup_info_-c");
    const DM_INFO_LONG: &str = include_str!("../../tests/captures/dmsetup-info/dmsetup_info");

    #[test]
    fn recognised_by_content() {
        for text in [DM_INFO_C, DM_INFO_LONG] {
            assert_eq!(recognise("x", text), Some(Kind::DmsetupInfo), "{text}");
        }
    }

    #[test]
    fn dmsetup_info_forms() {
        let st = run(Kind::DmsetupInfo, DM_INFO_C);
        assert_eq!(st.facts.len(), 4);
        assert_eq!(st.facts[0]["wwid"], "3600a098038304437522b4d3671673651");
        assert_eq!(st.facts[0]["devnum"], "253:7");
        assert_eq!(st.facts[1]["subsystem"], "part");
        assert_eq!(st.facts[3]["subsystem"], "LVM");
        let c = find(&st, "dm-unused-open-zero", "mpathz");
        assert_eq!(c.severity, Severity::Info);
        assert!(has_field(c, "device", "dm-7") && has_field(c, "devnum", "253:7"));
        assert!(
            c.fix
                .iter()
                .any(|f| f.command.as_deref() == Some("multipath -f mpathz"))
        );
        // Partitions and LVs with open 0 are not flagged.
        assert_eq!(
            st.checks
                .iter()
                .filter(|c| c.id == "dm-unused-open-zero")
                .count(),
            1
        );
        find(&st, "dm-map-suspended", "mpathy");

        let st = run(Kind::DmsetupInfo, DM_INFO_LONG);
        assert_eq!(st.facts.len(), 2);
        assert_eq!(st.facts[0]["open"], 0);
        assert_eq!(st.facts[0]["suspended"], true);
        find(&st, "dm-unused-open-zero", "mpathz");
        find(&st, "dm-map-suspended", "mpathz");
    }
}
