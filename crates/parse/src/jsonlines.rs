//! JSON lines exported from log stores (OpenSearch/Elastic, Loki, fluent-bit
//! and Vector outputs): one object per line with a time stamp and a message
//! under one of a few conventional keys.

use jiff::Timestamp;
use rootline_model::RawStamp;
use serde_json::{Map, Value};

use crate::formats::ParsedLine;
use crate::journal::json_object;
use crate::syslog::refine_payload;
use crate::text::{DateSep, iso_datetime, render_instant};

const STAMP_KEYS: &[&str] = &["@timestamp", "timestamp", "time", "ts", "@t", "date"];
const MESSAGE_KEYS: &[&str] = &["message", "log", "msg", "@m", "@message"];
const LEVEL_KEYS: &[&str] = &[
    "level",
    "log.level",
    "severity",
    "levelname",
    "loglevel",
    "@l",
];
const IDENT_KEYS: &[&str] = &[
    "ident",
    "program",
    "syslog_identifier",
    "app",
    "logger",
    "logger_name",
    "process.name",
    "kubernetes.container_name",
];
const HOST_KEYS: &[&str] = &[
    "host.name",
    "host.hostname",
    "hostname",
    "host",
    "kubernetes.host",
    "agent.hostname",
    "node",
];
const PID_KEYS: &[&str] = &["pid", "process.pid"];

/// Look a key up either flattened (`"host.name": …`) or nested (`"host":
/// {"name": …}`), one level deep.
fn lookup<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if let Some(v) = obj.get(key) {
        return Some(v);
    }
    let (outer, inner) = key.split_once('.')?;
    obj.get(outer)?.as_object()?.get(inner)
}

/// The first of `keys` whose value is a non-empty string (or a number).
fn string_at(obj: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| match lookup(obj, k)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// An epoch number of unknown unit, told apart by magnitude: seconds until
/// the year 5138, then milliseconds, microseconds, nanoseconds.
fn epoch(v: f64) -> Option<Timestamp> {
    if !v.is_finite() || v < 0.0 {
        return None;
    }
    let nanos = if v < 1e11 {
        v * 1e9
    } else if v < 1e14 {
        v * 1e6
    } else if v < 1e17 {
        v * 1e3
    } else {
        v
    };
    Timestamp::from_nanosecond(nanos as i128).ok()
}

fn epoch_int(v: u64) -> Option<Timestamp> {
    let v = i128::from(v);
    let nanos = if v < 100_000_000_000 {
        v * 1_000_000_000
    } else if v < 100_000_000_000_000 {
        v * 1_000_000
    } else if v < 100_000_000_000_000_000 {
        v * 1_000
    } else {
        v
    };
    Timestamp::from_nanosecond(nanos).ok()
}

/// A stamp value: RFC 3339 (instant), an ISO date-time without offset
/// (civil), or epoch seconds/ms/µs/ns as a number or numeric string.
fn stamp_of(v: &Value) -> Option<(RawStamp, String)> {
    match v {
        Value::String(s) => {
            let b = s.as_bytes();
            if let Some(iso) = iso_datetime(b, DateSep::Any, true)
                && iso.len == b.len()
            {
                return Some((iso.raw()?, s.clone()));
            }
            let ts = if let Ok(n) = s.parse::<u64>() {
                epoch_int(n)?
            } else {
                epoch(s.parse::<f64>().ok()?)?
            };
            Some((RawStamp::Instant(ts), render_instant(ts)))
        }
        Value::Number(n) => {
            let ts = match n.as_u64() {
                Some(i) => epoch_int(i)?,
                None => epoch(n.as_f64()?)?,
            };
            Some((RawStamp::Instant(ts), render_instant(ts)))
        }
        _ => None,
    }
}

/// One JSON line with a recognised stamp or message key.
pub(crate) fn parse_json_line(line: &[u8]) -> Option<ParsedLine> {
    parse_json_object(&json_object(line)?)
}

pub(crate) fn parse_json_object(obj: &Map<String, Value>) -> Option<ParsedLine> {
    let stamp = STAMP_KEYS
        .iter()
        .find_map(|k| lookup(obj, k).and_then(stamp_of));
    let message = MESSAGE_KEYS.iter().find_map(|k| match lookup(obj, k)? {
        Value::String(s) => Some(s.as_bytes().to_vec()),
        Value::Null => None,
        // fluent-bit's `log` may be an object when it parsed the payload.
        other @ (Value::Object(_) | Value::Array(_)) => Some(other.to_string().into_bytes()),
        other => Some(other.to_string().into_bytes()),
    });
    if stamp.is_none() && message.is_none() {
        return None;
    }
    let mut message = message.unwrap_or_default();
    // Container runtimes keep the line's newline in `log`.
    while matches!(message.last(), Some(b'\n' | b'\r')) {
        message.pop();
    }
    let (stamp, stamp_text) = match stamp {
        Some((s, t)) => (Some(s), t),
        None => (None, String::new()),
    };
    let mut p = ParsedLine {
        stamp,
        stamp_text,
        host: string_at(obj, HOST_KEYS),
        ident: string_at(obj, IDENT_KEYS),
        pid: string_at(obj, PID_KEYS).and_then(|s| s.parse().ok()),
        level: string_at(obj, LEVEL_KEYS),
        message,
        ..ParsedLine::default()
    };
    refine_payload(&mut p);
    Some(p)
}
