//! `iscsiadm -m session` (plain, `-P 1`, `-P 3`): an `iscsi-session` fact
//! per session (target, portal, states, attached disks); checks
//! `iscsi-session-down` and `scsi-device-offline`.

use rootline_model::FieldKind;
use serde_json::{Map, Value, json};

use super::block_common::{
    add_cite, add_field, base_name, is_offline, meaningful_lines, read, scsi_offline_check, set,
};
use super::{HostParser, Kind};
use crate::{Check, HostState};

/// `iscsiadm -m session [-P 1|3]`.
pub(crate) struct Iscsiadm;

impl HostParser for Iscsiadm {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Iscsiadm]
    }

    fn by_content(&self, _rel_path: &str, sample: &str) -> Option<Kind> {
        let lines = meaningful_lines(sample);
        lines.first()?;
        if sample.contains("iSCSI Transport Class version")
            || sample.contains("iSCSI Session State:")
            || sample.contains("Attached scsi disk")
            || lines
                .iter()
                .take(5)
                .any(|l| iscsi_session_line(l).is_some())
        {
            return Some(Kind::Iscsiadm);
        }
        None
    }

    fn by_name(&self, rel_path: &str) -> Option<Kind> {
        base_name(rel_path)
            .starts_with("iscsiadm")
            .then_some(Kind::Iscsiadm)
    }

    fn parse(&self, _kind: Kind, text: &str) -> HostState {
        read(text, |lines, _, st| parse_iscsiadm(lines, st))
    }
}

/// `tcp: [3] 10.40.1.11:3260,1 iqn.… (non-flash)` → (sid, portal, target).
fn iscsi_session_line(l: &str) -> Option<(String, String, String)> {
    let (tr, rest) = l.split_once(": [")?;
    if tr.is_empty() || tr.contains(' ') {
        return None;
    }
    let (sid, rest) = rest.split_once("] ")?;
    if !sid.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut t = rest.split_whitespace();
    let portal = t.next()?.to_string();
    let target = t.next()?.to_string();
    Some((sid.to_string(), portal, target))
}

#[derive(Default)]
struct IscsiSession {
    line: u64,
    target: String,
    portal: String,
    sid: String,
    iface: String,
    conn_state: String,
    session_state: String,
    internal_state: String,
    host: String,
    host_state: String,
    disks: Vec<(u64, String, String, String)>, // line, text, device, state
    cites: Vec<(u64, String)>,
}

