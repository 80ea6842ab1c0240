//! Typed facts: what other crates read of host state.
//!
//! The parsers record facts as JSON objects (the document's `host[].facts`,
//! docs/json-schema.md); every crate outside this one reads them through
//! these types, never by string key, so a renamed field is a compile error
//! here rather than a silent `null` in the engine. [`Fact::of`] reads one
//! fact leniently: a field of an unexpected JSON type reads as absent, never
//! as a lost fact.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// The facts other crates use, by their `type`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Fact {
    MultipathMap(MultipathMap),
    DmDevice(DmDevice),
    BlockDevice(BlockDevice),
    LoopDevice(LoopDevice),
    Disk(Disk),
    Memory(Memory),
    Process(Process),
    QemuProcess(QemuProcess),
    Domain(Domain),
    DomainDisk(DomainDisk),
    VirshDomain(VirshDomain),
    Server(Server),
    /// A fact no crate outside host state reads.
    #[serde(other)]
    Other,
}

impl Fact {
    /// Read a fact; one that does not fit its type's shape reads as
    /// `Other` (the lenient fields make that rare: a number where text was
    /// expected reads as text).
    pub fn of(v: &Value) -> Fact {
        Fact::deserialize(v).unwrap_or(Fact::Other)
    }
}

/// `multipath -ll` / `multipathd show topology` / rootline's snapshot.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct MultipathMap {
    #[serde(deserialize_with = "text")]
    pub name: Option<String>,
    #[serde(deserialize_with = "text")]
    pub wwid: Option<String>,
    /// The map's own device (`dm-21`).
    #[serde(deserialize_with = "text")]
    pub dm: Option<String>,
    #[serde(deserialize_with = "list")]
    pub paths: Vec<MapPath>,
    #[serde(deserialize_with = "line")]
    pub line: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct MapPath {
    #[serde(deserialize_with = "text")]
    pub device: Option<String>,
    #[serde(deserialize_with = "text")]
    pub devnum: Option<String>,
}

/// `dmsetup info` / `dmsetup ls` / rootline's snapshot.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct DmDevice {
    #[serde(deserialize_with = "text")]
    pub name: Option<String>,
    #[serde(deserialize_with = "line")]
    pub line: u64,
}

/// `lsblk`, `/proc/partitions`, rootline's snapshot.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct BlockDevice {
    #[serde(deserialize_with = "text")]
    pub name: Option<String>,
    /// `disk`, `part`, `mpath`, `lvm`…
    #[serde(deserialize_with = "text")]
    pub dev_type: Option<String>,
    #[serde(deserialize_with = "line")]
    pub line: u64,
}

/// `losetup` / rootline's snapshot.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct LoopDevice {
    #[serde(deserialize_with = "text")]
    pub device: Option<String>,
    #[serde(deserialize_with = "text")]
    pub backing_file: Option<String>,
    #[serde(deserialize_with = "flag")]
    pub deleted: bool,
    #[serde(deserialize_with = "line")]
    pub line: u64,
}

/// `smartctl` / `nvme smart-log`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Disk {
    #[serde(deserialize_with = "text")]
    pub device: Option<String>,
    #[serde(deserialize_with = "text")]
    pub model: Option<String>,
    /// `PASSED`, `FAILED`…
    #[serde(deserialize_with = "text")]
    pub health: Option<String>,
    #[serde(deserialize_with = "line")]
    pub line: u64,
}

/// `free`, `/proc/meminfo`, `top`: sizes in MiB.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Memory {
    #[serde(deserialize_with = "number")]
    pub total: Option<f64>,
    #[serde(deserialize_with = "number")]
    pub available: Option<f64>,
    #[serde(deserialize_with = "number")]
    pub swap_total: Option<f64>,
    #[serde(deserialize_with = "number")]
    pub swap_used: Option<f64>,
    #[serde(deserialize_with = "line")]
    pub line: u64,
}

/// `ps` / rootline's task snapshot.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Process {
    #[serde(deserialize_with = "text")]
    pub pid: Option<String>,
    #[serde(deserialize_with = "text")]
    pub task: Option<String>,
    /// `ps`'s STAT (`D`, `Dl`, `Z`, `S`…).
    #[serde(deserialize_with = "text")]
    pub state: Option<String>,
    #[serde(deserialize_with = "line")]
    pub line: u64,
}

