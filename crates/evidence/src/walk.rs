//! Directory roots: a sequential, sorted listing (so output order never
//! depends on thread timing), then the files read in parallel, then the
//! archives found on the way walked one by one.

use std::collections::HashSet;
use std::fs::{self, FileType};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use rayon::prelude::*;

use crate::anchors::{self, Fact};
use crate::resolve::{self, DirTree, Node, Resolved};
use crate::sniff::{self, Opened};
use crate::{Collector, Delivery, NotRead, RootKind, VisitFn, describe};

/// A region of the walk with one symlink boundary and one root: the
/// directory named by the user, or a sosreport directory found inside it.
struct DirCtx {
    root: usize,
    /// Canonical path of the boundary: links may not leave it.
    boundary: PathBuf,
    /// How the boundary is displayed (the path as the user gave it).
    display: PathBuf,
    /// The sosreport's own directory, relative to the boundary (empty, or
    /// one component when the user named the report's parent).
    base: Vec<String>,
    sos: bool,
}

impl DirCtx {
    fn display_of(&self, rel: &[String]) -> String {
        rel.iter()
            .fold(self.display.clone(), |p, c| p.join(c))
            .to_string_lossy()
            .into_owned()
    }

    /// Path relative to the report when inside it, else to the boundary.
    fn rel_path(&self, rel: &[String]) -> String {
        match rel.strip_prefix(self.base.as_slice()) {
            Some(inner) => inner.join("/"),
            None => rel.join("/"),
        }
    }

    /// The path inside the sosreport, for anchors (none outside a report).
    fn anchor_key(&self, rel: &[String]) -> Option<String> {
        if !self.sos {
            return None;
        }
        rel.strip_prefix(self.base.as_slice())
            .map(|inner| inner.join("/"))
    }

    fn noun(&self) -> &'static str {
        if self.sos { "report" } else { "directory" }
    }
}

struct Item {
    ctx: usize,
    path: PathBuf,
    display: String,
    /// Relative to the ctx boundary.
    rel: Vec<String>,
    mtime: Option<Timestamp>,
}

/// What one listed entry came to.
struct Outcome {
    root: usize,
    not_read: Vec<NotRead>,
    aliases: Vec<(String, String)>,
    facts: Vec<Fact>,
    /// An archive, to be walked after the parallel phase: path, display,
    /// and the enclosing sosreport's root if it lies inside one.
    deferred: Option<(PathBuf, String, Option<usize>)>,
}

impl Outcome {
    fn new(root: usize) -> Outcome {
        Outcome {
            root,
            not_read: Vec::new(),
            aliases: Vec::new(),
            facts: Vec::new(),
            deferred: None,
        }
    }

    fn skipped(root: usize, path: String, reason: String) -> Outcome {
        let mut o = Outcome::new(root);
        o.not_read.push(NotRead { path, reason });
        o
    }
}

enum Entry {
    File(Item),
    Done(Outcome),
}

/// A fifo, socket or device, by name; `None` for files, dirs and links.
pub(crate) fn special_kind(ft: &FileType) -> Option<&'static str> {
    if ft.is_fifo() {
        Some("fifo")
    } else if ft.is_socket() {
        Some("socket")
    } else if ft.is_block_device() {
        Some("block device")
    } else if ft.is_char_device() {
        Some("character device")
    } else {
        None
    }
}

fn is_sosreport(dir: &Path) -> bool {
    let is = |p: PathBuf, dir: bool| {
        fs::symlink_metadata(p).is_ok_and(|m| if dir { m.is_dir() } else { m.is_file() })
    };
    is(dir.join("sos_commands"), true) || is(dir.join("sos_reports").join("manifest.json"), false)
}

/// The one sosreport directory directly inside `dir`, if there is exactly one.
fn sole_report(dir: &Path) -> Option<String> {
    let mut found = None;
    for e in fs::read_dir(dir).ok()?.flatten() {
        let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && is_sosreport(&e.path()) {
            if found.is_some() {
                return None;
            }
            found = Some(e.file_name().to_string_lossy().into_owned());
        }
    }
    found
}

