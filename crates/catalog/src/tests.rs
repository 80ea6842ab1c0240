//! Unit tests of loading, errors, overrides, matching and the builtin catalog.

use super::*;
use rootline_model::FieldValue;

const ONE: &str = r#"
# a comment
[[signature]]
id = "test.io-error"
component = "kernel"
severity = "error"
pattern = 'I/O error, dev (?P<device>\w+), sector (?P<sector>\d+)(?: op (?P<op>0x[0-9a-f]+:\(\w+\)))?'
fields = { device = "device", sector = "sector", op = "op" }
description = { en = "Block I/O error.", ko = "블록 I/O 오류." }
negatives = ["Buffer I/O error on dev sdb1, logical block 0, async page read"]

[[signature.example]]
line = 'Oct 13 19:51:02 host kernel: I/O error, dev sdv, sector 2410496 op 0x1:(WRITE) flags 0x800 phys_seg 1 prio class 0'
fields = { device = "sdv", sector = "2410496", op = "WRITE" }

[[signature]]
id = "test.nfs"
component = "nfs"
severity = "warning"
pattern = '(?i)nfs: server (?P<host>\S+) not responding'
fields = { host = "host" }
description = { en = "NFS server not responding.", ko = "NFS 서버 응답 없음." }
negatives = ["nfs: server 10.0.0.5 OK"]

[[signature.example]]
line = 'nfs: server 10.0.0.5 not responding, still trying'
fields = { host = "10.0.0.5" }
"#;

fn one() -> Catalog {
    Catalog::from_sources([("one.toml", ONE)]).unwrap()
}

#[test]
fn loads_with_origins_and_literals() {
    let c = one();
    assert_eq!(c.signatures.len(), 2);
    assert_eq!(c.signatures[0].origin, "one.toml:3");
    assert_eq!(c.signatures[1].origin, "one.toml:16");
    assert_eq!(c.signatures[0].literals, vec!["I/O error, dev "]);
    // (?i): every case variant of the first letters, 64 in all.
    let nfs = &c.signatures[1].literals;
    assert_eq!(nfs.len(), 64, "{nfs:?}");
    assert!(nfs.contains(&"nfs: ser".to_string()) && nfs.contains(&"NFS: SER".to_string()));
}

/// A tiny header stripper for the tests (the real line parser is
/// `rootline-parse`): RFC 3164 / RFC 3339 syslog headers and dmesg stamps.
fn strip_header(line: &str) -> Vec<u8> {
    let syslog = regex::Regex::new(
        r"^(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)?|\d{4}-\d\d-\d\dT\S+) [^\s:]+ [^:\s\[]+(?:\[\d+\])?: ",
    )
    .unwrap();
    let dmesg = regex::Regex::new(r"^\[\s*\d+\.\d+\] ").unwrap();
    let mut rest = line;
    if let Some(m) = syslog.find(rest) {
        rest = &rest[m.end()..];
    }
    if let Some(m) = dmesg.find(rest) {
        rest = &rest[m.end()..];
    }
    rest.as_bytes().to_vec()
}

#[test]
fn header_stripper_strips() {
    assert_eq!(
        strip_header("Oct 13 19:51:02 host kernel: [12289.195649] I/O error"),
        b"I/O error"
    );
    assert_eq!(
        strip_header("2025-10-13T19:51:02+09:00 host multipathd[12]: sdv: mark as failed"),
        b"sdv: mark as failed"
    );
    assert_eq!(strip_header("[ 1.233824] Kernel panic"), b"Kernel panic");
    assert_eq!(strip_header("ERROR cluster 1"), b"ERROR cluster 1");
}

