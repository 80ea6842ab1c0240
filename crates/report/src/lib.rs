//! Reports: the terminal timeline and the versioned JSON document.
//!
//! Only this crate decides how an [`Analysis`] looks to a person or a
//! program. The JSON shape is a contract (`docs/json-schema.md`); the text
//! shape is for humans and may change.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use rootline_diagnose::{Lang, Outcome};
use rootline_hoststate::Fact;
use rootline_model::{Event, SCHEMA_VERSION, Severity};
use rootline_scan::Analysis;

mod html;
mod verdict;
pub mod words;

pub use html::html;
use serde::Serialize;
pub use verdict::markdown;

/// Options for the text report.
#[derive(Clone, Debug)]
pub struct TextOptions {
    /// Emit ANSI colour (only when writing to a terminal).
    pub color: bool,
    /// Show attached trace / traceback lines under each event.
    pub context: bool,
    /// Show every event of a run of one signature instead of folding it.
    pub expand: bool,
    /// The report language.
    pub lang: Lang,
}

/// Runs of at least this many events of one signature fold into one line.
const FOLD_RUN: usize = 4;

/// A file as shown in the timeline: relative to its root when there is one
/// root, prefixed with the root's name when there are several.
pub(crate) fn short_path(a: &Analysis, file: &str) -> String {
    for r in &a.roots {
        for sep in ['/', '!'] {
            if let Some(rest) = file.strip_prefix(&r.path).and_then(|x| x.strip_prefix(sep)) {
                if a.roots.len() == 1 {
                    return rest.to_string();
                }
                let name = r
                    .path
                    .rsplit('/')
                    .find(|s| !s.is_empty())
                    .unwrap_or(&r.path);
                return format!("{name}{sep}{rest}");
            }
        }
    }
    file.to_string()
}

fn event_text(
    o: &mut String,
    p: &Painter,
    e: &Event,
    opts: &TextOptions,
    short: &dyn Fn(&str) -> String,
) {
    let sev = p.paint(
        sev_style(e.severity),
        &format!("{:<8}", e.severity.as_str()),
    );
    let _ = writeln!(
        o,
        "{} {} {}  {}",
        time_column(e, opts.lang),
        sev,
        e.signature,
        cut(&fields_text(e), 40)
    );
    let mut where_ = format!("    {}:{}", short(&e.source.file), e.source.line);
    if let Some(h) = &e.host {
        where_ = format!("    {h}  {}:{}", short(&e.source.file), e.source.line);
    }
    if !e.also.is_empty() {
        where_.push_str(&format!(" (also in {} other file(s))", e.also.len()));
    }
    if e.repeats > 0 {
        let until = e
            .last_seen
            .map(|t| format!(" until {}", t.strftime("%Y-%m-%d %H:%M:%S")))
            .unwrap_or_default();
        where_.push_str(&format!("  (+{} more like it{until})", e.repeats));
    }
    let _ = writeln!(o, "{}", p.dim(&where_));
    let _ = writeln!(o, "    {}", cut(&e.text, 96));
    if opts.context {
        for c in &e.context {
            let _ = writeln!(o, "      {}", p.dim(&cut(c, 94)));
        }
    }
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Inputs<'a> {
    roots: &'a [rootline_scan::RootSummary],
    files: &'a [rootline_scan::FileSummary],
}

#[derive(Serialize)]
struct Summary {
    files_read: usize,
    files_not_read: usize,
    events: usize,
    /// Occurrences per signature id, folded repeats included.
    by_signature: BTreeMap<String, u64>,
}

#[derive(Serialize)]
struct Document<'a> {
    schema_version: &'static str,
    tool: Tool,
    inputs: Inputs<'a>,
    summary: Summary,
    /// Ranked best first; empty when nothing is wrong.
    diagnoses: &'a [rootline_diagnose::Diagnosis],
    findings: &'a [rootline_diagnose::Finding],
    /// Host state read from command outputs and configuration files:
    /// per file, its kind, typed facts, checks and notes (since 1.1).
    host: &'a [rootline_scan::HostFile],
    events: &'a [Event],
    not_read: &'a [rootline_evidence::NotRead],
}

