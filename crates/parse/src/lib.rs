//! Log line formats: detection, line headers, time stamps and multi-line
//! continuation.
//!
//! This crate is pure: it never does I/O and never fails on a bad line. Every
//! function takes bytes (logs are not guaranteed to be UTF-8) and returns
//! what it could recognise; anything it could not is simply absent.
//!
//! The scanner calls [`detect`] once per file on its first bytes, then
//! [`parse_line`] only for lines that matched a signature (and for the few
//! context lines around them): time stamps are never parsed for the bulk of
//! a file.

mod app;
mod continuation;
mod detect;
mod formats;
mod journal;
mod jsonlines;
mod kernel;
mod libvirt;
mod syslog;
mod text;

pub use continuation::continues;
pub use detect::detect;
pub use formats::{Detection, LogFormat, ParsedLine, parse_line};
