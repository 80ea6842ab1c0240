//! libvirt domain XML (`virsh dumpxml`, `/etc/libvirt/qemu/*.xml`, a
//! `virsh edit` excerpt), read by a tiny tag scanner: `domain` and
//! `domain-disk` facts (source, cache, io, target, serial); check
//! `disk-cache-risky`.

use super::virt_common::{basename, find_uuid, is_uuid, path_and_base, with_empty_note};
use super::{HostParser, Kind};
use crate::{Check, Cite, HostState};
use rootline_model::FieldKind;
use serde_json::{Value, json};

pub(crate) struct DomainXml;

impl HostParser for DomainXml {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::DomainXml]
    }

    /// [`super::recognise`] asks only this parser about a sample that opens
    /// with `<`: for XML, the name counts here too (a truncated domain file,
    /// a `dumpxml` cut before its first disk).
    fn by_content(&self, rel_path: &str, sample: &str) -> Option<Kind> {
        if sample.trim().is_empty() {
            return None;
        }
        let lower = sample.to_ascii_lowercase();
        // libvirt domain XML (whole or a `virsh edit` excerpt).
        if (lower.contains("<domain") && (lower.contains("<devices>") || lower.contains("</name>")))
            || (lower.contains("<disk ")
                && (lower.contains("<source ") || lower.contains("<driver ")))
        {
            return Some(Kind::DomainXml);
        }
        if sample.trim_start().starts_with('<') {
            return self.by_name(rel_path);
        }
        None
    }

    fn by_name(&self, rel_path: &str) -> Option<Kind> {
        let (path, base) = path_and_base(rel_path);
        if base.contains("dumpxml") || (path.contains("libvirt/qemu/") && base.ends_with(".xml")) {
            return Some(Kind::DomainXml);
        }
        None
    }

    fn parse(&self, _kind: Kind, text: &str) -> HostState {
        with_empty_note(parse_domain_xml(text), text)
    }
}

struct Tag<'a> {
    name: &'a str,
    closing: bool,
    self_closing: bool,
    attrs: &'a str,
    /// Text that follows the tag up to the next `<`.
    text: &'a str,
    line: usize,
}

fn xml_tags(text: &str) -> Vec<Tag<'_>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(off) = text[pos..].find('<') {
        let start = pos + off;
        if text[start..].starts_with("<!--") {
            match text[start..].find("-->") {
                Some(e) => {
                    pos = start + e + 3;
                    continue;
                }
                None => break,
            }
        }
        let Some(e) = text[start..].find('>') else {
            break;
        };
        let inner = &text[start + 1..start + e];
        let after = start + e + 1;
        let next = text[after..]
            .find('<')
            .map(|n| after + n)
            .unwrap_or(text.len());
        let closing = inner.starts_with('/');
        let body = inner.trim_start_matches('/');
        let self_closing = body.ends_with('/');
        let body = body.trim_end_matches('/');
        let name_end = body.find(char::is_whitespace).unwrap_or(body.len());
        out.push(Tag {
            name: &body[..name_end],
            closing,
            self_closing,
            attrs: &body[name_end..],
            text: text[after..next].trim(),
            line: text[..start].matches('\n').count(),
        });
        pos = after;
    }
    out
}

fn attr<'a>(attrs: &'a str, key: &str) -> Option<&'a str> {
    let mut s = attrs;
    loop {
        let p = s.find(key)?;
        let before_ok = p == 0 || s[..p].ends_with(char::is_whitespace);
        let rest = s[p + key.len()..].trim_start();
        if before_ok && let Some(r) = rest.strip_prefix('=') {
            let r = r.trim_start();
            let q = r.chars().next()?;
            if q == '\'' || q == '"' {
                let r = &r[1..];
                return Some(&r[..r.find(q).unwrap_or(r.len())]);
            }
        }
        s = &s[p + key.len()..];
    }
}

fn looks_shared(path: &str, disk_type: &str, protocol: &str) -> bool {
    matches!(protocol, "nfs" | "gluster")
        || disk_type == "network" && protocol.is_empty()
        || path.contains("/mnt/")
        || path.contains("/nfs")
}

