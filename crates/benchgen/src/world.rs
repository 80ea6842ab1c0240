//! The host being simulated: its name, clock, instances, volumes and pods.
//! Everything here is derived from the seed and shared by every file, so
//! that nova, libvirt, qemu, the kernel and kubelet talk about the same
//! things.

use crate::clock::{self, Clock, US};
use crate::rng::Rng;

pub struct Instance {
    /// `instance-0000001c`
    pub name: String,
    pub uuid: String,
    pub tap: String,
    pub mac: String,
    pub qemu_pid: u32,
}

pub struct World {
    pub host: String,
    /// Kernel boot time.
    pub boot: i64,
    /// First logged line.
    pub start: i64,
    /// Rotation times: `X.2.gz` covers `[start, rot2)`, `X.1` `[rot2, rot1)`,
    /// `X` `[rot1, end)`.
    pub rot2: i64,
    pub rot1: i64,
    /// Last logged line.
    pub end: i64,
    /// When the sosreport ran (`date`).
    pub collected: i64,
    pub instances: Vec<Instance>,
    /// How many instances (from the front of `instances`) have a qemu log.
    pub qemu_logs: usize,
    pub volumes: Vec<String>,
    pub cinder_mnt: String,
    /// `namespace/pod`
    pub pods: Vec<String>,
    pub libvirt_pod: String,
    pub libvirt_pod_uid: String,
    pub libvirt_container: String,
}

pub const NOVA_PID: u32 = 21562;
pub const CINDER_PID: u32 = 4321;
pub const NEUTRON_PID: u32 = 5022;
pub const LIBVIRTD_PID: u32 = 2188;
pub const KUBELET_PID: u32 = 2345;
pub const MULTIPATHD_PID: u32 = 1491;
pub const ISCSID_PID: u32 = 1250;

impl World {
    pub fn new(seed: u64) -> World {
        let mut rng = Rng::derive(seed, "world");
        let collected = clock::ts(2025, 10, 14, 9, 30, 12);
        let end = collected - US;
        let boot = collected - (22 * 86_400 + 3 * 3600 + 17 * 60 + 41) * US;
        let start = clock::ts(2025, 9, 23, 0, 0, 5);
        let rot2 = clock::ts(2025, 9, 30, 6, 25, 3);
        let rot1 = clock::ts(2025, 10, 7, 6, 25, 2);
        // The first instance and volume are the ones from real reports.
        let names = [
            0x1cu32, 0x1a, 0x1d, 0x21, 0x24, 0x27, 0x2b, 0x2e, 0x30, 0x31,
        ];
        let instances = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let uuid = if i == 0 {
                    "6c59b812-2d8d-4da5-92d6-6bbe527926d6".to_string()
                } else {
                    rng.uuid()
                };
                Instance {
                    name: format!("instance-{n:08x}"),
                    tap: format!("tap{}-{}", &uuid[..8], &uuid[9..11]),
                    mac: format!(
                        "fa:16:3e:{:02x}:{:02x}:{:02x}",
                        rng.below(256),
                        rng.below(256),
                        rng.below(256)
                    ),
                    uuid,
                    qemu_pid: if i == 0 {
                        12345
                    } else {
                        12345 + i as u32 * 1711 + rng.below(900) as u32
                    },
                }
            })
            .collect();
        let mut volumes = vec!["9d9074a3-2f80-4db2-be3a-3f8a65c426c3".to_string()];
        volumes.extend((0..11).map(|_| rng.uuid()));
        let pods = [
            "openstack/libvirt-libvirt-default-x7k2p",
            "openstack/nova-compute-default-9fz4q",
            "openstack/neutron-ovs-agent-default-2mwbk",
            "openstack/openvswitch-vswitchd-6rkxv",
            "kube-system/kube-proxy-m8tq4",
            "kube-system/calico-node-5tbxl",
            "openstack/ceph-rbd-pool-7c9dd",
            "openstack/nova-bootstrap-h2n8v",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        World {
            host: "node37".to_string(),
            boot,
            start,
            rot2,
            rot1,
            end,
            collected,
            instances,
            qemu_logs: 6,
            volumes,
            cinder_mnt: "63bf80ae8c90ff6c5fcee0d7b3c5711e".to_string(),
            pods,
            libvirt_pod: "openstack/libvirt-libvirt-default-x7k2p".to_string(),
            libvirt_pod_uid: rng.uuid(),
            libvirt_container: format!("753ac7cfab3c{}", rng.hex(52)),
        }
    }

    pub fn rfc3339(t: i64) -> String {
        Clock::new(t).rfc3339()
    }
}
