//! Which devices are stale, and the ordered, checked steps that remove them.
//!
//! Discovery uses the same host-state checks as `rootline analyze`
//! (`rootline_hoststate`): a loop device whose backing file is deleted, a
//! multipath map with no usable path, a multipath dm map nothing holds, a
//! SCSI device that is offline or in no map. Every step carries the safety
//! checks that must pass right before it runs; a check that fails or
//! cannot be made refuses the whole target, with the reason.

use rootline_model::Text;
use serde::Serialize;

use crate::Error;
use crate::probe::{BlockDev, CmdOutput, CmdStatus, Probe};

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

/// The outcome of one safety check, with its reason in English and Korean.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", content = "why", rename_all = "kebab-case")]
pub enum Verdict {
    Pass(Text),
    Fail(Text),
    /// The check could not be made (not root, command hung, no recorded
    /// output…): treated as a failure.
    Unknown(Text),
}

impl Verdict {
    pub fn passed(&self) -> bool {
        matches!(self, Verdict::Pass(_))
    }

    pub fn why(&self) -> &Text {
        match self {
            Verdict::Pass(w) | Verdict::Fail(w) | Verdict::Unknown(w) => w,
        }
    }

    /// The verdict's name in the audit log and the JSON plan.
    pub fn name(&self) -> &'static str {
        match self {
            Verdict::Pass(_) => "pass",
            Verdict::Fail(_) => "fail",
            Verdict::Unknown(_) => "unknown",
        }
    }

    /// A check listed now and made only when its step's turn comes.
    pub fn is_later(&self) -> bool {
        matches!(self, Verdict::Unknown(w) if w.en == LATER_EN)
    }
}

fn pass(en: impl Into<String>, ko: impl Into<String>) -> Verdict {
    Verdict::Pass(Text::new(en, ko))
}

fn fail(en: impl Into<String>, ko: impl Into<String>) -> Verdict {
    Verdict::Fail(Text::new(en, ko))
}

fn unknown(en: impl Into<String>, ko: impl Into<String>) -> Verdict {
    Verdict::Unknown(Text::new(en, ko))
}

/// A probe that could not answer: its error is data, kept verbatim (in
/// English as before, in Korean inside a Korean frame).
fn unreadable(e: &Error) -> Verdict {
    unknown(e.to_string(), format!("읽을 수 없습니다: {e}"))
}

/// A device that is gone.
fn gone(d: &str) -> Text {
    Text::new(
        format!("{d} no longer exists"),
        format!("{d}이(가) 더 이상 없습니다"),
    )
}

/// A read-only query that gave no usable answer: `` `multipath -ll` did not
/// answer in 10 s ``.
fn no_answer(cmd: &str, out: &CmdOutput) -> Text {
    let how = out.describe_text();
    Text::new(
        format!("`{cmd}` {}", how.en),
        format!("`{cmd}`의 결과를 얻지 못했습니다({})", how.ko),
    )
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
    pub refused: Option<Text>,
}

/// What `rootline fix` would do.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub items: Vec<Item>,
    /// What could not be looked at, and why (a query that timed out…).
    pub notes: Vec<Text>,
}

/// The verdict of a check that is made only when its step's turn comes.
const LATER_EN: &str = "checked right before this step runs";

fn later() -> Verdict {
    unknown(LATER_EN, "이 단계를 실행하기 직전에 확인합니다")
}

