//! Commands that may hang.
//!
//! On the hosts rootline is for, `multipath -ll`, `lsblk` or `virsh list`
//! block for as long as a map queues I/O with no path. So every command
//! runs in its own process group with stdin closed, its output drained by
//! reader threads into capped buffers, and a deadline: at the deadline the
//! whole group gets SIGKILL. A process stuck in D state does not die from
//! SIGKILL until its I/O returns; after a short grace rootline abandons it
//! (it is never waited for again) rather than join it in the kernel. Nothing
//! here blocks for longer than `timeout + 2 × grace`.

use std::io::{self, Read};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

/// How a command is run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// When the process group is killed.
    pub timeout: Duration,
    /// How long to wait, after SIGKILL or after the main process exited,
    /// for the process to be reaped and the pipes to close.
    pub grace: Duration,
    /// Bytes kept of each of stdout and stderr.
    pub max_output: usize,
    /// Keep the newest `max_output` bytes (cut at a line start) instead of
    /// the first: for logs, where the end is what matters.
    pub keep_tail: bool,
}

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions {
            timeout: Duration::from_secs(10),
            grace: Duration::from_millis(500),
            max_output: 8 << 20,
            keep_tail: false,
        }
    }
}

/// How a command ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Status {
    /// It exited by itself with this code.
    Exited { code: i32 },
    /// It was killed by a signal it did not get from rootline.
    Signaled { signal: i32 },
    /// It did not finish before the timeout; its group was killed.
    /// `reaped: false`: it did not even die from SIGKILL within the grace
    /// (D state) and was abandoned.
    TimedOut { reaped: bool },
    /// The program is not installed (not on `PATH`).
    NotFound,
    /// It could not be started for another reason.
    SpawnFailed { error: String },
}

/// What a command did.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    /// The command line as an operator would type it (`multipath -ll`).
    pub command: String,
    #[serde(flatten)]
    pub status: Status,
    /// Wall time from spawn to the end (or to abandoning it).
    pub duration_secs: f64,
    /// Captured standard output (capped).
    #[serde(skip)]
    pub stdout: Vec<u8>,
    /// Captured standard error (capped).
    #[serde(skip)]
    pub stderr: Vec<u8>,
    /// Bytes the command wrote to stdout, kept or not.
    pub stdout_bytes: u64,
    pub stderr_bytes: u64,
    /// Some output was dropped at the cap.
    pub output_cut: bool,
}

impl Outcome {
    pub fn timed_out(&self) -> bool {
        matches!(self.status, Status::TimedOut { .. })
    }

    /// The return code sos would have recorded: 124 for its timeout, 127
    /// for a missing program, 126 for one that could not run, 128 + N for a
    /// signal. `crates/hoststate` turns 124 into `command-timed-out`.
    pub fn return_code(&self) -> i32 {
        match &self.status {
            Status::Exited { code } => *code,
            Status::Signaled { signal } => 128 + signal,
            Status::TimedOut { .. } => 124,
            Status::NotFound => 127,
            Status::SpawnFailed { .. } => 126,
        }
    }

    /// One line for notes and reports: `` `multipath -ll` did not answer in 10 s ``.
    pub fn describe(&self, timeout: Duration) -> String {
        match &self.status {
            Status::Exited { code: 0 } => {
                format!("`{}` ran in {:.1} s", self.command, self.duration_secs)
            }
            Status::Exited { code } => format!("`{}` exited with status {code}", self.command),
            Status::Signaled { signal } => {
                format!("`{}` was killed by signal {signal}", self.command)
            }
            Status::TimedOut { reaped: true } => format!(
                "`{}` did not answer in {} s (killed)",
                self.command,
                timeout.as_secs_f64()
            ),
            Status::TimedOut { reaped: false } => format!(
                "`{}` did not answer in {} s and did not die from SIGKILL (stuck in the kernel, abandoned)",
                self.command,
                timeout.as_secs_f64()
            ),
            Status::NotFound => format!("`{}`: not installed", self.command),
            Status::SpawnFailed { error } => {
                format!("`{}` could not be started: {error}", self.command)
            }
        }
    }
}

