//! rootline's task snapshot (`sos_commands/rootline/tasks.json`, written by
//! `rootline collect` and `analyze --live`): facts `process` and
//! `open-file`; check `process-d-state` for a task in uninterruptible sleep
//! or with blocked threads (the id, words and fields of `ps`'s check, so
//! that the same task seen in `ps` output is one finding; the snapshot also
//! sees FUSE and NFS stalls and the files the task holds open).

use rootline_model::FieldKind;
use serde_json::{Value, json};

use super::rootline_common::{Record, cite, json_head, records, s};
use super::{HostParser, Kind};
use crate::{Check, HostState};

/// `tasks.json` of rootline's snapshot.
pub(super) struct RootlineTasks;

impl HostParser for RootlineTasks {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::LiveTasks]
    }
    fn by_content(&self, _rel_path: &str, sample: &str) -> Option<Kind> {
        let head = json_head(sample)?;
        head.contains("\"format\":\"rootline-tasks\"")
            .then_some(Kind::LiveTasks)
    }
    fn parse(&self, _kind: Kind, text: &str) -> HostState {
        parse_tasks(text)
    }
}

fn important_task(task: &str) -> bool {
    let t = task.to_ascii_lowercase();
    t.contains("qemu")
        || t == "kvm"
        || t.contains("libvirtd")
        || t.contains("virtqemud")
        || t.contains("multipathd")
        || t.contains("iscsid")
}

fn parse_tasks(text: &str) -> HostState {
    let mut st = HostState::default();
    let recs = records(text);
    if recs.is_empty() {
        st.notes
            .push("no task records (cut or empty snapshot)".to_string());
    }
    for r in recs.iter().filter(|r| r.section == "tasks") {
        let v = &r.value;
        let Some(pid) = v["pid"].as_u64() else {
            continue;
        };
        let comm = s(v, "comm").unwrap_or_default();
        let state = s(v, "state").unwrap_or_default();
        let argv: Vec<&str> = v["cmdline"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let command = if argv.is_empty() {
            format!("[{comm}]")
        } else {
            argv.join(" ")
        };
        let mut fact = json!({
            "type": "process", "line": r.line, "pid": pid.to_string(), "task": comm,
            "state": state, "user": v["user"].as_str().map_or_else(|| v["uid"].clone(), |u| json!(u)),
            "command": command.chars().take(300).collect::<String>(),
        });
        if let Some(w) = s(v, "wchan") {
            fact["wchan"] = json!(w);
        }
        let threads: Vec<&Value> = v["blocked_threads"]
            .as_array()
            .into_iter()
            .flatten()
            .collect();
        if !threads.is_empty() {
            fact["blocked_threads"] = json!(threads.len());
        }
        let files: Vec<&Value> = v["files"].as_array().into_iter().flatten().collect();
        for f in &files {
            st.facts.push(json!({
                "type": "open-file", "line": r.line, "pid": pid.to_string(), "task": comm,
                "fd": f["fd"], "path": f["path"], "device": f["device"], "deleted": f["deleted"],
                "mount": f["mount"],
            }));
        }
        st.facts.push(fact);
        if state != "D" && threads.is_empty() {
            continue;
        }
        st.checks
            .push(d_state_check(r, pid, comm, state, &threads, &files));
    }
    st
}

fn d_state_check(
    r: &Record<'_>,
    pid: u64,
    comm: &str,
    state: &str,
    threads: &[&Value],
    files: &[&Value],
) -> Check {
    let v = &r.value;
    let devices: Vec<&str> = files.iter().filter_map(|f| s(f, "device")).collect();
    let paths: Vec<&str> = files
        .iter()
        .filter(|f| s(f, "device").is_none())
        .filter_map(|f| s(f, "path"))
        .collect();
    let mut c = Check::raise(crate::id::PROCESS_D_STATE);
    if state == "D" {
        if let Some(w) = s(v, "wchan") {
            c.bind("wchan", w);
        }
    } else {
        let names: Vec<String> = threads
            .iter()
            .take(4)
            .filter_map(|t| {
                let comm = s(t, "comm")?;
                Some(match s(t, "wchan") {
                    Some(w) => format!("{comm} in {w}"),
                    None => comm.to_string(),
                })
            })
            .collect();
        c.bind("threads", threads.len());
        c.bind_list("thread_list", names);
    }
    let mut open: Vec<String> = devices.iter().map(|d| format!("/dev/{d}")).collect();
    open.extend(paths.iter().take(4).map(|p| p.to_string()));
    c.bind_list("open", open);
    c.flag("important", important_task(comm));
    // Read from the task snapshot, which also sees FUSE and NFS stalls.
    c.flag("snapshot", true);
    // Named like `ps`'s check (task, pid) so both are one finding; the
    // devices and files it holds are joined under other names.
    c.add_field_once("task", comm, FieldKind::Task);
    c.add_field_once("pid", &pid.to_string(), FieldKind::Pid);
    for (i, d) in devices.iter().enumerate() {
        let name = if i == 0 {
            "blocked_on".to_string()
        } else {
            format!("blocked_on{i}")
        };
        c.add_field_once(&name, d, FieldKind::Device);
    }
    for (i, p) in paths.iter().take(8).enumerate() {
        c.add_field_once(&format!("open_file{i}"), p, FieldKind::Path);
    }
    c.add_cite(&cite(r));
    c
}

#[cfg(test)]
mod tests {
    use super::super::rootline_common::{has, ids};
    use super::*;
    use rootline_model::Severity;

    const TASKS: &str = include_str!("../../tests/captures/rootline-tasks/tasks.json");

    #[test]
    fn recognised_by_content() {
        assert_eq!(
            RootlineTasks.by_content("tasks.json", TASKS),
            Some(Kind::LiveTasks)
        );
        assert_eq!(RootlineTasks.by_content("x/data.json", "{\"a\":1}"), None);
    }

    #[test]
    fn task_snapshot_checks() {
        let st = crate::parse(Kind::LiveTasks, TASKS);
        assert_eq!(ids(&st), vec!["process-d-state", "process-d-state"]);
        let dd = &st.checks[0];
        assert_eq!(
            dd.en,
            "dd (pid 4242) is in uninterruptible sleep (D state) in folio_wait_bit_common, with /dev/loop5 open: it is blocked in the kernel, usually on I/O to a device that does not answer."
        );
        assert!(has(dd, "task", "dd") && has(dd, "pid", "4242") && has(dd, "blocked_on", "loop5"));
        assert_eq!(dd.severity, Severity::Warning);
        let q = &st.checks[1];
        assert_eq!(q.severity, Severity::Error);
        assert!(q.en.contains("has 1 thread(s) in uninterruptible sleep (D state): IO iothread1 in fuse_wait_answer"), "{}", q.en);
        assert!(has(q, "open_file0", "/mnt/remote images/vm7.img"));
        let procs: Vec<&Value> = st.facts.iter().filter(|f| f["type"] == "process").collect();
        assert_eq!(procs.len(), 3);
        assert_eq!(procs[1]["state"], "D");
        assert_eq!(procs[1]["pid"], "4242");
    }
}
