//! Recognition and dispatch: one parser per command, behind [`HostParser`],
//! registered in [`PARSERS`] — the recognition order is that list.
//!
//! Recognition runs in two passes over the registry: first every parser
//! looks at the content (a pasted `smartctl -a` excerpt saved as `notes.txt`
//! is recognised), then, for what no content test claimed, every parser
//! looks at the file's name alone (a sosreport's `multipath_-ll` that holds
//! only `mknod failed`). Captures of real outputs for every kind live in
//! `crates/hoststate/tests/captures/<kind name>/`, named as a host names
//! the file; one test runs every registered parser over them and over
//! truncated prefixes of them.

use crate::HostState;

pub(crate) mod block_common;
mod blockdev;
mod config;
mod date;
pub(crate) mod disk_checks;
mod dmsetup_info;
mod dmsetup_ls;
mod dmsetup_table;
mod domain_xml;
mod free;
mod iscsiadm;
mod losetup;
mod ls_dev;
mod ls_listing;
mod lsblk;
mod meminfo;
mod multipath;
mod multipathd;
mod numbers;
mod nvme;
mod openstack;
mod partitions;
mod ps;
mod qemu_img;
mod rootline_block;
mod rootline_common;
mod rootline_manifest;
mod rootline_tasks;
mod sensors;
mod smartctl;
mod smartctl_json;
mod sos_manifest;
mod system_common;
mod top;
mod uname;
mod uptime;
mod virsh;
pub(crate) mod virt_common;
mod vmstat;

/// One command's parser.
pub(crate) trait HostParser: Sync {
    /// The kinds it reads, e.g. `multipath -ll` and `multipathd show
    /// topology` print one format.
    fn kinds(&self) -> &'static [Kind];
    /// Recognise by content: the first bytes (up to 64 KiB, possibly cut
    /// mid-line); the path only tells this parser's kinds apart.
    fn by_content(&self, rel_path: &str, sample: &str) -> Option<Kind>;
    /// Recognise by the file's name alone, when no parser knew the content.
    fn by_name(&self, _rel_path: &str) -> Option<Kind> {
        None
    }
    /// Parse one file recognised as one of [`HostParser::kinds`]; checks
    /// come back unrendered.
    fn parse(&self, kind: Kind, text: &str) -> HostState;
}

/// Every parser, in recognition order.
pub(crate) static PARSERS: &[&dyn HostParser] = &[
    // rootline's own bundle: snapshot and manifest. Its manifest before
    // sos's: it is also a `manifest.json` that sos's test claims by name.
    &rootline_block::RootlineBlock,
    &rootline_tasks::RootlineTasks,
    &rootline_manifest::RootlineManifest,
    // The sosreport itself.
    &sos_manifest::SosManifest,
    // Disks and health, in the order the old chain tested them: smartctl -j
    // before nvme (the JSON of an NVMe drive holds the keys of `nvme
    // smart-log -o json`), nvme before smartctl's text (a file holding an
    // nvme log and a smartctl report is the nvme log). A disk file's name
    // counts only after all three content tests (`disk_checks`).
    &smartctl_json::SmartctlJson,
    &nvme::Nvme,
    &smartctl::Smartctl,
    // The block stack, one parser per command, in the order of the one
    // chain they come from (each at its first test): lsblk's JSON, `-P`
    // pairs and header first, the table headers (`blockdev --report`,
    // `losetup -l`, `dmsetup info -c`, `/proc/partitions`, `multipathd
    // show`) before `multipath -ll`'s map lines, then `iscsiadm`, `dmsetup
    // table`/`status` and `dmsetup ls` lines, and `ls -l /dev` (a few `brw`
    // lines will do) last. A parser's later tests moved up with it
    // (`losetup -a` lines, `dmsetup info`'s long form, `multipath`'s
    // messages-only output): no test they now precede claims what they do.
    &lsblk::Lsblk,
    &blockdev::Blockdev,
    &losetup::Losetup,
    &dmsetup_info::DmsetupInfo,
    &partitions::Partitions,
    &multipathd::Multipathd,
    &multipath::Multipath,
    &iscsiadm::Iscsiadm,
    &dmsetup_table::DmsetupTable,
    &dmsetup_ls::DmsetupLs,
    &ls_dev::LsDev,
    // Virtualisation, OpenStack, files, configuration, in the order the
    // old `virt` chain tested them: the specific markers first (qemu-img's
    // verdict lines, OpenStack tables, domain XML), then what other pastes
    // can hold too (a `ps` header, virsh headers, `ls -l` lines), and
    // configuration last: named files, then ini keys, which a session that
    // also printed a listing holds as well.
    &qemu_img::QemuImg,
    &openstack::Openstack,
    &domain_xml::DomainXml,
    &ps::Ps,
    &virsh::Virsh,
    &ls_listing::LsListing,
    &config::ConfigFiles,
    // Memory, load, temperatures, kernel, clock, in the order the old chain
    // tested them: top first (a short top header is an uptime line and
    // memory lines), uptime, uname and date (a few lines each) last. A file's
    // name counts only after all eight content tests (`system_common`).
    &top::Top,
    &free::Free,
    &meminfo::Meminfo,
    &vmstat::Vmstat,
    &sensors::Sensors,
    &uptime::Uptime,
    &uname::Uname,
    &date::Date,
];

