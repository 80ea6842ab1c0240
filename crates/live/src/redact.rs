//! Secrets out of collected text: passwords, tokens, keys and credentials in
//! URLs are replaced by [`MARKER`] before anything leaves the host.
//!
//! What is recognised (case-insensitive):
//! - `key = value`, `key: value`, `key=value`, `"key": "value"`,
//!   `'key': 'value'`, `--key=value`, `--key value` where the key names a
//!   secret: it contains `password`, `passwd`, `passphrase`, `pwd`, `secret`,
//!   `token`, `api_key`, `access_key`, `auth_key`, `private_key`, `credential`
//!   — unless it names something about the secret (`*_file`, `*_path`,
//!   `*_uuid`, `*_ttl`, `*_type`…): `rbd_secret_uuid` is an identity rootline
//!   needs, not a secret. (`nova.conf` `password = …`, `admin_password`,
//!   `memcache_secret_key`, `.my.cnf` `password=…`, iscsid's
//!   `node.session.auth.password`.)
//! - The password of every `user:password@host` in a URL, including
//!   oslo.messaging's multi-host form
//!   (`rabbit://nova:p1@h1:5672,nova:p2@h2:5672/`) and SQLAlchemy's
//!   `mysql+pymysql://nova:pw@db/nova`.
//! - HTTP credentials: `Authorization: Bearer …` / `Basic …`,
//!   `X-Auth-Token: …`, `X-Subject-Token`, `X-Service-Token`.
//! - The body of PEM private keys (`-----BEGIN … PRIVATE KEY-----`).
//!
//! Work is line by line over bytes (logs need not be UTF-8), so memory does
//! not depend on file size; lines longer than [`MAX_LINE`] are redacted in
//! pieces.

use std::collections::BTreeMap;
use std::io::{self, Read};

use regex::bytes::Regex;
use serde::Serialize;

/// What a secret is replaced by.
pub const MARKER: &str = "<redacted>";
/// Longest line handled whole.
pub const MAX_LINE: usize = 64 * 1024;

/// Secrets replaced in one file, by kind (`password`, `url-password`,
/// `token`, `secret`, `key`, `credential`, `authorization`, `private-key`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub total: u64,
    pub kinds: BTreeMap<&'static str, u64>,
}

impl Counts {
    fn add(&mut self, kind: &'static str) {
        self.total += 1;
        *self.kinds.entry(kind).or_insert(0) += 1;
    }
}

/// The compiled patterns; build once, share freely.
pub struct Redactor {
    prefilter: Regex,
    key_value: Regex,
    cli_arg: Regex,
    url: Regex,
    header: Regex,
}

/// Key suffixes that describe a secret without being one.
const NOT_SECRET_SUFFIXES: &[&str] = &[
    "_file",
    "_path",
    "_dir",
    "_uuid",
    "_id",
    "_ttl",
    "_expiration",
    "_expire",
    "_timeout",
    "_time",
    "_type",
    "_types",
    "_length",
    "_len",
    "_provider",
    "_format",
    "_size",
    "_enabled",
    "_strategy",
    "_mode",
    "_url",
    "_uri",
    "_name",
    "_count",
    "_min",
    "_max",
    "_policy",
    "_algorithm",
    "_backend",
    "_header",
    "_cache",
    "_cache_time",
    "-file",
    "-path",
    "-type",
    "_endpoint",
    "_retries",
    "_interval",
    "_version",
    "_validation",
];

/// Values that hold no secret (already masked, unset, placeholders).
fn empty_value(v: &[u8]) -> bool {
    let v = v.trim_ascii();
    v.is_empty()
        || v == MARKER.as_bytes()
        || v.iter().all(|&c| c == b'*')
        || v.eq_ignore_ascii_case(b"none")
        || v.eq_ignore_ascii_case(b"<none>")
        || v.eq_ignore_ascii_case(b"null")
        || v.eq_ignore_ascii_case(b"true")
        || v.eq_ignore_ascii_case(b"false")
        || v == b"\"\""
        || v == b"''"
}

fn kind_of(key: &[u8]) -> &'static str {
    let k = key.to_ascii_lowercase();
    let has = |s: &str| k.windows(s.len()).any(|w| w == s.as_bytes());
    if has("authoriz") {
        "authorization"
    } else if has("token") {
        "token"
    } else if has("pass") || has("pwd") {
        "password"
    } else if has("secret") {
        "secret"
    } else if has("credential") {
        "credential"
    } else {
        "key"
    }
}