fn summary(a: &Analysis) -> Summary {
    let mut by_signature = BTreeMap::new();
    for e in &a.events {
        *by_signature.entry(e.signature.clone()).or_insert(0) += 1 + e.repeats;
    }
    Summary {
        files_read: a.files.len(),
        files_not_read: a.not_read.len(),
        events: a.events.len(),
        by_signature,
    }
}

/// The JSON document (schema `SCHEMA_VERSION`), pretty-printed.
pub fn json(a: &Analysis, o: &Outcome) -> String {
    let mut out = Vec::new();
    // Writing plain data into a Vec cannot fail; fall back to an error
    // object rather than panic if it ever does.
    match write_json(&mut out, a, o) {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(e) => format!("{{\"error\": \"{}\"}}", e.to_string().replace('"', "'")),
    }
}

/// Stream the JSON document to `w`: a large timeline is never held as one
/// string in memory.
pub fn write_json(w: &mut dyn std::io::Write, a: &Analysis, o: &Outcome) -> std::io::Result<()> {
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "rootline",
            version: env!("CARGO_PKG_VERSION"),
        },
        inputs: Inputs {
            roots: &a.roots,
            files: &a.files,
        },
        summary: summary(a),
        diagnoses: &o.diagnoses,
        findings: &o.findings,
        host: &a.host,
        events: &a.events,
        not_read: &a.not_read,
    };
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    w.write_all(b"\n")
}

fn sev_style(s: Severity) -> Style {
    match s {
        Severity::Info => Style::new().fg_color(Some(AnsiColor::Cyan.into())),
        Severity::Warning => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
        Severity::Error => Style::new().fg_color(Some(AnsiColor::Red.into())),
        Severity::Critical => Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
    }
}

pub(crate) struct Painter {
    color: bool,
}

impl Painter {
    pub(crate) fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }
    pub(crate) fn dim(&self, text: &str) -> String {
        self.paint(Style::new().dimmed(), text)
    }
    pub(crate) fn bold(&self, text: &str) -> String {
        self.paint(Style::new().bold(), text)
    }
}

/// The time column: `2025-10-13 19:51:02.123` with a marker — nothing when
/// observed, `~` when partly inferred, `≈` when borrowed from a nearby line;
/// `+12289.195649s boot` when only seconds since an unknown boot are known;
/// `(no time)` otherwise.
pub fn time_column(e: &Event, lang: Lang) -> String {
    match (e.time.utc, e.time.since_boot) {
        (Some(t), _) => {
            let s = t.strftime("%Y-%m-%d %H:%M:%S%.3f").to_string();
            let mark = if e.time.borrowed {
                "≈"
            } else if !e.time.inferred.is_empty() {
                "~"
            } else {
                " "
            };
            format!("{s}{mark}")
        }
        (None, Some(b)) => match lang {
            Lang::En => format!("+{b:.6}s after boot"),
            Lang::Ko => format!("부팅 후 +{b:.6}s"),
        },
        (None, None) => words::no_time(lang).to_string(),
    }
}

fn fields_text(e: &Event) -> String {
    let mut out = String::new();
    for (k, v) in &e.fields {
        if !out.is_empty() {
            out.push(' ');
        }
        let _ = write!(out, "{k}={v}");
    }
    out
}

