//! The signature catalog: knowledge as data.
//!
//! Signatures live in TOML files under the repository's `catalog/signatures/`
//! directory, are compiled into the binary (see `build.rs`), and can be
//! extended or overridden from a directory (`--catalog DIR`): a signature
//! with an existing id replaces it, `disabled = true` removes it. The schema
//! is documented in `docs/catalog.md`.
//!
//! [`Catalog::compile`] turns the catalog into a [`Matcher`]: one
//! aho-corasick DFA over every signature's required literals finds candidate
//! lines in a whole buffer; only candidate messages are confirmed with the
//! signatures' regexes (ASCII mode, bytes). A signature with no usable
//! literal is a catalog error: it would force a regex over every line.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use aho_corasick::{AhoCorasick, AhoCorasickKind, Input, MatchKind};
use regex::bytes::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use rootline_model::{BlockKind, FieldKind, Fields, Severity};

mod fields;
mod literals;
mod load;

pub use fields::normalise;
pub use literals::MIN_LITERAL;

include!(concat!(env!("OUT_DIR"), "/builtin_catalog.rs"));

/// Compile limit for one signature's regex (ASCII patterns stay far below).
const REGEX_SIZE_LIMIT: usize = 32 << 20;
/// Compile limit for the set of all signatures.
const SET_SIZE_LIMIT: usize = 256 << 20;
/// Lazy-DFA cache for the set. Only candidate lines reach it, so it stays
/// small in practice; the limit only has to be large enough not to thrash
/// (the default 2 MiB does, with hundreds of patterns).
const SET_DFA_LIMIT: usize = 64 << 20;

/// A catalog error, naming the file and line it comes from.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct Error {
    pub file: String,
    pub line: usize,
    pub message: String,
}

pub use rootline_model::Text;

/// A real line the signature must (or must not) recognise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Example {
    /// The whole line as a log file has it (header included).
    pub line: String,
    /// For positive examples: the fields expected, as their display text
    /// (`device = "sdv"`, `devnum = "65:48"`).
    pub fields: Vec<(String, String)>,
}

/// One signature.
#[derive(Clone, Debug)]
pub struct Signature {
    /// Stable id, e.g. `kernel.block.io-error`. Part of the JSON contract.
    pub id: String,
    /// Layer: `hardware`, `kernel`, `scsi`, `nvme`, `filesystem`, `nfs`,
    /// `multipath`, `device-mapper`, `qemu`, `libvirt`, `nova`, `cinder`,
    /// `os-brick`, `kubelet`, `containerd`, `process`, `memory`.
    pub component: String,
    pub severity: Severity,
    pub description: Text,
    /// The regex (Rust syntax, compiled in ASCII mode against the message).
    pub pattern: String,
    /// Required literals used as the prefilter (given, or extracted).
    pub literals: Vec<String>,
    /// Named capture → field kind.
    pub fields: Vec<(String, FieldKind)>,
    /// The multi-line block this signature's line opens, if any.
    pub block: Option<BlockKind>,
    /// Higher wins when several signatures match one line (default 0; ties
    /// go to catalog order).
    pub priority: i32,
    pub examples: Vec<Example>,
    /// Near misses that must not match this signature.
    pub negatives: Vec<String>,
    /// Where it was defined: `catalog/signatures/kernel-block.toml:12`.
    pub origin: String,
}

/// The whole catalog.
#[derive(Clone, Debug)]
pub struct Catalog {
    pub signatures: Vec<Signature>,
}

/// A matching signature on one message, with its typed fields.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// Index into [`Matcher::signatures`].
    pub sig: usize,
    pub fields: Fields,
}

/// The result of checking one example.
#[derive(Clone, Debug)]
pub struct ExampleFailure {
    pub signature: String,
    pub origin: String,
    pub line: String,
    pub problem: String,
}

impl Catalog {
    /// The catalog compiled into the binary.
    pub fn builtin() -> Result<Catalog, Error> {
        Catalog::from_sources(BUILTIN.iter().copied())
    }

