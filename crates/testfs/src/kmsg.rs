//! Reading new kernel log records from `/dev/kmsg`.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::time::{Duration, Instant};

/// Large enough for any record: the kernel caps one at about 1 KiB of text
/// plus its dictionary, and a short buffer makes read() fail with EINVAL.
const RECORD_BUF: usize = 16 * 1024;
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// One `/dev/kmsg` record: `prio,seq,usec,flags;message`, followed by
/// dictionary lines (` SUBSYSTEM=block`, ` DEVICE=b7:0`) that start with a
/// space.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KmsgRecord {
    /// Severity, 0 (emerg) to 7 (debug).
    pub level: u8,
    /// Syslog facility (0 is the kernel).
    pub facility: u8,
    pub seq: u64,
    /// Microseconds since boot, as `dmesg` shows them in brackets.
    pub usec: u64,
    /// The text with the kernel's `\xNN` escapes undone — the part `dmesg`
    /// prints after the timestamp.
    pub message: String,
    /// Dictionary entries (`KEY=value`) without the leading space.
    pub dict: Vec<String>,
}

impl KmsgRecord {
    /// Parses one record as read(2) returns it; None if it is malformed.
    pub fn parse(raw: &str) -> Option<KmsgRecord> {
        let mut lines = raw.split('\n');
        let first = lines.next()?;
        let (prefix, text) = first.split_once(';')?;
        let mut fields = prefix.split(',');
        let prio: u32 = fields.next()?.parse().ok()?;
        let seq = fields.next()?.parse().ok()?;
        let usec = fields.next()?.parse().ok()?;
        let dict = lines
            .filter_map(|l| l.strip_prefix(' '))
            .map(str::to_owned)
            .collect();
        Some(KmsgRecord {
            level: (prio & 7) as u8,
            facility: (prio >> 3) as u8,
            seq,
            usec,
            message: unescape(text),
            dict,
        })
    }

    /// `[  123.456789] message`, the way `dmesg` prints it.
    pub fn to_dmesg_line(&self) -> String {
        format!(
            "[{:5}.{:06}] {}",
            self.usec / 1_000_000,
            self.usec % 1_000_000,
            self.message
        )
    }
}

/// The kernel escapes non-printable bytes (and backslash) as `\xNN`.
fn unescape(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && bytes.get(i + 1) == Some(&b'x')
            && let Some(hex) = text.get(i + 2..i + 4)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 4;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A reader of kernel log records written after it was opened.
///
/// Everything read is kept, so a test can both wait for a line and later
/// look at what came around it (a hung-task report's stack, say).
#[derive(Debug)]
pub struct Kmsg {
    file: File,
    records: Vec<KmsgRecord>,
    /// Index in `records` from which the next `wait_for*` searches.
    cursor: usize,
    /// Times the kernel's ring overwrote records before we read them.
    overruns: u64,
}

impl Kmsg {
    /// Opens `/dev/kmsg` positioned after the last record now in the log.
    pub fn open() -> io::Result<Kmsg> {
        let file = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open("/dev/kmsg")?;
        // SEEK_END on /dev/kmsg means "after the newest record", so what was
        // logged before (by earlier tests, at boot) is never mistaken for
        // what this test provoked.
        // SAFETY: plain lseek on an fd we own.
        if unsafe { libc::lseek(file.as_raw_fd(), 0, libc::SEEK_END) } < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Kmsg {
            file,
            records: Vec::new(),
            cursor: 0,
            overruns: 0,
        })
    }

    /// Reads whatever is available without waiting; returns how many new
    /// records arrived.
    pub fn poll(&mut self) -> usize {
        let before = self.records.len();
        let mut buf = vec![0u8; RECORD_BUF];
        loop {
            match self.file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    let raw = String::from_utf8_lossy(&buf[..n]);
                    if let Some(rec) = KmsgRecord::parse(raw.trim_end_matches('\n')) {
                        self.records.push(rec);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // EPIPE: records were overwritten before we read them; the
                // next read continues with the oldest one still there.
                Err(e) if e.raw_os_error() == Some(libc::EPIPE) => self.overruns += 1,
                Err(_) => break,
            }
        }
        self.records.len() - before
    }

    /// Waits for a record whose message satisfies `pred` and returns that
    /// message. Records are searched in order from just after the previous
    /// match, so consecutive calls find consecutive events.
    pub fn wait_for(
        &mut self,
        mut pred: impl FnMut(&str) -> bool,
        timeout: Duration,
    ) -> Option<String> {
        self.wait_for_record(|r| pred(&r.message), timeout)
            .map(|r| r.message)
    }

    /// Like [`Kmsg::wait_for`], with the whole record.
    pub fn wait_for_record(
        &mut self,
        mut pred: impl FnMut(&KmsgRecord) -> bool,
        timeout: Duration,
    ) -> Option<KmsgRecord> {
        let deadline = Instant::now() + timeout;
        loop {
            self.poll();
            if let Some(i) = self.records[self.cursor..].iter().position(&mut pred) {
                let at = self.cursor + i;
                self.cursor = at + 1;
                return Some(self.records[at].clone());
            }
            self.cursor = self.records.len();
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    /// Keeps reading until no record has arrived for `quiet` (or `max` has
    /// passed), for multi-line reports such as a hung task's stack.
    pub fn settle(&mut self, quiet: Duration, max: Duration) {
        let start = Instant::now();
        let mut last = Instant::now();
        while start.elapsed() < max {
            if self.poll() > 0 {
                last = Instant::now();
            } else if last.elapsed() >= quiet {
                break;
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    /// Every record read since opening (after reading what is available).
    pub fn records(&mut self) -> &[KmsgRecord] {
        self.poll();
        &self.records
    }

    /// Every message read since opening (after reading what is available).
    pub fn messages(&mut self) -> Vec<String> {
        self.records().iter().map(|r| r.message.clone()).collect()
    }

    /// How often the kernel overwrote records before they were read.
    pub fn overruns(&self) -> u64 {
        self.overruns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_record_with_dictionary() {
        let raw = "3,1234,5678901,-;Buffer I/O error on dev loop0, logical block 0, async page read\n SUBSYSTEM=block\n DEVICE=b7:0";
        let rec = KmsgRecord::parse(raw).unwrap();
        assert_eq!(rec.level, 3);
        assert_eq!(rec.facility, 0);
        assert_eq!(rec.seq, 1234);
        assert_eq!(rec.usec, 5_678_901);
        assert_eq!(
            rec.message,
            "Buffer I/O error on dev loop0, logical block 0, async page read"
        );
        assert_eq!(rec.dict, ["SUBSYSTEM=block", "DEVICE=b7:0"]);
        assert_eq!(
            rec.to_dmesg_line(),
            "[    5.678901] Buffer I/O error on dev loop0, logical block 0, async page read"
        );
    }

    #[test]
    fn undoes_kernel_escapes() {
        let rec = KmsgRecord::parse("14,1,2,c;a\\x5cb\\x09c \\xzz").unwrap();
        assert_eq!(rec.message, "a\\b\tc \\xzz");
        assert_eq!(rec.facility, 1);
        assert_eq!(rec.level, 6);
    }

    #[test]
    fn rejects_garbage() {
        assert!(KmsgRecord::parse("no separator").is_none());
        assert!(KmsgRecord::parse("x,1,2,-;msg").is_none());
    }
}
