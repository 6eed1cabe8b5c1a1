//! mdembed makes Markdown self-contained.
#![deny(missing_docs)]

pub mod datauri;
pub mod fs;
pub mod html;
pub mod resolve;
pub mod sniff;
pub mod walk;
