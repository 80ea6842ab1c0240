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
pub use render::{Lang, render_applied, render_plan};

#[cfg(test)]
mod tests;
