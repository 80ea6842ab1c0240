//! Guests inside a hypervisor's evidence.
//!
//! A bundle often holds a guest's own log next to its hypervisor's: a
//! central syslog's lines of the instance, the guest's `messages`. Those
//! lines carry the guest's host name (`app-web-01`), which nothing on the
//! hypervisor's side says — so they look like another host, and nothing
//! joins them to the qemu process, the domain or the volume they depend on.
//!
//! Host state does say it: a Nova domain's XML carries the instance's
//! display name (`<nova:name>`, from which Nova derives the guest's
//! hostname) beside the instance UUID; `openstack server list/show` pairs
//! names with ids (and the compute host); `virsh list` names libvirt
//! domains, which outside Nova are usually named like the guest. A domain's
//! `<disk>` tells which guest device (`<target dev='vda'>`) is which volume.
//!
//! [`guests`] reads that mapping from the facts; the engine then gives each
//! line of a known guest its instance as an identity, and each of the
//! guest's devices the volume behind it, so that the guest's I/O errors join
//! the hypervisor's incident through the identity graph — never by being
//! close in time.

use std::collections::HashMap;

use rootline_hoststate::Fact;

use crate::HostFact;

/// One guest as the hypervisor's state describes it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Guest {
    /// The hypervisor's host name as its evidence spells it (the host of
    /// the facts), when known.
    pub hypervisor: Option<String>,
    pub instance: Option<String>,
    pub domain: Option<String>,
    pub disks: Vec<GuestDisk>,
}

/// A disk of a guest: the device the guest sees and what backs it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GuestDisk {
    /// libvirt's `<target dev=…>`: what the guest names the disk (virtio
    /// disks enumerate in target order, so `vda` in the XML is the guest's
    /// `vda`).
    pub target: String,
    /// The volume (serial, or the UUID in a `volume-<uuid>` source).
    pub volume: Option<String>,
    /// The LUN, when the source is a `/dev/disk/by-id` name.
    pub wwid: Option<String>,
    pub source: String,
    /// Where the disk was read (for the synthetic event's source).
    pub file: String,
    pub line: u64,
}

/// The key a guest name is matched by: Nova makes a guest's hostname from
/// its display name (lower case; spaces and underscores become `-`; other
/// characters dropped), and syslog shows the short name.
pub fn guest_key(name: &str) -> String {
    let lower = name.trim().to_ascii_lowercase();
    let short = lower.split('.').next().unwrap_or("");
    let k: String = short
        .chars()
        .filter_map(|c| match c {
            ' ' | '_' => Some('-'),
            c if c.is_ascii_alphanumeric() || c == '-' => Some(c),
            _ => None,
        })
        .collect();
    k.trim_matches('-').to_string()
}

fn text(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty() && !matches!(*s, "None" | "null" | "-"))
        .map(str::to_string)
}

