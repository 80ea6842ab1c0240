//! Performing a plan: step by step, each step's checks made again right
//! before it runs, stopping at the first failure, every action and outcome
//! appended to the audit log.

use std::io::Write;

use rootline_model::Text;
use serde::Serialize;

use crate::Error;
use crate::plan::{Checked, Item, Plan, Safety, evaluate, refusal};
use crate::probe::{CmdOutput, Executor, Probe};

/// How one item ended (the reasons in English and Korean).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "detail", rename_all = "kebab-case")]
pub enum ItemOutcome {
    /// Every step ran and succeeded.
    Done,
    /// The operator said no.
    Declined,
    /// A check failed before a step: nothing more was done.
    Refused(Text),
    /// A step's command failed: nothing more was done.
    Failed(Text),
    /// Not attempted because an earlier item stopped the run.
    NotAttempted,
}

/// The result of applying a plan.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Applied {
    pub items: Vec<(String, ItemOutcome)>,
}

impl Applied {
    pub fn all_done(&self) -> bool {
        self.items
            .iter()
            .all(|(_, o)| matches!(o, ItemOutcome::Done | ItemOutcome::Declined))
    }
}

/// One line of the audit log (JSON lines, appended). A machine record: its
/// reasons (`why`, `detail`) are the English texts, whatever `--lang`.
#[derive(Serialize)]
struct Audit<'a> {
    time: String,
    target: &'a str,
    kind: &'a crate::plan::TargetKind,
    event: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    command: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    checks: Vec<AuditCheck>,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<&'a CmdOutput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

/// A check in the audit log: `{"safety": …, "verdict": "pass", "why": "…"}`.
#[derive(Serialize)]
struct AuditCheck {
    safety: Safety,
    verdict: &'static str,
    why: String,
}

impl From<&Checked> for AuditCheck {
    fn from(c: &Checked) -> AuditCheck {
        AuditCheck {
            safety: c.safety.clone(),
            verdict: c.verdict.name(),
            why: c.verdict.why().en.clone(),
        }
    }
}

/// Apply `plan`. `confirm` is asked once per item (answer `true` to go on);
/// `audit` receives one JSON line per check round, command and outcome.
/// Refused items are skipped (they were refused when planned, and say why);
/// the first failure — a check failing right before a step, a command
/// failing — stops the whole run, since later items may rest on the same
/// state.
pub fn apply(
    plan: &Plan,
    probe: &dyn Probe,
    exec: &dyn Executor,
    audit: &mut dyn Write,
    confirm: &mut dyn FnMut(&Item) -> bool,
) -> Result<Applied, Error> {
    let mut applied = Applied::default();
    let mut stopped = false;
    for item in &plan.items {
        let name = item.target.name.clone();
        let log = |audit: &mut dyn Write, a: Audit<'_>| -> Result<(), Error> {
            let mut line =
                serde_json::to_string(&a).map_err(|e| Error::Audit(std::io::Error::other(e)))?;
            line.push('\n');
            audit.write_all(line.as_bytes()).map_err(Error::Audit)?;
            audit.flush().map_err(Error::Audit)
        };
        let base = |event: &'static str| Audit {
            time: jiff::Timestamp::now().to_string(),
            target: &item.target.name,
            kind: &item.target.kind,
            event,
            command: None,
            checks: Vec::new(),
            result: None,
            detail: None,
        };
        if stopped {
            applied.items.push((name, ItemOutcome::NotAttempted));
            continue;
        }
        if let Some(why) = &item.refused {
            log(
                audit,
                Audit {
                    detail: Some(why.en.clone()),
                    ..base("refused-when-planned")
                },
            )?;
            applied
                .items
                .push((name, ItemOutcome::Refused(why.clone())));
            continue;
        }
        if !confirm(item) {
            log(audit, base("declined"))?;
            applied.items.push((name, ItemOutcome::Declined));
            continue;
        }
        let mut outcome = ItemOutcome::Done;
        for step in &item.steps {
            // The host may have changed since the plan was made (or since
            // the previous step): decide on what is true now.
            let checks: Vec<Checked> = step
                .checks
                .iter()
                .map(|c| Checked {
                    safety: c.safety.clone(),
                    verdict: evaluate(&c.safety, &item.target, probe),
                })
                .collect();
            let bad = checks.iter().find(|c| !c.verdict.passed()).cloned();
            let command = step.command_line();
            if let Some(bad) = bad {
                let why = refusal(&bad);
                log(
                    audit,
                    Audit {
                        command: Some(command),
                        checks: checks.iter().map(AuditCheck::from).collect(),
                        detail: Some(why.en.clone()),
                        ..base("refused")
                    },
                )?;
                outcome = ItemOutcome::Refused(why);
                break;
            }
            log(
                audit,
                Audit {
                    command: Some(command.clone()),
                    checks: checks.iter().map(AuditCheck::from).collect(),
                    ..base("run")
                },
            )?;
            let result = exec.execute(&step.argv);
            let ok = result.ok();
            log(
                audit,
                Audit {
                    command: Some(command.clone()),
                    result: Some(&result),
                    ..base(if ok { "succeeded" } else { "failed" })
                },
            )?;
            if !ok {
                // The command's stderr is the system's words: verbatim.
                let err = result.stderr.trim();
                let err = if err.is_empty() {
                    String::new()
                } else {
                    format!(": {err}")
                };
                let how = result.describe_text();
                outcome = ItemOutcome::Failed(Text::new(
                    format!("`{command}` {}{err}", how.en),
                    format!("`{command}` 실행에 실패했습니다({}){err}", how.ko),
                ));
                break;
            }
        }
        if outcome != ItemOutcome::Done {
            stopped = true;
        }
        applied.items.push((name, outcome));
    }
    Ok(applied)
}
