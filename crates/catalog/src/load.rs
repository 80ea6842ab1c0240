//! Reading catalog TOML into [`Signature`]s, with file:line errors.
//!
//! The schema is documented for operators in `docs/catalog.md`. Every
//! semantic check that does not need the compiled regex happens here, so a
//! catalog that loads only fails to compile on engine limits.

use std::collections::BTreeMap;
use std::ops::Range;

use rootline_model::{BlockKind, FieldKind, Severity};
use serde::Deserialize;
use toml::Spanned;

use crate::literals::{self, MIN_LITERAL};
use crate::{Error, Example, Signature, Text};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    signature: Vec<Spanned<RawSignature>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignature {
    id: Spanned<String>,
    component: Option<Spanned<String>>,
    severity: Option<Spanned<String>>,
    pattern: Option<Spanned<String>>,
    literals: Option<Spanned<Vec<String>>>,
    fields: Option<Spanned<BTreeMap<String, Spanned<String>>>>,
    block: Option<Spanned<String>>,
    #[serde(default)]
    priority: i32,
    #[serde(default)]
    disabled: bool,
    description: Option<Spanned<RawText>>,
    #[serde(default)]
    negatives: Vec<Spanned<String>>,
    #[serde(default)]
    example: Vec<Spanned<RawExample>>,
    #[serde(default)]
    negative: Vec<Spanned<RawNegative>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawText {
    en: String,
    ko: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExample {
    line: Spanned<String>,
    #[serde(default)]
    fields: BTreeMap<String, Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNegative {
    line: Spanned<String>,
}

/// One entry of a catalog file: a signature, or a request to remove one.
pub enum Entry {
    Signature(Box<Signature>),
    /// `disabled = true`: remove the signature with this id (the origin is
    /// where the request was written).
    Disable {
        id: String,
        origin: String,
    },
}

/// Maps byte offsets of one file to 1-based lines.
struct Lines<'a> {
    file: &'a str,
    text: &'a str,
}

impl Lines<'_> {
    fn line(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    fn err(&self, span: Range<usize>, message: impl Into<String>) -> Error {
        Error {
            file: self.file.to_string(),
            line: self.line(span.start),
            message: message.into(),
        }
    }
}

/// Parse one catalog file. `file` is how errors and origins name it.
pub fn parse_file(file: &str, text: &str) -> Result<Vec<Entry>, Error> {
    let lines = Lines { file, text };
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(0, |s| lines.line(s.start));
        Error {
            file: file.to_string(),
            line,
            message: e.message().trim().to_string(),
        }
    })?;
    raw.signature
        .into_iter()
        .map(|s| {
            let span = s.span();
            convert(&lines, span, s.into_inner())
        })
        .collect()
}