/// The cited lines a short report shows of a finding: the first line of
/// every file it rests on (a host check can join qemu.conf, ps and a share
/// listing), then further lines in order, at most `max`, in their order.
pub(crate) fn shown_evidence(
    ev: &[rootline_diagnose::Evidence],
    max: usize,
) -> Vec<&rootline_diagnose::Evidence> {
    let mut pick: Vec<usize> = Vec::new();
    let mut files: Vec<&str> = Vec::new();
    for (i, e) in ev.iter().enumerate() {
        if pick.len() < max && !files.contains(&e.file.as_str()) {
            files.push(&e.file);
            pick.push(i);
        }
    }
    for i in 0..ev.len() {
        if pick.len() >= max {
            break;
        }
        if !pick.contains(&i) {
            pick.push(i);
        }
    }
    pick.sort_unstable();
    pick.into_iter().map(|i| &ev[i]).collect()
}

pub(crate) fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Unique non-empty values, sorted.
fn unique(v: impl Iterator<Item = Option<String>>) -> Vec<String> {
    let mut out: Vec<String> = v.flatten().filter(|s| !s.is_empty()).collect();
    out.sort();
    out.dedup();
    out
}

fn list(v: &[String], max: usize, lang: Lang) -> String {
    if v.is_empty() {
        return lang.pick("none", "없음").to_string();
    }
    let shown: Vec<&str> = v.iter().take(max).map(String::as_str).collect();
    if v.len() > max {
        match lang {
            Lang::En => format!("{} (+{} more)", shown.join(", "), v.len() - max),
            Lang::Ko => format!("{} (외 {}개)", shown.join(", "), v.len() - max),
        }
    } else {
        shown.join(", ")
    }
}

