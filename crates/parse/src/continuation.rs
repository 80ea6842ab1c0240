//! Multi-line blocks: which lines after a signature's first line belong to
//! it (a kernel trace, an OOM report, a Python traceback, a qemu command
//! line).

use rootline_model::BlockKind;

use crate::formats::ParsedLine;
use crate::text::{trim_end, trim_start};

/// Whether `message` (the parsed message of the next line; for lines with
/// no header, the whole line) continues a multi-line block of `kind`
/// started by an earlier line. `first` is the parsed first line of the
/// block: python tracebacks continue only with the same pid and ident.
pub fn continues(kind: BlockKind, first: &ParsedLine, next: &ParsedLine) -> bool {
    match kind {
        BlockKind::KernelTrace => same_source(first, next) && is_kernel_report_line(&next.message),
        BlockKind::Oom => same_source(first, next) && is_oom_report_line(&next.message),
        BlockKind::PythonTraceback => python_continues(first, next),
        BlockKind::Backslash => backslash_continues(next),
    }
}

/// In a syslog or journal, lines of other programs and hosts interleave
/// with a kernel report; they never belong to it.
fn same_source(first: &ParsedLine, next: &ParsedLine) -> bool {
    let differ =
        |a: &Option<String>, b: &Option<String>| matches!((a, b), (Some(x), Some(y)) if x != y);
    !differ(&first.ident, &next.ident) && !differ(&first.host, &next.host)
}

/// Prefixes (after indentation) of the lines the kernel prints inside a
/// report: trace markers, register dumps, the banner lines.
const KERNEL_REPORT_PREFIXES: &[&[u8]] = &[
    b"Call Trace:",
    b"Call trace:",
    b"<TASK>",
    b"</TASK>",
    b"<IRQ>",
    b"</IRQ>",
    b"<NMI>",
    b"</NMI>",
    b"<EOI>",
    b"Code:",
    b"RIP:",
    b"RSP:",
    b"Hardware name:",
    b"Not tainted",
    b"Tainted:",
    b"\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\"",
    b"task:",
    b"Modules linked in:",
    b"Workqueue:",
    b"irq event stamp",
    b"hardirqs last",
    b"softirqs last",
    b"---[ end trace",
    b"---[ end Kernel panic",
    b"Kernel Offset:",
    b"Shutting down cpus with NMI",
    b"Sending NMI",
    b"NMI backtrace",
    b"Stack:",
    b"Showing stack",
    b"Oops:",
    b"#PF:",
    b"PGD ",
    b"P4D ",
    b"ORIG_RAX",
    b"Rebooting in",
    b"Dumping ftrace",
    b"pc : ",
    b"lr : ",
    b"sp : ",
    b"pstate:",
];

/// A line of a kernel report (hung task, panic, oops, soft lockup trace).
/// New reports (`INFO: task … blocked`, `Kernel panic - not syncing`,
/// `watchdog: BUG: soft lockup`) and ordinary messages are not.
fn is_kernel_report_line(msg: &[u8]) -> bool {
    let t = trim_start(msg);
    if t.is_empty() {
        return false;
    }
    // Frames and register lines are printed indented; so is anything else
    // the kernel nests under a report header.
    if t.len() < msg.len() {
        return true;
    }
    if KERNEL_REPORT_PREFIXES.iter().any(|p| t.starts_with(p)) {
        return true;
    }
    if t.starts_with(b"CPU: ") && memchr::memmem::find(t, b"PID:").is_some() {
        return true;
    }
    is_frame(t) || is_register_line(t)
}