fn parse_domain_xml(text: &str) -> HostState {
    let mut st = HostState::default();
    let lines: Vec<&str> = text.lines().collect();
    let tags = xml_tags(text);
    let mut domain: Option<String> = None;
    let mut uuid: Option<String> = None;
    let mut display: Option<String> = None;
    let mut depth_backing = 0usize;
    let mut in_disk: Option<(usize, Value)> = None;
    let mut disks: Vec<(usize, Value)> = Vec::new();
    let mut domain_line = 0;
    let mut in_domain_depth = 0usize;
    for t in &tags {
        match (t.name, t.closing) {
            ("domain", false) => {
                domain_line = t.line;
                in_domain_depth = 1;
            }
            ("name", false) if domain.is_none() && in_disk.is_none() && !t.text.is_empty() => {
                domain = Some(t.text.to_string());
            }
            ("uuid", false) if uuid.is_none() && is_uuid(t.text) => {
                uuid = Some(t.text.to_ascii_lowercase())
            }
            ("nova:name", false) if display.is_none() => display = Some(t.text.to_string()),
            ("disk", false) => {
                in_disk = Some((
                    t.line,
                    json!({"type": "domain-disk", "line": t.line + 1,
                        "disk-type": attr(t.attrs, "type"), "device": attr(t.attrs, "device")}),
                ));
                depth_backing = 0;
            }
            ("disk", true) => {
                if let Some(d) = in_disk.take() {
                    disks.push(d);
                }
            }
            ("backingStore", false) if !t.self_closing => depth_backing += 1,
            ("backingStore", true) => depth_backing = depth_backing.saturating_sub(1),
            _ => {}
        }
        let Some((_, d)) = in_disk.as_mut() else {
            continue;
        };
        if t.closing || depth_backing > 0 {
            continue;
        }
        match t.name {
            "driver" => {
                for k in ["cache", "io", "discard"] {
                    if let Some(v) = attr(t.attrs, k) {
                        d[k] = json!(v);
                    }
                }
                if let Some(v) = attr(t.attrs, "type") {
                    d["format"] = json!(v);
                }
                d["driver-line"] = json!(t.line + 1);
            }
            "source" if d.get("source").is_none() => {
                let src = attr(t.attrs, "file")
                    .or_else(|| attr(t.attrs, "dev"))
                    .or_else(|| attr(t.attrs, "name"))
                    .or_else(|| attr(t.attrs, "volume"));
                if let Some(s) = src {
                    d["source"] = json!(s);
                }
                if let Some(p) = attr(t.attrs, "protocol") {
                    d["protocol"] = json!(p);
                }
                d["source-line"] = json!(t.line + 1);
            }
            "target" => {
                if let Some(v) = attr(t.attrs, "dev") {
                    d["target"] = json!(v);
                }
                if let Some(v) = attr(t.attrs, "bus") {
                    d["bus"] = json!(v);
                }
            }
            "serial" if !t.text.is_empty() => d["serial"] = json!(t.text),
            _ => {}
        }
    }
    let _ = in_domain_depth;
    if let Some((l, d)) = in_disk.take() {
        st.notes
            .push("XML ends inside a <disk> element (truncated)".to_string());
        disks.push((l, d));
    }
    if domain.is_some() || uuid.is_some() {
        st.facts.push(
            json!({"type": "domain", "line": domain_line + 1, "name": domain,
            "uuid": uuid, "display-name": display, "disks": disks.len()}),
        );
    }
    for (l, mut d) in disks {
        d["domain"] = json!(domain);
        d["instance"] = json!(uuid);
        let cache = d["cache"].as_str().unwrap_or("").to_string();
        let source = d["source"].as_str().unwrap_or("").to_string();
        let dtype = d["disk-type"].as_str().unwrap_or("").to_string();
        let proto = d["protocol"].as_str().unwrap_or("").to_string();
        let risky =
            cache == "unsafe" || (cache == "writeback" && looks_shared(&source, &dtype, &proto));
        if risky {
            let dl = d["driver-line"]
                .as_u64()
                .map(|x| x as usize - 1)
                .unwrap_or(l);
            let mut ev = vec![Cite::nth(l, lines.get(l).copied().unwrap_or(""))];
            if dl != l {
                ev.push(Cite::nth(dl, lines.get(dl).copied().unwrap_or("")));
            }
            if let Some(sl) = d["source-line"].as_u64().map(|x| x as usize - 1) {
                ev.push(Cite::nth(sl, lines.get(sl).copied().unwrap_or("")));
            }
            let mut c = Check::raise(crate::id::DISK_CACHE_RISKY);
            // A `virsh edit` excerpt may not name the domain.
            if let Some(dom) = &domain {
                c.add_field("domain", dom, FieldKind::Domain);
            }
            if !source.is_empty() {
                c.add_field("path", &source, FieldKind::Path);
                if let Some(u) = find_uuid(basename(&source)) {
                    c.add_field("volume", &u, FieldKind::Uuid);
                }
            }
            if let Some(u) = &uuid {
                c.add_field("instance", u, FieldKind::Uuid);
            }
            c.bind("cache", &cache);
            c.evidence = ev;
            st.checks.push(c);
        }
        st.facts.push(d);
    }
    if st.facts.is_empty() && !text.trim().is_empty() {
        st.notes.push("no domain or disk element found".to_string());
    }
    st
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parsers::virt_common::testing::*;

    #[test]
    fn domain_xml_bundles_and_risky_cache() {
        let t = read(&ex(
            "004-instances-shutoff-failing-nvme/virsh-dumpxml-compute.xml",
        ))
        .expect("bundle 004");
        let (k, st) = run("virsh-dumpxml-compute.xml", &t);
        assert_eq!(k, Kind::DomainXml);
        assert!(st.checks.is_empty(), "{:?}", ids(&st));
        let d = st
            .facts
            .iter()
            .find(|f| f["type"] == "domain-disk")
            .unwrap();
        assert_eq!(d["source"], "/home/libvirt/images/compute.qcow2");
        assert_eq!(d["cache"], "none");
        assert_eq!(d["target"], "vda");
        assert_eq!(d["domain"], "compute");
        let t = read(&ex(
            "001-libvirt-crashloop-multipath/etc/libvirt/qemu/instance-00000f3a.xml",
        ))
        .expect("bundle 001");
        let (_, st) = run("etc/libvirt/qemu/instance-00000f3a.xml", &t);
        let blk = st
            .facts
            .iter()
            .find(|f| f["type"] == "domain-disk" && f["source"] == "/dev/dm-21")
            .unwrap();
        assert_eq!(blk["serial"], "4f2f8d1c-6b3e-4a95-b7d2-9c0e1f3a5b68");
        assert_eq!(blk["io"], "native");
        let risky = t.replace("cache='none' io='native'", "cache='unsafe' io='threads'");
        let (_, st) = run("x.xml", &risky);
        let c = check(&st, "disk-cache-risky");
        assert!(has_field(c, "domain", "instance-00000f3a") && has_field(c, "path", "/dev/dm-21"));
        assert!(c.evidence.iter().any(|e| e.text.contains("cache='unsafe'")));
        // The `virsh edit` excerpt of seed 004 (a fragment).
        let frag = include_str!("../../tests/captures/domain-xml/virsh-edit-excerpt.txt");
        let (k, st) = run("notes", frag);
        assert_eq!(k, Kind::DomainXml);
        let c = check(&st, "disk-cache-risky");
        assert!(has_field(
            c,
            "volume",
            "0b6f2d71-c4e8-4a93-9f15-7e2d8c1b0a46"
        ));
    }

    #[test]
    fn corpus_healthy_host_has_no_findings() {
        corpus_files_have_no_findings(&["etc/libvirt/qemu/instance-00000001.xml"], |_, _| {});
    }
}
