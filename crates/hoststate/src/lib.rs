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

mod block;
pub mod book;
mod cross;
mod disks;
pub mod facts;
mod live;
mod parsers;
mod sos;
mod system;
mod virt;

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
    pub(crate) fn new(
        id: &str,
        severity: rootline_model::Severity,
        en: String,
        ko: String,
    ) -> Check {
        Check {
            id: id.to_string(),
            severity,
            en,
            ko,
            fields: Vec::new(),
            values: BTreeMap::new(),
            lists: BTreeMap::new(),
            evidence: Vec::new(),
            fix: Vec::new(),
        }
    }

    /// Raise check `id`: its severity, text and fix come from the check
    /// book when it is rendered.
    pub(crate) fn raise(id: &str) -> Check {
        Check::new(
            id,
            rootline_model::Severity::Info,
            String::new(),
            String::new(),
        )
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

    pub(crate) fn add_fix(&mut self, en: &str, ko: &str, cmd: Option<String>) {
        self.fix.push(Fix {
            en: en.to_string(),
            ko: ko.to_string(),
            command: cmd,
        });
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

/// Every check id the parsers can produce (`host.<id>` in causes). A cause
/// citing an id not listed here is rejected when the knowledge is validated;
/// a test keeps this list equal to the ids the code constructs.
pub const CHECK_IDS: &[&str] = &[
    "block-device-read-only",
    "cinder-nas-secure-auto",
    "collection-redacted",
    "collection-reduced",
    "command-timed-out",
    "cpu-hot",
    "disk-cache-risky",
    "disk-thermal",
    "dm-map-suspended",
    "dm-open-zero-domain-disk",
    "dm-unused-open-zero",
    "domains-paused",
    "fuse-requests-waiting",
    "io-in-flight",
    "iscsi-session-down",
    "loop-backing-deleted",
    "loop-backing-not-answering",
    "loop-backing-remote",
    "memory-pressure",
    "multipath-map-degraded",
    "multipath-map-no-active-path",
    "multipath-queue-forever",
    "multipath-queue-unbounded",
    "multipath-setting-mismatch",
    "nvme-endurance-used-up",
    "nvme-error-log-entries",
    "process-d-state",
    "process-zombie",
    "qemu-img-corruption",
    "qemu-img-leaks",
    "repeated-stop-start",
    "scsi-device-not-in-map",
    "scsi-device-offline",
    "scsi-disk-not-in-multipath",
    "server-stopped-by-host",
    "smart-errors-while-passed",
    "smart-failed",
    "smr-disk",
    "swap-activity",
    "unsafe-shutdowns",
    "volume-file-mode",
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
            let wants = matches!(
                c.id.as_str(),
                "smart-failed"
                    | "smart-errors-while-passed"
                    | "nvme-error-log-entries"
                    | "nvme-endurance-used-up"
                    | "unsafe-shutdowns"
                    | "disk-thermal"
                    | "smr-disk"
            );
            if wants && !c.fields.iter().any(|(n, _, _)| n == "device") {
                c.fields.push((
                    "device".to_string(),
                    dev.clone(),
                    rootline_model::FieldKind::Device,
                ));
                if let Some(ctrl) = disks::nvme_controller(&dev) {
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

    /// `CHECK_IDS` is exactly the set of ids the parsers construct: a new
    /// check must be listed (causes may cite it), a removed one unlisted.
    #[test]
    #[allow(clippy::disallowed_methods)] // reads the crate's own small sources
    fn check_ids_list_every_check_the_code_builds() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut built = std::collections::BTreeSet::new();
        let mut stack = vec![dir];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let text = std::fs::read_to_string(&p).unwrap();
                // Test modules build checks of their own.
                let code = text.split("#[cfg(test)]").next().unwrap_or("");
                for pat in ["Check::new(", "Check::raise(", "id: \""] {
                    for (at, _) in code.match_indices(pat) {
                        let rest = code[at + pat.len()..].trim_start();
                        let rest = rest.strip_prefix('"').unwrap_or(rest);
                        let id: String = rest
                            .chars()
                            .take_while(|c| {
                                c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'
                            })
                            .collect();
                        let closed = rest[id.len()..].starts_with('"');
                        if !id.is_empty() && closed {
                            built.insert(id);
                        }
                    }
                }
            }
        }
        let listed: std::collections::BTreeSet<String> =
            super::CHECK_IDS.iter().map(|s| s.to_string()).collect();
        assert_eq!(built, listed);
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
        // Until every module is converted (issue 10), only report.
        eprintln!("checks without a definition: {missing:?}");
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
