//! Application log formats: oslo.log (OpenStack services), klog (kubelet),
//! logfmt (containerd, CRI-O) and CRI container log files.

use std::borrow::Cow;

use rootline_model::RawStamp;

use crate::formats::ParsedLine;
use crate::syslog::refine_payload;
use crate::text::{
    DateSep, digit_run, fixed_digits, hms, iso_datetime, lossy, parse_u32, skip_space, token,
};

const OSLO_LEVELS: &[&[u8]] = &[
    b"DEBUG",
    b"INFO",
    b"WARNING",
    b"WARN",
    b"ERROR",
    b"CRITICAL",
    b"TRACE",
    b"AUDIT",
    b"FATAL",
];

/// `2025-10-13 19:46:01.123 1234 ERROR nova.compute.manager [req-…] msg`.
/// The message keeps the `[req-…]` context: signatures may want its ids.
pub(crate) fn parse_oslo(line: &[u8]) -> Option<ParsedLine> {
    let iso = iso_datetime(line, DateSep::Space, true)?;
    if iso.offset.is_some() || line.get(iso.len) != Some(&b' ') {
        return None;
    }
    let (pid, r) = token(&line[iso.len + 1..]);
    let pid = parse_u32(pid)?;
    let (level, r) = token(r);
    if !OSLO_LEVELS.contains(&level) {
        return None;
    }
    let (logger, msg) = token(r);
    if logger.is_empty() || logger.starts_with(b"[") {
        return None;
    }
    Some(ParsedLine {
        stamp: Some(RawStamp::Civil(iso.dt)),
        stamp_text: lossy(&line[..iso.len]),
        ident: Some(lossy(logger)),
        pid: Some(pid),
        level: Some(lossy(level)),
        message: msg.to_vec(),
        ..ParsedLine::default()
    })
}

/// `I1013 19:46:00.123456    1234 prober.go:107] msg`: level letter, month
/// and day, time, pid, source location.
pub(crate) fn parse_klog(line: &[u8]) -> Option<ParsedLine> {
    let lvl = *line.first()?;
    if !matches!(lvl, b'I' | b'W' | b'E' | b'F') {
        return None;
    }
    let month = i8::try_from(fixed_digits(line.get(1..)?, 2)?).ok()?;
    let day = i8::try_from(fixed_digits(line.get(3..)?, 2)?).ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || line.get(5) != Some(&b' ') {
        return None;
    }
    let (time, tl) = hms(line.get(6..)?, false)?;
    let mut i = 6 + tl;
    let pad = line.get(i..)?.iter().take_while(|b| **b == b' ').count();
    if pad == 0 {
        return None;
    }
    i += pad;
    let pl = digit_run(line.get(i..)?);
    let pid = parse_u32(&line[i..i + pl])?;
    i += pl;
    if line.get(i) != Some(&b' ') {
        return None;
    }
    let (loc, msg) = token(&line[i + 1..]);
    if loc.len() < 2 || !loc.ends_with(b"]") {
        return None;
    }
    Some(ParsedLine {
        stamp: Some(RawStamp::NoYear { month, day, time }),
        stamp_text: lossy(&line[..6 + tl]),
        pid: Some(pid),
        level: Some((lvl as char).to_string()),
        message: msg.to_vec(),
        ..ParsedLine::default()
    })
}

/// One `key=value` pair of a logfmt line, as offsets into the line.
struct Pair<'a> {
    key: &'a [u8],
    /// Where the pair (its key) starts.
    start: usize,
    /// Where the pair (its value as written) ends.
    end: usize,
    /// The value unquoted and unescaped.
    value: Cow<'a, [u8]>,
}

/// Iterate `key=value` / `key="quoted \" value"` pairs; ends at the first
/// malformed pair.
fn logfmt_pairs(s: &[u8]) -> impl Iterator<Item = Pair<'_>> {
    let mut i = 0usize;
    std::iter::from_fn(move || {
        while s.get(i) == Some(&b' ') {
            i += 1;
        }
        let start = i;
        while let Some(&b) = s.get(i) {
            if b == b'=' || b == b' ' || b == b'"' {
                break;
            }
            i += 1;
        }
        if i == start || s.get(i) != Some(&b'=') {
            return None;
        }
        let key = &s[start..i];
        i += 1;
        if s.get(i) == Some(&b'"') {
            i += 1;
            let inner_start = i;
            let mut escaped = false;
            let mut inner_end = None;
            while let Some(&b) = s.get(i) {
                if b == b'\\' {
                    escaped = true;
                    i += 2;
                } else if b == b'"' {
                    inner_end = Some(i);
                    i += 1;
                    break;
                } else {
                    i += 1;
                }
            }
            // An unterminated quote (a cut line) takes the rest of the line.
            i = i.min(s.len());
            let inner = &s[inner_start..inner_end.unwrap_or(i).max(inner_start)];
            let value = if escaped {
                Cow::Owned(unescape(inner))
            } else {
                Cow::Borrowed(inner)
            };
            Some(Pair {
                key,
                start,
                end: i,
                value,
            })
        } else {
            let vs = i;
            while let Some(&b) = s.get(i) {
                if b == b' ' {
                    break;
                }
                i += 1;
            }
            Some(Pair {
                key,
                start,
                end: i,
                value: Cow::Borrowed(&s[vs..i]),
            })
        }
    })
}

