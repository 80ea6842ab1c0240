//! The verdict: diagnoses first (cause, confidence, explanation, chain, fix),
//! in the terminal and as a Markdown incident report shaped like the
//! operators' own write-ups (overview, symptoms, timeline, root cause,
//! contributing factors, evidence, remediation, prevention).

use std::fmt::Write as _;

use rootline_diagnose::{Action, Diagnosis, Evidence, Lang, Outcome};
use rootline_scan::Analysis;

use crate::{Painter, TextOptions, cut, short_path, shown_evidence};

/// Report labels in one language. Terms Korean operators write in English
/// (multipath, D state, qcow2…) come from the cause texts, not from here.
pub(crate) struct Labels {
    pub lang: Lang,
    pub diagnosis: &'static str,
    pub no_diagnosis: &'static str,
    pub confidence: &'static str,
    pub rests_on: &'static str,
    pub host_unnamed: &'static str,
    pub chain: &'static str,
    pub missing: &'static str,
    pub collect: &'static str,
    pub fix: &'static str,
    pub prevention: &'static str,
    pub contributing: &'static str,
    pub unexplained: &'static str,
    pub findings: &'static str,
    pub evidence_read: &'static str,
    pub timeline: &'static str,
    pub not_read: &'static str,
    pub events: &'static str,
    pub host: &'static str,
    // Markdown sections.
    pub report: &'static str,
    pub overview: &'static str,
    pub when: &'static str,
    pub scope: &'static str,
    pub impact: &'static str,
    pub detection: &'static str,
    pub symptoms: &'static str,
    pub root_cause: &'static str,
    pub evidence: &'static str,
    pub references: &'static str,
    pub time: &'static str,
    pub layer: &'static str,
    pub what: &'static str,
    pub source: &'static str,
    pub inferred_note: &'static str,
    // HTML report.
    pub files: &'static str,
    pub event_table: &'static str,
    pub picture_hint: &'static str,
    pub untimed: &'static str,
    pub rows_left_out: &'static str,
    pub no_events: &'static str,
    pub step: &'static str,
    pub role: &'static str,
    pub meaning: &'static str,
    pub first_seen: &'static str,
    pub count: &'static str,
    pub link: &'static str,
    pub severity: &'static str,
    pub signature: &'static str,
    pub fields: &'static str,
    pub lane_hardware: &'static str,
    pub lane_kernel: &'static str,
    pub lane_hypervisor: &'static str,
    pub lane_other: &'static str,
    pub legend_inferred: &'static str,
    pub legend_gap: &'static str,
}

const EN: Labels = Labels {
    lang: Lang::En,
    diagnosis: "Diagnosis",
    no_diagnosis: "No diagnosis: no chain of a known cause is present in this evidence.",
    confidence: "confidence",
    rests_on: "rests on",
    host_unnamed: "(not named in the evidence)",
    chain: "Chain of evidence",
    missing: "Not found (would strengthen or weaken this diagnosis)",
    collect: "Collect next",
    fix: "Fix",
    prevention: "Prevention",
    contributing: "Contributing factors",
    unexplained: "Unexplained errors in the same window",
    findings: "Findings (informational)",
    evidence_read: "Evidence",
    timeline: "Timeline (UTC)",
    not_read: "Not read",
    events: "events",
    host: "host",
    report: "Incident report",
    overview: "Overview",
    when: "When",
    scope: "Scope",
    impact: "Impact",
    detection: "Detection",
    symptoms: "Symptoms",
    root_cause: "Root cause",
    evidence: "Evidence",
    references: "References",
    time: "Time (UTC)",
    layer: "Layer",
    what: "Event",
    source: "Source",
    inferred_note: "Times marked ~ were partly inferred (year, zone or boot time); see the JSON report for how.",
    files: "files",
    event_table: "Events",
    picture_hint: "One lane per layer; each mark is an event, coloured by severity. Hover a mark for its time, signature, fields, file:line and text; click it to jump to its row. Arrows follow the chain of the top diagnosis. Long quiet gaps are cut out of the time axis.",
    untimed: "Not drawn: events without a known UTC time",
    rows_left_out: "more events not shown (see --format json)",
    no_events: "No signature matched.",
    step: "Step",
    role: "Role",
    meaning: "Meaning",
    first_seen: "First (UTC)",
    count: "Count",
    link: "Link",
    severity: "Severity",
    signature: "Signature",
    fields: "Fields",
    lane_hardware: "hardware",
    lane_kernel: "kernel",
    lane_hypervisor: "hypervisor",
    lane_other: "other",
    legend_inferred: "dark outline: time partly inferred",
    legend_gap: "axis break (gap skipped)",
};

