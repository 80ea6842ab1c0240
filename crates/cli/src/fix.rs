//! `rootline fix`: plan (default) or apply the cleanup of stale devices.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use rootline_fix::{
    Host, Item, Lang, apply, confirm_prompt, is_root, plan, render_applied, render_plan,
};

/// Exit status when the plan has refused targets or an applied step failed.
pub const EXIT_NOT_CLEAN: u8 = 4;

#[derive(clap::Args)]
pub struct FixArgs {
    /// Perform the plan (default: only print it). Asks before each device unless --yes
    #[arg(long)]
    apply: bool,
    /// With --apply: do not ask for confirmation
    #[arg(long, requires = "apply")]
    yes: bool,
    /// Read a tree laid out like / instead of this machine (plans only; recorded
    /// command outputs are taken from DIR/sos_commands/)
    #[arg(long, value_name = "DIR", default_value = "/")]
    root: PathBuf,
    /// Append every action and outcome (JSON lines) to this file
    #[arg(
        long,
        value_name = "FILE",
        default_value = "/var/log/rootline/fix-audit.jsonl"
    )]
    audit_log: PathBuf,
    /// Seconds a command may take before it is killed (and recorded as hung)
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    timeout: u64,
    /// Only these devices (loop3, mpatha, dm-3, sdc); repeatable. Default: every stale device
    #[arg(long = "device", value_name = "NAME")]
    devices: Vec<String>,
    /// Print the plan (and outcome) as JSON
    #[arg(long)]
    json: bool,
    /// Report language
    #[arg(long, value_enum, default_value = "en")]
    lang: super::LangChoice,
}

pub fn fix(args: FixArgs) -> Result<u8> {
    let lang = match args.lang {
        super::LangChoice::En => Lang::En,
        super::LangChoice::Ko => Lang::Ko,
    };
    let host = Host::new(&args.root, Duration::from_secs(args.timeout.max(1)));
    let name = host.name();
    if args.apply && args.root != Path::new("/") {
        bail!(
            "--apply acts on this machine, and --root {} describes another system: refusing",
            args.root.display()
        );
    }
    if args.apply && !is_root() {
        bail!("--apply needs root (the cleanup commands do)");
    }
    let mut plan = plan(&host);
    if !args.devices.is_empty() {
        let wanted = |n: &str| {
            args.devices
                .iter()
                .any(|d| d.trim_start_matches("/dev/") == n)
        };
        plan.items.retain(|i| {
            let t = &i.target;
            wanted(&t.name) || t.dm.as_deref().is_some_and(wanted)
        });
    }
    let refused = plan.items.iter().any(|i| i.refused.is_some());
    if !args.apply {
        if args.json {
            super::emit(&(serde_json::to_string_pretty(&plan)? + "\n"))?;
        } else {
            super::emit(&render_plan(&plan, lang, &name, true))?;
        }
        return Ok(if refused { EXIT_NOT_CLEAN } else { 0 });
    }

    if !args.json {
        super::emit(&render_plan(&plan, lang, &name, false))?;
    }
    if plan.items.iter().all(|i| i.refused.is_some()) {
        if args.json {
            super::emit(&(serde_json::to_string_pretty(&plan)? + "\n"))?;
        }
        return Ok(if refused { EXIT_NOT_CLEAN } else { 0 });
    }
    let mut audit = open_audit(&args.audit_log)?;
    let interactive = !args.yes;
    if interactive && !std::io::stdin().is_terminal() {
        bail!(
            "--apply without --yes asks before each device, and standard input is not a terminal"
        );
    }
    let mut confirm = |item: &Item| -> bool {
        if !interactive {
            return true;
        }
        eprint!("{}", confirm_prompt(item, lang));
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer).is_ok()
            && matches!(answer.trim(), "y" | "Y" | "yes" | "예")
    };
    let applied = apply(&plan, &host, &host, &mut audit, &mut confirm)
        .with_context(|| format!("cannot write the audit log {}", args.audit_log.display()))?;
    if args.json {
        super::emit(
            &(serde_json::to_string_pretty(&serde_json::json!({
                "plan": plan,
                "applied": applied,
                "audit_log": args.audit_log,
            }))? + "\n"),
        )?;
    } else {
        super::emit(&format!(
            "\n{}",
            render_applied(&applied, lang, &args.audit_log.display().to_string())
        ))?;
    }
    Ok(if applied.all_done() {
        0
    } else {
        EXIT_NOT_CLEAN
    })
}

/// Append-only, created private: it records what was done to the host.
fn open_audit(path: &Path) -> Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot open the audit log {}", path.display()))
}