/// The parser that reads `kind`.
fn parser_of(kind: Kind) -> Option<&'static dyn HostParser> {
    PARSERS.iter().copied().find(|p| p.kinds().contains(&kind))
}

/// A kind of command output or configuration file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    // Disks and health (parsers `smartctl_json`, `nvme`, `smartctl`).
    Smartctl,
    SmartctlJson,
    NvmeSmartLog,
    NvmeErrorLog,
    NvmeList,
    // Memory, load, temperatures, kernel, clock (parsers `top`, `free`,
    // `meminfo`, `vmstat`, `sensors`, `uptime`, `uname`, `date`).
    Free,
    Meminfo,
    Vmstat,
    Top,
    Uptime,
    Sensors,
    Uname,
    Date,
    // Block stack (parsers `multipath`, `multipathd`, `dmsetup_*`, `lsblk`,
    // `ls_dev`, `partitions`, `losetup`, `iscsiadm`, `blockdev`).
    MultipathLl,
    MultipathdShow,
    DmsetupInfo,
    DmsetupLs,
    DmsetupTable,
    DmsetupStatus,
    Lsblk,
    LsDev,
    Partitions,
    Losetup,
    Iscsiadm,
    BlockdevReport,
    // Virtualisation, OpenStack, files, configuration (`ps`, `qemu_img`,
    // `domain_xml`, `virsh`, `openstack`, `ls_listing`, `config`).
    Ps,
    QemuImgCheck,
    QemuImgInfo,
    DomainXml,
    VirshList,
    VirshDomblklist,
    OpenstackEventList,
    OpenstackEventShow,
    OpenstackTable,
    LsListing,
    CinderConf,
    NovaConf,
    QemuConf,
    MultipathConf,
    // The sosreport itself (parser `sos_manifest`).
    SosManifest,
    // rootline's own bundle: snapshot and manifest (parsers `rootline_*`).
    LiveBlock,
    LiveTasks,
    LiveManifest,
}

/// Recognise a file from its name (a hint: `sos_commands/multipath/multipath_-ll`)
/// and its first bytes (up to 64 KiB, possibly cut mid-line). `None`: not
/// host state (a log, or unknown). Content wins over the name: a pasted
/// `smartctl -a` excerpt saved as `notes.txt` is recognised.
pub fn recognise(rel_path: &str, sample: &str) -> Option<Kind> {
    // XML (a libvirt domain) can mention multipath devices in its disk
    // sources; it is never a block-stack command output.
    if sample.trim_start().starts_with('<') {
        return parser_of(Kind::DomainXml).and_then(|p| p.by_content(rel_path, sample));
    }
    PARSERS
        .iter()
        .find_map(|p| p.by_content(rel_path, sample))
        .or_else(|| PARSERS.iter().find_map(|p| p.by_name(rel_path)))
}

pub(crate) fn parse(kind: Kind, text: &str) -> HostState {
    let mut st = parser_of(kind)
        .map(|p| p.parse(kind, text))
        .unwrap_or_default();
    st.kind = Some(kind.name());
    if kind.is_command_output()
        && st.facts.is_empty()
        && let Some(msg) = command_failure(text)
    {
        // Nothing was listed because the command did not run: say so, and
        // claim nothing (no "0 maps", no finding).
        st.checks.clear();
        st.notes = vec![format!("the command failed: {msg}")];
    }
    keep_fact_lines(&mut st, text);
    st
}

