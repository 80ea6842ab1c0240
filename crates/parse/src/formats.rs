//! The formats rootline recognises, and line parsing across them.

use rootline_model::RawStamp;

use crate::text::{token, trim_start};
use crate::{app, journal, jsonlines, kernel, libvirt, syslog};

/// A log format rootline recognises from content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LogFormat {
    /// RFC 3164 syslog / journalctl `short` / `short-precise`:
    /// `Oct 13 19:51:02[.123456] host ident[pid]: msg`. kern.log lines
    /// `kernel: [12289.195649] msg` are this format too (the monotonic stamp
    /// is reported in `ParsedLine::since_boot`).
    Syslog,
    /// RFC 5424 / RFC 3339 rsyslog and journalctl `short-iso[-precise]`:
    /// optional `<pri>` and version, then `2025-10-13T19:51:02.123+09:00 host ident[pid]: msg`.
    Rfc3339Syslog,
    /// Raw dmesg: `[12289.195649] msg` (seconds since boot). Also accepts
    /// `dmesg -x`/`--level` prefixes (`kern  :err   : [...] msg`).
    Dmesg,
    /// `dmesg -T`: `[Mon Oct 13 19:51:02 2025] msg` (local time, no zone).
    DmesgT,
    /// `journalctl -o short-monotonic`: `[12289.195649] host ident[pid]: msg`.
    JournalMonotonic,
    /// `journalctl -o json`: one JSON object per line with
    /// `__REALTIME_TIMESTAMP` (µs since epoch), `MESSAGE`, `_HOSTNAME`,
    /// `SYSLOG_IDENTIFIER`, `_PID`, `__MONOTONIC_TIMESTAMP`, `_BOOT_ID`.
    JournalJson,
    /// `journalctl -o export`: records of `KEY=VALUE` lines separated by a
    /// blank line. `parse_line` is called on the `MESSAGE=` line with the
    /// whole record as `record`.
    JournalExport,
    /// oslo.log (nova, cinder, os-brick, neutron):
    /// `2025-10-13 19:46:01.123 1234 ERROR nova.compute.manager [req-…] msg`.
    Oslo,
    /// klog (kubelet): `I1013 19:46:00.123456    1234 prober.go:107] msg`.
    Klog,
    /// logfmt as containerd/CRI-O write it:
    /// `time="2025-10-13T19:46:00.123456789Z" level=error msg="ExecSync …"`.
    Logfmt,
    /// CRI container log files: `2025-10-13T19:46:00.123456789Z stderr F msg`.
    CriLog,
    /// libvirt daemon log: `2025-10-13 10:46:01.123+0000: 1234: error : func:42 : msg`.
    Libvirtd,
    /// libvirt's per-domain qemu log (`/var/log/libvirt/qemu/<domain>.log`):
    /// libvirt-stamped lines (`2025-10-13 10:46:01.123+0000: starting up …`),
    /// qemu `-msg timestamp=on` lines (`2025-10-13T10:46:01.123456Z qemu-kvm: …`)
    /// and unstamped lines (`ERROR cluster 261192 refcount=0 reference=1`).
    QemuLog,
    /// JSON lines exported from a log store (OpenSearch, Loki, Elastic):
    /// `@timestamp` / `timestamp` / `time` plus `message` / `log` / `msg`
    /// (and `host`/`hostname`/`kubernetes.host` if present).
    JsonLines,
    /// Text with no recognised line format (command output, a pasted
    /// excerpt). Each line is still tried against every line format.
    Plain,
}

