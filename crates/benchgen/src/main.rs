//! `rootline-benchgen --out DIR --size 2G [--seed N] [--incidents K] [--jobs N]`

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use rootline_benchgen::{Config, FORMAT_VERSION, MANIFEST, generate, parse_size};

const VERSION: &str = concat!("rootline-benchgen ", env!("CARGO_PKG_VERSION"));

const USAGE: &str = "\
usage: rootline-benchgen --out DIR --size SIZE [--seed N] [--incidents K] [--jobs N]
       rootline-benchgen --version

Writes a sosreport-shaped tree of an OpenStack/Kubernetes compute node,
about SIZE bytes in all (K, M, G suffixes: binary multiples), with K
storage incidents (default 20) injected, and DIR/.benchgen.json describing
it. The same SIZE, seed (default 1) and K always give the same bytes.
--jobs: writer threads (default: available cores, at most 4).";

enum Action {
    Run(Config),
    Help,
    Version,
}

fn parse_args() -> Result<Action, String> {
    let mut out = None;
    let mut size = None;
    let mut seed = 1u64;
    let mut incidents = 20usize;
    let mut jobs = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(4);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--out" | "-o" => out = Some(PathBuf::from(value()?)),
            "--size" | "-s" => {
                let v = value()?;
                size = Some((parse_size(&v).map_err(|e| e.to_string())?, v));
            }
            "--seed" => seed = value()?.parse().map_err(|_| "bad --seed".to_string())?,
            "--incidents" => {
                incidents = value()?
                    .parse()
                    .map_err(|_| "bad --incidents".to_string())?
            }
            "--jobs" | "-j" => jobs = value()?.parse().map_err(|_| "bad --jobs".to_string())?,
            "--help" | "-h" => return Ok(Action::Help),
            "--version" | "-V" => return Ok(Action::Version),
            _ => return Err(format!("unknown argument {a:?}")),
        }
    }
    let out = out.ok_or("--out DIR is required")?;
    let (size, size_arg) = size.ok_or("--size SIZE is required")?;
    Ok(Action::Run(Config {
        out,
        size,
        size_arg,
        seed,
        incidents,
        jobs,
    }))
}

fn main() -> ExitCode {
    let cfg = match parse_args() {
        Ok(Action::Run(c)) => c,
        Ok(Action::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Action::Version) => {
            // The format number changes whenever a seed would give other bytes.
            println!("{VERSION} (format {FORMAT_VERSION})");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("rootline-benchgen: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let t0 = Instant::now();
    match generate(&cfg) {
        Ok(m) => {
            let secs = t0.elapsed().as_secs_f64();
            let injected: u64 = m.incidents.iter().map(|i| i.lines).sum();
            eprintln!(
                "rootline-benchgen: wrote {} bytes in {} files to {} in {:.1}s ({:.0} MB/s); {} incidents, {} incident lines; metadata in {}",
                m.total_bytes,
                m.files.len(),
                cfg.out.display(),
                secs,
                m.total_bytes as f64 / 1e6 / secs.max(1e-9),
                m.incidents.len(),
                injected,
                cfg.out.join(MANIFEST).display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("rootline-benchgen: {}: {e}", cfg.out.display());
            ExitCode::FAILURE
        }
    }
}
