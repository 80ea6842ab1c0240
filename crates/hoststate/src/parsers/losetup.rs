//! `losetup -a` and `losetup -l`: a `loop-device` fact per loop device
//! (backing file, offset and options, whether the file was deleted); check
//! `loop-backing-deleted`.

use serde_json::{Map, Value, json};

use super::block_common::{base_name, loop_backing_deleted, meaningful_lines, read, set};
use super::{HostParser, Kind};
use crate::{Cite, HostState};

/// `losetup -a` / `losetup -l`.
pub(crate) struct Losetup;

impl HostParser for Losetup {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Losetup]
    }

    fn by_content(&self, _rel_path: &str, sample: &str) -> Option<Kind> {
        let lines = meaningful_lines(sample);
        let first = *lines.first()?;
        let ft = first.trim_start();
        let head: Vec<&str> = ft.split_whitespace().collect();
        if head.first() == Some(&"NAME") && head.get(1) == Some(&"SIZELIMIT") {
            return Some(Kind::Losetup);
        }
        // losetup -a
        if lines
            .iter()
            .take(5)
            .any(|l| l.starts_with("/dev/loop") && l.contains(": ["))
        {
            return Some(Kind::Losetup);
        }
        None
    }

    fn by_name(&self, rel_path: &str) -> Option<Kind> {
        base_name(rel_path)
            .starts_with("losetup")
            .then_some(Kind::Losetup)
    }

    fn parse(&self, _kind: Kind, text: &str) -> HostState {
        read(text, |lines, _, st| parse_losetup(lines, st))
    }
}

fn loop_check(st: &mut HostState, dev: &str, file: &str, n: u64, l: &str) {
    st.checks
        .push(loop_backing_deleted(dev, file, &Cite::at(n, l), &[]));
}

fn parse_losetup(lines: &[(u64, &str)], st: &mut HostState) {
    let header = lines
        .iter()
        .find(|(_, l)| l.starts_with("NAME") && l.contains("BACK-FILE"));
    if let Some(&(_, hl)) = header {
        let names: Vec<&str> = hl.split_whitespace().collect();
        let bi = names
            .iter()
            .position(|x| *x == "BACK-FILE")
            .unwrap_or(names.len());
        let after = names.len().saturating_sub(bi + 1);
        for &(n, l) in lines {
            if !l.starts_with("/dev/") {
                continue;
            }
            let t: Vec<&str> = l.split_whitespace().collect();
            let dev = t[0];
            let end = t.len().saturating_sub(after).max(bi.min(t.len()));
            let file = t.get(bi..end).map(|x| x.join(" ")).unwrap_or_default();
            let deleted = file.ends_with("(deleted)");
            let file = file.trim_end_matches("(deleted)").trim().to_string();
            st.facts.push(json!({"type": "loop-device", "line": n, "device": dev.trim_start_matches("/dev/"), "backing_file": file, "deleted": deleted}));
            if deleted {
                loop_check(st, dev, &file, n, l);
            }
        }
        return;
    }
    for &(n, l) in lines {
        let Some((dev, rest)) = l.split_once(": ") else {
            continue;
        };
        if !dev.starts_with("/dev/") {
            continue;
        }
        let rest = rest.trim();
        let (ident, tail) = rest.split_once(' ').unwrap_or((rest, ""));
        let (file_part, opts) = match (tail.find('('), tail.rfind(')')) {
            (Some(a), Some(b)) if b > a => (
                &tail[a + 1..b],
                tail[b + 1..].trim().trim_start_matches(',').trim(),
            ),
            (Some(a), None) => (&tail[a + 1..], ""),
            _ => (tail, ""),
        };
        let deleted = file_part.trim_end().ends_with("(deleted)") || opts.contains("(deleted)");
        let file = file_part
            .trim_end()
            .trim_end_matches("(deleted)")
            .trim()
            .to_string();
        let mut f = Map::new();
        f.insert("type".into(), json!("loop-device"));
        f.insert("line".into(), json!(n));
        set(&mut f, "device", dev.trim_start_matches("/dev/"));
        set(&mut f, "backing_file", &file);
        set(&mut f, "inode", ident.trim_end_matches(':'));
        set(&mut f, "options", opts);
        f.insert("deleted".into(), json!(deleted));
        st.facts.push(Value::Object(f));
        if deleted {
            loop_check(st, dev, &file, n, l);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::block_common::testing::{has_field, ids, recognise, run};
    use super::*;

    const LOSETUP_A: &str = include_str!("../../tests/captures/losetup/losetup_-a");
    const LOSETUP_L: &str = include_str!("../../tests/captures/losetup/losetup_-l");

    #[test]
    fn recognised_by_content() {
        for text in [LOSETUP_A, LOSETUP_L] {
            assert_eq!(recognise("x", text), Some(Kind::Losetup), "{text}");
        }
    }

    #[test]
    fn losetup_forms() {
        let st = run(Kind::Losetup, LOSETUP_A);
        assert_eq!(st.facts.len(), 3);
        assert_eq!(st.facts[1]["backing_file"], "/var/tmp/disk.img");
        assert_eq!(st.facts[2]["options"], "offset 1048576");
        assert_eq!(ids(&st), vec!["loop-backing-deleted"]);
        let c = &st.checks[0];
        assert!(has_field(c, "device", "loop1"));
        assert_eq!(c.evidence[0].line, 2);
        assert_eq!(
            c.fix.last().unwrap().command.as_deref(),
            Some("losetup -d /dev/loop1")
        );

        let st = run(Kind::Losetup, LOSETUP_L);
        assert_eq!(st.facts[1]["backing_file"], "/tmp/scratch disk.img");
        assert_eq!(ids(&st), vec!["loop-backing-deleted"]);
    }
}
