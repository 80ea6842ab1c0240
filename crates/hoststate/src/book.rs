//! Host checks as data: `catalog/checks/*.toml`, the third kind of
//! knowledge beside signatures and causes.
//!
//! Rust decides *whether* a check holds and binds the values it found (the
//! map, its WWID, how many paths failed); the check book says everything an
//! operator reads: severity, the text in English and Korean, the fix
//! commands. Schema and conventions: `docs/checks.md`. Operators override or
//! translate checks with `--catalog DIR` (`DIR/checks/*.toml`); an entry must
//! name a check the code raises (`crate::CHECK_IDS`) — a typo is an error,
//! not a check that silently never fires.
//!
//! Templates use the template language of every knowledge file
//! (`rootline_model::text`): `{name}` is a bound value, `[[ … ]]` a clause
//! left out when a value in it is not bound.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::Path;
use std::sync::OnceLock;

use rootline_model::text::{Slot, fill, is_name, placeholders};
use rootline_model::{Lang, Severity, Text};
use serde::Deserialize;

use crate::{Check, Fix};

include!(concat!(env!("OUT_DIR"), "/builtin_checks.rs"));

/// Why a check file could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct Error {
    pub file: String,
    pub message: String,
}

/// All check definitions, in load order.
#[derive(Clone, Debug, Default)]
pub struct CheckBook {
    pub defs: Vec<CheckDef>,
}

/// One check: what an operator reads when the code raises it.
#[derive(Clone, Debug)]
pub struct CheckDef {
    pub id: String,
    /// Severity unless the chosen text variant says otherwise.
    pub severity: Severity,
    /// A short name, for lists (`catalog list`, `explain`).
    pub title: Text,
    /// The values the code binds: the only names templates may use.
    pub binds: Vec<String>,
    /// Text variants; the first whose conditions hold is used.
    pub text: Vec<Variant>,
    pub fix: Vec<FixDef>,
    pub examples: Vec<Example>,
    /// `file` where it was defined.
    pub origin: String,
}

#[derive(Clone, Debug)]
pub struct Variant {
    pub when: Vec<Cond>,
    pub severity: Option<Severity>,
    pub text: Text,
}

#[derive(Clone, Debug)]
pub struct FixDef {
    pub when: Vec<Cond>,
    /// Repeat this entry for every value bound to this name (one command
    /// per stale path device).
    pub each: Option<String>,
    /// With `each`: one entry whose command is the per-item commands
    /// joined by this separator (`"; "`), instead of one entry per item.
    pub join: Option<String>,
    pub text: Text,
    pub command: Option<String>,
}

/// A condition on the bound values: `name` (bound, non-empty), `!name`
/// (not bound), `name=value` (one value equals).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cond {
    Bound(String),
    Unbound(String),
    Equals(String, String),
}

/// A real capture the check must (or must not) be raised on.
#[derive(Clone, Debug)]
pub struct Example {
    /// `(file name, text)`: the name is a hint to recognition, as a
    /// sosreport's or an operator's file name is.
    pub files: Vec<(String, String)>,
    /// Values the raised check must bind (a subset); `None`: the check
    /// must not be raised on these files.
    pub values: Option<BTreeMap<String, String>>,
    pub severity: Option<Severity>,
}

