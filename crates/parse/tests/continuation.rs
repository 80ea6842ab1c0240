//! Multi-line blocks on real sequences: where each block ends.

// Helpers outside #[test] fns unwrap too: a failed setup step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rootline_model::BlockKind;
use rootline_parse::{LogFormat, continues, parse_line};

/// How many lines after the first continue its block, the way the scanner
/// walks them: stop at the first line that does not.
fn block_len(kind: BlockKind, format: LogFormat, text: &str) -> usize {
    let mut lines = text.lines();
    let first = parse_line(format, lines.next().expect("a first line").as_bytes(), &[]);
    lines
        .map(|l| parse_line(format, l.as_bytes(), &[]))
        .take_while(|next| continues(kind, &first, next))
        .count()
}

/// From the seeds: a hung task report pasted with its indentation lost.
const HUNG_TASK: &str = r#"[12289.195649] INFO: task nova-compute:1069 blocked for more than 122 seconds.
[12289.195694] Not tainted 5.14.0-503.23.1.el9_5.x86_64 #1
[12289.195715] "echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.
[12289.195723] task:nova-compute state:D stack:0 pid:1069 tgid:1069 ppid:1 flags:0x00000002
[12289.195740] Call Trace:
[12289.195746] <TASK>
[12289.195756] __schedule+0x229/0x550
[12289.195778] schedule+0x2e/0xd0
[12289.195783] kvm_async_pf_task_wait_schedule+0xf3/0x180
[12289.195792] __kvm_handle_async_pf+0x53/0xb0
[12289.195799] exc_page_fault+0x7d/0x150
[12289.195805] asm_exc_page_fault+0x22/0x30
[12289.195810] RIP: 0033:0x7fda2f937a34
[12289.195858] RSP: 002b:00007ffc09e20fc0 EFLAGS: 00010202
[12289.195861] RAX: 00007fd9e4783000 RBX: 00007fda2e2d8cc0 RCX: 00007fda2fb931a0
[12289.195864] RDX: 0000000000000ff0 RSI: 00007fda0806f000 RDI: 00007fda2fb78fd0
[12289.195866] RBP: 00007fda2e2a29d0 R08: 00007fda2fb96e40 R09: 0000000000000000
[12289.195868] R10: 00007fda2fb78f60 R11: 0000561d3074d490 R12: 00007fda2e2a4080
[12289.195870] R13: 00007fd9e47834b0 R14: 00007fda2e2a15d0 R15: 0000561d3074bb00
[12289.195876] </TASK>
[12412.075582] INFO: task nova-compute:1069 blocked for more than 245 seconds.
[12412.075602] Not tainted 5.14.0-503.23.1.el9_5.x86_64 #1"#;

#[test]
fn hung_task_ends_at_the_next_report() {
    assert_eq!(
        block_len(BlockKind::KernelTrace, LogFormat::Dmesg, HUNG_TASK),
        19
    );
    // The same text in a pasted document (plain) behaves the same.
    assert_eq!(
        block_len(BlockKind::KernelTrace, LogFormat::Plain, HUNG_TASK),
        19
    );
}

/// From the seeds: a panic, the CPU banner, a trace and the end marker.
const PANIC: &str = r#"[    1.233824] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)
[    1.239868] CPU: 3 PID: 1 Comm: swapper/0 Not tainted 5.14.0-570.23.1.el9_6.x86_64 #1
[    1.241151] Hardware name: Red Hat KVM/RHEL, BIOS 1.16.3-2.el9_5.1 04/01/2014
[    1.242241] Call Trace:
[    1.242622] <TASK>
[    1.242919] dump_stack_lvl+0x34/0x48
[    1.243466] panic+0x107/0x2bb
[    1.243942] mount_root_generic+0x1c6/0x1d9
[    1.244550] ? mount_root+0x134/0x176
[    1.248111] </TASK>
[    2.302753] Shutting down cpus with NMI
[    2.303463] Kernel Offset: 0x1cc00000 from 0xffffffff81000000 (relocation range: 0xffffffff80000000-0xffffffffbfffffff)
[    2.304886] ---[ end Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0) ]---
[    2.400000] random: crng init done"#;

#[test]
fn panic_report_includes_the_end_marker() {
    assert_eq!(
        block_len(BlockKind::KernelTrace, LogFormat::Dmesg, PANIC),
        12
    );
}

