//! Typed field normalisation: captured text → [`FieldValue`] by [`FieldKind`].
//!
//! Normalisation never fails: a capture that does not fit its kind (a
//! `devnum` that is not `M:m`, an `int` that overflows) is kept as text, so
//! an odd line still shows what it said.

use rootline_model::{FieldKind, FieldValue};

/// Normalise one captured value.
pub fn normalise(kind: FieldKind, raw: &[u8]) -> FieldValue {
    let text = String::from_utf8_lossy(raw);
    let t = text.trim();
    match kind {
        FieldKind::Device => FieldValue::Text(t.strip_prefix("/dev/").unwrap_or(t).to_string()),
        FieldKind::DevNum => devnum(t).unwrap_or_else(|| FieldValue::Text(t.to_string())),
        FieldKind::Op => FieldValue::Text(op(t)),
        FieldKind::Pid | FieldKind::Int | FieldKind::Sector => {
            int(t).map_or_else(|| FieldValue::Text(t.to_string()), FieldValue::Int)
        }
        FieldKind::Seconds => seconds(t).unwrap_or_else(|| FieldValue::Text(t.to_string())),
        FieldKind::Uuid => FieldValue::Text(t.to_ascii_lowercase()),
        FieldKind::Errno => int(t).map_or_else(|| FieldValue::Text(t.to_string()), FieldValue::Int),
        FieldKind::Text
        | FieldKind::Map
        | FieldKind::Wwid
        | FieldKind::Task
        | FieldKind::Domain
        | FieldKind::Pod
        | FieldKind::Container
        | FieldKind::Probe
        | FieldKind::Path
        | FieldKind::Host => FieldValue::Text(t.to_string()),
    }
}

/// `65:48` → `DevNum`.
fn devnum(t: &str) -> Option<FieldValue> {
    let (major, minor) = t.split_once(':')?;
    Some(FieldValue::DevNum {
        major: major.parse().ok()?,
        minor: minor.parse().ok()?,
    })
}

/// Decimal (optionally signed) or `0x` hexadecimal.
fn int(t: &str) -> Option<i64> {
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        return i64::from_str_radix(hex, 16).ok();
    }
    t.parse().ok()
}

/// `223`, `223s`, `22.5` → Int or Float.
fn seconds(t: &str) -> Option<FieldValue> {
    let t = t.strip_suffix('s').unwrap_or(t);
    if let Ok(i) = t.parse::<i64>() {
        return Some(FieldValue::Int(i));
    }
    t.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .map(FieldValue::Float)
}

/// A block operation name: `0x1:(WRITE)` → `WRITE`, `write` → `WRITE`,
/// `REQ_OP_DISCARD` → `DISCARD`, `Read` → `READ`. Anything else is kept
/// (upper-cased if it is a name, as written if it is a bare number).
fn op(t: &str) -> String {
    // The name inside parentheses, if any: `0x1:(WRITE)`.
    let inner = match (t.find('('), t.rfind(')')) {
        (Some(a), Some(b)) if a < b => &t[a + 1..b],
        _ => t,
    };
    let inner = inner.trim();
    if inner.is_empty() || inner.starts_with("0x") || inner.bytes().all(|b| b.is_ascii_digit()) {
        return t.to_string();
    }
    let up = inner.to_ascii_uppercase();
    let up = up.strip_prefix("REQ_OP_").unwrap_or(&up);
    match up {
        "WRITE" | "W" | "WR" => "WRITE",
        "READ" | "R" | "RD" => "READ",
        "FLUSH" => "FLUSH",
        "DISCARD" | "DSM" | "TRIM" | "UNMAP" => "DISCARD",
        "WRITE ZEROES" | "WRITE_ZEROES" | "WRITEZEROES" => "WRITE_ZEROES",
        other => other,
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(kind: FieldKind, s: &str) -> String {
        normalise(kind, s.as_bytes()).to_string()
    }

    #[test]
    fn kinds() {
        assert_eq!(n(FieldKind::Device, "/dev/sdv"), "sdv");
        assert_eq!(n(FieldKind::Device, "dm-21"), "dm-21");
        assert_eq!(
            normalise(FieldKind::DevNum, b"65:48"),
            FieldValue::DevNum {
                major: 65,
                minor: 48
            }
        );
        assert_eq!(
            normalise(FieldKind::DevNum, b"sdb"),
            FieldValue::Text("sdb".into())
        );
        assert_eq!(n(FieldKind::Op, "0x1:(WRITE)"), "WRITE");
        assert_eq!(n(FieldKind::Op, "write"), "WRITE");
        assert_eq!(n(FieldKind::Op, "Read"), "READ");
        assert_eq!(n(FieldKind::Op, "REQ_OP_DISCARD"), "DISCARD");
        assert_eq!(n(FieldKind::Op, "0x2"), "0x2");
        assert_eq!(normalise(FieldKind::Pid, b"1069"), FieldValue::Int(1069));
        assert_eq!(normalise(FieldKind::Sector, b"0x1f"), FieldValue::Int(31));
        assert_eq!(
            normalise(FieldKind::Int, b"99999999999999999999999"),
            FieldValue::Text("99999999999999999999999".into())
        );
        assert_eq!(normalise(FieldKind::Seconds, b"223s"), FieldValue::Int(223));
        assert_eq!(
            normalise(FieldKind::Seconds, b"22.5"),
            FieldValue::Float(22.5)
        );
        assert_eq!(
            n(FieldKind::Uuid, "9D9074A3-2F80-4DB2-BE3A-3F8A65C426C3"),
            "9d9074a3-2f80-4db2-be3a-3f8a65c426c3"
        );
        assert_eq!(normalise(FieldKind::Errno, b"13"), FieldValue::Int(13));
        assert_eq!(normalise(FieldKind::Errno, b"-5"), FieldValue::Int(-5));
        assert_eq!(
            normalise(FieldKind::Errno, b"EACCES"),
            FieldValue::Text("EACCES".into())
        );
        // Invalid UTF-8 never panics.
        assert_eq!(n(FieldKind::Task, "a\u{fffd}b"), "a\u{fffd}b");
        let _ = normalise(FieldKind::Op, b"\xff(\xfe)");
        let _ = normalise(FieldKind::Op, b")(");
    }
}
