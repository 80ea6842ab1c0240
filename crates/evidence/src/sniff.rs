//! Content sniffing: compression and tar recognised by magic bytes (the name
//! is only a hint), decoders stacked on the fly, and a reader that replays
//! what was peeked so nothing has to be read twice.

use std::io::{self, Read};

/// How many bytes are peeked: enough for the tar magic at offset 257 and
/// for every symlink stub (≤ 255 bytes) to be seen whole.
pub(crate) const PEEK: usize = 512;

/// How many compression layers are peeled before giving up (`.gz.gz` is
/// real; a tower of them is an attack).
const MAX_LAYERS: usize = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Compression {
    Gzip,
    Xz,
    Zstd,
}

impl Compression {
    fn of(head: &[u8]) -> Option<Compression> {
        if head.starts_with(&[0x1f, 0x8b]) {
            Some(Compression::Gzip)
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
            Some(Compression::Xz)
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Some(Compression::Zstd)
        } else {
            None
        }
    }

    fn word(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Xz => "xz",
            Compression::Zstd => "zstd",
        }
    }
}

/// What a file's name claims it is.
#[derive(Clone, Copy, Debug, Default)]
struct NameHint {
    compression: Option<Compression>,
    tar: bool,
    /// The claimed suffix as written (`.tar.xz`), for messages.
    suffix: &'static str,
}

fn name_hint(name: &str) -> NameHint {
    let lower = name.to_ascii_lowercase();
    const TABLE: &[(&str, Option<Compression>, bool)] = &[
        (".tar.xz", Some(Compression::Xz), true),
        (".txz", Some(Compression::Xz), true),
        (".tar.gz", Some(Compression::Gzip), true),
        (".tgz", Some(Compression::Gzip), true),
        (".tar.zst", Some(Compression::Zstd), true),
        (".tzst", Some(Compression::Zstd), true),
        (".tar", None, true),
        (".gz", Some(Compression::Gzip), false),
        (".xz", Some(Compression::Xz), false),
        (".zst", Some(Compression::Zstd), false),
    ];
    for &(suffix, compression, tar) in TABLE {
        if lower.ends_with(suffix) {
            return NameHint {
                compression,
                tar,
                suffix,
            };
        }
    }
    NameHint::default()
}

/// Removes up to `layers` compression suffixes (`.gz`, `.xz`, `.zst`) from
/// a path, so `nova-compute.log.1.gz` is hinted as `nova-compute.log.1`.
pub(crate) fn strip_compression_suffix(path: &str, layers: usize) -> String {
    let mut out = path;
    for _ in 0..layers {
        let lower = out.to_ascii_lowercase();
        let cut = [".gz", ".xz", ".zst"]
            .iter()
            .find(|s| lower.ends_with(*s) && lower.len() > s.len())
            .map(|s| s.len());
        match cut {
            Some(n) => out = &out[..out.len() - n],
            None => break,
        }
    }
    out.to_string()
}

/// A reader that first replays a peeked prefix, then surfaces the error the
/// peek ran into (if any), then continues with the inner stream.
pub(crate) struct Replay<'a> {
    buf: Vec<u8>,
    pos: usize,
    err: Option<io::Error>,
    /// The inner stream ended while peeking: `buf` is the whole content.
    eof: bool,
    inner: Box<dyn Read + 'a>,
}

impl<'a> Replay<'a> {
    /// Peeks up to `n` bytes of `inner`.
    pub(crate) fn new(inner: Box<dyn Read + 'a>, n: usize) -> Replay<'a> {
        let mut r = Replay {
            buf: Vec::new(),
            pos: 0,
            err: None,
            eof: false,
            inner,
        };
        r.fill_to(n);
        r
    }

    /// Wraps bytes already in memory (a deferred archive member).
    pub(crate) fn from_bytes(bytes: Vec<u8>) -> Replay<'a> {
        Replay {
            buf: bytes,
            pos: 0,
            err: None,
            eof: true,
            inner: Box::new(io::empty()),
        }
    }

    /// Extends the peeked prefix to `n` bytes (fewer at end of stream or on
    /// error). Only valid before anything was read through the replay.
    pub(crate) fn fill_to(&mut self, n: usize) {
        if self.pos != 0 || self.eof || self.err.is_some() {
            return;
        }
        let start = self.buf.len();
        if start >= n {
            return;
        }
        self.buf.resize(n, 0);
        let mut filled = start;
        while filled < n {
            match self.inner.read(&mut self.buf[filled..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(k) => filled += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.err = Some(e);
                    break;
                }
            }
        }
        self.buf.truncate(filled);
    }

    pub(crate) fn head(&self) -> &[u8] {
        &self.buf
    }

    /// The stream ended within the peeked prefix, without error.
    pub(crate) fn complete(&self) -> bool {
        self.eof && self.err.is_none()
    }

    pub(crate) fn failed(&self) -> bool {
        self.err.is_some()
    }
}

impl Read for Replay<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos < self.buf.len() {
            let n = (self.buf.len() - self.pos).min(out.len());
            out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
            self.pos += n;
            return Ok(n);
        }
        if let Some(e) = self.err.take() {
            return Err(e);
        }
        if self.eof {
            return Ok(0);
        }
        self.inner.read(out)
    }
}

