//! Evidence sources: everything rootline can be pointed at, turned into a
//! stream of readable inputs.
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
//!
//! Roots are created in a deterministic order: the paths as given, then,
//! inside a plain directory, nested sosreport directories in listing order,
//! then archives found in the directory (walked after its plain files),
//! then archives nested in archives as the stream reaches them. An archive
//! found inside a sosreport directory is no new root: its members
//! (`report/x.tar.xz!member`) belong to the report's root and clock.

mod anchors;
mod archive;
mod resolve;
mod sniff;
mod walk;

use std::io::{self, Read};

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
    /// Standard input (a stream, or a tar archive whose members are shown
    /// as `-!member`).
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
    /// its own name: `(link path, target path)`, both as displayed. Tar hard
    /// links are listed here too.
    pub aliases: Vec<(String, String)>,
}

/// Something that was not read, and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct NotRead {
    /// The path as displayed (archive members as `archive!member`).
    pub path: String,
    /// Why, in words: `symlink points outside the report (/etc/foo)`,
    /// `dangling symlink (../x)`, `dangling symlink stub (../usr/lib/os-release)`,
    /// `symlink loop (a)`, `no such file or directory`, `permission denied`,
    /// `archive truncated or corrupt after 412 members: premature eof`,
    /// `member path escapes the archive (../../x)`, `not a regular file (fifo)`,
    /// `not xz data, although the name ends in .tar.xz`, `binary content`…
    /// A cut or corrupt compressed *file* is not listed here by this crate:
    /// its reader returns the error to the visitor, which reports it.
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
    /// Inside a sosreport (directory or archive, whose single top directory
    /// is dropped) it is relative to the report; for a file named on the
    /// command line it is the path as given; for stdin, `-`.
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

/// A stream handed over in-process, read as one root under a name of the
/// caller's choosing: `rootline analyze --live` pipes the bundle it is
/// collecting straight in, as `live:<host>`, so nothing touches the disk.
/// A tar stream (compressed or not) is an [`RootKind::Archive`] root, read
/// like a sosreport archive; anything else is one file.
pub struct Stream<'a> {
    /// How the root and its members are shown (`live:compute-07!…`).
    pub name: String,
    pub reader: Box<dyn Read + 'a>,
}

