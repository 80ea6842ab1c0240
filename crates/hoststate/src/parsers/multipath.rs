//! `multipath -ll` (and `multipath -v4 -ll`, RHEL 5's bracketed format,
//! `multipathd show topology`): a `multipath-map` fact per map, with its
//! path groups and paths; checks `multipath-map-no-active-path`,
//! `multipath-queue-unbounded`, `multipath-map-degraded`,
//! `scsi-device-offline`.

use rootline_model::FieldKind;
use serde_json::{Map, Value, json};

use super::block_common::{
    MpPath, PathRef, add_cite, add_field, add_map_fields, base_name, is_devnum, is_dm_name,
    is_hctl, is_mp_message, is_offline, looks_wwid, meaningful_lines, no_active_path_check,
    queue_unbounded_check, read, scsi_offline_check, set,
};
use super::{HostParser, Kind};
use crate::{Check, HostState};

/// `multipath -ll` and the listings that print its format.
pub(crate) struct Multipath;

impl HostParser for Multipath {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::MultipathLl]
    }

    fn by_content(&self, rel_path: &str, sample: &str) -> Option<Kind> {
        let lines = meaningful_lines(sample);
        let first = *lines.first()?;
        if lines.iter().any(|l| {
            let t = l.trim_start();
            (t.starts_with("size=") && t.contains("features="))
                || t.contains("policy='")
                || t.contains("[features=")
        }) {
            return Some(Kind::MultipathLl);
        }
        if lines
            .iter()
            .take(3)
            .any(|l| mp_header(l).is_some_and(|h| h.wwid.is_some() && h.dm.is_some()))
        {
            return Some(Kind::MultipathLl);
        }
        // multipath messages only (a healthy host without maps)
        if is_mp_message(first) {
            let b = base_name(rel_path);
            if b.starts_with("multipath_") && (b.ends_with("-ll") || b.ends_with("-l")) {
                return Some(Kind::MultipathLl);
            }
            if sample.contains("pathvec")
                || sample.contains("HDIO_GETGEO")
                || sample.contains("checker")
            {
                return Some(Kind::MultipathLl);
            }
        }
        None
    }

    fn by_name(&self, rel_path: &str) -> Option<Kind> {
        let b = base_name(rel_path);
        let b = b.as_str();
        if b.starts_with("multipathd") {
            // `show maps` / `show paths` (multipathd's tables) were claimed
            // by its parser, registered before this one.
            if b.contains("show_topology") {
                return Some(Kind::MultipathLl);
            }
            return None;
        }
        if b.starts_with("multipath_") && (b.ends_with("-ll") || b.ends_with("-l")) {
            return Some(Kind::MultipathLl);
        }
        // sos names a command by its words joined with `_` (`multipath_-v4_-ll`);
        // a saved copy may add to the name (`multipath_-ll.txt`,
        // `multipath_-ll__node3.txt`): a `-ll` / `-l` word still names the listing.
        let words: Vec<&str> = b.split(['_', '.']).collect();
        if words.first() == Some(&"multipath") && words.iter().any(|w| *w == "-ll" || *w == "-l") {
            return Some(Kind::MultipathLl);
        }
        None
    }

    fn parse(&self, _kind: Kind, text: &str) -> HostState {
        read(text, parse_multipath_ll)
    }
}

/// A map with some failed paths and some usable ones (`multipath -ll`).
fn degraded_map_check(
    map: &str,
    wwid: Option<&str>,
    dm: Option<&str>,
    failed: &[&MpPath],
    total: usize,
) -> Check {
    let names: Vec<String> = failed
        .iter()
        .map(|p| {
            let state = [&p.dm_st, &p.chk_st, &p.dev_st]
                .iter()
                .filter_map(|s| s.as_deref())
                .collect::<Vec<_>>()
                .join(" ");
            format!("{} {state}", p.dev.as_deref().unwrap_or(p.hctl.as_str()))
        })
        .collect();
    let mut c = Check::raise(crate::id::MULTIPATH_MAP_DEGRADED);
    add_map_fields(
        &mut c,
        map,
        wwid,
        dm,
        failed
            .iter()
            .map(|p| (p.dev.as_deref(), p.devnum.as_deref())),
    );
    c.bind("failed", failed.len());
    c.bind("total", total);
    c.bind("failed_paths", names.join(", "));
    c
}

