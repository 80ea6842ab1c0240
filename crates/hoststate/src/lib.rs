//! Host state: what the operators ran (smartctl, multipath, dmsetup, lsblk,
//! free, ps, qemu-img, openstack…) and the configuration they read, turned
//! into typed **facts** and **checks**.
//!
//! Input is one small text file at a time (a sosreport's `sos_commands/…`
//! output, a file an operator saved, a pasted excerpt), recognised by
//! content; the path is only a hint. Parsers never fail: truncated output,
//! missing sections, a command that timed out, localised numbers (`2,787`)
//! yield what could be read. Pure functions, no I/O.
//!
//! A check turns facts into a [`Check`]: a finding with its evidence (file and
//! line), a severity and the exact fix. Checks also surface as synthetic
//! events (signature `host.<check id>`) so that causes can use them as steps
//! (`untimed = true`): e.g. an NVMe error log growing while SMART says PASSED
//! is root evidence of `failing-disk`.

use std::collections::BTreeMap;

use serde::Serialize;

pub mod book;
mod cross;
pub mod facts;
mod parsers;

pub use book::CheckBook;
pub use cross::{Crossed, cross_check};
pub use facts::Fact;
pub use parsers::{Kind, recognise};

/// One line of evidence inside a command output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cite {
    /// 1-based line number in the file.
    pub line: u64,
    pub text: String,
    /// The file the line is in, when it is not the file the check was read
    /// from: a host-level check ([`cross_check`]) rests on lines of several
    /// files (qemu.conf's `user` and a share listing's modes). `None`: the
    /// check's own file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

/// A finding from host state, with its fix. The code raises it with its
/// id and the values it found; the check book (`catalog/checks/`) gives its
/// severity, text and fix ([`CheckBook::render`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Check {
    /// Stable id, e.g. `smart-errors-while-passed`; the synthetic event's
    /// signature is `host.<id>`.
    pub id: String,
    /// `info`, `warning`, `error` or `critical`.
    pub severity: rootline_model::Severity,
    /// What is wrong, in English and Korean.
    pub en: String,
    pub ko: String,
    /// Typed fields for the identity graph and templates (device, map,
    /// wwid, volume, instance, domain, pid, task, path…), by field kind name.
    #[serde(serialize_with = "fields_as_objects")]
    pub fields: Vec<(String, String, rootline_model::FieldKind)>,
    /// Values only the text uses (counts, states, what the output said).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
    /// Lists only the text uses (a map's stale path devices): `{name}`
    /// reads as a comma list, a fix with `each = "name"` repeats per item.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub lists: BTreeMap<String, Vec<String>>,
    /// The lines that show it.
    pub evidence: Vec<Cite>,
    /// The exact fix.
    pub fix: Vec<Fix>,
}

/// One step of a check's fix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub en: String,
    pub ko: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
}

fn fields_as_objects<S: serde::Serializer>(
    fields: &[(String, String, rootline_model::FieldKind)],
    s: S,
) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct F<'a> {
        name: &'a str,
        value: &'a str,
        kind: rootline_model::FieldKind,
    }
    s.collect_seq(fields.iter().map(|(name, value, kind)| F {
        name,
        value,
        kind: *kind,
    }))
}

impl Cite {
    /// Line `line` (1-based) with its text, trailing white space dropped.
    pub(crate) fn at(line: u64, text: &str) -> Cite {
        Cite {
            line,
            text: text.trim_end().to_string(),
            file: None,
        }
    }

    /// The line at 0-based index `idx` of a file's lines.
    pub(crate) fn nth(idx: usize, text: &str) -> Cite {
        Cite::at(idx as u64 + 1, text)
    }
}

impl Check {
    /// Raise check `id`: its severity, text and fix come from the check
    /// book when it is rendered.
    pub(crate) fn raise(id: CheckId) -> Check {
        Check {
            id: id.as_str().to_string(),
            severity: rootline_model::Severity::Info,
            en: String::new(),
            ko: String::new(),
            fields: Vec::new(),
            values: BTreeMap::new(),
            lists: BTreeMap::new(),
            evidence: Vec::new(),
            fix: Vec::new(),
        }
    }

    /// Bind a value the text uses (not a typed field).
    pub(crate) fn bind(&mut self, name: &str, value: impl ToString) {
        self.values.insert(name.to_string(), value.to_string());
    }

