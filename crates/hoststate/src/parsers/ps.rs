//! `ps` (`aux`, `alx`, `-ef`, `-elfL`, `axo …`, `f` trees, `m` threads):
//! `process` facts, `qemu-process` facts (a qemu's domain, instance, disks,
//! serials, WWIDs); checks `process-d-state` and `process-zombie`.

use super::virt_common::{basename, field, is_uuid, path_and_base, truncate, with_empty_note};
use super::{HostParser, Kind};
use crate::{Check, Cite, HostState};
use rootline_model::FieldKind;
use serde_json::{Value, json};

pub(crate) struct Ps;

impl HostParser for Ps {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Ps]
    }

    fn by_content(&self, rel_path: &str, sample: &str) -> Option<Kind> {
        if !sample.trim().is_empty() && sample.lines().take(40).any(|l| ps_header(l).is_some()) {
            return Some(Kind::Ps);
        }
        // Named like a ps output and empty (a timed-out command) or the
        // message of a ps that did not run: the name alone would claim other
        // files, so this looks at the content too.
        let (path, base) = path_and_base(rel_path);
        if (path.contains("sos_commands/process/ps_") || base == "ps" || base.starts_with("ps_aux"))
            && (sample.trim().is_empty() || crate::parsers::command_failure(sample).is_some())
        {
            return Some(Kind::Ps);
        }
        None
    }

    fn parse(&self, _kind: Kind, text: &str) -> HostState {
        with_empty_note(parse_ps(text), text)
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parsers::recognise;
    use crate::parsers::virt_common::testing::*;
    use rootline_model::Severity;

    const PS_AUX: &str = include_str!("../../tests/captures/ps/ps_auxwww");
    const PS_ALX: &str = include_str!("../../tests/captures/ps/ps_alxwww");
    const PS_EF: &str = include_str!("../../tests/captures/ps/ps_-ef");

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
    }

    /// `ps auxf` draws the tree before the command (hotsos sunbeam
    /// `ps_auxfwww`, a few rows).
    #[test]
    fn ps_forest_prefixes_are_not_the_command() {
        let text = include_str!("../../tests/captures/ps/ps_auxfwww");
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
        let text = include_str!("../../tests/captures/ps/ps_auxwwwm__insights-threads");
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

    #[test]
    fn recognition_by_content_not_name() {
        assert_eq!(recognise("notes.txt", PS_AUX), Some(Kind::Ps));
    }

    #[test]
    fn corpus_healthy_host_has_no_findings() {
        let files = [
            "sos_commands/process/ps_auxwwwm",
            "sos_commands/process/ps_alxwww",
            "sos_commands/process/ps_-elfL",
            "sos_commands/process/ps_axo_flags_state_uid_pid_ppid_pgid_sid_cls_pri_addr_sz_wchan_20_lstart_tty_time_cmd",
        ];
        corpus_files_have_no_findings(&files, |f, st| {
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
        });
    }
}
