//! Noise templates, written from the formats of real compute-node logs.
//!
//! They include near-misses on purpose: `error` words, `I/O` in harmless
//! text, `failed` in benign daemon chatter, multipath lines that are not a
//! path loss, kubelet `E` lines that are not probe failures. They must never
//! contain one of [`crate::PHRASES`]; the unit tests check it.

use crate::template::Group;

/// Kernel messages (text after `kernel: [stamp] `).
pub const KERNEL: Group = &[
    (
        14,
        r#"audit: type=1400 audit({epoch}:{seq}): apparmor="DENIED" operation="file_lock" namespace="root//lxd-juju-8a21c0-3-lxd-2_<var-snap-lxd-common-lxd>" profile="/snap/snapd/{c:21759^23258^24505}/usr/lib/snapd/snap-confine" name="/dev/pts/ptmx" pid={d:1000-4000000} comm="snap-confine" requested_mask="k" denied_mask="k" fsuid=0 ouid=0"#,
    ),
    (
        5,
        r#"audit: type=1400 audit({epoch}:{seq}): apparmor="DENIED" operation="open" profile="libvirt-{inst}" name="/proc/{d:2000-90000}/{c:net/psched^status^cmdline}" pid={d:12000-99000} comm="qemu-system-x86" requested_mask="r" denied_mask="r" fsuid=64055 ouid=0"#,
    ),
    (
        2,
        r#"audit: type=1400 audit({epoch}:{seq}): apparmor="STATUS" operation="profile_replace" profile="unconfined" name="libvirt-{inst}" pid={d:20000-900000} comm="apparmor_parser""#,
    ),
    (
        2,
        r#"audit: type=1400 audit({epoch}:{seq}): apparmor="DENIED" operation="mount" info="failed flags match" error=-13 profile="cri-containerd.apparmor.d" name="/run/containerd/io.containerd.runtime.v2.task/k8s.io/{x:64}/rootfs/" pid={d:2000-900000} comm="runc:[2:INIT]" flags="rw, rbind""#,
    ),
    (3, "device {tap} entered promiscuous mode"),
    (2, "device {tap} left promiscuous mode"),
    (
        2,
        "qbr{x:8}-{x:2}: port {d:1-2}({tap}) entered {c:blocking^forwarding^disabled} state",
    ),
    (
        1,
        "IPv6: ADDRCONF(NETDEV_CHANGE): {tap}: link becomes ready",
    ),
    (
        1,
        "IPv6: ADDRCONF(NETDEV_CHANGE): cali{x:11}: link becomes ready",
    ),
    (
        2,
        "bcache: register_bcache() error : device already registered (emitting change event)",
    ),
    (
        1,
        "bcache: register_bcache() error : device already registered",
    ),
    (
        1,
        "bcache: bch_cached_dev_attach() Caching sd{c:b^c^d^e} as bcache{d:0-3} on set {u}",
    ),
    (
        1,
        "EXT4-fs (vda1): mounted filesystem with ordered data mode. Opts: (null). Quota mode: none.",
    ),
    (
        1,
        "EXT4-fs (vda1): re-mounted. Opts: errors=remount-ro. Quota mode: none.",
    ),
    (
        1,
        "EXT4-fs (dm-{d:0-9}): mounted filesystem with ordered data mode. Opts: errors=remount-ro. Quota mode: none.",
    ),
    (
        3,
        "kvm [{d:10000-99999}]: vcpu{d:0-7}, guest rIP: 0xffffffff{x:8} disabled perfctr wrmsr: 0xc2 data 0xffff",
    ),
    (
        1,
        "kvm [{d:10000-99999}]: vcpu{d:0-7}, guest rIP: 0xffffffff{x:8} ignored rdmsr: 0x{x:3} data 0x0",
    ),
    (
        1,
        "perf: interrupt took too long ({d:2501-9000} > {d:2500-8000}), lowering kernel.perf_event_max_sample_rate to {d:20000-79750}",
    ),
    (
        2,
        "loop{d:0-30}: detected capacity change from 0 to {d:8-900000}",
    ),
    (
        1,
        "overlayfs: upperdir is in-use as upperdir/workdir of another mount, accessing files from both mounts will result in undefined behavior.",
    ),
    (
        1,
        "TCP: request_sock_TCP: Possible SYN flooding on port {c:6443^9100^10250^8775}. Sending cookies.  Check SNMP counters.",
    ),
    (
        1,
        "sd {d:2-9}:0:{d:0-3}:{d:0-9}: [sd{c:b^c^d^e^f^g^h^j^k}] Synchronizing SCSI cache",
    ),
    (
        1,
        "sd {d:2-9}:0:{d:0-3}:{d:0-9}: [sd{c:b^c^d^e^f^g^h^j^k}] {d:2097152-419430400} 512-byte logical blocks: ({d:1-214} GB/{d:1-200} GiB)",
    ),
    (
        1,
        "sd {d:2-9}:0:{d:0-3}:{d:0-9}: [sd{c:b^c^d^e^f^g^h^j^k}] Write cache: enabled, read cache: enabled, supports DPO and FUA",
    ),
    (
        1,
        "sd {d:2-9}:0:{d:0-3}:{d:0-9}: alua: port group {p:2:0-3} state A non-preferred supports tolUSNA",
    ),
    (
        1,
        "sd {d:2-9}:0:{d:0-3}:{d:0-9}: Attached scsi generic sg{d:2-40} type 0",
    ),
    (
        1,
        "scsi {d:2-9}:0:{d:0-3}:{d:0-9}: Direct-Access     LIO-ORG  IBLOCK           4.0  PQ: 0 ANSI: 6",
    ),
    (1, "scsi host{d:6-9}: iSCSI Initiator over TCP/IP"),
    (
        1,
        "device-mapper: multipath service-time: version 0.3.0 loaded",
    ),
    (1, "device-mapper: uevent: version 1.0.3"),
    (
        1,
        "DMAR: Intel(R) Virtualization Technology for Directed I/O",
    ),
    (
        1,
        "cgroup: fork rejected by pids controller in /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{x:8}_{x:4}_{x:4}_{x:4}_{x:12}.slice/cri-containerd-{x:64}.scope",
    ),
    (1, "XFS (dm-{d:0-9}): Mounting V5 Filesystem"),
    (1, "XFS (dm-{d:0-9}): Ending clean mount"),
    (
        1,
        "xfs filesystem being mounted at /var/lib/kubelet/pods/{u}/volumes/kubernetes.io~csi/pvc-{u}/mount supports timestamps until 2038 (0x7fffffff)",
    ),
    (1, "NFS: Registering the id_resolver key type"),
    (1, "FS-Cache: Netfs 'nfs' registered for caching"),
    (
        1,
        "openvswitch: netlink: Flow actions may not be safe on all matching packets.",
    ),
    (
        1,
        "IPv4: martian source {ip} from {ip}, on dev {c:br-ex^ens3^bond0.101^bond0.102}",
    ),
    (1, "hrtimer: interrupt took {d:10000-900000} ns"),
    (
        1,
        "INFO: NMI handler (perf_event_nmi_handler) took too long to run: {d:1-9}.{p:3:0-999} msecs",
    ),
    (1, "IPVS: rr: UDP 10.96.0.10:53 - no destination available"),
    (
        2,
        "cni0: port {d:1-40}(veth{x:8}) entered {c:blocking^forwarding^disabled} state",
    ),
    (1, "device veth{x:8} entered promiscuous mode"),
    (1, "device vxlan_sys_4789 entered promiscuous mode"),
    (
        1,
        "nf_conntrack: default automatic helper assignment has been turned off for security reasons and CT-based  firewall rule not found. Use the iptables CT target to attach helpers instead.",
    ),
    (
        1,
        "x86/split lock detection: #AC: qemu-system-x86/{d:12000-99999} took a split_lock trap at address: 0x{x:12}",
    ),
];