// ----------------------------------------------------------------- loading

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDef {
    #[serde(default)]
    check: Vec<RawCheck>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    id: String,
    severity: String,
    title: Text,
    #[serde(default)]
    binds: Vec<String>,
    text: Vec<RawVariant>,
    #[serde(default)]
    fix: Vec<RawFix>,
    #[serde(default)]
    example: Vec<RawExample>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVariant {
    #[serde(default)]
    when: Vec<String>,
    severity: Option<String>,
    en: String,
    ko: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFix {
    #[serde(default)]
    when: Vec<String>,
    each: Option<String>,
    join: Option<String>,
    en: String,
    ko: String,
    command: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExample {
    /// File name hint for a one-file example.
    file: Option<String>,
    input: Option<String>,
    #[serde(default)]
    files: Vec<RawFile>,
    values: Option<BTreeMap<String, String>>,
    #[serde(default = "yes")]
    raised: bool,
    severity: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    name: String,
    text: String,
}

fn yes() -> bool {
    true
}

fn severity(s: &str) -> Result<Severity, String> {
    Severity::parse(s).ok_or_else(|| format!("unknown severity {s:?}"))
}

fn cond(s: &str) -> Cond {
    if let Some(n) = s.strip_prefix('!') {
        Cond::Unbound(n.trim().to_string())
    } else if let Some((n, v)) = s.split_once('=') {
        Cond::Equals(n.trim().to_string(), v.trim().to_string())
    } else {
        Cond::Bound(s.trim().to_string())
    }
}

impl Cond {
    fn name(&self) -> &str {
        match self {
            Cond::Bound(n) | Cond::Unbound(n) | Cond::Equals(n, _) => n,
        }
    }
}

/// One file's checks, validated on their own (names used are bound, ids
/// are ids the code raises, a default text exists).
fn parse_file(file: &str, text: &str) -> Result<Vec<CheckDef>, Error> {
    let err = |message: String| Error {
        file: file.to_string(),
        message,
    };
    let parsed: FileDef = toml::from_str(text).map_err(|e| err(e.to_string()))?;
    let mut out = Vec::new();
    for c in parsed.check {
        let cerr = |m: String| err(format!("check {}: {m}", c.id));
        if !crate::CHECK_IDS.contains(&c.id.as_str()) {
            return Err(cerr(
                "no code raises a check of this id (known ids: `rootline catalog list`)".into(),
            ));
        }
        let sev = severity(&c.severity).map_err(cerr)?;
        for b in &c.binds {
            if !is_name(b) {
                return Err(cerr(format!("bound name {b:?} is not lower_snake_case")));
            }
        }
        let known = |name: &str| c.binds.iter().any(|b| b == name);
        let check_template = |what: &str, t: &str| -> Result<(), Error> {
            if t.matches("[[").count() != t.matches("]]").count() {
                return Err(cerr(format!("{what}: unbalanced [[ … ]] clause")));
            }
            for p in placeholders(t) {
                if !known(p) {
                    return Err(cerr(format!(
                        "{what} uses {{{p}}}, which the check does not bind (binds: {})",
                        c.binds.join(", ")
                    )));
                }
            }
            Ok(())
        };
        let conds = |list: &[String]| -> Result<Vec<Cond>, Error> {
            list.iter()
                .map(|s| {
                    let k = cond(s);
                    if known(k.name()) {
                        Ok(k)
                    } else {
                        Err(cerr(format!("condition {s:?} names an unbound value")))
                    }
                })
                .collect()
        };
        let mut variants = Vec::new();
        for v in &c.text {
            check_template("text.en", &v.en)?;
            check_template("text.ko", &v.ko)?;
            variants.push(Variant {
                when: conds(&v.when)?,
                severity: v
                    .severity
                    .as_deref()
                    .map(severity)
                    .transpose()
                    .map_err(cerr)?,
                text: Text::new(v.en.trim(), v.ko.trim()),
            });
        }
        if !variants.iter().any(|v| v.when.is_empty()) {
            return Err(cerr(
                "needs a [[check.text]] without `when`: the text when no variant applies".into(),
            ));
        }
        let mut fix = Vec::new();
        for f in &c.fix {
            check_template("fix.en", &f.en)?;
            check_template("fix.ko", &f.ko)?;
            if let Some(cmd) = &f.command {
                check_template("fix.command", cmd)?;
            }
            if let Some(e) = &f.each
                && !known(e)
            {
                return Err(cerr(format!("fix `each = {e:?}` names an unbound value")));
            }
            if f.join.is_some() && f.each.is_none() {
                return Err(cerr("fix `join` needs `each`".into()));
            }
            fix.push(FixDef {
                when: conds(&f.when)?,
                each: f.each.clone(),
                join: f.join.clone(),
                text: Text::new(f.en.trim(), f.ko.trim()),
                command: f.command.clone(),
            });
        }
        let mut examples = Vec::new();
        for e in c.example {
            let mut files: Vec<(String, String)> =
                e.files.into_iter().map(|f| (f.name, f.text)).collect();
            if let Some(input) = e.input {
                files.push((e.file.unwrap_or_else(|| "capture.txt".into()), input));
            }
            if files.is_empty() {
                return Err(cerr("an example needs `input` or `files`".into()));
            }
            examples.push(Example {
                files,
                values: if e.raised {
                    Some(e.values.unwrap_or_default())
                } else {
                    None
                },
                severity: e
                    .severity
                    .as_deref()
                    .map(severity)
                    .transpose()
                    .map_err(cerr)?,
            });
        }
        out.push(CheckDef {
            id: c.id,
            severity: sev,
            title: Text::new(c.title.en.trim(), c.title.ko.trim()),
            binds: c.binds,
            text: variants,
            fix,
            examples,
            origin: file.to_string(),
        });
    }
    Ok(out)
}

impl CheckBook {
    /// The checks compiled into the binary.
    pub fn builtin() -> Result<CheckBook, Error> {
        let mut b = CheckBook::default();
        for (file, text) in BUILTIN {
            b.add(parse_file(file, text)?, true)?;
        }
        Ok(b)
    }

    /// Add or override checks from `DIR/checks/*.toml`. A missing
    /// `checks/` is not an error. On error the book is unchanged.
    pub fn extend_from_dir(&mut self, dir: &Path) -> Result<(), Error> {
        let Ok(rd) = std::fs::read_dir(dir.join("checks")) else {
            return Ok(());
        };
        let mut files: Vec<_> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        let mut next = self.clone();
        for f in files {
            let name = f.display().to_string();
            let mut text = String::new();
            // Capped: a check file is a few KiB; 8 MiB means a mistake.
            #[allow(clippy::disallowed_methods)]
            let read =
                std::fs::File::open(&f).and_then(|h| h.take(8 << 20).read_to_string(&mut text));
            read.map_err(|e| Error {
                file: name.clone(),
                message: format!("cannot read: {e}"),
            })?;
            next.add(parse_file(&name, &text)?, false)?;
        }
        *self = next;
        Ok(())
    }

    /// Built-in files may not define one id twice; an overlay replaces.
    fn add(&mut self, defs: Vec<CheckDef>, strict: bool) -> Result<(), Error> {
        for d in defs {
            match self.defs.iter_mut().find(|x| x.id == d.id) {
                Some(old) if strict => {
                    return Err(Error {
                        file: d.origin.clone(),
                        message: format!("check {} is already defined in {}", d.id, old.origin),
                    });
                }
                Some(old) => *old = d,
                None => self.defs.push(d),
            }
        }
        Ok(())
    }

    pub fn get(&self, id: &str) -> Option<&CheckDef> {
        self.defs.iter().find(|d| d.id == id)
    }

    /// Fill a raised check's severity, text and fix from its definition.
    /// A check with no definition keeps what it has (its id as text).
    pub fn render(&self, c: &mut Check) {
        let Some(def) = self.get(&c.id) else {
            if c.en.is_empty() {
                c.en.clone_from(&c.id);
                c.ko.clone_from(&c.id);
            }
            return;
        };
        let Some(v) = def.text.iter().find(|v| v.when.iter().all(|k| holds(c, k))) else {
            return;
        };
        c.severity = v.severity.unwrap_or(def.severity);
        c.en = fill(&v.text.en, &|n| lookup(c, n, None, Lang::En)).text;
        c.ko = fill(&v.text.ko, &|n| lookup(c, n, None, Lang::Ko)).text;
        let mut fixes = Vec::new();
        for f in &def.fix {
            if !f.when.iter().all(|k| holds(c, k)) {
                continue;
            }
            let items: Vec<Option<String>> = match &f.each {
                Some(name) => {
                    let all = values_of(c, name);
                    if all.is_empty() {
                        continue;
                    }
                    all.into_iter().map(Some).collect()
                }
                None => vec![None],
            };
            let name = f.each.as_deref();
            fn bind<'a>(
                name: Option<&'a str>,
                v: &'a Option<String>,
            ) -> Option<(&'a str, &'a str)> {
                name.zip(v.as_deref())
            }
            // Steps: each with the value its text names (none for a joined
            // step, whose text names the whole list) and the values its
            // command runs for.
            let steps: Vec<(Each<'_>, Vec<Each<'_>>)> = match &f.join {
                Some(_) => vec![(None, items.iter().map(|v| bind(name, v)).collect())],
                None => items
                    .iter()
                    .map(|v| (bind(name, v), vec![bind(name, v)]))
                    .collect(),
            };
            for (each, runs) in steps {
                let mut one = Fix {
                    en: fill(&f.text.en, &|n| lookup(c, n, each, Lang::En)).text,
                    ko: fill(&f.text.ko, &|n| lookup(c, n, each, Lang::Ko)).text,
                    command: None,
                };
                if let Some(cmd) = &f.command {
                    let parts: Vec<_> = runs
                        .iter()
                        .map(|&run| fill(cmd, &|n| lookup(c, n, run, Lang::En)))
                        .collect();
                    // A command naming something the evidence does not
                    // give cannot be run as printed: say so, print none.
                    if parts.iter().any(|p| p.unknown) {
                        withhold(&mut one);
                    } else {
                        let texts: Vec<String> = parts.into_iter().map(|p| p.text).collect();
                        one.command = Some(texts.join(f.join.as_deref().unwrap_or("")));
                    }
                }
                if !fixes.contains(&one) {
                    fixes.push(one);
                }
            }
        }
        c.fix = fixes;
    }

    /// Render every check of a file's host state.
    pub fn render_all(&self, checks: &mut [Check]) {
        for c in checks {
            self.render(c);
        }
    }
}

/// The shipped book, for parsers' own rendering (tests, library users that
/// pass no book). The binary loads [`CheckBook::builtin`] itself and fails
/// loudly if it is broken; a test keeps it loadable.
pub(crate) fn shipped() -> &'static CheckBook {
    static BOOK: OnceLock<CheckBook> = OnceLock::new();
    BOOK.get_or_init(|| CheckBook::builtin().unwrap_or_default())
}

/// The value an `each` step is filled with: (name, value).
type Each<'a> = Option<(&'a str, &'a str)>;

/// A step whose command names something the evidence does not give.
fn withhold(one: &mut Fix) {
    one.en
        .push_str(" (the evidence does not name it, so no command is given)");
    one.ko
        .push_str(" (증거에 대상 이름이 없어 명령은 생략합니다)");
}

/// Every value bound to `name`: the check's values, its lists, then its
/// typed fields.
fn values_of(c: &Check, name: &str) -> Vec<String> {
    if let Some(v) = c.values.get(name) {
        return vec![v.clone()];
    }
    if let Some(v) = c.lists.get(name) {
        return v.clone();
    }
    let mut out: Vec<String> = Vec::new();
    for (n, v, _) in &c.fields {
        if n == name && !out.contains(v) {
            out.push(v.clone());
        }
    }
    out
}

fn holds(c: &Check, k: &Cond) -> bool {
    match k {
        Cond::Bound(n) => values_of(c, n).iter().any(|v| !v.is_empty()),
        Cond::Unbound(n) => values_of(c, n).iter().all(|v| v.is_empty()),
        Cond::Equals(n, want) => values_of(c, n).iter().any(|v| v == want),
    }
}

fn lookup(c: &Check, name: &str, each: Option<(&str, &str)>, lang: Lang) -> Slot {
    if !is_name(name) {
        return Slot::Literal;
    }
    if let Some((n, v)) = each
        && n == name
    {
        return Slot::Value(v.to_string());
    }
    let all = values_of(c, name);
    if all.is_empty() || all.iter().all(String::is_empty) {
        return Slot::Unknown(noun(name, lang).to_string());
    }
    Slot::Value(all.join(", "))
}

/// What an unbound value reads as outside an optional clause.
fn noun(name: &str, lang: Lang) -> &'static str {
    match name {
        "device" | "dm" => lang.pick("the device", "해당 장치"),
        "map" => lang.pick("the map", "해당 맵"),
        "wwid" => lang.pick("the LUN", "해당 LUN"),
        "path" | "file" => lang.pick("the file", "해당 파일"),
        "domain" | "instance" => lang.pick("the VM", "해당 VM"),
        "volume" => lang.pick("the volume", "해당 볼륨"),
        "pid" | "task" => lang.pick("the process", "해당 프로세스"),
        _ => lang.pick("the object", "해당 대상"),
    }
}

