//! Syslog-family headers: RFC 3164 (and journalctl `short`/`short-precise`),
//! RFC 3339 / RFC 5424 (rsyslog, journalctl `short-iso`), journalctl
//! `short-monotonic`; plus the payloads other programs embed in them.

use rootline_model::RawStamp;

use crate::formats::ParsedLine;
use crate::text::{
    DateSep, hms, iso_datetime, lossy, mono_bracket, month_abbr, padded_day, parse_u32, priority,
    skip_space, token,
};
use crate::{app, libvirt};

/// `Oct 13 19:51:02[.123456] host ident[pid]: msg`, optionally after a
/// `<pri>`. The day may be space-padded (`Feb  4`) or zero-padded (`Feb 04`).
pub(crate) fn parse_syslog(line: &[u8]) -> Option<ParsedLine> {
    let (pri_level, start) = match priority(line) {
        Some((lvl, n)) => (Some(lvl), n),
        None => (None, 0),
    };
    let s = line.get(start..)?;
    let month = month_abbr(s)?;
    if s.get(3) != Some(&b' ') {
        return None;
    }
    let (day, mut i) = padded_day(s, 4)?;
    if !(1..=31).contains(&day) {
        return None;
    }
    if s.get(i) != Some(&b' ') {
        return None;
    }
    i += 1;
    let (time, tl) = hms(s.get(i..)?, false)?;
    i += tl;
    if s.get(i) != Some(&b' ') {
        return None;
    }
    let mut p = ParsedLine {
        stamp: Some(RawStamp::NoYear { month, day, time }),
        stamp_text: lossy(&s[..i]),
        level: pri_level.map(str::to_string),
        ..ParsedLine::default()
    };
    host_tag_message(&s[i + 1..], &mut p)?;
    Some(p)
}

/// RFC 3339-stamped syslog: `[<pri>[1 ]]2025-10-13T19:51:02.123+09:00 host
/// ident[pid]: msg`, and the structured RFC 5424 form when a version follows
/// the priority.
pub(crate) fn parse_rfc3339(line: &[u8]) -> Option<ParsedLine> {
    let (pri_level, mut i) = match priority(line) {
        Some((lvl, n)) => (Some(lvl), n),
        None => (None, 0),
    };
    let mut rfc5424 = false;
    if pri_level.is_some() {
        let v = line
            .get(i..)?
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if v > 0 && v <= 2 && line.get(i + v) == Some(&b' ') {
            rfc5424 = true;
            i += v + 1;
        }
    }
    let s = line.get(i..)?;
    let iso = iso_datetime(s, DateSep::T, false)?;
    if s.get(iso.len) != Some(&b' ') {
        return None;
    }
    let mut p = ParsedLine {
        stamp: Some(iso.raw()?),
        stamp_text: lossy(&s[..iso.len]),
        level: pri_level.map(str::to_string),
        ..ParsedLine::default()
    };
    let rest = &s[iso.len + 1..];
    if rfc5424 {
        rfc5424_rest(rest, &mut p)?;
    } else {
        host_tag_message(rest, &mut p)?;
    }
    Some(p)
}

/// `[12289.195649] host ident[pid]: msg`. With `strict`, the identifier must
/// be `kernel` or carry a pid, so that a raw dmesg line such as
/// `[ 1.2] usb 1-1: new device` is not taken for one.
pub(crate) fn parse_monotonic(line: &[u8], strict: bool) -> Option<ParsedLine> {
    let (micros, n) = mono_bracket(line)?;
    if line.get(n) != Some(&b' ') {
        return None;
    }
    let (host, rest) = token(&line[n + 1..]);
    if !is_host(host) {
        return None;
    }
    let (tag, msg) = token(rest);
    let (ident, pid) = parse_tag(tag)?;
    if strict && pid.is_none() && ident != "kernel" {
        return None;
    }
    let mut p = ParsedLine {
        stamp: Some(RawStamp::Monotonic { micros }),
        stamp_text: lossy(trim_brackets(&line[..n])),
        since_boot_micros: Some(micros),
        host: Some(lossy(host)),
        ident: Some(ident),
        pid,
        message: msg.to_vec(),
        ..ParsedLine::default()
    };
    refine_payload(&mut p);
    Some(p)
}

/// The text inside `[   12.3]`, without brackets or padding.
pub(crate) fn trim_brackets(s: &[u8]) -> &[u8] {
    let s = s.strip_prefix(b"[").unwrap_or(s);
    let s = s.strip_suffix(b"]").unwrap_or(s);
    crate::text::trim_start(s)
}

fn is_host(tok: &[u8]) -> bool {
    !tok.is_empty() && !tok.ends_with(b":") && !tok.starts_with(b"[") && !tok.starts_with(b"(")
}

/// `ident:` or `ident[pid]:` → identifier and pid.
pub(crate) fn parse_tag(tag: &[u8]) -> Option<(String, Option<u32>)> {
    let t = tag.strip_suffix(b":")?;
    if t.is_empty() {
        return None;
    }
    if let Some(inner) = t.strip_suffix(b"]")
        && let Some(open) = memchr::memrchr(b'[', inner)
        && open > 0
        && let Some(pid) = parse_u32(&inner[open + 1..])
    {
        return Some((lossy(&inner[..open]), Some(pid)));
    }
    Some((lossy(t), None))
}

