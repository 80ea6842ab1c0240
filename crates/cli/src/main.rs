//! The `rootline` binary: argument parsing and glue. All the work happens in
//! the library crates; this file turns flags into their configuration and
//! their results into output and an exit status.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};

use rootline_diagnose::Lang;
use rootline_pipeline::Pipeline;

mod eval;
mod fix;

/// Exit status when the analysis ran (whatever it found).
const EXIT_OK: u8 = 0;
/// Exit status for failures of rootline itself (a broken catalog, an
/// unwritable output).
const EXIT_ERROR: u8 = 1;
// Exit status 2 is clap's, for usage errors.
/// Exit status when not one input could be read.
const EXIT_NOTHING_READ: u8 = 3;

#[derive(Parser)]
#[command(
    name = "rootline",
    version,
    about = "Explains storage-induced failures on KVM / OpenStack / Kubernetes hosts",
    long_about = "rootline reads the evidence of a host (log files, directories, sosreports, \
                  archives, stdin), puts every line on one clock, and recognises failure \
                  signatures from its catalog.\n\nExit status: 0 the analysis ran; 1 rootline \
                  failed (e.g. a catalog error); 2 usage error; 3 nothing could be read."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse evidence: files, directories, sosreports (dir or .tar.xz/.tar.gz/.tar), - for stdin;
    /// no PATH (or --live): the host rootline runs on
    Analyze(AnalyzeArgs),
    /// Collect this host's evidence into a bundle that `rootline analyze` reads like a sosreport
    Collect(CollectArgs),
    /// Inspect, test or export the signature catalog
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// Plan (default) or --apply the cleanup of stale devices on this machine:
    /// loop devices with deleted backing files, multipath maps with no usable path,
    /// unused dm maps, leftover SCSI devices. Exit 4: something was refused or failed
    Fix(fix::FixArgs),
    /// Score the diagnosis on a corpus of real incidents (one directory per
    /// case with a case.toml naming the cause its source states)
    Eval(EvalArgs),
    /// Explain how a cause is recognised and fixed (no CAUSE: list the causes)
    Explain {
        /// A cause id, e.g. multipath-path-loss
        cause: Option<String>,
        /// Report language
        #[arg(long, value_enum, default_value = "en")]
        lang: LangChoice,
        #[command(flatten)]
        catalog: CatalogOpt,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum LangChoice {
    En,
    Ko,
}

impl From<LangChoice> for Lang {
    fn from(l: LangChoice) -> Lang {
        match l {
            LangChoice::En => Lang::En,
            LangChoice::Ko => Lang::Ko,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
    Markdown,
    Html,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args)]
struct CatalogOpt {
    /// Extra or overriding signature files: every *.toml under DIR
    #[arg(long, value_name = "DIR")]
    catalog: Option<PathBuf>,
}

/// Where live evidence comes from and how long it may take.
#[derive(clap::Args, Clone)]
struct LiveOpt {
    /// Read a directory tree laid out like / (a mounted disk image, a test
    /// tree) instead of the running host; no command is run
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// How far back the journal and the logs go (e.g. 3d, 12h, 90m)
    #[arg(long, value_name = "AGE", default_value = "3d", value_parser = parse_age)]
    since: Duration,
    /// Seconds before a command that does not answer is killed (and recorded)
    #[arg(long, value_name = "SECS", default_value_t = 10.0, value_parser = parse_secs)]
    timeout: f64,
}

impl LiveOpt {
    fn options(&self) -> rootline_live::collect::Options {
        rootline_live::collect::Options {
            root: self.root.clone().unwrap_or_else(|| PathBuf::from("/")),
            since: self.since,
            timeout: Duration::from_secs_f64(self.timeout),
            ..Default::default()
        }
    }
}

/// `3d`, `12h`, `90m`, `45s`, `2w`.
fn parse_age(s: &str) -> std::result::Result<Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("{s:?}: give a unit, e.g. 3d, 12h, 90m"))?;
    let n: u64 = s[..split]
        .parse()
        .map_err(|_| format!("{s:?}: expected a number and a unit, e.g. 3d"))?;
    let unit = match &s[split..] {
        "s" => 1,
        "m" | "min" => 60,
        "h" => 3600,
        "d" => 86400,
        "w" => 7 * 86400,
        u => return Err(format!("unknown unit {u:?} (s, m, h, d, w)")),
    };
    Ok(Duration::from_secs(n.saturating_mul(unit)))
}

