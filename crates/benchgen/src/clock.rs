//! Civil time (UTC) and the time stamp formats of the logs we write.
//!
//! Times are microseconds since the Unix epoch (`i64`). [`Clock`] caches the
//! civil breakdown of the current second, so formatting a stamp per line is a
//! handful of digit writes.

pub const US: i64 = 1_000_000;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];

/// Days since 1970-01-01 for a proleptic Gregorian date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `(year, month 1-12, day 1-31)` for days since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Microseconds since the epoch for a UTC civil time.
pub fn ts(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
    (days_from_civil(y, mo, d) * 86_400 + i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(s))
        * US
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub min: u32,
    pub sec: u32,
    /// Index into `WEEKDAYS` (0 = Thursday, the epoch's weekday).
    wday: usize,
}

impl Civil {
    pub fn of_secs(s: i64) -> Civil {
        let days = s.div_euclid(86_400);
        let rem = s.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: rem / 3600,
            min: rem / 60 % 60,
            sec: rem % 60,
            wday: days.rem_euclid(7) as usize,
        }
    }
}

/// The current line's time, with its civil breakdown cached per second.
#[derive(Clone, Debug)]
pub struct Clock {
    pub t: i64,
    sec: i64,
    pub c: Civil,
    pub us: u32,
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new(0)
    }
}

impl Clock {
    pub fn new(t: i64) -> Clock {
        let sec = t.div_euclid(US);
        Clock {
            t,
            sec,
            c: Civil::of_secs(sec),
            us: t.rem_euclid(US) as u32,
        }
    }

    #[inline]
    pub fn set(&mut self, t: i64) {
        let sec = t.div_euclid(US);
        if sec != self.sec {
            self.sec = sec;
            self.c = Civil::of_secs(sec);
        }
        self.t = t;
        self.us = t.rem_euclid(US) as u32;
    }

    /// `Oct  3 19:46:00` (syslog, day space-padded).
    #[inline]
    pub fn syslog(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(MONTHS[self.c.month as usize - 1].as_bytes());
        out.push(b' ');
        if self.c.day < 10 {
            out.push(b' ');
            out.push(b'0' + self.c.day as u8);
        } else {
            push2(out, self.c.day);
        }
        out.push(b' ');
        self.hms(out);
    }

    /// `Oct 03 19:46:00` (journalctl short, day zero-padded).
    #[inline]
    pub fn journal(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(MONTHS[self.c.month as usize - 1].as_bytes());
        out.push(b' ');
        push2(out, self.c.day);
        out.push(b' ');
        self.hms(out);
    }

    #[inline]
    pub fn hms(&self, out: &mut Vec<u8>) {
        push2(out, self.c.hour);
        out.push(b':');
        push2(out, self.c.min);
        out.push(b':');
        push2(out, self.c.sec);
    }

    /// `2025-10-13` + `sep` + `19:46:00`.
    #[inline]
    pub fn ymd_hms(&self, out: &mut Vec<u8>, sep: u8) {
        push_padded(out, self.c.year as u64, 4);
        out.push(b'-');
        push2(out, self.c.month);
        out.push(b'-');
        push2(out, self.c.day);
        out.push(sep);
        self.hms(out);
    }

    /// `.` and the first `digits` (3, 6 or 9) digits of the fraction.
    #[inline]
    pub fn frac(&self, out: &mut Vec<u8>, digits: u32) {
        out.push(b'.');
        match digits {
            3 => push_padded(out, u64::from(self.us / 1000), 3),
            6 => push_padded(out, u64::from(self.us), 6),
            _ => {
                push_padded(out, u64::from(self.us), 6);
                // Nanoseconds we do not have: derived digits, stable per stamp.
                push_padded(out, u64::from(self.us.wrapping_mul(7919) % 1000), 3);
            }
        }
    }

    /// `2025-10-13 19:46:01.123` (oslo.log).
    #[inline]
    pub fn oslo(&self, out: &mut Vec<u8>) {
        self.ymd_hms(out, b' ');
        self.frac(out, 3);
    }

    /// `2025-10-13 19:46:01.123+0000` (libvirt).
    #[inline]
    pub fn libvirt(&self, out: &mut Vec<u8>) {
        self.oslo(out);
        out.extend_from_slice(b"+0000");
    }

    /// `2025-10-13T19:46:01.123456789Z` with 3, 6 or 9 fraction digits.
    #[inline]
    pub fn iso_z(&self, out: &mut Vec<u8>, digits: u32) {
        self.ymd_hms(out, b'T');
        self.frac(out, digits);
        out.push(b'Z');
    }

    /// `2025-10-13T19:46:01.123+0000` (ceph).
    #[inline]
    pub fn iso_ceph(&self, out: &mut Vec<u8>) {
        self.ymd_hms(out, b'T');
        self.frac(out, 3);
        out.extend_from_slice(b"+0000");
    }

    /// `1013 19:46:00.123456` (klog, after the severity letter).
    #[inline]
    pub fn klog(&self, out: &mut Vec<u8>) {
        push2(out, self.c.month);
        push2(out, self.c.day);
        out.push(b' ');
        self.hms(out);
        self.frac(out, 6);
    }

