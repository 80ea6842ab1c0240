//! `qemu-img check` (text and `--output=json`, repaired or not) and
//! `qemu-img info` (text and JSON): `qemu-img-check` and `qemu-img-info`
//! facts; checks `qemu-img-corruption` (errors found, or the image marked
//! corrupt) and `qemu-img-leaks`.

use super::virt_common::{
    basename, field, find_uuid, json_slice, line_of, path_and_base, with_empty_note,
};
use super::{HostParser, Kind};
use crate::{Check, Cite, HostState};
use rootline_model::FieldKind;
use serde_json::{Value, json};

pub(crate) struct QemuImg;

impl HostParser for QemuImg {
    fn kinds(&self) -> &'static [Kind] {
        &[Kind::QemuImgCheck, Kind::QemuImgInfo]
    }

    fn by_content(&self, _rel_path: &str, sample: &str) -> Option<Kind> {
        if sample.trim().is_empty() {
            return None;
        }
        let lower = sample.to_ascii_lowercase();
        // qemu-img check, text and JSON.
        if lower.contains("errors were found on the image")
            || lower.contains("leaked clusters were found on the image")
            || lower.contains("inconsistencies were found and repaired")
            || (lower.contains("\"check-errors\"") && lower.contains("\"image-end-offset\""))
            || (lower.contains("\"corruptions\"") && lower.contains("\"leaks\""))
            || sample
                .lines()
                .any(|l| l.starts_with("ERROR cluster ") && l.contains("refcount="))
        {
            return Some(Kind::QemuImgCheck);
        }
        // qemu-img info.
        let has_line = |p: &str| sample.lines().any(|l| l.trim_start().starts_with(p));
        if (has_line("image: ") && has_line("file format: "))
            || (lower.contains("\"virtual-size\"") && lower.contains("\"format\""))
        {
            return Some(Kind::QemuImgInfo);
        }
        None
    }

    /// A timed-out or failed `qemu-img` leaves only its name.
    fn by_name(&self, rel_path: &str) -> Option<Kind> {
        let (_, base) = path_and_base(rel_path);
        if base.starts_with("qemu-img_check") || base.starts_with("qemu-img-check") {
            return Some(Kind::QemuImgCheck);
        }
        if base.starts_with("qemu-img_info") || base.starts_with("qemu-img-info") {
            return Some(Kind::QemuImgInfo);
        }
        None
    }

    fn parse(&self, kind: Kind, text: &str) -> HostState {
        let st = match kind {
            Kind::QemuImgCheck => parse_qemu_img_check(text),
            Kind::QemuImgInfo => parse_qemu_img_info(text),
            _ => return HostState::default(),
        };
        with_empty_note(st, text)
    }
}

/// The image a pasted `qemu-img check … <image>` prompt names.
fn image_from_prompt(lines: &[&str], verb: &str) -> Option<String> {
    lines.iter().find_map(|l| {
        let p = l.find(&format!("qemu-img {verb}"))?;
        let last = l[p..].split_whitespace().last()?;
        (!last.starts_with('-') && last != verb).then(|| last.trim_matches(['\'', '"']).to_string())
    })
}