#[test]
fn async_pf_panic_with_code_and_registers() {
    let text = r#"[ 3121.583458] Kernel panic - not syncing: Host injected async #PF in kernel mode
[ 3121.584500] CPU: 0 PID: 3053 Comm: dnf Kdump: loaded Not tainted 5.14.0-503.23.1.el9_5.x86_64 #1
[ 3121.592473] RIP: 0010:__put_user_8+0xd/0x20
[ 3121.593317] Code: 89 01 31 c9 0f 01 ca c3 cc cc cc cc 90 90 90 90 90 90 90 90 90 90 90
[ 3121.596877] RSP: 0018:ffffb6cfc1d63cb8 EFLAGS: 00050206
[ 3121.603542] rseq_ip_fixup+0x6e/0x1a0
[ 3121.607565] ? syscall_exit_to_user_mode+0x19/0x40
[ 3121.617848] entry_SYSCALL_64_after_hwframe+0x78/0x80
[ 3121.628798] </TASK>
[ 3130.000000] watchdog: BUG: soft lockup - CPU#3 stuck for 22s! [qemu-kvm:1234]"#;
    assert_eq!(block_len(BlockKind::KernelTrace, LogFormat::Dmesg, text), 8);
}

#[test]
fn kern_log_trace_with_indentation_and_interleaved_programs() {
    let text = "\
Oct 13 20:02:01 node37 kernel: [14000.000001] INFO: task qemu-system-x86:4242 blocked for more than 120 seconds.
Oct 13 20:02:01 node37 kernel: [14000.000002]       Not tainted 5.15.0-91-generic #101-Ubuntu
Oct 13 20:02:01 node37 kernel: [14000.000003] task:qemu-system-x86 state:D stack:    0 pid: 4242 ppid:     1 flags:0x00000000
Oct 13 20:02:01 node37 kernel: [14000.000004] Call Trace:
Oct 13 20:02:01 node37 kernel: [14000.000005]  <TASK>
Oct 13 20:02:01 node37 kernel: [14000.000006]  __schedule+0x24e/0x590
Oct 13 20:02:01 node37 kernel: [14000.000007]  ? blk_mq_flush_plug_list+0x1a/0x30 [dm_mod]
Oct 13 20:02:01 node37 kernel: [14000.000008]  </TASK>
Oct 13 20:02:01 node37 multipathd[1491]: mpathb: remaining active paths: 0
Oct 13 20:02:01 node37 kernel: [14000.000009]  io_schedule+0x46/0x80";
    assert_eq!(
        block_len(BlockKind::KernelTrace, LogFormat::Syslog, text),
        7
    );
}

#[test]
fn ordinary_kernel_messages_do_not_continue() {
    let text = "\
[  100.000000] INFO: task nova-compute:1069 blocked for more than 122 seconds.
[  100.000001] sd 2:0:0:0: [sdv] tag#0 FAILED Result: hostbyte=DID_NO_CONNECT";
    assert_eq!(block_len(BlockKind::KernelTrace, LogFormat::Dmesg, text), 0);
    for new_event in [
        "[  1.0] Out of memory: Killed process 2325 (qemu-kvm)",
        "[  1.0] watchdog: BUG: soft lockup - CPU#3 stuck for 22s!",
        "[  1.0] Kernel panic - not syncing: Fatal exception",
    ] {
        let text = format!("[  0.5] INFO: task x:1 blocked for more than 1 seconds.\n{new_event}");
        assert_eq!(
            block_len(BlockKind::KernelTrace, LogFormat::Dmesg, &text),
            0,
            "{new_event}"
        );
    }
}

