//! Transitional: the parsers moved to `parsers/` (one per command);
//! `cross.rs` still calls `find_uuid` here.

pub(crate) use crate::parsers::virt_common::find_uuid;
