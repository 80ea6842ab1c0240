//! Processes, images, domains, OpenStack and configuration: ps, qemu-img, libvirt XML, virsh, openstack tables/json, ls -l listings, cinder/nova/qemu/multipath configuration.
//!
//! Kinds owned here: Ps, QemuImgCheck, QemuImgInfo, DomainXml, VirshList, VirshDomblklist, OpenstackEventList, OpenstackEventShow, OpenstackTable, LsListing, CinderConf, NovaConf, QemuConf, MultipathConf.
//!
//! Every parser reads what it can: a pasted shell session (prompt lines, several
//! commands), a truncated table, an empty file of a command that timed out.

use crate::parsers::Kind;
use crate::{Check, Cite, HostState};
use rootline_model::FieldKind;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------
// Recognition
// ---------------------------------------------------------------------------

pub(crate) fn recognise(rel_path: &str, sample: &str) -> Option<Kind> {
    let path = rel_path.replace('\\', "/").to_ascii_lowercase();
    let base = path.rsplit('/').next().unwrap_or("").to_string();

    // Configuration files are named; their content is generic ini.
    if base.starts_with("cinder.conf") {
        return Some(Kind::CinderConf);
    }
    if base.starts_with("nova.conf") || base.starts_with("nova-compute.conf") {
        return Some(Kind::NovaConf);
    }
    if base.starts_with("qemu.conf") {
        return Some(Kind::QemuConf);
    }
    if base.starts_with("multipath.conf") {
        return Some(Kind::MultipathConf);
    }

    // Content first.
    if let Some(k) = recognise_content(sample) {
        return Some(k);
    }

    // Name hints for outputs that are empty or unreadable (a timed-out
    // command, one that failed).
    if base.starts_with("qemu-img_check") || base.starts_with("qemu-img-check") {
        return Some(Kind::QemuImgCheck);
    }
    if base.starts_with("qemu-img_info") || base.starts_with("qemu-img-info") {
        return Some(Kind::QemuImgInfo);
    }
    if base.contains("dumpxml") || (path.contains("libvirt/qemu/") && base.ends_with(".xml")) {
        return Some(Kind::DomainXml);
    }
    if base.starts_with("virsh_list") || base.starts_with("virsh-list") {
        return Some(Kind::VirshList);
    }
    if base.contains("domblklist") {
        return Some(Kind::VirshDomblklist);
    }
    if (path.contains("sos_commands/process/ps_") || base == "ps" || base.starts_with("ps_aux"))
        && (sample.trim().is_empty() || crate::parsers::command_failure(sample).is_some())
    {
        return Some(Kind::Ps);
    }
    None
}

fn recognise_content(sample: &str) -> Option<Kind> {
    if sample.trim().is_empty() {
        return None;
    }
    let lower = sample.to_ascii_lowercase();
    // qemu-img check, text and JSON.
    if lower.contains("errors were found on the image")
        || lower.contains("leaked clusters were found on the image")
        || lower.contains("inconsistencies were found and repaired")
        || (lower.contains("\"check-errors\"") && lower.contains("\"image-end-offset\""))
        || (lower.contains("\"corruptions\"") && lower.contains("\"leaks\""))
        || sample
            .lines()
            .any(|l| l.starts_with("ERROR cluster ") && l.contains("refcount="))
    {
        return Some(Kind::QemuImgCheck);
    }
    // qemu-img info.
    let has_line = |p: &str| sample.lines().any(|l| l.trim_start().starts_with(p));
    if (has_line("image: ") && has_line("file format: "))
        || (lower.contains("\"virtual-size\"") && lower.contains("\"format\""))
    {
        return Some(Kind::QemuImgInfo);
    }
    // OpenStack tables and JSON.
    if let Some(k) = recognise_openstack(sample, &lower) {
        return Some(k);
    }
    // libvirt domain XML (whole or a `virsh edit` excerpt).
    if (lower.contains("<domain") && (lower.contains("<devices>") || lower.contains("</name>")))
        || (lower.contains("<disk ") && (lower.contains("<source ") || lower.contains("<driver ")))
    {
        return Some(Kind::DomainXml);
    }
    if sample.lines().take(40).any(|l| ps_header(l).is_some()) {
        return Some(Kind::Ps);
    }
    for l in sample.lines().take(20) {
        let t: Vec<&str> = l.split_whitespace().collect();
        if t == ["Id", "Name", "State"] {
            return Some(Kind::VirshList);
        }
        if t == ["Target", "Source"] || t == ["Type", "Device", "Target", "Source"] {
            return Some(Kind::VirshDomblklist);
        }
    }
    if sample
        .lines()
        .any(|l| l.contains("Access: (") && l.contains("Uid: ("))
    {
        return Some(Kind::LsListing);
    }
    let ls_lines = sample
        .lines()
        .filter(|l| parse_ls_line(l).is_some())
        .count();
    if ls_lines >= 2 || (ls_lines == 1 && sample.contains("volume-")) {
        return Some(Kind::LsListing);
    }
    // Configuration by content.
    let has_section = sample.lines().any(|l| {
        let t = l.trim();
        t.starts_with('[') && t.ends_with(']') && t.len() > 2
    });
    let key = |k: &str| {
        sample.lines().any(|l| {
            let t = l.trim_start();
            t.starts_with(k) && t[k.len()..].trim_start().starts_with('=')
        })
    };
    if has_section
        && (key("enabled_backends")
            || key("volume_driver")
            || key("nfs_shares_config")
            || key("nas_secure_file_operations"))
    {
        return Some(Kind::CinderConf);
    }
    if has_section
        && (key("compute_driver")
            || key("volume_use_multipath")
            || (lower.contains("[libvirt]") && (key("virt_type") || key("images_type"))))
    {
        return Some(Kind::NovaConf);
    }
    if !has_section
        && (key("security_driver")
            || key("dynamic_ownership")
            || key("cgroup_device_acl")
            || (key("user") && key("group") && key("vnc_listen")))
    {
        return Some(Kind::QemuConf);
    }
    if sample.lines().any(|l| {
        let t: Vec<&str> = l.split_whitespace().collect();
        t.len() == 2
            && t[1] == "{"
            && matches!(
                t[0],
                "defaults" | "devices" | "blacklist" | "multipaths" | "overrides"
            )
    }) && MP_WORDS.iter().any(|w| sample.contains(w))
        && !sample.contains("global {")
        && !sample.contains("activation {")
    {
        return Some(Kind::MultipathConf);
    }
    None
}

const MP_WORDS: [&str; 9] = [
    "user_friendly_names",
    "path_checker",
    "find_multipaths",
    "no_path_retry",
    "path_grouping_policy",
    "polling_interval",
    "queue_if_no_path",
    "blacklist {",
    "multipaths {",
];

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