impl Default for Redactor {
    fn default() -> Redactor {
        Redactor::new()
    }
}

impl Redactor {
    pub fn new() -> Redactor {
        // The patterns are constants; a failure here is a bug caught by
        // every test, never input-dependent.
        let re = |p: &str| Regex::new(p).unwrap_or_else(|e| panic!("redaction pattern {p}: {e}"));
        let words = r"(?:password|passwd|passphrase|pwd|secret|token|api_?key|access_?key|auth_?key|private_?key|credentials?|authorization)";
        Redactor {
            prefilter: re(r"(?i-u)pass|pwd|secret|token|key|credential|authoriz|://"),
            // A key ending at a quote or the separator; the value is found
            // by hand after the match (quoted or bare).
            key_value: re(&format!(
                r#"(?i-u)(?P<key>(?:[a-z0-9_.\-]*[_.\-])?{words}[a-z0-9_.\-]*)(?P<q>["']?)[ \t]*(?P<sep>=>|[:=])(?P<sp>[ \t]*)"#
            )),
            cli_arg: re(&format!(
                r"(?i-u)(?:^|\s)(?P<key>--?[a-z0-9\-]*{words}[a-z0-9\-]*)[ \t]+"
            )),
            url: re(r"(?i-u)\b[a-z][a-z0-9+.\-]*://"),
            header: re(
                r"(?i-u)\b(?:authorization|x-auth-token|x-subject-token|x-service-token|x-storage-token)[ \t]*:[ \t]*(?:(?:bearer|basic|token|negotiate|digest)[ \t]+)?",
            ),
        }
    }

