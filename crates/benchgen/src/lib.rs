//! rootline-benchgen: writes a sosreport-shaped tree of an OpenStack /
//! Kubernetes compute node, of a chosen size, with storage incidents
//! injected at known places, for benchmarks and end-to-end tests.
//!
//! The tree is a pure function of `(size, seed, incidents)`. Its metadata,
//! `DIR/.benchgen.json` ([`Manifest`]), lists every file with its size and
//! the number of lines containing each of [`PHRASES`] — counted over the
//! lines actually written, `.gz` files decompressed — so a test can check
//! that a scanner found what was injected. Noise never contains a phrase.

mod clock;
mod incidents;
mod noise;
mod rng;
mod template;
mod world;

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use flate2::Compression;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};

use crate::clock::{Clock, US};
use crate::incidents::{Event, Stream};
use crate::rng::Rng;
use crate::template::{Ctx, Group, Mix};
use crate::world::World;

/// The metadata file written at the tree's root.
pub const MANIFEST: &str = ".benchgen.json";

/// Bump when the same `(size, seed, incidents)` would write different bytes.
pub const FORMAT_VERSION: u32 = 1;

/// What can go wrong: a size that [`parse_size`] does not accept, a
/// malformed built-in line template, or writing the tree.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("bad size {0:?} (expected e.g. 2G, 500M, 64K)")]
    BadSize(String),
    #[error("bad size suffix in {0:?} (use K, M, G)")]
    BadSizeSuffix(String),
    #[error("size {0:?} out of range")]
    SizeOutOfRange(String),
    /// A bug in the noise tables, not in anything the user gave.
    #[error("bad line template: {0}")]
    Template(String),
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Bytes the generator assembled from ASCII pieces, as a `String`. Never
/// lossy in practice; lossy rather than a panic if a piece ever is not.
pub(crate) fn ascii(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The incident phrases counted in the metadata: for each, the number of
/// written lines that contain it (a line may count for several phrases).
pub const PHRASES: &[&str] = &[
    "remaining active paths: 0",
    "checker failed path",
    "Failing path",
    "blk_update_request: I/O error",
    "I/O error, dev",
    "Buffer I/O error on dev",
    "blocked for more than",
    "ExecSync cmd from runtime service failed",
    "Probe failed",
    "soft lockup - CPU#",
    "not responding, still trying",
    "block I/O error in device",
    "refcount=0 reference=1",
    "does not match the vm_power_state",
    "Running cmd (subprocess): chmod 660",
];

#[derive(Clone, Debug)]
pub struct Config {
    pub out: PathBuf,
    /// Target total size of the files written, in bytes.
    pub size: u64,
    /// The size as given (`2G`), recorded in the metadata.
    pub size_arg: String,
    pub seed: u64,
    pub incidents: usize,
    /// Worker threads (files are independent; output does not depend on it).
    pub jobs: usize,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub generator: String,
    pub format_version: u32,
    pub seed: u64,
    /// The `--size` argument as given.
    pub size: String,
    pub target_bytes: u64,
    /// Sum of the files' sizes on disk (the metadata file excluded).
    pub total_bytes: u64,
    pub hostname: String,
    /// When the simulated sosreport ran (`sos_commands/date/date`).
    pub collected_at: String,
    pub boot_at: String,
    /// The logged window.
    pub logs_from: String,
    pub logs_to: String,
    pub incidents_requested: usize,
    /// Phrase → lines containing it, over all files (`.gz` decompressed).
    pub phrases: BTreeMap<String, u64>,
    pub files: Vec<FileEntry>,
    pub incidents: Vec<IncidentEntry>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FileEntry {
    /// Relative to the tree's root, `/`-separated.
    pub path: String,
    /// Size on disk.
    pub bytes: u64,
    pub gzip: bool,
    /// Uncompressed size (equals `bytes` for plain files).
    pub raw_bytes: u64,
    pub lines: u64,
    /// Phrase → lines containing it in this file (non-zero only).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub phrases: BTreeMap<String, u64>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct IncidentEntry {
    pub id: usize,
    pub kind: String,
    /// Time of the chain's first line.
    pub at: String,
    /// The instance hit (`instance-0000001c`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Lines written for it, over all files.
    pub lines: u64,
    /// Files that got at least one of its lines.
    pub files: Vec<String>,
}

/// Parses `2G`, `500M`, `64K`, `123` (binary multiples; `KiB`/`MB`-style
/// suffixes accepted, case-insensitive, decimals like `1.5G` allowed).
pub fn parse_size(s: &str) -> Result<u64, Error> {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    let digits_end = lower
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(lower.len());
    let (num, unit) = lower.split_at(digits_end);
    let num: f64 = num.parse().map_err(|_| Error::BadSize(s.to_string()))?;
    let mult: u64 = match unit.trim() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        _ => return Err(Error::BadSizeSuffix(s.to_string())),
    };
    let bytes = (num * mult as f64).round();
    if !(1.0..=1e15).contains(&bytes) {
        return Err(Error::SizeOutOfRange(s.to_string()));
    }
    Ok(bytes as u64)
}

// ---------------------------------------------------------------- layout

#[derive(Clone, Copy, Debug)]
enum Inner {
    Oslo(u32),
    Libvirt,
    Ovs,
    Bare,
}

/// How each line starts.
#[derive(Clone, Copy, Debug)]
enum Hdr {
    /// `Oct  3 19:46:00 host ` (kernel lines: `kernel: [stamp] `).
    Syslog,
    /// `Oct 03 19:46:00 host ` (kernel lines: `kernel: `).
    Journal,
    /// `[stamp] `.
    Dmesg,
    Plain(Inner),
    /// CRI: `2025-10-13T19:46:00.123456789Z stdout F ` then the inner format.
    Cri(&'static str, Inner),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MixId {
    Syslog,
    Kern,
    Kubelet,
    Nova,
    Cinder,
    Neutron,
    Ovs,
    Libvirtd,
    Qemu,
    KubeProxy,
    Calico,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Accept {
    SyslogLike,
    Kernel,
    Kubelet,
    Nova,
    Cinder,
    Libvirtd,
    Qemu(usize),
    Nothing,
}

impl Accept {
    fn takes(self, s: Stream) -> bool {
        match self {
            Accept::SyslogLike => matches!(s, Stream::Kernel | Stream::Daemon | Stream::Kubelet),
            Accept::Kernel => s == Stream::Kernel,
            Accept::Kubelet => s == Stream::Kubelet,
            Accept::Nova => s == Stream::Nova,
            Accept::Cinder => s == Stream::Cinder,
            Accept::Libvirtd => s == Stream::Libvirtd,
            Accept::Qemu(i) => s == Stream::Qemu(i),
            Accept::Nothing => false,
        }
    }
}

#[derive(Clone, Debug)]
struct Spec {
    path: String,
    /// Relative share of the size budget.
    share: f64,
    gz: bool,
    start: i64,
    end: i64,
    hdr: Hdr,
    mix: MixId,
    accept: Accept,
    /// `-- Logs begin at … --` first line.
    journal_preamble: bool,
    own_instance: Option<usize>,
    /// Start with the mix's first entry (a qemu log opens with a start-up).
    open_with_first: bool,
}

fn layout(w: &World) -> Vec<Spec> {
    let mut v = Vec::new();
    let base = |path: &str, share: f64, hdr: Hdr, mix: MixId, accept: Accept| Spec {
        path: path.to_string(),
        share,
        gz: false,
        start: w.start,
        end: w.end,
        hdr,
        mix,
        accept,
        journal_preamble: false,
        own_instance: None,
        open_with_first: false,
    };
    // Rotated families: X.2.gz [start, rot2), X.1 [rot2, rot1), X [rot1, end).
    let mut rotated = |path: &str, shares: [f64; 3], hdr: Hdr, mix: MixId, accept: Accept| {
        let windows = [(w.rot1, w.end), (w.rot2, w.rot1), (w.start, w.rot2)];
        let suffixes = ["", ".1", ".2.gz"];
        for i in 0..3 {
            let mut s = base(
                &format!("{path}{}", suffixes[i]),
                shares[i],
                hdr,
                mix,
                accept,
            );
            (s.start, s.end) = windows[i];
            s.gz = i == 2;
            v.push(s);
        }
    };
    rotated(
        "var/log/syslog",
        [13.0, 11.0, 2.6],
        Hdr::Syslog,
        MixId::Syslog,
        Accept::SyslogLike,
    );
    rotated(
        "var/log/kern.log",
        [8.0, 7.0, 1.7],
        Hdr::Syslog,
        MixId::Kern,
        Accept::Kernel,
    );
    rotated(
        "var/log/nova/nova-compute.log",
        [7.0, 6.0, 1.3],
        Hdr::Plain(Inner::Oslo(world::NOVA_PID)),
        MixId::Nova,
        Accept::Nova,
    );
    let mut j = base(
        "sos_commands/logs/journalctl_--no-pager",
        22.0,
        Hdr::Journal,
        MixId::Syslog,
        Accept::SyslogLike,
    );
    j.journal_preamble = true;
    v.push(j);
    let mut k = base(
        "sos_commands/kubernetes/journalctl_--no-pager_--unit_kubelet",
        5.0,
        Hdr::Journal,
        MixId::Kubelet,
        Accept::Kubelet,
    );
    k.journal_preamble = true;
    v.push(k);
    // dmesg: the ring buffer holds the last days only.
    let mut d = base(
        "sos_commands/kernel/dmesg",
        1.2,
        Hdr::Dmesg,
        MixId::Kern,
        Accept::Kernel,
    );
    d.start = w.end - 3 * 86_400 * US;
    v.push(d);
    v.push(base(
        "var/log/cinder/cinder-volume.log",
        3.0,
        Hdr::Plain(Inner::Oslo(world::CINDER_PID)),
        MixId::Cinder,
        Accept::Cinder,
    ));
    v.push(base(
        "var/log/neutron/neutron-openvswitch-agent.log",
        3.0,
        Hdr::Plain(Inner::Oslo(world::NEUTRON_PID)),
        MixId::Neutron,
        Accept::Nothing,
    ));
    v.push(base(
        "var/log/openvswitch/ovs-vswitchd.log",
        1.0,
        Hdr::Plain(Inner::Ovs),
        MixId::Ovs,
        Accept::Nothing,
    ));
    v.push(base(
        "var/log/libvirt/libvirtd.log",
        3.0,
        Hdr::Plain(Inner::Libvirt),
        MixId::Libvirtd,
        Accept::Libvirtd,
    ));
    for i in 0..w.qemu_logs {
        let mut q = base(
            &format!("var/log/libvirt/qemu/{}.log", w.instances[i].name),
            0.07,
            Hdr::Plain(Inner::Bare),
            MixId::Qemu,
            Accept::Qemu(i),
        );
        q.own_instance = Some(i);
        q.open_with_first = true;
        v.push(q);
    }
    let c = w.libvirt_container.as_str();
    let containers: [(String, Hdr, MixId, f64); 6] = [
        (
            format!("libvirt-libvirt-default-x7k2p_openstack_libvirt-{c}"),
            Hdr::Cri("stderr", Inner::Libvirt),
            MixId::Libvirtd,
            0.8,
        ),
        (
            "nova-compute-default-9fz4q_openstack_nova-compute-".to_string(),
            Hdr::Cri("stderr", Inner::Oslo(7)),
            MixId::Nova,
            1.4,
        ),
        (
            "neutron-ovs-agent-default-2mwbk_openstack_neutron-ovs-agent-".to_string(),
            Hdr::Cri("stderr", Inner::Oslo(9)),
            MixId::Neutron,
            0.9,
        ),
        (
            "openvswitch-vswitchd-6rkxv_openstack_openvswitch-vswitchd-".to_string(),
            Hdr::Cri("stdout", Inner::Ovs),
            MixId::Ovs,
            0.4,
        ),
        (
            "kube-proxy-m8tq4_kube-system_kube-proxy-".to_string(),
            Hdr::Cri("stderr", Inner::Bare),
            MixId::KubeProxy,
            0.5,
        ),
        (
            "calico-node-5tbxl_kube-system_calico-node-".to_string(),
            Hdr::Cri("stdout", Inner::Bare),
            MixId::Calico,
            1.0,
        ),
    ];
    let mut crng = Rng::derive(0, "container-ids");
    for (name, hdr, mix, share) in containers {
        let name = if name.ends_with('-') {
            format!("{name}{}", crng.hex(64))
        } else {
            name
        };
        v.push(base(
            &format!("var/log/containers/{name}.log"),
            share,
            hdr,
            mix,
            Accept::Nothing,
        ));
    }
    v
}

struct Mixes {
    syslog: Mix,
    kern: Mix,
    kubelet: Mix,
    nova: Mix,
    cinder: Mix,
    neutron: Mix,
    ovs: Mix,
    libvirtd: Mix,
    qemu: Mix,
    kube_proxy: Mix,
    calico: Mix,
}

impl Mixes {
    fn new() -> Result<Mixes, Error> {
        let one = |g: Group| Mix::new(&[(g, false, 1)]);
        Ok(Mixes {
            syslog: Mix::new(&[
                (noise::KERNEL, true, 30),
                (noise::DAEMONS, false, 50),
                (noise::KUBELET, false, 20),
            ])?,
            kern: Mix::new(&[(noise::KERNEL, true, 1)])?,
            kubelet: one(noise::KUBELET)?,
            nova: one(noise::NOVA)?,
            cinder: one(noise::CINDER)?,
            neutron: one(noise::NEUTRON)?,
            ovs: one(noise::OVS)?,
            libvirtd: one(noise::LIBVIRTD)?,
            qemu: one(noise::QEMU)?,
            kube_proxy: one(noise::KUBE_PROXY)?,
            calico: one(noise::CALICO)?,
        })
    }

    fn get(&self, id: MixId) -> &Mix {
        match id {
            MixId::Syslog => &self.syslog,
            MixId::Kern => &self.kern,
            MixId::Kubelet => &self.kubelet,
            MixId::Nova => &self.nova,
            MixId::Cinder => &self.cinder,
            MixId::Neutron => &self.neutron,
            MixId::Ovs => &self.ovs,
            MixId::Libvirtd => &self.libvirtd,
            MixId::Qemu => &self.qemu,
            MixId::KubeProxy => &self.kube_proxy,
            MixId::Calico => &self.calico,
        }
    }
}

// ---------------------------------------------------------------- writing

struct Counting<W> {
    inner: W,
    n: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        let k = self.inner.write(b)?;
        self.n += k as u64;
        Ok(k)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

enum Sink {
    Plain(Counting<File>),
    Gz(GzEncoder<Counting<File>>),
}

impl Sink {
    fn create(path: &Path, gz: bool) -> io::Result<Sink> {
        let f = Counting {
            inner: File::create(path)?,
            n: 0,
        };
        Ok(if gz {
            Sink::Gz(GzEncoder::new(f, Compression::fast()))
        } else {
            Sink::Plain(f)
        })
    }

    fn put(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Sink::Plain(f) => f.write_all(buf),
            Sink::Gz(g) => {
                g.write_all(buf)?;
                // A sync flush keeps the on-disk count honest for sizing.
                g.flush()
            }
        }
    }

    fn disk_bytes(&self) -> u64 {
        match self {
            Sink::Plain(f) => f.n,
            Sink::Gz(g) => g.get_ref().n,
        }
    }

    fn finish(self) -> io::Result<u64> {
        match self {
            Sink::Plain(mut f) => {
                f.flush()?;
                Ok(f.n)
            }
            Sink::Gz(g) => {
                let mut f = g.finish()?;
                f.flush()?;
                Ok(f.n)
            }
        }
    }
}

#[derive(Debug)]
struct FileResult {
    entry: FileEntry,
    incidents: BTreeMap<usize, u64>,
}

struct Writer<'a> {
    spec: &'a Spec,
    world: &'a World,
    rng: Rng,
    ctx: Ctx<'a>,
    out: Vec<u8>,
}

impl Writer<'_> {
    #[inline]
    fn inner_header(&mut self, inner: Inner) {
        let out = &mut self.out;
        match inner {
            Inner::Oslo(pid) => {
                self.ctx.clock.oslo(out);
                out.push(b' ');
                clock::push_dec(out, u64::from(pid));
                out.push(b' ');
            }
            Inner::Libvirt => {
                self.ctx.clock.libvirt(out);
                out.extend_from_slice(b": ");
                let tid = u64::from(world::LIBVIRTD_PID) + self.rng.below(24);
                clock::push_dec(out, tid);
                out.extend_from_slice(b": ");
            }
            Inner::Ovs => {
                self.ctx.clock.iso_z(out, 3);
                out.push(b'|');
                self.ctx.seq += 1;
                clock::push_padded(out, self.ctx.seq % 100_000, 5);
                out.push(b'|');
            }
            Inner::Bare => {}
        }
    }

    /// The line's header, and the kernel prefix for kernel messages.
    #[inline]
    fn header(&mut self, kernel: bool) {
        match self.spec.hdr {
            Hdr::Syslog | Hdr::Journal => {
                if matches!(self.spec.hdr, Hdr::Syslog) {
                    self.ctx.clock.syslog(&mut self.out);
                } else {
                    self.ctx.clock.journal(&mut self.out);
                }
                self.out.push(b' ');
                self.out.extend_from_slice(self.world.host.as_bytes());
                self.out.push(b' ');
                if kernel {
                    self.out.extend_from_slice(b"kernel: ");
                    if matches!(self.spec.hdr, Hdr::Syslog) {
                        clock::push_kernel_stamp(&mut self.out, self.ctx.clock.t - self.world.boot);
                        self.out.push(b' ');
                    }
                }
            }
            Hdr::Dmesg => {
                clock::push_kernel_stamp(&mut self.out, self.ctx.clock.t - self.world.boot);
                self.out.push(b' ');
            }
            Hdr::Plain(inner) => self.inner_header(inner),
            Hdr::Cri(stream, inner) => {
                self.ctx.clock.iso_z(&mut self.out, 9);
                self.out.push(b' ');
                self.out.extend_from_slice(stream.as_bytes());
                self.out.extend_from_slice(b" F ");
                self.inner_header(inner);
            }
        }
    }
}

fn count_phrases(line: &[u8], counts: &mut [u64]) {
    for (i, p) in PHRASES.iter().enumerate() {
        let p = p.as_bytes();
        if line.len() >= p.len() && line.windows(p.len()).any(|w| w == p) {
            counts[i] += 1;
        }
    }
}

fn write_log(
    root: &Path,
    spec: &Spec,
    target: u64,
    world: &World,
    mixes: &Mixes,
    events: &[&Event],
    seed: u64,
) -> io::Result<FileResult> {
    let path = root.join(&spec.path);
    let mut sink = Sink::create(&path, spec.gz)?;
    let mix = mixes.get(spec.mix);
    let mut w = Writer {
        spec,
        world,
        rng: Rng::derive(seed, &spec.path),
        ctx: Ctx {
            world,
            clock: Clock::new(spec.start),
            seq: 0,
            blk: 1,
            own_instance: spec.own_instance,
        },
        out: Vec::with_capacity(1 << 20),
    };
    let chunk: usize = if spec.gz {
        64 << 10
    } else {
        ((target / 64) as usize).clamp(16 << 10, 1 << 20)
    };
    let mut counts = vec![0u64; PHRASES.len()];
    let mut per_incident: BTreeMap<usize, u64> = BTreeMap::new();
    let mut lines = 0u64;
    let mut raw_flushed = 0u64;
    if spec.journal_preamble {
        let line = format!(
            "-- Logs begin at {}, end at {}. --\n",
            Clock::new(spec.start).journal_header(),
            Clock::new(spec.end).journal_header()
        );
        w.out.extend_from_slice(line.as_bytes());
        lines += 1;
    }
    let span = (spec.end - spec.start) as f64;
    // Expected raw size, for the per-line time step (gz ≈ 4:1).
    let raw_target = if spec.gz { target * 4 } else { target } as f64;
    let gap = ((span * 160.0 / raw_target.max(1.0)) as u64).max(1);
    let mut last_t = spec.start;
    let mut next_ev = 0usize;
    let mut first = spec.open_with_first;

    let emit_event = |w: &mut Writer<'_>,
                      ev: &Event,
                      counts: &mut [u64],
                      per_incident: &mut BTreeMap<usize, u64>| {
        w.ctx.clock.set(ev.t);
        let is_kernel = ev.stream == Stream::Kernel;
        // qemu's lines carry their own stamps (or none).
        if !matches!(ev.stream, Stream::Qemu(_)) {
            w.header(is_kernel);
        }
        w.out.extend_from_slice(ev.text.as_bytes());
        w.out.push(b'\n');
        count_phrases(ev.text.as_bytes(), counts);
        *per_incident.entry(ev.incident).or_default() += 1;
    };

    loop {
        let pending = w.out.len() as u64;
        let est = if spec.gz {
            let disk = sink.disk_bytes();
            let ratio = if disk > 0 {
                raw_flushed as f64 / disk as f64
            } else {
                4.0
            };
            disk + (pending as f64 / ratio) as u64
        } else {
            sink.disk_bytes() + pending
        };
        if est >= target {
            break;
        }
        let base = spec.start + (span * est as f64 / target as f64) as i64;
        let t = (base + w.rng.below(gap) as i64).max(last_t).min(spec.end);
        while next_ev < events.len() && events[next_ev].t <= t {
            emit_event(&mut w, events[next_ev], &mut counts, &mut per_incident);
            lines += 1;
            next_ev += 1;
        }
        last_t = t;
        w.ctx.clock.set(t);
        let entry = if first {
            first = false;
            mix.first()
        } else {
            mix.pick(&mut w.rng)
        };
        if entry.lines.len() > 1 {
            w.ctx.blk = w.rng.range(1, 99);
        }
        for line in &entry.lines {
            w.header(entry.kernel);
            line.render(&mut w.rng, &mut w.ctx, &mut w.out);
            w.out.push(b'\n');
            lines += 1;
        }
        if w.out.len() >= chunk {
            sink.put(&w.out)?;
            raw_flushed += w.out.len() as u64;
            w.out.clear();
        }
    }
    while next_ev < events.len() {
        emit_event(&mut w, events[next_ev], &mut counts, &mut per_incident);
        lines += 1;
        next_ev += 1;
    }
    sink.put(&w.out)?;
    raw_flushed += w.out.len() as u64;
    let bytes = sink.finish()?;
    let phrases = PHRASES
        .iter()
        .zip(&counts)
        .filter(|(_, c)| **c > 0)
        .map(|(p, c)| (p.to_string(), *c))
        .collect();
    Ok(FileResult {
        entry: FileEntry {
            path: spec.path.clone(),
            bytes,
            gzip: spec.gz,
            raw_bytes: raw_flushed,
            lines,
            phrases,
        },
        incidents: per_incident,
    })
}

// ---------------------------------------------------------------- small files

fn small_files(w: &World, seed: u64) -> Vec<(String, String)> {
    let collected = Clock::new(w.collected);
    let up_at = Clock::new(w.collected + 2 * US);
    let up = (w.collected + 2 * US - w.boot) / US;
    let (days, hours, mins) = (up / 86_400, up % 86_400 / 3600, up % 3600 / 60);
    let mut uptime_hms = Vec::new();
    up_at.hms(&mut uptime_hms);
    let uptime = format!(
        " {} up {days} days, {hours:>2}:{mins:02},  2 users,  load average: 3.58, 3.27, 2.58\n",
        ascii(uptime_hms)
    );
    let date = format!("{}\n", collected.date_cmd());
    vec![
        ("sos_commands/date/date".to_string(), date.clone()),
        ("sos_commands/date/date_--utc".to_string(), date),
        ("sos_commands/host/uptime".to_string(), uptime),
        (
            "sos_commands/host/hostname".to_string(),
            format!("{}\n", w.host),
        ),
        ("etc/hostname".to_string(), format!("{}\n", w.host)),
        ("etc/timezone".to_string(), "UTC\n".to_string()),
        (
            "sos_commands/process/ps_auxwwwm".to_string(),
            ps_auxwwwm(w, seed),
        ),
    ]
}

fn ps_auxwwwm(w: &World, seed: u64) -> String {
    use std::fmt::Write as _;
    let mut rng = Rng::derive(seed, "ps");
    let boot = Clock::new(w.boot).ps_start();
    let mut s = String::from(
        "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n",
    );
    let row = |s: &mut String,
               rng: &mut Rng,
               user: &str,
               pid: u64,
               vsz: u64,
               stat: &str,
               start: &str,
               cmd: &str,
               threads: u64| {
        let cpu = if vsz == 0 {
            0.0
        } else {
            rng.below(60) as f64 / 10.0
        };
        let mem = if vsz == 0 {
            0.0
        } else {
            rng.below(30) as f64 / 10.0
        };
        let rss = vsz / 10 * rng.range(1, 9) / 9;
        let tty = if cmd.starts_with("-bash") {
            "pts/0"
        } else {
            "?"
        };
        let time = format!("{}:{:02}", rng.below(90), rng.below(60));
        let _ = writeln!(
            s,
            "{user:<8} {pid:>7} {cpu:>4.1} {mem:>4.1} {vsz:>6} {rss:>5} {tty:<8} -    {start:>5} {time:>6} {cmd}"
        );
        for _ in 0..threads {
            let _ = writeln!(
                s,
                "{user:<8} {:>7} {cpu:>4.1} {:>4} {:>6} {:>5} {:<8} {stat:<4} {start:>5} {time:>6} -",
                "-", "-", "-", "-", "-"
            );
        }
    };
    let mut pid = 1u64;
    row(
        &mut s,
        &mut rng,
        "root",
        pid,
        175_184,
        "Ss",
        &boot,
        "/sbin/init",
        1,
    );
    for name in [
        "kthreadd",
        "rcu_gp",
        "rcu_par_gp",
        "slub_flushwq",
        "netns",
        "mm_percpu_wq",
        "rcu_tasks_rude_",
        "rcu_tasks_trace",
        "rcu_sched",
        "kdevtmpfs",
        "inet_frag_wq",
        "kauditd",
        "khungtaskd",
        "oom_reaper",
        "writeback",
        "kcompactd0",
        "ksmd",
        "khugepaged",
        "kintegrityd",
        "kblockd",
        "blkcg_punt_bio",
        "tpm_dev_wq",
        "md",
        "edac-poller",
        "devfreq_wq",
        "watchdogd",
        "kswapd0",
        "ecryptfs-kthrea",
        "kthrotld",
        "acpi_thermal_pm",
        "scsi_eh_0",
        "scsi_tmf_0",
        "vfio-irqfd-clea",
        "mld",
        "ipv6_addrconf",
        "kstrp",
        "zswap-shrink",
        "charger_manager",
        "jbd2/vda1-8",
        "ext4-rsv-conver",
        "iscsi_eh",
        "iscsi_conn_cleanup",
        "kmpath_rdacd",
        "kmpathd",
        "kmpath_handlerd",
        "bcache",
        "bch_btree_io",
        "bch_journal",
        "dm_bufio_cache",
        "nfsiod",
        "rpciod",
        "xprtiod",
        "nfsv4.1-svc",
    ] {
        pid += rng.range(1, 4);
        row(
            &mut s,
            &mut rng,
            "root",
            pid,
            0,
            "I<",
            &boot,
            &format!("[{name}]"),
            1,
        );
    }
    for cpu in 0..64 {
        for k in ["cpuhp", "migration", "ksoftirqd", "kworker"] {
            pid += 1;
            let name = if k == "kworker" {
                format!("[kworker/{cpu}:{}H-kblockd]", rng.below(2))
            } else {
                format!("[{k}/{cpu}]")
            };
            row(&mut s, &mut rng, "root", pid, 0, "S", &boot, &name, 1);
        }
    }
    let daemons: &[(&str, u64, &str, u64)] = &[
        ("root", 98_300, "/lib/systemd/systemd-journald", 1),
        ("root", 280_200, "/sbin/multipathd -d -s", 7),
        ("root", 26_400, "/lib/systemd/systemd-udevd", 1),
        ("systemd+", 16_200, "/lib/systemd/systemd-networkd", 1),
        ("root", 9_300, "/sbin/iscsid", 2),
        ("root", 12_400, "/usr/sbin/smartd -n", 1),
        ("_chrony", 18_900, "/usr/sbin/chronyd -F 1", 1),
        ("syslog", 224_300, "/usr/sbin/rsyslogd -n -iNONE", 4),
        ("root", 15_300, "/usr/sbin/cron -f -P", 1),
        ("root", 2_012_400, "/usr/bin/containerd", 48),
        (
            "root",
            3_410_200,
            "/usr/bin/kubelet --bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf --config=/var/lib/kubelet/config.yaml --container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.9",
            62,
        ),
        (
            "root",
            15_400,
            "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups",
            1,
        ),
        (
            "openvsw+",
            4_403_200,
            "ovs-vswitchd unix:/run/openvswitch/db.sock -vconsole:emer -vsyslog:err -vfile:info --mlockall --no-chdir --log-file=/var/log/openvswitch/ovs-vswitchd.log --pidfile=/run/openvswitch/ovs-vswitchd.pid --detach",
            19,
        ),
        (
            "nova",
            2_740_100,
            "/usr/bin/python3 /usr/bin/nova-compute --config-file=/etc/nova/nova.conf --config-file=/etc/nova/nova-compute.conf --log-file=/var/log/nova/nova-compute.log",
            23,
        ),
        (
            "cinder",
            1_430_800,
            "/usr/bin/python3 /usr/bin/cinder-volume --config-file=/etc/cinder/cinder.conf --log-file=/var/log/cinder/cinder-volume.log",
            9,
        ),
        (
            "neutron",
            1_280_500,
            "/usr/bin/python3 /usr/bin/neutron-openvswitch-agent --config-file=/etc/neutron/neutron.conf --config-file=/etc/neutron/plugins/ml2/openvswitch_agent.ini --log-file=/var/log/neutron/neutron-openvswitch-agent.log",
            5,
        ),
        ("root", 1_820_300, "/usr/sbin/libvirtd --listen", 18),
        ("root", 81_200, "/usr/sbin/virtlogd", 2),
    ];
    for (user, vsz, cmd, threads) in daemons {
        pid += rng.range(3, 400);
        row(
            &mut s, &mut rng, user, pid, *vsz, "Ssl", &boot, cmd, *threads,
        );
    }
    for _ in 0..8 {
        pid += rng.range(50, 4000);
        let cmd = format!(
            "/usr/bin/containerd-shim-runc-v2 -namespace k8s.io -id {} -address /run/containerd/containerd.sock",
            rng.hex(64)
        );
        row(
            &mut s, &mut rng, "root", pid, 722_600, "Sl", &boot, &cmd, 11,
        );
    }
    for inst in w.instances.iter().take(w.qemu_logs) {
        let start = Clock::new(w.start + rng.below(86_400 * 10) as i64 * US).ps_start();
        let cmd = format!(
            "/usr/bin/qemu-system-x86_64 -name guest={},debug-threads=on -S -machine pc-i440fx-6.2,usb=off,dump-guest-core=off,memory-backend=pc.ram -accel kvm -m 4096 -uuid {} -blockdev {{\"driver\":\"file\",\"filename\":\"/var/lib/nova/instances/{}/disk\",\"node-name\":\"libvirt-1-storage\"}} -msg timestamp=on",
            inst.name, inst.uuid, inst.uuid
        );
        row(
            &mut s,
            &mut rng,
            "libvirt+",
            u64::from(inst.qemu_pid),
            5_243_100,
            "Sl",
            &start,
            &cmd,
            6,
        );
    }
    row(
        &mut s,
        &mut rng,
        "ubuntu",
        pid + 9000,
        10_200,
        "Ss",
        "09:12",
        "-bash",
        1,
    );
    s
}

// ---------------------------------------------------------------- driver

/// JSON with every space inside a string written as `\u0020`: the same
/// value to any JSON parser, but no incident phrase (they all have a space)
/// appears in the metadata's bytes, so a scanner that reads the tree's
/// dot-files finds nothing there. The pretty-printer's own spaces, outside
/// strings, stay.
fn unmatchable(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + 1024);
    let (mut in_str, mut escaped) = (false, false);
    for c in json.chars() {
        if in_str {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            } else if c == ' ' {
                out.push_str("\\u0020");
                continue;
            }
        } else if c == '"' {
            in_str = true;
        }
        out.push(c);
    }
    out
}

