//! Required-literal extraction for the prefilter.
//!
//! For a signature's regex we look for a *set* of literal strings such that
//! every match of the regex contains at least one of them. The prefilter
//! (an aho-corasick DFA over all signatures' literals) then only needs to
//! find one of them to make a line a candidate. The best set is the one
//! whose shortest member is longest (ties: fewer members); a set whose
//! shortest member has fewer than [`MIN_LITERAL`] bytes is not usable.
//!
//! This works on the regex's HIR (parsed in ASCII mode, as the matcher
//! compiles it), not on its text, so escapes, groups and case folding are
//! understood. A case-insensitive letter (`[Ss]`, or any letter under
//! `(?i)`) becomes both of its cases, so the extracted set stays exact for a
//! case-sensitive automaton: `[Ss]erver` gives `Server` and `server`. Under
//! `(?i)` the variants multiply, runs are cut to keep sets small, and the
//! literals get shorter, but matches are never missed.
//!
//! Bytes that JSON and logfmt escape (`"` and `\`) never enter a literal:
//! the prefilter scans the raw bytes, where they appear escaped.

use regex_syntax::hir::{Class, Hir, HirKind};

/// Shortest literal the prefilter accepts: shorter ones hit nearly every line.
pub const MIN_LITERAL: usize = 3;

/// Largest literal set kept while combining (alternations, small classes).
const MAX_SET: usize = 64;

type Set = Vec<Vec<u8>>;

/// What one HIR node tells about literals.
#[derive(Clone, Debug, Default)]
struct Info {
    /// The node matches exactly one of these strings (small, finite).
    exact: Option<Set>,
    /// Every match of the node contains one of these (best found inside).
    required: Option<Set>,
}

/// The result of extraction for one pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extracted {
    /// The required set (each member ≥ [`MIN_LITERAL`] bytes), or empty.
    pub literals: Vec<String>,
}

/// Parse `pattern` the way the matcher compiles it (ASCII, bytes).
pub fn parse(pattern: &str) -> Result<Hir, String> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .map_err(|e| one_line(&e.to_string()))
}

/// regex-syntax errors are multi-line drawings; keep them on one line.
pub(crate) fn one_line(s: &str) -> String {
    let lines: Vec<&str> = s.lines().map(str::trim_end).collect();
    // The last line is the description ("error: …"); the others draw the
    // pattern with a caret.
    match lines
        .iter()
        .rev()
        .find(|l| l.trim_start().starts_with("error:"))
    {
        Some(l) => l.trim_start().to_string(),
        None => lines.join(" "),
    }
}

/// Extract the best required literal set of a parsed pattern.
pub fn extract(hir: &Hir) -> Extracted {
    let info = analyze(hir);
    let literals = best(&info)
        .map(reduce)
        .filter(|set| min_len(set) >= MIN_LITERAL)
        .map(|set| {
            set.into_iter()
                // Non-UTF-8 literals (from byte escapes) cannot be written
                // into a catalog or an rg pattern file: drop the whole set.
                .map(|b| String::from_utf8(b).ok())
                .collect::<Option<Vec<String>>>()
                .unwrap_or_default()
        })
        .unwrap_or_default();
    Extracted { literals }
}

/// Whether the pattern folds ASCII case anywhere (a class that is exactly
/// one letter in both cases). Literals given by hand for such a pattern are
/// matched ignoring case.
pub fn folds_case(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Class(class) => {
            let bytes = class_bytes(class);
            matches!(bytes.as_deref(), Some(&[a, b]) if a.is_ascii_alphabetic() && a != b && a.eq_ignore_ascii_case(&b))
        }
        HirKind::Capture(c) => folds_case(&c.sub),
        HirKind::Repetition(r) => folds_case(&r.sub),
        HirKind::Concat(v) | HirKind::Alternation(v) => v.iter().any(folds_case),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Look(_) => false,
    }
}

