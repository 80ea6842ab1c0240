//! The planner and applier on simulated hosts: a device-mapper / SCSI host
//! shaped after seed 000 (map `mpathc` left with faulty paths after a
//! detach, held by the guest's LV that the host auto-activated), and loop
//! devices. The simulated executor changes the host the way the real
//! commands do, so apply → plan again shows what is left.

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Duration;

use crate::*;

/// `multipath -ll` of seed 000's compute node (sos_commands/multipath).
const MULTIPATH_LL: &str = "\
mpathc (3624a93701c0d6b3e4f5a2b1c00012a4c) dm-3 PURE,FlashArray
size=50G features='0' hwhandler='1 alua' wp=rw
`-+- policy='service-time 0' prio=0 status=enabled
  |- 3:0:0:2 sdc 8:32 failed faulty running
  `- 4:0:0:2 sdd 8:48 failed faulty running
mpatha (3624a93701c0d6b3e4f5a2b1c00012a41) dm-1 PURE,FlashArray
size=40G features='0' hwhandler='1 alua' wp=rw
`-+- policy='service-time 0' prio=50 status=active
  |- 3:0:0:1 sdb 8:16 active ready running
  `- 4:0:0:1 sde 8:64 active ready running
";

/// `dmsetup info -c` of the same host.
const DMSETUP_INFO: &str = "\
Name                  Maj Min Stat Open Targ Event  UUID
vg_appdata-lv_appdata 253   4 L--w    0    1      0 LVM-Wq3cV0eZk8Jt2nYb5Lr7Hs1Dx4Fg6Ma9Pk2Tu5Xw8Yz0Ab3Cd6Ef9Gh2Ij5Kl8Mn1
mpathc                253   3 L--w    1    1      3 mpath-3624a93701c0d6b3e4f5a2b1c00012a4c
mpatha                253   1 L--w    1    1      0 mpath-3624a93701c0d6b3e4f5a2b1c00012a41
";

#[derive(Clone, Default)]
struct State {
    devices: Vec<BlockDev>,
    mounts: Vec<Mount>,
    swaps: Vec<String>,
    /// Processes with the targets of their open files.
    tasks: Vec<(Task, Vec<String>)>,
    domains: Vec<(String, String)>,
    outputs: HashMap<String, CmdOutput>,
    /// Commands that fail when executed.
    failing: Vec<String>,
    executed: Vec<String>,
    /// Listing the block devices fails with this reason.
    unlisted: Option<String>,
    /// A description of another system (`--root`), not this machine.
    not_live: bool,
}

struct Sim(RefCell<State>);

fn ok(stdout: &str) -> CmdOutput {
    CmdOutput {
        status: CmdStatus::Exited(0),
        stdout: stdout.to_string(),
        stderr: String::new(),
        duration: Duration::from_millis(3),
    }
}

fn dev(name: &str, devnum: &str) -> BlockDev {
    BlockDev {
        name: name.to_string(),
        devnum: Some(devnum.to_string()),
        inflight: Some((0, 0)),
        ..BlockDev::default()
    }
}

