//! The scanner: evidence in, typed and time-ordered events out.
//!
//! [`analyze`] walks the evidence (`rootline-evidence`), recognises each
//! file's format (`rootline-parse`), finds signature matches with the
//! compiled catalog (`rootline-catalog`) in one pass per file, and puts every
//! event on one clock ([`clock`]).
//!
//! Invariants:
//! - Nothing is silently skipped: every input is either in
//!   [`Analysis::files`] with its format, or in [`Analysis::not_read`] with
//!   the reason.
//! - Memory does not grow with input size: each file is read through a fixed
//!   buffer, over-long lines are cut, and matches of one signature in one file
//!   beyond [`Config::max_events_per_signature`] fold into a repeat count.
//! - Time stamps are parsed only for matched lines, their blocks, and a few
//!   anchor lines (a file's last stamped line; the stamp an unstamped match
//!   borrows).

mod clock;
mod file;
mod frames;

use std::sync::Mutex;
use std::sync::atomic::AtomicU64;

use jiff::tz::TimeZone;
use rootline_catalog::Matcher;
use rootline_evidence::{Input, NotRead, RootKind, Visited};
use rootline_model::Event;

pub use clock::ClockInfo;

/// Scanner settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// The zone for stamps without one, overriding the evidence's
    /// (`--tz`): the zone and its name.
    pub tz: Option<(TimeZone, String)>,
    /// Lines are cut to this many bytes (and flagged).
    pub max_line: usize,
    /// Matches of one signature about one thing (same device, map,
    /// volume…) in one file kept in full; later ones are counted on the last
    /// kept event.
    pub max_events_per_signature: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            tz: None,
            max_line: 64 * 1024,
            max_events_per_signature: 20,
        }
    }
}

/// One input that was read.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FileSummary {
    pub path: String,
    /// The detected format (`syslog`, `dmesg`, `oslo`, `plain`…).
    pub format: &'static str,
    pub bytes: u64,
    pub lines: u64,
    /// Events matched in it (counting folded repeats).
    pub events: u64,
    /// Lines longer than the line limit, cut.
    #[serde(skip_serializing_if = "is_zero")]
    pub long_lines: u64,
    /// Reading stopped early, and why (the lines before were read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial: Option<String>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One root the user named.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RootSummary {
    pub path: String,
    /// `file`, `directory`, `sosreport`, `archive` or `stdin`.
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    pub clock: ClockInfo,
    /// Links inside the root whose target was read under its own name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<(String, String)>,
}

/// Host state read from one file (a command output or configuration file).
#[derive(Clone, Debug, serde::Serialize)]
pub struct HostFile {
    pub path: String,
    /// Index of the root it belongs to.
    pub root: usize,
    /// The host it describes (the root's host name), if known.
    pub host: Option<String>,
    #[serde(flatten)]
    pub state: rootline_hoststate::HostState,
}

/// The scanner's result.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// Host state from recognised command outputs and configuration files.
    pub host: Vec<HostFile>,
    pub roots: Vec<RootSummary>,
    pub files: Vec<FileSummary>,
    pub not_read: Vec<NotRead>,
    /// Time-ordered: known UTC times first, then seconds since an unknown
    /// boot, then events without a time.
    pub events: Vec<Event>,
}

fn kind_name(k: RootKind) -> &'static str {
    match k {
        RootKind::File => "file",
        RootKind::Directory => "directory",
        RootKind::SosreportDir => "sosreport",
        RootKind::Archive => "archive",
        RootKind::Stdin => "stdin",
    }
}

/// Scan `paths` (`-` = stdin) with `matcher`. `progress`, if given, is
/// advanced by the number of bytes read, for a progress display.
pub fn analyze(
    paths: &[String],
    matcher: &Matcher,
    cfg: &Config,
    progress: Option<&AtomicU64>,
) -> Analysis {
    analyze_with_streams(paths, Vec::new(), matcher, cfg, progress)
}

