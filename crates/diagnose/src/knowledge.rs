//! Causes and benign rules as data: the TOML schema (`docs/causes.md`), its
//! loading and its validation. Errors name the file and line.

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

use jiff::SignedDuration;
use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

include!(concat!(env!("OUT_DIR"), "/builtin_causes.rs"));

/// A knowledge error, naming the file and line it comes from.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct Error {
    pub file: String,
    pub line: usize,
    pub message: String,
}

pub use rootline_model::{Lang, Text};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Root,
    Effect,
    Symptom,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Root => "root",
            Role::Effect => "effect",
            Role::Symptom => "symptom",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Link {
    #[default]
    Identity,
    Host,
    /// Identity-linked events when there are any; else the same host.
    #[serde(rename = "identity-or-host")]
    IdentityOrHost,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub id: String,
    pub role: Role,
    pub signatures: Vec<String>,
    #[serde(default)]
    pub link: Link,
    #[serde(default)]
    pub untimed: bool,
    #[serde(default = "one")]
    pub weight: u32,
    /// Context raises severity: an event this step accepts counts at least
    /// this severe when deciding whether an incident may open (an AppArmor
    /// denial is info on its own; qemu denied its disk image is an outage).
    #[serde(default, deserialize_with = "opt_severity")]
    pub severity: Option<rootline_model::Severity>,
    /// Field filters: every named field must match its regex
    /// (`when = { errno = '^(13|EACCES)$' }`).
    #[serde(default, deserialize_with = "regex_map")]
    pub when: Vec<(String, Regex)>,
    /// Negative field filters: an event whose named field exists and
    /// matches is not this step's (`unless = { device1 = '.' }`: only maps
    /// that name no path device).
    #[serde(default, deserialize_with = "regex_map")]
    pub unless: Vec<(String, Regex)>,
    pub meaning: Text,
}

fn regex_map<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<(String, Regex)>, D::Error> {
    let m: std::collections::BTreeMap<String, String> = Deserialize::deserialize(d)?;
    m.into_iter()
        .map(|(k, v)| {
            Regex::new(&v)
                .map(|r| (k, r))
                .map_err(serde::de::Error::custom)
        })
        .collect()
}

fn opt_severity<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<rootline_model::Severity>, D::Error> {
    let v: Option<String> = Deserialize::deserialize(d)?;
    v.map(|v| {
        rootline_model::Severity::parse(&v).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "severity {v:?}: expected info, warning, error or critical"
            ))
        })
    })
    .transpose()
}

fn opt_regex<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Regex>, D::Error> {
    let v: Option<String> = Deserialize::deserialize(d)?;
    v.map(|v| Regex::new(&v).map_err(serde::de::Error::custom))
        .transpose()
}

fn one() -> u32 {
    1
}

impl Step {
    /// Whether a signature id belongs to this step (`prefix.*` globs).
    pub fn takes(&self, sig: &str) -> bool {
        self.signatures.iter().any(|s| match s.strip_suffix('*') {
            Some(prefix) => sig.starts_with(prefix),
            None => s == sig,
        })
    }

    /// Whether an event belongs to this step: its signature, and its fields
    /// pass the step's `when` filters.
    pub fn accepts(&self, e: &rootline_model::Event) -> bool {
        let matches = |(field, re): &(String, Regex)| {
            e.fields
                .get(field)
                .is_some_and(|v| re.is_match(&v.to_string()))
        };
        self.takes(&e.signature)
            && self.when.iter().all(matches)
            && !self.unless.iter().any(matches)
    }
}

