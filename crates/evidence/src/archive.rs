//! Tar archives read as a stream: members in archive order, on this thread,
//! nothing written anywhere. Links can only be judged once every member has
//! gone by, so they (and symlink stubs) are settled at the end.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::io::{self, Read};
use std::rc::Rc;

use jiff::Timestamp;

use crate::anchors;
use crate::resolve::{self, Node, Resolved, Tree};
use crate::sniff::{self, Opened, Replay};
use crate::{Collector, Delivery, RootKind, deliver};

/// First components that are part of a report (or a host's tree), never
/// the wrapper directory a tarball puts everything in.
const HOST_DIRS: &[&str] = &[
    "sos_commands",
    "sos_reports",
    "sos_logs",
    "sos_strings",
    "etc",
    "var",
    "proc",
    "sys",
    "usr",
    "run",
    "lib",
    "boot",
    "dev",
    "opt",
    "home",
    "root",
    "tmp",
    "srv",
    "mnt",
];

/// Archives inside archives inside… are followed this deep.
const MAX_NESTING: usize = 4;

/// Notes whether the stream ran dry under the tar reader: a tar that ends
/// without its end-of-archive blocks was cut (the tar crate takes a clean
/// EOF at a header boundary for the end).
struct EofWatch<'a> {
    inner: Box<dyn Read + 'a>,
    hit: Rc<Cell<bool>>,
}

impl Read for EofWatch<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        if n == 0 && !out.is_empty() {
            self.hit.set(true);
        }
        Ok(n)
    }
}

/// A member's data that errors, rather than ending quietly, when the
/// archive stops before the size its header promised.
struct Exact<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Exact<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        if n == 0 && self.left > 0 && !out.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("archive member cut short: {} bytes missing", self.left),
            ));
        }
        self.left = self.left.saturating_sub(n as u64);
        Ok(n)
    }
}

/// Something settled once the whole archive has been seen.
enum Pending {
    Symlink {
        display: String,
        /// The link's directory, relative to its boundary.
        dir: Vec<String>,
        bound: Vec<String>,
        target: String,
    },
    Hardlink {
        display: String,
        target: String,
    },
    Stub {
        display: String,
        dir: Vec<String>,
        bound: Vec<String>,
        target: String,
        rel_path: String,
        key: String,
        mtime: Option<Timestamp>,
        content: Vec<u8>,
    },
}

/// The archive's members as a tree, for link resolution.
#[derive(Default)]
struct Seen {
    files: HashSet<String>,
    dirs: HashSet<String>,
    links: HashMap<String, String>,
}

struct SeenTree<'a> {
    seen: &'a Seen,
    bound: &'a [String],
}

impl Tree for SeenTree<'_> {
    fn node(&self, rel: &[String]) -> Node {
        let key = self
            .bound
            .iter()
            .chain(rel)
            .cloned()
            .collect::<Vec<_>>()
            .join("/");
        if let Some(t) = self.seen.links.get(&key) {
            Node::Link(t.clone())
        } else if self.seen.files.contains(&key) {
            Node::File
        } else if self.seen.dirs.contains(&key) {
            Node::Dir
        } else {
            Node::Missing
        }
    }

    fn inside(&self, _abs: &str) -> Option<Vec<String>> {
        // An absolute target names the original host's file system.
        None
    }
}

fn entry_kind(t: tar::EntryType) -> &'static str {
    match t {
        tar::EntryType::Fifo => "fifo",
        tar::EntryType::Char => "character device",
        tar::EntryType::Block => "block device",
        _ => "unknown tar entry type",
    }
}