/// What a command printed instead of its output when it could not run: the
/// shell did not find it (`command not found`), it rejected its arguments
/// (`invalid option -- 'P'` and its usage text), it could not reach what it
/// reads (`/dev/mapper/control: mknod failed`, virsh's `error: failed to
/// connect to the hypervisor`, `Permission denied`). The message is the
/// line that says so and up to two lines after it, before any usage text.
/// `None`: the text does not open with such a line (within its first three
/// lines), e.g. an empty listing or warnings beside the output.
pub(crate) fn command_failure(text: &str) -> Option<String> {
    // The first three non-empty lines and the two after them are all it
    // reads: recognition asks this of every file, logs included.
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(5)
        .collect();
    let at = lines.iter().take(3).position(|l| failure_line(l))?;
    let mut said = vec![lines[at]];
    said.extend(
        lines[at + 1..]
            .iter()
            .take_while(|l| !l.to_ascii_lowercase().starts_with("usage:"))
            .take(2),
    );
    let msg = said.join(" / ");
    Some(if msg.chars().count() > 300 {
        let mut m: String = msg.chars().take(299).collect();
        m.push('…');
        m
    } else {
        msg
    })
}

/// A line by which a command says it did not run (see [`command_failure`]).
fn failure_line(line: &str) -> bool {
    const SAYS: &[&str] = &[
        "command not found",
        "command or file not found",
        "no such file or directory",
        "is not recognized as an internal or external command",
        "invalid option",
        "unrecognized option",
        "unrecognised option",
        "unknown option",
        "illegal option",
        "mknod failed",
        "open failed",
        "failure to communicate with kernel device-mapper",
        "permission denied",
        "operation not permitted",
        "failed to connect",
        "failed to reconnect",
        "unable to connect",
        "cannot connect",
        "could not connect",
        "no valid connection",
    ];
    let l = line.to_ascii_lowercase();
    SAYS.iter().any(|s| l.contains(s))
        || l.ends_with(": not found")
        || l.starts_with("error:")
        || l.starts_with("usage:")
}

