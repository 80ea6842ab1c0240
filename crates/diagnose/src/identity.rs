//! The identity graph: which events concern the same thing.
//!
//! Every event contributes the entities its typed fields name (a device, a
//! `major:minor`, a map, a WWID, a UUID, a domain, a process, a pod, a
//! container, an NFS server); the entities of one event are joined, and so
//! are the names the kernel fixes by rule (`sdt` is `65:48`, `dm-21` is
//! `253:21`, `sdb1` is a partition of `sdb`). Two events are linked only when
//! their entities fall in one group — never because they are close in time.
//!
//! Host-local names (devices, maps, processes) are keyed by host; UUIDs,
//! WWIDs and container ids are global.

use std::collections::{BTreeMap, HashMap};

use rootline_model::{Event, FieldKind, FieldValue};

/// What an entity is, for reports and placeholders.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntityKind {
    Device,
    DevNum,
    Map,
    Wwid,
    Volume,
    Instance,
    Uuid,
    Domain,
    Process,
    Pod,
    Container,
    NfsServer,
    Path,
}

impl EntityKind {
    /// The placeholder name (plural) in cause templates.
    pub fn plural(self) -> &'static str {
        match self {
            EntityKind::Device => "devices",
            EntityKind::DevNum => "devnums",
            EntityKind::Map => "maps",
            EntityKind::Wwid => "wwids",
            EntityKind::Volume => "volumes",
            EntityKind::Instance => "instances",
            EntityKind::Uuid => "uuids",
            EntityKind::Domain => "domains",
            EntityKind::Process => "processes",
            EntityKind::Pod => "pods",
            EntityKind::Container => "containers",
            EntityKind::NfsServer => "nfs_servers",
            EntityKind::Path => "paths",
        }
    }

    /// The singular name used by `each = "…"` and `{map}`-style placeholders.
    pub fn singular(self) -> &'static str {
        match self {
            EntityKind::Device => "device",
            EntityKind::DevNum => "devnum",
            EntityKind::Map => "map",
            EntityKind::Wwid => "wwid",
            EntityKind::Volume => "volume",
            EntityKind::Instance => "instance",
            EntityKind::Uuid => "uuid",
            EntityKind::Domain => "domain",
            EntityKind::Process => "process",
            EntityKind::Pod => "pod",
            EntityKind::Container => "container",
            EntityKind::NfsServer => "nfs_server",
            EntityKind::Path => "path",
        }
    }

    pub const ALL: [EntityKind; 13] = [
        EntityKind::Device,
        EntityKind::DevNum,
        EntityKind::Map,
        EntityKind::Wwid,
        EntityKind::Volume,
        EntityKind::Instance,
        EntityKind::Uuid,
        EntityKind::Domain,
        EntityKind::Process,
        EntityKind::Pod,
        EntityKind::Container,
        EntityKind::NfsServer,
        EntityKind::Path,
    ];
}

/// An entity as it appears in reports: kind and display value.
pub type Entity = (EntityKind, String);

/// The SCSI disk name for a `major:minor` of the sd driver, by the kernel's
/// fixed numbering (sda = 8:0, sdq = 65:0, … 16 minors per disk).
fn sd_name(major: u32, minor: u32) -> Option<String> {
    let block = match major {
        8 => 0,
        65..=71 => major - 65 + 1,
        128..=135 => major - 128 + 8,
        _ => return None,
    };
    if !minor.is_multiple_of(16) {
        return None; // a partition: not worth guessing its number
    }
    let index = block * 16 + minor / 16;
    Some(format!("sd{}", sd_letters(index)))
}

