//! `openstack server event list` / `server event show` (tables, `-f json`,
//! `-f value`) and other `openstack` tables (server, volume lists):
//! `server-event`, `server`, `volume` and `openstack-row` facts; checks
//! `server-stopped-by-host` and `repeated-stop-start`.

use super::virt_common::{is_uuid, json_slice, line_of, masked, truncate, with_empty_note};
use super::{HostParser, Kind};
use crate::{Check, Cite, HostState};
use rootline_model::FieldKind;
use serde_json::{Value, json};

pub(crate) struct Openstack;

impl HostParser for Openstack {
    fn kinds(&self) -> &'static [Kind] {
        &[
            Kind::OpenstackEventList,
            Kind::OpenstackEventShow,
            Kind::OpenstackTable,
        ]
    }

    fn by_content(&self, _rel_path: &str, sample: &str) -> Option<Kind> {
        if sample.trim().is_empty() {
            return None;
        }
        recognise_openstack(sample, &sample.to_ascii_lowercase())
    }

    fn parse(&self, _kind: Kind, text: &str) -> HostState {
        with_empty_note(parse_openstack(text), text)
    }
}

fn recognise_openstack(sample: &str, lower: &str) -> Option<Kind> {
    let table_rows: Vec<&str> = sample
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with('|') && l.ends_with('|'))
        .collect();
    let cell_row = |names: &[&str]| {
        table_rows.iter().any(|r| {
            let cells: Vec<String> = split_cells(r)
                .iter()
                .map(|c| c.to_ascii_lowercase())
                .collect();
            names.iter().all(|n| cells.iter().any(|c| c == n))
        })
    };
    if cell_row(&["request id", "action"]) {
        return Some(Kind::OpenstackEventList);
    }
    if cell_row(&["field", "value"]) {
        if cell_row(&["request_id"]) && cell_row(&["action"]) {
            return Some(Kind::OpenstackEventShow);
        }
        return Some(Kind::OpenstackTable);
    }
    if lower.contains("\"request id\"") && lower.contains("\"action\"") {
        return Some(Kind::OpenstackEventList);
    }
    if lower.contains("\"request_id\"") && lower.contains("\"action\"") {
        return Some(Kind::OpenstackEventShow);
    }
    if cell_row(&["id", "status"]) {
        return Some(Kind::OpenstackTable);
    }
    let t = sample.trim_start();
    if (t.starts_with('[') || t.starts_with('{'))
        && (lower.contains("\"status\"") || lower.contains("\"id\""))
        && (lower.contains("\"name\"")
            || lower.contains("\"size\"")
            || lower.contains("\"networks\""))
    {
        return Some(Kind::OpenstackTable);
    }
    // `-f value` event list: `req-… <uuid> stop 2025-…`.
    if sample.lines().any(|l| value_event_row(l).is_some()) {
        return Some(Kind::OpenstackEventList);
    }
    let lines: Vec<&str> = sample.lines().collect();
    if value_event_show(&lines).is_some() {
        return Some(Kind::OpenstackEventShow);
    }
    None
}

fn split_cells(row: &str) -> Vec<String> {
    let r = row.trim();
    let r = r.strip_prefix('|').unwrap_or(r);
    let r = r.strip_suffix('|').unwrap_or(r);
    r.split('|').map(|c| c.trim().to_string()).collect()
}

/// One record: (line of the record, key → (value, line)).
type Record = (usize, Vec<(String, String, usize)>);

fn norm_key(k: &str) -> String {
    k.trim().to_ascii_lowercase().replace([' ', '-'], "_")
}

fn value_event_row(l: &str) -> Option<(String, String, String, String)> {
    let t: Vec<&str> = l.split_whitespace().collect();
    if t.len() >= 4 && t[0].starts_with("req-") && is_uuid(t[1]) && t[3].starts_with("20") {
        return Some((
            t[0].into(),
            t[1].to_ascii_lowercase(),
            t[2].into(),
            t[3].into(),
        ));
    }
    None
}

fn is_iso_time(s: &str) -> bool {
    let b = s.trim().as_bytes();
    b.len() >= 19 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':'
}

