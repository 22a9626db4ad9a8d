//! Text from reports: the verdict line, one image's Markdown section, and the side-by-side
//! table of a pair.

use super::report::{DirUsage, ImageReport, PathList};
use crate::report::format::bytes;
use std::fmt::Write;

/// Longest history command shown in a table cell.
const COMMAND_SHOWN: usize = 70;

impl ImageReport {
    /// No shell and no package manager: what distroless images promise.
    pub fn is_distroless(&self) -> bool {
        self.surface.shells.is_empty() && self.surface.package_managers.is_empty()
    }

    /// One line: `distroless: no shell, no package manager, non-root, 12 packages`.
    pub fn verdict(&self) -> String {
        let s = &self.surface;
        let mut parts = vec![
            presence("shell", &s.shells),
            presence("package manager", &s.package_managers),
            if s.runs_as_root { "root" } else { "non-root" }.to_string(),
            match s.packages {
                Some(n) => format!("{n} packages"),
                None => "no package database".to_string(),
            },
        ];
        for (list, what) in [
            (&s.setuid, "setuid file"),
            (&s.setgid, "setgid file"),
            (&s.world_writable_dirs, "world-writable dir"),
        ] {
            if list.total > 0 {
                parts.push(format!("{} {what}{}", list.total, plural(list.total)));
            }
        }
        let kind = if self.is_distroless() {
            "distroless"
        } else {
            "fat"
        };
        format!("{kind}: {}", parts.join(", "))
    }
}

/// `no shell`, or `shell (sh, busybox)` with the distinct names found.
fn presence(what: &str, paths: &[String]) -> String {
    if paths.is_empty() {
        return format!("no {what}");
    }
    let mut names: Vec<&str> = paths
        .iter()
        .map(|p| p.rsplit('/').next().unwrap_or(p))
        .collect();
    names.sort();
    names.dedup();
    format!("{what} ({})", names.join(", "))
}

/// `s` when `n` is not one.
fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// One image's section: verdict, size, layers, directories and attack surface, in Markdown.
pub fn image_markdown(report: &ImageReport) -> String {
    let mut out = String::new();
    let t = &report.totals;
    let s = &report.surface;
    let _ = writeln!(out, "## {}\n\n**{}**\n", report.image, report.verdict());
    let _ = writeln!(
        out,
        "- size: {} in {} layer(s); {} files ({}), {} directories, {} symlinks, {} other",
        bytes(report.size_bytes),
        report.layers,
        t.files,
        bytes(t.bytes),
        t.dirs,
        t.symlinks,
        t.other
    );
    let user = if s.user.is_empty() {
        "(unset)"
    } else {
        &s.user
    };
    let _ = writeln!(out, "- user: {user}");
    let _ = writeln!(out, "- shells: {}", listed(&s.shells));
    let _ = writeln!(out, "- package managers: {}", listed(&s.package_managers));
    let databases = listed(&s.package_databases);
    match s.packages {
        Some(n) => writeln!(out, "- packages: {n} ({databases})"),
        None => writeln!(out, "- packages: not counted ({databases})"),
    }
    .ok();
    for (what, list) in [
        ("setuid", &s.setuid),
        ("setgid", &s.setgid),
        (
            "world-writable dirs without sticky bit",
            &s.world_writable_dirs,
        ),
    ] {
        let _ = writeln!(out, "- {what}: {}", path_list(list));
    }
    let _ = writeln!(out, "\n| largest layer | command |\n|---:|---|");
    for layer in &report.largest_layers {
        let command = match shorten(&layer.created_by) {
            shown if shown.is_empty() => "(not recorded)".to_string(),
            shown => format!("`{shown}`"),
        };
        let _ = writeln!(out, "| {} | {command} |", bytes(layer.size_bytes));
    }
    dir_table(&mut out, "top-level directory", &report.top_level);
    dir_table(&mut out, "largest directory", &report.largest_dirs);
    out
}

/// A table of directories with their sizes and counts.
fn dir_table(out: &mut String, title: &str, dirs: &[DirUsage]) {
    let _ = writeln!(
        out,
        "\n| {title} | size | files | dirs |\n|---|---:|---:|---:|"
    );
    for d in dirs {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            d.path,
            bytes(d.tally.bytes),
            d.tally.files,
            d.tally.dirs
        );
    }
}

