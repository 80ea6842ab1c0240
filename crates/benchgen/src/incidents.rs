//! Incident chains: the storage failures a scanner should find, written as
//! the lines each layer logs, in the files and formats where it logs them.
//!
//! The first incident of each kind uses the values of the real lines these
//! chains were modelled on (`mpathb`, `65:48`, `dm-21`, `sdv`, sector
//! `2410496`, pid `12345`, cluster `261192`, …); later ones vary them.

use crate::clock::{Clock, US};
use crate::rng::Rng;
use crate::world::{self, World};

/// Where a line goes. Each file accepts some streams (see `layout`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// Kernel ring buffer: kern.log, syslog, the journal, dmesg.
    Kernel,
    /// A daemon's syslog line (`multipathd[1491]: …`): syslog, the journal.
    Daemon,
    /// kubelet (`kubelet[2345]: E1013 …`): syslog, the journal, kubelet's unit journal.
    Kubelet,
    Nova,
    Cinder,
    Libvirtd,
    /// The qemu log of `world.instances[i]` (the whole line, own stamps).
    Qemu(usize),
}

#[derive(Clone, Debug)]
pub struct Event {
    pub t: i64,
    pub stream: Stream,
    pub text: String,
    pub incident: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    MultipathAllPathsDown,
    NfsServerNotResponding,
    CinderNfsPermission,
    Qcow2Corruption,
    SoftLockup,
}

pub const KINDS: [Kind; 5] = [
    Kind::MultipathAllPathsDown,
    Kind::NfsServerNotResponding,
    Kind::CinderNfsPermission,
    Kind::Qcow2Corruption,
    Kind::SoftLockup,
];

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::MultipathAllPathsDown => "multipath-all-paths-down",
            Kind::NfsServerNotResponding => "nfs-server-not-responding",
            Kind::CinderNfsPermission => "cinder-nfs-permission-denied",
            Kind::Qcow2Corruption => "qcow2-corruption",
            Kind::SoftLockup => "soft-lockup",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Incident {
    pub id: usize,
    pub kind: Kind,
    pub at: i64,
    /// The instance it hit, if any.
    pub instance: Option<usize>,
}

const KERNEL_VERSION: &str = "5.15.0-88-generic #98-Ubuntu";
const MS: i64 = 1000;

struct B<'w> {
    world: &'w World,
    events: Vec<Event>,
    id: usize,
    rng: Rng,
}

impl B<'_> {
    fn push(&mut self, t: i64, stream: Stream, text: String) {
        self.events.push(Event {
            t,
            stream,
            text,
            incident: self.id,
        });
    }
    fn kernel(&mut self, t: i64, text: impl Into<String>) {
        self.push(t, Stream::Kernel, text.into());
    }
    /// A multi-line kernel report, one microsecond apart.
    fn kernel_block(&mut self, t: i64, lines: &[String]) -> i64 {
        for (i, l) in lines.iter().enumerate() {
            self.kernel(t + i as i64, l.clone());
        }
        t + lines.len() as i64
    }
    fn daemon(&mut self, t: i64, text: String) {
        self.push(t, Stream::Daemon, text);
    }
    fn kubelet(&mut self, t: i64, level: char, src: &str, msg: &str) {
        let mut stamp = Vec::new();
        Clock::new(t).klog(&mut stamp);
        let stamp = crate::ascii(stamp);
        let pid = world::KUBELET_PID;
        self.push(
            t,
            Stream::Kubelet,
            format!("kubelet[{pid}]: {level}{stamp}    {pid} {src}] {msg}"),
        );
    }
    fn nova(&mut self, t: i64, text: String) {
        self.push(t, Stream::Nova, text);
    }
    fn cinder(&mut self, t: i64, text: String) {
        self.push(t, Stream::Cinder, text);
    }
    fn libvirtd(&mut self, t: i64, text: String) {
        self.push(t, Stream::Libvirtd, text);
    }
    fn qemu(&mut self, t: i64, inst: usize, text: String) {
        self.push(t, Stream::Qemu(inst), text);
    }
    fn req(&mut self) -> String {
        format!("req-{}", self.rng.uuid())
    }
}