/// [`analyze`], plus in-process streams each read as a root of its own
/// (`rootline analyze --live` hands over the bundle it is collecting).
pub fn analyze_with_streams(
    paths: &[String],
    streams: Vec<rootline_evidence::Stream<'_>>,
    matcher: &Matcher,
    cfg: &Config,
    progress: Option<&AtomicU64>,
) -> Analysis {
    let scans = Mutex::new(Vec::new());
    let visit = |input: Input<'_>| -> Visited {
        let Input {
            display,
            rel_path,
            root,
            mtime,
            reader,
        } = input;
        match file::scan_reader(
            reader, display, rel_path, root, mtime, matcher, cfg, progress,
        ) {
            file::Outcome::Scanned(f) => {
                scans.lock().unwrap_or_else(|e| e.into_inner()).push(*f);
                Visited::Read
            }
            file::Outcome::Skipped(why) => Visited::Skipped(why),
        }
    };
    let collection =
        rootline_evidence::collect_with_streams(paths, streams, &Default::default(), &visit);
    let mut scans = scans.into_inner().unwrap_or_else(|e| e.into_inner());
    // Parallel reading finishes in any order; reports must not.
    scans.sort_by(|a, b| a.display.cmp(&b.display));

    let clocks = clock::root_clocks(&collection.roots, &scans, cfg.tz.as_ref());
    let events = clock::resolve_all(&scans, &collection.roots, &clocks, matcher);

    let files = scans
        .iter()
        .map(|f| FileSummary {
            path: f.display.clone(),
            format: f.format.name(),
            bytes: f.bytes,
            lines: f.lines,
            events: f.events.iter().map(|e| 1 + e.repeats).sum(),
            long_lines: f.long_lines,
            partial: f.error.clone(),
        })
        .collect();
    let roots = collection
        .roots
        .iter()
        .zip(clocks)
        .map(|(r, c)| RootSummary {
            path: r.display.clone(),
            kind: kind_name(r.kind),
            hostname: r.anchors.hostname.as_ref().map(|h| h.value.clone()),
            clock: c.info,
            aliases: r.aliases.clone(),
        })
        .collect();
    let host: Vec<HostFile> = scans
        .iter_mut()
        .filter_map(|f| {
            let state = f.host.take()?;
            Some(HostFile {
                path: f.display.clone(),
                root: f.root,
                host: collection
                    .roots
                    .get(f.root)
                    .and_then(|r| r.anchors.hostname.as_ref())
                    .map(|h| h.value.clone()),
                state,
            })
        })
        .collect();
    let host = cross_check(host);
    let mut not_read = collection.not_read;
    not_read.sort_by(|a, b| a.path.cmp(&b.path));
    Analysis {
        host,
        roots,
        files,
        not_read,
        events,
    }
}

/// The host-level pass: checks that need several files of one evidence root
/// (qemu.conf's user against a share listing's modes, cinder.conf against
/// the indicator on the share…). A new check joins the file of its first
/// cited line, so the engine and the reports take it like any other; the
/// single-file checks it replaces are dropped.
fn cross_check(mut host: Vec<HostFile>) -> Vec<HostFile> {
    let mut roots: Vec<usize> = host.iter().map(|h| h.root).collect();
    roots.sort_unstable();
    roots.dedup();
    for root in roots {
        let idx: Vec<usize> = (0..host.len()).filter(|&i| host[i].root == root).collect();
        let crossed = {
            let files: Vec<(&str, &rootline_hoststate::HostState)> = idx
                .iter()
                .map(|&i| (host[i].path.as_str(), &host[i].state))
                .collect();
            rootline_hoststate::cross_check(&files)
        };
        for (fi, id) in &crossed.superseded {
            if let Some(&i) = idx.get(*fi) {
                host[i].state.checks.retain(|c| &c.id != id);
            }
        }
        for c in crossed.checks {
            let first = c.evidence.first().and_then(|e| e.file.clone());
            let at = idx
                .iter()
                .copied()
                .find(|&i| Some(&host[i].path) == first.as_ref())
                .or_else(|| idx.first().copied());
            if let Some(i) = at {
                host[i].state.checks.push(c);
            }
        }
    }
    host
}
