//! libvirt's logs: the daemon log and the per-domain qemu log.

use crate::formats::ParsedLine;
use crate::text::{DateSep, IsoStamp, digit_run, iso_datetime, lossy, parse_u32, token};

/// `2025-10-13 10:46:01.123+0000: ` — libvirt's stamp and the `: ` after it.
/// Returns the stamp and the offset of what follows.
fn libvirt_stamp(line: &[u8]) -> Option<(IsoStamp, usize)> {
    let iso = iso_datetime(line, DateSep::Space, false)?;
    iso.offset?;
    if line.get(iso.len) != Some(&b':') {
        return None;
    }
    let mut i = iso.len + 1;
    if line.get(i) == Some(&b' ') {
        i += 1;
    }
    Some((iso, i))
}

/// `2025-10-13 10:46:01.123+0000: 1234: error : virNetSocketReadWire:1791 : msg`.
/// The identifier is the function; lines without one (`info : libvirt
/// version: 6.0.0`) keep everything after the level as the message.
pub(crate) fn parse_libvirtd(line: &[u8]) -> Option<ParsedLine> {
    let (iso, i) = libvirt_stamp(line)?;
    let rest = line.get(i..)?;
    let pl = digit_run(rest);
    let pid = parse_u32(rest.get(..pl)?)?;
    let rest = rest.get(pl..)?.strip_prefix(b": ")?;
    let ll = rest.iter().take_while(|b| b.is_ascii_lowercase()).count();
    if ll < 3 {
        return None;
    }
    let level = &rest[..ll];
    let rest = rest.get(ll..)?.strip_prefix(b" : ")?;
    let (ident, message) = match function_location(rest) {
        Some((func, after)) => (Some(lossy(func)), after),
        None => (None, rest),
    };
    Some(ParsedLine {
        stamp: Some(iso.raw()?),
        stamp_text: lossy(&line[..iso.len]),
        ident,
        pid: Some(pid),
        level: Some(lossy(level)),
        message: message.to_vec(),
        ..ParsedLine::default()
    })
}

/// `virNetSocketReadWire:1791 : msg` → the function and the message.
fn function_location(s: &[u8]) -> Option<(&[u8], &[u8])> {
    let (loc, rest) = token(s);
    let colon = memchr::memrchr(b':', loc)?;
    let func = &loc[..colon];
    let line_no = &loc[colon + 1..];
    if func.is_empty()
        || line_no.is_empty()
        || digit_run(line_no) != line_no.len()
        || !func
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'.')
    {
        return None;
    }
    let msg = rest
        .strip_prefix(b": ")
        .or_else(|| rest.strip_prefix(b":"))?;
    Some((func, msg))
}

/// The stamped lines of a qemu domain log: libvirt's own
/// (`2025-10-13 10:46:01.123+0000: starting up …`) and qemu's `-msg
/// timestamp=on` lines (`2025-10-13T10:46:01.123456Z qemu-kvm: msg`).
pub(crate) fn parse_qemu_stamped(line: &[u8]) -> Option<ParsedLine> {
    if let Some((iso, i)) = libvirt_stamp(line) {
        return Some(ParsedLine {
            stamp: Some(iso.raw()?),
            stamp_text: lossy(&line[..iso.len]),
            message: line.get(i..).unwrap_or_default().to_vec(),
            ..ParsedLine::default()
        });
    }
    let iso = iso_datetime(line, DateSep::T, false)?;
    iso.offset?;
    if line.get(iso.len) != Some(&b' ') {
        return None;
    }
    let rest = &line[iso.len + 1..];
    let mut p = ParsedLine {
        stamp: Some(iso.raw()?),
        stamp_text: lossy(&line[..iso.len]),
        message: rest.to_vec(),
        ..ParsedLine::default()
    };
    if let Some((ident, msg)) = qemu_prefix(rest) {
        p.ident = Some(ident);
        p.message = msg.to_vec();
    }
    Some(p)
}

/// An unstamped qemu line. `qemu-kvm: msg` / `qemu-system-x86_64: msg` name
/// their program; anything else (`ERROR cluster 261192 refcount=0`, command
/// line arguments) is the message as is.
pub(crate) fn parse_qemu_unstamped(line: &[u8]) -> ParsedLine {
    match qemu_prefix(line) {
        Some((ident, msg)) => ParsedLine {
            ident: Some(ident),
            message: msg.to_vec(),
            ..ParsedLine::default()
        },
        None => ParsedLine {
            message: line.to_vec(),
            ..ParsedLine::default()
        },
    }
}

/// `qemu-kvm: ` / `qemu-system-x86_64: ` at the start of `s`.
fn qemu_prefix(s: &[u8]) -> Option<(String, &[u8])> {
    if !s.starts_with(b"qemu") {
        return None;
    }
    let (tok, rest) = token(s);
    let name = tok.strip_suffix(b":")?;
    if name.is_empty() || name.contains(&b':') {
        return None;
    }
    Some((lossy(name), rest))
}

/// Lines that only a qemu domain log has, used by detection.
pub(crate) fn is_qemu_marker(line: &[u8]) -> bool {
    if line.starts_with(b"LC_ALL=C")
        || line.starts_with(b"-name guest=")
        || line.starts_with(b"qemu-kvm:")
        || line.starts_with(b"qemu-system-")
        || line.starts_with(b"char device redirected to")
    {
        return true;
    }
    if let Some((_, i)) = libvirt_stamp(line) {
        let rest = line.get(i..).unwrap_or_default();
        return rest.starts_with(b"starting up libvirt version")
            || rest.starts_with(b"shutting down, reason=");
    }
    if let Some(iso) = iso_datetime(line, DateSep::T, false) {
        let rest = line.get(iso.len + 1..).unwrap_or_default();
        return rest.starts_with(b"qemu-kvm:") || rest.starts_with(b"qemu-system-");
    }
    false
}

/// Whether a line reads like part of a qemu domain log: stamped lines,
/// command-line arguments and environment, and qemu's unstamped messages.
pub(crate) fn is_qemu_line(line: &[u8]) -> bool {
    const UNSTAMPED: &[&[u8]] = &[
        b"qemu",
        b"char device redirected",
        b"ERROR cluster",
        b"Leaked cluster",
        b"block I/O error in device",
        b"main-loop:",
        b"KVM: ",
        b"kvm: ",
        b"warning: ",
        b"Domain id=",
        b"/usr/bin/qemu",
        b"/usr/libexec/qemu",
    ];
    if line.starts_with(b"-") || line.ends_with(b"\\") || is_qemu_marker(line) {
        return true;
    }
    if line.first().is_some_and(u8::is_ascii_digit) {
        return libvirt_stamp(line).is_some() || parse_qemu_stamped(line).is_some();
    }
    UNSTAMPED.iter().any(|p| line.starts_with(p))
}