pub(crate) fn parse(kind: Kind, text: &str) -> Option<HostState> {
    let mut st = match kind {
        Kind::Ps => parse_ps(text),
        Kind::QemuImgCheck => parse_qemu_img_check(text),
        Kind::QemuImgInfo => parse_qemu_img_info(text),
        Kind::DomainXml => parse_domain_xml(text),
        Kind::VirshList => parse_virsh_list(text),
        Kind::VirshDomblklist => parse_domblklist(text),
        Kind::OpenstackEventList | Kind::OpenstackEventShow | Kind::OpenstackTable => {
            parse_openstack(text)
        }
        Kind::LsListing => parse_ls(text),
        Kind::CinderConf => parse_ini(text, "cinder.conf"),
        Kind::NovaConf => parse_ini(text, "nova.conf"),
        Kind::QemuConf => parse_qemu_conf(text),
        Kind::MultipathConf => parse_multipath_conf(text),
        _ => return None,
    };
    if text.trim().is_empty() {
        st.notes.push(
            "empty output: the command printed nothing (it may have timed out or not been run)"
                .to_string(),
        );
    }
    Some(st)
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn field(name: &str, value: &str, kind: FieldKind) -> (String, String, FieldKind) {
    (name.to_string(), value.to_string(), kind)
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// The first UUID inside `s`, lower-cased.
pub(crate) fn find_uuid(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 36 {
        return None;
    }
    for i in 0..=b.len() - 36 {
        if let Some(w) = s.get(i..i + 36)
            && is_uuid(w)
        {
            return Some(w.to_ascii_lowercase());
        }
    }
    None
}

fn truncate(s: &str, n: usize) -> String {
    if s.len() <= n {
        return s.to_string();
    }
    let mut end = n;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

fn basename(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

fn dirname(p: &str) -> Option<&str> {
    p.rfind('/').map(|i| &p[..i])
}

/// Mask values that look like secrets in configuration facts.
fn masked(key: &str, value: &str) -> String {
    let k = key.to_ascii_lowercase();
    if k.contains("password")
        || k.contains("secret")
        || k == "transport_url"
        || k == "connection"
        || k.contains("_key")
    {
        if value.is_empty() {
            String::new()
        } else {
            "*********".to_string()
        }
    } else {
        value.to_string()
    }
}

// ---------------------------------------------------------------------------
// ps
// ---------------------------------------------------------------------------

struct PsCols {
    names: Vec<String>,
    pid: Option<usize>,
    user: Option<usize>,
    stat: Option<usize>,
    start: Option<usize>,
    wchan: Option<usize>,
    lstart: bool,
}

fn ps_header(line: &str) -> Option<PsCols> {
    let names: Vec<String> = line.split_whitespace().map(str::to_string).collect();
    let last = names.last()?.as_str();
    if !matches!(last, "COMMAND" | "CMD" | "ARGS" | "COMM") {
        return None;
    }
    if !names.iter().any(|n| n == "PID") || names.iter().any(|n| n == "VIRT" || n == "TIME+") {
        return None;
    }
    let pos = |ns: &[&str]| names.iter().position(|n| ns.contains(&n.as_str()));
    Some(PsCols {
        pid: pos(&["PID"]),
        user: pos(&["USER", "UID", "RUSER", "EUSER"]),
        stat: pos(&["STAT", "S"]),
        start: pos(&["START", "STIME", "STARTED"]),
        wchan: pos(&["WCHAN"]),
        lstart: names.iter().any(|n| n == "STARTED"),
        names,
    })
}

#[derive(Default)]
struct Proc {
    line: usize,
    text: String,
    pid: String,
    user: String,
    state: String,
    start: String,
    wchan: String,
    command: String,
    threads: usize,
    d_threads: Vec<(usize, String)>,
    z_threads: Vec<(usize, String)>,
}

fn task_name(cmd: &str) -> String {
    let c = cmd.trim();
    if let Some(rest) = c.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest).to_string();
    }
    let first = c.split_whitespace().next().unwrap_or("");
    let b = basename(first);
    b.trim_end_matches(':').to_string()
}

/// A command without the tree `ps f` draws before it: `  \_ [sos]`,
/// ` |   \_ /usr/bin/python3 …` → `[sos]`, `/usr/bin/python3 …`.
fn strip_forest(cmd: &str) -> &str {
    let mut c = cmd.trim_start();
    loop {
        if let Some(r) = c.strip_prefix("\\_ ").or_else(|| c.strip_prefix("| ")) {
            c = r.trim_start();
        } else {
            return c;
        }
    }
}

fn important_task(task: &str) -> bool {
    let t = task.to_ascii_lowercase();
    t.contains("qemu")
        || t.contains("libvirtd")
        || t.contains("virtqemud")
        || t.contains("multipathd")
        || t.contains("iscsid")
}

/// Split a ps data row: the first `n` whitespace-separated columns, then the rest.
fn split_cols(line: &str, n: usize) -> Option<(Vec<&str>, &str)> {
    let mut cols = Vec::with_capacity(n);
    let mut rest = line.trim_start();
    for _ in 0..n {
        if rest.is_empty() {
            return None;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        cols.push(&rest[..end]);
        rest = rest[end..].trim_start();
    }
    Some((cols, rest))
}

/// Identity of a qemu process from its command line.
fn qemu_identity(cmd: &str) -> Value {
    let args: Vec<&str> = cmd.split_whitespace().collect();
    let mut domain = None;
    let mut uuid = None;
    let mut disks: Vec<String> = Vec::new();
    let mut serials: Vec<String> = Vec::new();
    let push = |v: &mut Vec<String>, s: String| {
        if !s.is_empty() && !v.contains(&s) {
            v.push(s);
        }
    };
    for (i, a) in args.iter().enumerate() {
        let next = args.get(i + 1).map(|s| s.trim_matches('\'')).unwrap_or("");
        match *a {
            "-name" => {
                let v = next.strip_prefix("guest=").unwrap_or(next);
                let v = v.split(',').next().unwrap_or(v);
                if !v.is_empty() {
                    domain = Some(v.to_string());
                }
            }
            "-uuid" if is_uuid(next) => uuid = Some(next.to_ascii_lowercase()),
            "-drive" | "-device" => {
                for kv in next.split(',') {
                    if let Some(f) = kv.strip_prefix("file=")
                        && *a == "-drive"
                    {
                        push(&mut disks, f.to_string());
                    }
                    if let Some(s) = kv.strip_prefix("serial=") {
                        push(&mut serials, s.to_string());
                    }
                }
            }
            "-blockdev" => {
                let mut s = next;
                while let Some(p) = s.find("\"filename\":\"") {
                    let rest = &s[p + 12..];
                    let end = rest.find('"').unwrap_or(rest.len());
                    push(&mut disks, rest[..end].to_string());
                    s = &rest[end..];
                }
                if next.contains("\"driver\":\"rbd\"") {
                    let get = |k: &str| {
                        let pat = format!("\"{k}\":\"");
                        next.find(&pat).map(|p| {
                            let r = &next[p + pat.len()..];
                            r[..r.find('"').unwrap_or(r.len())].to_string()
                        })
                    };
                    if let (Some(pool), Some(img)) = (get("pool"), get("image")) {
                        push(&mut disks, format!("rbd:{pool}/{img}"));
                    }
                }
                // Legacy dotted syntax: driver=file,filename=/path
                for kv in next.split(',') {
                    if let Some(f) = kv.strip_prefix("filename=") {
                        push(&mut disks, f.to_string());
                    }
                }
            }
            _ => {}
        }
        if let Some(p) = a.find("/dev/disk/by-id/") {
            let s = &a[p..];
            let end = s.find([',', '"', '\'']).unwrap_or(s.len());
            push(&mut disks, s[..end].to_string());
        }
    }
    let wwids: Vec<String> = disks
        .iter()
        .filter_map(|d| d.split("dm-uuid-mpath-").nth(1).map(str::to_string))
        .collect();
    json!({"domain": domain, "instance": uuid, "disks": disks, "serials": serials, "wwids": wwids})
}

fn parse_ps(text: &str) -> HostState {
    let mut st = HostState::default();
    let lines: Vec<&str> = text.lines().collect();
    let mut cols: Option<PsCols> = None;
    let mut procs: Vec<Proc> = Vec::new();
    let mut by_pid: std::collections::HashMap<String, usize> = Default::default();
    for (i, raw) in lines.iter().enumerate() {
        if let Some(h) = ps_header(raw) {
            cols = Some(h);
            continue;
        }
        let Some(c) = &cols else { continue };
        let n = c.names.len() - 1 + if c.lstart { 4 } else { 0 };
        let Some((v, cmd)) = split_cols(raw, n) else {
            continue;
        };
        // Map a header index to a data index (lstart takes 5 tokens).
        let idx = |h: usize| -> usize {
            match c.start {
                Some(s) if c.lstart && h > s => h + 4,
                _ => h,
            }
        };
        let get = |h: Option<usize>| h.and_then(|h| v.get(idx(h)).copied()).unwrap_or("");
        let pid = get(c.pid);
        let state = get(c.stat);
        let start = if c.lstart {
            c.start
                .map(|s| v.get(s..s + 5).map(|x| x.join(" ")).unwrap_or_default())
                .unwrap_or_default()
        } else {
            get(c.start).to_string()
        };
        let is_thread_line = pid == "-";
        if !is_thread_line && !pid.chars().all(|ch| ch.is_ascii_digit()) {
            continue;
        }
        if is_thread_line {
            // `ps m`: a thread of the last process.
            if let Some(p) = procs.last_mut() {
                p.threads += 1;
                if state.starts_with('D') {
                    p.d_threads.push((i, raw.to_string()));
                }
                if state.starts_with('Z') {
                    p.z_threads.push((i, raw.to_string()));
                }
            }
            continue;
        }
        // `ps f` draws the process tree in front of the command (`\_ `,
        // `|`): layout, not part of the command line.
        let cmd = strip_forest(cmd);
        if let Some(&k) = by_pid.get(pid) {
            // `ps -L`: one row per thread with the same PID.
            let p = &mut procs[k];
            p.threads += 1;
            if state.starts_with('D') {
                p.d_threads.push((i, raw.to_string()));
            }
            continue;
        }
        by_pid.insert(pid.to_string(), procs.len());
        procs.push(Proc {
            line: i,
            text: raw.to_string(),
            pid: pid.to_string(),
            user: get(c.user).to_string(),
            state: state.to_string(),
            start,
            wchan: get(c.wchan).to_string(),
            command: cmd.to_string(),
            // `ps m` prints a process row (STAT `-`) and then one row per
            // thread, the main one included: those rows count the threads.
            threads: if state == "-" { 0 } else { 1 },
            ..Default::default()
        });
    }
    if cols.is_none() && !text.trim().is_empty() {
        st.notes
            .push("no ps header line found; nothing read".to_string());
    }
    let mut zombies = Vec::new();
    for p in &procs {
        let task = task_name(&p.command);
        let defunct = p.command.contains("<defunct>") || p.state.starts_with('Z');
        let d_state = p.state.starts_with('D') || !p.d_threads.is_empty();
        let mut fact = json!({
            "type": "process", "line": p.line + 1, "pid": p.pid, "user": p.user,
            "state": if defunct { "Z".to_string() } else if d_state && p.state == "-" { "D".to_string() } else { p.state.clone() },
            "task": task, "start": p.start, "threads": p.threads.max(1),
            "command": truncate(&p.command, 300),
        });
        if !p.wchan.is_empty() && p.wchan != "-" {
            fact["wchan"] = json!(p.wchan);
        }
        let is_qemu = task.contains("qemu-system") || task.contains("qemu-kvm") || task == "kvm";
        if is_qemu && !defunct {
            let id = qemu_identity(&p.command);
            fact["qemu"] = id.clone();
            let mut q =
                json!({"type": "qemu-process", "line": p.line + 1, "pid": p.pid, "user": p.user});
            for k in ["domain", "instance", "disks", "serials", "wwids"] {
                q[k] = id[k].clone();
            }
            st.facts.push(fact);
            st.facts.push(q);
        } else {
            st.facts.push(fact);
        }
        if d_state {
            let mut evidence = vec![Cite::nth(p.line, &p.text)];
            evidence.extend(p.d_threads.iter().take(8).map(|(i, t)| Cite::nth(*i, t)));
            let mut fields = vec![
                field("task", &task, FieldKind::Task),
                field("pid", &p.pid, FieldKind::Pid),
            ];
            if is_qemu {
                let id = qemu_identity(&p.command);
                if let Some(d) = id["domain"].as_str() {
                    fields.push(field("domain", d, FieldKind::Domain));
                }
                if let Some(u) = id["instance"].as_str() {
                    fields.push(field("instance", u, FieldKind::Uuid));
                }
            }
            let mut c = Check::raise(crate::id::PROCESS_D_STATE);
            c.fields = fields;
            c.evidence = evidence;
            if !p.state.starts_with('D') {
                c.bind("threads", p.d_threads.len());
            }
            if !p.start.is_empty() {
                c.bind("start", &p.start);
            }
            c.flag("important", important_task(&task));
            st.checks.push(c);
        }
        if defunct {
            zombies.push((p, task));
        }
    }
    let many = zombies.len() >= 5;
    for (p, task) in zombies {
        let mut evidence = vec![Cite::nth(p.line, &p.text)];
        evidence.extend(p.z_threads.iter().take(4).map(|(i, t)| Cite::nth(*i, t)));
        let mut fields = vec![field("task", &task, FieldKind::Task)];
        if !p.pid.is_empty() {
            fields.push(field("pid", &p.pid, FieldKind::Pid));
        }
        let mut c = Check::raise(crate::id::PROCESS_ZOMBIE);
        c.fields = fields;
        c.evidence = evidence;
        if !p.start.is_empty() {
            c.bind("start", &p.start);
        }
        c.flag("d_thread", !p.d_threads.is_empty());
        // A warning for a service's zombie, or when zombies pile up.
        c.flag("notable", important_task(&task) || many);
        st.checks.push(c);
    }
    st
}

// ---------------------------------------------------------------------------
// qemu-img check / info
// ---------------------------------------------------------------------------

fn json_slice(text: &str) -> Option<(usize, Value)> {
    let start = text.find(['{', '['])?;
    let end = text.rfind(['}', ']'])?;
    if end < start {
        return None;
    }
    let v: Value = serde_json::from_str(&text[start..=end]).ok()?;
    let line = text[..start].matches('\n').count();
    Some((line, v))
}

fn line_of(lines: &[&str], needle: &str) -> Option<usize> {
    lines.iter().position(|l| l.contains(needle))
}

/// The image a pasted `qemu-img check … <image>` prompt names.
fn image_from_prompt(lines: &[&str], verb: &str) -> Option<String> {
    lines.iter().find_map(|l| {
        let p = l.find(&format!("qemu-img {verb}"))?;
        let last = l[p..].split_whitespace().last()?;
        (!last.starts_with('-') && last != verb).then(|| last.trim_matches(['\'', '"']).to_string())
    })
}

fn parse_qemu_img_check(text: &str) -> HostState {
    let mut st = HostState::default();
    let lines: Vec<&str> = text.lines().collect();
    let mut image = image_from_prompt(&lines, "check");
    let mut corruptions: u64 = 0;
    let mut leaks: u64 = 0;
    let mut check_errors: u64 = 0;
    let mut clean = false;
    let mut error_lines: Vec<usize> = Vec::new();
    let mut leak_lines: Vec<usize> = Vec::new();
    let mut summary_c: Option<usize> = None;
    let mut summary_l: Option<usize> = None;
    let mut repaired = false;
    let mut json_seen = false;
    let mut end_offset: Option<u64> = None;

    if let Some((jl, v)) = json_slice(text)
        && v.get("corruptions").is_some()
            | v.get("check-errors").is_some()
            | v.get("leaks").is_some()
    {
        json_seen = true;
        let n = |k: &str| v.get(k).and_then(Value::as_u64).unwrap_or(0);
        corruptions = n("corruptions");
        leaks = n("leaks");
        check_errors = n("check-errors");
        end_offset = v.get("image-end-offset").and_then(Value::as_u64);
        if let Some(f) = v.get("filename").and_then(Value::as_str) {
            image = Some(f.to_string());
        }
        summary_c = line_of(&lines, "\"corruptions\"").or(Some(jl));
        summary_l = line_of(&lines, "\"leaks\"").or(Some(jl));
        clean = corruptions == 0 && leaks == 0 && check_errors == 0;
        st.facts.push(json!({
            "type": "qemu-img-check", "line": jl + 1, "image": image, "format": v.get("format"),
            "corruptions": corruptions, "leaks": leaks, "check-errors": check_errors,
            "corruptions-fixed": v.get("corruptions-fixed"), "leaks-fixed": v.get("leaks-fixed"),
            "image-end-offset": end_offset, "total-clusters": v.get("total-clusters"),
            "allocated-clusters": v.get("allocated-clusters"),
        }));
    }
    if !json_seen {
        for (i, l) in lines.iter().enumerate() {
            let t = l.trim();
            let first_num = t
                .split_whitespace()
                .next()
                .and_then(|w| w.parse::<u64>().ok());
            if t.starts_with("Double checking the fixed image") {
                // What counts is the result after the repair.
                repaired = true;
                corruptions = 0;
                leaks = 0;
                error_lines.clear();
                leak_lines.clear();
                summary_c = None;
                summary_l = None;
            } else if t.starts_with("ERROR") {
                error_lines.push(i);
            } else if t.starts_with("Leaked cluster") {
                leak_lines.push(i);
            } else if t.contains("errors were found on the image") && !t.starts_with("No errors") {
                corruptions = first_num.unwrap_or(error_lines.len() as u64);
                summary_c = Some(i);
            } else if t.contains("leaked clusters were found on the image") {
                leaks = first_num.unwrap_or(leak_lines.len() as u64);
                summary_l = Some(i);
            } else if t.contains("internal errors have occurred") {
                check_errors = first_num.unwrap_or(1);
            } else if t.starts_with("No errors were found on the image") {
                clean = true;
                summary_c = Some(i);
            } else if let Some(v) = t.strip_prefix("Image end offset:") {
                end_offset = v.trim().parse().ok();
            } else if t.starts_with("qemu-img:") {
                st.notes.push(format!("qemu-img reported: {t}"));
            }
        }
        if corruptions == 0 && !error_lines.is_empty() {
            corruptions = error_lines.len() as u64;
        }
        if leaks == 0 && !leak_lines.is_empty() {
            leaks = leak_lines.len() as u64;
        }
        if corruptions > 0 || leaks > 0 {
            clean = false;
        }
        if corruptions > 0 || leaks > 0 || clean || check_errors > 0 {
            st.facts.push(json!({
                "type": "qemu-img-check", "line": summary_c.or(summary_l).map(|l| l + 1),
                "image": image, "corruptions": corruptions, "leaks": leaks,
                "check-errors": check_errors, "clean": clean, "repaired": repaired,
                "image-end-offset": end_offset,
            }));
        } else if !text.trim().is_empty() {
            st.notes
                .push("no qemu-img check verdict found (truncated?)".to_string());
        }
    }
    let mut id_fields = Vec::new();
    if let Some(i) = &image {
        id_fields.push(field("path", i, FieldKind::Path));
        if let Some(u) = find_uuid(basename(i)) {
            id_fields.push(field("volume", &u, FieldKind::Uuid));
        }
    }
    if corruptions > 0 {
        let mut ev: Vec<Cite> = error_lines
            .iter()
            .take(10)
            .map(|&i| Cite::nth(i, lines[i]))
            .collect();
        if let Some(i) = summary_c {
            ev.push(Cite::nth(i, lines[i]));
        }
        let mut fields = id_fields.clone();
        fields.push(field(
            "corruptions",
            &corruptions.to_string(),
            FieldKind::Int,
        ));
        let mut c = Check::raise(crate::id::QEMU_IMG_CORRUPTION);
        c.fields = fields;
        c.evidence = ev;
        st.checks.push(c);
    }
    if leaks > 0 {
        let mut ev: Vec<Cite> = leak_lines
            .iter()
            .take(10)
            .map(|&i| Cite::nth(i, lines[i]))
            .collect();
        if let Some(i) = summary_l {
            ev.push(Cite::nth(i, lines[i]));
        }
        let mut fields = id_fields.clone();
        fields.push(field("leaks", &leaks.to_string(), FieldKind::Int));
        let mut c = Check::raise(crate::id::QEMU_IMG_LEAKS);
        c.fields = fields;
        c.evidence = ev;
        st.checks.push(c);
    }
    st
}

fn parse_qemu_img_info(text: &str) -> HostState {
    let mut st = HostState::default();
    let lines: Vec<&str> = text.lines().collect();
    let mut images: Vec<(usize, Value)> = Vec::new();
    if let Some((jl, v)) = json_slice(text) {
        let list = match v {
            Value::Array(a) => a,
            o => vec![o],
        };
        for o in list {
            let corrupt = o
                .pointer("/format-specific/data/corrupt")
                .and_then(Value::as_bool);
            let name = o
                .get("filename")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let line = line_of(&lines, "\"corrupt\": true")
                .filter(|_| corrupt == Some(true))
                .unwrap_or(jl);
            images.push((
                line,
                json!({
                    "type": "qemu-img-info", "line": line + 1, "image": name,
                    "format": o.get("format"), "virtual-size": o.get("virtual-size"),
                    "actual-size": o.get("actual-size"), "backing-file": o.get("backing-filename"),
                    "corrupt": corrupt,
                }),
            ));
        }
    } else {
        let mut cur: Option<(usize, Value)> = None;
        for (i, l) in lines.iter().enumerate() {
            let t = l.trim();
            if let Some(v) = t.strip_prefix("image: ") {
                if let Some(c) = cur.take() {
                    images.push(c);
                }
                cur = Some((
                    i,
                    json!({"type": "qemu-img-info", "line": i + 1, "image": v.trim()}),
                ));
                continue;
            }
            let Some((_, o)) = cur.as_mut() else { continue };
            let Some((k, v)) = t.split_once(':') else {
                continue;
            };
            let v = v.trim();
            match k.trim() {
                "file format" => o["format"] = json!(v),
                "virtual size" => {
                    let bytes = v
                        .split('(')
                        .nth(1)
                        .and_then(|s| s.split_whitespace().next())
                        .and_then(|s| s.parse::<u64>().ok());
                    o["virtual-size"] = bytes.map(|b| json!(b)).unwrap_or(json!(v));
                }
                "disk size" => o["disk-size"] = json!(v),
                "cluster_size" => o["cluster-size"] = json!(v),
                "backing file" => {
                    o["backing-file"] = json!(v.split(" (actual path").next().unwrap_or(v))
                }
                "backing file format" => o["backing-format"] = json!(v),
                "lazy refcounts" => o["lazy-refcounts"] = json!(v == "true"),
                "corrupt" => {
                    o["corrupt"] = json!(v == "true");
                    if v == "true" {
                        o["corrupt-line"] = json!(i + 1);
                    }
                }
                _ => {}
            }
        }
        if let Some(c) = cur.take() {
            images.push(c);
        }
    }
    for (line, f) in images {
        if f["corrupt"] == json!(true) {
            let cl = f["corrupt-line"]
                .as_u64()
                .map(|l| l as usize - 1)
                .unwrap_or(line);
            let mut ev = vec![Cite::nth(line, lines.get(line).copied().unwrap_or(""))];
            if cl != line {
                ev.push(Cite::nth(cl, lines.get(cl).copied().unwrap_or("")));
            }
            // `qemu-img info` says so itself: no count of corruptions.
            let mut c = Check::raise(crate::id::QEMU_IMG_CORRUPTION);
            if let Some(img) = f["image"].as_str().filter(|i| !i.is_empty()) {
                c.add_field("path", img, FieldKind::Path);
            }
            c.flag("marked_corrupt", true);
            c.evidence = ev;
            st.checks.push(c);
        }
        st.facts.push(f);
    }
    if st.facts.is_empty() && !text.trim().is_empty() {
        st.notes
            .push("no qemu-img info image block found".to_string());
    }
    st
}

// ---------------------------------------------------------------------------
// libvirt domain XML (tiny tag scanner)
// ---------------------------------------------------------------------------

struct Tag<'a> {
    name: &'a str,
    closing: bool,
    self_closing: bool,
    attrs: &'a str,
    /// Text that follows the tag up to the next `<`.
    text: &'a str,
    line: usize,
}

fn xml_tags(text: &str) -> Vec<Tag<'_>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(off) = text[pos..].find('<') {
        let start = pos + off;
        if text[start..].starts_with("<!--") {
            match text[start..].find("-->") {
                Some(e) => {
                    pos = start + e + 3;
                    continue;
                }
                None => break,
            }
        }
        let Some(e) = text[start..].find('>') else {
            break;
        };
        let inner = &text[start + 1..start + e];
        let after = start + e + 1;
        let next = text[after..]
            .find('<')
            .map(|n| after + n)
            .unwrap_or(text.len());
        let closing = inner.starts_with('/');
        let body = inner.trim_start_matches('/');
        let self_closing = body.ends_with('/');
        let body = body.trim_end_matches('/');
        let name_end = body.find(char::is_whitespace).unwrap_or(body.len());
        out.push(Tag {
            name: &body[..name_end],
            closing,
            self_closing,
            attrs: &body[name_end..],
            text: text[after..next].trim(),
            line: text[..start].matches('\n').count(),
        });
        pos = after;
    }
    out
}