fn report(failures: &[ExampleFailure]) -> String {
    failures
        .iter()
        .map(|f| {
            format!(
                "{} ({}): {}\n    {}",
                f.signature, f.origin, f.problem, f.line
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn builtin_catalog_loads_and_every_example_passes() {
    let cat = Catalog::builtin().unwrap_or_else(|e| panic!("{e}"));
    assert!(cat.signatures.len() >= 80, "{}", cat.signatures.len());
    let m = cat.compile().unwrap_or_else(|e| panic!("{e}"));
    let raw = cat.check_examples(&m, &|l: &str| l.as_bytes().to_vec());
    assert!(raw.is_empty(), "line itself:\n{}", report(&raw));
    let stripped = cat.check_examples(&m, &strip_header);
    assert!(
        stripped.is_empty(),
        "header stripped:\n{}",
        report(&stripped)
    );
}

/// A valid one-signature file; `edit` rewrites one of its lines.
fn sig(edit: &[(&str, &str)]) -> String {
    let mut text = String::from(
        r#"[[signature]]
id = "t.sig"
component = "kernel"
severity = "error"
pattern = 'Failing path (?P<devnum>\d+:\d+)'
fields = { devnum = "devnum" }
description = { en = "x", ko = "y" }
negatives = ["Failing path x"]

[[signature.example]]
line = 'Failing path 65:48.'
fields = { devnum = "65:48" }
"#,
    );
    for (from, to) in edit {
        assert!(text.contains(from), "{from}");
        text = text.replace(from, to);
    }
    text
}

fn load_err(text: &str) -> Error {
    match Catalog::from_sources([("cat/x.toml", text)]) {
        Ok(_) => panic!("loaded:\n{text}"),
        Err(e) => e,
    }
}

#[test]
fn errors_name_file_and_line() {
    assert!(Catalog::from_sources([("cat/x.toml", sig(&[]).as_str())]).is_ok());

    let e = load_err(&sig(&[("pattern = 'Failing", "pattern = 'Failing (")]));
    assert_eq!((e.file.as_str(), e.line), ("cat/x.toml", 5), "{e}");
    assert!(
        e.to_string()
            .starts_with("cat/x.toml:5: signature t.sig: bad pattern"),
        "{e}"
    );

    let e = load_err(&sig(&[(
        r#"{ devnum = "devnum" }"#,
        r#"{ devnum = "gizmo" }"#,
    )]));
    assert_eq!(e.line, 6, "{e}");
    assert!(e.message.contains("unknown field kind"), "{e}");

    let e = load_err(&sig(&[(r#"fields = { devnum = "devnum" }"#, "")]));
    assert_eq!(e.line, 5, "{e}");
    assert!(
        e.message.contains("capture `devnum` has no field kind"),
        "{e}"
    );

    let e = load_err(&sig(&[(r#"severity = "error""#, r#"severity = "fatal""#)]));
    assert_eq!(e.line, 4, "{e}");

    let e = load_err(&sig(&[(
        r#"severity = "error""#,
        "severity = \"error\"\nblock = \"stack\"",
    )]));
    assert_eq!(e.line, 5, "{e}");
    assert!(e.message.contains("unknown block"), "{e}");

    let e = load_err(&sig(&[(
        r"pattern = 'Failing path (?P<devnum>\d+:\d+)'",
        r"pattern = '(?P<devnum>\d+:\d+)'",
    )]));
    assert_eq!(e.line, 5, "{e}");
    assert!(e.message.contains("no required literal"), "{e}");

    let e = load_err(&sig(&[(
        "component = \"kernel\"",
        "component = \"kernel\"\ncolour = \"red\"",
    )]));
    assert_eq!(e.line, 4, "{e}");
    assert!(e.message.contains("colour"), "{e}");

    // TOML syntax: an unterminated string on line 7.
    let e = load_err(&sig(&[(r#"en = "x""#, r#"en = "x"#)]));
    assert_eq!(e.line, 7, "{e}");

    let e = load_err(&sig(&[(
        "[[signature.example]]\nline = 'Failing path 65:48.'\nfields = { devnum = \"65:48\" }\n",
        "",
    )]));
    assert_eq!(e.line, 1, "{e}");
    assert!(e.message.contains("example"), "{e}");

    let e = load_err(&sig(&[(
        r#"fields = { devnum = "65:48" }"#,
        r#"fields = { dev = "65:48" }"#,
    )]));
    assert_eq!(e.line, 12, "{e}");

    let e = load_err(&sig(&[]).replace(
        "fields = { devnum = \"devnum\" }",
        "fields = { devnum = \"devnum\" }\nliterals = ['ab']",
    ));
    assert_eq!(e.line, 7, "{e}");

    // The same id twice in one set: the second one is named.
    let two = format!("{}\n{}", sig(&[]), sig(&[]));
    let e = load_err(&two);
    assert_eq!(e.line, 14, "{e}");
    assert!(
        e.message
            .contains("duplicate signature id t.sig (first at cat/x.toml:1)"),
        "{e}"
    );
    let one = sig(&[]);
    let e =
        Catalog::from_sources([("a.toml", one.as_str()), ("b.toml", one.as_str())]).unwrap_err();
    assert_eq!((e.file.as_str(), e.line), ("b.toml", 1), "{e}");
}

#[test]
fn compile_errors_name_the_signature() {
    let mut c = one();
    c.signatures[1].pattern = "(unclosed".into();
    let e = c.compile().err().unwrap();
    assert_eq!((e.file.as_str(), e.line), ("one.toml", 16), "{e}");
    assert!(!e.message.contains('\n'), "{e}");
    let mut c = one();
    c.signatures[0].literals.clear();
    let e = c.compile().err().unwrap();
    assert_eq!(e.line, 3, "{e}");
}

#[test]
fn extend_override_and_disable() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("site");
    std::fs::create_dir(&sub).unwrap();
    // Replaces test.io-error (same id), adds t.sig, removes test.nfs.
    let replaced = ONE
        .split("\n[[signature]]\nid = \"test.nfs\"")
        .next()
        .unwrap()
        .replace(r#"severity = "error""#, r#"severity = "critical""#);
    std::fs::write(sub.join("10-replace.toml"), replaced).unwrap();
    std::fs::write(dir.path().join("00-new.toml"), sig(&[])).unwrap();
    std::fs::write(
        dir.path().join("20-off.toml"),
        "[[signature]]\nid = \"test.nfs\"\ndisabled = true\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a catalog").unwrap();

    let mut c = one();
    c.extend_from_dir(dir.path()).unwrap();
    let ids: Vec<&str> = c.signatures.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["test.io-error", "t.sig"]);
    assert_eq!(c.signatures[0].severity, Severity::Critical);
    assert!(
        c.signatures[0].origin.ends_with("10-replace.toml:3"),
        "{}",
        c.signatures[0].origin
    );
    assert!(c.compile().is_ok());

    // Disabling an unknown id is an error naming the file, and the catalog
    // is left as it was.
    let bad = tempfile::tempdir().unwrap();
    std::fs::write(
        bad.path().join("x.toml"),
        "\n[[signature]]\nid = \"nope\"\ndisabled = true\n",
    )
    .unwrap();
    let before = c.signatures.len();
    let e = c.extend_from_dir(bad.path()).unwrap_err();
    assert!(e.file.ends_with("x.toml") && e.line == 2, "{e}");
    assert_eq!(c.signatures.len(), before);

    // A missing directory is an error, not a panic.
    assert!(c.extend_from_dir(&dir.path().join("absent")).is_err());
}

#[test]
fn prefilter_and_confirm_over_a_buffer() {
    let m = one().compile().unwrap();
    let buf = b"Oct 13 19:51:01 host kernel: nothing here\n\
Oct 13 19:51:02 host kernel: I/O error, dev sdv, sector 2410496 op 0x1:(WRITE) flags 0x800\n\
Oct 13 19:51:03 host kernel: i/o error, dev sdv (wrong case, no candidate)\n\
Oct 13 19:51:04 host kernel: NFS: SERVER 10.0.0.5 NOT RESPONDING, still trying\n\
Oct 13 19:51:05 host kernel: the end\n";
    let mut at = 0;
    let mut hits = Vec::new();
    while let Some(pos) = m.next_candidate(buf, at) {
        let start = buf[..pos]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let end = buf[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(buf.len(), |i| pos + i);
        if let Some(hit) = m.confirm(&buf[start..end]) {
            hits.push((m.signatures()[hit.sig].id.clone(), hit.fields));
        }
        at = end;
    }
    assert_eq!(hits.len(), 2, "{hits:?}");
    assert_eq!(hits[0].0, "test.io-error");
    assert_eq!(hits[0].1["device"], FieldValue::Text("sdv".into()));
    assert_eq!(hits[0].1["sector"], FieldValue::Int(2410496));
    assert_eq!(hits[0].1["op"], FieldValue::Text("WRITE".into()));
    assert_eq!(hits[1].0, "test.nfs");
    assert_eq!(hits[1].1["host"], FieldValue::Text("10.0.0.5".into()));

    assert_eq!(m.next_candidate(buf, buf.len()), None);
    assert_eq!(m.next_candidate(b"", 0), None);
    assert!(m.confirm(b"\xff\xfe garbage \x00").is_none());
}

#[test]
fn priority_then_order() {
    let text = format!(
        "{}\n{}",
        sig(&[]),
        sig(&[("id = \"t.sig\"", "id = \"t.prio\"\npriority = 5")])
    );
    let c = Catalog::from_sources([("p.toml", text.as_str())]).unwrap();
    let m = c.compile().unwrap();
    let all = m.confirm_all(b"Failing path 65:48.");
    let ids: Vec<&str> = all
        .iter()
        .map(|h| m.signatures()[h.sig].id.as_str())
        .collect();
    assert_eq!(ids, ["t.prio", "t.sig"]);
    assert_eq!(m.confirm(b"Failing path 65:48.").unwrap().sig, 1);
    // Both claim the same line: t.sig's example is shadowed by t.prio.
    let failures = c.check_examples(&m, &|l: &str| l.as_bytes().to_vec());
    assert_eq!(failures.len(), 1, "{}", report(&failures));
    assert_eq!(failures[0].signature, "t.sig");
    assert!(
        failures[0].problem.contains("t.prio"),
        "{}",
        failures[0].problem
    );
}

#[test]
fn check_examples_reports_field_mismatches_and_negatives() {
    let text = sig(&[
        (
            r#"fields = { devnum = "65:48" }"#,
            r#"fields = { devnum = "65:49" }"#,
        ),
        (
            r#"negatives = ["Failing path x"]"#,
            r#"negatives = ["Failing path 1:2"]"#,
        ),
    ]);
    let c = Catalog::from_sources([("f.toml", text.as_str())]).unwrap();
    let m = c.compile().unwrap();
    let f = c.check_examples(&m, &|l: &str| l.as_bytes().to_vec());
    assert_eq!(f.len(), 2, "{}", report(&f));
    assert!(
        f[0].problem.contains("expected {devnum=\"65:49\"}"),
        "{}",
        f[0].problem
    );
    assert!(f[1].problem.contains("negative"), "{}", f[1].problem);
    assert_eq!(f[0].origin, "f.toml:1");
}

#[test]
fn export_rg_is_one_pattern_per_line() {
    let c = Catalog::builtin().unwrap();
    let out = c.export_rg();
    assert_eq!(out.lines().count(), c.signatures.len());
    for (line, s) in out.lines().zip(&c.signatures) {
        assert!(!line.contains("(?P<"), "{line}");
        // Same matches as the signature's own regex.
        let exported = regex::bytes::RegexBuilder::new(line)
            .unicode(false)
            .build()
            .unwrap();
        for ex in &s.examples {
            assert!(
                exported.is_match(ex.line.as_bytes()),
                "{}: {}",
                s.id,
                ex.line
            );
        }
    }
    assert_eq!(
        strip_capture_names(r"a(?P<x>b)(?<y>[(?P<z>])\(?P<w>"),
        r"a(b)([(?P<z>])\(?P<w>"
    );
    assert_eq!(
        strip_capture_names(r"[]x](?P<n>y)[^]](?:z)"),
        r"[]x](y)[^]](?:z)"
    );
    assert_eq!(strip_capture_names("(?P<unterminated"), "(?P<unterminated");
}

#[test]
fn ripgrep_accepts_the_export_and_finds_every_example() {
    // Runs only where ripgrep is installed (the benchmark machine has it).
    let Ok(out) = std::process::Command::new("rg").arg("--version").output() else {
        eprintln!("rg not installed: skipped");
        return;
    };
    if !out.status.success() {
        return;
    }
    let c = Catalog::builtin().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pats = dir.path().join("patterns");
    let lines = dir.path().join("examples");
    std::fs::write(&pats, c.export_rg()).unwrap();
    let mut text = String::new();
    for s in &c.signatures {
        for e in &s.examples {
            text.push_str(&e.line);
            text.push('\n');
        }
    }
    std::fs::write(&lines, &text).unwrap();
    let out = std::process::Command::new("rg")
        .args(["--no-unicode", "--no-filename", "-c", "-f"])
        .arg(&pats)
        .arg(&lines)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let count: usize = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    assert_eq!(count, text.lines().count());
}

#[test]
fn literals_given_for_a_case_folding_pattern_ignore_case() {
    let text = sig(&[
        (
            r"pattern = 'Failing path (?P<devnum>\d+:\d+)'",
            "pattern = '(?i)failing path (?P<devnum>\\d+:\\d+)'\nliterals = ['failing path']",
        ),
        (
            "negatives = [\"Failing path x\"]",
            "negatives = [\"FAILING PATH x\"]",
        ),
    ]);
    let c = Catalog::from_sources([("ci.toml", text.as_str())]).unwrap();
    let m = c.compile().unwrap();
    let buf = b"noise\nnoise FAILING PATH 8:16\n";
    let at = m.next_candidate(buf, 0).unwrap();
    assert_eq!(&buf[at..at + 12], b"FAILING PATH");
    assert!(
        c.check_examples(&m, &|l: &str| l.as_bytes().to_vec())
            .is_empty()
    );
}

#[test]
fn matcher_is_shared_across_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Matcher>();
    shared::<Catalog>();
}