/// `0 → a`, `25 → z`, `26 → aa`: the kernel's disk-name letters.
fn sd_letters(mut n: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'a' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The inverse: `sdt` → `65:48`.
fn sd_devnum(name: &str) -> Option<(u32, u32)> {
    let letters = name.strip_prefix("sd")?;
    if letters.is_empty() || !letters.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let mut index: u32 = 0;
    for b in letters.bytes() {
        index = index.checked_mul(26)?.checked_add((b - b'a') as u32 + 1)?;
    }
    let index = index - 1;
    let block = index / 16;
    let major = match block {
        0 => 8,
        1..=7 => 64 + block,
        8..=15 => 128 + block - 8,
        _ => return None,
    };
    Some((major, (index % 16) * 16))
}

/// The whole-disk name of a partition (`sdb1` → `sdb`, `nvme0n1p2` → `nvme0n1`).
fn parent_disk(dev: &str) -> Option<&str> {
    if dev.starts_with("nvme") {
        let p = dev.rfind('p')?;
        return (dev[p + 1..].bytes().all(|b| b.is_ascii_digit()) && dev[..p].contains('n'))
            .then(|| &dev[..p]);
    }
    if dev.starts_with("sd") || dev.starts_with("vd") || dev.starts_with("xvd") {
        let t = dev.trim_end_matches(|c: char| c.is_ascii_digit());
        return (t.len() < dev.len()).then_some(t);
    }
    None
}

/// The WWID in a `/dev/disk/by-id` name: `dm-uuid-mpath-3600a0…`,
/// `scsi-3600a0…`, `wwn-0x600a0…` (the `3` NAA prefix and `0x` dropped, so
/// the three spellings of one LUN meet).
fn by_id_wwid(path: &str) -> Option<String> {
    let name = path.rsplit('/').next()?;
    let raw = name
        .strip_prefix("dm-uuid-mpath-")
        .or_else(|| name.strip_prefix("scsi-"))
        .or_else(|| name.strip_prefix("wwn-0x"))?;
    let raw = raw.split("-part").next()?;
    let hex = if name.starts_with("wwn-0x") {
        raw
    } else {
        raw.strip_prefix('3').unwrap_or(raw)
    };
    (hex.len() >= 16 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| hex.to_ascii_lowercase())
}

/// A WWID in one spelling: lower case, without the NAA type-3 prefix that
/// `multipath -ll` and `scsi-` names carry (`3600a09…` = `600a09…`).
fn normal_wwid(w: &str) -> String {
    let w = w.trim().to_ascii_lowercase();
    match w.strip_prefix('3') {
        Some(rest) if rest.len() == 32 && rest.bytes().all(|b| b.is_ascii_hexdigit()) => {
            rest.to_string()
        }
        _ => w,
    }
}

/// The first UUID-shaped substring (`volume-9d90…` → `9d90…`).
pub(crate) fn find_uuid(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 36 {
        return None;
    }
    (0..=b.len() - 36).find_map(|i| {
        let c = &b[i..i + 36];
        let ok = c.iter().enumerate().all(|(j, &x)| match j {
            8 | 13 | 18 | 23 => x == b'-',
            _ => x.is_ascii_hexdigit(),
        });
        ok.then(|| s[i..i + 36].to_ascii_lowercase())
    })
}

/// The entities an event names, by its signature's field kinds.
pub fn entities(e: &Event, kinds: &[(String, FieldKind)]) -> Vec<Entity> {
    let mut out: Vec<Entity> = Vec::new();
    let kind_of = |name: &str| kinds.iter().find(|(n, _)| n == name).map(|(_, k)| *k);
    let dm_context = e.component == "device-mapper" || e.signature.starts_with("multipath");
    let mut task: Option<String> = None;
    let mut pid: Option<String> = None;
    for (name, value) in &e.fields {
        let text = value.to_string();
        // `domain` is added by the scanner to lines of a libvirt domain log
        // (the file is named after the domain); it has no catalog kind.
        let Some(kind) = kind_of(name).or((name == "domain").then_some(FieldKind::Domain)) else {
            continue;
        };
        match kind {
            FieldKind::Device => {
                let dev = text.trim_start_matches("/dev/").to_string();
                // qemu's drive aliases are per domain, not host devices.
                if dev.starts_with("drive-") || dev.is_empty() {
                    continue;
                }
                if let Some(p) = parent_disk(&dev) {
                    out.push((EntityKind::Device, p.to_string()));
                }
                if let Some((ma, mi)) = sd_devnum(&dev) {
                    out.push((EntityKind::DevNum, format!("{ma}:{mi}")));
                }
                out.push((EntityKind::Device, dev));
            }
            FieldKind::DevNum => {
                if let FieldValue::DevNum { major, minor } = value {
                    if let Some(sd) = sd_name(*major, *minor) {
                        out.push((EntityKind::Device, sd));
                    }
                    // device-mapper's dynamic major is 252–254 in practice;
                    // only trust it where the line is about device-mapper.
                    if dm_context && (name == "dm" || (252..=254).contains(major)) {
                        out.push((EntityKind::Device, format!("dm-{minor}")));
                    }
                }
                out.push((EntityKind::DevNum, text));
            }
            FieldKind::Map => out.push((EntityKind::Map, text)),
            FieldKind::Wwid => out.push((EntityKind::Wwid, normal_wwid(&text))),
            FieldKind::Uuid => {
                let k = if name.contains("volume") {
                    EntityKind::Volume
                } else if name.contains("instance") {
                    EntityKind::Instance
                } else {
                    EntityKind::Uuid
                };
                out.push((k, text.to_ascii_lowercase()));
            }
            FieldKind::Domain => out.push((EntityKind::Domain, text)),
            FieldKind::Pod => {
                let short = text.rsplit('/').next().unwrap_or(&text).to_string();
                out.push((EntityKind::Pod, short));
            }
            FieldKind::Container => {
                // Runtimes print ids at 12, 13 or 64 characters.
                let id: String = text.chars().take(12).collect();
                out.push((EntityKind::Container, id));
            }
            // Host fields name NFS servers on NFS lines; elsewhere (a node
            // name in a kubelet line) they are not an identity of their own.
            FieldKind::Host if e.component == "nfs" => out.push((EntityKind::NfsServer, text)),
            FieldKind::Path => {
                if let Some(u) = find_uuid(&text) {
                    out.push((EntityKind::Volume, u));
                }
                if let Some(w) = by_id_wwid(&text) {
                    out.push((EntityKind::Wwid, w));
                }
                if let Some(dev) = text.strip_prefix("/dev/") {
                    out.push((EntityKind::Device, dev.to_string()));
                } else {
                    out.push((EntityKind::Path, text));
                }
            }
            FieldKind::Task => task = Some(text),
            FieldKind::Pid => pid = Some(text),
            _ => {}
        }
    }
    // A process is its name *and* pid: names alone (qemu-kvm, virsh) repeat.
    // The kernel keeps 15 characters of a task's name (TASK_COMM_LEN), so
    // `ps`'s qemu-system-x86_64 is the hung-task report's qemu-system-x86.
    if let (Some(t), Some(p)) = (task, pid) {
        let comm: String = t.chars().take(15).collect();
        out.push((EntityKind::Process, format!("{comm}:{p}")));
    }
    out.sort();
    out.dedup();
    out
}

fn is_global(k: EntityKind) -> bool {
    matches!(
        k,
        EntityKind::Wwid
            | EntityKind::Volume
            | EntityKind::Instance
            | EntityKind::Uuid
            | EntityKind::Container
    )
}

/// Union-find over entity keys.
#[derive(Default)]
pub struct Graph {
    ids: HashMap<String, usize>,
    parent: Vec<usize>,
    /// Per event: its entities' node ids.
    pub event_nodes: Vec<Vec<usize>>,
    /// Per event: its entities, for reports.
    pub event_entities: Vec<Vec<Entity>>,
}

impl Graph {
    fn node(&mut self, key: String) -> usize {
        if let Some(&i) = self.ids.get(&key) {
            return i;
        }
        let i = self.parent.len();
        self.parent.push(i);
        self.ids.insert(key, i);
        i
    }

    pub fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.parent[ra] = rb;
        }
    }

    /// Build the graph over `events`; `kinds` gives each signature's field
    /// kinds.
    pub fn build(events: &[&Event], kinds: &HashMap<String, Vec<(String, FieldKind)>>) -> Graph {
        Graph::build_with(events, kinds, &HashMap::new())
    }

    /// [`Graph::build`], plus entities that event `i` names by where it was
    /// written rather than by its fields: a guest's log line names its
    /// instance, which only the hypervisor's state tells. Each extra entity
    /// may be keyed under another host than the event's (a guest's domain
    /// is a name on its hypervisor); global kinds ignore the host.
    pub fn build_with(
        events: &[&Event],
        kinds: &HashMap<String, Vec<(String, FieldKind)>>,
        extra: &HashMap<usize, Vec<(Option<String>, Entity)>>,
    ) -> Graph {
        let mut g = Graph::default();
        for (i, e) in events.iter().enumerate() {
            let mut ents: Vec<(Option<String>, Entity)> = kinds
                .get(&e.signature)
                .map(|k| entities(e, k))
                .unwrap_or_default()
                .into_iter()
                .map(|x| (None, x))
                .collect();
            if let Some(more) = extra.get(&i) {
                ents.extend(more.iter().cloned());
            }
            let own = e.host.clone().unwrap_or_default();
            let nodes: Vec<usize> = ents
                .iter()
                .map(|(h, (k, v))| {
                    let key = if is_global(*k) {
                        format!("{k:?}|{v}")
                    } else {
                        format!("{}|{k:?}|{v}", h.as_deref().unwrap_or(&own))
                    };
                    g.node(key)
                })
                .collect();
            let ents: Vec<Entity> = ents.into_iter().map(|(_, x)| x).collect();
            for w in nodes.windows(2) {
                g.union(w[0], w[1]);
            }
            g.event_nodes.push(nodes);
            g.event_entities.push(ents);
        }
        g
    }

    /// The groups (roots) of event `i`'s entities.
    pub fn groups(&mut self, i: usize) -> Vec<usize> {
        let nodes = self.event_nodes[i].clone();
        let mut r: Vec<usize> = nodes.into_iter().map(|n| self.find(n)).collect();
        r.sort_unstable();
        r.dedup();
        r
    }
}