    /// `1760384760.123` (audit records).
    #[inline]
    pub fn epoch_ms(&self, out: &mut Vec<u8>) {
        push_dec(out, self.sec as u64);
        self.frac(out, 3);
    }

    /// `Tue Oct 14 09:30:12 UTC 2025` (date(1)).
    pub fn date_cmd(&self) -> String {
        let mut out = Vec::new();
        out.extend_from_slice(WEEKDAYS[self.c.wday].as_bytes());
        out.push(b' ');
        out.extend_from_slice(MONTHS[self.c.month as usize - 1].as_bytes());
        out.push(b' ');
        push2(&mut out, self.c.day);
        out.push(b' ');
        self.hms(&mut out);
        out.extend_from_slice(b" UTC ");
        push_padded(&mut out, self.c.year as u64, 4);
        crate::ascii(out)
    }

    /// `Tue 2025-09-23 00:00:05 UTC` (journalctl's header).
    pub fn journal_header(&self) -> String {
        let mut out = Vec::new();
        out.extend_from_slice(WEEKDAYS[self.c.wday].as_bytes());
        out.push(b' ');
        self.ymd_hms(&mut out, b' ');
        out.extend_from_slice(b" UTC");
        crate::ascii(out)
    }

    /// `2025-10-13T19:46:01Z` (RFC 3339, for the metadata).
    pub fn rfc3339(&self) -> String {
        let mut out = Vec::new();
        self.ymd_hms(&mut out, b'T');
        out.push(b'Z');
        crate::ascii(out)
    }

    /// `Sep22` (ps START column for older processes).
    pub fn ps_start(&self) -> String {
        let mut out = Vec::new();
        out.extend_from_slice(MONTHS[self.c.month as usize - 1].as_bytes());
        push2(&mut out, self.c.day);
        crate::ascii(out)
    }
}

/// `[ 8126.309080]` for `t` microseconds after boot.
#[inline]
pub fn push_kernel_stamp(out: &mut Vec<u8>, since_boot_us: i64) {
    let since = since_boot_us.max(0) as u64;
    let secs = since / 1_000_000;
    let us = since % 1_000_000;
    out.push(b'[');
    let mut tmp = [b' '; 20];
    let n = dec_digits(secs, &mut tmp);
    for _ in n..5 {
        out.push(b' ');
    }
    out.extend_from_slice(&tmp[20 - n..]);
    out.push(b'.');
    push_padded(out, us, 6);
    out.push(b']');
}

const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

#[inline]
pub fn push2(out: &mut Vec<u8>, n: u32) {
    let i = (n as usize % 100) * 2;
    out.extend_from_slice(&PAIRS[i..i + 2]);
}

/// Writes the decimal digits of `n` right-aligned into `buf`; returns how many.
#[inline]
fn dec_digits(mut n: u64, buf: &mut [u8; 20]) -> usize {
    let mut i = 20;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    20 - i
}

#[inline]
pub fn push_dec(out: &mut Vec<u8>, n: u64) {
    let mut buf = [0u8; 20];
    let k = dec_digits(n, &mut buf);
    out.extend_from_slice(&buf[20 - k..]);
}

/// `n` zero-padded to at least `width` digits.
#[inline]
pub fn push_padded(out: &mut Vec<u8>, n: u64, width: usize) {
    let mut buf = [0u8; 20];
    let k = dec_digits(n, &mut buf);
    for _ in k..width {
        out.push(b'0');
    }
    out.extend_from_slice(&buf[20 - k..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(f: impl Fn(&Clock, &mut Vec<u8>), t: i64) -> String {
        let mut v = Vec::new();
        f(&Clock::new(t), &mut v);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn formats() {
        let t = ts(2025, 10, 3, 19, 46, 0) + 123_456;
        assert_eq!(s(Clock::syslog, t), "Oct  3 19:46:00");
        assert_eq!(s(Clock::journal, t), "Oct 03 19:46:00");
        assert_eq!(s(Clock::oslo, t), "2025-10-03 19:46:00.123");
        assert_eq!(s(Clock::libvirt, t), "2025-10-03 19:46:00.123+0000");
        assert_eq!(s(Clock::klog, t), "1003 19:46:00.123456");
        assert_eq!(s(|c, o| c.iso_z(o, 6), t), "2025-10-03T19:46:00.123456Z");
        assert_eq!(
            Clock::new(ts(2025, 10, 14, 9, 30, 12)).date_cmd(),
            "Tue Oct 14 09:30:12 UTC 2025"
        );
        assert_eq!(
            Clock::new(ts(2022, 2, 4, 9, 34, 4)).journal_header(),
            "Fri 2022-02-04 09:34:04 UTC"
        );
        let mut v = Vec::new();
        push_kernel_stamp(&mut v, 8_126_309_080);
        assert_eq!(v, b"[ 8126.309080]");
        v.clear();
        push_kernel_stamp(&mut v, 1_900_800_000_001);
        assert_eq!(v, b"[1900800.000001]");
        for d in [-1000i64, 0, 19_000, 20_374] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
    }
}