/// Find the stale devices of a host.
pub fn discover(probe: &dyn Probe) -> (Vec<Target>, Vec<Text>) {
    let mut targets: Vec<Target> = Vec::new();
    let mut notes = Vec::new();
    let devices = match probe.block_devices() {
        Ok(d) => d,
        Err(e) => {
            notes.push(Text::new(
                format!("block devices could not be listed: {e}"),
                format!("블록 장치 목록을 읽을 수 없습니다: {e}"),
            ));
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
                        "SCSI 장치 {}이(가) offline 상태입니다: 보통 볼륨 분리나 LUN 유실 후 남은 장치입니다",
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
    notes: &mut Vec<Text>,
) -> Vec<rootline_hoststate::Check> {
    let out = probe.query(argv);
    let cmd = argv.join(" ");
    let how = out.describe_text();
    match &out.status {
        CmdStatus::Exited(0) => {}
        CmdStatus::NotFound | CmdStatus::NotRecorded => {
            notes.push(Text::new(
                format!("`{cmd}`: {}; not looked at", how.en),
                format!("`{cmd}`의 결과는 보지 않았습니다({})", how.ko),
            ));
            return Vec::new();
        }
        _ => {
            let stuck = matches!(out.status, CmdStatus::TimedOut(_));
            notes.push(Text::new(
                format!(
                    "`{cmd}` {}: stale devices it would show are not listed{}",
                    how.en,
                    if stuck {
                        " (a stuck map blocks it: see `rootline analyze`)"
                    } else {
                        ""
                    }
                ),
                format!(
                    "`{cmd}`의 결과를 얻지 못했습니다({}): 이 명령으로 찾을 stale 장치는 목록에 없습니다{}",
                    how.ko,
                    if stuck {
                        "(멈춘 맵이 명령을 막고 있습니다: `rootline analyze`로 확인하십시오)"
                    } else {
                        ""
                    }
                ),
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
        plan.notes.push(Text::new(
            "This plan describes another system (--root): it can be read, not applied here.",
            "이 계획은 다른 시스템(--root)의 것입니다: 읽을 수는 있지만 여기서 적용할 수는 없습니다.",
        ));
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

/// Why a failed (or unmade) check refuses its target.
pub(crate) fn refusal(c: &Checked) -> Text {
    let why = c.verdict.why();
    match &c.verdict {
        Verdict::Unknown(_) => {
            let (en, ko) = safety_question(&c.safety);
            Text::new(
                format!("cannot check that {en}: {}", why.en),
                format!("{ko} 확인할 수 없습니다: {}", why.ko),
            )
        }
        _ => {
            let (en, ko) = violation(&c.safety);
            Text::new(format!("{en}: {}", why.en), format!("{ko}: {}", why.ko))
        }
    }
}

/// What a failed check found, as a sentence.
fn violation(s: &Safety) -> (String, String) {
    match s {
        Safety::StillStale(d) => (
            format!("{d} is no longer stale"),
            format!("{d}은(는) 더 이상 stale 상태가 아닙니다"),
        ),
        Safety::NotMounted(d) => (
            format!("{d} is mounted"),
            format!("{d}이(가) 마운트되어 있습니다"),
        ),
        Safety::NoHolders(d) => (
            format!("{d} has holders"),
            format!("{d}에 holder가 있습니다"),
        ),
        Safety::OpenCountZero(d) => (format!("{d} is open"), format!("{d}이(가) 열려 있습니다")),
        Safety::NotSwap(d) => (
            format!("{d} is in use as swap"),
            format!("{d}이(가) swap으로 쓰이고 있습니다"),
        ),
        Safety::NoOpeners(d) => (
            format!("a process has {d} open"),
            format!("{d}을(를) 연 프로세스가 있습니다"),
        ),
        Safety::NotInDomain(d) => (
            format!("a running domain uses {d}"),
            format!("실행 중인 도메인이 {d}을(를) 쓰고 있습니다"),
        ),
        Safety::NoInflight(d) => (
            format!("{d} has I/O in flight"),
            format!("{d}에 처리 중인 I/O가 있습니다"),
        ),
    }
}

/// What a check establishes: in English a clause (`cannot check that …`),
/// in Korean an indirect question (`… 확인할 수 없습니다`).
fn safety_question(s: &Safety) -> (String, String) {
    match s {
        Safety::StillStale(d) => (
            format!("{d} is still stale"),
            format!("{d}이(가) 아직 stale 상태인지"),
        ),
        Safety::NotMounted(d) => (
            format!("{d} is not mounted"),
            format!("{d}이(가) 마운트되어 있지 않은지"),
        ),
        Safety::NoHolders(d) => (
            format!("nothing is stacked on {d}"),
            format!("{d} 위에 쌓인 장치가 없는지"),
        ),
        Safety::OpenCountZero(d) => (
            format!("{d}'s open count is 0"),
            format!("{d}의 open count가 0인지"),
        ),
        Safety::NotSwap(d) => (
            format!("{d} is not swap"),
            format!("{d}이(가) swap이 아닌지"),
        ),
        Safety::NoOpeners(d) => (
            format!("no process has {d} open"),
            format!("{d}을(를) 연 프로세스가 없는지"),
        ),
        Safety::NotInDomain(d) => (
            format!("no running domain uses {d}"),
            format!("{d}을(를) 쓰는 실행 중인 도메인이 없는지"),
        ),
        Safety::NoInflight(d) => (
            format!("{d} has no I/O in flight"),
            format!("{d}에 처리 중인 I/O가 없는지"),
        ),
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
                verdict: later(),
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
            Ok(Some(b)) if b.holders.is_empty() => pass("no holders", "holder가 없습니다"),
            Ok(Some(b)) => {
                let h = b.holders.join(", ");
                fail(format!("held by {h}"), format!("{h}이(가) 잡고 있습니다"))
            }
            Ok(None) => Verdict::Pass(gone(d)),
            Err(e) => unreadable(&e),
        },
        Safety::OpenCountZero(map) => open_count_zero(map, probe),
        Safety::NotSwap(d) => match probe.swaps() {
            Ok(sw) => {
                let names = dev_names(d, t);
                match sw.iter().find(|s| names.iter().any(|n| *s == n)) {
                    Some(s) => fail(
                        format!("{s} is an active swap area"),
                        format!("{s}이(가) 사용 중인 swap 영역입니다"),
                    ),
                    None => pass("not in /proc/swaps", "/proc/swaps에 없습니다"),
                }
            }
            Err(e) => unreadable(&e),
        },
        Safety::NoOpeners(d) => no_openers(d, probe),
        Safety::NotInDomain(d) => not_in_domain(d, t, probe),
        Safety::NoInflight(d) => match probe.block(d) {
            Ok(Some(b)) => match b.inflight {
                Some((0, 0)) => pass("0 requests in flight", "처리 중인 요청이 없습니다"),
                Some((r, w)) => fail(
                    format!("{r} reads and {w} writes in flight"),
                    format!("읽기 {r}개와 쓰기 {w}개가 처리 중입니다"),
                ),
                None => unknown(
                    format!("/sys/block/{d}/inflight unreadable"),
                    format!("/sys/block/{d}/inflight을(를) 읽을 수 없습니다"),
                ),
            },
            Ok(None) => Verdict::Pass(gone(d)),
            Err(e) => unreadable(&e),
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
            Ok(Some(b)) if b.backing_deleted => {
                let f = b.backing_file.unwrap_or_default();
                pass(
                    format!("backing file {f} (deleted)"),
                    format!("백킹 파일 {f}은(는) 삭제되었습니다"),
                )
            }
            Ok(Some(b)) if b.backing_file.is_none() => {
                fail("already detached", "이미 분리되었습니다")
            }
            Ok(Some(b)) => {
                let f = b.backing_file.unwrap_or_default();
                fail(
                    format!("backing file {f} exists again"),
                    format!("백킹 파일 {f}이(가) 다시 있습니다"),
                )
            }
            Ok(None) => Verdict::Fail(gone(d)),
            Err(e) => unreadable(&e),
        },
        TargetKind::MultipathMap | TargetKind::UnusedMap if d == t.name => {
            let out = probe.query(&["multipath", "-ll"]);
            if !out.ok() {
                return Verdict::Unknown(no_answer("multipath -ll", &out));
            }
            let listed = out
                .stdout
                .lines()
                .any(|l| l.split_whitespace().next() == Some(d));
            if !listed {
                return fail(
                    format!("{d} is no longer a multipath map"),
                    format!("{d}은(는) 더 이상 multipath 맵이 아닙니다"),
                );
            }
            if t.kind == TargetKind::UnusedMap {
                return pass(
                    format!("{d} is still listed"),
                    format!("{d}이(가) 아직 목록에 있습니다"),
                );
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
                pass(
                    format!("{d} still has no active path"),
                    format!("{d}에 아직 활성 경로가 없습니다"),
                )
            } else {
                fail(
                    format!("{d} has an active path again"),
                    format!("{d}에 다시 활성 경로가 있습니다"),
                )
            }
        }
        _ => match probe.block(d) {
            Ok(Some(b)) => match b.scsi_state.as_deref() {
                Some("offline" | "transport-offline") => pass(
                    format!("{d} is offline"),
                    format!("{d}은(는) offline 상태입니다"),
                ),
                _ if t.kind == TargetKind::MultipathMap && b.holders.is_empty() => pass(
                    format!("{d} was a path of {} and is in no map now", t.name),
                    format!(
                        "{d}은(는) {}의 경로였고 지금은 어느 맵에도 속하지 않습니다",
                        t.name
                    ),
                ),
                Some(s) => fail(format!("{d} is {s}"), format!("{d}은(는) {s} 상태입니다")),
                None => unknown(
                    format!("/sys/block/{d}/device/state unreadable"),
                    format!("/sys/block/{d}/device/state을(를) 읽을 수 없습니다"),
                ),
            },
            Ok(None) => Verdict::Fail(gone(d)),
            Err(e) => unreadable(&e),
        },
    }
}

fn not_mounted(d: &str, t: &Target, probe: &dyn Probe) -> Verdict {
    let mounts = match probe.mounts() {
        Ok(m) => m,
        Err(e) => return unreadable(&e),
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
        Some(m) => fail(
            format!("{} is mounted on {}", m.source, m.target),
            format!("{}이(가) {}에 마운트되어 있습니다", m.source, m.target),
        ),
        None => pass("not in the mount table", "마운트 테이블에 없습니다"),
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
        return Verdict::Unknown(no_answer("dmsetup info -c", &out));
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
            Some(0) => pass("open count 0", "open count가 0입니다"),
            Some(n) => fail(format!("open count {n}"), format!("open count가 {n}입니다")),
            None => unknown(
                format!("no open count for {map} in `dmsetup info -c`"),
                format!("`dmsetup info -c`에 {map}의 open count가 없습니다"),
            ),
        };
    }
    pass(
        format!("{map} is not a dm device any more"),
        format!("{map}은(는) 더 이상 dm 장치가 아닙니다"),
    )
}

fn no_openers(d: &str, probe: &dyn Probe) -> Verdict {
    let openers = match probe.openers(d) {
        Ok(o) => o,
        Err(e) => return unreadable(&e),
    };
    if let Some((pid, comm)) = openers.users.first() {
        return fail(
            format!("{comm} (pid {pid}) has it open"),
            format!("{comm}(pid {pid})이(가) 열고 있습니다"),
        );
    }
    let n = openers.unreadable;
    if n > 0 {
        unknown(
            format!("the open files of {n} processes could not be read (run as root)"),
            format!("프로세스 {n}개의 열린 파일을 읽을 수 없습니다(root로 실행하십시오)"),
        )
    } else {
        pass("no process has it open", "열고 있는 프로세스가 없습니다")
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
                    return fail(
                        format!("qemu process {} uses it on its command line", task.pid),
                        format!("qemu 프로세스 {}이(가) 명령줄에서 쓰고 있습니다", task.pid),
                    );
                }
            }
        }
        Err(e) => return unreadable(&e),
    }
    match probe.running_domains() {
        Ok(domains) => {
            if let Some((name, _)) = domains.iter().find(|(_, xml)| mentions(xml)) {
                return fail(
                    format!("domain {name} has it as a disk"),
                    format!("도메인 {name}이(가) 디스크로 쓰고 있습니다"),
                );
            }
            let n = domains.len();
            pass(
                format!("not named by {n} running domains nor any qemu command line"),
                format!("실행 중인 도메인 {n}개와 qemu 명령줄 어디에도 없습니다"),
            )
        }
        Err(e) => unreadable(&e),
    }
}