/// Writes the tree and its metadata; returns the metadata.
pub fn generate(cfg: &Config) -> Result<Manifest, Error> {
    let world = World::new(cfg.seed);
    let (incidents, events) = incidents::build(cfg.seed, cfg.incidents, &world);
    let specs = layout(&world);
    let mixes = Mixes::new()?;
    let root = cfg.out.as_path();

    let mut dirs = BTreeSet::new();
    let small = small_files(&world, cfg.seed);
    for p in specs
        .iter()
        .map(|s| &s.path)
        .chain(small.iter().map(|(p, _)| p))
    {
        if let Some(parent) = Path::new(p).parent() {
            dirs.insert(root.join(parent));
        }
    }
    for d in &dirs {
        fs::create_dir_all(d)?;
    }
    let mut results: Vec<FileResult> = Vec::new();
    let mut fixed_bytes = 0u64;
    for (p, text) in &small {
        fs::write(root.join(p), text)?;
        fixed_bytes += text.len() as u64;
        results.push(FileResult {
            entry: FileEntry {
                path: p.clone(),
                bytes: text.len() as u64,
                gzip: false,
                raw_bytes: text.len() as u64,
                lines: text.lines().count() as u64,
                phrases: BTreeMap::new(),
            },
            incidents: BTreeMap::new(),
        });
    }

    let budget = cfg.size.saturating_sub(fixed_bytes);
    let total_share: f64 = specs.iter().map(|s| s.share).sum();
    let targets: Vec<u64> = specs
        .iter()
        .map(|s| ((budget as f64 * s.share / total_share) as u64).max(1))
        .collect();
    let per_file_events: Vec<Vec<&Event>> = specs
        .iter()
        .map(|s| {
            events
                .iter()
                .filter(|e| s.accept.takes(e.stream) && e.t >= s.start && e.t < s.end)
                .collect()
        })
        .collect();
    let mut order: Vec<usize> = (0..specs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(targets[i]));
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, io::Result<FileResult>)>> = Mutex::new(Vec::new());
    let jobs = cfg.jobs.max(1).min(specs.len());
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&i) = order.get(k) else { break };
                    let r = write_log(
                        root,
                        &specs[i],
                        targets[i],
                        &world,
                        &mixes,
                        &per_file_events[i],
                        cfg.seed,
                    );
                    let failed = r.is_err();
                    // Poisoned or not, the list holds whole entries: a push is
                    // all that is ever done under the lock.
                    done.lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push((i, r));
                    if failed {
                        // Let the others drain the queue quickly.
                        next.store(order.len(), Ordering::Relaxed);
                    }
                }
            });
        }
    });
    let mut done = done.into_inner().unwrap_or_else(PoisonError::into_inner);
    done.sort_by_key(|(i, _)| *i);
    for (_, r) in done {
        results.push(r?);
    }
    results.sort_by(|a, b| a.entry.path.cmp(&b.entry.path));

    let mut phrases: BTreeMap<String, u64> = PHRASES.iter().map(|p| (p.to_string(), 0)).collect();
    let mut inc_lines: BTreeMap<usize, u64> = BTreeMap::new();
    let mut inc_files: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for r in &results {
        for (p, c) in &r.entry.phrases {
            *phrases.entry(p.clone()).or_default() += c;
        }
        for (id, n) in &r.incidents {
            *inc_lines.entry(*id).or_default() += n;
            inc_files.entry(*id).or_default().push(r.entry.path.clone());
        }
    }
    let manifest = Manifest {
        generator: "rootline-benchgen".to_string(),
        format_version: FORMAT_VERSION,
        seed: cfg.seed,
        size: cfg.size_arg.clone(),
        target_bytes: cfg.size,
        total_bytes: results.iter().map(|r| r.entry.bytes).sum(),
        hostname: world.host.clone(),
        collected_at: World::rfc3339(world.collected),
        boot_at: World::rfc3339(world.boot),
        logs_from: World::rfc3339(world.start),
        logs_to: World::rfc3339(world.end),
        incidents_requested: cfg.incidents,
        phrases,
        files: results.into_iter().map(|r| r.entry).collect(),
        incidents: incidents
            .iter()
            .map(|i| IncidentEntry {
                id: i.id,
                kind: i.kind.name().to_string(),
                at: World::rfc3339(i.at),
                instance: i.instance.map(|k| world.instances[k].name.clone()),
                lines: inc_lines.get(&i.id).copied().unwrap_or(0),
                files: inc_files.remove(&i.id).unwrap_or_default(),
            })
            .collect(),
    };
    let json = serde_json::to_string_pretty(&manifest).map_err(io::Error::other)?;
    fs::write(root.join(MANIFEST), unmatchable(&json) + "\n")?;
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_strings_hide_their_spaces() {
        let v = serde_json::json!({"a b": ["x \" y", "Failing path"], "n": 1});
        let text = serde_json::to_string_pretty(&v).unwrap();
        let out = unmatchable(&text);
        assert!(!out.contains("Failing path"));
        assert!(out.contains("Failing\\u0020path"));
        assert!(out.contains("\"n\": 1"));
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("2G").unwrap(), 2 << 30);
        assert_eq!(parse_size("500M").unwrap(), 500 << 20);
        assert_eq!(parse_size("64k").unwrap(), 64 << 10);
        assert_eq!(parse_size("1.5G").unwrap(), 3 << 29);
        assert_eq!(parse_size("4096").unwrap(), 4096);
        assert_eq!(parse_size("5MiB").unwrap(), 5 << 20);
        assert!(parse_size("2X").is_err());
        assert!(parse_size("").is_err());
        assert!(parse_size("0").is_err());
    }

    /// No noise template can ever render an incident phrase: render each
    /// many times and look.
    #[test]
    fn noise_never_contains_a_phrase() {
        let world = World::new(1);
        let mixes = Mixes::new().unwrap();
        let mut rng = Rng::new(3);
        let mut counts = vec![0u64; PHRASES.len()];
        for id in [
            MixId::Syslog,
            MixId::Kubelet,
            MixId::Nova,
            MixId::Cinder,
            MixId::Neutron,
            MixId::Ovs,
            MixId::Libvirtd,
            MixId::Qemu,
            MixId::KubeProxy,
            MixId::Calico,
        ] {
            let mix = mixes.get(id);
            assert!(!mix.is_empty());
            let mut ctx = Ctx {
                world: &world,
                clock: Clock::new(world.start),
                seq: 0,
                blk: 1,
                own_instance: None,
            };
            for _ in 0..mix.len() * 200 {
                let e = mix.pick(&mut rng);
                for l in &e.lines {
                    let mut out = Vec::new();
                    l.render(&mut rng, &mut ctx, &mut out);
                    count_phrases(&out, &mut counts);
                    assert!(!out.contains(&b'\n'), "{}", String::from_utf8_lossy(&out));
                }
            }
        }
        assert!(counts.iter().all(|&c| c == 0), "{counts:?}");
    }
}