fn iso6(t: i64) -> String {
    let mut v = Vec::new();
    Clock::new(t).iso_z(&mut v, 6);
    crate::ascii(v)
}

fn lts(t: i64) -> String {
    let mut v = Vec::new();
    Clock::new(t).libvirt(&mut v);
    crate::ascii(v)
}

/// `sda`, …, `sdz`, `sdaa`, … for a SCSI disk index.
fn sd_name(i: u64) -> String {
    let a = |n: u64| char::from(b'a' + n as u8);
    if i < 26 {
        format!("sd{}", a(i))
    } else {
        format!("sd{}{}", a(i / 26 - 1), a(i % 26))
    }
}

/// Block major:minor of SCSI disk index `i` (16 minors a disk).
fn sd_devnum(i: u64) -> (u64, u64) {
    let major = match i / 16 {
        0 => 8,
        n => 64 + n,
    };
    (major, (i % 16) * 16)
}

fn hung_task(comm: &str, pid: u32, secs: u32, trace: &[&str]) -> Vec<String> {
    let mut v = vec![
        format!("INFO: task {comm}:{pid} blocked for more than {secs} seconds."),
        format!("      Not tainted {KERNEL_VERSION}"),
        "\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.".to_string(),
        format!("task:{comm:<15} state:D stack:    0 pid:{pid:>5} ppid:     1 flags:0x00004002"),
        "Call Trace:".to_string(),
        " <TASK>".to_string(),
    ];
    v.extend(trace.iter().map(|s| s.to_string()));
    v.push(" </TASK>".to_string());
    v
}

const BLOCK_TRACE: &[&str] = &[
    " __schedule+0x24e/0x590",
    " schedule+0x69/0x110",
    " io_schedule+0x46/0x80",
    " wait_on_page_bit_common+0x10c/0x3d0",
    " ? filemap_invalidate_unlock_two+0x50/0x50",
    " wait_on_page_writeback+0x43/0x90",
    " __filemap_fdatawait_range+0x86/0xf0",
    " file_write_and_wait_range+0xa5/0xe0",
    " blkdev_fsync+0x1b/0x50",
    " vfs_fsync_range+0x49/0x90",
    " __x64_sys_fdatasync+0x4f/0x90",
    " do_syscall_64+0x5c/0xc0",
    " ? do_syscall_64+0x69/0xc0",
    " entry_SYSCALL_64_after_hwframe+0x61/0xcb",
    "RIP: 0033:0x7f3b1c51e3cb",
    "RSP: 002b:00007f3a0e7fb4e0 EFLAGS: 00000293 ORIG_RAX: 000000000000004b",
];

const NFS_TRACE: &[&str] = &[
    " __schedule+0x24e/0x590",
    " schedule+0x69/0x110",
    " rpc_wait_bit_killable+0x1e/0x90 [sunrpc]",
    " __wait_on_bit+0x33/0xa0",
    " ? __rpc_atrun+0x30/0x30 [sunrpc]",
    " out_of_line_wait_on_bit+0x8d/0xb0",
    " __rpc_execute+0x11b/0x370 [sunrpc]",
    " rpc_execute+0x5c/0xc0 [sunrpc]",
    " rpc_run_task+0x131/0x180 [sunrpc]",
    " nfs4_call_sync_sequence+0x6d/0xa0 [nfsv4]",
    " _nfs4_proc_getattr+0xe4/0x110 [nfsv4]",
    " nfs4_proc_getattr+0x6b/0x110 [nfsv4]",
    " __nfs_revalidate_inode+0x8c/0x2f0 [nfs]",
    " nfs_getattr+0x2a9/0x3b0 [nfs]",
    " vfs_statx+0x9f/0x130",
    " __do_sys_newfstatat+0x36/0x70",
    " do_syscall_64+0x5c/0xc0",
    " entry_SYSCALL_64_after_hwframe+0x61/0xcb",
];

