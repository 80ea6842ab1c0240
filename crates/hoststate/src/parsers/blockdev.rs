//! `blockdev --report`: a `blockdev` fact per device (read-only flag,
//! read-ahead, sector and block size, start sector, size); check
//! `block-device-read-only` for a whole disk or map that is read-only.

use rootline_model::FieldKind;
use serde_json::{Map, Value, json};

use super::block_common::{add_cite, add_field, base_name, meaningful_lines, read, set};
use super::{HostParser, Kind};
use crate::{Check, HostState};

/// `blockdev --report`.
pub(crate) struct Blockdev;

impl HostParser for Blockdev {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::BlockdevReport]
    }

    fn by_content(&self, _rel_path: &str, sample: &str) -> Option<Kind> {
        let lines = meaningful_lines(sample);
        lines.first()?;
        if lines.iter().take(5).any(|l| is_blockdev_header(l)) {
            return Some(Kind::BlockdevReport);
        }
        None
    }

    fn by_name(&self, rel_path: &str) -> Option<Kind> {
        let b = base_name(rel_path);
        if b.starts_with("blockdev_--report") || b.starts_with("blockdev-report") {
            return Some(Kind::BlockdevReport);
        }
        None
    }

    fn parse(&self, _kind: Kind, text: &str) -> HostState {
        read(text, |lines, _, st| parse_blockdev_report(lines, st))
    }
}

/// `RO    RA   SSZ   BSZ   StartSec            Size   Device`
fn is_blockdev_header(l: &str) -> bool {
    let t: Vec<&str> = l.split_whitespace().collect();
    t.len() >= 7 && t[0] == "RO" && t[1] == "RA" && t.contains(&"StartSec") && t.contains(&"Device")
}

/// A whole disk or map that is read-only is worth saying (a LUN the array
/// write-protected, a map reloaded `ro`): writes fail with EROFS or I/O
/// errors. Loop devices (snaps, images), optical drives and RAM disks are
/// read-only by design.
fn ro_matters(dev: &str) -> bool {
    let whole_sd =
        dev.len() > 2 && dev.starts_with("sd") && dev[2..].bytes().all(|b| b.is_ascii_lowercase());
    let dm = dev
        .strip_prefix("dm-")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    let nvme = dev.starts_with("nvme") && dev.contains('n') && !dev.contains('p');
    whole_sd || dm || nvme || dev.starts_with("mapper/")
}

fn parse_blockdev_report(lines: &[(u64, &str)], st: &mut HostState) {
    let mut in_table = false;
    for &(n, l) in lines {
        if is_blockdev_header(l) {
            in_table = true;
            continue;
        }
        let t: Vec<&str> = l.split_whitespace().collect();
        if !in_table || t.len() < 7 || !matches!(t[0], "ro" | "rw") {
            continue;
        }
        let num = |s: &str| s.parse::<u64>().ok();
        let dev = t[6..].join(" ");
        let name = dev.strip_prefix("/dev/").unwrap_or(&dev).to_string();
        let mut f = Map::new();
        f.insert("type".into(), json!("blockdev"));
        f.insert("line".into(), json!(n));
        set(&mut f, "device", &name);
        f.insert("read_only".into(), json!(t[0] == "ro"));
        for (k, v) in [
            ("read_ahead", t[1]),
            ("sector_size", t[2]),
            ("block_size", t[3]),
            ("start_sector", t[4]),
            ("size_bytes", t[5]),
        ] {
            if let Some(x) = num(v) {
                f.insert(k.into(), json!(x));
            }
        }
        st.facts.push(Value::Object(f));
        if t[0] == "ro" && ro_matters(&name) {
            let mut c = Check::raise(crate::id::BLOCK_DEVICE_READ_ONLY);
            add_field(&mut c, "device", &name, FieldKind::Device);
            add_cite(&mut c, n, l);
            st.checks.push(c);
        }
    }
    if !in_table && lines.iter().any(|(_, l)| !l.trim().is_empty()) {
        st.notes
            .push("no blockdev --report header found; nothing read".to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::super::block_common::testing::{has_field, ids, run};
    use super::*;

    // A CentOS 7 VM's `blockdev --report` from a public MongoDB tuning note
    // (found with the code search), verbatim but for the tab indentation.
    const BLOCKDEV: &str = include_str!("../../tests/captures/blockdev-report/blockdev_--report");

    #[test]
    fn blockdev_report_is_read_with_its_devices() {
        assert_eq!(
            crate::recognise("notes.txt", BLOCKDEV),
            Some(Kind::BlockdevReport)
        );
        assert_eq!(
            crate::recognise("sos_commands/block/blockdev_--report", ""),
            Some(Kind::BlockdevReport)
        );
        let st = run(Kind::BlockdevReport, BLOCKDEV);
        assert_eq!(st.facts.len(), 6);
        let sr0 = st.facts.iter().find(|f| f["device"] == "sr0").unwrap();
        assert_eq!(sr0["sector_size"], 2048);
        assert_eq!(sr0["size_bytes"], 74151936u64);
        let sda2 = st.facts.iter().find(|f| f["device"] == "sda2").unwrap();
        assert_eq!(sda2["start_sector"], 1026048);
        assert_eq!(sda2["read_only"], false);
        assert!(st.checks.is_empty());

        // The same report with dm-1 (a multipath map) and the optical drive
        // read-only (the `ro` flag put in by hand: no real capture of a
        // write-protected LUN was found): only the map is worth a warning.
        let ro = BLOCKDEV
            .replace(
                "rw  8192   512  4096          0      2147483648   /dev/dm-1",
                "ro  8192   512  4096          0      2147483648   /dev/dm-1",
            )
            .replace("rw   256  2048  2048", "ro   256  2048  2048");
        let st = run(Kind::BlockdevReport, &ro);
        assert_eq!(ids(&st), ["block-device-read-only"]);
        let c = &st.checks[0];
        assert!(has_field(c, "device", "dm-1"));
        assert_eq!(c.evidence[0].line, 8);
        assert!(
            c.fix
                .iter()
                .any(|f| f.command.as_deref() == Some("blockdev --setrw /dev/dm-1"))
        );
    }
}