struct MpHeader {
    action: Option<String>,
    name: String,
    wwid: Option<String>,
    dm: Option<String>,
    vendor_product: Option<String>,
    /// Old (RHEL 5) format keeps `[size=…][features=…]` on the header line.
    inline_attrs: Option<String>,
}

fn mp_header(line: &str) -> Option<MpHeader> {
    if line.is_empty() || line.starts_with(|c: char| c.is_whitespace() || "|`\\[".contains(c)) {
        return None;
    }
    if line.starts_with("size=") || line.contains("policy=") || is_mp_message(line) {
        return None;
    }
    let (action, rest) = match line.split_once(": ") {
        Some((a, r)) if !a.is_empty() && a.chars().all(|c| c.is_ascii_lowercase()) => {
            (Some(a.to_string()), r)
        }
        _ => (None, line),
    };
    let (main, inline_attrs) = match rest.find('[') {
        Some(i) if rest[i..].contains("size=") => (&rest[..i], Some(rest[i..].to_string())),
        _ => (rest, None),
    };
    let t: Vec<&str> = main.split_whitespace().collect();
    let name = *t.first()?;
    let mut i = 1;
    let mut wwid = None;
    if let Some(w) = t
        .get(1)
        .and_then(|s| s.strip_prefix('('))
        .and_then(|s| s.strip_suffix(')'))
    {
        wwid = Some(w.to_string());
        i = 2;
    }
    let mut dm = None;
    if let Some(d) = t.get(i).filter(|s| is_dm_name(s)) {
        dm = Some(d.to_string());
        i += 1;
    }
    if wwid.is_none() && dm.is_none() && inline_attrs.is_none() {
        return None;
    }
    if wwid.is_none() && looks_wwid(name) {
        wwid = Some(name.to_string());
    }
    let vp = t.get(i..).map(|r| r.join(" ")).filter(|s| !s.is_empty());
    Some(MpHeader {
        action,
        name: name.to_string(),
        wwid,
        dm,
        vendor_product: vp,
        inline_attrs,
    })
}

/// `key='quoted value' key=value` and `[key=value][flag]` attributes.
fn kv_attrs(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if s.trim_start().starts_with('[') {
        for part in s.split(['[', ']']) {
            let p = part.trim();
            if p.is_empty() {
                continue;
            }
            match p.split_once('=') {
                Some((k, v)) => out.push((
                    k.trim().to_string(),
                    v.trim().trim_matches(['"', '\'']).to_string(),
                )),
                None => out.push((p.to_string(), String::new())),
            }
        }
        return out;
    }
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let ks = i;
        while i < b.len() && b[i] != b'=' && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        let key = &s[ks..i];
        if i >= b.len() || b[i] != b'=' {
            if !key.is_empty() {
                out.push((key.to_string(), String::new()));
            }
            continue;
        }
        i += 1;
        let val;
        if i < b.len() && (b[i] == b'\'' || b[i] == b'"') {
            let q = b[i];
            let vs = i + 1;
            let mut j = vs;
            while j < b.len() && b[j] != q {
                j += 1;
            }
            val = &s[vs..j.min(b.len())];
            i = (j + 1).min(b.len());
        } else {
            let vs = i;
            while i < b.len() && !b[i].is_ascii_whitespace() {
                i += 1;
            }
            val = &s[vs..i];
        }
        out.push((key.to_string(), val.to_string()));
    }
    out
}

const CHK_STATES: &[&str] = &[
    "ready",
    "faulty",
    "shaky",
    "ghost",
    "i/o pending",
    "delayed",
    "undef",
    "i/o timeout",
    "wild",
    "unchecked",
    "removed",
    "disconnected",
];

