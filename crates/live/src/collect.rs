//! The bundle: a tar stream in sosreport layout that `rootline analyze`
//! reads like a sosreport.
//!
//! ```text
//! rootline-<host>-<YYYYMMDDTHHMMSSZ>/
//!   sos_commands/<plugin>/<command with _ for spaces and . for />   outputs
//!   sos_commands/kernel/dmesg          /dev/kmsg as dmesg prints it
//!   sos_commands/date/date             rootline's clock (UTC), the anchor
//!   sos_commands/host/hostname
//!   sos_commands/rootline/block.json   sys snapshot: devices, mounts, swaps, fuse
//!   sos_commands/rootline/tasks.json   sys snapshot: tasks
//!   etc/…, proc/…, var/log/…, run/libvirt/qemu/*.xml   copies
//!   sos_reports/manifest.json          what ran, how long, how it ended;
//!                                      what was skipped and redacted
//! ```
//!
//! Why a stream and exact sizes: the bundle goes to a file, through xz, or
//! through an in-process pipe straight into the evidence reader
//! (`analyze --live`), never to a temporary file. A tar header needs the
//! member's size first, and redaction changes sizes, so a log is read
//! twice (once to measure the redacted form, once to write it) up to the
//! length it had when first opened; if it shrank in between, the member is
//! padded with newlines to the promised size.
//!
//! Rotated logs packed with gzip, xz or zstd are unpacked, redacted and
//! stored under their plain name (`syslog.2.gz` → `syslog.2`, keeping its
//! modification time, which dates year-less syslog lines).
//!
//! With a `--root` other than `/`, no command is run (it would describe the
//! machine rootline runs on, not the tree) and `/dev/kmsg` is not read; the
//! manifest says so.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use serde::Serialize;

use crate::redact::{Counts, RedactingReader, Redactor};
use crate::run::{Outcome, RunOptions, Status, run};
use crate::sys::{self, Unreadable};
use crate::{Error, kmsg};

/// What to collect and how.
#[derive(Clone, Debug)]
pub struct Options {
    /// `/` for the live host, or a tree laid out like it.
    pub root: PathBuf,
    /// How far back journald and logs go (logs by modification time).
    pub since: Duration,
    /// Per command.
    pub timeout: Duration,
    /// Bytes kept of one command's output.
    pub max_command_output: usize,
    /// Bytes kept of the journal (the newest).
    pub max_journal: usize,
    /// Bytes kept of one log file (its end).
    pub max_log_file: u64,
    /// Bytes of logs in all; files beyond it are listed as skipped.
    pub max_logs_total: u64,
    /// Commands run at once.
    pub jobs: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            root: PathBuf::from("/"),
            since: Duration::from_secs(3 * 86400),
            timeout: Duration::from_secs(10),
            max_command_output: 8 << 20,
            max_journal: 64 << 20,
            max_log_file: 32 << 20,
            max_logs_total: 512 << 20,
            jobs: 4,
        }
    }
}

impl Options {
    /// Whether this is the machine rootline runs on (commands are run,
    /// `/dev/kmsg` is read).
    pub fn is_live(&self) -> bool {
        self.root == Path::new("/")
    }
}

/// One command in the manifest (the fields `crates/hoststate/src/sos.rs`
/// reads: `command`, `exec`, `filepath`, `return_code`, `run_time`; the
/// rest is rootline's).
#[derive(Clone, Debug, Serialize)]
pub struct CommandRecord {
    pub command: String,
    pub exec: String,
    /// Inside the bundle (relative to its top directory); `null` when
    /// nothing was written (not installed, could not start).
    pub filepath: Option<String>,
    pub return_code: i32,
    pub run_time: f64,
    pub timed_out: bool,
    #[serde(flatten)]
    pub status: Status,
    pub output_bytes: u64,
    pub output_cut: bool,
    /// ` `multipath -ll` did not answer in 10 s (killed) `.
    pub summary: String,
}

/// Secrets replaced in one member.
#[derive(Clone, Debug, Serialize)]
pub struct Redaction {
    pub file: String,
    pub count: u64,
    pub kinds: BTreeMap<&'static str, u64>,
}

/// Something not put in the bundle, and why.
#[derive(Clone, Debug, Serialize)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// What a collection did; also the `rootline` section of the manifest.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// The bundle's top directory.
    pub top: String,
    pub host: String,
    pub root: String,
    pub live: bool,
    pub uid: u32,
    pub user: Option<String>,
    pub started: String,
    pub finished: String,
    pub since_secs: u64,
    pub timeout_secs: f64,
    pub commands_run: bool,
    /// Plain-language notes: reduced evidence, commands not run, timeouts.
    pub notes: Vec<String>,
    pub redacted_total: u64,
    pub redacted: Vec<Redaction>,
    pub skipped: Vec<Skipped>,
    /// What the sysfs/procfs snapshot could not read.
    pub unreadable: Vec<Unreadable>,
    pub members: u64,
    /// Bytes of member data (before compression).
    pub bytes: u64,
    #[serde(skip)]
    pub commands: Vec<CommandRecord>,
}

/// The host's name: the kernel's on the live host, `etc/hostname` in a tree.
pub fn hostname(root: &Path) -> Option<String> {
    let from = if root == Path::new("/") {
        root.join("proc/sys/kernel/hostname")
    } else {
        root.join("etc/hostname")
    };
    let b = sys::read_capped(&from, 4096).ok()?;
    let name = String::from_utf8_lossy(&b)
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))?
        .to_string();
    (!name.is_empty()).then_some(name)
}

/// A name safe for a file name (`compute-01.example` stays).
fn safe_name(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect()
}

/// `rootline-<host>-<YYYYMMDDTHHMMSSZ>`.
pub fn default_name(host: &str, at: Timestamp) -> String {
    format!(
        "rootline-{}-{}",
        safe_name(host),
        at.strftime("%Y%m%dT%H%M%SZ")
    )
}

/// sos's file name for a command: spaces → `_`, `/` → `.`.
pub fn command_file_name(argv: &[&str]) -> String {
    argv.join(" ")
        .replace('/', ".")
        .replace(' ', "_")
        .chars()
        .take(200)
        .collect()
}