/// A qemu process's command line: its domain, instance and disks.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct QemuProcess {
    #[serde(deserialize_with = "text")]
    pub pid: Option<String>,
    #[serde(deserialize_with = "text")]
    pub domain: Option<String>,
    #[serde(deserialize_with = "text")]
    pub instance: Option<String>,
    #[serde(deserialize_with = "texts")]
    pub wwids: Vec<String>,
    #[serde(deserialize_with = "texts")]
    pub serials: Vec<String>,
    #[serde(deserialize_with = "texts")]
    pub disks: Vec<String>,
    #[serde(deserialize_with = "line")]
    pub line: u64,
}

/// A libvirt domain (XML).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Domain {
    #[serde(deserialize_with = "text")]
    pub name: Option<String>,
    #[serde(deserialize_with = "text")]
    pub uuid: Option<String>,
    /// Nova's `<nova:name>`: the guest's own name.
    #[serde(rename = "display-name", deserialize_with = "text")]
    pub display_name: Option<String>,
    #[serde(deserialize_with = "line")]
    pub line: u64,
}

/// One disk of a libvirt domain.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct DomainDisk {
    #[serde(deserialize_with = "text")]
    pub domain: Option<String>,
    #[serde(deserialize_with = "text")]
    pub instance: Option<String>,
    #[serde(deserialize_with = "text")]
    pub target: Option<String>,
    #[serde(deserialize_with = "text")]
    pub source: Option<String>,
    #[serde(deserialize_with = "text")]
    pub serial: Option<String>,
    #[serde(deserialize_with = "line")]
    pub line: u64,
}

/// `virsh list`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct VirshDomain {
    #[serde(deserialize_with = "text")]
    pub name: Option<String>,
    #[serde(deserialize_with = "text")]
    pub state: Option<String>,
    #[serde(deserialize_with = "line")]
    pub line: u64,
}

/// An OpenStack server (`openstack server show/list`, `nova show`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Server {
    #[serde(deserialize_with = "text")]
    pub name: Option<String>,
    #[serde(deserialize_with = "text")]
    pub id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub uuid: Option<String>,
    #[serde(deserialize_with = "text")]
    pub status: Option<String>,
    #[serde(rename = "os_ext_srv_attr:host", deserialize_with = "text")]
    pub host: Option<String>,
    #[serde(
        rename = "os_ext_srv_attr:hypervisor_hostname",
        deserialize_with = "text"
    )]
    pub hypervisor_hostname: Option<String>,
    #[serde(rename = "os_ext_srv_attr:instance_name", deserialize_with = "text")]
    pub instance_name: Option<String>,
    #[serde(deserialize_with = "line")]
    pub line: u64,
}

/// Text: a string, or a number written as one; anything else is absent.
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

fn texts<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(a) => a
            .into_iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    })
}

fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

fn line<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(Value::deserialize(d)?.as_u64().unwrap_or(0))
}

fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(matches!(Value::deserialize(d)?, Value::Bool(true)))
}

fn list<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(a) => a
            .into_iter()
            .filter_map(|v| T::deserialize(v).ok())
            .collect(),
        _ => Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lenient_reading() {
        let f = Fact::of(
            &json!({"type": "multipath-map", "line": 3, "name": "mpatha",
            "wwid": 7, "paths": [{"device": "sdb"}, {"device": null}, 5]}),
        );
        let Fact::MultipathMap(m) = f else {
            panic!("{f:?}")
        };
        assert_eq!(m.name.as_deref(), Some("mpatha"));
        assert_eq!(m.wwid.as_deref(), Some("7"));
        assert_eq!(m.paths.len(), 2);
        assert_eq!(m.paths[1].device, None);
        assert_eq!(Fact::of(&json!({"type": "vmstat", "line": 1})), Fact::Other);
        assert_eq!(Fact::of(&json!("not an object")), Fact::Other);
        let Fact::Server(s) = Fact::of(&json!({"type": "server", "name": "web-1",
            "os_ext_srv_attr:host": "cmp03", "line": "x"}))
        else {
            panic!()
        };
        assert_eq!(s.host.as_deref(), Some("cmp03"));
    }
}