/// Keep the text of the lines the facts point at: host-level checks join
/// facts of several files and must cite the lines as they read, but the
/// file's text is not kept once it is parsed.
fn keep_fact_lines(st: &mut HostState, text: &str) {
    fn walk(v: &serde_json::Value, out: &mut Vec<u64>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    if (k == "line" || k.ends_with("-line") || k.ends_with("_line"))
                        && let Some(n) = x.as_u64()
                    {
                        out.push(n);
                    }
                    walk(x, out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut wanted = Vec::new();
    for f in &st.facts {
        walk(f, &mut wanted);
    }
    if wanted.is_empty() {
        return;
    }
    wanted.sort_unstable();
    wanted.dedup();
    let mut want = wanted.into_iter().peekable();
    for (i, l) in text.lines().enumerate() {
        let n = i as u64 + 1;
        while want.peek().is_some_and(|&w| w < n) {
            want.next();
        }
        match want.peek() {
            Some(&w) if w == n => {
                st.lines.insert(n, l.trim_end().to_string());
            }
            Some(_) => {}
            None => break,
        }
    }
}

impl Kind {
    /// Output of a command (not a configuration file or a document read
    /// from disk): it can be the message of a command that failed.
    pub(crate) fn is_command_output(self) -> bool {
        !matches!(
            self,
            Kind::DomainXml
                | Kind::CinderConf
                | Kind::NovaConf
                | Kind::QemuConf
                | Kind::MultipathConf
                | Kind::SosManifest
                | Kind::LiveBlock
                | Kind::LiveTasks
                | Kind::LiveManifest
        )
    }

    /// Every kind.
    pub const ALL: &[Kind] = &[
        Kind::Smartctl,
        Kind::SmartctlJson,
        Kind::NvmeSmartLog,
        Kind::NvmeErrorLog,
        Kind::NvmeList,
        Kind::Free,
        Kind::Meminfo,
        Kind::Vmstat,
        Kind::Top,
        Kind::Uptime,
        Kind::Sensors,
        Kind::Uname,
        Kind::Date,
        Kind::MultipathLl,
        Kind::MultipathdShow,
        Kind::DmsetupInfo,
        Kind::DmsetupLs,
        Kind::DmsetupTable,
        Kind::DmsetupStatus,
        Kind::Lsblk,
        Kind::LsDev,
        Kind::Partitions,
        Kind::Losetup,
        Kind::Iscsiadm,
        Kind::BlockdevReport,
        Kind::Ps,
        Kind::QemuImgCheck,
        Kind::QemuImgInfo,
        Kind::DomainXml,
        Kind::VirshList,
        Kind::VirshDomblklist,
        Kind::OpenstackEventList,
        Kind::OpenstackEventShow,
        Kind::OpenstackTable,
        Kind::LsListing,
        Kind::CinderConf,
        Kind::NovaConf,
        Kind::QemuConf,
        Kind::MultipathConf,
        Kind::SosManifest,
        Kind::LiveBlock,
        Kind::LiveTasks,
        Kind::LiveManifest,
    ];

    /// A stable short name for reports (`smartctl`, `multipath-ll`…).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Smartctl => "smartctl",
            Kind::SmartctlJson => "smartctl-json",
            Kind::NvmeSmartLog => "nvme-smart-log",
            Kind::NvmeErrorLog => "nvme-error-log",
            Kind::NvmeList => "nvme-list",
            Kind::Free => "free",
            Kind::Meminfo => "meminfo",
            Kind::Vmstat => "vmstat",
            Kind::Top => "top",
            Kind::Uptime => "uptime",
            Kind::Sensors => "sensors",
            Kind::Uname => "uname",
            Kind::Date => "date",
            Kind::MultipathLl => "multipath-ll",
            Kind::MultipathdShow => "multipathd-show",
            Kind::DmsetupInfo => "dmsetup-info",
            Kind::DmsetupLs => "dmsetup-ls",
            Kind::DmsetupTable => "dmsetup-table",
            Kind::DmsetupStatus => "dmsetup-status",
            Kind::Lsblk => "lsblk",
            Kind::LsDev => "ls-dev",
            Kind::Partitions => "proc-partitions",
            Kind::Losetup => "losetup",
            Kind::Iscsiadm => "iscsiadm",
            Kind::BlockdevReport => "blockdev-report",
            Kind::Ps => "ps",
            Kind::QemuImgCheck => "qemu-img-check",
            Kind::QemuImgInfo => "qemu-img-info",
            Kind::DomainXml => "domain-xml",
            Kind::VirshList => "virsh-list",
            Kind::VirshDomblklist => "virsh-domblklist",
            Kind::OpenstackEventList => "openstack-server-event-list",
            Kind::OpenstackEventShow => "openstack-server-event-show",
            Kind::OpenstackTable => "openstack-table",
            Kind::LsListing => "ls-l",
            Kind::CinderConf => "cinder.conf",
            Kind::NovaConf => "nova.conf",
            Kind::QemuConf => "qemu.conf",
            Kind::MultipathConf => "multipath.conf",
            Kind::SosManifest => "sos-manifest",
            Kind::LiveBlock => "rootline-block",
            Kind::LiveTasks => "rootline-tasks",
            Kind::LiveManifest => "rootline-manifest",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind is read by exactly one registered parser.
    #[test]
    fn every_kind_has_one_parser() {
        let mut seen = std::collections::BTreeMap::new();
        for p in PARSERS {
            for k in p.kinds() {
                *seen.entry(k.name()).or_insert(0) += 1;
            }
        }
        for k in Kind::ALL {
            assert_eq!(seen.get(k.name()), Some(&1), "{}", k.name());
        }
        assert_eq!(seen.len(), Kind::ALL.len());
    }

    /// Every capture under `tests/captures/<kind>/` — real outputs, named as
    /// a host names the file — is recognised as its kind and read (a fact or
    /// a note), and no prefix of it (a truncated copy) makes a parser panic.
    #[test]
    #[allow(clippy::disallowed_methods)] // the crate's own small test data
    fn every_parser_reads_its_captures_and_their_prefixes() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/captures");
        let mut read = 0;
        for p in PARSERS {
            for &kind in p.kinds() {
                let dir = root.join(kind.name());
                let Ok(rd) = std::fs::read_dir(&dir) else {
                    continue;
                };
                let mut files: Vec<_> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
                files.sort();
                for f in files {
                    let name = f.file_name().unwrap().to_string_lossy().into_owned();
                    let text = std::fs::read_to_string(&f).unwrap();
                    assert_eq!(recognise(&name, &text), Some(kind), "{}", f.display());
                    let st = crate::parse(kind, &text);
                    assert!(
                        !st.facts.is_empty() || !st.notes.is_empty(),
                        "{}: nothing read",
                        f.display()
                    );
                    // Every prefix for small captures, a spread for big ones.
                    let step = (text.len() / 2000).max(1);
                    for cut in (0..text.len()).step_by(step) {
                        if text.is_char_boundary(cut) {
                            let _ = crate::parse(kind, &text[..cut]);
                            let _ = recognise(&name, &text[..cut]);
                        }
                    }
                    read += 1;
                }
            }
        }
        eprintln!("{read} captures read");
    }

    #[test]
    fn a_domain_xml_naming_a_multipath_disk_is_a_domain() {
        let xml = "<domain type='kvm'>\n  <name>instance-0000001c</name>\n  <devices>\n    <disk type='block' device='disk'>\n      <source dev='/dev/disk/by-id/dm-uuid-mpath-3600a098038304437415d4b6a59684a52'/>\n      <target dev='vdb' bus='virtio'/>\n      <serial>9d9074a3-2f80-4db2-be3a-3f8a65c426c3</serial>\n    </disk>\n  </devices>\n</domain>\n";
        assert_eq!(
            recognise("etc/libvirt/qemu/instance-0000001c.xml", xml),
            Some(Kind::DomainXml)
        );
    }

    /// A command that did not run leaves its message, not an empty
    /// listing: a note saying it failed, no fact, no finding (real lines:
    /// hotsos ceph-mon in LXD, insights `Ps_BAD`, `LSBLK_INVALID_OPTION`,
    /// virsh `ERROR`).
    #[test]
    fn a_command_that_failed_is_a_note_not_an_empty_listing() {
        let cases = [
            (
                "sos_commands/multipath/multipath_-ll",
                "/dev/mapper/control: mknod failed: Operation not permitted\nFailure to communicate with kernel device-mapper driver.\nCheck that device-mapper is available in the kernel.\nIncompatible libdevmapper 1.02.167 (2019-11-30) and kernel driver (unknown version).\n",
                Kind::MultipathLl,
                "mknod failed: Operation not permitted",
            ),
            (
                "sos_commands/process/ps_auxww",
                "/bin/ps: command or file not found\n",
                Kind::Ps,
                "/bin/ps: command or file not found",
            ),
            (
                "sos_commands/block/lsblk_-P",
                "/bin/lsblk: invalid option -- 'P'\n\nUsage:\n lsblk [options] [<device> ...]\n\nOptions:\n -a, --all            print all devices\n",
                Kind::Lsblk,
                "invalid option -- 'P'",
            ),
            (
                "sos_commands/virsh/virsh_list_--all",
                "error: Failed to reconnect to the hypervisor\nerror: no valid connection\nerror: internal error Unable to locate libvirtd daemon in /usr/sbin (to override, set $LIBVIRTD_PATH to the name of the libvirtd binary)\n",
                Kind::VirshList,
                "Unable to locate libvirtd daemon",
            ),
        ];
        for (path, text, kind, said) in cases {
            assert_eq!(recognise(path, text), Some(kind), "{path}");
            let st = parse(kind, text);
            assert!(
                st.facts.is_empty() && st.checks.is_empty(),
                "{path}: {st:?}"
            );
            assert_eq!(st.notes.len(), 1, "{path}: {:?}", st.notes);
            assert!(
                st.notes[0].starts_with("the command failed: ") && st.notes[0].contains(said),
                "{path}: {:?}",
                st.notes
            );
            assert!(!st.notes[0].contains("Usage"), "{:?}", st.notes);
        }
        // A saved copy keeps the command in its name.
        let failed = cases[0].1;
        assert_eq!(
            recognise("multipath_-ll__node3.txt", failed),
            Some(Kind::MultipathLl)
        );
        assert_eq!(
            recognise("multipath_-v4_-ll.txt", failed),
            Some(Kind::MultipathLl)
        );
    }

    /// Messages beside a listing, or a listing that is empty, are not a
    /// failure.
    #[test]
    fn warnings_and_empty_listings_are_not_failures() {
        for text in [
            "Feb 10 16:19:25 | bcache0: HDIO_GETGEO failed with 25\nFeb 10 16:19:25 | bcache1: HDIO_GETGEO failed with 25\n",
            "No devices found\n",
            "iscsiadm: No active sessions.\n",
            " Id   Name   State\n--------------------\n\n",
            "",
        ] {
            assert_eq!(command_failure(text), None, "{text:?}");
        }
        let st = parse(
            Kind::MultipathLl,
            "Feb 10 16:19:25 | bcache0: HDIO_GETGEO failed with 25\n",
        );
        assert!(st.notes.iter().all(|n| !n.contains("the command failed")));
    }
}
