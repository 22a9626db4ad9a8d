//! Counting installed packages from the package databases, reading them line by line.

use std::collections::BTreeSet;
use std::io::{self, BufRead, BufReader, Read};

/// Longest line kept; the rest of a longer line is skipped, so memory stays bounded.
const MAX_LINE: u64 = 64 * 1024;

/// A package database that can appear in an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Database {
    /// `var/lib/dpkg/status`: one paragraph per package.
    Dpkg,
    /// `var/lib/dpkg/status.d/<name>`: distroless's one file per package.
    DpkgStatusD,
    /// `lib/apk/db/installed`: one `P:` line per package.
    Apk,
    /// An rpm database (Berkeley DB or SQLite): found, not counted.
    Rpm,
}

impl Database {
    /// The database a path holds, if any.
    fn at(path: &str) -> Option<Database> {
        match path {
            "var/lib/dpkg/status" => Some(Database::Dpkg),
            "lib/apk/db/installed" => Some(Database::Apk),
            "var/lib/rpm/Packages"
            | "var/lib/rpm/rpmdb.sqlite"
            | "usr/lib/sysimage/rpm/Packages"
            | "usr/lib/sysimage/rpm/rpmdb.sqlite" => Some(Database::Rpm),
            _ => path
                .strip_prefix("var/lib/dpkg/status.d/")
                .filter(|name| !name.is_empty() && !name.contains('/'))
                .filter(|name| !name.ends_with(".md5sums"))
                .map(|_| Database::DpkgStatusD),
        }
    }

    /// The name reports show.
    fn name(self) -> &'static str {
        match self {
            Database::Dpkg => "dpkg",
            Database::DpkgStatusD => "dpkg status.d",
            Database::Apk => "apk",
            Database::Rpm => "rpm",
        }
    }
}

/// Installed packages over every database met so far.
#[derive(Debug, Default)]
pub struct PackageCount {
    /// Packages counted.
    installed: u64,
    /// Whether a countable database was met.
    counted: bool,
    /// Names of the databases met.
    databases: BTreeSet<&'static str>,
}

impl PackageCount {
    /// Counts the packages in `content` when `path` is a package database; ignores it otherwise.
    pub fn read(&mut self, path: &str, content: impl Read) -> io::Result<()> {
        let Some(database) = Database::at(path) else {
            return Ok(());
        };
        self.databases.insert(database.name());
        self.installed += match database {
            Database::Dpkg | Database::DpkgStatusD => count_dpkg(content)?,
            Database::Apk => count_apk(content)?,
            Database::Rpm => return Ok(()),
        };
        self.counted = true;
        Ok(())
    }

    /// Installed packages, or `None` when no countable database was found.
    pub fn installed(&self) -> Option<u64> {
        self.counted.then_some(self.installed)
    }

    /// Names of the databases found.
    pub fn databases(&self) -> Vec<String> {
        self.databases.iter().map(|d| d.to_string()).collect()
    }
}

/// Paragraphs naming a package whose status, if given, is `install ok installed`.
fn count_dpkg(content: impl Read) -> io::Result<u64> {
    let mut count = 0;
    let mut package = false;
    let mut installed = true;
    let mut close = |package: &mut bool, installed: &mut bool| {
        count += u64::from(*package && *installed);
        *package = false;
        *installed = true;
    };
    for_each_line(content, |line| {
        if line.trim_ascii().is_empty() {
            close(&mut package, &mut installed);
        } else if line.starts_with(b"Package:") {
            package = true;
        } else if let Some(status) = line.strip_prefix(b"Status:") {
            installed = status.trim_ascii() == b"install ok installed";
        }
    })?;
    close(&mut package, &mut installed);
    Ok(count)
}

/// `P:` lines of apk's installed database.
fn count_apk(content: impl Read) -> io::Result<u64> {
    let mut count = 0;
    for_each_line(content, |line| count += u64::from(line.starts_with(b"P:")))?;
    Ok(count)
}

/// Calls `f` on each line (without its newline), at most [`MAX_LINE`] bytes of each.
fn for_each_line(content: impl Read, mut f: impl FnMut(&[u8])) -> io::Result<()> {
    let mut reader = BufReader::new(content);
    let mut line = Vec::new();
    loop {
        line.clear();
        let read = (&mut reader).take(MAX_LINE).read_until(b'\n', &mut line)?;
        if read == 0 {
            return Ok(());
        }
        match line.strip_suffix(b"\n") {
            Some(whole) => f(whole),
            None => {
                f(&line);
                reader.skip_until(b'\n')?;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = "Package: a\nStatus: install ok installed\nDescription: x\n more\n\n\
Package: b\nStatus: deinstall ok config-files\n\n\
Package: c\nStatus: install ok installed\n";

    #[test]
    fn dpkg_counts_only_installed_paragraphs() {
        assert_eq!(count_dpkg(STATUS.as_bytes()).unwrap(), 2);
        assert_eq!(count_dpkg(&b""[..]).unwrap(), 0);
    }

    #[test]
    fn distroless_status_d_counts_files_not_md5sums() {
        let mut count = PackageCount::default();
        count
            .read("var/lib/dpkg/status.d/libc6", &b"Package: libc6\n"[..])
            .unwrap();
        count
            .read("var/lib/dpkg/status.d/libc6.md5sums", &b"Package: x\n"[..])
            .unwrap();
        count.read("etc/passwd", &b"Package: y\n"[..]).unwrap();
        assert_eq!(count.installed(), Some(1));
        assert_eq!(count.databases(), vec!["dpkg status.d"]);
    }

    #[test]
    fn apk_counts_p_lines_and_rpm_is_found_not_counted() {
        let mut count = PackageCount::default();
        count.read("var/lib/rpm/rpmdb.sqlite", &b""[..]).unwrap();
        assert_eq!(count.installed(), None);
        count
            .read("lib/apk/db/installed", &b"P:musl\nV:1\n\nP:busybox\n"[..])
            .unwrap();
        assert_eq!(count.installed(), Some(2));
        assert_eq!(count.databases(), vec!["apk", "rpm"]);
    }

    #[test]
    fn overlong_lines_are_cut_not_kept() {
        let mut text = vec![b'x'; 3 * MAX_LINE as usize];
        text.extend_from_slice(b"\nP:a\n");
        assert_eq!(count_apk(&text[..]).unwrap(), 1);
    }
}