    /// A catalog from `(file name, TOML text)` pairs, in order. The file
    /// names are what errors and origins show. Two signatures with one id
    /// are an error; `disabled = true` entries are dropped (and must name a
    /// signature of this set).
    pub fn from_sources<'a>(
        sources: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Catalog, Error> {
        let mut cat = Catalog {
            signatures: Vec::new(),
        };
        let mut seen: HashMap<String, String> = HashMap::new();
        let mut disables = Vec::new();
        for (file, text) in sources {
            for entry in load::parse_file(file, text)? {
                match entry {
                    load::Entry::Signature(sig) => {
                        if let Some(first) = seen.insert(sig.id.clone(), sig.origin.clone()) {
                            return Err(dup_error(&sig, &first));
                        }
                        cat.signatures.push(*sig);
                    }
                    load::Entry::Disable { id, origin } => disables.push((id, origin)),
                }
            }
        }
        for (id, origin) in disables {
            cat.disable(&id, &origin)?;
        }
        Ok(cat)
    }

    /// Add or override signatures from every `*.toml` under `dir`.
    ///
    /// Files are read recursively in sorted path order (directories reached
    /// through symlinks are not entered). A signature whose id exists
    /// replaces it in place (keeping its rank for ties); `disabled = true`
    /// removes it; new ids are appended. Within `dir`, one id may appear
    /// only once. On error the catalog is left unchanged.
    pub fn extend_from_dir(&mut self, dir: &Path) -> Result<(), Error> {
        let io_err = |p: &Path, e: std::io::Error| Error {
            file: p.display().to_string(),
            line: 0,
            message: format!("cannot read: {e}"),
        };
        let mut files = Vec::new();
        toml_files(dir, &mut files).map_err(|e| io_err(dir, e))?;
        // `DIR/causes/` holds cause definitions (rootline-diagnose) and
        // `DIR/checks/` host checks (rootline-hoststate), not signatures:
        // one --catalog directory carries all three.
        files.retain(|f| {
            f.strip_prefix(dir)
                .ok()
                .and_then(|r| r.components().next())
                .is_none_or(|c| c.as_os_str() != "causes" && c.as_os_str() != "checks")
        });
        files.sort();
        let mut texts = Vec::new();
        for f in files {
            let text = read_capped(&f).map_err(|e| io_err(&f, e))?;
            texts.push((f.display().to_string(), text));
        }
        let mut next = self.clone();
        let mut seen: HashMap<String, String> = HashMap::new();
        for (file, text) in &texts {
            for entry in load::parse_file(file, text)? {
                let (id, origin) = match &entry {
                    load::Entry::Signature(s) => (s.id.clone(), s.origin.clone()),
                    load::Entry::Disable { id, origin } => (id.clone(), origin.clone()),
                };
                if let Some(first) = seen.insert(id.clone(), origin.clone()) {
                    let (file, line) = split_origin(&origin);
                    return Err(Error {
                        file,
                        line,
                        message: format!("duplicate signature id {id} (first at {first})"),
                    });
                }
                match entry {
                    load::Entry::Signature(sig) => {
                        match next.signatures.iter_mut().find(|s| s.id == sig.id) {
                            Some(old) => *old = *sig,
                            None => next.signatures.push(*sig),
                        }
                    }
                    load::Entry::Disable { id, origin } => next.disable(&id, &origin)?,
                }
            }
        }
        *self = next;
        Ok(())
    }

    fn disable(&mut self, id: &str, origin: &str) -> Result<(), Error> {
        let before = self.signatures.len();
        self.signatures.retain(|s| s.id != id);
        if self.signatures.len() == before {
            let (file, line) = split_origin(origin);
            return Err(Error {
                file,
                line,
                message: format!("`disabled = true` names an unknown signature id {id}"),
            });
        }
        Ok(())
    }