    /// Bind a list (nothing when it is empty).
    pub(crate) fn bind_list<S: ToString>(
        &mut self,
        name: &str,
        items: impl IntoIterator<Item = S>,
    ) {
        let items: Vec<String> = items.into_iter().map(|s| s.to_string()).collect();
        if !items.is_empty() {
            self.lists.insert(name.to_string(), items);
        }
    }

    /// Bind `name = "yes"` when `on`: a condition for text variants and
    /// fix entries (`when = ["queueing"]`).
    pub(crate) fn flag(&mut self, name: &str, on: bool) {
        if on {
            self.bind(name, "yes");
        }
    }

    pub(crate) fn add_field(
        &mut self,
        name: &str,
        value: impl ToString,
        kind: rootline_model::FieldKind,
    ) {
        self.fields
            .push((name.to_string(), value.to_string(), kind));
    }

    /// Add a field unless it is empty or already there with that value.
    pub(crate) fn add_field_once(
        &mut self,
        name: &str,
        value: &str,
        kind: rootline_model::FieldKind,
    ) {
        if !value.is_empty() && !self.fields.iter().any(|(n, v, _)| n == name && v == value) {
            self.add_field(name, value, kind);
        }
    }

    /// Cite a line once, however many facts point at it.
    pub(crate) fn add_cite(&mut self, cite: &Cite) {
        if !self
            .evidence
            .iter()
            .any(|e| e.line == cite.line && e.file == cite.file)
        {
            self.evidence.push(cite.clone());
        }
    }
}

/// What a file says about the host.
#[derive(Clone, Debug, Default, Serialize)]
pub struct HostState {
    /// What kind of output it was recognised as.
    pub kind: Option<&'static str>,
    /// Typed facts, as JSON objects (one per disk, map, process…), each with
    /// at least `"type"` and the line it starts at.
    pub facts: Vec<serde_json::Value>,
    pub checks: Vec<Check>,
    /// Why part of it could not be read (truncated, timed out…).
    pub notes: Vec<String>,
    /// The text of every line a fact points at (its `line`, a disk's
    /// `source-line`, a map's path lines), by line number: what a
    /// host-level check cites when it joins facts of several files, after
    /// the file itself is gone. Not part of the JSON document (the facts
    /// already say where they are).
    #[serde(skip)]
    pub lines: std::collections::BTreeMap<u64, String>,
}

impl HostState {
    /// Line `line` of this file as a citation of `file`, if a fact pointed
    /// at it.
    pub(crate) fn cite(&self, file: &str, line: u64) -> Option<Cite> {
        self.lines.get(&line).map(|t| Cite {
            line,
            text: t.clone(),
            file: Some(file.to_string()),
        })
    }
}

/// Parse one file recognised as `kind`.
/// Checks are rendered with the shipped check book; a `--catalog` overlay
/// renders them again ([`CheckBook::render_all`]).
pub fn parse(kind: Kind, text: &str) -> HostState {
    let mut st = parsers::parse(kind, text);
    book::shipped().render_all(&mut st.checks);
    st
}

/// A check id, typed: the code raises checks only by these constants
/// ([`id`]), so an id the check book or a cause cites is one the code
/// knows, and a typo is a compile error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CheckId(&'static str);

impl CheckId {
    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

impl std::fmt::Display for CheckId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// Every check the code can raise (`host.<id>` in causes; one
/// `[[check]]` each in `catalog/checks/`).
pub mod id {
    use super::CheckId;