fn parse_iscsiadm(lines: &[(u64, &str)], st: &mut HostState) {
    let mut sessions: Vec<IscsiSession> = Vec::new();
    let mut target = String::new();
    let mut target_line: Option<(u64, String)> = None;
    let mut lun = String::new();
    for &(n, l) in lines {
        let t = l.trim();
        if let Some((sid, portal, tgt)) = iscsi_session_line(t) {
            sessions.push(IscsiSession {
                line: n,
                target: tgt,
                portal,
                sid,
                cites: vec![(n, l.to_string())],
                ..Default::default()
            });
            continue;
        }
        if let Some(v) = t.strip_prefix("Target: ") {
            target = v.split_whitespace().next().unwrap_or("").to_string();
            target_line = Some((n, l.to_string()));
            continue;
        }
        if let Some(v) = t.strip_prefix("Current Portal: ") {
            let mut s = IscsiSession {
                line: n,
                target: target.clone(),
                portal: v.trim().to_string(),
                ..Default::default()
            };
            if let Some(tl) = &target_line {
                s.cites.push(tl.clone());
            }
            s.cites.push((n, l.to_string()));
            sessions.push(s);
            continue;
        }
        let Some(s) = sessions.last_mut() else {
            continue;
        };
        if let Some(v) = t.strip_prefix("SID: ") {
            s.sid = v.trim().to_string();
        } else if let Some(v) = t.strip_prefix("Iface Name: ") {
            s.iface = v.trim().to_string();
        } else if let Some(v) = t.strip_prefix("iSCSI Connection State: ") {
            s.conn_state = v.trim().to_string();
            s.cites.push((n, l.to_string()));
        } else if let Some(v) = t.strip_prefix("iSCSI Session State: ") {
            s.session_state = v.trim().to_string();
            s.cites.push((n, l.to_string()));
        } else if let Some(v) = t.strip_prefix("Internal iscsid Session State: ") {
            s.internal_state = v.trim().to_string();
        } else if let Some(v) = t.strip_prefix("Host Number: ") {
            let mut it = v.split_whitespace();
            s.host = it.next().unwrap_or("").to_string();
            if let Some(p) = v.find("State:") {
                s.host_state = v[p + 6..].trim().to_string();
            }
        } else if t.starts_with("scsi") && t.contains(" Lun: ") {
            lun = t.rsplit(' ').next().unwrap_or("").to_string();
        } else if let Some(v) = t.strip_prefix("Attached scsi disk ") {
            let dev = v.split_whitespace().next().unwrap_or("").to_string();
            let state = v
                .find("State:")
                .map(|p| v[p + 6..].trim().to_string())
                .unwrap_or_default();
            let _ = &lun;
            s.disks.push((n, l.to_string(), dev, state));
        }
    }
    for s in &sessions {
        let disks: Vec<Value> = s
            .disks
            .iter()
            .map(|(n, _, d, stt)| json!({"line": n, "device": d, "state": stt}))
            .collect();
        let mut f = Map::new();
        f.insert("type".into(), json!("iscsi-session"));
        f.insert("line".into(), json!(s.line));
        set(&mut f, "target", &s.target);
        set(&mut f, "portal", &s.portal);
        set(&mut f, "sid", &s.sid);
        set(&mut f, "iface", &s.iface);
        set(&mut f, "connection_state", &s.conn_state);
        set(&mut f, "session_state", &s.session_state);
        set(&mut f, "internal_state", &s.internal_state);
        set(&mut f, "host", &s.host);
        set(&mut f, "host_state", &s.host_state);
        f.insert("disks".into(), Value::Array(disks));
        st.facts.push(Value::Object(f));

        let session_bad = !s.session_state.is_empty() && s.session_state != "LOGGED_IN";
        let odd: Vec<&(u64, String, String, String)> = s
            .disks
            .iter()
            .filter(|(_, _, _, stt)| !stt.is_empty() && stt != "running" && !is_offline(stt))
            .collect();
        if session_bad || !odd.is_empty() {
            let mut c = Check::raise(crate::id::ISCSI_SESSION_DOWN);
            for (n, t) in &s.cites {
                add_cite(&mut c, *n, t);
            }
            for (n, t, d, _) in &s.disks {
                add_field(&mut c, "device", d, FieldKind::Device);
                add_cite(&mut c, *n, t);
            }
            if session_bad {
                c.bind("state", &s.session_state);
            } else {
                c.bind(
                    "disk_states",
                    odd.iter()
                        .map(|d| format!("{} {}", d.2, d.3))
                        .collect::<Vec<_>>()
                        .join(", "),
                );
            }
            // The portal as iscsiadm takes it (no `,tpgt`), and its host.
            let portal = s.portal.split(',').next().unwrap_or("");
            let host = portal.rsplit_once(':').map(|x| x.0).unwrap_or(portal);
            for (name, v) in [
                ("session", s.sid.as_str()),
                ("target", &s.target),
                ("portal", &s.portal),
                ("portal_addr", portal),
                ("portal_host", host),
                ("connection", &s.conn_state),
            ] {
                if !v.is_empty() {
                    c.bind(name, v);
                }
            }
            st.checks.push(c);
        }
        for (n, t, d, stt) in &s.disks {
            if is_offline(stt) {
                let mut c = scsi_offline_check(d, stt, None, "iscsiadm -m session -P 3");
                c.bind("session", &s.sid);
                c.bind("target", &s.target);
                add_cite(&mut c, *n, t);
                st.checks.push(c);
            }
        }
    }
    if sessions.is_empty()
        && let Some((_, l)) = lines.iter().find(|(_, l)| l.starts_with("iscsiadm:"))
    {
        st.notes.push(l.trim().to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::super::block_common::testing::{has_field, ids, recognise, run};
    use super::*;

    const ISCSI_P3: &str = include_str!("../../tests/captures/iscsiadm/iscsiadm_-m_session_-P_3");
    const ISCSI_PLAIN: &str = include_str!("../../tests/captures/iscsiadm/iscsiadm_-m_session");
    const ISCSI_NONE: &str =
        include_str!("../../tests/captures/iscsiadm/iscsiadm_-m_session__no-sessions");

    #[test]
    fn recognised_by_content() {
        for text in [ISCSI_P3, ISCSI_PLAIN] {
            assert_eq!(recognise("x", text), Some(Kind::Iscsiadm), "{text}");
        }
    }

    #[test]
    fn iscsiadm_forms() {
        let st = run(Kind::Iscsiadm, ISCSI_P3);
        assert_eq!(st.facts.len(), 2);
        assert_eq!(st.facts[0]["session_state"], "LOGGED_IN");
        assert_eq!(st.facts[0]["disks"][0]["device"], "sdb");
        assert_eq!(ids(&st), vec!["iscsi-session-down", "scsi-device-offline"]);
        let c = &st.checks[0];
        assert!(has_field(c, "device", "sde"));
        assert!(c.evidence.iter().any(|e| e.text.contains("FAILED")));
        assert!(c.fix.iter().any(|f| {
            f.command
                .as_deref()
                .is_some_and(|x| x.contains("-p 10.40.2.11:3260 --login"))
        }));

        let st = run(Kind::Iscsiadm, ISCSI_PLAIN);
        assert_eq!(st.facts.len(), 2);
        assert_eq!(st.facts[1]["sid"], "4");
        assert!(st.checks.is_empty());

        let st = run(Kind::Iscsiadm, ISCSI_NONE);
        assert!(st.facts.is_empty() && st.notes.iter().any(|n| n.contains("No active sessions")));
    }
}
