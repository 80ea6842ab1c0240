//! The signature catalog: knowledge as data.
//!
//! CONTRACT STUB — to be implemented. Signatures and docs are the contract.
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

use std::path::Path;

use rootline_model::{BlockKind, FieldKind, Fields, Severity};

/// A catalog error, naming the file and line it comes from.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct Error {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// Text in English and Korean.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    pub en: String,
    pub ko: String,
}

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
        todo!()
    }

    /// Add or override signatures from every `*.toml` under `dir`.
    pub fn extend_from_dir(&mut self, dir: &Path) -> Result<(), Error> {
        let _ = dir;
        todo!()
    }

    /// Compile into a matcher. Fails (naming file and line) on a bad regex,
    /// a capture without a field kind, or a signature with no literal.
    pub fn compile(&self) -> Result<Matcher, Error> {
        todo!()
    }

    /// Check every example: each positive example's message (as `extract`
    /// returns it from the line; the CLI passes the real line parser) must
    /// have this signature as its best hit with the expected fields; no
    /// negative may match this signature.
    pub fn check_examples(
        &self,
        matcher: &Matcher,
        extract: &dyn Fn(&str) -> Vec<u8>,
    ) -> Vec<ExampleFailure> {
        let _ = (matcher, extract);
        todo!()
    }

    /// The patterns as a ripgrep pattern file (`rg -f`): one per line.
    pub fn export_rg(&self) -> String {
        todo!()
    }
}

/// The compiled catalog.
pub struct Matcher {
    _private: (),
}

impl Matcher {
    pub fn signatures(&self) -> &[Signature] {
        todo!()
    }

    /// The start offset of the first literal hit at or after `at` in
    /// `haystack` (a whole buffer of many lines), or `None`. The caller finds
    /// the line around it and confirms that line.
    pub fn next_candidate(&self, haystack: &[u8], at: usize) -> Option<usize> {
        let _ = (haystack, at);
        todo!()
    }

    /// The best-matching signature for one message (highest priority, then
    /// catalog order), with its typed fields, or `None`.
    pub fn confirm(&self, message: &[u8]) -> Option<Hit> {
        let _ = message;
        todo!()
    }

    /// Every signature matching `message`, best first (for the catalog test).
    pub fn confirm_all(&self, message: &[u8]) -> Vec<Hit> {
        let _ = message;
        todo!()
    }
}