/// Daemon messages for syslog and the journal (text after the host name).
pub const DAEMONS: Group = &[
    (3, "systemd[1]: Started Session {d:1-9999} of user ubuntu."),
    (
        2,
        "systemd-logind[987]: New session {d:1-9999} of user ubuntu.",
    ),
    (
        1,
        "systemd-logind[987]: Session {d:1-9999} logged out. Waiting for processes to exit.",
    ),
    (2, "systemd-logind[987]: Removed session {d:1-9999}."),
    (2, "systemd[1]: session-{d:1-9999}.scope: Succeeded."),
    (
        14,
        "systemd[1]: run-containerd-runc-k8s.io-{x:64}-runc.{a:6}.mount: Succeeded.",
    ),
    (
        2,
        r"systemd[1]: var-lib-kubelet-pods-{u}-volumes-kubernetes.io\x7eprojected-kube\x2dapi\x2daccess\x2d{a:5}.mount: Succeeded.",
    ),
    (
        1,
        "systemd[1]: Starting {c:Daily apt download activities^Daily apt upgrade and clean activities^Cleanup of Temporary Directories^Message of the Day^Refresh fwupd metadata and update motd^Discard unused blocks on filesystems from /etc/fstab^Rotate log files^system activity accounting tool}...",
    ),
    (
        2,
        "systemd[1]: {c:apt-daily.service^motd-news.service^fstrim.service^logrotate.service^systemd-tmpfiles-clean.service^man-db.service^sysstat-collect.service^fwupd-refresh.service}: Succeeded.",
    ),
    (
        1,
        "systemd[1]: Finished {c:Daily apt download activities^Daily apt upgrade and clean activities^Cleanup of Temporary Directories^Message of the Day^Discard unused blocks on filesystems from /etc/fstab^Rotate log files}.",
    ),
    (
        1,
        "CRON[{d:100000-999999}]: (root) CMD (   cd / && run-parts --report /etc/cron.hourly)",
    ),
    (
        2,
        "CRON[{d:100000-999999}]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)",
    ),
    (
        1,
        "sudo[{d:100000-999999}]:   ubuntu : TTY=pts/{d:0-4} ; PWD=/home/ubuntu ; USER=root ; COMMAND=/usr/bin/{c:virsh list --all^multipath -ll^ovs-vsctl show^crictl ps^dmesg -T^journalctl -u kubelet --since today^iostat -x 5 3}",
    ),
    (
        1,
        "sudo[{d:100000-999999}]: pam_unix(sudo:session): session {c:opened^closed} for user root{c: by ubuntu(uid=0)^}",
    ),
    (
        3,
        "multipathd[1491]: {c:mpatha^mpathc^mpathd}: sd{c:b^c^d^e^f^g} - tur checker reports path is up",
    ),
    (
        1,
        "multipathd[1491]: bcache{d:0-3}: HDIO_GETGEO failed with 25",
    ),
    (
        1,
        "multipathd[1491]: bcache{d:0-3}: failed to get udev uid: Invalid argument",
    ),
    (
        1,
        "multipathd[1491]: {c:mpatha^mpathc}: load table [0 {d:2097152-419430400} multipath 1 queue_if_no_path 1 alua 1 1 service-time 0 2 1 8:{c:16^32^48} 1 65:{c:16^32^64} 1]",
    ),
    (
        1,
        "multipathd[1491]: {c:mpatha^mpathc^mpathd}: remaining active paths: {d:2-4}",
    ),
    (
        1,
        "iscsid[1250]: Connection{d:1-9}:0 to [target: iqn.2010-10.org.openstack:volume-{vol}, portal: 10.0.0.5,3260] through [iface: default] is operational now",
    ),
    (
        3,
        "ovs-vswitchd[1327]: ovs|{seq5}|bridge|INFO|bridge br-int: {c:added^deleted} interface {tap} on port {d:2-90}",
    ),
    (
        3,
        "ovs-vswitchd[1327]: ovs|{seq5}|connmgr|INFO|br-int<->unix#{d:1-9999}: {d:1-40} flow_mods in the last 0 s ({d:1-40} adds)",
    ),
    (
        1,
        "ovs-vswitchd[1327]: ovs|{seq5}|netdev_linux|WARN|{tap}: removing policing failed: No such device",
    ),
    (
        1,
        "ovs-vswitchd[1327]: ovs|{seq5}|timeval|WARN|Unreasonably long {d:1000-4000}ms poll interval ({d:0-900}ms user, {d:0-200}ms system)",
    ),
    (
        4,
        r#"containerd[1100]: time="{tsz9}" level=info msg="ExecSync for \"{x:64}\" with command [{c:virsh list^/tmp/health-probe.py --probe-type liveness^cat /tmp/live^ovs-appctl version^/tmp/neutron-ovs-agent-liveness.sh}] and timeout {d:1-10} (s)""#,
    ),
    (
        4,
        r#"containerd[1100]: time="{tsz9}" level=info msg="ExecSync for \"{x:64}\" returns with exit code 0""#,
    ),
    (
        1,
        r#"containerd[1100]: time="{tsz9}" level=info msg="StartContainer for \"{x:64}\" returns successfully""#,
    ),
    (
        1,
        r#"containerd[1100]: time="{tsz9}" level=error msg="ContainerStatus for \"{x:64}\" failed" error="rpc error: code = NotFound desc = an error occurred when try to find container \"{x:64}\": not found""#,
    ),
    (
        1,
        r#"containerd[1100]: time="{tsz9}" level=info msg="shim disconnected" id={x:64} namespace=k8s.io"#,
    ),
    (
        1,
        r#"containerd[1100]: time="{tsz9}" level=warning msg="cleaning up after shim disconnected" id={x:64} namespace=k8s.io"#,
    ),
    (
        1,
        r#"containerd[1100]: time="{tsz9}" level=info msg="RemoveContainer for \"{x:64}\" returns successfully""#,
    ),
    (
        1,
        r#"containerd[1100]: time="{tsz9}" level=info msg="ImageCreate event &ImageCreate{{Name:docker.io/openstackhelm/{c:libvirt^nova^neutron}:2024.1-ubuntu_jammy,Labels:map[string]string{{io.cri-containerd.image: managed,},XXX_unrecognized:[],}""#,
    ),
    (
        1,
        "snapd[{d:900-9000}]: storehelpers.go:{d:700-900}: cannot refresh: snap has no updates available: \"core22\", \"lxd\", \"snapd\"",
    ),
    (
        1,
        "smartd[1123]: Device: /dev/sd{c:a^b}, SMART Prefailure Attribute: 1 Raw_Read_Error_Rate changed from {d:70-80} to {d:70-80}",
    ),
    (
        1,
        "smartd[1123]: Device: /dev/sd{c:a^b}, SMART Usage Attribute: 194 Temperature_Celsius changed from {d:30-40} to {d:30-40}",
    ),
    (
        1,
        "systemd-udevd[{d:1000-999999}]: {tap}: Could not generate persistent MAC: No data available",
    ),
    (
        1,
        "systemd-networkd[812]: {tap}: {c:Link UP^Gained carrier^Gained IPv6LL^Link DOWN^Lost carrier}",
    ),
    (
        1,
        "chronyd[{d:800-900}]: Selected source {ip} ({c:ntp1^ntp2^ntp3}.example.net)",
    ),
    (
        1,
        r#"ceph-osd[4567]: {tsceph} 7f344a4dcd80 -1 osd.{d:0-3} {d:1000-9999} heartbeat_check: no reply from {ip}:6804 osd.{d:4-9} since back {tsceph} front {tsceph} (oldest deadline {tsceph})"#,
    ),
    (
        1,
        "libvirtd[2188]: internal error: End of file from qemu monitor",
    ),
    (
        1,
        "libvirtd[2188]: Guest agent is not responding: QEMU guest agent is not connected",
    ),
];