fn attr<'a>(attrs: &'a str, key: &str) -> Option<&'a str> {
    let mut s = attrs;
    loop {
        let p = s.find(key)?;
        let before_ok = p == 0 || s[..p].ends_with(char::is_whitespace);
        let rest = s[p + key.len()..].trim_start();
        if before_ok && let Some(r) = rest.strip_prefix('=') {
            let r = r.trim_start();
            let q = r.chars().next()?;
            if q == '\'' || q == '"' {
                let r = &r[1..];
                return Some(&r[..r.find(q).unwrap_or(r.len())]);
            }
        }
        s = &s[p + key.len()..];
    }
}

fn looks_shared(path: &str, disk_type: &str, protocol: &str) -> bool {
    matches!(protocol, "nfs" | "gluster")
        || disk_type == "network" && protocol.is_empty()
        || path.contains("/mnt/")
        || path.contains("/nfs")
}

fn parse_domain_xml(text: &str) -> HostState {
    let mut st = HostState::default();
    let lines: Vec<&str> = text.lines().collect();
    let tags = xml_tags(text);
    let mut domain: Option<String> = None;
    let mut uuid: Option<String> = None;
    let mut display: Option<String> = None;
    let mut depth_backing = 0usize;
    let mut in_disk: Option<(usize, Value)> = None;
    let mut disks: Vec<(usize, Value)> = Vec::new();
    let mut domain_line = 0;
    let mut in_domain_depth = 0usize;
    for t in &tags {
        match (t.name, t.closing) {
            ("domain", false) => {
                domain_line = t.line;
                in_domain_depth = 1;
            }
            ("name", false) if domain.is_none() && in_disk.is_none() && !t.text.is_empty() => {
                domain = Some(t.text.to_string());
            }
            ("uuid", false) if uuid.is_none() && is_uuid(t.text) => {
                uuid = Some(t.text.to_ascii_lowercase())
            }
            ("nova:name", false) if display.is_none() => display = Some(t.text.to_string()),
            ("disk", false) => {
                in_disk = Some((
                    t.line,
                    json!({"type": "domain-disk", "line": t.line + 1,
                        "disk-type": attr(t.attrs, "type"), "device": attr(t.attrs, "device")}),
                ));
                depth_backing = 0;
            }
            ("disk", true) => {
                if let Some(d) = in_disk.take() {
                    disks.push(d);
                }
            }
            ("backingStore", false) if !t.self_closing => depth_backing += 1,
            ("backingStore", true) => depth_backing = depth_backing.saturating_sub(1),
            _ => {}
        }
        let Some((_, d)) = in_disk.as_mut() else {
            continue;
        };
        if t.closing || depth_backing > 0 {
            continue;
        }
        match t.name {
            "driver" => {
                for k in ["cache", "io", "discard"] {
                    if let Some(v) = attr(t.attrs, k) {
                        d[k] = json!(v);
                    }
                }
                if let Some(v) = attr(t.attrs, "type") {
                    d["format"] = json!(v);
                }
                d["driver-line"] = json!(t.line + 1);
            }
            "source" if d.get("source").is_none() => {
                let src = attr(t.attrs, "file")
                    .or_else(|| attr(t.attrs, "dev"))
                    .or_else(|| attr(t.attrs, "name"))
                    .or_else(|| attr(t.attrs, "volume"));
                if let Some(s) = src {
                    d["source"] = json!(s);
                }
                if let Some(p) = attr(t.attrs, "protocol") {
                    d["protocol"] = json!(p);
                }
                d["source-line"] = json!(t.line + 1);
            }
            "target" => {
                if let Some(v) = attr(t.attrs, "dev") {
                    d["target"] = json!(v);
                }
                if let Some(v) = attr(t.attrs, "bus") {
                    d["bus"] = json!(v);
                }
            }
            "serial" if !t.text.is_empty() => d["serial"] = json!(t.text),
            _ => {}
        }
    }
    let _ = in_domain_depth;
    if let Some((l, d)) = in_disk.take() {
        st.notes
            .push("XML ends inside a <disk> element (truncated)".to_string());
        disks.push((l, d));
    }
    if domain.is_some() || uuid.is_some() {
        st.facts.push(
            json!({"type": "domain", "line": domain_line + 1, "name": domain,
            "uuid": uuid, "display-name": display, "disks": disks.len()}),
        );
    }
    for (l, mut d) in disks {
        d["domain"] = json!(domain);
        d["instance"] = json!(uuid);
        let cache = d["cache"].as_str().unwrap_or("").to_string();
        let source = d["source"].as_str().unwrap_or("").to_string();
        let dtype = d["disk-type"].as_str().unwrap_or("").to_string();
        let proto = d["protocol"].as_str().unwrap_or("").to_string();
        let risky =
            cache == "unsafe" || (cache == "writeback" && looks_shared(&source, &dtype, &proto));
        if risky {
            let dl = d["driver-line"]
                .as_u64()
                .map(|x| x as usize - 1)
                .unwrap_or(l);
            let mut ev = vec![Cite::nth(l, lines.get(l).copied().unwrap_or(""))];
            if dl != l {
                ev.push(Cite::nth(dl, lines.get(dl).copied().unwrap_or("")));
            }
            if let Some(sl) = d["source-line"].as_u64().map(|x| x as usize - 1) {
                ev.push(Cite::nth(sl, lines.get(sl).copied().unwrap_or("")));
            }
            let mut c = Check::raise(crate::id::DISK_CACHE_RISKY);
            // A `virsh edit` excerpt may not name the domain.
            if let Some(dom) = &domain {
                c.add_field("domain", dom, FieldKind::Domain);
            }
            if !source.is_empty() {
                c.add_field("path", &source, FieldKind::Path);
                if let Some(u) = find_uuid(basename(&source)) {
                    c.add_field("volume", &u, FieldKind::Uuid);
                }
            }
            if let Some(u) = &uuid {
                c.add_field("instance", u, FieldKind::Uuid);
            }
            c.bind("cache", &cache);
            c.evidence = ev;
            st.checks.push(c);
        }
        st.facts.push(d);
    }
    if st.facts.is_empty() && !text.trim().is_empty() {
        st.notes.push("no domain or disk element found".to_string());
    }
    st
}

// ---------------------------------------------------------------------------
// virsh list / domblklist
// ---------------------------------------------------------------------------