/// Walks a tar stream; `display` is how the archive itself is shown.
/// `own` says whether `root` is the archive's own root (its members may be
/// a sosreport and give anchors) or an enclosing sosreport's root whose
/// anchors its members must not touch.
pub(crate) fn walk(
    col: &mut Collector<'_>,
    source: Box<dyn Read + '_>,
    display: &str,
    root: usize,
    own: bool,
    depth: usize,
) {
    let hit_eof = Rc::new(Cell::new(false));
    let watched = EofWatch {
        inner: source,
        hit: Rc::clone(&hit_eof),
    };
    let mut archive = tar::Archive::new(watched);
    let mut seen = Seen::default();
    let mut pending = Vec::new();
    // The single top directory (`sosreport-host-…/`), decided by the first
    // member; `Some(None)` once decided that there is none.
    let mut top: Option<Option<String>> = None;
    let mut count = 0usize;
    let mut broke: Option<String> = None;

    let entries = match archive.entries() {
        Ok(e) => e,
        Err(e) => {
            col.skip(
                display,
                format!("archive truncated or corrupt after 0 members: {e}"),
            );
            return;
        }
    };
    for entry in entries {
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                broke = Some(e.to_string());
                break;
            }
        };
        count += 1;
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let Some(comps) = resolve::normalize(&raw) else {
            col.skip(
                format!("{display}!{raw}"),
                format!("member path escapes the archive ({raw})"),
            );
            continue;
        };
        if comps.is_empty() {
            continue;
        }
        let etype = entry.header().entry_type();
        let top_dir = top
            .get_or_insert_with(|| {
                let wrapper =
                    (comps.len() > 1 || etype.is_dir()) && !HOST_DIRS.contains(&comps[0].as_str());
                wrapper.then(|| comps[0].clone())
            })
            .clone();
        let full = comps.join("/");
        for i in 1..comps.len() {
            seen.dirs.insert(comps[..i].join("/"));
        }
        let member_display = format!("{display}!{full}");
        let (bound, rel): (Vec<String>, Vec<String>) = match &top_dir {
            Some(t) if comps[0] == *t => (vec![t.clone()], comps[1..].to_vec()),
            _ => (Vec::new(), comps.clone()),
        };
        let key = rel.join("/");
        if own
            && (key.starts_with("sos_commands/")
                || key == "sos_commands"
                || key == "sos_reports/manifest.json")
        {
            col.roots[root].sos = true;
        }
        let dir = rel[..rel.len().saturating_sub(1)].to_vec();

        if etype.is_dir() {
            seen.dirs.insert(full);
        } else if etype.is_symlink() {
            let target = entry
                .link_name_bytes()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            if own
                && key == "etc/localtime"
                && let Some(f) = anchors::localtime_link(&key, &target)
            {
                col.roots[root].facts.push(f);
            }
            seen.links.insert(full, target.clone());
            pending.push(Pending::Symlink {
                display: member_display,
                dir,
                bound,
                target,
            });
        } else if etype.is_hard_link() {
            let target = entry
                .link_name_bytes()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            seen.files.insert(full);
            pending.push(Pending::Hardlink {
                display: member_display,
                target,
            });
        } else if etype.is_file() || etype.is_gnu_sparse() || etype == tar::EntryType::Continuous {
            seen.files.insert(full);
            let mtime = entry
                .header()
                .mtime()
                .ok()
                .and_then(|s| i64::try_from(s).ok())
                .and_then(|s| Timestamp::from_second(s).ok());
            let exact = etype.is_file() || etype == tar::EntryType::Continuous;
            let left = if exact { entry.size() } else { 0 };
            let data = Exact {
                inner: &mut entry,
                left,
            };
            let name = rel.last().map(String::as_str).unwrap_or("");
            match sniff::open(Box::new(data), name) {
                Opened::Refused(reason) => col.skip(member_display, reason),
                Opened::Tar { reader } => {
                    if depth >= MAX_NESTING {
                        col.skip(
                            member_display,
                            format!("archive nested more than {MAX_NESTING} deep (not read)"),
                        );
                    } else {
                        let idx = col.add_root(&member_display, RootKind::Archive);
                        walk(col, Box::new(reader), &member_display, idx, true, depth + 1);
                    }
                }
                Opened::Content { mut reader, layers } => {
                    let rel_path = sniff::strip_compression_suffix(&key, layers);
                    if layers == 0
                        && reader.complete()
                        && let Some(target) = sniff::stub_target(reader.head())
                    {
                        let target = target.to_string();
                        if own
                            && key == "etc/localtime"
                            && let Some(f) = anchors::localtime_link(&key, &target)
                        {
                            col.roots[root].facts.push(f);
                        }
                        pending.push(Pending::Stub {
                            display: member_display,
                            dir,
                            bound,
                            target,
                            rel_path,
                            key,
                            mtime,
                            content: reader.head().to_vec(),
                        });
                        continue;
                    }
                    let delivery = Delivery {
                        display: member_display,
                        rel_path: rel_path.clone(),
                        root,
                        mtime,
                        anchor_key: own.then_some(rel_path.as_str()),
                    };
                    let facts = &mut col.roots[root].facts;
                    if let Some(skipped) = deliver(col.visit, delivery, &mut reader, facts) {
                        col.not_read.push(skipped);
                    }
                }
            }
        } else if etype.is_pax_global_extensions()
            || etype.is_pax_local_extensions()
            || etype.is_gnu_longname()
            || etype.is_gnu_longlink()
        {
            // Metadata for other members, not members.
        } else {
            col.skip(
                member_display,
                format!("not a regular file ({})", entry_kind(etype)),
            );
        }
    }

    let broken = broke.is_some() || hit_eof.get();
    match broke {
        Some(e) => col.skip(display, format!("archive truncated or corrupt after {count} members: {e}")),
        None if hit_eof.get() => col.skip(
            display,
            format!("archive truncated or corrupt after {count} members: unexpected end of data (no end-of-archive marker)"),
        ),
        None => {}
    }
    settle(col, &seen, pending, display, (root, own), broken);
}

