//! One clock for every event: raw stamps become UTC here, and every piece
//! of information that was not on the line is recorded as an [`Inference`].
//!
//! - Zones: `--tz`, else the evidence's zone (`etc/localtime`, timedatectl),
//!   else UTC — and then the event says "zone assumed UTC".
//! - Years of year-less stamps (RFC 3164, klog): the last stamp of the file
//!   is placed in the latest year that does not put it after the anchor
//!   (collection time, else file mtime, else the newest dated line of the same
//!   evidence); earlier stamps count back over Dec → Jan rollovers.
//! - Seconds since boot: mapped through the boot time of the evidence (exact
//!   `btime`, a kern.log line carrying both a wall stamp and `[uptime]`, or
//!   collection time minus uptime). Without one they stay relative, and say so.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use rootline_catalog::Matcher;
use rootline_evidence::Root;
use rootline_model::{Event, EventTime, FieldValue, Inference, RawStamp, SourceRef};

use crate::file::{FileScan, RawEvent};

/// How one root's clock was set, for the report.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ClockInfo {
    /// Zone name (`Etc/UTC`, `Asia/Seoul`, `UTC`).
    pub zone: String,
    /// Where the zone came from, or why it was assumed.
    pub zone_from: String,
    /// Collection time, used as the year anchor.
    pub collected_at: Option<Timestamp>,
    pub collected_from: Option<String>,
    /// Boot time used for seconds-since-boot stamps.
    pub boot_time: Option<Timestamp>,
    pub boot_from: Option<String>,
}

pub(crate) struct RootClock {
    zone: TimeZone,
    zone_from: String,
    boot: Option<(Timestamp, String)>,
    year_anchor: Option<(Timestamp, String)>,
    pub(crate) info: ClockInfo,
}

const MICROS: i64 = 1_000_000;

fn mono(micros: u64) -> SignedDuration {
    SignedDuration::from_micros(i64::try_from(micros).unwrap_or(i64::MAX))
}

/// Set up the clock of every root from its anchors and its files.
pub(crate) fn root_clocks(
    roots: &[Root],
    files: &[FileScan],
    tz: Option<&(TimeZone, String)>,
) -> Vec<RootClock> {
    roots
        .iter()
        .enumerate()
        .map(|(i, root)| {
            let (zone, zone_from) = match (tz, &root.anchors.zone) {
                (Some((z, name)), _) => (z.clone(), format!("--tz {name}")),
                (None, Some(z)) => (z.value.clone(), z.from.clone()),
                (None, None) => (
                    TimeZone::UTC,
                    "assumed UTC: the evidence names no time zone (use --tz)".to_string(),
                ),
            };
            let year_anchor = root
                .anchors
                .collected_at
                .as_ref()
                .map(|c| (c.value, c.from.clone()))
                .or_else(|| newest_dated(files, i, &zone));
            let mut clock = RootClock {
                zone,
                zone_from,
                boot: None,
                year_anchor,
                info: ClockInfo {
                    zone: String::new(),
                    zone_from: String::new(),
                    collected_at: root.anchors.collected_at.as_ref().map(|c| c.value),
                    collected_from: root.anchors.collected_at.as_ref().map(|c| c.from.clone()),
                    boot_time: None,
                    boot_from: None,
                },
            };
            clock.boot = choose_boot(root, files, i, &clock);
            clock.info.zone = clock.zone.iana_name().unwrap_or("UTC").to_string();
            clock.info.zone_from = clock.zone_from.clone();
            clock.info.boot_time = clock.boot.as_ref().map(|b| b.0);
            clock.info.boot_from = clock.boot.as_ref().map(|b| b.1.clone());
            clock
        })
        .collect()
}

/// The newest instant named with a full date by any file of root `root`:
/// a year anchor for year-less files when the evidence has no collection
/// time ("neighbouring stamped sources").
fn newest_dated(files: &[FileScan], root: usize, zone: &TimeZone) -> Option<(Timestamp, String)> {
    let mut best: Option<(Timestamp, String)> = None;
    for f in files.iter().filter(|f| f.root == root) {
        let stamps = f
            .events
            .iter()
            .filter_map(|e| e.stamp)
            .chain(f.tail.as_ref().map(|t| t.stamp));
        for s in stamps {
            let t = match s {
                RawStamp::Instant(t) => Some(t),
                RawStamp::Civil(dt) => zone.to_timestamp(dt).ok(),
                _ => None,
            };
            if let Some(t) = t
                && best.as_ref().is_none_or(|b| t > b.0)
            {
                best = Some((t, format!("newest dated line in {}", f.display)));
            }
        }
    }
    best
}