/// What the command outputs say about the host, in a few lines: disks,
/// maps, memory, processes, loop devices.
fn host_summary(o: &mut String, a: &Analysis, p: &Painter, lang: Lang) {
    if a.host.is_empty() {
        return;
    }
    let _ = match lang {
        Lang::En => writeln!(
            o,
            "  host state from {} command outputs / configuration files:",
            a.host.len()
        ),
        Lang::Ko => writeln!(
            o,
            "  명령 출력·설정 파일 {}개에서 읽은 호스트 상태:",
            a.host.len()
        ),
    };
    // Facts read typed (rootline_hoststate::Fact), never by key.
    let typed: Vec<Fact> = a
        .host
        .iter()
        .flat_map(|h| h.state.facts.iter().map(Fact::of))
        .collect();
    let facts = || typed.iter();
    let unknown = || lang.pick("unknown", "알 수 없음").to_string();
    let mut disks: Vec<String> = facts()
        .filter_map(|f| match f {
            Fact::BlockDevice(b) if b.dev_type.as_deref() == Some("disk") => b.name.clone(),
            _ => None,
        })
        .collect();
    for f in facts() {
        if let Fact::Disk(d) = f {
            let name = d.device.clone().or(d.model.clone()).unwrap_or_else(unknown);
            let health = d.health.clone().unwrap_or_else(unknown);
            disks.push(format!("{name} (SMART {health})"));
        }
    }
    disks.sort();
    disks.dedup();
    let _ = writeln!(
        o,
        "    {}{}",
        lang.pick("disks      ", "디스크     "),
        cut(&list(&disks, 8, lang), 86)
    );
    let mpath = unique(facts().map(|f| match f {
        Fact::MultipathMap(m) => m.name.clone(),
        _ => None,
    }));
    let dm = unique(facts().map(|f| match f {
        Fact::DmDevice(d) => d.name.clone(),
        _ => None,
    }));
    let maps = format!(
        "multipath: {}; device-mapper: {} ({})",
        list(&mpath, 4, lang),
        dm.len(),
        list(&dm, 3, lang)
    );
    let _ = writeln!(
        o,
        "    {}{}",
        lang.pick("maps       ", "맵         "),
        cut(&maps, 85)
    );
    if let Some(m) = facts().find_map(|f| match f {
        Fact::Memory(m) => Some(m),
        _ => None,
    }) {
        let gib = |v: Option<f64>| v.map(|v| format!("{:.1} GiB", v / 1024.0));
        let (total, avail, used, swap) = (
            gib(m.total).unwrap_or_else(unknown),
            gib(m.available).unwrap_or_else(unknown),
            gib(m.swap_used).unwrap_or_else(unknown),
            gib(m.swap_total).unwrap_or_else(unknown),
        );
        let _ = match lang {
            Lang::En => writeln!(
                o,
                "    memory     {total} total, {avail} available, swap {used} of {swap} used"
            ),
            Lang::Ko => writeln!(
                o,
                "    메모리     전체 {total}, 사용 가능 {avail}, swap {swap} 중 {used} 사용"
            ),
        };
    }
    let procs: Vec<(String, String)> = {
        let mut v: Vec<(String, String)> = facts()
            .filter_map(|f| match f {
                Fact::Process(p) => Some((p.pid.clone()?, p.state.clone().unwrap_or_default())),
                _ => None,
            })
            .collect();
        v.sort();
        v.dedup_by(|a, b| a.0 == b.0);
        v
    };
    if !procs.is_empty() {
        let d = procs.iter().filter(|(_, s)| s.starts_with('D')).count();
        let z = procs.iter().filter(|(_, s)| s.starts_with('Z')).count();
        let _ = match lang {
            Lang::En => writeln!(
                o,
                "    processes  {} (D state: {d}, zombies: {z})",
                procs.len()
            ),
            Lang::Ko => writeln!(
                o,
                "    프로세스   {}개 (D 상태: {d}, 좀비: {z})",
                procs.len()
            ),
        };
    }
    let loops = unique(facts().map(|f| match f {
        Fact::LoopDevice(l) => l.device.clone(),
        _ => None,
    }));
    if !loops.is_empty() {
        // Distinct devices: `losetup` and rootline's own snapshot may both
        // name the same loop device.
        let deleted = facts()
            .filter_map(|f| match f {
                Fact::LoopDevice(l) if l.deleted => l.device.as_deref(),
                _ => None,
            })
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        let _ = match lang {
            Lang::En => writeln!(
                o,
                "    loop       {} ({deleted} with a deleted backing file)",
                list(&loops, 6, lang)
            ),
            Lang::Ko => writeln!(
                o,
                "    loop       {} (backing 파일이 삭제된 것 {deleted}개)",
                list(&loops, 6, lang)
            ),
        };
    }
    let notes: Vec<String> = a
        .host
        .iter()
        .flat_map(|h| {
            h.state
                .notes
                .iter()
                .map(move |n| format!("{}: {n}", short_path(a, &h.path)))
        })
        .collect();
    for n in notes.iter().take(5) {
        let _ = writeln!(
            o,
            "{}",
            p.dim(&cut(
                &format!("    {}: {n}", lang.pick("note", "참고")),
                100
            ))
        );
    }
}

