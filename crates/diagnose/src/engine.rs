//! The engine: incidents from root-step events, chains from linked events,
//! scores, ranking, and rendering in the report language.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use jiff::{SignedDuration, Timestamp};
use rootline_hoststate::Fact;
use rootline_model::{Event, EventTime, FieldKind, FieldValue, Fields, Severity, SourceRef};

use crate::guests;
use crate::identity::{self, EntityKind, Graph};
use crate::knowledge::{ActionDef, Benign, Cause, Knowledge, Lang, Link, Role};
use crate::{
    Action, Basis, ChainStep, Contributing, Diagnosis, Evidence, Finding, HostCheck, HostFact,
    Outcome,
};

/// Each signature id's fields and their kinds.
pub type FieldKinds = HashMap<String, Vec<(String, FieldKind)>>;

/// Host-state checks as untimed events (signature `host.<check id>`), so a
/// cause's step can cite them like any line, plus their field kinds for the
/// identity graph. The state was observed when the evidence was collected,
/// not at a moment of the incident: these events carry no time.
pub fn host_events(checks: &[HostCheck<'_>]) -> (Vec<Event>, FieldKinds) {
    let mut events = Vec::new();
    let mut kinds: HashMap<String, Vec<(String, FieldKind)>> = HashMap::new();
    for hc in checks {
        let c = hc.check;
        let signature = format!("host.{}", c.id);
        let mut fields = Fields::new();
        for (name, value, kind) in &c.fields {
            // A check about several things names each (three volume
            // files, two paths of a map): keep every value, as `volume`,
            // `volume1`, `volume2`… (the kind, not the name, says what it is).
            let mut name = name.clone();
            let mut n = 0;
            while fields.contains_key(&name) {
                n += 1;
                name = format!(
                    "{}{n}",
                    name.trim_end_matches(|ch: char| ch.is_ascii_digit())
                );
            }
            let name = &name;
            let v = match kind {
                FieldKind::Pid | FieldKind::Int | FieldKind::Sector => value
                    .parse()
                    .map(FieldValue::Int)
                    .unwrap_or_else(|_| FieldValue::Text(value.clone())),
                FieldKind::DevNum => {
                    match value.split_once(':').map(|(a, b)| (a.parse(), b.parse())) {
                        Some((Ok(major), Ok(minor))) => FieldValue::DevNum { major, minor },
                        _ => FieldValue::Text(value.clone()),
                    }
                }
                _ => FieldValue::Text(value.clone()),
            };
            fields.insert(name.clone(), v);
            let k = kinds.entry(signature.clone()).or_default();
            if !k.iter().any(|(n, _)| n == name) {
                k.push((name.clone(), *kind));
            }
        }
        let first = c.evidence.first();
        events.push(Event {
            time: EventTime::unknown(),
            host: hc.host.map(str::to_string),
            source: SourceRef {
                file: first
                    .and_then(|e| e.file.clone())
                    .unwrap_or_else(|| hc.file.to_string()),
                line: first.map_or(0, |e| e.line),
            },
            also: Vec::new(),
            component: "host".to_string(),
            signature,
            severity: c.severity,
            fields,
            text: first.map(|e| e.text.clone()).unwrap_or_default(),
            context: c.evidence.iter().skip(1).map(|e| e.text.clone()).collect(),
            repeats: 0,
            last_seen: None,
            truncated: false,
        });
    }
    (events, kinds)
}

/// Facts that name how things are wired — a multipath map and its WWID,
/// dm device and paths; a qemu process and its domain, instance, disks and
/// volume serials; a domain's disks — as untimed `host.fact.<type>` events.
/// No cause cites them: they only join identities in the graph (so a hung
/// qemu task can be tied to the map its disk sits on).
fn fact_events(facts: &[HostFact<'_>]) -> (Vec<Event>, FieldKinds) {
    let mut events = Vec::new();
    let mut kinds: FieldKinds = HashMap::new();
    // Task names by pid, per file: `qemu-process` facts carry the pid, the
    // `process` fact of the same line carries the name.
    let mut tasks: HashMap<(&str, String), String> = HashMap::new();
    for hf in facts {
        if let Fact::Process(p) = hf.fact
            && let (Some(pid), Some(task)) = (&p.pid, &p.task)
        {
            tasks.insert((hf.file, pid.clone()), task.clone());
        }
    }
    for hf in facts {
        let mut fields: Vec<(String, String, FieldKind)> = Vec::new();
        let mut put = |name: String, v: Option<&String>, kind: FieldKind| {
            if let Some(s) = v.filter(|s| !s.is_empty()) {
                fields.push((name, s.clone(), kind));
            }
        };
        let (ty, line) = match hf.fact {
            Fact::MultipathMap(m) => {
                put("map".into(), m.name.as_ref(), FieldKind::Map);
                put("wwid".into(), m.wwid.as_ref(), FieldKind::Wwid);
                put("dm".into(), m.dm.as_ref(), FieldKind::Device);
                for (i, p) in m.paths.iter().enumerate() {
                    put(format!("path{i}"), p.device.as_ref(), FieldKind::Device);
                }
                ("multipath-map", m.line)
            }
            Fact::QemuProcess(q) => {
                put("domain".into(), q.domain.as_ref(), FieldKind::Domain);
                put("instance".into(), q.instance.as_ref(), FieldKind::Uuid);
                if let Some(pid) = &q.pid
                    && let Some(task) = tasks.get(&(hf.file, pid.clone()))
                {
                    put("pid".into(), Some(pid), FieldKind::Pid);
                    put("task".into(), Some(task), FieldKind::Task);
                }
                for (i, w) in q.wwids.iter().enumerate() {
                    put(format!("wwid{i}"), Some(w), FieldKind::Wwid);
                }
                for (i, v) in q.serials.iter().enumerate() {
                    put(format!("volume{i}"), Some(v), FieldKind::Uuid);
                }
                for (i, d) in q.disks.iter().enumerate() {
                    put(format!("disk{i}"), Some(d), FieldKind::Path);
                }
                ("qemu-process", q.line)
            }
            Fact::DomainDisk(d) => {
                put("domain".into(), d.domain.as_ref(), FieldKind::Domain);
                put("instance".into(), d.instance.as_ref(), FieldKind::Uuid);
                put("source".into(), d.source.as_ref(), FieldKind::Path);
                put("volume".into(), d.serial.as_ref(), FieldKind::Uuid);
                ("domain-disk", d.line)
            }
            Fact::Domain(d) => {
                put("domain".into(), d.name.as_ref(), FieldKind::Domain);
                put("instance".into(), d.uuid.as_ref(), FieldKind::Uuid);
                ("domain", d.line)
            }
            _ => continue,
        };
        if fields.len() < 2 {
            continue; // nothing to join
        }
        let signature = format!("host.fact.{ty}");
        let k = kinds.entry(signature.clone()).or_default();
        let mut values = Fields::new();
        for (name, value, kind) in fields {
            if !k.iter().any(|(n, _)| *n == name) {
                k.push((name.clone(), kind));
            }
            let v = match kind {
                FieldKind::Pid => value
                    .parse()
                    .map(FieldValue::Int)
                    .unwrap_or(FieldValue::Text(value)),
                _ => FieldValue::Text(value),
            };
            values.insert(name, v);
        }
        events.push(Event {
            time: EventTime::unknown(),
            host: hf.host.map(str::to_string),
            source: SourceRef {
                file: hf.file.to_string(),
                line,
            },
            also: Vec::new(),
            component: "host".to_string(),
            signature,
            severity: Severity::Info,
            fields: values,
            text: String::new(),
            context: Vec::new(),
            repeats: 0,
            last_seen: None,
            truncated: false,
        });
    }
    (events, kinds)
}

/// Each disk of a guest whose lines are in the evidence, as an untimed
/// `host.fact.guest-disk` event on the guest's host: the guest's device
/// (`vda`) with the instance, the volume and the LUN behind it, so a
/// guest's `vda` error meets the volume the hypervisor's lines name.
fn guest_disk_events(guest_of: &HashMap<String, &guests::Guest>) -> (Vec<Event>, FieldKinds) {
    let mut events = Vec::new();
    let mut kinds: FieldKinds = HashMap::new();
    let signature = "host.fact.guest-disk".to_string();
    let mut hosts: Vec<&String> = guest_of.keys().collect();
    hosts.sort();
    for h in hosts {
        let g = guest_of[h];
        for d in &g.disks {
            let mut fields = Fields::new();
            let mut put = |name: &str, v: &Option<String>, kind: FieldKind| {
                if let Some(v) = v {
                    fields.insert(name.to_string(), FieldValue::Text(v.clone()));
                    let k = kinds.entry(signature.clone()).or_default();
                    if !k.iter().any(|(n, _)| n == name) {
                        k.push((name.to_string(), kind));
                    }
                }
            };
            put("device", &Some(d.target.clone()), FieldKind::Device);
            put("instance", &g.instance, FieldKind::Uuid);
            put("volume", &d.volume, FieldKind::Uuid);
            put("wwid", &d.wwid, FieldKind::Wwid);
            events.push(Event {
                time: EventTime::unknown(),
                host: Some(h.clone()),
                source: SourceRef {
                    file: d.file.clone(),
                    line: d.line,
                },
                also: Vec::new(),
                component: "host".to_string(),
                signature: signature.clone(),
                severity: Severity::Info,
                fields,
                text: String::new(),
                context: Vec::new(),
                repeats: 0,
                last_seen: None,
                truncated: false,
            });
        }
    }
    (events, kinds)
}

fn host_findings(checks: &[HostCheck<'_>], lang: Lang) -> Vec<Finding> {
    // One finding per check about one thing on one host: the same stale map
    // seen in `multipath -ll`, `dmsetup status` and `lsblk` is one finding
    // citing all three.
    let mut out: Vec<Finding> = Vec::new();
    let mut index: HashMap<(String, Option<String>, Option<String>), usize> = HashMap::new();
    for hc in checks {
        let c = hc.check;
        // The subject a check is about: outputs name it with more or fewer
        // details (a map with or without its WWID and paths).
        let subject = [
            "map", "wwid", "device", "instance", "volume", "domain", "path", "pid", "task",
        ]
        .iter()
        .find_map(|want| c.fields.iter().find(|(n, _, _)| n == want))
        .map(|(n, v, _)| format!("{n}={v}"));
        let key = (c.id.clone(), hc.host.map(str::to_string), subject);
        let cites = c.evidence.iter().map(|e| Evidence {
            file: e.file.clone().unwrap_or_else(|| hc.file.to_string()),
            line: e.line,
            time: None,
            time_inferred: false,
            signature: format!("host.{}", c.id),
            text: e.text.clone(),
        });
        if let Some(&i) = index.get(&key) {
            let f = &mut out[i];
            f.count += 1;
            if c.severity > Severity::parse(f.severity).unwrap_or(Severity::Info) {
                f.severity = c.severity.as_str();
                f.text = match lang {
                    Lang::En => c.en.clone(),
                    Lang::Ko => c.ko.clone(),
                };
            }
            for e in cites {
                if f.evidence.len() < 2 * STEP_EVIDENCE && !f.evidence.contains(&e) {
                    f.evidence.push(e);
                }
            }
            continue;
        }
        index.insert(key, out.len());
        out.push(Finding {
            id: format!("host.{}", c.id),
            severity: c.severity.as_str(),
            text: match lang {
                Lang::En => c.en.clone(),
                Lang::Ko => c.ko.clone(),
            },
            count: 1,
            evidence: across_files(cites.collect()),
            fix: c
                .fix
                .iter()
                .map(|f| Action {
                    text: match lang {
                        Lang::En => f.en.clone(),
                        Lang::Ko => f.ko.clone(),
                    },
                    command: f.command.clone(),
                })
                .collect(),
        });
    }
    // Worst first, then by id, so a report reads from what matters.
    let rank = |s: &str| match s {
        "critical" => 0,
        "error" => 1,
        "warning" => 2,
        _ => 3,
    };
    out.sort_by(|a, b| {
        rank(a.severity)
            .cmp(&rank(b.severity))
            .then(a.id.cmp(&b.id))
    });
    out
}

/// The cited lines a finding shows: up to [`STEP_EVIDENCE`] from one file;
/// a check that rests on several files (qemu.conf and a share listing)
/// shows up to twice that, taking each file's lines in turn so that every
/// file it rests on is cited.
fn across_files(cites: Vec<Evidence>) -> Vec<Evidence> {
    let mut files: Vec<&str> = Vec::new();
    for c in &cites {
        if !files.contains(&c.file.as_str()) {
            files.push(&c.file);
        }
    }
    if files.len() < 2 {
        return cites.into_iter().take(STEP_EVIDENCE).collect();
    }
    let mut per_file: Vec<std::collections::VecDeque<&Evidence>> = files
        .iter()
        .map(|f| cites.iter().filter(|c| c.file == *f).collect())
        .collect();
    let mut out = Vec::new();
    while out.len() < 2 * STEP_EVIDENCE && per_file.iter().any(|q| !q.is_empty()) {
        for q in &mut per_file {
            if out.len() < 2 * STEP_EVIDENCE
                && let Some(c) = q.pop_front()
            {
                out.push(c.clone());
            }
        }
    }
    out
}

/// For a host check that cites several files, the first cited line of each
/// file after the first: the chain shows the event by its first line, and
/// these say which other files it rests on.
fn other_file_cites(hc: &HostCheck<'_>) -> Vec<Evidence> {
    let c = hc.check;
    let file_of =
        |e: &rootline_hoststate::Cite| e.file.clone().unwrap_or_else(|| hc.file.to_string());
    let Some(first) = c.evidence.first().map(file_of) else {
        return Vec::new();
    };
    let mut seen = vec![first];
    let mut out = Vec::new();
    for e in &c.evidence {
        let f = file_of(e);
        if seen.contains(&f) {
            continue;
        }
        seen.push(f.clone());
        out.push(Evidence {
            file: f,
            line: e.line,
            time: None,
            time_inferred: false,
            signature: format!("host.{}", c.id),
            text: e.text.clone(),
        });
    }
    out
}

/// How many cited events a chain step shows.
const STEP_EVIDENCE: usize = 5;
/// Slack when checking that steps follow each other in time.
const ORDER_SLACK: SignedDuration = SignedDuration::from_secs(60);

fn evidence(e: &Event) -> Evidence {
    Evidence {
        file: e.source.file.clone(),
        line: e.source.line,
        time: e.time.utc,
        time_inferred: !e.time.is_observed() && e.time.utc.is_some(),
        signature: e.signature.clone(),
        text: e.text.clone(),
    }
}

/// An event's cited lines: its own, and for a host check resting on
/// several files, one line of each further file.
fn cited_lines(events: &[&Event], also: &HashMap<usize, Vec<Evidence>>, i: usize) -> Vec<Evidence> {
    let mut v = vec![evidence(events[i])];
    if let Some(more) = also.get(&i) {
        v.extend(more.iter().cloned());
    }
    v
}

fn occurrences(events: &[&Event], idx: &[usize]) -> u64 {
    idx.iter().map(|&i| 1 + events[i].repeats).sum()
}

struct Candidate<'k> {
    cause: &'k Cause,
    host: Option<String>,
    /// Per step: the events found.
    steps: Vec<(usize, Vec<usize>, &'static str)>,
    confidence: f64,
    /// What the order of the steps rests on.
    order_basis: OrderBasis,
    window: (Option<Timestamp>, Option<Timestamp>),
    all: BTreeSet<usize>,
    /// Events of `identity-or-host` steps that are identity-linked: cited
    /// before the ones that only share the host.
    proof: BTreeSet<usize>,
}

/// Diagnose `events` (time-ordered, as the scanner returns them) together
/// with the host-state `checks`. `kinds` maps each signature id to its
/// fields' kinds (for the identity graph).
pub fn diagnose(
    events: &[Event],
    checks: &[HostCheck<'_>],
    facts: &[HostFact<'_>],
    knowledge: &Knowledge,
    kinds: &FieldKinds,
    lang: Lang,
) -> Outcome {
    // Loose files given together are one host unless their lines name
    // different hosts: an oslo log without host names belongs to the host
    // whose syslog sits beside it. Only when exactly one host is named.
    let adopted = sole_host(events, checks, facts);
    let (owned_events, owned_checks, owned_facts);
    let (events, checks, facts) = match &adopted {
        Some(h) => {
            owned_events = events
                .iter()
                .map(|e| {
                    let mut e = e.clone();
                    if e.host.is_none() {
                        e.host = Some(h.clone());
                    }
                    e
                })
                .collect::<Vec<Event>>();
            owned_checks = checks
                .iter()
                .map(|c| HostCheck {
                    host: c.host.or(Some(h.as_str())),
                    ..c.clone()
                })
                .collect::<Vec<_>>();
            owned_facts = facts
                .iter()
                .map(|f| HostFact {
                    host: f.host.or(Some(h.as_str())),
                    ..f.clone()
                })
                .collect::<Vec<_>>();
            (&owned_events[..], &owned_checks[..], &owned_facts[..])
        }
        None => (events, checks, facts),
    };
    // The host-state checks join as untimed events. The engine works on a
    // view of references: the timeline's events are not copied.
    let (extra, extra_kinds) = host_events(checks);
    // Host checks citing several files: their further files' lines, by the
    // check event's index in the view below.
    let also: HashMap<usize, Vec<Evidence>> = checks
        .iter()
        .enumerate()
        .map(|(k, hc)| (events.len() + k, other_file_cites(hc)))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let (wiring, wiring_kinds) = fact_events(facts);
    let merged_kinds;
    let merged_guest_kinds;
    let kinds = if extra_kinds.is_empty() && wiring_kinds.is_empty() {
        kinds
    } else {
        let mut k = kinds.clone();
        k.extend(extra_kinds);
        k.extend(wiring_kinds);
        merged_kinds = k;
        &merged_kinds
    };
    // Guests whose own logs are in the evidence: their lines name the
    // guest's host, which only the hypervisor's state ties to an instance.
    let guest_map = guests::guests(facts);
    let mut guest_of: HashMap<String, &guests::Guest> = HashMap::new();
    for e in events {
        if let Some(h) = &e.host
            && !guest_of.contains_key(h)
            && let Some(g) = guest_map.get(&guests::guest_key(h))
            && g.hypervisor.as_deref() != Some(h.as_str())
        {
            guest_of.insert(h.clone(), g);
        }
    }
    let (guest_disks, guest_kinds) = guest_disk_events(&guest_of);
    let kinds = if guest_kinds.is_empty() {
        kinds
    } else {
        let mut k = kinds.clone();
        k.extend(guest_kinds);
        merged_guest_kinds = k;
        &merged_guest_kinds
    };
    let view: Vec<&Event> = events
        .iter()
        .chain(extra.iter())
        .chain(wiring.iter())
        .chain(guest_disks.iter())
        .collect();
    let events: &[&Event] = &view;
    // Per event: the hypervisor a guest's line belongs to, and the
    // identity its guest gives it (the instance; else the domain, a name on
    // the hypervisor).
    let mut hypervisor_of: Vec<Option<String>> = vec![None; events.len()];
    let mut guest_ids: HashMap<usize, Vec<(Option<String>, identity::Entity)>> = HashMap::new();
    for (i, e) in events.iter().enumerate() {
        let Some(g) = e.host.as_ref().and_then(|h| guest_of.get(h)) else {
            continue;
        };
        hypervisor_of[i] = g.hypervisor.clone();
        if let Some(u) = &g.instance {
            guest_ids.insert(i, vec![(None, (EntityKind::Instance, u.clone()))]);
        } else if let (Some(d), Some(h)) = (&g.domain, &g.hypervisor) {
            guest_ids.insert(i, vec![(Some(h.clone()), (EntityKind::Domain, d.clone()))]);
        }
    }

    // 1. The identity graph; each event's groups, once (no unions follow).
    let mut graph = Graph::build_with(events, kinds, &guest_ids);
    let egroups: Vec<Vec<usize>> = (0..events.len()).map(|i| graph.groups(i)).collect();

    // 2. Benign events: reported, never part of an incident. A rule tests a
    // field (sr0, fd0, loop) and/or requires a linked event of some
    // signature (a removable disk's attach line for its I/O errors).
    // Per rule with `requires`: the (host, group) pairs its required events
    // sit in — one pass, not a search per event.
    // Per rule, the same for its `unless` signatures (which veto).
    let groups_of = |wanted: fn(&Benign) -> &[String]| {
        knowledge
            .benign
            .iter()
            .map(|b| {
                let sigs = wanted(b);
                let mut set = HashSet::new();
                for (j, e) in events.iter().enumerate() {
                    if sigs.contains(&e.signature) {
                        for &g in &egroups[j] {
                            set.insert((e.host.as_deref(), g));
                        }
                    }
                }
                set
            })
            .collect::<Vec<HashSet<(Option<&str>, usize)>>>()
    };
    let required = groups_of(|b| &b.requires);
    let excluded = groups_of(|b| &b.unless);
    let mut benign_of: Vec<Option<usize>> = vec![None; events.len()];
    for (i, e) in events.iter().enumerate() {
        benign_of[i] = knowledge.benign.iter().enumerate().position(|(bi, b)| {
            if !b.takes(&e.signature) {
                return false;
            }
            let field_ok = b
                .field
                .as_ref()
                .is_none_or(|(f, re)| e.fields.get(f).is_some_and(|v| re.is_match(&v.to_string())));
            let linked = b.requires.is_empty()
                || (!b.requires.contains(&e.signature)
                    && egroups[i]
                        .iter()
                        .any(|&g| required[bi].contains(&(e.host.as_deref(), g))));
            let vetoed = egroups[i]
                .iter()
                .any(|&g| excluded[bi].contains(&(e.host.as_deref(), g)));
            field_ok && linked && !vetoed
        });
    }

    // 3. Candidates per cause. Roots need no absolute time: a raw dmesg of
    // an unknown boot or a pasted excerpt is ordered by boot seconds and
    // line order, and the chain says so.
    let ctx = Ctx {
        events,
        benign_of: &benign_of,
        egroups: &egroups,
        hypervisor_of: &hypervisor_of,
    };
    let mut cands: Vec<Candidate<'_>> = knowledge
        .causes
        .iter()
        .filter(|c| !c.fallback)
        .flat_map(|cause| ctx.candidates(cause, |_| true))
        .collect();

    // 4. Rank; drop candidates whose evidence another, better one already
    // explains (qcow2 corruption inside a failing-disk chain).
    cands.sort_by(|a, b| {
        b.confidence
            .partial_cmp(&a.confidence)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(b.all.len().cmp(&a.all.len()))
    });
    causal_order(&mut cands, events, &egroups);
    let mut kept: Vec<Candidate<'_>> = Vec::new();
    let mut contributing: Vec<Vec<Contributing>> = Vec::new();
    for c in cands {
        // A contributing cause of a kept diagnosis on the same host is
        // reported inside it, not as a rival.
        if kept.iter().any(|k| {
            k.host == c.host && k.cause.contributing.contains(&c.cause.id) && overlaps(k, &c)
        }) {
            continue;
        }
        if kept
            .iter()
            .any(|k| k.host == c.host && c.all.is_subset(&k.all))
        {
            continue;
        }
        // A consequence is no rival: a candidate whose roots follow, within
        // its window, the roots of a kept one about the same things is that
        // one's aftermath (path failures after a failed flush of the map).
        if kept.iter().any(|k| consequence_of(k, &c, events, &egroups)) {
            continue;
        }
        kept.push(c);
        contributing.push(Vec::new());
    }
    // An incident rooted in a guest's own lines is no separate story when
    // its hypervisor's incident already explains some of them (the guest's
    // I/O errors inside the volume's chain).
    let explained_guest = |c: &Candidate<'_>| {
        let Some(h) = c.host.as_ref() else {
            return false;
        };
        let Some(hyp) = guest_of.get(h).and_then(|g| g.hypervisor.clone()) else {
            return false;
        };
        kept.iter()
            .any(|k| k.host.as_deref() == Some(hyp.as_str()) && !k.all.is_disjoint(&c.all))
    };
    let drop: Vec<bool> = kept.iter().map(explained_guest).collect();
    let mut keep = drop.iter().map(|d| !d);
    kept.retain(|_| keep.next().unwrap_or(true));
    contributing.truncate(kept.len());

    // Fallback causes (the unclassified storage fault): error-level storage
    // evidence on a host no diagnosis speaks for, left over by every known
    // cause. Reported at low confidence with its evidence; never forced
    // into a known cause.
    let diagnosed_hosts: HashSet<Option<String>> = kept.iter().map(|k| k.host.clone()).collect();
    let explained: HashSet<usize> = kept.iter().flat_map(|k| k.all.iter().copied()).collect();
    // A guest whose hypervisor has a diagnosis is spoken for too.
    let spoken_for = |i: usize| {
        explained.contains(&i)
            || diagnosed_hosts.contains(&events[i].host)
            || hypervisor_of[i]
                .as_ref()
                .is_some_and(|h| diagnosed_hosts.contains(&Some(h.clone())))
    };
    for cause in knowledge.causes.iter().filter(|c| c.fallback) {
        for mut c in ctx.candidates(cause, |i| !spoken_for(i)) {
            c.confidence = c.confidence.min(FALLBACK_CONFIDENCE);
            kept.push(c);
            contributing.push(Vec::new());
        }
    }

    // Contributing factors: the root-step evidence of each listed cause on
    // the same host, in the diagnosis's window or untimed (host state). Any
    // severity counts here: swap in use does not cause an incident on its
    // own, but it makes a failing disk worse.
    for (k, contrib) in kept.iter().zip(contributing.iter_mut()) {
        for other in &k.cause.contributing {
            let Some(cause) = knowledge.causes.iter().find(|c| &c.id == other) else {
                continue;
            };
            let ev: Vec<Evidence> = events
                .iter()
                .enumerate()
                .filter(|(i, e)| {
                    benign_of[*i].is_none()
                        && e.host == k.host
                        && cause
                            .steps
                            .iter()
                            .any(|s| s.role == Role::Root && s.accepts(e))
                        && match (e.time.utc, k.window) {
                            (None, _) => true,
                            (Some(t), (Some(a), Some(b))) => t >= a - cause.window && t <= b,
                            (Some(_), _) => true,
                        }
                })
                .take(STEP_EVIDENCE)
                .map(|(_, e)| evidence(e))
                .collect();
            if !ev.is_empty() {
                contrib.push(Contributing {
                    cause: cause.id.clone(),
                    title: cause.title.get(lang).to_string(),
                    evidence: ev,
                });
            }
        }
    }
    // Benign findings, less what a diagnosis explains: a loop device's I/O
    // errors are snap noise unless a diagnosis of this host concerns that
    // device (its backing store failed) — then calling them harmless too
    // would contradict it.
    let mut diagnosed: HashSet<(Option<&str>, usize)> = HashSet::new();
    for k in &kept {
        for &i in &k.all {
            for &g in &egroups[i] {
                diagnosed.insert((k.host.as_deref(), g));
            }
        }
    }
    let explained_benign = |i: usize| {
        egroups[i]
            .iter()
            .any(|&g| diagnosed.contains(&(events[i].host.as_deref(), g)))
    };
    let mut findings = Vec::new();
    for (bi, b) in knowledge.benign.iter().enumerate() {
        let idx: Vec<usize> = (0..events.len())
            .filter(|&i| benign_of[i] == Some(bi) && !explained_benign(i))
            .collect();
        if idx.is_empty() {
            continue;
        }
        findings.push(Finding {
            id: b.id.clone(),
            severity: "info",
            text: b.text.get(lang).to_string(),
            count: occurrences(events, &idx),
            evidence: idx
                .iter()
                .take(STEP_EVIDENCE)
                .map(|&i| evidence(events[i]))
                .collect(),
            fix: Vec::new(),
        });
    }
    findings.extend(host_findings(checks, lang));
    let diagnoses = kept
        .iter()
        .zip(contributing)
        .map(|(c, contrib)| render(events, &also, &benign_of, &graph, c, contrib, lang))
        .collect();
    Outcome {
        diagnoses,
        findings,
    }
}

/// Causal order beats confidence: of two candidates on one host that
/// concern the same things (a shared event or identity), the one whose root
/// evidence came first is the cause and the later one its consequence — a
/// map that cannot be flushed after its paths were lost is the path loss's
/// residue; path failures after a failed flush are the stale device's. Only
/// roots with UTC times are compared (more than the order slack apart).
/// The UTC time of a candidate's first root-step event.
fn root_first(c: &Candidate<'_>, events: &[&Event]) -> Option<Timestamp> {
    c.steps
        .iter()
        .filter(|(si, _, _)| c.cause.steps[*si].role == Role::Root)
        .flat_map(|(_, ev, _)| ev.iter().filter_map(|&i| events[i].time.utc))
        .min()
}

/// Two candidates of different causes on one host that share an event or
/// an identity.
fn related(a: &Candidate<'_>, b: &Candidate<'_>, egroups: &[Vec<usize>]) -> bool {
    if a.host != b.host || a.cause.id == b.cause.id {
        return false;
    }
    if !a.all.is_disjoint(&b.all) {
        return true;
    }
    let ga: HashSet<usize> = a
        .all
        .iter()
        .flat_map(|&i| egroups[i].iter().copied())
        .collect();
    b.all
        .iter()
        .flat_map(|&i| egroups[i].iter())
        .any(|g| ga.contains(g))
}

/// `c` follows `k`: related, and `c`'s roots start after `k`'s (beyond the
/// order slack) and within `k`'s window.
fn consequence_of(
    k: &Candidate<'_>,
    c: &Candidate<'_>,
    events: &[&Event],
    egroups: &[Vec<usize>],
) -> bool {
    match (root_first(k, events), root_first(c, events)) {
        (Some(tk), Some(tc)) => {
            tc > tk + ORDER_SLACK && tc <= tk + k.cause.window && related(k, c, egroups)
        }
        _ => false,
    }
}

fn causal_order(cands: &mut [Candidate<'_>], events: &[&Event], egroups: &[Vec<usize>]) {
    // A stable pass of adjacent swaps, bounded: enough for the handful of
    // rivals one host has.
    for _ in 0..cands.len() {
        let mut swapped = false;
        for i in 1..cands.len() {
            let (a, b) = (&cands[i - 1], &cands[i]);
            if consequence_of(b, a, events, egroups) {
                cands.swap(i - 1, i);
                swapped = true;
            }
        }
        if !swapped {
            break;
        }
    }
}

/// The one host the evidence names, when some of it names none: then
/// the unnamed lines are that host's. `None` when no line or state names a
/// host, when every one does, or when two or more hosts are named.
fn sole_host(events: &[Event], checks: &[HostCheck<'_>], facts: &[HostFact<'_>]) -> Option<String> {
    let mut named: Option<&str> = None;
    let mut unnamed = false;
    let names = events
        .iter()
        .map(|e| e.host.as_deref())
        .chain(checks.iter().map(|c| c.host))
        .chain(facts.iter().map(|f| f.host));
    for h in names {
        match (h, named) {
            (None, _) => unnamed = true,
            (Some(h), None) => named = Some(h),
            (Some(h), Some(n)) if h != n => return None,
            _ => {}
        }
    }
    named.filter(|_| unnamed).map(str::to_string)
}

/// What every cause's candidates are built from.
struct Ctx<'a, 'e> {
    events: &'a [&'e Event],
    benign_of: &'a [Option<usize>],
    egroups: &'a [Vec<usize>],
    hypervisor_of: &'a [Option<String>],
}

impl Ctx<'_, '_> {
    /// The candidates of one cause: an incident per cluster of its root
    /// events (among those `eligible` lets through) that holds one of
    /// severity error or worse in the cause's context.
    fn candidates<'k>(
        &self,
        cause: &'k Cause,
        eligible: impl Fn(usize) -> bool,
    ) -> Vec<Candidate<'k>> {
        let events = self.events;
        let roots: Vec<usize> = (0..events.len())
            .filter(|&i| self.benign_of[i].is_none() && eligible(i))
            .filter(|&i| {
                cause
                    .steps
                    .iter()
                    .any(|s| s.role == Role::Root && s.accepts(events[i]))
            })
            .collect();
        // Each step's candidate events, once per cause (not per incident).
        let step_events: Vec<Vec<usize>> = cause
            .steps
            .iter()
            .map(|st| {
                (0..events.len())
                    .filter(|&j| self.benign_of[j].is_none() && st.accepts(events[j]))
                    .collect()
            })
            .collect();
        clusters(events, &roots, cause.window)
            .into_iter()
            .filter(|cluster| {
                cluster
                    .iter()
                    .any(|&i| root_severity(cause, events[i]) >= Severity::Error)
            })
            .filter_map(|cluster| {
                build(
                    events,
                    self.egroups,
                    self.hypervisor_of,
                    &step_events,
                    cause,
                    &cluster,
                )
            })
            .collect()
    }
}

/// How severe a root event is in this cause's context: its own severity,
/// raised by a root step's `severity` (qemu denied its disk image).
fn root_severity(cause: &Cause, e: &Event) -> Severity {
    cause
        .steps
        .iter()
        .filter(|s| s.role == Role::Root && s.accepts(e))
        .filter_map(|s| s.severity)
        .fold(e.severity, Severity::max)
}

fn overlaps(a: &Candidate<'_>, b: &Candidate<'_>) -> bool {
    match (a.window, b.window) {
        ((Some(a0), Some(a1)), (Some(b0), Some(b1))) => a0 <= b1 && b0 <= a1,
        _ => true,
    }
}

/// Root events grouped into incidents: per host, split where consecutive
/// root events are further apart than the cause's window.
fn clusters(events: &[&Event], roots: &[usize], window: SignedDuration) -> Vec<Vec<usize>> {
    let mut by_host: BTreeMap<Option<String>, Vec<usize>> = BTreeMap::new();
    for &i in roots {
        by_host.entry(events[i].host.clone()).or_default().push(i);
    }
    let mut out = Vec::new();
    for (_, mut list) in by_host {
        list.sort_by_key(|&i| events[i].time.utc);
        let mut cur: Vec<usize> = Vec::new();
        let mut last: Option<Timestamp> = None;
        for i in list {
            let t = events[i].time.utc;
            let split = match (last, t) {
                (Some(l), Some(t)) => t.duration_since(l) > window,
                _ => false,
            };
            if split && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            if t.is_some() {
                last = t;
            }
            cur.push(i);
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    out
}

fn build<'k>(
    events: &[&Event],
    egroups: &[Vec<usize>],
    hypervisor_of: &[Option<String>],
    step_events: &[Vec<usize>],
    cause: &'k Cause,
    cluster: &[usize],
) -> Option<Candidate<'k>> {
    let host = events[cluster[0]].host.clone();
    let times: Vec<Timestamp> = cluster.iter().filter_map(|&i| events[i].time.utc).collect();
    let t0 = times.iter().min().copied();
    let t1 = times.iter().max().copied();
    let start = t0.map(|t| t - cause.lead);
    let end = t1.map(|t| t + cause.window);
    // A root with no known time (a guest's dmesg from an unknown boot, a
    // command's output) cannot order or bound the rest: then only the
    // step's link (identity or host) decides, and the order score says so.
    let in_window = |e: &Event| match (e.time.utc, start, end) {
        (Some(t), Some(s), Some(en)) => t >= s && t <= en,
        (Some(_), None, None) => true,
        _ => false,
    };
    let mut groups: BTreeSet<usize> = BTreeSet::new();
    for &i in cluster {
        groups.extend(egroups[i].iter().copied());
    }

    let mut steps: Vec<(usize, Vec<usize>, &'static str)> = Vec::new();
    let mut proof: BTreeSet<usize> = BTreeSet::new();
    for (si, step) in cause.steps.iter().enumerate() {
        let (found, proven): (Vec<usize>, bool) = if step.role == Role::Root {
            (
                cluster
                    .iter()
                    .copied()
                    .filter(|&i| step.accepts(events[i]))
                    .collect(),
                true,
            )
        } else {
            let mut v = Vec::new();
            let mut v_linked: Vec<usize> = Vec::new();
            for &j in &step_events[si] {
                let e = events[j];
                // A guest's line joins its hypervisor's incident, and only
                // through identity: the guest is another machine, so being
                // "on the same host" proves nothing there.
                let via_guest =
                    e.host != host && hypervisor_of[j].is_some() && hypervisor_of[j] == host;
                if e.host != host && !via_guest {
                    continue;
                }
                // Without an absolute start the incident has no window:
                // events without one join by their link alone.
                let timely =
                    in_window(e) || (e.time.utc.is_none() && (step.untimed || start.is_none()));
                if !timely {
                    continue;
                }
                let linked = egroups[j].iter().any(|x| groups.contains(x));
                if (step.link == Link::Identity || via_guest) && !linked {
                    continue;
                }
                v.push(j);
                if linked {
                    v_linked.push(j);
                }
            }
            // `identity-or-host`: every event on the host joins, and the step
            // counts as proven when some of them are identity-linked; only
            // those extend the incident's identity.
            let proven = match step.link {
                Link::Identity => true,
                Link::IdentityOrHost => !v_linked.is_empty(),
                Link::Host => false,
            };
            let extend = if step.link == Link::Identity {
                &v
            } else {
                &v_linked
            };
            for &j in extend {
                groups.extend(egroups[j].iter().copied());
            }
            if step.link == Link::IdentityOrHost {
                proof.extend(v_linked.iter().copied());
            }
            // What this step linked extends the incident's identity: an
            // I/O error on sdt brings sdt's partitions and maps along.
            (v, proven)
        };
        if found.is_empty() {
            continue;
        }
        let link = match (step.role, proven) {
            (Role::Root, _) => "root",
            (_, true) => "identity",
            (_, false) => "host",
        };
        steps.push((si, found, link));
    }
    if !steps
        .iter()
        .any(|(si, _, _)| cause.steps[*si].role == Role::Root)
    {
        return None;
    }

    // Score: how much of the chain is there, in what order, how linked.
    // Root steps are alternative evidence of one cause (the kernel's, a
    // command's, a denial's view of it): the ones absent do not count
    // against coverage; later steps do.
    let total: u32 = cause
        .steps
        .iter()
        .enumerate()
        .filter(|(i, s)| s.role != Role::Root || steps.iter().any(|(si, _, _)| si == i))
        .map(|(_, s)| s.weight)
        .sum();
    let present: u32 = steps.iter().map(|(si, _, _)| cause.steps[*si].weight).sum();
    let coverage = present as f64 / total.max(1) as f64;
    // Order: by UTC where the steps have it; else by seconds since boot
    // (one host, one boot), else by line order within one file. Steps that
    // share no such clock are not compared; the diagnosis says which clock
    // the order rests on.
    let (order, order_basis) = step_order(events, &steps);
    let non_root: Vec<&'static str> = steps
        .iter()
        .filter(|(_, _, l)| *l != "root")
        .map(|(_, _, l)| *l)
        .collect();
    let linked = if non_root.is_empty() {
        0.0
    } else {
        non_root
            .iter()
            .map(|l| if *l == "identity" { 1.0 } else { 0.5 })
            .sum::<f64>()
            / non_root.len() as f64
    };
    let confidence = (0.2 + 0.5 * coverage + 0.15 * order + 0.15 * linked).min(0.99);
    let confidence = (confidence * 100.0).round() / 100.0;

    let all: BTreeSet<usize> = steps
        .iter()
        .flat_map(|(_, v, _)| v.iter().copied())
        .collect();
    let chain_times: Vec<Timestamp> = all.iter().filter_map(|&i| events[i].time.utc).collect();
    Some(Candidate {
        cause,
        host,
        steps,
        confidence,
        order_basis,
        window: (
            chain_times.iter().min().copied(),
            chain_times.iter().max().copied(),
        ),
        all,
        proof,
    })
}

/// A fallback diagnosis says "something is wrong here", not why: its
/// confidence never rises above this.
const FALLBACK_CONFIDENCE: f64 = 0.3;

/// The clock the chain's order was judged on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OrderBasis {
    /// UTC times (observed or inferred).
    Utc,
    /// Seconds since boot of one host.
    SinceBoot,
    /// Line order within one file.
    LineOrder,
    /// One step, or steps that share no clock: order unknown.
    Unknown,
}

impl OrderBasis {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            OrderBasis::Utc => "utc",
            OrderBasis::SinceBoot => "since-boot",
            OrderBasis::LineOrder => "line-order",
            OrderBasis::Unknown => "unknown",
        }
    }
}