fn parse_virsh_list(text: &str) -> HostState {
    let mut st = HostState::default();
    let mut in_table = false;
    let mut rows: Vec<(usize, &str, String, String)> = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let t: Vec<&str> = l.split_whitespace().collect();
        if t == ["Id", "Name", "State"] {
            in_table = true;
            continue;
        }
        if !in_table || t.len() < 3 || l.trim_start().starts_with("---") {
            continue;
        }
        if !(t[0] == "-" || t[0].chars().all(|c| c.is_ascii_digit())) {
            continue;
        }
        st.facts
            .push(json!({"type": "virsh-domain", "line": i + 1, "id": t[0],
            "name": t[1], "state": t[2..].join(" ")}));
        rows.push((i, l, t[1].to_string(), t[2..].join(" ")));
    }
    // Every running domain paused at once. Nobody pauses all VMs of a host
    // by hand; qemu pauses a VM by itself when a disk write fails under its
    // error policy, and libvirt's default policy (werror=enospc) stops only
    // on ENOSPC: the storage under their images most likely filled up.
    let paused: Vec<&(usize, &str, String, String)> =
        rows.iter().filter(|r| r.3 == "paused").collect();
    let running = rows.iter().any(|r| r.3 == "running");
    if paused.len() >= 2 && !running {
        let mut c = Check::raise(crate::id::DOMAINS_PAUSED);
        c.bind("count", paused.len());
        c.bind("first_domain", &paused[0].2);
        for r in &paused {
            c.add_field_once("domain", &r.2, FieldKind::Domain);
            c.add_cite(&Cite::nth(r.0, r.1));
        }
        st.checks.push(c);
    }
    st
}

fn parse_domblklist(text: &str) -> HostState {
    let mut st = HostState::default();
    let mut details = None;
    for (i, l) in text.lines().enumerate() {
        let t: Vec<&str> = l.split_whitespace().collect();
        if t == ["Target", "Source"] {
            details = Some(false);
            continue;
        }
        if t == ["Type", "Device", "Target", "Source"] {
            details = Some(true);
            continue;
        }
        let Some(d) = details else { continue };
        if l.trim_start().starts_with("---") || t.is_empty() {
            continue;
        }
        let (target, source, ty) = if d {
            if t.len() < 4 {
                continue;
            }
            (t[2], t[3..].join(" "), Some(t[0]))
        } else {
            if t.len() < 2 {
                continue;
            }
            (t[0], t[1..].join(" "), None)
        };
        st.facts.push(
            json!({"type": "domain-block", "line": i + 1, "target": target,
            "source": source, "disk-type": ty, "volume": find_uuid(&source)}),
        );
    }
    st
}

// ---------------------------------------------------------------------------
// OpenStack tables / JSON / value
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// ls -l / ls -ln / stat
// ---------------------------------------------------------------------------

struct LsEntry {
    perms: String,
    owner: String,
    group: String,
    name: String,
    /// The SELinux context `ls -Z` prints (`system_u:object_r:nfs_t:s0`).
    context: Option<String>,
}

/// An SELinux context column: `user:role:type:level`, or `?` where the file
/// system has none (Ubuntu without SELinux).
fn is_context(s: &str) -> bool {
    s == "?" || (s.matches(':').count() >= 2 && s.starts_with(|c: char| c.is_ascii_alphabetic()))
}

fn perm_mode(p: &str) -> Option<u32> {
    let b = p.as_bytes();
    if b.len() < 10 {
        return None;
    }
    let mut m = 0;
    for (i, c) in b[1..10].iter().enumerate() {
        let bit = 1 << (8 - i);
        match c {
            b'r' | b'w' | b'x' | b's' | b't' => m |= bit,
            b'-' | b'S' | b'T' => {}
            _ => return None,
        }
    }
    Some(m)
}

fn parse_ls_line(l: &str) -> Option<LsEntry> {
    let t: Vec<&str> = l.split_whitespace().collect();
    if t.len() < 5 {
        return None;
    }
    let p = t[0];
    if !matches!(
        p.as_bytes().first(),
        Some(b'-' | b'd' | b'l' | b'b' | b'c' | b'p' | b's')
    ) {
        return None;
    }
    if perm_mode(p).is_none() || !(10..=11).contains(&p.len()) {
        return None;
    }
    // RHEL 7's `ls -Z` / `ls -lZ`: mode, owner, group, context, name only
    // (`-rw-------. root root system_u:object_r:admin_home_t:s0 anaconda-ks.cfg`).
    if !t[1].chars().all(|c| c.is_ascii_digit()) {
        if t.len() < 5 || !is_context(t[3]) || t[3] == "?" {
            return None;
        }
        let mut rest = l.trim_start();
        for _ in 0..4 {
            let e = rest.find(char::is_whitespace)?;
            rest = rest[e..].trim_start();
        }
        return Some(LsEntry {
            perms: p.to_string(),
            owner: t[1].to_string(),
            group: t[2].to_string(),
            name: rest.to_string(),
            context: Some(t[3].to_string()),
        });
    }
    if t.len() < 8 {
        return None;
    }
    // Newer coreutils put the context between the group and the size.
    let context = (t.len() >= 9 && is_context(t[4])).then(|| t[4].to_string());
    let mut k = if context.is_some() { 5 } else { 4 };
    if t[k].ends_with(',') {
        k += 2; // major, minor
    } else {
        k += 1; // size
    }
    // Date: `Oct 11 17:55` / `Oct  4  2019` (3), `2019-10-11 17:55` (2), full-iso (3).
    let date_n = match t.get(k) {
        Some(d) if d.len() == 10 && d.as_bytes().get(4) == Some(&b'-') => {
            if t.get(k + 2)
                .is_some_and(|z| z.starts_with('+') || z.starts_with('-'))
            {
                3
            } else {
                2
            }
        }
        _ => 3,
    };
    k += date_n;
    // The name: the rest of the line after the k-th token.
    let mut rest = l.trim_start();
    for _ in 0..k {
        let e = rest.find(char::is_whitespace)?;
        rest = rest[e..].trim_start();
    }
    if rest.is_empty() {
        return None;
    }
    Some(LsEntry {
        perms: p.to_string(),
        owner: t[2].to_string(),
        group: t[3].to_string(),
        name: rest.to_string(),
        context,
    })
}

/// Users and groups from `id <user>` lines: (user, uid, group names and
/// numbers, 0-based line).
fn parse_id_lines(text: &str) -> Vec<(String, String, Vec<String>, usize)> {
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        let Some(rest) = t.strip_prefix("uid=") else {
            continue;
        };
        let name_of = |s: &str| {
            s.split('(')
                .nth(1)
                .and_then(|x| x.split(')').next())
                .map(str::to_string)
        };
        let parts: Vec<&str> = rest.split_whitespace().collect();
        let Some(user) = name_of(parts[0]) else {
            continue;
        };
        let uid = parts[0].split('(').next().unwrap_or("").to_string();
        let mut groups = Vec::new();
        for p in &parts[1..] {
            if let Some(g) = p.strip_prefix("groups=").or_else(|| p.strip_prefix("gid=")) {
                for x in g.split(',') {
                    if let Some(n) = name_of(x) {
                        groups.push(n);
                    }
                    groups.push(x.split('(').next().unwrap_or("").to_string());
                }
            }
        }
        groups.push(user.clone());
        groups.retain(|g| !g.is_empty());
        groups.dedup();
        out.push((user, uid, groups, i));
    }
    out
}

fn parse_ls(text: &str) -> HostState {
    let mut st = HostState::default();
    let lines: Vec<&str> = text.lines().collect();
    let mut dir: Option<String> = None;
    let mut entries: Vec<(usize, LsEntry, Option<String>)> = Vec::new();
    let mut stat_file: Option<(usize, String)> = None;
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim();
        // `ls -l <dir>` prompt or `-R` heading names the directory.
        let words: Vec<&str> = t.split_whitespace().collect();
        let is_prompt = t.starts_with('[') || t.starts_with('#') || t.starts_with('$');
        if let Some(p) = words
            .iter()
            .position(|w| *w == "ls" || w.ends_with("#ls") || w.ends_with("$ls"))
            && (is_prompt || p == 0)
        {
            if let Some(last) = words[p..].iter().rev().find(|w| w.starts_with('/')) {
                dir = Some(last.trim_end_matches('/').to_string());
            }
            continue;
        }
        if t.starts_with('/') && t.ends_with(':') && !t.contains(' ') {
            dir = Some(t.trim_end_matches(':').trim_end_matches('/').to_string());
            continue;
        }
        if let Some(f) = t.strip_prefix("File:") {
            let f = f.trim().trim_matches(['\'', '"', '‘', '’']).to_string();
            stat_file = Some((i, f));
            continue;
        }
        if t.starts_with("Access: (")
            && t.contains("Uid: (")
            && let Some((fl, name)) = stat_file.take()
        {
            // Access: (0660/-rw-rw----)  Uid: (  162/    nova)   Gid: (  162/    nova)
            let perms = t
                .split('/')
                .nth(1)
                .and_then(|s| s.split(')').next())
                .unwrap_or("")
                .to_string();
            let who = |k: &str| {
                t.split(k)
                    .nth(1)
                    .and_then(|s| s.split(')').next())
                    .and_then(|s| s.split('/').nth(1))
                    .map(|s| s.trim().to_string())
                    .unwrap_or_default()
            };
            let e = LsEntry {
                perms,
                owner: who("Uid: ("),
                group: who("Gid: ("),
                name: basename(&name).to_string(),
                context: None,
            };
            let d = dirname(&name).map(str::to_string).or_else(|| dir.clone());
            let _ = fl;
            entries.push((i, e, d));
            continue;
        }
        if let Some(e) = parse_ls_line(l) {
            entries.push((i, e, dir.clone()));
        }
    }
    let ids = parse_id_lines(text);
    let mut indicator: Option<usize> = None;
    for (i, e, d) in &entries {
        let mode = perm_mode(&e.perms).unwrap_or(0);
        let path = match d {
            Some(d) => format!("{d}/{}", e.name),
            None => e.name.clone(),
        };
        if e.name.contains(".cinderSecureEnvIndicator") {
            indicator = Some(*i);
        }
        let mut f = json!({"type": "file", "line": i + 1, "path": path, "name": e.name,
            "owner": e.owner, "group": e.group, "mode": format!("{mode:04o}"),
            "kind": e.perms.get(..1)});
        if let Some(c) = e.context.as_deref().filter(|c| *c != "?") {
            f["selinux"] = json!(c);
            if let Some(ty) = c.split(':').nth(2) {
                f["selinux_type"] = json!(ty);
            }
        }
        st.facts.push(f);
    }
    if let Some(i) = indicator {
        st.facts
            .push(json!({"type": "cinder-secure-indicator", "line": i + 1}));
    }
    // `id qemu` and friends: who is in which group, for checks that learn
    // the qemu user from another file (qemu.conf, ps).
    for (user, uid, groups, i) in &ids {
        st.facts
            .push(json!({"type": "account", "line": i + 1, "user": user,
            "uid": uid, "groups": groups}));
    }
    // Which user runs qemu: a volume owner named like it, else the distribution default.
    let volumes: Vec<&(usize, LsEntry, Option<String>)> = entries
        .iter()
        .filter(|(_, e, _)| e.perms.starts_with('-') && e.name.starts_with("volume-"))
        .collect();
    let qemu_user = volumes
        .iter()
        .map(|(_, e, _)| e.owner.as_str())
        .find(|o| matches!(*o, "qemu" | "libvirt-qemu" | "107" | "64055"))
        .unwrap_or("qemu")
        .to_string();
    let mut qemu_groups: Vec<String> = vec![qemu_user.clone()];
    if qemu_user == "libvirt-qemu" {
        qemu_groups.push("kvm".into());
    }
    if let Some((_, uid, g, _)) = ids.iter().find(|(u, _, _, _)| *u == qemu_user) {
        qemu_groups.extend(g.iter().cloned());
        qemu_groups.push(uid.clone());
    }
    let mut bad: Vec<(usize, String, String, String)> = Vec::new();
    for (i, e, d) in &volumes {
        let mode = perm_mode(&e.perms).unwrap_or(0);
        let ok = (e.owner == qemu_user && mode & 0o600 == 0o600)
            || (qemu_groups.contains(&e.group) && mode & 0o060 == 0o060)
            || mode & 0o006 == 0o006
            || e.owner == "root" && qemu_user == "root";
        if !ok {
            let path = match d {
                Some(d) => format!("{d}/{}", e.name),
                None => e.name.clone(),
            };
            bad.push((
                *i,
                path,
                format!("{}:{} {:04o}", e.owner, e.group, mode),
                e.name.clone(),
            ));
        }
    }
    if !bad.is_empty() {
        let mut ev: Vec<Cite> = bad.iter().map(|b| Cite::nth(b.0, lines[b.0])).collect();
        if let Some(i) = indicator {
            ev.push(Cite::nth(i, lines[i]));
        }
        ev.sort_by_key(|c| c.line);
        let mut c = Check::raise(crate::id::VOLUME_FILE_MODE);
        for (_, path, _, name) in &bad {
            if let Some(u) = find_uuid(name) {
                c.add_field("volume", u, FieldKind::Uuid);
            }
            c.add_field("path", path, FieldKind::Path);
        }
        let list = bad.iter().map(|b| format!("{} ({})", b.3, b.2));
        let paths = bad
            .iter()
            .map(|b| b.1.clone())
            .collect::<Vec<_>>()
            .join(" ");
        c.bind("count", bad.len());
        c.bind_list("files", list);
        c.bind("paths", paths);
        // Only the listing: the qemu user is guessed from the owners.
        c.flag("guessed", true);
        c.bind("user", &qemu_user);
        c.bind(
            "group",
            if qemu_user == "libvirt-qemu" {
                "kvm"
            } else {
                qemu_user.as_str()
            },
        );
        if let Some(i) = indicator {
            c.bind(
                "indicator",
                entries
                    .iter()
                    .find(|e| e.0 == i)
                    .map_or("", |e| e.1.name.as_str()),
            );
        }
        c.evidence = ev;
        st.checks.push(c);
    }
    st
}