/// kubelet messages (after the host name); the journal's kubelet unit too.
pub const KUBELET: Group = &[
    (
        6,
        r#"kubelet[2345]: I{klog}    2345 kubelet.go:{d:2400-2500}] "SyncLoop (probe)" probe="{c:readiness^liveness^startup}" status="{c:ready^^started}" pod="{pod}""#,
    ),
    (
        3,
        r#"kubelet[2345]: I{klog}    2345 kubelet_getters.go:187] "Pod status updated" pod="{pod}" status="Running""#,
    ),
    (
        2,
        r#"kubelet[2345]: I{klog}    2345 reconciler_common.go:{d:150-300}] "operationExecutor.VerifyControllerAttachedVolume started for volume \"kube-api-access-{a:5}\" (UniqueName: \"kubernetes.io/projected/{u}-kube-api-access-{a:5}\") pod \"{c:nova-compute-default-9fz4q^libvirt-libvirt-default-x7k2p^kube-proxy-m8tq4}\" (UID: \"{u}\") " pod="{pod}""#,
    ),
    (
        2,
        r#"kubelet[2345]: E{klog}    2345 pod_workers.go:1298] "Error syncing pod, skipping" err="failed to \"StartContainer\" for \"{c:init^db-sync^bootstrap}\" with CrashLoopBackOff: \"back-off 5m0s restarting failed container={c:init^db-sync^bootstrap} pod=nova-bootstrap-h2n8v_openstack({u})\"" pod="openstack/nova-bootstrap-h2n8v" podUID="{u}""#,
    ),
    (
        2,
        r#"kubelet[2345]: E{klog}    2345 remote_runtime.go:{d:400-700}] "ContainerStatus from runtime service failed" err="rpc error: code = NotFound desc = an error occurred when try to find container \"{x:64}\": not found" containerID="{x:64}""#,
    ),
    (
        1,
        r#"kubelet[2345]: I{klog}    2345 scope.go:117] "RemoveContainer" containerID="{x:64}""#,
    ),
    (
        1,
        r#"kubelet[2345]: I{klog}    2345 kubelet_volumes.go:160] "Cleaned up orphaned pod volumes dir" podUID="{u}" path="/var/lib/kubelet/pods/{u}/volumes""#,
    ),
    (
        1,
        r#"kubelet[2345]: W{klog}    2345 reflector.go:{d:400-600}] k8s.io/client-go/informers/factory.go:150: watch of *v1.{c:Service^Node^RuntimeClass} ended with: an error on the server ("unable to decode an event from the watch stream: http2: client connection lost") has prevented the request from succeeding"#,
    ),
    (
        1,
        r#"kubelet[2345]: I{klog}    2345 container_manager_linux.go:{d:500-520}] "Discovered runtime cgroup name" cgroupName="/system.slice/containerd.service""#,
    ),
    (
        1,
        r#"kubelet[2345]: I{klog}    2345 kuberuntime_container_linux.go:{d:160-170}] "No swap cgroup controller present" swapBehavior="" pod="{pod}" containerName="{c:libvirt^nova-compute^neutron-ovs-agent}""#,
    ),
    (
        1,
        r#"kubelet[2345]: E{klog}    2345 cadvisor_stats_provider.go:{d:440-460}] "Partial failure issuing cadvisor.ContainerInfoV2" err="partial failures: [\"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{x:8}_{x:4}.slice\": RecentStats: unable to find data in memory cache]""#,
    ),
];

