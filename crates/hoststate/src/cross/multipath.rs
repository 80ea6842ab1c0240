//! `multipath-setting-mismatch`: Nova's `volume_use_multipath` and
//! Cinder's `use_multipath_for_image_xfer` set differently in different
//! files (a bundle may hold the controller's cinder.conf and the compute's
//! nova.conf), for a Cinder with a block backend.

use serde_json::Value;

use super::{Crossed, Files, push_cite, s};
use crate::Check;

// ---------------------------------------------------------------------------
// Multipath settings of Nova and Cinder in different files
// ---------------------------------------------------------------------------

/// The `host =` of the file a fact is in, when the file names it (a bundle
/// may hold the controller's cinder.conf and the compute's nova.conf).
fn conf_host(fs: &Files<'_>, fi: usize) -> Option<String> {
    fs.facts("config")
        .find(|(i, f)| *i == fi && f["section"] == "DEFAULT" && f["key"] == "host")
        .map(|(_, f)| s(&f["value"]).to_string())
        .filter(|h| !h.is_empty())
}

pub(super) fn multipath_settings(fs: &Files<'_>, out: &mut Crossed) {
    let pick = |service: &str| -> Option<(usize, &Value)> {
        let all: Vec<(usize, &Value)> = fs
            .facts("multipath-setting")
            .filter(|(_, f)| f["service"] == service)
            .collect();
        // An explicit setting wins over a file that leaves the default.
        all.iter()
            .find(|(_, f)| f["explicit"] == true)
            .or(all.first())
            .copied()
    };
    let (Some((nfi, n)), Some((cfi, c))) = (pick("nova"), pick("cinder")) else {
        return;
    };
    if nfi == cfi || n["value"] == c["value"] {
        return; // one file: its own parser compares them
    }
    if n["explicit"] != true && c["explicit"] != true {
        return;
    }
    // Image transfer over multipath only concerns block backends (iSCSI,
    // FC); a cinder with only NFS or RBD backends never uses it.
    let drivers: Vec<&str> = fs
        .facts("config")
        .filter(|(i, f)| *i == cfi && f["key"] == "volume_driver")
        .map(|(_, f)| s(&f["value"]))
        .collect();
    let file_backed = |d: &str| {
        let d = d.to_ascii_lowercase();
        d.contains("nfs") || d.contains("rbd") || d.contains("glusterfs")
    };
    if !drivers.is_empty() && drivers.iter().all(|d| file_backed(d)) {
        return;
    }
    let mut chk = Check::raise(crate::id::MULTIPATH_SETTING_MISMATCH);
    let value = |f: &Value| if f["value"] == true { "true" } else { "false" };
    chk.bind("nova_value", value(n));
    chk.bind("cinder_value", value(c));
    chk.flag("nova_default", n["explicit"] != true);
    chk.flag("cinder_default", c["explicit"] != true);
    if let Some(h) = conf_host(fs, nfi) {
        chk.bind("nova_host", h);
    }
    if let Some(h) = conf_host(fs, cfi) {
        chk.bind("cinder_host", h);
    }
    // Where the fix sets it: the section that sets it, else the one
    // backend cinder.conf enables.
    let set_in = fs
        .facts("config")
        .find(|(i, f)| *i == cfi && f["key"] == "use_multipath_for_image_xfer")
        .map(|(_, f)| s(&f["section"]).to_string());
    let enabled: Vec<String> = fs
        .facts("config")
        .filter(|(i, f)| *i == cfi && f["key"] == "enabled_backends")
        .flat_map(|(_, f)| s(&f["value"]).split(',').map(|b| b.trim().to_string()))
        .filter(|b| !b.is_empty())
        .collect();
    match (set_in, enabled.as_slice()) {
        (Some(sec), _) => chk.bind("backend", sec),
        (None, [one]) => chk.bind("backend", one),
        _ => {}
    }
    for (fi, f, keys) in [
        (nfi, n, &["virt_type", "compute_driver"][..]),
        (cfi, c, &["enabled_backends", "volume_driver"][..]),
    ] {
        let cite = match f["line"].as_u64() {
            Some(l) => fs.cite(fi, l),
            // Not set: cite the file by the line that says what it
            // configures (the hypervisor, the backends).
            None => fs
                .facts("config")
                .filter(|(i, _)| *i == fi)
                .find(|(_, x)| keys.contains(&s(&x["key"])))
                .and_then(|(i, x)| fs.cite_fact(i, x)),
        };
        push_cite(&mut chk, cite);
    }
    out.checks.push(chk);
}

#[cfg(test)]
mod tests {
    use super::super::tests::{cited_files, cross, one};

    // The NFS backend of the share test (volumes).
    const CINDER_CONF: &str = include_str!("../../tests/captures/cross/nfs-share/cinder.conf");

    #[test]
    fn multipath_settings_of_nova_and_cinder_in_different_files() {
        let nova = include_str!("../../tests/captures/cross/multipath-settings/nova.conf");
        let cinder_iscsi =
            include_str!("../../tests/captures/cross/multipath-settings/cinder.conf");
        let (_, c) = cross(&[
            ("etc/nova/nova.conf", nova),
            ("ctl01/etc/cinder/cinder.conf", cinder_iscsi),
        ]);
        let v = one(&c, "multipath-setting-mismatch");
        assert!(v.en.contains("nova.conf of cmp03.example.com"), "{}", v.en);
        assert!(v.en.contains("false (not set: the default)"), "{}", v.en);
        assert_eq!(
            cited_files(v),
            ["ctl01/etc/cinder/cinder.conf", "etc/nova/nova.conf"]
        );
        assert!(
            v.evidence
                .iter()
                .any(|e| e.text == "volume_use_multipath = True")
        );

        // Both true: nothing. NFS only: image transfer never uses multipath.
        let both = format!("{cinder_iscsi}use_multipath_for_image_xfer = true\n");
        let (_, c) = cross(&[("etc/nova/nova.conf", nova), ("cinder.conf", &both)]);
        assert!(c.checks.is_empty(), "{:#?}", c.checks);
        let (_, c) = cross(&[("etc/nova/nova.conf", nova), ("cinder.conf", CINDER_CONF)]);
        assert!(c.checks.is_empty(), "{:#?}", c.checks);
    }
}