/// A command to run: the sos plugin it belongs to, its argv, and its options.
struct Job {
    plugin: &'static str,
    argv: Vec<String>,
    opts: RunOptions,
}

/// The commands of the host-state parsers, in sos's plugins and names.
fn jobs(opts: &Options, block: &[sys::BlockDevice], now: Timestamp, kmsg_ok: bool) -> Vec<Job> {
    let run = RunOptions {
        timeout: opts.timeout,
        max_output: opts.max_command_output,
        ..RunOptions::default()
    };
    let mut v: Vec<Job> = Vec::new();
    let mut add = |plugin: &'static str, argv: &[&str]| {
        v.push(Job {
            plugin,
            argv: argv.iter().map(|s| s.to_string()).collect(),
            opts: run.clone(),
        });
    };
    add("multipath", &["multipath", "-ll"]);
    add("multipath", &["multipathd", "show", "maps"]);
    add("multipath", &["multipathd", "show", "paths"]);
    add("devicemapper", &["dmsetup", "ls", "--tree"]);
    add("devicemapper", &["dmsetup", "info", "-c"]);
    add("devicemapper", &["dmsetup", "table"]);
    add("devicemapper", &["dmsetup", "status"]);
    // Pairs with NAME first (what the parser keys on; `-O` sorts the columns
    // alphabetically) and PKNAME for the stacking; columns util-linux has
    // had since 2.23.
    add(
        "block",
        &[
            "lsblk",
            "-P",
            "-o",
            "NAME,KNAME,PKNAME,MAJ:MIN,TYPE,SIZE,RO,RM,STATE,HCTL,TRAN,WWN,SERIAL,VENDOR,MODEL,FSTYPE,MOUNTPOINT",
        ],
    );
    add("block", &["losetup", "--list"]);
    add("iscsi", &["iscsiadm", "-m", "session", "-P", "3"]);
    add("process", &["ps", "auxwwwm"]);
    add("memory", &["free"]);
    add("process", &["top", "-b", "-n", "1"]);
    add("host", &["uptime"]);
    add("kernel", &["uname", "-a"]);
    add("libvirt", &["virsh", "-r", "list", "--all"]);
    if !kmsg_ok {
        add("kernel", &["dmesg"]);
    }
    // SMART only for physical disks that are up: an offline device answers
    // nothing, and virtual disks have no SMART.
    for d in block {
        let up = d
            .scsi
            .as_ref()
            .and_then(|s| s.state.as_deref())
            .is_none_or(|s| s == "running" || s == "live");
        let physical =
            (d.name.starts_with("sd") || d.name.starts_with("nvme")) && d.removable != Some(true);
        if !physical || !up {
            continue;
        }
        let dev = format!("/dev/{}", d.name);
        if d.name.starts_with("nvme") {
            add("nvme", &["nvme", "smart-log", &dev]);
        }
        add("ata", &["smartctl", "-a", &dev]);
    }
    // vmstat samples for two seconds by design: that is not a hang.
    v.push(Job {
        plugin: "memory",
        argv: ["vmstat", "1", "3"].iter().map(|s| s.to_string()).collect(),
        opts: RunOptions {
            timeout: run.timeout + Duration::from_secs(2),
            ..run.clone()
        },
    });
    // The journal: local time without a zone suffix is what every systemd
    // version accepts; the newest `max_journal` bytes are kept.
    let since = now
        .checked_sub(jiff::SignedDuration::try_from(opts.since).unwrap_or_default())
        .unwrap_or(now);
    let local = since
        .to_zoned(jiff::tz::TimeZone::system())
        .strftime("%Y-%m-%d %H:%M:%S")
        .to_string();
    v.push(Job {
        plugin: "logs",
        argv: vec![
            "journalctl".into(),
            "--no-pager".into(),
            "-o".into(),
            "short-iso-precise".into(),
            "--since".into(),
            local,
        ],
        opts: RunOptions {
            // Reading days of journal takes longer than a query.
            timeout: opts.timeout.saturating_mul(6),
            max_output: opts.max_journal,
            keep_tail: true,
            ..RunOptions::default()
        },
    });
    v
}

/// The name a journal file gets: its `--since` value is a date, which would
/// make names differ run to run.
fn job_file(job: &Job, since: Duration) -> String {
    if job.argv.first().map(String::as_str) == Some("journalctl") {
        return format!(
            "journalctl_--no-pager_-o_short-iso-precise_--since_-{}h",
            since.as_secs() / 3600
        );
    }
    let argv: Vec<&str> = job.argv.iter().map(String::as_str).collect();
    command_file_name(&argv)
}

/// Bytes that yield exactly `size` bytes: cut if the source grew, padded
/// with newlines if it shrank or failed midway (a tar member cannot be cut
/// short once its header is written).
struct Exact<R> {
    inner: R,
    left: u64,
    failed: bool,
}

impl<R: Read> Read for Exact<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let mut n = 0;
        while !self.failed {
            match self.inner.read(&mut buf[..want]) {
                Ok(k) => {
                    n = k;
                    break;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => self.failed = true,
            }
        }
        let n = if n == 0 {
            buf[..want].fill(b'\n');
            want
        } else {
            n
        };
        self.left -= n as u64;
        Ok(n)
    }
}

/// Writes members under the top directory.
struct Bundle<W: Write> {
    tar: tar::Builder<W>,
    top: String,
    now: Timestamp,
    redactor: Redactor,
    redacted: Vec<Redaction>,
    skipped: Vec<Skipped>,
    members: u64,
    bytes: u64,
}

fn mtime_of(md: &std::fs::Metadata) -> Option<u64> {
    md.modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs())
}

impl<W: Write> Bundle<W> {
    fn header(&self, size: u64, mtime: Option<u64>) -> tar::Header {
        let mut h = tar::Header::new_gnu();
        h.set_size(size);
        h.set_mode(0o644);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(mtime.unwrap_or_else(|| self.now.as_second().max(0) as u64));
        h.set_entry_type(tar::EntryType::Regular);
        h
    }

    fn path(&self, rel: &str) -> String {
        format!("{}/{}", self.top, rel.trim_start_matches('/'))
    }

