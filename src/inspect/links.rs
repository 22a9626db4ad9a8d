//! Finding shells and package managers: entries of the bin directories named like one,
//! followed through symbolic links to a file that exists.
//!
//! Only what such a lookup can touch is kept: the bin directories' entries, links named like
//! a tool, top-level links (`/bin -> usr/bin`) and `/etc/alternatives`; never every path.

use std::collections::{HashMap, HashSet};

/// Directories searched for tools, relative to the root.
const BIN_DIRS: [&str; 6] = [
    "bin",
    "sbin",
    "usr/bin",
    "usr/sbin",
    "usr/local/bin",
    "usr/local/sbin",
];

/// Links followed before giving up on a loop.
const MAX_HOPS: usize = 40;

/// What a tool is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// A command interpreter (`sh`, `bash`, busybox ...).
    Shell,
    /// A package manager (`dpkg`, `apt`, `apk`, `rpm`, `pip` ...).
    PackageManager,
}

impl Tool {
    /// The tool a file name denotes, if any.
    fn named(name: &str) -> Option<Tool> {
        match name {
            "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh" | "mksh" | "csh" | "tcsh" | "fish"
            | "busybox" => Some(Tool::Shell),
            "dpkg" | "apt" | "apt-get" | "aptitude" | "apk" | "rpm" | "dnf" | "yum"
            | "microdnf" | "zypper" => Some(Tool::PackageManager),
            _ => name
                .strip_prefix("pip")
                .filter(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
                .map(|_| Tool::PackageManager),
        }
    }
}

/// The entries a tool lookup needs, gathered while the archive streams by.
#[derive(Debug, Default)]
pub struct ToolIndex {
    /// Bin-directory entries named like a tool, in archive order.
    candidates: Vec<(String, Tool)>,
    /// Links a lookup may follow: path to target.
    links: HashMap<String, String>,
    /// Files (not links) a lookup may end at.
    files: HashSet<String>,
}

impl ToolIndex {
    /// Records a regular file or hard link.
    pub fn add_file(&mut self, path: &str) {
        self.note_candidate(path);
        if in_bin_dir(path) || Tool::named(file_name(path)).is_some() {
            self.files.insert(path.to_string());
        }
    }

    /// Records a symbolic link to `target`.
    pub fn add_link(&mut self, path: &str, target: &str) {
        self.note_candidate(path);
        let followed = in_bin_dir(path)
            || Tool::named(file_name(path)).is_some()
            || path.matches('/').count() < 2
            || path.starts_with("etc/alternatives/");
        if followed {
            self.links.insert(path.to_string(), target.to_string());
        }
    }

    /// The tools of `kind` present, as absolute paths, sorted.
    pub fn found(&self, kind: Tool) -> Vec<String> {
        let mut found: Vec<String> = self
            .candidates
            .iter()
            .filter(|(path, tool)| *tool == kind && self.exists(path))
            .map(|(path, _)| format!("/{path}"))
            .collect();
        found.sort();
        found
    }

    /// Keeps `path` as a candidate if it is a bin-directory entry named like a tool.
    fn note_candidate(&mut self, path: &str) {
        if let Some(tool) = Tool::named(file_name(path)).filter(|_| in_bin_dir(path)) {
            self.candidates.push((path.to_string(), tool));
        }
    }

    /// Whether `path`, links followed, ends at a file.
    fn exists(&self, path: &str) -> bool {
        self.resolve(path).is_some_and(|p| self.files.contains(&p))
    }

    /// `path` with every known link in it replaced by its target; `None` on a loop.
    fn resolve(&self, path: &str) -> Option<String> {
        let mut current = normalize(path);
        for _ in 0..MAX_HOPS {
            match self.first_link(&current) {
                None => return Some(current),
                Some((link_end, target)) => {
                    let parent = current[..link_end].rsplit_once('/').map_or("", |(p, _)| p);
                    let base = if target.starts_with('/') { "" } else { parent };
                    current = normalize(&format!("{base}/{target}/{}", &current[link_end..]));
                }
            }
        }
        None
    }

    /// The shortest prefix of `path` that is a known link: where it ends, and its target.
    fn first_link(&self, path: &str) -> Option<(usize, &str)> {
        path.match_indices('/')
            .map(|(i, _)| i)
            .chain([path.len()])
            .find_map(|end| self.links.get(&path[..end]).map(|t| (end, t.as_str())))
    }
}

/// Whether `path` sits directly in one of the [`BIN_DIRS`].
fn in_bin_dir(path: &str) -> bool {
    path.rsplit_once('/')
        .is_some_and(|(dir, _)| BIN_DIRS.contains(&dir))
}

/// The last component of `path`.
fn file_name(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, name)| name)
}

/// `path` relative to the root, without `.`, `..`, empty components or a trailing slash.
pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(files: &[&str], links: &[(&str, &str)]) -> ToolIndex {
        let mut index = ToolIndex::default();
        for (path, target) in links {
            index.add_link(path, target);
        }
        for file in files {
            index.add_file(file);
        }
        index
    }

    #[test]
    fn a_link_counts_only_when_its_target_exists() {
        let index = index(
            &["bin/dash"],
            &[("bin/sh", "dash"), ("bin/bash", "/bin/nope")],
        );
        assert_eq!(index.found(Tool::Shell), vec!["/bin/dash", "/bin/sh"]);
    }

    #[test]
    fn links_are_followed_through_merged_usr_and_alternatives() {
        let index = index(
            &["usr/bin/dash", "usr/bin/pip3.11", "usr/lib/busybox"],
            &[
                ("bin", "usr/bin"),
                ("usr/bin/sh", "../../bin/dash"),
                ("usr/bin/pip", "/etc/alternatives/pip"),
                ("etc/alternatives/pip", "/usr/bin/pip3.11"),
                ("usr/bin/busybox", "../lib/busybox"),
            ],
        );
        assert_eq!(
            index.found(Tool::Shell),
            vec!["/usr/bin/busybox", "/usr/bin/dash", "/usr/bin/sh"]
        );
        assert_eq!(
            index.found(Tool::PackageManager),
            vec!["/usr/bin/pip", "/usr/bin/pip3.11"]
        );
    }

    #[test]
    fn loops_and_other_names_are_not_tools() {
        let index = index(
            &["usr/bin/python3", "opt/bin/sh"],
            &[("bin/sh", "bash"), ("bin/bash", "sh")],
        );
        assert!(index.found(Tool::Shell).is_empty());
        assert!(index.found(Tool::PackageManager).is_empty());
    }

    #[test]
    fn normalize_drops_dots() {
        assert_eq!(normalize("./usr//bin/../lib/"), "usr/lib");
        assert_eq!(normalize("/../x"), "x");
    }
}