    pub const BLOCK_DEVICE_READ_ONLY: CheckId = CheckId("block-device-read-only");
    pub const CINDER_NAS_SECURE_AUTO: CheckId = CheckId("cinder-nas-secure-auto");
    pub const COLLECTION_REDACTED: CheckId = CheckId("collection-redacted");
    pub const COLLECTION_REDUCED: CheckId = CheckId("collection-reduced");
    pub const COMMAND_TIMED_OUT: CheckId = CheckId("command-timed-out");
    pub const CPU_HOT: CheckId = CheckId("cpu-hot");
    pub const DISK_CACHE_RISKY: CheckId = CheckId("disk-cache-risky");
    pub const DISK_THERMAL: CheckId = CheckId("disk-thermal");
    pub const DM_MAP_SUSPENDED: CheckId = CheckId("dm-map-suspended");
    pub const DM_OPEN_ZERO_DOMAIN_DISK: CheckId = CheckId("dm-open-zero-domain-disk");
    pub const DM_UNUSED_OPEN_ZERO: CheckId = CheckId("dm-unused-open-zero");
    pub const DOMAINS_PAUSED: CheckId = CheckId("domains-paused");
    pub const FUSE_REQUESTS_WAITING: CheckId = CheckId("fuse-requests-waiting");
    pub const IO_IN_FLIGHT: CheckId = CheckId("io-in-flight");
    pub const ISCSI_SESSION_DOWN: CheckId = CheckId("iscsi-session-down");
    pub const LOOP_BACKING_DELETED: CheckId = CheckId("loop-backing-deleted");
    pub const LOOP_BACKING_NOT_ANSWERING: CheckId = CheckId("loop-backing-not-answering");
    pub const LOOP_BACKING_REMOTE: CheckId = CheckId("loop-backing-remote");
    pub const MEMORY_PRESSURE: CheckId = CheckId("memory-pressure");
    pub const MULTIPATH_MAP_DEGRADED: CheckId = CheckId("multipath-map-degraded");
    pub const MULTIPATH_MAP_NO_ACTIVE_PATH: CheckId = CheckId("multipath-map-no-active-path");
    pub const MULTIPATH_QUEUE_FOREVER: CheckId = CheckId("multipath-queue-forever");
    pub const MULTIPATH_QUEUE_UNBOUNDED: CheckId = CheckId("multipath-queue-unbounded");
    pub const MULTIPATH_SETTING_MISMATCH: CheckId = CheckId("multipath-setting-mismatch");
    pub const NVME_ENDURANCE_USED_UP: CheckId = CheckId("nvme-endurance-used-up");
    pub const NVME_ERROR_LOG_ENTRIES: CheckId = CheckId("nvme-error-log-entries");
    pub const PROCESS_D_STATE: CheckId = CheckId("process-d-state");
    pub const PROCESS_ZOMBIE: CheckId = CheckId("process-zombie");
    pub const QEMU_IMG_CORRUPTION: CheckId = CheckId("qemu-img-corruption");
    pub const QEMU_IMG_LEAKS: CheckId = CheckId("qemu-img-leaks");
    pub const REPEATED_STOP_START: CheckId = CheckId("repeated-stop-start");
    pub const SCSI_DEVICE_NOT_IN_MAP: CheckId = CheckId("scsi-device-not-in-map");
    pub const SCSI_DEVICE_OFFLINE: CheckId = CheckId("scsi-device-offline");
    pub const SCSI_DISK_NOT_IN_MULTIPATH: CheckId = CheckId("scsi-disk-not-in-multipath");
    pub const SERVER_STOPPED_BY_HOST: CheckId = CheckId("server-stopped-by-host");
    pub const SMART_ERRORS_WHILE_PASSED: CheckId = CheckId("smart-errors-while-passed");
    pub const SMART_FAILED: CheckId = CheckId("smart-failed");
    pub const SMR_DISK: CheckId = CheckId("smr-disk");
    pub const SWAP_ACTIVITY: CheckId = CheckId("swap-activity");
    pub const UNSAFE_SHUTDOWNS: CheckId = CheckId("unsafe-shutdowns");
    pub const VOLUME_FILE_MODE: CheckId = CheckId("volume-file-mode");

