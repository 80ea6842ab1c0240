//! Disks and their health: smartctl (ATA/SATA and NVMe, text and -j), nvme smart-log / error-log / list.
//!
//! Kinds owned here: Smartctl, SmartctlJson, NvmeSmartLog, NvmeErrorLog, NvmeList.

use crate::HostState;
use crate::parsers::Kind;

pub(crate) fn recognise(rel_path: &str, sample: &str) -> Option<Kind> {
    let _ = (rel_path, sample);
    None
}

pub(crate) fn parse(kind: Kind, text: &str) -> Option<HostState> {
    let _ = (kind, text);
    None
}