/// nova-compute (text after `DATE PID `).
pub const NOVA: Group = &[
    (
        10,
        "DEBUG oslo_service.periodic_task [{req} - - - - -] Running periodic task ComputeManager.{c:_poll_rescued_instances^_check_instance_build_time^_sync_power_states^_poll_volume_usage^_instance_usage_audit^_poll_unconfirmed_resizes^_heal_instance_info_cache^_reclaim_queued_deletes^update_available_resource^_cleanup_incomplete_migrations^_run_image_cache_manager_pass^_poll_rebooting_instances} run_periodic_tasks /usr/lib/python3/dist-packages/oslo_service/periodic_task.py:210",
    ),
    (
        3,
        r#"DEBUG oslo_concurrency.lockutils [{req} - - - - -] Lock "compute_resources" acquired by "{c:nova.compute.resource_tracker.ResourceTracker._update_available_resource^nova.compute.manager.ComputeManager._heal_instance_info_cache^nova.compute.resource_tracker.ResourceTracker.update_usage}" :: waited 0.{p:3:0-999}s inner /usr/lib/python3/dist-packages/oslo_concurrency/lockutils.py:386"#,
    ),
    (
        3,
        r#"DEBUG oslo_concurrency.lockutils [{req} - - - - -] Lock "compute_resources" "released" by "{c:nova.compute.resource_tracker.ResourceTracker._update_available_resource^nova.compute.manager.ComputeManager._heal_instance_info_cache}" :: held 0.{p:3:0-999}s inner /usr/lib/python3/dist-packages/oslo_concurrency/lockutils.py:400"#,
    ),
    (
        2,
        r#"DEBUG oslo_concurrency.lockutils [{req} - - - - -] Lock "refresh_cache-{inst}" acquired by "nova.compute.manager.ComputeManager._heal_instance_info_cache" :: waited 0.{p:3:0-999}s inner /usr/lib/python3/dist-packages/oslo_concurrency/lockutils.py:386"#,
    ),
    (
        2,
        r#"DEBUG oslo_concurrency.lockutils [{req} - - - - -] Lock "refresh_cache-{inst}" "released" by "nova.compute.manager.ComputeManager._heal_instance_info_cache" :: held 0.{p:3:0-999}s inner /usr/lib/python3/dist-packages/oslo_concurrency/lockutils.py:400"#,
    ),
    (
        1,
        "INFO nova.compute.resource_tracker [{req} - - - - -] Final resource view: name={host} phys_ram=257588MB used_ram={d:8192-200000}MB phys_disk=878GB used_disk={d:40-600}GB total_vcpus=64 used_vcpus={d:4-60} pci_stats=[]",
    ),
    (
        1,
        "DEBUG nova.compute.resource_tracker [{req} - - - - -] Auditing locally available compute resources for {host} (node: {host}) update_available_resource /usr/lib/python3/dist-packages/nova/compute/resource_tracker.py:907",
    ),
    (
        3,
        "DEBUG oslo_concurrency.processutils [{req} - - - - -] Running cmd (subprocess): /usr/bin/python3 -m oslo_concurrency.prlimit --as=1073741824 --cpu=30 -- env LC_ALL=C LANG=C qemu-img info /var/lib/nova/instances/{inst}/disk --force-share --output=json execute /usr/lib/python3/dist-packages/oslo_concurrency/processutils.py:384",
    ),
    (
        3,
        r#"DEBUG oslo_concurrency.processutils [{req} - - - - -] CMD "/usr/bin/python3 -m oslo_concurrency.prlimit --as=1073741824 --cpu=30 -- env LC_ALL=C LANG=C qemu-img info /var/lib/nova/instances/{inst}/disk --force-share --output=json" returned: 0 in 0.0{d:10-99}s execute /usr/lib/python3/dist-packages/oslo_concurrency/processutils.py:422"#,
    ),
    (
        4,
        "DEBUG oslo_messaging._drivers.amqpdriver [-] received reply msg_id: {x:32} __call__ /usr/lib/python3/dist-packages/oslo_messaging/_drivers/amqpdriver.py:{c:435^508}",
    ),
    (
        4,
        "DEBUG oslo_messaging._drivers.amqpdriver [{req} - - - - -] CALL msg_id: {x:32} exchange 'nova' topic 'conductor' _send /usr/lib/python3/dist-packages/oslo_messaging/_drivers/amqpdriver.py:661",
    ),
    (
        2,
        "DEBUG nova.compute.manager [{req} - - - - -] Triggering sync for uuid {inst} _sync_power_states /usr/lib/python3/dist-packages/nova/compute/manager.py:9838",
    ),
    (
        1,
        "WARNING nova.compute.manager [{req} - - - - -] While synchronizing instance power states, found {d:5-9} instances in the database and {d:5-9} instances on the hypervisor.",
    ),
    (
        1,
        "INFO nova.compute.manager [{req} - - - - -] [instance: {inst}] During sync_power_state the instance has a pending task ({c:spawning^rebooting^powering-off^image_snapshot}). Skip.",
    ),
    (
        1,
        "DEBUG nova.scheduler.client.report [{req} - - - - -] Inventory has not changed for provider {u} based on inventory data: {{'VCPU': {{'total': 64, 'reserved': 0, 'min_unit': 1, 'max_unit': 64, 'step_size': 1, 'allocation_ratio': 4.0}, 'MEMORY_MB': {{'total': 257588, 'reserved': 512, 'min_unit': 1, 'max_unit': 257588, 'step_size': 1, 'allocation_ratio': 1.0}, 'DISK_GB': {{'total': 878, 'reserved': 0, 'min_unit': 1, 'max_unit': 878, 'step_size': 1, 'allocation_ratio': 1.0}} set_inventory_for_provider /usr/lib/python3/dist-packages/nova/scheduler/client/report.py:940",
    ),
    (
        1,
        "ERROR oslo.messaging._drivers.impl_rabbit [{req} - - - - -] Connection failed: [Errno 111] ECONNREFUSED (retrying in {d:1-32}.0 seconds): ConnectionRefusedError: [Errno 111] ECONNREFUSED",
    ),
    (
        1,
        "INFO oslo.messaging._drivers.impl_rabbit [{req} - - - - -] [{u}] Reconnected to AMQP server on 10.0.0.{d:10-30}:5672 via [amqp] client with port {d:30000-60000}.",
    ),
    (
        1,
        "DEBUG nova.compute.manager [{req} - - - - -] Didn't find any instances for network info cache update. _heal_instance_info_cache /usr/lib/python3/dist-packages/nova/compute/manager.py:9527",
    ),
    (
        1,
        "INFO nova.compute.manager [-] [instance: {inst}] VM {c:Started^Resumed^Stopped} (Lifecycle Event)",
    ),
    (
        1,
        "DEBUG nova.compute.manager [{req} - - - - -] There are 0 instances to clean _run_pending_deletes /usr/lib/python3/dist-packages/nova/compute/manager.py:10447",
    ),
    (
        1,
        "INFO os_brick.initiator.connectors.iscsi [{req} {x:32} {x:32} - default default] Trying to connect to iSCSI portal 10.0.0.5:3260",
    ),
    (
        1,
        "DEBUG nova.virt.libvirt.driver [{req} {x:32} {x:32} - default default] [instance: {inst}] Instance is running since {d:1-900} seconds, disk I/O statistics collected get_info /usr/lib/python3/dist-packages/nova/virt/libvirt/driver.py:1234",
    ),
    (
        1,
        "ERROR nova.compute.manager [{req} - - - - -] Error updating resources for node {host}.: nova.exception.ResourceProviderRetrievalFailed: Failed to get resource provider with UUID {u}\n\
ERROR nova.compute.manager Traceback (most recent call last):\n\
ERROR nova.compute.manager   File \"/usr/lib/python3/dist-packages/nova/compute/manager.py\", line 10113, in _update_available_resource_for_node\n\
ERROR nova.compute.manager     self.rt.update_available_resource(context, nodename,\n\
ERROR nova.compute.manager   File \"/usr/lib/python3/dist-packages/nova/scheduler/client/report.py\", line 352, in _get_resource_provider\n\
ERROR nova.compute.manager     raise exception.ResourceProviderRetrievalFailed(uuid=uuid)\n\
ERROR nova.compute.manager nova.exception.ResourceProviderRetrievalFailed: Failed to get resource provider with UUID {u}\n\
ERROR nova.compute.manager ",
    ),
];