impl Sim {
    /// Seed 000's host: mpathc (dm-3) on sdc/sdd with both paths faulty,
    /// held by dm-4 (the guest's LV), open count 1; healthy mpatha on
    /// sdb/sde; the boot disk sda.
    fn seed000() -> Sim {
        let mut st = State::default();
        let scsi = |n: &str, num: &str, state: &str, holder: &str| BlockDev {
            scsi_state: Some(state.to_string()),
            holders: vec![holder.to_string()],
            ..dev(n, num)
        };
        st.devices = vec![
            BlockDev {
                scsi_state: Some("running".into()),
                ..dev("sda", "8:0")
            },
            scsi("sdb", "8:16", "running", "dm-1"),
            scsi("sdc", "8:32", "running", "dm-3"),
            scsi("sdd", "8:48", "running", "dm-3"),
            scsi("sde", "8:64", "running", "dm-1"),
            BlockDev {
                dm_name: Some("mpatha".into()),
                dm_uuid: Some("mpath-3624a93701c0d6b3e4f5a2b1c00012a41".into()),
                slaves: vec!["sdb".into(), "sde".into()],
                holders: vec![],
                ..dev("dm-1", "253:1")
            },
            BlockDev {
                dm_name: Some("mpathc".into()),
                dm_uuid: Some("mpath-3624a93701c0d6b3e4f5a2b1c00012a4c".into()),
                slaves: vec!["sdc".into(), "sdd".into()],
                holders: vec!["dm-4".into()],
                ..dev("dm-3", "253:3")
            },
            BlockDev {
                dm_name: Some("vg_appdata-lv_appdata".into()),
                dm_uuid: Some("LVM-Wq3cV0eZk8".into()),
                slaves: vec!["dm-3".into()],
                ..dev("dm-4", "253:4")
            },
        ];
        st.mounts = vec![Mount {
            source: "/dev/mapper/ubuntu--vg-ubuntu--lv".into(),
            target: "/".into(),
            fstype: "ext4".into(),
            devnum: Some("253:0".into()),
        }];
        st.tasks = vec![(
            Task {
                pid: 1,
                comm: "systemd".into(),
                cmdline: vec!["/sbin/init".into()],
            },
            vec!["/dev/kmsg".into()],
        )];
        st.outputs.insert("multipath -ll".into(), ok(MULTIPATH_LL));
        st.outputs.insert(
            "dmsetup info -c --noheadings -o name,open".into(),
            ok(DMSETUP_INFO),
        );
        st.outputs
            .insert("dmsetup info -c".into(), ok(DMSETUP_INFO));
        Sim(RefCell::new(st))
    }

