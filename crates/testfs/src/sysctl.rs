//! A sysctl changed for the lifetime of a guard.

use std::io;
use std::path::{Path, PathBuf};

/// Sets a sysctl and puts the old value back on drop.
///
/// The old value is also written to a marker file under the system temp dir
/// until it is restored: if the test process is killed before its guards
/// run, the next guard on the same sysctl finds the marker of a dead process
/// and restores the true original first, so a lowered
/// `kernel.hung_task_timeout_secs` never outlives a crashed run for long.
#[derive(Debug)]
pub struct SysctlGuard {
    path: PathBuf,
    old: String,
    /// Set when this guard wrote the marker (the outermost guard on the
    /// sysctl in this process) and so must remove it.
    marker: Option<PathBuf>,
}

impl SysctlGuard {
    /// Sets `name` to `value`. `name` is a path under `/proc/sys`
    /// (`kernel/hung_task_timeout_secs`), its dotted form
    /// (`kernel.hung_task_timeout_secs`), or an absolute path.
    pub fn set(name: &str, value: &str) -> io::Result<SysctlGuard> {
        let path = sysctl_path(name);
        let marker = marker_path(&path);
        let mut own_marker = true;
        if let Ok(text) = crate::read_small(&marker) {
            let (pid, original) = text.split_once('\n').unwrap_or((text.as_str(), ""));
            let pid: u32 = pid.trim().parse().unwrap_or(0);
            if pid == std::process::id() {
                // An outer guard in this process owns the original value.
                own_marker = false;
            } else if pid != 0 && Path::new("/proc").join(pid.to_string()).exists() {
                return Err(io::Error::new(
                    io::ErrorKind::ResourceBusy,
                    format!(
                        "{} is held by live process {pid} (see {})",
                        path.display(),
                        marker.display()
                    ),
                ));
            } else {
                // Left by a process that died before restoring it.
                std::fs::write(&path, original.trim_end_matches('\n'))?;
                std::fs::remove_file(&marker)?;
            }
        }
        let old = crate::read_small(&path)?.trim_end_matches('\n').to_owned();
        if own_marker {
            if let Some(dir) = marker.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&marker, format!("{}\n{old}\n", std::process::id()))?;
        }
        let guard = SysctlGuard {
            path,
            old,
            marker: own_marker.then_some(marker),
        };
        // On failure the guard's Drop rewrites the old value and removes the
        // marker, which is harmless.
        std::fs::write(&guard.path, value)?;
        Ok(guard)
    }

    /// Sets another value; the original one is still what drop restores.
    pub fn update(&self, value: &str) -> io::Result<()> {
        std::fs::write(&self.path, value)
    }

    /// The current value (trimmed).
    pub fn value(&self) -> io::Result<String> {
        Ok(crate::read_small(&self.path)?.trim().to_owned())
    }

    /// The value that will be restored.
    pub fn old_value(&self) -> &str {
        &self.old
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads a sysctl by the same names [`SysctlGuard::set`] accepts.
    pub fn read(name: &str) -> io::Result<String> {
        Ok(crate::read_small(&sysctl_path(name))?.trim().to_owned())
    }
}

impl Drop for SysctlGuard {
    fn drop(&mut self) {
        if std::fs::write(&self.path, &self.old).is_ok()
            && let Some(marker) = &self.marker
        {
            let _ = std::fs::remove_file(marker);
        }
    }
}

fn sysctl_path(name: &str) -> PathBuf {
    if name.starts_with('/') {
        PathBuf::from(name)
    } else if name.contains('/') {
        Path::new("/proc/sys").join(name)
    } else {
        Path::new("/proc/sys").join(name.replace('.', "/"))
    }
}

fn marker_path(path: &Path) -> PathBuf {
    let flat: String = path
        .to_string_lossy()
        .trim_start_matches('/')
        .chars()
        .map(|c| if c == '/' { '.' } else { c })
        .collect();
    std::env::temp_dir()
        .join("rootline-testfs-sysctl")
        .join(flat)
}