/// cinder-volume (NFS backend).
pub const CINDER: Group = &[
    (
        6,
        "DEBUG oslo_service.periodic_task [{req} - - - - -] Running periodic task VolumeManager.{c:publish_service_capabilities^_report_driver_status^_clean_temporary_volumes} run_periodic_tasks /usr/lib/python3/dist-packages/oslo_service/periodic_task.py:210",
    ),
    (
        5,
        "DEBUG oslo_concurrency.processutils [{req} - - - - -] Running cmd (subprocess): {c:stat -f -c %S %b %a ^du -sb --apparent-size --exclude *snapshot* ^df --portability --block-size 1 }/var/lib/cinder/mnt/{mnt} execute /usr/lib/python3/dist-packages/oslo_concurrency/processutils.py:384",
    ),
    (
        5,
        r#"DEBUG oslo_concurrency.processutils [{req} - - - - -] CMD "{c:stat -f -c %S %b %a ^du -sb --apparent-size --exclude *snapshot* ^df --portability --block-size 1 }/var/lib/cinder/mnt/{mnt}" returned: 0 in 0.0{d:10-99}s execute /usr/lib/python3/dist-packages/oslo_concurrency/processutils.py:422"#,
    ),
    (
        2,
        "DEBUG oslo_concurrency.processutils [{req} - - - - -] Running cmd (subprocess): sudo cinder-rootwrap /etc/cinder/rootwrap.conf qemu-img info --force-share --output=json /var/lib/cinder/mnt/{mnt}/volume-{vol} execute /usr/lib/python3/dist-packages/oslo_concurrency/processutils.py:384",
    ),
    (
        2,
        "DEBUG cinder.volume.drivers.nfs [{req} - - - - -] shares loaded: {{'10.0.0.5:/srv/cinder': None} _load_shares_config /usr/lib/python3/dist-packages/cinder/volume/drivers/remotefs.py:602",
    ),
    (
        2,
        "DEBUG cinder.volume.drivers.remotefs [{req} - - - - -] Available shares: ['10.0.0.5:/srv/cinder'] _ensure_shares_mounted /usr/lib/python3/dist-packages/cinder/volume/drivers/remotefs.py:370",
    ),
    (
        1,
        "INFO cinder.volume.manager [{req} {x:32} {x:32} - - -] Volume {vol}: {c:extend completed successfully^initialize connection completed successfully^Terminate volume connection completed successfully^attachment_update completed successfully}.",
    ),
    (
        1,
        "WARNING cinder.volume.drivers.remotefs [{req} - - - - -] The NAS file permissions mode will be 666 (allowing other/world read & write access). This is considered an insecure NAS environment. Please see https://docs.openstack.org/cinder/latest/admin/blockstorage-nfs-backend.html for information on a secure NFS configuration.",
    ),
    (
        3,
        "DEBUG cinder.manager [{req} - - - - -] Notifying Schedulers of capabilities ... _publish_service_capabilities /usr/lib/python3/dist-packages/cinder/manager.py:198",
    ),
    (
        3,
        "DEBUG oslo_messaging._drivers.amqpdriver [-] received message with unique_id: {x:32} __call__ /usr/lib/python3/dist-packages/oslo_messaging/_drivers/amqpdriver.py:{c:307^322}",
    ),
    (
        1,
        "ERROR oslo.messaging._drivers.impl_rabbit [-] [{u}] AMQP server on 10.0.0.{d:10-30}:5672 is unreachable: [Errno 104] Connection reset by peer. Trying again in 1 seconds.: ConnectionResetError: [Errno 104] Connection reset by peer",
    ),
];

