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
}

/// Recognise a file from its name (a hint: `sos_commands/multipath/multipath_-ll`)
/// and its first bytes (up to 64 KiB, possibly cut mid-line). `None`: not
/// host state (a log, or unknown). Content wins over the name: a pasted
/// `smartctl -a` excerpt saved as `notes.txt` is recognised.
pub fn recognise(rel_path: &str, sample: &str) -> Option<Kind> {
    crate::sos::recognise(rel_path, sample)
        .or_else(|| crate::disks::recognise(rel_path, sample))
        .or_else(|| crate::block::recognise(rel_path, sample))
        .or_else(|| crate::virt::recognise(rel_path, sample))
        .or_else(|| crate::system::recognise(rel_path, sample))
}

pub(crate) fn parse(kind: Kind, text: &str) -> HostState {
    let mut st = crate::sos::parse(kind, text)
        .or_else(|| crate::disks::parse(kind, text))
        .or_else(|| crate::block::parse(kind, text))
        .or_else(|| crate::virt::parse(kind, text))
        .or_else(|| crate::system::parse(kind, text))
        .unwrap_or_default();
    st.kind = Some(kind.name());
    st
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
        }
    }
}