fn analyze(hir: &Hir) -> Info {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Info {
            exact: Some(vec![Vec::new()]),
            required: None,
        },
        HirKind::Literal(lit) => literal(&lit.0),
        HirKind::Class(class) => Info {
            exact: class_set(class),
            required: None,
        },
        HirKind::Capture(cap) => analyze(&cap.sub),
        HirKind::Repetition(rep) => {
            let sub = analyze(&rep.sub);
            if rep.min == 0 {
                let exact = match (&sub.exact, rep.max) {
                    (Some(e), Some(1)) if e.len() < MAX_SET => {
                        let mut e = e.clone();
                        e.push(Vec::new());
                        Some(e)
                    }
                    _ => None,
                };
                Info {
                    exact,
                    required: None,
                }
            } else {
                let exact = match (&sub.exact, rep.max) {
                    (Some(e), Some(max)) if max == rep.min && rep.min <= 4 => {
                        let mut acc: Option<Set> = Some(vec![Vec::new()]);
                        for _ in 0..rep.min {
                            acc = acc.and_then(|a| cross(&a, e));
                        }
                        acc
                    }
                    _ => None,
                };
                Info {
                    exact,
                    required: best(&sub),
                }
            }
        }
        HirKind::Concat(children) => {
            let mut run: Set = vec![Vec::new()];
            let mut all_exact = true;
            let mut cands: Vec<Set> = Vec::new();
            for child in children {
                let info = analyze(child);
                match info.exact {
                    Some(e) => match cross(&run, &e) {
                        Some(joined) => run = joined,
                        None => {
                            all_exact = false;
                            cands.push(std::mem::replace(&mut run, e));
                        }
                    },
                    None => {
                        all_exact = false;
                        cands.push(std::mem::replace(&mut run, vec![Vec::new()]));
                        if let Some(r) = info.required {
                            cands.push(r);
                        }
                    }
                }
            }
            let exact = all_exact.then(|| run.clone());
            cands.push(run);
            let required = cands.into_iter().fold(None, |acc, c| better(acc, Some(c)));
            Info { exact, required }
        }
        HirKind::Alternation(children) => {
            let infos: Vec<Info> = children.iter().map(analyze).collect();
            let exact = union(infos.iter().map(|i| i.exact.clone()));
            let required = union(infos.iter().map(best));
            Info { exact, required }
        }
    }
}

/// Bytes a literal must not contain: JSON (journal `-o json`, log-store
/// exports) and logfmt escape them, so the raw buffer the prefilter scans
/// would not contain the literal as the decoded message does.
fn escaped_in_raw(b: u8) -> bool {
    b == b'"' || b == b'\\'
}

/// A literal; one with escaped bytes is cut there into required pieces.
fn literal(bytes: &[u8]) -> Info {
    if !bytes.iter().any(|&b| escaped_in_raw(b)) {
        return Info {
            exact: Some(vec![bytes.to_vec()]),
            required: None,
        };
    }
    let required = bytes
        .split(|&b| escaped_in_raw(b))
        .map(|piece| vec![piece.to_vec()])
        .fold(None, |acc, piece| better(acc, Some(piece)));
    Info {
        exact: None,
        required,
    }
}

/// A class as a small set of one-byte strings (a case-folded letter is two).
fn class_set(class: &Class) -> Option<Set> {
    let bytes = class_bytes(class)?;
    if bytes.iter().any(|&b| escaped_in_raw(b)) {
        return None;
    }
    Some(bytes.into_iter().map(|b| vec![b]).collect())
}

/// The bytes of a class of at most four ASCII bytes.
fn class_bytes(class: &Class) -> Option<Vec<u8>> {
    let mut bytes: Vec<u8> = Vec::new();
    match class {
        Class::Bytes(c) => {
            for r in c.iter() {
                let n = usize::from(r.end()) - usize::from(r.start()) + 1;
                if bytes.len() + n > 4 {
                    return None;
                }
                bytes.extend(r.start()..=r.end());
            }
        }
        Class::Unicode(c) => {
            for r in c.iter() {
                let (s, e) = (u32::from(r.start()), u32::from(r.end()));
                if e >= 0x80 || bytes.len() + (e - s + 1) as usize > 4 {
                    return None;
                }
                bytes.extend((s..=e).filter_map(|b| u8::try_from(b).ok()));
            }
        }
    }
    Some(bytes)
}