/// Parse a path line after the tree characters: `3:0:0:1 sdc 8:32 active ready running`.
fn mp_path(line_no: u64, line: &str, group: usize) -> Option<MpPath> {
    let body = line.trim_start_matches(|c: char| c.is_whitespace() || "|`-+\\_".contains(c));
    let raw: Vec<&str> = body.split_whitespace().collect();
    if !raw.first().is_some_and(|t| is_hctl(t)) {
        return None;
    }
    let mut p = MpPath {
        line: line_no,
        text: line.to_string(),
        hctl: raw[0].to_string(),
        group,
        ..Default::default()
    };
    let mut i = 1;
    if let Some(d) = raw.get(i).filter(|d| !is_devnum(d) && !d.starts_with('[')) {
        if *d != "-" {
            p.dev = Some(d.to_string());
        }
        i += 1;
    }
    if let Some(d) = raw.get(i).filter(|d| is_devnum(d) || d.contains('#')) {
        if is_devnum(d) {
            p.devnum = Some(d.to_string());
        }
        i += 1;
    }
    let rest = raw.get(i..).unwrap_or(&[]).join(" ");
    if rest.contains('[') {
        // Old format: [active][ready] or [failed][faulty]
        for w in rest
            .split(['[', ']'])
            .map(str::trim)
            .filter(|w| !w.is_empty())
        {
            match w {
                "active" | "failed" if p.dm_st.is_none() => p.dm_st = Some(w.to_string()),
                w if CHK_STATES.contains(&w) && p.chk_st.is_none() => {
                    p.chk_st = Some(w.to_string())
                }
                w if p.dev_st.is_none() => p.dev_st = Some(w.to_string()),
                _ => {}
            }
        }
    } else {
        let mut words: Vec<String> = Vec::new();
        let toks: Vec<&str> = rest.split_whitespace().collect();
        let mut j = 0;
        while j < toks.len() {
            if toks[j] == "i/o" && j + 1 < toks.len() {
                words.push(format!("i/o {}", toks[j + 1]));
                j += 2;
            } else {
                words.push(toks[j].to_string());
                j += 1;
            }
        }
        let mut it = words.into_iter();
        p.dm_st = it.next();
        p.chk_st = it.next();
        p.dev_st = it.next();
    }
    Some(p)
}

struct MpMap {
    line: u64,
    header_text: String,
    h: MpHeader,
    attrs: Vec<(String, String)>,
    attr_line: Option<(u64, String)>,
    groups: Vec<Value>,
    paths: Vec<MpPath>,
}

impl MpMap {
    fn attr(&self, k: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(a, _)| a == k)
            .map(|(_, v)| v.as_str())
    }
    fn queueing(&self) -> bool {
        self.attr("features")
            .is_some_and(|f| f.contains("queue_if_no_path"))
    }
}