/// Entities of several events, grouped by kind, in a stable order.
pub fn collect(graph: &Graph, events: &[usize]) -> BTreeMap<EntityKind, Vec<String>> {
    let mut out: BTreeMap<EntityKind, Vec<String>> = BTreeMap::new();
    for &i in events {
        for (k, v) in &graph.event_entities[i] {
            let list = out.entry(*k).or_default();
            if !list.contains(v) {
                list.push(v.clone());
            }
        }
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sd_numbering_is_the_kernels() {
        assert_eq!(sd_name(8, 0).as_deref(), Some("sda"));
        assert_eq!(sd_name(8, 32).as_deref(), Some("sdc"));
        assert_eq!(sd_name(65, 48).as_deref(), Some("sdt"));
        assert_eq!(sd_name(65, 80).as_deref(), Some("sdv"));
        assert_eq!(sd_name(8, 33), None);
        assert_eq!(sd_devnum("sdt"), Some((65, 48)));
        assert_eq!(sd_devnum("sds"), Some((65, 32)));
        assert_eq!(sd_devnum("sda"), Some((8, 0)));
        assert_eq!(sd_devnum("sdaa"), Some((65, 160)));
        assert_eq!(sd_name(65, 160).as_deref(), Some("sdaa"));
        assert_eq!(sd_devnum("sdX"), None);
    }

    #[test]
    fn by_id_names_of_one_lun_meet() {
        let a = by_id_wwid("/dev/disk/by-id/dm-uuid-mpath-3600a098038304437415d4b6a59684a52");
        let b = by_id_wwid("/dev/disk/by-id/scsi-3600a098038304437415d4b6a59684a52");
        let c = by_id_wwid("/dev/disk/by-id/wwn-0x600a098038304437415d4b6a59684a52-part1");
        assert!(a.is_some());
        assert_eq!(a, b);
        assert_eq!(b, c);
        assert_eq!(by_id_wwid("/dev/disk/by-id/ata-WDC_WD10SPZX"), None);
    }

    #[test]
    fn partitions_and_uuids() {
        assert_eq!(parent_disk("sdb1"), Some("sdb"));
        assert_eq!(parent_disk("nvme0n1p2"), Some("nvme0n1"));
        assert_eq!(parent_disk("nvme0n1"), None);
        assert_eq!(parent_disk("dm-3"), None);
        assert_eq!(
            find_uuid("/var/lib/cinder/mnt/63bf/volume-9D9074A3-2f80-4db2-be3a-3f8a65c426c3")
                .as_deref(),
            Some("9d9074a3-2f80-4db2-be3a-3f8a65c426c3")
        );
    }
}
