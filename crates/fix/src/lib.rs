//! `rootline fix`: the cleanup the seeds did by hand — `multipath -f`,
//! deleting SCSI devices, `dmsetup remove`, detaching loop devices — as a
//! plan with the exact commands and the safety check before each step.
//!
//! - [`plan`] finds the stale devices of a host (through a [`Probe`]) and
//!   makes every check now; nothing is changed. This is the default.
//! - [`apply`] performs a plan through an [`Executor`], re-checking each
//!   step's preconditions right before it, stopping at the first failure,
//!   appending every action and outcome to an audit log. Running it twice is
//!   harmless: what was cleaned up is no longer stale, so it is no longer in
//!   the plan, and a step whose device is gone is refused, not repeated.
//! - A check that fails or cannot be made (not root, a query that hangs, no
//!   recorded output) refuses the target with the reason.
//! - Every reason (a check's verdict, a refusal, a plan note, an outcome) is
//!   a [`rootline_model::Text`], written in English and Korean where it is
//!   made; the system's own words (an error, a command's stderr) stay
//!   verbatim inside it. The audit log records the English.
//!
//! The planner reads nothing itself: probes are the live host (sysfs,
//! procfs, commands with timeouts), a `--root` tree with recorded outputs,
//! or a simulated host in tests.

mod apply;
mod host;
mod plan;
pub mod probe;
mod render;

pub use apply::{Applied, ItemOutcome, apply};
pub use host::{Host, is_root};
pub use plan::{Checked, Item, Plan, Safety, Step, Target, TargetKind, Verdict, discover, plan};
pub use probe::{BlockDev, CmdOutput, CmdStatus, Executor, Mount, Openers, Probe, Task};
pub use render::{Lang, confirm_prompt, render_applied, render_plan};

/// What can fail here: a probe that cannot answer (the planner words it
/// into an unknown verdict and refuses the target), or an audit log that
/// cannot be written (which stops [`apply`]).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The live host (or `--root` tree) could not be read.
    #[error(transparent)]
    Live(#[from] rootline_live::Error),
    /// A file or directory of the host could not be read.
    #[error("{path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Nothing under `sys/block` could be read (the first reason).
    #[error("{path}: {reason}")]
    Unreadable { path: String, reason: String },
    /// The audit log could not be written.
    #[error(transparent)]
    Audit(std::io::Error),
}

#[cfg(test)]
mod tests;
