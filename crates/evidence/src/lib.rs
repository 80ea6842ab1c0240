//! Evidence sources: everything rootline can be pointed at, turned into a
//! stream of readable inputs.
//!
//! CONTRACT STUB — to be implemented. Signatures and docs are the contract.
//!
//! A user names paths: files, directories, sosreport directories, sosreport
//! archives (`.tar.xz`, `.tar.gz`/`.tgz`, `.tar`, `.tar.zst`), compressed
//! rotated logs (`.gz`, `.xz`, `.zst`) or `-` for stdin. [`collect`] walks
//! them and calls the visitor once per regular file with a decompressed
//! reader. It never extracts anything to disk, never writes anywhere, never
//! panics on bad input, and never stops the whole run for one bad file:
//! everything it passes over is listed in [`Collection::not_read`] with the
//! reason.
//!
//! Invariants:
//! - Symlinks inside a root are never followed out of it. A link whose
//!   target stays inside the root names a file that is read anyway under its
//!   own path: it is recorded in [`Root::aliases`], not read twice. Links
//!   that point outside the root, dangle, or loop are listed in `not_read`.
//!   A link named explicitly on the command line is followed (the user asked).
//! - "Symlink stubs" — small regular files whose whole content is a relative
//!   path (what a git checkout without symlink support leaves of a sosreport's
//!   `date -> sos_commands/date/date`) — are treated like the symlinks they
//!   stand for.
//! - Archive members are streamed in archive order. A member whose path is
//!   absolute or escapes the archive root (`../../x`) is listed, not read. A
//!   truncated or corrupt archive yields every member read before the damage
//!   plus a `not_read` entry saying where it broke.
//! - Memory does not depend on input size: readers are streams.
//!
//! Directory roots are read in parallel (rayon); the members of one archive
//! are read in order on one thread (the decompressor sets the pace anyway).

use std::io::Read;

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// What kind of thing a root is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RootKind {
    /// A single file named on the command line.
    File,
    /// A directory that is not a sosreport.
    Directory,
    /// A sosreport directory (has `sos_commands/` and/or `sos_reports/manifest.json`).
    SosreportDir,
    /// A sosreport (or any tar) archive, read as a stream.
    Archive,
    /// Standard input.
    Stdin,
}

/// A value and where it came from, in words an operator can check.
#[derive(Clone, Debug)]
pub struct Sourced<T> {
    pub value: T,
    pub from: String,
}

/// Facts about a root that anchor its clock. Filled from the well-known
/// files of a sosreport (or a collected bundle) while walking it:
/// `sos_commands/date/date` / `date_--utc` / `date` (root link) /
/// `sos_commands/general/date`, `etc/localtime` (TZif bytes, or the zone name
/// of its link target such as `../usr/share/zoneinfo/Etc/UTC`),
/// `sos_commands/systemd/timedatectl` (`Time zone: Asia/Seoul (KST, +0900)`),
/// `etc/timezone`, `proc/uptime` (exact seconds) or the `uptime` output,
/// `proc/stat` (`btime`), `etc/hostname` / `sos_commands/host/hostname`.
#[derive(Clone, Debug, Default)]
pub struct Anchors {
    /// When the evidence was collected.
    pub collected_at: Option<Sourced<Timestamp>>,
    /// The host's time zone.
    pub zone: Option<Sourced<TimeZone>>,
    /// When the host booted (the boot current at collection time).
    pub boot_time: Option<Sourced<Timestamp>>,
    /// The host's name.
    pub hostname: Option<Sourced<String>>,
}

/// One root named by the user, after walking it.
#[derive(Clone, Debug)]
pub struct Root {
    /// The path as the user gave it (`-` for stdin).
    pub display: String,
    pub kind: RootKind,
    pub anchors: Anchors,
    /// Links (and symlink stubs) inside the root whose target was read under
    /// its own name: `(link path, target path)`, both as displayed.
    pub aliases: Vec<(String, String)>,
}

/// Something that was not read, and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct NotRead {
    /// The path as displayed (archive members as `archive!member`).
    pub path: String,
    /// Why, in words: `symlink points outside the report (/etc/foo)`,
    /// `dangling symlink`, `symlink loop`, `permission denied`,
    /// `archive truncated: unexpected end of file after 412 members`,
    /// `member path escapes the archive (../../x)`, `not a regular file (fifo)`,
    /// `corrupt gzip stream after 1.2 MiB`, `binary content`…
    pub reason: String,
}

/// One readable input handed to the visitor.
pub struct Input<'a> {
    /// The path as the user will see it in reports: relative paths inside a
    /// directory root are shown joined to the root as given
    /// (`sosreport-x/var/log/kern.log`); archive members as
    /// `sosreport-x.tar.xz!sosreport-x/var/log/kern.log`; compressed files
    /// keep their name (`nova-compute.log.1.gz`).
    pub display: String,
    /// The path relative to the root, with compression suffixes removed
    /// (`var/log/nova/nova-compute.log.1`): a hint for format detection.
    pub rel_path: String,
    /// Index of the root in [`Collection::roots`] this input belongs to.
    pub root: usize,
    /// Modification time, if known (file system or tar header).
    pub mtime: Option<Timestamp>,
    /// Decompressed content. Reading may fail midway (truncated gzip, I/O
    /// error): the visitor reports that through its return value.
    pub reader: &'a mut dyn Read,
}

/// What the visitor says about an input after reading it.
pub enum Visited {
    /// Read (wholly or in part; partial reads are the visitor's to report).
    Read,
    /// Not read, with the reason (e.g. `binary content`); goes to `not_read`.
    Skipped(String),
}

/// Options for [`collect`].
#[derive(Clone, Debug)]
pub struct Options {
    /// How deep directory walks go before giving up (listed in `not_read`).
    pub max_depth: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options { max_depth: 64 }
    }
}

/// The result of walking every root.
#[derive(Clone, Debug, Default)]
pub struct Collection {
    pub roots: Vec<Root>,
    pub not_read: Vec<NotRead>,
}

/// Walk `paths` (`-` = stdin) and call `visit` for every regular file, with
/// its content decompressed. The visitor may be called from several threads
/// at once. Paths that do not exist or cannot be opened are listed in
/// `not_read`, not returned as errors.
pub fn collect(
    paths: &[String],
    opts: &Options,
    visit: &(dyn Fn(Input<'_>) -> Visited + Sync),
) -> Collection {
    let _ = (paths, opts, visit);
    todo!()
}