/// neutron-openvswitch-agent.
pub const NEUTRON: Group = &[
    (
        5,
        "DEBUG ovsdbapp.backend.ovs_idl.vlog [-] [POLLIN] on fd {d:15-30} __log_wakeup /usr/lib/python3/dist-packages/ovs/poller.py:263",
    ),
    (
        4,
        "DEBUG neutron.plugins.ml2.drivers.openvswitch.agent.ovs_neutron_agent [{req} - - - - -] Agent rpc_loop - iteration:{seq} started rpc_loop /usr/lib/python3/dist-packages/neutron/plugins/ml2/drivers/openvswitch/agent/ovs_neutron_agent.py:2619",
    ),
    (
        4,
        "DEBUG neutron.plugins.ml2.drivers.openvswitch.agent.ovs_neutron_agent [{req} - - - - -] Agent rpc_loop - iteration:{seq} completed. Processed ports statistics: {{'regular': {{'added': 0, 'updated': 0, 'removed': 0}}. Elapsed:0.0{d:10-99} loop_count_and_wait /usr/lib/python3/dist-packages/neutron/plugins/ml2/drivers/openvswitch/agent/ovs_neutron_agent.py:2258",
    ),
    (
        3,
        "DEBUG neutron.agent.linux.utils [-] Running command (rootwrap daemon): ['ovs-ofctl', 'dump-flows', 'br-int', 'table={d:0-90}'] execute_rootwrap_daemon /usr/lib/python3/dist-packages/neutron/agent/linux/utils.py:103",
    ),
    (
        1,
        "INFO neutron.agent.securitygroups_rpc [{req} - - - - -] Preparing filters for devices {{'{u}'}",
    ),
    (
        1,
        "INFO neutron.plugins.ml2.drivers.openvswitch.agent.ovs_neutron_agent [{req} - - - - -] Port {u} updated. Details: {{'device': '{u}', 'network_id': '{u}', 'admin_state_up': True, 'network_type': 'vxlan', 'segmentation_id': {d:1000-2000}, 'fixed_ips': [{{'subnet_id': '{u}', 'ip_address': '192.168.{d:0-9}.{d:2-250}'}]}",
    ),
    (
        1,
        r#"ERROR neutron.agent.linux.utils [{req} - - - - -] Exit code: 1; Cmd: ['ip', 'netns', 'exec', 'qrouter-{u}', 'ip', 'link', 'show']; Stdin: ; Stdout: ; Stderr: Cannot open network namespace "qrouter-{u}": No such file or directory"#,
    ),
    (
        2,
        r#"DEBUG oslo_concurrency.lockutils [-] Lock "_check_child_processes" acquired by "neutron.agent.linux.external_process.ProcessMonitor._check_child_processes" :: waited 0.000s inner /usr/lib/python3/dist-packages/oslo_concurrency/lockutils.py:386"#,
    ),
];

