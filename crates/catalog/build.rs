//! Compiles the repository's signature catalog into the binary.
//!
//! Every `*.toml` under `<workspace>/catalog/signatures/` (recursively, in
//! sorted order) becomes one `(origin, include_str!(…))` entry of
//! `$OUT_DIR/builtin_catalog.rs`. The origin is the path relative to the
//! repository root (`catalog/signatures/kernel-block.toml`), which is what
//! catalog errors and signature origins show.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let repo = manifest.join("../..");
    let dir = repo.join("catalog/signatures");
    println!("cargo:rerun-if-changed={}", dir.display());
    println!("cargo:rerun-if-changed=build.rs");

    let mut files = Vec::new();
    collect(&dir, &mut files);
    files.sort();
    if files.is_empty() {
        // Not fatal for the build: `Catalog::builtin()` and its test report
        // the empty catalog where someone will read it.
        println!(
            "cargo:warning=no *.toml signature files under {}",
            dir.display()
        );
    }

    let mut out = String::from(
        "/// The builtin catalog files: (path relative to the repository root, text).\n\
         pub(crate) static BUILTIN: &[(&str, &str)] = &[\n",
    );
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let rel = file
            .strip_prefix(&repo)
            .unwrap_or(file)
            .to_string_lossy()
            .replace('\\', "/");
        let abs = file.canonicalize().unwrap_or_else(|_| file.clone());
        let _ = writeln!(
            out,
            "    ({:?}, include_str!({:?})),",
            rel,
            abs.to_string_lossy()
        );
    }
    out.push_str("];\n");

    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    if let Err(e) = std::fs::write(out_dir.join("builtin_catalog.rs"), out) {
        // A build script has no other way to fail the build.
        panic!("cannot write builtin_catalog.rs: {e}");
    }
}

/// Every `*.toml` file under `dir`, recursively. Directories reached through
/// symlinks are not entered (no loops); unreadable entries are skipped (the
/// catalog test then misses their signatures and says so).
fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "toml") {
            files.push(path);
        }
    }
}
