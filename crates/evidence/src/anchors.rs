//! Clock anchors: facts read from a sosreport's well-known small files, and
//! their resolution into [`Anchors`] once the whole root has been walked.
//!
//! Facts are gathered as files go by (in any order, from several threads)
//! and ranked; resolution picks the best of each kind, so the result does
//! not depend on walk order.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};

use crate::{Anchors, Sourced};

/// How much of an anchor file is read for parsing.
const CAP: usize = 64 * 1024;
/// `proc/stat` puts `btime` after the per-CPU and interrupt lines, which
/// outgrow 64 KiB on big hosts.
const CAP_PROC_STAT: usize = 1024 * 1024;

/// One fact, with the rel path it came from (`from`).
#[derive(Clone, Debug)]
pub(crate) struct Fact {
    pub(crate) from: String,
    pub(crate) kind: FactKind,
}

#[derive(Clone, Debug)]
pub(crate) enum FactKind {
    /// A wall-clock reading; `rank` orders sources (lower is better).
    Clock {
        rank: u8,
        at: DateTime,
        zone: Stamped,
    },
    /// Raw TZif bytes of `etc/localtime`.
    Tzif(Vec<u8>),
    /// A zone name (IANA) or, failing that, a fixed offset.
    ZoneName {
        rank: u8,
        name: String,
        offset: Option<Offset>,
    },
    /// `proc/uptime`: exact seconds since boot.
    UptimeExact(f64),
    /// `uptime` output: seconds since boot, to the minute.
    UptimeText {
        secs: i64,
        text: String,
    },
    /// `proc/stat` `btime`.
    Btime(Timestamp),
    Hostname {
        rank: u8,
        name: String,
    },
}

/// How a clock reading states its zone.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Stamped {
    Utc,
    Offset(Offset),
    /// An abbreviation (`KST`, `CET`): meaningful only with the host's zone.
    Abbrev(String),
}

/// How many bytes of the file at `key` (rel path inside a sosreport) to
/// read for anchors, or `None` if it is not an anchor file.
pub(crate) fn wanted(key: &str) -> Option<usize> {
    match key {
        "proc/stat" => Some(CAP_PROC_STAT),
        "sos_commands/date/date"
        | "sos_commands/date/date_--utc"
        | "sos_commands/date/hwclock"
        | "sos_commands/general/date"
        | "date"
        | "sos_commands/systemd/timedatectl"
        | "etc/localtime"
        | "etc/timezone"
        | "proc/uptime"
        | "sos_commands/host/uptime"
        | "sos_commands/general/uptime"
        | "uptime"
        | "etc/hostname"
        | "sos_commands/host/hostname"
        | "sos_commands/general/hostname"
        | "hostname"
        | "sos_commands/host/hostnamectl_status" => Some(CAP),
        _ => None,
    }
}

