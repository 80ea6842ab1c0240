//! Shared by the block-stack parsers (`multipath -ll`, `multipathd show`,
//! `dmsetup`, `lsblk`, `ls -l /dev`, `/proc/partitions`, `losetup`,
//! `iscsiadm`, `blockdev --report`): reading an output into numbered lines
//! (with the "empty output" and "ends mid-line" notes), the small readers
//! several of them use, and the checks several outputs raise, worded once so
//! that their findings merge: `multipath-map-no-active-path`,
//! `multipath-queue-unbounded`, `scsi-device-offline`, `dm-map-suspended`
//! and `loop-backing-deleted` (the last three also from rootline's own
//! snapshot).

use rootline_model::FieldKind;
use serde_json::{Map, Value};

use crate::{Check, Cite, HostState};

/// Read `text` with `parse` (its lines numbered from 1, `\r` dropped, and
/// whether it ends mid-line), then say when it was empty or cut.
pub(super) fn read(
    text: &str,
    parse: impl FnOnce(&[(u64, &str)], bool, &mut HostState),
) -> HostState {
    let mut st = HostState::default();
    let lines: Vec<(u64, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i as u64 + 1, l.trim_end_matches('\r')))
        .collect();
    let truncated = !text.is_empty() && !text.ends_with('\n');
    parse(&lines, truncated, &mut st);
    if text.trim().is_empty() {
        st.notes
            .push("empty output: the command printed nothing or timed out".to_string());
    } else if truncated && !st.facts.is_empty() {
        st.notes
            .push("output ends mid-line: it may be truncated".to_string());
    }
    st
}

pub(super) fn base_name(rel_path: &str) -> String {
    let b = rel_path.rsplit(['/', '\\']).next().unwrap_or(rel_path);
    b.to_ascii_lowercase().replace(' ', "_")
}

pub(super) fn meaningful_lines(sample: &str) -> Vec<&str> {
    sample
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.trim().is_empty())
        .collect()
}

/// A `multipath`/`multipathd` message line: `Feb 10 16:19:25 | sdc: ...`.
pub(super) fn is_mp_message(line: &str) -> bool {
    let Some((head, _)) = line.split_once(" | ") else {
        return false;
    };
    let t: Vec<&str> = head.split_whitespace().collect();
    // "Feb 10 16:19:25", "Feb 10 16:19:25.123", "16:19:25", "1234.5678"
    match t.as_slice() {
        [m, d, time] => {
            m.len() == 3
                && m.chars().all(|c| c.is_ascii_alphabetic())
                && d.chars().all(|c| c.is_ascii_digit())
                && time.contains(':')
        }
        [x] => x
            .chars()
            .all(|c| c.is_ascii_digit() || c == ':' || c == '.'),
        _ => false,
    }
}

pub(super) fn is_devnum(s: &str) -> bool {
    let Some((a, b)) = s.split_once(':') else {
        return false;
    };
    !a.is_empty()
        && !b.is_empty()
        && a.chars().all(|c| c.is_ascii_digit())
        && b.chars().all(|c| c.is_ascii_digit())
}

pub(super) fn is_hctl(s: &str) -> bool {
    let p: Vec<&str> = s.split(':').collect();
    p.len() == 4
        && p.iter()
            .all(|x| !x.is_empty() && x.chars().all(|c| c.is_ascii_digit() || c == '#'))
}