const OOM: &str = "\
[ 5000.100000] qemu-kvm invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0
[ 5000.100001] CPU: 5 PID: 2325 Comm: qemu-kvm Not tainted 5.14.0-503.23.1.el9_5.x86_64 #1
[ 5000.100002] Hardware name: Red Hat KVM/RHEL, BIOS 1.16.3-2.el9_5.1 04/01/2014
[ 5000.100003] Call Trace:
[ 5000.100004]  <TASK>
[ 5000.100005]  dump_stack_lvl+0x34/0x48
[ 5000.100006]  dump_header+0x4a/0x201
[ 5000.100007]  oom_kill_process.cold+0xb/0x10
[ 5000.100008]  </TASK>
[ 5000.100009] Mem-Info:
[ 5000.100010] active_anon:1234 inactive_anon:5678 isolated_anon:0
[ 5000.100011]  active_file:12 inactive_file:34 isolated_file:0
[ 5000.100012] Node 0 active_anon:4936kB inactive_anon:22712kB
[ 5000.100013] Node 0 DMA free:15360kB boost:0kB min:128kB
[ 5000.100014] lowmem_reserve[]: 0 2955 7803 7803 7803
[ 5000.100015] Node 0 DMA: 0*4kB 0*8kB 0*16kB = 15360kB
[ 5000.100016] 12345 total pagecache pages
[ 5000.100017] 0 pages in swap cache
[ 5000.100018] Free swap  = 0kB
[ 5000.100019] Total swap = 0kB
[ 5000.100020] 2097022 pages RAM
[ 5000.100021] Tasks state (memory values in pages):
[ 5000.100022] [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name
[ 5000.100023] [    560]     0   560    27431      165   233472        0          -250 systemd-journal
[ 5000.100024] [   2325]   107  2325  2144815  1934112 16183296        0             0 qemu-kvm
[ 5000.100025] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task=qemu-kvm,pid=2325,uid=107
[ 5000.100026] Out of memory: Killed process 2325 (qemu-kvm) total-vm:8579260kB, anon-rss:7736448kB
[ 5000.100027] oom_reaper: reaped process 2325 (qemu-kvm), now anon-rss:0kB";

#[test]
fn oom_report_stops_before_the_kill() {
    assert_eq!(block_len(BlockKind::Oom, LogFormat::Dmesg, OOM), 25);
    let reaper =
        "[ 1.0] x invoked oom-killer: gfp_mask=0x0\n[ 1.1] oom_reaper: reaped process 1 (x)";
    assert_eq!(block_len(BlockKind::Oom, LogFormat::Dmesg, reaper), 0);
    let cg = "[ 1.0] x invoked oom-killer: gfp_mask=0x0\n[ 1.1] Memory cgroup out of memory: Killed process 1 (x)";
    assert_eq!(block_len(BlockKind::Oom, LogFormat::Dmesg, cg), 0);
}

/// From the corpus's nova-compute log (shortened): a multi-line exception
/// message, then the traceback logged line by line with the same header.
const NOVA_TRACEBACK: &str = r#"2022-02-04 10:21:58.881 284971 ERROR nova.compute.manager [req-97b163b2-ff4c-4c93-915a-6c990d19af26 - - - - -] Error updating resources for node compute4.mylab.home.: oslo_concurrency.processutils.ProcessExecutionError: Unexpected error while running command.
Command: ceph df --format=json
Exit code: 1
Stdout: ''
Stderr: 'auth: unable to find a keyring'
2022-02-04 10:21:58.881 284971 ERROR nova.compute.manager Traceback (most recent call last):
2022-02-04 10:21:58.881 284971 ERROR nova.compute.manager   File "/usr/lib/python3/dist-packages/nova/compute/manager.py", line 9807, in _update_available_resource_for_node
2022-02-04 10:21:58.881 284971 ERROR nova.compute.manager     self.rt.update_available_resource(context, nodename,
2022-02-04 10:21:58.881 284971 ERROR nova.compute.manager oslo_concurrency.processutils.ProcessExecutionError: Unexpected error while running command.
2022-02-04 10:21:58.881 284971 ERROR nova.compute.manager Command: ceph df --format=json
2022-02-04 10:21:58.881 284971 ERROR nova.compute.manager Exit code: 1
2022-02-04 10:21:58.881 284971 ERROR nova.compute.manager 
2022-02-04 10:21:58.892 284971 DEBUG nova.service [req-97b163b2-ff4c-4c93-915a-6c990d19af26 - - - - -] Creating RPC server for service compute start /usr/lib/python3/dist-packages/nova/service.py:196"#;

#[test]
fn nova_traceback() {
    assert_eq!(
        block_len(BlockKind::PythonTraceback, LogFormat::Oslo, NOVA_TRACEBACK),
        11
    );
}

#[test]
fn traceback_with_instance_context_and_later_stamp() {
    let text = r#"2025-10-13 19:46:01.100 1234 WARNING nova.compute.manager [req-1 - - - - -] [instance: 6c59b812-2d8d-4da5-92d6-6bbe527926d6] Failed to attach volume
2025-10-13 19:46:01.101 1234 ERROR nova.compute.manager [instance: 6c59b812-2d8d-4da5-92d6-6bbe527926d6] Traceback (most recent call last):
2025-10-13 19:46:01.101 1234 ERROR nova.compute.manager [instance: 6c59b812-2d8d-4da5-92d6-6bbe527926d6]   File "/usr/lib/python3/dist-packages/nova/virt/block_device.py", line 1, in attach
2025-10-13 19:46:01.101 1234 ERROR nova.compute.manager [instance: 6c59b812-2d8d-4da5-92d6-6bbe527926d6] During handling of the above exception, another exception occurred:
2025-10-13 19:46:01.101 1234 ERROR nova.compute.manager [instance: 6c59b812-2d8d-4da5-92d6-6bbe527926d6] libvirt.libvirtError: internal error: unable to execute QEMU command
2025-10-13 19:46:01.101 1234 ERROR nova.compute.manager [instance: 6c59b812-2d8d-4da5-92d6-6bbe527926d6] os_brick.exception.VolumeDeviceNotFound: Volume device not found at .
2025-10-13 19:46:01.200 1234 ERROR nova.compute.manager [req-2 - - - - -] Another failure
2025-10-13 19:46:01.300 9999 ERROR nova.compute.manager   File "x.py", line 1"#;
    assert_eq!(
        block_len(BlockKind::PythonTraceback, LogFormat::Oslo, text),
        5
    );
}

#[test]
fn traceback_from_another_process_or_logger_does_not_continue() {
    let text = "\
2025-10-13 19:46:01.100 1234 ERROR nova.compute.manager [req-1 - - - - -] boom
2025-10-13 19:46:01.100 1235 ERROR nova.compute.manager Traceback (most recent call last):";
    assert_eq!(
        block_len(BlockKind::PythonTraceback, LogFormat::Oslo, text),
        0
    );
    let text = "\
2025-10-13 19:46:01.100 1234 ERROR nova.compute.manager [req-1 - - - - -] boom
2025-10-13 19:46:01.100 1234 ERROR nova.virt.libvirt.driver Traceback (most recent call last):";
    assert_eq!(
        block_len(BlockKind::PythonTraceback, LogFormat::Oslo, text),
        0
    );
}

#[test]
fn traceback_through_journald() {
    let text = r#"Oct 13 19:46:01 node37 nova-compute[1234]: ERROR nova.compute.manager boom
Oct 13 19:46:01 node37 nova-compute[1234]: Traceback (most recent call last):
Oct 13 19:46:01 node37 nova-compute[1234]:   File "x.py", line 1, in f
Oct 13 19:46:01 node37 nova-compute[1234]: KeyError: 'x'
Oct 13 19:46:01 node37 nova-compute[1234]: INFO nova.compute.manager next"#;
    assert_eq!(
        block_len(BlockKind::PythonTraceback, LogFormat::Syslog, text),
        3
    );
}

/// From the corpus's qemu domain log (shortened).
const QEMU_CMDLINE: &str = r#"2022-02-10 16:18:04.843+0000: starting up libvirt version: 6.0.0, package: 0ubuntu8.15, qemu version: 4.2.1Debian 1:4.2-3ubuntu6.19
LC_ALL=C \
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/snap/bin \
QEMU_AUDIO_DRV=none \
/usr/bin/qemu-system-x86_64 \
-name guest=instance-00000001,debug-threads=on \
-blockdev '{"driver":"rbd","pool":"nova","image":"d1d75e2f-ada4-49bc-a963-528d89dfda25_disk"}' \
-device virtio-blk-pci,scsi=off,bus=pci.0,addr=0x3,drive=libvirt-1-format,id=virtio-disk0,bootindex=1 \
-msg timestamp=on
char device redirected to /dev/pts/3 (label charserial0)
2022-02-10T16:18:05.033085Z qemu-system-x86_64: warning: host doesn't support requested feature"#;

#[test]
fn qemu_command_line() {
    assert_eq!(
        block_len(BlockKind::Backslash, LogFormat::QemuLog, QEMU_CMDLINE),
        8
    );
    // A qemu error naming its program is not an argument line.
    let text = "LC_ALL=C \\\n-S \\\nqemu-kvm: -drive file=x: Could not open 'x': Permission denied";
    assert_eq!(block_len(BlockKind::Backslash, LogFormat::QemuLog, text), 1);
}
