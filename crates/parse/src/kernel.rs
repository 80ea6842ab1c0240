//! Kernel ring buffer dumps: raw `dmesg` (seconds since boot) and
//! `dmesg -T` (local civil time).

use jiff::civil::{Date, DateTime};
use rootline_model::RawStamp;

use crate::formats::ParsedLine;
use crate::syslog::trim_brackets;
use crate::text::{
    fixed_digits, hms, is_weekday_abbr, lossy, mono_bracket, month_abbr, padded_day, severity_name,
    skip_space,
};

/// `[12289.195649] msg`, optionally after a `<6>` printk level (`dmesg -r`)
/// or a `kern  :err   : ` prefix (`dmesg -x`). sosreport's `var/log/dmesg`
/// writes `kernel: ` after the stamp; it becomes the identifier.
pub(crate) fn parse_dmesg(line: &[u8]) -> Option<ParsedLine> {
    let (level, start) = level_prefix(line);
    let s = line.get(start..)?;
    let (micros, n) = mono_bracket(s)?;
    let mut msg = s.get(n..).unwrap_or_default();
    if !msg.is_empty() {
        // A bracket glued to text is not a dmesg stamp (`[1.5]x`).
        msg = msg.strip_prefix(b" ")?;
    }
    let mut ident = None;
    if let Some(rest) = msg.strip_prefix(b"kernel:")
        && (rest.is_empty() || rest[0] == b' ')
    {
        ident = Some("kernel".to_string());
        msg = skip_space(rest);
    }
    Some(ParsedLine {
        stamp: Some(RawStamp::Monotonic { micros }),
        stamp_text: lossy(trim_brackets(&s[..n])),
        since_boot_micros: Some(micros),
        ident,
        level,
        message: msg.to_vec(),
        ..ParsedLine::default()
    })
}

/// `[Mon Oct 13 19:51:02 2025] msg` (`dmesg -T`, `--time-format ctime`).
pub(crate) fn parse_dmesg_t(line: &[u8]) -> Option<ParsedLine> {
    let (level, start) = level_prefix(line);
    let s = line.get(start..)?;
    if s.first() != Some(&b'[') || !is_weekday_abbr(s.get(1..)?) || s.get(4) != Some(&b' ') {
        return None;
    }
    let month = month_abbr(s.get(5..)?)?;
    if s.get(8) != Some(&b' ') {
        return None;
    }
    let (day, mut i) = padded_day(s, 9)?;
    if s.get(i) != Some(&b' ') {
        return None;
    }
    i += 1;
    let (time, tl) = hms(s.get(i..)?, true)?;
    i += tl;
    if s.get(i) != Some(&b' ') {
        return None;
    }
    i += 1;
    let year = i16::try_from(fixed_digits(s.get(i..)?, 4)?).ok()?;
    i += 4;
    if s.get(i) != Some(&b']') {
        return None;
    }
    let date = Date::new(year, month, day).ok()?;
    let msg = s.get(i + 1..).unwrap_or_default();
    Some(ParsedLine {
        stamp: Some(RawStamp::Civil(DateTime::from_parts(date, time))),
        stamp_text: lossy(&s[1..i]),
        level,
        message: skip_space(msg).to_vec(),
        ..ParsedLine::default()
    })
}

/// `<6>` or `kern  :err   : ` before the stamp. Returns the level and the
/// length of the prefix (0 when absent).
fn level_prefix(line: &[u8]) -> (Option<String>, usize) {
    if line.first() == Some(&b'<')
        && let Some(d) = line.get(1).filter(|b| b.is_ascii_digit())
        && line.get(2) == Some(&b'>')
    {
        let lvl = severity_name(u32::from(d - b'0')).map(str::to_string);
        return (lvl, 3);
    }
    match dmesg_x_prefix(line) {
        Some((lvl, n)) => (Some(lvl), n),
        None => (None, 0),
    }
}

/// `kern  :err   : ` → `err`.
fn dmesg_x_prefix(line: &[u8]) -> Option<(String, usize)> {
    let fac = line
        .iter()
        .take(9)
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    if fac < 3 || !line[0].is_ascii_lowercase() {
        return None;
    }
    let mut i = fac;
    while line.get(i) == Some(&b' ') {
        i += 1;
    }
    if line.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    let lvl_start = i;
    let lvl = line
        .get(i..)?
        .iter()
        .take(8)
        .take_while(|b| b.is_ascii_lowercase())
        .count();
    if lvl < 3 {
        return None;
    }
    i += lvl;
    let level = lossy(&line[lvl_start..i]);
    while line.get(i) == Some(&b' ') {
        i += 1;
    }
    if line.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    while line.get(i) == Some(&b' ') {
        i += 1;
    }
    Some((level, i))
}