/// A capped byte sink filled by a reader thread; shared so that whatever
/// arrived can be taken even if the thread never finishes (a grandchild
/// holding the pipe open, in D state).
#[derive(Default)]
struct Sink {
    data: Vec<u8>,
    total: u64,
    cut: bool,
    done: bool,
}

struct Capture {
    sink: Arc<(Mutex<Sink>, Condvar)>,
}

impl Capture {
    fn start(pipe: Option<impl Read + Send + 'static>, cap: usize, keep_tail: bool) -> Capture {
        let sink = Arc::new((Mutex::new(Sink::default()), Condvar::new()));
        let Some(mut pipe) = pipe else {
            lock(&sink.0).done = true;
            return Capture { sink };
        };
        let shared = Arc::clone(&sink);
        let spawned = std::thread::Builder::new()
            .name("rootline-capture".to_string())
            .spawn(move || {
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = match pipe.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(_) => break,
                    };
                    let mut s = lock(&shared.0);
                    s.total += n as u64;
                    push_capped(&mut s, &buf[..n], cap, keep_tail);
                }
                lock(&shared.0).done = true;
                shared.1.notify_all();
            });
        if spawned.is_err() {
            // No thread, no reader: the pipe is dropped, the child gets
            // EPIPE and the outcome says nothing was captured.
            lock(&sink.0).done = true;
        }
        Capture { sink }
    }

    /// Waits until the pipe closed or `until`; says whether it closed.
    fn wait(&self, until: Instant) -> bool {
        let (m, cv) = &*self.sink;
        let mut s = lock(m);
        while !s.done {
            let now = Instant::now();
            if now >= until {
                break;
            }
            s = match cv.wait_timeout(s, until - now) {
                Ok((g, _)) => g,
                Err(p) => p.into_inner().0,
            };
        }
        s.done
    }

    /// What was read so far; the reader thread, if still blocked, keeps
    /// only its own reference.
    fn take(self) -> Sink {
        let mut s = lock(&self.sink.0);
        Sink {
            data: std::mem::take(&mut s.data),
            total: s.total,
            cut: s.cut,
            done: s.done,
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn push_capped(s: &mut Sink, bytes: &[u8], cap: usize, keep_tail: bool) {
    if !keep_tail {
        let room = cap.saturating_sub(s.data.len());
        s.data.extend_from_slice(&bytes[..bytes.len().min(room)]);
        s.cut |= bytes.len() > room;
        return;
    }
    s.data.extend_from_slice(bytes);
    // Drop from the front in big steps (not per chunk) so the copy cost
    // stays linear; cut at a line start so the first line is whole.
    if s.data.len() > cap.saturating_add(cap / 4).max(cap + 64 * 1024) {
        let excess = s.data.len() - cap;
        let cut = s.data[excess..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(excess, |i| excess + i + 1);
        s.data.drain(..cut);
        s.cut = true;
    }
}

/// `PATH` with the sbin directories added: storage tools live there, and a
/// normal user's `PATH` often lacks them.
fn search_path() -> std::ffi::OsString {
    let mut dirs: Vec<std::path::PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    for d in [
        "/usr/local/sbin",
        "/usr/local/bin",
        "/usr/sbin",
        "/usr/bin",
        "/sbin",
        "/bin",
    ] {
        if !dirs.iter().any(|x| x.as_os_str() == d) {
            dirs.push(d.into());
        }
    }
    std::env::join_paths(dirs).unwrap_or_default()
}

/// The program's file on `path`, if one is there and executable. Looked up
/// here rather than by `execvp`: for a normal user, a directory on `PATH`
/// it may not enter makes `execvp` report "permission denied" for a
/// program that is simply not installed.
fn find_program(name: &str, path: &std::ffi::OsStr) -> Option<std::path::PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    if name.contains('/') {
        return Some(name.into());
    }
    std::env::split_paths(path).map(|d| d.join(name)).find(|p| {
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    })
}

/// Runs `argv` (program and arguments) under `opts`. Never blocks for
/// much longer than the timeout, never panics, never fails: every way it
/// can go wrong is a [`Status`].
pub fn run(argv: &[&str], opts: &RunOptions) -> Outcome {
    let start = Instant::now();
    let command = argv.join(" ");
    let fail = |status: Status| Outcome {
        command: command.clone(),
        status,
        duration_secs: start.elapsed().as_secs_f64(),
        stdout: Vec::new(),
        stderr: Vec::new(),
        stdout_bytes: 0,
        stderr_bytes: 0,
        output_cut: false,
    };
    let Some((program, args)) = argv.split_first() else {
        return fail(Status::SpawnFailed {
            error: "empty command".to_string(),
        });
    };
    let search = search_path();
    let Some(exe) = find_program(program, &search) else {
        return fail(Status::NotFound);
    };
    let mut cmd = Command::new(exe);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own group: the timeout kills helpers it forked too (`virsh`
        // → libvirt client threads, `multipath` → udev callouts).
        .process_group(0)
        // Output in the words the parsers know, never through a pager.
        .env("LC_ALL", "C")
        .env("PAGER", "cat")
        .env("SYSTEMD_PAGER", "")
        .env("SYSTEMD_COLORS", "0")
        .env("PATH", search);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return fail(Status::NotFound),
        Err(e) => {
            return fail(Status::SpawnFailed {
                error: e.to_string(),
            });
        }
    };
    let out = Capture::start(child.stdout.take(), opts.max_output, opts.keep_tail);
    let err = Capture::start(child.stderr.take(), opts.max_output, opts.keep_tail);

    let deadline = start + opts.timeout;
    let mut exited = wait_until(&child, deadline);
    let timed_out = !exited;
    if timed_out {
        kill_group(&child);
        exited = wait_until(&child, Instant::now() + opts.grace);
    }
    // The pipes close when every process holding them is gone; helpers that
    // outlived the main process are killed with its group. The main process
    // is not reaped yet (`WNOWAIT`), so its pid, the group id, cannot have
    // been reused by an unrelated process.
    let until = Instant::now() + opts.grace;
    if !(out.wait(until) & err.wait(until)) && exited {
        kill_group(&child);
        let until = Instant::now() + opts.grace;
        let _ = out.wait(until) & err.wait(until);
    }
    let status = if exited {
        // A zombie by now: this returns at once.
        match child.wait() {
            Ok(s) if !timed_out => exit_status(s),
            Ok(_) => Status::TimedOut { reaped: true },
            Err(e) => Status::SpawnFailed {
                error: format!("cannot collect the exit status: {e}"),
            },
        }
    } else {
        // Abandoned: `Child`'s drop neither waits nor kills, which is what
        // must happen to a process stuck in D state.
        Status::TimedOut { reaped: false }
    };
    drop(child);
    let (out, err) = (out.take(), err.take());
    Outcome {
        command,
        status,
        duration_secs: start.elapsed().as_secs_f64(),
        output_cut: out.cut || err.cut,
        stdout_bytes: out.total,
        stderr_bytes: err.total,
        stdout: out.data,
        stderr: err.data,
    }
}

fn exit_status(s: ExitStatus) -> Status {
    match (s.code(), s.signal()) {
        (Some(code), _) => Status::Exited { code },
        (None, Some(signal)) => Status::Signaled { signal },
        (None, None) => Status::Exited { code: -1 },
    }
}

/// Polls for the child's exit until `deadline`, without reaping it
/// (`WNOWAIT`): no waiter thread, so an unkillable child costs nothing once
/// abandoned, and its pid stays reserved while its group is still killed.
fn wait_until(child: &Child, deadline: Instant) -> bool {
    let pid: libc::id_t = child.id();
    let mut pause = Duration::from_millis(1);
    loop {
        // SAFETY: an all-zero siginfo_t is a valid value for waitid to fill.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: waitid writes only into `info`, which outlives the call.
        let rc = unsafe {
            libc::waitid(
                libc::P_PID,
                pid,
                &mut info,
                libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
            )
        };
        // SAFETY: si_pid is set by waitid (0 when nothing has exited yet).
        if rc == 0 && unsafe { info.si_pid() } != 0 {
            return true;
        }
        if rc != 0 && io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            // ECHILD: already reaped elsewhere; nothing left to wait for.
            return true;
        }
        let now = Instant::now();
        if now >= deadline {
            return false;
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(25));
    }
}

fn kill_group(child: &Child) {
    let Ok(pid) = libc::pid_t::try_from(child.id()) else {
        return;
    };
    // The child leads its own group (process_group(0)), so its pid is the
    // group id. Never signal group 0 or 1: that would be ourselves or init.
    if pid > 1 {
        // SAFETY: kill(2) with a negative pid signals that process group;
        // it has no memory-safety preconditions.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(timeout_ms: u64) -> RunOptions {
        RunOptions {
            timeout: Duration::from_millis(timeout_ms),
            ..RunOptions::default()
        }
    }

    #[test]
    fn a_hanging_command_is_killed_at_the_timeout_and_recorded() {
        let t = Instant::now();
        let o = run(&["sleep", "30"], &opts(300));
        let took = t.elapsed();
        assert_eq!(o.status, Status::TimedOut { reaped: true });
        assert!(o.timed_out());
        assert_eq!(o.return_code(), 124);
        assert!(took < Duration::from_secs(3), "{took:?}");
        assert!(o.duration_secs >= 0.3, "{}", o.duration_secs);
        assert_eq!(
            o.describe(Duration::from_secs(10)),
            "`sleep 30` did not answer in 10 s (killed)"
        );
    }

    #[test]
    fn the_whole_group_is_killed_even_a_child_holding_the_pipe() {
        // The shell forks a sleeper that inherits stdout: without the group
        // kill, the pipe would stay open for 30 s.
        let t = Instant::now();
        let o = run(&["sh", "-c", "echo started; sleep 30 & wait"], &opts(300));
        assert!(t.elapsed() < Duration::from_secs(3));
        assert!(o.timed_out());
        assert_eq!(o.stdout, b"started\n");
    }

    #[test]
    fn a_helper_in_another_session_holding_the_pipe_does_not_hold_us() {
        // `setsid` puts the sleeper out of the group: it cannot be killed
        // with it, and it keeps the pipe open. rootline must still return
        // (the reader is abandoned), not wait 8 s.
        let t = Instant::now();
        let o = run(
            &["sh", "-c", "echo hi; setsid sleep 8 & exit 0"],
            &opts(5000),
        );
        assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
        assert_eq!(o.status, Status::Exited { code: 0 });
        assert_eq!(o.stdout, b"hi\n");
    }

    #[test]
    fn a_missing_program_is_not_found() {
        let o = run(&["rootline-no-such-program-xyz", "-ll"], &opts(1000));
        assert_eq!(o.status, Status::NotFound);
        assert_eq!(o.return_code(), 127);
        assert_eq!(
            o.describe(Duration::from_secs(10)),
            "`rootline-no-such-program-xyz -ll`: not installed"
        );
    }

    #[test]
    fn output_is_capped_and_flagged() {
        let o = run(
            &[
                "sh",
                "-c",
                "head -c 300000 /dev/zero | tr '\\0' x; echo err >&2; exit 3",
            ],
            &RunOptions {
                max_output: 1000,
                ..opts(5000)
            },
        );
        assert_eq!(o.status, Status::Exited { code: 3 });
        assert_eq!(o.stdout.len(), 1000);
        assert_eq!(o.stdout_bytes, 300000);
        assert!(o.output_cut);
        assert_eq!(o.stderr, b"err\n");
    }

    #[test]
    fn tail_mode_keeps_the_newest_whole_lines() {
        let o = run(
            &[
                "sh",
                "-c",
                "i=0; while [ $i -lt 20000 ]; do echo line $i; i=$((i+1)); done",
            ],
            &RunOptions {
                max_output: 1000,
                keep_tail: true,
                ..opts(10000)
            },
        );
        assert_eq!(o.status, Status::Exited { code: 0 });
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(text.ends_with("line 19999\n"), "{text}");
        assert!(text.starts_with("line "), "{text}");
        assert!(o.output_cut);
        assert!(o.stdout.len() < 200_000);
    }

    #[test]
    fn stdin_is_closed_and_the_locale_is_c() {
        let o = run(&["sh", "-c", "cat; echo $LC_ALL"], &opts(5000));
        assert_eq!(o.stdout, b"C\n");
    }
}