/// The terminal report: inputs, the merged timeline, and what was not read.
/// Laid out for 100 columns.
pub fn text(a: &Analysis, outcome: &Outcome, opts: &TextOptions) -> String {
    let p = Painter { color: opts.color };
    let mut o = String::new();
    let sum = summary(a);
    verdict::text(&mut o, a, outcome, opts, &p);

    let l = verdict::labels(opts.lang);
    let _ = writeln!(o, "{}", p.bold(l.evidence_read));
    for r in &a.roots {
        let host = r.hostname.as_deref().unwrap_or("-");
        let _ = writeln!(
            o,
            "  {} ({}, {} {})",
            r.path,
            r.kind,
            opts.lang.pick("host", "호스트"),
            host
        );
        let c = &r.clock;
        // Sources are named inside the root: drop its prefix, keep 100 columns.
        let here = |from: &str| cut(&from.replace(&format!("{}/", r.path), ""), 72);
        let _ = writeln!(
            o,
            "    {} {} — {}",
            opts.lang.pick("zone", "시간대"),
            c.zone,
            here(&c.zone_from)
        );
        if let (Some(t), Some(from)) = (c.collected_at, &c.collected_from) {
            let _ = writeln!(
                o,
                "    {} {} — {}",
                opts.lang.pick("collected", "수집   "),
                t.strftime("%Y-%m-%d %H:%M:%SZ"),
                here(from)
            );
        }
        if let (Some(t), Some(from)) = (c.boot_time, &c.boot_from) {
            let _ = writeln!(
                o,
                "    {} {} — {}",
                opts.lang.pick("booted   ", "부팅   "),
                t.strftime("%Y-%m-%d %H:%M:%SZ"),
                here(from)
            );
        }
    }
    host_summary(&mut o, a, &p, opts.lang);
    let mut by_format: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &a.files {
        *by_format.entry(f.format).or_insert(0) += 1;
    }
    let formats: Vec<String> = by_format.iter().map(|(k, v)| format!("{v} {k}")).collect();
    let _ = match opts.lang {
        Lang::En => writeln!(
            o,
            "  read {} files ({}); {} not read",
            sum.files_read,
            formats.join(", "),
            sum.files_not_read
        ),
        Lang::Ko => writeln!(
            o,
            "  파일 {}개 읽음 ({}); 읽지 못한 파일 {}개",
            sum.files_read,
            formats.join(", "),
            sum.files_not_read
        ),
    };
    for f in a
        .files
        .iter()
        .filter(|f| f.partial.is_some() || f.long_lines > 0)
    {
        if let Some(why) = &f.partial {
            let _ = writeln!(
                o,
                "  {}: {} — {}",
                opts.lang.pick("partly read", "일부만 읽음"),
                f.path,
                why
            );
        }
        if f.long_lines > 0 {
            let _ = match opts.lang {
                Lang::En => writeln!(o, "  {} over-long line(s) cut in {}", f.long_lines, f.path),
                Lang::Ko => writeln!(o, "  {}: 너무 긴 줄 {}개를 잘라 읽음", f.path, f.long_lines),
            };
        }
    }

    let _ = writeln!(o);
    let occurrences = sum.by_signature.values().sum::<u64>();
    let _ = match opts.lang {
        Lang::En => writeln!(
            o,
            "{} ({} events, {occurrences} occurrences)",
            p.bold(l.timeline),
            sum.events
        ),
        Lang::Ko => writeln!(
            o,
            "{} (이벤트 {}개, 발생 {occurrences}회)",
            p.bold(l.timeline),
            sum.events
        ),
    };
    if a.events.is_empty() {
        let _ = writeln!(
            o,
            "  {}",
            opts.lang
                .pick("no signature matched", "일치한 시그니처 없음")
        );
    }
    let short = |f: &str| short_path(a, f);
    let mut i = 0;
    while i < a.events.len() {
        let e = &a.events[i];
        // A run of the same signature (a flood of identical errors, a denial
        // storm) reads better as its first event and a count.
        let run = a.events[i..]
            .iter()
            .take_while(|x| x.signature == e.signature)
            .count();
        let shown = if opts.expand || run < FOLD_RUN {
            run
        } else {
            1
        };
        for e in &a.events[i..i + shown] {
            event_text(&mut o, &p, e, opts, &short);
        }
        if shown < run {
            let rest = &a.events[i + shown..i + run];
            let occurrences: u64 = rest.iter().map(|x| 1 + x.repeats).sum();
            let mut files: Vec<String> = rest.iter().map(|x| short(&x.source.file)).collect();
            files.sort();
            files.dedup();
            let until = rest
                .iter()
                .rev()
                .find_map(|x| x.last_seen.or(x.time.utc))
                .map(|t| t.strftime("%Y-%m-%d %H:%M:%S").to_string());
            let files = cut(&files.join(", "), 60);
            let line = match opts.lang {
                Lang::En => format!(
                    "    ⋮ {occurrences} more {}{} in {files} (--expand shows them)",
                    e.signature,
                    until.map(|t| format!(" until {t}")).unwrap_or_default()
                ),
                Lang::Ko => format!(
                    "    ⋮ {} {occurrences}회 더{} — {files} (--expand로 모두 표시)",
                    e.signature,
                    until.map(|t| format!(" ({t}까지)")).unwrap_or_default()
                ),
            };
            let _ = writeln!(o, "{}", p.dim(&line));
        }
        i += run;
    }
    if a.events.iter().any(|e| e.time.utc.is_some()) {
        let _ = writeln!(
            o,
            "{}",
            p.dim(opts.lang.pick(
                "  ~ time partly inferred (year, zone or boot; see --format json)   ≈ borrowed from the nearest stamped line",
                "  ~ 시각 일부 추정(연도, 시간대 또는 부팅 시각; --format json 참고)   ≈ 가장 가까운 시각 있는 줄에서 빌려 옴"
            ))
        );
    }

    if !a.not_read.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(o, "{} ({})", p.bold(l.not_read), a.not_read.len());
        for n in &a.not_read {
            let _ = writeln!(o, "  {} — {}", n.path, n.reason);
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use rootline_model::{EventTime, FieldValue, Fields, Inference, SourceRef, Timestamp};

    fn event(utc: Option<Timestamp>, since: Option<f64>, inferred: bool) -> Event {
        let mut fields = Fields::new();
        fields.insert("device".into(), FieldValue::Text("sdv".into()));
        Event {
            time: EventTime {
                utc,
                since_boot: since,
                raw: "Oct 13 19:51:02".into(),
                inferred: if inferred {
                    vec![Inference {
                        what: "year",
                        from: "sosreport date".into(),
                    }]
                } else {
                    vec![]
                },
                borrowed: false,
            },
            host: Some("node37".into()),
            source: SourceRef {
                file: "var/log/kern.log".into(),
                line: 7,
            },
            also: vec![],
            component: "kernel".into(),
            signature: "kernel.block.io-error".into(),
            severity: Severity::Error,
            fields,
            text: "I/O error, dev sdv, sector 2410496 op 0x1:(WRITE)".into(),
            context: vec![],
            repeats: 0,
            last_seen: None,
            truncated: false,
        }
    }

    #[test]
    fn time_column_says_what_it_knows() {
        let t: Timestamp = "2025-10-13T19:51:02Z".parse().unwrap();
        assert_eq!(
            time_column(&event(Some(t), None, false), Lang::En),
            "2025-10-13 19:51:02.000 "
        );
        assert_eq!(
            time_column(&event(Some(t), None, true), Lang::En),
            "2025-10-13 19:51:02.000~"
        );
        assert_eq!(
            time_column(&event(None, Some(12289.195649), false), Lang::En),
            "+12289.195649s after boot"
        );
        assert_eq!(
            time_column(&event(None, None, false), Lang::En),
            "(no time)"
        );
    }

    #[test]
    fn json_has_the_contract_fields() {
        let t: Timestamp = "2025-10-13T19:51:02Z".parse().unwrap();
        let a = Analysis {
            host: vec![],
            roots: vec![],
            files: vec![],
            not_read: vec![rootline_evidence::NotRead {
                path: "x".into(),
                reason: "binary content".into(),
            }],
            events: vec![event(Some(t), None, true)],
        };
        let v: serde_json::Value = serde_json::from_str(&json(&a, &Outcome::default())).unwrap();
        assert_eq!(v["schema_version"], SCHEMA_VERSION);
        let e = &v["events"][0];
        assert_eq!(e["time"]["utc"], "2025-10-13T19:51:02Z");
        assert_eq!(e["time"]["inferred"][0]["what"], "year");
        assert_eq!(e["signature"], "kernel.block.io-error");
        assert_eq!(e["fields"]["device"], "sdv");
        assert_eq!(e["source"]["line"], 7);
        assert_eq!(v["not_read"][0]["reason"], "binary content");
        assert_eq!(v["summary"]["by_signature"]["kernel.block.io-error"], 1);
    }
}
