//! rootline's shared vocabulary.
//!
//! Everything the pipeline passes between its stages is defined here: the
//! raw time stamp a parser saw ([`RawStamp`]), the resolved time of an event
//! with what of it was inferred ([`EventTime`]), typed fields ([`FieldValue`]),
//! severities, multi-line block kinds, and the [`Event`] itself.
//!
//! This crate does no I/O. Its types derive `Serialize` because their serde
//! shape *is* rootline's versioned JSON schema (see `docs/json-schema.md`):
//! change a field here and you change the contract.

use std::collections::BTreeMap;
use std::fmt;

pub mod text;

pub use jiff::Timestamp;
pub use jiff::civil;
use serde::{Serialize, Serializer};
pub use text::{Lang, Text};

/// The JSON schema version written by `rootline analyze --format json`.
///
/// Bump the major part on any incompatible change to the serialized shape of
/// the types in this crate.
pub const SCHEMA_VERSION: &str = "2.0";

/// How bad a matched signature is, on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Context worth having on the timeline (a map was added, a path came back).
    Info,
    /// Something degraded but not yet failing.
    Warning,
    /// A failure of one operation (an I/O error, a probe failure).
    Error,
    /// A failure of the machine or a whole service (panic, hung task, all paths down).
    Critical,
}

impl Severity {
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of multi-line record a signature's first line opens.
///
/// The scanner attaches following lines to the event while
/// `rootline_parse::continues(kind, message)` says they belong to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BlockKind {
    /// Kernel report: `Call Trace:` … `</TASK>`, register dumps, `Modules
    /// linked in:`, `CPU: … PID: …`, `Hardware name:`, `---[ end trace`.
    KernelTrace,
    /// The OOM killer's report after `invoked oom-killer` (Mem-Info, node and
    /// task tables) up to, not including, `Out of memory: Killed process`.
    Oom,
    /// A Python traceback logged by oslo.log (same pid and logger), or
    /// unstamped lines after a stamped one.
    PythonTraceback,
    /// A command line continued with a trailing backslash (qemu logs).
    Backslash,
}

impl BlockKind {
    pub fn parse(s: &str) -> Option<BlockKind> {
        match s {
            "kernel-trace" => Some(BlockKind::KernelTrace),
            "oom" => Some(BlockKind::Oom),
            "python-traceback" => Some(BlockKind::PythonTraceback),
            "backslash" => Some(BlockKind::Backslash),
            _ => None,
        }
    }
}

/// What type a captured field has. The catalog declares one per named
/// capture; the matcher normalises captured text accordingly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FieldKind {
    /// Free text, kept as captured.
    Text,
    /// A block device name without `/dev/` (`sdv`, `dm-21`, `nvme0n1`, `vda`).
    Device,
    /// `major:minor`, e.g. `65:48`.
    DevNum,
    /// A device-mapper / multipath map name (`mpathb`, `3600…`).
    Map,
    /// A SCSI / multipath WWID.
    Wwid,
    /// A process id.
    Pid,
    /// A task (process) name.
    Task,
    /// An integer count (remaining paths, cluster number…).
    Int,
    /// Seconds (may be fractional).
    Seconds,
    /// A sector or LBA.
    Sector,
    /// A block operation (`READ`, `WRITE`, `0x1:(WRITE)` → `WRITE`).
    Op,
    /// An errno as a number (`13`) or a name (`EACCES`).
    Errno,
    /// A UUID (instance, volume, request…), normalised to lower case.
    Uuid,
    /// A libvirt domain name (`instance-0000001c`).
    Domain,
    /// A Kubernetes pod (`namespace/name` or `name`).
    Pod,
    /// A container name or id.
    Container,
    /// A probe type (`Liveness`, `Readiness`, `Startup`).
    Probe,
    /// A filesystem path.
    Path,
    /// A host name (NFS server, node).
    Host,
}

impl FieldKind {
    pub fn parse(s: &str) -> Option<FieldKind> {
        Some(match s {
            "text" => FieldKind::Text,
            "device" => FieldKind::Device,
            "devnum" => FieldKind::DevNum,
            "map" => FieldKind::Map,
            "wwid" => FieldKind::Wwid,
            "pid" => FieldKind::Pid,
            "task" => FieldKind::Task,
            "int" => FieldKind::Int,
            "seconds" => FieldKind::Seconds,
            "sector" => FieldKind::Sector,
            "op" => FieldKind::Op,
            "errno" => FieldKind::Errno,
            "uuid" => FieldKind::Uuid,
            "domain" => FieldKind::Domain,
            "pod" => FieldKind::Pod,
            "container" => FieldKind::Container,
            "probe" => FieldKind::Probe,
            "path" => FieldKind::Path,
            "host" => FieldKind::Host,
            _ => return None,
        })
    }
}

/// A typed field value captured from a line.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldValue {
    Text(String),
    Int(i64),
    Float(f64),
    /// `major:minor`; serialized as the string `"65:48"`.
    DevNum {
        major: u32,
        minor: u32,
    },
    /// Several values (e.g. the key frames of a kernel trace).
    List(Vec<String>),
}