// ---------------------------------------------------------------------------
// Configuration: ini (cinder.conf, nova.conf), qemu.conf, multipath.conf
// ---------------------------------------------------------------------------

/// (section, key, value, line) of an ini file; continuation lines are joined.
fn ini_entries(text: &str) -> Vec<(String, String, String, usize)> {
    let mut out: Vec<(String, String, String, usize)> = Vec::new();
    let mut section = "DEFAULT".to_string();
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
            continue;
        }
        if t.starts_with('[') && t.ends_with(']') {
            section = t[1..t.len() - 1].trim().to_string();
            continue;
        }
        if l.starts_with([' ', '\t'])
            && !t.contains('=')
            && let Some(last) = out.last_mut()
        {
            last.2.push(' ');
            last.2.push_str(t);
            continue;
        }
        if let Some((k, v)) = t.split_once('=') {
            out.push((
                section.clone(),
                k.trim().to_string(),
                v.trim().to_string(),
                i,
            ));
        }
    }
    out
}

fn truthy(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" | "on" => Some(true),
        "false" | "no" | "0" | "off" => Some(false),
        _ => None,
    }
}

fn parse_ini(text: &str, file: &str) -> HostState {
    let mut st = HostState::default();
    let lines: Vec<&str> = text.lines().collect();
    let entries = ini_entries(text);
    for (s, k, v, l) in &entries {
        st.facts
            .push(json!({"type": "config", "file": file, "line": l + 1,
            "section": s, "key": k, "value": masked(k, v)}));
    }
    let find = |s: &str, k: &str| entries.iter().find(|e| e.0 == s && e.1 == k);
    // Multipath settings, for the lead to compare across files.
    let nova_mp = entries
        .iter()
        .find(|e| e.1 == "volume_use_multipath" || e.1 == "iscsi_use_multipath");
    let cinder_mp = entries
        .iter()
        .find(|e| e.1 == "use_multipath_for_image_xfer");
    if file == "nova.conf" || nova_mp.is_some() {
        st.facts.push(json!({"type": "multipath-setting", "service": "nova",
            "key": "volume_use_multipath", "value": nova_mp.and_then(|e| truthy(&e.2)).unwrap_or(false),
            "explicit": nova_mp.is_some(), "line": nova_mp.map(|e| e.3 + 1)}));
    }
    if file == "cinder.conf" || cinder_mp.is_some() {
        st.facts.push(json!({"type": "multipath-setting", "service": "cinder",
            "key": "use_multipath_for_image_xfer", "value": cinder_mp.and_then(|e| truthy(&e.2)).unwrap_or(false),
            "explicit": cinder_mp.is_some(), "line": cinder_mp.map(|e| e.3 + 1)}));
    }
    if let (Some(n), Some(c)) = (nova_mp, cinder_mp)
        && truthy(&n.2) != truthy(&c.2)
    {
        let mut chk = Check::raise(crate::id::MULTIPATH_SETTING_MISMATCH);
        chk.flag("one_file", true);
        chk.bind("nova_key", &n.1);
        chk.bind("nova_value", &n.2);
        chk.bind("cinder_value", &c.2);
        // The section that sets it: where the fix sets it back.
        chk.bind("backend", &c.0);
        chk.evidence = vec![Cite::nth(n.3, lines[n.3]), Cite::nth(c.3, lines[c.3])];
        st.checks.push(chk);
    }
    if file != "cinder.conf" {
        return st;
    }
    // Cinder NFS backends without explicit nas_secure_* options.
    let enabled: Vec<String> = find("DEFAULT", "enabled_backends")
        .map(|e| {
            e.2.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let mut sections: Vec<String> = Vec::new();
    for e in &entries {
        if !sections.contains(&e.0) {
            sections.push(e.0.clone());
        }
    }
    let indicator = lines
        .iter()
        .position(|l| l.contains(".cinderSecureEnvIndicator"));
    for s in &sections {
        if !enabled.is_empty() && !enabled.contains(s) {
            continue;
        }
        if enabled.is_empty() && s != "DEFAULT" {
            continue;
        }
        let drv = find(s, "volume_driver");
        let shares = find(s, "nfs_shares_config");
        let is_nfs = drv
            .is_some_and(|d| d.2.contains("nfs.NfsDriver") || d.2.ends_with("NfsDriver"))
            || (drv.is_none() && shares.is_some());
        if !is_nfs {
            continue;
        }
        let opt = |k: &str| {
            find(s, k)
                .or_else(|| find("backend_defaults", k))
                .or_else(|| find("DEFAULT", k))
        };
        let ops = opt("nas_secure_file_operations");
        let perms = opt("nas_secure_file_permissions");
        let unset: Vec<&str> = [
            ("nas_secure_file_operations", ops),
            ("nas_secure_file_permissions", perms),
        ]
        .iter()
        .filter(|(_, e)| e.is_none_or(|e| e.2.trim().eq_ignore_ascii_case("auto")))
        .map(|(k, _)| *k)
        .collect();
        st.facts.push(json!({"type": "cinder-nfs-backend", "backend": s,
            "nas_secure_file_operations": ops.map(|e| e.2.clone()).unwrap_or_else(|| "auto".into()),
            "nas_secure_file_permissions": perms.map(|e| e.2.clone()).unwrap_or_else(|| "auto".into()),
            "line": drv.or(shares).map(|e| e.3 + 1)}));
        if unset.is_empty() {
            continue;
        }
        let mut ev = Vec::new();
        if let Some(hl) = lines.iter().position(|l| l.trim() == format!("[{s}]")) {
            ev.push(Cite::nth(hl, lines[hl]));
        }
        for e in [drv, shares, ops, perms].into_iter().flatten() {
            ev.push(Cite::nth(e.3, lines[e.3]));
        }
        if let Some(i) = indicator {
            ev.push(Cite::nth(i, lines[i]));
        }
        ev.sort_by_key(|c| c.line);
        ev.dedup();
        let mut c = Check::raise(crate::id::CINDER_NAS_SECURE_AUTO);
        c.add_field("backend", s, FieldKind::Text);
        c.bind("options", unset.join(" and "));
        c.flag("indicator", indicator.is_some());
        c.evidence = ev;
        st.checks.push(c);
    }
    st
}

fn parse_qemu_conf(text: &str) -> HostState {
    let mut st = HostState::default();
    let mut user: Option<(String, usize)> = None;
    let mut group: Option<(String, usize)> = None;
    let mut pending: Option<(String, String, usize)> = None;
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        if t.starts_with('#') || t.is_empty() {
            continue;
        }
        if let Some((_, v, _)) = pending.as_mut() {
            v.push(' ');
            v.push_str(t);
            if t.contains(']')
                && let Some((k, v, l0)) = pending.take()
            {
                st.facts.push(json!({"type": "config", "file": "qemu.conf", "line": l0 + 1, "key": k, "value": v}));
            }
            continue;
        }
        let Some((k, v)) = t.split_once('=') else {
            continue;
        };
        let k = k.trim().to_string();
        let v = v.trim().to_string();
        if v.starts_with('[') && !v.contains(']') {
            pending = Some((k, v, i));
            continue;
        }
        let unq = v.trim_matches('"').to_string();
        if k == "user" {
            user = Some((unq.clone(), i));
        }
        if k == "group" {
            group = Some((unq.clone(), i));
        }
        st.facts.push(json!({"type": "config", "file": "qemu.conf", "line": i + 1, "key": k, "value": masked(&k, &unq)}));
    }
    if let Some((k, v, l0)) = pending {
        st.facts.push(
            json!({"type": "config", "file": "qemu.conf", "line": l0 + 1, "key": k, "value": v}),
        );
        st.notes
            .push("qemu.conf ends inside a list (truncated)".to_string());
    }
    st.facts
        .push(json!({"type": "qemu-user", "source": "qemu.conf",
        "user": user.as_ref().map(|u| u.0.clone()), "group": group.as_ref().map(|g| g.0.clone()),
        "explicit": user.is_some(), "default": "qemu (RHEL) / libvirt-qemu (Debian, Ubuntu)",
        "line": user.as_ref().map(|u| u.1 + 1)}));
    st
}

fn parse_multipath_conf(text: &str) -> HostState {
    let mut st = HostState::default();
    let lines: Vec<&str> = text.lines().collect();
    // Stack of open blocks: (name, line, entries).
    type Block = (String, usize, Vec<(String, String, usize)>);
    let mut stack: Vec<Block> = Vec::new();
    let mut closed: Vec<(String, Block)> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let t = l.split('#').next().unwrap_or("").trim();
        if t.is_empty() {
            continue;
        }
        if t == "}" {
            if let Some(b) = stack.pop() {
                let path = stack
                    .iter()
                    .map(|b| b.0.as_str())
                    .chain([b.0.as_str()])
                    .collect::<Vec<_>>()
                    .join("/");
                closed.push((path, b));
            }
            continue;
        }
        if let Some(name) = t.strip_suffix('{') {
            stack.push((name.trim().to_string(), i, Vec::new()));
            continue;
        }
        let (k, v) = match t.split_once(char::is_whitespace) {
            Some((k, v)) => (k.to_string(), v.trim().trim_matches('"').to_string()),
            None => (t.to_string(), String::new()),
        };
        let section = stack
            .iter()
            .map(|b| b.0.as_str())
            .collect::<Vec<_>>()
            .join("/");
        st.facts.push(
            json!({"type": "config", "file": "multipath.conf", "line": i + 1,
            "section": section, "key": k, "value": v}),
        );
        if let Some(b) = stack.last_mut() {
            b.2.push((k, v, i));
        }
    }
    if !stack.is_empty() {
        st.notes
            .push("multipath.conf ends inside a block (truncated)".to_string());
        while let Some(b) = stack.pop() {
            let path = stack
                .iter()
                .map(|b| b.0.as_str())
                .chain([b.0.as_str()])
                .collect::<Vec<_>>()
                .join("/");
            closed.push((path, b));
        }
    }
    closed.sort_by_key(|c| c.1.1);
    // `multipathd show config` / `multipath -t` print the merged built-in
    // hardware table (many vendors default to queueing): only the user's
    // defaults, overrides and multipaths sections are judged there.
    let devices = closed.iter().filter(|c| c.1.0 == "device").count();
    let dump = devices > 15;
    if dump {
        st.facts
            .push(json!({"type": "multipath-config-dump", "devices": devices}));
    }
    for (path, (_, line, entries)) in closed {
        if dump && path.starts_with("devices") {
            continue;
        }
        let get = |k: &str| entries.iter().find(|e| e.0 == k);
        let npr = get("no_path_retry");
        let feat = get("features").filter(|e| e.1.contains("queue_if_no_path"));
        let npr_queue = npr.is_some_and(|e| e.1 == "queue");
        let bounded = npr.is_some_and(|e| e.1 == "fail" || e.1.parse::<u64>().is_ok());
        if !(npr_queue || (feat.is_some() && !bounded)) {
            continue;
        }
        let mut ev = vec![Cite::nth(line, lines[line])];
        for e in [
            get("vendor"),
            get("product"),
            get("wwid"),
            feat,
            npr.filter(|_| npr_queue),
        ]
        .into_iter()
        .flatten()
        {
            ev.push(Cite::nth(e.2, lines[e.2]));
        }
        let mut c = Check::raise(crate::id::MULTIPATH_QUEUE_FOREVER);
        c.bind("section", &path);
        if let (Some(v), Some(p)) = (get("vendor"), get("product")) {
            c.bind("vendor", &v.1);
            c.bind("product", &p.1);
        }
        if let Some(w) = get("wwid") {
            c.add_field("wwid", &w.1, FieldKind::Wwid);
        }
        c.evidence = ev;
        st.checks.push(c);
    }
    st
}

#[cfg(test)]
mod tests {
    use super::*;
    use rootline_model::Severity;
    use std::path::PathBuf;

