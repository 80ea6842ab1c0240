//! `date` (C locale, `-R`, ISO 8601 / RFC 3339) and `hwclock`: a `date`
//! fact (date, time, zone as written; the offset and the instant when the
//! zone is one).

use serde_json::json;

use super::numbers::void_name_hint;
use super::system_common;
use super::{HostParser, Kind};
use crate::HostState;

/// `date`, `hwclock`.
pub(crate) struct Date;

impl HostParser for Date {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Date]
    }
    fn by_content(&self, rel_path: &str, sample: &str) -> Option<Kind> {
        if content_kind(sample).is_some() {
            return Some(Kind::Date);
        }
        let base = void_name_hint(rel_path, sample, system_common::name_may_decide)?;
        (base == "date" || base.starts_with("date_")).then_some(Kind::Date)
    }
    fn parse(&self, _kind: Kind, text: &str) -> HostState {
        parse_date(text)
    }
}

/// `date`: up to three lines, every one a date line.
pub(super) fn content_kind(sample: &str) -> Option<Kind> {
    let lines = system_common::head_lines(sample);
    let body = system_common::body_lines(&lines);
    (!body.is_empty() && body.len() <= 3 && body.iter().all(|l| date_line(l).is_some()))
        .then_some(Kind::Date)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A `date` line: the C locale's `Thu Feb 10 16:19:17 UTC 2022`, `date -R`'s
/// `Thu, 10 Feb 2022 16:19:17 +0000`, or ISO 8601 / RFC 3339 (`date -Is`,
/// `date --rfc-3339=seconds`). → (date `YYYY-MM-DD`, time, zone as written).
fn date_line(l: &str) -> Option<(String, String, String)> {
    let t: Vec<&str> = l.split_whitespace().collect();
    let month = |m: &str| MONTHS.iter().position(|x| *x == m).map(|i| i + 1);
    // HH:MM:SS, checked byte by byte (ASCII only, so slicing at 8 is safe).
    let clock = |c: &str| {
        let b = c.as_bytes();
        let ok = b.len() >= 8
            && b[..8].iter().enumerate().all(|(i, x)| match i {
                2 | 5 => *x == b':',
                _ => x.is_ascii_digit(),
            });
        ok.then(|| c.to_string())
    };
    let day = |d: &str| d.parse::<u8>().ok().filter(|d| (1..=31).contains(d));
    let year = |y: &str| y.parse::<u16>().ok().filter(|y| *y >= 1970);
    // C locale: Www Mmm d HH:MM:SS ZONE YYYY (the zone may be absent).
    if (t.len() == 6 || t.len() == 5) && t[0].len() == 3 && t[0].chars().all(char::is_alphabetic) {
        let (m, d, c) = (month(t[1])?, day(t[2])?, clock(t[3])?);
        let (zone, y) = if t.len() == 6 {
            (t[4], year(t[5])?)
        } else {
            ("", year(t[4])?)
        };
        return Some((format!("{y:04}-{m:02}-{d:02}"), c, zone.to_string()));
    }
    // date -R: Www, d Mmm YYYY HH:MM:SS +hhmm
    if t.len() == 6 && t[0].ends_with(',') {
        let (d, m, y, c) = (day(t[1])?, month(t[2])?, year(t[3])?, clock(t[4])?);
        return Some((format!("{y:04}-{m:02}-{d:02}"), c, t[5].to_string()));
    }
    // ISO: 2022-02-10T16:19:17+00:00, or 2022-02-10 16:19:17+00:00.
    let iso = l.trim();
    let (d, rest) = if iso.len() >= 19 && matches!(iso.as_bytes()[10], b'T' | b' ') {
        (&iso[..10], &iso[11..])
    } else {
        return None;
    };
    let db = d.as_bytes();
    if !(db[4] == b'-' && db[7] == b'-' && year(&d[..4]).is_some()) {
        return None;
    }
    let c = clock(rest)?;
    let time: String = c[..8].to_string();
    let zone = rest[8..].trim_start_matches(|ch: char| ch == '.' || ch.is_ascii_digit());
    if zone.contains(' ') {
        return None;
    }
    Some((d.to_string(), time, zone.to_string()))
}

/// `+0900`, `+09:00`, `Z`, `UTC`, `GMT` → `+09:00`; a zone abbreviation
/// (`KST`, `EDT`) says nothing certain (abbreviations repeat): `None`.
fn zone_offset(z: &str) -> Option<String> {
    match z {
        "UTC" | "GMT" | "Z" | "+0000" | "+00:00" => return Some("+00:00".to_string()),
        _ => {}
    }
    let sign = z.chars().next().filter(|c| *c == '+' || *c == '-')?;
    let digits: String = z[1..].chars().filter(|c| c.is_ascii_digit()).collect();
    (digits.len() == 4 && z[1..].chars().all(|c| c.is_ascii_digit() || c == ':'))
        .then(|| format!("{sign}{}:{}", &digits[..2], &digits[2..]))
}

fn parse_date(text: &str) -> HostState {
    let mut st = HostState::default();
    for (i, l) in text.lines().enumerate() {
        let Some((date, time, zone)) = date_line(l) else {
            continue;
        };
        let offset = zone_offset(&zone);
        let mut f = json!({"type": "date", "line": i + 1, "text": l.trim(),
            "date": date, "time": time, "zone": zone});
        if let Some(o) = &offset {
            f["offset"] = json!(o);
            f["iso"] = json!(format!("{date}T{time}{o}"));
        }
        st.facts.push(f);
    }
    if st.facts.is_empty() && !text.trim().is_empty() {
        st.notes.push("no date line found".to_string());
    }
    st
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `date`, `date -R` (twice) and `hwclock`; the test says where each is
    /// from.
    const DATE_C: &str = include_str!("../../tests/captures/date/date");
    const DATE_R: &str = include_str!("../../tests/captures/date/date-R.txt");
    const DATE_R_UTC: &str = include_str!("../../tests/captures/date/date_-R");
    const HWCLOCK: &str = include_str!("../../tests/captures/date/hwclock");

    /// Parsed as this parser's kind, and rendered with the shipped check
    /// book (severity, text and fix come from it).
    fn run(kind: Kind, text: &str) -> HostState {
        assert!(Date.kinds().contains(&kind), "own kind");
        crate::parse(kind, text)
    }

    #[test]
    fn date_in_the_formats_date_prints() {
        // `date` in the C locale (seed 004's sosreport, EDT), `date -R` from a
        // public shell transcript (+0530) and linux-next's merge log (+0000),
        // and `hwclock` (ISO, with fractions) as sos saves it.
        let c = DATE_C;
        assert_eq!(
            crate::recognise("sos_commands/date/date", c),
            Some(Kind::Date)
        );
        let st = run(Kind::Date, c);
        let f = &st.facts[0];
        assert_eq!(
            (f["date"].as_str(), f["time"].as_str()),
            (Some("2025-07-08"), Some("03:41:07"))
        );
        assert_eq!(f["zone"], "EDT");
        // An abbreviation is not an offset (EDT, IST… repeat): no instant.
        assert!(f.get("iso").is_none());
        let r = DATE_R;
        assert_eq!(crate::recognise("x", r), Some(Kind::Date));
        assert_eq!(
            run(Kind::Date, r).facts[0]["iso"],
            "2022-10-31T17:08:30+05:30"
        );
        let utc = DATE_R_UTC;
        assert_eq!(
            run(Kind::Date, utc).facts[0]["iso"],
            "2026-02-27T06:40:15+00:00"
        );
        let hw = HWCLOCK;
        assert_eq!(
            crate::recognise("sos_commands/date/hwclock", hw),
            Some(Kind::Date)
        );
        assert_eq!(
            run(Kind::Date, hw).facts[0]["iso"],
            "2022-02-10T16:19:16+00:00"
        );
        // A syslog line starts like a date but is a log.
        assert_eq!(
            date_line(
                "Oct 11 17:50:12 app-web-01 kernel: EXT4-fs (vda1): Remounting filesystem read-only"
            ),
            None
        );
        assert!(
            crate::recognise(
                "messages",
                "Oct 11 17:50:12 app-web-01 kernel: EXT4-fs (vda1): Remounting filesystem read-only\n"
            ) != Some(Kind::Date)
        );
        // Never panics on odd bytes.
        assert_eq!(date_line("2022-02-10T16:19:1é+00:00"), None);
    }
}