/// `foo+0x229/0x550`, `? foo+0x1/0x2 [mod]`, `[<ffffffff8108a3b4>] foo+0x..`,
/// `? 0xffffffffc06a1000`.
fn is_frame(t: &[u8]) -> bool {
    let mut t = t;
    if let Some(r) = t.strip_prefix(b"? ") {
        if r.starts_with(b"0x") {
            return true;
        }
        t = r;
    }
    if t.starts_with(b"[<") {
        return memchr::memmem::find(t, b">]").is_some();
    }
    let sym = t.split(|b| *b == b' ').next().unwrap_or_default();
    let Some(plus) = memchr::memmem::find(sym, b"+0x") else {
        return false;
    };
    if plus == 0 {
        return false;
    }
    let off = &sym[plus + 3..];
    let Some(slash) = memchr::memchr(b'/', off) else {
        return false;
    };
    slash > 0
        && off[..slash].iter().all(u8::is_ascii_hexdigit)
        && off[slash + 1..].starts_with(b"0x")
}

/// `RAX: 00007fd9e4783000 RBX: …`, `RIP: 0010:__put_user_8+0xd/0x20`,
/// `FS:  00007f…`, `R13: …`, arm64 `x29: …`: a short upper-case register
/// name, a colon, spaces and hex digits.
fn is_register_line(t: &[u8]) -> bool {
    let name_len = t
        .iter()
        .take(5)
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    if !(2..=4).contains(&name_len) || t.get(name_len) != Some(&b':') {
        return false;
    }
    let name = &t[..name_len];
    let arm = name[0] == b'x' && name[1..].iter().all(u8::is_ascii_digit);
    if !arm
        && !name
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return false;
    }
    let value = trim_start(&t[name_len + 1..]);
    value.iter().take_while(|b| b.is_ascii_hexdigit()).count() >= 4
}

/// Prefixes of the OOM killer's report lines after `invoked oom-killer`.
const OOM_PREFIXES: &[&[u8]] = &[
    b"Mem-Info:",
    b"active_anon:",
    b"active_file:",
    b"inactive_",
    b"isolated_",
    b"unevictable:",
    b"slab_reclaimable:",
    b"slab_unreclaimable:",
    b"mapped:",
    b"shmem:",
    b"pagetables:",
    b"sec_pagetables:",
    b"bounce:",
    b"free:",
    b"free_pcp:",
    b"free_cma:",
    b"kernel_stack:",
    b"Node ",
    b"lowmem_reserve",
    b"DMA: ",
    b"DMA32: ",
    b"Normal: ",
    b"Movable: ",
    b"HighMem: ",
    b"Free swap",
    b"Total swap",
    b"Swap cache stats",
    b"Tasks state",
    b"[  pid  ]",
    b"oom-kill:",
    b"memory: usage",
    b"memory+swap: usage",
    b"kmem: usage",
    b"swap: usage",
    b"Memory cgroup stats",
    b"Unreclaimable slab info",
    b"mems_allowed=",
    b"Task in ",
    b"Name ",
];

/// A line of an OOM report. `Out of memory: Killed process` and the
/// reaper's lines are events of their own.
fn is_oom_report_line(msg: &[u8]) -> bool {
    let t = trim_start(msg);
    if t.is_empty()
        || t.starts_with(b"Out of memory")
        || t.starts_with(b"Memory cgroup out of memory")
        || t.starts_with(b"oom_reaper:")
        || memchr::memmem::find(t, b"Killed process").is_some()
    {
        return false;
    }
    if is_kernel_report_line(msg) || OOM_PREFIXES.iter().any(|p| t.starts_with(p)) {
        return true;
    }
    // Task table rows: `[   1234]     0  1234   123456 …`.
    if let Some(r) = t.strip_prefix(b"[") {
        let r = trim_start(r);
        let d = r.iter().take_while(|b| b.is_ascii_digit()).count();
        if d > 0 && r.get(d) == Some(&b']') {
            return true;
        }
    }
    // `123456 pages RAM`, `0 pages in swap cache`, `1234 total pagecache pages`.
    if t.first().is_some_and(u8::is_ascii_digit) && memchr::memmem::find(t, b"pages").is_some() {
        return true;
    }
    // Memory cgroup stat lines: `anon 123456`, `file_dirty 0`.
    let word = t
        .iter()
        .take_while(|b| b.is_ascii_lowercase() || **b == b'_')
        .count();
    word > 0
        && t.get(word) == Some(&b' ')
        && t.len() > word + 1
        && t[word + 1..].iter().all(u8::is_ascii_digit)
}