fn parse_secs(s: &str) -> std::result::Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 86400.0 => Ok(v),
        _ => Err(format!("{s:?}: expected seconds, e.g. 10 or 2.5")),
    }
}

#[derive(clap::Args)]
struct CollectArgs {
    /// Where to write the bundle (.tar.xz or .tar); default
    /// rootline-<host>-<UTC time>.tar.xz in the current directory
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    live: LiveOpt,
}

#[derive(clap::Args)]
struct AnalyzeArgs {
    /// Evidence to read (files, directories, sosreports, archives, - for stdin);
    /// none: the live host, as with --live
    #[arg(value_name = "PATH")]
    paths: Vec<String>,
    /// Diagnose the host rootline runs on: its evidence is collected (commands
    /// with timeouts, /dev/kmsg, journal, logs, sysfs/procfs) and streamed into
    /// the analysis in memory; nothing is written
    #[arg(long)]
    live: bool,
    #[command(flatten)]
    live_opt: LiveOpt,
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Time zone for stamps that carry none, overriding the evidence's (e.g. Asia/Seoul)
    #[arg(long, value_name = "ZONE")]
    tz: Option<String>,
    /// Show the attached trace / traceback lines of each event
    #[arg(long)]
    context: bool,
    /// Show every event of a run of one signature (text report folds runs)
    #[arg(long)]
    expand: bool,
    /// Report language (JSON keeps its keys; texts are translated)
    #[arg(long, value_enum, default_value = "en")]
    lang: LangChoice,
    /// When to colour the text report
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,
    #[command(flatten)]
    catalog: CatalogOpt,
}

#[derive(clap::Args)]
struct EvalArgs {
    /// The corpus: a directory of case directories
    #[arg(value_name = "DIR", default_value = "tests/realworld")]
    dir: PathBuf,
    /// Only the cases whose directory name contains this
    #[arg(long, value_name = "TEXT")]
    case: Option<String>,
    /// List every case, not only the misses
    #[arg(short, long)]
    verbose: bool,
    /// Output format (json: every case with its diagnoses, and the tallies;
    /// markdown: the table of docs/accuracy.md)
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    #[command(flatten)]
    catalog: CatalogOpt,
}

fn eval_cmd(args: EvalArgs) -> Result<u8> {
    let pipeline = load(&args.catalog)?;
    let score = eval::score(&args.dir, &pipeline, args.case.as_deref())?;
    match args.format {
        Format::Json => emit(&format!("{}\n", serde_json::to_string_pretty(&score)?))?,
        Format::Markdown => emit(&eval::markdown(&score))?,
        _ => emit(&eval::render(&score, args.verbose))?,
    }
    Ok(EXIT_OK)
}

#[derive(Subcommand)]
enum CatalogCommand {
    /// List the signatures
    List(CatalogOpt),
    /// Check every signature's examples (positive and near-miss)
    Test(CatalogOpt),
    /// Write the patterns for other tools
    Export {
        /// As a ripgrep pattern file (rg -f)
        #[arg(long, required = true)]
        rg: bool,
        #[command(flatten)]
        catalog: CatalogOpt,
    },
}

/// The shipped knowledge and an operator's `--catalog` overlay.
fn load(opt: &CatalogOpt) -> Result<Pipeline> {
    Ok(Pipeline::load(opt.catalog.as_deref())?)
}

/// Write to stdout; a closed pipe (`rootline … | head`) is not an error.
fn emit(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.context("cannot write to standard output"),
    }
}

