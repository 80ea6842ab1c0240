//! The HTML report: one self-contained page (inline CSS and SVG, no script,
//! no network) with the verdict first, then a timeline picture — one lane
//! per layer, events as marks, the top diagnosis's chain as arrows, hover
//! details in SVG `<title>`s — then the event table and what was not read.
//!
//! Everything taken from the evidence is escaped ([`esc`]): log lines are
//! untrusted. The page also carries a Content-Security-Policy that forbids
//! scripts and every network fetch, so a missed escape could not run code.
//! The output is deterministic (no current time), for snapshot tests.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use rootline_diagnose::{Action, Diagnosis, Evidence, Lang, Outcome};
use rootline_model::{Event, Severity};
use rootline_scan::Analysis;

use crate::verdict::{Labels, labels};
use crate::{cut, fields_text, short_path, shown_evidence, time_column};

/// Rows of the event table; the rest are counted, not shown.
const MAX_ROWS: usize = 3000;
/// Marks in the picture; beyond this, the most severe are kept.
const MAX_MARKS: usize = 5000;
/// Events listed under the picture for lack of a UTC time.
const MAX_UNTIMED: usize = 200;

// The picture's geometry, in viewBox units (1 unit = 1 px at 1400 px).
const WIDTH: f64 = 1400.0;
const PLOT_X0: f64 = 215.0;
const PLOT_X1: f64 = 1385.0;
const TOP: f64 = 58.0;
const GAP_W: f64 = 46.0;
const ROW_H: f64 = 13.0;
const LANE_PAD: f64 = 10.0;
const MAX_LANE_ROWS: usize = 7;
const MARK_R: f64 = 4.5;
/// Quiet gaps longer than this, and than 1/8 of the stretch they are in,
/// are cut out of the time axis.
const MIN_BREAK_MS: i64 = 10 * 60 * 1000;
const MAX_SEGMENTS: usize = 8;

/// Escape text for HTML (element content and quoted attributes). Control
/// characters other than tab and newline become U+FFFD.
pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            '\t' | '\n' => o.push(c),
            c if c.is_control() => o.push('\u{FFFD}'),
            c => o.push(c),
        }
    }
    o
}

/// A layer of the stack, drawn as one lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Lane {
    Hardware,
    Kernel,
    Multipath,
    Hypervisor,
    OpenStack,
    Kubernetes,
    Other,
}

impl Lane {
    const ALL: [Lane; 7] = [
        Lane::Hardware,
        Lane::Kernel,
        Lane::Multipath,
        Lane::Hypervisor,
        Lane::OpenStack,
        Lane::Kubernetes,
        Lane::Other,
    ];

    /// The stable id (`data-lane`).
    pub(crate) fn id(self) -> &'static str {
        match self {
            Lane::Hardware => "hardware",
            Lane::Kernel => "kernel",
            Lane::Multipath => "multipath",
            Lane::Hypervisor => "hypervisor",
            Lane::OpenStack => "openstack",
            Lane::Kubernetes => "kubernetes",
            Lane::Other => "other",
        }
    }

    fn label(self, l: &Labels) -> (&'static str, &'static str) {
        match self {
            Lane::Hardware => (l.lane_hardware, "scsi · iscsi · nvme"),
            Lane::Kernel => (l.lane_kernel, "block · fs · nfs · memory"),
            Lane::Multipath => ("multipath / dm", "multipathd · device-mapper"),
            Lane::Hypervisor => (l.lane_hypervisor, "qemu · libvirt"),
            Lane::OpenStack => ("OpenStack", "nova · cinder · os-brick"),
            Lane::Kubernetes => ("Kubernetes", "kubelet · containerd"),
            Lane::Other => (l.lane_other, ""),
        }
    }
}