fn convert(lines: &Lines<'_>, span: Range<usize>, raw: RawSignature) -> Result<Entry, Error> {
    let origin = format!("{}:{}", lines.file, lines.line(span.start));
    let id = raw.id.get_ref().trim().to_string();
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
    {
        return Err(lines.err(
            raw.id.span(),
            format!("bad id {id:?}: use lower-case letters, digits, '.', '_' and '-'"),
        ));
    }
    if raw.disabled {
        return Ok(Entry::Disable { id, origin });
    }
    let at = |what: &str| lines.err(span.clone(), format!("signature {id}: missing `{what}`"));

    let component = raw.component.ok_or_else(|| at("component"))?;
    if component.get_ref().trim().is_empty() {
        return Err(lines.err(component.span(), format!("signature {id}: empty component")));
    }
    let severity = raw.severity.ok_or_else(|| at("severity"))?;
    let severity_value = Severity::parse(severity.get_ref()).ok_or_else(|| {
        lines.err(
            severity.span(),
            format!(
                "signature {id}: unknown severity {:?} (info, warning, error, critical)",
                severity.get_ref()
            ),
        )
    })?;
    let block = match raw.block {
        None => None,
        Some(b) => Some(BlockKind::parse(b.get_ref()).ok_or_else(|| {
            lines.err(
                b.span(),
                format!(
                    "signature {id}: unknown block {:?} (kernel-trace, oom, python-traceback, backslash)",
                    b.get_ref()
                ),
            )
        })?),
    };
    let description = raw.description.ok_or_else(|| at("description"))?;
    let desc_span = description.span();
    let description = description.into_inner();
    if description.en.trim().is_empty() || description.ko.trim().is_empty() {
        return Err(lines.err(
            desc_span,
            format!("signature {id}: description needs both `en` and `ko`"),
        ));
    }

    // The pattern, its captures and their kinds.
    let pattern = raw.pattern.ok_or_else(|| at("pattern"))?;
    let pat_err = |m: String| lines.err(pattern.span(), format!("signature {id}: {m}"));
    let hir =
        literals::parse(pattern.get_ref()).map_err(|e| pat_err(format!("bad pattern: {e}")))?;
    let mut captures = Vec::new();
    collect_names(&hir, &mut captures);
    let (fields_span, kinds) = match raw.fields {
        Some(f) => (f.span(), f.into_inner()),
        None => (span.clone(), BTreeMap::new()),
    };
    let mut fields = Vec::new();
    for name in &captures {
        let Some(kind) = kinds.get(name) else {
            return Err(pat_err(format!(
                "capture `{name}` has no field kind: add it to `fields`"
            )));
        };
        let k = FieldKind::parse(kind.get_ref()).ok_or_else(|| {
            lines.err(
                kind.span(),
                format!(
                    "signature {id}: unknown field kind {:?} for `{name}`",
                    kind.get_ref()
                ),
            )
        })?;
        fields.push((name.clone(), k));
    }
    if let Some(extra) = kinds.keys().find(|k| !captures.contains(k)) {
        return Err(lines.err(
            fields_span,
            format!("signature {id}: field `{extra}` is not a named capture of the pattern"),
        ));
    }

    // The prefilter literals: given, or extracted.
    let literals = match raw.literals {
        Some(given) => {
            let span = given.span();
            let given = given.into_inner();
            if given.is_empty() {
                return Err(lines.err(span, format!("signature {id}: `literals` is empty")));
            }
            if let Some(bad) = given
                .iter()
                .find(|l| l.len() < MIN_LITERAL || l.contains(['\n', '"', '\\']))
            {
                return Err(lines.err(
                    span,
                    format!(
                        "signature {id}: literal {bad:?} is shorter than {MIN_LITERAL} bytes, \
                         spans lines, or has a quote or backslash (escaped in JSON logs)"
                    ),
                ));
            }
            given
        }
        None => {
            let found = literals::extract(&hir);
            if found.literals.is_empty() {
                return Err(pat_err(format!(
                    "no required literal of at least {MIN_LITERAL} bytes in the pattern; \
                     every line would need the regex: give `literals = [...]`"
                )));
            }
            found.literals
        }
    };

    // Examples.
    let mut examples = Vec::new();
    for ex in raw.example {
        let ex = ex.into_inner();
        if ex.line.get_ref().trim().is_empty() || ex.line.get_ref().contains('\n') {
            return Err(lines.err(
                ex.line.span(),
                format!("signature {id}: an example is one non-empty line"),
            ));
        }
        if let Some((name, v)) = ex.fields.iter().find(|(k, _)| !captures.contains(k)) {
            return Err(lines.err(
                v.span(),
                format!("signature {id}: example field `{name}` is not a named capture"),
            ));
        }
        examples.push(Example {
            line: ex.line.into_inner(),
            fields: ex
                .fields
                .into_iter()
                .map(|(k, v)| (k, v.into_inner()))
                .collect(),
        });
    }
    if examples.is_empty() {
        return Err(at("[[signature.example]] (at least one real log line)"));
    }
    let mut negatives: Vec<String> = raw.negatives.into_iter().map(Spanned::into_inner).collect();
    negatives.extend(
        raw.negative
            .into_iter()
            .map(|n| n.into_inner().line.into_inner()),
    );
    if negatives.is_empty() {
        return Err(at("negatives (at least one near-miss line)"));
    }

    Ok(Entry::Signature(Box::new(Signature {
        id,
        component: component.into_inner().trim().to_string(),
        severity: severity_value,
        description: Text {
            en: description.en.trim().to_string(),
            ko: description.ko.trim().to_string(),
        },
        pattern: pattern.into_inner(),
        literals,
        fields,
        block,
        priority: raw.priority,
        examples,
        negatives,
        origin,
    })))
}

fn collect_names(hir: &regex_syntax::hir::Hir, out: &mut Vec<String>) {
    use regex_syntax::hir::HirKind;
    match hir.kind() {
        HirKind::Capture(c) => {
            if let Some(n) = &c.name {
                out.push(n.to_string());
            }
            collect_names(&c.sub, out);
        }
        HirKind::Repetition(r) => collect_names(&r.sub, out),
        HirKind::Concat(v) | HirKind::Alternation(v) => {
            for h in v {
                collect_names(h, out);
            }
        }
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => {}
    }
}