fn parse_qemu_img_check(text: &str) -> HostState {
    let mut st = HostState::default();
    let lines: Vec<&str> = text.lines().collect();
    let mut image = image_from_prompt(&lines, "check");
    let mut corruptions: u64 = 0;
    let mut leaks: u64 = 0;
    let mut check_errors: u64 = 0;
    let mut clean = false;
    let mut error_lines: Vec<usize> = Vec::new();
    let mut leak_lines: Vec<usize> = Vec::new();
    let mut summary_c: Option<usize> = None;
    let mut summary_l: Option<usize> = None;
    let mut repaired = false;
    let mut json_seen = false;
    let mut end_offset: Option<u64> = None;

    if let Some((jl, v)) = json_slice(text)
        && v.get("corruptions").is_some()
            | v.get("check-errors").is_some()
            | v.get("leaks").is_some()
    {
        json_seen = true;
        let n = |k: &str| v.get(k).and_then(Value::as_u64).unwrap_or(0);
        corruptions = n("corruptions");
        leaks = n("leaks");
        check_errors = n("check-errors");
        end_offset = v.get("image-end-offset").and_then(Value::as_u64);
        if let Some(f) = v.get("filename").and_then(Value::as_str) {
            image = Some(f.to_string());
        }
        summary_c = line_of(&lines, "\"corruptions\"").or(Some(jl));
        summary_l = line_of(&lines, "\"leaks\"").or(Some(jl));
        clean = corruptions == 0 && leaks == 0 && check_errors == 0;
        st.facts.push(json!({
            "type": "qemu-img-check", "line": jl + 1, "image": image, "format": v.get("format"),
            "corruptions": corruptions, "leaks": leaks, "check-errors": check_errors,
            "corruptions-fixed": v.get("corruptions-fixed"), "leaks-fixed": v.get("leaks-fixed"),
            "image-end-offset": end_offset, "total-clusters": v.get("total-clusters"),
            "allocated-clusters": v.get("allocated-clusters"),
        }));
    }
    if !json_seen {
        for (i, l) in lines.iter().enumerate() {
            let t = l.trim();
            let first_num = t
                .split_whitespace()
                .next()
                .and_then(|w| w.parse::<u64>().ok());
            if t.starts_with("Double checking the fixed image") {
                // What counts is the result after the repair.
                repaired = true;
                corruptions = 0;
                leaks = 0;
                error_lines.clear();
                leak_lines.clear();
                summary_c = None;
                summary_l = None;
            } else if t.starts_with("ERROR") {
                error_lines.push(i);
            } else if t.starts_with("Leaked cluster") {
                leak_lines.push(i);
            } else if t.contains("errors were found on the image") && !t.starts_with("No errors") {
                corruptions = first_num.unwrap_or(error_lines.len() as u64);
                summary_c = Some(i);
            } else if t.contains("leaked clusters were found on the image") {
                leaks = first_num.unwrap_or(leak_lines.len() as u64);
                summary_l = Some(i);
            } else if t.contains("internal errors have occurred") {
                check_errors = first_num.unwrap_or(1);
            } else if t.starts_with("No errors were found on the image") {
                clean = true;
                summary_c = Some(i);
            } else if let Some(v) = t.strip_prefix("Image end offset:") {
                end_offset = v.trim().parse().ok();
            } else if t.starts_with("qemu-img:") {
                st.notes.push(format!("qemu-img reported: {t}"));
            }
        }
        if corruptions == 0 && !error_lines.is_empty() {
            corruptions = error_lines.len() as u64;
        }
        if leaks == 0 && !leak_lines.is_empty() {
            leaks = leak_lines.len() as u64;
        }
        if corruptions > 0 || leaks > 0 {
            clean = false;
        }
        if corruptions > 0 || leaks > 0 || clean || check_errors > 0 {
            st.facts.push(json!({
                "type": "qemu-img-check", "line": summary_c.or(summary_l).map(|l| l + 1),
                "image": image, "corruptions": corruptions, "leaks": leaks,
                "check-errors": check_errors, "clean": clean, "repaired": repaired,
                "image-end-offset": end_offset,
            }));
        } else if !text.trim().is_empty() {
            st.notes
                .push("no qemu-img check verdict found (truncated?)".to_string());
        }
    }
    let mut id_fields = Vec::new();
    if let Some(i) = &image {
        id_fields.push(field("path", i, FieldKind::Path));
        if let Some(u) = find_uuid(basename(i)) {
            id_fields.push(field("volume", &u, FieldKind::Uuid));
        }
    }
    if corruptions > 0 {
        let mut ev: Vec<Cite> = error_lines
            .iter()
            .take(10)
            .map(|&i| Cite::nth(i, lines[i]))
            .collect();
        if let Some(i) = summary_c {
            ev.push(Cite::nth(i, lines[i]));
        }
        let mut fields = id_fields.clone();
        fields.push(field(
            "corruptions",
            &corruptions.to_string(),
            FieldKind::Int,
        ));
        let mut c = Check::raise(crate::id::QEMU_IMG_CORRUPTION);
        c.fields = fields;
        c.evidence = ev;
        st.checks.push(c);
    }
    if leaks > 0 {
        let mut ev: Vec<Cite> = leak_lines
            .iter()
            .take(10)
            .map(|&i| Cite::nth(i, lines[i]))
            .collect();
        if let Some(i) = summary_l {
            ev.push(Cite::nth(i, lines[i]));
        }
        let mut fields = id_fields.clone();
        fields.push(field("leaks", &leaks.to_string(), FieldKind::Int));
        let mut c = Check::raise(crate::id::QEMU_IMG_LEAKS);
        c.fields = fields;
        c.evidence = ev;
        st.checks.push(c);
    }
    st
}