/// The lane of an event's component. Devices and their transport (SCSI,
/// iSCSI, NVMe, SMART) are the hardware lane; the rest of the kernel (block
/// layer, filesystems, NFS, memory, security, processes) is the kernel lane.
pub(crate) fn lane(component: &str) -> Lane {
    let c = component.to_ascii_lowercase();
    match c.as_str() {
        "hardware" | "nvme" | "scsi" | "iscsi" | "smart" | "smartctl" | "disk" | "ipmi" | "mce"
        | "edac" | "raid" | "megaraid" | "firmware" => Lane::Hardware,
        "kernel" | "block" | "filesystem" | "fs" | "ext4" | "xfs" | "nfs" | "memory" | "oom"
        | "security" | "selinux" | "apparmor" | "audit" | "process" | "systemd" => Lane::Kernel,
        "multipath" | "multipathd" | "device-mapper" | "dm" | "lvm" => Lane::Multipath,
        "qemu" | "libvirt" | "libvirtd" | "virtqemud" | "kvm" => Lane::Hypervisor,
        "nova" | "cinder" | "os-brick" | "glance" | "neutron" | "openstack" => Lane::OpenStack,
        "kubelet" | "containerd" | "kubernetes" | "k8s" | "cri-o" | "crio" => Lane::Kubernetes,
        _ if c.starts_with("nova-") || c.starts_with("cinder-") => Lane::OpenStack,
        _ if c.starts_with("kube") => Lane::Kubernetes,
        _ => Lane::Other,
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

fn sev_class(s: Severity) -> &'static str {
    match s {
        Severity::Info => "sev-info",
        Severity::Warning => "sev-warning",
        Severity::Error => "sev-error",
        Severity::Critical => "sev-critical",
    }
}

const CSS: &str = r#"
:root { --ink:#1d2330; --dim:#5c6573; --line:#d5dae2; --bg:#ffffff; --panel:#f6f7f9;
  --info:#4c7fd9; --warning:#e3a008; --error:#e8590c; --critical:#c1121f; --chain:#6a3fc1; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
  font:14px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK KR", "Malgun Gothic", sans-serif; }
main, header, footer { max-width:1380px; overflow-wrap:break-word; margin:0 auto; padding:0 10px; }
header { padding-top:16px; }
h1 { font-size:22px; margin:4px 0 6px; }
h2 { font-size:18px; margin:26px 0 8px; padding-bottom:4px; border-bottom:2px solid var(--line); }
h3 { font-size:16px; margin:4px 0 6px; }
h4 { font-size:14px; margin:14px 0 4px; }
p { margin:4px 0; }
.meta, .note, .dim { color:var(--dim); }
.meta { font-size:13px; }
code, pre, .mono { font-family:ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size:12.5px; }
code { background:#eef0f4; padding:0 3px; border-radius:3px; }
code.more { font-size:11px; color:var(--dim); }
details { margin:10px 0 4px; }
pre { background:#1f2430; color:#f2f4f8; padding:6px 10px; border-radius:4px; margin:4px 0 8px; overflow-x:auto; }
pre code { background:none; padding:0; color:inherit; }
.diagnosis { border:1px solid var(--line); border-left:6px solid var(--critical); border-radius:6px;
  padding:10px 14px; margin:10px 0 16px; background:var(--panel); }
.diagnosis.conf-medium { border-left-color:var(--warning); }
.diagnosis.conf-low { border-left-color:var(--info); }
.rank { display:inline-block; min-width:22px; text-align:center; background:var(--ink); color:#fff; border-radius:11px; font-size:13px; margin-right:4px; }
.badge { display:inline-block; padding:0 7px; border-radius:9px; font-size:12px; font-weight:600; color:#fff; }
.badge.conf-high { background:var(--critical); } .badge.conf-medium { background:var(--warning); } .badge.conf-low { background:var(--info); }
.summary { font-size:15px; margin:6px 0 8px; }
.nodiag { font-size:15px; padding:10px 14px; background:#eaf6ec; border:1px solid #b7dfbf; border-radius:6px; }
table { border-collapse:collapse; width:100%; background:#fff; }
th, td { border:1px solid var(--line); padding:3px 6px; text-align:left; vertical-align:top; }
td.nw { white-space:nowrap; }
td.src { overflow-wrap:anywhere; }
th { background:#eceff3; font-size:12.5px; }
td { font-size:13px; }
table.chain td.num { text-align:right; }
tr.role-root td:first-child { border-left:4px solid var(--critical); }
tr.role-effect td:first-child { border-left:4px solid var(--error); }
tr.role-symptom td:first-child { border-left:4px solid var(--warning); }
.line { font-family:ui-monospace, "DejaVu Sans Mono", monospace; font-size:11.5px; color:var(--dim); word-break:break-all; }
.events td { font-size:12px; padding:2px 5px; }
.events td.t { white-space:nowrap; font-family:ui-monospace, "DejaVu Sans Mono", monospace; }
.sev { display:inline-block; padding:0 5px; border-radius:3px; color:#fff; font-size:11px; }
.sev.sev-info { background:var(--info); } .sev.sev-warning { background:var(--warning); color:#222; }
.sev.sev-error { background:var(--error); } .sev.sev-critical { background:var(--critical); }
.events tr:target { outline:2px solid var(--chain); }
ul, ol { margin:4px 0; padding-left:24px; }
.figure { border:1px solid var(--line); border-radius:6px; padding:4px; background:#fff; }
svg#timeline { display:block; width:100%; height:auto; font-family:system-ui, "Noto Sans", "Noto Sans CJK KR", sans-serif; }
svg .lane-bg { fill:#f7f8fa; } svg .lane.odd .lane-bg { fill:#edf0f5; }
svg .lane-label { font-size:14px; font-weight:600; fill:var(--ink); }
svg .lane-sub { font-size:10.5px; fill:var(--dim); }
svg .lane-count { font-size:10.5px; fill:var(--dim); }
svg .grid { stroke:#c9cfd8; stroke-width:1; stroke-dasharray:3 4; }
svg .axis-line { stroke:#8a93a1; stroke-width:1; }
svg .tick-label { font-size:11px; fill:#3a4250; text-anchor:middle; }
svg .seg-date { font-size:12px; font-weight:600; fill:var(--ink); }
svg .axis-title { font-size:12px; font-weight:700; fill:var(--ink); }
svg .gap-band { fill:#e3e6eb; }
svg .gap-zig { fill:none; stroke:#8a93a1; stroke-width:1.2; }
svg .gap-label { font-size:10px; fill:var(--dim); text-anchor:middle; }
svg .event { stroke:#ffffff; stroke-width:1; }
svg .event.sev-info { fill:var(--info); } svg .event.sev-warning { fill:var(--warning); }
svg .event.sev-error { fill:var(--error); } svg .event.sev-critical { fill:var(--critical); stroke:#4a0508; }
svg .event.inferred { stroke:#1d2330; stroke-width:.8; }
svg a:hover .event, svg .event:hover { stroke:#000; stroke-width:2.5; }
svg .repeat-span { stroke-width:2; stroke-linecap:round; opacity:.55; }
svg .repeat-span.sev-info { stroke:var(--info); } svg .repeat-span.sev-warning { stroke:var(--warning); }
svg .repeat-span.sev-error { stroke:var(--error); } svg .repeat-span.sev-critical { stroke:var(--critical); }
svg .repeat-count { font-size:9px; fill:#333; }
svg .chain-ring { fill:none; stroke:var(--chain); stroke-width:2.5; }
svg .chain-arrow { fill:none; stroke:var(--chain); stroke-width:2.4; opacity:.9; }
svg .arrowhead { fill:var(--chain); }
svg .step-badge circle { fill:var(--chain); stroke:#fff; stroke-width:1.5; }
svg .step-badge text { font-size:11px; font-weight:700; fill:#fff; text-anchor:middle; }
svg .step-badge text.step-name { font-size:11.5px; text-anchor:start; font-weight:600; fill:var(--chain); paint-order:stroke; stroke:#fff; stroke-width:3.5px; stroke-linejoin:round; }
svg .legend text { font-size:11.5px; fill:var(--ink); }
svg .empty-note { font-size:14px; fill:var(--dim); text-anchor:middle; }
footer { color:var(--dim); font-size:12px; padding:20px 10px 30px; }
"#;

/// The HTML report: one self-contained page.
pub fn html(a: &Analysis, out: &Outcome, lang: Lang) -> String {
    let l = labels(lang);
    let mut o = String::with_capacity(64 * 1024 + a.events.len() * 600);
    let mut hosts: Vec<String> = a.roots.iter().filter_map(|r| r.hostname.clone()).collect();
    hosts.dedup();
    let hosts = if hosts.is_empty() {
        "?".to_string()
    } else {
        hosts.join(", ")
    };
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"rootline {}\">\n\
         <title>{} — {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        match lang {
            Lang::En => "en",
            Lang::Ko => "ko",
        },
        env!("CARGO_PKG_VERSION"),
        esc(l.report),
        esc(&hosts)
    );
    let _ = writeln!(o, "<header>\n<h1>{} — {}</h1>", esc(l.report), esc(&hosts));
    for r in &a.roots {
        let _ = writeln!(
            o,
            "<p class=\"meta\">{}: <code>{}</code> ({}, {} <b>{}</b>, zone {})</p>",
            esc(l.evidence_read),
            esc(&r.path),
            esc(r.kind),
            esc(l.host),
            esc(r.hostname.as_deref().unwrap_or("-")),
            esc(&r.clock.zone)
        );
    }
    let _ = writeln!(
        o,
        "<p class=\"meta\">{} {} · {} {} · {} {}</p>\n</header>\n<main>",
        esc(l.files),
        a.files.len(),
        esc(l.event_table),
        a.events.len(),
        esc(l.not_read),
        a.not_read.len()
    );

    // The verdict first.
    let _ = writeln!(o, "<section id=\"verdict\">\n<h2>{}</h2>", esc(l.diagnosis));
    if out.diagnoses.is_empty() {
        let _ = writeln!(
            o,
            "<p class=\"nodiag\" id=\"no-diagnosis\">{}</p>",
            esc(l.no_diagnosis)
        );
    }
    for (n, d) in out.diagnoses.iter().enumerate() {
        diagnosis(&mut o, a, n + 1, d, l);
    }
    let _ = writeln!(o, "</section>");

    if !out.findings.is_empty() {
        let _ = writeln!(
            o,
            "<section id=\"findings\">\n<h2>{}</h2>\n<ul>",
            esc(l.findings)
        );
        for f in &out.findings {
            let _ = write!(
                o,
                "<li><code>{}</code> {} ({} {})",
                esc(&f.id),
                esc(&f.text),
                f.count,
                esc(l.events)
            );
            // Each file the finding rests on (a host check may join several).
            let mut files: Vec<&str> = f.evidence.iter().map(|e| e.file.as_str()).collect();
            files.sort_unstable();
            files.dedup();
            let cites: Vec<String> = shown_evidence(&f.evidence, files.len().clamp(1, 4))
                .into_iter()
                .map(|e| format!("<code>{}:{}</code>", esc(&short_path(a, &e.file)), e.line))
                .collect();
            if !cites.is_empty() {
                let _ = write!(o, " — {}", cites.join(" "));
            }
            let _ = writeln!(o, "</li>");
        }
        let _ = writeln!(o, "</ul>\n</section>");
    }

    let _ = writeln!(
        o,
        "<section id=\"picture\">\n<h2>{}</h2>\n<p class=\"note\">{}</p>\n<div class=\"figure\">",
        esc(l.timeline),
        esc(l.picture_hint)
    );
    picture(&mut o, a, out, l);
    let _ = writeln!(o, "</div>");
    untimed(&mut o, a, l);
    let _ = writeln!(o, "</section>");

    event_table(&mut o, a, l);

    if !a.not_read.is_empty() {
        let _ = writeln!(
            o,
            "<section id=\"not-read\">\n<h2>{} ({})</h2>\n<ul>",
            esc(l.not_read),
            a.not_read.len()
        );
        for n in &a.not_read {
            let _ = writeln!(
                o,
                "<li><code>{}</code> — {}</li>",
                esc(&n.path),
                esc(&n.reason)
            );
        }
        let _ = writeln!(o, "</ul>\n</section>");
    }
    let _ = writeln!(
        o,
        "</main>\n<footer>rootline {} · {} {} · {} {}</footer>\n</body>\n</html>",
        env!("CARGO_PKG_VERSION"),
        esc(l.files),
        a.files.len(),
        esc(l.event_table),
        a.events.len()
    );
    o
}

fn conf_class(label: &str) -> &'static str {
    match label {
        "high" => "conf-high",
        "medium" => "conf-medium",
        _ => "conf-low",
    }
}

fn actions(o: &mut String, id: &str, title: &str, list: &[Action]) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(o, "<h4>{}</h4>\n<ol class=\"actions {id}\">", esc(title));
    for a in list {
        let _ = write!(o, "<li>{}", esc(&a.text));
        if let Some(c) = &a.command {
            let _ = write!(o, "<pre><code>{}</code></pre>", esc(c));
        }
        let _ = writeln!(o, "</li>");
    }
    let _ = writeln!(o, "</ol>");
}

fn diagnosis(o: &mut String, a: &Analysis, n: usize, d: &Diagnosis, l: &Labels) {
    let cc = conf_class(d.confidence_label);
    let _ = writeln!(
        o,
        "<section class=\"diagnosis {cc}\" id=\"diagnosis-{n}\" data-cause=\"{}\">",
        esc(&d.cause)
    );
    let _ = writeln!(
        o,
        "<h3><span class=\"rank\">{n}</span> <code>{}</code> — {}</h3>",
        esc(&d.cause),
        esc(&d.title)
    );
    let _ = writeln!(
        o,
        "<p><span class=\"badge {cc}\">{} {:.2} · {}</span> · {} <b>{}</b> · {}: {} … {} UTC</p>",
        esc(l.confidence),
        d.confidence,
        esc(crate::words::word(l.lang, d.confidence_label)),
        esc(l.host),
        esc(d.host.as_deref().unwrap_or(l.host_unnamed)),
        esc(l.when),
        hms(d.first, l.lang),
        hms(d.last, l.lang)
    );
    let _ = writeln!(o, "<p class=\"summary\">{}</p>", esc(&d.summary));
    if !d.entities.is_empty() {
        let parts: Vec<String> = d
            .entities
            .iter()
            .map(|(k, v)| {
                let vals: Vec<String> = v
                    .iter()
                    .map(|x| format!("<code>{}</code>", esc(x)))
                    .collect();
                format!("{}: {}", esc(k), vals.join(", "))
            })
            .collect();
        let _ = writeln!(
            o,
            "<p class=\"entities\"><b>{}</b> — {}</p>",
            esc(l.scope),
            parts.join("; ")
        );
    }

    let _ = writeln!(
        o,
        "<h4>{}</h4>\n<table class=\"chain\">\n<thead><tr><th>#</th><th>{}</th><th>{}</th>\
         <th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>",
        esc(l.chain),
        esc(l.step),
        esc(l.role),
        esc(l.meaning),
        esc(l.first_seen),
        esc(l.count),
        esc(l.link),
        esc(l.source)
    );
    for (i, s) in d.chain.iter().enumerate() {
        let inferred = s
            .events
            .iter()
            .any(|e| e.time_inferred && e.time == s.first);
        let _ = write!(
            o,
            "<tr class=\"role-{}\" data-step=\"{}\"><td class=\"num\">{}</td><td class=\"nw\"><code>{}</code></td>\
             <td class=\"nw\">{}</td><td>{}</td><td class=\"mono nw\">{}{}</td><td class=\"num\">{}</td><td class=\"nw\">{}</td><td class=\"src\">",
            esc(s.role),
            esc(&s.step),
            i + 1,
            esc(&s.step),
            esc(crate::words::word(l.lang, s.role)),
            esc(&s.meaning),
            hms(s.first, l.lang),
            if inferred { "~" } else { "" },
            s.count,
            esc(crate::words::word(l.lang, s.link))
        );
        // The first cited line in full, the others by place (text on hover).
        for (k, e) in s.events.iter().enumerate() {
            if k == 0 {
                let _ = write!(
                    o,
                    "<div><code>{}:{}</code> <span class=\"line\">{}</span></div>",
                    esc(&short_path(a, &e.file)),
                    e.line,
                    esc(&cut(&e.text, 180))
                );
            } else {
                let _ = write!(
                    o,
                    "<code class=\"more\" title=\"{}\">{}:{}</code> ",
                    esc(&format!("{} {}", stamp(e, l.lang), cut(&e.text, 300))),
                    esc(&short_path(a, &e.file)),
                    e.line
                );
            }
        }
        let _ = writeln!(o, "</td></tr>");
    }
    let _ = writeln!(o, "</tbody>\n</table>");
    if d.chain
        .iter()
        .any(|s| s.events.iter().any(|e| e.time_inferred))
    {
        let _ = writeln!(o, "<p class=\"note\">{}</p>", esc(l.inferred_note));
    }

    if !d.contributing.is_empty() {
        let _ = writeln!(o, "<h4>{}</h4>\n<ul>", esc(l.contributing));
        for c in &d.contributing {
            let cites: Vec<String> = c
                .evidence
                .iter()
                .map(|e| format!("<code>{}:{}</code>", esc(&e.file), e.line))
                .collect();
            let _ = writeln!(
                o,
                "<li><code>{}</code> — {} {}</li>",
                esc(&c.cause),
                esc(&c.title),
                cites.join(" ")
            );
        }
        let _ = writeln!(o, "</ul>");
    }
    actions(o, "fix", l.fix, &d.remediation);
    actions(o, "prevention", l.prevention, &d.prevention);
    if !d.missing.is_empty() {
        let _ = writeln!(o, "<h4>{}</h4>\n<ul class=\"missing\">", esc(l.missing));
        for m in &d.missing {
            let _ = writeln!(o, "<li>{}</li>", esc(m));
        }
        let _ = writeln!(o, "</ul>");
    }
    actions(o, "collect", l.collect, &d.collect);
    if !d.unexplained.is_empty() {
        // Often long: folded when it is.
        let fold = d.unexplained.len() > 6;
        if fold {
            let _ = writeln!(
                o,
                "<details><summary><b>{}</b> ({})</summary>\n<ul class=\"unexplained\">",
                esc(l.unexplained),
                d.unexplained.len()
            );
        } else {
            let _ = writeln!(
                o,
                "<h4>{}</h4>\n<ul class=\"unexplained\">",
                esc(l.unexplained)
            );
        }
        for e in &d.unexplained {
            let _ = writeln!(
                o,
                "<li><span class=\"mono\">{}</span> <code>{}</code> <code>{}:{}</code></li>",
                esc(&stamp(e, l.lang)),
                esc(&e.signature),
                esc(&short_path(a, &e.file)),
                e.line
            );
        }
        let _ = writeln!(o, "</ul>{}", if fold { "</details>" } else { "" });
    }
    if !d.references.is_empty() {
        let _ = writeln!(o, "<h4>{}</h4>\n<ul>", esc(l.references));
        for r in &d.references {
            let _ = writeln!(o, "<li><code>{}</code></li>", esc(r));
        }
        let _ = writeln!(o, "</ul>");
    }
    let _ = writeln!(o, "</section>");
}

/// One stretch of the time axis. The axis skips long quiet gaps: each
/// segment covers a run of events, and segments are separated by a break.
struct Segment {
    /// First and last instant of the segment's events (ms since the epoch).
    lo: i64,
    hi: i64,
    /// The drawn range, padded.
    t0: f64,
    t1: f64,
    x0: f64,
    x1: f64,
}

struct Axis {
    segs: Vec<Segment>,
}

impl Axis {
    /// `points`: sorted instants (ms).
    fn new(points: &[i64]) -> Axis {
        if points.is_empty() {
            return Axis { segs: Vec::new() };
        }
        // Split every stretch at its long gaps until none is left: a gap
        // long against the whole input may be short against one incident.
        let mut groups: Vec<(usize, usize)> = vec![(0, points.len() - 1)];
        loop {
            let mut next = Vec::with_capacity(groups.len());
            for &(i, j) in &groups {
                let threshold = MIN_BREAK_MS.max((points[j] - points[i]) / 8);
                let mut start = i;
                for k in i + 1..=j {
                    if points[k] - points[k - 1] > threshold {
                        next.push((start, k - 1));
                        start = k;
                    }
                }
                next.push((start, j));
            }
            if next.len() == groups.len() {
                break;
            }
            groups = next;
        }
        while groups.len() > MAX_SEGMENTS {
            let i = (0..groups.len() - 1)
                .min_by_key(|&i| points[groups[i + 1].0] - points[groups[i].1])
                .unwrap_or(0);
            let next = groups.remove(i + 1);
            groups[i].1 = next.1;
        }
        let counts: Vec<f64> = groups.iter().map(|&(i, j)| (j - i + 1) as f64).collect();
        let groups: Vec<(i64, i64)> = groups
            .iter()
            .map(|&(i, j)| (points[i], points[j]))
            .collect();
        let n = groups.len();
        let avail = (PLOT_X1 - PLOT_X0) - GAP_W * (n as f64 - 1.0);
        let min_w = (avail / n as f64).min(90.0);
        let padded: Vec<(f64, f64)> = groups
            .iter()
            .map(|&(lo, hi)| {
                let pad = ((hi - lo) as f64 * 0.03).max(30_000.0);
                (lo as f64 - pad, hi as f64 + pad)
            })
            .collect();
        // The width beyond the minimum goes half by time span, half by
        // number of marks: busy stretches get room.
        let total: f64 = padded.iter().map(|(a, b)| b - a).sum();
        let marks: f64 = counts.iter().sum();
        let rest = avail - min_w * n as f64;
        let mut x = PLOT_X0;
        let mut segs = Vec::with_capacity(n);
        for ((&(lo, hi), &(t0, t1)), &c) in groups.iter().zip(&padded).zip(&counts) {
            let w = min_w + rest * (0.5 * (t1 - t0) / total + 0.5 * c / marks);
            segs.push(Segment {
                lo,
                hi,
                t0,
                t1,
                x0: x,
                x1: x + w,
            });
            x += w + GAP_W;
        }
        Axis { segs }
    }

    fn seg_of(&self, ms: i64) -> Option<&Segment> {
        self.segs
            .iter()
            .find(|s| s.lo <= ms && ms <= s.hi)
            .or_else(|| {
                self.segs
                    .iter()
                    .min_by_key(|s| (ms - ms.clamp(s.lo, s.hi)).abs())
            })
    }

    /// The x of `ms`, kept within the segment drawn at `x_from` (a repeat
    /// span does not jump across an axis break).
    fn x_within(&self, ms: i64, x_from: f64) -> f64 {
        let x = self.x(ms);
        match self.segs.iter().find(|s| s.x0 <= x_from && x_from <= s.x1) {
            Some(s) => x.clamp(s.x0, s.x1),
            None => x,
        }
    }

    fn x(&self, ms: i64) -> f64 {
        match self.seg_of(ms) {
            Some(s) => {
                let f = ((ms as f64 - s.t0) / (s.t1 - s.t0)).clamp(0.0, 1.0);
                s.x0 + f * (s.x1 - s.x0)
            }
            None => PLOT_X0,
        }
    }
}

const NICE_STEPS_MS: [i64; 22] = [
    1_000,
    2_000,
    5_000,
    10_000,
    15_000,
    30_000,
    60_000,
    120_000,
    300_000,
    600_000,
    900_000,
    1_800_000,
    3_600_000,
    7_200_000,
    10_800_000,
    21_600_000,
    43_200_000,
    86_400_000,
    172_800_000,
    604_800_000,
    1_209_600_000,
    2_592_000_000,
];

fn ts(ms: i64) -> Option<jiff::Timestamp> {
    jiff::Timestamp::from_millisecond(ms).ok()
}

fn fmt_ms(ms: i64, f: &str) -> String {
    ts(ms)
        .map(|t| t.strftime(f).to_string())
        .unwrap_or_default()
}

fn duration_text(ms: i64) -> String {
    let s = ms / 1000;
    let (d, h, m) = (s / 86_400, (s % 86_400) / 3600, (s % 3600) / 60);
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else {
        format!("{m}m")
    }
}

fn num(x: f64) -> String {
    format!("{x:.1}")
}

/// Where one event is drawn.
struct Mark {
    idx: usize,
    x: f64,
    y: f64,
}

/// The title (hover text) of an event's mark.
fn mark_title(a: &Analysis, e: &Event, lang: Lang) -> String {
    let mut t = format!(
        "{} UTC\n{} ({}, {})",
        time_column(e, lang).trim_end(),
        e.signature,
        e.severity,
        e.component
    );
    if let Some(h) = &e.host {
        let _ = write!(t, " @ {h}");
    }
    let f = fields_text(e);
    if !f.is_empty() {
        let _ = write!(t, "\n{}", cut(&f, 200));
    }
    let _ = write!(t, "\n{}:{}", short_path(a, &e.source.file), e.source.line);
    if e.repeats > 0 {
        let until = e
            .last_seen
            .map(|x| format!(" until {}", x.strftime("%Y-%m-%d %H:%M:%S")))
            .unwrap_or_default();
        let _ = write!(t, "\n+{} more like it{until}", e.repeats);
    }
    for i in &e.time.inferred {
        let _ = write!(t, "\n{} inferred from {}", i.what, i.from);
    }
    if e.time.borrowed {
        t.push_str("\ntime borrowed from the nearest stamped line");
    }
    let _ = write!(t, "\n{}", cut(&e.text, 300));
    esc(&t)
}

fn picture(o: &mut String, a: &Analysis, out: &Outcome, l: &Labels) {
    // The events of the top diagnosis's chain, by where they were read.
    let mut chain_steps: Vec<(&str, Option<usize>)> = Vec::new();
    let mut by_source: HashMap<(&str, u64, &str), usize> = HashMap::new();
    for (i, e) in a.events.iter().enumerate() {
        if e.time.utc.is_some() {
            for src in std::iter::once(&e.source).chain(&e.also) {
                by_source
                    .entry((src.file.as_str(), src.line, e.signature.as_str()))
                    .or_insert(i);
            }
        }
    }
    if let Some(d) = out.diagnoses.first() {
        for s in &d.chain {
            let idx = s.events.iter().find_map(|ev| {
                by_source
                    .get(&(ev.file.as_str(), ev.line, ev.signature.as_str()))
                    .copied()
            });
            chain_steps.push((s.step.as_str(), idx));
        }
    }
    let chain_idx: Vec<usize> = chain_steps.iter().filter_map(|(_, i)| *i).collect();

    // What is drawn: every event with a UTC time, or, beyond MAX_MARKS, the
    // chain's events and then the most severe.
    let timed: Vec<usize> = (0..a.events.len())
        .filter(|&i| a.events[i].time.utc.is_some())
        .collect();
    let drawn: Vec<usize> = if timed.len() <= MAX_MARKS {
        timed.clone()
    } else {
        let mut pick = timed.clone();
        pick.sort_by_key(|&i| {
            (
                !chain_idx.contains(&i),
                std::cmp::Reverse(a.events[i].severity),
                i,
            )
        });
        pick.truncate(MAX_MARKS);
        pick.sort_unstable();
        pick
    };
    let ms_of = |t: jiff::Timestamp| t.as_millisecond();
    let mut points: Vec<i64> = Vec::with_capacity(drawn.len() * 2);
    for &i in &drawn {
        let e = &a.events[i];
        if let Some(t) = e.time.utc {
            points.push(ms_of(t));
        }
    }
    points.sort_unstable();
    points.dedup();
    let axis = Axis::new(&points);

    // Lanes: the six layers always, "other" when something lands there.
    let mut per_lane: BTreeMap<Lane, Vec<usize>> = BTreeMap::new();
    for &i in &drawn {
        per_lane
            .entry(lane(&a.events[i].component))
            .or_default()
            .push(i);
    }
    let mut all_lane_counts: BTreeMap<Lane, u64> = BTreeMap::new();
    for e in &a.events {
        *all_lane_counts.entry(lane(&e.component)).or_insert(0) += 1 + e.repeats;
    }
    let lanes: Vec<Lane> = Lane::ALL
        .into_iter()
        .filter(|&ln| ln != Lane::Other || all_lane_counts.contains_key(&Lane::Other))
        .collect();

    // Pack each lane's marks into rows so they do not cover each other.
    let mut marks: Vec<Mark> = Vec::with_capacity(drawn.len());
    let mut lane_geo: Vec<(Lane, f64, f64)> = Vec::new(); // lane, top, height
    let mut y = TOP;
    for &ln in &lanes {
        let idxs = per_lane.get(&ln).map(Vec::as_slice).unwrap_or(&[]);
        let mut placed: Vec<(usize, f64, usize)> = Vec::with_capacity(idxs.len());
        let mut rows_end: Vec<f64> = Vec::new();
        let mut order: Vec<(f64, usize)> = idxs
            .iter()
            .filter_map(|&i| a.events[i].time.utc.map(|t| (axis.x(ms_of(t)), i)))
            .collect();
        order.sort_by(|p, q| p.0.total_cmp(&q.0).then(p.1.cmp(&q.1)));
        for (x, i) in order {
            let e = &a.events[i];
            let end = match (e.repeats > 0, e.last_seen) {
                (true, Some(t)) => axis.x_within(ms_of(t), x).max(x),
                _ => x,
            } + MARK_R * 2.0
                + 3.0;
            let row = match rows_end.iter().position(|&r| r <= x) {
                Some(r) => r,
                None if rows_end.len() < MAX_LANE_ROWS => {
                    rows_end.push(f64::MIN);
                    rows_end.len() - 1
                }
                None => rows_end
                    .iter()
                    .enumerate()
                    .min_by(|p, q| p.1.total_cmp(q.1))
                    .map(|(r, _)| r)
                    .unwrap_or(0),
            };
            rows_end[row] = end;
            placed.push((i, x, row));
        }
        let rows = rows_end.len().max(2);
        let h = LANE_PAD * 2.0 + rows as f64 * ROW_H + 4.0;
        for (i, x, row) in placed {
            marks.push(Mark {
                idx: i,
                x,
                y: y + LANE_PAD + 2.0 + row as f64 * ROW_H + ROW_H / 2.0,
            });
        }
        lane_geo.push((ln, y, h));
        y += h;
    }
    let lanes_end = y;
    let height = lanes_end + 78.0;

    let _ = writeln!(
        o,
        "<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" \
         role=\"img\" aria-label=\"{}\">",
        WIDTH,
        num(height),
        esc(l.timeline)
    );
    let _ = writeln!(
        o,
        "<defs><marker id=\"arrowhead\" viewBox=\"0 0 10 10\" refX=\"8\" refY=\"5\" \
         markerWidth=\"4.5\" markerHeight=\"4.5\" orient=\"auto-start-reverse\">\
         <path class=\"arrowhead\" d=\"M0,0 L10,5 L0,10 z\"/></marker></defs>"
    );

    // Lanes (backgrounds and labels) first, so everything else is on top.
    for (k, &(ln, top, h)) in lane_geo.iter().enumerate() {
        let (name, sub) = ln.label(l);
        let count = all_lane_counts.get(&ln).copied().unwrap_or(0);
        let _ = writeln!(
            o,
            "<g class=\"lane{}\" data-lane=\"{}\"><rect class=\"lane-bg\" x=\"0\" y=\"{}\" \
             width=\"{WIDTH}\" height=\"{}\"/>\
             <text class=\"lane-label\" x=\"12\" y=\"{}\">{}</text>\
             <text class=\"lane-sub\" x=\"12\" y=\"{}\">{}</text>\
             <text class=\"lane-count\" x=\"12\" y=\"{}\">{} {}</text></g>",
            if k % 2 == 1 { " odd" } else { "" },
            ln.id(),
            num(top),
            num(h),
            num(top + 18.0),
            esc(name),
            num(top + 31.0),
            esc(sub),
            num(top + 43.0),
            count,
            esc(l.events)
        );
    }

    // The axis: segment dates, ticks, grid lines, breaks.
    let _ = writeln!(o, "<g class=\"axis\">");
    let _ = writeln!(
        o,
        "<text class=\"axis-title\" x=\"12\" y=\"44\">UTC</text>\
         <line class=\"axis-line\" x1=\"{PLOT_X0}\" y1=\"{TOP}\" x2=\"{PLOT_X1}\" y2=\"{TOP}\"/>\
         <line class=\"axis-line\" x1=\"{PLOT_X0}\" y1=\"{}\" x2=\"{PLOT_X1}\" y2=\"{}\"/>",
        num(lanes_end),
        num(lanes_end)
    );
    if axis.segs.is_empty() {
        let _ = writeln!(
            o,
            "<text class=\"empty-note\" x=\"{}\" y=\"{}\">{}</text>",
            num((PLOT_X0 + PLOT_X1) / 2.0),
            num((TOP + lanes_end) / 2.0),
            esc(l.no_events)
        );
    }
    for (k, s) in axis.segs.iter().enumerate() {
        // The date where a segment starts on a new day.
        let day0 = fmt_ms(s.lo, "%Y-%m-%d");
        if k == 0 || fmt_ms(axis.segs[k - 1].hi, "%Y-%m-%d") != day0 {
            let _ = writeln!(
                o,
                "<text class=\"seg-date\" x=\"{}\" y=\"18\">{day0}</text>",
                num(s.x0 + 2.0)
            );
        }
        let width = s.x1 - s.x0;
        let span = s.t1 - s.t0;
        let want = (width / 105.0).floor().max(1.0);
        let step = NICE_STEPS_MS
            .iter()
            .copied()
            .find(|&st| st as f64 >= span / want)
            .unwrap_or(NICE_STEPS_MS[NICE_STEPS_MS.len() - 1]);
        let format = if step < 60_000 {
            "%H:%M:%S"
        } else if step < 86_400_000 {
            "%H:%M"
        } else {
            "%m-%d"
        };
        // Ticks whose labels fit inside the segment; a narrow segment gets
        // one label near its middle.
        let mut ticks: Vec<i64> = Vec::new();
        let mut t = (s.t0 / step as f64).ceil() as i64 * step;
        while (t as f64) <= s.t1 {
            let x = s.x0 + (t as f64 - s.t0) / span * width;
            if x >= s.x0 + 20.0 && x <= s.x1 - 20.0 {
                ticks.push(t);
            }
            t += step;
        }
        if ticks.is_empty() {
            let unit = if span < 240_000.0 { 1_000.0 } else { 60_000.0 };
            ticks.push((((s.t0 + s.t1) / 2.0 / unit).round() * unit) as i64);
        }
        let format = if ticks.len() == 1 && step >= 60_000 && span < 240_000.0 {
            "%H:%M:%S"
        } else {
            format
        };
        for t in ticks {
            let x = s.x0 + (t as f64 - s.t0) / span * width;
            let mut label = fmt_ms(t, format);
            if step < 86_400_000 && fmt_ms(t, "%Y-%m-%d") != day0 {
                label = format!("{} {label}", fmt_ms(t, "%m-%d"));
            }
            let _ = writeln!(
                o,
                "<line class=\"grid\" x1=\"{x}\" y1=\"{TOP}\" x2=\"{x}\" y2=\"{le}\"/>\
                 <text class=\"tick-label\" x=\"{x}\" y=\"44\">{label}</text>\
                 <text class=\"tick-label\" x=\"{x}\" y=\"{lb}\">{label}</text>",
                x = num(x),
                le = num(lanes_end),
                lb = num(lanes_end + 15.0)
            );
        }
        if let Some(next) = axis.segs.get(k + 1) {
            let gx0 = s.x1 + 3.0;
            let gx1 = next.x0 - 3.0;
            let mid = (gx0 + gx1) / 2.0;
            let mut zig = format!("M{},{}", num(mid), num(TOP));
            let mut yy = TOP;
            let mut left = true;
            while yy < lanes_end {
                yy = (yy + 8.0).min(lanes_end);
                let xx = if left { mid - 4.0 } else { mid + 4.0 };
                let _ = write!(zig, " L{},{}", num(xx), num(yy));
                left = !left;
            }
            let _ = writeln!(
                o,
                "<g class=\"gap\"><rect class=\"gap-band\" x=\"{}\" y=\"{TOP}\" width=\"{}\" \
                 height=\"{}\"/><path class=\"gap-zig\" d=\"{zig}\"/>\
                 <text class=\"gap-label\" x=\"{}\" y=\"31\">+{}</text></g>",
                num(gx0),
                num(gx1 - gx0),
                num(lanes_end - TOP),
                num(mid),
                duration_text(next.lo - s.hi)
            );
        }
    }
    let _ = writeln!(o, "</g>");

    // The marks.
    let _ = writeln!(o, "<g class=\"events\">");
    let mut where_: HashMap<usize, (f64, f64)> = HashMap::new();
    for m in &marks {
        let e = &a.events[m.idx];
        where_.insert(m.idx, (m.x, m.y));
        let sc = sev_class(e.severity);
        if let (true, Some(t)) = (e.repeats > 0, e.last_seen) {
            let x2 = axis.x_within(ms_of(t), m.x);
            if x2 > m.x + 1.0 {
                let _ = writeln!(
                    o,
                    "<line class=\"repeat-span {sc}\" x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\"/>",
                    num(m.x),
                    num(x2),
                    y = num(m.y)
                );
            }
        }
        let inferred = if e.time.is_observed() {
            ""
        } else {
            " inferred"
        };
        let r = if e.severity == Severity::Critical {
            MARK_R + 0.8
        } else {
            MARK_R
        };
        let link = m.idx < MAX_ROWS;
        if link {
            let _ = write!(o, "<a href=\"#ev-{}\">", m.idx);
        }
        let _ = write!(
            o,
            "<circle class=\"event {sc}{inferred}\" cx=\"{}\" cy=\"{}\" r=\"{}\" \
             data-signature=\"{}\" data-lane=\"{}\"><title>{}</title></circle>",
            num(m.x),
            num(m.y),
            r,
            esc(&e.signature),
            lane(&e.component).id(),
            mark_title(a, e, l.lang)
        );
        if link {
            let _ = write!(o, "</a>");
        }
        if e.repeats > 0 {
            let _ = write!(
                o,
                "<text class=\"repeat-count\" x=\"{}\" y=\"{}\">×{}</text>",
                num(m.x + 5.5),
                num(m.y - 4.0),
                e.repeats + 1
            );
        }
        let _ = writeln!(o);
    }
    let _ = writeln!(o, "</g>");

    // The chain of the top diagnosis: rings, numbered badges, arrows.
    let located: Vec<(usize, &str, (f64, f64))> = chain_steps
        .iter()
        .enumerate()
        .filter_map(|(n, (step, idx))| idx.and_then(|i| where_.get(&i)).map(|p| (n + 1, *step, *p)))
        .collect();
    if !located.is_empty() {
        let _ = writeln!(o, "<g class=\"chain\">");
        for w in located.windows(2) {
            let (_, from, (x1, y1)) = w[0];
            let (_, to, (x2, y2)) = w[1];
            let _ = writeln!(
                o,
                "<path class=\"chain-arrow\" data-from=\"{}\" data-to=\"{}\" d=\"{}\" \
                 marker-end=\"url(#arrowhead)\"><title>{} → {}</title></path>",
                esc(from),
                esc(to),
                arrow_path(x1, y1, x2, y2),
                esc(from),
                esc(to)
            );
        }
        for &(n, step, (x, y)) in &located {
            let _ = writeln!(
                o,
                "<g class=\"step-badge\" data-step=\"{}\"><circle class=\"chain-ring\" cx=\"{}\" \
                 cy=\"{}\" r=\"9\"/><circle cx=\"{}\" cy=\"{}\" r=\"8\"/>\
                 <text x=\"{}\" y=\"{}\">{n}</text>\
                 <text class=\"step-name\" x=\"{}\" y=\"{}\">{}</text></g>",
                esc(step),
                num(x),
                num(y),
                num(x - 12.0),
                num(y - 12.0),
                num(x - 12.0),
                num(y - 8.2),
                num(x - 2.0),
                num(y - 14.0),
                esc(step)
            );
        }
        let _ = writeln!(o, "</g>");
    }

    // The legend.
    let ly = lanes_end + 44.0;
    let _ = write!(
        o,
        "<g class=\"legend\" transform=\"translate({PLOT_X0},{})\">",
        num(ly)
    );
    // Text widths estimated: ~6.6 units per Latin character, 12 per Hangul.
    let text_w = |t: &str| -> f64 {
        t.chars()
            .map(|c| if c.is_ascii() { 6.6 } else { 12.0 })
            .sum()
    };
    let mut lx = 0.0;
    for s in [
        Severity::Info,
        Severity::Warning,
        Severity::Error,
        Severity::Critical,
    ] {
        let _ = write!(
            o,
            "<circle class=\"event {}\" cx=\"{}\" cy=\"0\" r=\"{MARK_R}\"/><text x=\"{}\" y=\"4\">{}</text>",
            sev_class(s),
            num(lx),
            num(lx + 9.0),
            s.as_str()
        );
        lx += 9.0 + text_w(s.as_str()) + 26.0;
    }
    let _ = write!(
        o,
        "<circle class=\"event sev-info inferred\" cx=\"{}\" cy=\"0\" r=\"{MARK_R}\"/>\
         <text x=\"{}\" y=\"4\">{}</text>",
        num(lx),
        num(lx + 9.0),
        esc(l.legend_inferred)
    );
    lx += 9.0 + text_w(l.legend_inferred) + 30.0;
    let _ = write!(
        o,
        "<circle class=\"chain-ring\" cx=\"{}\" cy=\"0\" r=\"7\"/>\
         <path class=\"chain-arrow\" d=\"M{},0 L{},0\" marker-end=\"url(#arrowhead)\"/>\
         <text x=\"{}\" y=\"4\">{}</text>",
        num(lx),
        num(lx + 9.0),
        num(lx + 40.0),
        num(lx + 48.0),
        esc(l.chain)
    );
    lx += 48.0 + text_w(l.chain) + 30.0;
    let _ = write!(
        o,
        "<rect class=\"gap-band\" x=\"{}\" y=\"-8\" width=\"14\" height=\"16\"/>\
         <text x=\"{}\" y=\"4\">{}</text>",
        num(lx - 6.0),
        num(lx + 14.0),
        esc(l.legend_gap)
    );
    let _ = writeln!(o, "</g>");
    if drawn.len() < timed.len() {
        let _ = writeln!(
            o,
            "<text class=\"lane-count\" x=\"12\" y=\"{}\">{} / {}</text>",
            num(ly + 22.0),
            drawn.len(),
            timed.len()
        );
    }
    let _ = writeln!(o, "</svg>");
}

/// A curved arrow from one mark to another, stopping short of both.
fn arrow_path(x1: f64, y1: f64, x2: f64, y2: f64) -> String {
    let (dx, dy) = (x2 - x1, y2 - y1);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    // Bend to the left of the direction of travel; more for short hops so
    // that arrows between neighbours stay visible.
    let bend = (len * 0.25).clamp(18.0, 80.0);
    let (nx, ny) = (-dy / len, dx / len);
    let (cx, cy) = ((x1 + x2) / 2.0 + nx * bend, (y1 + y2) / 2.0 + ny * bend);
    let shorten = |px: f64, py: f64, by: f64| {
        let (vx, vy) = (cx - px, cy - py);
        let n = (vx * vx + vy * vy).sqrt().max(1.0);
        (px + vx / n * by, py + vy / n * by)
    };
    let (sx, sy) = shorten(x1, y1, 10.0);
    let (ex, ey) = shorten(x2, y2, 11.0);
    format!(
        "M{},{} Q{},{} {},{}",
        num(sx),
        num(sy),
        num(cx),
        num(cy),
        num(ex),
        num(ey)
    )
}

/// Events that have no UTC time are listed, not drawn.
fn untimed(o: &mut String, a: &Analysis, l: &Labels) {
    let list: Vec<(usize, &Event)> = a
        .events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.time.utc.is_none())
        .collect();
    if list.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "<h4 id=\"untimed\">{} ({})</h4>\n<ul class=\"untimed\">",
        esc(l.untimed),
        list.len()
    );
    for (i, e) in list.iter().take(MAX_UNTIMED) {
        let _ = writeln!(
            o,
            "<li data-signature=\"{}\"><span class=\"mono\">{}</span> <span class=\"sev {}\">{}</span> \
             <code>{}</code> — <code>{}:{}</code>{}</li>",
            esc(&e.signature),
            esc(&time_column(e, l.lang)),
            sev_class(e.severity),
            e.severity,
            esc(&e.signature),
            esc(&short_path(a, &e.source.file)),
            e.source.line,
            if *i < MAX_ROWS {
                format!(" <a href=\"#ev-{i}\">#</a>")
            } else {
                String::new()
            }
        );
    }
    if list.len() > MAX_UNTIMED {
        let _ = writeln!(
            o,
            "<li>… +{} {}</li>",
            list.len() - MAX_UNTIMED,
            esc(l.rows_left_out)
        );
    }
    let _ = writeln!(o, "</ul>");
}

fn event_table(o: &mut String, a: &Analysis, l: &Labels) {
    let _ = writeln!(
        o,
        "<section id=\"events\">\n<h2>{} ({})</h2>",
        esc(l.event_table),
        a.events.len()
    );
    if a.events.is_empty() {
        let _ = writeln!(o, "<p>{}</p>\n</section>", esc(l.no_events));
        return;
    }
    let _ = writeln!(
        o,
        "<table class=\"events\">\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>\
         <th>{}</th><th>{}</th></tr></thead>\n<tbody>",
        esc(l.time),
        esc(l.severity),
        esc(l.layer),
        esc(l.signature),
        esc(l.fields),
        esc(l.source)
    );
    for (i, e) in a.events.iter().enumerate().take(MAX_ROWS) {
        let repeats = if e.repeats > 0 {
            format!(" <b>×{}</b>", e.repeats + 1)
        } else {
            String::new()
        };
        let _ = writeln!(
            o,
            "<tr id=\"ev-{i}\"><td class=\"t\">{}</td><td><span class=\"sev {}\">{}</span></td>\
             <td>{}</td><td class=\"src\"><code>{}</code>{repeats}<div class=\"line\">{}</div></td>\
             <td class=\"src\">{}</td><td class=\"src\"><code>{}:{}</code></td></tr>",
            esc(&time_column(e, l.lang)),
            sev_class(e.severity),
            e.severity,
            esc(&e.component),
            esc(&e.signature),
            esc(&cut(&e.text, 240)),
            esc(&cut(&fields_text(e), 160)),
            esc(&short_path(a, &e.source.file)),
            e.source.line
        );
    }
    let _ = writeln!(o, "</tbody>\n</table>");
    if a.events.len() > MAX_ROWS {
        let _ = writeln!(
            o,
            "<p class=\"note\" id=\"rows-left-out\">… +{} {}</p>",
            a.events.len() - MAX_ROWS,
            esc(l.rows_left_out)
        );
    }
    if a.events
        .iter()
        .any(|e| !e.time.is_observed() && e.time.utc.is_some())
    {
        let _ = writeln!(o, "<p class=\"note\">{}</p>", esc(l.inferred_note));
    }
    let _ = writeln!(o, "</section>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use rootline_model::{EventTime, FieldValue, Fields, SourceRef, Timestamp};

    fn event(t: &str, component: &str, signature: &str, text: &str, line: u64) -> Event {
        let mut fields = Fields::new();
        fields.insert("device".into(), FieldValue::Text("sdv".into()));
        Event {
            time: EventTime {
                utc: Some(t.parse::<Timestamp>().unwrap()),
                since_boot: None,
                raw: t.into(),
                inferred: vec![],
                borrowed: false,
            },
            host: Some("node37".into()),
            source: SourceRef {
                file: "var/log/syslog".into(),
                line,
            },
            also: vec![],
            component: component.into(),
            signature: signature.into(),
            severity: Severity::Error,
            fields,
            text: text.into(),
            context: vec![],
            repeats: 0,
            last_seen: None,
            truncated: false,
        }
    }

    fn analysis(events: Vec<Event>) -> Analysis {
        Analysis {
            host: vec![],
            roots: vec![],
            files: vec![],
            not_read: vec![],
            events,
        }
    }

    #[test]
    fn escapes_untrusted_text() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(esc("a\u{0}b\u{1b}[0m"), "a\u{FFFD}b\u{FFFD}[0m");
        let a = analysis(vec![event(
            "2025-10-13T10:51:35Z",
            "kernel",
            "kernel.block.io-error\"><script>",
            "Oct 13 kernel: <script>alert(1)</script> & \"quoted\" 'too'",
            3,
        )]);
        let page = html(&a, &Outcome::default(), Lang::En);
        assert!(!page.contains("<script"), "raw script tag in the page");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("&amp; &quot;quoted&quot; &#39;too&#39;"));
        assert!(page.contains("data-signature=\"kernel.block.io-error&quot;&gt;&lt;script&gt;\""));
    }

    #[test]
    fn components_map_to_lanes() {
        for (c, l) in [
            ("nvme", Lane::Hardware),
            ("scsi", Lane::Hardware),
            ("hardware", Lane::Hardware),
            ("kernel", Lane::Kernel),
            ("filesystem", Lane::Kernel),
            ("nfs", Lane::Kernel),
            ("memory", Lane::Kernel),
            ("security", Lane::Kernel),
            ("process", Lane::Kernel),
            ("multipath", Lane::Multipath),
            ("device-mapper", Lane::Multipath),
            ("qemu", Lane::Hypervisor),
            ("libvirt", Lane::Hypervisor),
            ("nova", Lane::OpenStack),
            ("cinder", Lane::OpenStack),
            ("os-brick", Lane::OpenStack),
            ("kubelet", Lane::Kubernetes),
            ("containerd", Lane::Kubernetes),
            ("Kubernetes", Lane::Kubernetes),
            ("something-else", Lane::Other),
        ] {
            assert_eq!(lane(c), l, "{c}");
        }
        let a = analysis(vec![
            event(
                "2025-10-13T10:51:35Z",
                "multipath",
                "multipath.all-paths-down",
                "x",
                1,
            ),
            event(
                "2025-10-13T10:57:46Z",
                "kubelet",
                "kubelet.crash-loop",
                "y",
                2,
            ),
        ]);
        let page = html(&a, &Outcome::default(), Lang::En);
        for id in [
            "hardware",
            "kernel",
            "multipath",
            "hypervisor",
            "openstack",
            "kubernetes",
        ] {
            assert!(page.contains(&format!("data-lane=\"{id}\"")), "{id}");
        }
        assert!(!page.contains("data-lane=\"other\""));
        assert!(page.contains("<circle class=\"event sev-error\""));
        assert!(page.contains("data-signature=\"kubelet.crash-loop\" data-lane=\"kubernetes\""));
    }

    #[test]
    fn empty_analysis_is_a_page_with_no_diagnosis() {
        let page = html(&analysis(vec![]), &Outcome::default(), Lang::En);
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.trim_end().ends_with("</html>"));
        assert!(page.contains("id=\"no-diagnosis\""));
        assert!(page.contains("No diagnosis"));
        assert!(page.contains("<svg id=\"timeline\""));
        assert!(page.contains("</svg>"));
        assert!(!page.contains("chain-arrow\" data-from"));
        let ko = html(&analysis(vec![]), &Outcome::default(), Lang::Ko);
        assert!(ko.contains("<html lang=\"ko\">"));
        assert!(ko.contains("진단 없음"));
    }

    fn cite(e: &Event) -> Evidence {
        Evidence {
            file: e.source.file.clone(),
            line: e.source.line,
            time: e.time.utc,
            time_inferred: false,
            signature: e.signature.clone(),
            text: e.text.clone(),
        }
    }

    fn step(id: &str, role: &'static str, e: &Event) -> rootline_diagnose::ChainStep {
        rootline_diagnose::ChainStep {
            step: id.into(),
            role,
            meaning: format!("{id} happened"),
            link: "host",
            first: e.time.utc,
            last: e.time.utc,
            count: 1,
            events: vec![cite(e)],
        }
    }

    #[test]
    fn the_top_diagnosis_is_drawn_as_a_chain() {
        let events = vec![
            event(
                "2025-10-13T10:51:35Z",
                "multipath",
                "multipath.all-paths-down",
                "a",
                1,
            ),
            event(
                "2025-10-13T10:51:36Z",
                "kernel",
                "kernel.block.io-error",
                "b",
                2,
            ),
            event(
                "2025-10-13T10:57:46Z",
                "kubelet",
                "kubelet.crash-loop",
                "c",
                3,
            ),
        ];
        let d = Diagnosis {
            cause: "multipath-path-loss".into(),
            title: "All paths lost".into(),
            confidence: 0.9,
            confidence_label: "high",
            host: Some("node37".into()),
            summary: "paths of <mpathb> went down".into(),
            first: events[0].time.utc,
            last: events[2].time.utc,
            chain: vec![
                step("paths-lost", "root", &events[0]),
                step("io-errors", "effect", &events[1]),
                step("crashloop", "symptom", &events[2]),
            ],
            basis: rootline_diagnose::Basis {
                files: vec!["messages".into()],
                layers: vec!["kernel".into(), "kubelet".into(), "multipath".into()],
                order: "utc",
            },
            entities: BTreeMap::from([("maps".to_string(), vec!["mpathb".to_string()])]),
            evidence: events.iter().map(cite).collect(),
            contributing: vec![],
            missing: vec!["tasks in D state".into()],
            unexplained: vec![],
            collect: vec![Action {
                text: "list the maps".into(),
                command: Some("multipath -ll".into()),
            }],
            remediation: vec![Action {
                text: "flush the map".into(),
                command: Some("multipath -f mpathb".into()),
            }],
            prevention: vec![],
            references: vec![],
        };
        let out = Outcome {
            diagnoses: vec![d],
            findings: vec![],
        };
        let a = analysis(events);
        let page = html(&a, &out, Lang::En);
        assert!(page.contains("<section class=\"diagnosis conf-high\" id=\"diagnosis-1\" data-cause=\"multipath-path-loss\">"));
        assert!(page.contains("paths of &lt;mpathb&gt; went down"));
        assert!(page.contains("<pre><code>multipath -f mpathb</code></pre>"));
        assert!(page.contains("<pre><code>multipath -ll</code></pre>"));
        assert!(page.contains(
            "<path class=\"chain-arrow\" data-from=\"paths-lost\" data-to=\"io-errors\""
        ));
        assert!(
            page.contains(
                "<path class=\"chain-arrow\" data-from=\"io-errors\" data-to=\"crashloop\""
            )
        );
        assert_eq!(
            page.matches("marker-end=\"url(#arrowhead)\"><title>")
                .count(),
            2
        );
        assert!(!page.contains("id=\"no-diagnosis\""));
        let ko = html(&a, &out, Lang::Ko);
        assert!(ko.contains(">증거 연쇄</h4>"));
        assert!(ko.contains(">조치</h4>"));
    }

    #[test]
    fn the_axis_skips_long_gaps_and_is_deterministic() {
        let a = analysis(vec![
            event("2025-10-02T01:17:44Z", "qemu", "qemu.starting-up", "a", 1),
            event(
                "2025-10-13T10:51:35Z",
                "multipath",
                "multipath.all-paths-down",
                "b",
                2,
            ),
            event(
                "2025-10-13T10:57:46Z",
                "kubelet",
                "kubelet.crash-loop",
                "c",
                3,
            ),
        ]);
        let page = html(&a, &Outcome::default(), Lang::En);
        assert!(page.contains("class=\"gap\""));
        assert!(page.contains(">+11d 9h</text>"));
        assert!(page.contains(">2025-10-13</text>"));
        assert_eq!(page, html(&a, &Outcome::default(), Lang::En));
    }
}
