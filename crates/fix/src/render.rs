//! Plans and outcomes as an operator reads them, in English or Korean.

use std::fmt::Write;

use crate::apply::{Applied, ItemOutcome};
use crate::plan::{Item, Plan, TargetKind, Verdict};

pub use rootline_model::Lang;

fn kind_name(k: TargetKind, lang: Lang) -> &'static str {
    match (k, lang) {
        (TargetKind::Loop, Lang::En) => "loop device",
        (TargetKind::Loop, Lang::Ko) => "루프 장치",
        (TargetKind::MultipathMap, Lang::En) => "multipath map",
        (TargetKind::MultipathMap, Lang::Ko) => "multipath 맵",
        (TargetKind::UnusedMap, Lang::En) => "unused dm map",
        (TargetKind::UnusedMap, Lang::Ko) => "사용되지 않는 dm 맵",
        (TargetKind::ScsiDevice, Lang::En) => "SCSI device",
        (TargetKind::ScsiDevice, Lang::Ko) => "SCSI 장치",
    }
}

/// The plan: per target, why it is stale, then each step with its checks.
/// `apply` says whether the reader is about to apply it.
pub fn render_plan(plan: &Plan, lang: Lang, host: &str, dry_run: bool) -> String {
    let ko = lang == Lang::Ko;
    let mut s = String::new();
    if plan.items.is_empty() {
        let _ = writeln!(
            s,
            "{}",
            if ko {
                format!("{host}: 정리할 stale 장치가 없습니다.")
            } else {
                format!("{host}: no stale device to clean up.")
            }
        );
    } else {
        let _ = writeln!(
            s,
            "{}",
            if ko {
                format!(
                    "{host}: stale 장치 {}개 — 정리 계획{}",
                    plan.items.len(),
                    if dry_run {
                        " (dry run: 아무것도 바꾸지 않음; 실행하려면 --apply)"
                    } else {
                        ""
                    }
                )
            } else {
                format!(
                    "{host}: {} stale device{} — cleanup plan{}",
                    plan.items.len(),
                    if plan.items.len() == 1 { "" } else { "s" },
                    if dry_run {
                        " (dry run: nothing is changed; --apply to perform it)"
                    } else {
                        ""
                    }
                )
            }
        );
    }
    for (i, item) in plan.items.iter().enumerate() {
        let t = &item.target;
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "{}. {} {}{}",
            i + 1,
            kind_name(t.kind, lang),
            t.name,
            t.dm.as_ref().map(|d| format!(" ({d})")).unwrap_or_default()
        );
        let _ = writeln!(s, "   {}", if ko { &t.why_ko } else { &t.why_en });
        match &item.refused {
            Some(why) => {
                let _ = writeln!(
                    s,
                    "   {} {}",
                    lang.pick("REFUSED:", "거부됨:"),
                    why.get(lang)
                );
            }
            None => {
                let _ = writeln!(
                    s,
                    "   {}",
                    if ko {
                        "안전 확인 통과"
                    } else {
                        "safety checks pass"
                    }
                );
            }
        }
        for (j, step) in item.steps.iter().enumerate() {
            let _ = writeln!(
                s,
                "   {}.{} {}",
                i + 1,
                j + 1,
                if ko { &step.ko } else { &step.en }
            );
            let _ = writeln!(s, "       $ {}", step.command_line());
            if j > 0 && step.checks.iter().all(|c| c.verdict.is_later()) {
                let names: Vec<String> = step
                    .checks
                    .iter()
                    .map(|c| check_label(&c.safety, lang))
                    .collect();
                let _ = writeln!(
                    s,
                    "       {} {}",
                    if ko {
                        "실행 직전 확인:"
                    } else {
                        "checked right before it runs:"
                    },
                    names.join(", ")
                );
                continue;
            }
            for c in &step.checks {
                let mark = match &c.verdict {
                    Verdict::Pass(_) => "ok  ",
                    Verdict::Fail(_) => "FAIL",
                    Verdict::Unknown(_) => "??  ",
                };
                let _ = writeln!(
                    s,
                    "       [{mark}] {}: {}",
                    check_label(&c.safety, lang),
                    c.verdict.why().get(lang)
                );
            }
        }
    }
    if !plan.notes.is_empty() {
        let _ = writeln!(s);
        for n in &plan.notes {
            let _ = writeln!(s, "{} {}", lang.pick("note:", "참고:"), n.get(lang));
        }
    }
    s
}