    fn ex(rel: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/incidents")
            .join(rel)
    }
    fn corpus(rel: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/corpus/sosreport-openstack-compute")
            .join(rel)
    }
    fn read(p: &PathBuf) -> Option<String> {
        use std::io::Read;
        let f = std::fs::File::open(p).ok()?;
        let mut b = Vec::new();
        // Test fixtures are small; cap at 16 MiB.
        #[allow(clippy::disallowed_methods)]
        f.take(16 << 20).read_to_end(&mut b).ok()?;
        Some(String::from_utf8_lossy(&b).into_owned())
    }
    fn run(path: &str, text: &str) -> (Kind, HostState) {
        let k = recognise(path, text).unwrap_or_else(|| panic!("not recognised: {path}"));
        // Rendered with the shipped check book, as the binary does.
        (k, crate::parse(k, text))
    }
    fn ids(st: &HostState) -> Vec<(&str, Severity)> {
        st.checks
            .iter()
            .map(|c| (c.id.as_str(), c.severity))
            .collect()
    }
    #[test]
    fn every_domain_paused_at_once_points_at_full_storage() {
        let all = " Id   Name      State\n----------------------\n 1    web-0     paused\n 2    db-0      paused\n -    old       shut off\n";
        let st = crate::parse(Kind::VirshList, all);
        let c = check(&st, "domains-paused");
        assert_eq!(c.severity, Severity::Warning);
        assert_eq!(c.evidence.len(), 2);
        assert!(
            c.fields
                .iter()
                .any(|(n, v, _)| n == "domain" && v == "db-0")
        );
        // One paused among running ones is an operator's pause, not this.
        let one = " Id   Name      State\n----------------------\n 1    web-0     paused\n 2    db-0      running\n 3    db-1      paused\n";
        assert!(parse_virsh_list(one).checks.is_empty());
    }

    fn check<'a>(st: &'a HostState, id: &str) -> &'a Check {
        st.checks
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("no {id}: {:?}", ids(st)))
    }
    fn has_field(c: &Check, name: &str, value: &str) -> bool {
        c.fields.iter().any(|f| f.0 == name && f.1 == value)
    }
    fn prefixes_do_not_panic(path: &str, text: &str) {
        let mut cuts: Vec<usize> = (0..text.len()).step_by((text.len() / 97).max(1)).collect();
        cuts.push(text.len());
        for n in cuts {
            let mut n = n;
            while !text.is_char_boundary(n) {
                n -= 1;
            }
            let t = &text[..n];
            if let Some(k) = recognise(path, t) {
                let _ = parse(k, t);
            }
            for k in [
                Kind::Ps,
                Kind::QemuImgCheck,
                Kind::QemuImgInfo,
                Kind::DomainXml,
                Kind::OpenstackTable,
                Kind::LsListing,
                Kind::CinderConf,
                Kind::QemuConf,
                Kind::MultipathConf,
                Kind::VirshList,
                Kind::VirshDomblklist,
            ] {
                let _ = parse(k, t);
            }
        }
    }

    const PS_AUX: &str = "\
USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND
root           1  0.0  0.0 169224 13372 ?        Ss   Sep01   9:12 /sbin/init
root         713  0.0  0.0      0     0 ?        D    Oct13   0:02 [kworker/u96:2+flush-253:0]
qemu     2875519  1.8  1.6 17992412 16907480 ?   Dl   Oct02 279:55 /usr/libexec/qemu-kvm -name guest=instance-0000001c,debug-threads=on -S -uuid 6C59B812-2d8d-4da5-92d6-6bbe527926d6 -drive file=/var/lib/nova/mnt/63bf80ae/volume-2c8e41f0-9b37-4d6a-a5e2-71f0c3d8b964,format=raw,if=none,id=drive-virtio-disk0,serial=2c8e41f0-9b37-4d6a-a5e2-71f0c3d8b964,cache=none,aio=native -blockdev {\"driver\":\"host_device\",\"filename\":\"/dev/disk/by-id/dm-uuid-mpath-3600a098038303053453f463045727a51\",\"node-name\":\"libvirt-2-storage\"} -device virtio-blk-pci,drive=libvirt-2-format,id=virtio-disk1,serial=4f2f8d1c-6b3e-4a95-b7d2-9c0e1f3a5b68
root        4242  0.0  0.0      0     0 ?        Z    10:01   0:00 [sh] <defunct>
";
    const PS_ALX: &str = "\
F   UID     PID    PPID PRI  NI    VSZ   RSS WCHAN  STAT TTY        TIME COMMAND
4     0       1       0  20   0 175184 17464 ep_pol Ss   ?          0:38 /sbin/init
1     0     811       2  20   0      0     0 io_sch D    ?          0:01 [jbd2/dm-3-8]
4     0 1798174 1795431  20   0      0     0 -      Z    pts/0      0:00 [timeout] <defunct>
";
    const PS_EF: &str = "\
UID          PID    PPID  C STIME TTY          TIME CMD
root        1234       1  0 Feb09 ?        00:00:01 /usr/sbin/multipathd -d -s
root        1301    1234  0 Feb09 ?        00:00:00 [libvirtd] <defunct>
";

    #[test]
    fn ps_aux_d_state_qemu_identity_and_zombie() {
        let (k, st) = run("ps.txt", PS_AUX);
        assert_eq!(k, Kind::Ps);
        let q = st
            .facts
            .iter()
            .find(|f| f["type"] == "qemu-process")
            .unwrap();
        assert_eq!(q["domain"], "instance-0000001c");
        assert_eq!(q["instance"], "6c59b812-2d8d-4da5-92d6-6bbe527926d6");
        let disks = q["disks"].to_string();
        assert!(disks.contains("volume-2c8e41f0"), "{disks}");
        assert!(disks.contains("/dev/disk/by-id/dm-uuid-mpath-3600a098038303053453f463045727a51"));
        assert_eq!(q["wwids"][0], "3600a098038303053453f463045727a51");
        assert!(
            q["serials"]
                .to_string()
                .contains("4f2f8d1c-6b3e-4a95-b7d2-9c0e1f3a5b68")
        );
        let d: Vec<&Check> = st
            .checks
            .iter()
            .filter(|c| c.id == "process-d-state")
            .collect();
        assert_eq!(d.len(), 2);
        let qd = d.iter().find(|c| has_field(c, "pid", "2875519")).unwrap();
        assert_eq!(qd.severity, Severity::Error);
        assert!(has_field(qd, "domain", "instance-0000001c"));
        assert!(has_field(
            qd,
            "instance",
            "6c59b812-2d8d-4da5-92d6-6bbe527926d6"
        ));
        assert!(qd.en.contains("Oct02"));
        let kd = d.iter().find(|c| has_field(c, "pid", "713")).unwrap();
        assert_eq!(kd.severity, Severity::Warning);
        assert!(has_field(kd, "task", "kworker/u96:2+flush-253:0"));
        let z = check(&st, "process-zombie");
        assert!(has_field(z, "pid", "4242") && has_field(z, "task", "sh"));
        assert_eq!(z.evidence[0].line, 5);
    }

    #[test]
    fn ps_alx_columns_and_ef() {
        let (k, st) = run("sos_commands/process/ps_alxwww", PS_ALX);
        assert_eq!(k, Kind::Ps);
        let d = check(&st, "process-d-state");
        assert!(has_field(d, "pid", "811") && has_field(d, "task", "jbd2/dm-3-8"));
        let z = check(&st, "process-zombie");
        assert!(has_field(z, "pid", "1798174"), "{:?}", z.fields);
        assert_eq!(z.severity, Severity::Info);
        let (_, st) = run("ps-ef.txt", PS_EF);
        let z = check(&st, "process-zombie");
        assert!(has_field(z, "pid", "1301") && has_field(z, "task", "libvirtd"));
        assert_eq!(z.severity, Severity::Warning);
        // top is not ps.
        let top = "top - 10:00:01 up 3 days\nTasks: 1 total\n  PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND\n";
        assert_ne!(recognise("top.txt", top), Some(Kind::Ps));
        // A timed-out ps: empty file named like one.
        let (k, st) = run("sos_commands/process/ps_auxwwwm", "");
        assert_eq!(k, Kind::Ps);
        assert!(st.checks.is_empty() && !st.notes.is_empty());
    }

    #[test]
    fn bundle_001_ps_auxwwwm_threads() {
        let Some(t) = read(&ex(
            "001-libvirt-crashloop-multipath/sos_commands/process/ps_auxwwwm",
        )) else {
            panic!("bundle 001 missing")
        };
        let (k, st) = run("sos_commands/process/ps_auxwwwm", &t);
        assert_eq!(k, Kind::Ps);
        let z = check(&st, "process-zombie");
        assert!(has_field(z, "task", "libvirtd") && has_field(z, "pid", "198734"));
        assert_eq!(z.severity, Severity::Warning);
        let d: Vec<&Check> = st
            .checks
            .iter()
            .filter(|c| c.id == "process-d-state")
            .collect();
        let q = d
            .iter()
            .find(|c| has_field(c, "pid", "2875519"))
            .expect("qemu D");
        assert_eq!(q.severity, Severity::Error);
        assert!(has_field(q, "domain", "instance-00000f3a"));
        assert!(q.evidence.iter().any(|e| e.text.contains("Dl")));
        assert!(d.iter().any(|c| has_field(c, "task", "libvirtd")));
        prefixes_do_not_panic("sos_commands/process/ps_auxwwwm", &t);
    }

    const CHECK_TEXT: &str = "\
[root@cmp01 ~]# qemu-img check /var/lib/nova/instances/6c59b812-2d8d-4da5-92d6-6bbe527926d6/disk
ERROR cluster 261192 refcount=0 reference=1
ERROR cluster 261193 refcount=0 reference=1
Leaked cluster 12 refcount=1 reference=0
Leaked cluster 13 refcount=1 reference=0

2 errors were found on the image.
Data may be corrupted, or further writes to the image may corrupt it.

148 leaked clusters were found on the image.
This means waste of disk space, but no harm to data.
327680/327680 = 100.00% allocated, 0.00% fragmented, 0.00% compressed clusters
Image end offset: 21478375424
";
    const CHECK_CLEAN: &str = "No errors were found on the image.\n327680/327680 = 100.00% allocated, 0.00% fragmented, 0.00% compressed clusters\nImage end offset: 21478375424\n";
    const CHECK_REPAIRED: &str = "\
ERROR cluster 5 refcount=0 reference=1
Rebuilding refcount structure
Repairing cluster 1 refcount=1 reference=0
The following inconsistencies were found and repaired:

    0 leaked clusters
    1 corruptions

Double checking the fixed image now...
No errors were found on the image.
";
    const CHECK_JSON: &str = r#"{
    "image-end-offset": 262144,
    "total-clusters": 16384,
    "check-errors": 0,
    "leaks": 3,
    "leaks-fixed": 0,
    "corruptions": 0,
    "allocated-clusters": 4,
    "filename": "/home/libvirt/images/compute.qcow2",
    "format": "qcow2",
    "fragmented-clusters": 0
}
"#;

    #[test]
    fn qemu_img_check_text_json_clean_repaired() {
        let (k, st) = run("notes.txt", CHECK_TEXT);
        assert_eq!(k, Kind::QemuImgCheck);
        let c = check(&st, "qemu-img-corruption");
        assert_eq!(c.severity, Severity::Critical);
        assert!(
            c.evidence
                .iter()
                .any(|e| e.line == 2 && e.text == "ERROR cluster 261192 refcount=0 reference=1")
        );
        assert!(
            c.evidence
                .iter()
                .any(|e| e.text.starts_with("2 errors were found"))
        );
        let img = "/var/lib/nova/instances/6c59b812-2d8d-4da5-92d6-6bbe527926d6/disk";
        // The evidence names no guest: the step has no command.
        assert!(
            c.fix
                .iter()
                .any(|f| f.en.starts_with("Stop the guest") && f.command.is_none())
        );
        assert!(
            c.fix
                .iter()
                .any(|f| f.command == Some(format!("cp {img} {img}.bak")))
        );
        assert!(
            c.fix
                .iter()
                .any(|f| f.command == Some(format!("qemu-img check -r all {img}")))
        );
        let l = check(&st, "qemu-img-leaks");
        assert_eq!(l.severity, Severity::Warning);
        assert!(l.en.contains("148"));
        let (_, st) = run("x", CHECK_CLEAN);
        assert!(st.checks.is_empty());
        assert_eq!(st.facts[0]["clean"], true);
        let (_, st) = run("x", CHECK_REPAIRED);
        assert!(st.checks.is_empty(), "{:?}", ids(&st));
        assert_eq!(st.facts[0]["repaired"], true);
        let (k, st) = run("qemu-img-check.json", CHECK_JSON);
        assert_eq!(k, Kind::QemuImgCheck);
        let l = check(&st, "qemu-img-leaks");
        assert!(l.fix.iter().any(|f| f.command.as_deref()
            == Some("qemu-img check -r all /home/libvirt/images/compute.qcow2")));
        assert_eq!(l.evidence[0].text.trim(), "\"leaks\": 3,");
        for t in [CHECK_TEXT, CHECK_JSON, CHECK_REPAIRED] {
            prefixes_do_not_panic("qemu-img_check", t);
        }
    }

    const INFO_TEXT: &str = "\
image: /home/libvirt/images/compute.qcow2
file format: qcow2
virtual size: 80 GiB (85899345920 bytes)
disk size: 12.1 GiB
cluster_size: 65536
Format specific information:
    compat: 1.1
    compression type: zlib
    lazy refcounts: false
    refcount bits: 16
    corrupt: true
    extended l2: false
