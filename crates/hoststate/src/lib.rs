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

use serde::Serialize;

mod block;
mod disks;
mod parsers;
mod sos;
mod system;
mod virt;

pub use parsers::{Kind, recognise};

/// One line of evidence inside a command output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cite {
    /// 1-based line number in the file.
    pub line: u64,
    pub text: String,
}

/// A finding from host state, with its fix.
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
    pub fields: Vec<(String, String, rootline_model::FieldKind)>,
    /// The lines that show it.
    pub evidence: Vec<Cite>,
    /// The exact fix: (text en, text ko, command).
    pub fix: Vec<(String, String, Option<String>)>,
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
}

/// Parse one file recognised as `kind`.
pub fn parse(kind: Kind, text: &str) -> HostState {
    parsers::parse(kind, text)
}
