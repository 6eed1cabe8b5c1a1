//! mdembed makes Markdown self-contained: it rewrites local image references into
//! `data:<mime>;base64,...` URIs and changes no other byte of the document.
//!
//! The pipeline for one document is [`scan`] (find references and the byte ranges of their
//! destinations), [`resolve`] (turn a destination into a file inside the root), [`sniff`] (the
//! MIME type from the file's content), [`datauri`] (encode), and [`rewrite`] (splice the new
//! destinations into the source). [`embed()`] runs it on a string; [`run`] runs it over files
//! and folders.
//!
//! ```
//! let dir = tempfile::tempdir().unwrap();
//! let options = mdembed::EmbedOptions {
//!     root: Some(dir.path().to_path_buf()),
//!     ..Default::default()
//! };
//! let source = "# Notes\r\n\r\n![remote](https://example.org/a.png) and `![code](a.png)`\r\n";
//! let out = mdembed::embed(source, dir.path(), &options).unwrap();
//! assert_eq!(out.text, source);
//! assert_eq!(out.references.len(), 1);
//! ```
#![deny(missing_docs)]

pub mod cache;
pub mod datauri;
pub mod embed;
pub mod extract;
pub mod fs;
pub mod html;
pub mod obsidian;
pub mod refstyle;
pub mod report;
pub mod resolve;
pub mod rewrite;
pub mod run;
pub mod scan;
pub mod sniff;
pub mod target;
pub mod transform;
pub mod verify;
pub mod walk;

pub use extract::{
    ExtractError, ExtractOptions, ExtractTarget, Extracted, Extractor, NameStyle, extract,
};

pub use embed::{
    EmbedError, EmbedOptions, Embedded, Embedder, ImageError, ImageSyntax, ObsidianMode, Planned,
    Style, embed, image_snippet,
};
