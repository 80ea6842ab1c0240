//! Shared test helpers: a recording visitor and archive builders. Every
//! fixture is built at test time in a temp dir.

// Helpers outside #[test] fns unwrap too: a failed setup step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rootline_evidence::{Collection, Input, NotRead, Options, Visited, collect};

/// What the visitor saw of one input.
#[derive(Clone, Debug)]
pub struct Seen {
    pub display: String,
    pub rel_path: String,
    pub root: usize,
    pub mtime: Option<jiff::Timestamp>,
    pub content: Vec<u8>,
    /// The read error, if reading failed midway.
    pub error: Option<String>,
}

pub struct Run {
    pub collection: Collection,
    pub seen: Vec<Seen>,
}

impl Run {
    pub fn by_display(&self, display: &str) -> Option<&Seen> {
        self.seen.iter().find(|s| s.display == display)
    }

    pub fn by_rel(&self, rel: &str) -> Option<&Seen> {
        self.seen.iter().find(|s| s.rel_path == rel)
    }

    pub fn not_read(&self, path: &str) -> Option<&NotRead> {
        self.collection.not_read.iter().find(|n| n.path == path)
    }

    pub fn displays(&self) -> Vec<String> {
        let mut v: Vec<String> = self.seen.iter().map(|s| s.display.clone()).collect();
        v.sort();
        v
    }
}

/// Runs `collect` with a visitor that reads everything and, like the real
/// one, skips content with NUL bytes as binary.
pub fn run(paths: &[&str]) -> Run {
    let seen = Mutex::new(Vec::new());
    let visit = |input: Input<'_>| {
        let mut content = Vec::new();
        // Bounded: test inputs are small; the cap only guards a runaway.
        #[allow(clippy::disallowed_methods)]
        let error = input
            .reader
            .take(64 << 20)
            .read_to_end(&mut content)
            .err()
            .map(|e| e.to_string());
        let binary = content.contains(&0);
        if let Ok(mut v) = seen.lock() {
            v.push(Seen {
                display: input.display.clone(),
                rel_path: input.rel_path.clone(),
                root: input.root,
                mtime: input.mtime,
                content,
                error,
            });
        }
        if binary {
            Visited::Skipped("binary content".to_string())
        } else {
            Visited::Read
        }
    };
    let paths: Vec<String> = paths.iter().map(|p| p.to_string()).collect();
    let collection = collect(&paths, &Options::default(), &visit);
    Run {
        collection,
        seen: seen.into_inner().unwrap_or_default(),
    }
}

pub fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

pub fn write(root: &Path, rel: &str, content: &[u8]) -> PathBuf {
    let p = root.join(rel);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&p, content).expect("write");
    p
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).expect("gzip");
    e.finish().expect("gzip")
}

pub fn xz(data: &[u8]) -> Vec<u8> {
    let mut e = liblzma::write::XzEncoder::new(Vec::new(), 1);
    e.write_all(data).expect("xz");
    e.finish().expect("xz")
}

pub fn zst(data: &[u8]) -> Vec<u8> {
    zstd::stream::encode_all(data, 1).expect("zstd")
}

/// One member of a test archive.
pub enum Member<'a> {
    File(&'a str, &'a [u8]),
    Dir(&'a str),
    Symlink(&'a str, &'a str),
    Hardlink(&'a str, &'a str),
    Fifo(&'a str),
    /// A regular file whose name is written raw (no validation), such as
    /// `../../x`.
    RawName(&'a str, &'a [u8]),
}

pub const MTIME: u64 = 1_644_446_346;

fn header(kind: tar::EntryType, size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(0o644);
    h.set_mtime(MTIME);
    h
}

pub fn tar(members: &[Member<'_>]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for m in members {
        match m {
            Member::File(p, data) => {
                let mut h = header(tar::EntryType::Regular, data.len() as u64);
                b.append_data(&mut h, p, *data).expect("file");
            }
            Member::Dir(p) => {
                let mut h = header(tar::EntryType::Directory, 0);
                b.append_data(&mut h, p, std::io::empty()).expect("dir");
            }
            Member::Symlink(p, t) => {
                let mut h = header(tar::EntryType::Symlink, 0);
                b.append_link(&mut h, p, t).expect("symlink");
            }
            Member::Hardlink(p, t) => {
                let mut h = header(tar::EntryType::Link, 0);
                b.append_link(&mut h, p, t).expect("hardlink");
            }
            Member::Fifo(p) => {
                let mut h = header(tar::EntryType::Fifo, 0);
                b.append_data(&mut h, p, std::io::empty()).expect("fifo");
            }
            Member::RawName(p, data) => {
                let mut h = header(tar::EntryType::Regular, data.len() as u64);
                let name = &mut h.as_old_mut().name;
                name[..p.len()].copy_from_slice(p.as_bytes());
                h.set_cksum();
                b.append(&h, *data).expect("raw");
            }
        }
    }
    b.into_inner().expect("tar")
}

/// Everything under `root`: path → (size, mtime, is symlink), to prove
/// that nothing was written.
pub fn snapshot(root: &Path) -> BTreeMap<PathBuf, (u64, Option<std::time::SystemTime>, bool)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            let Ok(md) = std::fs::symlink_metadata(&p) else {
                continue;
            };
            out.insert(
                p.clone(),
                (md.len(), md.modified().ok(), md.file_type().is_symlink()),
            );
            if md.is_dir() {
                stack.push(p);
            }
        }
    }
    out
}

/// Deterministic incompressible-ish text: a log of pseudo-random lines.
pub fn noisy_log(lines: usize, seed: u64) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut out = Vec::new();
    for i in 0..lines {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        writeln!(
            out,
            "Feb 10 16:{:02}:{:02} host kernel: line {i} value {x:016x} {:x}",
            i % 60,
            (i / 60) % 60,
            x.rotate_left(17)
        )
        .expect("write");
    }
    out
}

/// A small system file, capped.
pub fn read_small(path: &Path) -> Option<Vec<u8>> {
    let f = std::fs::File::open(path).ok()?;
    let mut v = Vec::new();
    // Bounded by the take.
    #[allow(clippy::disallowed_methods)]
    f.take(1 << 20).read_to_end(&mut v).ok()?;
    Some(v)
}