/// A byte counter on stderr while the scan runs, only on a terminal.
struct Progress {
    done: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    fn start(bytes: Arc<AtomicU64>) -> Progress {
        let done = Arc::new(AtomicBool::new(false));
        if !std::io::stderr().is_terminal() {
            return Progress { done, thread: None };
        }
        let flag = done.clone();
        let thread = std::thread::spawn(move || {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} scanning {msg} ({elapsed})")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            // Small inputs finish before the bar would be worth drawing.
            std::thread::sleep(Duration::from_millis(300));
            while !flag.load(Ordering::Relaxed) {
                let b = bytes.load(Ordering::Relaxed);
                bar.set_message(format!("{:.1} MiB", b as f64 / 1048576.0));
                bar.tick();
                std::thread::sleep(Duration::from_millis(120));
            }
            bar.finish_and_clear();
        });
        Progress {
            done,
            thread: Some(thread),
        }
    }

    fn stop(mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn analyze(args: AnalyzeArgs) -> Result<u8> {
    let pipeline = load(&args.catalog)?;
    let lang: Lang = args.lang.into();
    let mut cfg = rootline_scan::Config::default();
    if let Some(name) = &args.tz {
        let zone = jiff::tz::TimeZone::get(name).with_context(|| {
            format!("unknown time zone {name:?} (use an IANA name such as Asia/Seoul)")
        })?;
        cfg.tz = Some((zone, name.clone()));
    }
    let bytes = Arc::new(AtomicU64::new(0));
    let live = args.live || args.live_opt.root.is_some() || args.paths.is_empty();
    let progress = Progress::start(bytes.clone());
    let analysis = if live {
        analyze_live(&args, &pipeline, &cfg, &bytes)?
    } else {
        pipeline.analyze(&args.paths, &cfg, Some(&bytes))
    };
    progress.stop();
    let outcome = pipeline.diagnose(&analysis, lang);

    let out = match args.format {
        Format::Json => {
            // Streamed: the document can be tens of MB on a large sosreport.
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            match rootline_report::write_json(&mut w, &analysis, &outcome).and_then(|()| w.flush())
            {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    return Err(e).context("cannot write to standard output");
                }
                _ => {}
            }
            String::new()
        }
        Format::Markdown => rootline_report::markdown(&analysis, &outcome, lang),
        Format::Html => rootline_report::html(&analysis, &outcome, lang),
        Format::Text => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
                }
            };
            rootline_report::text(
                &analysis,
                &outcome,
                &rootline_report::TextOptions {
                    color,
                    context: args.context,
                    expand: args.expand,
                    lang,
                },
            )
        }
    };
    emit(&out)?;
    if analysis.files.is_empty() {
        eprintln!("rootline: nothing could be read (see \"Not read\")");
        return Ok(EXIT_NOTHING_READ);
    }
    Ok(EXIT_OK)
}

/// The live host as one more root: the bundle `collect` would write is
/// streamed through an in-process pipe into the evidence reader, as
/// `live:<host>`; nothing is written to disk.
fn analyze_live(
    args: &AnalyzeArgs,
    pipeline: &Pipeline,
    cfg: &rootline_scan::Config,
    bytes: &AtomicU64,
) -> Result<rootline_scan::Analysis> {
    let opts = args.live_opt.options();
    if !opts.root.is_dir() {
        bail!("--root {}: not a directory", opts.root.display());
    }
    let host =
        rootline_live::collect::hostname(&opts.root).unwrap_or_else(|| "unknown-host".into());
    let (reader, writer) = std::io::pipe().context("cannot create a pipe")?;
    let started = std::time::Instant::now();
    let collector = std::thread::Builder::new()
        .name("rootline-collect".into())
        .spawn(move || {
            // The writer is dropped when this returns: the reader sees the
            // end of the archive.
            rootline_live::collect::write(writer, &opts)
        })
        .context("cannot start the live collection")?;
    let streams = vec![rootline_evidence::Stream {
        name: format!("live:{host}"),
        reader: Box::new(reader),
    }];
    // The reader is dropped when the scan ends, so a collector still
    // writing gets a broken pipe instead of waiting forever.
    let analysis = pipeline.analyze_with_streams(&args.paths, streams, cfg, Some(bytes));
    match collector.join() {
        Ok(Ok(s)) => eprintln!(
            "rootline: live evidence of {} collected in {:.1} s ({} files{})",
            s.host,
            started.elapsed().as_secs_f64(),
            s.members,
            timed_out_words(&s)
        ),
        Ok(Err(e)) => eprintln!("rootline: the live collection stopped early: {e}"),
        Err(_) => eprintln!("rootline: the live collection failed"),
    }
    Ok(analysis)
}

