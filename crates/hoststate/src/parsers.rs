//! Recognition and dispatch. Each family of outputs lives in its own module.

use crate::HostState;

/// A kind of command output or configuration file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    // Disks and health (module `disks`).
    Smartctl,
    SmartctlJson,
    NvmeSmartLog,
    NvmeErrorLog,
    NvmeList,
    // Memory, load, temperatures (module `system`).
    Free,
    Meminfo,
    Vmstat,
    Top,
    Uptime,
    Sensors,
    Uname,
    Date,
    // Block stack (module `block`).
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
    // Virtualisation, OpenStack, files, configuration (module `virt`).
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
    // The sosreport itself (module `sos`).
    SosManifest,
    // rootline's own bundle: snapshot and manifest (module `live`).
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
        return crate::virt::recognise(rel_path, sample);
    }
    crate::live::recognise(rel_path, sample)
        .or_else(|| crate::sos::recognise(rel_path, sample))
        .or_else(|| crate::disks::recognise(rel_path, sample))
        .or_else(|| crate::block::recognise(rel_path, sample))
        .or_else(|| crate::virt::recognise(rel_path, sample))
        .or_else(|| crate::system::recognise(rel_path, sample))
}

pub(crate) fn parse(kind: Kind, text: &str) -> HostState {
    let mut st = crate::live::parse(kind, text)
        .or_else(|| crate::sos::parse(kind, text))
        .or_else(|| crate::disks::parse(kind, text))
        .or_else(|| crate::block::parse(kind, text))
        .or_else(|| crate::virt::parse(kind, text))
        .or_else(|| crate::system::parse(kind, text))
        .unwrap_or_default();
    st.kind = Some(kind.name());
    keep_fact_lines(&mut st, text);
    st
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

    #[test]
    fn a_domain_xml_naming_a_multipath_disk_is_a_domain() {
        let xml = "<domain type='kvm'>\n  <name>instance-0000001c</name>\n  <devices>\n    <disk type='block' device='disk'>\n      <source dev='/dev/disk/by-id/dm-uuid-mpath-3600a098038304437415d4b6a59684a52'/>\n      <target dev='vdb' bus='virtio'/>\n      <serial>9d9074a3-2f80-4db2-be3a-3f8a65c426c3</serial>\n    </disk>\n  </devices>\n</domain>\n";
        assert_eq!(
            recognise("etc/libvirt/qemu/instance-0000001c.xml", xml),
            Some(Kind::DomainXml)
        );
    }
}