    /// The operator deactivated the guest's VG on the host (`vgchange -an
    /// vg_appdata`): dm-4 gone, mpathc open count 0.
    fn deactivate_lv(&self) {
        let mut st = self.0.borrow_mut();
        st.devices.retain(|d| d.name != "dm-4");
        for d in &mut st.devices {
            if d.name == "dm-3" {
                d.holders.clear();
            }
        }
        let info = DMSETUP_INFO
            .lines()
            .filter(|l| !l.starts_with("vg_appdata"))
            .map(|l| {
                if l.starts_with("mpathc") {
                    l.replacen("L--w    1", "L--w    0", 1)
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        st.outputs.insert(
            "dmsetup info -c --noheadings -o name,open".into(),
            ok(&info),
        );
        st.outputs.insert("dmsetup info -c".into(), ok(&info));
    }

    fn with_loop(self, name: &str, file: &str, deleted: bool) -> Sim {
        self.0.borrow_mut().devices.push(BlockDev {
            backing_file: Some(file.to_string()),
            backing_deleted: deleted,
            ..dev(name, &format!("7:{}", name.trim_start_matches("loop")))
        });
        self
    }

    fn executed(&self) -> Vec<String> {
        self.0.borrow().executed.clone()
    }
}

impl Probe for Sim {
    fn block_devices(&self) -> Result<Vec<BlockDev>, Error> {
        let st = self.0.borrow();
        if let Some(reason) = &st.unlisted {
            return Err(Error::Unreadable {
                path: "sys/block".into(),
                reason: reason.clone(),
            });
        }
        Ok(st.devices.clone())
    }
    fn block(&self, name: &str) -> Result<Option<BlockDev>, Error> {
        Ok(self
            .0
            .borrow()
            .devices
            .iter()
            .find(|d| d.name == name)
            .cloned())
    }
    fn mounts(&self) -> Result<Vec<Mount>, Error> {
        Ok(self.0.borrow().mounts.clone())
    }
    fn swaps(&self) -> Result<Vec<String>, Error> {
        Ok(self.0.borrow().swaps.clone())
    }
    fn tasks(&self) -> Result<Vec<Task>, Error> {
        Ok(self
            .0
            .borrow()
            .tasks
            .iter()
            .map(|(t, _)| t.clone())
            .collect())
    }
    fn openers(&self, dev: &str) -> Result<Openers, Error> {
        let st = self.0.borrow();
        let mut names = vec![format!("/dev/{dev}")];
        if let Some(map) = st
            .devices
            .iter()
            .find(|d| d.name == dev)
            .and_then(|d| d.dm_name.clone())
        {
            names.push(format!("/dev/mapper/{map}"));
        }
        Ok(Openers {
            users: st
                .tasks
                .iter()
                .filter(|(_, fds)| fds.iter().any(|f| names.contains(f)))
                .map(|(t, _)| (t.pid, t.comm.clone()))
                .collect(),
            unreadable: 0,
        })
    }
    fn running_domains(&self) -> Result<Vec<(String, String)>, Error> {
        Ok(self.0.borrow().domains.clone())
    }
    fn query(&self, argv: &[&str]) -> CmdOutput {
        self.0
            .borrow()
            .outputs
            .get(&argv.join(" "))
            .cloned()
            .unwrap_or_else(|| CmdOutput::failed(CmdStatus::NotRecorded))
    }
    fn is_live(&self) -> bool {
        !self.0.borrow().not_live
    }
}

/// Does what the real commands do to the simulated host.
impl Executor for Sim {
    fn execute(&self, argv: &[String]) -> CmdOutput {
        let line = argv.join(" ");
        let mut st = self.0.borrow_mut();
        st.executed.push(line.clone());
        if st.failing.contains(&line) {
            return CmdOutput {
                status: CmdStatus::Exited(1),
                stdout: String::new(),
                stderr: "device busy".into(),
                duration: Duration::from_millis(5),
            };
        }
        match argv
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice()
        {
            ["losetup", "-d", d] => {
                let name = d.trim_start_matches("/dev/");
                for x in &mut st.devices {
                    if x.name == name {
                        x.backing_file = None;
                        x.backing_deleted = false;
                    }
                }
            }
            ["multipath", "-f", map] => {
                let dmdev = st
                    .devices
                    .iter()
                    .find(|d| d.dm_name.as_deref() == Some(*map))
                    .map(|d| d.name.clone());
                if let Some(dm) = dmdev {
                    st.devices.retain(|d| d.name != dm);
                    for d in &mut st.devices {
                        d.holders.retain(|h| *h != dm);
                    }
                }
                let ll: String = MULTIPATH_LL
                    .split_inclusive('\n')
                    .skip_while(|l| !l.starts_with("mpatha"))
                    .collect();
                st.outputs.insert("multipath -ll".into(), ok(&ll));
                for key in [
                    "dmsetup info -c",
                    "dmsetup info -c --noheadings -o name,open",
                ] {
                    if let Some(out) = st.outputs.get(key).cloned() {
                        let rest: String = out
                            .stdout
                            .split_inclusive('\n')
                            .filter(|l| !l.starts_with(&format!("{map} ")))
                            .collect();
                        st.outputs.insert(key.into(), ok(&rest));
                    }
                }
            }
            ["sh", "-c", cmd] => {
                if let Some(dev) = cmd
                    .strip_prefix("echo 1 > /sys/block/")
                    .and_then(|r| r.strip_suffix("/device/delete"))
                {
                    st.devices.retain(|d| d.name != dev);
                }
            }
            _ => {}
        }
        ok("")
    }
}

fn names(plan: &Plan) -> Vec<&str> {
    plan.items.iter().map(|i| i.target.name.as_str()).collect()
}

fn commands(item: &Item) -> Vec<String> {
    item.steps.iter().map(|s| s.command_line()).collect()
}

fn yes(_: &Item) -> bool {
    true
}

#[test]
fn seed000_map_held_by_the_guests_lv_is_refused() {
    let sim = Sim::seed000();
    let plan = plan(&sim);
    assert_eq!(names(&plan), vec!["mpathc"]);
    let item = &plan.items[0];
    assert_eq!(item.target.kind, TargetKind::MultipathMap);
    assert_eq!(item.target.dm.as_deref(), Some("dm-3"));
    assert_eq!(item.target.paths, vec!["sdc", "sdd"]);
    assert_eq!(
        commands(item),
        vec![
            "multipathd disablequeueing map mpathc",
            "multipath -f mpathc",
            "sh -c 'echo 1 > /sys/block/sdc/device/delete'",
            "sh -c 'echo 1 > /sys/block/sdd/device/delete'",
        ]
    );
    let why = item
        .refused
        .as_ref()
        .map(|t| t.en.as_str())
        .expect("refused");
    assert!(
        why.contains("dm-3 has holders") && why.contains("dm-4"),
        "{why}"
    );

    // Applying does nothing but record the refusal.
    let mut audit = Vec::new();
    let applied = apply(&plan, &sim, &sim, &mut audit, &mut yes).unwrap();
    assert!(sim.executed().is_empty());
    assert!(matches!(applied.items[0].1, ItemOutcome::Refused(_)));
    let log = String::from_utf8(audit).unwrap();
    assert!(log.contains("\"event\":\"refused-when-planned\""), "{log}");
}

#[test]
fn seed000_after_the_lv_is_gone_the_map_and_its_paths_are_removed_once() {
    let sim = Sim::seed000();
    sim.deactivate_lv();
    let plan1 = plan(&sim);
    assert_eq!(names(&plan1), vec!["mpathc"]);
    assert_eq!(plan1.items[0].refused, None, "{:#?}", plan1.items[0]);
    let text = render_plan(&plan1, Lang::En, "compute-12", true);
    assert!(text.contains("dry run"), "{text}");
    assert!(text.contains("$ multipath -f mpathc"), "{text}");
    assert!(
        text.contains("[ok  ] dm-3 has no holders: no holders"),
        "{text}"
    );

    let mut audit = Vec::new();
    let applied = apply(&plan1, &sim, &sim, &mut audit, &mut yes).unwrap();
    assert!(applied.all_done(), "{applied:?}");
    assert_eq!(
        sim.executed(),
        vec![
            "multipathd disablequeueing map mpathc",
            "multipath -f mpathc",
            "sh -c echo 1 > /sys/block/sdc/device/delete",
            "sh -c echo 1 > /sys/block/sdd/device/delete",
        ]
    );
    // Every step was checked, run and its outcome recorded.
    let log = String::from_utf8(audit).unwrap();
    assert_eq!(
        log.lines()
            .filter(|l| l.contains("\"event\":\"run\""))
            .count(),
        4
    );
    assert_eq!(
        log.lines()
            .filter(|l| l.contains("\"event\":\"succeeded\""))
            .count(),
        4
    );
    for l in log.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert!(v["time"].as_str().is_some_and(|t| t.ends_with('Z')));
    }

    // The second run finds nothing and does nothing.
    let plan2 = plan(&sim);
    assert!(plan2.items.is_empty(), "{plan2:#?}");
    let applied = apply(&plan2, &sim, &sim, &mut Vec::new(), &mut yes).unwrap();
    assert!(applied.items.is_empty());
    assert_eq!(sim.executed().len(), 4);
    assert!(render_plan(&plan2, Lang::En, "compute-12", true).contains("no stale device"));
}

#[test]
fn a_running_domain_using_the_map_refuses_it() {
    let sim = Sim::seed000();
    sim.deactivate_lv();
    sim.0.borrow_mut().domains.push((
        "instance-000004d2".into(),
        "<disk type='block' device='disk'><source dev='/dev/disk/by-id/dm-uuid-mpath-3624a93701c0d6b3e4f5a2b1c00012a4c'/><target dev='vdb' bus='virtio'/></disk>".into(),
    ));
    let plan = plan(&sim);
    let why = plan.items[0]
        .refused
        .as_ref()
        .map(|t| t.en.as_str())
        .unwrap();
    assert!(why.contains("domain instance-000004d2"), "{why}");
}

#[test]
fn a_qemu_command_line_naming_the_device_refuses_it() {
    let sim = Sim::seed000().with_loop("loop3", "/var/lib/images/scratch.img", true);
    sim.0.borrow_mut().tasks.push((
        Task {
            pid: 4242,
            comm: "qemu-system-x86".into(),
            cmdline: vec![
                "/usr/bin/qemu-system-x86_64".into(),
                "-blockdev".into(),
                "{\"driver\":\"host_device\",\"filename\":\"/dev/loop3\",\"node-name\":\"libvirt-2-storage\"}".into(),
            ],
        },
        vec![],
    ));
    let plan = plan(&sim);
    let item = plan
        .items
        .iter()
        .find(|i| i.target.name == "loop3")
        .unwrap();
    let why = item.refused.as_ref().map(|t| t.en.as_str()).unwrap();
    assert!(why.contains("qemu process 4242"), "{why}");
}

#[test]
fn loop_with_a_deleted_backing_file_is_detached_and_a_mounted_one_refused() {
    let sim = Sim::seed000()
        .with_loop("loop3", "/var/tmp/scratch.img", true)
        .with_loop("loop30", "/var/tmp/other.img", true)
        .with_loop("loop4", "/var/lib/snapd/snaps/core_1.snap", false);
    sim.deactivate_lv();
    sim.0.borrow_mut().mounts.push(Mount {
        source: "/dev/loop30".into(),
        target: "/mnt/scratch".into(),
        fstype: "ext4".into(),
        devnum: Some("7:30".into()),
    });
    let plan = plan(&sim);
    assert_eq!(names(&plan), vec!["loop3", "loop30", "mpathc"]);
    assert_eq!(plan.items[0].refused, None);
    assert_eq!(commands(&plan.items[0]), vec!["losetup -d /dev/loop3"]);
    let why = plan.items[1]
        .refused
        .as_ref()
        .map(|t| t.en.as_str())
        .unwrap();
    assert_eq!(
        why,
        "loop30 is mounted: /dev/loop30 is mounted on /mnt/scratch"
    );

    let mut audit = Vec::new();
    let applied = apply(&plan, &sim, &sim, &mut audit, &mut yes).unwrap();
    assert_eq!(applied.items[0].1, ItemOutcome::Done);
    assert!(matches!(applied.items[1].1, ItemOutcome::Refused(_)));
    assert_eq!(applied.items[2].1, ItemOutcome::Done);
    let again = plan_names(&sim);
    assert_eq!(again, vec!["loop30"]);
}

fn plan_names(sim: &Sim) -> Vec<String> {
    plan(sim)
        .items
        .iter()
        .map(|i| i.target.name.clone())
        .collect()
}

#[test]
fn a_change_between_plan_and_apply_is_caught_before_the_step() {
    let sim = Sim::seed000().with_loop("loop3", "/var/tmp/scratch.img", true);
    let plan = plan(&sim);
    assert_eq!(plan.items[0].refused, None);
    // Someone opens the device after the plan was shown.
    sim.0.borrow_mut().tasks.push((
        Task {
            pid: 977,
            comm: "dd".into(),
            cmdline: vec!["dd".into(), "if=/dev/loop3".into()],
        },
        vec!["/dev/loop3".into()],
    ));
    let mut audit = Vec::new();
    let applied = apply(&plan, &sim, &sim, &mut audit, &mut yes).unwrap();
    assert!(
        matches!(
            &applied.items[0].1,
            ItemOutcome::Refused(w) if w.en == "a process has loop3 open: dd (pid 977) has it open"
        ),
        "{applied:?}"
    );
    assert!(sim.executed().is_empty());
    let log = String::from_utf8(audit).unwrap();
    assert!(log.contains("\"event\":\"refused\""), "{log}");
    assert!(log.contains("\"verdict\":\"fail\""), "{log}");
}

#[test]
fn a_failing_step_stops_the_run() {
    let sim = Sim::seed000()
        .with_loop("loop3", "/var/tmp/a.img", true)
        .with_loop("loop5", "/var/tmp/b.img", true);
    sim.0
        .borrow_mut()
        .failing
        .push("losetup -d /dev/loop3".into());
    let plan = plan(&sim);
    let applied = apply(&plan, &sim, &sim, &mut Vec::new(), &mut yes).unwrap();
    assert!(
        matches!(&applied.items[0].1, ItemOutcome::Failed(w) if w.en.contains("exit 1: device busy")),
        "{applied:?}"
    );
    assert_eq!(applied.items[1].1, ItemOutcome::NotAttempted);
    assert_eq!(sim.executed(), vec!["losetup -d /dev/loop3"]);
}

#[test]
fn declined_items_are_skipped_and_logged() {
    let sim = Sim::seed000().with_loop("loop3", "/var/tmp/a.img", true);
    let plan = plan(&sim);
    let mut audit = Vec::new();
    let applied = apply(&plan, &sim, &sim, &mut audit, &mut |_| false).unwrap();
    assert_eq!(applied.items[0].1, ItemOutcome::Declined);
    assert!(sim.executed().is_empty());
    assert!(String::from_utf8(audit).unwrap().contains("\"declined\""));
}

#[test]
fn a_hanging_query_makes_the_check_unknown_and_refuses() {
    let sim = Sim::seed000();
    sim.deactivate_lv();
    sim.0.borrow_mut().outputs.insert(
        "dmsetup info -c --noheadings -o name,open".into(),
        CmdOutput::failed(CmdStatus::TimedOut(10)),
    );
    let plan = plan(&sim);
    let why = plan.items[0]
        .refused
        .as_ref()
        .map(|t| t.en.as_str())
        .unwrap();
    assert_eq!(
        why,
        "cannot check that mpathc's open count is 0: `dmsetup info -c` did not answer in 10 s"
    );
}

#[test]
fn discovery_notes_a_multipath_that_does_not_answer() {
    let sim = Sim::seed000();
    sim.0.borrow_mut().outputs.insert(
        "multipath -ll".into(),
        CmdOutput::failed(CmdStatus::TimedOut(10)),
    );
    let plan = plan(&sim);
    assert!(
        plan.notes
            .iter()
            .any(|n| n.en.contains("`multipath -ll` did not answer in 10 s")),
        "{:?}",
        plan.notes
    );
}

#[test]
fn korean_plan() {
    let sim = Sim::seed000().with_loop("loop3", "/var/tmp/a.img", true);
    let plan = plan(&sim);
    let text = render_plan(&plan, Lang::Ko, "cmp03", true);
    assert!(text.contains("루프 장치 loop3"), "{text}");
    assert!(text.contains("거부됨:"), "{text}");
    assert!(text.contains("$ losetup -d /dev/loop3"), "{text}");
}

fn hangul(s: &str) -> bool {
    s.chars().any(|c| ('가'..='힣').contains(&c))
}

/// Every reason of a plan: verdicts, refusals, notes.
fn reasons(plan: &Plan) -> Vec<&rootline_model::Text> {
    let mut out: Vec<&rootline_model::Text> = plan.notes.iter().collect();
    for item in &plan.items {
        out.extend(&item.refused);
        for step in &item.steps {
            out.extend(step.checks.iter().map(|c| c.verdict.why()));
        }
    }
    out
}

/// Issue 10: with `--lang ko` the plan's reasons, notes and the outcome of
/// `--apply` are Korean sentences; only the system's own words (an error,
/// a command's stderr) stay as they are, inside a Korean frame. The audit
/// log keeps its English reasons.
#[test]
fn korean_plan_and_outcome_say_every_reason_in_korean() {
    let mut plans = Vec::new();
    // Checks that pass (mpathc once its LV is gone, loop3) and a mounted
    // loop device refused.
    let sim = Sim::seed000()
        .with_loop("loop3", "/var/tmp/a.img", true)
        .with_loop("loop30", "/var/tmp/b.img", true);
    sim.deactivate_lv();
    sim.0.borrow_mut().mounts.push(Mount {
        source: "/dev/loop30".into(),
        target: "/mnt/scratch".into(),
        fstype: "ext4".into(),
        devnum: Some("7:30".into()),
    });
    plans.push(plan(&sim));
    // Seed 000: the map held by the guest's LV, open count 1.
    plans.push(plan(&Sim::seed000()));
    // A check that cannot be made: dmsetup hangs.
    let sim = Sim::seed000();
    sim.deactivate_lv();
    sim.0.borrow_mut().outputs.insert(
        "dmsetup info -c --noheadings -o name,open".into(),
        CmdOutput::failed(CmdStatus::TimedOut(10)),
    );
    plans.push(plan(&sim));
    // Notes: sysfs unreadable, multipath hung, dmsetup not recorded, a
    // description of another system.
    let sim = Sim::seed000();
    {
        let mut st = sim.0.borrow_mut();
        st.unlisted = Some("Permission denied (os error 13)".into());
        st.outputs.insert(
            "multipath -ll".into(),
            CmdOutput::failed(CmdStatus::TimedOut(10)),
        );
        st.outputs.remove("dmsetup info -c");
        st.not_live = true;
    }
    plans.push(plan(&sim));

    // Applied: refused when planned, a failing command, the rest not
    // attempted; then done, and refused right before the step.
    let sim = Sim::seed000()
        .with_loop("loop3", "/var/tmp/a.img", true)
        .with_loop("loop5", "/var/tmp/b.img", true)
        .with_loop("loop6", "/var/tmp/c.img", true);
    sim.0.borrow_mut().tasks.push((
        Task {
            pid: 977,
            comm: "dd".into(),
            cmdline: vec![],
        },
        vec!["/dev/loop3".into()],
    ));
    sim.0
        .borrow_mut()
        .failing
        .push("losetup -d /dev/loop5".into());
    let p1 = plan(&sim);
    let mut audit = Vec::new();
    let applied1 = apply(&p1, &sim, &sim, &mut audit, &mut yes).unwrap();
    let sim = Sim::seed000()
        .with_loop("loop3", "/var/tmp/a.img", true)
        .with_loop("loop5", "/var/tmp/b.img", true);
    let p2 = plan(&sim);
    sim.0.borrow_mut().tasks.push((
        Task {
            pid: 978,
            comm: "dd".into(),
            cmdline: vec![],
        },
        vec!["/dev/loop5".into()],
    ));
    let applied2 = apply(&p2, &sim, &sim, &mut audit, &mut yes).unwrap();
    let outcomes: Vec<&ItemOutcome> = applied1
        .items
        .iter()
        .chain(&applied2.items)
        .map(|(_, o)| o)
        .collect();
    for kind in ["done", "refused", "failed", "not-attempted"] {
        assert!(
            outcomes
                .iter()
                .any(|o| serde_json::to_value(o).unwrap()["outcome"] == kind),
            "no {kind} outcome: {outcomes:?}"
        );
    }

    let mut ko = String::new();
    let mut en = String::new();
    for p in plans.iter().chain([&p1, &p2]) {
        ko += &render_plan(p, Lang::Ko, "cmp03", true);
        en += &render_plan(p, Lang::En, "cmp03", true);
    }
    for a in [&applied1, &applied2] {
        ko += &render_applied(a, Lang::Ko, "/var/log/rootline/fix-audit.jsonl");
        en += &render_applied(a, Lang::En, "/var/log/rootline/fix-audit.jsonl");
    }

    // Every reason exists in both languages, and the Korean is Korean.
    for t in plans.iter().chain([&p1, &p2]).flat_map(reasons) {
        assert!(!t.en.is_empty() && !hangul(&t.en), "{t:?}");
        assert!(hangul(&t.ko), "{t:?}");
    }
    for o in &outcomes {
        if let ItemOutcome::Refused(t) | ItemOutcome::Failed(t) = o {
            assert!(!hangul(&t.en) && hangul(&t.ko), "{t:?}");
        }
    }

    // No sentence of the English vocabulary in the Korean output. ("open
    // count", "holder", "stale" are the terms Korean text keeps, as the
    // catalog and the check labels do; the English sentences are gone.)
    for english in [
        "held by",
        "no holders",
        "has holders",
        // The verdicts after a label: "[ok  ] mpathc open count 0: open count 0".
        ": open count 0\n",
        ": open count 1\n",
        "not in the mount table",
        "is mounted",
        "cannot check",
        "could not be listed",
        "did not answer",
        "not looked at",
        "no process has it open",
        "has it open",
        "running domains",
        "in flight",
        "still stale",
        "describes another system",
        "refused",
        "REFUSED",
        "FAILED",
        "stopped",
        "not attempted",
        "exit 1",
        "done",
        "note:",
    ] {
        assert!(!ko.contains(english), "{english:?} in:\n{ko}");
        assert!(
            en.contains(english),
            "{english:?} not in the English:\n{en}"
        );
    }
    // Every line is Korean but a command to type.
    for line in ko.lines() {
        let l = line.trim();
        assert!(
            l.is_empty() || l.starts_with("$ ") || hangul(l),
            "not Korean: {line:?}\n{ko}"
        );
    }
    for korean in [
        "holder가 없습니다",
        "dm-4이(가) 잡고 있습니다",
        "dm-3에 holder가 있습니다: dm-4이(가) 잡고 있습니다",
        "open count가 0입니다",
        "open count가 1입니다",
        "마운트 테이블에 없습니다",
        "loop30이(가) 마운트되어 있습니다: /dev/loop30이(가) /mnt/scratch에 마운트되어 있습니다",
        "mpathc의 open count가 0인지 확인할 수 없습니다: `dmsetup info -c`의 결과를 얻지 못했습니다(10초 동안 응답 없음)",
        // The system's error verbatim inside the Korean frame.
        "참고: 블록 장치 목록을 읽을 수 없습니다: sys/block: Permission denied (os error 13)",
        "`multipath -ll`의 결과를 얻지 못했습니다(10초 동안 응답 없음)",
        "`dmsetup info -c`의 결과는 보지 않았습니다(기록된 출력 없음)",
        "다른 시스템(--root)의 것입니다",
        "loop3: 거부됨 — loop3을(를) 연 프로세스가 있습니다: dd(pid 977)이(가) 열고 있습니다",
        // The command's stderr verbatim.
        "loop5: 실패 — `losetup -d /dev/loop5` 실행에 실패했습니다(종료 코드 1): device busy; 여기서 중단",
        "loop6: 시도 안 함",
        "loop3: 완료",
        "loop5: 거부됨 — loop5을(를) 연 프로세스가 있습니다: dd(pid 978)이(가) 열고 있습니다",
    ] {
        assert!(ko.contains(korean), "{korean:?} not in:\n{ko}");
    }

    // The audit log is a machine record: its reasons stay English strings.
    let log = String::from_utf8(audit).unwrap();
    assert!(!hangul(&log), "{log}");
    let mut whys = 0;
    for line in log.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if let Some(d) = v.get("detail") {
            assert!(d.is_string(), "{line}");
        }
        for c in v["checks"].as_array().into_iter().flatten() {
            assert!(c["why"].is_string() && c["verdict"].is_string(), "{line}");
            whys += 1;
        }
    }
    assert!(whys > 0, "{log}");
    assert!(
        log.contains(
            r#""event":"refused-when-planned","detail":"a process has loop3 open: dd (pid 977) has it open""#
        ),
        "{log}"
    );
    assert!(
        log.contains(r#"{"check":"no-openers","device":"loop5"},"verdict":"fail","why":"dd (pid 978) has it open"}"#),
        "{log}"
    );
}