/// A line that may carry both a wall stamp and seconds since boot: its
/// stamp, its µs since boot, where it is, and the year inferred for it.
type TwinCandidate = (Option<RawStamp>, Option<u64>, String, Option<i16>);

fn choose_boot(
    root: &Root,
    files: &[FileScan],
    idx: usize,
    clock: &RootClock,
) -> Option<(Timestamp, String)> {
    let anchor = root
        .anchors
        .boot_time
        .as_ref()
        .map(|b| (b.value, b.from.clone()));
    if let Some(a) = &anchor
        && a.1.contains("proc/stat")
    {
        return anchor;
    }
    // A line with both a wall stamp and seconds since boot (kern.log) pins
    // the boot to the second. The latest such line is from the current boot
    // when rsyslog ran until collection.
    let mut twin: Option<(Timestamp, Timestamp, String)> = None;
    for f in files.iter().filter(|f| f.root == idx) {
        let years = file_years(f, clock);
        let mut candidates: Vec<TwinCandidate> = f
            .events
            .iter()
            .zip(years.events.iter())
            .map(|(e, y)| {
                (
                    e.stamp,
                    e.since_boot_micros,
                    format!("{}:{}", f.display, e.line),
                    *y,
                )
            })
            .collect();
        if let Some(t) = &f.tail {
            candidates.push((
                Some(t.stamp),
                t.since_boot_micros,
                format!("{} (last line)", f.display),
                years.tail,
            ));
        }
        for (stamp, since, at, year) in candidates {
            let (Some(stamp), Some(since)) = (stamp, since) else {
                continue;
            };
            if matches!(stamp, RawStamp::Monotonic { .. }) {
                continue;
            }
            let Some(wall) = clock.wall(stamp, year) else {
                continue;
            };
            let boot = wall - mono(since);
            if twin.as_ref().is_none_or(|t| wall > t.0) {
                twin = Some((wall, boot, at));
            }
        }
    }
    match (twin, anchor) {
        (Some((_, boot, at)), Some(a)) => {
            // Minute-resolution uptime allows ±60 s; more means the
            // kern.log's last boot is not the boot the evidence was taken in.
            if boot.duration_since(a.0).abs() <= SignedDuration::from_secs(180) {
                Some((boot, format!("wall stamp − uptime of {at}")))
            } else {
                Some(a)
            }
        }
        (Some((_, boot, at)), None) => Some((boot, format!("wall stamp − uptime of {at}"))),
        (None, a) => a,
    }
}

/// Years assigned to the year-less stamps of one file.
pub(crate) struct FileYears {
    pub events: Vec<Option<i16>>,
    pub tail: Option<i16>,
    pub from: String,
}

fn key(month: i8, day: i8, time: jiff::civil::Time) -> Option<DateTime> {
    // 2000 is a leap year, so Feb 29 has a place in the ordering.
    Date::new(2000, month, day)
        .ok()
        .map(|d| d.to_datetime(time))
}

