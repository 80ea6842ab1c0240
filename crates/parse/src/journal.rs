//! journald's machine formats: `journalctl -o json` and `-o export`.

use jiff::Timestamp;
use rootline_model::RawStamp;
use serde_json::{Map, Value};

use crate::formats::ParsedLine;
use crate::syslog::refine_payload;
use crate::text::{lossy, parse_u32, parse_u64, render_instant, severity_name, trim_start};

/// Journal fields rootline reads, gathered from either format.
#[derive(Default)]
struct Fields {
    realtime: Option<Vec<u8>>,
    source_realtime: Option<Vec<u8>>,
    monotonic: Option<Vec<u8>>,
    hostname: Option<Vec<u8>>,
    identifier: Option<Vec<u8>>,
    comm: Option<Vec<u8>>,
    pid: Option<Vec<u8>>,
    syslog_pid: Option<Vec<u8>>,
    priority: Option<Vec<u8>>,
    message: Option<Vec<u8>>,
}

impl Fields {
    fn set(&mut self, key: &[u8], value: Vec<u8>) {
        let slot = match key {
            b"__REALTIME_TIMESTAMP" => &mut self.realtime,
            b"_SOURCE_REALTIME_TIMESTAMP" => &mut self.source_realtime,
            b"__MONOTONIC_TIMESTAMP" => &mut self.monotonic,
            b"_HOSTNAME" => &mut self.hostname,
            b"SYSLOG_IDENTIFIER" => &mut self.identifier,
            b"_COMM" => &mut self.comm,
            b"_PID" => &mut self.pid,
            b"SYSLOG_PID" => &mut self.syslog_pid,
            b"PRIORITY" => &mut self.priority,
            b"MESSAGE" => &mut self.message,
            _ => return,
        };
        // A field written twice keeps its first value, as journalctl shows.
        if slot.is_none() {
            *slot = Some(value);
        }
    }

    fn into_parsed(self, message_override: Option<Vec<u8>>) -> ParsedLine {
        let micros = |v: &Option<Vec<u8>>| v.as_deref().and_then(|b| parse_u64(b.trim_ascii()));
        let stamp = micros(&self.realtime)
            .or_else(|| micros(&self.source_realtime))
            .and_then(|us| i64::try_from(us).ok())
            .and_then(|us| Timestamp::from_microsecond(us).ok());
        let text = |v: Option<Vec<u8>>| v.filter(|b| !b.is_empty()).map(|b| lossy(&b));
        let mut p = ParsedLine {
            stamp: stamp.map(RawStamp::Instant),
            stamp_text: stamp.map(render_instant).unwrap_or_default(),
            since_boot_micros: micros(&self.monotonic),
            host: text(self.hostname),
            ident: text(self.identifier).or_else(|| text(self.comm)),
            pid: self
                .pid
                .or(self.syslog_pid)
                .and_then(|b| parse_u32(b.trim_ascii())),
            level: self
                .priority
                .and_then(|b| parse_u32(b.trim_ascii()))
                .and_then(severity_name)
                .map(str::to_string),
            message: message_override.or(self.message).unwrap_or_default(),
        };
        refine_payload(&mut p);
        p
    }
}

/// A JSON value as journal field bytes: strings as is, byte arrays (the
/// binary-safe form of non-UTF-8 fields) decoded, repeated fields (arrays of
/// values) by their first value.
fn value_bytes(v: &Value) -> Option<Vec<u8>> {
    match v {
        Value::String(s) => Some(s.as_bytes().to_vec()),
        Value::Number(n) => Some(n.to_string().into_bytes()),
        Value::Array(items) => {
            if items.iter().all(Value::is_number) {
                items
                    .iter()
                    .map(|i| i.as_u64().and_then(|n| u8::try_from(n).ok()))
                    .collect()
            } else {
                items.first().and_then(value_bytes)
            }
        }
        _ => None,
    }
}

/// Parse a JSON object line; `None` when it is not one.
pub(crate) fn json_object(line: &[u8]) -> Option<Map<String, Value>> {
    let t = trim_start(line);
    if t.first() != Some(&b'{') {
        return None;
    }
    serde_json::from_slice::<Map<String, Value>>(t).ok()
}

fn is_journal_object(obj: &Map<String, Value>) -> bool {
    obj.contains_key("__REALTIME_TIMESTAMP")
        || obj.contains_key("__CURSOR")
        || (obj.contains_key("MESSAGE")
            && [
                "_PID",
                "_HOSTNAME",
                "SYSLOG_IDENTIFIER",
                "PRIORITY",
                "_BOOT_ID",
            ]
            .iter()
            .any(|k| obj.contains_key(*k)))
}

/// One line of `journalctl -o json`.
pub(crate) fn parse_journal_json(line: &[u8]) -> Option<ParsedLine> {
    let obj = json_object(line)?;
    parse_journal_object(&obj)
}

pub(crate) fn parse_journal_object(obj: &Map<String, Value>) -> Option<ParsedLine> {
    if !is_journal_object(obj) {
        return None;
    }
    let mut f = Fields::default();
    for (k, v) in obj {
        if let Some(b) = value_bytes(v) {
            f.set(k.as_bytes(), b);
        }
    }
    Some(f.into_parsed(None))
}

/// A journal field name: upper-case letters, digits and `_`, not starting
/// with a digit.
pub(crate) fn is_field_name(k: &[u8]) -> bool {
    !k.is_empty()
        && k.len() <= 64
        && !k[0].is_ascii_digit()
        && k.iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
}

/// `KEY=VALUE` with a journal field name.
pub(crate) fn is_export_line(line: &[u8]) -> bool {
    memchr::memchr(b'=', line).is_some_and(|eq| is_field_name(&line[..eq]))
}

/// Walk an export record: `KEY=VALUE\n` lines, and binary fields written as
/// `KEY\n`, a little-endian u64 length, the bytes, `\n`.
fn export_fields(record: &[u8], mut f: impl FnMut(&[u8], &[u8])) {
    let mut rest = record;
    while !rest.is_empty() {
        let nl = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let l = &rest[..nl];
        if let Some(eq) = memchr::memchr(b'=', l) {
            f(&l[..eq], &l[eq + 1..]);
            rest = rest.get(nl + 1..).unwrap_or_default();
        } else if is_field_name(l)
            && let Some(len_bytes) = rest.get(nl + 1..nl + 9)
        {
            let mut le = [0u8; 8];
            le.copy_from_slice(len_bytes);
            let len = usize::try_from(u64::from_le_bytes(le)).unwrap_or(usize::MAX);
            let data_start = nl + 9;
            let data_end = data_start.saturating_add(len).min(rest.len());
            f(l, &rest[data_start..data_end]);
            rest = rest.get(data_end.saturating_add(1)..).unwrap_or_default();
        } else {
            rest = rest.get(nl + 1..).unwrap_or_default();
        }
    }
}

/// The `MESSAGE=` line of a `journalctl -o export` record, with the record
/// it is in. Other field lines parse too (their header comes from the
/// record); their message is the whole line.
pub(crate) fn parse_export(line: &[u8], record: &[u8]) -> Option<ParsedLine> {
    if !is_export_line(line) && !is_field_name(line) {
        return None;
    }
    let mut f = Fields::default();
    export_fields(record, |k, v| f.set(k, v.to_vec()));
    let own = match line.strip_prefix(b"MESSAGE=") {
        Some(m) => Some(m.to_vec()),
        // `MESSAGE` alone heads a binary field: the record has its value.
        None if line == b"MESSAGE" && f.message.is_some() => None,
        None => Some(line.to_vec()),
    };
    Some(f.into_parsed(own))
}
