//! Small byte-level parsers shared by every format: digits, dates, times,
//! offsets, tokens. All of them take a slice that starts where the thing is
//! expected and return what they read with its length; none of them index
//! past the slice.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::Offset;
use rootline_model::RawStamp;

/// Exactly `n` ASCII digits at the start of `s`.
pub(crate) fn fixed_digits(s: &[u8], n: usize) -> Option<u32> {
    let d = s.get(..n)?;
    let mut v: u32 = 0;
    for &b in d {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(b - b'0');
    }
    Some(v)
}

/// How many ASCII digits `s` starts with.
pub(crate) fn digit_run(s: &[u8]) -> usize {
    s.iter().take_while(|b| b.is_ascii_digit()).count()
}

/// A whole slice of 1–10 digits as a `u32` (pids, thread ids).
pub(crate) fn parse_u32(s: &[u8]) -> Option<u32> {
    if s.is_empty() || s.len() > 10 || digit_run(s) != s.len() {
        return None;
    }
    let mut v: u64 = 0;
    for &b in s {
        v = v * 10 + u64::from(b - b'0');
    }
    u32::try_from(v).ok()
}

/// A whole slice of 1–19 digits as a `u64`.
pub(crate) fn parse_u64(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 19 || digit_run(s) != s.len() {
        return None;
    }
    let mut v: u64 = 0;
    for &b in s {
        v = v.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(v)
}

/// An English three-letter month abbreviation (`Oct`; any case).
/// A day of the month at `s[i..]`, space-padded (`Feb  4`) or not
/// (`Feb 04`, `Feb 4`): the day and the index just past it.
pub(crate) fn padded_day(s: &[u8], mut i: usize) -> Option<(i8, usize)> {
    if s.get(i) == Some(&b' ') {
        i += 1;
    }
    let dl = s
        .get(i..)?
        .iter()
        .take(3)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if dl == 0 || dl > 2 {
        return None;
    }
    let day = i8::try_from(parse_u32(&s[i..i + dl])?).ok()?;
    Some((day, i + dl))
}

pub(crate) fn month_abbr(s: &[u8]) -> Option<i8> {
    let m = s.get(..3)?;
    const NAMES: [&[u8; 3]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    let lower = [
        m[0].to_ascii_lowercase(),
        m[1].to_ascii_lowercase(),
        m[2].to_ascii_lowercase(),
    ];
    NAMES
        .iter()
        .position(|n| **n == lower)
        .and_then(|i| i8::try_from(i + 1).ok())
}

/// An English three-letter weekday abbreviation (`Mon`; any case).
pub(crate) fn is_weekday_abbr(s: &[u8]) -> bool {
    let Some(w) = s.get(..3) else {
        return false;
    };
    const NAMES: [&[u8; 3]; 7] = [b"mon", b"tue", b"wed", b"thu", b"fri", b"sat", b"sun"];
    let lower = [
        w[0].to_ascii_lowercase(),
        w[1].to_ascii_lowercase(),
        w[2].to_ascii_lowercase(),
    ];
    NAMES.iter().any(|n| **n == lower)
}

/// Fraction digits after the separator: nanoseconds and how many digits
/// were consumed (digits past the ninth are consumed and ignored).
fn fraction(s: &[u8]) -> (i32, usize) {
    let n = digit_run(s);
    let mut nanos: i32 = 0;
    for k in 0..9 {
        let d = s
            .get(k)
            .filter(|_| k < n)
            .map_or(0, |b| i32::from(b - b'0'));
        nanos = nanos * 10 + d;
    }
    (nanos, n)
}

/// `HH:MM:SS` with an optional fraction after `.` (or `,` when `comma`).
/// Returns the time and the length read. A leap second `60` is read as `59`
/// (jiff has no leap seconds; one second of error is harmless here).
pub(crate) fn hms(s: &[u8], comma: bool) -> Option<(Time, usize)> {
    let h = fixed_digits(s, 2)?;
    if s.get(2) != Some(&b':') {
        return None;
    }
    let m = fixed_digits(s.get(3..)?, 2)?;
    if s.get(5) != Some(&b':') {
        return None;
    }
    let sec = fixed_digits(s.get(6..)?, 2)?.min(59);
    let mut len = 8;
    let mut nanos = 0;
    if let Some(&sep) = s.get(8)
        && (sep == b'.' || (comma && sep == b','))
    {
        let (ns, n) = fraction(s.get(9..).unwrap_or_default());
        if n > 0 {
            nanos = ns;
            len = 9 + n;
        }
    }
    let t = Time::new(
        i8::try_from(h).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(sec).ok()?,
        nanos,
    )
    .ok()?;
    Some((t, len))
}

/// `YYYY-MM-DD`.
pub(crate) fn ymd(s: &[u8]) -> Option<(Date, usize)> {
    let y = fixed_digits(s, 4)?;
    if s.get(4) != Some(&b'-') {
        return None;
    }
    let m = fixed_digits(s.get(5..)?, 2)?;
    if s.get(7) != Some(&b'-') {
        return None;
    }
    let d = fixed_digits(s.get(8..)?, 2)?;
    let date = Date::new(
        i16::try_from(y).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(d).ok()?,
    )
    .ok()?;
    Some((date, 10))
}

/// A UTC offset: `Z`, `+HH:MM`, `+HHMM` or `+HH`. Returns seconds east of
/// UTC and the length read.
pub(crate) fn utc_offset(s: &[u8]) -> Option<(i32, usize)> {
    let sign = match *s.first()? {
        b'Z' | b'z' => return Some((0, 1)),
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let h = i32::try_from(fixed_digits(s.get(1..)?, 2)?).ok()?;
    let (m, len) = if s.get(3) == Some(&b':') {
        (i32::try_from(fixed_digits(s.get(4..)?, 2)?).ok()?, 6)
    } else if let Some(m) = s.get(3..).and_then(|r| fixed_digits(r, 2)) {
        (i32::try_from(m).ok()?, 5)
    } else if s.get(3).is_some_and(u8::is_ascii_digit) {
        return None;
    } else {
        (0, 3)
    };
    if h > 23 || m > 59 {
        return None;
    }
    Some((sign * (h * 3600 + m * 60), len))
}

/// The instant a civil time at a fixed offset names.
pub(crate) fn at_offset(dt: DateTime, offset_secs: i32) -> Option<Timestamp> {
    Offset::from_seconds(offset_secs)
        .ok()?
        .to_timestamp(dt)
        .ok()
}

/// Which separators an ISO-ish date-time may use between date and time.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateSep {
    /// Only `T` (RFC 3339).
    T,
    /// Only a space (oslo, libvirt).
    Space,
    /// Either.
    Any,
}

/// An ISO-8601-ish date-time: `YYYY-MM-DD[T ]HH:MM:SS[.frac][offset]`.
pub(crate) struct IsoStamp {
    pub dt: DateTime,
    pub offset: Option<i32>,
    pub len: usize,
}

impl IsoStamp {
    /// An instant when the offset was written, else a civil time.
    pub(crate) fn raw(&self) -> Option<RawStamp> {
        match self.offset {
            Some(off) => at_offset(self.dt, off).map(RawStamp::Instant),
            None => Some(RawStamp::Civil(self.dt)),
        }
    }
}

pub(crate) fn iso_datetime(s: &[u8], sep: DateSep, comma: bool) -> Option<IsoStamp> {
    let (date, _) = ymd(s)?;
    let ok = matches!(
        (*s.get(10)?, sep),
        (b'T' | b't', DateSep::T | DateSep::Any) | (b' ', DateSep::Space | DateSep::Any)
    );
    if !ok {
        return None;
    }
    let (time, tl) = hms(s.get(11..)?, comma)?;
    let mut len = 11 + tl;
    let offset = match s.get(len..).and_then(utc_offset) {
        Some((off, ol)) => {
            len += ol;
            Some(off)
        }
        None => None,
    };
    Some(IsoStamp {
        dt: DateTime::from_parts(date, time),
        offset,
        len,
    })
}

/// `[   12.345678]`: seconds since boot in brackets, padded with spaces.
/// Returns µs and the length read including both brackets.
pub(crate) fn mono_bracket(s: &[u8]) -> Option<(u64, usize)> {
    if s.first() != Some(&b'[') {
        return None;
    }
    let mut i = 1;
    while s.get(i) == Some(&b' ') {
        i += 1;
    }
    let sec_len = digit_run(s.get(i..)?);
    if sec_len == 0 || sec_len > 12 {
        return None;
    }
    let secs = parse_u64(&s[i..i + sec_len])?;
    i += sec_len;
    let mut micros: u64 = 0;
    if s.get(i) == Some(&b'.') {
        i += 1;
        let n = digit_run(s.get(i..)?);
        if n == 0 {
            return None;
        }
        for k in 0..6 {
            let d = s
                .get(i + k)
                .filter(|_| k < n)
                .map_or(0, |b| u64::from(b - b'0'));
            micros = micros * 10 + d;
        }
        i += n;
    }
    if s.get(i) != Some(&b']') {
        return None;
    }
    let total = secs.checked_mul(1_000_000)?.checked_add(micros)?;
    Some((total, i + 1))
}

/// The first space-separated token and what follows the single space after
/// it (empty when the line ends).
pub(crate) fn token(s: &[u8]) -> (&[u8], &[u8]) {
    match memchr::memchr(b' ', s) {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, &[]),
    }
}

/// `s` without its leading spaces and tabs.
pub(crate) fn trim_start(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|b| **b == b' ' || **b == b'\t').count();
    &s[n..]
}