/// Facts from the content of anchor file `key`.
pub(crate) fn parse(key: &str, bytes: &[u8]) -> Vec<Fact> {
    let text = String::from_utf8_lossy(bytes);
    let fact = |kind| Fact {
        from: key.to_string(),
        kind,
    };
    let mut out = Vec::new();
    match key {
        "sos_commands/date/date" | "sos_commands/date/date_--utc" | "sos_commands/general/date" => {
            let rank = match key {
                "sos_commands/date/date" => 1,
                "sos_commands/date/date_--utc" => 2,
                _ => 3,
            };
            if let Some((at, zone)) = text.lines().find_map(parse_clock) {
                out.push(fact(FactKind::Clock { rank, at, zone }));
            }
        }
        "date" | "sos_commands/systemd/timedatectl" => {
            if text.contains("Universal time:") || text.contains("Time zone:") {
                out.extend(timedatectl(&text).into_iter().map(fact));
            } else if let Some((at, zone)) = text.lines().find_map(parse_clock) {
                out.push(fact(FactKind::Clock { rank: 4, at, zone }));
            }
        }
        "sos_commands/date/hwclock" => {
            let first = text.lines().next().unwrap_or("").trim();
            if let Ok(ts) = first.parse::<Timestamp>() {
                let at = Offset::UTC.to_datetime(ts);
                out.push(fact(FactKind::Clock {
                    rank: 6,
                    at,
                    zone: Stamped::Utc,
                }));
            } else if let Some((at, zone)) = parse_clock(first) {
                out.push(fact(FactKind::Clock { rank: 6, at, zone }));
            }
        }
        "etc/localtime" if bytes.starts_with(b"TZif") => {
            out.push(fact(FactKind::Tzif(bytes.to_vec())));
        }
        "etc/timezone" => {
            let name = text.lines().next().unwrap_or("").trim();
            if !name.is_empty() && !name.contains(char::is_whitespace) {
                out.push(fact(FactKind::ZoneName {
                    rank: 4,
                    name: name.to_string(),
                    offset: None,
                }));
            }
        }
        "proc/uptime" => {
            let first = text.split_whitespace().next().unwrap_or("");
            if let Ok(secs) = first.parse::<f64>()
                && secs.is_finite()
                && secs >= 0.0
            {
                out.push(fact(FactKind::UptimeExact(secs)));
            }
        }
        "sos_commands/host/uptime" | "sos_commands/general/uptime" | "uptime" => {
            if let Some((secs, text)) = text.lines().find_map(parse_uptime) {
                out.push(fact(FactKind::UptimeText { secs, text }));
            }
        }
        "proc/stat" => {
            let btime = text.lines().find_map(|l| {
                let v = l.strip_prefix("btime ")?.trim().parse::<i64>().ok()?;
                Timestamp::from_second(v).ok()
            });
            if let Some(ts) = btime {
                out.push(fact(FactKind::Btime(ts)));
            }
        }
        "sos_commands/host/hostname"
        | "sos_commands/general/hostname"
        | "hostname"
        | "etc/hostname" => {
            let rank = match key {
                "sos_commands/host/hostname" => 1,
                "sos_commands/general/hostname" => 2,
                "hostname" => 3,
                _ => 4,
            };
            let name = text
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with('#'));
            if let Some(name) = name.filter(|n| plausible_hostname(n)) {
                out.push(fact(FactKind::Hostname {
                    rank,
                    name: name.to_string(),
                }));
            }
        }
        "sos_commands/host/hostnamectl_status" => {
            let name = text
                .lines()
                .find_map(|l| l.trim().strip_prefix("Static hostname:").map(str::trim));
            if let Some(name) = name.filter(|n| plausible_hostname(n)) {
                out.push(fact(FactKind::Hostname {
                    rank: 5,
                    name: name.to_string(),
                }));
            }
        }
        _ => {}
    }
    out
}

/// A zone named by where `etc/localtime` links to (`../usr/share/zoneinfo/Asia/Seoul`).
pub(crate) fn localtime_link(from: &str, target: &str) -> Option<Fact> {
    let at = target.find("zoneinfo/")?;
    let mut name = &target[at + "zoneinfo/".len()..];
    for prefix in ["posix/", "right/"] {
        name = name.strip_prefix(prefix).unwrap_or(name);
    }
    if name.is_empty() {
        return None;
    }
    Some(Fact {
        from: format!("{from} (link to {target})"),
        kind: FactKind::ZoneName {
            rank: 2,
            name: name.to_string(),
            offset: None,
        },
    })
}

fn plausible_hostname(name: &str) -> bool {
    name.len() <= 253 && !name.contains(|c: char| c.is_whitespace() || c.is_control())
}

fn timedatectl(text: &str) -> Vec<FactKind> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "Universal time" => {
                if let Some((at, zone)) = parse_clock(value) {
                    out.push(FactKind::Clock { rank: 5, at, zone });
                }
            }
            "Time zone" => {
                // `Etc/UTC (UTC, +0000)`
                let (name, rest) = value.split_once(' ').unwrap_or((value, ""));
                let offset = rest
                    .trim_matches(|c| c == '(' || c == ')')
                    .split(',')
                    .find_map(|p| parse_offset(p.trim()));
                out.push(FactKind::ZoneName {
                    rank: 3,
                    name: name.to_string(),
                    offset,
                });
            }
            _ => {}
        }
    }
    out
}