// ---------------------------------------------------------------- examples

/// An example that did not give what its check says.
#[derive(Clone, Debug)]
pub struct ExampleFailure {
    pub check: String,
    pub origin: String,
    pub problem: String,
}

impl CheckBook {
    /// Number of examples in the book.
    pub fn example_count(&self) -> usize {
        self.defs.iter().map(|d| d.examples.len()).sum()
    }

    /// Run every example through recognition, the parsers and the
    /// host-level pass, rendered with this book: a positive example must
    /// raise its check with the values it lists (and the severity, if
    /// given) and fill every placeholder; a negative one must not raise it.
    pub fn test_examples(&self) -> Vec<ExampleFailure> {
        let mut out = Vec::new();
        for def in &self.defs {
            for (i, ex) in def.examples.iter().enumerate() {
                let fail = |problem: String| ExampleFailure {
                    check: def.id.clone(),
                    origin: format!("{} (example {})", def.origin, i + 1),
                    problem,
                };
                let mut states = Vec::new();
                for (name, text) in &ex.files {
                    match crate::recognise(name, text) {
                        Some(kind) => {
                            let mut st = crate::parse_file(kind, text, name);
                            self.render_all(&mut st.checks);
                            states.push((name.as_str(), st));
                        }
                        None => out.push(fail(format!("{name} is not recognised as host state"))),
                    }
                }
                let refs: Vec<(&str, &crate::HostState)> =
                    states.iter().map(|(n, s)| (*n, s)).collect();
                let mut crossed = crate::cross_check(&refs);
                self.render_all(&mut crossed.checks);
                let raised: Vec<&Check> = states
                    .iter()
                    .flat_map(|(_, s)| s.checks.iter())
                    .chain(crossed.checks.iter())
                    .filter(|c| c.id == def.id)
                    .collect();
                let Some(want) = &ex.values else {
                    if !raised.is_empty() {
                        out.push(fail(format!(
                            "raised, but the example says it must not be: {}",
                            raised[0].en
                        )));
                    }
                    continue;
                };
                let matching: Vec<&&Check> = raised
                    .iter()
                    .filter(|c| {
                        want.iter()
                            .all(|(k, v)| values_of(c, k).iter().any(|x| x == v))
                    })
                    .collect();
                let Some(c) = matching.first() else {
                    let seen: Vec<String> = raised
                        .iter()
                        .map(|c| format!("{:?} {:?}", c.values, c.fields))
                        .collect();
                    out.push(fail(if raised.is_empty() {
                        "not raised".to_string()
                    } else {
                        format!("raised without the values {want:?}; raised with {seen:?}")
                    }));
                    continue;
                };
                if let Some(s) = ex.severity
                    && c.severity != s
                {
                    out.push(fail(format!(
                        "severity {} (want {})",
                        c.severity.as_str(),
                        s.as_str()
                    )));
                }
                for name in c.values.keys().chain(c.lists.keys()) {
                    if !def.binds.contains(name) {
                        out.push(fail(format!(
                            "the code binds {name:?}, which `binds` does not list"
                        )));
                    }
                }
                let texts = [&c.en, &c.ko]
                    .into_iter()
                    .chain(c.fix.iter().flat_map(|f| [&f.en, &f.ko]))
                    .chain(c.fix.iter().filter_map(|f| f.command.as_ref()));
                for t in texts {
                    if t.trim().is_empty() || !placeholders(t).is_empty() {
                        out.push(fail(format!("unfilled or empty text: {t:?}")));
                    }
                }
            }
        }
        out
    }
}
