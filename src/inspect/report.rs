//! The plain data an inspection produces: what `inspect --json` prints and results.json holds.

use serde::{Deserialize, Serialize};

/// Size, contents and attack surface of one image.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageReport {
    /// Image reference as given.
    pub image: String,
    /// Image id (config digest).
    pub id: String,
    /// Uncompressed size as the daemon reports it, bytes.
    pub size_bytes: u64,
    /// Number of filesystem layers.
    pub layers: u32,
    /// The largest layers, largest first, with the command that made them.
    pub largest_layers: Vec<Layer>,
    /// Everything in the filesystem (the root's tally).
    pub totals: Tally,
    /// Each top-level directory, largest first.
    pub top_level: Vec<DirUsage>,
    /// The largest directories below the top level (sizes include subdirectories).
    pub largest_dirs: Vec<DirUsage>,
    /// What an attacker inside the container would find.
    pub surface: AttackSurface,
}

/// One layer-making step of the image's history.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layer {
    /// Bytes the layer adds, uncompressed.
    pub size_bytes: u64,
    /// The command that made it, as the history records it (may be empty).
    pub created_by: String,
}

/// Counts of the entries under a directory, subdirectories included.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Regular files and hard links.
    pub files: u64,
    /// Directories.
    pub dirs: u64,
    /// Symbolic links.
    pub symlinks: u64,
    /// Devices, pipes and sockets.
    pub other: u64,
    /// Bytes of the regular files.
    pub bytes: u64,
}

/// What kind of entry a tar header describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A regular file or a hard link.
    File,
    /// A directory.
    Dir,
    /// A symbolic link.
    Symlink,
    /// A device, pipe or socket.
    Other,
}

impl Tally {
    /// Counts one entry of `kind` holding `bytes`.
    pub fn add(&mut self, kind: Kind, bytes: u64) {
        match kind {
            Kind::File => self.files += 1,
            Kind::Dir => self.dirs += 1,
            Kind::Symlink => self.symlinks += 1,
            Kind::Other => self.other += 1,
        }
        self.bytes += bytes;
    }

    /// Entries of any kind.
    pub fn entries(&self) -> u64 {
        self.files + self.dirs + self.symlinks + self.other
    }
}

/// A directory and what it holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirUsage {
    /// Absolute path (`/usr/lib`).
    pub path: String,
    /// What is under it.
    #[serde(flatten)]
    pub tally: Tally,
}

/// The first paths of a possibly long list, and how long it really is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathList {
    /// How many paths there are.
    pub total: u64,
    /// The first [`PathList::KEPT`] of them, absolute, in archive order.
    pub paths: Vec<String>,
}

impl PathList {
    /// How many paths are kept; the rest are only counted, so memory stays bounded.
    pub const KEPT: usize = 50;

    /// Counts `path` (relative to the root) and keeps it if there is room.
    pub fn push(&mut self, path: &str) {
        self.total += 1;
        if self.paths.len() < Self::KEPT {
            self.paths.push(format!("/{path}"));
        }
    }
}

/// The attack surface of an image.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttackSurface {
    /// Shells found in the bin directories (links count when their target exists).
    pub shells: Vec<String>,
    /// Package managers found in the bin directories.
    pub package_managers: Vec<String>,
    /// Files with the setuid bit.
    pub setuid: PathList,
    /// Files with the setgid bit.
    pub setgid: PathList,
    /// Directories anyone may write to that lack the sticky bit.
    pub world_writable_dirs: PathList,
    /// The configured `USER`, empty when unset.
    pub user: String,
    /// True when the image runs as root (no user, `0`, `root`, or a name with uid 0).
    pub runs_as_root: bool,
    /// Installed packages, when a package database that can be counted was found.
    pub packages: Option<u64>,
    /// The package databases found (`dpkg`, `dpkg status.d`, `apk`, `rpm`).
    pub package_databases: Vec<String>,
}