/// Builds `k` incidents at random times inside the logged window.
pub fn build(seed: u64, k: usize, world: &World) -> (Vec<Incident>, Vec<Event>) {
    let mut rng = Rng::derive(seed, "incidents");
    let lo = world.start + 2 * 3600 * US;
    let hi = world.end - 2 * 3600 * US;
    let mut times: Vec<i64> = (0..k)
        .map(|_| lo + rng.below((hi - lo) as u64) as i64)
        .collect();
    times.sort_unstable();
    // Every kind once per round of five, in a shuffled order.
    let mut kinds = Vec::with_capacity(k);
    while kinds.len() < k {
        let mut round = KINDS;
        for i in (1..round.len()).rev() {
            round.swap(i, rng.below(i as u64 + 1) as usize);
        }
        kinds.extend(round);
    }
    kinds.truncate(k);
    let mut incidents = Vec::with_capacity(k);
    let mut b = B {
        world,
        events: Vec::new(),
        id: 0,
        rng: Rng::derive(seed, "incident-lines"),
    };
    for (id, (&at, &kind)) in times.iter().zip(&kinds).enumerate() {
        b.id = id;
        // The first incident of its kind is the canonical one.
        let canon = !kinds[..id].contains(&kind);
        let instance = match kind {
            Kind::MultipathAllPathsDown => Some(multipath(&mut b, at, canon)),
            Kind::NfsServerNotResponding => Some(nfs(&mut b, at)),
            Kind::CinderNfsPermission => Some(cinder_permission(&mut b, at, canon)),
            Kind::Qcow2Corruption => Some(qcow2(&mut b, at, canon)),
            Kind::SoftLockup => {
                soft_lockup(&mut b, at, canon);
                None
            }
        };
        incidents.push(Incident {
            id,
            kind,
            at,
            instance,
        });
    }
    let mut events = b.events;
    events.sort_by_key(|e| e.t);
    (incidents, events)
}

fn pick_instance(b: &mut B<'_>, canon: bool) -> usize {
    if canon {
        0
    } else {
        b.rng.below(b.world.qemu_logs as u64) as usize
    }
}

fn power_state_mismatch(b: &mut B<'_>, t: i64, inst: usize, vm_state: u32) {
    let req = b.req();
    let uuid = &b.world.instances[inst].uuid;
    let text = format!(
        "INFO nova.compute.manager [{req} - - - - -] [instance: {uuid}] During _sync_instance_power_state the DB power_state (1) does not match the vm_power_state from the hypervisor ({vm_state}). Updating power_state in the DB to match the hypervisor."
    );
    b.nova(t, text);
}