impl LogFormat {
    /// A stable short name for reports (`syslog`, `rfc3339-syslog`, `dmesg`,
    /// `dmesg-T`, `journal-monotonic`, `journal-json`, `journal-export`,
    /// `oslo`, `klog`, `logfmt`, `cri`, `libvirtd`, `qemu`, `json-lines`, `plain`).
    pub fn name(self) -> &'static str {
        match self {
            LogFormat::Syslog => "syslog",
            LogFormat::Rfc3339Syslog => "rfc3339-syslog",
            LogFormat::Dmesg => "dmesg",
            LogFormat::DmesgT => "dmesg-T",
            LogFormat::JournalMonotonic => "journal-monotonic",
            LogFormat::JournalJson => "journal-json",
            LogFormat::JournalExport => "journal-export",
            LogFormat::Oslo => "oslo",
            LogFormat::Klog => "klog",
            LogFormat::Logfmt => "logfmt",
            LogFormat::CriLog => "cri",
            LogFormat::Libvirtd => "libvirtd",
            LogFormat::QemuLog => "qemu",
            LogFormat::JsonLines => "json-lines",
            LogFormat::Plain => "plain",
        }
    }

    /// Every format, `Plain` last.
    pub const ALL: [LogFormat; 15] = [
        LogFormat::Syslog,
        LogFormat::Rfc3339Syslog,
        LogFormat::Dmesg,
        LogFormat::DmesgT,
        LogFormat::JournalMonotonic,
        LogFormat::JournalJson,
        LogFormat::JournalExport,
        LogFormat::Oslo,
        LogFormat::Klog,
        LogFormat::Logfmt,
        LogFormat::CriLog,
        LogFormat::Libvirtd,
        LogFormat::QemuLog,
        LogFormat::JsonLines,
        LogFormat::Plain,
    ];
}

/// The result of format detection for one file.
#[derive(Clone, Debug, PartialEq)]
pub struct Detection {
    pub format: LogFormat,
    /// Fraction (0.0–1.0) of sampled non-empty lines the format parsed.
    pub confidence: f32,
}

/// What a line's header says. Offsets index into the line given to
/// [`parse_line`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParsedLine {
    /// The line's own time stamp, if it has one.
    pub stamp: Option<RawStamp>,
    /// The stamp's text as written (for reports), e.g. `Oct 13 19:51:02`.
    pub stamp_text: String,
    /// Seconds since boot when the line carries them besides (or instead of)
    /// a wall-clock stamp, in µs: kern.log `kernel: [12289.195649]`.
    pub since_boot_micros: Option<u64>,
    /// Host named by the line (syslog host, `_HOSTNAME`, JSON `host`).
    pub host: Option<String>,
    /// Program / identifier: `kernel`, `multipathd`, `nova.compute.manager`
    /// (the oslo logger), `kubelet`, `libvirtd`, `qemu-kvm`, `containerd`.
    pub ident: Option<String>,
    pub pid: Option<u32>,
    /// Level as written (`ERROR`, `error`, `E`, `warning`…), if any.
    pub level: Option<String>,
    /// The message: the line after its header. For JSON formats this is the
    /// decoded message, which is why it is owned.
    pub message: Vec<u8>,
}

/// Parse one line (without its trailing newline) in the given format. For
/// `JournalExport`, `record` is the whole `KEY=VALUE` record the line is in;
/// otherwise it is empty. If the line does not fit `format`, every other line
/// format is tried (pasted excerpts mix formats; a shell prompt such as
/// `[root@compute ~]# ` before the stamp is skipped). A line nothing
/// recognises yields `stamp: None` and the whole line as `message`.
pub fn parse_line(format: LogFormat, line: &[u8], record: &[u8]) -> ParsedLine {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if let Some(p) = parse_as(format, line, record) {
        return p;
    }
    if let Some(p) = parse_any(line) {
        return p;
    }
    if let Some(rest) = skip_prompt(line)
        && let Some(p) = parse_any(rest)
    {
        return p;
    }
    // Excerpts pasted into documents are often indented as code blocks.
    let trimmed = trim_start(line);
    if trimmed.len() < line.len()
        && let Some(p) = parse_any(trimmed)
    {
        return p;
    }
    if format == LogFormat::QemuLog {
        // Unstamped output is normal in a qemu log; `qemu-kvm: ` still
        // names the program.
        return libvirt::parse_qemu_unstamped(line);
    }
    ParsedLine {
        message: line.to_vec(),
        ..ParsedLine::default()
    }
}