    /// Compile into a matcher. Fails (naming file and line) on a bad regex,
    /// a capture without a field kind, or a signature with no literal.
    pub fn compile(&self) -> Result<Matcher, Error> {
        let sig_err = |s: &Signature, m: String| {
            let (file, line) = split_origin(&s.origin);
            Error {
                file,
                line,
                message: format!("signature {}: {m}", s.id),
            }
        };
        let mut regexes = Vec::with_capacity(self.signatures.len());
        let mut captures = Vec::with_capacity(self.signatures.len());
        let mut cs_lits: Vec<&str> = Vec::new();
        let mut ci_lits: Vec<String> = Vec::new();
        for s in &self.signatures {
            let re = RegexBuilder::new(&s.pattern)
                .unicode(false)
                .size_limit(REGEX_SIZE_LIMIT)
                .build()
                .map_err(|e| {
                    sig_err(
                        s,
                        format!("bad pattern: {}", literals::one_line(&e.to_string())),
                    )
                })?;
            let mut caps = Vec::new();
            for (i, name) in re.capture_names().enumerate() {
                let Some(name) = name else { continue };
                let Some((_, kind)) = s.fields.iter().find(|(n, _)| n == name) else {
                    return Err(sig_err(s, format!("capture `{name}` has no field kind")));
                };
                caps.push((i, name.to_string(), *kind));
            }
            if s.literals.is_empty() {
                return Err(sig_err(
                    s,
                    format!("no prefilter literal of at least {MIN_LITERAL} bytes"),
                ));
            }
            if let Some(l) = s
                .literals
                .iter()
                .find(|l| l.len() < MIN_LITERAL || l.contains('\n'))
            {
                return Err(sig_err(s, format!("unusable literal {l:?}")));
            }
            let ci = literals_ignore_case(s);
            for l in &s.literals {
                if ci {
                    ci_lits.push(l.to_ascii_lowercase());
                } else {
                    cs_lits.push(l);
                }
            }
            regexes.push(re);
            captures.push(caps);
        }
        cs_lits.sort_unstable();
        cs_lits.dedup();
        ci_lits.sort_unstable();
        ci_lits.dedup();
        let max_ci = ci_lits.iter().map(String::len).max().unwrap_or(0);

        let whole = |m: String| Error {
            file: "catalog".to_string(),
            line: 0,
            message: m,
        };
        let set = RegexSetBuilder::new(self.signatures.iter().map(|s| s.pattern.as_str()))
            .unicode(false)
            .size_limit(SET_SIZE_LIMIT)
            .dfa_size_limit(SET_DFA_LIMIT)
            .build()
            .map_err(|e| whole(format!("cannot build the signature set: {e}")))?;
        let automaton = |lits: &[&str], ci: bool| -> Result<Option<AhoCorasick>, Error> {
            if lits.is_empty() {
                return Ok(None);
            }
            AhoCorasick::builder()
                .kind(Some(AhoCorasickKind::DFA))
                .match_kind(MatchKind::Standard)
                .ascii_case_insensitive(ci)
                .build(lits)
                .map(Some)
                .map_err(|e| whole(format!("cannot build the literal prefilter: {e}")))
        };
        let ci_refs: Vec<&str> = ci_lits.iter().map(String::as_str).collect();
        let mut rank: Vec<usize> = (0..self.signatures.len()).collect();
        rank.sort_by_key(|&i| (Reverse(self.signatures[i].priority), i));
        let mut rank_of = vec![0; rank.len()];
        for (r, &i) in rank.iter().enumerate() {
            rank_of[i] = r;
        }
        Ok(Matcher {
            signatures: self.signatures.clone(),
            regexes,
            captures,
            set,
            cs: automaton(&cs_lits, false)?,
            ci: automaton(&ci_refs, true)?,
            max_ci,
            rank_of,
        })
    }

    /// Check every example: each positive example's message (as `extract`
    /// returns it from the line; the CLI passes the real line parser) must
    /// have this signature as its best hit with the expected fields; no
    /// negative may match this signature.
    ///
    /// An example whose line or message contains none of the signature's
    /// prefilter literals is a failure too: the prefilter would never hand
    /// that line to the regex.
    pub fn check_examples(
        &self,
        matcher: &Matcher,
        extract: &dyn Fn(&str) -> Vec<u8>,
    ) -> Vec<ExampleFailure> {
        let mut out = Vec::new();
        for sig in &self.signatures {
            let fail = |line: &str, problem: String| ExampleFailure {
                signature: sig.id.clone(),
                origin: sig.origin.clone(),
                line: line.to_string(),
                problem,
            };
            let Some(idx) = matcher.signatures.iter().position(|s| s.id == sig.id) else {
                out.push(fail("", "not in the compiled matcher".to_string()));
                continue;
            };
            for ex in &sig.examples {
                let message = extract(&ex.line);
                if !matcher.has_literal(idx, ex.line.as_bytes()) {
                    out.push(fail(
                        &ex.line,
                        format!("the line contains none of the literals {:?}", sig.literals),
                    ));
                }
                if !matcher.has_literal(idx, &message) {
                    out.push(fail(
                        &ex.line,
                        format!(
                            "the message contains none of the literals {:?}",
                            sig.literals
                        ),
                    ));
                }
                let Some(hit) = matcher.confirm(&message) else {
                    out.push(fail(&ex.line, "no signature matches".to_string()));
                    continue;
                };
                if hit.sig != idx {
                    let other = &matcher.signatures[hit.sig];
                    out.push(fail(
                        &ex.line,
                        format!("{} ({}) matches first", other.id, other.origin),
                    ));
                    continue;
                }
                let got: Vec<(String, String)> = hit
                    .fields
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_string()))
                    .collect();
                let mut want = ex.fields.clone();
                want.sort();
                if got != want {
                    out.push(fail(
                        &ex.line,
                        format!("fields {} expected {}", show(&got), show(&want)),
                    ));
                }
            }
            for neg in &sig.negatives {
                let message = extract(neg);
                if matcher.confirm_all(&message).iter().any(|h| h.sig == idx) {
                    out.push(fail(neg, "the negative example matches".to_string()));
                }
            }
        }
        out
    }

    /// The patterns as a ripgrep pattern file (`rg -f`): one per line.
    ///
    /// Each line is the signature's regex (Rust syntax, which rg shares)
    /// with two changes that do not alter which lines match: capture names
    /// are dropped (rg joins all patterns into one regex, where the same
    /// name twice is an error), and so is a leading `^` (rg applies it to the
    /// whole line, header included, while rootline applies it to the
    /// message). Run it as `rg --no-unicode -f FILE` to get rootline's ASCII
    /// classes.
    pub fn export_rg(&self) -> String {
        let mut out = String::new();
        for s in &self.signatures {
            let p = s.pattern.strip_prefix('^').unwrap_or(&s.pattern);
            out.push_str(&strip_capture_names(p));
            out.push('\n');
        }
        out
    }
}