/// Go's `strconv.Quote` escapes, the ones logfmt writers use.
fn unescape(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        if b == b'\\' && i + 1 < s.len() {
            out.push(match s[i + 1] {
                b'n' => b'\n',
                b't' => b'\t',
                b'r' => b'\r',
                other => other,
            });
            i += 2;
        } else {
            out.push(b);
            i += 1;
        }
    }
    out
}

/// `time="2025-10-13T19:56:01.123456789Z" level=error msg="…" error="…"`.
/// The message is the unescaped `msg` followed by the other pairs as
/// written, so `error="…"` stays searchable. With `need_time`, the line must
/// carry a parseable `time`/`ts` (a logfmt file); without, `msg` or `level`
/// suffices (logfmt embedded after a syslog header).
pub(crate) fn parse_logfmt(line: &[u8], need_time: bool) -> Option<ParsedLine> {
    // Cheap rejection first: lines from these writers start with one of
    // these keys.
    let (first, _) = token(line);
    let key_end = memchr::memchr(b'=', first)?;
    if !matches!(&first[..key_end], b"time" | b"ts" | b"level" | b"msg") {
        return None;
    }
    let mut stamp = None;
    let mut stamp_text = String::new();
    let mut level = None;
    let mut msg: Option<Cow<'_, [u8]>> = None;
    let mut others: Vec<&[u8]> = Vec::new();
    let mut pairs = 0usize;
    let mut end = 0usize;
    for p in logfmt_pairs(line) {
        pairs += 1;
        end = p.end;
        let text = line.get(p.start..p.end).unwrap_or_default();
        match p.key {
            b"time" | b"ts" if stamp.is_none() => {
                match iso_datetime(&p.value, DateSep::Any, true) {
                    Some(iso) if iso.len == p.value.len() => {
                        stamp = iso.raw();
                        stamp_text = lossy(&p.value);
                    }
                    _ => others.push(text),
                }
            }
            b"level" | b"lvl" if level.is_none() => level = Some(lossy(&p.value)),
            b"msg" if msg.is_none() => msg = Some(p.value),
            _ => others.push(text),
        }
    }
    if pairs < 2 || (need_time && stamp.is_none()) || (msg.is_none() && level.is_none()) {
        return None;
    }
    let mut message = msg.map(Cow::into_owned).unwrap_or_default();
    // Whatever did not parse as pairs is kept too, not dropped.
    let tail = crate::text::trim_start(line.get(end..).unwrap_or_default());
    for o in others.into_iter().chain((!tail.is_empty()).then_some(tail)) {
        if !message.is_empty() {
            message.push(b' ');
        }
        message.extend_from_slice(o);
    }
    Some(ParsedLine {
        stamp,
        stamp_text,
        level,
        message,
        ..ParsedLine::default()
    })
}

/// `2025-10-13T19:56:01.123456789Z stderr F msg` (`P` marks a partial line).
pub(crate) fn parse_cri(line: &[u8]) -> Option<ParsedLine> {
    let iso = iso_datetime(line, DateSep::T, false)?;
    iso.offset?;
    if line.get(iso.len) != Some(&b' ') {
        return None;
    }
    let (stream, r) = token(&line[iso.len + 1..]);
    if stream != b"stdout" && stream != b"stderr" {
        return None;
    }
    let (tag, msg) = token(r);
    if tag.is_empty() || !tag.iter().all(|b| b.is_ascii_uppercase() || *b == b':') {
        return None;
    }
    let mut p = ParsedLine {
        stamp: Some(iso.raw()?),
        stamp_text: lossy(&line[..iso.len]),
        message: msg.to_vec(),
        ..ParsedLine::default()
    };
    refine_payload(&mut p);
    Some(p)
}

/// A bare leading date-time on a line of an unknown format (dpkg.log,
/// cloud-init.log, ovs-vswitchd.log, a script's log): the stamp is still
/// worth having for the timeline. The message is what follows it and its
/// separator (` - `, `|`, `: `).
pub(crate) fn parse_generic(line: &[u8]) -> Option<ParsedLine> {
    let iso = iso_datetime(line, DateSep::Any, true)?;
    let rest = line.get(iso.len..).unwrap_or_default();
    if let Some(&b) = rest.first()
        && b.is_ascii_alphanumeric()
    {
        return None;
    }
    let mut msg = crate::text::trim_start(rest);
    for sep in [&b"- "[..], b"|", b": ", b"] "] {
        if let Some(r) = msg.strip_prefix(sep) {
            msg = crate::text::trim_start(r);
            break;
        }
    }
    Some(ParsedLine {
        stamp: Some(iso.raw()?),
        stamp_text: lossy(&line[..iso.len]),
        message: skip_space(msg).to_vec(),
        ..ParsedLine::default()
    })
}
