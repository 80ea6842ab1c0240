//! CONTRACT STUB — to be implemented. Signatures and docs are the contract.

use rootline_model::{BlockKind, RawStamp};

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
        todo!()
    }
}

/// The result of format detection for one file.
#[derive(Clone, Debug, PartialEq)]
pub struct Detection {
    pub format: LogFormat,
    /// Fraction (0.0–1.0) of sampled non-empty lines the format parsed.
    pub confidence: f32,
}

/// Recognise a file's format from its first bytes (up to ~64 KiB; the last
/// line may be cut). `name` is the file name, used only to break ties (a
/// file under `libvirt/qemu/` with both libvirt and unstamped lines is
/// `QemuLog`; `*.json` hints JSON). Never fails: unrecognised text is
/// `Plain`. The caller has already rejected binary content.
pub fn detect(sample: &[u8], name: &str) -> Detection {
    let _ = (sample, name);
    todo!()
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
    let _ = (format, line, record);
    todo!()
}

/// Whether `message` (the parsed message of the next line; for lines with
/// no header, the whole line) continues a multi-line block of `kind`
/// started by an earlier line. `first` is the parsed first line of the
/// block: python tracebacks continue only with the same pid and ident.
pub fn continues(kind: BlockKind, first: &ParsedLine, next: &ParsedLine) -> bool {
    let _ = (kind, first, next);
    todo!()
}