";
    #[test]
    fn qemu_img_info_text_and_json() {
        let (k, st) = run("info.txt", INFO_TEXT);
        assert_eq!(k, Kind::QemuImgInfo);
        assert_eq!(st.facts[0]["virtual-size"], 85899345920u64);
        let c = check(&st, "qemu-img-corruption");
        assert!(c.evidence.iter().any(|e| e.line == 11));
        let j = r#"{"virtual-size": 21474836480, "filename": "disk", "format": "qcow2", "actual-size": 200704, "format-specific": {"type": "qcow2", "data": {"compat": "1.1", "corrupt": false}}, "dirty-flag": false}"#;
        let (k, st) = run("info.json", j);
        assert_eq!(k, Kind::QemuImgInfo);
        assert!(st.checks.is_empty());
        assert_eq!(st.facts[0]["corrupt"], false);
        prefixes_do_not_panic("info", INFO_TEXT);
    }

    #[test]
    fn domain_xml_bundles_and_risky_cache() {
        let t = read(&ex(
            "004-instances-shutoff-failing-nvme/virsh-dumpxml-compute.xml",
        ))
        .expect("bundle 004");
        let (k, st) = run("virsh-dumpxml-compute.xml", &t);
        assert_eq!(k, Kind::DomainXml);
        assert!(st.checks.is_empty(), "{:?}", ids(&st));
        let d = st
            .facts
            .iter()
            .find(|f| f["type"] == "domain-disk")
            .unwrap();
        assert_eq!(d["source"], "/home/libvirt/images/compute.qcow2");
        assert_eq!(d["cache"], "none");
        assert_eq!(d["target"], "vda");
        assert_eq!(d["domain"], "compute");
        let t = read(&ex(
            "001-libvirt-crashloop-multipath/etc/libvirt/qemu/instance-00000f3a.xml",
        ))
        .expect("bundle 001");
        let (_, st) = run("etc/libvirt/qemu/instance-00000f3a.xml", &t);
        let blk = st
            .facts
            .iter()
            .find(|f| f["type"] == "domain-disk" && f["source"] == "/dev/dm-21")
            .unwrap();
        assert_eq!(blk["serial"], "4f2f8d1c-6b3e-4a95-b7d2-9c0e1f3a5b68");
        assert_eq!(blk["io"], "native");
        let risky = t.replace("cache='none' io='native'", "cache='unsafe' io='threads'");
        let (_, st) = run("x.xml", &risky);
        let c = check(&st, "disk-cache-risky");
        assert!(has_field(c, "domain", "instance-00000f3a") && has_field(c, "path", "/dev/dm-21"));
        assert!(c.evidence.iter().any(|e| e.text.contains("cache='unsafe'")));
        // The `virsh edit` excerpt of seed 004 (a fragment).
        let frag = "<devices>\n<emulator>/usr/libexec/qemu-kvm</emulator>\n<disk type='file' device='disk'>\n<driver name='qemu' type='qcow2' cache='writeback' discard='unmap'/>\n<source file='/var/lib/nova/mnt/abc/volume-0b6f2d71-c4e8-4a93-9f15-7e2d8c1b0a46'/>\n";
        let (k, st) = run("notes", frag);
        assert_eq!(k, Kind::DomainXml);
        let c = check(&st, "disk-cache-risky");
        assert!(has_field(
            c,
            "volume",
            "0b6f2d71-c4e8-4a93-9f15-7e2d8c1b0a46"
        ));
        prefixes_do_not_panic("virsh-dumpxml.xml", &t);
    }

    #[test]
    fn virsh_list_and_domblklist() {
        let l = " Id   Name                State\n------------------------------------\n 1    instance-00000001   running\n -    compute             shut off\n";
        let (k, st) = run("virsh_list_--all", l);
        assert_eq!(k, Kind::VirshList);
        assert_eq!(st.facts.len(), 2);
        assert_eq!(st.facts[1]["state"], "shut off");
        let b = " Type   Device   Target   Source\n------------------------------------------------\n file   disk     vda      /var/lib/nova/instances/6c59b812-2d8d-4da5-92d6-6bbe527926d6/disk\n block  disk     vdb      /dev/dm-21\n";
        let (k, st) = run("domblklist", b);
        assert_eq!(k, Kind::VirshDomblklist);
        assert_eq!(st.facts[1]["source"], "/dev/dm-21");
        assert_eq!(
            st.facts[0]["volume"],
            "6c59b812-2d8d-4da5-92d6-6bbe527926d6"
        );
    }

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
        prefixes_do_not_panic("openstack-server-event-show.txt", &t);
    }

    #[test]
    fn seed_004_whole_paste() {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/seeds/004_e3552f483cc3c3e1.txt");
        let Some(t) = read(&p) else {
            eprintln!("SKIP: seed 004 not present at {}", p.display());
            return;
        };
        let st = parse(Kind::OpenstackEventList, &t).unwrap();
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
        let j = r#"[
  {"Request ID": "req-d59eac56-66ed-433a-8b02-d487499ad30c", "Server ID": "6c59b812-2d8d-4da5-92d6-6bbe527926d6", "Action": "stop", "Start Time": "2025-06-30T07:19:53.000000"},
  {"Request ID": "req-c9a8fc3a-eae9-4c15-bb40-c5ba44157374", "Server ID": "6c59b812-2d8d-4da5-92d6-6bbe527926d6", "Action": "start", "Start Time": "2025-06-30T07:06:52.000000"},
  {"Request ID": "req-11b42f25-e920-4b11-aca0-45fabb7e8d41", "Server ID": "6c59b812-2d8d-4da5-92d6-6bbe527926d6", "Action": "stop", "Start Time": "2025-06-30T07:03:01.000000"},
  {"Request ID": "req-cf674d81-520a-416b-871d-451f4ea041ff", "Server ID": "6c59b812-2d8d-4da5-92d6-6bbe527926d6", "Action": "stop", "Start Time": "2025-06-21T10:08:53.000000"}
]"#;
        let (k, st) = run("events.json", j);
        assert_eq!(k, Kind::OpenstackEventList);
        check(&st, "repeated-stop-start");
        let show = r#"{"action": "stop", "events": [{"event": "compute_stop_instance", "result": "Success"}], "instance_uuid": "6c59b812-2d8d-4da5-92d6-6bbe527926d6", "message": null, "project_id": null, "request_id": "req-d59eac56-66ed-433a-8b02-d487499ad30c", "start_time": "2025-06-30T07:19:53.000000", "user_id": null}"#;
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
        let v = "req-d59eac56-66ed-433a-8b02-d487499ad30c 6c59b812-2d8d-4da5-92d6-6bbe527926d6 stop 2025-06-30T07:19:53.000000\nreq-c9a8fc3a-eae9-4c15-bb40-c5ba44157374 6c59b812-2d8d-4da5-92d6-6bbe527926d6 start 2025-06-30T07:06:52.000000\nreq-11b42f25-e920-4b11-aca0-45fabb7e8d41 6c59b812-2d8d-4da5-92d6-6bbe527926d6 stop 2025-06-30T07:03:01.000000\nreq-cf674d81-520a-416b-871d-451f4ea041ff 6c59b812-2d8d-4da5-92d6-6bbe527926d6 stop 2025-06-21T10:08:53.000000\n";
        let (k, st) = run("events-value.txt", v);
        assert_eq!(k, Kind::OpenstackEventList);
        check(&st, "repeated-stop-start");
        // Truncated server list (no closing border) and a volume list.
        let sl = "+--------------------------------------+--------------+---------+\n| ID | Name | Status |\n+--------------------------------------+--------------+---------+\n| 61b0f46e-651b-4564-bc37-0185ff7f18b2 | k8s-worker-2 | ACTIVE |\n| 6c59b812-2d8d-4da5-92d6-6bbe527926d6 | k8s-worker-1 | SHUTOFF |\n| 6c59b812-2d8d-4da5-92d6";
        let (k, st) = run("server-list.txt", sl);
        assert_eq!(k, Kind::OpenstackTable);
        assert_eq!(st.facts.len(), 2);
        assert_eq!(st.facts[1]["uuid"], "6c59b812-2d8d-4da5-92d6-6bbe527926d6");
        let vl = "+--------------------------------------+------+--------+------+----------------------------------------------+\n| ID | Name | Status | Size | Attached to |\n+--------------------------------------+------+--------+------+----------------------------------------------+\n| 2c8e41f0-9b37-4d6a-a5e2-71f0c3d8b964 | data | in-use | 50 | Attached to k8s-worker-1 on /dev/vdb  |\n+--------------------------------------+------+--------+------+----------------------------------------------+\n";
        let (_, st) = run("volume-list.txt", vl);
        assert_eq!(st.facts[0]["type"], "volume");
        assert!(st.checks.is_empty());
    }

    #[test]
    fn bundle_003_listing_and_cinder_conf() {
        let t =
            read(&ex("003-nfs-volume-permission-denied/ls-l-cinder-mnt.txt")).expect("bundle 003");
        let (k, st) = run("ls-l-cinder-mnt.txt", &t);
        assert_eq!(k, Kind::LsListing);
        let c = check(&st, "volume-file-mode");
        assert_eq!(c.severity, Severity::Error);
        for v in [
            "2c8e41f0-9b37-4d6a-a5e2-71f0c3d8b964",
            "9d9074a3-2f80-4db2-be3a-3f8a65c426c3",
            "e5a17b92-0c64-4f18-8d3a-6b2f9e1c7d05",
        ] {
            assert!(has_field(c, "volume", v), "{v}");
        }
        assert!(!has_field(
            c,
            "volume",
            "3a61f0d8-94c2-4b7e-a1d5-8e2c6f9b0a17"
        ));
        assert!(!has_field(
            c,
            "volume",
            "1d93e7a5-60bc-4f2e-8a71-c5b9d0e3f248"
        ));
        assert!(
            c.fix
                .iter()
                .any(|f| f.command.as_deref().is_some_and(|x| x.starts_with(
                    "chmod 666 /var/lib/cinder/mnt/63bf80ae8c90ff6c5fcee0d7b3c5711e/volume-2c8e41f0"
                )))
        );
        assert!(
            c.evidence
                .iter()
                .any(|e| e.text.contains(".cinderSecureEnvIndicator"))
        );
        assert!(
            st.facts
                .iter()
                .any(|f| f["type"] == "cinder-secure-indicator")
        );
        let t = read(&ex(
            "003-nfs-volume-permission-denied/etc/cinder/cinder.conf",
        ))
        .expect("bundle 003");
        let (k, st) = run("etc/cinder/cinder.conf", &t);
        assert_eq!(k, Kind::CinderConf);
        let c = check(&st, "cinder-nas-secure-auto");
        assert_eq!(c.severity, Severity::Warning);
        assert!(
            c.evidence
                .iter()
                .any(|e| e.text == "volume_driver = cinder.volume.drivers.nfs.NfsDriver")
        );
        assert!(c.fix.iter().any(|f| f.command.as_deref() == Some("crudini --set /etc/cinder/cinder.conf nfs-nas01 nas_secure_file_operations false && crudini --set /etc/cinder/cinder.conf nfs-nas01 nas_secure_file_permissions false")));
        assert!(
            c.fix
                .iter()
                .any(|f| f.command.as_deref() == Some("systemctl restart openstack-cinder-volume"))
        );
        assert_eq!(recognise("cinder.txt", &t), Some(Kind::CinderConf));
        // With the indicator in the same evidence: error; explicit options: nothing.
        let both = format!("{t}\n# ls /var/lib/cinder/mnt/x\n.cinderSecureEnvIndicator\n");
        assert_eq!(
            check(
                &crate::parse(Kind::CinderConf, &both),
                "cinder-nas-secure-auto"
            )
            .severity,
            Severity::Error
        );
        let fixed = t.replace("nfs_sparsed_volumes = True", "nfs_sparsed_volumes = True\nnas_secure_file_operations = false\nnas_secure_file_permissions = false");
        assert!(parse(Kind::CinderConf, &fixed).unwrap().checks.is_empty());
        let q = read(&ex(
            "003-nfs-volume-permission-denied/etc/libvirt/qemu.conf",
        ))
        .expect("bundle 003");
        let (k, st) = run("etc/libvirt/qemu.conf", &q);
        assert_eq!(k, Kind::QemuConf);
        let u = st.facts.iter().find(|f| f["type"] == "qemu-user").unwrap();
        assert_eq!(u["user"], "qemu");
        assert_eq!(recognise("x", &q), Some(Kind::QemuConf));
        prefixes_do_not_panic("ls-l-cinder-mnt.txt", &t);
    }

    #[test]
    fn ls_numeric_stat_and_ubuntu() {
        let ln = "-rw-rw----. 1 162 162 53687091200 Oct 11 17:48 volume-2c8e41f0-9b37-4d6a-a5e2-71f0c3d8b964\n-rw-rw-rw-. 1 107 107 53687091200 Oct 11 17:55 volume-0b6f2d71-c4e8-4a93-9f15-7e2d8c1b0a46\n";
        let (k, st) = run("ls-ln.txt", ln);
        assert_eq!(k, Kind::LsListing);
        let c = check(&st, "volume-file-mode");
        assert!(has_field(
            c,
            "volume",
            "2c8e41f0-9b37-4d6a-a5e2-71f0c3d8b964"
        ));
        let stat = "  File: /var/lib/nova/mnt/63bf/volume-9d9074a3-2f80-4db2-be3a-3f8a65c426c3\n  Size: 21474836480\tBlocks: 41943040   IO Block: 4096   regular file\nDevice: 0,53\tInode: 12\tLinks: 1\nAccess: (0660/-rw-rw----)  Uid: (  162/    nova)   Gid: (  162/    nova)\n";
        let (k, st) = run("stat.txt", stat);
        assert_eq!(k, Kind::LsListing);
        let c = check(&st, "volume-file-mode");
        assert!(has_field(
            c,
            "path",
            "/var/lib/nova/mnt/63bf/volume-9d9074a3-2f80-4db2-be3a-3f8a65c426c3"
        ));
        let ok = "-rw-rw----  1 libvirt-qemu kvm 1073741824 2019-10-11 17:48 volume-2c8e41f0-9b37-4d6a-a5e2-71f0c3d8b964\n-rw-r--r--  1 root root 10 2019-10-11 17:48 notes\n";
        let (_, st) = run("ls.txt", ok);
        assert!(st.checks.is_empty(), "{:?}", ids(&st));
        assert_eq!(st.facts[0]["owner"], "libvirt-qemu");
    }

    #[test]
    fn multipath_conf_and_multipath_settings() {
        let t =
            read(&ex("001-libvirt-crashloop-multipath/etc/multipath.conf")).expect("bundle 001");
        let (k, st) = run("etc/multipath.conf", &t);
        assert_eq!(k, Kind::MultipathConf);
        let c = check(&st, "multipath-queue-forever");
        assert!(c.en.contains("NETAPP"));
        assert!(
            c.evidence
                .iter()
                .any(|e| e.text.trim() == "no_path_retry queue")
        );
        assert!(
            c.evidence
                .iter()
                .any(|e| e.text.trim() == "features \"1 queue_if_no_path\"")
        );
        assert!(
            c.fix
                .iter()
                .any(|f| f.command.as_deref() == Some("multipathd reconfigure"))
        );
        assert_eq!(recognise("x", &t), Some(Kind::MultipathConf));
        let bounded = t.replace("no_path_retry queue", "no_path_retry 12");
        assert!(
            parse(Kind::MultipathConf, &bounded)
                .unwrap()
                .checks
                .is_empty()
        );
        let both = "[libvirt]\nvolume_use_multipath = True\n[backend]\nuse_multipath_for_image_xfer = False\n";
        let st = parse(Kind::NovaConf, both).unwrap();
        check(&st, "multipath-setting-mismatch");
        let nova = "[DEFAULT]\ncompute_driver = libvirt.LibvirtDriver\n[libvirt]\nvirt_type = kvm\nvolume_use_multipath = true\n";
        let (k, st) = run("nova.txt", nova);
        assert_eq!(k, Kind::NovaConf);
        assert!(st.checks.is_empty());
        let f = st
            .facts
            .iter()
            .find(|f| f["type"] == "multipath-setting")
            .unwrap();
        assert_eq!(f["value"], true);
    }

    #[test]
    fn corpus_healthy_host_has_no_findings() {
        let files = [
            "sos_commands/process/ps_auxwwwm",
            "sos_commands/process/ps_alxwww",
            "sos_commands/process/ps_-elfL",
            "sos_commands/process/ps_axo_flags_state_uid_pid_ppid_pgid_sid_cls_pri_addr_sz_wchan_20_lstart_tty_time_cmd",
            "etc/libvirt/qemu/instance-00000001.xml",
            "etc/nova/nova.conf",
            "etc/libvirt/qemu.conf",
            "etc/multipath.conf",
            "sos_commands/multipath/multipathd_show_config",
            "sos_commands/multipath/multipath_-t",
        ];
        let mut seen = 0;
        for f in files {
            let Some(t) = read(&corpus(f)) else {
                eprintln!("SKIP: corpus file {f} absent");
                continue;
            };
            seen += 1;
            let k = recognise(f, &t).unwrap_or_else(|| panic!("{f} not recognised"));
            let st = crate::parse(k, &t);
            assert!(!st.facts.is_empty(), "{f}: no facts");
            for c in &st.checks {
                assert!(c.severity <= Severity::Info, "{f}: {} {}", c.id, c.en);
            }
            if f.ends_with("ps_alxwww") || f.ends_with("ps_auxwwwm") {
                let q = st
                    .facts
                    .iter()
                    .find(|x| x["type"] == "qemu-process")
                    .expect("qemu");
                assert_eq!(q["domain"], "instance-00000001");
                assert_eq!(q["instance"], "d1d75e2f-ada4-49bc-a963-528d89dfda25");
                assert!(
                    q["disks"]
                        .to_string()
                        .contains("rbd:nova/d1d75e2f-ada4-49bc-a963-528d89dfda25_disk")
                );
            }
            if f.ends_with("ps_alxwww") {
                assert!(
                    st.checks
                        .iter()
                        .any(|c| c.id == "process-zombie" && has_field(c, "pid", "1798174"))
                );
            }
        }
        if seen == 0 {
            eprintln!("SKIP: corpus absent");
        }
        if let Some(t) = read(&corpus("etc/lvm/lvm.conf")) {
            assert_eq!(
                recognise("etc/lvm/lvm.conf", &t),
                None,
                "lvm.conf is not multipath.conf"
            );
        }
    }

    #[test]
    fn recognition_by_content_not_name() {
        assert_eq!(recognise("notes.txt", PS_AUX), Some(Kind::Ps));
        assert_eq!(recognise("notes.txt", CHECK_TEXT), Some(Kind::QemuImgCheck));
        assert_eq!(recognise("notes.txt", INFO_TEXT), Some(Kind::QemuImgInfo));
        assert_eq!(
            recognise("notes.txt", "Jan 1 00:00:01 host kernel: hello\n"),
            None
        );
        assert_eq!(recognise("var/log/messages", ""), None);
        assert!(parse(Kind::Smartctl, "x").is_none());
    }

    #[test]
    fn ls_with_selinux_contexts_keeps_owner_and_mode() {
        // RHEL 7's `ls -Z` (mode, owner, group, context, name), as printed in
        // a public SELinux tutorial; a RHEL 8 `ls -lZ` with the context
        // between group and size; Ubuntu's `ls -laZ` with `?` (the healthy
        // corpus sosreport's openstack_neutron listing has that shape).
        let el7 = "# ls -Z
-rw-------. root root system_u:object_r:admin_home_t:s0 anaconda-ks.cfg
-rw-r--r--. root root system_u:object_r:admin_home_t:s0 initial-setup-ks.cfg
";
        let (k, st) = run("ls-Z.txt", el7);
        assert_eq!(k, Kind::LsListing);
        let f = &st.facts[0];
        assert_eq!(
            (f["name"].as_str(), f["owner"].as_str(), f["mode"].as_str()),
            (Some("anaconda-ks.cfg"), Some("root"), Some("0600"))
        );
        assert_eq!(f["selinux_type"], "admin_home_t");

        let el8 = "[root@cmp03 ~]# ls -lZ /var/lib/nova/mnt/63bf80ae8c90ff6c5fcee0d7b3c5711e/
-rw-rw----. 1 nova nova system_u:object_r:nfs_t:s0 21474836480 Oct 11 17:49 volume-9d9074a3-2f80-4db2-be3a-3f8a65c426c3
-rw-rw-rw-. 1 qemu qemu system_u:object_r:nfs_t:s0 53687091200 Oct 11 17:55 volume-0b6f2d71-c4e8-4a93-9f15-7e2d8c1b0a46
";
        let (k, st) = run("ls.txt", el8);
        assert_eq!(k, Kind::LsListing);
        let f = &st.facts[0];
        assert_eq!(f["name"], "volume-9d9074a3-2f80-4db2-be3a-3f8a65c426c3");
        assert_eq!(
            f["path"],
            "/var/lib/nova/mnt/63bf80ae8c90ff6c5fcee0d7b3c5711e/volume-9d9074a3-2f80-4db2-be3a-3f8a65c426c3"
        );
        assert_eq!(
            (f["owner"].as_str(), f["mode"].as_str()),
            (Some("nova"), Some("0660"))
        );
        assert_eq!(f["selinux"], "system_u:object_r:nfs_t:s0");
        // The mode check still reads it.
        assert!(ids(&st).iter().any(|(id, _)| *id == "volume-file-mode"));

        let ubuntu = "/var/lib/neutron/lock:
total 8
drwxr-x--- 2 neutron neutron ? 4096 Feb 10 16:09 .
-rw-r--r-- 1 neutron neutron ?    0 Feb 10 16:09 neutron-iptables-fip-32981f34-497a-4fae-914a-8576055c8d0d
";
        let (_, st) = run("ls_-laZR_.var.lib.neutron.lock", ubuntu);
        let f = &st.facts[1];
        assert_eq!(
            f["name"],
            "neutron-iptables-fip-32981f34-497a-4fae-914a-8576055c8d0d"
        );
        assert!(f.get("selinux").is_none());
    }

    #[test]
    fn server_event_show_as_values() {
        // `openstack server event show <server> <request> -f value`: cliff's
        // value formatter prints one value per line in column order
        // (cliff/formatters/value.py, emit_one). The values are those of a
        // real instance action (Fujitsu Cloud IaaS API reference, "Show
        // server action details"), here a stop by the compute host.
        let text = "$ openstack server event show 606a8771-4559-45ea-a20a-c76055710dd2 req-76508c6a-856c-4522-a3bb-11290806eb02 -f value
stop
[{'event': 'compute_stop_instance', 'finish_time': '2017-04-12T06:59:39.000000', 'result': 'Success', 'start_time': '2017-04-12T06:59:36.000000', 'traceback': None}]
606a8771-4559-45ea-a20a-c76055710dd2
None
None
req-76508c6a-856c-4522-a3bb-11290806eb02
2017-04-12T06:59:35.000000
None
";
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

    /// `ps auxf` draws the tree before the command (hotsos sunbeam
    /// `ps_auxfwww`, a few rows).
    #[test]
    fn ps_forest_prefixes_are_not_the_command() {
        let text = r#"USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND
root           2  0.0  0.0      0     0 ?        S    04:21   0:00 [kthreadd]
root        2847  0.0  0.0      0     0 ?        D<   04:22   0:00  \_ [vdev_autotrim]
root      256799  0.0  0.0      0     0 ?        Z    05:18   0:00  \_ [sos] <defunct>
"#;
        let (_, st) = run("sos_commands/process/ps_auxfwww", text);
        let p = |pid: &str| {
            st.facts
                .iter()
                .find(|f| f["type"] == "process" && f["pid"] == pid)
                .unwrap_or_else(|| panic!("no {pid}"))
        };
        assert_eq!(p("2847")["task"], "vdev_autotrim");
        assert_eq!(p("2847")["command"], "[vdev_autotrim]");
        assert_eq!(p("2847")["state"], "D<");
        assert_eq!(p("256799")["task"], "sos");
        assert_eq!(p("256799")["command"], "[sos] <defunct>");
        assert_eq!(
            strip_forest(" |   \\_ /usr/bin/python3 -m x"),
            "/usr/bin/python3 -m x"
        );
        assert_eq!(strip_forest("/sbin/init"), "/sbin/init");
        let d = check(&st, "process-d-state");
        assert!(has_field(d, "task", "vdev_autotrim"));
    }

    /// `ps m`: a process row (STAT `-`), then one row per thread, the main
    /// thread included (insights `PS_AUXWWWM`, its first rows).
    #[test]
    fn ps_m_thread_rows_count_the_threads() {
        let text = r#"USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND
root        1503  0.0  0.0  11932  6152 ?        -    05:22   0:00 /usr/sbin/smartd -n -q never --capabilities
root           -  0.0    -      -     - -        Ss   05:22   0:00 -
root        1514  0.0  0.0 405308 15564 ?        -    05:22   0:02 /usr/libexec/udisks2/udisksd
root           -  0.0    -      -     - -        Ssl  05:22   0:00 -
root           -  0.0    -      -     - -        Ssl  05:22   0:00 -
root           -  0.0    -      -     - -        Ssl  05:22   0:00 -
root           -  0.0    -      -     - -        Ssl  05:22   0:00 -
root           -  0.0    -      -     - -        Ssl  05:22   0:00 -
"#;
        let (_, st) = run("sos_commands/process/ps_auxwwwm", text);
        let threads = |pid: &str| {
            st.facts
                .iter()
                .find(|f| f["type"] == "process" && f["pid"] == pid)
                .map(|f| f["threads"].clone())
        };
        assert_eq!(threads("1503"), Some(json!(1)));
        assert_eq!(threads("1514"), Some(json!(5)));
        assert!(st.checks.is_empty());
    }
}