fn timed_out_words(s: &rootline_live::collect::Summary) -> String {
    let n = s.commands.iter().filter(|c| c.timed_out).count();
    match n {
        0 => String::new(),
        1 => ", 1 command timed out".to_string(),
        n => format!(", {n} commands timed out"),
    }
}

/// `rootline collect`: the bundle to a file.
fn collect_cmd(args: CollectArgs) -> Result<u8> {
    let opts = args.live.options();
    if !opts.root.is_dir() {
        bail!("--root {}: not a directory", opts.root.display());
    }
    let path = match args.output {
        Some(p) => p,
        None => {
            let host = rootline_live::collect::hostname(&opts.root)
                .unwrap_or_else(|| "unknown-host".into());
            PathBuf::from(format!(
                "{}.tar.xz",
                rootline_live::collect::default_name(&host, jiff::Timestamp::now())
            ))
        }
    };
    let name = path.to_string_lossy().to_ascii_lowercase();
    let xz = name.ends_with(".tar.xz") || name.ends_with(".txz");
    if !xz && !name.ends_with(".tar") {
        bail!(
            "{}: the bundle is a .tar.xz (or an uncompressed .tar); name it so",
            path.display()
        );
    }
    // Never overwrite: an earlier bundle may be the only copy of evidence.
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    let started = std::time::Instant::now();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let written = if xz {
        rootline_live::collect::write_xz(&mut out, &opts).map(|(s, _)| s)
    } else {
        rootline_live::collect::write(&mut out, &opts)
    };
    let written = written.map_err(anyhow::Error::from).and_then(|s| {
        out.flush()?;
        out.get_ref().sync_all()?;
        Ok(s)
    });
    let summary = match written {
        Ok(s) => s,
        Err(e) => {
            drop(out);
            // Ours, just created, and incomplete: not evidence of anything.
            let _ = std::fs::remove_file(&path);
            return Err(e.context(format!("cannot write {}", path.display())));
        }
    };
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let mut msg = format!(
        "wrote {} ({:.1} MiB, {} files, {:.1} MiB before compression) in {:.1} s\n",
        path.display(),
        size as f64 / 1048576.0,
        summary.members,
        summary.bytes as f64 / 1048576.0,
        started.elapsed().as_secs_f64()
    );
    for n in &summary.notes {
        msg.push_str(&format!("  note: {n}\n"));
    }
    if !summary.skipped.is_empty() {
        msg.push_str(&format!(
            "  {} files not collected (reasons in sos_reports/manifest.json)\n",
            summary.skipped.len()
        ));
    }
    eprint!("{msg}");
    Ok(EXIT_OK)
}