/// A fix, prevention or collection step.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionDef {
    pub text: Text,
    pub command: Option<String>,
    pub each: Option<String>,
    /// With `each`: only entities matching this regex (e.g. `'^sd[a-z]+$'`
    /// for SCSI path devices).
    #[serde(default, deserialize_with = "opt_regex")]
    pub only: Option<Regex>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContributingDef {
    pub cause: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CauseToml {
    id: Spanned<String>,
    #[serde(default)]
    disabled: bool,
    #[serde(default)]
    fallback: bool,
    title: Option<Text>,
    summary: Option<Text>,
    window: Option<String>,
    lead: Option<String>,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    examples: Vec<String>,
    #[serde(default)]
    step: Vec<Step>,
    #[serde(default)]
    fix: Vec<ActionDef>,
    #[serde(default)]
    prevention: Vec<ActionDef>,
    #[serde(default)]
    collect: Vec<ActionDef>,
    #[serde(default)]
    contributing: Vec<ContributingDef>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BenignToml {
    id: Spanned<String>,
    signatures: Vec<String>,
    field: Option<String>,
    matches: Option<String>,
    #[serde(default)]
    requires: Vec<String>,
    #[serde(default)]
    unless: Vec<String>,
    text: Text,
}

#[derive(Clone, Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileToml {
    #[serde(default)]
    cause: Vec<CauseToml>,
    #[serde(default)]
    benign: Vec<BenignToml>,
}

/// One cause, validated.
#[derive(Clone, Debug)]
pub struct Cause {
    pub id: String,
    pub title: Text,
    pub summary: Text,
    pub window: SignedDuration,
    pub lead: SignedDuration,
    pub references: Vec<String>,
    pub examples: Vec<String>,
    pub steps: Vec<Step>,
    pub fix: Vec<ActionDef>,
    pub prevention: Vec<ActionDef>,
    pub collect: Vec<ActionDef>,
    pub contributing: Vec<String>,
    /// Considered only for evidence no other diagnosis explains (the
    /// unclassified storage fault): it never competes with a known cause.
    pub fallback: bool,
    pub origin: String,
}

/// An event that looks alarming and is not.
#[derive(Clone, Debug)]
pub struct Benign {
    pub id: String,
    pub signatures: Vec<String>,
    /// The field to test and its regex, if the rule tests a field.
    pub field: Option<(String, Regex)>,
    /// Signatures of which one event must share an identity with the event
    /// (a removable disk's attach line for its later I/O errors).
    pub requires: Vec<String>,
    /// Signatures of which a linked event makes the event NOT benign: a
    /// loop device's I/O errors are a snap image's noise, unless host state
    /// shows its backing file on a network or FUSE file system.
    pub unless: Vec<String>,
    pub text: Text,
    pub origin: String,
}

impl Benign {
    pub fn takes(&self, sig: &str) -> bool {
        self.signatures.iter().any(|s| match s.strip_suffix('*') {
            Some(prefix) => sig.starts_with(prefix),
            None => s == sig,
        })
    }
}

/// Every cause, benign rule and host check definition.
#[derive(Clone, Debug, Default)]
pub struct Knowledge {
    pub causes: Vec<Cause>,
    pub benign: Vec<Benign>,
    /// The host check book (`catalog/checks/`): what each host check says.
    pub checks: rootline_hoststate::CheckBook,
}

fn book_error(e: rootline_hoststate::book::Error) -> Error {
    Error {
        file: e.file,
        line: 0,
        message: e.message,
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn duration(s: &str) -> Option<SignedDuration> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit())?);
    let n: i64 = num.parse().ok()?;
    match unit {
        "s" => Some(SignedDuration::from_secs(n)),
        "m" => Some(SignedDuration::from_mins(n)),
        "h" => Some(SignedDuration::from_hours(n)),
        "d" => Some(SignedDuration::from_hours(n * 24)),
        _ => None,
    }
}

enum Entry {
    Cause(Box<Cause>),
    Disable(String, String),
    Benign(Box<Benign>),
}

