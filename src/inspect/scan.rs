//! One pass over an image's filesystem tar: per-directory tallies, the attack surface, and
//! the package databases, without keeping file contents or the list of paths.

use super::links::{normalize, Tool, ToolIndex};
use super::packages::PackageCount;
use super::report::{DirUsage, Kind, PathList, Tally};
use std::collections::HashMap;
use std::io::{self, Read};
use tar::EntryType;

/// Files the daemon puts in every container (its init layer); not part of the image.
const DAEMON_FILES: [&str; 6] = [
    ".dockerenv",
    "dev/console",
    "etc/hostname",
    "etc/hosts",
    "etc/mtab",
    "etc/resolv.conf",
];

/// Directories the daemon creates in every container, deepest first: counted only when the
/// image put something in them.
const DAEMON_DIRS: [&str; 6] = ["dev/pts", "dev/shm", "dev", "etc", "proc", "sys"];

/// Bytes of `/etc/passwd` kept to look up the image's user.
const PASSWD_KEPT: u64 = 256 * 1024;

/// Largest directories listed below the top level.
const LARGEST_DIRS: usize = 10;

/// What one pass over the tar found.
#[derive(Debug, Default)]
pub struct FsScan {
    /// Tally of every directory, subdirectories included; `""` is the root.
    tallies: HashMap<String, Tally>,
    /// Setuid files.
    pub setuid: PathList,
    /// Setgid files.
    pub setgid: PathList,
    /// World-writable directories without the sticky bit.
    pub world_writable_dirs: PathList,
    /// Shells and package managers.
    tools: ToolIndex,
    /// Installed packages.
    pub packages: PackageCount,
    /// The start of `/etc/passwd`, if the image has one.
    pub passwd: Option<String>,
}

/// Reads a filesystem tar (as `docker export` writes it) to the end.
pub fn scan_tar(reader: impl Read) -> io::Result<FsScan> {
    let mut archive = tar::Archive::new(reader);
    let mut scan = FsScan::default();
    for entry in archive.entries()? {
        let mut entry = entry?;
        let path = normalize(&String::from_utf8_lossy(&entry.path_bytes()));
        scan.record(&path, &mut entry)?;
    }
    for dir in DAEMON_DIRS {
        if scan.tallies.get(dir).is_some_and(|t| t.entries() > 0) {
            scan.tally(dir, Kind::Dir, 0);
        }
    }
    Ok(scan)
}

impl FsScan {
    /// Everything in the filesystem.
    pub fn totals(&self) -> Tally {
        self.tallies.get("").copied().unwrap_or_default()
    }

    /// The top-level directories, largest first.
    pub fn top_level(&self) -> Vec<DirUsage> {
        self.largest(|depth| depth == 1, usize::MAX)
    }

    /// The largest directories below the top level.
    pub fn largest_dirs(&self) -> Vec<DirUsage> {
        self.largest(|depth| depth > 1, LARGEST_DIRS)
    }

    /// Shells or package managers present.
    pub fn tools(&self, kind: Tool) -> Vec<String> {
        self.tools.found(kind)
    }

    /// Directories whose depth passes `keep`, by bytes then path, at most `limit`.
    fn largest(&self, keep: impl Fn(usize) -> bool, limit: usize) -> Vec<DirUsage> {
        let mut dirs: Vec<DirUsage> = self
            .tallies
            .iter()
            .filter(|(path, _)| !path.is_empty() && keep(path.matches('/').count() + 1))
            .map(|(path, tally)| DirUsage {
                path: format!("/{path}"),
                tally: *tally,
            })
            .collect();
        dirs.sort_by(|a, b| b.tally.bytes.cmp(&a.tally.bytes).then(a.path.cmp(&b.path)));
        dirs.truncate(limit);
        dirs
    }

