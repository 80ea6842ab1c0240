//! `ls -l` / `ls -lanR` of `/dev` (`/dev/mapper`, `/dev/disk/by-*`) and
//! `/sys/block`: a `dev-node` fact per block device node (its device
//! number), a `dev-link` per link (the map or WWID its name gives), a
//! `sysfs-block` per `/sys/block` entry (HCTL, iSCSI or FC transport). No
//! check.

use serde_json::{Map, Value, json};

use super::block_common::{base_name, is_hctl, looks_wwid, meaningful_lines, read, set, spans};
use super::{HostParser, Kind};
use crate::HostState;

/// `ls -l` of `/dev` and `/sys/block`.
pub(crate) struct LsDev;

impl HostParser for LsDev {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::LsDev]
    }

    fn by_content(&self, rel_path: &str, sample: &str) -> Option<Kind> {
        let lines = meaningful_lines(sample);
        let first = *lines.first()?;
        let ft = first.trim_start();
        if (ft.starts_with("/dev:")
            || ft.starts_with("/dev/") && ft.ends_with(':')
            || ft.starts_with("/sys/block") && ft.ends_with(':'))
            && lines.iter().take(10).any(|l| is_ls_line(l))
        {
            return Some(Kind::LsDev);
        }
        let blk = lines.iter().filter(|l| l.starts_with("brw")).count();
        let sys = lines
            .iter()
            .filter(|l| l.starts_with('l') && l.contains("-> ../devices/"))
            .count();
        if blk >= 3 || sys >= 3 {
            return Some(Kind::LsDev);
        }
        // `ls -l /dev/mapper` (not `-R`) prints no `dir:` header and reads
        // as any `ls -l`: its name says it lists /dev. (One family's chain
        // tried this name before the later families' content tests.)
        if lines.iter().any(|l| is_ls_line(l)) && self.by_name(rel_path).is_some() {
            return Some(Kind::LsDev);
        }
        None
    }

    fn by_name(&self, rel_path: &str) -> Option<Kind> {
        let b = base_name(rel_path);
        if b.starts_with("ls_")
            && (b.ends_with(".dev")
                || b.contains(".dev.disk")
                || b.contains(".dev.mapper")
                || b.contains(".dev.block")
                || b.contains(".sys.block"))
        {
            return Some(Kind::LsDev);
        }
        None
    }

    fn parse(&self, _kind: Kind, text: &str) -> HostState {
        read(text, |lines, _, st| parse_ls_dev(lines, st))
    }
}

/// An `ls -l` entry: `drwxr-xr-x`, `brw-rw----`, `lrwxrwxrwx.`, `-rw-r--r--+`.
fn is_ls_line(l: &str) -> bool {
    let Some(p) = l.split_whitespace().next() else {
        return false;
    };
    let p = p.trim_end_matches(['.', '+']);
    p.len() == 10
        && p.starts_with(['-', 'd', 'l', 'b', 'c', 'p', 's'])
        && p[1..].chars().all(|c| "rwxsStT-".contains(c))
}

