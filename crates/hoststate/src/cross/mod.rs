//! Host-level checks: what only several files read together show.
//!
//! Each parser sees one file. Some findings need two: a volume file's mode
//! means nothing without the user qemu runs as (`qemu.conf`, `ps`); a
//! `.cinderSecureEnvIndicator` on a share matters because `cinder.conf`
//! leaves the NAS security options at `auto`; a multipath map with open
//! count 0 is a leftover only if no domain uses it. [`cross_check`] runs once
//! per evidence root (one host's sosreport or one incident bundle) over the
//! state of all its files; its checks cite lines of every file they rest on
//! ([`Cite::file`]), and it names the single-file checks they replace (a
//! listing's guess of the qemu user gives way to the user qemu.conf names).

use serde_json::Value;

use crate::{Check, Cite, HostState};

mod multipath;
mod scsi;
mod unused_maps;
mod volumes;

/// The result of the host-level pass.
#[derive(Clone, Debug, Default)]
pub struct Crossed {
    /// New checks; every cite names its file.
    pub checks: Vec<Check>,
    /// Single-file checks these replace: (index into the files given,
    /// check id). Every check of that id in that file is superseded.
    pub superseded: Vec<(usize, String)>,
}

/// Checks across the files of one host (or one bundle): `files` are
/// (path as reported, its state).
pub fn cross_check(files: &[(&str, &HostState)]) -> Crossed {
    let fs = Files(files);
    let mut out = Crossed::default();
    volumes::volume_modes(&fs, &mut out);
    volumes::nas_secure_indicator(&fs, &mut out);
    multipath::multipath_settings(&fs, &mut out);
    unused_maps::unused_maps(&fs, &mut out);
    scsi::scsi_outside_multipath(&fs, &mut out);
    out.superseded.sort();
    out.superseded.dedup();
    crate::book::shipped().render_all(&mut out.checks);
    out
}

struct Files<'a>(&'a [(&'a str, &'a HostState)]);

impl<'a> Files<'a> {
    /// Every fact of type `ty`, with the index of its file.
    fn facts(&self, ty: &'a str) -> impl Iterator<Item = (usize, &'a Value)> + 'a {
        let files = self.0;
        files.iter().enumerate().flat_map(move |(i, (_, st))| {
            st.facts
                .iter()
                .filter(move |f| f["type"] == ty)
                .map(move |f| (i, f))
        })
    }

    fn cite(&self, fi: usize, line: u64) -> Option<Cite> {
        let (path, st) = self.0.get(fi)?;
        st.cite(path, line)
    }

    /// The line a fact starts at.
    fn cite_fact(&self, fi: usize, f: &Value) -> Option<Cite> {
        self.cite(fi, f["line"].as_u64()?)
    }

    fn kind(&self, fi: usize) -> Option<&'static str> {
        self.0.get(fi).and_then(|(_, st)| st.kind)
    }

    /// Files of this kind that hold a check with this id.
    fn files_with_check(&self, id: &str) -> Vec<usize> {
        self.0
            .iter()
            .enumerate()
            .filter(|(_, (_, st))| st.checks.iter().any(|c| c.id == id))
            .map(|(i, _)| i)
            .collect()
    }
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

fn push_cite(c: &mut Check, cite: Option<Cite>) {
    if let Some(x) = cite {
        c.add_cite(&x);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse_file, recognise};

    /// Parse `(path, text)` pairs as the scanner does: recognised by content
    /// and name.
    pub(super) fn states(files: &[(&str, &str)]) -> Vec<(String, HostState)> {
        files
            .iter()
            .map(|(p, t)| {
                let k = recognise(p, t).unwrap_or_else(|| panic!("{p} not recognised"));
                (p.to_string(), parse_file(k, t, p))
            })
            .collect()
    }

    pub(super) fn cross(files: &[(&str, &str)]) -> (Vec<(String, HostState)>, Crossed) {
        let st = states(files);
        let refs: Vec<(&str, &HostState)> = st.iter().map(|(p, s)| (p.as_str(), s)).collect();
        let c = cross_check(&refs);
        (st, c)
    }

    pub(super) fn one<'a>(c: &'a Crossed, id: &str) -> &'a Check {
        let v: Vec<&Check> = c.checks.iter().filter(|x| x.id == id).collect();
        assert_eq!(v.len(), 1, "{id}: {:#?}", c.checks);
        v[0]
    }

    pub(super) fn cited_files(c: &Check) -> Vec<&str> {
        let mut v: Vec<&str> = c
            .evidence
            .iter()
            .filter_map(|e| e.file.as_deref())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The cross captures (`tests/captures/cross/<case>/<file>`) are not a
    /// kind's: the generic capture test, which visits the directory of each
    /// kind, never reads them.
    #[test]
    fn cross_captures_are_not_a_kind() {
        assert!(crate::Kind::ALL.iter().all(|k| k.name() != "cross"));
    }
}
