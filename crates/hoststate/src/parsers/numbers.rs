//! Numbers as command outputs print them, in any locale (`2,787`,
//! `2.787`, `512 110 190 592`, `3,58`), and what a file holds when its
//! command produced nothing usable (empty, a timeout, an error message):
//! shared by the disk and the system parsers, no facts or checks of their
//! own.

/// Empty, or only a timeout / error message: what a sosreport leaves when the
/// command did not produce output (or failed, [`crate::parsers::command_failure`]).
pub(crate) fn content_is_void(sample: &str) -> bool {
    let t = sample.trim();
    if t.is_empty() || crate::parsers::command_failure(t).is_some() {
        return true;
    }
    // More than three lines is output, not a message: decided without
    // reading (or lower-casing) the rest of a 64 KiB sample, since every
    // file's recognition asks this.
    if t.lines().nth(3).is_some() {
        return false;
    }
    let l = t.to_ascii_lowercase();
    l.starts_with("timeout")
        || l.contains("timed out")
        || l.contains("command not found")
        || l.contains("no such file")
        || l.contains("not supported")
        || l.contains("permission denied")
}

/// The file's name (lower case, as [`base_name`]) as the hint a disk or
/// system parser takes: only when the content says nothing (a sosreport
/// command that timed out, an empty file, an error message) and no parser
/// of its family claims the content (`family_may_decide`).
pub(crate) fn void_name_hint(
    rel_path: &str,
    sample: &str,
    family_may_decide: fn(&str) -> bool,
) -> Option<String> {
    family_may_decide(sample).then(|| base_name(rel_path))
}

/// A note for a file whose command produced nothing usable.
pub(crate) fn void_note(text: &str) -> Option<String> {
    let t = text.trim();
    if t.is_empty() {
        return Some("empty output (the command produced nothing or timed out)".into());
    }
    if content_is_void(text) {
        let first = t.lines().next().unwrap_or("").trim();
        return Some(format!("no data: {first}"));
    }
    None
}

/// The file's name, lower case, without its folders
/// (`sos_commands/ata/smartctl_-a_.dev.sda` → `smartctl_-a_.dev.sda`): the
/// hint a parser reads when the content says nothing.
pub(super) fn base_name(rel_path: &str) -> String {
    rel_path
        .rsplit('/')
        .next()
        .unwrap_or(rel_path)
        .to_ascii_lowercase()
}

// ---------------------------------------------------------------------------
// Numbers.

/// An integer with optional thousands separators (`2,787`, `2.787`,
/// `512 110 190 592`, `1'234`, NBSP, thin space, U+FFFD), read from the start of `s` and ending
/// at the first character that is not part of it (`51 Celsius` → 51,
/// `4%` → 4, `38 (Min/Max 10/58)` → 38). Also `0x..` hexadecimal.
pub(crate) fn parse_int(s: &str) -> Option<i64> {
    let s = s.trim_start();
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        let hex: String = h.chars().take_while(|c| c.is_ascii_hexdigit()).collect();
        return i64::from_str_radix(&hex, 16).ok();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut digits = String::new();
    while i < chars.len() && chars[i].is_ascii_digit() {
        digits.push(chars[i]);
        i += 1;
    }
    if digits.is_empty() {
        return None;
    }
    // Groups of exactly three digits after a separator.
    if digits.len() <= 3 {
        while i < chars.len() {
            let sep = chars[i];
            // U+FFFD: a separator of another code page that did not
            // survive the trip to UTF-8 (`10�779`, smartctl on Windows).
            if !matches!(
                sep,
                ',' | '.' | ' ' | '\'' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '_' | '\u{fffd}'
            ) {
                break;
            }
            let group: String = chars[i + 1..].iter().take(3).collect();
            if group.len() != 3 || !group.chars().all(|c| c.is_ascii_digit()) {
                break;
            }
            // The group must end there (no fourth digit).
            if chars.get(i + 4).is_some_and(|c| c.is_ascii_digit()) {
                break;
            }
            digits.push_str(&group);
            i += 4;
        }
    }
    let v: i64 = digits.parse().ok()?;
    Some(if neg { -v } else { v })
}

/// A decimal number, `.` or `,` as the decimal mark (`15654.8`, `3,58`).
pub(crate) fn parse_float(s: &str) -> Option<f64> {
    let s = s.trim().trim_end_matches(',').trim_end_matches(';');
    let t: String = s
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '+'))
        .collect();
    if t.is_empty() {
        return None;
    }
    let t = if t.contains('.') {
        t.replace(',', "")
    } else {
        t.replace(',', ".")
    };
    t.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_with_separators() {
        assert_eq!(parse_int("2,787"), Some(2787));
        assert_eq!(parse_int("2.787"), Some(2787));
        assert_eq!(parse_int("512 110 190 592 [512 GB]"), Some(512_110_190_592));
        assert_eq!(parse_int("512,110,190,592 [512 GB]"), Some(512_110_190_592));
        assert_eq!(parse_int("2\u{a0}787"), Some(2787));
        assert_eq!(parse_int("51 Celsius"), Some(51));
        assert_eq!(parse_int("38 (Min/Max 10/58)"), Some(38));
        assert_eq!(parse_int("4%"), Some(4));
        assert_eq!(parse_int("0x04"), Some(4));
        assert_eq!(parse_int("1 2"), Some(1));
        assert_eq!(parse_int("x"), None);
    }
}