    /// All of them, sorted.
    pub const ALL: &[CheckId] = &[
        BLOCK_DEVICE_READ_ONLY,
        CINDER_NAS_SECURE_AUTO,
        COLLECTION_REDACTED,
        COLLECTION_REDUCED,
        COMMAND_TIMED_OUT,
        CPU_HOT,
        DISK_CACHE_RISKY,
        DISK_THERMAL,
        DM_MAP_SUSPENDED,
        DM_OPEN_ZERO_DOMAIN_DISK,
        DM_UNUSED_OPEN_ZERO,
        DOMAINS_PAUSED,
        FUSE_REQUESTS_WAITING,
        IO_IN_FLIGHT,
        ISCSI_SESSION_DOWN,
        LOOP_BACKING_DELETED,
        LOOP_BACKING_NOT_ANSWERING,
        LOOP_BACKING_REMOTE,
        MEMORY_PRESSURE,
        MULTIPATH_MAP_DEGRADED,
        MULTIPATH_MAP_NO_ACTIVE_PATH,
        MULTIPATH_QUEUE_FOREVER,
        MULTIPATH_QUEUE_UNBOUNDED,
        MULTIPATH_SETTING_MISMATCH,
        NVME_ENDURANCE_USED_UP,
        NVME_ERROR_LOG_ENTRIES,
        PROCESS_D_STATE,
        PROCESS_ZOMBIE,
        QEMU_IMG_CORRUPTION,
        QEMU_IMG_LEAKS,
        REPEATED_STOP_START,
        SCSI_DEVICE_NOT_IN_MAP,
        SCSI_DEVICE_OFFLINE,
        SCSI_DISK_NOT_IN_MULTIPATH,
        SERVER_STOPPED_BY_HOST,
        SMART_ERRORS_WHILE_PASSED,
        SMART_FAILED,
        SMR_DISK,
        SWAP_ACTIVITY,
        UNSAFE_SHUTDOWNS,
        VOLUME_FILE_MODE,
    ];
}

/// Every check id as text (see [`id`]). A cause citing an id not listed
/// here is rejected when the knowledge is validated.
pub const CHECK_IDS: &[&str] = &[
    id::BLOCK_DEVICE_READ_ONLY.as_str(),
    id::CINDER_NAS_SECURE_AUTO.as_str(),
    id::COLLECTION_REDACTED.as_str(),
    id::COLLECTION_REDUCED.as_str(),
    id::COMMAND_TIMED_OUT.as_str(),
    id::CPU_HOT.as_str(),
    id::DISK_CACHE_RISKY.as_str(),
    id::DISK_THERMAL.as_str(),
    id::DM_MAP_SUSPENDED.as_str(),
    id::DM_OPEN_ZERO_DOMAIN_DISK.as_str(),
    id::DM_UNUSED_OPEN_ZERO.as_str(),
    id::DOMAINS_PAUSED.as_str(),
    id::FUSE_REQUESTS_WAITING.as_str(),
    id::IO_IN_FLIGHT.as_str(),
    id::ISCSI_SESSION_DOWN.as_str(),
    id::LOOP_BACKING_DELETED.as_str(),
    id::LOOP_BACKING_NOT_ANSWERING.as_str(),
    id::LOOP_BACKING_REMOTE.as_str(),
    id::MEMORY_PRESSURE.as_str(),
    id::MULTIPATH_MAP_DEGRADED.as_str(),
    id::MULTIPATH_MAP_NO_ACTIVE_PATH.as_str(),
    id::MULTIPATH_QUEUE_FOREVER.as_str(),
    id::MULTIPATH_QUEUE_UNBOUNDED.as_str(),
    id::MULTIPATH_SETTING_MISMATCH.as_str(),
    id::NVME_ENDURANCE_USED_UP.as_str(),
    id::NVME_ERROR_LOG_ENTRIES.as_str(),
    id::PROCESS_D_STATE.as_str(),
    id::PROCESS_ZOMBIE.as_str(),
    id::QEMU_IMG_CORRUPTION.as_str(),
    id::QEMU_IMG_LEAKS.as_str(),
    id::REPEATED_STOP_START.as_str(),
    id::SCSI_DEVICE_NOT_IN_MAP.as_str(),
    id::SCSI_DEVICE_OFFLINE.as_str(),
    id::SCSI_DISK_NOT_IN_MULTIPATH.as_str(),
    id::SERVER_STOPPED_BY_HOST.as_str(),
    id::SMART_ERRORS_WHILE_PASSED.as_str(),
    id::SMART_FAILED.as_str(),
    id::SMR_DISK.as_str(),
    id::SWAP_ACTIVITY.as_str(),
    id::UNSAFE_SHUTDOWNS.as_str(),
    id::VOLUME_FILE_MODE.as_str(),
];

/// Parse one file and complete what only its name says: sos names command
/// outputs after the command (`smartctl_-a_.dev.sda`,
/// `smartctl_--all_.dev.nvme0n1_-j`), and operators name theirs
/// (`smartctl-a-nvme0n1.txt`), while `smartctl` itself does not always print
/// the device. A device found in the name fills checks and facts that lack
/// one; the checks are rendered after, so their fix commands name it.
pub fn parse_file(kind: Kind, text: &str, rel_path: &str) -> HostState {
    let mut st = parsers::parse(kind, text);
    if let Some(dev) = device_in_name(rel_path) {
        for c in &mut st.checks {
            // The checks about one drive.
            let wants = [
                id::SMART_FAILED,
                id::SMART_ERRORS_WHILE_PASSED,
                id::NVME_ERROR_LOG_ENTRIES,
                id::NVME_ENDURANCE_USED_UP,
                id::UNSAFE_SHUTDOWNS,
                id::DISK_THERMAL,
                id::SMR_DISK,
            ]
            .iter()
            .any(|i| c.id == i.as_str());
            if wants && !c.fields.iter().any(|(n, _, _)| n == "device") {
                c.fields.push((
                    "device".to_string(),
                    dev.clone(),
                    rootline_model::FieldKind::Device,
                ));
                if let Some(ctrl) = parsers::disk_checks::nvme_controller(&dev) {
                    c.bind("controller", ctrl);
                }
            }
        }
        for f in &mut st.facts {
            if f.get("type").and_then(|t| t.as_str()) == Some("disk")
                && f.get("device").is_none_or(|d| d.is_null())
            {
                f["device"] = serde_json::Value::String(dev.clone());
            }
        }
    }
    book::shipped().render_all(&mut st.checks);
    st
}

/// `sda`, `nvme0n1`, `nvme0` from `….dev.sda`, `…-nvme0n1.txt`, `…_nvme0`.
fn device_in_name(rel_path: &str) -> Option<String> {
    let name = rel_path.rsplit('/').next()?;
    let start = name.find(".dev.").map(|i| i + 5).or_else(|| {
        ["sd", "nvme", "vd", "hd"]
            .iter()
            .filter_map(|p| {
                name.match_indices(p)
                    .map(|(i, _)| i)
                    .find(|&i| i == 0 || matches!(name.as_bytes()[i - 1], b'-' | b'_' | b'.'))
            })
            .min()
    })?;
    let rest = &name[start..];
    let dev: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let ok = (dev.starts_with("sd")
        && dev.len() > 2
        && dev[2..].bytes().all(|b| b.is_ascii_lowercase()))
        || (dev.starts_with("nvme") && dev.len() > 4 && dev.as_bytes()[4].is_ascii_digit())
        || ((dev.starts_with("vd") || dev.starts_with("hd")) && dev.len() > 2);
    ok.then_some(dev)
}

#[cfg(test)]
mod tests {