fn parse_qemu_img_info(text: &str) -> HostState {
    let mut st = HostState::default();
    let lines: Vec<&str> = text.lines().collect();
    let mut images: Vec<(usize, Value)> = Vec::new();
    if let Some((jl, v)) = json_slice(text) {
        let list = match v {
            Value::Array(a) => a,
            o => vec![o],
        };
        for o in list {
            let corrupt = o
                .pointer("/format-specific/data/corrupt")
                .and_then(Value::as_bool);
            let name = o
                .get("filename")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let line = line_of(&lines, "\"corrupt\": true")
                .filter(|_| corrupt == Some(true))
                .unwrap_or(jl);
            images.push((
                line,
                json!({
                    "type": "qemu-img-info", "line": line + 1, "image": name,
                    "format": o.get("format"), "virtual-size": o.get("virtual-size"),
                    "actual-size": o.get("actual-size"), "backing-file": o.get("backing-filename"),
                    "corrupt": corrupt,
                }),
            ));
        }
    } else {
        let mut cur: Option<(usize, Value)> = None;
        for (i, l) in lines.iter().enumerate() {
            let t = l.trim();
            if let Some(v) = t.strip_prefix("image: ") {
                if let Some(c) = cur.take() {
                    images.push(c);
                }
                cur = Some((
                    i,
                    json!({"type": "qemu-img-info", "line": i + 1, "image": v.trim()}),
                ));
                continue;
            }
            let Some((_, o)) = cur.as_mut() else { continue };
            let Some((k, v)) = t.split_once(':') else {
                continue;
            };
            let v = v.trim();
            match k.trim() {
                "file format" => o["format"] = json!(v),
                "virtual size" => {
                    let bytes = v
                        .split('(')
                        .nth(1)
                        .and_then(|s| s.split_whitespace().next())
                        .and_then(|s| s.parse::<u64>().ok());
                    o["virtual-size"] = bytes.map(|b| json!(b)).unwrap_or(json!(v));
                }
                "disk size" => o["disk-size"] = json!(v),
                "cluster_size" => o["cluster-size"] = json!(v),
                "backing file" => {
                    o["backing-file"] = json!(v.split(" (actual path").next().unwrap_or(v))
                }
                "backing file format" => o["backing-format"] = json!(v),
                "lazy refcounts" => o["lazy-refcounts"] = json!(v == "true"),
                "corrupt" => {
                    o["corrupt"] = json!(v == "true");
                    if v == "true" {
                        o["corrupt-line"] = json!(i + 1);
                    }
                }
                _ => {}
            }
        }
        if let Some(c) = cur.take() {
            images.push(c);
        }
    }
    for (line, f) in images {
        if f["corrupt"] == json!(true) {
            let cl = f["corrupt-line"]
                .as_u64()
                .map(|l| l as usize - 1)
                .unwrap_or(line);
            let mut ev = vec![Cite::nth(line, lines.get(line).copied().unwrap_or(""))];
            if cl != line {
                ev.push(Cite::nth(cl, lines.get(cl).copied().unwrap_or("")));
            }
            // `qemu-img info` says so itself: no count of corruptions.
            let mut c = Check::raise(crate::id::QEMU_IMG_CORRUPTION);
            if let Some(img) = f["image"].as_str().filter(|i| !i.is_empty()) {
                c.add_field("path", img, FieldKind::Path);
            }
            c.flag("marked_corrupt", true);
            c.evidence = ev;
            st.checks.push(c);
        }
        st.facts.push(f);
    }
    if st.facts.is_empty() && !text.trim().is_empty() {
        st.notes
            .push("no qemu-img info image block found".to_string());
    }
    st
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parsers::recognise;
    use crate::parsers::virt_common::testing::*;
    use rootline_model::Severity;

    const CHECK_TEXT: &str =
        include_str!("../../tests/captures/qemu-img-check/qemu-img_check__corrupt-and-leaks.txt");
    const CHECK_CLEAN: &str =
        include_str!("../../tests/captures/qemu-img-check/qemu-img_check__clean.txt");
    const CHECK_REPAIRED: &str =
        include_str!("../../tests/captures/qemu-img-check/qemu-img_check_-r_all__repaired.txt");
    const CHECK_JSON: &str =
        include_str!("../../tests/captures/qemu-img-check/qemu-img-check.json");

    #[test]
    fn qemu_img_check_text_json_clean_repaired() {
        let (k, st) = run("notes.txt", CHECK_TEXT);
        assert_eq!(k, Kind::QemuImgCheck);
        let c = check(&st, "qemu-img-corruption");
        assert_eq!(c.severity, Severity::Critical);
        assert!(
            c.evidence
                .iter()
                .any(|e| e.line == 2 && e.text == "ERROR cluster 261192 refcount=0 reference=1")
        );
        assert!(
            c.evidence
                .iter()
                .any(|e| e.text.starts_with("2 errors were found"))
        );
        let img = "/var/lib/nova/instances/6c59b812-2d8d-4da5-92d6-6bbe527926d6/disk";
        // The evidence names no guest: the step has no command.
        assert!(
            c.fix
                .iter()
                .any(|f| f.en.starts_with("Stop the guest") && f.command.is_none())
        );
        assert!(
            c.fix
                .iter()
                .any(|f| f.command == Some(format!("cp {img} {img}.bak")))
        );
        assert!(
            c.fix
                .iter()
                .any(|f| f.command == Some(format!("qemu-img check -r all {img}")))
        );
        let l = check(&st, "qemu-img-leaks");
        assert_eq!(l.severity, Severity::Warning);
        assert!(l.en.contains("148"));
        let (_, st) = run("x", CHECK_CLEAN);
        assert!(st.checks.is_empty());
        assert_eq!(st.facts[0]["clean"], true);
        let (_, st) = run("x", CHECK_REPAIRED);
        assert!(st.checks.is_empty(), "{:?}", ids(&st));
        assert_eq!(st.facts[0]["repaired"], true);
        let (k, st) = run("qemu-img-check.json", CHECK_JSON);
        assert_eq!(k, Kind::QemuImgCheck);
        let l = check(&st, "qemu-img-leaks");
        assert!(l.fix.iter().any(|f| f.command.as_deref()
            == Some("qemu-img check -r all /home/libvirt/images/compute.qcow2")));
        assert_eq!(l.evidence[0].text.trim(), "\"leaks\": 3,");
    }

    const INFO_TEXT: &str =
        include_str!("../../tests/captures/qemu-img-info/qemu-img_info_compute.qcow2");
    #[test]
    fn qemu_img_info_text_and_json() {
        let (k, st) = run("info.txt", INFO_TEXT);
        assert_eq!(k, Kind::QemuImgInfo);
        assert_eq!(st.facts[0]["virtual-size"], 85899345920u64);
        let c = check(&st, "qemu-img-corruption");
        assert!(c.evidence.iter().any(|e| e.line == 11));
        let j = include_str!("../../tests/captures/qemu-img-info/qemu-img_info_--output=json_disk");
        let (k, st) = run("info.json", j);
        assert_eq!(k, Kind::QemuImgInfo);
        assert!(st.checks.is_empty());
        assert_eq!(st.facts[0]["corrupt"], false);
    }

    #[test]
    fn recognition_by_content_not_name() {
        assert_eq!(recognise("notes.txt", CHECK_TEXT), Some(Kind::QemuImgCheck));
        assert_eq!(recognise("notes.txt", INFO_TEXT), Some(Kind::QemuImgInfo));
        assert_eq!(
            recognise("notes.txt", "Jan 1 00:00:01 host kernel: hello\n"),
            None
        );
        assert_eq!(recognise("var/log/messages", ""), None);
    }
}
