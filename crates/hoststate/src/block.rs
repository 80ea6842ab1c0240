//! Transitional, until `live` names the new path: the block stack's check
//! builders that rootline's own snapshot raises too.

pub(crate) use crate::parsers::block_common::{
    dm_suspended_check, loop_backing_deleted, scsi_offline_check,
};