    fn start(&mut self) -> Result<(), Error> {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Directory);
        h.set_mode(0o755);
        h.set_size(0);
        h.set_mtime(self.now.as_second().max(0) as u64);
        let p = format!("{}/", self.top);
        self.tar
            .append_data(&mut h, p, io::empty())
            .map_err(Error::Write)
    }

    /// A member from bytes already in hand (nothing redacted).
    fn raw(&mut self, rel: &str, data: &[u8], mtime: Option<u64>) -> Result<(), Error> {
        let mut h = self.header(data.len() as u64, mtime);
        let p = self.path(rel);
        self.tar
            .append_data(&mut h, p, data)
            .map_err(Error::Write)?;
        self.members += 1;
        self.bytes += data.len() as u64;
        Ok(())
    }

    fn note_redactions(&mut self, rel: &str, c: Counts) {
        if c.total > 0 {
            self.redacted.push(Redaction {
                file: rel.to_string(),
                count: c.total,
                kinds: c.kinds,
            });
        }
    }

    /// A member from bytes in hand, redacted.
    fn text(&mut self, rel: &str, data: &[u8], mtime: Option<u64>) -> Result<(), Error> {
        let mut c = Counts::default();
        let out = self.redactor.buffer(data, &mut c);
        self.note_redactions(rel, c);
        self.raw(rel, &out, mtime)
    }

    fn link(&mut self, rel: &str, target: &str) -> Result<(), Error> {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_mode(0o777);
        h.set_size(0);
        h.set_mtime(self.now.as_second().max(0) as u64);
        let p = self.path(rel);
        self.tar
            .append_link(&mut h, p, target)
            .map_err(Error::Write)?;
        self.members += 1;
        Ok(())
    }

    fn skip(&mut self, path: impl Into<String>, reason: impl Into<String>) {
        self.skipped.push(Skipped {
            path: path.into(),
            reason: reason.into(),
        });
    }

    /// A small file (procfs, configuration) read whole up to `cap`:
    /// procfs files say size 0, so their size is what reading gives.
    fn small(&mut self, root: &Path, rel: &str, cap: u64, redact: bool) -> Result<(), Error> {
        let src = root.join(rel);
        let md = match std::fs::symlink_metadata(&src) {
            Ok(md) => md,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => {
                self.skip(rel, sys::describe(&e));
                return Ok(());
            }
        };
        if md.file_type().is_symlink() {
            return match std::fs::read_link(&src) {
                Ok(t) => self.link(rel, &t.to_string_lossy()),
                Err(e) => {
                    self.skip(rel, sys::describe(&e));
                    Ok(())
                }
            };
        }
        if !md.is_file() {
            self.skip(rel, "not a regular file");
            return Ok(());
        }
        match sys::read_capped(&src, cap + 1) {
            Ok(mut b) => {
                if b.len() as u64 > cap {
                    b.truncate(cap as usize);
                    self.skip(rel, format!("cut at {} KiB", cap >> 10));
                }
                let mtime = mtime_of(&md);
                if redact {
                    self.text(rel, &b, mtime)
                } else {
                    self.raw(rel, &b, mtime)
                }
            }
            Err(e) => {
                self.skip(rel, sys::describe(&e));
                Ok(())
            }
        }
    }

    /// A log file: its last `cap` bytes (from a line start), redacted,
    /// streamed in two passes (three for a compressed one: its length is
    /// only known once decompressed). Returns the bytes written.
    fn log(&mut self, src: &Path, rel: &str, cap: u64) -> Result<u64, Error> {
        let f = match File::open(src) {
            Ok(f) => f,
            Err(e) => {
                self.skip(rel, sys::describe(&e));
                return Ok(0);
            }
        };
        let md = match f.metadata() {
            Ok(m) => m,
            Err(e) => {
                self.skip(rel, sys::describe(&e));
                return Ok(0);
            }
        };
        let packed = Packing::of(rel);
        let len = match packed {
            Packing::Plain => md.len(),
            _ => match open_log(&f, packed, 0, MAX_UNPACKED)
                .and_then(|mut r| io::copy(&mut r, &mut io::sink()))
            {
                Ok(n) => n,
                Err(e) => {
                    self.skip(rel, format!("cannot decompress: {}", sys::describe(&e)));
                    return Ok(0);
                }
            },
        };
        let start = len.saturating_sub(cap);
        let mut head = Vec::new();
        // Bounded by `take`.
        #[allow(clippy::disallowed_methods)]
        let sniffed = open_log(&f, packed, start, len - start)
            .and_then(|r| r.take(8192).read_to_end(&mut head));
        if sniffed.is_err() || head.contains(&0) {
            self.skip(rel, "binary content");
            return Ok(0);
        }
        let measure = || -> io::Result<(u64, Counts)> {
            let r = open_log(&f, packed, start, len - start)?;
            let mut r = RedactingReader::new(r, &self.redactor, start > 0);
            let n = io::copy(&mut r, &mut io::sink())?;
            Ok((n, r.counts))
        };
        let (size, counts) = match measure() {
            Ok(x) => x,
            Err(e) => {
                self.skip(rel, format!("read failed: {}", sys::describe(&e)));
                return Ok(0);
            }
        };
        if start > 0 {
            self.skip(
                rel,
                format!(
                    "only the last {} MiB were collected (of {} MiB)",
                    cap >> 20,
                    len >> 20
                ),
            );
        }
        let reader = match open_log(&f, packed, start, len - start) {
            Ok(r) => r,
            Err(e) => {
                self.skip(rel, format!("read failed: {}", sys::describe(&e)));
                return Ok(0);
            }
        };
        let exact = Exact {
            inner: RedactingReader::new(reader, &self.redactor, start > 0),
            left: size,
            failed: false,
        };
        // Stored unpacked (it was redacted), under its name without the
        // compression suffix.
        let name = packed.strip(rel);
        let mut h = self.header(size, mtime_of(&md));
        let p = self.path(name);
        self.tar
            .append_data(&mut h, p, exact)
            .map_err(Error::Write)?;
        self.members += 1;
        self.bytes += size;
        self.note_redactions(name, counts);
        Ok(size)
    }
}