/// Guests by [`guest_key`], from the host-state facts.
pub fn guests(facts: &[HostFact<'_>]) -> HashMap<String, Guest> {
    let mut list: Vec<(Vec<String>, Guest)> = Vec::new();
    let hosts: Vec<&str> = facts.iter().filter_map(|f| f.host).collect();
    // A compute host as the API names it (`cmp03.example.com`) spelled as
    // the evidence does (`cmp03`), or not at all.
    let known_host = |h: &str| {
        hosts
            .iter()
            .find(|k| guest_key(k) == guest_key(h))
            .map(|k| k.to_string())
    };
    // Domains (XML): the display name and the domain name.
    for (hf, f) in facts.iter().filter_map(|hf| match hf.fact {
        Fact::Domain(d) => Some((hf, d)),
        _ => None,
    }) {
        let mut names = Vec::new();
        names.extend(text(&f.display_name));
        names.extend(text(&f.name));
        list.push((
            names,
            Guest {
                hypervisor: hf.host.map(str::to_string),
                instance: text(&f.uuid).map(|u| u.to_ascii_lowercase()),
                domain: text(&f.name),
                disks: Vec::new(),
            },
        ));
    }
    // Running qemu processes: a domain and its instance.
    for (hf, f) in facts.iter().filter_map(|hf| match hf.fact {
        Fact::QemuProcess(q) => Some((hf, q)),
        _ => None,
    }) {
        let (dom, inst) = (text(&f.domain), text(&f.instance));
        if dom.is_none() {
            continue;
        }
        match list.iter_mut().find(|(_, g)| g.domain == dom) {
            Some((_, g)) => {
                if g.instance.is_none() {
                    g.instance = inst;
                }
            }
            None => list.push((
                dom.clone().into_iter().collect(),
                Guest {
                    hypervisor: hf.host.map(str::to_string),
                    instance: inst,
                    domain: dom,
                    disks: Vec::new(),
                },
            )),
        }
    }
    // OpenStack servers: name ↔ id, and the compute host when shown.
    for f in facts.iter().filter_map(|hf| match hf.fact {
        Fact::Server(s) => Some(s),
        _ => None,
    }) {
        let Some(name) = text(&f.name) else {
            continue;
        };
        let id = text(&f.uuid).or_else(|| text(&f.id).and_then(|i| crate::identity::find_uuid(&i)));
        let hyp = text(&f.host)
            .or_else(|| text(&f.hypervisor_hostname))
            .and_then(|h| known_host(&h));
        let domain = text(&f.instance_name);
        match list
            .iter_mut()
            .find(|(_, g)| id.is_some() && g.instance == id)
        {
            Some((names, _)) => names.push(name),
            None => list.push((
                vec![name],
                Guest {
                    hypervisor: hyp,
                    instance: id,
                    domain,
                    disks: Vec::new(),
                },
            )),
        }
    }
    // virsh list: libvirt domains, which outside Nova are usually named
    // like the guest.
    for (hf, f) in facts.iter().filter_map(|hf| match hf.fact {
        Fact::VirshDomain(v) => Some((hf, v)),
        _ => None,
    }) {
        let Some(name) = text(&f.name) else {
            continue;
        };
        if !list
            .iter()
            .any(|(_, g)| g.domain.as_deref() == Some(name.as_str()))
        {
            list.push((
                vec![name.clone()],
                Guest {
                    hypervisor: hf.host.map(str::to_string),
                    instance: None,
                    domain: Some(name),
                    disks: Vec::new(),
                },
            ));
        }
    }
    // The disks of each domain.
    for (hf, f) in facts.iter().filter_map(|hf| match hf.fact {
        Fact::DomainDisk(d) => Some((hf, d)),
        _ => None,
    }) {
        let Some(target) = text(&f.target) else {
            continue;
        };
        let inst = text(&f.instance).map(|u| u.to_ascii_lowercase());
        let dom = text(&f.domain);
        let Some((_, g)) = list.iter_mut().find(|(_, g)| {
            (inst.is_some() && g.instance == inst)
                || (dom.is_some() && g.domain == dom && g.hypervisor.as_deref() == hf.host)
        }) else {
            continue;
        };
        let source = text(&f.source).unwrap_or_default();
        let volume = text(&f.serial)
            .and_then(|s| crate::identity::find_uuid(&s))
            .or_else(|| crate::identity::find_uuid(source.rsplit('/').next().unwrap_or("")));
        let wwid = source
            .rsplit('/')
            .next()
            .and_then(|b| {
                b.strip_prefix("dm-uuid-mpath-")
                    .or_else(|| b.strip_prefix("scsi-"))
            })
            .map(str::to_string);
        if !g.disks.iter().any(|d| d.target == target) {
            g.disks.push(GuestDisk {
                target,
                volume,
                wwid,
                source,
                file: hf.file.to_string(),
                line: f.line,
            });
        }
    }
    let mut out: HashMap<String, Guest> = HashMap::new();
    for (names, g) in list {
        for n in names {
            let k = guest_key(&n);
            // A hypervisor is not its own guest.
            if k.is_empty() || hosts.iter().any(|h| guest_key(h) == k) {
                continue;
            }
            out.entry(k).or_insert_with(|| g.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rootline_hoststate::Fact;
    use serde_json::json;

    #[test]
    fn guest_names_as_nova_makes_hostnames() {
        assert_eq!(guest_key("app-web-01"), "app-web-01");
        assert_eq!(guest_key("App_Web 01"), "app-web-01");
        assert_eq!(guest_key("app-web-01.novalocal"), "app-web-01");
        assert_eq!(guest_key("  "), "");
    }

    #[test]
    fn a_nova_domain_maps_its_display_name_and_disks() {
        let dom = Fact::of(
            &json!({"type": "domain", "line": 1, "name": "instance-000000a3",
            "uuid": "5E0A2C1B-84D7-4F3E-9B61-2C7D8E9FA041", "display-name": "app-web-01"}),
        );
        let disk = Fact::of(
            &json!({"type": "domain-disk", "line": 16, "domain": "instance-000000a3",
            "instance": "5e0a2c1b-84d7-4f3e-9b61-2c7d8e9fa041", "target": "vda",
            "serial": "9d9074a3-2f80-4db2-be3a-3f8a65c426c3",
            "source": "/var/lib/nova/mnt/63bf/volume-9d9074a3-2f80-4db2-be3a-3f8a65c426c3"}),
        );
        let facts = [
            HostFact {
                file: "etc/libvirt/qemu/instance-000000a3.xml",
                host: Some("cmp03.example.com"),
                fact: &dom,
            },
            HostFact {
                file: "etc/libvirt/qemu/instance-000000a3.xml",
                host: Some("cmp03.example.com"),
                fact: &disk,
            },
        ];
        let g = guests(&facts);
        let a = &g["app-web-01"];
        assert_eq!(a.hypervisor.as_deref(), Some("cmp03.example.com"));
        assert_eq!(
            a.instance.as_deref(),
            Some("5e0a2c1b-84d7-4f3e-9b61-2c7d8e9fa041")
        );
        assert_eq!(a.disks[0].target, "vda");
        assert_eq!(
            a.disks[0].volume.as_deref(),
            Some("9d9074a3-2f80-4db2-be3a-3f8a65c426c3")
        );
        // The domain name maps too (libvirt without Nova).
        assert!(g.contains_key("instance-000000a3"));
        // The hypervisor is never its own guest.
        assert!(!g.contains_key("cmp03"));
    }

    #[test]
    fn openstack_servers_name_instances_and_compute_hosts() {
        let srv = Fact::of(&json!({"type": "server", "line": 4, "name": "k8s-worker-1",
            "id": "6c59b812-2d8d-4da5-92d6-6bbe527926d6",
            "uuid": "6c59b812-2d8d-4da5-92d6-6bbe527926d6",
            "os_ext_srv_attr:host": "compute.example.org"}));
        let other = Fact::of(&json!({"type": "process", "line": 2}));
        let facts = [
            HostFact {
                file: "openstack-server-show.txt",
                host: Some("controller"),
                fact: &srv,
            },
            HostFact {
                file: "ps",
                host: Some("compute"),
                fact: &other,
            },
        ];
        let g = guests(&facts);
        let w = &g["k8s-worker-1"];
        assert_eq!(w.hypervisor.as_deref(), Some("compute"));
        assert_eq!(
            w.instance.as_deref(),
            Some("6c59b812-2d8d-4da5-92d6-6bbe527926d6")
        );
    }
}
