//! A small table that renders as aligned plain text (terminal) or as Markdown.

/// How a column's cells line up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text columns.
    Left,
    /// Number columns.
    Right,
}

/// Headers, alignments and rows of strings.
#[derive(Debug, Clone, Default)]
pub struct Table {
    columns: Vec<(String, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these columns.
    pub fn new(columns: &[(&str, Align)]) -> Table {
        Table {
            columns: columns.iter().map(|(h, a)| (h.to_string(), *a)).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row; missing cells are blank, extra cells are dropped.
    pub fn push(&mut self, mut row: Vec<String>) {
        row.resize(self.columns.len(), String::new());
        self.rows.push(row);
    }

    /// True when no row was pushed.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Plain text with columns padded to their widest cell, two spaces apart.
    pub fn to_text(&self) -> String {
        let widths: Vec<usize> = (0..self.columns.len())
            .map(|i| {
                self.rows
                    .iter()
                    .map(|r| r[i].chars().count())
                    .chain([self.columns[i].0.chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: Vec<&str>| {
            let padded: Vec<String> = cells
                .iter()
                .zip(&self.columns)
                .zip(&widths)
                .map(|((cell, (_, align)), width)| match align {
                    Align::Left => format!("{cell:<width$}"),
                    Align::Right => format!("{cell:>width$}"),
                })
                .collect();
            padded.join("  ").trim_end().to_string() + "\n"
        };
        let mut out = line(self.columns.iter().map(|(h, _)| h.as_str()).collect());
        for row in &self.rows {
            out += &line(row.iter().map(String::as_str).collect());
        }
        out
    }

    /// A GitHub-flavoured Markdown table (pipes in cells escaped).
    pub fn to_markdown(&self) -> String {
        let escape = |s: &str| s.replace('|', "\\|");
        let mut out = String::from("|");
        for (header, _) in &self.columns {
            out += &format!(" {} |", escape(header));
        }
        out += "\n|";
        for (_, align) in &self.columns {
            out += match align {
                Align::Left => " --- |",
                Align::Right => " ---: |",
            };
        }
        out += "\n";
        for row in &self.rows {
            out += "|";
            for cell in row {
                out += &format!(" {} |", escape(cell));
            }
            out += "\n";
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_text_and_markdown() {
        let mut t = Table::new(&[("image", Align::Left), ("p50", Align::Right)]);
        t.push(vec!["node|fat".into(), "1.5 ms".into()]);
        t.push(vec!["py".into()]);
        assert_eq!(t.to_text(), "image        p50\nnode|fat  1.5 ms\npy\n");
        assert_eq!(
            t.to_markdown(),
            "| image | p50 |\n| --- | ---: |\n| node\\|fat | 1.5 ms |\n| py |  |\n"
        );
    }
}