/// How far a compressed log is unpacked at most (a bomb stops there).
const MAX_UNPACKED: u64 = 4 << 30;

/// How a rotated log is packed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Packing {
    Plain,
    Gzip,
    Xz,
    Zstd,
}

impl Packing {
    fn of(name: &str) -> Packing {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".gz") {
            Packing::Gzip
        } else if lower.ends_with(".xz") {
            Packing::Xz
        } else if lower.ends_with(".zst") {
            Packing::Zstd
        } else {
            Packing::Plain
        }
    }

    fn strip(self, name: &str) -> &str {
        let n = match self {
            Packing::Plain => 0,
            Packing::Gzip | Packing::Xz => 3,
            Packing::Zstd => 4,
        };
        &name[..name.len() - n]
    }
}

/// The log's (unpacked) bytes from `start`, at most `len` of them.
fn open_log<'f>(
    f: &'f File,
    packing: Packing,
    start: u64,
    len: u64,
) -> io::Result<Box<dyn Read + 'f>> {
    let mut f = f;
    if packing == Packing::Plain {
        f.seek(SeekFrom::Start(start))?;
        return Ok(Box::new(f.take(len)));
    }
    f.seek(SeekFrom::Start(0))?;
    let mut r: Box<dyn Read + 'f> = match packing {
        Packing::Gzip => Box::new(flate2::read::MultiGzDecoder::new(io::BufReader::new(f))),
        Packing::Xz => Box::new(liblzma::read::XzDecoder::new_multi_decoder(
            io::BufReader::new(f),
        )),
        _ => Box::new(zstd::stream::read::Decoder::new(f)?),
    };
    io::copy(&mut (&mut r).take(start), &mut io::sink())?;
    Ok(Box::new(r.take(len)))
}

/// A log found under `var/log`.
struct LogFile {
    rel: String,
    mtime: u64,
    len: u64,
}

/// Where a symlink in the tree points, as a path relative to the root, if
/// it stays under `var/log` (lexically: nothing is followed).
fn link_inside(link_rel: &str, target: &str) -> Option<String> {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        let mut p: Vec<&str> = link_rel.split('/').collect();
        p.pop();
        p
    };
    for c in target.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    let joined = parts.join("/");
    joined.starts_with("var/log/").then_some(joined)
}

/// `target` relative to the directory of `link_rel` (both root-relative).
fn relative_target(link_rel: &str, target_rel: &str) -> String {
    let from: Vec<&str> = link_rel.split('/').collect();
    let from = &from[..from.len().saturating_sub(1)];
    let to: Vec<&str> = target_rel.split('/').collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out: Vec<&str> = vec![".."; from.len() - common];
    out.extend(&to[common..]);
    out.join("/")
}

/// Packings not unpacked here (the others are: gz, xz, zst).
const COMPRESSED: &[&str] = &[".bz2", ".lz4", ".zip", ".lzma"];

/// Walks `<root>/var/log` without following links: text files modified in
/// the window, links that stay in the tree, and what was passed over.
fn find_logs(
    root: &Path,
    since: Timestamp,
    out: &mut Vec<LogFile>,
    links: &mut Vec<(String, String)>,
    skipped: &mut Vec<Skipped>,
) {
    let mut stack = vec![("var/log".to_string(), 0usize)];
    while let Some((rel, depth)) = stack.pop() {
        let rd = match std::fs::read_dir(root.join(&rel)) {
            Ok(rd) => rd,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => {
                skipped.push(Skipped {
                    path: rel,
                    reason: sys::describe(&e),
                });
                continue;
            }
        };
        for entry in rd.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let child = format!("{rel}/{name}");
            // `file_type` and `symlink_metadata` do not follow links.
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_dir() {
                if name == "journal" {
                    skipped.push(Skipped {
                        path: child,
                        reason: "binary journal files (the journal is collected with journalctl)"
                            .into(),
                    });
                } else if depth < 16 {
                    stack.push((child, depth + 1));
                }
            } else if ft.is_symlink() {
                match std::fs::read_link(entry.path()) {
                    Ok(t) => {
                        let t = t.to_string_lossy().into_owned();
                        match link_inside(&child, &t) {
                            Some(target) => links.push((child, target)),
                            None => skipped.push(Skipped {
                                path: child,
                                reason: format!("symlink points outside var/log ({t})"),
                            }),
                        }
                    }
                    Err(e) => skipped.push(Skipped {
                        path: child,
                        reason: sys::describe(&e),
                    }),
                }
            } else if ft.is_file() {
                let Ok(md) = entry.metadata() else { continue };
                let mtime = mtime_of(&md).unwrap_or(0);
                let lower = name.to_ascii_lowercase();
                if COMPRESSED.iter().any(|s| lower.ends_with(s)) {
                    if mtime as i64 >= since.as_second() {
                        skipped.push(Skipped {
                            path: child,
                            reason: "compressed with a packing rootline does not unpack here: not collected (it could not be redacted)".into(),
                        });
                    }
                    continue;
                }
                if ["wtmp", "btmp", "lastlog", "faillog"].contains(&name.as_str())
                    || lower.ends_with(".journal")
                    || lower.ends_with(".journal~")
                {
                    continue;
                }
                if (mtime as i64) < since.as_second() {
                    continue;
                }
                out.push(LogFile {
                    rel: child,
                    mtime,
                    len: md.len(),
                });
            }
        }
    }
}

/// Configuration files rootline's parsers read, relative to the root.
const CONFIGS: &[&str] = &[
    "etc/nova/nova.conf",
    "etc/nova/nova-compute.conf",
    "etc/cinder/cinder.conf",
    "etc/libvirt/qemu.conf",
    "etc/libvirt/libvirtd.conf",
    "etc/multipath.conf",
    "etc/iscsi/iscsid.conf",
    "etc/os-release",
];
/// Directories whose files of one suffix are collected (domain XML, conf.d).
const CONFIG_DIRS: &[(&str, &str)] = &[
    ("etc/libvirt/qemu", ".xml"),
    ("run/libvirt/qemu", ".xml"),
    ("etc/multipath/conf.d", ".conf"),
    ("etc/nova/nova.conf.d", ".conf"),
    ("etc/cinder/cinder.conf.d", ".conf"),
];
const PROC_FILES: &[&str] = &[
    "proc/meminfo",
    "proc/vmstat",
    "proc/stat",
    "proc/uptime",
    "proc/mounts",
    "proc/swaps",
    "proc/partitions",
    "proc/cmdline",
    "proc/loadavg",
];

