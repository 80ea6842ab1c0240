//! `rootline eval DIR`: score the diagnosis against a corpus of real
//! incidents (`tests/realworld/`), one directory per case with a
//! `case.toml` naming the cause the public source states.
//!
//! A case passes when the top diagnosis names its cause; a harmless case
//! ("none") when no diagnosis is made at all; a storage fault outside our
//! causes ("other") when no known cause is named for it (an unclassified
//! storage fault, or nothing). The figure is what `docs/accuracy.md`
//! reports and what `crates/cli/tests/realworld.rs` holds a floor under.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rootline_diagnose::{Lang, UNCLASSIFIED};
use rootline_pipeline::Pipeline;
use serde::Serialize;

/// What a case expects, from its `case.toml`.
#[derive(Debug, serde::Deserialize)]
struct CaseFile {
    cause: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    confidence: String,
    #[serde(default)]
    platform: String,
    source: Source,
}

#[derive(Debug, serde::Deserialize)]
struct Source {
    url: String,
}

/// One case's result.
#[derive(Debug, Serialize)]
pub struct CaseResult {
    pub case: String,
    pub expected: String,
    /// The top diagnosis' cause, if any.
    pub got: Option<String>,
    /// Every diagnosis, best first, with its confidence.
    pub diagnoses: Vec<(String, f64)>,
    pub pass: bool,
    pub platform: String,
    pub confidence: String,
    pub label: String,
    pub url: String,
    pub files: usize,
}

/// Per expected cause (or `none` / `other`).
#[derive(Debug, Default, Serialize)]
pub struct Tally {
    pub cases: usize,
    pub passed: usize,
}

#[derive(Debug, Serialize)]
pub struct Score {
    pub cases: Vec<CaseResult>,
    pub by_cause: BTreeMap<String, Tally>,
    pub passed: usize,
    pub total: usize,
    /// passed / total, in percent (one decimal).
    pub percent: f64,
}

/// Case directories under `dir`: those holding a `case.toml`, sorted.
fn case_dirs(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let p = entry?.path();
        if p.join("case.toml").is_file() {
            out.push(p);
        }
    }
    out.sort();
    if out.is_empty() {
        bail!(
            "{}: no case directory (with a case.toml) found",
            dir.display()
        );
    }
    Ok(out)
}

/// Score every case under `dir`.
pub fn score(dir: &Path, pipeline: &Pipeline, only: Option<&str>) -> Result<Score> {
    let knowledge = &pipeline.knowledge;
    let mut cases = Vec::new();
    for case in case_dirs(dir)? {
        let name = case
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if only.is_some_and(|o| !name.contains(o)) {
            continue;
        }
        let toml_path = case.join("case.toml");
        // case.toml is a few hundred bytes written by us; a capped read
        // keeps the project's rule of no unbounded whole-file reads.
        let text = read_small(&toml_path)?;
        let def: CaseFile =
            toml::from_str(&text).with_context(|| format!("{}", toml_path.display()))?;
        let known = knowledge.causes.iter().any(|c| c.id == def.cause);
        if !known && def.cause != "none" && def.cause != "other" {
            bail!(
                "{}: cause {:?} is neither a known cause nor \"none\" / \"other\"",
                toml_path.display(),
                def.cause
            );
        }
        // Every file of the case but case.toml is evidence.
        let mut paths: Vec<String> = Vec::new();
        for entry in std::fs::read_dir(&case)? {
            let p = entry?.path();
            if p.file_name().is_some_and(|n| n == "case.toml") {
                continue;
            }
            paths.push(p.to_string_lossy().into_owned());
        }
        paths.sort();
        let (analysis, outcome) = pipeline.run(&paths, &rootline_scan::Config::default(), Lang::En);
        let diagnoses: Vec<(String, f64)> = outcome
            .diagnoses
            .iter()
            .map(|d| (d.cause.clone(), d.confidence))
            .collect();
        let got = diagnoses.first().map(|(c, _)| c.clone());
        let pass = match def.cause.as_str() {
            "none" => diagnoses.is_empty(),
            "other" => got.as_deref().is_none_or(|g| g == UNCLASSIFIED),
            want => got.as_deref() == Some(want),
        };
        cases.push(CaseResult {
            case: name,
            expected: def.cause,
            got,
            diagnoses,
            pass,
            platform: def.platform,
            confidence: def.confidence,
            label: def.label,
            url: def.source.url,
            files: analysis.files.len(),
        });
    }
    let mut by_cause: BTreeMap<String, Tally> = BTreeMap::new();
    for c in &cases {
        let t = by_cause.entry(c.expected.clone()).or_default();
        t.cases += 1;
        t.passed += usize::from(c.pass);
    }
    let passed = cases.iter().filter(|c| c.pass).count();
    let total = cases.len();
    let percent = if total == 0 {
        0.0
    } else {
        (passed as f64 * 1000.0 / total as f64).round() / 10.0
    };
    Ok(Score {
        cases,
        by_cause,
        passed,
        total,
        percent,
    })
}

fn read_small(path: &Path) -> Result<String> {
    let bytes = rootline_live::sys::read_capped(path, 1 << 20)
        .with_context(|| format!("cannot read {}", path.display()))?;
    String::from_utf8(bytes).with_context(|| format!("{}: not UTF-8", path.display()))
}

/// The terminal table: one line per case (failures marked), then the
/// figure per cause and overall.
pub fn render(score: &Score, verbose: bool) -> String {
    let mut o = String::new();
    for c in &score.cases {
        if !verbose && c.pass {
            continue;
        }
        let got = match &c.got {
            Some(g) => g.as_str(),
            None => "(no diagnosis)",
        };
        o.push_str(&format!(
            "{} {:<62} want {:<26} got {}\n",
            if c.pass { "ok  " } else { "MISS" },
            c.case,
            c.expected,
            got
        ));
    }
    if !o.is_empty() {
        o.push('\n');
    }
    o.push_str(&format!(
        "{:<28} {:>5} {:>6} {:>6}\n",
        "cause", "cases", "right", "%"
    ));
    for (cause, t) in &score.by_cause {
        o.push_str(&format!(
            "{:<28} {:>5} {:>6} {:>5.0}%\n",
            cause,
            t.cases,
            t.passed,
            t.passed as f64 * 100.0 / t.cases.max(1) as f64
        ));
    }
    o.push_str(&format!(
        "\nrealworld: {}/{} right ({:.1} %)\n",
        score.passed, score.total, score.percent
    ));
    o
}

/// The table of `docs/accuracy.md`: per expected cause, then the total.
pub fn markdown(score: &Score) -> String {
    let mut o = String::from("| expected | cases | right | top-1 |\n|---|---:|---:|---:|\n");
    for (cause, t) in &score.by_cause {
        o.push_str(&format!(
            "| `{cause}` | {} | {} | {:.0} % |\n",
            t.cases,
            t.passed,
            t.passed as f64 * 100.0 / t.cases.max(1) as f64
        ));
    }
    o.push_str(&format!(
        "| **all** | **{}** | **{}** | **{:.1} %** |\n",
        score.total, score.passed, score.percent
    ));
    o
}