pub(super) fn is_dm_name(s: &str) -> bool {
    s == "undef"
        || s.strip_prefix("dm-")
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// A field, unless the tool printed a placeholder (`-`, `undef`, `#:#`).
pub(super) fn add_field(c: &mut Check, name: &str, value: &str, kind: FieldKind) {
    if value == "-" || value == "undef" || value.contains('#') {
        return;
    }
    c.add_field_once(name, value, kind);
}

pub(super) fn add_cite(c: &mut Check, line: u64, text: &str) {
    c.add_cite(&Cite::at(line, text));
}

/// Tokens of a line with their byte spans.
pub(super) fn spans(line: &str) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, ch) in line.char_indices() {
        if ch.is_whitespace() {
            if let Some(s) = start.take() {
                out.push((s, i, &line[s..i]));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push((s, line.len(), &line[s..]));
    }
    out
}

pub(super) fn set(obj: &mut Map<String, Value>, k: &str, v: &str) {
    if !v.is_empty() {
        obj.insert(k.to_string(), Value::String(v.to_string()));
    }
}

pub(super) fn looks_wwid(s: &str) -> bool {
    s.len() >= 17 && s.chars().all(|c| c.is_ascii_hexdigit())
}

const OFFLINE_STATES: &[&str] = &["offline", "blocked", "transport-offline"];

pub(super) fn is_offline(state: &str) -> bool {
    OFFLINE_STATES.contains(&state.to_ascii_lowercase().as_str())
}

/// A path of a map, as `multipath -ll` and `multipathd show paths` show it.
#[derive(Default)]
pub(super) struct MpPath {
    pub(super) line: u64,
    pub(super) text: String,
    pub(super) hctl: String,
    pub(super) dev: Option<String>,
    pub(super) devnum: Option<String>,
    pub(super) dm_st: Option<String>,
    pub(super) chk_st: Option<String>,
    pub(super) dev_st: Option<String>,
    pub(super) group: usize,
}

impl MpPath {
    pub(super) fn usable(&self) -> bool {
        let dm_ok = self.dm_st.as_deref() != Some("failed");
        let chk_ok = !matches!(
            self.chk_st.as_deref(),
            Some("faulty" | "shaky" | "removed" | "wild")
        );
        let dev_ok = !self
            .dev_st
            .as_deref()
            .is_some_and(|s| is_offline(s) || s == "deleted");
        dm_ok && chk_ok && dev_ok
    }
}

// ---------------------------------------------------------------------------
// Shared checks
// ---------------------------------------------------------------------------

/// A path of a map as far as a check needs it.
pub(super) struct PathRef {
    pub(super) dev: Option<String>,
    pub(super) devnum: Option<String>,
}

/// A map check's identity: the map, its WWID and dm device, and the
/// device and number of each path named.
pub(super) fn add_map_fields<'a>(
    c: &mut Check,
    map: &str,
    wwid: Option<&str>,
    dm: Option<&str>,
    paths: impl Iterator<Item = (Option<&'a str>, Option<&'a str>)>,
) {
    add_field(c, "map", map, FieldKind::Map);
    if let Some(w) = wwid {
        add_field(c, "wwid", w, FieldKind::Wwid);
    }
    if let Some(d) = dm {
        add_field(c, "device", d, FieldKind::Device);
    }
    for (dev, devnum) in paths {
        if let Some(d) = dev {
            add_field(c, "device", d, FieldKind::Device);
        }
        if let Some(d) = devnum {
            add_field(c, "devnum", d, FieldKind::DevNum);
        }
    }
}

/// `source`: the output it was read from (`multipath -ll`); a caller
/// flags `no_device` (lsblk, dmsetup ls --tree: a map with no device
/// under it) or `no_groups` (dmsetup table: no path group).
pub(super) fn no_active_path_check(
    map: &str,
    wwid: Option<&str>,
    dm: Option<&str>,
    paths: &[PathRef],
    queueing: bool,
    source: &str,
) -> Check {
    let mut c = Check::raise(crate::id::MULTIPATH_MAP_NO_ACTIVE_PATH);
    add_map_fields(
        &mut c,
        map,
        wwid,
        dm,
        paths
            .iter()
            .map(|p| (p.dev.as_deref(), p.devnum.as_deref())),
    );
    c.bind("paths", paths.len());
    c.bind("source", source);
    c.flag("queueing", queueing);
    let stale: Vec<&str> = paths.iter().filter_map(|p| p.dev.as_deref()).collect();
    c.bind_list("stale", stale);
    c
}

/// `source`: the output that shows the queueing (`multipath -ll`,
/// `multipathd show maps`, `dmsetup table`, `dmsetup status`).
pub(super) fn queue_unbounded_check(
    map: &str,
    wwid: Option<&str>,
    dm: Option<&str>,
    source: &str,
) -> Check {
    let mut c = Check::raise(crate::id::MULTIPATH_QUEUE_UNBOUNDED);
    add_field(&mut c, "map", map, FieldKind::Map);
    if let Some(w) = wwid {
        add_field(&mut c, "wwid", w, FieldKind::Wwid);
    }
    if let Some(d) = dm {
        add_field(&mut c, "device", d, FieldKind::Device);
    }
    c.bind("source", source);
    c
}

