//! A sysctl changed for the lifetime of a guard.

use std::io;
use std::path::{Path, PathBuf};

/// Sets a sysctl and puts the old value back on drop.
///
/// The old value is also written to a marker file under the system temp dir
/// until it is restored: if the test process is killed before its guards
/// run, the next [`crate::KernelLock`] holder (or the next guard on the same
/// sysctl) finds the marker of a dead process and restores the true
/// original, so a lowered `kernel.hung_task_timeout_secs` does not outlive a
/// crashed run past the next kernel test.
#[derive(Debug)]
pub struct SysctlGuard {
    path: PathBuf,
    old: String,
    /// Set when this guard wrote the marker (the outermost guard on the
    /// sysctl in this process) and so must remove it.
    marker: Option<PathBuf>,
}

/// What a marker file records: who changed which sysctl from what.
struct Marker {
    pid: u32,
    path: PathBuf,
    original: String,
}

impl Marker {
    fn parse(text: &str) -> Option<Marker> {
        let mut lines = text.splitn(3, '\n');
        let pid = lines.next()?.trim().parse().ok()?;
        let path = PathBuf::from(lines.next()?);
        let original = lines.next()?.trim_end_matches('\n').to_owned();
        Some(Marker {
            pid,
            path,
            original,
        })
    }

    fn render(&self) -> String {
        format!("{}\n{}\n{}\n", self.pid, self.path.display(), self.original)
    }

    fn holder_alive(&self) -> bool {
        Path::new("/proc").join(self.pid.to_string()).exists()
    }
}

impl SysctlGuard {
    /// Sets `name` to `value`. `name` is a path under `/proc/sys`
    /// (`kernel/hung_task_timeout_secs`), its dotted form
    /// (`kernel.hung_task_timeout_secs`), or an absolute path.
    pub fn set(name: &str, value: &str) -> io::Result<SysctlGuard> {
        let path = sysctl_path(name);
        let marker_file = marker_path(&path);
        let mut own_marker = true;
        if let Some(marker) = crate::read_small(&marker_file)
            .ok()
            .and_then(|t| Marker::parse(&t))
        {
            if marker.pid == std::process::id() {
                // An outer guard in this process owns the original value.
                own_marker = false;
            } else if marker.holder_alive() {
                return Err(io::Error::new(
                    io::ErrorKind::ResourceBusy,
                    format!(
                        "{} is held by live process {} (see {})",
                        path.display(),
                        marker.pid,
                        marker_file.display()
                    ),
                ));
            } else {
                // Left by a process that died before restoring it.
                std::fs::write(&path, &marker.original)?;
                std::fs::remove_file(&marker_file)?;
            }
        }
        let old = crate::read_small(&path)?.trim_end_matches('\n').to_owned();
        if own_marker {
            if let Some(dir) = marker_file.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let marker = Marker {
                pid: std::process::id(),
                path: path.clone(),
                original: old.clone(),
            };
            std::fs::write(&marker_file, marker.render())?;
        }
        let guard = SysctlGuard {
            path,
            old,
            marker: own_marker.then_some(marker_file),
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

/// Restores every sysctl whose guard's process died before restoring it;
/// returns a line per sysctl restored.
pub(crate) fn restore_stale() -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(marker_dir()) else {
        return Vec::new();
    };
    let mut done = Vec::new();
    for entry in entries.flatten() {
        let Some(marker) = crate::read_small(&entry.path())
            .ok()
            .and_then(|t| Marker::parse(&t))
        else {
            continue;
        };
        if marker.pid == std::process::id() || marker.holder_alive() {
            continue;
        }
        let result = std::fs::write(&marker.path, &marker.original);
        if result.is_ok() {
            let _ = std::fs::remove_file(entry.path());
        }
        done.push(format!(
            "restored {} to {:?} (left by dead process {}): {result:?}",
            marker.path.display(),
            marker.original,
            marker.pid
        ));
    }
    done
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
    marker_dir().join(flat)
}

fn marker_dir() -> PathBuf {
    std::env::temp_dir().join("rootline-testfs-sysctl")
}

#[cfg(test)]
mod tests {
    use super::*;

    // An absolute path stands in for a sysctl, so this runs without root.
    #[test]
    fn restores_on_drop_and_after_a_dead_holder() {
        let dir = std::env::temp_dir().join(format!("rootline-testfs-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let knob = dir.join("knob");
        std::fs::write(&knob, "120\n").unwrap();
        let name = knob.to_str().unwrap();

        {
            let outer = SysctlGuard::set(name, "0").unwrap();
            assert_eq!(outer.value().unwrap(), "0");
            let inner = SysctlGuard::set(name, "1").unwrap();
            assert_eq!(inner.old_value(), "0");
            inner.update("2").unwrap();
            assert_eq!(SysctlGuard::read(name).unwrap(), "2");
            drop(inner);
            assert_eq!(SysctlGuard::read(name).unwrap(), "0");
            assert!(
                marker_path(&knob).exists(),
                "the outer guard still holds it"
            );
        }
        assert_eq!(SysctlGuard::read(name).unwrap(), "120");
        assert!(!marker_path(&knob).exists());

        // A holder killed before restoring: its marker names a pid above
        // pid_max, so never alive; the next guard restores its original.
        std::fs::write(&knob, "1").unwrap();
        std::fs::create_dir_all(marker_path(&knob).parent().unwrap()).unwrap();
        let stale = format!("2147483647\n{}\n120\n", knob.display());
        std::fs::write(marker_path(&knob), &stale).unwrap();
        let guard = SysctlGuard::set(name, "5").unwrap();
        assert_eq!(guard.old_value(), "120");
        drop(guard);
        assert_eq!(SysctlGuard::read(name).unwrap(), "120");
        assert!(!marker_path(&knob).exists());

        // The same, found by the sweep a lock holder runs.
        std::fs::write(&knob, "1").unwrap();
        std::fs::write(marker_path(&knob), &stale).unwrap();
        let done = restore_stale();
        assert!(
            done.iter()
                .any(|l| l.starts_with(&format!("restored {name} to \"120\""))),
            "{done:?}"
        );
        assert_eq!(SysctlGuard::read(name).unwrap(), "120");
        assert!(!marker_path(&knob).exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