/// `+0900`, `-05:30`.
fn parse_offset(s: &str) -> Option<Offset> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let h: i32 = digits[..2].parse().ok()?;
    let m: i32 = digits[2..].parse().ok()?;
    if h > 25 || m > 59 {
        return None;
    }
    Offset::from_seconds(sign * (h * 3600 + m * 60)).ok()
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A `date`-style clock reading in any of the shapes coreutils and
/// timedatectl print: `Thu Feb 10 16:19:17 UTC 2022`,
/// `Thu 10 Feb 2022 04:19:17 PM KST`, `Thu 2022-02-10 16:19:48 UTC`.
pub(crate) fn parse_clock(line: &str) -> Option<(DateTime, Stamped)> {
    let (mut year, mut month, mut day) = (None::<i16>, None::<i8>, None::<i8>);
    let mut time: Option<(i8, i8, i8, i32)> = None;
    let mut pm = None::<bool>;
    let mut zone = None::<Stamped>;
    for raw in line.split_whitespace() {
        let tok = raw.trim_end_matches(',');
        let lower = tok.to_ascii_lowercase();
        if tok.is_empty() {
            continue;
        }
        if let Some(off) = parse_offset(tok) {
            zone.get_or_insert(Stamped::Offset(off));
        } else if tok.contains(':') {
            time = time.or_else(|| parse_time(tok));
        } else if tok.len() == 10 && tok.as_bytes()[4] == b'-' && tok.as_bytes()[7] == b'-' {
            year = tok[..4].parse().ok();
            month = tok[5..7].parse().ok();
            day = tok[8..].parse().ok();
        } else if tok.bytes().all(|b| b.is_ascii_digit()) {
            match tok.len() {
                4 => year = year.or(tok.parse().ok()),
                1 | 2 => day = day.or(tok.parse().ok()),
                _ => {}
            }
        } else if tok.bytes().all(|b| b.is_ascii_alphabetic()) {
            let three = lower.get(..3).unwrap_or("");
            if lower == "am" || lower == "pm" {
                pm = Some(lower == "pm");
            } else if let Some(i) = MONTHS.iter().position(|m| *m == three)
                && month.is_none()
                && (tok.len() == 3 || lower.starts_with(MONTH_NAMES[i]))
            {
                month = Some(i as i8 + 1);
            } else if WEEKDAYS.contains(&three) {
            } else if (1..=6).contains(&tok.len()) && zone.is_none() {
                zone = Some(match tok.to_ascii_uppercase().as_str() {
                    "UTC" | "GMT" | "UCT" | "Z" | "ZULU" | "UT" => Stamped::Utc,
                    other => Stamped::Abbrev(other.to_string()),
                });
            }
        }
    }
    let (mut h, mi, s, ns) = time?;
    match pm {
        Some(true) if h < 12 => h += 12,
        Some(false) if h == 12 => h = 0,
        _ => {}
    }
    let date = Date::new(year?, month?, day?).ok()?;
    let t = Time::new(h, mi, s, ns).ok()?;
    Some((DateTime::from_parts(date, t), zone?))
}

const MONTH_NAMES: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// `16:19:17`, `16:19:17.123456`, `4:19`.
fn parse_time(tok: &str) -> Option<(i8, i8, i8, i32)> {
    let mut parts = tok.split(':');
    let h: i8 = parts.next()?.parse().ok()?;
    let m: i8 = parts.next()?.parse().ok()?;
    let (s, ns) = match parts.next() {
        None => (0, 0),
        Some(sec) => {
            let (whole, frac) = sec.split_once('.').unwrap_or((sec, ""));
            let s: i8 = whole.parse().ok()?;
            let digits: String = frac.chars().take(9).collect();
            let ns = if digits.is_empty() {
                0
            } else {
                let v: i32 = digits.parse().ok()?;
                v * 10i32.pow(9 - digits.len() as u32)
            };
            (s, ns)
        }
    };
    if parts.next().is_some() {
        return None;
    }
    Some((h, m, s, ns))
}

