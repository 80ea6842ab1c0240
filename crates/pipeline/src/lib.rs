//! The pipeline as one library call.
//!
//! Sources → transforms → sinks: [`rootline_scan`] reads the evidence (files,
//! directories, archives, the live host) into an `Analysis` — events matched
//! by the signature catalog and host state parsed into facts and checks;
//! the transforms render host checks with the check book in use and run the
//! diagnosis engine over events, checks and facts; the sinks
//! (`rootline-report`) render the outcome. The binary, `catalog test`, the
//! real-world evaluation and tests all go through [`Pipeline`], so no caller
//! assembles the stages itself.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;

use rootline_catalog::{Catalog, Matcher};
use rootline_diagnose::{Knowledge, Lang, Outcome};
use rootline_model::FieldKind;
use rootline_scan::{Analysis, Config};

/// Why the knowledge could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the built-in catalog is invalid: {0}")]
    BuiltinCatalog(#[source] rootline_catalog::Error),
    #[error("the built-in causes or host checks are invalid: {0}")]
    BuiltinKnowledge(#[source] rootline_diagnose::Error),
    #[error("cannot load the catalog in {dir}: {source}")]
    Catalog {
        dir: PathBuf,
        #[source]
        source: rootline_catalog::Error,
    },
    #[error("cannot load the causes or host checks in {dir}: {source}")]
    Knowledge {
        dir: PathBuf,
        #[source]
        source: rootline_diagnose::Error,
    },
    #[error("the catalog does not compile: {0}")]
    Compile(#[source] rootline_catalog::Error),
    #[error("a cause names an unknown signature or host check: {0}")]
    Validate(#[source] rootline_diagnose::Error),
}

/// Everything the pipeline knows: signatures (compiled), causes, benign
/// rules and host checks — the shipped ones, extended by an operator's
/// `--catalog DIR`.
pub struct Pipeline {
    pub catalog: Catalog,
    pub matcher: Matcher,
    pub knowledge: Knowledge,
    field_kinds: HashMap<String, Vec<(String, FieldKind)>>,
    /// The overlay defines host checks: the parsers rendered with the
    /// shipped book, so checks are rendered again with this one.
    rerender: bool,
}

/// What the example run found.
#[derive(Debug, Default)]
pub struct ExampleReport {
    pub signatures: usize,
    pub signature_examples: usize,
    pub signature_failures: Vec<rootline_catalog::ExampleFailure>,
    pub checks: usize,
    pub check_examples: usize,
    pub check_failures: Vec<rootline_hoststate::book::ExampleFailure>,
    pub causes: usize,
    /// Example bundles run, and those whose top diagnosis was not their
    /// cause: (cause, origin, path, top diagnosis).
    pub bundles: usize,
    pub bundle_failures: Vec<(String, String, String, Option<String>)>,
    /// Example bundles not found from the working directory.
    pub bundles_missing: Vec<(String, String, String)>,
}

impl ExampleReport {
    pub fn failed(&self) -> usize {
        self.signature_failures.len() + self.check_failures.len() + self.bundle_failures.len()
    }
}

impl Pipeline {
    /// The shipped knowledge, extended by `overlay` (a `--catalog` directory
    /// with signatures, `causes/` and `checks/`), validated together.
    pub fn load(overlay: Option<&Path>) -> Result<Pipeline, Error> {
        let mut catalog = Catalog::builtin().map_err(Error::BuiltinCatalog)?;
        let mut knowledge = Knowledge::builtin().map_err(Error::BuiltinKnowledge)?;
        if let Some(dir) = overlay {
            catalog
                .extend_from_dir(dir)
                .map_err(|source| Error::Catalog {
                    dir: dir.to_path_buf(),
                    source,
                })?;
            knowledge
                .extend_from_dir(dir)
                .map_err(|source| Error::Knowledge {
                    dir: dir.to_path_buf(),
                    source,
                })?;
        }
        let matcher = catalog.compile().map_err(Error::Compile)?;
        let ids: Vec<&str> = catalog.signatures.iter().map(|s| s.id.as_str()).collect();
        knowledge.validate(&ids).map_err(Error::Validate)?;
        let field_kinds = catalog
            .signatures
            .iter()
            .map(|s| (s.id.clone(), s.fields.clone()))
            .collect();
        Ok(Pipeline {
            catalog,
            matcher,
            knowledge,
            field_kinds,
            rerender: overlay.is_some_and(|d| d.join("checks").is_dir()),
        })
    }

    /// Sources: read `paths` into an analysis; host checks are rendered with
    /// the check book in use.
    pub fn analyze(&self, paths: &[String], cfg: &Config, bytes: Option<&AtomicU64>) -> Analysis {
        let mut a = rootline_scan::analyze(paths, &self.matcher, cfg, bytes);
        self.render_checks(&mut a);
        a
    }

    /// As [`Pipeline::analyze`], with streams (the live host's command
    /// outputs) beside the paths.
    pub fn analyze_with_streams(
        &self,
        paths: &[String],
        streams: Vec<rootline_evidence::Stream<'_>>,
        cfg: &Config,
        bytes: Option<&AtomicU64>,
    ) -> Analysis {
        let mut a = rootline_scan::analyze_with_streams(paths, streams, &self.matcher, cfg, bytes);
        self.render_checks(&mut a);
        a
    }

    /// Host checks read as the check book in use says (an operator's
    /// `--catalog DIR/checks/` overrides the shipped text and fixes).
    pub fn render_checks(&self, a: &mut Analysis) {
        if !self.rerender {
            return;
        }
        for h in &mut a.host {
            self.knowledge.checks.render_all(&mut h.state.checks);
        }
    }

    /// Transforms: diagnose an analysis — its events, and the checks and
    /// facts of its host state.
    pub fn diagnose(&self, a: &Analysis, lang: Lang) -> Outcome {
        let checks: Vec<rootline_diagnose::HostCheck<'_>> = a
            .host
            .iter()
            .flat_map(|h| {
                h.state
                    .checks
                    .iter()
                    .map(move |c| rootline_diagnose::HostCheck {
                        file: &h.path,
                        host: h.host.as_deref(),
                        check: c,
                    })
            })
            .collect();
        // Facts are read typed once; the engine never reads them by key.
        let typed: Vec<Vec<rootline_hoststate::Fact>> = a
            .host
            .iter()
            .map(|h| {
                h.state
                    .facts
                    .iter()
                    .map(rootline_hoststate::Fact::of)
                    .collect()
            })
            .collect();
        let facts: Vec<rootline_diagnose::HostFact<'_>> = a
            .host
            .iter()
            .zip(&typed)
            .flat_map(|(h, t)| {
                t.iter().map(move |f| rootline_diagnose::HostFact {
                    file: &h.path,
                    host: h.host.as_deref(),
                    fact: f,
                })
            })
            .collect();
        rootline_diagnose::diagnose(
            &a.events,
            &checks,
            &facts,
            &self.knowledge,
            &self.field_kinds,
            lang,
        )
    }

    /// Paths in, diagnosis out.
    pub fn run(&self, paths: &[String], cfg: &Config, lang: Lang) -> (Analysis, Outcome) {
        let a = self.analyze(paths, cfg, None);
        let out = self.diagnose(&a, lang);
        (a, out)
    }

    /// Every example of the knowledge: signature lines (whole log lines:
    /// the real line parser extracts the message, exactly as the scanner
    /// does), host check captures, and cause bundles (paths relative to the
    /// working directory: the repository, for the shipped ones), which must
    /// be the top diagnosis.
    pub fn test_examples(&self) -> ExampleReport {
        let extract = |line: &str| {
            rootline_parse::parse_line(rootline_parse::LogFormat::Plain, line.as_bytes(), &[])
                .message
        };
        let mut r = ExampleReport {
            signatures: self.catalog.signatures.len(),
            signature_examples: self
                .catalog
                .signatures
                .iter()
                .map(|s| s.examples.len() + s.negatives.len())
                .sum(),
            signature_failures: self.catalog.check_examples(&self.matcher, &extract),
            checks: self.knowledge.checks.defs.len(),
            check_examples: self.knowledge.checks.example_count(),
            check_failures: self.knowledge.checks.test_examples(),
            causes: self.knowledge.causes.len(),
            ..ExampleReport::default()
        };
        for cause in &self.knowledge.causes {
            for path in &cause.examples {
                if !Path::new(path).exists() {
                    r.bundles_missing
                        .push((cause.id.clone(), cause.origin.clone(), path.clone()));
                    continue;
                }
                r.bundles += 1;
                let (_, out) = self.run(std::slice::from_ref(path), &Config::default(), Lang::En);
                let top = out.diagnoses.first().map(|d| d.cause.clone());
                if top.as_deref() != Some(cause.id.as_str()) {
                    r.bundle_failures.push((
                        cause.id.clone(),
                        cause.origin.clone(),
                        path.clone(),
                        top,
                    ));
                }
            }
        }
        r
    }
}
