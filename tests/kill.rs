//! `mdembed embed -i` killed with SIGKILL at random moments on a generated tree: every document
//! is afterwards exactly its old or its new version, never truncated or mixed, and a later
//! normal run completes the tree.
//!
//! The kill times are drawn from a seeded generator, spread uniformly from the start of the
//! process to the time one uninterrupted run takes. `MDEMBED_KILL_RUNS` sets the number of kills
//! (default 30) and `MDEMBED_KILL_SEED` the seed, to repeat or extend a run.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// Documents in the generated tree.
const DOCUMENTS: usize = 60;
/// Distinct images the documents share.
const IMAGES: usize = 8;
/// References per document.
const REFERENCES: usize = 4;
/// Size of each image in bytes.
const IMAGE_BYTES: usize = 300 * 1024;

/// A small deterministic generator (SplitMix64), so a failing seed can be replayed.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Returns a number in `0.0..1.0`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Reads a number from the environment variable `name`, or returns `default`.
fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// An image file: a real PNG signature and header followed by noise, which embed copies as
/// it is without decoding.
fn image(seed: u8) -> Vec<u8> {
    let mut bytes = png(seed);
    let mut random = SplitMix(u64::from(seed));
    while bytes.len() < IMAGE_BYTES {
        bytes.extend_from_slice(&random.next().to_le_bytes());
    }
    bytes
}

/// One document of the tree: its path, its text before and after embedding.
struct Document {
    relative: String,
    old: String,
    new: String,
}

/// Writes the images and documents of the tree into `ws` under `tree/`, and returns the
/// documents with the text embedding must give, computed without mdembed.
fn generate(ws: &Workspace) -> Vec<Document> {
    let uris: Vec<String> = (0..IMAGES)
        .map(|i| {
            let bytes = image(i as u8);
            ws.write(&format!("tree/img/{i}.png"), &bytes);
            data_uri("image/png", &bytes)
        })
        .collect();
    (0..DOCUMENTS)
        .map(|d| {
            let relative = format!("tree/part{}/note{d}.md", d % 6);
            let mut old = format!("# Note {d}\n\nText before the images.\n\n");
            let mut new = old.clone();
            for r in 0..REFERENCES {
                let i = (d + r * 3) % IMAGES;
                old.push_str(&format!("![figure {r}](../img/{i}.png)\n\n"));
                new.push_str(&format!("![figure {r}]({})\n\n", uris[i]));
            }
            old.push_str("The end.\n");
            new.push_str("The end.\n");
            ws.write(&relative, &old);
            Document { relative, old, new }
        })
        .collect()
}

/// Puts every document back to its old text.
fn reset(ws: &Workspace, documents: &[Document]) {
    for document in documents {
        ws.write(&document.relative, &document.old);
    }
}

/// Starts `mdembed embed -i tree` in the workspace.
fn start(ws: &Workspace) -> std::process::Child {
    Command::new(assert_cmd::cargo::cargo_bin("mdembed"))
        .args(["embed", "-q", "-i", "tree"])
        .current_dir(ws.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start mdembed")
}

/// How many documents are in each state.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct States {
    old: usize,
    new: usize,
}

/// Checks that every document is exactly its old or its new text and counts each; panics
/// naming the first document that is neither.
fn states(ws: &Workspace, documents: &[Document], context: &str) -> States {
    let mut states = States::default();
    for document in documents {
        let bytes = ws.read(&document.relative);
        if bytes == document.old.as_bytes() {
            states.old += 1;
        } else if bytes == document.new.as_bytes() {
            states.new += 1;
        } else {
            panic!(
                "{context}: {} is neither its old ({} bytes) nor its new version ({} bytes): {} bytes, starting {:?}",
                document.relative,
                document.old.len(),
                document.new.len(),
                bytes.len(),
                String::from_utf8_lossy(&bytes[..bytes.len().min(80)])
            );
        }
    }
    states
}

/// Returns every file under `dir` whose name starts with `.tmp`, the prefix of the temporary
/// files that replace documents.
fn temporary_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).expect("read folder") {
            let entry = entry.expect("folder entry");
            let path = entry.path();
            if entry.file_type().expect("file type").is_dir() {
                stack.push(path);
            } else if entry.file_name().to_string_lossy().starts_with(".tmp") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Runs the kills and returns the workspace and documents for the checks that follow.
fn kill_repeatedly() -> (Workspace, Vec<Document>) {
    let ws = Workspace::new();
    let documents = generate(&ws);
    let runs = env_number("MDEMBED_KILL_RUNS", 30);
    let seed = env_number("MDEMBED_KILL_SEED", 0x6d64_656d_6265_6421);
    let mut random = SplitMix(seed);

    // The slowest of three uninterrupted runs gives the time span the kills are spread over.
    let mut full = Duration::ZERO;
    for _ in 0..3 {
        reset(&ws, &documents);
        let started = Instant::now();
        let status = start(&ws).wait().expect("wait for mdembed");
        full = full.max(started.elapsed());
        assert_eq!(status.code(), Some(0), "uninterrupted run");
        let complete = states(&ws, &documents, "uninterrupted run");
        assert_eq!(
            complete.new, DOCUMENTS,
            "uninterrupted run left old documents"
        );
    }
    println!(
        "kill test: seed {seed:#x}, {runs} runs, the slowest uninterrupted run took {:.0} ms",
        full.as_secs_f64() * 1000.0
    );

    let mut mid_run = 0;
    let mut finished_first = 0;
    let mut all_old = 0;
    let mut totals = States::default();
    for run in 0..runs {
        reset(&ws, &documents);
        let delay = full.mul_f64(random.unit());
        let mut child = start(&ws);
        std::thread::sleep(delay);
        let exited = child.try_wait().expect("poll mdembed").is_some();
        if !exited {
            child.kill().expect("send SIGKILL");
        }
        child.wait().expect("wait for mdembed");
        let after = states(
            &ws,
            &documents,
            &format!("run {run} (kill after {delay:?})"),
        );
        if exited {
            finished_first += 1;
        } else {
            mid_run += 1;
            if after.new == 0 {
                all_old += 1;
            }
        }
        totals.old += after.old;
        totals.new += after.new;
        println!(
            "kill test: run {run:2}: kill at {:5.0} ms{}: {:2} old, {:2} new",
            delay.as_secs_f64() * 1000.0,
            if exited { " (already finished)" } else { "" },
            after.old,
            after.new
        );
    }
    println!(
        "kill test: {mid_run} kills landed mid-run ({all_old} before any document was replaced), {finished_first} runs finished first; documents seen: {} old, {} new",
        totals.old, totals.new
    );
    (ws, documents)
}

#[test]
fn killed_in_place_runs_leave_old_or_new_documents() {
    let (ws, documents) = kill_repeatedly();

    // A normal run afterwards completes the tree.
    let status = start(&ws).wait().expect("wait for mdembed");
    assert_eq!(status.code(), Some(0), "completing run");
    let states = states(&ws, &documents, "completing run");
    assert_eq!(states.new, DOCUMENTS, "completing run left old documents");
    let left = temporary_files(&ws.join("tree"));
    println!(
        "kill test: {} temporary files after the completing run",
        left.len()
    );
}

#[test]
fn no_temporary_files_after_completing_run() {
    let (ws, _documents) = kill_repeatedly();
    let status = start(&ws).wait().expect("wait for mdembed");
    assert_eq!(status.code(), Some(0), "completing run");
    assert_eq!(temporary_files(&ws.join("tree")), Vec::<PathBuf>::new());
}