fn check_label(s: &crate::plan::Safety, lang: Lang) -> String {
    use crate::plan::Safety::*;
    let (en, ko) = match s {
        StillStale(d) => (format!("{d} still stale"), format!("{d} 여전히 stale")),
        NotMounted(d) => (format!("{d} not mounted"), format!("{d} 마운트 안 됨")),
        NoHolders(d) => (format!("{d} has no holders"), format!("{d} holder 없음")),
        // dmsetup's own word, the same in both languages.
        OpenCountZero(d) => (format!("{d} open count 0"), format!("{d} open count 0")),
        NotSwap(d) => (format!("{d} not swap"), format!("{d} swap 아님")),
        NoOpeners(d) => (
            format!("no process has {d} open"),
            format!("{d}을(를) 연 프로세스 없음"),
        ),
        NotInDomain(d) => (
            format!("no running domain uses {d}"),
            format!("{d}을(를) 쓰는 도메인 없음"),
        ),
        NoInflight(d) => (
            format!("{d} has no I/O in flight"),
            format!("{d} 처리 중 I/O 없음"),
        ),
    };
    if lang == Lang::Ko { ko } else { en }
}

/// The question `--apply` asks before each item (without `--yes`).
pub fn confirm_prompt(item: &Item, lang: Lang) -> String {
    let t = &item.target;
    match lang {
        Lang::En => {
            let kind = match t.kind {
                TargetKind::Loop => "loop device",
                TargetKind::MultipathMap => "multipath map",
                TargetKind::UnusedMap => "dm map",
                TargetKind::ScsiDevice => "SCSI device",
            };
            format!("Clean up {kind} {}? [y/N] ", t.name)
        }
        Lang::Ko => format!(
            "{} {}을(를) 정리합니까? [y/N] ",
            kind_name(t.kind, lang),
            t.name
        ),
    }
}

/// What `--apply` did.
pub fn render_applied(applied: &Applied, lang: Lang, audit_log: &str) -> String {
    let ko = lang == Lang::Ko;
    let mut s = String::new();
    for (name, o) in &applied.items {
        let line = match (o, ko) {
            (ItemOutcome::Done, false) => format!("{name}: done"),
            (ItemOutcome::Done, true) => format!("{name}: 완료"),
            (ItemOutcome::Declined, false) => format!("{name}: skipped (not confirmed)"),
            (ItemOutcome::Declined, true) => format!("{name}: 건너뜀 (확인 안 함)"),
            (ItemOutcome::Refused(w), false) => format!("{name}: refused — {}", w.en),
            (ItemOutcome::Refused(w), true) => format!("{name}: 거부됨 — {}", w.ko),
            (ItemOutcome::Failed(w), false) => {
                format!("{name}: FAILED — {}; stopped here", w.en)
            }
            (ItemOutcome::Failed(w), true) => format!("{name}: 실패 — {}; 여기서 중단", w.ko),
            (ItemOutcome::NotAttempted, false) => {
                format!("{name}: not attempted (stopped earlier)")
            }
            (ItemOutcome::NotAttempted, true) => format!("{name}: 시도 안 함 (앞에서 중단)"),
        };
        let _ = writeln!(s, "{line}");
    }
    let _ = writeln!(
        s,
        "{} {audit_log}",
        if ko { "감사 로그:" } else { "audit log:" }
    );
    s
}