/// Count Dec → Jan rollovers through the file, then pin the last stamp to
/// the anchor's year.
pub(crate) fn file_years(f: &FileScan, clock: &RootClock) -> FileYears {
    let mut seq: Vec<Option<DateTime>> = f
        .events
        .iter()
        .map(|e| match e.stamp {
            Some(RawStamp::NoYear { month, day, time }) => key(month, day, time),
            _ => None,
        })
        .collect();
    seq.push(match f.tail.as_ref().map(|t| t.stamp) {
        Some(RawStamp::NoYear { month, day, time }) => key(month, day, time),
        _ => None,
    });
    let mut roll = vec![0i16; seq.len()];
    let mut prev: Option<DateTime> = None;
    let mut r = 0i16;
    for (i, k) in seq.iter().enumerate() {
        if let Some(k) = k {
            if let Some(p) = prev
                && p.duration_since(*k) > SignedDuration::from_hours(24)
            {
                r += 1;
            }
            prev = Some(*k);
        }
        roll[i] = r;
    }
    let Some(last) = seq.iter().rev().flatten().next().copied() else {
        return FileYears {
            events: vec![None; f.events.len()],
            tail: None,
            from: String::new(),
        };
    };
    let (anchor, from) = match (&clock.year_anchor, f.mtime) {
        (Some((t, from)), _) => (*t, from.clone()),
        (None, Some(m)) => (m, format!("mtime of {}", f.display)),
        (None, None) => (
            Timestamp::now(),
            "today's date (the evidence has no date; use a sosreport or keep mtimes)".to_string(),
        ),
    };
    let a = anchor.to_zoned(clock.zone.clone()).datetime();
    // Latest year that does not put the last line after the anchor (a day
    // of slack for zone confusion).
    let mut year = a.year();
    for _ in 0..8 {
        match Date::new(year, last.month(), last.day()) {
            Ok(d) if d.to_datetime(last.time()) <= a + 1.day() => break,
            _ => year -= 1,
        }
    }
    let total = roll.last().copied().unwrap_or(0);
    let years: Vec<Option<i16>> = seq
        .iter()
        .zip(roll.iter())
        .map(|(k, r)| k.map(|_| year - (total - r)))
        .collect();
    FileYears {
        tail: years.last().copied().flatten(),
        events: years[..f.events.len()].to_vec(),
        from,
    }
}

impl RootClock {
    fn without_boot(&self) -> RootClock {
        RootClock {
            zone: self.zone.clone(),
            zone_from: self.zone_from.clone(),
            boot: None,
            year_anchor: self.year_anchor.clone(),
            info: self.info.clone(),
        }
    }

    /// The wall-clock instant of a non-monotonic stamp.
    fn wall(&self, stamp: RawStamp, year: Option<i16>) -> Option<Timestamp> {
        match stamp {
            RawStamp::Instant(t) => Some(t),
            RawStamp::Civil(dt) => self.zone.to_timestamp(dt).ok(),
            RawStamp::NoYear { month, day, time } => {
                let d = Date::new(year?, month, day).ok()?;
                self.zone.to_timestamp(d.to_datetime(time)).ok()
            }
            RawStamp::Monotonic { micros } => self.boot.as_ref().map(|b| b.0 + mono(micros)),
        }
    }

    fn resolve(
        &self,
        stamp: Option<RawStamp>,
        year: Option<i16>,
        years_from: &str,
    ) -> (Option<Timestamp>, Vec<Inference>) {
        let Some(stamp) = stamp else {
            return (None, Vec::new());
        };
        let mut inferred = Vec::new();
        match stamp {
            RawStamp::Instant(_) => {}
            RawStamp::Civil(_) => inferred.push(Inference {
                what: "zone",
                from: self.zone_from.clone(),
            }),
            RawStamp::NoYear { .. } => {
                inferred.push(Inference {
                    what: "year",
                    from: years_from.to_string(),
                });
                inferred.push(Inference {
                    what: "zone",
                    from: self.zone_from.clone(),
                });
            }
            RawStamp::Monotonic { .. } => match &self.boot {
                Some((_, from)) => inferred.push(Inference {
                    what: "boot",
                    from: from.clone(),
                }),
                None => return (None, Vec::new()),
            },
        }
        (self.wall(stamp, year), inferred)
    }
}

/// libvirt names each domain's qemu log after the domain
/// (`var/log/libvirt/qemu/instance-0000001c.log`, rotated `.log.1`): every
/// line of it concerns that domain.
fn domain_of_log(rel_path: &str) -> Option<String> {
    let (dir, name) = rel_path.rsplit_once('/')?;
    if !dir.ends_with("libvirt/qemu") {
        return None;
    }
    let stem = name.split(".log").next()?;
    (!stem.is_empty() && stem.len() < name.len()).then(|| stem.to_string())
}

/// Whether seconds-since-boot stamps in this file count from the boot of the
/// evidence's own host: the kernel ring buffer a sosreport collects. A
/// dmesg saved from a guest or another host next to them counts from a boot
/// nobody knows, and stays relative.
fn host_ring_buffer(rel_path: &str) -> bool {
    let p = rel_path.trim_start_matches("./");
    [
        "sos_commands/kernel/dmesg",
        "sos_commands/general/dmesg",
        "var/log/dmesg",
    ]
    .iter()
    .any(|prefix| p.starts_with(prefix))
}