/// Judges links and stubs now that every member is known.
fn settle(
    col: &mut Collector<'_>,
    seen: &Seen,
    pending: Vec<Pending>,
    display: &str,
    (root, own): (usize, bool),
    broken: bool,
) {
    let missing = |what: &str, target: &str| {
        if broken {
            format!("{what} ({target}; target not seen before the archive broke)")
        } else {
            format!("{what} ({target})")
        }
    };
    let shown = |bound: &[String], path: &[String]| {
        format!("{display}!{}", [bound, path].concat().join("/"))
    };
    for p in pending {
        match p {
            Pending::Symlink {
                display: link,
                dir,
                bound,
                target,
            } => {
                let tree = SeenTree {
                    seen,
                    bound: &bound,
                };
                let reason = match resolve::resolve(&tree, &dir, &target) {
                    Resolved::Inside {
                        path,
                        node: Node::File | Node::Dir,
                    } => {
                        col.roots[root]
                            .root
                            .aliases
                            .push((link, shown(&bound, &path)));
                        continue;
                    }
                    Resolved::Inside { .. } => format!("symlink to a non-regular file ({target})"),
                    Resolved::Outside => format!("symlink points outside the report ({target})"),
                    Resolved::Dangling => missing("dangling symlink", &target),
                    Resolved::Loop => format!("symlink loop ({target})"),
                };
                col.skip(link, reason);
            }
            Pending::Hardlink {
                display: link,
                target,
            } => match resolve::normalize(&target) {
                None => col.skip(
                    link,
                    format!("hard link points outside the archive ({target})"),
                ),
                Some(c) if seen.files.contains(&c.join("/")) => {
                    col.roots[root].root.aliases.push((link, shown(&[], &c)));
                }
                Some(_) => col.skip(link, missing("dangling hard link", &target)),
            },
            Pending::Stub {
                display: stub,
                dir,
                bound,
                target,
                rel_path,
                key,
                mtime,
                content,
            } => {
                let tree = SeenTree {
                    seen,
                    bound: &bound,
                };
                let resolved = resolve::resolve(&tree, &dir, &target);
                let reason = match resolved {
                    Resolved::Inside {
                        path,
                        node: Node::File | Node::Dir,
                    } => {
                        col.roots[root]
                            .root
                            .aliases
                            .push((stub, shown(&bound, &path)));
                        continue;
                    }
                    _ if !target.starts_with("../") => None,
                    Resolved::Inside { .. } => {
                        Some(format!("symlink stub to a non-regular file ({target})"))
                    }
                    Resolved::Outside => {
                        Some(format!("symlink stub points outside the report ({target})"))
                    }
                    Resolved::Dangling => Some(missing("dangling symlink stub", &target)),
                    Resolved::Loop => Some(format!("symlink stub loop ({target})")),
                };
                match reason {
                    Some(reason) => col.skip(stub, reason),
                    None => {
                        // Not a stub after all: an ordinary small file.
                        let mut reader = Replay::from_bytes(content);
                        let delivery = Delivery {
                            display: stub,
                            rel_path,
                            root,
                            mtime,
                            anchor_key: own.then_some(key.as_str()),
                        };
                        let facts = &mut col.roots[root].facts;
                        if let Some(skipped) = deliver(col.visit, delivery, &mut reader, facts) {
                            col.not_read.push(skipped);
                        }
                    }
                }
            }
        }
    }
}
