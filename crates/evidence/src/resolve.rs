//! Symlink resolution confined to a root.
//!
//! Links are resolved component by component against a [`Tree`] that only
//! knows the root's own contents, so resolving never touches anything
//! outside the root: the walk stops the moment a path climbs above it.
//! The same code serves directories (the file system under the root) and
//! archives (the members seen in the stream).

use std::path::{Path, PathBuf};

/// Links followed before a resolution is called a loop (Linux's limit).
const MAX_HOPS: usize = 40;

/// What sits at a path inside a root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Node {
    Missing,
    File,
    Dir,
    /// A fifo, socket or device.
    Other,
    /// A symbolic link, with its target as written.
    Link(String),
}

/// A root's contents, addressed by components relative to the root.
pub(crate) trait Tree {
    fn node(&self, rel: &[String]) -> Node;
    /// An absolute link target that names a place inside the root, as
    /// components relative to it (only meaningful for directory roots).
    fn inside(&self, abs: &str) -> Option<Vec<String>>;
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Resolved {
    /// The link ends inside the root, at `path`, on a file, dir or other.
    Inside {
        path: Vec<String>,
        node: Node,
    },
    Outside,
    Dangling,
    Loop,
}

/// Resolves `target` as written in a link that lives in directory `dir`
/// (components relative to the root).
pub(crate) fn resolve(tree: &dyn Tree, dir: &[String], target: &str) -> Resolved {
    let mut cur: Vec<String> = dir.to_vec();
    let mut pending: Vec<String> = Vec::new();
    let mut hops = 0usize;
    if !push_target(tree, &mut cur, &mut pending, target) {
        return Resolved::Outside;
    }
    // `pending` is a stack: the next component to take is at the end.
    while let Some(c) = pending.pop() {
        match c.as_str() {
            "" | "." => continue,
            ".." => {
                if cur.pop().is_none() {
                    return Resolved::Outside;
                }
                continue;
            }
            _ => {}
        }
        cur.push(c);
        match tree.node(&cur) {
            Node::Missing => return Resolved::Dangling,
            Node::Dir => {}
            Node::File | Node::Other => {
                if pending.iter().any(|p| !p.is_empty() && p != ".") {
                    // Linux says ENOTDIR; for a reader it is simply absent.
                    return Resolved::Dangling;
                }
            }
            Node::Link(next) => {
                hops += 1;
                if hops > MAX_HOPS {
                    return Resolved::Loop;
                }
                cur.pop();
                if !push_target(tree, &mut cur, &mut pending, &next) {
                    return Resolved::Outside;
                }
            }
        }
    }
    let node = if cur.is_empty() {
        Node::Dir
    } else {
        tree.node(&cur)
    };
    Resolved::Inside { path: cur, node }
}

/// Queues `target`'s components; an absolute target restarts from the
/// root if it names a place inside it, else it is outside (`false`).
fn push_target(
    tree: &dyn Tree,
    cur: &mut Vec<String>,
    pending: &mut Vec<String>,
    target: &str,
) -> bool {
    if target.starts_with('/') {
        match tree.inside(target) {
            Some(rel) => {
                cur.clear();
                pending.extend(rel.into_iter().rev());
            }
            None => return false,
        }
    } else {
        pending.extend(target.split('/').rev().map(str::to_string));
    }
    true
}

/// Lexically normalises a relative path (an archive member name or a hard
/// link target): `.` and empty components vanish, `..` pops. `None` when it
/// is absolute or climbs above its root.
pub(crate) fn normalize(path: &str) -> Option<Vec<String>> {
    if path.starts_with('/') {
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            _ => out.push(c.to_string()),
        }
    }
    Some(out)
}

/// A directory root on the file system.
pub(crate) struct DirTree<'a> {
    /// The root, canonical (so absolute targets can be recognised).
    pub(crate) base: &'a Path,
}

impl Tree for DirTree<'_> {
    fn node(&self, rel: &[String]) -> Node {
        let path: PathBuf = rel.iter().fold(self.base.to_path_buf(), |p, c| p.join(c));
        match std::fs::symlink_metadata(&path) {
            Err(_) => Node::Missing,
            Ok(md) => {
                let ft = md.file_type();
                if ft.is_symlink() {
                    match std::fs::read_link(&path) {
                        Ok(t) => Node::Link(t.to_string_lossy().into_owned()),
                        Err(_) => Node::Missing,
                    }
                } else if ft.is_dir() {
                    Node::Dir
                } else if ft.is_file() {
                    Node::File
                } else {
                    Node::Other
                }
            }
        }
    }

    fn inside(&self, abs: &str) -> Option<Vec<String>> {
        let rest = Path::new(abs).strip_prefix(self.base).ok()?;
        normalize(&rest.to_string_lossy())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    struct Fake(BTreeMap<String, Node>);

    impl Tree for Fake {
        fn node(&self, rel: &[String]) -> Node {
            self.0.get(&rel.join("/")).cloned().unwrap_or(Node::Missing)
        }
        fn inside(&self, _: &str) -> Option<Vec<String>> {
            None
        }
    }

    fn fake() -> Fake {
        let mut m = BTreeMap::new();
        m.insert("sos_commands".into(), Node::Dir);
        m.insert("sos_commands/date".into(), Node::Dir);
        m.insert("sos_commands/date/date".into(), Node::File);
        m.insert("date".into(), Node::Link("sos_commands/date/date".into()));
        m.insert("a".into(), Node::Link("b".into()));
        m.insert("b".into(), Node::Link("a".into()));
        m.insert("etc".into(), Node::Dir);
        m.insert("etc/self".into(), Node::Link("..".into()));
        Fake(m)
    }

    #[test]
    fn cases() {
        let t = fake();
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            resolve(&t, &[], "sos_commands/date/date"),
            Resolved::Inside {
                path: s(&["sos_commands", "date", "date"]),
                node: Node::File
            }
        );
        assert_eq!(
            resolve(&t, &s(&["etc"]), "../date"),
            Resolved::Inside {
                path: s(&["sos_commands", "date", "date"]),
                node: Node::File
            }
        );
        assert_eq!(resolve(&t, &s(&["etc"]), "../../x"), Resolved::Outside);
        assert_eq!(resolve(&t, &[], "/etc/x"), Resolved::Outside);
        assert_eq!(
            resolve(&t, &s(&["etc"]), "../usr/lib/os-release"),
            Resolved::Dangling
        );
        assert_eq!(resolve(&t, &[], "a"), Resolved::Loop);
        assert_eq!(
            resolve(&t, &s(&["etc"]), "self/etc/self/sos_commands"),
            Resolved::Inside {
                path: s(&["sos_commands"]),
                node: Node::Dir
            }
        );
        assert_eq!(
            resolve(&t, &[], "sos_commands/date/date/x"),
            Resolved::Dangling
        );
    }

    #[test]
    fn normalizing() {
        assert_eq!(
            normalize("./a//b/./c"),
            Some(vec!["a".into(), "b".into(), "c".into()])
        );
        assert_eq!(normalize("a/../b"), Some(vec!["b".into()]));
        assert_eq!(normalize("../../x"), None);
        assert_eq!(normalize("a/../../x"), None);
        assert_eq!(normalize("/etc/passwd"), None);
        assert_eq!(normalize("./"), Some(vec![]));
    }
}