pub(crate) fn walk_root(col: &mut Collector<'_>, given: &str) {
    let canon = match fs::canonicalize(given) {
        Ok(c) => c,
        Err(e) => return col.skip(given, describe(&e)),
    };
    let (kind, base) = if is_sosreport(&canon) {
        (RootKind::SosreportDir, Vec::new())
    } else if let Some(sub) = sole_report(&canon) {
        (RootKind::SosreportDir, vec![sub])
    } else {
        (RootKind::Directory, Vec::new())
    };
    let root = col.add_root(given, kind);
    let mut ctxs = vec![DirCtx {
        root,
        boundary: canon.clone(),
        display: PathBuf::from(given),
        base,
        sos: kind == RootKind::SosreportDir,
    }];
    let mut entries = Vec::new();
    let mut visited = HashSet::new();
    if let Ok(md) = fs::metadata(&canon) {
        visited.insert((md.dev(), md.ino()));
    }
    let mut lister = Lister {
        col,
        ctxs: &mut ctxs,
        out: &mut entries,
        visited: &mut visited,
    };
    lister.list(0, &canon, &[], 0);

    let visit = col.visit;
    let ctxs = &ctxs;
    let outcomes: Vec<Outcome> = entries
        .into_par_iter()
        .map(|e| match e {
            Entry::File(item) => process(item, ctxs, visit),
            Entry::Done(o) => o,
        })
        .collect();

    let mut deferred = Vec::new();
    for o in outcomes {
        let b = &mut col.roots[o.root];
        b.facts.extend(o.facts);
        b.root.aliases.extend(o.aliases);
        col.not_read.extend(o.not_read);
        if let Some(d) = o.deferred {
            deferred.push(d);
        }
    }
    for (path, display, enclosing) in deferred {
        walk_nested_archive(col, &path, &display, enclosing);
    }
}

/// An archive found in the walk. Inside a sosreport it is part of that
/// host's evidence (`lsof_M_-n_-l.xz` is a tar.xz): its members join the
/// report's root and clock. Elsewhere (a case directory of tarballs) it is
/// a root of its own, with its own anchors.
fn walk_nested_archive(
    col: &mut Collector<'_>,
    path: &Path,
    display: &str,
    enclosing: Option<usize>,
) {
    let file = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return col.skip(display, describe(&e)),
    };
    match sniff::open(Box::new(file), display) {
        Opened::Tar { reader } => match enclosing {
            Some(idx) => crate::archive::walk(col, Box::new(reader), display, idx, false, 1),
            None => {
                let idx = col.add_root(display, RootKind::Archive);
                crate::archive::walk(col, Box::new(reader), display, idx, true, 1);
            }
        },
        // It was an archive a moment ago: the file changed under us.
        _ => col.skip(display, "changed while being read"),
    }
}

struct Lister<'c, 'v> {
    col: &'c mut Collector<'v>,
    ctxs: &'c mut Vec<DirCtx>,
    out: &'c mut Vec<Entry>,
    visited: &'c mut HashSet<(u64, u64)>,
}

impl Lister<'_, '_> {
    fn list(&mut self, ctx: usize, abs: &Path, rel: &[String], depth: usize) {
        let root = self.ctxs[ctx].root;
        let display = self.ctxs[ctx].display_of(rel);
        let names = match fs::read_dir(abs) {
            Ok(rd) => {
                let mut names = Vec::new();
                for e in rd {
                    match e {
                        Ok(e) => names.push(e.file_name()),
                        Err(e) => {
                            let reason =
                                format!("cannot list directory entirely: {}", describe(&e));
                            self.out.push(Entry::Done(Outcome::skipped(
                                root,
                                display.clone(),
                                reason,
                            )));
                        }
                    }
                }
                names.sort();
                names
            }
            Err(e) => {
                let reason = format!("cannot list directory: {}", describe(&e));
                self.out
                    .push(Entry::Done(Outcome::skipped(root, display, reason)));
                return;
            }
        };
        for name in names {
            let child_abs = abs.join(&name);
            let mut child_rel = rel.to_vec();
            child_rel.push(name.to_string_lossy().into_owned());
            let child_display = self.ctxs[ctx].display_of(&child_rel);
            let md = match fs::symlink_metadata(&child_abs) {
                Ok(md) => md,
                Err(e) => {
                    self.out.push(Entry::Done(Outcome::skipped(
                        root,
                        child_display,
                        describe(&e),
                    )));
                    continue;
                }
            };
            let ft = md.file_type();
            if ft.is_symlink() {
                let outcome = match fs::read_link(&child_abs) {
                    Ok(t) => classify_link(
                        &self.ctxs[ctx],
                        &child_rel,
                        &t.to_string_lossy(),
                        child_display,
                    ),
                    Err(e) => Outcome::skipped(root, child_display, describe(&e)),
                };
                self.out.push(Entry::Done(outcome));
            } else if ft.is_dir() {
                let max = self.col.opts.max_depth;
                if depth + 1 > max {
                    let reason = format!("more than {max} directory levels deep (not walked)");
                    self.out
                        .push(Entry::Done(Outcome::skipped(root, child_display, reason)));
                } else if !self.visited.insert((md.dev(), md.ino())) {
                    let reason = "directory loop (already walked)".to_string();
                    self.out
                        .push(Entry::Done(Outcome::skipped(root, child_display, reason)));
                } else if !self.ctxs[ctx].sos && is_sosreport(&child_abs) {
                    // A report inside a plain directory: its own root, its
                    // own anchors, its own link boundary.
                    let idx = self.col.add_root(&child_display, RootKind::SosreportDir);
                    self.ctxs.push(DirCtx {
                        root: idx,
                        boundary: child_abs.clone(),
                        display: PathBuf::from(&child_display),
                        base: Vec::new(),
                        sos: true,
                    });
                    let nested = self.ctxs.len() - 1;
                    self.list(nested, &child_abs, &[], depth + 1);
                } else {
                    self.list(ctx, &child_abs, &child_rel, depth + 1);
                }
            } else if ft.is_file() {
                let mtime = md.modified().ok().and_then(|t| Timestamp::try_from(t).ok());
                self.out.push(Entry::File(Item {
                    ctx,
                    path: child_abs,
                    display: child_display,
                    rel: child_rel,
                    mtime,
                }));
            } else {
                let what = special_kind(&ft).unwrap_or("unknown type");
                let reason = format!("not a regular file ({what})");
                self.out
                    .push(Entry::Done(Outcome::skipped(root, child_display, reason)));
            }
        }
    }
}