/// Resolve every raw event of every file into an [`Event`].
pub(crate) fn resolve_all(
    files: &[FileScan],
    roots: &[Root],
    clocks: &[RootClock],
    matcher: &Matcher,
) -> Vec<Event> {
    let mut out = Vec::new();
    for f in files {
        let Some(clock) = clocks.get(f.root) else {
            continue;
        };
        let years = file_years(f, clock);
        let unbooted;
        let clock = if host_ring_buffer(&f.rel_path) || clock.boot.is_none() {
            clock
        } else {
            unbooted = clock.without_boot();
            &unbooted
        };
        let root_host = roots
            .get(f.root)
            .and_then(|r| r.anchors.hostname.as_ref())
            .map(|h| h.value.clone());
        for (e, year) in f.events.iter().zip(years.events.iter()) {
            out.push(to_event(
                f,
                e,
                *year,
                &years.from,
                clock,
                matcher,
                &root_host,
            ));
        }
    }
    out.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
    merge_copies(out)
}

/// Fold exact copies of one line read from several files into the first:
/// same resolved time, signature and text. Lines of the same moment written
/// differently (kern.log vs dmesg vs journal) stay separate events.
fn merge_copies(events: Vec<Event>) -> Vec<Event> {
    let mut seen: std::collections::HashMap<(Timestamp, String, String), usize> =
        std::collections::HashMap::new();
    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    for e in events {
        let Some(t) = e.time.utc else {
            out.push(e);
            continue;
        };
        let key = (t, e.signature.clone(), e.text.clone());
        match seen.get(&key) {
            Some(&i) if out[i].source.file != e.source.file => {
                out[i].also.push(e.source);
            }
            _ => {
                seen.insert(key, out.len());
                out.push(e);
            }
        }
    }
    out
}

/// Known times first, in order; then times relative to an unknown boot;
/// then events with no time, in file order.
fn order_key(e: &Event) -> (u8, i64, i128, &str, u64) {
    match (e.time.utc, e.time.since_boot) {
        (Some(t), _) => (0, 0, t.as_nanosecond(), &e.source.file, e.source.line),
        (None, Some(s)) => (
            1,
            (s * MICROS as f64) as i64,
            0,
            &e.source.file,
            e.source.line,
        ),
        (None, None) => (2, 0, 0, &e.source.file, e.source.line),
    }
}

fn to_event(
    f: &FileScan,
    e: &RawEvent,
    year: Option<i16>,
    years_from: &str,
    clock: &RootClock,
    matcher: &Matcher,
    root_host: &Option<String>,
) -> Event {
    let (utc, inferred) = clock.resolve(e.stamp, year, years_from);
    let last_seen = e.last_stamp.and_then(|s| {
        // A folded repeat of a year-less line is in the same year unless it
        // sorts before the first occurrence (a rollover in between).
        let y = match (s, e.stamp) {
            (
                RawStamp::NoYear { month, day, time },
                Some(RawStamp::NoYear {
                    month: m0,
                    day: d0,
                    time: t0,
                }),
            ) => match (key(month, day, time), key(m0, d0, t0)) {
                (Some(k), Some(k0)) if k < k0 => year.map(|y| y + 1),
                _ => year,
            },
            _ => year,
        };
        clock.resolve(Some(s), y, years_from).0
    });
    let sig = &matcher.signatures()[e.sig];
    let mut fields = e.fields.clone();
    if let Some(domain) = domain_of_log(&f.rel_path) {
        fields
            .entry("domain".to_string())
            .or_insert(FieldValue::Text(domain));
    }
    Event {
        time: EventTime {
            utc,
            since_boot: e.since_boot_micros.map(|m| m as f64 / MICROS as f64),
            raw: e.stamp_text.clone(),
            inferred,
            borrowed: e.borrowed,
        },
        host: e.host.clone().or_else(|| root_host.clone()),
        source: SourceRef {
            file: f.display.clone(),
            line: e.line,
        },
        also: Vec::new(),
        component: sig.component.clone(),
        signature: sig.id.clone(),
        severity: sig.severity,
        fields,
        text: e.text.clone(),
        context: e.context.clone(),
        repeats: e.repeats,
        last_seen,
        truncated: e.truncated,
    }
}