/// One JSON document with one record per line, so that host-state checks
/// can cite a device or task by line.
fn json_doc(format: &str, root: &str, arrays: &[(&str, Vec<String>)]) -> Vec<u8> {
    let mut s = format!(
        "{{\"format\":\"{format}\",\"version\":1,\"root\":{}",
        serde_json::to_string(root).unwrap_or_else(|_| "\"\"".into())
    );
    for (key, items) in arrays {
        s.push_str(&format!(",\n\"{key}\":["));
        for (i, v) in items.iter().enumerate() {
            s.push_str(if i == 0 { "\n" } else { ",\n" });
            s.push_str(v);
        }
        s.push_str(if items.is_empty() { "]" } else { "\n]" });
    }
    s.push_str("}\n");
    s.into_bytes()
}

/// Each item as one line of JSON, in its struct's field order (names and
/// paths first, so that a cited line reads well).
fn values<T: Serialize>(items: &[T]) -> Vec<String> {
    items
        .iter()
        .filter_map(|i| serde_json::to_string(i).ok())
        .collect()
}

fn user_name(root: &Path, uid: u32) -> Option<String> {
    let b = sys::read_capped(&root.join("etc/passwd"), 8 << 20).ok()?;
    String::from_utf8_lossy(&b).lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.get(2)?.parse::<u32>().ok()? == uid).then(|| f[0].to_string())
    })
}

/// Writes the bundle for `opts` into `out` (uncompressed tar; wrap `out`
/// in an xz encoder for a `.tar.xz`). Unreadable files, failing and hanging
/// commands are recorded in the bundle; only a failing `out` is an error.
pub fn write<W: Write>(out: W, opts: &Options) -> Result<Summary, Error> {
    let started = Timestamp::now();
    let live = opts.is_live();
    let root = opts.root.as_path();
    let host = hostname(root).unwrap_or_else(|| "unknown-host".to_string());
    let top = default_name(&host, started);
    // SAFETY: geteuid has no preconditions and cannot fail.
    let uid = unsafe { libc::geteuid() };
    let user = user_name(Path::new("/"), uid);
    let since_ts = started
        .checked_sub(jiff::SignedDuration::try_from(opts.since).unwrap_or_default())
        .unwrap_or(started);
    let mut b = Bundle {
        tar: tar::Builder::new(out),
        top: top.clone(),
        now: started,
        redactor: Redactor::new(),
        redacted: Vec::new(),
        skipped: Vec::new(),
        members: 0,
        bytes: 0,
    };
    let mut notes = Vec::new();
    b.start()?;

    // Clock and name anchors first: small, and what every later line needs.
    if live {
        let date = started.strftime("%a %b %e %H:%M:%S UTC %Y").to_string();
        b.raw(
            "sos_commands/date/date",
            format!("{date}\n").as_bytes(),
            None,
        )?;
        b.raw(
            "sos_commands/host/hostname",
            format!("{host}\n").as_bytes(),
            None,
        )?;
    } else {
        notes.push(format!(
            "collected from a tree laid out like / ({}), not from the running host: no command was run and /dev/kmsg was not read (they would describe the machine rootline ran on); the tree's files were read instead",
            root.display()
        ));
    }
    for rel in [
        "etc/hostname",
        "etc/timezone",
        "etc/localtime",
        "etc/machine-id",
    ] {
        b.small(root, rel, 1 << 20, false)?;
    }
    for rel in PROC_FILES {
        b.small(root, rel, 4 << 20, false)?;
    }

    // The snapshot: before any command, so that it sees the host as found.
    let t = Instant::now();
    let snap = sys::snapshot(root);
    let snap_secs = t.elapsed().as_secs_f64();
    let root_s = root.to_string_lossy().into_owned();
    let block_doc = json_doc(
        "rootline-block",
        &root_s,
        &[
            ("devices", values(&snap.block)),
            ("mounts", values(&snap.mounts)),
            ("swaps", values(&snap.swaps)),
            ("fuse", values(&snap.fuse)),
        ],
    );
    b.text("sos_commands/rootline/block.json", &block_doc, None)?;
    let tasks_doc = json_doc("rootline-tasks", &root_s, &[("tasks", values(&snap.tasks))]);
    b.text("sos_commands/rootline/tasks.json", &tasks_doc, None)?;

    // The kernel ring buffer.
    let mut kmsg_ok = false;
    if live {
        match kmsg::read(Path::new("/dev/kmsg"), 16 << 20) {
            Ok(d) => {
                kmsg_ok = true;
                if d.overwritten > 0 {
                    notes.push(format!(
                        "{} kernel messages were overwritten while /dev/kmsg was read",
                        d.overwritten
                    ));
                }
                b.text("sos_commands/kernel/dmesg", &d.text, None)?;
            }
            Err(e) => {
                b.skip(
                    "/dev/kmsg",
                    format!("{} (dmesg is run instead)", sys::describe(&e)),
                );
            }
        }
    }

    let job_list = if live {
        jobs(opts, &snap.block, started, kmsg_ok)
    } else {
        Vec::new()
    };
    let results: Vec<Mutex<Option<(Outcome, f64)>>> =
        job_list.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let mut files_result = Ok(());
    std::thread::scope(|s| {
        for _ in 0..opts.jobs.max(1).min(job_list.len().max(1)) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = job_list.get(i) else { break };
                    let at = Timestamp::now().as_millisecond() as f64 / 1000.0;
                    let argv: Vec<&str> = job.argv.iter().map(String::as_str).collect();
                    let o = run(&argv, &job.opts);
                    if let Ok(mut slot) = results[i].lock() {
                        *slot = Some((o, at));
                    }
                }
            });
        }
        // Files while the commands run.
        files_result = copy_files(&mut b, root, opts, since_ts);
    });
    files_result?;

    let mut commands = Vec::new();
    for (job, slot) in job_list.iter().zip(results) {
        let Some((o, _at)) = slot.into_inner().ok().flatten() else {
            continue;
        };
        let file = job_file(job, opts.since);
        let filepath = format!("sos_commands/{}/{file}", job.plugin);
        let wrote = !matches!(o.status, Status::NotFound | Status::SpawnFailed { .. });
        if wrote {
            let mut data = o.stdout.clone();
            data.extend_from_slice(&o.stderr);
            b.text(&filepath, &data, None)?;
        }
        if o.timed_out() {
            notes.push(o.describe(job.opts.timeout));
        }
        commands.push((
            job.plugin,
            CommandRecord {
                command: o.command.clone(),
                exec: o.command.clone(),
                filepath: wrote.then_some(filepath),
                return_code: o.return_code(),
                run_time: (o.duration_secs * 1000.0).round() / 1000.0,
                timed_out: o.timed_out(),
                summary: o.describe(job.opts.timeout),
                output_bytes: o.stdout_bytes + o.stderr_bytes,
                output_cut: o.output_cut,
                status: o.status,
            },
        ));
    }
    let missing: Vec<&str> = commands
        .iter()
        .filter(|(_, c)| c.status == Status::NotFound)
        .filter_map(|(_, c)| c.command.split(' ').next())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if !missing.is_empty() {
        notes.push(format!("not installed here: {}", missing.join(", ")));
    }
    if uid != 0 {
        let denied = b
            .skipped
            .iter()
            .filter(|s| s.reason.starts_with("permission denied"))
            .count() as u64
            + snap
                .unreadable
                .iter()
                .filter(|u| u.reason == "permission denied")
                .map(|u| u.count)
                .sum::<u64>();
        notes.push(format!(
            "collected as {} (uid {uid}), not root: reduced evidence — {denied} files could not be read (permission denied: kernel stacks, other users' open files, root-only logs{}); run as root for the full picture",
            user.as_deref().unwrap_or("a normal user"),
            if kmsg_ok { "" } else { ", /dev/kmsg" }
        ));
    }
    let redacted_total: u64 = b.redacted.iter().map(|r| r.count).sum();
    if redacted_total > 0 {
        notes.push(format!(
            "{redacted_total} secrets redacted in {} files (replaced by {})",
            b.redacted.len(),
            crate::redact::MARKER
        ));
    }
    notes.push(format!(
        "host snapshot read in {snap_secs:.2} s: {} block devices, {} mounts, {} tasks",
        snap.block.len(),
        snap.mounts.len(),
        snap.tasks.len()
    ));

    let finished = Timestamp::now();
    let summary = Summary {
        top,
        host,
        root: root_s,
        live,
        uid,
        user,
        started: started.to_string(),
        finished: finished.to_string(),
        since_secs: opts.since.as_secs(),
        timeout_secs: opts.timeout.as_secs_f64(),
        commands_run: live,
        notes,
        redacted_total,
        redacted: std::mem::take(&mut b.redacted),
        skipped: std::mem::take(&mut b.skipped),
        unreadable: snap.unreadable,
        members: b.members + 1,
        bytes: b.bytes,
        commands: commands.iter().map(|(_, c)| c.clone()).collect(),
    };
    let manifest = manifest(&summary, &commands);
    b.raw("sos_reports/manifest.json", &manifest, None)?;
    b.tar.finish().map_err(Error::Write)?;
    Ok(summary)
}

