//! Format detection: which line format explains most of a file's first
//! lines.

use crate::formats::{Detection, LogFormat, parse_as};
use crate::{journal, jsonlines, libvirt, syslog};

/// How many non-empty lines detection looks at.
const MAX_LINES: usize = 200;
/// Detection never reads more than this, whatever it is given.
const MAX_SAMPLE: usize = 256 * 1024;
/// Below this fraction of parsed lines no format is claimed.
const MIN_CONFIDENCE: f32 = 0.3;

/// Recognise a file's format from its first bytes (up to ~64 KiB; the last
/// line may be cut). `name` is the file name, used only to break ties (a
/// file under `libvirt/qemu/` with both libvirt and unstamped lines is
/// `QemuLog`; `*.json` hints JSON). Never fails: unrecognised text is
/// `Plain`. The caller has already rejected binary content.
pub fn detect(sample: &[u8], name: &str) -> Detection {
    let lines = sample_lines(sample);
    if lines.is_empty() {
        return Detection {
            format: LogFormat::Plain,
            confidence: 0.0,
        };
    }
    let total = lines.len();
    let mut counts = [0usize; LogFormat::ALL.len()];
    let idx = |f: LogFormat| LogFormat::ALL.iter().position(|g| *g == f).unwrap_or(0);
    let mut any = 0usize;
    // short-monotonic is told from raw dmesg by a host that repeats.
    let mut mono_hosts: Vec<(String, usize)> = Vec::new();
    let mut export_marker = false;
    let mut qemu_marker = false;
    let mut qemu_lines = 0usize;

    // Formats whose line parser decides on its own; JSON formats, export,
    // short-monotonic and qemu are scored separately below.
    const PLAIN_PARSED: [LogFormat; 9] = [
        LogFormat::Syslog,
        LogFormat::Rfc3339Syslog,
        LogFormat::Dmesg,
        LogFormat::DmesgT,
        LogFormat::Oslo,
        LogFormat::Klog,
        LogFormat::Logfmt,
        LogFormat::CriLog,
        LogFormat::Libvirtd,
    ];

    for line in &lines {
        let mut parsed = false;
        if crate::text::trim_start(line).first() == Some(&b'{') {
            if let Some(obj) = journal::json_object(line) {
                if journal::parse_journal_object(&obj).is_some() {
                    counts[idx(LogFormat::JournalJson)] += 1;
                    parsed = true;
                }
                if jsonlines::parse_json_object(&obj).is_some() {
                    counts[idx(LogFormat::JsonLines)] += 1;
                    parsed = true;
                }
            }
        } else {
            for f in PLAIN_PARSED {
                if parse_as(f, line, &[]).is_some() {
                    counts[idx(f)] += 1;
                    parsed = true;
                }
            }
            if let Some(p) = syslog::parse_monotonic(line, false) {
                let host = p.host.unwrap_or_default();
                match mono_hosts.iter_mut().find(|(h, _)| *h == host) {
                    Some((_, n)) => *n += 1,
                    None => mono_hosts.push((host, 1)),
                }
            }
            if journal::is_export_line(line) {
                counts[idx(LogFormat::JournalExport)] += 1;
                export_marker |=
                    line.starts_with(b"__REALTIME_TIMESTAMP=") || line.starts_with(b"__CURSOR=");
            }
            qemu_marker |= libvirt::is_qemu_marker(line);
            if libvirt::is_qemu_line(line) {
                qemu_lines += 1;
            }
        }
        if parsed || crate::app::parse_generic(line).is_some() {
            any += 1;
        }
    }

    counts[idx(LogFormat::JournalMonotonic)] =
        mono_hosts.iter().map(|(_, n)| *n).max().unwrap_or(0);
    if !export_marker {
        // `KEY=VALUE` lines alone are an environment dump, not a journal.
        counts[idx(LogFormat::JournalExport)] = 0;
    }
    let qemu_name = name_hints_qemu(name);
    counts[idx(LogFormat::QemuLog)] = if qemu_name {
        // Under libvirt/qemu/ unstamped lines are qemu's own output.
        total
    } else if qemu_marker {
        qemu_lines
    } else {
        0
    };
    let json_name = name_hints_json(name);

    let best = LogFormat::ALL
        .iter()
        .filter(|f| **f != LogFormat::Plain)
        .max_by_key(|f| {
            let json_bonus =
                json_name && matches!(f, LogFormat::JournalJson | LogFormat::JsonLines);
            (counts[idx(**f)], json_bonus, specificity(**f))
        })
        .copied()
        .unwrap_or(LogFormat::Plain);
    let confidence = counts[idx(best)] as f32 / total as f32;
    if confidence < MIN_CONFIDENCE {
        return Detection {
            format: LogFormat::Plain,
            confidence: any as f32 / total as f32,
        };
    }
    Detection {
        format: best,
        confidence: confidence.min(1.0),
    }
}

/// Ties between formats that parse the same lines go to the one that
/// demands more of a line: short-monotonic over raw dmesg, CRI over RFC 3339
/// syslog, libvirtd over qemu's libvirt-stamped lines.
fn specificity(f: LogFormat) -> u8 {
    match f {
        LogFormat::JournalJson => 14,
        LogFormat::JournalExport => 13,
        LogFormat::JsonLines => 12,
        LogFormat::Libvirtd => 11,
        LogFormat::CriLog => 10,
        LogFormat::Logfmt => 9,
        LogFormat::Klog => 8,
        LogFormat::Oslo => 7,
        LogFormat::JournalMonotonic => 6,
        LogFormat::DmesgT => 5,
        LogFormat::QemuLog => 4,
        LogFormat::Rfc3339Syslog => 3,
        LogFormat::Syslog => 2,
        LogFormat::Dmesg => 1,
        LogFormat::Plain => 0,
    }
}

/// The sample's first non-empty lines, without journalctl's banner and
/// catalog lines (`-- Logs begin at …`, `-- Boot …`, `-- Subject: …`) and
/// without a last line the sample cut short.
fn sample_lines(sample: &[u8]) -> Vec<&[u8]> {
    let sample = &sample[..sample.len().min(MAX_SAMPLE)];
    let sample = sample.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(sample);
    let cut_last = !sample.ends_with(b"\n") && memchr::memchr(b'\n', sample).is_some();
    let mut parts = sample.split(|b| *b == b'\n').peekable();
    let mut out = Vec::new();
    while let Some(l) = parts.next() {
        if cut_last && parts.peek().is_none() {
            break;
        }
        let l = l.strip_suffix(b"\r").unwrap_or(l);
        if l.iter().all(u8::is_ascii_whitespace) || l == b"--" || l.starts_with(b"-- ") {
            continue;
        }
        out.push(l);
        if out.len() >= MAX_LINES {
            break;
        }
    }
    out
}

fn name_hints_qemu(name: &str) -> bool {
    let n = name.replace('\\', "/").to_ascii_lowercase();
    n.contains("libvirt/qemu/")
}

fn name_hints_json(name: &str) -> bool {
    let mut n = name.to_ascii_lowercase();
    for ext in [".gz", ".xz", ".zst", ".bz2"] {
        if let Some(s) = n.strip_suffix(ext) {
            n = s.to_string();
        }
    }
    n.ends_with(".json") || n.ends_with(".jsonl") || n.ends_with(".ndjson")
}
