//! Diagnosis: from a timeline of events to ranked root causes, each with the
//! chain of evidence that proves it, what is missing, and what to do.
//!
//! - [`knowledge`]: causes and benign rules as data (`catalog/causes/`).
//! - [`identity`]: the identity graph — which events concern the same thing.
//! - [`diagnose`]: the engine.
//!
//! Invariants: the engine never invents an event (every chain step cites the
//! events it rests on); it never states an inferred time as observed (every
//! cited time says whether it was inferred); a cause is concluded only from a
//! root-step event of severity error or worse; benign events never start or
//! join an incident.

pub mod guests;
pub mod identity;
pub mod knowledge;

mod engine;

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

pub use engine::{FieldKinds, diagnose, host_events};
pub use knowledge::{Error, Knowledge, Lang, Link};

/// The cause id of an unclassified storage fault: error-level storage
/// evidence that no known cause explains, reported with its evidence and
/// entities instead of "no diagnosis", never forced into a known cause.
pub const UNCLASSIFIED: &str = "unclassified-storage-fault";

/// A cited line.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Evidence {
    pub file: String,
    pub line: u64,
    /// UTC, when known.
    pub time: Option<Timestamp>,
    /// True when any part of `time` was inferred (year, zone, boot, borrowed).
    pub time_inferred: bool,
    pub signature: String,
    pub text: String,
}

/// One step of a chain, with the events found for it.
#[derive(Clone, Debug, Serialize)]
pub struct ChainStep {
    pub step: String,
    /// `root`, `effect` or `symptom`.
    pub role: &'static str,
    pub meaning: String,
    /// How the step's events relate to the incident: `root`, `identity`
    /// (shared device / map / volume… through the identity graph) or `host`
    /// (same host; the step's layer names no shared entity).
    pub link: &'static str,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    /// Events found (counting folded repeats).
    pub count: u64,
    /// Up to five cited events, earliest first.
    pub events: Vec<Evidence>,
}

/// A fix, prevention or collection step, rendered.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Action {
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
}

/// Another cause found alongside, that made this one worse: the cause and
/// the evidence of its root step on the same host.
#[derive(Clone, Debug, Serialize)]
pub struct Contributing {
    pub cause: String,
    pub title: String,
    pub evidence: Vec<Evidence>,
}

/// What a diagnosis rests on: the files and layers of its cited lines and
/// the clock its order was judged on. A diagnosis from partial evidence (one
/// file, one layer, no absolute time) says so here.
#[derive(Clone, Debug, Serialize)]
pub struct Basis {
    /// Files of the cited lines.
    pub files: Vec<String>,
    /// Layers (signature components: kernel, multipath, qemu, host…).
    pub layers: Vec<String>,
    /// `utc`, `since-boot` (one boot of one host), `line-order` (one file)
    /// or `unknown` (one step, or no clock shared).
    pub order: &'static str,
}

/// One concluded root cause.
#[derive(Clone, Debug, Serialize)]
pub struct Diagnosis {
    /// The cause id (`multipath-path-loss`…): part of the JSON contract.
    pub cause: String,
    pub title: String,
    /// 0.0–1.0.
    pub confidence: f64,
    /// `high` (≥ 0.75), `medium` (≥ 0.5) or `low`.
    pub confidence_label: &'static str,
    pub host: Option<String>,
    pub summary: String,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    /// Steps found, in the cause's order.
    pub chain: Vec<ChainStep>,
    pub basis: Basis,
    /// Entities of the chain by kind (`maps`, `devices`, `volumes`…).
    pub entities: BTreeMap<String, Vec<String>>,
    /// Every cited line, in time order.
    pub evidence: Vec<Evidence>,
    pub contributing: Vec<Contributing>,
    /// Steps of the cause with no evidence, by meaning.
    pub missing: Vec<String>,
    /// Error-level events on the same host and time that no step explains.
    pub unexplained: Vec<Evidence>,
    /// What to collect to confirm (given when steps are missing).
    pub collect: Vec<Action>,
    pub remediation: Vec<Action>,
    pub prevention: Vec<Action>,
    pub references: Vec<String>,
}

/// Something worth saying that is not a diagnosis: benign errors, and the
/// checks of host state (a disk's error log, a leftover map, a risky
/// setting) with their fix.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub id: String,
    pub severity: &'static str,
    pub text: String,
    pub count: u64,
    pub evidence: Vec<Evidence>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fix: Vec<Action>,
}

/// A host-state fact as the engine receives it: the file it was read from,
/// the host it describes, and the fact (a JSON object with `type`).
#[derive(Clone, Debug)]
pub struct HostFact<'a> {
    pub file: &'a str,
    pub host: Option<&'a str>,
    pub fact: &'a rootline_hoststate::Fact,
}

/// A host-state check as the engine receives it: the file it was read from,
/// the host it describes, and the check.
#[derive(Clone, Debug)]
pub struct HostCheck<'a> {
    pub file: &'a str,
    pub host: Option<&'a str>,
    pub check: &'a rootline_hoststate::Check,
}

/// The engine's result.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Outcome {
    /// Best first; empty when nothing is wrong.
    pub diagnoses: Vec<Diagnosis>,
    pub findings: Vec<Finding>,
}
