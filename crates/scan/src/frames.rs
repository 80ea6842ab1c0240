//! Key frames of a kernel trace: what an engineer reads first in a hung-task
//! or panic report, without the scheduler and syscall plumbing every trace
//! shares.

/// Frames every blocked task has; they say nothing about *why* it blocked.
const GENERIC: &[&str] = &[
    "__schedule",
    "schedule",
    "schedule_timeout",
    "schedule_preempt_disabled",
    "schedule_hrtimeout_range",
    "io_schedule",
    "io_schedule_timeout",
    "bit_wait_io",
    "__wait_on_bit",
    "out_of_line_wait_on_bit",
    "wait_for_completion",
    "wait_for_completion_io",
    "do_syscall_64",
    "entry_SYSCALL_64_after_hwframe",
    "entry_SYSCALL_64",
    "syscall_exit_to_user_mode",
    "exit_to_user_mode_prepare",
    "exit_to_user_mode_loop",
    "ret_from_fork",
    "ret_from_fork_asm",
    "kthread",
    "worker_thread",
    "process_one_work",
    "dump_stack",
    "dump_stack_lvl",
    "panic",
    "rwsem_down_write_slowpath",
    "rwsem_down_read_slowpath",
    "__mutex_lock",
    "mutex_lock",
];

const MAX_FRAMES: usize = 8;

/// The function name of a trace line such as `xfs_buf_lock+0x33/0x110 [xfs]`
/// or `[<ffffffff8108c0a4>] io_schedule+0x16/0x40`, unless it is a `?`
/// (unreliable) frame.
fn frame_name(line: &str) -> Option<&str> {
    // Drop a leading stamp or header: the frame is the last token with '+0x'.
    let t = line.trim();
    let idx = t.find("+0x")?;
    let head = &t[..idx];
    let name = head.rsplit([' ', ']', ':']).next()?;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    {
        return None;
    }
    // A `?` before the name marks a frame the unwinder is unsure of.
    let before = head[..head.len() - name.len()].trim_end();
    if before.ends_with('?') {
        return None;
    }
    Some(name)
}

/// Up to eight distinctive frames, outermost call last, skipping the
/// scheduler, syscall entry and `asm_*` trampolines.
pub(crate) fn key_frames(context: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in context {
        // Register dumps (`RIP: 0010:__put_user_8+0xd/0x20`) name the
        // faulting function; keep it like a frame.
        let line = line.as_str();
        let Some(name) = frame_name(line.rsplit("RIP: ").next().unwrap_or(line)) else {
            continue;
        };
        let name = name.split('.').next().unwrap_or(name);
        if GENERIC.contains(&name) || name.starts_with("asm_") || name.starts_with("__x64_sys_") {
            continue;
        }
        if !out.iter().any(|f| f == name) {
            out.push(name.to_string());
        }
        if out.len() == MAX_FRAMES {
            break;
        }
    }
    out
}

/// The task state from a `task:nova-compute state:D stack:0 pid:1069` line.
pub(crate) fn task_state(context: &[String]) -> Option<String> {
    context.iter().find_map(|l| {
        let i = l.find(" state:")?;
        l[..i].rfind("task:")?;
        let s = &l[i + " state:".len()..];
        let state: String = s.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
        (!state.is_empty()).then_some(state)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &str) -> Vec<String> {
        s.lines().map(str::to_string).collect()
    }

    #[test]
    fn seed_004_hung_task_frames() {
        // From seed 004: a guest's nova-compute blocked in an async page fault.
        let ctx = lines(
            "[12289.195694] Not tainted 5.14.0-503.23.1.el9_5.x86_64 #1
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
[12289.195876] </TASK>",
        );
        assert_eq!(
            key_frames(&ctx),
            vec![
                "kvm_async_pf_task_wait_schedule",
                "__kvm_handle_async_pf",
                "exc_page_fault"
            ]
        );
        assert_eq!(task_state(&ctx).as_deref(), Some("D"));
    }

    #[test]
    fn unreliable_frames_and_modules() {
        let ctx = lines(
            " ? restore_regs_and_return_to_kernel+0x22/0x22
 xfs_buf_lock+0x33/0x110 [xfs]
 [<ffffffffc0a1b2c3>] xfs_buf_find.isra.0+0x1e1/0x5e0 [xfs]
 RIP: 0010:__put_user_8+0xd/0x20",
        );
        assert_eq!(
            key_frames(&ctx),
            vec!["xfs_buf_lock", "xfs_buf_find", "__put_user_8"]
        );
        assert_eq!(task_state(&ctx), None);
    }
}