/// ovs-vswitchd.log (text after `STAMP|SEQ|`).
pub const OVS: Group = &[
    (
        4,
        "bridge|INFO|bridge br-int: {c:added^deleted} interface {tap} on port {d:2-90}",
    ),
    (
        5,
        "connmgr|INFO|br-int<->unix#{d:1-9999}: {d:1-40} flow_mods in the last 0 s ({d:1-40} adds)",
    ),
    (
        1,
        "netdev_linux|WARN|{tap}: removing policing failed: No such device",
    ),
    (
        1,
        "netdev_linux|WARN|ioctl(SIOCGIFINDEX) on {tap} device failed: No such device",
    ),
    (
        1,
        "timeval|WARN|Unreasonably long {d:1000-4000}ms poll interval ({d:0-900}ms user, {d:0-200}ms system)",
    ),
    (1, "timeval|WARN|faults: {d:10-900} minor, 0 major"),
    (
        1,
        "rconn|INFO|br-{c:int^tun^ex}<->tcp:127.0.0.1:6633: connected",
    ),
    (
        1,
        "coverage|INFO|Event coverage, avg rate over last: 5 seconds, last minute, last hour,  hash={x:8}:",
    ),
    (
        2,
        "ofproto_dpif_upcall(handler{d:1-16})|INFO|Dropped {d:1-90} log messages in last {d:1-60} seconds (most recently, {d:1-60} seconds ago) due to excessive rate",
    ),
];

/// libvirtd.log (text after `STAMP: TID: `).
pub const LIBVIRTD: Group = &[
    (
        3,
        "error : virNetSocketReadWire:1791 : End of file while reading data: Input/output error",
    ),
    (
        1,
        "warning : qemuDomainObjTaint:{d:6500-6600} : Domain id={d:1-90} name='{iname}' uuid={inst} is tainted: {c:custom-monitor^high-privileges^host-cpu}",
    ),
    (
        1,
        "error : qemuMonitorIO:{d:600-620} : internal error: End of file from qemu monitor",
    ),
    (
        1,
        "warning : virSecurityValidateTimestamp:205 : Invalid XATTR timestamp detected on /var/lib/nova/instances/{inst}/disk secdriver=dac",
    ),
    (
        1,
        "error : virNetClientProgramDispatchError:172 : Requested operation is not valid: domain is not running",
    ),
    (
        1,
        "error : qemuDomainAgentAvailable:{d:8000-8100} : Guest agent is not responding: QEMU guest agent is not connected",
    ),
    (
        1,
        "warning : qemuGetProcessInfo:1486 : cannot parse process status data",
    ),
    (
        1,
        "info : libvirt version: 8.0.0, package: 1ubuntu7.10 (Ubuntu)",
    ),
    (1, "info : hostname: {host}"),
    (
        2,
        "info : virObjectUnref:{d:380-390} : OBJECT_UNREF: obj=0x7f{x:10}",
    ),
    (
        2,
        "info : qemuMonitorIOWrite:{d:430-440} : QEMU_MONITOR_IO_WRITE: mon=0x7f{x:10} buf={{\"execute\":\"query-blockstats\",\"id\":\"libvirt-{d:100-99999}\"}\\r\\n len={d:50-80} ret={d:50-80} errno=0",
    ),
    (
        2,
        "info : qemuMonitorJSONIOProcessLine:{d:200-220} : QEMU_MONITOR_RECV_REPLY: mon=0x7f{x:10} reply={{\"return\": [], \"id\": \"libvirt-{d:100-99999}\"}",
    ),
];