/// Parse `line` strictly as `format`: `None` when it does not fit.
pub(crate) fn parse_as(format: LogFormat, line: &[u8], record: &[u8]) -> Option<ParsedLine> {
    match format {
        LogFormat::Syslog => syslog::parse_syslog(line),
        LogFormat::Rfc3339Syslog => syslog::parse_rfc3339(line),
        LogFormat::Dmesg => kernel::parse_dmesg(line),
        LogFormat::DmesgT => kernel::parse_dmesg_t(line),
        LogFormat::JournalMonotonic => syslog::parse_monotonic(line, false),
        LogFormat::JournalJson => journal::parse_journal_json(line),
        LogFormat::JournalExport => journal::parse_export(line, record),
        LogFormat::Oslo => app::parse_oslo(line),
        LogFormat::Klog => app::parse_klog(line),
        LogFormat::Logfmt => app::parse_logfmt(line, true),
        LogFormat::CriLog => app::parse_cri(line),
        LogFormat::Libvirtd => libvirt::parse_libvirtd(line),
        // libvirt writes some of its own daemon-format lines into the
        // domain log; their pid/level/function header is worth keeping.
        LogFormat::QemuLog => {
            libvirt::parse_libvirtd(line).or_else(|| libvirt::parse_qemu_stamped(line))
        }
        LogFormat::JsonLines => jsonlines::parse_json_line(line),
        LogFormat::Plain => None,
    }
}

/// Try every line format, most specific first. Every parser needs a
/// particular first byte, so dispatching on it keeps this cheap.
fn parse_any(line: &[u8]) -> Option<ParsedLine> {
    match *line.first()? {
        b'{' => {
            let obj = journal::json_object(line)?;
            journal::parse_journal_object(&obj).or_else(|| jsonlines::parse_json_object(&obj))
        }
        b'[' => kernel::parse_dmesg_t(line)
            .or_else(|| syslog::parse_monotonic(line, true))
            .or_else(|| kernel::parse_dmesg(line)),
        b'<' => syslog::parse_rfc3339(line)
            .or_else(|| syslog::parse_syslog(line))
            .or_else(|| kernel::parse_dmesg(line)),
        b'0'..=b'9' => app::parse_cri(line)
            .or_else(|| syslog::parse_rfc3339(line))
            .or_else(|| libvirt::parse_libvirtd(line))
            .or_else(|| libvirt::parse_qemu_stamped(line))
            .or_else(|| app::parse_oslo(line))
            .or_else(|| app::parse_generic(line)),
        b'A'..=b'Z' => syslog::parse_syslog(line).or_else(|| app::parse_klog(line)),
        b'a'..=b'z' => app::parse_logfmt(line, true)
            .or_else(|| kernel::parse_dmesg(line))
            .or_else(|| kernel::parse_dmesg_t(line)),
        _ => None,
    }
}

/// What follows a shell prompt pasted before a log line:
/// `[root@compute ~]# `, `user@host:~$ `, `$ `, `# `.
pub(crate) fn skip_prompt(line: &[u8]) -> Option<&[u8]> {
    let head = &line[..line.len().min(256)];
    if head.first() == Some(&b'[') {
        let close = memchr::memchr(b']', head)?;
        memchr::memchr(b'@', &head[1..close])?;
        let rest = &line[close + 1..];
        let r = rest
            .strip_prefix(b"# ")
            .or_else(|| rest.strip_prefix(b"$ "))?;
        return Some(trim_start(r));
    }
    if let Some(r) = line
        .strip_prefix(b"$ ")
        .or_else(|| line.strip_prefix(b"# "))
    {
        return Some(trim_start(r));
    }
    let (tok, _) = token(head);
    if tok.len() > 2
        && memchr::memchr(b'@', tok).is_some()
        && (tok.ends_with(b"$") || tok.ends_with(b"#"))
    {
        return line.get(tok.len() + 1..).map(trim_start);
    }
    None
}