/// `(?P<name>…)` and `(?<name>…)` → `(…)`, leaving escapes and character
/// classes alone.
fn strip_capture_names(pattern: &str) -> String {
    let b = pattern.as_bytes();
    let mut out = String::with_capacity(pattern.len());
    let mut i = 0;
    let mut class_depth = 0usize;
    let mut copied = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => {
                i += 2;
                continue;
            }
            b'[' => {
                class_depth += 1;
                // `[]…]` and `[^]…]`: a `]` right after the opening is literal.
                let mut j = i + 1;
                if b.get(j) == Some(&b'^') {
                    j += 1;
                }
                if b.get(j) == Some(&b']') {
                    j += 1;
                }
                i = j;
                continue;
            }
            b']' if class_depth > 0 => class_depth -= 1,
            b'(' if class_depth == 0 => {
                let name_at = if b[i + 1..].starts_with(b"?P<") {
                    Some(i + 4)
                } else if b[i + 1..].starts_with(b"?<")
                    && !b[i + 1..].starts_with(b"?<=")
                    && !b[i + 1..].starts_with(b"?<!")
                {
                    Some(i + 3)
                } else {
                    None
                };
                if let Some(start) = name_at
                    && let Some(len) = b[start..].iter().position(|&c| c == b'>')
                {
                    out.push_str(&pattern[copied..=i]);
                    i = start + len + 1;
                    copied = i;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out.push_str(&pattern[copied.min(pattern.len())..]);
    out
}

fn show(fields: &[(String, String)]) -> String {
    let parts: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    format!("{{{}}}", parts.join(", "))
}

fn dup_error(sig: &Signature, first: &str) -> Error {
    let (file, line) = split_origin(&sig.origin);
    Error {
        file,
        line,
        message: format!("duplicate signature id {} (first at {first})", sig.id),
    }
}

/// `file:line` → (file, line).
fn split_origin(origin: &str) -> (String, usize) {
    match origin.rsplit_once(':') {
        Some((f, l)) => match l.parse() {
            Ok(n) => (f.to_string(), n),
            Err(_) => (origin.to_string(), 0),
        },
        None => (origin.to_string(), 0),
    }
}

/// Largest catalog file read from a `--catalog` directory. Real files are a
/// few tens of KiB; the cap keeps a wrong path (a log, an image) from being
/// read whole.
const MAX_CATALOG_FILE: u64 = 8 << 20;

/// Read a catalog file of at most [`MAX_CATALOG_FILE`] bytes.
fn read_capped(path: &Path) -> std::io::Result<String> {
    use std::io::Read as _;
    let file = std::fs::File::open(path)?;
    let mut text = String::new();
    // Bounded by `take`: at most one byte more than the cap is read.
    #[allow(clippy::disallowed_methods)]
    file.take(MAX_CATALOG_FILE + 1).read_to_string(&mut text)?;
    if text.len() as u64 > MAX_CATALOG_FILE {
        return Err(std::io::Error::other(format!(
            "larger than {} MiB: not a catalog file",
            MAX_CATALOG_FILE >> 20
        )));
    }
    Ok(text)
}

/// Every `*.toml` file under `dir`, recursively; symlinked directories are
/// not entered, so a link loop cannot make this run forever.
fn toml_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let ft = entry.file_type()?;
        if ft.is_dir() {
            toml_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml")
            && std::fs::metadata(&path).is_ok_and(|m| m.is_file())
        {
            out.push(path);
        }
    }
    Ok(())
}

/// Whether a signature's literals must be matched ignoring ASCII case:
/// only literals given by hand for a pattern that folds case. Extracted
/// literals already list every case variant.
fn literals_ignore_case(sig: &Signature) -> bool {
    let Ok(hir) = literals::parse(&sig.pattern) else {
        return false;
    };
    literals::folds_case(&hir) && literals::extract(&hir).literals != sig.literals
}

/// The compiled catalog.
pub struct Matcher {
    signatures: Vec<Signature>,
    regexes: Vec<Regex>,
    /// Per signature: (group index, name, kind) of its named captures.
    captures: Vec<Vec<(usize, String, FieldKind)>>,
    set: RegexSet,
    /// The literals, matched as they are (the one automaton in practice).
    cs: Option<AhoCorasick>,
    /// Literals given by hand for case-folding patterns, matched ignoring
    /// ASCII case.
    ci: Option<AhoCorasick>,
    /// Longest case-insensitive literal (bounds the second automaton's search).
    max_ci: usize,
    /// Per signature: its place in the best-first order.
    rank_of: Vec<usize>,
}

impl Matcher {
    pub fn signatures(&self) -> &[Signature] {
        &self.signatures
    }

    /// The start offset of the first literal hit at or after `at` in
    /// `haystack` (a whole buffer of many lines), or `None`. The caller finds
    /// the line around it and confirms that line.
    ///
    /// Literals never span lines, so the hit that ends first lies in the
    /// first line that has any hit; that is the one returned.
    pub fn next_candidate(&self, haystack: &[u8], at: usize) -> Option<usize> {
        if at >= haystack.len() {
            return None;
        }
        let cs = self
            .cs
            .as_ref()
            .and_then(|ac| ac.find(Input::new(haystack).range(at..)))
            .map(|m| m.start());
        let Some(ci) = &self.ci else { return cs };
        // Search the case-insensitive literals only up to where a
        // case-sensitive hit was found (plus one literal's length), so
        // repeated calls never rescan the rest of the buffer.
        let end = match cs {
            Some(p) => p.saturating_add(self.max_ci).min(haystack.len()),
            None => haystack.len(),
        };
        let other = ci
            .find(Input::new(haystack).range(at..end))
            .map(|m| m.start());
        match (cs, other) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The best-matching signature for one message (highest priority, then
    /// catalog order), with its typed fields, or `None`.
    pub fn confirm(&self, message: &[u8]) -> Option<Hit> {
        let best = self
            .set
            .matches(message)
            .iter()
            .min_by_key(|&i| self.rank_of[i])?;
        Some(self.hit(best, message))
    }

    /// Every signature matching `message`, best first (for the catalog test).
    pub fn confirm_all(&self, message: &[u8]) -> Vec<Hit> {
        let mut found: Vec<usize> = self.set.matches(message).iter().collect();
        found.sort_by_key(|&i| self.rank_of[i]);
        found.into_iter().map(|i| self.hit(i, message)).collect()
    }

    fn hit(&self, sig: usize, message: &[u8]) -> Hit {
        let mut fields = Fields::new();
        // The set said this regex matches; `captures` agrees. Should it
        // not, the hit simply carries no fields.
        if let Some(caps) = self.regexes[sig].captures(message) {
            for (i, name, kind) in &self.captures[sig] {
                if let Some(m) = caps.get(*i) {
                    fields.insert(name.clone(), fields::normalise(*kind, m.as_bytes()));
                }
            }
        }
        Hit { sig, fields }
    }

    /// Whether `text` contains one of signature `idx`'s prefilter literals
    /// (ignoring ASCII case for case-insensitive patterns).
    fn has_literal(&self, idx: usize, text: &[u8]) -> bool {
        let sig = &self.signatures[idx];
        let ci = literals_ignore_case(sig);
        let hay = if ci {
            text.to_ascii_lowercase()
        } else {
            text.to_vec()
        };
        sig.literals.iter().any(|l| {
            let l = if ci {
                l.to_ascii_lowercase()
            } else {
                l.clone()
            };
            memchr::memmem::find(&hay, l.as_bytes()).is_some()
        })
    }
}

#[cfg(test)]
mod tests;