/// Comma-separated items, or `none`.
fn listed(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

/// The kept paths, and how many more there are.
fn path_list(list: &PathList) -> String {
    let shown = listed(&list.paths);
    match list.total - list.paths.len() as u64 {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

/// A history command on one line, cut to [`COMMAND_SHOWN`] characters, safe in a table cell.
fn shorten(command: &str) -> String {
    let words: Vec<&str> = command.split_whitespace().collect();
    let command = words
        .join(" ")
        .trim_start_matches("/bin/sh -c ")
        .replace(['|', '`'], "¦");
    match command.char_indices().nth(COMMAND_SHOWN) {
        Some((cut, _)) => format!("{}…", &command[..cut]),
        None => command,
    }
}

/// The side-by-side table of a fat image and its distroless counterpart, in Markdown.
pub fn pair_table(fat: &ImageReport, distroless: &ImageReport) -> String {
    let yes_no = |paths: &[String]| if paths.is_empty() { "no" } else { "yes" }.to_string();
    let user = |r: &ImageReport| {
        let who = if r.surface.runs_as_root {
            "root"
        } else {
            "non-root"
        };
        match r.surface.user.as_str() {
            "" => who.to_string(),
            set => format!("{who} ({set})"),
        }
    };
    let packages = |r: &ImageReport| r.surface.packages.map_or("-".into(), |n| n.to_string());
    let rows: Vec<(&str, String, String, String)> = vec![
        numbers("size", fat.size_bytes, distroless.size_bytes, bytes),
        numbers("layers", fat.layers.into(), distroless.layers.into(), count),
        numbers("files", fat.totals.files, distroless.totals.files, count),
        numbers(
            "directories",
            fat.totals.dirs,
            distroless.totals.dirs,
            count,
        ),
        same(
            "shell",
            yes_no(&fat.surface.shells),
            yes_no(&distroless.surface.shells),
        ),
        same(
            "package manager",
            yes_no(&fat.surface.package_managers),
            yes_no(&distroless.surface.package_managers),
        ),
        same("user", user(fat), user(distroless)),
        same("packages", packages(fat), packages(distroless)),
        numbers(
            "setuid files",
            fat.surface.setuid.total,
            distroless.surface.setuid.total,
            count,
        ),
        numbers(
            "setgid files",
            fat.surface.setgid.total,
            distroless.surface.setgid.total,
            count,
        ),
        numbers(
            "world-writable dirs",
            fat.surface.world_writable_dirs.total,
            distroless.surface.world_writable_dirs.total,
            count,
        ),
        same("verdict", fat.verdict(), distroless.verdict()),
    ];
    let mut out = format!(
        "| | {} | {} | change |\n|---|---:|---:|---:|\n",
        fat.image, distroless.image
    );
    for (name, a, b, change) in rows {
        let _ = writeln!(out, "| {name} | {a} | {b} | {change} |");
    }
    out
}

/// A plain count.
fn count(n: u64) -> String {
    n.to_string()
}

/// A numeric row with the relative change from `fat` to `distroless`.
fn numbers(
    name: &str,
    fat: u64,
    distroless: u64,
    show: fn(u64) -> String,
) -> (&str, String, String, String) {
    let change = if fat == 0 {
        String::new()
    } else {
        format!("{:+.0}%", (distroless as f64 / fat as f64 - 1.0) * 100.0)
    };
    (name, show(fat), show(distroless), change)
}

/// A row without a change column.
fn same(name: &str, fat: String, distroless: String) -> (&str, String, String, String) {
    (name, fat, distroless, String::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::report::{AttackSurface, Tally};

    fn distroless() -> ImageReport {
        ImageReport {
            image: "app:distroless".into(),
            size_bytes: 2_000_000,
            layers: 1,
            totals: Tally {
                files: 1,
                ..Default::default()
            },
            surface: AttackSurface {
                user: "65532".into(),
                packages: Some(12),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    fn fat() -> ImageReport {
        let mut fat = distroless();
        fat.image = "app:fat".into();
        fat.size_bytes = 8_000_000;
        fat.surface.shells = vec!["/bin/sh".into(), "/usr/bin/sh".into()];
        fat.surface.package_managers = vec!["/usr/bin/dpkg".into()];
        fat.surface.user = String::new();
        fat.surface.runs_as_root = true;
        fat.surface.setuid.push("bin/su");
        fat
    }

    #[test]
    fn verdicts_name_what_is_there() {
        assert_eq!(
            distroless().verdict(),
            "distroless: no shell, no package manager, non-root, 12 packages"
        );
        assert_eq!(
            fat().verdict(),
            "fat: shell (sh), package manager (dpkg), root, 12 packages, 1 setuid file"
        );
    }

    #[test]
    fn pair_table_shows_both_and_the_change() {
        let table = pair_table(&fat(), &distroless());
        assert!(
            table.starts_with("| | app:fat | app:distroless | change |"),
            "{table}"
        );
        assert!(
            table.contains("| size | 8.0 MB | 2.0 MB | -75% |"),
            "{table}"
        );
        assert!(table.contains("| shell | yes | no |  |"), "{table}");
        assert!(
            table.contains("| user | root | non-root (65532) |  |"),
            "{table}"
        );
    }

    #[test]
    fn bytes_and_commands_are_shortened() {
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(824_300_000), "824.3 MB");
        assert_eq!(shorten("/bin/sh -c a | b"), "a ¦ b");
        assert_eq!(
            shorten("bash -c set -e\n  apt-get x"),
            "bash -c set -e apt-get x"
        );
        assert_eq!(shorten(&"x".repeat(100)).chars().count(), COMMAND_SHOWN + 1);
    }
}
