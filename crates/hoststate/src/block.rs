//! The block stack: multipath -ll, multipathd show, dmsetup, lsblk, ls -l /dev, /proc/partitions, losetup, iscsiadm.
//!
//! Kinds owned here: MultipathLl, MultipathdShow, DmsetupInfo, DmsetupLs, DmsetupTable, DmsetupStatus, Lsblk, LsDev, Partitions, Losetup, Iscsiadm.
//!
//! Checks raised here: `multipath-map-no-active-path`, `multipath-queue-unbounded`,
//! `dm-unused-open-zero`, `dm-map-suspended`, `scsi-device-offline`,
//! `scsi-device-not-in-map`, `loop-backing-deleted`, `iscsi-session-down`.

use rootline_model::FieldKind;
use serde_json::{Map, Value, json};

use crate::parsers::Kind;
use crate::{Check, Cite, HostState};

// ---------------------------------------------------------------------------
// Recognition
// ---------------------------------------------------------------------------

pub(crate) fn recognise(rel_path: &str, sample: &str) -> Option<Kind> {
    by_content(rel_path, sample).or_else(|| by_name(rel_path))
}

fn base_name(rel_path: &str) -> String {
    let b = rel_path.rsplit(['/', '\\']).next().unwrap_or(rel_path);
    b.to_ascii_lowercase().replace(' ', "_")
}

fn by_name(rel_path: &str) -> Option<Kind> {
    let b = base_name(rel_path);
    let b = b.as_str();
    if b.starts_with("multipathd") {
        if b.contains("show_maps") || b.contains("show_paths") || b.contains("show_multipaths") {
            return Some(Kind::MultipathdShow);
        }
        if b.contains("show_topology") {
            return Some(Kind::MultipathLl);
        }
        return None;
    }
    if b.starts_with("multipath_") && (b.ends_with("-ll") || b.ends_with("-l")) {
        return Some(Kind::MultipathLl);
    }
    // sos names a command by its words joined with `_` (`multipath_-v4_-ll`);
    // a saved copy may add to the name (`multipath_-ll.txt`,
    // `multipath_-ll__node3.txt`): a `-ll` / `-l` word still names the listing.
    let words: Vec<&str> = b.split(['_', '.']).collect();
    if words.first() == Some(&"multipath") && words.iter().any(|w| *w == "-ll" || *w == "-l") {
        return Some(Kind::MultipathLl);
    }
    if b.starts_with("dmsetup_info") {
        return Some(Kind::DmsetupInfo);
    }
    if b.starts_with("dmsetup_ls") {
        return Some(Kind::DmsetupLs);
    }
    if b.starts_with("dmsetup_table") {
        return Some(Kind::DmsetupTable);
    }
    if b.starts_with("dmsetup_status") {
        return Some(Kind::DmsetupStatus);
    }
    if b.starts_with("lsblk") {
        return Some(Kind::Lsblk);
    }
    if b.starts_with("ls_")
        && (b.ends_with(".dev")
            || b.contains(".dev.disk")
            || b.contains(".dev.mapper")
            || b.contains(".dev.block")
            || b.contains(".sys.block"))
    {
        return Some(Kind::LsDev);
    }
    if b == "partitions" || b.ends_with("proc.partitions") || b.ends_with("proc_partitions") {
        return Some(Kind::Partitions);
    }
    if b.starts_with("losetup") {
        return Some(Kind::Losetup);
    }
    if b.starts_with("blockdev_--report") || b.starts_with("blockdev-report") {
        return Some(Kind::BlockdevReport);
    }
    if b.starts_with("iscsiadm") {
        return Some(Kind::Iscsiadm);
    }
    None
}

/// A `multipath`/`multipathd` message line: `Feb 10 16:19:25 | sdc: ...`.
fn is_mp_message(line: &str) -> bool {
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

const DM_TARGETS: &[&str] = &[
    "linear",
    "multipath",
    "crypt",
    "striped",
    "thin",
    "thin-pool",
    "error",
    "zero",
    "snapshot",
    "snapshot-origin",
    "snapshot-merge",
    "mirror",
    "raid",
    "cache",
    "writecache",
    "era",
    "integrity",
    "verity",
    "delay",
    "flakey",
    "vdo",
    "dust",
    "clone",
    "switch",
    "unstriped",
];

/// `name: 0 2097152 multipath …` → (name, start, length, target, rest).
fn split_dm_line(line: &str) -> Option<(Option<&str>, u64, u64, &str, &str)> {
    let (name, rest) = match line.find(": ") {
        Some(i) if !line[..i].contains(char::is_whitespace) => (Some(&line[..i]), &line[i + 2..]),
        _ => (None, line),
    };
    let rest = rest.trim_start();
    let mut it = rest.splitn(4, char::is_whitespace);
    let start = it.next()?.parse().ok()?;
    let len = it.next()?.parse().ok()?;
    let target = it.next()?;
    if target.is_empty() {
        return None;
    }
    let args = it.next().unwrap_or("").trim();
    Some((name, start, len, target, args))
}

fn is_devnum(s: &str) -> bool {
    let Some((a, b)) = s.split_once(':') else {
        return false;
    };
    !a.is_empty()
        && !b.is_empty()
        && a.chars().all(|c| c.is_ascii_digit())
        && b.chars().all(|c| c.is_ascii_digit())
}

/// Whether a `dmsetup` line set looks like `status` (true) or `table` (false).
fn dm_status_like(lines: &[&str]) -> Option<bool> {
    let mut votes_status = 0;
    let mut votes_table = 0;
    for l in lines {
        let Some((_, _, _, target, args)) = split_dm_line(l) else {
            continue;
        };
        let toks: Vec<&str> = args.split_whitespace().collect();
        match target {
            "linear" | "crypt" | "striped" => {
                if toks.is_empty() {
                    votes_status += 1;
                } else if toks.iter().any(|t| is_devnum(t)) {
                    votes_table += 1;
                }
            }
            "multipath" => {
                if toks
                    .windows(2)
                    .any(|w| is_devnum(w[0]) && (w[1] == "A" || w[1] == "F"))
                {
                    votes_status += 1;
                } else if toks.iter().any(|t| {
                    matches!(
                        *t,
                        "service-time" | "round-robin" | "queue-length" | "historical-service-time"
                    )
                }) {
                    votes_table += 1;
                }
            }
            _ => {}
        }
    }
    if votes_status > votes_table {
        Some(true)
    } else if votes_table > votes_status {
        Some(false)
    } else {
        None
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

fn meaningful_lines(sample: &str) -> Vec<&str> {
    sample
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.trim().is_empty())
        .collect()
}

fn by_content(rel_path: &str, sample: &str) -> Option<Kind> {
    let lines = meaningful_lines(sample);
    let first = *lines.first()?;
    let ft = first.trim_start();
    // lsblk
    if ft.starts_with('{') && sample.contains("\"blockdevices\"") {
        return Some(Kind::Lsblk);
    }
    if lines.iter().take(5).any(|l| lsblk_pairs_row(l)) {
        return Some(Kind::Lsblk);
    }
    let head: Vec<&str> = ft.split_whitespace().collect();
    if head.first() == Some(&"NAME")
        && (head.iter().any(|t| {
            matches!(
                *t,
                "MAJ:MIN" | "FSTYPE" | "KNAME" | "DISC-ALN" | "ALIGNMENT" | "HCTL" | "WWN"
            )
        }) || (head.contains(&"TYPE")
            && head
                .iter()
                .any(|t| matches!(*t, "MOUNTPOINT" | "MOUNTPOINTS" | "RM" | "RO"))))
    {
        return Some(Kind::Lsblk);
    }
    if lines.iter().take(5).any(|l| is_blockdev_header(l)) {
        return Some(Kind::BlockdevReport);
    }
    if head.first() == Some(&"NAME") && head.get(1) == Some(&"SIZELIMIT") {
        return Some(Kind::Losetup);
    }
    if head.first() == Some(&"Name") && head.contains(&"Maj") && head.contains(&"Open") {
        return Some(Kind::DmsetupInfo);
    }
    if head.len() >= 4 && head[0] == "major" && head[1] == "minor" && head.contains(&"#blocks") {
        return Some(Kind::Partitions);
    }
    let lower: Vec<String> = head.iter().map(|t| t.to_ascii_lowercase()).collect();
    let has = |s: &str| lower.iter().any(|t| t == s);
    if (has("hcil") && (has("dev") || has("dev_t")))
        || has("dm_st")
        || has("chk_st")
        || (has("name") && (has("sysfs") || has("dm-st") || has("queueing")))
    {
        return Some(Kind::MultipathdShow);
    }
    // multipath -ll
    if lines.iter().any(|l| {
        let t = l.trim_start();
        (t.starts_with("size=") && t.contains("features="))
            || t.contains("policy='")
            || t.contains("[features=")
    }) {
        return Some(Kind::MultipathLl);
    }
    if lines
        .iter()
        .take(3)
        .any(|l| mp_header(l).is_some_and(|h| h.wwid.is_some() && h.dm.is_some()))
    {
        return Some(Kind::MultipathLl);
    }
    // iscsiadm
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
    // losetup -a
    if lines
        .iter()
        .take(5)
        .any(|l| l.starts_with("/dev/loop") && l.contains(": ["))
    {
        return Some(Kind::Losetup);
    }
    // dmsetup info (long form)
    if sample.contains("Open count:") && lines.iter().any(|l| l.starts_with("Name:")) {
        return Some(Kind::DmsetupInfo);
    }
    // dmsetup table / status
    let dm: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| {
            split_dm_line(l).is_some_and(|(n, _, _, t, _)| n.is_some() && DM_TARGETS.contains(&t))
        })
        .collect();
    if !dm.is_empty() && dm.len() * 2 >= lines.len().min(20) {
        let b = base_name(rel_path);
        if b.contains("status") {
            return Some(Kind::DmsetupStatus);
        }
        if b.contains("table") {
            return Some(Kind::DmsetupTable);
        }
        return match dm_status_like(&dm) {
            Some(true) => Some(Kind::DmsetupStatus),
            _ => Some(Kind::DmsetupTable),
        };
    }
    // dmsetup ls [--tree]
    let ls_like = lines.iter().filter(|l| dm_ls_entry(l).is_some()).count();
    if ls_like > 0 && ls_like * 2 >= lines.len().min(20) && !first.starts_with(char::is_whitespace)
    {
        return Some(Kind::DmsetupLs);
    }
    // ls -l of /dev or /sys/block
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
    // multipath messages only (a healthy host without maps)
    if is_mp_message(first) {
        let b = base_name(rel_path);
        if b.starts_with("multipath_") && (b.ends_with("-ll") || b.ends_with("-l")) {
            return Some(Kind::MultipathLl);
        }
        if sample.contains("pathvec")
            || sample.contains("HDIO_GETGEO")
            || sample.contains("checker")
        {
            return Some(Kind::MultipathLl);
        }
    }
    None
}

// ---------------------------------------------------------------------------
// Dispatch and helpers
// ---------------------------------------------------------------------------

pub(crate) fn parse(kind: Kind, text: &str) -> Option<HostState> {
    let mut st = HostState::default();
    let lines: Vec<(u64, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i as u64 + 1, l.trim_end_matches('\r')))
        .collect();
    let truncated = !text.is_empty() && !text.ends_with('\n');
    match kind {
        Kind::MultipathLl => parse_multipath_ll(&lines, truncated, &mut st),
        Kind::MultipathdShow => parse_multipathd_show(&lines, &mut st),
        Kind::DmsetupInfo => parse_dmsetup_info(&lines, &mut st),
        Kind::DmsetupLs => parse_dmsetup_ls(&lines, &mut st),
        Kind::DmsetupTable => parse_dmsetup_table(&lines, &mut st),
        Kind::DmsetupStatus => parse_dmsetup_status(&lines, &mut st),
        Kind::Lsblk => parse_lsblk(text, &lines, &mut st),
        Kind::LsDev => parse_ls_dev(&lines, &mut st),
        Kind::Partitions => parse_partitions(&lines, &mut st),
        Kind::Losetup => parse_losetup(&lines, &mut st),
        Kind::Iscsiadm => parse_iscsiadm(&lines, &mut st),
        Kind::BlockdevReport => parse_blockdev_report(&lines, &mut st),
        _ => return None,
    }
    if text.trim().is_empty() {
        st.notes
            .push("empty output: the command printed nothing or timed out".to_string());
    } else if truncated && !st.facts.is_empty() {
        st.notes
            .push("output ends mid-line: it may be truncated".to_string());
    }
    Some(st)
}