fn parse_file(file: &str, text: &str) -> Result<Vec<Entry>, Error> {
    let parsed: FileToml = toml::from_str(text).map_err(|e| Error {
        file: file.to_string(),
        line: e.span().map_or(0, |s| line_of(text, s.start)),
        message: e.message().to_string(),
    })?;
    let mut out = Vec::new();
    for c in parsed.cause {
        let line = line_of(text, c.id.span().start);
        let origin = format!("{file}:{line}");
        let err = |message: String| Error {
            file: file.to_string(),
            line,
            message: format!("cause {}: {message}", c.id.get_ref()),
        };
        if c.disabled {
            out.push(Entry::Disable(c.id.get_ref().clone(), origin));
            continue;
        }
        let title = c
            .title
            .clone()
            .ok_or_else(|| err("missing `title`".into()))?;
        let summary = c
            .summary
            .clone()
            .ok_or_else(|| err("missing `summary`".into()))?;
        let window = match &c.window {
            Some(w) => duration(w).ok_or_else(|| err(format!("bad window {w:?} (e.g. \"6h\")")))?,
            None => SignedDuration::from_hours(6),
        };
        let lead = match &c.lead {
            Some(w) => duration(w).ok_or_else(|| err(format!("bad lead {w:?} (e.g. \"10m\")")))?,
            None => SignedDuration::from_mins(10),
        };
        if !c.step.iter().any(|s| s.role == Role::Root) {
            return Err(err("no step has role = \"root\"".into()));
        }
        let mut ids = HashSet::new();
        for s in &c.step {
            if !ids.insert(s.id.clone()) {
                return Err(err(format!("duplicate step id {}", s.id)));
            }
            if s.signatures.is_empty() {
                return Err(err(format!("step {} lists no signatures", s.id)));
            }
        }
        out.push(Entry::Cause(Box::new(Cause {
            id: c.id.get_ref().clone(),
            title,
            summary,
            window,
            lead,
            references: c.references,
            examples: c.examples,
            steps: c.step,
            fix: c.fix,
            prevention: c.prevention,
            collect: c.collect,
            contributing: c.contributing.into_iter().map(|x| x.cause).collect(),
            fallback: c.fallback,
            origin,
        })));
    }
    for b in parsed.benign {
        let line = line_of(text, b.id.span().start);
        let err = |message: String| Error {
            file: file.to_string(),
            line,
            message: format!("benign {}: {message}", b.id.get_ref()),
        };
        let field = match (b.field, b.matches) {
            (Some(f), Some(m)) => Some((
                f,
                Regex::new(&m).map_err(|e| err(format!("bad regex: {e}")))?,
            )),
            (None, None) => None,
            _ => return Err(err("`field` and `matches` go together".into())),
        };
        if field.is_none() && b.requires.is_empty() {
            return Err(err("needs `field` + `matches`, or `requires`".into()));
        }
        out.push(Entry::Benign(Box::new(Benign {
            id: b.id.get_ref().clone(),
            signatures: b.signatures,
            field,
            requires: b.requires,
            unless: b.unless,
            text: b.text,
            origin: format!("{file}:{line}"),
        })));
    }
    Ok(out)
}

impl Knowledge {
    /// The causes compiled into the binary.
    pub fn builtin() -> Result<Knowledge, Error> {
        let mut k = Knowledge {
            checks: rootline_hoststate::CheckBook::builtin().map_err(book_error)?,
            ..Knowledge::default()
        };
        k.apply(
            BUILTIN
                .iter()
                .map(|(f, t)| (f.to_string(), t.to_string()))
                .collect(),
        )?;
        Ok(k)
    }

    /// Add or override causes from `DIR/causes/*.toml` and host checks from
    /// `DIR/checks/*.toml` (the `--catalog` directory). A missing
    /// directory is not an error.
    pub fn extend_from_dir(&mut self, dir: &Path) -> Result<(), Error> {
        self.checks.extend_from_dir(dir).map_err(book_error)?;
        let causes = dir.join("causes");
        let Ok(rd) = std::fs::read_dir(&causes) else {
            return Ok(());
        };
        let mut files: Vec<_> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        let mut texts = Vec::new();
        for f in files {
            let mut text = String::new();
            let read = std::fs::File::open(&f).and_then(|file| {
                // Capped: a cause file is a few KiB; 8 MiB means a mistake.
                #[allow(clippy::disallowed_methods)]
                file.take(8 << 20).read_to_string(&mut text)
            });
            read.map_err(|e| Error {
                file: f.display().to_string(),
                line: 0,
                message: format!("cannot read: {e}"),
            })?;
            texts.push((f.display().to_string(), text));
        }
        self.apply(texts)
    }

    pub(crate) fn apply(&mut self, texts: Vec<(String, String)>) -> Result<(), Error> {
        let mut next = self.clone();
        for (file, text) in &texts {
            for e in parse_file(file, text)? {
                match e {
                    Entry::Cause(c) => match next.causes.iter_mut().find(|x| x.id == c.id) {
                        Some(old) => *old = *c,
                        None => next.causes.push(*c),
                    },
                    Entry::Disable(id, origin) => {
                        let before = next.causes.len();
                        next.causes.retain(|c| c.id != id);
                        if before == next.causes.len() {
                            let (file, line) = origin.rsplit_once(':').unwrap_or((&origin, "0"));
                            return Err(Error {
                                file: file.to_string(),
                                line: line.parse().unwrap_or(0),
                                message: format!("`disabled = true` names an unknown cause {id}"),
                            });
                        }
                    }
                    Entry::Benign(b) => match next.benign.iter_mut().find(|x| x.id == b.id) {
                        Some(old) => *old = *b,
                        None => next.benign.push(*b),
                    },
                }
            }
        }
        *self = next;
        Ok(())
    }