/// [`write`] through an xz encoder (multi-threaded where it can be; preset
/// 3: a bundle is mostly logs, and at 3 the encoder keeps up with the
/// collection in tens of MiB of memory). Returns the summary and `out`.
pub fn write_xz<W: Write>(out: W, opts: &Options) -> Result<(Summary, W), Error> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4)) as u32;
    let stream = liblzma::stream::MtStreamBuilder::new()
        .preset(3)
        .threads(threads)
        .check(liblzma::stream::Check::Crc64)
        .encoder()
        .or_else(|_| liblzma::stream::Stream::new_easy_encoder(3, liblzma::stream::Check::Crc64))
        .map_err(|e| Error::Write(io::Error::other(e)))?;
    let mut enc = liblzma::write::XzEncoder::new_stream(out, stream);
    let summary = write(&mut enc, opts)?;
    let out = enc.finish().map_err(Error::Write)?;
    Ok((summary, out))
}

/// Copies configuration and logs.
fn copy_files<W: Write>(
    b: &mut Bundle<W>,
    root: &Path,
    opts: &Options,
    since: Timestamp,
) -> Result<(), Error> {
    for rel in CONFIGS {
        b.small(root, rel, 4 << 20, true)?;
    }
    for (dir, suffix) in CONFIG_DIRS {
        let rd = match std::fs::read_dir(root.join(dir)) {
            Ok(rd) => rd,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => {
                b.skip(*dir, sys::describe(&e));
                continue;
            }
        };
        let mut names: Vec<String> = rd
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(suffix))
            .collect();
        names.sort();
        for n in names.iter().take(1000) {
            b.small(root, &format!("{dir}/{n}"), 4 << 20, true)?;
        }
    }
    let mut logs = Vec::new();
    let mut links = Vec::new();
    find_logs(root, since, &mut logs, &mut links, &mut b.skipped);
    // The newest first: when the total cap is reached, what is left out is
    // the oldest.
    logs.sort_by(|a, b| b.mtime.cmp(&a.mtime).then(a.rel.cmp(&b.rel)));
    let mut total = 0u64;
    // Path in the tree → path in the bundle (unpacked logs lose `.gz`).
    let mut copied = std::collections::HashMap::new();
    for l in &logs {
        let room = opts.max_logs_total.saturating_sub(total);
        if room == 0 {
            b.skip(
                &l.rel,
                format!(
                    "the log total cap ({} MiB) was reached",
                    opts.max_logs_total >> 20
                ),
            );
            continue;
        }
        let cap = opts.max_log_file.min(room);
        let _ = l.len;
        total += b.log(&root.join(&l.rel), &l.rel, cap)?;
        copied.insert(l.rel.clone(), Packing::of(&l.rel).strip(&l.rel).to_string());
    }
    links.sort();
    for (link, target) in links {
        if let Some(stored) = copied.get(&target) {
            let link = Packing::of(&link).strip(&link).to_string();
            b.link(&link, &relative_target(&link, stored))?;
        } else {
            b.skip(
                link,
                format!("symlink to {target}, which was not collected"),
            );
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct Manifest<'a> {
    /// First, so that a reader of the first bytes knows whose it is.
    collector: &'static str,
    version: &'static str,
    rootline: &'a Summary,
    components: Components<'a>,
}

#[derive(Serialize)]
struct Components<'a> {
    report: Report<'a>,
}