    /// Every id of [`super::id`] is raised somewhere in the code (an id
    /// no code raises is dead weight the check book would still accept).
    #[test]
    #[allow(clippy::disallowed_methods)] // reads the crate's own small sources
    fn every_check_id_is_raised_by_some_code() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut raised = std::collections::BTreeSet::new();
        let mut stack = vec![dir];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let text = std::fs::read_to_string(&p).unwrap();
                let code = text.split("#[cfg(test)]").next().unwrap_or("");
                for (at, _) in code.match_indices("Check::raise(") {
                    let rest = &code[at + "Check::raise(".len()..];
                    let rest = rest.trim_start();
                    let rest = rest.strip_prefix("crate::").unwrap_or(rest);
                    if let Some(rest) = rest.strip_prefix("id::") {
                        let name: String = rest
                            .chars()
                            .take_while(|c| {
                                c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_'
                            })
                            .collect();
                        raised.insert(name.to_ascii_lowercase().replace('_', "-"));
                    }
                }
            }
        }
        let all: std::collections::BTreeSet<String> = super::id::ALL
            .iter()
            .map(|i| i.as_str().to_string())
            .collect();
        assert_eq!(raised, all);
    }

    use super::device_in_name;

    /// The shipped check book loads, every example in it passes, and it
    /// defines a check for every id the code raises.
    #[test]
    fn the_check_book_loads_and_its_examples_pass() {
        let book = super::CheckBook::builtin().unwrap();
        let failures = book.test_examples();
        assert!(failures.is_empty(), "{failures:#?}");
        let defined: std::collections::BTreeSet<&str> =
            book.defs.iter().map(|d| d.id.as_str()).collect();
        let missing: Vec<&&str> = super::CHECK_IDS
            .iter()
            .filter(|id| !defined.contains(**id))
            .collect();
        assert!(
            missing.is_empty(),
            "checks without a definition: {missing:?}"
        );
        assert!(
            book.defs.iter().all(|d| !d.examples.is_empty()),
            "every check has an example"
        );
    }

    #[test]
    fn devices_in_file_names() {
        assert_eq!(
            device_in_name("sos_commands/ata/smartctl_-a_.dev.sda").as_deref(),
            Some("sda")
        );
        assert_eq!(
            device_in_name("sos_commands/nvme/smartctl_--all_.dev.nvme0n1_-j").as_deref(),
            Some("nvme0n1")
        );
        assert_eq!(
            device_in_name("smartctl-a-nvme0n1.txt").as_deref(),
            Some("nvme0n1")
        );
        assert_eq!(device_in_name("smartctl-a-sda.txt").as_deref(), Some("sda"));
        assert_eq!(device_in_name("sos_commands/memory/free"), None);
        assert_eq!(device_in_name("smartctl-a.txt"), None);
    }
}
