//! `/proc/partitions`: a `block-device` fact per line (name, device
//! number, size in KiB). No check.

use serde_json::{Map, Value, json};

use super::block_common::{base_name, meaningful_lines, read, set};
use super::{HostParser, Kind};
use crate::HostState;

/// `/proc/partitions`.
pub(crate) struct Partitions;

impl HostParser for Partitions {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Partitions]
    }

    fn by_content(&self, _rel_path: &str, sample: &str) -> Option<Kind> {
        let lines = meaningful_lines(sample);
        let first = *lines.first()?;
        let ft = first.trim_start();
        let head: Vec<&str> = ft.split_whitespace().collect();
        if head.len() >= 4 && head[0] == "major" && head[1] == "minor" && head.contains(&"#blocks")
        {
            return Some(Kind::Partitions);
        }
        None
    }

    fn by_name(&self, rel_path: &str) -> Option<Kind> {
        let b = base_name(rel_path);
        if b == "partitions" || b.ends_with("proc.partitions") || b.ends_with("proc_partitions") {
            return Some(Kind::Partitions);
        }
        None
    }

    fn parse(&self, _kind: Kind, text: &str) -> HostState {
        read(text, |lines, _, st| parse_partitions(lines, st))
    }
}

fn parse_partitions(lines: &[(u64, &str)], st: &mut HostState) {
    for &(n, l) in lines {
        let t: Vec<&str> = l.split_whitespace().collect();
        if t.len() != 4
            || !t[0].chars().all(|c| c.is_ascii_digit())
            || !t[1].chars().all(|c| c.is_ascii_digit())
        {
            continue;
        }
        let mut f = Map::new();
        f.insert("type".into(), json!("block-device"));
        f.insert("line".into(), json!(n));
        set(&mut f, "name", t[3]);
        set(&mut f, "devnum", &format!("{}:{}", t[0], t[1]));
        if let Ok(b) = t[2].parse::<u64>() {
            f.insert("size_kib".into(), json!(b));
        }
        st.facts.push(Value::Object(f));
    }
}

#[cfg(test)]
mod tests {
    use super::super::block_common::testing::{recognise, run};
    use super::*;

    const PARTITIONS: &str = include_str!("../../tests/captures/proc-partitions/partitions");

    #[test]
    fn partitions() {
        assert_eq!(recognise("x", PARTITIONS), Some(Kind::Partitions));
        let st = run(Kind::Partitions, PARTITIONS);
        assert_eq!(st.facts.len(), 3);
        assert_eq!(st.facts[2]["devnum"], "8:32");
    }
}