/// `openstack server event show <server> <request> -f value`: cliff prints
/// one value per line in the columns' (sorted) order — action, events,
/// instance_uuid (or id), message, project_id, request_id, start_time,
/// [updated_at,] user_id. The request id, alone on its line, anchors the
/// rest.
fn value_event_show(lines: &[&str]) -> Option<Record> {
    let r = lines.iter().position(|l| {
        let t = l.trim();
        t.strip_prefix("req-").is_some_and(is_uuid)
    })?;
    if !lines.get(r + 1).is_some_and(|l| is_iso_time(l)) {
        return None;
    }
    let start = r.saturating_sub(6);
    let e = (start..r).find(|&i| {
        let t = lines[i].trim();
        t.starts_with("[{") || t == "[]"
    })?;
    let a = e.checked_sub(1)?;
    let action = lines[a].trim();
    if action.is_empty()
        || !action
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'_' || b == b'-')
    {
        return None;
    }
    let mut rec = vec![
        ("action".to_string(), action.to_string(), a),
        ("events".to_string(), lines[e].trim().to_string(), e),
        ("request_id".to_string(), lines[r].trim().to_string(), r),
        (
            "start_time".to_string(),
            lines[r + 1].trim().to_string(),
            r + 1,
        ),
    ];
    if let Some(i) = (e + 1..r).find(|&i| is_uuid(lines[i].trim())) {
        rec.push((
            "instance_uuid".to_string(),
            lines[i].trim().to_ascii_lowercase(),
            i,
        ));
    }
    if r >= e + 3 {
        rec.push((
            "project_id".to_string(),
            lines[r - 1].trim().to_string(),
            r - 1,
        ));
        rec.push((
            "message".to_string(),
            lines[r - 2].trim().to_string(),
            r - 2,
        ));
    }
    // user_id is the last column; updated_at (API ≥ 2.58) may sit before it.
    let mut u = r + 2;
    if lines.get(u).is_some_and(|l| is_iso_time(l)) {
        u += 1;
    }
    if let Some(l) = lines.get(u).map(|l| l.trim()).filter(|l| !l.is_empty()) {
        rec.push(("user_id".to_string(), l.to_string(), u));
    }
    Some((a, rec))
}

fn openstack_records(text: &str) -> Vec<Record> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<Record> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let t = lines[i].trim();
        if !(t.starts_with('|') && t.len() > 1) {
            i += 1;
            continue;
        }
        // A table: the first `|` row is the header.
        let header: Vec<String> = split_cells(t);
        let hl: Vec<String> = header.iter().map(|h| h.to_ascii_lowercase()).collect();
        let vertical = hl.len() == 2 && hl[0] == "field" && hl[1] == "value";
        let mut j = i + 1;
        let mut kv: Vec<(String, String, usize)> = Vec::new();
        while j < lines.len() {
            let r = lines[j].trim();
            if r.starts_with("+-") || r.starts_with("+=") {
                j += 1;
                // A border after data rows ends the table unless more rows follow.
                if lines.get(j).is_some_and(|n| n.trim().starts_with('|')) {
                    continue;
                }
                break;
            }
            if !r.starts_with('|') {
                break;
            }
            let cells = split_cells(r);
            if vertical {
                let k = cells.first().cloned().unwrap_or_default();
                let v = cells.get(1).cloned().unwrap_or_default();
                if k.is_empty() {
                    if let Some(last) = kv.last_mut() {
                        last.1.push_str(&v);
                    }
                } else {
                    kv.push((norm_key(&k), v, j));
                }
            } else if cells.len() == header.len() {
                let rec = header
                    .iter()
                    .zip(cells)
                    .map(|(h, c)| (norm_key(h), c, j))
                    .collect();
                out.push((j, rec));
            }
            j += 1;
        }
        if vertical && !kv.is_empty() {
            out.push((i, kv));
        }
        i = j.max(i + 1);
    }
    // JSON (`-f json`): an object or a list of objects.
    if out.is_empty()
        && let Some((jl, v)) = json_slice(text)
    {
        let list = match v {
            Value::Array(a) => a,
            o => vec![o],
        };
        for o in list {
            let Value::Object(m) = o else { continue };
            let rec = m
                .iter()
                .map(|(k, v)| {
                    let s = match v {
                        Value::String(s) => s.clone(),
                        Value::Null => "None".to_string(),
                        other => other.to_string(),
                    };
                    let line = line_of(&lines, &format!("\"{k}\"")).unwrap_or(jl);
                    (norm_key(k), s, line)
                })
                .collect::<Vec<_>>();
            let line = rec.iter().map(|r| r.2).min().unwrap_or(jl);
            out.push((line, rec));
        }
    }
    // `-f value` of one event.
    if out.is_empty()
        && let Some(rec) = value_event_show(&lines)
    {
        out.push(rec);
    }
    // `-f value` event list rows.
    if out.is_empty() {
        for (i, l) in lines.iter().enumerate() {
            if let Some((r, s, a, t)) = value_event_row(l) {
                out.push((
                    i,
                    vec![
                        ("request_id".into(), r, i),
                        ("server_id".into(), s, i),
                        ("action".into(), a, i),
                        ("start_time".into(), t, i),
                    ],
                ));
            }
        }
    }
    out
}