/// `scsi-device-offline`, for every output that shows it (`multipath
/// -ll`, `multipathd show paths`, `lsblk`, `iscsiadm`, and
/// rootline's own snapshot), so that their findings merge. `source`: the
/// output it was read from; a caller adds the `map` the path belongs to,
/// or the iSCSI `session` and `target`.
pub(crate) fn scsi_offline_check(
    dev: &str,
    state: &str,
    devnum: Option<&str>,
    source: &str,
) -> Check {
    let mut c = Check::raise(crate::id::SCSI_DEVICE_OFFLINE);
    add_field(&mut c, "device", dev, FieldKind::Device);
    if let Some(d) = devnum {
        add_field(&mut c, "devnum", d, FieldKind::DevNum);
    }
    c.bind("state", state);
    c.bind("source", source);
    c
}

/// `dm-map-suspended`, for every output that shows it (`dmsetup info`,
/// rootline's own snapshot), so that their findings merge.
pub(crate) fn dm_suspended_check(
    map: &str,
    wwid: Option<&str>,
    devnum: &str,
    device: &str,
) -> Check {
    let mut c = Check::raise(crate::id::DM_MAP_SUSPENDED);
    add_field(&mut c, "map", map, FieldKind::Map);
    if let Some(w) = wwid {
        add_field(&mut c, "wwid", w, FieldKind::Wwid);
    }
    add_field(&mut c, "devnum", devnum, FieldKind::DevNum);
    add_field(&mut c, "device", device, FieldKind::Device);
    c
}

/// `loop-backing-deleted`, worded once for every output that shows it
/// (`losetup`, rootline's own snapshot), so that their findings merge.
/// `mounted`: where the loop device is mounted, if known.
pub(crate) fn loop_backing_deleted(dev: &str, file: &str, at: &Cite, mounted: &[&str]) -> Check {
    let short = dev.trim_start_matches("/dev/");
    let mut c = Check::raise(crate::id::LOOP_BACKING_DELETED);
    add_field(&mut c, "device", short, FieldKind::Device);
    // A file name is never a placeholder.
    c.add_field_once("path", file, FieldKind::Path);
    c.add_cite(at);
    c.bind("loop", dev);
    if !mounted.is_empty() {
        c.bind("mounts", mounted.join(" "));
    }
    c
}

/// What the block parsers' tests share: the family's recognition alone
/// (its parsers' content tests in registry order, then their name tests),
/// reading through the registry with the shipped check book, lookups.
#[cfg(test)]
pub(super) mod testing {
    use crate::parsers::{HostParser, Kind, PARSERS};
    use crate::{Check, HostState};

    /// The block stack's kinds.
    pub(crate) const KINDS: &[Kind] = &[
        Kind::MultipathLl,
        Kind::MultipathdShow,
        Kind::DmsetupInfo,
        Kind::DmsetupLs,
        Kind::DmsetupTable,
        Kind::DmsetupStatus,
        Kind::Lsblk,
        Kind::LsDev,
        Kind::Partitions,
        Kind::Losetup,
        Kind::Iscsiadm,
        Kind::BlockdevReport,
    ];