    /// Every signature a cause or benign rule names must exist (globs must
    /// match at least one), and contributing causes must exist.
    pub fn validate(&self, signature_ids: &[&str]) -> Result<(), Error> {
        // `host.<check>` signatures come from host-state checks, not from the
        // signature catalog.
        // `host.<check>`: a check the host-state parsers produce (a
        // misspelt one would silently never match).
        let known = |pat: &str| {
            pat.strip_prefix("host.").is_some_and(|c| {
                c.strip_suffix('*').map_or_else(
                    || rootline_hoststate::CHECK_IDS.contains(&c),
                    |p| {
                        rootline_hoststate::CHECK_IDS
                            .iter()
                            .any(|id| id.starts_with(p))
                    },
                )
            }) || (!pat.starts_with("host.")
                && match pat.strip_suffix('*') {
                    Some(prefix) => signature_ids.iter().any(|s| s.starts_with(prefix)),
                    None => signature_ids.contains(&pat),
                })
        };
        let at = |origin: &str, message: String| {
            let (file, line) = origin.rsplit_once(':').unwrap_or((origin, "0"));
            Error {
                file: file.to_string(),
                line: line.parse().unwrap_or(0),
                message,
            }
        };
        for c in &self.causes {
            for s in &c.steps {
                for sig in &s.signatures {
                    if !known(sig) {
                        return Err(at(
                            &c.origin,
                            format!("cause {} step {}: unknown signature {sig}", c.id, s.id),
                        ));
                    }
                }
            }
            for other in &c.contributing {
                if !self.causes.iter().any(|x| &x.id == other) {
                    return Err(at(
                        &c.origin,
                        format!("cause {}: unknown contributing cause {other}", c.id),
                    ));
                }
            }
        }
        for b in &self.benign {
            for sig in b.signatures.iter().chain(&b.requires).chain(&b.unless) {
                if !known(sig) {
                    return Err(at(
                        &b.origin,
                        format!("benign {}: unknown signature {sig}", b.id),
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[cause]]
id = "x-cause"
title = { en = "T", ko = "T" }
summary = { en = "S {maps}", ko = "S {maps}" }
window = "2h"

[[cause.step]]
id = "root"
role = "root"
signatures = ["multipath.*"]
meaning = { en = "m", ko = "m" }

[[benign]]
id = "cdrom"
signatures = ["kernel.block.*"]
field = "device"
matches = '^sr\d+$'
text = { en = "t", ko = "t" }
"#;

    #[test]
    fn loads_and_validates() {
        let mut k = Knowledge::default();
        k.apply(vec![("c.toml".into(), GOOD.into())]).unwrap();
        assert_eq!(k.causes[0].window, SignedDuration::from_hours(2));
        assert!(k.causes[0].steps[0].takes("multipath.all-paths-down"));
        assert!(k.benign[0].field.as_ref().unwrap().1.is_match("sr0"));
        assert!(
            k.validate(&["multipath.addmap", "kernel.block.io-error"])
                .is_ok()
        );
        let e = k.validate(&["kernel.block.io-error"]).unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("c.toml", 3));
    }

    #[test]
    fn errors_name_file_and_line() {
        let mut k = Knowledge::default();
        let bad = GOOD.replace("role = \"root\"", "role = \"rooot\"");
        let e = k.apply(vec![("c.toml".into(), bad)]).unwrap_err();
        assert_eq!(e.file, "c.toml");
        assert!(e.line >= 9, "{e}");
        let no_root = GOOD.replace("role = \"root\"", "role = \"effect\"");
        let e = k.apply(vec![("d.toml".into(), no_root)]).unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("d.toml", 3));
    }

    #[test]
    fn a_misspelt_host_check_is_rejected() {
        let ids = ["multipath.addmap", "kernel.block.io-error"];
        let mut k = Knowledge::default();
        let good = GOOD.replace(
            r#"signatures = ["multipath.*"]"#,
            r#"signatures = ["multipath.*", "host.multipath-map-no-active-path"]"#,
        );
        k.apply(vec![("c.toml".into(), good)]).unwrap();
        assert!(k.validate(&ids).is_ok());
        let mut k = Knowledge::default();
        let bad = GOOD.replace(
            r#"signatures = ["multipath.*"]"#,
            r#"signatures = ["multipath.*", "host.multipath-map-no-active-paths"]"#,
        );
        k.apply(vec![("c.toml".into(), bad)]).unwrap();
        let e = k.validate(&ids).unwrap_err();
        assert!(
            e.message.contains("host.multipath-map-no-active-paths"),
            "{e}"
        );
    }

    #[test]
    fn builtin_loads() {
        Knowledge::builtin().unwrap();
    }
}