/// qemu instance logs (the file's own instance; own time stamps).
pub const QEMU: Group = &[
    (
        1,
        "{lts}: starting up libvirt version: 8.0.0, package: 1ubuntu7.10 (Ubuntu), qemu version: 6.2.0Debian 1:6.2+dfsg-2ubuntu6.22, kernel: 5.15.0-88-generic, hostname: {host}\n\
LC_ALL=C \\\n\
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\\n\
HOME=/var/lib/libvirt/qemu/domain-{blk}-{iname} \\\n\
XDG_DATA_HOME=/var/lib/libvirt/qemu/domain-{blk}-{iname}/.local/share \\\n\
XDG_CACHE_HOME=/var/lib/libvirt/qemu/domain-{blk}-{iname}/.cache \\\n\
XDG_CONFIG_HOME=/var/lib/libvirt/qemu/domain-{blk}-{iname}/.config \\\n\
/usr/bin/qemu-system-x86_64 \\\n\
-name guest={iname},debug-threads=on \\\n\
-S \\\n\
-object '{{\"qom-type\":\"secret\",\"id\":\"masterKey0\",\"format\":\"raw\",\"file\":\"/var/lib/libvirt/qemu/domain-{blk}-{iname}/master-key.aes\"}' \\\n\
-machine pc-i440fx-6.2,usb=off,dump-guest-core=off,memory-backend=pc.ram \\\n\
-accel kvm \\\n\
-cpu Cascadelake-Server,ss=on,vmx=on,hypervisor=on,tsc-adjust=on,umip=on,pku=on,md-clear=on,stibp=on,arch-capabilities=on,xsaves=on,ibpb=on,ibrs=on,amd-stibp=on,amd-ssbd=on,rdctl-no=on,ibrs-all=on,skip-l1dfl-vmentry=on,mds-no=on,pschange-mc-no=on,tsx-ctrl=on \\\n\
-m {c:2048^4096^8192^16384} \\\n\
-object '{{\"qom-type\":\"memory-backend-ram\",\"id\":\"pc.ram\",\"size\":{c:2147483648^4294967296^8589934592}}' \\\n\
-overcommit mem-lock=off \\\n\
-smp {c:1^2^4^8},sockets={c:1^2^4^8},dies=1,cores=1,threads=1 \\\n\
-uuid {inst} \\\n\
-smbios 'type=1,manufacturer=OpenStack Foundation,product=OpenStack Nova,version=25.2.1,serial={inst},uuid={inst},family=Virtual Machine' \\\n\
-no-user-config \\\n\
-nodefaults \\\n\
-chardev socket,id=charmonitor,fd=3{d:0-9},server=on,wait=off \\\n\
-mon chardev=charmonitor,id=monitor,mode=control \\\n\
-rtc base=utc,driftfix=slew \\\n\
-global kvm-pit.lost_tick_policy=delay \\\n\
-no-hpet \\\n\
-no-shutdown \\\n\
-boot strict=on \\\n\
-blockdev '{{\"driver\":\"file\",\"filename\":\"/var/lib/nova/instances/{inst}/disk\",\"node-name\":\"libvirt-1-storage\",\"cache\":{{\"direct\":true,\"no-flush\":false},\"auto-read-only\":true,\"discard\":\"unmap\"}' \\\n\
-blockdev '{{\"node-name\":\"libvirt-1-format\",\"read-only\":false,\"cache\":{{\"direct\":true,\"no-flush\":false},\"driver\":\"qcow2\",\"file\":\"libvirt-1-storage\"}' \\\n\
-device virtio-blk-pci,bus=pci.0,addr=0x4,drive=libvirt-1-format,id=virtio-disk0,bootindex=1,write-cache=on \\\n\
-netdev tap,fd=3{d:0-9},id=hostnet0,vhost=on,vhostfd=3{d:0-9} \\\n\
-device virtio-net-pci,host_mtu=1450,netdev=hostnet0,id=net0,mac={mac},bus=pci.0,addr=0x3 \\\n\
-chardev pty,id=charserial0 \\\n\
-device isa-serial,chardev=charserial0,id=serial0 \\\n\
-device virtio-balloon-pci,id=balloon0,bus=pci.0,addr=0x5 \\\n\
-sandbox on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny \\\n\
-msg timestamp=on\n\
char device redirected to /dev/pts/{d:0-9} (label charserial0)",
    ),
    (
        1,
        "{tsz6} qemu-system-x86_64: terminating on signal 15 from pid 2188 (/usr/sbin/libvirtd)\n{lts}: shutting down, reason={c:shutdown^destroyed^migrated}",
    ),
    (
        2,
        "{tsz6} qemu-system-x86_64: warning: host doesn't support requested feature: CPUID.07H:EBX.hle [bit 4]",
    ),
    (1, "{lts}: Domain id={d:1-90} is tainted: custom-monitor"),
    (
        1,
        "{tsz6} qemu-system-x86_64: warning: This family of AMD CPU doesn't support hyperthreading(2)",
    ),
];

/// kube-proxy container (klog, pid 1).
pub const KUBE_PROXY: Group = &[
    (
        5,
        r#"I{klog}       1 proxier.go:{d:790-810}] "Syncing iptables rules""#,
    ),
    (
        5,
        r#"I{klog}       1 proxier.go:{d:1500-1520}] "Reloading service iptables data" numServices={d:20-60} numEndpoints={d:20-90} numFilterChains=6 numFilterRules={d:5-20} numNatChains={d:20-90} numNatRules={d:60-200}"#,
    ),
    (
        5,
        r#"I{klog}       1 proxier.go:{d:790-810}] "SyncProxyRules complete" elapsed="{d:10-200}.{d:100-999}ms""#,
    ),
    (
        1,
        r#"E{klog}       1 reflector.go:147] k8s.io/client-go/informers/factory.go:150: Failed to watch *v1.EndpointSlice: the server could not find the requested resource"#,
    ),
];

/// calico-node container.
pub const CALICO: Group = &[
    (
        5,
        "{ots} [INFO][{d:60-90}] felix/int_dataplane.go {d:1800-1900}: Received interface update msg=&intdataplane.ifaceStateUpdate{{Name:\"cali{x:11}\", State:\"up\", Index:{d:10-900}}",
    ),
    (
        5,
        "{ots} [INFO][{d:60-90}] felix/summary.go 100: Summarising {d:5-30} dataplane reconciliation loops over 1m{d:0-9}.{d:1-9}s: avg={d:2-40}ms longest={d:10-200}ms (resync-filter-v4)",
    ),
    (
        2,
        "{ots} [INFO][{d:60-90}] felix/route_table.go {d:400-900}: Queueing a resync of routing table. ifaceRegex=\"^cali.*\" ipVersion=0x4 tableIndex=0",
    ),
    (
        1,
        "{ots} [WARNING][{d:60-90}] felix/table.go {d:600-700}: Failed to read iptables rules error=exit status 4 ipVersion=0x4 table=\"filter\"",
    ),
];