/// `uptime` output: ` 16:19:19 up 17:41,  2 users, …`, `up 3 days, 39 min`,
/// `up 5 min`, `up 1 day,  2:03`, or `uptime -p`'s `up 2 weeks, 3 hours`.
/// Returns seconds since boot and the part that said so.
pub(crate) fn parse_uptime(line: &str) -> Option<(i64, String)> {
    let at = line.find("up ")?;
    if at > 0 && !line[..at].ends_with(char::is_whitespace) {
        return None;
    }
    let rest = &line[at + 3..];
    let mut secs = 0i64;
    let mut seen = false;
    let mut used = Vec::new();
    for piece in rest.split(',') {
        let piece = piece.trim();
        if piece.contains("user") || piece.contains("load") || piece.is_empty() {
            break;
        }
        let add = if let Some((h, m)) = piece.split_once(':') {
            let h: i64 = h.trim().parse().ok()?;
            let m: i64 = m.trim().parse().ok()?;
            h * 3600 + m * 60
        } else {
            let (n, unit) = piece.split_once(char::is_whitespace)?;
            let n: i64 = n.parse().ok()?;
            let unit = unit.trim();
            let scale = if unit.starts_with("week") {
                7 * 86400
            } else if unit.starts_with("day") {
                86400
            } else if unit.starts_with("hour") || unit.starts_with("hr") {
                3600
            } else if unit.starts_with("min") {
                60
            } else if unit.starts_with("sec") {
                1
            } else {
                return None;
            };
            n.checked_mul(scale)?
        };
        secs = secs.checked_add(add)?;
        seen = true;
        used.push(piece);
    }
    seen.then(|| (secs, format!("up {}", used.join(", "))))
}

/// Resolves gathered facts into anchors.
pub(crate) fn resolve(facts: &[Fact]) -> Anchors {
    let zone = resolve_zone(facts);
    let collected_at = resolve_collected(facts, zone.as_ref().map(|z| &z.value));
    let boot_time = resolve_boot(facts, collected_at.as_ref());
    let hostname = facts
        .iter()
        .filter_map(|f| match &f.kind {
            FactKind::Hostname { rank, name } => Some((*rank, &f.from, name)),
            _ => None,
        })
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, from, name)| Sourced {
            value: name.clone(),
            from: from.clone(),
        });
    Anchors {
        collected_at,
        zone,
        boot_time,
        hostname,
    }
}

fn resolve_zone(facts: &[Fact]) -> Option<Sourced<TimeZone>> {
    // Names, best first, that resolve in the bundled tz database.
    let mut named: Vec<(u8, &str, &Fact, Option<Offset>)> = facts
        .iter()
        .filter_map(|f| match &f.kind {
            FactKind::ZoneName { rank, name, offset } => Some((*rank, name.as_str(), f, *offset)),
            _ => None,
        })
        .collect();
    named.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.2.from.cmp(&b.2.from)));
    let known_name = named
        .iter()
        .find(|n| TimeZone::get(n.1).is_ok())
        .map(|n| n.1);

    let tzif = facts.iter().find_map(|f| match &f.kind {
        FactKind::Tzif(bytes) => Some((f, bytes)),
        _ => None,
    });
    if let Some((f, bytes)) = tzif
        && let Ok(tz) = TimeZone::tzif(known_name.unwrap_or("localtime"), bytes)
    {
        return Some(Sourced {
            value: tz,
            from: f.from.clone(),
        });
    }
    for (_, name, f, _) in &named {
        if let Ok(tz) = TimeZone::get(name) {
            return Some(Sourced {
                value: tz,
                from: f.from.clone(),
            });
        }
    }
    for (_, name, f, offset) in &named {
        if let Some(off) = offset {
            return Some(Sourced {
                value: TimeZone::fixed(*off),
                from: format!("{} (zone {name} unknown; offset {off} only)", f.from),
            });
        }
    }
    // Last resort: `date` said `UTC`, which hosts print only when their
    // zone is UTC (London in winter says GMT).
    facts.iter().find_map(|f| match &f.kind {
        // Rank 2 is `date --utc`, which says UTC whatever the zone.
        FactKind::Clock {
            rank: 1 | 3 | 4,
            zone: Stamped::Utc,
            ..
        } => Some(Sourced {
            value: TimeZone::UTC,
            from: format!("{} (prints its time as UTC)", f.from),
        }),
        _ => None,
    })
}

