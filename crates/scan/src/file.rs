//! Scanning one file: a bounded buffer, a literal prefilter over whole
//! buffers, confirmation and header parsing only on candidate lines, and
//! multi-line blocks attached to the event that opened them.
//!
//! Memory per file is the read buffer ([`BUF_SIZE`]) plus the events kept,
//! and events are capped per signature ([`crate::Config::max_events_per_signature`]);
//! later matches of the same signature fold into a repeat count.

use std::collections::HashMap;
use std::io::{ErrorKind, Read};
use std::sync::atomic::{AtomicU64, Ordering};

use bstr::ByteSlice;
use jiff::Timestamp;
use memchr::{memchr, memchr_iter, memrchr};
use rootline_catalog::Matcher;
use rootline_model::{BlockKind, FieldValue, Fields, RawStamp};
use rootline_parse::{LogFormat, ParsedLine, continues, detect, parse_line};

use crate::Config;
use crate::frames;

/// The read buffer. Lines longer than this are cut at `Config::max_line`
/// and the rest of the line is skipped, so a 1 GiB single line costs 1 MiB.
pub(crate) const BUF_SIZE: usize = 1 << 20;
/// How much of a file format detection and the binary check look at.
const SAMPLE_SIZE: usize = 64 * 1024;
/// Host-state files (command outputs, configuration) are kept whole for
/// their parsers up to this size; past it they are parsed from their head
/// and say so.
const HOST_STATE_CAP: usize = 8 << 20;
/// A block (trace, traceback, command line) never grows past this.
const MAX_BLOCK_LINES: usize = 200;
/// Continuation lines are kept at most this long in reports.
const MAX_CONTEXT_LINE: usize = 512;
/// Distinct identities per signature per file kept apart; past this, new
/// identities fold into the signature's last event (memory bound).
const MAX_KEYS_PER_SIGNATURE: usize = 1000;
/// How far back an unstamped match looks for the stamp it borrows.
const BORROW_LOOKBACK_LINES: usize = 64;

/// A matched line before its time is resolved.
#[derive(Clone, Debug)]
pub(crate) struct RawEvent {
    pub sig: usize,
    pub fields: Fields,
    pub host: Option<String>,
    pub stamp: Option<RawStamp>,
    pub stamp_text: String,
    pub since_boot_micros: Option<u64>,
    pub borrowed: bool,
    pub line: u64,
    pub text: String,
    pub context: Vec<String>,
    pub truncated: bool,
    pub repeats: u64,
    /// Stamp of the last occurrence folded into `repeats`.
    pub last_stamp: Option<RawStamp>,
}

/// A stamp seen on a line, kept to anchor years and to lend to unstamped
/// lines.
#[derive(Clone, Debug)]
pub(crate) struct SeenStamp {
    pub stamp: RawStamp,
    pub text: String,
    pub since_boot_micros: Option<u64>,
}

/// Everything learnt from one file.
#[derive(Debug)]
pub(crate) struct FileScan {
    pub display: String,
    /// Path inside its root (compression suffixes removed).
    pub rel_path: String,
    pub root: usize,
    pub mtime: Option<Timestamp>,
    pub format: LogFormat,
    pub bytes: u64,
    pub lines: u64,
    pub long_lines: u64,
    pub events: Vec<RawEvent>,
    /// The stamp of the last stamped line of the file: anchors the year of
    /// year-less logs and, with `since_boot_micros`, the boot time.
    pub tail: Option<SeenStamp>,
    /// Reading stopped early (truncated gzip, I/O error).
    pub error: Option<String>,
    /// What the file says about the host, when it is a command output or
    /// configuration file `rootline-hoststate` recognises.
    pub host: Option<rootline_hoststate::HostState>,
}

/// Why a file was not scanned.
pub(crate) enum Outcome {
    Scanned(Box<FileScan>),
    Skipped(String),
}

struct Pending {
    event: Option<usize>,
    kind: BlockKind,
    first: ParsedLine,
    taken: usize,
}