/// Walk `paths` (`-` = stdin) and call `visit` for every regular file, with
/// its content decompressed. The visitor may be called from several threads
/// at once. Paths that do not exist or cannot be opened are listed in
/// `not_read`, not returned as errors.
///
/// A path that cannot be read at all gets no [`Root`], only its `not_read`
/// entry. A directory holding exactly one sosreport directory (an unpacked
/// archive's parent) is itself a [`RootKind::SosreportDir`] whose `rel_path`s
/// start inside the report; a plain directory holding sosreport directories
/// or archives deeper down gets one extra root for each of them (archives
/// inside a sosreport directory stay part of the report's root).
pub fn collect(
    paths: &[String],
    opts: &Options,
    visit: &(dyn Fn(Input<'_>) -> Visited + Sync),
) -> Collection {
    collect_with_streams(paths, Vec::new(), opts, visit)
}

/// [`collect`], then each of `streams` as a root of its own, in order,
/// read on this thread as its bytes arrive.
pub fn collect_with_streams(
    paths: &[String],
    streams: Vec<Stream<'_>>,
    opts: &Options,
    visit: &(dyn Fn(Input<'_>) -> Visited + Sync),
) -> Collection {
    let mut col = Collector {
        visit,
        opts: opts.clone(),
        roots: Vec::new(),
        not_read: Vec::new(),
    };
    let mut stdin_used = false;
    for path in paths {
        if path == "-" {
            if stdin_used {
                col.skip("-", "standard input named more than once");
            } else {
                stdin_used = true;
                let stdin = io::stdin();
                stream_root(&mut col, Box::new(stdin.lock()), "-", RootKind::Stdin, None);
            }
            continue;
        }
        collect_path(&mut col, path);
    }
    for stream in streams {
        stream_root(&mut col, stream.reader, &stream.name, RootKind::File, None);
    }
    col.finish()
}

/// The visitor, shareable across threads.
pub(crate) type VisitFn<'v> = &'v (dyn Fn(Input<'_>) -> Visited + Sync);

/// A root being built: its anchors are resolved from `facts` at the end,
/// and only if it turned out to be a sosreport.
pub(crate) struct RootBuild {
    pub(crate) root: Root,
    pub(crate) facts: Vec<anchors::Fact>,
    pub(crate) sos: bool,
}

pub(crate) struct Collector<'v> {
    pub(crate) visit: VisitFn<'v>,
    pub(crate) opts: Options,
    pub(crate) roots: Vec<RootBuild>,
    pub(crate) not_read: Vec<NotRead>,
}

impl Collector<'_> {
    pub(crate) fn add_root(&mut self, display: &str, kind: RootKind) -> usize {
        self.roots.push(RootBuild {
            root: Root {
                display: display.to_string(),
                kind,
                anchors: Anchors::default(),
                aliases: Vec::new(),
            },
            facts: Vec::new(),
            sos: kind == RootKind::SosreportDir,
        });
        self.roots.len() - 1
    }

    pub(crate) fn skip(&mut self, path: impl Into<String>, reason: impl Into<String>) {
        self.not_read.push(NotRead {
            path: path.into(),
            reason: reason.into(),
        });
    }

    fn finish(self) -> Collection {
        let roots = self
            .roots
            .into_iter()
            .map(|b| {
                let mut root = b.root;
                if b.sos {
                    root.anchors = anchors::resolve(&b.facts);
                }
                root
            })
            .collect();
        Collection {
            roots,
            not_read: self.not_read,
        }
    }
}

/// A path from the command line that is not `-`.
fn collect_path(col: &mut Collector<'_>, path: &str) {
    // `metadata` follows links: a link named on the command line is what
    // the user asked for.
    let md = match std::fs::metadata(path) {
        Ok(md) => md,
        Err(e) => return col.skip(path, describe(&e)),
    };
    if md.is_dir() {
        return walk::walk_root(col, path);
    }
    if let Some(what) = walk::special_kind(&md.file_type())
        && !matches!(what, "fifo" | "character device")
    {
        // Fifos and character devices (`<(zcat …)`, `/dev/stdin`) are
        // streams the user chose to hand over; a disk or socket is not.
        return col.skip(path, format!("not a regular file ({what})"));
    }
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return col.skip(path, describe(&e)),
    };
    let mtime = md.modified().ok().and_then(|t| Timestamp::try_from(t).ok());
    stream_root(col, Box::new(file), path, RootKind::File, mtime);
}

/// A root that is one stream: a file, stdin. It may turn out to be an
/// archive (then the root is an [`RootKind::Archive`], except for stdin).
fn stream_root(
    col: &mut Collector<'_>,
    source: Box<dyn Read + '_>,
    display: &str,
    kind: RootKind,
    mtime: Option<Timestamp>,
) {
    match sniff::open(source, display) {
        sniff::Opened::Refused(reason) => col.skip(display, reason),
        sniff::Opened::Tar { reader } => {
            let kind = if kind == RootKind::Stdin {
                RootKind::Stdin
            } else {
                RootKind::Archive
            };
            let idx = col.add_root(display, kind);
            archive::walk(col, Box::new(reader), display, idx, true, 0);
        }
        sniff::Opened::Content { mut reader, layers } => {
            let idx = col.add_root(display, kind);
            let rel_path = sniff::strip_compression_suffix(display, layers);
            let mut facts = Vec::new();
            if let Some(skipped) = deliver(
                col.visit,
                Delivery {
                    display: display.to_string(),
                    rel_path,
                    root: idx,
                    mtime,
                    anchor_key: None,
                },
                &mut reader,
                &mut facts,
            ) {
                col.not_read.push(skipped);
            }
        }
    }
}

/// Where a content stream goes.
pub(crate) struct Delivery<'k> {
    pub(crate) display: String,
    pub(crate) rel_path: String,
    pub(crate) root: usize,
    pub(crate) mtime: Option<Timestamp>,
    /// The path inside a sosreport, when the stream might be an anchor file.
    pub(crate) anchor_key: Option<&'k str>,
}

/// Hands one stream to the visitor, after tapping anchor facts from its
/// first bytes (which the visitor then reads again from memory).
pub(crate) fn deliver(
    visit: VisitFn<'_>,
    d: Delivery<'_>,
    reader: &mut sniff::Replay<'_>,
    facts: &mut Vec<anchors::Fact>,
) -> Option<NotRead> {
    if let Some(key) = d.anchor_key
        && let Some(cap) = anchors::wanted(key)
    {
        reader.fill_to(cap);
        facts.extend(anchors::parse(key, reader.head()));
    }
    let display = d.display;
    let outcome = visit(Input {
        display: display.clone(),
        rel_path: d.rel_path,
        root: d.root,
        mtime: d.mtime,
        reader,
    });
    match outcome {
        Visited::Read => None,
        Visited::Skipped(reason) => Some(NotRead {
            path: display,
            reason,
        }),
    }
}

/// An I/O error in the words `not_read` uses.
pub(crate) fn describe(e: &io::Error) -> String {
    // ELOOP has no stable ErrorKind yet.
    const ELOOP: i32 = 40;
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ if e.raw_os_error() == Some(ELOOP) => "symlink loop".to_string(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn a_stream_carrying_a_bundle_is_an_archive_root_with_anchors() {
        let mut b = tar::Builder::new(Vec::new());
        let mut add = |path: &str, data: &[u8]| {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            b.append_data(&mut h, path, data).unwrap_or_default();
        };
        add(
            "rootline-c7-20240502T101112Z/sos_commands/host/hostname",
            b"compute-07\n",
        );
        add("rootline-c7-20240502T101112Z/var/log/kern.log", b"x\n");
        let bytes = b.into_inner().unwrap_or_default();
        let seen = Mutex::new(Vec::new());
        let visit = |input: Input<'_>| {
            if let Ok(mut v) = seen.lock() {
                v.push((input.display.clone(), input.rel_path.clone()));
            }
            Visited::Read
        };
        let col = collect_with_streams(
            &[],
            vec![Stream {
                name: "live:compute-07".into(),
                reader: Box::new(&bytes[..]),
            }],
            &Options::default(),
            &visit,
        );
        assert_eq!(col.roots.len(), 1);
        assert_eq!(col.roots[0].kind, RootKind::Archive);
        assert_eq!(col.roots[0].display, "live:compute-07");
        let host = col.roots[0]
            .anchors
            .hostname
            .as_ref()
            .map(|h| h.value.as_str());
        assert_eq!(host, Some("compute-07"));
        let seen = seen.into_inner().unwrap_or_default();
        assert_eq!(
            seen[1],
            (
                "live:compute-07!rootline-c7-20240502T101112Z/var/log/kern.log".to_string(),
                "var/log/kern.log".to_string()
            )
        );
    }

    #[test]
    fn stdin_carrying_a_tar() {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(3);
        h.set_mode(0o644);
        if b.append_data(&mut h, "top/var/log/x.log", &b"hi\n"[..])
            .is_err()
        {
            panic!("tar");
        }
        let bytes = b.into_inner().unwrap_or_default();
        let seen = Mutex::new(Vec::new());
        let visit = |input: Input<'_>| {
            if let Ok(mut v) = seen.lock() {
                v.push((input.display.clone(), input.rel_path.clone(), input.root));
            }
            Visited::Read
        };
        let mut col = Collector {
            visit: &visit,
            opts: Options::default(),
            roots: Vec::new(),
            not_read: Vec::new(),
        };
        stream_root(
            &mut col,
            Box::new(io::Cursor::new(bytes)),
            "-",
            RootKind::Stdin,
            None,
        );
        let c = col.finish();
        assert_eq!(c.roots[0].kind, RootKind::Stdin);
        assert!(c.not_read.is_empty(), "{:?}", c.not_read);
        let v = seen.into_inner().unwrap_or_default();
        assert_eq!(
            v,
            vec![(
                "-!top/var/log/x.log".to_string(),
                "var/log/x.log".to_string(),
                0
            )]
        );
    }

    #[test]
    fn stdin_like_stream_of_a_gzipped_log() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"line one\nline two\n").expect("gzip");
        let bytes = gz.finish().expect("gzip");
        let seen = Mutex::new(Vec::new());
        let visit = |input: Input<'_>| {
            let mut s = String::new();
            // Bounded: a test stream of a few bytes.
            #[allow(clippy::disallowed_methods)]
            let ok = input.reader.take(1 << 20).read_to_string(&mut s).is_ok();
            if let Ok(mut v) = seen.lock() {
                v.push((input.display.clone(), input.rel_path.clone(), s, ok));
            }
            Visited::Read
        };
        let mut col = Collector {
            visit: &visit,
            opts: Options::default(),
            roots: Vec::new(),
            not_read: Vec::new(),
        };
        stream_root(
            &mut col,
            Box::new(io::Cursor::new(bytes)),
            "-",
            RootKind::Stdin,
            None,
        );
        let c = col.finish();
        assert_eq!(c.roots.len(), 1);
        assert_eq!(c.roots[0].kind, RootKind::Stdin);
        let v = seen.into_inner().unwrap_or_default();
        assert_eq!(
            v,
            vec![(
                "-".to_string(),
                "-".to_string(),
                "line one\nline two\n".to_string(),
                true
            )]
        );
    }
}