fn resolve_collected(facts: &[Fact], zone: Option<&TimeZone>) -> Option<Sourced<Timestamp>> {
    let mut clocks: Vec<(u8, &Fact, &DateTime, &Stamped)> = facts
        .iter()
        .filter_map(|f| match &f.kind {
            FactKind::Clock { rank, at, zone } => Some((*rank, f, at, zone)),
            _ => None,
        })
        .collect();
    clocks.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.from.cmp(&b.1.from)));
    for (_, f, at, stamped) in clocks {
        let ts = match stamped {
            Stamped::Utc => Offset::UTC.to_timestamp(*at).ok(),
            Stamped::Offset(off) => off.to_timestamp(*at).ok(),
            Stamped::Abbrev(abbrev) => zone.and_then(|tz| {
                let amb = tz.to_ambiguous_timestamp(*at);
                [amb.earlier().ok(), amb.later().ok()]
                    .into_iter()
                    .flatten()
                    .find(|ts| {
                        tz.to_offset_info(*ts)
                            .abbreviation()
                            .eq_ignore_ascii_case(abbrev)
                    })
            }),
        };
        if let Some(ts) = ts {
            return Some(Sourced {
                value: ts,
                from: f.from.clone(),
            });
        }
    }
    None
}

fn resolve_boot(
    facts: &[Fact],
    collected: Option<&Sourced<Timestamp>>,
) -> Option<Sourced<Timestamp>> {
    if let Some((f, ts)) = facts.iter().find_map(|f| match &f.kind {
        FactKind::Btime(ts) => Some((f, *ts)),
        _ => None,
    }) {
        return Some(Sourced {
            value: ts,
            from: format!("{} (btime)", f.from),
        });
    }
    let collected = collected?;
    let exact = facts.iter().find_map(|f| match &f.kind {
        FactKind::UptimeExact(s) => {
            let d = SignedDuration::try_from_secs_f64(*s).ok()?;
            Some((f, *s, collected.value.checked_sub(d).ok()?))
        }
        _ => None,
    });
    if let Some((f, secs, ts)) = exact {
        return Some(Sourced {
            value: ts,
            from: format!("{} − {} ({secs} s since boot)", collected.from, f.from),
        });
    }
    let mut texts: Vec<(&Fact, i64, &String)> = facts
        .iter()
        .filter_map(|f| match &f.kind {
            FactKind::UptimeText { secs, text } => Some((f, *secs, text)),
            _ => None,
        })
        .collect();
    texts.sort_by(|a, b| a.0.from.cmp(&b.0.from));
    let (f, secs, text) = texts.into_iter().next()?;
    let ts = collected
        .value
        .checked_sub(SignedDuration::from_secs(secs))
        .ok()?;
    Some(Sourced {
        value: ts,
        from: format!(
            "{} − {} ({text}; minute resolution)",
            collected.from, f.from
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn clocks() {
        let (at, z) = parse_clock("Thu Feb 10 16:19:17 UTC 2022").expect("date");
        assert_eq!(at.to_string(), "2022-02-10T16:19:17");
        assert_eq!(z, Stamped::Utc);
        let (at, z) = parse_clock("Thu 10 Feb 2022 04:19:17 PM KST").expect("locale date");
        assert_eq!(at.to_string(), "2022-02-10T16:19:17");
        assert_eq!(z, Stamped::Abbrev("KST".into()));
        let (at, _) = parse_clock("Thu 2022-02-10 16:19:48 UTC").expect("timedatectl");
        assert_eq!(at.to_string(), "2022-02-10T16:19:48");
        let (_, z) = parse_clock("Thu Feb 10 16:19:17 +0900 2022").expect("offset");
        assert!(matches!(z, Stamped::Offset(_)));
        assert!(parse_clock("hello world").is_none());
        assert!(parse_clock("Thu Feb 31 16:19:17 UTC 2022").is_none());
    }

    #[test]
    fn uptimes() {
        let p = |s: &str| parse_uptime(s).map(|x| x.0);
        assert_eq!(
            p(" 16:19:19 up 17:41,  2 users,  load average: 3.58, 3.27, 2.58"),
            Some(17 * 3600 + 41 * 60)
        );
        assert_eq!(
            p(" 10:00:00 up 3 days, 39 min,  1 user,  load average: 0.00"),
            Some(3 * 86400 + 39 * 60)
        );
        assert_eq!(
            p(" 10:00:00 up 122 days, 24 min,  0 users"),
            Some(122 * 86400 + 24 * 60)
        );
        assert_eq!(p(" 10:00:00 up 5 min,  1 user"), Some(300));
        assert_eq!(
            p(" 10:00:00 up 1 day,  2:03,  1 user"),
            Some(86400 + 2 * 3600 + 3 * 60)
        );
        assert_eq!(
            p("up 2 weeks, 3 hours, 1 minute"),
            Some(14 * 86400 + 3 * 3600 + 60)
        );
        assert_eq!(p("nothing here"), None);
        assert_eq!(p("backup done"), None);
    }

    #[test]
    fn resolution() {
        let mut facts = Vec::new();
        facts.extend(parse(
            "sos_commands/date/date",
            b"Thu Feb 10 16:19:17 KST 2022\n",
        ));
        facts.extend(parse(
            "sos_commands/date/date_--utc",
            b"Thu Feb 10 07:19:17 UTC 2022\n",
        ));
        facts.extend(parse(
            "sos_commands/systemd/timedatectl",
            b"      Local time: Thu 2022-02-10 16:19:48 KST\n  Universal time: Thu 2022-02-10 07:19:48 UTC\n       Time zone: Asia/Seoul (KST, +0900)\n",
        ));
        facts.extend(parse(
            "sos_commands/host/uptime",
            b" 16:19:19 up 3 days, 39 min,  2 users\n",
        ));
        facts.extend(parse("etc/hostname", b"node-1\n"));
        let a = resolve(&facts);
        let c = a.collected_at.expect("collected");
        assert_eq!(c.value, ts("2022-02-10T07:19:17Z"));
        assert_eq!(c.from, "sos_commands/date/date");
        let z = a.zone.expect("zone");
        assert_eq!(z.value.iana_name(), Some("Asia/Seoul"));
        let b = a.boot_time.expect("boot");
        assert_eq!(b.value, ts("2022-02-07T06:40:17Z"));
        assert!(b.from.contains("minute resolution"), "{}", b.from);
        assert_eq!(a.hostname.expect("host").value, "node-1");
    }

    #[test]
    fn abbreviation_without_zone_falls_back() {
        let mut facts = parse("sos_commands/date/date", b"Thu Feb 10 16:19:17 KST 2022\n");
        assert!(resolve(&facts).collected_at.is_none());
        facts.extend(parse(
            "sos_commands/date/hwclock",
            b"2022-02-10 07:19:16.999455+00:00\n",
        ));
        let c = resolve(&facts).collected_at.expect("hwclock");
        assert_eq!(c.from, "sos_commands/date/hwclock");
        assert_eq!(c.value, ts("2022-02-10T07:19:16.999455Z"));
    }

    #[test]
    fn exact_boot() {
        let mut facts = parse("sos_commands/date/date", b"Thu Feb 10 16:19:17 UTC 2022\n");
        facts.extend(parse("proc/uptime", b"63667.12 12345.6\n"));
        let b = resolve(&facts).boot_time.expect("boot");
        assert_eq!(b.value, ts("2022-02-09T22:38:09.88Z"));
        facts.extend(parse("proc/stat", b"cpu 1 2 3\nintr 5\nbtime 1644446346\n"));
        let b = resolve(&facts).boot_time.expect("btime");
        assert_eq!(b.value, Timestamp::from_second(1644446346).expect("ts"));
        assert_eq!(b.from, "proc/stat (btime)");
    }

    #[test]
    fn zone_from_link() {
        let f = localtime_link("etc/localtime", "../usr/share/zoneinfo/Asia/Seoul").expect("fact");
        let z = resolve(&[f]).zone.expect("zone");
        assert_eq!(z.value.iana_name(), Some("Asia/Seoul"));
        assert!(z.from.contains("link to ../usr/share/zoneinfo/Asia/Seoul"));
    }
}