fn parse_multipath_ll(lines: &[(u64, &str)], truncated: bool, st: &mut HostState) {
    let mut maps: Vec<MpMap> = Vec::new();
    let mut messages: Vec<(u64, &str)> = Vec::new();
    for &(n, l) in lines {
        if l.trim().is_empty() {
            continue;
        }
        if is_mp_message(l) {
            messages.push((n, l));
            continue;
        }
        if let Some(h) = mp_header(l) {
            let attrs = h.inline_attrs.as_deref().map(kv_attrs).unwrap_or_default();
            let attr_line = h.inline_attrs.as_ref().map(|_| (n, l.to_string()));
            maps.push(MpMap {
                line: n,
                header_text: l.to_string(),
                h,
                attrs,
                attr_line,
                groups: Vec::new(),
                paths: Vec::new(),
            });
            continue;
        }
        let Some(m) = maps.last_mut() else {
            continue;
        };
        let t = l.trim_start();
        if t.starts_with("size=") || (t.starts_with("[size=") && m.attrs.is_empty()) {
            m.attrs = kv_attrs(t);
            m.attr_line = Some((n, l.to_string()));
            continue;
        }
        if let Some(p) = mp_path(n, l, m.groups.len().saturating_sub(1)) {
            m.paths.push(p);
            continue;
        }
        let body = t.trim_start_matches(|c: char| c.is_whitespace() || "|`-+\\_".contains(c));
        if t.contains("policy=") || t.contains("prio=") || body.contains("[prio=") {
            let mut g = Map::new();
            g.insert("line".into(), json!(n));
            if body.contains("policy=") {
                for (k, v) in kv_attrs(body) {
                    set(&mut g, &k, &v);
                }
            } else {
                // Old: `round-robin 0 [prio=1][active]`
                let (pol, rest) = body.split_once('[').unwrap_or((body, ""));
                set(&mut g, "policy", pol.trim());
                for (k, v) in kv_attrs(&format!("[{rest}")) {
                    if v.is_empty() {
                        set(&mut g, "status", &k);
                    } else {
                        set(&mut g, &k, &v);
                    }
                }
            }
            m.groups.push(Value::Object(g));
        }
    }
    if maps.is_empty() {
        if !messages.is_empty() {
            st.notes.push(format!(
                "no multipath maps; {} multipath message line(s), e.g. line {}: {}",
                messages.len(),
                messages[0].0,
                messages[0].1.trim()
            ));
        } else if lines.iter().any(|(_, l)| !l.trim().is_empty()) {
            st.notes.push("no multipath maps found".to_string());
        }
    }
    let nmaps = maps.len();
    for (mi, m) in maps.iter().enumerate() {
        let (vendor, product) = match m.h.vendor_product.as_deref() {
            Some(vp) => match vp.split_once(',') {
                Some((v, p)) => (v.to_string(), p.to_string()),
                None => (vp.to_string(), String::new()),
            },
            None => (String::new(), String::new()),
        };
        let active = m.paths.iter().filter(|p| p.usable()).count();
        let mut f = Map::new();
        f.insert("type".into(), json!("multipath-map"));
        f.insert("line".into(), json!(m.line));
        set(&mut f, "name", &m.h.name);
        if let Some(w) = &m.h.wwid {
            set(&mut f, "wwid", w);
        }
        if let Some(d) = &m.h.dm {
            set(&mut f, "dm", d);
        }
        if let Some(a) = &m.h.action {
            set(&mut f, "action", a);
        }
        set(&mut f, "vendor", vendor.trim());
        set(&mut f, "product", product.trim());
        for k in ["size", "features", "hwhandler", "wp"] {
            if let Some(v) = m.attr(k) {
                set(&mut f, k, v);
            }
        }
        f.insert("queue_if_no_path".into(), json!(m.queueing()));
        f.insert("path_groups".into(), Value::Array(m.groups.clone()));
        let paths: Vec<Value> = m
            .paths
            .iter()
            .map(|p| {
                let mut o = Map::new();
                o.insert("line".into(), json!(p.line));
                set(&mut o, "hctl", &p.hctl);
                set(&mut o, "device", p.dev.as_deref().unwrap_or(""));
                set(&mut o, "devnum", p.devnum.as_deref().unwrap_or(""));
                set(&mut o, "dm_state", p.dm_st.as_deref().unwrap_or(""));
                set(&mut o, "checker_state", p.chk_st.as_deref().unwrap_or(""));
                set(&mut o, "online_state", p.dev_st.as_deref().unwrap_or(""));
                o.insert("group".into(), json!(p.group));
                o.insert("usable".into(), json!(p.usable()));
                Value::Object(o)
            })
            .collect();
        f.insert("paths".into(), Value::Array(paths));
        f.insert("active_paths".into(), json!(active));
        st.facts.push(Value::Object(f));

        // A map cut by truncation may simply have lost its path lines.
        let cut = truncated && mi + 1 == nmaps && m.paths.is_empty();
        if active == 0 && !cut {
            let refs: Vec<PathRef> = m
                .paths
                .iter()
                .map(|p| PathRef {
                    dev: p.dev.clone(),
                    devnum: p.devnum.clone(),
                })
                .collect();
            let mut c = no_active_path_check(
                &m.h.name,
                m.h.wwid.as_deref(),
                m.h.dm.as_deref(),
                &refs,
                m.queueing(),
                "multipath -ll",
            );
            add_cite(&mut c, m.line, &m.header_text);
            if let Some((n, t)) = &m.attr_line {
                add_cite(&mut c, *n, t);
            }
            for p in &m.paths {
                add_cite(&mut c, p.line, &p.text);
            }
            st.checks.push(c);
            if m.queueing() {
                let mut q = queue_unbounded_check(
                    &m.h.name,
                    m.h.wwid.as_deref(),
                    m.h.dm.as_deref(),
                    "multipath -ll",
                );
                add_cite(&mut q, m.line, &m.header_text);
                if let Some((n, t)) = &m.attr_line {
                    add_cite(&mut q, *n, t);
                }
                st.checks.push(q);
            }
        } else if m.paths.iter().any(|p| !p.usable()) {
            // Some paths failed, others carry the I/O: redundancy is gone
            // and the transport behind the failed ones is down — the start
            // (or the residue) of a path loss.
            let failed: Vec<&MpPath> = m.paths.iter().filter(|p| !p.usable()).collect();
            let mut c = degraded_map_check(
                &m.h.name,
                m.h.wwid.as_deref(),
                m.h.dm.as_deref(),
                &failed,
                m.paths.len(),
            );
            add_cite(&mut c, m.line, &m.header_text);
            for p in &failed {
                add_cite(&mut c, p.line, &p.text);
            }
            st.checks.push(c);
        }
        for p in &m.paths {
            if let (Some(dev), Some(s)) = (&p.dev, &p.dev_st)
                && is_offline(s)
            {
                let mut c = scsi_offline_check(dev, s, p.devnum.as_deref(), "multipath -ll");
                add_field(&mut c, "map", &m.h.name, FieldKind::Map);
                add_cite(&mut c, p.line, &p.text);
                st.checks.push(c);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::block_common::testing::{find, has_field, ids, recognise, run};
    use super::*;
    use rootline_model::Severity;

    // RHEL 6 DM Multipath guide: a map named by its WWID, two path groups.
    const MP_WWID_NAMED: &str =
        include_str!("../../tests/captures/multipath-ll/multipath_-ll__rhel6-guide-wwid-named");
    // Alias + NetApp ALUA, one group degraded, one path i/o pending.
    const MP_ALIAS_DEGRADED: &str =
        include_str!("../../tests/captures/multipath-ll/multipath_-ll__netapp-alua-degraded");
    // All paths gone, queueing, unknown devices (`#:#:#:# - #:#`).
    const MP_ALL_FAILED_QUEUE: &str =
        include_str!("../../tests/captures/multipath-ll/multipath_-ll__ibm-all-failed-queueing");
    // RHEL 5 style.
    const MP_OLD: &str = include_str!("../../tests/captures/multipath-ll/multipath_-ll__rhel5");

    #[test]
    fn recognised_by_content() {
        for (name, text) in [
            ("multipath_-ll", MP_WWID_NAMED),
            ("notes.txt", MP_ALIAS_DEGRADED),
            ("x", MP_ALL_FAILED_QUEUE),
            ("x", MP_OLD),
        ] {
            assert_eq!(recognise(name, text), Some(Kind::MultipathLl), "{text}");
        }
    }

    #[test]
    fn wwid_named_map_is_healthy() {
        let st = run(Kind::MultipathLl, MP_WWID_NAMED);
        assert!(st.checks.is_empty(), "{:#?}", st.checks);
        let f = &st.facts[0];
        assert_eq!(f["name"], "3600d0230000000000e13955cc3757800");
        assert_eq!(f["wwid"], "3600d0230000000000e13955cc3757800");
        assert_eq!(f["dm"], "dm-1");
        assert_eq!(f["vendor"], "WINSYS");
        assert_eq!(f["path_groups"].as_array().unwrap().len(), 2);
        assert_eq!(f["paths"][1]["device"], "sdf");
        assert_eq!(f["paths"][1]["group"], 1);
        assert_eq!(f["active_paths"], 2);
    }

    #[test]
    fn alias_map_degraded_but_alive() {
        let st = run(Kind::MultipathLl, MP_ALIAS_DEGRADED);
        let f = &st.facts[0];
        assert_eq!(f["name"], "mpathb");
        assert_eq!(f["product"], "LUN C-Mode");
        assert_eq!(f["queue_if_no_path"], true);
        assert_eq!(f["paths"][1]["checker_state"], "i/o pending");
        assert_eq!(f["paths"][1]["online_state"], "running");
        assert_eq!(f["active_paths"], 2);
        // Still has active paths: the map is degraded (a warning, not "no
        // active path"), and the offline SCSI device is reported.
        assert_eq!(
            ids(&st),
            vec!["multipath-map-degraded", "scsi-device-offline"]
        );
        let d = &st.checks[0];
        assert_eq!(d.severity, Severity::Warning);
        assert!(has_field(d, "map", "mpathb") && has_field(d, "device", "sdi"));
        let c = &st.checks[1];
        assert!(has_field(c, "device", "sdi") && has_field(c, "devnum", "8:128"));
        assert_eq!(c.evidence[0].line, 8);
    }

    #[test]
    fn all_failed_and_queueing() {
        let st = run(Kind::MultipathLl, MP_ALL_FAILED_QUEUE);
        let c = find(&st, "multipath-map-no-active-path", "mpathd");
        assert_eq!(c.severity, Severity::Error);
        assert!(has_field(c, "wwid", "36005076801810523a800000000000123"));
        assert!(has_field(c, "device", "sdk") && has_field(c, "device", "dm-5"));
        assert!(!c.fields.iter().any(|(_, v, _)| v.contains('#')));
        assert_eq!(
            c.evidence.iter().map(|e| e.line).collect::<Vec<_>>(),
            vec![1, 2, 4, 5, 7]
        );
        let cmds: Vec<&str> = c.fix.iter().filter_map(|f| f.command.as_deref()).collect();
        assert_eq!(
            cmds,
            vec![
                "multipath -ll mpathd",
                "openstack volume list --long | grep 36005076801810523a800000000000123",
                "multipathd disablequeueing map mpathd",
                "dmsetup info -c mpathd",
                "multipath -f mpathd",
                "echo 1 > /sys/block/sdk/device/delete",
                "echo 1 > /sys/block/sdm/device/delete",
            ]
        );
        let q = find(&st, "multipath-queue-unbounded", "mpathd");
        assert_eq!(q.severity, Severity::Warning);
        assert!(
            q.fix
                .iter()
                .any(|f| f.command.as_deref() == Some("multipathd disablequeueing map mpathd"))
        );
        assert!(!q.en.is_empty() && !q.ko.is_empty());
    }

    #[test]
    fn old_format() {
        let st = run(Kind::MultipathLl, MP_OLD);
        let f = &st.facts[0];
        assert_eq!(f["name"], "mpath1");
        assert_eq!(f["size"], "10 GB");
        assert_eq!(f["paths"][0]["dm_state"], "active");
        assert_eq!(f["paths"][1]["checker_state"], "faulty");
        assert_eq!(f["path_groups"][1]["status"], "enabled");
        // One of two paths failed/faulty: degraded, nothing worse.
        assert_eq!(ids(&st), vec!["multipath-map-degraded"], "{:#?}", st.checks);
        assert!(has_field(&st.checks[0], "device", "sdc"));
    }

    #[test]
    fn truncated_last_map_is_not_flagged() {
        let text = "mpatha (3600a098038314c4a6b5d4f5a7a2f5e08) dm-1 NETAPP,LUN C-Mode\nsize=100G features='0' hwhandler='1 alua' wp=rw\n`-+- policy='serv";
        let st = run(Kind::MultipathLl, text);
        assert_eq!(st.facts.len(), 1);
        assert!(st.checks.is_empty());
        assert!(!st.notes.is_empty());
    }
}
