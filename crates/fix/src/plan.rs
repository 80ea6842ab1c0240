//! Which devices are stale, and the ordered, checked steps that remove them.
//!
//! Discovery uses the same host-state checks as `rootline analyze`
//! (`rootline_hoststate`): a loop device whose backing file is deleted, a
//! multipath map with no usable path, a multipath dm map nothing holds, a
//! SCSI device that is offline or in no map. Every step carries the safety
//! checks that must pass right before it runs; a check that fails or
//! cannot be made refuses the whole target, with the reason.

use serde::Serialize;

use crate::probe::{BlockDev, CmdStatus, Probe};

/// What kind of stale device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    /// A loop device whose backing file was deleted.
    Loop,
    /// A multipath map with no usable path (or none at all).
    MultipathMap,
    /// A multipath dm map with open count 0 that nothing uses.
    UnusedMap,
    /// A SCSI disk left behind: offline, or in no map and faulty.
    ScsiDevice,
}

/// One stale device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Target {
    pub kind: TargetKind,
    /// `loop3`, `mpatha`, `sdt`.
    pub name: String,
    /// The kernel device of a map (`dm-21`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dm: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wwid: Option<String>,
    /// A map's path devices (`sdt`, `sdv`): deleted after the flush.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    /// Why it is stale (the host-state finding), in English and Korean.
    pub why_en: String,
    pub why_ko: String,
}

/// A safety condition checked right before a step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "check", content = "device", rename_all = "kebab-case")]
pub enum Safety {
    /// The device is still there and still stale (running twice is harmless:
    /// a device already cleaned up is not touched again).
    StillStale(String),
    /// Neither the device nor its map name is mounted.
    NotMounted(String),
    /// Nothing is stacked on it (`holders/` empty): no dm map, no active LV.
    NoHolders(String),
    /// Device-mapper's open count is 0.
    OpenCountZero(String),
    /// It is not an active swap area.
    NotSwap(String),
    /// No process has it open.
    NoOpeners(String),
    /// No running domain (qemu command line or live libvirt XML) refers to
    /// it.
    NotInDomain(String),
    /// No request is in flight on it.
    NoInflight(String),
}

/// The outcome of one safety check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", content = "why", rename_all = "kebab-case")]
pub enum Verdict {
    Pass(String),
    Fail(String),
    /// The check could not be made (not root, command hung, no recorded
    /// output…): treated as a failure.
    Unknown(String),
}

impl Verdict {
    pub fn passed(&self) -> bool {
        matches!(self, Verdict::Pass(_))
    }

    pub fn why(&self) -> &str {
        match self {
            Verdict::Pass(w) | Verdict::Fail(w) | Verdict::Unknown(w) => w,
        }
    }
}

/// A check and its outcome when it was made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Checked {
    pub safety: Safety,
    #[serde(flatten)]
    pub verdict: Verdict,
}

/// One command of a plan, with the checks that guard it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    pub en: String,
    pub ko: String,
    pub argv: Vec<String>,
    /// Checked now (for the plan) and again right before the step runs.
    pub checks: Vec<Checked>,
}

