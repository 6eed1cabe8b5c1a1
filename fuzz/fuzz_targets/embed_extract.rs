//! Fuzzes embed and extract together on a tiny folder of real images, made fresh for each input:
//! any UTF-8 document is embedded, the result extracted, and both must finish without panicking.
//! Embedding is idempotent, and so is extracting. For a document that contains no data URI, no
//! percent sign and no entity (so every data URI in the embedded text is one that embed wrote),
//! embedding the extracted text gives back the embedded text byte for byte.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use mdembed::{EmbedOptions, Embedder, ExtractOptions, ExtractTarget, Extractor, ObsidianMode};

/// A 1x1 PNG, a 1x1 GIF and a minimal SVG; a JPEG header cut short (a truncated image); a text
/// file named like an image.
const PNG: &[u8] = &[
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0,
    0, 0, 31, 21, 196, 137, 0, 0, 0, 13, 73, 68, 65, 84, 120, 156, 99, 248, 207, 192, 240, 31, 0,
    5, 0, 1, 255, 137, 153, 61, 29, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];
const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
const SVG: &[u8] = b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\" height=\"1\"/>";
const JPEG_CUT: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00,
];

/// Creates a fresh vault with the images above, so that no run reads another run's files.
fn vault() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    let files: [(&str, &[u8]); 6] = [
        ("a.png", PNG),
        ("b.gif", GIF),
        ("c d.svg", SVG),
        ("sub/e.png", PNG),
        ("cut.jpg", JPEG_CUT),
        ("text.png", b"not an image"),
    ];
    for (name, bytes) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
        std::fs::write(path, bytes).expect("write image");
    }
    dir
}

fn embedder(root: &Path) -> Embedder {
    Embedder::new(&EmbedOptions {
        root: Some(root.to_path_buf()),
        obsidian: ObsidianMode::Never,
        ..Default::default()
    })
    .expect("embedder")
}

fuzz_target!(|source: &str| {
    let vault = vault();
    let root = vault.path();
    let embedded = embedder(root).embed(source, root).expect("embed");
    let twice = embedder(root)
        .embed(&embedded.text, root)
        .expect("embed again");
    assert_eq!(
        twice.text, embedded.text,
        "embed is not idempotent\ninput: {source:?}"
    );

    let target = ExtractTarget {
        document_dir: root.to_path_buf(),
        document_stem: "doc".to_string(),
        source_dir: None,
    };
    let options = ExtractOptions {
        obsidian: ObsidianMode::Never,
        ..Default::default()
    };
    let extracted = Extractor::new(options.clone())
        .extract(&embedded.text, &target)
        .expect("extract");
    let again = Extractor::new(options)
        .extract(&extracted.text, &target)
        .expect("extract again");
    assert_eq!(
        again.text, extracted.text,
        "extract is not idempotent\ninput: {source:?}"
    );

    // The round trip holds when every data URI in the embedded text came from embed, and no
    // reference names a file that extracting creates.
    let lower = source.to_ascii_lowercase();
    let plain = !lower.contains("data:")
        && !source.contains('%')
        && !source.contains('&')
        && !lower.contains("assets");
    if plain {
        let back = embedder(root)
            .embed(&extracted.text, root)
            .expect("embed extracted");
        assert_eq!(
            back.text, embedded.text,
            "embed(extract(embed(d))) differs from embed(d)\ninput: {source:?}\nextracted: {:?}",
            extracted.text
        );
    }
});
