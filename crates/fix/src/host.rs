//! The real probe and executor: the live host (or a `--root` tree) through
//! `rootline_live` — sysfs and procfs only, commands in killable children
//! with timeouts.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rootline_live::{RunOptions, Status, sys};

use crate::Error;
use crate::probe::{BlockDev, CmdOutput, CmdStatus, Executor, Mount, Openers, Probe, Task};

/// A host: `/` (live; read-only queries run as commands) or a tree laid out
/// like `/` (`--root DIR`; queries are answered from the outputs recorded
/// under `DIR/sos_commands/`, as in a sosreport, and nothing is run).
pub struct Host {
    root: PathBuf,
    live: bool,
    run: RunOptions,
}

impl Host {
    /// `root` = `/` is the live machine.
    pub fn new(root: &Path, timeout: Duration) -> Host {
        let live = root == Path::new("/");
        Host {
            root: root.to_path_buf(),
            live,
            run: RunOptions {
                timeout,
                ..RunOptions::default()
            },
        }
    }

    /// The host's name (the kernel's live, `etc/hostname` in a tree).
    pub fn name(&self) -> String {
        rootline_live::collect::hostname(&self.root)
            .unwrap_or_else(|| self.root.display().to_string())
    }

    fn recorded(&self, argv: &[&str]) -> CmdOutput {
        // sos names an output after its command (`multipath -ll` →
        // `multipath_-ll`); a narrower query (`dmsetup info -c --noheadings
        // -o name,open`) falls back to the broadest recorded form of it.
        let dir = self.root.join("sos_commands");
        let plugins: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        for n in (2..=argv.len()).rev() {
            let name = argv[..n].join("_").replace('/', ".");
            for p in &plugins {
                let f = p.join(&name);
                if let Ok(text) = read_capped(&f) {
                    return CmdOutput {
                        status: CmdStatus::Exited(0),
                        stdout: text,
                        stderr: String::new(),
                        duration: Duration::ZERO,
                    };
                }
            }
        }
        CmdOutput::failed(CmdStatus::NotRecorded)
    }
}

/// Outputs and definitions are small; a cap keeps a hostile tree harmless.
fn read_capped(path: &Path) -> std::io::Result<String> {
    sys::read_capped(path, 8 << 20).map(|b| String::from_utf8_lossy(&b).into_owned())
}

fn block_dev(d: sys::BlockDevice) -> BlockDev {
    let (backing_file, backing_deleted) = match &d.loop_dev {
        Some(l) => (l.backing_file.clone(), l.backing_deleted),
        None => (None, false),
    };
    BlockDev {
        devnum: d.dev.clone(),
        holders: d.holders.clone(),
        slaves: d.slaves.clone(),
        dm_name: d.dm.as_ref().map(|m| m.name.clone()),
        dm_uuid: d.dm.as_ref().and_then(|m| m.uuid.clone()),
        backing_file,
        backing_deleted,
        inflight: d.inflight.map(|f| (f.read, f.write)),
        scsi_state: d.scsi.as_ref().and_then(|s| s.state.clone()),
        name: d.name,
    }
}

fn cmd_output(o: rootline_live::Outcome, timeout: Duration) -> CmdOutput {
    let status = match &o.status {
        Status::Exited { code } => CmdStatus::Exited(*code),
        Status::Signaled { signal } => CmdStatus::Signalled(*signal),
        Status::TimedOut { .. } => CmdStatus::TimedOut(timeout.as_secs()),
        Status::NotFound => CmdStatus::NotFound,
        Status::SpawnFailed { error } => CmdStatus::Failed(error.clone()),
    };
    CmdOutput {
        status,
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        duration: Duration::from_secs_f64(o.duration_secs.max(0.0)),
    }
}

impl Probe for Host {
    fn block_devices(&self) -> Result<Vec<BlockDev>, Error> {
        let (devs, unreadable) = sys::block_devices(&self.root);
        if devs.is_empty()
            && let Some(u) = unreadable.first()
        {
            return Err(Error::Unreadable {
                path: u.path.clone(),
                reason: u.reason.clone(),
            });
        }
        Ok(devs.into_iter().map(block_dev).collect())
    }

    fn block(&self, name: &str) -> Result<Option<BlockDev>, Error> {
        if !self.root.join("sys/block").join(name).exists() {
            return Ok(None);
        }
        Ok(Some(block_dev(sys::block_device(&self.root, name)?)))
    }

    fn mounts(&self) -> Result<Vec<Mount>, Error> {
        let m = sys::mounts(&self.root)?;
        Ok(m.into_iter()
            .map(|m| Mount {
                source: m.source,
                target: m.mountpoint,
                fstype: m.fstype,
                devnum: m.dev,
            })
            .collect())
    }

    fn swaps(&self) -> Result<Vec<String>, Error> {
        match sys::swaps(&self.root) {
            Ok(sw) => Ok(sw.into_iter().map(|s| s.filename).collect()),
            // No swaps file in a --root tree: no swap is configured there.
            Err(rootline_live::Error::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound && !self.live =>
            {
                Ok(Vec::new())
            }
            Err(e) => Err(e.into()),
        }
    }

    fn tasks(&self) -> Result<Vec<Task>, Error> {
        let (block, _) = sys::block_devices(&self.root);
        let mounts = sys::mounts(&self.root).unwrap_or_default();
        let (list, _) = sys::tasks(&self.root, &block, &mounts);
        Ok(list
            .into_iter()
            .map(|t| Task {
                pid: t.pid,
                comm: t.comm,
                cmdline: t.cmdline,
            })
            .collect())
    }

    fn openers(&self, dev: &str) -> Result<Openers, Error> {
        let (users, unreadable) = sys::users_of(&self.root, dev);
        Ok(Openers {
            users: users.into_iter().map(|u| (u.pid, u.comm)).collect(),
            unreadable: unreadable.len(),
        })
    }

    fn running_domains(&self) -> Result<Vec<(String, String)>, Error> {
        let dir = self.root.join("run/libvirt/qemu");
        let rd = match std::fs::read_dir(&dir) {
            Ok(rd) => rd,
            // No libvirt on this host: no running domain.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(Error::Read {
                    path: "run/libvirt/qemu".to_string(),
                    source,
                });
            }
        };
        let mut out = Vec::new();
        for e in rd.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "xml") {
                let name = p
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let xml = read_capped(&p).map_err(|source| Error::Read {
                    path: p.display().to_string(),
                    source,
                })?;
                out.push((name, xml));
            }
        }
        out.sort();
        Ok(out)
    }

    fn query(&self, argv: &[&str]) -> CmdOutput {
        if !self.live {
            return self.recorded(argv);
        }
        cmd_output(rootline_live::run(argv, &self.run), self.run.timeout)
    }

    fn is_live(&self) -> bool {
        self.live
    }
}

impl Executor for Host {
    fn execute(&self, argv: &[String]) -> CmdOutput {
        if !self.live {
            // Never act on this machine for a description of another one.
            return CmdOutput::failed(CmdStatus::Failed(format!(
                "not run: {} describes another system",
                self.root.display()
            )));
        }
        let args: Vec<&str> = argv.iter().map(String::as_str).collect();
        cmd_output(rootline_live::run(&args, &self.run), self.run.timeout)
    }
}

/// Whether this process runs as root (effective uid 0, from procfs).
pub fn is_root() -> bool {
    read_capped(Path::new("/proc/self/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|u| u == "0"))
        })
        .unwrap_or(false)
}
