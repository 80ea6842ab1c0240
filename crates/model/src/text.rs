//! The one language layer: the report language, text in both languages,
//! and the template language every knowledge file (causes, host checks)
//! writes its prose and commands in.
//!
//! Templates: `{name}` is a placeholder, filled by the caller's lookup;
//! `[[ … ]]` is an optional clause, left out whole when a placeholder inside
//! it has no value. A placeholder with no value outside a clause reads as a
//! plain noun the caller supplies ("the map(s)"), so no output ever shows
//! `<map>` or `?`; the caller learns that it happened (a command naming an
//! unknown object must not be printed as runnable). A brace group that is
//! not a placeholder (`awk '{print $1}'`) is kept as written.

use serde::{Deserialize, Serialize};

/// The report language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Ko,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ko];

    pub fn as_str(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }

    /// Pick the string of this language from a pair written side by side
    /// (`lang.pick("no stale device", "stale 장치 없음")`): how code-side
    /// words (headings, labels) stay in both languages, checked by the
    /// compiler.
    pub fn pick<'a>(self, en: &'a str, ko: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Ko => ko,
        }
    }
}

/// Text in English and Korean.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub en: String,
    pub ko: String,
}

impl Text {
    pub fn new(en: impl Into<String>, ko: impl Into<String>) -> Text {
        Text {
            en: en.into(),
            ko: ko.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Ko => &self.ko,
        }
    }
}

/// What a lookup knows of one placeholder.
pub enum Slot {
    /// Its value.
    Value(String),
    /// A placeholder of the template language with no value here; the noun
    /// to print in its place outside an optional clause.
    Unknown(String),
    /// Not a placeholder: the brace group is kept as written.
    Literal,
}

/// A filled template, and whether a placeholder outside the optional
/// clauses had no value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filled {
    pub text: String,
    pub unknown: bool,
}

/// Fill `template` with `lookup`.
pub fn fill(template: &str, lookup: &dyn Fn(&str) -> Slot) -> Filled {
    let mut out = String::with_capacity(template.len());
    let mut unknown = false;
    let mut rest = template;
    // Whether a clause was just left out: only there may the spaces on its
    // two sides meet ("map {map}[[ ({wwid})]] is" → "map mpatha is"), so only
    // there are they tidied; text as written ("holds .cinderSecure…") is
    // never touched.
    let mut dropped = false;
    while let Some(open) = rest.find("[[") {
        let (text, u) = fill_plain(&rest[..open], lookup, false);
        join(&mut out, &text, dropped);
        unknown |= u;
        let after = &rest[open + 2..];
        let Some(close) = after.find("]]") else {
            rest = after;
            dropped = false;
            break;
        };
        let (clause, u) = fill_plain(&after[..close], lookup, true);
        if u {
            dropped = true;
        } else {
            join(&mut out, &clause, dropped);
            dropped = false;
        }
        rest = &after[close + 2..];
    }
    let (text, u) = fill_plain(rest, lookup, false);
    join(&mut out, &text, dropped);
    unknown |= u;
    Filled { text: out, unknown }
}

/// Append `text`; after a dropped clause, the space before it and the one
/// (or the punctuation) after it do not double up.
fn join(out: &mut String, text: &str, after_dropped: bool) {
    if after_dropped && out.ends_with(' ') {
        if let Some(rest) = text.strip_prefix(' ') {
            out.push_str(rest);
            return;
        }
        if text.starts_with(['.', ',', ';', ':', ')']) || text.is_empty() {
            out.pop();
        }
    }
    if after_dropped && out.is_empty() {
        out.push_str(text.trim_start());
        return;
    }
    out.push_str(text);
}

/// The placeholders a template names, in order (each once): what a loader
/// checks against the names its lookup can fill.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let name = &after[..close];
        if is_name(name) && !out.contains(&name) {
            out.push(name);
        }
        rest = &after[close + 1..];
    }
    out
}

/// A placeholder name: lower-case words joined by `_` (so `{print $1}` and
/// JSON in a command are not placeholders).
pub fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && s.as_bytes()[0].is_ascii_lowercase()
}

/// One run of text without clauses; in a clause, an unknown placeholder is
/// only reported (the caller drops the clause).
fn fill_plain(template: &str, lookup: &dyn Fn(&str) -> Slot, in_clause: bool) -> (String, bool) {
    let mut out = String::with_capacity(template.len());
    let mut unknown = false;
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return (out, unknown);
        };
        let name = &after[..close];
        match lookup(name) {
            Slot::Value(v) => out.push_str(&v),
            Slot::Unknown(noun) => {
                unknown = true;
                if !in_clause {
                    out.push_str(&noun);
                }
            }
            Slot::Literal => {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    (out, unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn look(name: &str) -> Slot {
        match name {
            "map" => Slot::Value("mpatha".into()),
            "wwid" => Slot::Unknown("the LUN".into()),
            _ => Slot::Literal,
        }
    }

    #[test]
    fn placeholders_clauses_and_literals() {
        let f = fill("map {map}[[ ({wwid})]] is down.", &look);
        assert_eq!(f.text, "map mpatha is down.");
        assert!(!f.unknown);
        let f = fill("check {wwid} of {map}", &look);
        assert_eq!(f.text, "check the LUN of mpatha");
        assert!(f.unknown);
        let f = fill("awk '{print $1}' {map}", &look);
        assert_eq!(f.text, "awk '{print $1}' mpatha");
        let f = fill("unclosed [[ {map}", &look);
        assert_eq!(f.text, "unclosed  mpatha");
        // Text as written is never tidied: only where a clause was dropped.
        let f = fill("it holds .cinderSecureEnvIndicator , see {map} .", &look);
        assert_eq!(f.text, "it holds .cinderSecureEnvIndicator , see mpatha .");
        let f = fill(
            "lost {map}[[ ({wwid})]], [[{wwid} ]]and more[[ {wwid}]].",
            &look,
        );
        assert_eq!(f.text, "lost mpatha, and more.");
        let f = fill("[[{wwid} ]]map {map}", &look);
        assert_eq!(f.text, "map mpatha");
        assert_eq!(
            placeholders("{map} {wwid} {print $1} {map}"),
            ["map", "wwid"]
        );
    }

    #[test]
    fn pick_and_text() {
        assert_eq!(Lang::Ko.pick("a", "가"), "가");
        assert_eq!(Text::new("a", "가").get(Lang::En), "a");
    }
}