    /// The block stack's parsers, in registry order.
    pub(crate) fn parsers() -> impl Iterator<Item = &'static dyn HostParser> {
        PARSERS
            .iter()
            .copied()
            .filter(|p| p.kinds().iter().all(|k| KINDS.contains(k)))
    }

    /// Recognition by the block stack's parsers alone.
    pub(crate) fn recognise(rel_path: &str, sample: &str) -> Option<Kind> {
        parsers()
            .find_map(|p| p.by_content(rel_path, sample))
            .or_else(|| parsers().find_map(|p| p.by_name(rel_path)))
    }

    /// Parsed and rendered with the shipped check book.
    pub(crate) fn run(kind: Kind, text: &str) -> HostState {
        crate::parse(kind, text)
    }

    pub(crate) fn ids(st: &HostState) -> Vec<&str> {
        st.checks.iter().map(|c| c.id.as_str()).collect()
    }

    pub(crate) fn has_field(c: &Check, name: &str, value: &str) -> bool {
        c.fields.iter().any(|(n, v, _)| n == name && v == value)
    }

    pub(crate) fn find<'a>(st: &'a HostState, id: &str, map: &str) -> &'a Check {
        st.checks
            .iter()
            .find(|c| c.id == id && has_field(c, "map", map))
            .unwrap_or_else(|| panic!("no {id} for {map}: {:#?}", st.checks))
    }

    /// No prefix of `text` (a truncated copy) makes recognition or any block
    /// parser panic.
    pub(crate) fn prefixes_never_panic(text: &str) {
        let bounds: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        let step = (bounds.len() / 150).max(1);
        for &b in bounds.iter().step_by(step) {
            let p = &text[..b];
            let _ = recognise("x", p);
            for parser in parsers() {
                for k in parser.kinds() {
                    let _ = parser.parse(*k, p);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{KINDS, find, has_field, ids, prefixes_never_panic, recognise, run};
    use crate::parsers::Kind;
    use crate::{Check, HostState};
    use rootline_model::Severity;
    use serde_json::json;
    use std::path::PathBuf;

    #[test]
    fn recognises_by_name_and_refuses_look_alikes() {
        assert_eq!(
            recognise(
                "sos_commands/multipath/multipath_-t",
                "defaults {\n\tverbosity 2\n}\n"
            ),
            None
        );
        assert_eq!(
            recognise(
                "var/log/messages",
                "Feb 10 16:19:25 host kernel: sd 3:0:0:1: [sdc] tag#0 FAILED\n"
            ),
            None
        );
        assert_eq!(
            recognise("sos_commands/devicemapper/dmsetup_table", ""),
            Some(Kind::DmsetupTable)
        );
        assert_eq!(
            recognise("sos_commands/block/losetup_-a", ""),
            Some(Kind::Losetup)
        );
        assert_eq!(recognise("x", "2 0 0"), None);
        // Look-alikes from the same sosreport that are not block-stack outputs.
        let not_mine = [
            (
                "sos_commands/memory/swapon_--bytes_--show",
                "NAME      TYPE       SIZE     USED PRIO\n/swap.img file 4294963200 69206016   -2\n",
            ),
            (
                "sos_commands/login/last",
                "ubuntu   pts/0        10.0.0.2         Thu Feb 10 13:47 - 13:51  (00:04)\nubuntu   pts/0        10.0.0.2         Thu Feb 10 09:32 - 09:32  (00:00)\n",
            ),
            (
                "sos_commands/systemd/systemctl_list-machines",
                "  NAME            STATE   FAILED JOBS\n  compute4 (host) running 0      0   \n\n1 machines listed.\n",
            ),
            (
                "sos_commands/md/mdadm_-E_.dev.vdb",
                "/dev/vdb:\n   MBR Magic : aa55\nPartition[0] :    209715199 sectors at            1 (type ee)\n",
            ),
            (
                "sos_commands/openvswitch/ls_-laZ_.dev.vfio",
                "total 0\ncrw-rw-rw-  1 root root ? 10, 196 Feb  9 22:38 vfio\n",
            ),
        ];
        for (name, text) in not_mine {
            assert_eq!(recognise(name, text), None, "{name}");
        }
    }

    #[test]
    fn empty_output_of_timed_out_command() {
        for k in KINDS {
            let st = run(*k, "");
            assert!(st.facts.is_empty() && st.checks.is_empty());
            assert!(st.notes.iter().any(|n| n.contains("empty")), "{k:?}");
        }
    }

    fn root(rel: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
    }

    fn load(rel: &str) -> Option<String> {
        let p = root(rel);
        let Ok(file) = std::fs::File::open(&p) else {
            eprintln!("SKIPPED: {} not found", p.display());
            return None;
        };
        let mut buf = Vec::new();
        // Test fixtures only, capped at 4 MiB before reading.
        #[allow(clippy::disallowed_methods)]
        std::io::Read::read_to_end(&mut std::io::Read::take(file, 4 << 20), &mut buf).ok()?;
        Some(String::from_utf8_lossy(&buf).into_owned())
    }

    const CORPUS: &str = "../../../shared/corpus/sosreport-openstack-compute/sos_commands/";

    #[test]
    fn corpus_healthy_host_has_no_findings() {
        let files = [
            ("multipath/multipath_-ll", Kind::MultipathLl),
            ("multipath/multipath_-v4_-ll", Kind::MultipathLl),
            ("devicemapper/dmsetup_info_-c", Kind::DmsetupInfo),
            ("devicemapper/dmsetup_ls_--tree", Kind::DmsetupLs),
            ("devicemapper/dmsetup_table", Kind::DmsetupTable),
            ("devicemapper/dmsetup_status", Kind::DmsetupStatus),
            ("block/lsblk", Kind::Lsblk),
            ("block/lsblk_-O_-P", Kind::Lsblk),
            ("block/lsblk_-f_-a_-l", Kind::Lsblk),
            ("block/lsblk_-t", Kind::Lsblk),
            ("block/ls_-lanR_.dev", Kind::LsDev),
            ("block/ls_-lanR_.sys.block", Kind::LsDev),
            ("block/losetup_-a", Kind::Losetup),
            ("iscsi/iscsiadm_-m_session_-P_3", Kind::Iscsiadm),
        ];
        for (rel, kind) in files {
            let path = format!("{CORPUS}{rel}");
            let Some(text) = load(&path) else { continue };
            let sample: String = text.chars().take(65536).collect();
            assert_eq!(recognise(&path, &sample), Some(kind), "{rel}");
            let st = run(kind, &text);
            let bad: Vec<&Check> = st
                .checks
                .iter()
                .filter(|c| c.severity > Severity::Info)
                .collect();
            assert!(bad.is_empty(), "{rel}: {bad:#?}");
            match rel {
                "devicemapper/dmsetup_info_-c" => assert_eq!(st.facts.len(), 3),
                "block/lsblk" => {
                    let b = st.facts.iter().find(|f| f["name"] == "bcache1").unwrap();
                    assert_eq!(b["parents"], json!(["vdb2", "vdc"]));
                    let c = st
                        .facts
                        .iter()
                        .find(|f| f["name"] == "crypt-88244ad9-372d-427e-9d82-c411c73d900a")
                        .unwrap();
                    assert_eq!(c["mountpoint"], "/var/lib/nova/instances");
                    assert_eq!(c["devnum"], "253:2");
                }
                "block/lsblk_-O_-P" => assert!(
                    st.facts
                        .iter()
                        .any(|f| f["name"] == "vda" && f["dev_type"] == "disk")
                ),
                "block/losetup_-a" => assert_eq!(st.facts.len(), 4),
                "devicemapper/dmsetup_ls_--tree" => {
                    let c = st
                        .facts
                        .iter()
                        .find(|f| f["name"] == "crypt-88244ad9-372d-427e-9d82-c411c73d900a")
                        .unwrap();
                    assert_eq!(c["depends_on"], json!(["251:0"]));
                }
                "multipath/multipath_-ll" => assert!(st.facts.is_empty() && !st.notes.is_empty()),
                _ => {}
            }
            prefixes_never_panic(&text[..text.floor_char_boundary(8000)]);
        }
    }

    #[test]
    fn corpus_every_claimed_file_is_clean() {
        let dir = root(CORPUS);
        let Ok(top) = std::fs::read_dir(&dir) else {
            eprintln!("SKIPPED: {} not found", dir.display());
            return;
        };
        let mut stack: Vec<PathBuf> = top.flatten().map(|e| e.path()).collect();
        let mut claimed = 0;
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                if let Ok(rd) = std::fs::read_dir(&p) {
                    stack.extend(rd.flatten().map(|e| e.path()));
                }
                continue;
            }
            let rel = p
                .strip_prefix(root("../../../shared/corpus/sosreport-openstack-compute"))
                .unwrap_or(&p);
            let rel = rel.to_string_lossy().into_owned();
            let Some(text) = load(&p.to_string_lossy()) else {
                continue;
            };
            let sample: String = text.chars().take(65536).collect();
            let Some(kind) = recognise(&rel, &sample) else {
                continue;
            };
            claimed += 1;
            eprintln!("claimed {rel} as {kind:?}");
            let st = run(kind, &text);
            let bad: Vec<&Check> = st
                .checks
                .iter()
                .filter(|c| c.severity > Severity::Info)
                .collect();
            assert!(bad.is_empty(), "{rel}: {bad:#?}");
        }
        assert!(claimed >= 10);
    }

    const B000: &str = "../../examples/incidents/000-stale-device-after-detach/sos_commands/";
    const B001: &str = "../../examples/incidents/001-libvirt-crashloop-multipath/sos_commands/";

    fn bundle(base: &str, rel: &str, kind: Kind) -> Option<HostState> {
        let path = format!("{base}{rel}");
        let text = load(&path)?;
        assert_eq!(recognise(&path, &text), Some(kind), "{path}");
        prefixes_never_panic(&text);
        Some(run(kind, &text))
    }

    #[test]
    fn bundle_000_stale_map_after_detach() {
        if let Some(st) = bundle(B000, "multipath/multipath_-ll", Kind::MultipathLl) {
            assert_eq!(ids(&st), vec!["multipath-map-no-active-path"]);
            let c = find(&st, "multipath-map-no-active-path", "mpathc");
            assert!(has_field(c, "wwid", "3624a93701c0d6b3e4f5a2b1c00012a4c"));
            assert!(
                has_field(c, "device", "sdc")
                    && has_field(c, "device", "sdd")
                    && has_field(c, "devnum", "8:48")
            );
            assert_eq!(
                c.evidence[0].text,
                "mpathc (3624a93701c0d6b3e4f5a2b1c00012a4c) dm-3 PURE,FlashArray"
            );
            assert!(
                c.fix
                    .iter()
                    .any(|f| f.command.as_deref() == Some("echo 1 > /sys/block/sdd/device/delete"))
            );
            assert!(!c.fix.iter().any(|f| {
                f.command
                    .as_deref()
                    .is_some_and(|x| x.contains("disablequeueing"))
            }));
        }
        if let Some(st) = bundle(B000, "devicemapper/dmsetup_status", Kind::DmsetupStatus) {
            assert_eq!(ids(&st), vec!["multipath-map-no-active-path"]);
            let c = find(&st, "multipath-map-no-active-path", "mpathc");
            assert!(has_field(c, "devnum", "8:32"));
            assert_eq!(c.evidence[0].line, 2);
        }
        if let Some(st) = bundle(B000, "devicemapper/dmsetup_info_-c", Kind::DmsetupInfo) {
            // Open count 1 (the LV on top): not a dm-unused finding.
            assert!(st.checks.is_empty(), "{:#?}", st.checks);
            assert_eq!(st.facts.len(), 5);
        }
        if let Some(st) = bundle(B000, "devicemapper/dmsetup_table", Kind::DmsetupTable) {
            assert!(st.checks.is_empty());
        }
        if let Some(st) = bundle(B000, "devicemapper/dmsetup_ls_--tree", Kind::DmsetupLs) {
            assert!(st.checks.is_empty());
            let lv = st
                .facts
                .iter()
                .find(|f| f["name"] == "vg_appdata-lv_appdata")
                .unwrap();
            assert_eq!(lv["depends_on"], json!(["mpathc"]));
        }
        if let Some(st) = bundle(B000, "block/lsblk", Kind::Lsblk) {
            assert!(st.checks.is_empty());
            let m = st.facts.iter().find(|f| f["name"] == "mpathc").unwrap();
            assert_eq!(m["parents"], json!(["sdc", "sdd"]));
        }
        if let Some(st) = bundle(B000, "iscsi/iscsiadm_-m_session", Kind::Iscsiadm) {
            assert_eq!(st.facts.len(), 2);
            assert!(st.checks.is_empty());
        }
    }

    #[test]
    fn bundle_001_leftover_map_without_paths() {
        if let Some(st) = bundle(B001, "multipath/multipath_-ll", Kind::MultipathLl) {
            assert_eq!(
                ids(&st),
                vec!["multipath-map-no-active-path", "multipath-queue-unbounded"]
            );
            let c = find(&st, "multipath-map-no-active-path", "mpathu");
            assert!(
                has_field(c, "device", "dm-21")
                    && has_field(c, "wwid", "3600a098038314c4a6b5d4f5a7a2f6d41")
            );
            assert!(
                c.fix
                    .iter()
                    .any(|f| f.command.as_deref() == Some("multipathd disablequeueing map mpathu"))
            );
            assert_eq!(st.facts[1]["paths"][0]["device"], "sdc");
        }
        for (rel, kind) in [
            ("devicemapper/dmsetup_table", Kind::DmsetupTable),
            ("devicemapper/dmsetup_status", Kind::DmsetupStatus),
        ] {
            if let Some(st) = bundle(B001, rel, kind) {
                find(&st, "multipath-map-no-active-path", "mpathu");
                find(&st, "multipath-queue-unbounded", "mpathu");
                assert_eq!(st.checks.len(), 2, "{rel}: {:#?}", st.checks);
            }
        }
        for (rel, kind) in [
            ("devicemapper/dmsetup_ls_--tree", Kind::DmsetupLs),
            ("block/lsblk", Kind::Lsblk),
        ] {
            if let Some(st) = bundle(B001, rel, kind) {
                let c = find(&st, "multipath-map-no-active-path", "mpathu");
                assert!(has_field(c, "devnum", "253:21") && has_field(c, "device", "dm-21"));
                assert_eq!(st.checks.len(), 1, "{rel}");
            }
        }
        if let Some(st) = bundle(B001, "devicemapper/dmsetup_info_-c", Kind::DmsetupInfo) {
            assert!(st.checks.is_empty());
        }
    }
}
