//! The managed local registry and the link emulator in front of it.

pub mod link;
pub mod managed;
pub mod manifest;
pub mod proxy;