/// A field, unless the tool printed a placeholder (`-`, `undef`, `#:#`).
fn add_field(c: &mut Check, name: &str, value: &str, kind: FieldKind) {
    if value == "-" || value == "undef" || value.contains('#') {
        return;
    }
    c.add_field_once(name, value, kind);
}

fn add_cite(c: &mut Check, line: u64, text: &str) {
    c.add_cite(&Cite::at(line, text));
}

/// Tokens of a line with their byte spans.
fn spans(line: &str) -> Vec<(usize, usize, &str)> {
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

/// Assign the tokens of an aligned-table row to header columns (left or
/// right aligned, empty cells allowed).
fn aligned_row(header: &[(usize, usize, &str)], line: &str) -> Vec<String> {
    let mut cols: Vec<String> = vec![String::new(); header.len()];
    if header.is_empty() {
        return cols;
    }
    for (s, e, t) in spans(line) {
        let mut best: Option<(usize, usize)> = None;
        for (i, (hs, he, _)) in header.iter().enumerate() {
            let ov = e.min(*he).saturating_sub(s.max(*hs));
            if ov > 0 && best.is_none_or(|(_, b)| ov > b) {
                best = Some((i, ov));
            }
        }
        let idx = match best {
            Some((i, _)) => i,
            None => header.iter().rposition(|(hs, _, _)| *hs <= s).unwrap_or(0),
        };
        if !cols[idx].is_empty() {
            cols[idx].push(' ');
        }
        cols[idx].push_str(t);
    }
    cols
}

fn set(obj: &mut Map<String, Value>, k: &str, v: &str) {
    if !v.is_empty() {
        obj.insert(k.to_string(), Value::String(v.to_string()));
    }
}

fn looks_wwid(s: &str) -> bool {
    s.len() >= 17 && s.chars().all(|c| c.is_ascii_hexdigit())
}

fn looks_mpath_name(s: &str) -> bool {
    s.starts_with("mpath") || looks_wwid(s)
}

const OFFLINE_STATES: &[&str] = &["offline", "blocked", "transport-offline"];

fn is_offline(state: &str) -> bool {
    OFFLINE_STATES.contains(&state.to_ascii_lowercase().as_str())
}

// ---------------------------------------------------------------------------
// Shared checks
// ---------------------------------------------------------------------------

/// A path of a map as far as a check needs it.
struct PathRef {
    dev: Option<String>,
    devnum: Option<String>,
}

/// A map check's identity: the map, its WWID and dm device, and the
/// device and number of each path named.
fn add_map_fields<'a>(
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
fn no_active_path_check(
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

/// A map with some failed paths and some usable ones (`multipath -ll`).
fn degraded_map_check(
    map: &str,
    wwid: Option<&str>,
    dm: Option<&str>,
    failed: &[&MpPath],
    total: usize,
) -> Check {
    let names: Vec<String> = failed
        .iter()
        .map(|p| {
            let state = [&p.dm_st, &p.chk_st, &p.dev_st]
                .iter()
                .filter_map(|s| s.as_deref())
                .collect::<Vec<_>>()
                .join(" ");
            format!("{} {state}", p.dev.as_deref().unwrap_or(p.hctl.as_str()))
        })
        .collect();
    let mut c = Check::raise(crate::id::MULTIPATH_MAP_DEGRADED);
    add_map_fields(
        &mut c,
        map,
        wwid,
        dm,
        failed
            .iter()
            .map(|p| (p.dev.as_deref(), p.devnum.as_deref())),
    );
    c.bind("failed", failed.len());
    c.bind("total", total);
    c.bind("failed_paths", names.join(", "));
    c
}

/// `source`: the output that shows the queueing (`multipath -ll`,
/// `multipathd show maps`, `dmsetup table`, `dmsetup status`).
fn queue_unbounded_check(map: &str, wwid: Option<&str>, dm: Option<&str>, source: &str) -> Check {
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

/// `scsi-device-offline`, for every output that shows it (here and
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

// ---------------------------------------------------------------------------
// multipath -ll / -v4 -ll / multipathd show topology
// ---------------------------------------------------------------------------

struct MpHeader {
    action: Option<String>,
    name: String,
    wwid: Option<String>,
    dm: Option<String>,
    vendor_product: Option<String>,
    /// Old (RHEL 5) format keeps `[size=…][features=…]` on the header line.
    inline_attrs: Option<String>,
}

fn is_dm_name(s: &str) -> bool {
    s == "undef"
        || s.strip_prefix("dm-")
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

fn mp_header(line: &str) -> Option<MpHeader> {
    if line.is_empty() || line.starts_with(|c: char| c.is_whitespace() || "|`\\[".contains(c)) {
        return None;
    }
    if line.starts_with("size=") || line.contains("policy=") || is_mp_message(line) {
        return None;
    }
    let (action, rest) = match line.split_once(": ") {
        Some((a, r)) if !a.is_empty() && a.chars().all(|c| c.is_ascii_lowercase()) => {
            (Some(a.to_string()), r)
        }
        _ => (None, line),
    };
    let (main, inline_attrs) = match rest.find('[') {
        Some(i) if rest[i..].contains("size=") => (&rest[..i], Some(rest[i..].to_string())),
        _ => (rest, None),
    };
    let t: Vec<&str> = main.split_whitespace().collect();
    let name = *t.first()?;
    let mut i = 1;
    let mut wwid = None;
    if let Some(w) = t
        .get(1)
        .and_then(|s| s.strip_prefix('('))
        .and_then(|s| s.strip_suffix(')'))
    {
        wwid = Some(w.to_string());
        i = 2;
    }
    let mut dm = None;
    if let Some(d) = t.get(i).filter(|s| is_dm_name(s)) {
        dm = Some(d.to_string());
        i += 1;
    }
    if wwid.is_none() && dm.is_none() && inline_attrs.is_none() {
        return None;
    }
    if wwid.is_none() && looks_wwid(name) {
        wwid = Some(name.to_string());
    }
    let vp = t.get(i..).map(|r| r.join(" ")).filter(|s| !s.is_empty());
    Some(MpHeader {
        action,
        name: name.to_string(),
        wwid,
        dm,
        vendor_product: vp,
        inline_attrs,
    })
}

/// `key='quoted value' key=value` and `[key=value][flag]` attributes.
fn kv_attrs(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if s.trim_start().starts_with('[') {
        for part in s.split(['[', ']']) {
            let p = part.trim();
            if p.is_empty() {
                continue;
            }
            match p.split_once('=') {
                Some((k, v)) => out.push((
                    k.trim().to_string(),
                    v.trim().trim_matches(['"', '\'']).to_string(),
                )),
                None => out.push((p.to_string(), String::new())),
            }
        }
        return out;
    }
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let ks = i;
        while i < b.len() && b[i] != b'=' && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        let key = &s[ks..i];
        if i >= b.len() || b[i] != b'=' {
            if !key.is_empty() {
                out.push((key.to_string(), String::new()));
            }
            continue;
        }
        i += 1;
        let val;
        if i < b.len() && (b[i] == b'\'' || b[i] == b'"') {
            let q = b[i];
            let vs = i + 1;
            let mut j = vs;
            while j < b.len() && b[j] != q {
                j += 1;
            }
            val = &s[vs..j.min(b.len())];
            i = (j + 1).min(b.len());
        } else {
            let vs = i;
            while i < b.len() && !b[i].is_ascii_whitespace() {
                i += 1;
            }
            val = &s[vs..i];
        }
        out.push((key.to_string(), val.to_string()));
    }
    out
}

fn is_hctl(s: &str) -> bool {
    let p: Vec<&str> = s.split(':').collect();
    p.len() == 4
        && p.iter()
            .all(|x| !x.is_empty() && x.chars().all(|c| c.is_ascii_digit() || c == '#'))
}

#[derive(Default)]
struct MpPath {
    line: u64,
    text: String,
    hctl: String,
    dev: Option<String>,
    devnum: Option<String>,
    dm_st: Option<String>,
    chk_st: Option<String>,
    dev_st: Option<String>,
    group: usize,
}

impl MpPath {
    fn usable(&self) -> bool {
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

const CHK_STATES: &[&str] = &[
    "ready",
    "faulty",
    "shaky",
    "ghost",
    "i/o pending",
    "delayed",
    "undef",
    "i/o timeout",
    "wild",
    "unchecked",
    "removed",
    "disconnected",
];

/// Parse a path line after the tree characters: `3:0:0:1 sdc 8:32 active ready running`.
fn mp_path(line_no: u64, line: &str, group: usize) -> Option<MpPath> {
    let body = line.trim_start_matches(|c: char| c.is_whitespace() || "|`-+\\_".contains(c));
    let raw: Vec<&str> = body.split_whitespace().collect();
    if !raw.first().is_some_and(|t| is_hctl(t)) {
        return None;
    }
    let mut p = MpPath {
        line: line_no,
        text: line.to_string(),
        hctl: raw[0].to_string(),
        group,
        ..Default::default()
    };
    let mut i = 1;
    if let Some(d) = raw.get(i).filter(|d| !is_devnum(d) && !d.starts_with('[')) {
        if *d != "-" {
            p.dev = Some(d.to_string());
        }
        i += 1;
    }
    if let Some(d) = raw.get(i).filter(|d| is_devnum(d) || d.contains('#')) {
        if is_devnum(d) {
            p.devnum = Some(d.to_string());
        }
        i += 1;
    }
    let rest = raw.get(i..).unwrap_or(&[]).join(" ");
    if rest.contains('[') {
        // Old format: [active][ready] or [failed][faulty]
        for w in rest
            .split(['[', ']'])
            .map(str::trim)
            .filter(|w| !w.is_empty())
        {
            match w {
                "active" | "failed" if p.dm_st.is_none() => p.dm_st = Some(w.to_string()),
                w if CHK_STATES.contains(&w) && p.chk_st.is_none() => {
                    p.chk_st = Some(w.to_string())
                }
                w if p.dev_st.is_none() => p.dev_st = Some(w.to_string()),
                _ => {}
            }
        }
    } else {
        let mut words: Vec<String> = Vec::new();
        let toks: Vec<&str> = rest.split_whitespace().collect();
        let mut j = 0;
        while j < toks.len() {
            if toks[j] == "i/o" && j + 1 < toks.len() {
                words.push(format!("i/o {}", toks[j + 1]));
                j += 2;
            } else {
                words.push(toks[j].to_string());
                j += 1;
            }
        }
        let mut it = words.into_iter();
        p.dm_st = it.next();
        p.chk_st = it.next();
        p.dev_st = it.next();
    }
    Some(p)
}

struct MpMap {
    line: u64,
    header_text: String,
    h: MpHeader,
    attrs: Vec<(String, String)>,
    attr_line: Option<(u64, String)>,
    groups: Vec<Value>,
    paths: Vec<MpPath>,
}

impl MpMap {
    fn attr(&self, k: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(a, _)| a == k)
            .map(|(_, v)| v.as_str())
    }
    fn queueing(&self) -> bool {
        self.attr("features")
            .is_some_and(|f| f.contains("queue_if_no_path"))
    }
}

fn parse_multipath_ll(lines: &[(u64, &str)], truncated: bool, st: &mut HostState) {
    let mut maps: Vec<MpMap> = Vec::new();
    let mut messages: Vec<(u64, &str)> = Vec::new();
    for &(n, l) in lines {
        if l.trim().is_empty() {
            continue;
        }
        if is_mp_message(l) {
            messages.push((n, l));
            continue;
        }
        if let Some(h) = mp_header(l) {
            let attrs = h.inline_attrs.as_deref().map(kv_attrs).unwrap_or_default();
            let attr_line = h.inline_attrs.as_ref().map(|_| (n, l.to_string()));
            maps.push(MpMap {
                line: n,
                header_text: l.to_string(),
                h,
                attrs,
                attr_line,
                groups: Vec::new(),
                paths: Vec::new(),
            });
            continue;
        }
        let Some(m) = maps.last_mut() else {
            continue;
        };
        let t = l.trim_start();
        if t.starts_with("size=") || (t.starts_with("[size=") && m.attrs.is_empty()) {
            m.attrs = kv_attrs(t);
            m.attr_line = Some((n, l.to_string()));
            continue;
        }
        if let Some(p) = mp_path(n, l, m.groups.len().saturating_sub(1)) {
            m.paths.push(p);
            continue;
        }
        let body = t.trim_start_matches(|c: char| c.is_whitespace() || "|`-+\\_".contains(c));
        if t.contains("policy=") || t.contains("prio=") || body.contains("[prio=") {
            let mut g = Map::new();
            g.insert("line".into(), json!(n));
            if body.contains("policy=") {
                for (k, v) in kv_attrs(body) {
                    set(&mut g, &k, &v);
                }
            } else {
                // Old: `round-robin 0 [prio=1][active]`
                let (pol, rest) = body.split_once('[').unwrap_or((body, ""));
                set(&mut g, "policy", pol.trim());
                for (k, v) in kv_attrs(&format!("[{rest}")) {
                    if v.is_empty() {
                        set(&mut g, "status", &k);
                    } else {
                        set(&mut g, &k, &v);
                    }
                }
            }
            m.groups.push(Value::Object(g));
        }
    }
    if maps.is_empty() {
        if !messages.is_empty() {
            st.notes.push(format!(
                "no multipath maps; {} multipath message line(s), e.g. line {}: {}",
                messages.len(),
                messages[0].0,
                messages[0].1.trim()
            ));
        } else if lines.iter().any(|(_, l)| !l.trim().is_empty()) {
            st.notes.push("no multipath maps found".to_string());
        }
    }
    let nmaps = maps.len();
    for (mi, m) in maps.iter().enumerate() {
        let (vendor, product) = match m.h.vendor_product.as_deref() {
            Some(vp) => match vp.split_once(',') {
                Some((v, p)) => (v.to_string(), p.to_string()),
                None => (vp.to_string(), String::new()),
            },
            None => (String::new(), String::new()),
        };
        let active = m.paths.iter().filter(|p| p.usable()).count();
        let mut f = Map::new();
        f.insert("type".into(), json!("multipath-map"));
        f.insert("line".into(), json!(m.line));
        set(&mut f, "name", &m.h.name);
        if let Some(w) = &m.h.wwid {
            set(&mut f, "wwid", w);
        }
        if let Some(d) = &m.h.dm {
            set(&mut f, "dm", d);
        }
        if let Some(a) = &m.h.action {
            set(&mut f, "action", a);
        }
        set(&mut f, "vendor", vendor.trim());
        set(&mut f, "product", product.trim());
        for k in ["size", "features", "hwhandler", "wp"] {
            if let Some(v) = m.attr(k) {
                set(&mut f, k, v);
            }
        }
        f.insert("queue_if_no_path".into(), json!(m.queueing()));
        f.insert("path_groups".into(), Value::Array(m.groups.clone()));
        let paths: Vec<Value> = m
            .paths
            .iter()
            .map(|p| {
                let mut o = Map::new();
                o.insert("line".into(), json!(p.line));
                set(&mut o, "hctl", &p.hctl);
                set(&mut o, "device", p.dev.as_deref().unwrap_or(""));
                set(&mut o, "devnum", p.devnum.as_deref().unwrap_or(""));
                set(&mut o, "dm_state", p.dm_st.as_deref().unwrap_or(""));
                set(&mut o, "checker_state", p.chk_st.as_deref().unwrap_or(""));
                set(&mut o, "online_state", p.dev_st.as_deref().unwrap_or(""));
                o.insert("group".into(), json!(p.group));
                o.insert("usable".into(), json!(p.usable()));
                Value::Object(o)
            })
            .collect();
        f.insert("paths".into(), Value::Array(paths));
        f.insert("active_paths".into(), json!(active));
        st.facts.push(Value::Object(f));

        // A map cut by truncation may simply have lost its path lines.
        let cut = truncated && mi + 1 == nmaps && m.paths.is_empty();
        if active == 0 && !cut {
            let refs: Vec<PathRef> = m
                .paths
                .iter()
                .map(|p| PathRef {
                    dev: p.dev.clone(),
                    devnum: p.devnum.clone(),
                })
                .collect();
            let mut c = no_active_path_check(
                &m.h.name,
                m.h.wwid.as_deref(),
                m.h.dm.as_deref(),
                &refs,
                m.queueing(),
                "multipath -ll",
            );
            add_cite(&mut c, m.line, &m.header_text);
            if let Some((n, t)) = &m.attr_line {
                add_cite(&mut c, *n, t);
            }
            for p in &m.paths {
                add_cite(&mut c, p.line, &p.text);
            }
            st.checks.push(c);
            if m.queueing() {
                let mut q = queue_unbounded_check(
                    &m.h.name,
                    m.h.wwid.as_deref(),
                    m.h.dm.as_deref(),
                    "multipath -ll",
                );
                add_cite(&mut q, m.line, &m.header_text);
                if let Some((n, t)) = &m.attr_line {
                    add_cite(&mut q, *n, t);
                }
                st.checks.push(q);
            }
        } else if m.paths.iter().any(|p| !p.usable()) {
            // Some paths failed, others carry the I/O: redundancy is gone
            // and the transport behind the failed ones is down — the start
            // (or the residue) of a path loss.
            let failed: Vec<&MpPath> = m.paths.iter().filter(|p| !p.usable()).collect();
            let mut c = degraded_map_check(
                &m.h.name,
                m.h.wwid.as_deref(),
                m.h.dm.as_deref(),
                &failed,
                m.paths.len(),
            );
            add_cite(&mut c, m.line, &m.header_text);
            for p in &failed {
                add_cite(&mut c, p.line, &p.text);
            }
            st.checks.push(c);
        }
        for p in &m.paths {
            if let (Some(dev), Some(s)) = (&p.dev, &p.dev_st)
                && is_offline(s)
            {
                let mut c = scsi_offline_check(dev, s, p.devnum.as_deref(), "multipath -ll");
                add_field(&mut c, "map", &m.h.name, FieldKind::Map);
                add_cite(&mut c, p.line, &p.text);
                st.checks.push(c);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// multipathd show maps / paths (default and `format` output)
// ---------------------------------------------------------------------------

/// A `show paths` row: line, text, path.
type PathRow = (u64, String, MpPath);

fn parse_multipathd_show(lines: &[(u64, &str)], st: &mut HostState) {
    let Some(hi) = lines
        .iter()
        .position(|(_, l)| !l.trim().is_empty() && !is_mp_message(l))
    else {
        return;
    };
    let (_, hl) = lines[hi];
    let header = spans(hl);
    let names: Vec<String> = header
        .iter()
        .map(|(_, _, t)| t.to_ascii_lowercase())
        .collect();
    let is_paths = names
        .iter()
        .any(|n| matches!(n.as_str(), "hcil" | "dev_t" | "chk_st" | "dm_st" | "dev_st"));
    let col = |row: &[String], k: &str| -> String {
        names
            .iter()
            .position(|n| n == k)
            .and_then(|i| row.get(i))
            .cloned()
            .unwrap_or_default()
    };
    // (map key) -> (rows)
    let mut groups: Vec<(String, Vec<PathRow>)> = Vec::new();
    for &(n, l) in &lines[hi + 1..] {
        if l.trim().is_empty() || is_mp_message(l) {
            continue;
        }
        let row = aligned_row(&header, l);
        let mut f = Map::new();
        f.insert(
            "type".into(),
            json!(if is_paths {
                "multipath-path"
            } else {
                "multipath-map"
            }),
        );
        f.insert("line".into(), json!(n));
        for (k, v) in names.iter().zip(row.iter()) {
            let key = match k.as_str() {
                "dev" => "device",
                "dev_t" => "devnum",
                "dm_st" | "dm-st" => "dm_state",
                "chk_st" => "checker_state",
                "dev_st" => "online_state",
                "hcil" => "hctl",
                "sysfs" => "dm",
                "uuid" => "wwid",
                "multipath" => "map",
                other => other,
            };
            set(&mut f, key, v);
        }
        if is_paths {
            let p = MpPath {
                line: n,
                text: l.to_string(),
                hctl: col(&row, "hcil"),
                dev: Some(col(&row, "dev")).filter(|s| !s.is_empty()),
                devnum: Some(col(&row, "dev_t")).filter(|s| is_devnum(s)),
                dm_st: Some(col(&row, "dm_st")).filter(|s| !s.is_empty()),
                chk_st: Some(col(&row, "chk_st")).filter(|s| !s.is_empty()),
                dev_st: Some(col(&row, "dev_st")).filter(|s| !s.is_empty()),
                group: 0,
            };
            let map = col(&row, "multipath");
            let uuid = col(&row, "uuid");
            if map == "[orphan]"
                || (map.is_empty()
                    && p.dm_st.as_deref() == Some("undef")
                    && !names.iter().any(|x| x == "multipath"))
            {
                f.insert("orphan".into(), json!(true));
                if map == "[orphan]"
                    && let Some(dev) = &p.dev
                {
                    let mut c = Check::raise(crate::id::SCSI_DEVICE_NOT_IN_MAP);
                    c.flag("faulty", !p.usable());
                    add_field(&mut c, "device", dev, FieldKind::Device);
                    if let Some(d) = &p.devnum {
                        add_field(&mut c, "devnum", d, FieldKind::DevNum);
                    }
                    if !uuid.is_empty() {
                        add_field(&mut c, "wwid", &uuid, FieldKind::Wwid);
                    }
                    add_cite(&mut c, n, l);
                    st.checks.push(c);
                }
            } else {
                let key = if !map.is_empty() { map } else { uuid };
                if !key.is_empty() {
                    match groups.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, v)) => v.push((n, l.to_string(), p)),
                        None => groups.push((key, vec![(n, l.to_string(), p)])),
                    }
                }
            }
            let dev = col(&row, "dev");
            let s = col(&row, "dev_st");
            if is_offline(&s) && !dev.is_empty() {
                let dn = col(&row, "dev_t");
                let mut c = scsi_offline_check(
                    &dev,
                    &s,
                    Some(dn.as_str()).filter(|d| is_devnum(d)),
                    "multipathd show paths",
                );
                add_cite(&mut c, n, l);
                st.checks.push(c);
            }
        } else {
            let name = col(&row, "name");
            let paths = col(&row, "paths");
            let queueing = col(&row, "queueing");
            let wwid = Some(col(&row, "uuid")).filter(|s| !s.is_empty());
            let dm = Some(col(&row, "sysfs")).filter(|s| is_dm_name(s));
            if !name.is_empty() && paths.trim() == "0" {
                let q = queueing == "on";
                let mut c = no_active_path_check(
                    &name,
                    wwid.as_deref(),
                    dm.as_deref(),
                    &[],
                    q,
                    "multipathd show maps",
                );
                add_cite(&mut c, hi as u64 + 1, hl);
                add_cite(&mut c, n, l);
                st.checks.push(c);
                if q {
                    let mut c = queue_unbounded_check(
                        &name,
                        wwid.as_deref(),
                        dm.as_deref(),
                        "multipathd show maps",
                    );
                    add_cite(&mut c, n, l);
                    st.checks.push(c);
                }
            }
        }
        st.facts.push(Value::Object(f));
    }
    // Paths grouped by map: all failed?
    if names.iter().any(|x| x == "multipath") {
        for (map, rows) in &groups {
            if rows.iter().all(|(_, _, p)| !p.usable()) {
                let refs: Vec<PathRef> = rows
                    .iter()
                    .map(|(_, _, p)| PathRef {
                        dev: p.dev.clone(),
                        devnum: p.devnum.clone(),
                    })
                    .collect();
                let mut c =
                    no_active_path_check(map, None, None, &refs, false, "multipathd show paths");
                for (n, l, _) in rows {
                    add_cite(&mut c, *n, l);
                }
                st.checks.push(c);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// dmsetup info -c / dmsetup info
// ---------------------------------------------------------------------------

struct DmInfo {
    line: u64,
    text: String,
    lines: Vec<(u64, String)>,
    name: String,
    major: String,
    minor: String,
    stat: String,
    suspended: bool,
    open: Option<u64>,
    targets: String,
    events: String,
    uuid: String,
}

fn dm_info_fact(d: &DmInfo) -> Value {
    let mut f = Map::new();
    f.insert("type".into(), json!("dm-device"));
    f.insert("line".into(), json!(d.line));
    set(&mut f, "name", &d.name);
    if !d.major.is_empty() && !d.minor.is_empty() {
        set(&mut f, "devnum", &format!("{}:{}", d.major, d.minor));
        if d.major == "253" || d.major == "252" || d.major == "254" {
            set(&mut f, "device", &format!("dm-{}", d.minor));
        }
    }
    set(&mut f, "stat", &d.stat);
    f.insert("suspended".into(), json!(d.suspended));
    if let Some(o) = d.open {
        f.insert("open".into(), json!(o));
    }
    set(&mut f, "targets", &d.targets);
    set(&mut f, "events", &d.events);
    set(&mut f, "uuid", &d.uuid);
    let (sub, wwid) = dm_uuid_kind(&d.uuid);
    set(&mut f, "subsystem", sub);
    if let Some(w) = wwid {
        set(&mut f, "wwid", w);
    }
    Value::Object(f)
}

/// `mpath-<wwid>` → ("mpath", wwid); `part1-mpath-<wwid>` → ("part", wwid);
/// `LVM-…` → ("LVM", None); `CRYPT-…` → ("CRYPT", None).
fn dm_uuid_kind(uuid: &str) -> (&str, Option<&str>) {
    if let Some(w) = uuid.strip_prefix("mpath-") {
        return ("mpath", Some(w));
    }
    if uuid.starts_with("part")
        && let Some(i) = uuid.find("-mpath-")
    {
        return ("part", Some(&uuid[i + 7..]));
    }
    match uuid.split_once('-') {
        Some((p, _)) if !p.is_empty() => (p, None),
        _ => ("", None),
    }
}

fn dm_info_checks(d: &DmInfo, st: &mut HostState) {
    let (sub, wwid) = dm_uuid_kind(&d.uuid);
    let devnum = if d.major.is_empty() {
        String::new()
    } else {
        format!("{}:{}", d.major, d.minor)
    };
    let dmdev = if d.major == "253" {
        format!("dm-{}", d.minor)
    } else {
        String::new()
    };
    if sub == "mpath" && d.open == Some(0) {
        let mut c = Check::raise(crate::id::DM_UNUSED_OPEN_ZERO);
        add_field(&mut c, "map", &d.name, FieldKind::Map);
        if let Some(w) = wwid {
            add_field(&mut c, "wwid", w, FieldKind::Wwid);
        }
        add_field(&mut c, "devnum", &devnum, FieldKind::DevNum);
        add_field(&mut c, "device", &dmdev, FieldKind::Device);
        for (n, t) in &d.lines {
            add_cite(&mut c, *n, t);
        }
        st.checks.push(c);
    }
    if d.suspended {
        let mut c = dm_suspended_check(&d.name, wwid, &devnum, &dmdev);
        for (n, t) in &d.lines {
            add_cite(&mut c, *n, t);
        }
        st.checks.push(c);
    }
}

fn parse_dmsetup_info(lines: &[(u64, &str)], st: &mut HostState) {
    let mut infos: Vec<DmInfo> = Vec::new();
    let columnar = lines
        .iter()
        .find(|(_, l)| !l.trim().is_empty())
        .is_some_and(|(_, l)| l.trim_start().starts_with("Name ") && l.contains("Open"));
    if columnar {
        let hi = lines
            .iter()
            .position(|(_, l)| l.trim_start().starts_with("Name "))
            .unwrap_or(0);
        let (hn, hl) = lines[hi];
        let names: Vec<String> = hl
            .split_whitespace()
            .map(|t| t.to_ascii_lowercase())
            .collect();
        for &(n, l) in &lines[hi + 1..] {
            let t: Vec<&str> = l.split_whitespace().collect();
            if t.len() < 2 {
                continue;
            }
            let get = |k: &str| {
                names
                    .iter()
                    .position(|x| x == k)
                    .and_then(|i| t.get(i))
                    .map(|s| s.to_string())
                    .unwrap_or_default()
            };
            let stat = get("stat");
            infos.push(DmInfo {
                line: n,
                text: l.to_string(),
                lines: vec![(hn, hl.to_string()), (n, l.to_string())],
                name: get("name"),
                major: get("maj"),
                minor: get("min"),
                suspended: stat.contains('s'),
                stat,
                open: get("open").parse().ok(),
                targets: get("targ"),
                events: get("event"),
                uuid: get("uuid"),
            });
        }
    } else {
        let mut cur: Option<DmInfo> = None;
        for &(n, l) in lines {
            let Some((k, v)) = l.split_once(':') else {
                continue;
            };
            let v = v.trim();
            if k == "Name" {
                if let Some(d) = cur.take() {
                    infos.push(d);
                }
                cur = Some(DmInfo {
                    line: n,
                    text: l.to_string(),
                    lines: vec![(n, l.to_string())],
                    name: v.to_string(),
                    major: String::new(),
                    minor: String::new(),
                    stat: String::new(),
                    suspended: false,
                    open: None,
                    targets: String::new(),
                    events: String::new(),
                    uuid: String::new(),
                });
                continue;
            }
            let Some(d) = cur.as_mut() else { continue };
            match k.trim() {
                "State" => {
                    d.stat = v.to_string();
                    d.suspended = v.contains("SUSPENDED");
                    d.lines.push((n, l.to_string()));
                }
                "Open count" => {
                    d.open = v.parse().ok();
                    d.lines.push((n, l.to_string()));
                }
                "Major, minor" => {
                    if let Some((a, b)) = v.split_once(',') {
                        d.major = a.trim().to_string();
                        d.minor = b.trim().to_string();
                    }
                }
                "Number of targets" => d.targets = v.to_string(),
                "Event number" => d.events = v.to_string(),
                "UUID" => d.uuid = v.to_string(),
                _ => {}
            }
        }
        if let Some(d) = cur.take() {
            infos.push(d);
        }
    }
    for d in &infos {
        let _ = &d.text;
        st.facts.push(dm_info_fact(d));
        dm_info_checks(d, st);
    }
    if infos.is_empty() && lines.iter().any(|(_, l)| l.contains("No devices found")) {
        st.notes.push("dmsetup: no devices".to_string());
    }
}

// ---------------------------------------------------------------------------
// dmsetup ls [--tree]
// ---------------------------------------------------------------------------

/// `name\t(253:0)`, `name (253, 0)`, ` |-name (253:0)`, `    `- (8:32)`.
/// Returns (depth column, name, devnum).
fn dm_ls_entry(line: &str) -> Option<(usize, String, Option<String>)> {
    let t = line.trim_end();
    let body_start = t.find(|c: char| !(c.is_whitespace() || "|`-".contains(c)))?;
    let body = &t[body_start..];
    let (name, devnum) = match body.rfind('(') {
        Some(i) if body.ends_with(')') => {
            let inner = &body[i + 1..body.len() - 1];
            let dn = inner.replace(", ", ":").replace(',', ":").replace(' ', "");
            if !is_devnum(&dn) {
                return None;
            }
            let name = body[..i].trim();
            if name.contains(char::is_whitespace) {
                return None;
            }
            (name.to_string(), Some(dn))
        }
        _ => {
            // A truncated tree node (`name...`) without a devnum.
            if body_start == 0 && !body.contains(char::is_whitespace) && body.ends_with("...") {
                (body.to_string(), None)
            } else {
                return None;
            }
        }
    };
    Some((body_start, name, devnum))
}

fn parse_dmsetup_ls(lines: &[(u64, &str)], st: &mut HostState) {
    struct Node {
        line: u64,
        text: String,
        depth: usize,
        name: String,
        devnum: Option<String>,
        deps: Vec<String>,
    }
    let tree = lines
        .iter()
        .any(|(_, l)| l.starts_with(char::is_whitespace) && (l.contains("`-") || l.contains("|-")));
    let mut nodes: Vec<Node> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    for &(n, l) in lines {
        let Some((depth, name, devnum)) = dm_ls_entry(l) else {
            continue;
        };
        while stack.last().is_some_and(|&i| nodes[i].depth >= depth) {
            stack.pop();
        }
        let dep_label = if name.is_empty() {
            devnum.clone().unwrap_or_default()
        } else {
            name.clone()
        };
        if let Some(&p) = stack.last() {
            nodes[p].deps.push(dep_label);
        }
        if !name.is_empty() {
            nodes.push(Node {
                line: n,
                text: l.to_string(),
                depth,
                name,
                devnum,
                deps: Vec::new(),
            });
            stack.push(nodes.len() - 1);
        }
    }
    let mut seen: Vec<String> = Vec::new();
    for nd in &nodes {
        if seen.contains(&nd.name) {
            continue;
        }
        seen.push(nd.name.clone());
        let mut f = Map::new();
        f.insert("type".into(), json!("dm-device"));
        f.insert("line".into(), json!(nd.line));
        set(&mut f, "name", nd.name.trim_end_matches("..."));
        if nd.name.ends_with("...") {
            f.insert("name_truncated".into(), json!(true));
        }
        if let Some(d) = &nd.devnum {
            set(&mut f, "devnum", d);
        }
        if tree {
            f.insert("depends_on".into(), json!(nd.deps));
        }
        st.facts.push(Value::Object(f));
        if tree && nd.depth == 0 && nd.deps.is_empty() && looks_mpath_name(&nd.name) {
            let dm = nd
                .devnum
                .as_deref()
                .and_then(|d| d.strip_prefix("253:"))
                .map(|m| format!("dm-{m}"));
            let wwid = looks_wwid(&nd.name).then_some(nd.name.as_str());
            let mut c = no_active_path_check(
                &nd.name,
                wwid,
                dm.as_deref(),
                &[],
                false,
                "dmsetup ls --tree",
            );
            c.flag("no_device", true);
            if let Some(d) = &nd.devnum {
                add_field(&mut c, "devnum", d, FieldKind::DevNum);
            }
            add_cite(&mut c, nd.line, &nd.text);
            st.checks.push(c);
        }
    }
    if nodes.is_empty() && lines.iter().any(|(_, l)| l.contains("No devices found")) {
        st.notes.push("dmsetup: no devices".to_string());
    }
}

// ---------------------------------------------------------------------------
// dmsetup table / status
// ---------------------------------------------------------------------------

struct MpTable {
    features: Vec<String>,
    hwhandler: Vec<String>,
    groups: Vec<(String, Vec<String>)>,
    complete: bool,
}

fn parse_mp_table(args: &str) -> MpTable {
    let t: Vec<&str> = args.split_whitespace().collect();
    let mut r = MpTable {
        features: Vec::new(),
        hwhandler: Vec::new(),
        groups: Vec::new(),
        complete: false,
    };
    let mut i = 0;
    let num = |i: usize| -> Option<usize> { t.get(i)?.parse().ok() };
    let Some(nf) = num(i) else { return r };
    r.features = t
        .iter()
        .skip(i + 1)
        .take(nf)
        .map(|s| s.to_string())
        .collect();
    i += 1 + nf;
    let Some(nh) = num(i) else { return r };
    r.hwhandler = t
        .iter()
        .skip(i + 1)
        .take(nh)
        .map(|s| s.to_string())
        .collect();
    i += 1 + nh;
    let Some(npg) = num(i) else { return r };
    i += 2; // #pgs, next pg
    for _ in 0..npg {
        let Some(sel) = t.get(i) else { return r };
        let Some(nsel) = num(i + 1) else { return r };
        i += 2 + nsel;
        let (Some(np), Some(npa)) = (num(i), num(i + 1)) else {
            return r;
        };
        i += 2;
        let mut devs = Vec::new();
        for _ in 0..np {
            let Some(d) = t.get(i) else { return r };
            devs.push(d.to_string());
            i += 1 + npa;
        }
        r.groups.push((sel.to_string(), devs));
    }
    r.complete = i <= t.len();
    r
}

fn parse_dmsetup_table(lines: &[(u64, &str)], st: &mut HostState) {
    let mut last_name: Option<String> = None;
    for &(n, l) in lines {
        let Some((name, start, len, target, args)) = split_dm_line(l) else {
            continue;
        };
        let name = name
            .map(str::to_string)
            .or_else(|| last_name.clone())
            .unwrap_or_default();
        last_name = Some(name.clone());
        let mut f = Map::new();
        f.insert("type".into(), json!("dm-table"));
        f.insert("line".into(), json!(n));
        set(&mut f, "name", &name);
        f.insert("start".into(), json!(start));
        f.insert("length".into(), json!(len));
        set(&mut f, "target", target);
        let devs: Vec<&str> = args.split_whitespace().filter(|t| is_devnum(t)).collect();
        f.insert("devnums".into(), json!(devs));
        if target == "multipath" {
            let m = parse_mp_table(args);
            let q = m.features.iter().any(|x| x == "queue_if_no_path");
            f.insert("features".into(), json!(m.features.join(" ")));
            f.insert("queue_if_no_path".into(), json!(q));
            set(&mut f, "hwhandler", &m.hwhandler.join(" "));
            let groups: Vec<Value> = m
                .groups
                .iter()
                .map(|(s, d)| json!({"selector": s, "paths": d}))
                .collect();
            f.insert("path_groups".into(), Value::Array(groups));
            let npaths: usize = m.groups.iter().map(|(_, d)| d.len()).sum();
            if m.complete && npaths == 0 {
                let mut c = no_active_path_check(&name, None, None, &[], q, "dmsetup table");
                c.flag("no_groups", true);
                add_cite(&mut c, n, l);
                st.checks.push(c);
                if q {
                    let mut c = queue_unbounded_check(&name, None, None, "dmsetup table");
                    add_cite(&mut c, n, l);
                    st.checks.push(c);
                }
            }
        } else {
            set(&mut f, "args", args);
        }
        st.facts.push(Value::Object(f));
    }
}

/// A path group in `dmsetup status`: state, then (devnum, active, fail count) per path.
type StatusGroup = (String, Vec<(String, bool, u64)>);

struct MpStatus {
    queue_io: Option<u64>,
    pg_init_count: Option<u64>,
    groups: Vec<StatusGroup>,
    complete: bool,
}

fn parse_mp_status(args: &str) -> MpStatus {
    let t: Vec<&str> = args.split_whitespace().collect();
    let mut r = MpStatus {
        queue_io: None,
        pg_init_count: None,
        groups: Vec::new(),
        complete: false,
    };
    let num = |i: usize| -> Option<usize> { t.get(i)?.parse().ok() };
    let mut i = 0;
    let Some(nf) = num(i) else { return r };
    if nf >= 1 {
        r.queue_io = t.get(1).and_then(|s| s.parse().ok());
    }
    if nf >= 2 {
        r.pg_init_count = t.get(2).and_then(|s| s.parse().ok());
    }
    i += 1 + nf;
    let Some(nh) = num(i) else { return r };
    i += 1 + nh;
    let Some(npg) = num(i) else { return r };
    i += 2;
    for _ in 0..npg {
        let Some(state) = t.get(i) else { return r };
        let Some(nps) = num(i + 1) else { return r };
        i += 2 + nps;
        let (Some(np), Some(npa)) = (num(i), num(i + 1)) else {
            return r;
        };
        i += 2;
        let mut paths = Vec::new();
        for _ in 0..np {
            let (Some(d), Some(a)) = (t.get(i), t.get(i + 1)) else {
                return r;
            };
            let fails = t.get(i + 2).and_then(|s| s.parse().ok()).unwrap_or(0);
            paths.push((d.to_string(), *a == "A", fails));
            i += 3 + npa;
        }
        r.groups.push((state.to_string(), paths));
    }
    r.complete = i <= t.len();
    r
}

fn parse_dmsetup_status(lines: &[(u64, &str)], st: &mut HostState) {
    let mut last_name: Option<String> = None;
    for &(n, l) in lines {
        let Some((name, start, len, target, args)) = split_dm_line(l) else {
            continue;
        };
        let name = name
            .map(str::to_string)
            .or_else(|| last_name.clone())
            .unwrap_or_default();
        last_name = Some(name.clone());
        let mut f = Map::new();
        f.insert("type".into(), json!("dm-status"));
        f.insert("line".into(), json!(n));
        set(&mut f, "name", &name);
        f.insert("start".into(), json!(start));
        f.insert("length".into(), json!(len));
        set(&mut f, "target", target);
        if target == "multipath" {
            let m = parse_mp_status(args);
            let queueing = m.queue_io.is_some_and(|q| q != 0);
            f.insert("queueing".into(), json!(queueing));
            if let Some(p) = m.pg_init_count {
                f.insert("pg_init_count".into(), json!(p));
            }
            let mut active = 0;
            let mut failed: Vec<String> = Vec::new();
            let mut all: Vec<String> = Vec::new();
            let groups: Vec<Value> = m
                .groups
                .iter()
                .map(|(s, ps)| {
                    let paths: Vec<Value> = ps
                        .iter()
                        .map(|(d, a, fc)| {
                            all.push(d.clone());
                            if *a {
                                active += 1;
                            } else {
                                failed.push(d.clone());
                            }
                            json!({"devnum": d, "active": a, "fail_count": fc})
                        })
                        .collect();
                    json!({"state": s, "paths": paths})
                })
                .collect();
            f.insert("path_groups".into(), Value::Array(groups));
            f.insert("active_paths".into(), json!(active));
            f.insert("failed_paths".into(), json!(failed));
            if m.complete && active == 0 {
                let refs: Vec<PathRef> = all
                    .iter()
                    .map(|d| PathRef {
                        dev: None,
                        devnum: Some(d.clone()),
                    })
                    .collect();
                let mut c =
                    no_active_path_check(&name, None, None, &refs, queueing, "dmsetup status");
                add_cite(&mut c, n, l);
                st.checks.push(c);
                if queueing {
                    let mut c = queue_unbounded_check(&name, None, None, "dmsetup status");
                    add_cite(&mut c, n, l);
                    st.checks.push(c);
                }
            }
        } else {
            set(&mut f, "status", args);
        }
        st.facts.push(Value::Object(f));
    }
    if st.facts.is_empty() && lines.iter().any(|(_, l)| l.contains("No devices found")) {
        st.notes.push("dmsetup: no devices".to_string());
    }
}

// ---------------------------------------------------------------------------
// lsblk (plain tree, -f, -P, -O -P, -J)
// ---------------------------------------------------------------------------

fn lsblk_key(k: &str) -> Option<&'static str> {
    Some(match k.to_ascii_lowercase().as_str() {
        "name" => "name",
        "kname" => "kname",
        "path" => "path",
        "maj:min" | "maj_min" => "devnum",
        "type" => "dev_type",
        "size" => "size",
        "ro" => "ro",
        "rm" => "rm",
        "mountpoint" | "mountpoints" => "mountpoint",
        "fstype" => "fstype",
        "uuid" => "uuid",
        "label" => "label",
        "model" => "model",
        "serial" => "serial",
        "wwn" => "wwn",
        "vendor" => "vendor",
        "rev" => "rev",
        "state" => "state",
        "tran" => "tran",
        "hctl" => "hctl",
        "pkname" => "pkname",
        _ => return None,
    })
}

struct BlkRow {
    line: u64,
    text: String,
    obj: Map<String, Value>,
    parent: Option<String>,
}

fn jstr(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Array(a) => a
            .iter()
            .map(jstr)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    }
}

/// A `lsblk -P` row: `KEY="value"` pairs in the order of `-o` (NAME need
/// not come first: `ALIGNMENT="0" … NAME="sda" …`), one of them NAME or
/// KNAME.
fn lsblk_pairs_row(l: &str) -> bool {
    let key: String = l.chars().take_while(|c| *c != '=').collect();
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || ":_-%.".contains(c))
        && l[key.len()..].starts_with("=\"")
        && [" NAME=\"", " KNAME=\""]
            .iter()
            .any(|k| l.starts_with(&k[1..]) || l.contains(k))
}

/// One row of the tree (or list) layout, the name starting at byte
/// `name_start` (after the tree drawing): the name, the kernel name RHEL 6
/// prints after it (`mpathb (dm-2)`), and the other cells by header column
/// (index 0, NAME, left empty). Cells are placed by column (character), not
/// byte: a UTF-8 tree (`└─`) takes 2 columns and 6 bytes. lsblk pads the
/// name to the widest one, but a row need not line up with the header
/// anyway (a fixture edited by hand, a tree redrawn in another width): when
/// the header has MAJ:MIN and the row a `major:minor`, the cells are placed
/// by how far its colon is from the header's — lsblk aligns that column on
/// its colon.
fn lsblk_tree_row(
    header: &[(usize, usize, &str)],
    l: &str,
    name_start: usize,
) -> (String, Option<String>, Vec<String>) {
    let col = |b: usize| l[..b].chars().count();
    let toks = spans(l);
    let mut cols = vec![String::new(); header.len()];
    let Some(ti) = toks.iter().position(|(_, e, _)| *e > name_start) else {
        return (String::new(), None, cols);
    };
    let name = l[name_start.max(toks[ti].0)..toks[ti].1].to_string();
    let mut rest = &toks[ti + 1..];
    let mut kname = None;
    if let Some((_, _, t)) = rest.first()
        && let Some(k) = t.strip_prefix("(dm-").and_then(|k| k.strip_suffix(')'))
        && k.chars().all(|c| c.is_ascii_digit())
    {
        kname = Some(format!("dm-{k}"));
        rest = &rest[1..];
    }
    let colon = |s: usize, t: &str| t.find(':').map(|c| (s + c) as isize);
    let shift = header
        .iter()
        .find(|(_, _, h)| h.eq_ignore_ascii_case("MAJ:MIN"))
        .and_then(|(hs, _, h)| colon(*hs, h))
        .and_then(|hc| {
            rest.iter()
                .find(|(_, _, t)| is_devnum(t))
                .and_then(|(s, _, t)| colon(col(*s), t))
                .map(|rc| rc - hc)
        })
        .unwrap_or(0);
    for (s, e, t) in rest {
        let (s, e) = (col(*s) as isize - shift, col(*e) as isize - shift);
        let mut best: Option<(usize, isize)> = None;
        for (i, (hs, he, _)) in header.iter().enumerate().skip(1) {
            let ov = e.min(*he as isize) - s.max(*hs as isize);
            if ov > 0 && best.is_none_or(|(_, b)| ov > b) {
                best = Some((i, ov));
            }
        }
        let idx = match best {
            Some((i, _)) => i,
            None => header
                .iter()
                .rposition(|(hs, _, _)| *hs as isize <= s)
                .unwrap_or(0)
                .max(1)
                .min(header.len().saturating_sub(1)),
        };
        if !cols[idx].is_empty() {
            cols[idx].push(' ');
        }
        cols[idx].push_str(t);
    }
    (name, kname, cols)
}

fn parse_lsblk(text: &str, lines: &[(u64, &str)], st: &mut HostState) {
    let mut rows: Vec<BlkRow> = Vec::new();
    // What lsblk said beside the listing (`lsblk: dm-0: failed to get
    // device path`): a device it could not show.
    let mut said: Vec<&str> = Vec::new();
    for (_, l) in lines {
        if l.starts_with("lsblk: ") && !said.contains(l) {
            said.push(l);
        }
    }
    st.notes
        .extend(said.iter().map(|l| format!("lsblk printed: {l}")));
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        match serde_json::from_str::<Value>(trimmed) {
            Ok(v) => {
                fn walk(v: &Value, parent: Option<String>, rows: &mut Vec<BlkRow>) {
                    let Some(o) = v.as_object() else { return };
                    let mut obj = Map::new();
                    for (k, val) in o {
                        if let Some(key) = lsblk_key(k) {
                            set(&mut obj, key, &jstr(val));
                        }
                    }
                    let name = obj.get("name").map(jstr).unwrap_or_default();
                    rows.push(BlkRow {
                        line: 0,
                        text: format!("\"name\": \"{name}\""),
                        obj,
                        parent: parent.clone(),
                    });
                    if let Some(ch) = o.get("children").and_then(Value::as_array) {
                        for c in ch {
                            walk(c, Some(name.clone()), rows);
                        }
                    }
                }
                if let Some(devs) = v.get("blockdevices").and_then(Value::as_array) {
                    for d in devs {
                        walk(d, None, &mut rows);
                    }
                }
                // Cite the line where each device's name appears.
                for r in rows.iter_mut() {
                    let name = r.obj.get("name").map(jstr).unwrap_or_default();
                    let pat = format!("\"{name}\"");
                    if let Some((n, l)) = lines
                        .iter()
                        .find(|(_, l)| l.contains("\"name\"") && l.contains(&pat))
                    {
                        r.line = *n;
                        r.text = l.to_string();
                    }
                }
            }
            Err(e) => st.notes.push(format!(
                "lsblk -J output could not be read as JSON ({e}); it may be truncated"
            )),
        }
    } else if lines.iter().any(|(_, l)| lsblk_pairs_row(l)) {
        for &(n, l) in lines {
            if !lsblk_pairs_row(l) {
                continue;
            }
            let mut obj = Map::new();
            let mut rest = l;
            while let Some(eq) = rest.find("=\"") {
                let key = rest[..eq].trim();
                let after = &rest[eq + 2..];
                let end = after.find('"').unwrap_or(after.len());
                let val = after[..end].replace("\\x20", " ");
                if let Some(k) = lsblk_key(key) {
                    set(&mut obj, k, &val);
                }
                rest = after.get(end + 1..).unwrap_or("");
            }
            if !obj.contains_key("name")
                && let Some(k) = obj.get("kname").cloned()
            {
                obj.insert("name".into(), k);
            }
            let parent = obj.get("pkname").map(jstr).filter(|s| !s.is_empty());
            rows.push(BlkRow {
                line: n,
                text: l.to_string(),
                obj,
                parent,
            });
        }
    } else if let Some(hi) = lines
        .iter()
        .position(|(_, l)| l.trim_start().starts_with("NAME"))
    {
        let (_, hl) = lines[hi];
        let header = spans(hl);
        let mut stack: Vec<(usize, String)> = Vec::new();
        for &(n, l) in &lines[hi + 1..] {
            if l.trim().is_empty() {
                continue;
            }
            // Depth from where the device name starts (2 columns per level;
            // the tree is drawn `|-` `` `- `` in the C locale, `├─` `└─` `│`
            // in UTF-8).
            let name_start = l
                .find(|c: char| !(c.is_whitespace() || "|`-├└│─".contains(c)))
                .unwrap_or(0);
            let (name, kname, cols) = lsblk_tree_row(&header, l, name_start);
            if name.is_empty() {
                continue;
            }
            let depth = l[..name_start].chars().count() / 2;
            while stack.last().is_some_and(|(d, _)| *d >= depth) {
                stack.pop();
            }
            let parent = if depth == 0 {
                None
            } else {
                stack.last().map(|(_, p)| p.clone())
            };
            stack.push((depth, name.clone()));
            let mut obj = Map::new();
            for ((_, _, h), v) in header.iter().zip(cols.iter()).skip(1) {
                if let Some(k) = lsblk_key(h) {
                    set(&mut obj, k, v);
                }
            }
            set(&mut obj, "name", &name);
            if let Some(k) = kname {
                set(&mut obj, "kname", &k);
            }
            rows.push(BlkRow {
                line: n,
                text: l.to_string(),
                obj,
                parent,
            });
        }
    }
    // Merge rows of the same device (a device under several parents).
    let mut order: Vec<String> = Vec::new();
    let mut merged: Vec<(BlkRow, Vec<String>)> = Vec::new();
    for r in rows {
        let name = r.obj.get("name").map(jstr).unwrap_or_default();
        if let Some(i) = order.iter().position(|x| *x == name) {
            if let Some(p) = r.parent
                && !merged[i].1.contains(&p)
            {
                merged[i].1.push(p);
            }
            continue;
        }
        order.push(name);
        let parents = r.parent.clone().into_iter().collect();
        merged.push((r, parents));
    }
    for (r, parents) in &merged {
        let mut f = Map::new();
        f.insert("type".into(), json!("block-device"));
        f.insert("line".into(), json!(r.line));
        for (k, v) in &r.obj {
            f.insert(k.clone(), v.clone());
        }
        f.insert("parents".into(), json!(parents));
        st.facts.push(Value::Object(f));
        let name = r.obj.get("name").map(jstr).unwrap_or_default();
        let dtype = r.obj.get("dev_type").map(jstr).unwrap_or_default();
        let devnum = r.obj.get("devnum").map(jstr);
        if dtype == "mpath" && parents.is_empty() {
            let dm = devnum
                .as_deref()
                .and_then(|d| d.strip_prefix("253:"))
                .map(|m| format!("dm-{m}"));
            let wwid = looks_wwid(&name).then_some(name.as_str());
            let mut c = no_active_path_check(&name, wwid, dm.as_deref(), &[], false, "lsblk");
            c.flag("no_device", true);
            if let Some(d) = &devnum {
                add_field(&mut c, "devnum", d, FieldKind::DevNum);
            }
            add_cite(&mut c, r.line, &r.text);
            st.checks.push(c);
        }
        let state = r.obj.get("state").map(jstr).unwrap_or_default();
        if is_offline(&state) {
            let mut c = scsi_offline_check(&name, &state, devnum.as_deref(), "lsblk");
            add_cite(&mut c, r.line, &r.text);
            st.checks.push(c);
        }
    }
}

// ---------------------------------------------------------------------------
// ls -l / ls -lanR of /dev and /sys/block
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// blockdev --report
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// /proc/partitions
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// losetup -a / losetup -l
// ---------------------------------------------------------------------------

fn loop_check(st: &mut HostState, dev: &str, file: &str, n: u64, l: &str) {
    st.checks
        .push(loop_backing_deleted(dev, file, &Cite::at(n, l), &[]));
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

// ---------------------------------------------------------------------------
// iscsiadm -m session [-P 1|3]
// ---------------------------------------------------------------------------

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
    use super::*;
    use rootline_model::Severity;
    use std::path::PathBuf;

    const ALL_KINDS: &[Kind] = &[
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
    ];

    // RHEL 6 DM Multipath guide: a map named by its WWID, two path groups.
    const MP_WWID_NAMED: &str = "\
3600d0230000000000e13955cc3757800 dm-1 WINSYS,SF2372
size=269G features='0' hwhandler='0' wp=rw
|-+- policy='round-robin 0' prio=1 status=active
| `- 6:0:0:0 sdb 8:16  active ready  running
`-+- policy='round-robin 0' prio=1 status=enabled
  `- 7:0:0:0 sdf 8:80  active ready  running
";

    // Alias + NetApp ALUA, one group degraded, one path i/o pending.
    const MP_ALIAS_DEGRADED: &str = "\
mpathb (3600a09803830447a4f244c4657616f6f) dm-3 NETAPP,LUN C-Mode
size=10G features='3 queue_if_no_path pg_init_retries 50' hwhandler='1 alua' wp=rw
|-+- policy='service-time 0' prio=50 status=active
| |- 3:0:0:1 sdc 8:32 active ready running
| `- 4:0:0:1 sde 8:64 active i/o pending running
`-+- policy='service-time 0' prio=10 status=enabled
  |- 5:0:0:1 sdg 8:96  failed faulty running
  `- 6:0:0:1 sdi 8:128 failed faulty offline
";

    // All paths gone, queueing, unknown devices (`#:#:#:# - #:#`).
    const MP_ALL_FAILED_QUEUE: &str = "\
mpathd (36005076801810523a800000000000123) dm-5 IBM,2145
size=20G features='1 queue_if_no_path' hwhandler='1 alua' wp=rw
|-+- policy='service-time 0' prio=0 status=enabled
| |- 1:0:1:3 sdk 8:160 failed faulty running
| `- 2:0:1:3 sdm 8:192 failed faulty running
`-+- policy='service-time 0' prio=0 status=enabled
  `- #:#:#:# -   #:#   failed faulty running
";

    // RHEL 5 style.
    const MP_OLD: &str = "\
mpath1 (3600d0230003228bc000339414edb8101) [size=10 GB][features=\"0\"][hwhandler=\"0\"]
\\_ round-robin 0 [prio=1][active]
 \\_ 2:0:0:6 sdb 8:16 [active][ready]
\\_ round-robin 0 [prio=1][enabled]
 \\_ 3:0:0:6 sdc 8:64 [failed][faulty]
";

    const MPD_PATHS: &str = "\
hcil     dev dev_t pri dm_st  chk_st dev_st  next_check
3:0:0:1  sdc 8:32  50  active ready  running XXXXXXXXXX 20/20
4:0:0:1  sde 8:64  50  failed faulty offline X......... 2/20
";

    const MPD_PATHS_FMT: &str = "\
dev multipath                         chk_st      dev_st
sdc mpathb                            ready       running
sdd mpathc                            faulty      running
sdf mpathc                            i/o pending running
sdh [orphan]                          faulty      running
";

    const MPD_MAPS_STATUS: &str = "\
name   failback  queueing paths dm-st  write_prot
mpatha immediate on       2     active rw
mpathu -         on       0     active rw
";

    const DM_INFO_C: &str = "\
Name             Maj Min Stat Open Targ Event  UUID
mpathz           253   7 L--w    0    1      2 mpath-3600a098038304437522b4d3671673651
mpathz-part1     253   8 L--w    0    1      0 part1-mpath-3600a098038304437522b4d3671673651
mpathy           253   6 L-sw    1    1      0 mpath-3600a098038304437522b4d3671673650
vg0-lv_data      253   0 L--w    0    1      0 LVM-Wq3cV0eZk8Jt2nYb5Lr7Hs1Dx4Fg6Ma9Pk2Tu5Xw8Yz0Ab3Cd6Ef9Gh2Ij5Kl8Mn1
";

    const DM_INFO_LONG: &str = "\
Name:              mpathz
State:             SUSPENDED
Read Ahead:        256
Tables present:    LIVE
Open count:        0
Event number:      2
Major, minor:      253, 7
Number of targets: 1
UUID: mpath-3600a098038304437522b4d3671673651

Name:              vg0-root
State:             ACTIVE
Read Ahead:        256
Tables present:    LIVE
Open count:        1
Event number:      0
Major, minor:      253, 0
Number of targets: 1
UUID: LVM-abc
";

    const DM_STATUS_DOC: &str = "0 2097152 multipath 2 0 0 0 1 1 A 0 2 0 8:32 F 1 8:48 F 0\n";

    const LSBLK_JSON: &str = r#"{
   "blockdevices": [
      {"name":"sda", "maj:min":"8:0", "rm":false, "size":"40G", "ro":false, "type":"disk", "mountpoints":[null],
         "children": [
            {"name":"mpatha", "maj:min":"253:1", "rm":false, "size":"40G", "ro":false, "type":"mpath", "mountpoints":[null]}
         ]
      },
      {"name":"mpathq", "maj:min":"253:9", "rm":false, "size":"1G", "ro":false, "type":"mpath", "mountpoints":[null]}
   ]
}
"#;

    const LSBLK_P: &str = "\
NAME=\"sdc\" MAJ:MIN=\"8:32\" RM=\"0\" SIZE=\"50G\" RO=\"0\" TYPE=\"disk\" MOUNTPOINT=\"\" STATE=\"offline\" PKNAME=\"\"
NAME=\"mpathc\" MAJ:MIN=\"253:3\" RM=\"0\" SIZE=\"50G\" RO=\"0\" TYPE=\"mpath\" MOUNTPOINT=\"\" STATE=\"running\" PKNAME=\"sdc\"
NAME=\"sdd\" MAJ:MIN=\"8:48\" RM=\"0\" SIZE=\"50G\" RO=\"0\" TYPE=\"disk\" MOUNTPOINT=\"\" STATE=\"running\" PKNAME=\"\"
";

    const LOSETUP_A: &str = "\
/dev/loop0: [64514]:13110220 (/var/lib/snapd/snaps/core20_1328.snap)
/dev/loop1: [2049]:786435 (/var/tmp/disk.img (deleted))
/dev/loop2: [0805]:1311 (/srv/images/base.raw), offset 1048576
";

    const LOSETUP_L: &str = "\
NAME       SIZELIMIT OFFSET AUTOCLEAR RO BACK-FILE                        DIO LOG-SEC
/dev/loop1         0      0         1  1 /var/lib/snapd/snaps/lxd_1.snap    0     512
/dev/loop7         0      0         0  0 /tmp/scratch disk.img (deleted)   0     512
";

    const ISCSI_P3: &str = "\
iSCSI Transport Class version 2.0-870
version 2.1.5
Target: iqn.2010-06.com.purestorage:flasharray.5e1b7c3a9d2f4e80 (non-flash)
	Current Portal: 10.40.1.11:3260,1
	Persistent Portal: 10.40.1.11:3260,1
		**********
		Interface:
		**********
		Iface Name: default
		Iface Transport: tcp
		SID: 3
		iSCSI Connection State: LOGGED IN
		iSCSI Session State: LOGGED_IN
		Internal iscsid Session State: NO CHANGE
		************************
		Attached SCSI devices:
		************************
		Host Number: 3	State: running
		scsi3 Channel 00 Id 0 Lun: 1
			Attached scsi disk sdb		State: running
	Current Portal: 10.40.2.11:3260,1
	Persistent Portal: 10.40.2.11:3260,1
		**********
		Interface:
		**********
		Iface Name: default
		SID: 4
		iSCSI Connection State: TRANSPORT WAIT
		iSCSI Session State: FAILED
		Internal iscsid Session State: REOPEN
		************************
		Attached SCSI devices:
		************************
		Host Number: 4	State: running
		scsi4 Channel 00 Id 0 Lun: 1
			Attached scsi disk sde		State: transport-offline
";

    const ISCSI_PLAIN: &str = "\
tcp: [3] 10.40.1.11:3260,1 iqn.2010-06.com.purestorage:flasharray.5e1b7c3a9d2f4e80 (non-flash)
tcp: [4] 10.40.2.11:3260,1 iqn.2010-06.com.purestorage:flasharray.5e1b7c3a9d2f4e80 (non-flash)
";

    const PARTITIONS: &str = "\
major minor  #blocks  name

 252        0  314572800 vda
 252        1       1024 vda1
   8       32   52428800 sdc
";

    const LS_DEV: &str = "\
/dev/mapper:
total 0
drwxr-xr-x  2 0 0     100 Feb 10 16:16 .
drwxr-xr-x 20 0 0    4260 Feb 10 16:16 ..
crw-------  1 0 0 10, 236 Feb  9 22:38 control
lrwxrwxrwx  1 0 0       7 Feb 10 16:16 mpathc -> ../dm-3

/dev/disk/by-id:
lrwxrwxrwx 1 0 0  10 Feb 10 16:16 dm-uuid-mpath-3624a93701c0d6b3e4f5a2b1c00012a4c -> ../../dm-3
lrwxrwxrwx 1 0 0   9 Feb 10 16:16 scsi-3624a93701c0d6b3e4f5a2b1c00012a4c -> ../../sdc

/dev:
brw-rw----  1 0 6   8,  32 Feb 10 16:16 sdc
brw-rw----  1 0 6 253,   3 Feb 10 16:16 dm-3
brw-rw----. 1 root disk system_u:object_r:fixed_disk_device_t:s0 8, 48 Feb 10 16:16 sdd
";

    const LS_SYS_BLOCK: &str = "\
/sys/block:
total 0
lrwxrwxrwx 1 0 0 0 Feb 10 16:18 sdc -> ../devices/platform/host3/session1/target3:0:0/3:0:0:2/block/sdc
lrwxrwxrwx 1 0 0 0 Feb 10 16:18 vda -> ../devices/pci0000:00/0000:00:0b.0/virtio7/block/vda
";

    const INLINE: &[(&str, &str, Kind)] = &[
        ("multipath_-ll", MP_WWID_NAMED, Kind::MultipathLl),
        ("notes.txt", MP_ALIAS_DEGRADED, Kind::MultipathLl),
        ("x", MP_ALL_FAILED_QUEUE, Kind::MultipathLl),
        ("x", MP_OLD, Kind::MultipathLl),
        ("x", MPD_PATHS, Kind::MultipathdShow),
        ("x", MPD_PATHS_FMT, Kind::MultipathdShow),
        ("x", MPD_MAPS_STATUS, Kind::MultipathdShow),
        ("x", DM_INFO_C, Kind::DmsetupInfo),
        ("x", DM_INFO_LONG, Kind::DmsetupInfo),
        ("dmsetup_status_mpathx", DM_STATUS_DOC, Kind::DmsetupStatus),
        ("x", LSBLK_JSON, Kind::Lsblk),
        ("x", LSBLK_P, Kind::Lsblk),
        ("x", LOSETUP_A, Kind::Losetup),
        ("x", LOSETUP_L, Kind::Losetup),
        ("x", ISCSI_P3, Kind::Iscsiadm),
        ("x", ISCSI_PLAIN, Kind::Iscsiadm),
        ("x", PARTITIONS, Kind::Partitions),
        ("x", LS_DEV, Kind::LsDev),
        ("x", LS_SYS_BLOCK, Kind::LsDev),
    ];

    /// Parsed and rendered with the shipped check book.
    fn run(kind: Kind, text: &str) -> HostState {
        assert!(parse(kind, text).is_some(), "block kind");
        crate::parse(kind, text)
    }

    fn ids(st: &HostState) -> Vec<&str> {
        st.checks.iter().map(|c| c.id.as_str()).collect()
    }

    fn has_field(c: &Check, name: &str, value: &str) -> bool {
        c.fields.iter().any(|(n, v, _)| n == name && v == value)
    }

    fn find<'a>(st: &'a HostState, id: &str, map: &str) -> &'a Check {
        st.checks
            .iter()
            .find(|c| c.id == id && has_field(c, "map", map))
            .unwrap_or_else(|| panic!("no {id} for {map}: {:#?}", st.checks))
    }

    #[test]
    fn recognises_inline_samples_by_content() {
        for (name, text, kind) in INLINE {
            assert_eq!(recognise(name, text), Some(*kind), "{text}");
        }
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
    fn wwid_named_map_is_healthy() {
        let st = run(Kind::MultipathLl, MP_WWID_NAMED);
        assert!(st.checks.is_empty(), "{:#?}", st.checks);
        let f = &st.facts[0];
        assert_eq!(f["name"], "3600d0230000000000e13955cc3757800");
        assert_eq!(f["wwid"], "3600d0230000000000e13955cc3757800");
        assert_eq!(f["dm"], "dm-1");
        assert_eq!(f["vendor"], "WINSYS");
        assert_eq!(f["path_groups"].as_array().unwrap().len(), 2);
        assert_eq!(f["paths"][1]["device"], "sdf");
        assert_eq!(f["paths"][1]["group"], 1);
        assert_eq!(f["active_paths"], 2);
    }

    #[test]
    fn alias_map_degraded_but_alive() {
        let st = run(Kind::MultipathLl, MP_ALIAS_DEGRADED);
        let f = &st.facts[0];
        assert_eq!(f["name"], "mpathb");
        assert_eq!(f["product"], "LUN C-Mode");
        assert_eq!(f["queue_if_no_path"], true);
        assert_eq!(f["paths"][1]["checker_state"], "i/o pending");
        assert_eq!(f["paths"][1]["online_state"], "running");
        assert_eq!(f["active_paths"], 2);
        // Still has active paths: the map is degraded (a warning, not "no
        // active path"), and the offline SCSI device is reported.
        assert_eq!(
            ids(&st),
            vec!["multipath-map-degraded", "scsi-device-offline"]
        );
        let d = &st.checks[0];
        assert_eq!(d.severity, Severity::Warning);
        assert!(has_field(d, "map", "mpathb") && has_field(d, "device", "sdi"));
        let c = &st.checks[1];
        assert!(has_field(c, "device", "sdi") && has_field(c, "devnum", "8:128"));
        assert_eq!(c.evidence[0].line, 8);
    }

    #[test]
    fn all_failed_and_queueing() {
        let st = run(Kind::MultipathLl, MP_ALL_FAILED_QUEUE);
        let c = find(&st, "multipath-map-no-active-path", "mpathd");
        assert_eq!(c.severity, Severity::Error);
        assert!(has_field(c, "wwid", "36005076801810523a800000000000123"));
        assert!(has_field(c, "device", "sdk") && has_field(c, "device", "dm-5"));
        assert!(!c.fields.iter().any(|(_, v, _)| v.contains('#')));
        assert_eq!(
            c.evidence.iter().map(|e| e.line).collect::<Vec<_>>(),
            vec![1, 2, 4, 5, 7]
        );
        let cmds: Vec<&str> = c.fix.iter().filter_map(|f| f.command.as_deref()).collect();
        assert_eq!(
            cmds,
            vec![
                "multipath -ll mpathd",
                "openstack volume list --long | grep 36005076801810523a800000000000123",
                "multipathd disablequeueing map mpathd",
                "dmsetup info -c mpathd",
                "multipath -f mpathd",
                "echo 1 > /sys/block/sdk/device/delete",
                "echo 1 > /sys/block/sdm/device/delete",
            ]
        );
        let q = find(&st, "multipath-queue-unbounded", "mpathd");
        assert_eq!(q.severity, Severity::Warning);
        assert!(
            q.fix
                .iter()
                .any(|f| f.command.as_deref() == Some("multipathd disablequeueing map mpathd"))
        );
        assert!(!q.en.is_empty() && !q.ko.is_empty());
    }

    #[test]
    fn old_format() {
        let st = run(Kind::MultipathLl, MP_OLD);
        let f = &st.facts[0];
        assert_eq!(f["name"], "mpath1");
        assert_eq!(f["size"], "10 GB");
        assert_eq!(f["paths"][0]["dm_state"], "active");
        assert_eq!(f["paths"][1]["checker_state"], "faulty");
        assert_eq!(f["path_groups"][1]["status"], "enabled");
        // One of two paths failed/faulty: degraded, nothing worse.
        assert_eq!(ids(&st), vec!["multipath-map-degraded"], "{:#?}", st.checks);
        assert!(has_field(&st.checks[0], "device", "sdc"));
    }

    #[test]
    fn truncated_last_map_is_not_flagged() {
        let text = "mpatha (3600a098038314c4a6b5d4f5a7a2f5e08) dm-1 NETAPP,LUN C-Mode\nsize=100G features='0' hwhandler='1 alua' wp=rw\n`-+- policy='serv";
        let st = run(Kind::MultipathLl, text);
        assert_eq!(st.facts.len(), 1);
        assert!(st.checks.is_empty());
        assert!(!st.notes.is_empty());
    }

    #[test]
    fn empty_output_of_timed_out_command() {
        for k in ALL_KINDS {
            let st = run(*k, "");
            assert!(st.facts.is_empty() && st.checks.is_empty());
            assert!(st.notes.iter().any(|n| n.contains("empty")), "{k:?}");
        }
        assert!(parse(Kind::Smartctl, "x").is_none());
    }

    #[test]
    fn multipathd_show() {
        let st = run(Kind::MultipathdShow, MPD_PATHS);
        assert_eq!(st.facts.len(), 2);
        assert_eq!(st.facts[0]["type"], "multipath-path");
        assert_eq!(st.facts[0]["devnum"], "8:32");
        assert_eq!(st.facts[1]["online_state"], "offline");
        assert_eq!(st.facts[1]["next_check"], "X......... 2/20");
        assert_eq!(ids(&st), vec!["scsi-device-offline"]);

        let st = run(Kind::MultipathdShow, MPD_PATHS_FMT);
        assert_eq!(st.facts[2]["checker_state"], "i/o pending");
        // mpathc has one path in i/o pending: not all failed.
        assert!(!ids(&st).contains(&"multipath-map-no-active-path"));
        let c = st
            .checks
            .iter()
            .find(|c| c.id == "scsi-device-not-in-map")
            .unwrap();
        assert_eq!(c.severity, Severity::Warning);
        assert!(has_field(c, "device", "sdh"));

        let st = run(Kind::MultipathdShow, MPD_MAPS_STATUS);
        find(&st, "multipath-map-no-active-path", "mpathu");
        find(&st, "multipath-queue-unbounded", "mpathu");
        assert!(!st.checks.iter().any(|c| has_field(c, "map", "mpatha")));
    }

    #[test]
    fn dmsetup_info_forms() {
        let st = run(Kind::DmsetupInfo, DM_INFO_C);
        assert_eq!(st.facts.len(), 4);
        assert_eq!(st.facts[0]["wwid"], "3600a098038304437522b4d3671673651");
        assert_eq!(st.facts[0]["devnum"], "253:7");
        assert_eq!(st.facts[1]["subsystem"], "part");
        assert_eq!(st.facts[3]["subsystem"], "LVM");
        let c = find(&st, "dm-unused-open-zero", "mpathz");
        assert_eq!(c.severity, Severity::Info);
        assert!(has_field(c, "device", "dm-7") && has_field(c, "devnum", "253:7"));
        assert!(
            c.fix
                .iter()
                .any(|f| f.command.as_deref() == Some("multipath -f mpathz"))
        );
        // Partitions and LVs with open 0 are not flagged.
        assert_eq!(
            st.checks
                .iter()
                .filter(|c| c.id == "dm-unused-open-zero")
                .count(),
            1
        );
        find(&st, "dm-map-suspended", "mpathy");

        let st = run(Kind::DmsetupInfo, DM_INFO_LONG);
        assert_eq!(st.facts.len(), 2);
        assert_eq!(st.facts[0]["open"], 0);
        assert_eq!(st.facts[0]["suspended"], true);
        find(&st, "dm-unused-open-zero", "mpathz");
        find(&st, "dm-map-suspended", "mpathz");
    }

    #[test]
    fn dmsetup_status_without_name() {
        let st = run(Kind::DmsetupStatus, DM_STATUS_DOC);
        assert_eq!(st.facts[0]["failed_paths"], json!(["8:32", "8:48"]));
        let c = &st.checks[0];
        assert_eq!(c.id, "multipath-map-no-active-path");
        assert!(has_field(c, "devnum", "8:48"));
    }

    #[test]
    fn lsblk_json_and_pairs() {
        let st = run(Kind::Lsblk, LSBLK_JSON);
        assert_eq!(st.facts.len(), 3);
        assert_eq!(st.facts[1]["parents"], json!(["sda"]));
        let c = find(&st, "multipath-map-no-active-path", "mpathq");
        assert!(has_field(c, "devnum", "253:9") && has_field(c, "device", "dm-9"));
        assert!(c.evidence[0].line > 0);

        let st = run(Kind::Lsblk, LSBLK_P);
        assert_eq!(ids(&st), vec!["scsi-device-offline"]);
        assert!(has_field(&st.checks[0], "device", "sdc"));
        assert_eq!(st.facts[1]["parents"], json!(["sdc"]));

        let st = run(Kind::Lsblk, &LSBLK_JSON[..60]);
        assert!(st.notes.iter().any(|n| n.contains("JSON")));
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

        let st = run(Kind::Iscsiadm, "iscsiadm: No active sessions.\n");
        assert!(st.facts.is_empty() && st.notes.iter().any(|n| n.contains("No active sessions")));
    }

    #[test]
    fn partitions_and_ls() {
        let st = run(Kind::Partitions, PARTITIONS);
        assert_eq!(st.facts.len(), 3);
        assert_eq!(st.facts[2]["devnum"], "8:32");

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

    fn prefixes_never_panic(text: &str) {
        let bounds: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        let step = (bounds.len() / 150).max(1);
        for &b in bounds.iter().step_by(step) {
            let p = &text[..b];
            let _ = recognise("x", p);
            for k in ALL_KINDS {
                let _ = parse(*k, p);
            }
        }
    }

    #[test]
    fn truncated_prefixes_never_panic() {
        for (_, text, _) in INLINE {
            prefixes_never_panic(text);
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

    // A CentOS 7 VM's `blockdev --report` from a public MongoDB tuning note
    // (found with the code search), verbatim but for the tab indentation.
    const BLOCKDEV: &str = "blockdev --report
RO    RA   SSZ   BSZ   StartSec            Size   Device
rw  8192   512  4096          0     42949672960   /dev/sda
rw  8192   512   512       2048       524288000   /dev/sda1
rw  8192   512  4096    1026048     42424336384   /dev/sda2
rw   256  2048  2048          0        74151936   /dev/sr0
rw  8192   512   512          0     40227569664   /dev/dm-0
rw  8192   512  4096          0      2147483648   /dev/dm-1
";

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

    fn blk<'a>(st: &'a HostState, name: &str) -> &'a Value {
        st.facts
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("no {name}: {:#?}", st.facts))
    }

    /// `lsblk -P -o …` prints the pairs in the order asked for: NAME need
    /// not be first (insights `LSBLK_EXT_DATA`, two of its rows, cut).
    #[test]
    fn lsblk_pairs_in_any_order() {
        let text = r#"ALIGNMENT="0" DISC-ALN="0" FSTYPE="ext4" GROUP="disk" KNAME="sda1" MAJ:MIN="8:1" MOUNTPOINT="/boot" NAME="sda1" RO="0" SIZE="500M" TYPE="part"
ALIGNMENT="0" DISC-ALN="0" FSTYPE="ext4" GROUP="disk" KNAME="dm-0" MAJ:MIN="253:0" MOUNTPOINT="/" NAME="vg_trex-lv_root" RO="0" SIZE="50G" TYPE="lvm"
"#;
        assert_eq!(recognise("lsblk_-P_-o_x", text), Some(Kind::Lsblk));
        assert_eq!(recognise("notes.txt", text), Some(Kind::Lsblk));
        let st = run(Kind::Lsblk, text);
        assert_eq!(st.facts.len(), 2);
        let root = blk(&st, "vg_trex-lv_root");
        assert_eq!(root["kname"], "dm-0");
        assert_eq!(root["devnum"], "253:0");
        assert_eq!(root["mountpoint"], "/");
        assert_eq!(blk(&st, "sda1")["fstype"], "ext4");
    }

    /// What lsblk says of a device it cannot show is kept as a note
    /// (insights `LSBLK_EXT_DATA_FAILED_PATH`).
    #[test]
    fn lsblk_complaints_are_notes() {
        let text = "lsblk: dm-0: failed to get device path\nlsblk: dm-1: failed to get device path\nlsblk: dm-0: failed to get device path\nNAME=\"sda\" KNAME=\"sda\" MAJ:MIN=\"8:0\" SIZE=\"931G\" TYPE=\"disk\"\n";
        let st = run(Kind::Lsblk, text);
        assert_eq!(st.facts.len(), 1);
        assert_eq!(
            st.notes,
            [
                "lsblk printed: lsblk: dm-0: failed to get device path",
                "lsblk printed: lsblk: dm-1: failed to get device path"
            ]
        );
    }

    /// RHEL 6 lsblk prints a device-mapper name with its kernel name,
    /// `mpathb (dm-2)` (insights `LSBLK_DATA2`, cut).
    #[test]
    fn lsblk_rhel6_name_with_kernel_name() {
        let text = "NAME                       MAJ:MIN RM    SIZE RO TYPE  MOUNTPOINT
sda                          8:0    0     25G  0 disk
`-sda2                       8:2    0   18.6G  0 part
  `-vg_root-lv_root (dm-0) 253:0    0   18.5G  0 lvm   /
sdb                          8:16   0 1000.1G  0 disk
`-mpathb (dm-2)            253:2    0 1000.1G  0 mpath
  `-mpathbp1 (dm-4)        253:4    0 1000.1G  0 part
    `-appdg-app (dm-7)     253:7    0    2.8T  0 lvm   /splunk
sde                          8:64   0 1000.1G  0 disk
`-mpathb (dm-2)            253:2    0 1000.1G  0 mpath
";
        let st = run(Kind::Lsblk, text);
        let m = blk(&st, "mpathb");
        assert_eq!(m["kname"], "dm-2");
        assert_eq!(m["devnum"], "253:2");
        assert_eq!(m["dev_type"], "mpath");
        assert_eq!(m["parents"], json!(["sdb", "sde"]));
        let lv = blk(&st, "appdg-app");
        assert_eq!(lv["mountpoint"], "/splunk");
        assert_eq!(lv["parents"], json!(["mpathbp1"]));
        assert_eq!(blk(&st, "vg_root-lv_root")["mountpoint"], "/");
        assert!(st.checks.is_empty(), "{:?}", ids(&st));
    }

    /// Rows that do not line up with the header (insights `LSBLK_DATA3`,
    /// whose rhel-root/rhel-swap rows are 5 columns left of it) are placed
    /// by their MAJ:MIN colon.
    #[test]
    fn lsblk_rows_not_aligned_to_the_header() {
        let text = "NAME                 MAJ:MIN RM  SIZE RO TYPE  MOUNTPOINT
vda                  252:0    0   10G  0 disk
`-vda2               252:2    0  9.5G  0 part
  `-md126              9:126  0  9.5G  0 raid1
    |-rhel-root 253:0    0  9.4G  0 lvm   /
    `-rhel-swap 253:1    0  100M  0 lvm   [SWAP]
";
        let st = run(Kind::Lsblk, text);
        let root = blk(&st, "rhel-root");
        assert_eq!(root["devnum"], "253:0");
        assert_eq!(root["dev_type"], "lvm");
        assert_eq!(root["size"], "9.4G");
        assert_eq!(root["mountpoint"], "/");
        assert_eq!(root["parents"], json!(["md126"]));
        assert_eq!(blk(&st, "rhel-swap")["mountpoint"], "[SWAP]");
        assert_eq!(blk(&st, "md126")["dev_type"], "raid1");
    }

    /// In a UTF-8 locale lsblk draws the tree with `├─` `└─` `│`: 2
    /// columns, 6 bytes (example bundle negative-benign-sr0-fd0).
    #[test]
    fn lsblk_utf8_tree() {
        let text = "NAME                      MAJ:MIN RM   SIZE RO TYPE MOUNTPOINTS
vda                       252:0    0   200G  0 disk 
├─vda2                    252:2    0     2G  0 part /boot
└─vda3                    252:3    0   198G  0 part 
  └─ubuntu--vg-ubuntu--lv 253:0    0   198G  0 lvm  /
vdb                       252:16   0   800G  0 disk /var/lib/nova/instances
";
        let st = run(Kind::Lsblk, text);
        assert_eq!(st.facts.len(), 5);
        let b = blk(&st, "vda2");
        assert_eq!(b["mountpoint"], "/boot");
        assert_eq!(b["dev_type"], "part");
        assert_eq!(b["parents"], json!(["vda"]));
        let lv = blk(&st, "ubuntu--vg-ubuntu--lv");
        assert_eq!(lv["parents"], json!(["vda3"]));
        assert_eq!(lv["mountpoint"], "/");
        assert_eq!(blk(&st, "vdb")["parents"], json!([]));
    }
}