/// `s` without trailing ASCII whitespace.
pub(crate) fn trim_end(s: &[u8]) -> &[u8] {
    let n = s
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_whitespace())
        .count();
    &s[..s.len() - n]
}

/// Skip one space if `s` starts with it.
pub(crate) fn skip_space(s: &[u8]) -> &[u8] {
    s.strip_prefix(b" ").unwrap_or(s)
}

pub(crate) fn lossy(s: &[u8]) -> String {
    String::from_utf8_lossy(s).into_owned()
}

/// A syslog severity number as its conventional name.
pub(crate) fn severity_name(n: u32) -> Option<&'static str> {
    Some(match n {
        0 => "emerg",
        1 => "alert",
        2 => "crit",
        3 => "err",
        4 => "warning",
        5 => "notice",
        6 => "info",
        7 => "debug",
        _ => return None,
    })
}

/// `<13>`: a syslog priority. Returns the severity name and the length.
pub(crate) fn priority(s: &[u8]) -> Option<(&'static str, usize)> {
    if s.first() != Some(&b'<') {
        return None;
    }
    let n = digit_run(s.get(1..)?);
    if n == 0 || n > 3 || s.get(1 + n) != Some(&b'>') {
        return None;
    }
    let pri = parse_u32(&s[1..1 + n])?;
    if pri > 191 {
        return None;
    }
    Some((severity_name(pri % 8)?, n + 2))
}

