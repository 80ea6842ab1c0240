//! The live host: evidence gathered on the machine rootline runs on (or
//! from a tree laid out like `/`, `--root DIR`), safely.
//!
//! - [`run`]: commands that may hang, each in its own killable process
//!   group with a timeout; a timed-out command is itself evidence.
//! - [`sys`]: a snapshot of block devices, mounts, swaps, FUSE connections
//!   and tasks read from sysfs and procfs text files only.
//! - [`collect`]: a tar bundle in sosreport layout that `rootline analyze`
//!   reads like a sosreport, with secrets redacted ([`redact`]).
//!
//! Invariants:
//! - rootline never enters D state because of what it reads: it never opens
//!   a block device and never stats or opens a file on a mount that may be
//!   dead. Names come from sysfs strings and `/proc/*/fd` link targets.
//!   Everything that can block (storage commands) runs in a child process
//!   that is killed, or abandoned, at its timeout.
//! - Nothing is written except the bundle asked for: no temporary files.
//! - Memory is bounded: command outputs, logs and files are capped.

pub mod collect;
pub mod kmsg;
pub mod redact;
pub mod run;
pub mod sys;

pub use run::{Outcome, RunOptions, Status, run};

/// What can stop a live collection as a whole (single unreadable files and
/// failing commands are recorded in the bundle, not returned as errors).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write the bundle: {0}")]
    Write(#[source] std::io::Error),
}