#[derive(Serialize)]
struct Report<'a> {
    rootline_version: &'static str,
    plugins: BTreeMap<&'static str, Plugin<'a>>,
}

#[derive(Serialize)]
struct Plugin<'a> {
    commands: Vec<&'a CommandRecord>,
}

fn manifest(summary: &Summary, commands: &[(&'static str, CommandRecord)]) -> Vec<u8> {
    let mut plugins: BTreeMap<&'static str, Plugin<'_>> = BTreeMap::new();
    for (plugin, c) in commands {
        plugins
            .entry(plugin)
            .or_insert_with(|| Plugin {
                commands: Vec::new(),
            })
            .commands
            .push(c);
    }
    let m = Manifest {
        collector: "rootline",
        version: "1.0",
        rootline: summary,
        components: Components {
            report: Report {
                rootline_version: env!("CARGO_PKG_VERSION"),
                plugins,
            },
        },
    };
    let mut v = serde_json::to_vec_pretty(&m).unwrap_or_default();
    v.push(b'\n');
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(command_file_name(&["multipath", "-ll"]), "multipath_-ll");
        assert_eq!(
            command_file_name(&["smartctl", "-a", "/dev/sda"]),
            "smartctl_-a_.dev.sda"
        );
        assert_eq!(
            command_file_name(&["iscsiadm", "-m", "session", "-P", "3"]),
            "iscsiadm_-m_session_-P_3"
        );
        let at: Timestamp = "2024-05-02T10:11:12Z".parse().unwrap();
        assert_eq!(
            default_name("compute-01/x", at),
            "rootline-compute-01_x-20240502T101112Z"
        );
    }

    #[test]
    fn links_stay_in_var_log() {
        assert_eq!(
            link_inside(
                "var/log/containers/virt-launcher_ns_compute-abc.log",
                "/var/log/pods/ns_virt-launcher_uid/compute/0.log"
            )
            .as_deref(),
            Some("var/log/pods/ns_virt-launcher_uid/compute/0.log")
        );
        assert_eq!(
            link_inside("var/log/a.log", "b.log").as_deref(),
            Some("var/log/b.log")
        );
        assert_eq!(link_inside("var/log/a.log", "/etc/shadow"), None);
        assert_eq!(link_inside("var/log/a.log", "../../../../x"), None);
        assert_eq!(
            relative_target(
                "var/log/containers/x.log",
                "var/log/pods/ns_pod_uid/c/0.log"
            ),
            "../pods/ns_pod_uid/c/0.log"
        );
    }

    /// The fake root of `sys::tests` plus logs, configuration and a name.
    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        crate::sys::tests::fake_root(r);
        let w = |rel: &str, text: &str| {
            let p = r.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        w("etc/hostname", "compute-07\n");
        w("etc/timezone", "Asia/Seoul\n");
        w(
            "etc/nova/nova.conf",
            "[DEFAULT]\ntransport_url = rabbit://openstack:Xq7pL2vR9s@10.0.0.11:5672//\n[keystone_authtoken]\npassword = Hs9vBn2kLp\n",
        );
        w(
            "var/log/kern.log",
            "May  2 10:11:12 compute-07 kernel: [ 5140.900123] blk_update_request: I/O error, dev loop5, sector 2048 op 0x0:(READ) flags 0x80700 phys_seg 1 prio class 0\n",
        );
        w(
            "var/log/pods/ns_pod_uid/c/0.log",
            "2024-05-02T10:11:12.000000000Z stdout F hello\n",
        );
        std::fs::create_dir_all(r.join("var/log/containers")).unwrap();
        std::os::unix::fs::symlink(
            "/var/log/pods/ns_pod_uid/c/0.log",
            r.join("var/log/containers/pod_ns_c-123.log"),
        )
        .unwrap();
        std::os::unix::fs::symlink("/etc/shadow", r.join("var/log/evil.log")).unwrap();
        w("var/log/wtmp", "\0\0\0");
        w("var/log/journal/abc/system.journal", "LPKSHHRH\0");
        w("var/log/binary.log", "\0\x01\x02");
        std::os::unix::fs::symlink("/usr/share/zoneinfo/Asia/Seoul", r.join("etc/localtime"))
            .unwrap();
        dir
    }

    fn members(bytes: &[u8]) -> BTreeMap<String, (tar::EntryType, Vec<u8>, String)> {
        let mut a = tar::Archive::new(bytes);
        let mut out = BTreeMap::new();
        for e in a.entries().unwrap() {
            let mut e = e.unwrap();
            let path = e.path().unwrap().to_string_lossy().into_owned();
            let link = e
                .link_name()
                .unwrap()
                .map(|l| l.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut data = Vec::new();
            #[allow(clippy::disallowed_methods)]
            e.read_to_end(&mut data).unwrap();
            out.insert(path, (e.header().entry_type(), data, link));
        }
        out
    }

    #[test]
    fn a_bundle_from_a_tree() {
        let dir = tree();
        let opts = Options {
            root: dir.path().to_path_buf(),
            ..Options::default()
        };
        let mut out = Vec::new();
        let s = write(&mut out, &opts).unwrap();
        assert_eq!(s.host, "compute-07");
        assert!(s.top.starts_with("rootline-compute-07-"));
        assert!(!s.commands_run);
        assert!(s.commands.is_empty());
        let m = members(&out);
        let top = &s.top;
        let get = |rel: &str| {
            m.get(&format!("{top}/{rel}"))
                .unwrap_or_else(|| panic!("{rel} missing: {:?}", m.keys().collect::<Vec<_>>()))
        };
        // The first member is the top directory: the evidence reader takes
        // it for the wrapper.
        assert!(m.contains_key(&format!("{top}/")));
        let nova = String::from_utf8(get("etc/nova/nova.conf").1.clone()).unwrap();
        assert!(
            !nova.contains("Xq7pL2vR9s") && !nova.contains("Hs9vBn2kLp"),
            "{nova}"
        );
        assert!(nova.contains("password = <redacted>"));
        assert_eq!(s.redacted_total, 2);
        assert_eq!(s.redacted[0].file, "etc/nova/nova.conf");
        assert!(get("var/log/kern.log").1.starts_with(b"May  2"));
        let link = get("var/log/containers/pod_ns_c-123.log");
        assert_eq!(link.0, tar::EntryType::Symlink);
        assert_eq!(link.2, "../pods/ns_pod_uid/c/0.log");
        assert_eq!(get("etc/localtime").2, "/usr/share/zoneinfo/Asia/Seoul");
        for gone in [
            "var/log/evil.log",
            "var/log/wtmp",
            "var/log/binary.log",
            "var/log/journal/abc/system.journal",
        ] {
            assert!(!m.contains_key(&format!("{top}/{gone}")), "{gone}");
        }
        let reasons: Vec<String> = s
            .skipped
            .iter()
            .map(|k| format!("{}: {}", k.path, k.reason))
            .collect();
        assert!(
            reasons
                .iter()
                .any(|r| r.starts_with("var/log/evil.log: symlink points outside")),
            "{reasons:?}"
        );
        assert!(
            reasons
                .iter()
                .any(|r| r == "var/log/binary.log: binary content"),
            "{reasons:?}"
        );
        let block: serde_json::Value =
            serde_json::from_slice(&get("sos_commands/rootline/block.json").1).unwrap();
        assert_eq!(block["format"], "rootline-block");
        let loop3 = block["devices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == "loop3")
            .unwrap();
        assert_eq!(loop3["loop"]["backing_deleted"], true);
        let tasks: serde_json::Value =
            serde_json::from_slice(&get("sos_commands/rootline/tasks.json").1).unwrap();
        assert_eq!(tasks["tasks"].as_array().unwrap().len(), 3);
        let manifest: serde_json::Value =
            serde_json::from_slice(&get("sos_reports/manifest.json").1).unwrap();
        assert_eq!(manifest["collector"], "rootline");
        assert_eq!(manifest["rootline"]["redacted"][0]["count"], 2);
        assert!(
            manifest["rootline"]["notes"][0]
                .as_str()
                .unwrap()
                .contains("no command was run")
        );
        // The manifest never holds a secret.
        assert!(
            !String::from_utf8_lossy(&get("sos_reports/manifest.json").1).contains("Hs9vBn2kLp")
        );
    }

    #[test]
    fn a_log_bigger_than_its_cap_keeps_its_end_from_a_line_start() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        std::fs::create_dir_all(r.join("var/log")).unwrap();
        let mut text = String::new();
        for i in 0..5000 {
            text.push_str(&format!(
                "May  2 10:11:12 h app[1]: line {i} password=pw{i}\n"
            ));
        }
        std::fs::write(r.join("var/log/app.log"), &text).unwrap();
        let opts = Options {
            root: r.to_path_buf(),
            max_log_file: 10_000,
            ..Options::default()
        };
        let mut out = Vec::new();
        let s = write(&mut out, &opts).unwrap();
        let m = members(&out);
        let log = String::from_utf8(m[&format!("{}/var/log/app.log", s.top)].1.clone()).unwrap();
        assert!(log.starts_with("May  2"), "{}", &log[..80]);
        assert!(log.ends_with("line 4999 password=<redacted>\n"));
        assert!(!log.contains("pw4999"));
        assert!(log.len() < 12_000);
        assert!(
            s.skipped
                .iter()
                .any(|k| k.path == "var/log/app.log" && k.reason.starts_with("only the last"))
        );
    }

    #[test]
    fn rotated_logs_are_unpacked_redacted_and_stored_under_their_plain_name() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        std::fs::create_dir_all(r.join("var/log/nova")).unwrap();
        let text = "2024-05-01 03:12:44.512 2211 ERROR nova.compute.manager [req-1] connection = mysql+pymysql://nova:Rb8dKz3wQm@db/nova\n";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(text.as_bytes()).unwrap();
        std::fs::write(
            r.join("var/log/nova/nova-compute.log.1.gz"),
            gz.finish().unwrap(),
        )
        .unwrap();
        let mut xz = liblzma::write::XzEncoder::new(Vec::new(), 3);
        xz.write_all(text.as_bytes()).unwrap();
        std::fs::write(r.join("var/log/syslog.2.xz"), xz.finish().unwrap()).unwrap();
        std::fs::write(r.join("var/log/broken.log.gz"), b"not gzip at all").unwrap();
        let opts = Options {
            root: r.to_path_buf(),
            ..Options::default()
        };
        let mut out = Vec::new();
        let s = write(&mut out, &opts).unwrap();
        let m = members(&out);
        for rel in ["var/log/nova/nova-compute.log.1", "var/log/syslog.2"] {
            let got = String::from_utf8(m[&format!("{}/{rel}", s.top)].1.clone()).unwrap();
            assert!(
                got.contains("mysql+pymysql://nova:<redacted>@db/nova"),
                "{rel}: {got}"
            );
        }
        assert!(s.redacted.iter().any(|x| x.file == "var/log/syslog.2"));
        assert!(
            s.skipped
                .iter()
                .any(|k| k.path == "var/log/broken.log.gz"
                    && k.reason.starts_with("cannot decompress")),
            "{:?}",
            s.skipped
        );
    }

    #[test]
    fn exact_pads_a_shrunk_source_and_cuts_a_grown_one() {
        let mut out = Vec::new();
        let mut e = Exact {
            inner: &b"abc"[..],
            left: 5,
            failed: false,
        };
        #[allow(clippy::disallowed_methods)]
        e.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"abc\n\n");
        let mut out = Vec::new();
        let mut e = Exact {
            inner: &b"abcdef"[..],
            left: 2,
            failed: false,
        };
        #[allow(clippy::disallowed_methods)]
        e.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"ab");
    }
}
