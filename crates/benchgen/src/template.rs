//! Line templates: literal text with typed holes, compiled once and rendered
//! per line with the PRNG. Syntax (`{{` is a literal `{`):
//!
//! | hole | renders |
//! | --- | --- |
//! | `{d:LO-HI}` | a decimal in `LO..=HI` |
//! | `{p:W:LO-HI}` | the same, zero-padded to `W` digits |
//! | `{x:N}` / `{X:N}` | `N` lower / upper case hex digits |
//! | `{a:N}` | `N` lowercase alphanumerics |
//! | `{c:one^two^three}` | one of the choices |
//! | `{u}` | a random UUID |
//! | `{ip}` | a 10.x.y.z address |
//! | `{inst}` `{iname}` `{tap}` `{mac}` | an instance's UUID, domain name, tap device, MAC (the file's own instance if it has one) |
//! | `{vol}` `{mnt}` `{pod}` `{host}` `{req}` | a cinder volume, the NFS mount hash, a `ns/pod`, the host name, `req-UUID` |
//! | `{seq}` `{seq5}` | a per-file counter (plain / 5 digits) |
//! | `{blk}` | a number in 1..=99, the same on every line of one multi-line entry |
//! | `{tsz3}` `{tsz6}` `{tsz9}` `{tsceph}` `{lts}` `{ots}` `{klog}` `{epoch}` | the line's time in ISO-Z, ceph, libvirt, oslo, klog and epoch forms |

use crate::Error;
use crate::clock::{self, Clock};
use crate::rng::{self, Rng};
use crate::world::World;

#[derive(Clone, Debug)]
enum Piece {
    Lit(Box<[u8]>),
    Dec(u64, u64),
    Pad(usize, u64, u64),
    Hex(usize, bool),
    Alnum(usize),
    Choice(Box<[Box<[u8]>]>),
    Uuid,
    Ip,
    Inst,
    IName,
    Tap,
    Mac,
    Vol,
    Mnt,
    Pod,
    Host,
    Req,
    Seq,
    Seq5,
    Blk,
    TsZ(u32),
    TsCeph,
    Lts,
    Ots,
    Klog,
    Epoch,
}

/// One compiled line.
#[derive(Clone, Debug)]
pub struct Line(Vec<Piece>);

/// Everything a hole may need.
pub struct Ctx<'a> {
    pub world: &'a World,
    pub clock: Clock,
    pub seq: u64,
    /// Drawn once per entry, for `{blk}`.
    pub blk: u64,
    pub own_instance: Option<usize>,
}

/// A mistake in template `tpl`.
fn bad(what: impl std::fmt::Display, tpl: &str) -> Error {
    Error::Template(format!("{what} in {tpl:?}"))
}

fn range(spec: &str, tpl: &str) -> Result<(u64, u64), Error> {
    let (lo, hi) = spec
        .split_once('-')
        .ok_or_else(|| bad(format_args!("bad range {spec:?}"), tpl))?;
    let lo: u64 = lo.parse().map_err(|_| bad("bad range", tpl))?;
    let hi: u64 = hi.parse().map_err(|_| bad("bad range", tpl))?;
    if lo > hi {
        return Err(bad("bad range", tpl));
    }
    Ok((lo, hi))
}

/// A count in a hole (`{x:N}`).
fn count(arg: &str, what: &str, tpl: &str) -> Result<usize, Error> {
    arg.parse()
        .map_err(|_| bad(format_args!("bad {what}"), tpl))
}