struct Scanner<'a> {
    matcher: &'a Matcher,
    cfg: &'a Config,
    out: FileScan,
    /// Lines wholly before the current region.
    line_no: u64,
    pending: Option<Pending>,
    last_stamp: Option<SeenStamp>,
    /// Per (signature, identity fields): (events kept, last kept event).
    per_key: HashMap<(usize, String), (usize, usize)>,
    /// Per signature: distinct identity keys seen, and the last kept event.
    per_sig: HashMap<usize, (usize, usize)>,
}

/// Whether the first bytes of a file look binary: a NUL early on, or many
/// control bytes. Bytes ≥ 0x80 count as text (UTF-8 Korean, Latin-1).
pub(crate) fn looks_binary(sample: &[u8]) -> bool {
    if sample.is_empty() {
        return false;
    }
    let head = &sample[..sample.len().min(8192)];
    if memchr(0, head).is_some() {
        return true;
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c | 0x1b))
        .count();
    control * 10 > head.len()
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn scan_reader(
    reader: &mut dyn Read,
    display: String,
    rel_path: String,
    root: usize,
    mtime: Option<Timestamp>,
    matcher: &Matcher,
    cfg: &Config,
    progress: Option<&AtomicU64>,
) -> Outcome {
    let mut buf = vec![0u8; BUF_SIZE];
    let mut filled = 0usize;
    let mut start = 0usize;
    let mut eof = false;
    let mut error: Option<String> = None;
    let mut total: u64 = 0;
    let mut scanner: Option<Scanner<'_>> = None;
    // True while the rest of an over-long line is being thrown away.
    let mut skipping = false;
    // A recognised host-state file is also kept (capped) for its parser.
    let mut host_kind: Option<rootline_hoststate::Kind> = None;
    let mut host_text: Vec<u8> = Vec::new();
    let mut host_cut = false;

    loop {
        // Fill the buffer as far as it goes: small regions would make the
        // prefilter restart often.
        while !eof && filled < buf.len() {
            match reader.read(&mut buf[filled..]) {
                Ok(0) => eof = true,
                Ok(n) => {
                    filled += n;
                    total += n as u64;
                    if let Some(p) = progress {
                        p.fetch_add(n as u64, Ordering::Relaxed);
                    }
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => {
                    error = Some(format!("read stopped after {total} bytes: {e}"));
                    eof = true;
                }
            }
            if scanner.is_none() && filled >= SAMPLE_SIZE {
                break;
            }
        }
        if scanner.is_none() {
            let sample = &buf[..filled.min(SAMPLE_SIZE)];
            if filled == 0
                && let Some(e) = error
            {
                return Outcome::Skipped(e);
            }
            if looks_binary(sample) {
                return Outcome::Skipped("binary content".to_string());
            }
            let det = detect(sample, &rel_path);
            host_kind = rootline_hoststate::recognise(&rel_path, &String::from_utf8_lossy(sample));
            scanner = Some(Scanner {
                matcher,
                cfg,
                out: FileScan {
                    display: display.clone(),
                    rel_path: rel_path.clone(),
                    root,
                    mtime,
                    format: det.format,
                    bytes: 0,
                    lines: 0,
                    long_lines: 0,
                    events: Vec::new(),
                    tail: None,
                    error: None,
                    host: None,
                },
                line_no: 0,
                pending: None,
                last_stamp: None,
                per_key: HashMap::new(),
                per_sig: HashMap::new(),
            });
            continue;
        }
        // Set above on the first pass; without one there is nothing to scan.
        let Some(sc) = scanner.as_mut() else {
            break;
        };

        if skipping {
            match memchr(b'\n', &buf[start..filled]) {
                Some(i) => {
                    start += i + 1;
                    sc.line_no += 1;
                    skipping = false;
                }
                None => start = filled,
            }
        }
        // Process every complete line; at EOF the last line needs no newline.
        let end = if eof {
            Some(filled)
        } else {
            memrchr(b'\n', &buf[start..filled]).map(|i| start + i + 1)
        };
        if let Some(end) = end.filter(|&e| e > start) {
            if host_kind.is_some() {
                let room = HOST_STATE_CAP.saturating_sub(host_text.len());
                let take = (end - start).min(room);
                host_text.extend_from_slice(&buf[start..start + take]);
                host_cut |= take < end - start;
            }
            sc.process(&buf[start..end]);
            if eof {
                sc.note_tail(&buf[start..end]);
            }
            start = end;
        }
        if eof {
            break;
        }
        buf.copy_within(start..filled, 0);
        filled -= start;
        start = 0;
        if filled == buf.len() {
            // One line fills the whole buffer: keep its head, drop the rest.
            let cut = sc.cfg.max_line.min(buf.len());
            sc.out.long_lines += 1;
            sc.process_truncated(&buf[..cut]);
            filled = 0;
            skipping = true;
        }
    }

    let Some(mut sc) = scanner else {
        return Outcome::Skipped(error.unwrap_or_else(|| "empty".to_string()));
    };
    sc.finish_block();
    if let Some(kind) = host_kind {
        let mut st = rootline_hoststate::parse_file(
            kind,
            &String::from_utf8_lossy(&host_text),
            &sc.out.rel_path,
        );
        if host_cut {
            st.notes.push(format!(
                "only the first {} MiB were parsed",
                HOST_STATE_CAP >> 20
            ));
        }
        sc.out.host = Some(st);
    }
    sc.out.bytes = total;
    sc.out.lines = sc.line_no;
    sc.out.error = error;
    Outcome::Scanned(Box::new(sc.out))
}

/// The fields that say what a line is *about* (not how much or where on
/// the disk): occurrences that agree on these are the same story.
fn identity_key(sig: &rootline_catalog::Signature, fields: &rootline_model::Fields) -> String {
    use rootline_model::FieldKind as K;
    let mut key = String::new();
    for (name, kind) in &sig.fields {
        let identity = matches!(
            kind,
            K::Device
                | K::DevNum
                | K::Map
                | K::Wwid
                | K::Uuid
                | K::Domain
                | K::Pod
                | K::Container
                | K::Task
                // A task's name repeats across processes (each hung `dd`,
                // each qemu): the pid tells them apart.
                | K::Pid
                | K::Path
                | K::Host
                | K::Probe
        );
        if let (true, Some(v)) = (identity, fields.get(name)) {
            key.push_str(name);
            key.push('=');
            key.push_str(&v.to_string());
            key.push('\u{1f}');
        }
    }
    key
}

fn count_lines(hay: &[u8]) -> u64 {
    memchr_iter(b'\n', hay).count() as u64
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn lossy(bytes: &[u8], max: usize) -> String {
    let cut = &bytes[..bytes.len().min(max)];
    let mut s = cut.to_str_lossy().into_owned();
    if bytes.len() > max {
        s.push('…');
    }
    s
}

impl Scanner<'_> {
    /// Process a region that ends at a line boundary (or at EOF).
    fn process(&mut self, region: &[u8]) {
        let mut pos = 0usize;
        // Line counting is incremental: `cur_line` is the number of lines
        // that end before `cur_pos`.
        let mut cur_pos = 0usize;
        let mut cur_line = self.line_no;
        if self.pending.is_some() {
            pos = self.continue_block(region, 0);
        }
        while pos < region.len() {
            let Some(hit) = self.matcher.next_candidate(region, pos) else {
                break;
            };
            let ls = memrchr(b'\n', &region[pos..hit]).map_or(pos, |i| pos + i + 1);
            let le = memchr(b'\n', &region[hit..]).map_or(region.len(), |i| hit + i);
            cur_line += count_lines(&region[cur_pos..ls]);
            cur_pos = ls;
            self.handle_line(region, ls, le, cur_line + 1, false);
            pos = le + 1;
            if self.pending.is_some() {
                pos = self.continue_block(region, pos);
            }
        }
        self.line_no = cur_line + count_lines(&region[cur_pos..]);
        if self.out.format != LogFormat::Plain {
            self.remember_stamp_before(region, region.len());
        }
    }

    /// The head of an over-long line, as its own one-line region.
    fn process_truncated(&mut self, head: &[u8]) {
        self.finish_block();
        if self.matcher.next_candidate(head, 0).is_some() {
            self.handle_line(head, 0, head.len(), self.line_no + 1, true);
            self.finish_block();
        }
    }

    fn handle_line(&mut self, region: &[u8], ls: usize, le: usize, line_no: u64, cut: bool) {
        let raw = trim_cr(&region[ls..le]);
        let truncated = cut || raw.len() > self.cfg.max_line;
        let line = &raw[..raw.len().min(self.cfg.max_line)];
        let record = if self.out.format == LogFormat::JournalExport {
            export_record(region, ls, le)
        } else {
            &[][..]
        };
        let parsed = parse_line(self.out.format, line, record);
        let Some(hit) = self.matcher.confirm(&parsed.message) else {
            return;
        };
        let sig = &self.matcher.signatures()[hit.sig];
        let block = sig.block;

        let (stamp, stamp_text, since_boot, borrowed) = match parsed.stamp {
            Some(s) => {
                let seen = SeenStamp {
                    stamp: s,
                    text: parsed.stamp_text.clone(),
                    since_boot_micros: parsed.since_boot_micros,
                };
                self.last_stamp = Some(seen);
                (
                    Some(s),
                    parsed.stamp_text.clone(),
                    parsed.since_boot_micros,
                    false,
                )
            }
            None => match self.borrow_stamp(region, ls) {
                Some(b) if self.out.format != LogFormat::Plain => {
                    (Some(b.stamp), b.text, b.since_boot_micros, true)
                }
                _ => (None, String::new(), parsed.since_boot_micros, false),
            },
        };

        // Folding keeps memory bounded under floods without merging what
        // differs: occurrences are folded per signature *and* identity (the
        // device, map, volume, domain… the line is about), so I/O errors on
        // sdv never hide the first ones on sdc.
        let key = (hit.sig, identity_key(sig, &hit.fields));
        let cap = self.cfg.max_events_per_signature;
        let fold_into = match self.per_key.get(&key) {
            Some(&(kept, last)) if kept >= cap => Some(last),
            Some(_) => None,
            None => {
                let distinct = self.per_sig.get(&hit.sig).map_or(0, |d| d.0);
                if distinct >= MAX_KEYS_PER_SIGNATURE {
                    self.per_sig.get(&hit.sig).map(|d| d.1)
                } else {
                    None
                }
            }
        };
        let event_index = if let Some(last) = fold_into {
            let kept = &mut self.out.events[last];
            kept.repeats += 1;
            if stamp.is_some() {
                kept.last_stamp = stamp;
            }
            None
        } else {
            let idx = self.out.events.len();
            let entry = self.per_key.entry(key).or_insert((0, idx));
            if entry.0 == 0 {
                let d = self.per_sig.entry(hit.sig).or_insert((0, idx));
                d.0 += 1;
            }
            entry.0 += 1;
            entry.1 = idx;
            if let Some(d) = self.per_sig.get_mut(&hit.sig) {
                d.1 = idx;
            }
            self.out.events.push(RawEvent {
                sig: hit.sig,
                fields: hit.fields,
                host: parsed.host.clone(),
                stamp,
                stamp_text,
                since_boot_micros: since_boot,
                borrowed,
                line: line_no,
                text: lossy(line, self.cfg.max_line),
                context: Vec::new(),
                truncated,
                repeats: 0,
                last_stamp: None,
            });
            Some(idx)
        };
        if let Some(kind) = block {
            // Folded events still consume their block, so that lines of a
            // trace never surface as events of their own.
            self.pending = Some(Pending {
                event: event_index,
                kind,
                first: parsed,
                taken: 0,
            });
        }
    }

    /// Attach the lines from `pos` on to the pending block while they
    /// continue it. Returns where scanning resumes.
    fn continue_block(&mut self, region: &[u8], mut pos: usize) -> usize {
        while pos < region.len() {
            let Some(p) = self.pending.as_ref() else {
                return pos;
            };
            let le = memchr(b'\n', &region[pos..]).map_or(region.len(), |i| pos + i);
            let raw = trim_cr(&region[pos..le]);
            let line = &raw[..raw.len().min(self.cfg.max_line)];
            let next = parse_line(self.out.format, line, &[]);
            if p.taken >= MAX_BLOCK_LINES || !continues(p.kind, &p.first, &next) {
                self.finish_block();
                return pos;
            }
            if let Some(i) = p.event {
                self.out.events[i]
                    .context
                    .push(lossy(line, MAX_CONTEXT_LINE));
            }
            if let Some(p) = self.pending.as_mut() {
                p.taken += 1;
            }
            pos = le + 1;
        }
        pos
    }

    fn finish_block(&mut self) {
        let Some(p) = self.pending.take() else {
            return;
        };
        let Some(i) = p.event else {
            return;
        };
        if p.kind == BlockKind::KernelTrace {
            let ev = &mut self.out.events[i];
            let f = frames::key_frames(&ev.context);
            if !f.is_empty() {
                ev.fields
                    .entry("frames".to_string())
                    .or_insert(FieldValue::List(f));
            }
            if let Some(state) = frames::task_state(&ev.context) {
                ev.fields
                    .entry("state".to_string())
                    .or_insert(FieldValue::Text(state));
            }
        }
    }

    /// The nearest stamped line before `ls` in this region, else the last
    /// stamp seen in earlier regions.
    fn borrow_stamp(&self, region: &[u8], ls: usize) -> Option<SeenStamp> {
        find_stamp_before(self.out.format, region, ls).or_else(|| self.last_stamp.clone())
    }

    fn remember_stamp_before(&mut self, region: &[u8], end: usize) {
        if let Some(s) = find_stamp_before(self.out.format, region, end) {
            self.last_stamp = Some(s);
        }
    }

    /// Record the stamp of the file's last stamped line.
    fn note_tail(&mut self, region: &[u8]) {
        if let Some(s) = find_stamp_before(self.out.format, region, region.len()) {
            self.out.tail = Some(s);
        } else if let Some(s) = &self.last_stamp {
            self.out.tail = Some(s.clone());
        }
    }
}

/// Walk back from `end` over at most [`BORROW_LOOKBACK_LINES`] lines for one
/// that carries a stamp.
fn find_stamp_before(format: LogFormat, region: &[u8], end: usize) -> Option<SeenStamp> {
    let mut e = end;
    for _ in 0..BORROW_LOOKBACK_LINES {
        if e == 0 {
            return None;
        }
        // Skip the newline that ends the previous line.
        let le = if region[e - 1] == b'\n' { e - 1 } else { e };
        let ls = memrchr(b'\n', &region[..le]).map_or(0, |i| i + 1);
        let line = trim_cr(&region[ls..le]);
        if !line.is_empty() {
            let line = &line[..line.len().min(4096)];
            let p = parse_line(format, line, &[]);
            if let Some(stamp) = p.stamp {
                return Some(SeenStamp {
                    stamp,
                    text: p.stamp_text,
                    since_boot_micros: p.since_boot_micros,
                });
            }
        }
        e = ls;
    }
    None
}

/// The `KEY=VALUE` record around a line of `journalctl -o export`: records
/// are separated by an empty line.
fn export_record(region: &[u8], ls: usize, le: usize) -> &[u8] {
    let start = region[..ls].rfind(b"\n\n").map_or(0, |i| i + 2);
    let end = region[le..].find(b"\n\n").map_or(region.len(), |i| le + i);
    &region[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_sniffing() {
        assert!(!looks_binary(b"Oct 13 19:51:02 host kernel: hello\n"));
        assert!(!looks_binary("한국어 로그 줄\n".as_bytes()));
        assert!(looks_binary(b"\x7fELF\x02\x01\x01\x00\x00\x00"));
        assert!(looks_binary(&[1u8, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]));
        assert!(!looks_binary(b""));
    }

    #[test]
    fn export_record_bounds() {
        let r = b"__CURSOR=a\nMESSAGE=x\n\n__CURSOR=b\n__REALTIME_TIMESTAMP=1\nMESSAGE=y\n_PID=3\n\nMESSAGE=z\n";
        let ls = r.find(b"MESSAGE=y").unwrap();
        let le = ls + b"MESSAGE=y".len();
        assert_eq!(
            export_record(r, ls, le),
            b"__CURSOR=b\n__REALTIME_TIMESTAMP=1\nMESSAGE=y\n_PID=3"
        );
    }
}