    /// Counts one entry and notes what it exposes.
    fn record<R: Read>(&mut self, path: &str, entry: &mut tar::Entry<R>) -> io::Result<()> {
        let header = entry.header();
        let kind = match header.entry_type() {
            EntryType::Regular | EntryType::Continuous | EntryType::Link => Kind::File,
            EntryType::Directory => Kind::Dir,
            EntryType::Symlink => Kind::Symlink,
            _ => Kind::Other,
        };
        let daemon_made = match kind {
            Kind::Dir => DAEMON_DIRS.contains(&path),
            _ => DAEMON_FILES.contains(&path),
        };
        if path.is_empty() || daemon_made {
            return Ok(());
        }
        let mode = header.mode()?;
        let bytes = if kind == Kind::File {
            header.size()?
        } else {
            0
        };
        self.tally(path, kind, bytes);
        match kind {
            Kind::File => {
                if mode & 0o4000 != 0 {
                    self.setuid.push(path);
                }
                if mode & 0o2000 != 0 {
                    self.setgid.push(path);
                }
                self.tools.add_file(path);
                if path == "etc/passwd" {
                    let mut text = String::new();
                    entry.take(PASSWD_KEPT).read_to_string(&mut text)?;
                    self.passwd = Some(text);
                } else {
                    self.packages.read(path, entry)?;
                }
            }
            Kind::Dir => {
                self.tallies.entry(path.to_string()).or_default();
                if mode & 0o002 != 0 && mode & 0o1000 == 0 {
                    self.world_writable_dirs.push(path);
                }
            }
            Kind::Symlink => {
                let target = entry.link_name_bytes().unwrap_or_default();
                self.tools.add_link(path, &String::from_utf8_lossy(&target));
            }
            Kind::Other => {}
        }
        Ok(())
    }

    /// Adds an entry at `path` to the tallies of every directory above it.
    fn tally(&mut self, path: &str, kind: Kind, bytes: u64) {
        let ancestors = path.match_indices('/').map(|(i, _)| &path[..i]);
        for dir in std::iter::once("").chain(ancestors) {
            match self.tallies.get_mut(dir) {
                Some(tally) => tally.add(kind, bytes),
                None => {
                    let mut tally = Tally::default();
                    tally.add(kind, bytes);
                    self.tallies.insert(dir.to_string(), tally);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tar of `(path, kind, mode, content or link target)`.
    fn tar(entries: &[(&str, EntryType, u32, &str)]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, kind, mode, data) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(*kind);
            header.set_mode(*mode);
            if kind.is_symlink() || kind.is_hard_link() {
                header.set_size(0);
                builder.append_link(&mut header, path, data).unwrap();
            } else {
                header.set_size(data.len() as u64);
                header.set_cksum();
                builder
                    .append_data(&mut header, path, data.as_bytes())
                    .unwrap();
            }
        }
        builder.into_inner().unwrap()
    }

    #[test]
    fn daemon_entries_are_left_out_unless_the_image_used_the_directory() {
        let file = EntryType::Regular;
        let dir = EntryType::Directory;
        let bytes = tar(&[
            (".dockerenv", file, 0o755, ""),
            ("app", file, 0o755, "12345"),
            ("dev/", dir, 0o755, ""),
            ("dev/pts/", dir, 0o755, ""),
            ("etc/", dir, 0o755, ""),
            ("etc/hosts", file, 0o644, ""),
            ("etc/passwd", file, 0o644, "app:x:10:10::/:/app\n"),
            ("proc/", dir, 0o555, ""),
            ("tmp/", dir, 0o1777, ""),
            ("data/", dir, 0o777, ""),
            ("data/x", file, 0o2755, "ab"),
        ]);
        let scan = scan_tar(&bytes[..]).unwrap();
        let totals = scan.totals();
        assert_eq!((totals.files, totals.dirs, totals.bytes), (3, 3, 27));
        let top: Vec<_> = scan.top_level().into_iter().map(|d| d.path).collect();
        assert_eq!(top, vec!["/etc", "/data", "/tmp"]);
        assert_eq!(scan.world_writable_dirs.paths, vec!["/data"]);
        assert_eq!(scan.setgid.paths, vec!["/data/x"]);
        assert_eq!(scan.setuid.total, 0);
        assert!(scan.passwd.unwrap().starts_with("app:x:10"));
    }
}
