//! `--style reference`: data URIs in link reference definitions at the end of the document, so
//! that the prose keeps short lines: `![GAN samples][gan-samples]` in the text and
//! `[gan-samples]: data:image/png;base64,...` at the end.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use pulldown_cmark::Parser;

use crate::rewrite::{Edit, EditText};
use crate::scan;

/// Labels and definitions for one document.
pub struct Definitions {
    /// Labels in use, normalized the way CommonMark matches them.
    taken: HashSet<String>,
    /// For each image file and title, the label already given to it.
    assigned: HashMap<(PathBuf, String), String>,
    /// Definitions to append, in order of first use.
    pending: Vec<(String, EditText, String)>,
}

/// Normalizes a label as CommonMark matches labels: case-folded, whitespace collapsed.
fn normalize(label: &str) -> String {
    label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Definitions {
    /// Starts with the labels the document already defines, which new labels never collide
    /// with.
    pub fn new(existing: &[String]) -> Definitions {
        Definitions {
            taken: existing.iter().map(|l| normalize(l)).collect(),
            assigned: HashMap::new(),
            pending: Vec::new(),
        }
    }

    /// Returns the label for the image at `path` with `title` (its source text, quotes
    /// included, or empty), creating a definition the first time. The label comes from the alt
    /// text, else the file name, else `image`, with `-2`, `-3`, ... when taken.
    pub fn label(&mut self, path: &Path, title: &str, alt: &str, uri: &EditText) -> String {
        let key = (path.to_path_buf(), title.to_string());
        if let Some(label) = self.assigned.get(&key) {
            return label.clone();
        }
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let base = crate::extract::slug(alt)
            .or_else(|| crate::extract::slug(&stem))
            .unwrap_or_else(|| "image".to_string());
        let mut label = base.clone();
        let mut number = 2;
        while self.taken.contains(&normalize(&label)) {
            label = format!("{base}-{number}");
            number += 1;
        }
        self.taken.insert(normalize(&label));
        self.assigned.insert(key, label.clone());
        self.pending
            .push((label.clone(), uri.clone(), title.to_string()));
        label
    }

    /// Tells whether any definition is to be appended.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Returns the edits that append the definitions at the end of `source`, after a blank line,
    /// with the document's own line ending.
    pub fn append_edits(&self, source: &str) -> Vec<Edit> {
        let newline = if source.contains("\r\n") {
            "\r\n"
        } else if source.contains('\r') && !source.contains('\n') {
            "\r"
        } else {
            "\n"
        };
        let end = source.len();
        let mut lead = String::new();
        if !source.is_empty() && !source.ends_with('\n') && !source.ends_with('\r') {
            lead.push_str(newline);
        }
        lead.push_str(newline);
        let mut edits = vec![Edit::insert(end, &lead)];
        for (label, uri, title) in &self.pending {
            let suffix = if title.is_empty() {
                newline.to_string()
            } else {
                format!(" {title}{newline}")
            };
            edits.push(Edit {
                range: end..end,
                prefix: format!("[{label}]: "),
                text: uri.clone(),
                suffix,
            });
        }
        edits
    }

    /// Tells whether the appended definitions would be read as definitions: false when the
    /// document ends inside an unclosed code block or HTML block, which would swallow them.
    pub fn survive_in(&self, source: &str) -> bool {
        let mut probe = source.to_string();
        for edit in self.append_edits(source) {
            probe.push_str(&edit.prefix);
            if let EditText::Text(text) = &edit.text
                && edit.prefix.is_empty()
            {
                probe.push_str(text);
            } else {
                // Any destination does for the probe; `data:` needs no escaping.
                probe.push_str("data:");
            }
            probe.push_str(&edit.suffix);
        }
        let mut parser = Parser::new_ext(&probe, scan::parser_options()).into_offset_iter();
        parser.by_ref().for_each(drop);
        let defined = parser.reference_definitions();
        self.pending.iter().all(|(label, _, _)| {
            defined
                .get(label)
                .is_some_and(|def| def.span.start >= source.len())
        })
    }
}

/// Returns the title of an inline image as written, quotes included, or empty: the text between
/// its destination and the closing `)`.
pub fn inline_title(source: &str, destination: &Range<usize>, tail: &Range<usize>) -> String {
    source
        .get(destination.end..tail.end.saturating_sub(1))
        .map(str::trim)
        .unwrap_or_default()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn text(s: &str) -> EditText {
        EditText::Text(Arc::from(s))
    }

    #[test]
    fn labels_avoid_existing_case_insensitively() {
        let mut definitions = Definitions::new(&["Fig".to_string()]);
        let a = definitions.label(Path::new("/a.png"), "", "Fig", &text("data:a"));
        let again = definitions.label(Path::new("/a.png"), "", "fig", &text("data:a"));
        let b = definitions.label(Path::new("/b.png"), "", "fig", &text("data:b"));
        assert_eq!(
            (a.as_str(), again.as_str(), b.as_str()),
            ("fig-2", "fig-2", "fig-3")
        );
    }

    #[test]
    fn label_from_file_name_without_alt() {
        let mut definitions = Definitions::new(&[]);
        let label = definitions.label(Path::new("/x/GAN samples.png"), "", "", &text("data:a"));
        assert_eq!(label, "gan-samples");
    }

    #[test]
    fn definitions_appended_with_crlf() {
        let mut definitions = Definitions::new(&[]);
        definitions.label(Path::new("/a.png"), "\"T\"", "a", &text("data:A"));
        let source = "![a][a]\r\ntext";
        let out = crate::rewrite::apply(source, definitions.append_edits(source)).unwrap();
        assert_eq!(out, "![a][a]\r\ntext\r\n\r\n[a]: data:A \"T\"\r\n");
    }

    #[test]
    fn definitions_appended_with_lone_cr() {
        let mut definitions = Definitions::new(&[]);
        definitions.label(Path::new("/a.png"), "", "a", &text("data:A"));
        let source = "a\r![a][a]\r";
        assert!(definitions.survive_in(source));
        let out = crate::rewrite::apply(source, definitions.append_edits(source)).unwrap();
        assert_eq!(out, "a\r![a][a]\r\r[a]: data:A\r");
    }

    #[test]
    fn unclosed_code_block_swallows_definitions() {
        let mut definitions = Definitions::new(&[]);
        definitions.label(Path::new("/a.png"), "", "a", &text("data:A"));
        assert!(definitions.survive_in("text\n"));
        assert!(!definitions.survive_in("```\ncode\n"));
    }
}