impl fmt::Display for FieldValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldValue::Text(s) => f.write_str(s),
            FieldValue::Int(i) => write!(f, "{i}"),
            FieldValue::Float(x) => write!(f, "{x}"),
            FieldValue::DevNum { major, minor } => write!(f, "{major}:{minor}"),
            FieldValue::List(v) => f.write_str(&v.join(",")),
        }
    }
}

impl Serialize for FieldValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            FieldValue::Text(t) => s.serialize_str(t),
            FieldValue::Int(i) => s.serialize_i64(*i),
            FieldValue::Float(x) => s.serialize_f64(*x),
            FieldValue::DevNum { .. } => s.collect_str(self),
            FieldValue::List(v) => v.serialize(s),
        }
    }
}

/// Named, typed fields of an event, in a stable order.
pub type Fields = BTreeMap<String, FieldValue>;

/// A time stamp as a parser saw it, before the clock resolves it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RawStamp {
    /// An instant: the line carried a zone or offset (`+0000`, `Z`, epoch µs).
    Instant(Timestamp),
    /// A civil date and time with a year but no zone (oslo.log, `dmesg -T`).
    Civil(civil::DateTime),
    /// Month, day and time with no year and no zone (RFC 3164, klog).
    NoYear {
        month: i8,
        day: i8,
        time: civil::Time,
    },
    /// Seconds since boot (raw dmesg, kern.log's `[12289.195649]`,
    /// `journalctl -o short-monotonic`).
    Monotonic { micros: u64 },
}

/// Where a piece of time information came from when it was not on the line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Inference {
    /// What was inferred: `year`, `zone` or `boot`.
    pub what: &'static str,
    /// From what, in words an operator can check (`sosreport date`,
    /// `file mtime`, `etc/localtime → Asia/Seoul`, `kern.log twin`…).
    pub from: String,
}

/// The resolved time of an event.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventTime {
    /// UTC, when it could be established. `None` when the line had no stamp
    /// or only seconds since an unknown boot.
    pub utc: Option<Timestamp>,
    /// Seconds since boot, when the line carried them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since_boot: Option<f64>,
    /// The stamp text as it appeared on the line.
    pub raw: String,
    /// Everything that was inferred to produce `utc`. Empty means observed.
    pub inferred: Vec<Inference>,
    /// True when the stamp was borrowed from the nearest stamped line
    /// (untimestamped qemu lines) rather than read from the line itself.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub borrowed: bool,
}

impl EventTime {
    pub fn unknown() -> EventTime {
        EventTime {
            utc: None,
            since_boot: None,
            raw: String::new(),
            inferred: Vec::new(),
            borrowed: false,
        }
    }

    /// Observed means: the line itself said the full instant.
    pub fn is_observed(&self) -> bool {
        self.utc.is_some() && self.inferred.is_empty() && !self.borrowed
    }
}

/// Where an event was read: the evidence path as the user knows it
/// (`sosreport-x.tar.xz!var/log/kern.log`) and the 1-based line number.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct SourceRef {
    pub file: String,
    pub line: u64,
}

impl fmt::Display for SourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// One matched, parsed, time-resolved occurrence of a signature.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    pub time: EventTime,
    /// The host the line names (syslog host, journald `_HOSTNAME`), or the
    /// evidence's host name.
    pub host: Option<String>,
    pub source: SourceRef,
    /// The same line (same time, signature and text) read from other files:
    /// sosreports keep overlapping journal dumps (`--boot`, `--boot -1`, all).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<SourceRef>,
    /// The layer that wrote it: `kernel`, `multipath`, `qemu`, `nova`…
    pub component: String,
    /// The catalog signature id.
    pub signature: String,
    pub severity: Severity,
    pub fields: Fields,
    /// The matched line as read (lossy UTF-8, truncated if very long).
    pub text: String,
    /// Continuation lines attached to it (trace, traceback, command line).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<String>,
    /// How many further identical-signature matches in the same file were
    /// folded into this event to keep memory bounded (0 = none).
    #[serde(skip_serializing_if = "is_zero")]
    pub repeats: u64,
    /// When `repeats > 0`: the time of the last folded occurrence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<Timestamp>,
    /// The line was longer than the line limit and was cut.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devnum_serializes_as_major_minor() {
        let v = FieldValue::DevNum {
            major: 65,
            minor: 48,
        };
        assert_eq!(v.to_string(), "65:48");
    }

    #[test]
    fn names_round_trip() {
        for s in ["info", "warning", "error", "critical"] {
            assert_eq!(Severity::parse(s).unwrap().as_str(), s);
        }
        assert_eq!(
            BlockKind::parse("kernel-trace"),
            Some(BlockKind::KernelTrace)
        );
        assert_eq!(FieldKind::parse("devnum"), Some(FieldKind::DevNum));
        assert_eq!(FieldKind::parse("nope"), None);
    }
}