/// A real symlink inside a directory root.
fn classify_link(ctx: &DirCtx, rel: &[String], target: &str, display: String) -> Outcome {
    let mut out = Outcome::new(ctx.root);
    if let Some(key) = ctx.anchor_key(rel)
        && key == "etc/localtime"
        && let Some(f) = anchors::localtime_link(&key, target)
    {
        out.facts.push(f);
    }
    let tree = DirTree {
        base: &ctx.boundary,
    };
    let dir = &rel[..rel.len().saturating_sub(1)];
    let reason = match resolve::resolve(&tree, dir, target) {
        Resolved::Inside {
            path,
            node: Node::File | Node::Dir,
        } => {
            out.aliases.push((display, ctx.display_of(&path)));
            return out;
        }
        Resolved::Inside { .. } => format!("symlink to a non-regular file ({target})"),
        Resolved::Outside => format!("symlink points outside the {} ({target})", ctx.noun()),
        Resolved::Dangling => format!("dangling symlink ({target})"),
        Resolved::Loop => format!("symlink loop ({target})"),
    };
    out.not_read.push(NotRead {
        path: display,
        reason,
    });
    out
}

/// A symlink stub, if `target` makes the file one: it resolves to something
/// inside the root, or it climbs (`../`) as only links do.
fn classify_stub(
    ctx: &DirCtx,
    rel: &[String],
    target: &str,
    display: &str,
    out: &mut Outcome,
) -> bool {
    let tree = DirTree {
        base: &ctx.boundary,
    };
    let dir = &rel[..rel.len().saturating_sub(1)];
    let resolved = resolve::resolve(&tree, dir, target);
    let reason = match resolved {
        Resolved::Inside {
            path,
            node: Node::File | Node::Dir,
        } => {
            out.aliases
                .push((display.to_string(), ctx.display_of(&path)));
            return true;
        }
        _ if !target.starts_with("../") => return false,
        Resolved::Inside { .. } => format!("symlink stub to a non-regular file ({target})"),
        Resolved::Outside => format!("symlink stub points outside the {} ({target})", ctx.noun()),
        Resolved::Dangling => format!("dangling symlink stub ({target})"),
        Resolved::Loop => format!("symlink stub loop ({target})"),
    };
    out.not_read.push(NotRead {
        path: display.to_string(),
        reason,
    });
    true
}

/// Reads one file (on a rayon worker).
fn process(item: Item, ctxs: &[DirCtx], visit: VisitFn<'_>) -> Outcome {
    let ctx = &ctxs[item.ctx];
    let mut out = Outcome::new(ctx.root);
    let file = match fs::File::open(&item.path) {
        Ok(f) => f,
        Err(e) => {
            out.not_read.push(NotRead {
                path: item.display,
                reason: describe(&e),
            });
            return out;
        }
    };
    match sniff::open(Box::new(file), &item.display) {
        Opened::Refused(reason) => out.not_read.push(NotRead {
            path: item.display,
            reason,
        }),
        Opened::Tar { .. } => {
            let enclosing = ctx.sos.then_some(ctx.root);
            out.deferred = Some((item.path, item.display, enclosing));
        }
        Opened::Content { mut reader, layers } => {
            let key = ctx.anchor_key(&item.rel);
            if layers == 0
                && reader.complete()
                && let Some(target) = sniff::stub_target(reader.head())
            {
                let target = target.to_string();
                if key.as_deref() == Some("etc/localtime")
                    && let Some(f) = anchors::localtime_link("etc/localtime", &target)
                {
                    out.facts.push(f);
                }
                if classify_stub(ctx, &item.rel, &target, &item.display, &mut out) {
                    return out;
                }
            }
            let rel_path = sniff::strip_compression_suffix(&ctx.rel_path(&item.rel), layers);
            let key = key.map(|k| sniff::strip_compression_suffix(&k, layers));
            let delivery = Delivery {
                display: item.display,
                rel_path,
                root: ctx.root,
                mtime: item.mtime,
                anchor_key: key.as_deref(),
            };
            if let Some(skipped) = crate::deliver(visit, delivery, &mut reader, &mut out.facts) {
                out.not_read.push(skipped);
            }
        }
    }
    out
}