fn multipath(b: &mut B<'_>, at: i64, canon: bool) -> usize {
    let inst = pick_instance(b, canon);
    let (map, dm, p1, p2, sector) = if canon {
        (
            "mpathb".to_string(),
            21,
            ("sdv".to_string(), (65, 48)),
            ("sdl".to_string(), (8, 176)),
            2_410_496,
        )
    } else {
        let i1 = b.rng.range(16, 31);
        let i2 = b.rng.range(1, 15);
        (
            format!("mpath{}", char::from(b'b' + b.rng.below(6) as u8)),
            b.rng.range(3, 40),
            (sd_name(i1), sd_devnum(i1)),
            (sd_name(i2), sd_devnum(i2)),
            b.rng.range(2048, 400_000_000) / 8 * 8,
        )
    };
    let old_kernel = canon || b.rng.chance(0.5);
    let conn = b.rng.range(1, 6);
    let host = b.rng.range(6, 8);
    let lun = b.rng.range(0, 9);
    let mut jiffies = 4_300_000_000 + b.rng.below(90_000_000);
    let mpd = world::MULTIPATHD_PID;
    let mut t = at;
    for (k, (dev, (maj, min))) in [&p1, &p2].into_iter().enumerate() {
        let c = conn + k as u64;
        let h = host + k as u64;
        b.kernel(
            t,
            format!(
                " connection{c}:0: ping timeout of 5 secs expired, recv timeout 5, last rx {}, last ping {}, now {}",
                jiffies,
                jiffies + 1250,
                jiffies + 2500
            ),
        );
        b.kernel(
            t + MS,
            format!(" connection{c}:0: detected conn error (1022)"),
        );
        b.daemon(
            t + 3 * MS,
            format!(
                "iscsid[{}]: Kernel reported iSCSI connection {c}:0 error (1022 - ISCSI_ERR_NOP_TIMEDOUT: A NOP has timed out) state (3)",
                world::ISCSID_PID
            ),
        );
        let t2 = t + 5 * US + b.rng.range(0, 900) as i64 * MS;
        b.kernel(
            t2,
            format!(" session{c}: session recovery timed out after 5 secs"),
        );
        b.kernel(
            t2 + 40,
            format!("sd {h}:0:0:{lun}: rejecting I/O to offline device"),
        );
        let sec = sector + 8 * k as u64;
        let ioerr = format!(
            "I/O error, dev {dev}, sector {sec} op 0x1:(WRITE) flags 0x800 phys_seg 1 prio class 0"
        );
        if old_kernel {
            b.kernel(t2 + 80, format!("blk_update_request: {ioerr}"));
        } else {
            b.kernel(t2 + 80, ioerr);
        }
        b.kernel(
            t2 + 120,
            format!("device-mapper: multipath: 253:{dm}: Failing path {maj}:{min}."),
        );
        b.daemon(
            t2 + 2 * MS,
            format!("multipathd[{mpd}]: checker failed path {maj}:{min} in map {map}"),
        );
        b.daemon(
            t2 + 3 * MS,
            format!(
                "multipathd[{mpd}]: {map}: remaining active paths: {}",
                1 - k
            ),
        );
        t = t2 + b.rng.range(300, 3000) as i64 * MS;
        jiffies += 400;
    }
    b.daemon(
        t,
        format!("multipathd[{mpd}]: {map}: Entering recovery mode: max_retries=12"),
    );
    // no_path_retry exhausted after 12 checker intervals of 5 s.
    let t_q = t + 60 * US + b.rng.range(0, 900) as i64 * MS;
    b.daemon(t_q, format!("multipathd[{mpd}]: {map}: Disable queueing"));
    let n = b.rng.range(1, 3);
    for i in 0..n {
        let block = [0, 1, 262_143][i as usize];
        b.kernel(
            t_q + (i as i64 + 1) * 7 * MS,
            format!("Buffer I/O error on dev dm-{dm}, logical block {block}, async page read"),
        );
    }
    // The guest's I/O was queued before that: qemu hangs.
    let w = b.world;
    let instance = &w.instances[inst];
    let t_h = at + b.rng.range(122, 140) as i64 * US;
    b.kernel_block(
        t_h,
        &hung_task("qemu-system-x86", instance.qemu_pid, 120, BLOCK_TRACE),
    );
    // libvirtd waits on the qemu monitor; virsh in the liveness probe times out.
    let tid = world::LIBVIRTD_PID + b.rng.range(2, 20) as u32;
    b.libvirtd(
        at + 35 * US,
        format!(
            "warning : qemuDomainObjBeginJobInternal:954 : Cannot start job (query, none, none) for domain {}; current job is (modify, none, none) owned by ({tid} remoteDispatchDomainBlockStats, 0 <null>, 0 <null> (flags=0x0)) for (30s, 0s, 0s)",
            instance.name
        ),
    );
    b.libvirtd(
        at + 65 * US,
        "error : qemuDomainObjBeginJobInternal:976 : Timed out during operation: cannot acquire state change lock (held by monitor=remoteDispatchDomainBlockStats)".to_string(),
    );
    let cid = if canon {
        w.libvirt_container.clone()
    } else {
        b.rng.hex(64)
    };
    let pod = &w.libvirt_pod;
    let uid = &w.libvirt_pod_uid;
    let t_k = at + b.rng.range(20, 30) as i64 * US;
    for i in 0..3 {
        let tk = t_k + i * 10 * US;
        b.kubelet(
            tk,
            'E',
            "remote_runtime.go:633",
            &format!(
                r#""ExecSync cmd from runtime service failed" err="rpc error: code = DeadlineExceeded desc = failed to exec in container: timeout 5s exceeded: context deadline exceeded" containerID="{cid}" cmd=["virsh","list"]"#
            ),
        );
        b.kubelet(
            tk + 200,
            'I',
            "prober.go:107",
            &format!(
                r#""Probe failed" probeType="Liveness" pod="{pod}" podUID="{uid}" containerName="libvirt" probeResult="failure" output="command \"virsh list\" timed out""#
            ),
        );
    }
    let tk = t_k + 20 * US + 500;
    b.kubelet(
        tk,
        'I',
        "kubelet.go:2457",
        &format!(r#""SyncLoop (probe)" probe="liveness" status="unhealthy" pod="{pod}""#),
    );
    b.kubelet(
        tk + 300,
        'I',
        "kuberuntime_manager.go:1029",
        &format!(
            r#""Message for Container of pod" containerName="libvirt" containerStatusID={{Type:containerd ID:{cid}}} pod="{pod}" containerMessage="Container libvirt failed liveness probe, will be restarted""#
        ),
    );
    b.kubelet(
        tk + 600,
        'I',
        "kuberuntime_container.go:770",
        &format!(
            r#""Killing container with a grace period" pod="{pod}" podUID="{uid}" containerName="libvirt" containerID="containerd://{cid}" gracePeriod=30"#
        ),
    );
    // qemu is finally torn down; nova notices the power state.
    let t_d = t_q + b.rng.range(60, 240) as i64 * US;
    b.qemu(
        t_d,
        inst,
        format!(
            "{} qemu-system-x86_64: terminating on signal 15 from pid {} (/usr/sbin/libvirtd)",
            iso6(t_d),
            world::LIBVIRTD_PID
        ),
    );
    b.qemu(
        t_d + 30 * MS,
        inst,
        format!("{}: shutting down, reason=destroyed", lts(t_d + 30 * MS)),
    );
    let t_n = t_d + b.rng.range(60, 600) as i64 * US;
    power_state_mismatch(b, t_n, inst, 4);
    let req = b.req();
    b.nova(
        t_n + 2 * MS,
        format!(
            "WARNING nova.compute.manager [{req} - - - - -] [instance: {}] Instance shutdown by itself. Calling the stop API. Current vm_state: active, current task_state: None, original DB power_state: 1, current VM power_state: 4",
            instance.uuid
        ),
    );
    if b.rng.chance(0.5) {
        let t_r = t_n + b.rng.range(600, 3600) as i64 * US;
        for (k, (maj, min)) in [p1.1, p2.1].into_iter().enumerate() {
            let tr = t_r + k as i64 * 5 * US;
            b.daemon(tr, format!("multipathd[{mpd}]: {maj}:{min}: reinstated"));
            b.kernel(
                tr + MS,
                format!("device-mapper: multipath: 253:{dm}: Reinstating path {maj}:{min}."),
            );
            b.daemon(
                tr + 2 * MS,
                format!(
                    "multipathd[{mpd}]: {map}: remaining active paths: {}",
                    k + 1
                ),
            );
        }
    }
    inst
}

fn nfs(b: &mut B<'_>, at: i64) -> usize {
    let inst = pick_instance(b, false);
    let server = "10.0.0.5";
    let n = b.rng.range(2, 6);
    let mut t = at;
    for _ in 0..n {
        b.kernel(
            t,
            format!("nfs: server {server} not responding, still trying"),
        );
        t += b.rng.range(1, 40) as i64 * US + b.rng.range(0, 999_999) as i64;
    }
    let w = b.world;
    let pid = w.instances[inst].qemu_pid;
    let t_h = at + b.rng.range(121, 130) as i64 * US;
    b.kernel_block(t_h, &hung_task("qemu-system-x86", pid, 120, NFS_TRACE));
    if b.rng.chance(0.5) {
        b.kernel_block(
            t_h + 121 * US,
            &hung_task("qemu-system-x86", pid, 241, NFS_TRACE),
        );
    }
    let t_l = at + b.rng.range(60, 100) as i64 * US;
    b.libvirtd(
        t_l,
        format!(
            "warning : qemuDomainObjBeginJobInternal:954 : Cannot start job (query, none, none) for domain {}; current job is (query, none, none) owned by ({} remoteDispatchDomainGetBlockInfo, 0 <null>, 0 <null> (flags=0x0)) for (30s, 0s, 0s)",
            w.instances[inst].name,
            world::LIBVIRTD_PID + 7
        ),
    );
    let t_ok = at + b.rng.range(300, 1500) as i64 * US;
    for i in 0..b.rng.range(1, 2) {
        b.kernel(t_ok + i as i64 * 3 * MS, format!("nfs: server {server} OK"));
    }
    inst
}

fn cinder_permission(b: &mut B<'_>, at: i64, canon: bool) -> usize {
    let inst = pick_instance(b, canon);
    let w = b.world;
    let vol = if canon {
        w.volumes[0].clone()
    } else {
        b.rng.pick(&w.volumes).clone()
    };
    let mnt = &w.cinder_mnt;
    let (req, user, project) = (b.req(), b.rng.hex(32), b.rng.hex(32));
    let ctx = format!("{req} {user} {project} - - -");
    let path = format!("/var/lib/cinder/mnt/{mnt}/volume-{vol}");
    b.cinder(
        at,
        format!(
            "DEBUG oslo_concurrency.processutils [{ctx}] Running cmd (subprocess): chmod 660 {path} execute /usr/lib/python3/dist-packages/oslo_concurrency/processutils.py:384"
        ),
    );
    b.cinder(
        at + 12 * MS,
        format!(
            "DEBUG oslo_concurrency.processutils [{ctx}] CMD \"chmod 660 {path}\" returned: 0 in 0.011s execute /usr/lib/python3/dist-packages/oslo_concurrency/processutils.py:422"
        ),
    );
    b.cinder(
        at + 300 * MS,
        format!("INFO cinder.volume.manager [{ctx}] Volume {vol}: extend completed successfully."),
    );
    let disk = if canon || b.rng.chance(0.5) { 0 } else { 1 };
    let mut t = at + b.rng.range(5, 60) as i64 * US;
    let t_first = t;
    for _ in 0..b.rng.range(2, 5) {
        b.qemu(
            t,
            inst,
            format!("block I/O error in device 'drive-virtio-disk{disk}': Permission denied (13)"),
        );
        t += b.rng.range(1, 2000) as i64 * MS;
    }
    let uuid = w.instances[inst].uuid.clone();
    b.nova(
        t_first + 100 * MS,
        format!("INFO nova.compute.manager [-] [instance: {uuid}] VM Paused (Lifecycle Event)"),
    );
    let t_n = t_first + b.rng.range(1, 600) as i64 * US;
    power_state_mismatch(b, t_n, inst, 3);
    inst
}

fn qcow2(b: &mut B<'_>, at: i64, canon: bool) -> usize {
    let inst = pick_instance(b, canon);
    b.qemu(
        at,
        inst,
        format!(
            "{} qemu-system-x86_64: qcow2: Marking image as corrupt: Preventing invalid write on metadata (overlaps with refcount block); further corruption events will be suppressed",
            iso6(at)
        ),
    );
    let uuid = b.world.instances[inst].uuid.clone();
    b.nova(
        at + 50 * MS,
        format!("INFO nova.compute.manager [-] [instance: {uuid}] VM Paused (Lifecycle Event)"),
    );
    let t_n = at + b.rng.range(1, 600) as i64 * US;
    power_state_mismatch(b, t_n, inst, 3);
    // The operator stops the guest and checks the image.
    let t_c = at + b.rng.range(600, 3600) as i64 * US;
    b.qemu(
        t_c,
        inst,
        format!("{}: shutting down, reason=destroyed", lts(t_c)),
    );
    let mut cluster = if canon {
        261_192
    } else {
        b.rng.range(1000, 900_000)
    };
    let errors = b.rng.range(2, 7);
    let mut t = t_c + 40 * US;
    for _ in 0..errors {
        b.qemu(
            t,
            inst,
            format!("ERROR cluster {cluster} refcount=0 reference=1"),
        );
        cluster += b.rng.range(1, 40);
        t += 1;
    }
    let leaked = b.rng.range(1, 3);
    for _ in 0..leaked {
        b.qemu(
            t,
            inst,
            format!("Leaked cluster {cluster} refcount=1 reference=0"),
        );
        cluster += b.rng.range(1, 40);
        t += 1;
    }
    for line in [
        String::new(),
        format!("{errors} errors were found on the image."),
        "Data may be corrupted, or further writes to the image may corrupt it.".to_string(),
        String::new(),
        format!("{leaked} leaked clusters were found on the image."),
        "This means waste of disk space, but no harm to data.".to_string(),
    ] {
        b.qemu(t, inst, line);
        t += 1;
    }
    inst
}

fn soft_lockup(b: &mut B<'_>, at: i64, canon: bool) {
    let (cpu, secs) = if canon {
        (0, 223)
    } else {
        (b.rng.range(0, 63), b.rng.range(22, 240))
    };
    let idle = canon || b.rng.chance(0.6);
    let (comm, pid) = if idle {
        (format!("swapper/{cpu}"), 0)
    } else {
        let w = b.world;
        let inst = b.rng.below(w.instances.len() as u64) as usize;
        ("qemu-system-x86".to_string(), w.instances[inst].qemu_pid)
    };
    let mut lines = vec![
        format!("watchdog: BUG: soft lockup - CPU#{cpu} stuck for {secs}s! [{comm}:{pid}]"),
        "Modules linked in: nfsv3 nfs_acl rpcsec_gss_krb5 auth_rpcgss nfsv4 nfs lockd grace fscache netfs vhost_net vhost vhost_iotlb tap dm_multipath scsi_dh_rdac scsi_dh_emc scsi_dh_alua iscsi_tcp libiscsi_tcp libiscsi scsi_transport_iscsi openvswitch nsh nf_conncount nf_nat nf_conntrack bcache kvm_intel kvm crct10dif_pclmul ghash_clmulni_intel".to_string(),
        format!("CPU: {cpu} PID: {pid} Comm: {comm} Tainted: G             L    {KERNEL_VERSION}"),
        "Hardware name: Dell Inc. PowerEdge R640/0H28RR, BIOS 2.17.1 11/15/2022".to_string(),
    ];
    let trace: &[&str] = if idle {
        lines.push("RIP: 0010:native_safe_halt+0xb/0x10".to_string());
        &[
            " default_idle+0xe/0x20",
            " arch_cpu_idle+0x15/0x20",
            " default_idle_call+0x3e/0xd0",
            " do_idle+0x1f5/0x270",
            " cpu_startup_entry+0x20/0x30",
            " start_secondary+0x12a/0x180",
            " secondary_startup_64_no_verify+0xc2/0xcb",
        ]
    } else {
        lines.push("RIP: 0010:_raw_spin_unlock_irqrestore+0x25/0x30".to_string());
        &[
            " __wake_up_common_lock+0x8a/0xc0",
            " __wake_up+0x13/0x20",
            " blk_mq_tag_wakeup_all+0x2f/0x50",
            " blk_mq_wake_waiters+0x4b/0x70",
            " blk_mq_freeze_queue_wait+0x5a/0xb0",
            " kvm_vcpu_ioctl+0x2b9/0x6a0 [kvm]",
            " __x64_sys_ioctl+0x92/0xd0",
            " do_syscall_64+0x5c/0xc0",
            " entry_SYSCALL_64_after_hwframe+0x61/0xcb",
        ]
    };
    lines.push(format!(
        "RSP: 0018:ffffb2b1{:08x} EFLAGS: 00000246",
        b.rng.below(1 << 32)
    ));
    lines.push("Call Trace:".to_string());
    lines.push(" <TASK>".to_string());
    lines.extend(trace.iter().map(|s| s.to_string()));
    lines.push(" </TASK>".to_string());
    b.kernel_block(at, &lines);
}