const KO: Labels = Labels {
    lang: Lang::Ko,
    diagnosis: "진단",
    no_diagnosis: "진단 없음: 이 증거에는 알려진 원인의 연쇄가 없습니다.",
    confidence: "신뢰도",
    rests_on: "근거",
    host_unnamed: "(증거에 이름 없음)",
    chain: "증거 연쇄",
    missing: "찾지 못한 단계 (진단을 강화하거나 약화시킬 증거)",
    collect: "추가로 수집할 것",
    fix: "조치",
    prevention: "재발 방지",
    contributing: "기여 요인",
    unexplained: "같은 시간대의 설명되지 않은 오류",
    findings: "참고 사항",
    evidence_read: "증거",
    timeline: "타임라인 (UTC)",
    not_read: "읽지 못한 파일",
    events: "건",
    host: "호스트",
    report: "장애 보고서",
    overview: "장애 발생 개요",
    when: "발생 일시",
    scope: "영향 범위",
    impact: "영향",
    detection: "발견 경로",
    symptoms: "장애 현상 및 증상",
    root_cause: "근본 원인",
    evidence: "증거",
    references: "참고 자료",
    time: "시간 (UTC)",
    layer: "계층",
    what: "이벤트",
    source: "출처",
    inferred_note: "~ 표시된 시간은 일부(연도, 시간대, 부팅 시각)가 추정되었습니다. 상세 내용은 JSON 보고서를 보십시오.",
    files: "파일",
    event_table: "이벤트",
    picture_hint: "계층마다 한 줄(lane)이며, 각 점은 이벤트이고 색은 심각도를 나타냅니다. 점에 마우스를 올리면 시간, 시그니처, 필드, file:line, 원문이 보이고, 누르면 이벤트 표의 해당 행으로 이동합니다. 화살표는 첫 번째 진단의 증거 연쇄를 따라갑니다. 긴 공백 구간은 시간 축에서 생략됩니다.",
    untimed: "그림에 없는 이벤트: UTC 시간을 알 수 없음",
    rows_left_out: "건의 이벤트는 생략됨 (--format json 참고)",
    no_events: "일치한 시그니처가 없습니다.",
    step: "단계",
    role: "역할",
    meaning: "의미",
    first_seen: "최초 (UTC)",
    count: "건수",
    link: "연결",
    severity: "심각도",
    signature: "시그니처",
    fields: "필드",
    lane_hardware: "하드웨어",
    lane_kernel: "커널",
    lane_hypervisor: "하이퍼바이저",
    lane_other: "기타",
    legend_inferred: "진한 테두리: 시간 일부 추정",
    legend_gap: "축 생략 (공백 구간)",
};

pub(crate) fn labels(lang: Lang) -> &'static Labels {
    match lang {
        Lang::En => &EN,
        Lang::Ko => &KO,
    }
}

fn hms(t: Option<jiff::Timestamp>, lang: Lang) -> String {
    t.map(|t| t.strftime("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| crate::words::no_time(lang).to_string())
}

fn stamp(e: &Evidence, lang: Lang) -> String {
    let mark = if e.time_inferred { "~" } else { "" };
    format!("{}{mark}", hms(e.time, lang))
}

/// Wrap `text` at `width` columns after `indent`; continuation lines are
/// indented by as many spaces (a list number is not repeated).
fn wrap(o: &mut String, indent: &str, text: &str, width: usize) {
    let blank = " ".repeat(indent.chars().count());
    let mut prefix = indent;
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            let _ = writeln!(o, "{prefix}{line}");
            prefix = &blank;
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(o, "{prefix}{line}");
    }
}

fn actions_text(o: &mut String, p: &Painter, title: &str, list: &[Action]) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(o, "   {}", p.bold(title));
    for (i, a) in list.iter().enumerate() {
        wrap(o, &format!("     {}. ", i + 1), &a.text, 88);
        if let Some(c) = &a.command {
            let _ = writeln!(o, "        $ {c}");
        }
    }
}