/// Each step's earliest event, compared step by step on the best clock two
/// consecutive steps share: UTC, else line order within one file (which boot
/// seconds confirm when they agree). Files without UTC are not compared with
/// each other: two dmesg captures may be two boots. The score is the share of compared pairs in
/// causal order (0.5 when nothing could be compared).
fn step_order(events: &[&Event], steps: &[(usize, Vec<usize>, &'static str)]) -> (f64, OrderBasis) {
    // The representative event of a step: its earliest, by UTC, then boot
    // seconds, then line.
    let reps: Vec<&Event> = steps
        .iter()
        .filter_map(|(_, ev, _)| {
            ev.iter()
                .map(|&i| events[i])
                .filter(|e| !e.signature.starts_with("host."))
                .min_by(|a, b| {
                    let key = |e: &Event| (e.time.utc.is_none(), e.time.utc);
                    key(a).cmp(&key(b)).then(
                        a.time
                            .since_boot
                            .partial_cmp(&b.time.since_boot)
                            .unwrap_or(std::cmp::Ordering::Equal)
                            .then(a.source.line.cmp(&b.source.line)),
                    )
                })
        })
        .collect();
    let mut compared = 0usize;
    let mut ok = 0usize;
    let mut basis = OrderBasis::Unknown;
    let mut note = |b: OrderBasis| {
        // The weakest clock used is the one the order rests on.
        let rank = |b: OrderBasis| match b {
            OrderBasis::Utc => 3,
            OrderBasis::SinceBoot => 2,
            OrderBasis::LineOrder => 1,
            OrderBasis::Unknown => 4,
        };
        if rank(b) < rank(basis) {
            basis = b;
        }
    };
    // Steps with UTC times, in chain order, compared with each other (the
    // untimed ones in between skipped); then the steps without UTC, on the
    // clock of their own file.
    let timed: Vec<Timestamp> = reps.iter().filter_map(|e| e.time.utc).collect();
    for w in timed.windows(2) {
        note(OrderBasis::Utc);
        compared += 1;
        ok += usize::from(w[1] + ORDER_SLACK >= w[0]);
    }
    let untimed: Vec<&Event> = reps
        .iter()
        .copied()
        .filter(|e| e.time.utc.is_none())
        .collect();
    for w in untimed.windows(2) {
        let (a, b) = (w[0], w[1]);
        let in_order = if a.source.file == b.source.file {
            // One file is written in order: its lines are the truth, across
            // a reboot too (where boot seconds start again at zero).
            match (a.time.since_boot, b.time.since_boot) {
                (Some(x), Some(y)) if (y >= x) == (b.source.line >= a.source.line) => {
                    note(OrderBasis::SinceBoot)
                }
                _ => note(OrderBasis::LineOrder),
            }
            b.source.line >= a.source.line
        } else {
            // Two files may hold two boots (a dmesg per capture): their
            // boot seconds do not compare.
            continue;
        };
        compared += 1;
        ok += usize::from(in_order);
    }
    if compared == 0 {
        (0.5, OrderBasis::Unknown)
    } else {
        (ok as f64 / compared as f64, basis)
    }
}

/// Placeholder values of an incident.
struct Values {
    entities: BTreeMap<EntityKind, Vec<String>>,
    host: Option<String>,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    lang: Lang,
}

fn join(list: &[String]) -> String {
    const MAX: usize = 4;
    if list.len() <= MAX {
        list.join(", ")
    } else {
        format!("{} (+{} more)", list[..MAX].join(", "), list.len() - MAX)
    }
}

/// A placeholder filled (or a brace group kept as written), or known to
/// have no value in this incident.
enum Filled {
    Value(String),
    /// A placeholder of the template language with no value here.
    Unknown(&'static str),
}

impl Values {
    /// Fill a template. `[[ … ]]` marks an optional clause: it is left out
    /// whole when a placeholder inside it has no value. A placeholder with
    /// no value outside such a clause reads as a plain noun ("the map(s)"),
    /// so no output ever shows `<maps>` or `?`.
    fn fill(&self, template: &str, each: Option<(EntityKind, &str)>) -> String {
        self.fill_checked(template, each).0
    }

    /// As `fill`, and whether a placeholder outside optional clauses had
    /// no value (a command with a missing name cannot be run as printed).
    /// The template language is the one of every knowledge file
    /// (`rootline_model::text`).
    fn fill_checked(&self, template: &str, each: Option<(EntityKind, &str)>) -> (String, bool) {
        let f = rootline_model::text::fill(template, &|name| match self.value(name, each) {
            Filled::Value(v) => rootline_model::text::Slot::Value(v),
            Filled::Unknown(noun) => rootline_model::text::Slot::Unknown(noun.to_string()),
        });
        (f.text, f.unknown)
    }

    fn value(&self, name: &str, each: Option<(EntityKind, &str)>) -> Filled {
        let time = |t: Option<Timestamp>| match t {
            Some(t) => Filled::Value(fmt_time(Some(t))),
            None => Filled::Unknown(noun(name, self.lang)),
        };
        match name {
            "host" => {
                return match &self.host {
                    Some(h) => Filled::Value(h.clone()),
                    None => Filled::Unknown(noun(name, self.lang)),
                };
            }
            "first" => return time(self.first),
            "last" => return time(self.last),
            // A journalctl window around the incident: ten minutes either
            // side, in a form journalctl takes as UTC.
            "since" | "until" => {
                let t = if name == "since" {
                    self.first.map(|t| t - SignedDuration::from_mins(10))
                } else {
                    self.last.map(|t| t + SignedDuration::from_mins(10))
                };
                return match t {
                    Some(t) => Filled::Value(t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string()),
                    None => Filled::Unknown(noun("first", self.lang)),
                };
            }
            _ => {}
        }
        for k in EntityKind::ALL {
            if name == k.plural() {
                return match self.entities.get(&k) {
                    Some(v) if !v.is_empty() => Filled::Value(join(v)),
                    _ => Filled::Unknown(noun(name, self.lang)),
                };
            }
            if name == k.singular() {
                if let Some((ek, v)) = each
                    && ek == k
                {
                    return Filled::Value(v.to_string());
                }
                return match self.entities.get(&k).and_then(|v| v.first()) {
                    Some(v) => Filled::Value(v.clone()),
                    None => Filled::Unknown(noun(k.plural(), self.lang)),
                };
            }
        }
        // Not a placeholder (`{print $1}` in a command): kept as written.
        Filled::Value(format!("{{{name}}}"))
    }

    fn actions(&self, defs: &[ActionDef], lang: Lang) -> Vec<Action> {
        let mut out = Vec::new();
        for d in defs {
            let kind = d
                .each
                .as_deref()
                .and_then(|e| EntityKind::ALL.into_iter().find(|k| k.singular() == e));
            let values: Vec<Option<String>> = match kind.and_then(|k| self.entities.get(&k)) {
                Some(v) if !v.is_empty() => {
                    let kept: Vec<Option<String>> = v
                        .iter()
                        .filter(|x| d.only.as_ref().is_none_or(|re| re.is_match(x)))
                        .cloned()
                        .map(Some)
                        .collect();
                    if kept.is_empty() {
                        // Nothing this action applies to in this incident.
                        continue;
                    }
                    kept
                }
                _ => vec![None],
            };
            for v in values {
                let each = match (kind, &v) {
                    (Some(k), Some(v)) => Some((k, v.as_str())),
                    _ => None,
                };
                // A command naming something this incident does not know
                // cannot be run as printed: the text says what to look up
                // instead, and no command is shown.
                let command = d.command.as_deref().map(|c| self.fill_checked(c, each));
                let mut text = self.fill(d.text.get(lang), each);
                let command = match command {
                    Some((c, false)) => Some(c),
                    Some((_, true)) => {
                        text.push_str(match lang {
                            Lang::En => " (the evidence does not name it, so no command is given)",
                            Lang::Ko => " (증거에 대상 이름이 없어 명령은 생략합니다)",
                        });
                        None
                    }
                    None => None,
                };
                let a = Action { text, command };
                if !out.contains(&a) {
                    out.push(a);
                }
            }
        }
        out
    }
}

/// What an unknown placeholder reads as: a plain noun, never `<name>`.
fn noun(name: &str, lang: Lang) -> &'static str {
    match (name, lang) {
        ("host", Lang::En) => "this host",
        ("host", Lang::Ko) => "이 호스트",
        ("first" | "last", Lang::En) => "an unknown time",
        ("first" | "last", Lang::Ko) => "알 수 없는 시각",
        ("devices", Lang::En) => "the device(s)",
        ("devices", Lang::Ko) => "해당 디바이스",
        ("devnums", Lang::En) => "the device number(s)",
        ("devnums", Lang::Ko) => "해당 디바이스 번호",
        ("maps", Lang::En) => "the map(s)",
        ("maps", Lang::Ko) => "해당 map",
        ("wwids", Lang::En) => "the LUN(s)",
        ("wwids", Lang::Ko) => "해당 LUN",
        ("volumes", Lang::En) => "the volume(s)",
        ("volumes", Lang::Ko) => "해당 볼륨",
        ("instances", Lang::En) => "the instance(s)",
        ("instances", Lang::Ko) => "해당 인스턴스",
        ("domains", Lang::En) => "the VM(s)",
        ("domains", Lang::Ko) => "해당 VM",
        ("processes", Lang::En) => "the process(es)",
        ("processes", Lang::Ko) => "해당 프로세스",
        ("pods", Lang::En) => "the pod(s)",
        ("pods", Lang::Ko) => "해당 pod",
        ("containers", Lang::En) => "the container(s)",
        ("containers", Lang::Ko) => "해당 컨테이너",
        ("nfs_servers", Lang::En) => "the NFS server(s)",
        ("nfs_servers", Lang::Ko) => "해당 NFS 서버",
        ("paths", Lang::En) => "the file(s)",
        ("paths", Lang::Ko) => "해당 파일",
        (_, Lang::En) => "the affected object(s)",
        (_, Lang::Ko) => "해당 대상",
    }
}

fn fmt_time(t: Option<Timestamp>) -> String {
    t.map(|t| t.strftime("%Y-%m-%d %H:%M:%SZ").to_string())
        .unwrap_or_else(|| "?".to_string())
}

fn render(
    events: &[&Event],
    also: &HashMap<usize, Vec<Evidence>>,
    benign_of: &[Option<usize>],
    graph: &Graph,
    c: &Candidate<'_>,
    contributing: Vec<Contributing>,
    lang: Lang,
) -> Diagnosis {
    let all: Vec<usize> = c.all.iter().copied().collect();
    let entities = identity::collect(graph, &all);
    let values = Values {
        entities: entities.clone(),
        host: c.host.clone(),
        first: c.window.0,
        last: c.window.1,
        lang,
    };
    let chain: Vec<ChainStep> = c
        .steps
        .iter()
        .map(|(si, ev, link)| {
            let step = &c.cause.steps[*si];
            let mut ev = ev.clone();
            ev.sort_by_key(|&i| {
                (
                    !c.proof.contains(&i),
                    events[i].time.utc.is_none(),
                    events[i].time.utc,
                )
            });
            let times: Vec<Timestamp> = ev.iter().filter_map(|&i| events[i].time.utc).collect();
            ChainStep {
                step: step.id.clone(),
                role: step.role.as_str(),
                meaning: values.fill(step.meaning.get(lang), None),
                link,
                first: times.iter().min().copied(),
                last: times.iter().max().copied(),
                count: occurrences(events, &ev),
                events: ev
                    .iter()
                    .take(STEP_EVIDENCE)
                    .flat_map(|&i| cited_lines(events, also, i))
                    .collect(),
            }
        })
        .collect();
    let present: BTreeSet<usize> = c.steps.iter().map(|(si, _, _)| *si).collect();
    let missing: Vec<String> = c
        .cause
        .steps
        .iter()
        .enumerate()
        // Absent alternative roots are not "missing": one root proves the
        // cause; what would strengthen it are the later steps.
        .filter(|(i, s)| !present.contains(i) && s.role != Role::Root)
        .map(|(_, s)| values.fill(s.meaning.get(lang), None))
        .collect();
    let mut cited: Vec<usize> = all.clone();
    cited.sort_by_key(|&i| (events[i].time.utc.is_none(), events[i].time.utc, i));
    let unexplained: Vec<Evidence> = events
        .iter()
        .enumerate()
        .filter(|(i, e)| {
            benign_of[*i].is_none()
                && !c.all.contains(i)
                && e.host == c.host
                && e.severity >= Severity::Error
                && match (e.time.utc, c.window) {
                    (Some(t), (Some(a), Some(b))) => t >= a && t <= b,
                    _ => false,
                }
        })
        .take(10)
        .map(|(_, e)| evidence(e))
        .collect();
    let mut files: Vec<String> = Vec::new();
    let mut layers: Vec<String> = Vec::new();
    for &i in &all {
        let e = events[i];
        if !files.contains(&e.source.file) {
            files.push(e.source.file.clone());
        }
        if !layers.contains(&e.component) {
            layers.push(e.component.clone());
        }
    }
    files.sort();
    layers.sort();
    Diagnosis {
        cause: c.cause.id.clone(),
        title: c.cause.title.get(lang).to_string(),
        confidence: c.confidence,
        confidence_label: if c.confidence >= 0.75 {
            "high"
        } else if c.confidence >= 0.5 {
            "medium"
        } else {
            "low"
        },
        host: c.host.clone(),
        summary: values.fill(c.cause.summary.get(lang), None),
        first: c.window.0,
        last: c.window.1,
        chain,
        basis: Basis {
            files,
            layers,
            order: c.order_basis.as_str(),
        },
        entities: entities
            .into_iter()
            .map(|(k, v)| (k.plural().to_string(), v))
            .collect(),
        evidence: cited
            .iter()
            .flat_map(|&i| cited_lines(events, also, i))
            .collect(),
        contributing,
        collect: if missing.is_empty() {
            Vec::new()
        } else {
            values.actions(&c.cause.collect, lang)
        },
        missing,
        unexplained,
        remediation: values.actions(&c.cause.fix, lang),
        prevention: values.actions(&c.cause.prevention, lang),
        references: c.cause.references.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAUSES: &str = r#"
[[cause]]
id = "t-path-loss"
title = { en = "T", ko = "T" }
summary = { en = "Paths of [[the map(s) {maps} ]]failed on {host}.[[ First {first}.]]", ko = "S" }
window = "1h"

[[cause.step]]
id = "paths"
role = "root"
signatures = ["t.path-down"]
meaning = { en = "paths down", ko = "m" }

[[cause.step]]
id = "io"
role = "effect"
signatures = ["t.io-error"]
link = "host"
meaning = { en = "I/O errors", ko = "m" }

[[cause]]
id = "t-stale"
title = { en = "T", ko = "T" }
summary = { en = "S", ko = "S" }
window = "1h"

[[cause.step]]
id = "flush"
role = "root"
signatures = ["t.flush-failed"]
weight = 3
meaning = { en = "flush failed", ko = "m" }

[[cause.step]]
id = "io"
role = "effect"
signatures = ["t.io-error"]
link = "host"
meaning = { en = "I/O errors", ko = "m" }

[[cause]]
id = "t-denied"
title = { en = "T", ko = "T" }
summary = { en = "S", ko = "S" }

[[cause.step]]
id = "denied"
role = "root"
signatures = ["t.denied"]
severity = "error"
when = { comm = '^qemu' }
meaning = { en = "qemu denied", ko = "m" }

[[cause]]
id = "t-fallback"
fallback = true
title = { en = "T", ko = "T" }
summary = { en = "S", ko = "S" }

[[cause.step]]
id = "errors"
role = "root"
untimed = true
signatures = ["t.*"]
meaning = { en = "storage errors", ko = "m" }
"#;

    fn knowledge() -> Knowledge {
        let mut k = Knowledge::default();
        k.apply(vec![("t.toml".into(), CAUSES.into())]).unwrap();
        k
    }

    fn ev(sig: &str, sev: Severity, host: Option<&str>, file: &str, line: u64) -> Event {
        Event {
            time: EventTime::unknown(),
            host: host.map(str::to_string),
            source: SourceRef {
                file: file.into(),
                line,
            },
            also: Vec::new(),
            component: "kernel".into(),
            signature: sig.into(),
            severity: sev,
            fields: Fields::new(),
            text: format!("{sig} line {line}"),
            context: Vec::new(),
            repeats: 0,
            last_seen: None,
            truncated: false,
        }
    }

    fn boot(mut e: Event, secs: f64) -> Event {
        e.time.since_boot = Some(secs);
        e.time.raw = format!("[{secs}]");
        e
    }

    fn run(events: &[Event]) -> Outcome {
        diagnose(events, &[], &[], &knowledge(), &FieldKinds::new(), Lang::En)
    }

    #[test]
    fn a_dmesg_of_an_unknown_boot_is_diagnosed_and_ordered_by_boot_seconds() {
        let events = vec![
            boot(
                ev("t.path-down", Severity::Critical, None, "dmesg", 1),
                10.0,
            ),
            boot(ev("t.io-error", Severity::Error, None, "dmesg", 2), 11.0),
        ];
        let out = run(&events);
        let d = &out.diagnoses[0];
        assert_eq!(d.cause, "t-path-loss");
        assert_eq!(d.chain.len(), 2);
        assert_eq!(d.basis.order, "since-boot");
        assert_eq!(d.basis.files, vec!["dmesg".to_string()]);
        assert!(d.first.is_none(), "nothing becomes observed UTC");
        // The effect before its root: the order score drops.
        let reversed = vec![
            boot(
                ev("t.path-down", Severity::Critical, None, "dmesg", 2),
                900.0,
            ),
            boot(ev("t.io-error", Severity::Error, None, "dmesg", 1), 10.0),
        ];
        let r = run(&reversed);
        assert!(r.diagnoses[0].confidence < d.confidence);
    }

    /// A timed event about map mpatha.
    fn at(mut e: Event, minute: i64) -> Event {
        let t0: Timestamp = "2025-10-13T19:00:00Z".parse().unwrap();
        e.time.utc = Some(t0 + SignedDuration::from_mins(minute));
        e.fields
            .insert("map".into(), FieldValue::Text("mpatha".into()));
        e
    }

    fn run_with_maps(events: &[Event]) -> Outcome {
        let kinds: FieldKinds = ["t.path-down", "t.io-error", "t.flush-failed"]
            .iter()
            .map(|s| (s.to_string(), vec![("map".to_string(), FieldKind::Map)]))
            .collect();
        diagnose(events, &[], &[], &knowledge(), &kinds, Lang::En)
    }

    #[test]
    fn the_earlier_root_is_the_cause_and_the_later_one_its_consequence() {
        // Paths lost first, the map's flush fails later: a path loss.
        let events = vec![
            at(ev("t.path-down", Severity::Critical, None, "syslog", 1), 0),
            at(ev("t.io-error", Severity::Error, None, "syslog", 2), 1),
            at(ev("t.flush-failed", Severity::Error, None, "syslog", 3), 20),
        ];
        let out = run_with_maps(&events);
        let causes: Vec<&str> = out.diagnoses.iter().map(|d| d.cause.as_str()).collect();
        assert_eq!(causes, ["t-path-loss"]);
        // The flush fails first, path failures follow: a stale device, even
        // though the path-loss chain alone would score as high.
        let events = vec![
            at(ev("t.flush-failed", Severity::Error, None, "syslog", 1), 0),
            at(ev("t.path-down", Severity::Critical, None, "syslog", 2), 20),
            at(ev("t.io-error", Severity::Error, None, "syslog", 3), 21),
        ];
        let out = run_with_maps(&events);
        let causes: Vec<&str> = out.diagnoses.iter().map(|d| d.cause.as_str()).collect();
        assert_eq!(causes, ["t-stale"]);
    }

    #[test]
    fn unknown_values_drop_their_clause_and_never_show_as_placeholders() {
        let events = vec![ev("t.path-down", Severity::Critical, None, "x", 1)];
        let d = &run(&events).diagnoses[0];
        assert_eq!(d.summary, "Paths of failed on this host.");
        assert!(!d.summary.contains('<') && !d.summary.contains('?'));
        assert_eq!(d.basis.order, "unknown");
    }

    #[test]
    fn loose_files_are_one_host_unless_they_name_two() {
        let events = vec![
            ev(
                "t.path-down",
                Severity::Critical,
                Some("node37"),
                "messages",
                1,
            ),
            ev("t.io-error", Severity::Error, None, "nova-compute.log", 1),
        ];
        let d = &run(&events).diagnoses[0];
        assert_eq!(d.host.as_deref(), Some("node37"));
        assert_eq!(d.chain.len(), 2, "the unnamed file's line joins its host");
        let two = vec![
            ev(
                "t.path-down",
                Severity::Critical,
                Some("node37"),
                "messages",
                1,
            ),
            ev(
                "t.io-error",
                Severity::Error,
                Some("node12"),
                "messages.1",
                1,
            ),
            ev("t.io-error", Severity::Error, None, "nova-compute.log", 1),
        ];
        let d = &run(&two).diagnoses[0];
        assert_eq!(d.chain.len(), 1, "with two hosts named, nothing is adopted");
    }

    #[test]
    fn context_raises_a_denial_to_a_root_only_for_the_step_it_fits() {
        let mut qemu = ev("t.denied", Severity::Info, None, "audit.log", 1);
        qemu.fields
            .insert("comm".into(), FieldValue::Text("qemu-kvm".into()));
        let out = run(&[qemu]);
        assert_eq!(out.diagnoses[0].cause, "t-denied");
        let mut cups = ev("t.denied", Severity::Info, None, "audit.log", 1);
        cups.fields
            .insert("comm".into(), FieldValue::Text("cupsd".into()));
        assert!(
            run(&[cups]).diagnoses.is_empty(),
            "an info denial of cups stays info"
        );
    }

    #[test]
    fn unexplained_storage_errors_are_an_unclassified_fault_never_a_known_cause() {
        let out = run(&[ev("t.other-error", Severity::Error, None, "dmesg", 1)]);
        assert_eq!(out.diagnoses.len(), 1);
        assert_eq!(out.diagnoses[0].cause, "t-fallback");
        assert!(out.diagnoses[0].confidence <= FALLBACK_CONFIDENCE);
        // Where a known cause speaks for the host, no fallback is added.
        let out = run(&[
            ev("t.path-down", Severity::Critical, None, "dmesg", 1),
            ev("t.other-error", Severity::Error, None, "dmesg", 2),
        ]);
        assert_eq!(out.diagnoses.len(), 1);
        assert_eq!(out.diagnoses[0].cause, "t-path-loss");
        // Warnings alone are no fault.
        assert!(
            run(&[ev("t.other-warning", Severity::Warning, None, "dmesg", 1)])
                .diagnoses
                .is_empty()
        );
    }
}
