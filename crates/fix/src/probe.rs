//! What the planner may ask of a host, and how it runs commands.
//!
//! The planner never reads the machine itself: it asks a [`Probe`] (sysfs,
//! procfs and read-only commands) and performs steps through an
//! [`Executor`]. The live host, a `--root` tree with recorded command
//! outputs, and the tests' simulated hosts are all probes; that is how the
//! same plan/apply code is tested on device-mapper and SCSI cleanups that
//! the test machines cannot create.

use std::time::Duration;

use rootline_model::Text;
use serde::Serialize;

use crate::Error;

/// One block device as sysfs shows it (`/sys/block/<name>`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BlockDev {
    /// `loop3`, `dm-21`, `sdt`.
    pub name: String,
    /// `major:minor`.
    pub devnum: Option<String>,
    /// Devices stacked on this one (`holders/`): a dm map on a path, an LV
    /// on a PV.
    pub holders: Vec<String>,
    /// Devices this one sits on (`slaves/`): the paths of a multipath map.
    pub slaves: Vec<String>,
    /// `dm/name` (`mpatha`, `vg-lv`).
    pub dm_name: Option<String>,
    /// `dm/uuid` (`mpath-3600a…`, `LVM-…`).
    pub dm_uuid: Option<String>,
    /// `loop/backing_file`, without the ` (deleted)` suffix.
    pub backing_file: Option<String>,
    /// The kernel marks the backing file ` (deleted)`.
    pub backing_deleted: bool,
    /// `inflight`: requests in flight (reads, writes); `None` if unreadable.
    pub inflight: Option<(u64, u64)>,
    /// SCSI `device/state` (`running`, `offline`, `blocked`…).
    pub scsi_state: Option<String>,
}

/// One mounted file system.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Mount {
    pub source: String,
    pub target: String,
    pub fstype: String,
    /// `major:minor` of the mounted device (mountinfo), if known.
    pub devnum: Option<String>,
}

/// One process.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Task {
    pub pid: u32,
    pub comm: String,
    pub cmdline: Vec<String>,
}

/// The processes that hold a device open.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Openers {
    /// (pid, command name).
    pub users: Vec<(u32, String)>,
    /// Processes whose open files could not be read (another user's, when
    /// not root): "nobody has it open" cannot be established then.
    pub unreadable: usize,
}

/// How a command ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "detail", rename_all = "kebab-case")]
pub enum CmdStatus {
    Exited(i32),
    Signalled(i32),
    /// Did not answer in time; killed (or abandoned in D state).
    TimedOut(u64),
    /// The program is not installed.
    NotFound,
    /// Could not be started (permission…).
    Failed(String),
    /// A `--root` tree has no recorded output for it.
    NotRecorded,
}

/// A command's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CmdOutput {
    #[serde(flatten)]
    pub status: CmdStatus,
    pub stdout: String,
    pub stderr: String,
    #[serde(serialize_with = "millis")]
    pub duration: Duration,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}

impl CmdOutput {
    pub fn ok(&self) -> bool {
        self.status == CmdStatus::Exited(0)
    }

    /// A result with no output, e.g. for a command that could not run.
    pub fn failed(status: CmdStatus) -> CmdOutput {
        CmdOutput {
            status,
            stdout: String::new(),
            stderr: String::new(),
            duration: Duration::ZERO,
        }
    }

    /// In words: `exit 0`, `did not answer in 10 s`.
    pub fn describe(&self) -> String {
        self.describe_text().en
    }

    /// In words, in English and Korean, for plans and outcomes: `exit 0`,
    /// `did not answer in 10 s`; in Korean a short phrase (`10초 동안 응답
    /// 없음`) that sentences put in parentheses. The reason a command could
    /// not run is the system's, kept verbatim.
    pub fn describe_text(&self) -> Text {
        match &self.status {
            CmdStatus::Exited(c) => Text::new(format!("exit {c}"), format!("종료 코드 {c}")),
            CmdStatus::Signalled(s) => Text::new(
                format!("killed by signal {s}"),
                format!("시그널 {s}에 의해 종료됨"),
            ),
            CmdStatus::TimedOut(s) => Text::new(
                format!("did not answer in {s} s"),
                format!("{s}초 동안 응답 없음"),
            ),
            CmdStatus::NotFound => Text::new("not installed", "설치되어 있지 않음"),
            CmdStatus::Failed(e) => Text::new(
                format!("could not run: {e}"),
                format!("실행할 수 없음: {e}"),
            ),
            CmdStatus::NotRecorded => Text::new("no recorded output", "기록된 출력 없음"),
        }
    }
}

/// Read-only questions about a host. Every answer is fresh: the applier
/// asks again right before each step.
pub trait Probe {
    /// All block devices.
    fn block_devices(&self) -> Result<Vec<BlockDev>, Error>;
    /// One block device (`Ok(None)`: it does not exist).
    fn block(&self, name: &str) -> Result<Option<BlockDev>, Error>;
    fn mounts(&self) -> Result<Vec<Mount>, Error>;
    /// Active swap areas (`/proc/swaps` file names).
    fn swaps(&self) -> Result<Vec<String>, Error>;
    fn tasks(&self) -> Result<Vec<Task>, Error>;
    /// The processes holding kernel block device `dev` (`loop3`, `dm-3`)
    /// open, under any of its `/dev` names.
    fn openers(&self, dev: &str) -> Result<Openers, Error>;
    /// Running domains' live definitions (`/run/libvirt/qemu/*.xml`): (name,
    /// XML). Empty when libvirt is not there.
    fn running_domains(&self) -> Result<Vec<(String, String)>, Error>;
    /// A read-only query (`multipath -ll`, `dmsetup info -c`): run it with a
    /// timeout on a live host, or look up its recorded output.
    fn query(&self, argv: &[&str]) -> CmdOutput;
    /// `true` when steps may act on this host (the live machine), `false`
    /// for a description of another one (`--root DIR`, recorded outputs).
    fn is_live(&self) -> bool;
}

/// Performs a step. Live: a killable child with a timeout.
pub trait Executor {
    fn execute(&self, argv: &[String]) -> CmdOutput;
}