impl Step {
    /// The command as an operator would type it.
    pub fn command_line(&self) -> String {
        self.argv
            .iter()
            .map(|a| {
                if a.is_empty() || a.contains([' ', '>', '\'', '"', '$', '*', ';', '|', '&']) {
                    format!("'{}'", a.replace('\'', r"'\''"))
                } else {
                    a.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The cleanup of one target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Item {
    pub target: Target,
    pub steps: Vec<Step>,
    /// Set when a check failed or could not be made: the reason; the item
    /// is not applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
}

/// What `rootline fix` would do.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub items: Vec<Item>,
    /// What could not be looked at, and why (a query that timed out…).
    pub notes: Vec<String>,
}

/// The verdict of a check that is made only when its step's turn comes.
pub(crate) const LATER: &str = "checked right before this step runs";

/// Find the stale devices of a host.
pub fn discover(probe: &dyn Probe) -> (Vec<Target>, Vec<String>) {
    let mut targets: Vec<Target> = Vec::new();
    let mut notes = Vec::new();
    let devices = match probe.block_devices() {
        Ok(d) => d,
        Err(e) => {
            notes.push(format!("block devices could not be listed: {e}"));
            Vec::new()
        }
    };
    for d in &devices {
        if d.backing_deleted {
            let file = d.backing_file.clone().unwrap_or_default();
            targets.push(Target {
                kind: TargetKind::Loop,
                name: d.name.clone(),
                dm: None,
                wwid: None,
                paths: Vec::new(),
                why_en: format!("loop device {} is backed by a deleted file {file}", d.name),
                why_ko: format!(
                    "루프 장치 {}의 백킹 파일 {file}이(가) 삭제되었습니다",
                    d.name
                ),
            });
        }
    }

    // Without sysfs (a sosreport-like --root), the recorded outputs still
    // tell about maps.
    let has_dm = devices.is_empty() || devices.iter().any(|d| d.dm_name.is_some());
    let has_scsi = devices.iter().any(|d| d.scsi_state.is_some());
    if has_dm {
        for check in host_checks(probe, &["multipath", "-ll"], &mut notes) {
            if check.id != rootline_hoststate::id::MULTIPATH_MAP_NO_ACTIVE_PATH.as_str() {
                continue;
            }
            let Some(map) = field(&check, "map") else {
                continue;
            };
            let dm = dm_of_map(&devices, &map);
            let paths = fields(&check, "device")
                .into_iter()
                .filter(|d| !d.starts_with("dm-"))
                .collect();
            targets.push(Target {
                kind: TargetKind::MultipathMap,
                name: map,
                dm,
                wwid: field(&check, "wwid"),
                paths,
                why_en: check.en.clone(),
                why_ko: check.ko.clone(),
            });
        }
        for check in host_checks(probe, &["dmsetup", "info", "-c"], &mut notes) {
            if check.id != rootline_hoststate::id::DM_UNUSED_OPEN_ZERO.as_str() {
                continue;
            }
            let Some(map) = field(&check, "map") else {
                continue;
            };
            if targets.iter().any(|t| t.name == map) {
                continue;
            }
            targets.push(Target {
                kind: TargetKind::UnusedMap,
                dm: dm_of_map(&devices, &map),
                name: map,
                wwid: field(&check, "wwid"),
                paths: Vec::new(),
                why_en: check.en.clone(),
                why_ko: check.ko.clone(),
            });
        }
    }
    if has_scsi {
        for d in &devices {
            let offline = matches!(
                d.scsi_state.as_deref(),
                Some("offline" | "transport-offline")
            );
            let claimed = targets.iter().any(|t| t.paths.contains(&d.name));
            if offline && !claimed {
                targets.push(Target {
                    kind: TargetKind::ScsiDevice,
                    name: d.name.clone(),
                    dm: None,
                    wwid: None,
                    paths: Vec::new(),
                    why_en: format!(
                        "SCSI device {} is offline: typically left behind after a volume detach or a lost LUN",
                        d.name
                    ),
                    why_ko: format!(
                        "SCSI 장치 {}가 offline 상태입니다: 보통 볼륨 분리나 LUN 유실 후 남은 장치입니다",
                        d.name
                    ),
                });
            }
        }
    }
    (targets, notes)
}

/// Run a read-only query and parse its output with the host-state checks.
fn host_checks(
    probe: &dyn Probe,
    argv: &[&str],
    notes: &mut Vec<String>,
) -> Vec<rootline_hoststate::Check> {
    let out = probe.query(argv);
    let cmd = argv.join(" ");
    match &out.status {
        CmdStatus::Exited(0) => {}
        CmdStatus::NotFound | CmdStatus::NotRecorded => {
            notes.push(format!("`{cmd}`: {}; not looked at", out.describe()));
            return Vec::new();
        }
        _ => {
            notes.push(format!(
                "`{cmd}` {}: stale devices it would show are not listed{}",
                out.describe(),
                if matches!(out.status, CmdStatus::TimedOut(_)) {
                    " (a stuck map blocks it: see `rootline analyze`)"
                } else {
                    ""
                }
            ));
            return Vec::new();
        }
    }
    let Some(kind) = rootline_hoststate::recognise(&cmd.replace(' ', "_"), &out.stdout) else {
        return Vec::new();
    };
    rootline_hoststate::parse(kind, &out.stdout).checks
}

fn field(check: &rootline_hoststate::Check, name: &str) -> Option<String> {
    check
        .fields
        .iter()
        .find(|(n, v, _)| n == name && !v.is_empty())
        .map(|(_, v, _)| v.clone())
}

fn fields(check: &rootline_hoststate::Check, name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (n, v, _) in &check.fields {
        if n == name && !v.is_empty() && !out.contains(v) {
            out.push(v.clone());
        }
    }
    out
}

fn dm_of_map(devices: &[BlockDev], map: &str) -> Option<String> {
    devices
        .iter()
        .find(|d| d.dm_name.as_deref() == Some(map))
        .map(|d| d.name.clone())
}

/// The plan for the stale devices of `probe`'s host, each check made now.
pub fn plan(probe: &dyn Probe) -> Plan {
    let (targets, notes) = discover(probe);
    let mut plan = Plan {
        items: targets.into_iter().map(|t| item_for(t, probe)).collect(),
        notes,
    };
    if !probe.is_live() {
        plan.notes.push(
            "This plan describes another system (--root): it can be read, not applied here."
                .to_string(),
        );
    }
    plan
}

fn item_for(target: Target, probe: &dyn Probe) -> Item {
    let steps = steps_for(&target);
    let mut item = Item {
        target,
        steps,
        refused: None,
    };
    // The first step's checks decide now; a later step's checks depend on
    // the earlier steps having run (a path has a holder until its map is
    // flushed), so they are listed now and made when their turn comes.
    if let Some(first) = item.steps.first_mut() {
        for c in &mut first.checks {
            c.verdict = evaluate(&c.safety, &item.target, probe);
        }
    }
    if let Some(first) = item.steps.first()
        && let Some(bad) = first.checks.iter().find(|c| !c.verdict.passed())
    {
        item.refused = Some(refusal(bad));
    }
    item
}

pub(crate) fn refusal(c: &Checked) -> String {
    let what = match &c.safety {
        Safety::StillStale(d) => format!("{d} is no longer stale"),
        Safety::NotMounted(d) => format!("{d} is mounted"),
        Safety::NoHolders(d) => format!("{d} has holders"),
        Safety::OpenCountZero(d) => format!("{d} is open"),
        Safety::NotSwap(d) => format!("{d} is in use as swap"),
        Safety::NoOpeners(d) => format!("a process has {d} open"),
        Safety::NotInDomain(d) => format!("a running domain uses {d}"),
        Safety::NoInflight(d) => format!("{d} has I/O in flight"),
    };
    match &c.verdict {
        Verdict::Unknown(w) => format!("cannot check that {}: {w}", safety_name(&c.safety)),
        v => format!("{what}: {}", v.why()),
    }
}

fn safety_name(s: &Safety) -> String {
    match s {
        Safety::StillStale(d) => format!("{d} is still stale"),
        Safety::NotMounted(d) => format!("{d} is not mounted"),
        Safety::NoHolders(d) => format!("nothing is stacked on {d}"),
        Safety::OpenCountZero(d) => format!("{d}'s open count is 0"),
        Safety::NotSwap(d) => format!("{d} is not swap"),
        Safety::NoOpeners(d) => format!("no process has {d} open"),
        Safety::NotInDomain(d) => format!("no running domain uses {d}"),
        Safety::NoInflight(d) => format!("{d} has no I/O in flight"),
    }
}

fn step(en: String, ko: String, argv: &[&str], checks: Vec<Safety>) -> Step {
    Step {
        en,
        ko,
        argv: argv.iter().map(|s| s.to_string()).collect(),
        checks: checks
            .into_iter()
            .map(|safety| Checked {
                safety,
                verdict: Verdict::Unknown(LATER.to_string()),
            })
            .collect(),
    }
}

/// The guards of removing one device: nothing on it, nobody using it.
fn unused(dev: &str) -> Vec<Safety> {
    vec![
        Safety::NotMounted(dev.to_string()),
        Safety::NoHolders(dev.to_string()),
        Safety::NotSwap(dev.to_string()),
        Safety::NoOpeners(dev.to_string()),
        Safety::NotInDomain(dev.to_string()),
    ]
}

fn delete_scsi(dev: &str) -> Step {
    let mut checks = vec![Safety::StillStale(dev.to_string())];
    checks.extend(unused(dev));
    checks.push(Safety::NoInflight(dev.to_string()));
    step(
        format!(
            "Delete the SCSI device {dev} (the kernel forgets it; a rescan brings a live LUN back)"
        ),
        format!("SCSI 장치 {dev} 삭제(커널에서 제거; 살아 있는 LUN은 rescan으로 다시 잡힘)"),
        &[
            "sh",
            "-c",
            &format!("echo 1 > /sys/block/{dev}/device/delete"),
        ],
        checks,
    )
}

fn steps_for(t: &Target) -> Vec<Step> {
    let name = t.name.as_str();
    match t.kind {
        TargetKind::Loop => {
            let mut checks = vec![Safety::StillStale(name.to_string())];
            checks.extend(unused(name));
            checks.push(Safety::NoInflight(name.to_string()));
            vec![step(
                format!(
                    "Detach the loop device {name}; the deleted file's space is freed once nothing holds it"
                ),
                format!(
                    "루프 장치 {name} 분리; 삭제된 파일의 공간은 아무도 잡고 있지 않으면 해제됨"
                ),
                &["losetup", "-d", &format!("/dev/{name}")],
                checks,
            )]
        }
        TargetKind::MultipathMap | TargetKind::UnusedMap => {
            let mut steps = Vec::new();
            let guard = |s: &mut Vec<Safety>| {
                if let Some(dm) = &t.dm {
                    s.extend(unused(dm));
                } else {
                    s.push(Safety::NotInDomain(name.to_string()));
                }
                s.push(Safety::OpenCountZero(name.to_string()));
            };
            if t.kind == TargetKind::MultipathMap {
                let mut first = vec![Safety::StillStale(name.to_string())];
                guard(&mut first);
                steps.push(step(
                    format!("Stop queueing on {name}, so I/O waiting for a path fails instead of hanging"),
                    format!("{name}의 큐잉 중지: 경로를 기다리는 I/O가 멈춰 있지 않고 실패하도록"),
                    &["multipathd", "disablequeueing", "map", name],
                    first,
                ));
            }
            let mut flush = vec![Safety::StillStale(name.to_string())];
            guard(&mut flush);
            if let Some(dm) = &t.dm {
                flush.push(Safety::NoInflight(dm.clone()));
            }
            steps.push(step(
                format!("Flush the map {name}"),
                format!("맵 {name} 제거"),
                &["multipath", "-f", name],
                flush,
            ));
            for p in &t.paths {
                steps.push(delete_scsi(p));
            }
            steps
        }
        TargetKind::ScsiDevice => vec![delete_scsi(name)],
    }
}

/// Make one safety check now.
pub(crate) fn evaluate(s: &Safety, t: &Target, probe: &dyn Probe) -> Verdict {
    match s {
        Safety::StillStale(d) => still_stale(d, t, probe),
        Safety::NotMounted(d) => not_mounted(d, t, probe),
        Safety::NoHolders(d) => match probe.block(d) {
            Ok(Some(b)) if b.holders.is_empty() => Verdict::Pass("no holders".to_string()),
            Ok(Some(b)) => Verdict::Fail(format!("held by {}", b.holders.join(", "))),
            Ok(None) => Verdict::Pass(format!("{d} no longer exists")),
            Err(e) => Verdict::Unknown(e.to_string()),
        },
        Safety::OpenCountZero(map) => open_count_zero(map, probe),
        Safety::NotSwap(d) => match probe.swaps() {
            Ok(sw) => {
                let names = dev_names(d, t);
                match sw.iter().find(|s| names.iter().any(|n| *s == n)) {
                    Some(s) => Verdict::Fail(format!("{s} is an active swap area")),
                    None => Verdict::Pass("not in /proc/swaps".to_string()),
                }
            }
            Err(e) => Verdict::Unknown(e.to_string()),
        },
        Safety::NoOpeners(d) => no_openers(d, probe),
        Safety::NotInDomain(d) => not_in_domain(d, t, probe),
        Safety::NoInflight(d) => match probe.block(d) {
            Ok(Some(b)) => match b.inflight {
                Some((0, 0)) => Verdict::Pass("0 requests in flight".to_string()),
                Some((r, w)) => Verdict::Fail(format!("{r} reads and {w} writes in flight")),
                None => Verdict::Unknown(format!("/sys/block/{d}/inflight unreadable")),
            },
            Ok(None) => Verdict::Pass(format!("{d} no longer exists")),
            Err(e) => Verdict::Unknown(e.to_string()),
        },
    }
}

/// The names a device goes by in mount tables, swap lists, fds and domain
/// definitions.
fn dev_names(d: &str, t: &Target) -> Vec<String> {
    let mut names = vec![format!("/dev/{d}")];
    if (t.dm.as_deref() == Some(d) || t.name == d)
        && matches!(t.kind, TargetKind::MultipathMap | TargetKind::UnusedMap)
    {
        names.push(format!("/dev/mapper/{}", t.name));
        if let Some(w) = &t.wwid {
            names.push(format!("/dev/disk/by-id/dm-uuid-mpath-{w}"));
            names.push(format!("/dev/disk/by-id/dm-name-{}", t.name));
        }
    }
    names
}

fn still_stale(d: &str, t: &Target, probe: &dyn Probe) -> Verdict {
    match t.kind {
        TargetKind::Loop => match probe.block(d) {
            Ok(Some(b)) if b.backing_deleted => Verdict::Pass(format!(
                "backing file {} (deleted)",
                b.backing_file.unwrap_or_default()
            )),
            Ok(Some(b)) if b.backing_file.is_none() => {
                Verdict::Fail("already detached".to_string())
            }
            Ok(Some(b)) => Verdict::Fail(format!(
                "backing file {} exists again",
                b.backing_file.unwrap_or_default()
            )),
            Ok(None) => Verdict::Fail(format!("{d} no longer exists")),
            Err(e) => Verdict::Unknown(e.to_string()),
        },
        TargetKind::MultipathMap | TargetKind::UnusedMap if d == t.name => {
            let out = probe.query(&["multipath", "-ll"]);
            if !out.ok() {
                return Verdict::Unknown(format!("`multipath -ll` {}", out.describe()));
            }
            let listed = out
                .stdout
                .lines()
                .any(|l| l.split_whitespace().next() == Some(d));
            if !listed {
                return Verdict::Fail(format!("{d} is no longer a multipath map"));
            }
            if t.kind == TargetKind::UnusedMap {
                return Verdict::Pass(format!("{d} is still listed"));
            }
            let kind = rootline_hoststate::Kind::MultipathLl;
            let dead = rootline_hoststate::parse(kind, &out.stdout)
                .checks
                .iter()
                .any(|c| {
                    c.id == rootline_hoststate::id::MULTIPATH_MAP_NO_ACTIVE_PATH.as_str()
                        && field(c, "map").as_deref() == Some(d)
                });
            if dead {
                Verdict::Pass(format!("{d} still has no active path"))
            } else {
                Verdict::Fail(format!("{d} has an active path again"))
            }
        }
        _ => match probe.block(d) {
            Ok(Some(b)) => match b.scsi_state.as_deref() {
                Some("offline" | "transport-offline") => Verdict::Pass(format!("{d} is offline")),
                _ if t.kind == TargetKind::MultipathMap && b.holders.is_empty() => {
                    Verdict::Pass(format!("{d} was a path of {} and is in no map now", t.name))
                }
                Some(s) => Verdict::Fail(format!("{d} is {s}")),
                None => Verdict::Unknown(format!("/sys/block/{d}/device/state unreadable")),
            },
            Ok(None) => Verdict::Fail(format!("{d} no longer exists")),
            Err(e) => Verdict::Unknown(e.to_string()),
        },
    }
}

fn not_mounted(d: &str, t: &Target, probe: &dyn Probe) -> Verdict {
    let mounts = match probe.mounts() {
        Ok(m) => m,
        Err(e) => return Verdict::Unknown(e.to_string()),
    };
    let names = dev_names(d, t);
    let devnum = probe.block(d).ok().flatten().and_then(|b| b.devnum);
    let hit = mounts.iter().find(|m| {
        names.contains(&m.source)
            || (devnum.is_some() && m.devnum == devnum)
            // a partition of it: /dev/sdt1, /dev/mapper/mpatha1 / -part1
            || names.iter().any(|n| is_partition_of(&m.source, n))
    });
    match hit {
        Some(m) => Verdict::Fail(format!("{} is mounted on {}", m.source, m.target)),
        None => Verdict::Pass("not in the mount table".to_string()),
    }
}

/// `/dev/sdc1` of `/dev/sdc`; `/dev/loop3p1` or `/dev/mapper/mpatha-part1`
/// of names that end in a digit (where `/dev/loop30` is another device).
fn is_partition_of(source: &str, dev: &str) -> bool {
    let Some(rest) = source.strip_prefix(dev) else {
        return false;
    };
    let digits = if dev.ends_with(|c: char| c.is_ascii_digit()) {
        rest.strip_prefix("-part")
            .or_else(|| rest.strip_prefix('p'))
    } else {
        Some(rest.strip_prefix("-part").unwrap_or(rest))
    };
    digits.is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

fn open_count_zero(map: &str, probe: &dyn Probe) -> Verdict {
    let out = probe.query(&["dmsetup", "info", "-c", "--noheadings", "-o", "name,open"]);
    if !out.ok() {
        return Verdict::Unknown(format!("`dmsetup info -c` {}", out.describe()));
    }
    // `name:open` rows (dmsetup's default separator), or the full default
    // table of a recorded `dmsetup info -c` (Name Maj Min Stat Open …).
    let mut header: Option<Vec<&str>> = None;
    for line in out.stdout.lines() {
        let cols: Vec<&str> = if line.contains(':') && !line.contains(' ') {
            line.split(':').collect()
        } else {
            line.split_whitespace().collect()
        };
        if cols.first() == Some(&"Name") {
            header = Some(cols);
            continue;
        }
        if cols.first() != Some(&map) {
            continue;
        }
        let idx = header
            .as_ref()
            .and_then(|h| h.iter().position(|c| *c == "Open"))
            .unwrap_or(1);
        return match cols.get(idx).and_then(|v| v.parse::<u64>().ok()) {
            Some(0) => Verdict::Pass("open count 0".to_string()),
            Some(n) => Verdict::Fail(format!("open count {n}")),
            None => Verdict::Unknown(format!("no open count for {map} in `dmsetup info -c`")),
        };
    }
    Verdict::Pass(format!("{map} is not a dm device any more"))
}

fn no_openers(d: &str, probe: &dyn Probe) -> Verdict {
    let openers = match probe.openers(d) {
        Ok(o) => o,
        Err(e) => return Verdict::Unknown(e.to_string()),
    };
    if let Some((pid, comm)) = openers.users.first() {
        return Verdict::Fail(format!("{comm} (pid {pid}) has it open"));
    }
    if openers.unreadable > 0 {
        Verdict::Unknown(format!(
            "the open files of {} processes could not be read (run as root)",
            openers.unreadable
        ))
    } else {
        Verdict::Pass("no process has it open".to_string())
    }
}

fn not_in_domain(d: &str, t: &Target, probe: &dyn Probe) -> Verdict {
    let mut needles = dev_names(d, t);
    if let Some(w) = &t.wwid {
        needles.push(w.clone());
    }
    // `/dev/loop3` must not match `/dev/loop30`.
    let mentions = |hay: &str| {
        needles.iter().any(|n| {
            hay.match_indices(n.as_str()).any(|(i, _)| {
                hay[i + n.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_ascii_alphanumeric())
            })
        })
    };
    match probe.tasks() {
        Ok(tasks) => {
            for task in tasks.iter().filter(|t| t.comm.starts_with("qemu")) {
                if task.cmdline.iter().any(|a| mentions(a)) {
                    return Verdict::Fail(format!(
                        "qemu process {} uses it on its command line",
                        task.pid
                    ));
                }
            }
        }
        Err(e) => return Verdict::Unknown(e.to_string()),
    }
    match probe.running_domains() {
        Ok(domains) => {
            if let Some((name, _)) = domains.iter().find(|(_, xml)| mentions(xml)) {
                return Verdict::Fail(format!("domain {name} has it as a disk"));
            }
            Verdict::Pass(format!(
                "not named by {} running domains nor any qemu command line",
                domains.len()
            ))
        }
        Err(e) => Verdict::Unknown(e.to_string()),
    }
}