fn rget<'a>(r: &'a Record, k: &str) -> Option<&'a (String, String, usize)> {
    r.1.iter().find(|x| x.0 == k)
}

fn is_none(v: &str) -> bool {
    matches!(v.trim(), "None" | "null" | "" | "-")
}

/// Per server: (id, stops, starts, stop lines, stop times).
type Cycle = (String, usize, usize, Vec<usize>, Vec<String>);

fn parse_openstack(text: &str) -> HostState {
    let mut st = HostState::default();
    let lines: Vec<&str> = text.lines().collect();
    let records = openstack_records(text);
    // server id → (stop count, start count, stop lines, times)
    let mut cycles: Vec<Cycle> = Vec::new();
    for rec in &records {
        let g = |k: &str| rget(rec, k).map(|x| x.1.clone());
        let action = g("action");
        let request = g("request_id");
        if let (Some(action), Some(request)) = (action.clone(), request.clone()) {
            let server = g("server_id")
                .or_else(|| g("instance_uuid"))
                .unwrap_or_default();
            let server = server.to_ascii_lowercase();
            let start = g("start_time").unwrap_or_default();
            let user = g("user_id");
            let project = g("project_id");
            st.facts.push(
                json!({"type": "server-event", "line": rec.0 + 1, "request_id": request,
                "instance": server, "action": action, "start_time": start,
                "user_id": user, "project_id": project, "message": g("message"),
                "events": g("events").map(|e| truncate(&e, 400))}),
            );
            let a = action.to_ascii_lowercase();
            // Cycles.
            if a == "stop" || a == "start" {
                let e = match cycles.iter_mut().position(|c| c.0 == server) {
                    Some(p) => &mut cycles[p],
                    None => {
                        let p = cycles.len();
                        cycles.push((server.clone(), 0, 0, Vec::new(), Vec::new()));
                        &mut cycles[p]
                    }
                };
                if a == "stop" {
                    e.1 += 1;
                    e.3.push(rec.0);
                    e.4.push(start.clone());
                } else {
                    e.2 += 1;
                }
            }
            let no_user = user.as_deref().is_some_and(is_none)
                || (user.is_none() && project.as_deref().is_some_and(is_none));
            if matches!(a.as_str(), "stop" | "shutdown") && no_user {
                let mut ev = Vec::new();
                for k in ["action", "events", "instance_uuid", "project_id", "user_id"] {
                    if let Some((_, _, l)) = rget(rec, k) {
                        let c = Cite::nth(*l, lines.get(*l).copied().unwrap_or(""));
                        if !ev.contains(&c) {
                            ev.push(c);
                        }
                    }
                }
                let mut c = Check::raise(crate::id::SERVER_STOPPED_BY_HOST);
                if is_uuid(&server) {
                    c.add_field("instance", &server, FieldKind::Uuid);
                } else if !server.is_empty() {
                    c.bind("instance", &server);
                }
                c.add_field("request", &request, FieldKind::Text);
                if !start.is_empty() {
                    c.bind("start", &start);
                }
                c.evidence = ev;
                st.checks.push(c);
            }
            continue;
        }
        // Other tables: servers and volumes.
        let id = g("id").unwrap_or_default();
        let status = g("status").unwrap_or_default();
        let is_volume = g("size").is_some()
            || g("attached_to").is_some()
            || g("volume_type").is_some()
            || g("attachments").is_some();
        let ty = if is_volume {
            "volume"
        } else if g("networks").is_some()
            || g("flavor").is_some()
            || g("os_ext_sts:vm_state").is_some()
        {
            "server"
        } else {
            "openstack-row"
        };
        let mut f = json!({"type": ty, "line": rec.0 + 1});
        for (k, v, _) in &rec.1 {
            f[k.as_str()] = json!(truncate(&masked(k, v), 400));
        }
        if is_uuid(&id) {
            f["uuid"] = json!(id.to_ascii_lowercase());
        }
        if !status.is_empty() {
            f["status"] = json!(status);
        }
        st.facts.push(f);
    }
    for (server, stops, starts, stop_lines, times) in cycles {
        if stops < 3 {
            continue;
        }
        let mut ev: Vec<Cite> = stop_lines
            .iter()
            .take(12)
            .map(|&l| Cite::nth(l, lines.get(l).copied().unwrap_or("")))
            .collect();
        ev.sort_by_key(|c| c.line);
        let first = times.iter().min().cloned().unwrap_or_default();
        let last = times.iter().max().cloned().unwrap_or_default();
        let mut c = Check::raise(crate::id::REPEATED_STOP_START);
        if is_uuid(&server) {
            c.add_field("instance", &server, FieldKind::Uuid);
        } else if !server.is_empty() {
            c.bind("instance", &server);
        }
        c.add_field("stops", stops, FieldKind::Int);
        c.bind("starts", starts);
        c.bind("first", &first);
        c.bind("last", &last);
        c.evidence = ev;
        st.checks.push(c);
    }
    if records.is_empty() && !text.trim().is_empty() {
        st.notes
            .push("no OpenStack table, JSON or value rows found".to_string());
    }
    st
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parsers::virt_common::testing::*;
    use rootline_model::Severity;
    use std::path::PathBuf;

    #[test]
    fn openstack_bundle_004_event_list_and_show() {
        let t = read(&ex(
            "004-instances-shutoff-failing-nvme/openstack-server-event-list.txt",
        ))
        .expect("bundle 004");
        let (k, st) = run("openstack-server-event-list.txt", &t);
        assert_eq!(k, Kind::OpenstackEventList);
        let c = check(&st, "repeated-stop-start");
        assert!(has_field(
            c,
            "instance",
            "6c59b812-2d8d-4da5-92d6-6bbe527926d6"
        ));
        assert!(c.en.contains("stopped 22 times"), "{}", c.en);
        assert!(st.checks.iter().all(|c| c.id != "server-stopped-by-host"));
        let t = read(&ex(
            "004-instances-shutoff-failing-nvme/openstack-server-event-show.txt",
        ))
        .expect("bundle 004");
        let (k, st) = run("openstack-server-event-show.txt", &t);
        assert_eq!(k, Kind::OpenstackEventShow);
        let c = check(&st, "server-stopped-by-host");
        assert_eq!(c.severity, Severity::Error);
        assert!(has_field(
            c,
            "instance",
            "6c59b812-2d8d-4da5-92d6-6bbe527926d6"
        ));
        assert!(c.evidence.iter().any(|e| e.text == "| user_id | None |"));
        assert!(c.evidence.iter().any(|e| e.text == "| action | stop |"));
    }

    #[test]
    fn seed_004_whole_paste() {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/seeds/004_e3552f483cc3c3e1.txt");
        let Some(t) = read(&p) else {
            eprintln!("SKIP: seed 004 not present at {}", p.display());
            return;
        };
        let st = Openstack.parse(Kind::OpenstackEventList, &t);
        check(&st, "repeated-stop-start");
        check(&st, "server-stopped-by-host");
        assert!(
            st.facts
                .iter()
                .any(|f| f["type"] == "server" && f["status"] == "SHUTOFF")
        );
    }

    #[test]
    fn openstack_json_value_and_truncated() {
        let j = include_str!(
            "../../tests/captures/openstack-server-event-list/openstack_server_event_list_-f_json.json"
        );
        let (k, st) = run("events.json", j);
        assert_eq!(k, Kind::OpenstackEventList);
        check(&st, "repeated-stop-start");
        let show = include_str!(
            "../../tests/captures/openstack-server-event-show/openstack_server_event_show_-f_json.json"
        );
        let (k, st) = run("show.json", show);
        assert_eq!(k, Kind::OpenstackEventShow);
        check(&st, "server-stopped-by-host");
        // A user stop is not the host.
        let user = show.replace(
            "\"user_id\": null",
            "\"user_id\": \"2ad484a3a48e45e48e7cadd2cbab81cd\"",
        );
        let (_, st) = run("show.json", &user);
        assert!(st.checks.is_empty());
        let v = include_str!(
            "../../tests/captures/openstack-server-event-list/openstack_server_event_list_-f_value.txt"
        );
        let (k, st) = run("events-value.txt", v);
        assert_eq!(k, Kind::OpenstackEventList);
        check(&st, "repeated-stop-start");
        // Truncated server list (no closing border) and a volume list.
        let sl = "+--------------------------------------+--------------+---------+\n| ID | Name | Status |\n+--------------------------------------+--------------+---------+\n| 61b0f46e-651b-4564-bc37-0185ff7f18b2 | k8s-worker-2 | ACTIVE |\n| 6c59b812-2d8d-4da5-92d6-6bbe527926d6 | k8s-worker-1 | SHUTOFF |\n| 6c59b812-2d8d-4da5-92d6";
        let (k, st) = run("server-list.txt", sl);
        assert_eq!(k, Kind::OpenstackTable);
        assert_eq!(st.facts.len(), 2);
        assert_eq!(st.facts[1]["uuid"], "6c59b812-2d8d-4da5-92d6-6bbe527926d6");
        let vl = include_str!("../../tests/captures/openstack-table/openstack_volume_list.txt");
        let (_, st) = run("volume-list.txt", vl);
        assert_eq!(st.facts[0]["type"], "volume");
        assert!(st.checks.is_empty());
    }

    #[test]
    fn server_event_show_as_values() {
        // `openstack server event show <server> <request> -f value`: cliff's
        // value formatter prints one value per line in column order
        // (cliff/formatters/value.py, emit_one). The values are those of a
        // real instance action (Fujitsu Cloud IaaS API reference, "Show
        // server action details"), here a stop by the compute host.
        let text = include_str!(
            "../../tests/captures/openstack-server-event-show/openstack_server_event_show_-f_value.txt"
        );
        let (k, st) = run("event-show.txt", text);
        assert_eq!(k, Kind::OpenstackEventShow);
        let ev = st
            .facts
            .iter()
            .find(|f| f["type"] == "server-event")
            .unwrap();
        assert_eq!(ev["action"], "stop");
        assert_eq!(ev["instance"], "606a8771-4559-45ea-a20a-c76055710dd2");
        assert_eq!(ev["request_id"], "req-76508c6a-856c-4522-a3bb-11290806eb02");
        assert_eq!(ev["start_time"], "2017-04-12T06:59:35.000000");
        let c = check(&st, "server-stopped-by-host");
        assert!(has_field(
            c,
            "instance",
            "606a8771-4559-45ea-a20a-c76055710dd2"
        ));
        assert!(c.evidence.iter().any(|e| e.line == 2 && e.text == "stop"));
        // A user's stop (user and project set) is no finding.
        let by_user = text
            .replacen(
                "None\nNone\nreq-",
                "None\n31ceb599e8ff48aeb66f2fd748988960\nreq-",
                1,
            )
            .replace(
                "06:59:35.000000\nNone",
                "06:59:35.000000\ncea368aa07164c4d89b2e1ad57b18151",
            );
        let (_, st) = run("event-show.txt", &by_user);
        assert!(ids(&st).is_empty(), "{:?}", ids(&st));
        let ev = st
            .facts
            .iter()
            .find(|f| f["type"] == "server-event")
            .unwrap();
        assert_eq!(ev["user_id"], "cea368aa07164c4d89b2e1ad57b18151");
    }
}