/// Render an instant the way reports show JSON-sourced stamps.
pub(crate) fn render_instant(ts: Timestamp) -> String {
    ts.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_offsets() {
        let (t, n) = hms(b"19:51:02.123456 x", false).unwrap();
        assert_eq!((t, n), (Time::new(19, 51, 2, 123_456_000).unwrap(), 15));
        assert_eq!(hms(b"19:51:02,5", false).unwrap().1, 8);
        assert_eq!(hms(b"19:51:02,5", true).unwrap().1, 10);
        assert!(hms(b"19:5:02", false).is_none());
        assert!(hms(b"25:00:00", false).is_none());
        assert_eq!(utc_offset(b"+09:00"), Some((32400, 6)));
        assert_eq!(utc_offset(b"+0900 "), Some((32400, 5)));
        assert_eq!(utc_offset(b"-05"), Some((-18000, 3)));
        assert_eq!(utc_offset(b"Z"), Some((0, 1)));
        assert!(utc_offset(b"+090").is_none());
        assert_eq!(mono_bracket(b"[    0.000000] x"), Some((0, 14)));
        assert_eq!(mono_bracket(b"[12289.195649]"), Some((12_289_195_649, 14)));
        assert_eq!(mono_bracket(b"[ 1.5]"), Some((1_500_000, 6)));
        assert!(mono_bracket(b"[root@x ~]").is_none());
        assert!(mono_bracket(b"[99999999999999999.1]").is_none());
        assert_eq!(month_abbr(b"Oct"), Some(10));
        assert_eq!(month_abbr(b"Oc"), None);
        assert_eq!(parse_u32(b"4294967296"), None);
        assert_eq!(priority(b"<34>1"), Some(("crit", 4)));
    }
}