fn parse_ls_dev(lines: &[(u64, &str)], st: &mut HostState) {
    let mut dir = String::new();
    for &(n, l) in lines {
        let t = l.trim_end();
        if t.ends_with(':') && t.starts_with('/') && !t.contains(' ') {
            dir = t.trim_end_matches(':').to_string();
            continue;
        }
        let sp = spans(t);
        if sp.len() < 6 {
            continue;
        }
        let perms = sp[0].2;
        let ftype = perms.chars().next().unwrap_or(' ');
        if !matches!(ftype, 'b' | 'l') || perms.len() < 10 {
            continue;
        }
        // `ls -Z` adds an SELinux context (or `?`) before the size.
        let ctx = usize::from(
            sp[4].2 == "?"
                || (sp[4].2.contains(':') && !sp[4].2.starts_with(|c: char| c.is_ascii_digit())),
        );
        let mut i = 4 + ctx;
        let mut devnum = None;
        if ftype == 'b' {
            let Some(a) = sp.get(i).map(|x| x.2) else {
                continue;
            };
            if let Some(maj) = a.strip_suffix(',') {
                devnum = Some(format!(
                    "{}:{}",
                    maj,
                    sp.get(i + 1).map(|x| x.2).unwrap_or("")
                ));
                i += 2;
            } else if let Some((maj, min)) = a.split_once(',') {
                devnum = Some(format!("{maj}:{min}"));
                i += 1;
            } else {
                continue;
            }
        } else {
            i += 1; // size
        }
        // Date: `Feb 10 16:16` (3 tokens) or ISO `2024-02-10 16:16[:ss[.n] +zone]`.
        let Some(d0) = sp.get(i) else { continue };
        let date_toks = if d0.2.len() == 10 && d0.2.as_bytes().get(4) == Some(&b'-') {
            if sp
                .get(i + 2)
                .is_some_and(|x| x.2.starts_with(['+', '-']) && x.2.len() == 5)
            {
                3
            } else {
                2
            }
        } else {
            3
        };
        let Some(name_tok) = sp.get(i + date_toks) else {
            continue;
        };
        let rest = &t[name_tok.0..];
        let (name, target) = match rest.split_once(" -> ") {
            Some((a, b)) => (a.to_string(), Some(b.to_string())),
            None => (rest.to_string(), None),
        };
        if name == "." || name == ".." {
            continue;
        }
        let path = if dir.is_empty() {
            name.clone()
        } else {
            format!("{}/{}", dir.trim_end_matches('/'), name)
        };
        let mut f = Map::new();
        f.insert("line".into(), json!(n));
        set(&mut f, "path", &path);
        if ftype == 'b' {
            f.insert("type".into(), json!("dev-node"));
            set(&mut f, "device", &name);
            set(&mut f, "devnum", devnum.as_deref().unwrap_or(""));
            set(&mut f, "mode", perms);
            set(&mut f, "owner", sp[2].2);
            set(&mut f, "group", sp[3].2);
        } else {
            let target = target.unwrap_or_default();
            let base = target.rsplit('/').next().unwrap_or("").to_string();
            if dir.starts_with("/sys/block") || target.contains("/devices/") {
                f.insert("type".into(), json!("sysfs-block"));
                set(&mut f, "device", &name);
                set(&mut f, "sysfs_path", &target);
                if let Some(h) = target.split('/').rev().find(|s| is_hctl(s)) {
                    set(&mut f, "hctl", h);
                }
                if target.contains("/session") {
                    set(&mut f, "transport", "iscsi");
                } else if target.contains("/rport-") {
                    set(&mut f, "transport", "fc");
                }
            } else {
                f.insert("type".into(), json!("dev-link"));
                set(&mut f, "target", &target);
                set(&mut f, "device", &base);
                if let Some(w) = name.strip_prefix("dm-uuid-mpath-") {
                    set(&mut f, "wwid", w);
                } else if let Some(m) = name.strip_prefix("dm-name-") {
                    set(&mut f, "map", m);
                } else if dir.ends_with("/mapper") && name != "control" {
                    set(&mut f, "map", &name);
                } else if let Some(w) = name.strip_prefix("scsi-").filter(|w| looks_wwid(w)) {
                    set(&mut f, "wwid", w);
                }
            }
        }
        st.facts.push(Value::Object(f));
    }
}

#[cfg(test)]
mod tests {
    use super::super::block_common::testing::{recognise, run};
    use super::*;

    const LS_DEV: &str = include_str!("../../tests/captures/ls-dev/ls_-lanR_.dev");
    const LS_SYS_BLOCK: &str = include_str!("../../tests/captures/ls-dev/ls_-lanR_.sys.block");

    #[test]
    fn ls_dev_and_sys_block() {
        for text in [LS_DEV, LS_SYS_BLOCK] {
            assert_eq!(recognise("x", text), Some(Kind::LsDev), "{text}");
        }
        let st = run(Kind::LsDev, LS_DEV);
        let maps: Vec<&Value> = st.facts.iter().filter(|f| f.get("map").is_some()).collect();
        assert_eq!(maps[0]["map"], "mpathc");
        assert_eq!(maps[0]["device"], "dm-3");
        assert!(
            st.facts
                .iter()
                .any(|f| f["wwid"] == "3624a93701c0d6b3e4f5a2b1c00012a4c" && f["device"] == "dm-3")
        );
        assert!(st.facts.iter().any(|f| f["type"] == "dev-node"
            && f["devnum"] == "253:3"
            && f["path"] == "/dev/dm-3"));
        assert!(
            st.facts
                .iter()
                .any(|f| f["device"] == "sdd" && f["devnum"] == "8:48" && f["group"] == "disk")
        );

        let st = run(Kind::LsDev, LS_SYS_BLOCK);
        assert_eq!(st.facts[0]["hctl"], "3:0:0:2");
        assert_eq!(st.facts[0]["transport"], "iscsi");
        assert!(st.checks.is_empty());
    }

    /// `ls -l /dev/mapper` without `-R` prints no `/dev/mapper:` header:
    /// the listing alone reads as any `ls -l`, the file's name says it is
    /// of /dev.
    #[test]
    fn a_listing_without_its_directory_is_known_by_its_name() {
        let mapper: String = LS_DEV
            .lines()
            .skip(1)
            .take_while(|l| !l.is_empty())
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(
            crate::recognise("sos_commands/block/ls_-l_.dev.mapper", &mapper),
            Some(Kind::LsDev)
        );
        assert_ne!(crate::recognise("notes.txt", &mapper), Some(Kind::LsDev));
        let st = run(Kind::LsDev, &mapper);
        assert!(
            st.facts
                .iter()
                .any(|f| f["type"] == "dev-link" && f["path"] == "mpathc" && f["device"] == "dm-3")
        );
    }
}