fn catalog_cmd(cmd: CatalogCommand) -> Result<u8> {
    match cmd {
        CatalogCommand::List(opt) => {
            let pl = load(&opt)?;
            let mut out = String::new();
            for s in &pl.catalog.signatures {
                out.push_str(&format!(
                    "{:<44} {:<13} {:<8} {}\n",
                    s.id, s.component, s.severity, s.description.en
                ));
            }
            out.push_str(&format!("{} signatures\n", pl.catalog.signatures.len()));
            for c in &pl.knowledge.checks.defs {
                out.push_str(&format!(
                    "host.{:<39} {:<13} {:<8} {}\n",
                    c.id,
                    "host-state",
                    c.severity.as_str(),
                    c.title.en
                ));
            }
            out.push_str(&format!("{} host checks\n", pl.knowledge.checks.defs.len()));
            emit(&out)?;
            Ok(EXIT_OK)
        }
        CatalogCommand::Test(opt) => {
            let r = load(&opt)?.test_examples();
            for f in &r.signature_failures {
                eprintln!(
                    "FAIL {} ({}): {}\n     {}",
                    f.signature, f.origin, f.problem, f.line
                );
            }
            for f in &r.check_failures {
                eprintln!("FAIL host.{} ({}): {}", f.check, f.origin, f.problem);
            }
            for (cause, origin, path) in &r.bundles_missing {
                eprintln!("skip {cause} ({origin}): example {path} not found here");
            }
            for (cause, origin, path, top) in &r.bundle_failures {
                eprintln!(
                    "FAIL {cause} ({origin}): on {path} the top diagnosis is {}",
                    top.as_deref().unwrap_or("(none)")
                );
            }
            let line = |what: &str, n: usize, ex: &str, total: usize, failed: usize| {
                format!(
                    "{n} {what}, {total} {ex}: {} passed, {failed} failed\n",
                    total.saturating_sub(failed)
                )
            };
            emit(&format!(
                "{}{}{}",
                line(
                    "signatures",
                    r.signatures,
                    "examples",
                    r.signature_examples,
                    r.signature_failures.len()
                ),
                line(
                    "host checks",
                    r.checks,
                    "examples",
                    r.check_examples,
                    r.check_failures.len()
                ),
                line(
                    "causes",
                    r.causes,
                    "example bundles",
                    r.bundles,
                    r.bundle_failures.len()
                ),
            ))?;
            if r.failed() == 0 {
                Ok(EXIT_OK)
            } else {
                bail!("{} catalog example(s) failed", r.failed())
            }
        }
        CatalogCommand::Export { rg: _, catalog } => {
            emit(&load(&catalog)?.catalog.export_rg())?;
            Ok(EXIT_OK)
        }
    }
}

/// `rootline explain [ID]`: how a cause is recognised and fixed, or what a
/// host check says and fixes — in the chosen language throughout.
fn explain(cause: Option<String>, lang: Lang, opt: &CatalogOpt) -> Result<u8> {
    let knowledge = load(opt)?.knowledge;
    let Some(id) = cause else {
        let mut out = String::new();
        for c in &knowledge.causes {
            out.push_str(&format!("{:<32} {}\n", c.id, c.title.get(lang)));
        }
        out.push('\n');
        for c in &knowledge.checks.defs {
            out.push_str(&format!("host.{:<27} {}\n", c.id, c.title.get(lang)));
        }
        emit(&out)?;
        return Ok(EXIT_OK);
    };
    if let Some(c) = knowledge
        .checks
        .get(id.strip_prefix("host.").unwrap_or(&id))
    {
        emit(&explain_check(c, lang))?;
        return Ok(EXIT_OK);
    }
    let Some(c) = knowledge.causes.iter().find(|c| c.id == id) else {
        let known: Vec<&str> = knowledge.causes.iter().map(|c| c.id.as_str()).collect();
        bail!(
            "unknown cause or host check {id:?}; causes: {} (host checks: `rootline explain`)",
            known.join(", ")
        );
    };
    let mut o = format!(
        "{} — {}\n\n{}\n\n",
        c.id,
        c.title.get(lang),
        c.summary.get(lang)
    );
    o.push_str(&match lang {
        Lang::En => format!(
            "window: {} after the first root event (from {} before)\n\n",
            duration_words(c.window, lang),
            duration_words(c.lead, lang)
        ),
        Lang::Ko => format!(
            "범위: 첫 원인 이벤트 {} 전부터 {} 후까지\n\n",
            duration_words(c.lead, lang),
            duration_words(c.window, lang)
        ),
    });
    for (i, s) in c.steps.iter().enumerate() {
        let link = match s.link {
            rootline_diagnose::Link::Identity => lang.pick("the same object", "같은 대상"),
            rootline_diagnose::Link::Host => lang.pick("the same host", "같은 호스트"),
            rootline_diagnose::Link::IdentityOrHost => lang.pick(
                "the same object, else the same host",
                "같은 대상, 없으면 같은 호스트",
            ),
        };
        let role = rootline_report::words::word(lang, s.role.as_str());
        o.push_str(&format!(
            "{}. [{role}] {} — {}\n   {}: {}\n   {}: {link}{}\n",
            i + 1,
            s.id,
            s.meaning.get(lang),
            lang.pick("signatures", "시그니처"),
            s.signatures.join(", "),
            lang.pick("linked by", "연결 기준"),
            if s.untimed {
                lang.pick(" (untimed events allowed)", " (시각 없는 이벤트 허용)")
            } else {
                ""
            }
        ));
    }
    for (title, list) in [
        (lang.pick("Fix", "조치"), &c.fix),
        (lang.pick("Prevention", "재발 방지"), &c.prevention),
        (lang.pick("Collect", "추가 수집"), &c.collect),
    ] {
        if list.is_empty() {
            continue;
        }
        o.push_str(&format!("\n{title}\n"));
        for a in list {
            o.push_str(&format!("  - {}\n", a.text.get(lang)));
            if let Some(cmd) = &a.command {
                o.push_str(&format!("      $ {cmd}\n"));
            }
        }
    }
    if !c.references.is_empty() {
        o.push_str(&format!(
            "\n{}\n  {}\n",
            lang.pick("References", "참고 자료"),
            c.references.join("\n  ")
        ));
    }
    emit(&o)?;
    Ok(EXIT_OK)
}