/// The verdict section of the terminal report.
pub(crate) fn text(o: &mut String, a: &Analysis, out: &Outcome, opts: &TextOptions, p: &Painter) {
    let l = labels(opts.lang);
    let _ = writeln!(o, "{}", p.bold(l.diagnosis));
    if out.diagnoses.is_empty() {
        let _ = writeln!(o, "  {}", l.no_diagnosis);
    }
    for (n, d) in out.diagnoses.iter().enumerate() {
        let _ = writeln!(
            o,
            "{}. {}  [{} {:.2}, {}]",
            n + 1,
            p.bold(&d.cause),
            l.confidence,
            d.confidence,
            crate::words::word(l.lang, d.confidence_label)
        );
        wrap(o, "   ", &d.title, 94);
        let _ = writeln!(
            o,
            "   {} {} · {} … {}",
            l.host,
            d.host.as_deref().unwrap_or(l.host_unnamed),
            hms(d.first, l.lang),
            hms(d.last, l.lang)
        );
        wrap(o, "   ", &d.summary, 94);
        wrap(
            o,
            "   ",
            &format!("{}: {}", l.rests_on, basis_words(d, opts.lang)),
            94,
        );
        let _ = writeln!(o, "   {}", p.bold(l.chain));
        for s in &d.chain {
            let _ = writeln!(
                o,
                "   {:<7} {}  {} {} · {}",
                crate::words::word(l.lang, s.role),
                hms(s.first, l.lang),
                s.count,
                l.events,
                crate::words::word(l.lang, s.link)
            );
            wrap(o, "           ", &s.meaning, 88);
            if let Some(e) = s.events.first() {
                let _ = writeln!(
                    o,
                    "{}",
                    // One line within 100 columns: the place, then as much
                    // of the text as fits.
                    p.dim(&cut(
                        &format!(
                            "           {}:{}  {}",
                            short_path(a, &e.file),
                            e.line,
                            e.text
                        ),
                        100
                    ))
                );
            }
        }
        if !d.contributing.is_empty() {
            let _ = writeln!(o, "   {}", p.bold(l.contributing));
            for c in &d.contributing {
                let _ = writeln!(
                    o,
                    "     - {} — {} ({} {})",
                    c.cause,
                    c.title,
                    c.evidence.len(),
                    l.events
                );
            }
        }
        actions_text(o, p, l.fix, &d.remediation);
        actions_text(o, p, l.prevention, &d.prevention);
        if !d.missing.is_empty() {
            let _ = writeln!(o, "   {}", p.bold(l.missing));
            for m in &d.missing {
                wrap(o, "     - ", m, 88);
            }
        }
        actions_text(o, p, l.collect, &d.collect);
        if !d.unexplained.is_empty() {
            let _ = writeln!(o, "   {}", p.bold(l.unexplained));
            for e in &d.unexplained {
                let _ = writeln!(
                    o,
                    "     {} {}  {}:{}",
                    stamp(e, l.lang),
                    e.signature,
                    short_path(a, &e.file),
                    e.line
                );
            }
        }
        let _ = writeln!(o);
    }
    if !out.findings.is_empty() {
        let _ = writeln!(o, "{}", p.bold(l.findings));
        for f in &out.findings {
            wrap(
                o,
                "  - ",
                &format!(
                    "[{}] [{}] {} ({} {})",
                    f.severity, f.id, f.text, f.count, l.events
                ),
                94,
            );
            // One line per file it rests on (a host check may join several).
            let files = {
                let mut f: Vec<&str> = f.evidence.iter().map(|e| e.file.as_str()).collect();
                f.sort_unstable();
                f.dedup();
                f.len()
            };
            for e in shown_evidence(&f.evidence, files.clamp(1, 3)) {
                let _ = writeln!(
                    o,
                    "{}",
                    p.dim(&cut(
                        &format!("      {}:{}  {}", short_path(a, &e.file), e.line, e.text),
                        100
                    ))
                );
            }
            for x in &f.fix {
                wrap(o, "      → ", &x.text, 90);
                if let Some(c) = &x.command {
                    let _ = writeln!(o, "        $ {c}");
                }
            }
        }
        let _ = writeln!(o);
    }
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn md_actions(o: &mut String, list: &[Action]) {
    for (i, a) in list.iter().enumerate() {
        let _ = writeln!(o, "{}. {}", i + 1, a.text);
        if let Some(c) = &a.command {
            let _ = writeln!(o, "   ```sh\n   {c}\n   ```");
        }
    }
}

fn md_diagnosis(o: &mut String, a: &Analysis, d: &Diagnosis, l: &Labels) {
    let _ = writeln!(
        o,
        "## {} — {}\n",
        d.title,
        d.host.as_deref().unwrap_or(l.host_unnamed)
    );
    let _ = writeln!(o, "### 1. {}\n", l.overview);
    let _ = writeln!(
        o,
        "- **{}**: {} … {} (UTC)",
        l.when,
        hms(d.first, l.lang),
        hms(d.last, l.lang)
    );
    let mut scope = vec![format!(
        "{} `{}`",
        l.host,
        d.host.as_deref().unwrap_or(l.host_unnamed)
    )];
    for (k, v) in &d.entities {
        scope.push(format!(
            "{k}: {}",
            v.iter()
                .map(|x| format!("`{x}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let _ = writeln!(o, "- **{}**: {}", l.scope, scope.join("; "));
    let symptoms: Vec<&str> = d
        .chain
        .iter()
        .filter(|s| s.role == "symptom")
        .map(|s| s.meaning.as_str())
        .collect();
    let impact = if symptoms.is_empty() {
        d.chain
            .last()
            .map(|s| s.meaning.clone())
            .unwrap_or_default()
    } else {
        symptoms.join("; ")
    };
    let _ = writeln!(o, "- **{}**: {}", l.impact, impact);
    if let Some(first_symptom) = d
        .chain
        .iter()
        .find(|s| s.role == "symptom")
        .and_then(|s| s.events.first())
    {
        let _ = writeln!(
            o,
            "- **{}**: {} — `{}` ({}:{})",
            l.detection,
            stamp(first_symptom, l.lang),
            first_symptom.signature,
            short_path(a, &first_symptom.file),
            first_symptom.line
        );
    }
    let _ = writeln!(
        o,
        "- **{}**: `{}` {:.2} ({}); {}: {}\n",
        l.confidence,
        d.cause,
        d.confidence,
        crate::words::word(l.lang, d.confidence_label),
        l.rests_on,
        basis_words(d, l.lang)
    );

    let _ = writeln!(o, "### 2. {}\n", l.symptoms);
    for s in d.chain.iter().filter(|s| s.role != "root") {
        let _ = writeln!(o, "- {} ({} {})", s.meaning, s.count, l.events);
    }
    let _ = writeln!(o);

    let _ = writeln!(o, "### 3. {}\n", l.timeline);
    let _ = writeln!(
        o,
        "| {} | {} | {} | {} |",
        l.time, l.layer, l.what, l.source
    );
    let _ = writeln!(o, "|---|---|---|---|");
    for s in &d.chain {
        for e in &s.events {
            let _ = writeln!(
                o,
                "| {} | {} | {} | `{}:{}` |",
                stamp(e, l.lang),
                crate::words::word(l.lang, s.role),
                md_escape(&format!("{} — {}", s.meaning, cut(&e.text, 120))),
                short_path(a, &e.file),
                e.line
            );
        }
    }
    let _ = writeln!(o, "\n_{}_\n", l.inferred_note);

    let _ = writeln!(o, "### 4. {}\n", l.root_cause);
    let _ = writeln!(o, "{}\n", d.summary);
    for (i, s) in d.chain.iter().enumerate() {
        let _ = writeln!(
            o,
            "{}. **{}** ({}, {}) — {}",
            i + 1,
            s.step,
            crate::words::word(l.lang, s.role),
            crate::words::word(l.lang, s.link),
            s.meaning
        );
    }
    if !d.missing.is_empty() {
        let _ = writeln!(o, "\n{}:\n", l.missing);
        for m in &d.missing {
            let _ = writeln!(o, "- {m}");
        }
    }
    let _ = writeln!(o);

    let _ = writeln!(o, "### 5. {}\n", l.contributing);
    if d.contributing.is_empty() && d.unexplained.is_empty() {
        let _ = writeln!(o, "-");
    }
    for c in &d.contributing {
        let _ = writeln!(o, "- `{}` — {}", c.cause, c.title);
        for e in &c.evidence {
            let _ = writeln!(
                o,
                "  - `{}:{}` {}",
                short_path(a, &e.file),
                e.line,
                md_escape(&cut(&e.text, 160))
            );
        }
    }
    for e in &d.unexplained {
        let _ = writeln!(
            o,
            "- {}: {} `{}` ({}:{})",
            l.unexplained,
            stamp(e, l.lang),
            e.signature,
            short_path(a, &e.file),
            e.line
        );
    }
    let _ = writeln!(o);

    let _ = writeln!(o, "### 6. {}\n", l.evidence);
    let _ = writeln!(o, "```text");
    for e in d.evidence.iter().take(40) {
        let _ = writeln!(
            o,
            "{}:{}: {}",
            short_path(a, &e.file),
            e.line,
            cut(&e.text, 200)
        );
    }
    if d.evidence.len() > 40 {
        let _ = writeln!(o, "… +{}", d.evidence.len() - 40);
    }
    let _ = writeln!(o, "```\n");

    let _ = writeln!(o, "### 7. {}\n", l.fix);
    md_actions(o, &d.remediation);
    if !d.collect.is_empty() {
        let _ = writeln!(o, "\n**{}**\n", l.collect);
        md_actions(o, &d.collect);
    }
    let _ = writeln!(o, "\n### 8. {}\n", l.prevention);
    md_actions(o, &d.prevention);
    if !d.references.is_empty() {
        let _ = writeln!(o, "\n**{}**: {}", l.references, d.references.join(", "));
    }
    let _ = writeln!(o);
}

/// The incident report in Markdown, ready to paste into a ticket.
pub fn markdown(a: &Analysis, out: &Outcome, lang: Lang) -> String {
    let l = labels(lang);
    let mut o = String::new();
    let hosts: Vec<String> = a.roots.iter().filter_map(|r| r.hostname.clone()).collect();
    let _ = writeln!(
        o,
        "# {} — {}\n",
        l.report,
        if hosts.is_empty() {
            "?".to_string()
        } else {
            hosts.join(", ")
        }
    );
    if out.diagnoses.is_empty() {
        let _ = writeln!(o, "{}\n", l.no_diagnosis);
    }
    for d in &out.diagnoses {
        md_diagnosis(&mut o, a, d, l);
    }
    if !out.findings.is_empty() {
        let _ = writeln!(o, "## {}\n", l.findings);
        for f in &out.findings {
            let _ = writeln!(
                o,
                "- **{}** ({}): {} ({} {})",
                f.id, f.severity, f.text, f.count, l.events
            );
            for e in shown_evidence(&f.evidence, 3) {
                let _ = writeln!(
                    o,
                    "  - `{}:{}` {}",
                    short_path(a, &e.file),
                    e.line,
                    md_escape(&cut(&e.text, 160))
                );
            }
            for x in &f.fix {
                match &x.command {
                    Some(c) => {
                        let _ = writeln!(o, "  - {} `{}`", x.text, c);
                    }
                    None => {
                        let _ = writeln!(o, "  - {}", x.text);
                    }
                }
            }
        }
        let _ = writeln!(o);
    }
    let _ = writeln!(
        o,
        "---\nrootline {} · {} files · {} {}",
        env!("CARGO_PKG_VERSION"),
        a.files.len(),
        a.events.len(),
        l.events
    );
    o
}

/// What a diagnosis rests on, in words: how many files, which layers, and
/// the clock its order was judged on.
pub(crate) fn basis_words(d: &Diagnosis, lang: Lang) -> String {
    let b = &d.basis;
    let order = match (b.order, lang) {
        ("utc", Lang::En) => "order by UTC time",
        ("since-boot", Lang::En) => "order by seconds since boot (no absolute time)",
        ("line-order", Lang::En) => "order by line order in one file (no time stamps)",
        (_, Lang::En) => "order not established",
        ("utc", Lang::Ko) => "UTC 시각 기준 순서",
        ("since-boot", Lang::Ko) => "부팅 후 경과 시간 기준 순서 (절대 시각 없음)",
        ("line-order", Lang::Ko) => "한 파일 안의 줄 순서 기준 (시각 없음)",
        (_, Lang::Ko) => "순서 확인 불가",
    };
    match lang {
        Lang::En => format!(
            "{} file{} ({}); layer{}: {}; {}",
            b.files.len(),
            if b.files.len() == 1 { "" } else { "s" },
            file_names(&b.files),
            if b.layers.len() == 1 { "" } else { "s" },
            b.layers.join(", "),
            order
        ),
        Lang::Ko => format!(
            "파일 {}개 ({}); 계층: {}; {}",
            b.files.len(),
            file_names(&b.files),
            b.layers.join(", "),
            order
        ),
    }
}

/// Up to three file names (their last part, cut to 32 characters), then
/// how many more: the basis line stays short whatever the names.
fn file_names(files: &[String]) -> String {
    let mut names: Vec<String> = files
        .iter()
        .take(3)
        .map(|f| {
            let n = f.rsplit(['/', '!']).next().unwrap_or(f);
            if n.chars().count() > 32 {
                format!("{}…", n.chars().take(31).collect::<String>())
            } else {
                n.to_string()
            }
        })
        .collect();
    if files.len() > 3 {
        names.push(format!("+{}", files.len() - 3));
    }
    names.join(", ")
}
