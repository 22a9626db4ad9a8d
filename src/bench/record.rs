//! Samples on disk as they finish: `samples.csv`, one flushed row per sample, and
//! atomic writes for whole files.

use super::sample::Sample;
use anyhow::Context;
use std::fs::File;
use std::path::{Path, PathBuf};

/// Appends samples to a CSV file, flushing after each row so a crash keeps them.
pub struct SamplesCsv {
    writer: csv::Writer<File>,
    path: PathBuf,
}

impl SamplesCsv {
    /// Creates (or truncates) the file and writes the header.
    pub fn create(path: &Path) -> anyhow::Result<SamplesCsv> {
        let file =
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(SamplesCsv {
            writer: csv::WriterBuilder::new()
                .has_headers(true)
                .from_writer(file),
            path: path.to_path_buf(),
        })
    }

    /// Opens an existing file to append to it (no header is written again).
    pub fn append_to(path: &Path) -> anyhow::Result<SamplesCsv> {
        let file = std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .with_context(|| format!("cannot append to {}", path.display()))?;
        Ok(SamplesCsv {
            writer: csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(file),
            path: path.to_path_buf(),
        })
    }

    /// Appends one sample and flushes it to disk.
    pub fn append(&mut self, sample: &Sample) -> anyhow::Result<()> {
        self.writer
            .serialize(sample)
            .and_then(|_| self.writer.flush().map_err(csv::Error::from))
            .with_context(|| format!("cannot write a sample to {}", self.path.display()))
    }
}

/// Reads every sample of a `samples.csv`.
pub fn read_samples(path: &Path) -> anyhow::Result<Vec<Sample>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    reader
        .deserialize()
        .enumerate()
        .map(|(i, row)| {
            row.with_context(|| format!("{}: row {} is not a sample", path.display(), i + 2))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::sample::{Mode, Outcome, Variant};

    fn sample(seq: u64) -> Sample {
        Sample {
            seq,
            round: 0,
            pair: "p".into(),
            variant: Variant::Fat,
            mode: Mode::Warm,
            image: "x/y:z".into(),
            outcome: Outcome::Ok,
            pull_us: None,
            create_us: Some(10),
            start_us: Some(20),
            ready_wait_us: Some(30),
            time_to_ready_us: Some(60),
            total_us: Some(60),
            pull_bytes: None,
            pull_layers: None,
            pull_layers_cached: None,
            pull_download_us: None,
            pull_extract_us: None,
            wire_bytes: None,
            exit_code: None,
            started_at: "2026-01-01T00:00:00Z".into(),
            message: "a, \"quoted\" message".into(),
        }
    }

    #[test]
    fn rows_round_trip_and_survive_without_close() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("samples.csv");
        let mut w = SamplesCsv::create(&path).unwrap();
        w.append(&sample(0)).unwrap();
        w.append(&sample(1)).unwrap();
        // Read while the writer is still open: rows are already on disk.
        let back = read_samples(&path).unwrap();
        assert_eq!(back, vec![sample(0), sample(1)]);
    }
}