fn cross(a: &Set, b: &Set) -> Option<Set> {
    if a.len() * b.len() > MAX_SET {
        return None;
    }
    let mut out = Vec::with_capacity(a.len() * b.len());
    for x in a {
        for y in b {
            let mut s = x.clone();
            s.extend_from_slice(y);
            out.push(s);
        }
    }
    Some(out)
}

fn union(sets: impl Iterator<Item = Option<Set>>) -> Option<Set> {
    let mut out: Set = Vec::new();
    for s in sets {
        out.extend(s?);
        if out.len() > MAX_SET {
            return None;
        }
    }
    Some(out)
}

fn best(info: &Info) -> Option<Set> {
    better(info.required.clone(), info.exact.clone())
}

fn min_len(set: &Set) -> usize {
    set.iter().map(Vec::len).min().unwrap_or(0)
}

fn better(a: Option<Set>, b: Option<Set>) -> Option<Set> {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(a), Some(b)) => {
            let (la, lb) = (min_len(&a), min_len(&b));
            if lb > la || (lb == la && b.len() < a.len()) {
                Some(b)
            } else {
                Some(a)
            }
        }
    }
}

/// Deduplicate a required set, and drop members that contain another member
/// (if the longer one occurs, the shorter one does too).
fn reduce(mut set: Set) -> Set {
    set.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    set.dedup();
    let mut out: Set = Vec::new();
    for s in set {
        if !out.iter().any(|o| contains(&s, o)) {
            out.push(s);
        }
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || memchr::memmem::find(hay, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lits(p: &str) -> Extracted {
        extract(&parse(p).unwrap())
    }

    #[test]
    fn plain_and_optional_prefix() {
        let e = lits(r"(?:blk_update_request: )?I/O error, dev (?P<d>\w+), sector \d+");
        assert_eq!(e.literals, vec!["I/O error, dev ".to_string()]);
    }

    #[test]
    fn alternation_gives_a_set() {
        let e = lits(r"(?:path is down|mark as failed): \d+");
        assert_eq!(e.literals, vec!["path is down: ", "mark as failed: "]);
    }

    #[test]
    fn case_folding_gives_both_cases() {
        let e = lits(r"nfs: [Ss]erver (\S+) OK");
        assert_eq!(e.literals, vec!["nfs: Server ", "nfs: server "]);
        assert!(folds_case(&parse(r"nfs: [Ss]erver").unwrap()));
        assert!(!folds_case(&parse(r"nfs: [ST]erver").unwrap()));
        // Under (?i) every case variant of some piece is listed, so a
        // case-sensitive automaton over them misses nothing.
        let p = r"(?i)nfs: server (\S+) not responding";
        let e = lits(p);
        assert!(!e.literals.is_empty());
        assert!(e.literals.iter().all(|l| l.len() >= MIN_LITERAL));
        let re = regex::bytes::RegexBuilder::new(p)
            .unicode(false)
            .build()
            .unwrap();
        for line in [
            "NFS: SERVER x NOT RESPONDING",
            "nfs: Server x Not Responding",
            "Nfs: sErVeR x nOt rEsPoNdInG",
        ] {
            assert!(re.is_match(line.as_bytes()));
            assert!(
                e.literals.iter().any(|l| line.contains(l.as_str())),
                "{line}: {:?}",
                e.literals
            );
        }
    }

    #[test]
    fn no_literal() {
        assert!(lits(r"\w+ \d+").literals.is_empty());
        assert!(lits(r"ab\d+").literals.is_empty());
        assert!(lits(r"(?:abc|d)x*").literals.is_empty());
    }

    #[test]
    fn repetition_requires_its_body() {
        assert_eq!(lits(r"(?:oom-kill:)+x").literals, vec!["oom-kill:"]);
        assert!(lits(r"(?:oom-kill:)*").literals.is_empty());
    }

    #[test]
    fn quotes_cut_literals() {
        let e = lits(r#"ExecSync for \\?"(?P<c>\w+)\\?" failed"#);
        assert_eq!(e.literals, vec!["ExecSync for "]);
        let e = lits(r#"CMD "chmod 660 (\S+)"#);
        assert_eq!(e.literals, vec!["chmod 660 "]);
    }

    #[test]
    fn parse_errors_are_one_line() {
        let e = parse(r"abc(").unwrap_err();
        assert!(!e.contains('\n'), "{e}");
    }
}