    /// Redacts one line (with or without its newline) into `out`. `state`
    /// carries a PEM block across lines.
    pub fn line(&self, line: &[u8], state: &mut LineState, out: &mut Vec<u8>, counts: &mut Counts) {
        if state.in_private_key {
            if contains(line, b"-----END") {
                state.in_private_key = false;
                out.extend_from_slice(line);
            } else if !state.marked {
                state.marked = true;
                out.extend_from_slice(MARKER.as_bytes());
                if line.ends_with(b"\n") {
                    out.push(b'\n');
                }
            } else if line.ends_with(b"\n") && !out.ends_with(b"\n") {
                out.push(b'\n');
            }
            return;
        }
        if contains(line, b"-----BEGIN") && contains(line, b"PRIVATE KEY-----") {
            state.in_private_key = true;
            state.marked = false;
            counts.add("private-key");
            out.extend_from_slice(line);
            return;
        }
        if !self.prefilter.is_match(line) {
            out.extend_from_slice(line);
            return;
        }
        let mut spans: Vec<(usize, usize, &'static str)> = Vec::new();
        self.url_spans(line, &mut spans);
        for m in self.header.find_iter(line) {
            let (s, e) = bare_value(line, m.end());
            let kind = if m.as_bytes()[..2].eq_ignore_ascii_case(b"x-") {
                "token"
            } else {
                "authorization"
            };
            spans.push((s, e, kind));
        }
        for c in self.key_value.captures_iter(line) {
            let (Some(key), Some(all)) = (c.name("key"), c.get(0)) else {
                continue;
            };
            // `name:value` without a space is a qualifier (`libfoo:amd64`,
            // `host:port`), not a setting; YAML and logs put a space after
            // the colon, JSON and Python quote the key.
            let bare_colon = c.name("sep").is_some_and(|m| m.as_bytes() == b":")
                && c.name("q").is_none_or(|m| m.is_empty())
                && c.name("sp").is_none_or(|m| m.is_empty());
            if bare_colon {
                continue;
            }
            let k = key.as_bytes().to_ascii_lowercase();
            // `x-auth-token:` is a header, handled above; `authorization:`
            // likewise.
            if k.starts_with(b"x-") || k == b"authorization" {
                continue;
            }
            if NOT_SECRET_SUFFIXES
                .iter()
                .any(|s| k.ends_with(s.as_bytes()))
            {
                continue;
            }
            // `key` must start a word: `monkey=` is not a key.
            if key.start() > 0 && line[key.start() - 1].is_ascii_alphanumeric() {
                continue;
            }
            let (s, e) = value_at(line, all.end());
            spans.push((s, e, kind_of(key.as_bytes())));
        }
        for c in self.cli_arg.captures_iter(line) {
            let (Some(key), Some(all)) = (c.name("key"), c.get(0)) else {
                continue;
            };
            let k = key.as_bytes().to_ascii_lowercase();
            if NOT_SECRET_SUFFIXES
                .iter()
                .any(|s| k.ends_with(s.as_bytes()))
            {
                continue;
            }
            let (s, e) = bare_value(line, all.end());
            // `--password -x`: the next word is another option.
            if line.get(s) == Some(&b'-') {
                continue;
            }
            spans.push((s, e, kind_of(key.as_bytes())));
        }
        spans.retain(|&(s, e, _)| s < e && !empty_value(&line[s..e]));
        spans.sort();
        let mut pos = 0;
        for (s, e, kind) in spans {
            if s < pos {
                continue; // overlaps a span already replaced
            }
            out.extend_from_slice(&line[pos..s]);
            out.extend_from_slice(MARKER.as_bytes());
            counts.add(kind);
            pos = e;
        }
        out.extend_from_slice(&line[pos..]);
    }

    /// Passwords in `scheme://user:pass@host[,user:pass@host…]`.
    fn url_spans(&self, line: &[u8], spans: &mut Vec<(usize, usize, &'static str)>) {
        for m in self.url.find_iter(line) {
            let start = m.end();
            let end = line[start..]
                .iter()
                .position(|c| b"/?# \t\r\n\"'<>`".contains(c))
                .map_or(line.len(), |i| start + i);
            let authority = &line[start..end];
            let mut off = start;
            for part in authority.split(|&c| c == b',') {
                if let Some(at) = part.iter().rposition(|&c| c == b'@')
                    && let Some(colon) = part[..at].iter().position(|&c| c == b':')
                {
                    spans.push((off + colon + 1, off + at, "url-password"));
                }
                off += part.len() + 1;
            }
        }
    }

    /// Redacts a whole buffer (a command output, a small file).
    pub fn buffer(&self, text: &[u8], counts: &mut Counts) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len());
        let mut state = LineState::default();
        for line in text.split_inclusive(|&c| c == b'\n') {
            for piece in line.chunks(MAX_LINE) {
                self.line(piece, &mut state, &mut out, counts);
            }
        }
        out
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A value starting at `at`: quoted (to the closing quote) or bare (to
/// white space or a delimiter). Returns the span of the secret itself.
fn value_at(line: &[u8], at: usize) -> (usize, usize) {
    match line.get(at) {
        Some(&q) if q == b'"' || q == b'\'' => {
            let s = at + 1;
            let e = line[s..]
                .iter()
                .position(|&c| c == q)
                .map_or(line.len(), |i| s + i);
            (s, e)
        }
        // A nested object or list (`"password": {"user": …}`) holds keys,
        // not the secret itself.
        Some(b'{' | b'[') => (at, at),
        _ => bare_value(line, at),
    }
}

fn bare_value(line: &[u8], at: usize) -> (usize, usize) {
    let at = at.min(line.len());
    let e = line[at..]
        .iter()
        .position(|c| b" \t\r\n\"',;&}])".contains(c))
        .map_or(line.len(), |i| at + i);
    (at, e)
}

/// State carried from line to line.
#[derive(Clone, Debug, Default)]
pub struct LineState {
    in_private_key: bool,
    marked: bool,
}

/// A reader that yields the redacted form of another reader, line by line.
/// With `skip_partial_first`, bytes up to the first newline are dropped (a
/// file read from the middle: its first line is cut).
pub struct RedactingReader<'r, R> {
    inner: R,
    redactor: &'r Redactor,
    state: LineState,
    pub counts: Counts,
    line: Vec<u8>,
    out: Vec<u8>,
    pos: usize,
    eof: bool,
    skipping: bool,
}

impl<'r, R: Read> RedactingReader<'r, R> {
    pub fn new(inner: R, redactor: &'r Redactor, skip_partial_first: bool) -> Self {
        RedactingReader {
            inner,
            redactor,
            state: LineState::default(),
            counts: Counts::default(),
            line: Vec::new(),
            out: Vec::new(),
            pos: 0,
            eof: false,
            skipping: skip_partial_first,
        }
    }

    /// Fills `out` with at least one redacted line (or the rest at EOF).
    fn refill(&mut self) -> io::Result<()> {
        self.out.clear();
        self.pos = 0;
        let mut chunk = [0u8; 16 * 1024];
        while self.out.is_empty() && !self.eof {
            let n = match self.inner.read(&mut chunk) {
                Ok(0) => {
                    self.eof = true;
                    0
                }
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            let mut data = &chunk[..n];
            if self.skipping {
                match data.iter().position(|&c| c == b'\n') {
                    Some(i) => {
                        self.skipping = false;
                        data = &data[i + 1..];
                    }
                    None => continue,
                }
            }
            for piece in data.split_inclusive(|&c| c == b'\n') {
                self.line.extend_from_slice(piece);
                if piece.ends_with(b"\n") || self.line.len() >= MAX_LINE {
                    self.redactor.line(
                        &self.line,
                        &mut self.state,
                        &mut self.out,
                        &mut self.counts,
                    );
                    self.line.clear();
                }
            }
            if self.eof && !self.line.is_empty() {
                self.redactor
                    .line(&self.line, &mut self.state, &mut self.out, &mut self.counts);
                self.line.clear();
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for RedactingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.out.len() {
            self.refill()?;
        }
        let n = (self.out.len() - self.pos).min(buf.len());
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn red(text: &str) -> (String, Counts) {
        let r = Redactor::new();
        let mut c = Counts::default();
        let out = r.buffer(text.as_bytes(), &mut c);
        (String::from_utf8(out).unwrap(), c)
    }

    /// Lines as they appear in a Kolla/OpenStack-Ansible nova.conf.
    const NOVA_CONF: &str = "\
[DEFAULT]
transport_url = rabbit://openstack:Xq7pL2vR9s@10.0.0.11:5672,openstack:Xq7pL2vR9s@10.0.0.12:5672//
my_ip = 10.0.0.31
[api_database]
connection = mysql+pymysql://nova_api:Rb8dKz3wQm@10.0.0.10:3306/nova_api
[keystone_authtoken]
auth_url = http://10.0.0.10:5000
auth_type = password
username = nova
password = Hs9vBn2kLp
memcache_secret_key = 4fT8mQ1zXc
[libvirt]
rbd_secret_uuid = 457eb676-33da-42ec-9a8c-9293d545c337
images_rbd_pool = vms
[neutron]
metadata_proxy_shared_secret = Wm3nE7rTy
admin_password=legacyPass1
[vnc]
keymap = en-us
token_ttl = 600
";

    #[test]
    fn nova_conf() {
        let (out, c) = red(NOVA_CONF);
        for secret in [
            "Xq7pL2vR9s",
            "Rb8dKz3wQm",
            "Hs9vBn2kLp",
            "4fT8mQ1zXc",
            "Wm3nE7rTy",
            "legacyPass1",
        ] {
            assert!(!out.contains(secret), "{secret} left in:\n{out}");
        }
        // What rootline needs stays: hosts, users, the rbd secret's uuid.
        assert!(
            out.contains(
                "rabbit://openstack:<redacted>@10.0.0.11:5672,openstack:<redacted>@10.0.0.12:5672//"
            ),
            "{out}"
        );
        assert!(out.contains("mysql+pymysql://nova_api:<redacted>@10.0.0.10:3306/nova_api"));
        assert!(out.contains("rbd_secret_uuid = 457eb676-33da-42ec-9a8c-9293d545c337"));
        assert!(out.contains("auth_type = password"));
        assert!(out.contains("keymap = en-us\ntoken_ttl = 600\n"));
        assert!(out.contains("password = <redacted>\n"));
        assert_eq!(c.total, 7);
        assert_eq!(c.kinds["url-password"], 3);
        assert_eq!(c.kinds["password"], 2);
        assert_eq!(c.kinds["secret"], 2);
        assert_eq!(out.lines().count(), NOVA_CONF.lines().count());
    }

    #[test]
    fn cinder_conf_and_my_cnf() {
        let (out, c) = red(
            "[netapp]\nnetapp_login = admin\nnetapp_password = N3tApp!pw\nsan_password=\"quoted secret\"\n[client]\nuser=root\npassword=My5ql\n# password =\nvolume_backend_name = nfs\nnas_secure_file_permissions = auto\n",
        );
        assert!(
            !out.contains("N3tApp!pw") && !out.contains("quoted secret") && !out.contains("My5ql")
        );
        assert!(out.contains("san_password=\"<redacted>\""), "{out}");
        assert!(out.contains("# password =\n"));
        assert!(out.contains("nas_secure_file_permissions = auto"));
        assert_eq!(c.total, 3);
    }

    #[test]
    fn log_lines_headers_json_and_keys() {
        let (out, c) = red(concat!(
            "2024-05-02 10:11:12.123 7 DEBUG keystoneauth.session [-] REQ: curl -g -i -X GET http://10.0.0.10:8774/v2.1 -H \"X-Auth-Token: gAAAAABmM1xyz\" -H \"Authorization: Bearer eyJhbGciOi.abc\"\n",
            "{\"auth\": {\"identity\": {\"password\": {\"user\": {\"name\": \"admin\", \"password\": \"S3cr3t\"}}}}}\n",
            "INFO oslo: {'admin_password': 'pw1', 'flavor': 'm1.small'}\n",
            "mysql --user=nova --password=pw2 nova\n",
            "openstack --os-password pw3 server list\n",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7\nabcdef\n-----END RSA PRIVATE KEY-----\n",
            "kernel: monkey=1 keyboard ok\n",
            "Unpacking libsecret-1-0:amd64 (0.20.5-3) ...\n",
            "install gir1.2-secret-1:amd64 <none> 0.20.5-3 mypassword=kept\n",
        ));
        for s in [
            "gAAAAABmM1xyz",
            "eyJhbGciOi",
            "S3cr3t",
            "pw1",
            "pw2",
            "pw3",
            "MIIEpAIBAAKCAQEA7",
            "abcdef",
        ] {
            assert!(!out.contains(s), "{s} left in:\n{out}");
        }
        assert!(out.contains("Authorization: Bearer <redacted>"), "{out}");
        assert!(out.contains("\"name\": \"admin\""));
        assert!(out.contains("'flavor': 'm1.small'"));
        assert!(
            out.contains(
                "-----BEGIN RSA PRIVATE KEY-----\n<redacted>\n-----END RSA PRIVATE KEY-----\n"
            ),
            "{out}"
        );
        assert!(out.contains("kernel: monkey=1 keyboard ok"));
        assert!(out.contains("libsecret-1-0:amd64 (0.20.5-3)"), "{out}");
        assert!(out.contains("gir1.2-secret-1:amd64 <none>"), "{out}");
        // Only whole words name a secret: `mypassword` is not `password`.
        assert!(out.contains("mypassword=kept"), "{out}");
        assert_eq!(c.kinds["token"], 1);
        assert_eq!(c.kinds["authorization"], 1);
        assert_eq!(c.kinds["private-key"], 1);
        assert_eq!(c.kinds["password"], 4);
    }

    #[test]
    fn the_reader_matches_the_buffer_form_and_skips_a_cut_first_line() {
        let r = Redactor::new();
        let text = NOVA_CONF.repeat(50);
        let mut c = Counts::default();
        let whole = r.buffer(text.as_bytes(), &mut c);
        let mut rd = RedactingReader::new(text.as_bytes(), &r, false);
        let mut got = Vec::new();
        #[allow(clippy::disallowed_methods)]
        rd.read_to_end(&mut got).unwrap();
        assert_eq!(got, whole);
        assert_eq!(rd.counts, c);
        let mut rd = RedactingReader::new(&text.as_bytes()[5..], &r, true);
        let mut got = Vec::new();
        #[allow(clippy::disallowed_methods)]
        rd.read_to_end(&mut got).unwrap();
        assert!(got.starts_with(b"transport_url = rabbit://openstack:<redacted>@"));
    }

    #[test]
    fn non_utf8_and_long_lines_pass() {
        let mut text = vec![0xff, 0xfe];
        text.extend_from_slice(b"password=x\n");
        text.extend(std::iter::repeat_n(b'a', 3 * MAX_LINE));
        let (out, c) = {
            let r = Redactor::new();
            let mut c = Counts::default();
            (r.buffer(&text, &mut c), c)
        };
        assert_eq!(c.total, 1);
        assert_eq!(out.len(), text.len() - 1 + MARKER.len());
    }
}