/// After the stamp: `host ident[pid]: msg`, `ident[pid]: msg` (no host), or
/// `host msg` (no tag, as in `message repeated 3 times`).
fn host_tag_message(rest: &[u8], p: &mut ParsedLine) -> Option<()> {
    let (first, after_first) = token(rest);
    if first.is_empty() {
        return None;
    }
    if first == b"|" {
        // multipath-tools prints its own stderr lines as `Aug 30 05:09:18 |
        // mpatha: map in use`: a stamp, a bar, the message — no host.
        p.ident = Some("multipath".to_string());
        p.message = after_first.to_vec();
    } else if let Some((ident, pid)) = parse_tag(first) {
        p.ident = Some(ident);
        p.pid = pid;
        p.message = after_first.to_vec();
    } else {
        if !is_host(first) {
            return None;
        }
        p.host = Some(lossy(first));
        let (tag, after_tag) = token(after_first);
        match parse_tag(tag) {
            Some((ident, pid)) => {
                p.ident = Some(ident);
                p.pid = pid;
                p.message = after_tag.to_vec();
            }
            None => p.message = after_first.to_vec(),
        }
    }
    kernel_uptime(p);
    refine_payload(p);
    Some(())
}

/// kern.log carries the kernel's own `[uptime]` after `kernel:`; it goes to
/// `since_boot_micros` and the message is what follows it.
fn kernel_uptime(p: &mut ParsedLine) {
    if p.ident.as_deref() != Some("kernel") {
        return;
    }
    if let Some((micros, n)) = mono_bracket(&p.message) {
        p.since_boot_micros = Some(micros);
        let msg = skip_space(&p.message[n..]).to_vec();
        p.message = msg;
    }
}

/// RFC 5424 after the stamp: `host app procid msgid SD msg`, `-` for nil.
fn rfc5424_rest(rest: &[u8], p: &mut ParsedLine) -> Option<()> {
    let nil = |t: &[u8]| -> Option<String> { (t != b"-" && !t.is_empty()).then(|| lossy(t)) };
    let (host, r) = token(rest);
    let (app, r) = token(r);
    let (procid, r) = token(r);
    let (_msgid, r) = token(r);
    if host.is_empty() || app.is_empty() || procid.is_empty() {
        return None;
    }
    p.host = nil(host);
    p.ident = nil(app);
    p.pid = parse_u32(procid);
    let msg = skip_structured_data(r)?;
    let msg = msg.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(msg);
    p.message = msg.to_vec();
    kernel_uptime(p);
    refine_payload(p);
    Some(())
}

/// Skip `-` or one or more `[id k="v" ...]` elements (values may contain
/// `\]` and `\"`), and the space after them.
fn skip_structured_data(s: &[u8]) -> Option<&[u8]> {
    if let Some(r) = s.strip_prefix(b"-") {
        return Some(skip_space(r));
    }
    if s.is_empty() {
        return Some(s);
    }
    let mut i = 0;
    while s.get(i) == Some(&b'[') {
        let mut in_quotes = false;
        i += 1;
        loop {
            match *s.get(i)? {
                b'\\' => i += 2,
                b'"' => {
                    in_quotes = !in_quotes;
                    i += 1;
                }
                b']' if !in_quotes => {
                    i += 1;
                    break;
                }
                _ => i += 1,
            }
        }
    }
    if i == 0 {
        return None;
    }
    Some(skip_space(s.get(i..).unwrap_or_default()))
}

/// Programs log structured lines through journald/syslog: kubelet writes
/// klog, containerd writes logfmt, libvirtd its own format, openstack
/// services may write oslo lines to stdout. The outer header wins (stamp, host, identifier); the inner
/// header gives the level and is removed from the message so signatures see
/// the same text whatever the transport.
pub(crate) fn refine_payload(p: &mut ParsedLine) {
    let msg = &p.message;
    let first = match msg.first() {
        Some(b) => *b,
        None => return,
    };
    if matches!(first, b'I' | b'W' | b'E' | b'F')
        && let Some(k) = app::parse_klog(msg)
    {
        p.level = k.level;
        if p.pid.is_none() {
            p.pid = k.pid;
        }
        p.message = k.message;
        return;
    }
    if first.is_ascii_lowercase()
        && let Some(l) = app::parse_logfmt(msg, false)
    {
        if l.level.is_some() {
            p.level = l.level;
        }
        p.message = l.message;
        return;
    }
    if first.is_ascii_digit()
        && let Some(inner) = app::parse_oslo(msg).or_else(|| libvirt::parse_libvirtd(msg))
    {
        p.level = inner.level;
        if p.ident.is_none() {
            p.ident = inner.ident;
        }
        if p.pid.is_none() {
            p.pid = inner.pid;
        }
        p.message = inner.message;
    }
}