/// What a stream turned out to be.
pub(crate) enum Opened<'a> {
    /// Content for the visitor, after `layers` decompression layers.
    Content { reader: Replay<'a>, layers: usize },
    /// A tar archive (after `layers` decompression layers).
    Tar { reader: Replay<'a> },
    /// Not readable, with the reason (the name claims a compression the
    /// content does not have, an unsupported format…).
    Refused(String),
}

/// Sniffs `inner` (named `name`, a hint only): peels compression layers by
/// magic and recognises tar by `ustar` at offset 257.
pub(crate) fn open<'a>(inner: Box<dyn Read + 'a>, name: &str) -> Opened<'a> {
    let hint = name_hint(name);
    let mut cur = Replay::new(inner, PEEK);
    let mut layers = Vec::new();
    while layers.len() < MAX_LAYERS {
        let Some(c) = Compression::of(cur.head()) else {
            break;
        };
        let decoded: Box<dyn Read + 'a> = match c {
            Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(cur)),
            Compression::Xz => Box::new(liblzma::read::XzDecoder::new_multi_decoder(cur)),
            Compression::Zstd => match zstd::stream::read::Decoder::new(cur) {
                Ok(d) => Box::new(d),
                Err(e) => return Opened::Refused(format!("cannot start zstd decoder: {e}")),
            },
        };
        layers.push(c);
        cur = Replay::new(decoded, PEEK);
    }
    let head = cur.head();
    if head.len() >= 262 && &head[257..262] == b"ustar" {
        return Opened::Tar { reader: cur };
    }
    // A damaged stream whose name says it is an archive is reported as a
    // damaged archive, by the archive walker, rather than as a log.
    if hint.tar && !layers.is_empty() && cur.failed() {
        return Opened::Tar { reader: cur };
    }
    if layers.is_empty() {
        if let Some(claimed) = hint.compression {
            let what = if cur.head().is_empty() {
                "empty file".to_string()
            } else {
                format!("not {} data", claimed.word())
            };
            return Opened::Refused(format!("{what}, although the name ends in {}", hint.suffix));
        }
        if hint.tar && !cur.failed() {
            return Opened::Refused(format!(
                "not a tar archive (no ustar magic), although the name ends in {}",
                hint.suffix
            ));
        }
        if head.starts_with(b"BZh") && head.len() > 3 && head[3].is_ascii_digit() {
            return Opened::Refused("bzip2-compressed (not supported)".to_string());
        }
        if head.starts_with(b"PK\x03\x04") {
            return Opened::Refused("zip archive (not supported)".to_string());
        }
    }
    Opened::Content {
        reader: cur,
        layers: layers.len(),
    }
}

/// The target a symlink stub stands for, if `content` looks like one: one
/// line, a relative path with a `/`, no spaces, control characters or NUL.
/// Whether it *is* a stub also depends on where it points (the caller's
/// business).
pub(crate) fn stub_target(content: &[u8]) -> Option<&str> {
    if content.len() > 255 {
        return None;
    }
    let line = content.strip_suffix(b"\n").unwrap_or(content);
    let text = std::str::from_utf8(line).ok()?;
    let looks = !text.is_empty()
        && text.contains('/')
        && !text.starts_with('/')
        && !text.chars().any(|c| c.is_whitespace() || c.is_control());
    looks.then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes() {
        assert_eq!(strip_compression_suffix("a/n.log.1.gz", 1), "a/n.log.1");
        assert_eq!(strip_compression_suffix("a/n.log.1.gz", 0), "a/n.log.1.gz");
        assert_eq!(strip_compression_suffix("x.gz.xz", 2), "x");
        assert_eq!(strip_compression_suffix(".gz", 1), ".gz");
        assert_eq!(strip_compression_suffix("plain", 1), "plain");
    }

    #[test]
    fn stubs() {
        assert_eq!(
            stub_target(b"sos_commands/systemd/timedatectl"),
            Some("sos_commands/systemd/timedatectl")
        );
        assert_eq!(
            stub_target(b"../usr/lib/os-release\n"),
            Some("../usr/lib/os-release")
        );
        assert_eq!(stub_target(b"compute4\n"), None);
        assert_eq!(stub_target(b"/abs/path"), None);
        assert_eq!(stub_target(b"a/b c"), None);
        assert_eq!(stub_target(b"a/b\nc/d"), None);
        assert_eq!(stub_target(b"a/\0b"), None);
        assert_eq!(stub_target(b""), None);
    }

    #[test]
    fn replay_after_error() {
        struct Fails(bool);
        impl Read for Fails {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                if self.0 {
                    return Err(io::Error::other("boom"));
                }
                self.0 = true;
                out[..3].copy_from_slice(b"abc");
                Ok(3)
            }
        }
        let mut r = Replay::new(Box::new(Fails(false)), 10);
        assert_eq!(r.head(), b"abc");
        assert!(r.failed());
        let mut buf = [0u8; 10];
        assert_eq!(r.read(&mut buf).ok(), Some(3));
        assert!(r.read(&mut buf).is_err());
    }

    #[test]
    fn refuses_lying_names() {
        let data: &[u8] = b"\x00\x01garbage that is not xz";
        match open(Box::new(data), "x.tar.xz") {
            Opened::Refused(r) => assert!(r.contains("not xz data"), "{r}"),
            _ => panic!("expected refusal"),
        }
        match open(Box::new(&b"plain text\n"[..]), "log.txt") {
            Opened::Content { layers, .. } => assert_eq!(layers, 0),
            _ => panic!("expected content"),
        }
    }
}