impl Line {
    pub fn compile(tpl: &str) -> Result<Line, Error> {
        let mut pieces = Vec::new();
        let mut lit = Vec::new();
        let b = tpl.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'{' {
                if b.get(i + 1) == Some(&b'{') {
                    lit.push(b'{');
                    i += 2;
                    continue;
                }
                let end = tpl[i..]
                    .find('}')
                    .ok_or_else(|| bad("unclosed hole", tpl))?
                    + i;
                let hole = &tpl[i + 1..end];
                let (name, arg) = hole.split_once(':').unwrap_or((hole, ""));
                let piece = match name {
                    "d" => {
                        let (lo, hi) = range(arg, tpl)?;
                        Piece::Dec(lo, hi)
                    }
                    "p" => {
                        let (w, r) = arg
                            .split_once(':')
                            .ok_or_else(|| bad("a p hole without W:LO-HI", tpl))?;
                        let (lo, hi) = range(r, tpl)?;
                        Piece::Pad(count(w, "width", tpl)?, lo, hi)
                    }
                    "x" => Piece::Hex(count(arg, "hex count", tpl)?, false),
                    "X" => Piece::Hex(count(arg, "hex count", tpl)?, true),
                    "a" => Piece::Alnum(count(arg, "alnum count", tpl)?),
                    "c" => {
                        if arg.contains('{') {
                            return Err(bad("holes inside a choice", tpl));
                        }
                        Piece::Choice(
                            arg.split('^')
                                .map(|s| s.as_bytes().to_vec().into_boxed_slice())
                                .collect(),
                        )
                    }
                    "u" => Piece::Uuid,
                    "ip" => Piece::Ip,
                    "inst" => Piece::Inst,
                    "iname" => Piece::IName,
                    "tap" => Piece::Tap,
                    "mac" => Piece::Mac,
                    "vol" => Piece::Vol,
                    "mnt" => Piece::Mnt,
                    "pod" => Piece::Pod,
                    "host" => Piece::Host,
                    "req" => Piece::Req,
                    "seq" => Piece::Seq,
                    "seq5" => Piece::Seq5,
                    "blk" => Piece::Blk,
                    "tsz3" => Piece::TsZ(3),
                    "tsz6" => Piece::TsZ(6),
                    "tsz9" => Piece::TsZ(9),
                    "tsceph" => Piece::TsCeph,
                    "lts" => Piece::Lts,
                    "ots" => Piece::Ots,
                    "klog" => Piece::Klog,
                    "epoch" => Piece::Epoch,
                    _ => return Err(bad(format_args!("unknown hole {{{hole}}}"), tpl)),
                };
                if !lit.is_empty() {
                    pieces.push(Piece::Lit(std::mem::take(&mut lit).into_boxed_slice()));
                }
                pieces.push(piece);
                i = end + 1;
            } else {
                lit.push(b[i]);
                i += 1;
            }
        }
        if !lit.is_empty() {
            pieces.push(Piece::Lit(lit.into_boxed_slice()));
        }
        Ok(Line(pieces))
    }

    #[inline]
    pub fn render(&self, rng: &mut Rng, ctx: &mut Ctx<'_>, out: &mut Vec<u8>) {
        for p in &self.0 {
            match p {
                Piece::Lit(s) => out.extend_from_slice(s),
                Piece::Dec(lo, hi) => clock::push_dec(out, rng.range(*lo, *hi)),
                Piece::Pad(w, lo, hi) => clock::push_padded(out, rng.range(*lo, *hi), *w),
                Piece::Hex(n, up) => rng::push_hex(rng, out, *n, *up),
                Piece::Alnum(n) => rng::push_alnum(rng, out, *n),
                Piece::Choice(cs) => {
                    out.extend_from_slice(&cs[rng.below(cs.len() as u64) as usize])
                }
                Piece::Uuid => rng::push_uuid(rng, out),
                Piece::Ip => {
                    out.extend_from_slice(b"10.");
                    clock::push_dec(out, rng.below(4));
                    out.push(b'.');
                    clock::push_dec(out, rng.below(256));
                    out.push(b'.');
                    clock::push_dec(out, rng.range(1, 254));
                }
                Piece::Inst => out.extend_from_slice(ctx.instance(rng).uuid.as_bytes()),
                Piece::IName => out.extend_from_slice(ctx.instance(rng).name.as_bytes()),
                Piece::Tap => out.extend_from_slice(ctx.instance(rng).tap.as_bytes()),
                Piece::Mac => out.extend_from_slice(ctx.instance(rng).mac.as_bytes()),
                Piece::Vol => out.extend_from_slice(rng.pick(&ctx.world.volumes).as_bytes()),
                Piece::Mnt => out.extend_from_slice(ctx.world.cinder_mnt.as_bytes()),
                Piece::Pod => out.extend_from_slice(rng.pick(&ctx.world.pods).as_bytes()),
                Piece::Host => out.extend_from_slice(ctx.world.host.as_bytes()),
                Piece::Req => {
                    out.extend_from_slice(b"req-");
                    rng::push_uuid(rng, out);
                }
                Piece::Seq => {
                    ctx.seq += 1;
                    clock::push_dec(out, ctx.seq);
                }
                Piece::Seq5 => {
                    ctx.seq += 1;
                    clock::push_padded(out, ctx.seq % 100_000, 5);
                }
                Piece::Blk => clock::push_dec(out, ctx.blk),
                Piece::TsZ(d) => ctx.clock.iso_z(out, *d),
                Piece::TsCeph => ctx.clock.iso_ceph(out),
                Piece::Lts => ctx.clock.libvirt(out),
                Piece::Ots => ctx.clock.oslo(out),
                Piece::Klog => ctx.clock.klog(out),
                Piece::Epoch => ctx.clock.epoch_ms(out),
            }
        }
    }
}

impl Ctx<'_> {
    #[inline]
    fn instance(&self, rng: &mut Rng) -> &crate::world::Instance {
        match self.own_instance {
            Some(i) => &self.world.instances[i],
            None => rng.pick(&self.world.instances),
        }
    }
}

/// A weighted set of (possibly multi-line) templates.
pub struct Mix {
    entries: Vec<Entry>,
    cum: Vec<u64>,
}

pub struct Entry {
    /// Kernel messages get the file's kernel prefix (`kernel: [stamp] `).
    pub kernel: bool,
    pub lines: Vec<Line>,
}

/// A template group: `(weight, text)` pairs; `\n` in a text makes a
/// multi-line entry whose every line gets the file's header.
pub type Group = &'static [(u32, &'static str)];

impl Mix {
    /// `parts`: `(group, is_kernel, scale)`; each entry's weight is multiplied
    /// by `scale` and divided by the group's total weight, so `scale` is the
    /// group's share of lines.
    pub fn new(parts: &[(Group, bool, u64)]) -> Result<Mix, Error> {
        let mut entries = Vec::new();
        let mut cum = Vec::new();
        let mut total = 0u64;
        for (group, kernel, scale) in parts {
            let gsum: u64 = group.iter().map(|(w, _)| u64::from(*w)).sum();
            for (w, text) in group.iter() {
                let weight = (u64::from(*w) * scale * 1000 / gsum).max(1);
                total += weight;
                cum.push(total);
                entries.push(Entry {
                    kernel: *kernel,
                    lines: text
                        .split('\n')
                        .map(Line::compile)
                        .collect::<Result<_, _>>()?,
                });
            }
        }
        if entries.is_empty() {
            return Err(Error::Template("a mix without templates".to_string()));
        }
        Ok(Mix { entries, cum })
    }

    #[inline]
    pub fn pick(&self, rng: &mut Rng) -> &Entry {
        // Never empty: `new` refuses a mix without entries.
        let total = self.cum.last().copied().unwrap_or_default();
        let r = rng.below(total);
        let i = self.cum.partition_point(|&c| c <= r);
        &self.entries[i]
    }

    pub fn first(&self) -> &Entry {
        &self.entries[0]
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
