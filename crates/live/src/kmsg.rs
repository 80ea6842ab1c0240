//! The kernel ring buffer from `/dev/kmsg`, as `dmesg` prints it.
//!
//! `/dev/kmsg` hands out one record per `read`: `pri,seq,usec,flags;text`
//! followed by ` KEY=value` dictionary lines. Opened non-blocking, a read
//! past the newest record fails with `EAGAIN` instead of waiting for the
//! next message, which is where the dump ends. `EPIPE` means records were
//! overwritten while reading: the next read continues with the oldest one
//! still there.

use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// What the dump holds.
#[derive(Clone, Debug, Default)]
pub struct Dump {
    /// `[  123.456789] text` lines.
    pub text: Vec<u8>,
    pub records: u64,
    /// Records lost to overwriting while reading.
    pub overwritten: u64,
    /// The dump stopped at the byte cap.
    pub cut: bool,
}

/// One record in `dmesg` form, or `None` if it is not a record.
pub fn format_record(rec: &[u8]) -> Option<Vec<u8>> {
    let semi = rec.iter().position(|&c| c == b';')?;
    let head = std::str::from_utf8(&rec[..semi]).ok()?;
    let mut fields = head.split(',');
    let _pri: u32 = fields.next()?.parse().ok()?;
    let _seq: u64 = fields.next()?.parse().ok()?;
    let usec: u64 = fields.next()?.parse().ok()?;
    let body = &rec[semi + 1..];
    // The text ends at the first newline; dictionary lines follow.
    let text = body.split(|&c| c == b'\n').next().unwrap_or_default();
    let mut out = format!("[{:5}.{:06}] ", usec / 1_000_000, usec % 1_000_000).into_bytes();
    out.extend_from_slice(text);
    out.push(b'\n');
    Some(out)
}

/// Reads every record now in the ring buffer, up to `cap` bytes of output.
pub fn read(path: &Path, cap: usize) -> io::Result<Dump> {
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let mut dump = Dump::default();
    // A record is at most about 8 KiB (text plus dictionary); a shorter
    // buffer makes the read fail with EINVAL.
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if let Some(line) = format_record(&buf[..n]) {
                    if dump.text.len() + line.len() > cap {
                        dump.cut = true;
                        break;
                    }
                    dump.text.extend_from_slice(&line);
                    dump.records += 1;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => dump.overwritten += 1,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if dump.records == 0 => return Err(e),
            Err(_) => break,
        }
    }
    Ok(dump)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_become_dmesg_lines() {
        let rec = b"3,1034,5140900123,-;blk_update_request: I/O error, dev loop5, sector 2048 op 0x0:(READ) flags 0x80700 phys_seg 1 prio class 0\n SUBSYSTEM=block\n DEVICE=b7:5\n";
        assert_eq!(
            String::from_utf8(format_record(rec).unwrap()).unwrap(),
            "[ 5140.900123] blk_update_request: I/O error, dev loop5, sector 2048 op 0x0:(READ) flags 0x80700 phys_seg 1 prio class 0\n"
        );
        let early = b"6,0,0,-;Linux version 6.1.0-18-amd64\n";
        assert_eq!(
            format_record(early).unwrap(),
            b"[    0.000000] Linux version 6.1.0-18-amd64\n"
        );
        assert!(format_record(b"garbage").is_none());
        assert!(format_record(b"x,y,z;text").is_none());
    }

    #[test]
    fn the_real_ring_buffer_if_readable() {
        match read(Path::new("/dev/kmsg"), 16 << 20) {
            Ok(d) => {
                assert!(d.records > 0);
                assert!(d.text.starts_with(b"["));
            }
            Err(e) => eprintln!("skipped: /dev/kmsg not readable here ({e})"),
        }
    }
}