/// A host check as its definition says it: severity, text variants, fix.
fn explain_check(c: &rootline_hoststate::book::CheckDef, lang: Lang) -> String {
    let mut o = format!(
        "host.{} — {}\n{}: {}\n",
        c.id,
        c.title.get(lang),
        lang.pick("severity", "심각도"),
        c.severity.as_str()
    );
    if !c.binds.is_empty() {
        o.push_str(&format!(
            "{}: {}\n",
            lang.pick("values", "값"),
            c.binds.join(", ")
        ));
    }
    o.push_str(&format!("\n{}\n", lang.pick("Text", "문구")));
    for v in &c.text {
        let when: Vec<String> = v.when.iter().map(cond_words).collect();
        let sev = v
            .severity
            .map(|s| format!(" [{}]", s.as_str()))
            .unwrap_or_default();
        if when.is_empty() {
            o.push_str(&format!("  - {}{sev}\n", v.text.get(lang)));
        } else {
            o.push_str(&format!(
                "  - ({} {}){sev} {}\n",
                lang.pick("when", "조건"),
                when.join(", "),
                v.text.get(lang)
            ));
        }
    }
    if !c.fix.is_empty() {
        o.push_str(&format!("\n{}\n", lang.pick("Fix", "조치")));
        for f in &c.fix {
            o.push_str(&format!("  - {}\n", f.text.get(lang)));
            if let Some(cmd) = &f.command {
                o.push_str(&format!("      $ {cmd}\n"));
            }
        }
    }
    o.push_str(&match lang {
        Lang::En => format!(
            "\ndefined in: {} ({} examples)\n",
            c.origin,
            c.examples.len()
        ),
        Lang::Ko => format!("\n정의 위치: {} (예시 {}개)\n", c.origin, c.examples.len()),
    });
    o
}

fn cond_words(k: &rootline_hoststate::book::Cond) -> String {
    use rootline_hoststate::book::Cond;
    match k {
        Cond::Bound(n) => n.clone(),
        Cond::Unbound(n) => format!("!{n}"),
        Cond::Equals(n, v) => format!("{n}={v}"),
    }
}

/// `4320h` as "180 days" / "180일", `10m` as "10 minutes" / "10분".
fn duration_words(d: jiff::SignedDuration, lang: Lang) -> String {
    let secs = d.as_secs().unsigned_abs();
    let (n, en, ko) = if secs >= 86_400 && secs.is_multiple_of(86_400) {
        (secs / 86_400, "days", "일")
    } else if secs >= 3_600 && secs.is_multiple_of(3_600) {
        (secs / 3_600, "hours", "시간")
    } else if secs >= 60 && secs.is_multiple_of(60) {
        (secs / 60, "minutes", "분")
    } else {
        (secs, "seconds", "초")
    };
    match lang {
        Lang::En => format!("{n} {en}"),
        Lang::Ko => format!("{n}{ko}"),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Analyze(args) => analyze(args),
        Command::Collect(args) => collect_cmd(args),
        Command::Catalog { command } => catalog_cmd(command),
        Command::Fix(args) => fix::fix(args),
        Command::Eval(args) => eval_cmd(args),
        Command::Explain {
            cause,
            lang,
            catalog,
        } => explain(cause, lang.into(), &catalog),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("rootline: {e:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