/// Python tracebacks: an unstamped line under the first one, or a line from
/// the same process and logger (oslo.log prefixes every traceback line with
/// its header) whose message is part of a traceback.
fn python_continues(first: &ParsedLine, next: &ParsedLine) -> bool {
    if next.stamp.is_none() {
        return true;
    }
    let same = first.pid.is_some()
        && first.pid == next.pid
        && first.ident.is_some()
        && first.ident == next.ident;
    if !same {
        return false;
    }
    // One log record split over lines: oslo repeats the record's header,
    // stamp included, on each line of a multi-line exception message
    // (`Command: …`, `Exit code: 1`, `Stderr: …`). Only a stamp with a
    // fraction tells one record from the next; whole seconds do not.
    let same_record = first.stamp.is_some()
        && first.stamp == next.stamp
        && first.level == next.level
        && first.stamp_text.contains(['.', ',']);
    same_record || is_traceback_line(strip_context(&next.message))
}

/// oslo.log puts `[req-… - - - - -]` and `[instance: …]` before the message;
/// traceback lines carry them too.
fn strip_context(msg: &[u8]) -> &[u8] {
    let mut m = msg;
    for _ in 0..3 {
        if m.first() != Some(&b'[') {
            break;
        }
        let Some(close) = memchr::memchr(b']', m) else {
            break;
        };
        match m.get(close + 1) {
            None => return &[],
            Some(b' ') => m = &m[close + 2..],
            Some(_) => break,
        }
    }
    m
}

fn is_traceback_line(m: &[u8]) -> bool {
    let Some(&c) = m.first() else {
        return false;
    };
    if c == b' ' || c == b'\t' {
        return !trim_start(m).is_empty();
    }
    m.starts_with(b"Traceback (most recent call last)")
        || m.starts_with(b"File \"")
        || m.starts_with(b"During handling of the above exception")
        || m.starts_with(b"The above exception was the direct cause")
        || is_exception_line(m)
}

/// `KeyError: 'x'`, `oslo_messaging.exceptions.MessagingTimeout: …`,
/// `libvirt.libvirtError: …`: a (dotted) exception class name, then `:` or
/// the end of the line.
fn is_exception_line(m: &[u8]) -> bool {
    const SUFFIXES: &[&[u8]] = &[
        b"Error",
        b"Exception",
        b"Exit",
        b"Interrupt",
        b"Warning",
        b"Failure",
        b"Failed",
        b"Timeout",
        b"Fault",
        b"NotFound",
        b"Invalid",
        b"Conflict",
    ];
    let n = m
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_' || **b == b'.')
        .count();
    let name = &m[..n];
    if n == 0 || !(name[0].is_ascii_alphabetic() || name[0] == b'_') || name.ends_with(b".") {
        return false;
    }
    match m.get(n) {
        None | Some(b':') => {}
        _ => return false,
    }
    let last = name.rsplit(|b| *b == b'.').next().unwrap_or(name);
    let dotted = last.len() < name.len();
    SUFFIXES.iter().any(|s| last.ends_with(s))
        || (dotted && last.first().is_some_and(u8::is_ascii_uppercase))
}

/// A qemu command line continued with `\`: argument lines (`-device …`),
/// indented lines and lines that themselves end with `\`, none of which
/// carry a stamp or a program name.
fn backslash_continues(next: &ParsedLine) -> bool {
    if next.stamp.is_some() || next.ident.is_some() {
        return false;
    }
    let m = &next.message;
    let t = trim_end(m);
    match t.first() {
        None => false,
        Some(b'-' | b' ' | b'\t') => true,
        Some(_) => t.ends_with(b"\\"),
    }
}
