//! A real browser checks embedded documents. One image of every format is embedded once per
//! target and rendered to HTML by pulldown-cmark, and by markdown-it with the link validators of
//! markdown-it, the VS Code preview and Joplin. Headless Chromium opens the pages and must decode
//! every `<img>` (`naturalWidth > 0`).
//!
//! The test needs Debian's `chromium`, `node` and the Node packages of `tests/browser/`
//! (`scripts/browser-setup.sh` installs all three). Without them it prints a notice and passes,
//! unless `MDEMBED_BROWSER_TEST=require`, which makes it fail instead.
//!
//! With `--nocapture` it prints which fixture images each renderer displays: from the original
//! bytes, after `--target browser`, and after the target made for that renderer.

mod common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Workspace, bmp, data_uri, gif, ico, jpeg, png, svg, tiff, webp};
use pulldown_cmark::Parser;

/// A 3x2 AVIF picture, encoded once with libavif.
const AVIF: &[u8] = include_bytes!("browser/pixel.avif");

/// The environment variable that turns a missing browser into a failure.
const REQUIRE: &str = "MDEMBED_BROWSER_TEST";

/// How long Chromium may take to load and dump the page.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(120);

/// One fixture: its format's name (the image's alt text), file name, MIME type and bytes.
struct Fixture {
    format: &'static str,
    file: &'static str,
    mime: &'static str,
    bytes: Vec<u8>,
}

fn fixtures() -> Vec<Fixture> {
    let fixture = |format, file, mime, bytes| Fixture {
        format,
        file,
        mime,
        bytes,
    };
    vec![
        fixture("png", "a.png", "image/png", png(1)),
        fixture("jpeg", "a.jpg", "image/jpeg", jpeg(2)),
        fixture("gif", "a.gif", "image/gif", gif(3)),
        fixture("webp", "a.webp", "image/webp", webp(4)),
        fixture("bmp", "a.bmp", "image/bmp", bmp(5)),
        fixture("ico", "a.ico", "image/x-icon", ico(6)),
        fixture("tiff", "a.tiff", "image/tiff", tiff(7)),
        fixture("svg", "a.svg", "image/svg+xml", svg()),
        fixture("avif", "a.avif", "image/avif", AVIF.to_vec()),
    ]
}

/// The renderers: how a document becomes HTML before Chromium shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Renderer {
    /// pulldown-cmark, which passes every destination through, as the Chromium-based apps
    /// (browsers, Obsidian, Typora) show every image their engine decodes.
    Chromium,
    /// markdown-it with its default link validator.
    MarkdownIt,
    /// markdown-it with the VS Code preview's validator.
    Vscode,
    /// markdown-it with Joplin's validator.
    Joplin,
}

impl Renderer {
    const ALL: [Renderer; 4] = [
        Renderer::Chromium,
        Renderer::MarkdownIt,
        Renderer::Vscode,
        Renderer::Joplin,
    ];

    fn name(self) -> &'static str {
        match self {
            Renderer::Chromium => "pulldown-cmark + Chromium",
            Renderer::MarkdownIt => "markdown-it",
            Renderer::Vscode => "VS Code (markdown-it widened)",
            Renderer::Joplin => "Joplin (markdown-it, its validator)",
        }
    }

    /// Returns the validator name that `render.mjs` takes, for the markdown-it renderers.
    fn node_name(self) -> Option<&'static str> {
        match self {
            Renderer::Chromium => None,
            Renderer::MarkdownIt => Some("markdown-it"),
            Renderer::Vscode => Some("vscode"),
            Renderer::Joplin => Some("joplin"),
        }
    }
}

/// Where a document's images come from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    /// Each file's own bytes in a base64 data URI, written by the test: what the renderer shows
    /// without any conversion.
    Original,
    /// `mdembed embed --target NAME`.
    Target(&'static str),
}

impl Phase {
    fn name(&self) -> String {
        match self {
            Phase::Original => "original bytes".to_string(),
            Phase::Target(target) => format!("--target {target}"),
        }
    }
}

/// What Chromium made of one image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ImageState {
    /// A data-URI `<img>` that decoded.
    Yes,
    /// A data-URI `<img>` that did not decode.
    Broken,
    /// An `<img>` whose source is not a data URI (the file was left linked).
    Linked,
    /// No `<img>`: the renderer's validator left the Markdown as text.
    Text,
}

impl ImageState {
    fn cell(self) -> &'static str {
        match self {
            ImageState::Yes => "yes",
            ImageState::Broken => "broken",
            ImageState::Linked => "linked",
            ImageState::Text => "text",
        }
    }
}

/// One image as the page's script reported it.
#[derive(Debug, Clone)]
struct Reported {
    alt: String,
    data: bool,
    natural_width: u64,
}

/// Returns why the browser test cannot run here, or the paths of Chromium and Node.
fn tools() -> Result<(PathBuf, PathBuf), String> {
    let chromium = find_program(&["/usr/bin/chromium"], "chromium")
        .ok_or("chromium is not installed (run scripts/browser-setup.sh)")?;
    let node = find_program(&[], "node").ok_or("node is not installed")?;
    if !browser_dir()
        .join("node_modules/markdown-it/package.json")
        .is_file()
    {
        return Err(
            "markdown-it is not installed in tests/browser/node_modules (run scripts/browser-setup.sh)"
                .to_string(),
        );
    }
    Ok((chromium, node))
}

/// Returns the first of `candidates` that exists, else `name` found on `PATH`.
fn find_program(candidates: &[&str], name: &str) -> Option<PathBuf> {
    if let Some(found) = candidates.iter().map(PathBuf::from).find(|p| p.is_file()) {
        return Some(found);
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Renders Markdown to HTML with pulldown-cmark's own HTML writer.
fn pulldown_html(markdown: &str) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, Parser::new(markdown));
    html
}

/// Renders each `(renderer, markdown)` with markdown-it through `render.mjs`.
fn markdown_it_html(node: &Path, documents: &[(&str, &str)]) -> Vec<String> {
    let input = serde_json::Value::Array(
        documents
            .iter()
            .map(|(renderer, markdown)| {
                serde_json::json!({ "renderer": renderer, "markdown": markdown })
            })
            .collect(),
    );
    let mut child = Command::new(node)
        .arg(browser_dir().join("render.mjs"))
        .current_dir(browser_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start node");
    let mut stdin = child.stdin.take().expect("node standard input");
    let text = input.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let output = child.wait_with_output().expect("run node");
    writer.join().unwrap().expect("write to node");
    assert!(
        output.status.success(),
        "render.mjs failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("render.mjs prints a JSON array of strings")
}

/// The page's script: after load, writes each section's images as JSON into `#result`.
const REPORT_SCRIPT: &str = r#"<script>
window.addEventListener('load', () => {
  const cases = {};
  for (const section of document.querySelectorAll('section')) {
    cases[section.dataset.case] = [...section.querySelectorAll('img')].map((img) => ({
      alt: img.getAttribute('alt') || '',
      data: (img.getAttribute('src') || '').startsWith('data:'),
      width: img.naturalWidth,
    }));
  }
  document.getElementById('result').textContent = JSON.stringify(cases);
});
</script>"#;

/// Opens `page` in headless Chromium and returns, per section, the images it reported.
fn chromium_report(chromium: &Path, page: &Path) -> BTreeMap<String, Vec<Reported>> {
    let profile = tempfile::tempdir().expect("profile folder");
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    let mut stdout = child.stdout.take().expect("chromium standard output");
    let mut stderr = child.stderr.take().expect("chromium standard error");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        stdout.read_to_string(&mut text).map(|_| text)
    });
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        stderr.read_to_string(&mut text).map(|_| text)
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            break status;
        }
        if started.elapsed() > BROWSER_TIMEOUT {
            child.kill().expect("stop chromium");
            child.wait().expect("reap chromium");
            panic!("chromium did not finish within {BROWSER_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let dom = reader.join().unwrap().expect("read chromium output");
    let errors = errors.join().unwrap().unwrap_or_default();
    assert!(status.success(), "chromium failed ({status}): {errors}");
    let start = dom
        .find("<pre id=\"result\">")
        .unwrap_or_else(|| panic!("no result element in the dumped page; chromium said: {errors}"))
        + "<pre id=\"result\">".len();
    let end = start
        + dom[start..]
            .find("</pre>")
            .expect("end of the result element");
    let json = html_escape::decode_html_entities(&dom[start..end]).into_owned();
    assert!(
        !json.is_empty(),
        "the page's script wrote no result; chromium said: {errors}"
    );
    let value: serde_json::Value = serde_json::from_str(&json).expect("result JSON");
    value
        .as_object()
        .expect("result object")
        .iter()
        .map(|(case, images)| {
            let images = images
                .as_array()
                .expect("image list")
                .iter()
                .map(|image| Reported {
                    alt: image["alt"].as_str().unwrap_or_default().to_string(),
                    data: image["data"].as_bool().unwrap_or(false),
                    natural_width: image["width"].as_u64().unwrap_or(0),
                })
                .collect();
            (case.clone(), images)
        })
        .collect()
}

/// Embeds the fixture document for `target` and returns the Markdown.
fn embed(ws: &Workspace, target: &str) -> String {
    let run = ws.run(&["embed", "--target", target, "doc.md"]);
    // AVIF has no decoder, so targets that cannot show it leave it linked with a warning.
    let avif_left = run
        .stderr
        .contains("cannot display avif and mdembed has no avif decoder");
    let expected_status = if avif_left { Some(1) } else { Some(0) };
    assert_eq!(
        run.code, expected_status,
        "embed --target {target}: {}",
        run.stderr
    );
    run.stdout
}

/// The targets each renderer is checked with after embedding. `portable` must display in every
/// renderer.
fn targets_for(renderer: Renderer) -> Vec<&'static str> {
    match renderer {
        Renderer::Chromium => vec![
            "browser",
            "portable",
            "markdown-it",
            "vscode",
            "joplin",
            "obsidian",
            "typora",
        ],
        Renderer::MarkdownIt => vec!["markdown-it", "portable"],
        Renderer::Vscode => vec!["vscode", "portable", "markdown-it"],
        Renderer::Joplin => vec!["joplin", "portable"],
    }
}

/// Returns what a renderer showed of each fixture format in one case.
fn shown_by_format(images: &[Reported]) -> BTreeMap<String, ImageState> {
    images
        .iter()
        .map(|image| {
            let shown = match (image.data, image.natural_width > 0) {
                (false, _) => ImageState::Linked,
                (true, true) => ImageState::Yes,
                (true, false) => ImageState::Broken,
            };
            (image.alt.clone(), shown)
        })
        .collect()
}

#[test]
fn every_embedded_image_decodes_in_chromium() {
    let (chromium, node) = match tools() {
        Ok(tools) => tools,
        Err(reason) => {
            if std::env::var(REQUIRE).as_deref() == Ok("require") {
                panic!("{REQUIRE}=require, but the browser test cannot run: {reason}");
            }
            // Written past the test harness's capture, so that the skip shows in every run.
            let _ = writeln!(std::io::stderr(), "notice: browser test skipped: {reason}");
            return;
        }
    };
    let started = Instant::now();
    let fixtures = fixtures();
    let ws = Workspace::new();
    let mut document = String::new();
    let mut original = String::new();
    for fixture in &fixtures {
        ws.write(fixture.file, &fixture.bytes);
        document.push_str(&format!("![{}]({})\n\n", fixture.format, fixture.file));
        original.push_str(&format!(
            "![{}]({})\n\n",
            fixture.format,
            data_uri(fixture.mime, &fixture.bytes)
        ));
    }
    ws.write("doc.md", &document);

    // Every (phase, renderer) case and its Markdown.
    let mut markdown: BTreeMap<Phase, String> = BTreeMap::new();
    markdown.insert(Phase::Original, original);
    for target in [
        "browser",
        "portable",
        "markdown-it",
        "vscode",
        "joplin",
        "obsidian",
        "typora",
    ] {
        markdown.insert(Phase::Target(target), embed(&ws, target));
    }
    let mut cases: Vec<(Phase, Renderer)> = Vec::new();
    for renderer in Renderer::ALL {
        cases.push((Phase::Original, renderer));
        for target in ["browser"].into_iter().chain(targets_for(renderer)) {
            if !cases.contains(&(Phase::Target(target), renderer)) {
                cases.push((Phase::Target(target), renderer));
            }
        }
    }

    let node_cases: Vec<(&str, &str)> = cases
        .iter()
        .filter_map(|(phase, renderer)| {
            renderer
                .node_name()
                .map(|name| (name, markdown[phase].as_str()))
        })
        .collect();
    let mut node_html = markdown_it_html(&node, &node_cases).into_iter();
    let mut page =
        String::from("<!doctype html>\n<html><head><meta charset=\"utf-8\"></head><body>\n");
    let mut keys = Vec::new();
    for (phase, renderer) in &cases {
        let html = match renderer.node_name() {
            Some(_) => node_html.next().expect("one HTML per markdown-it case"),
            None => pulldown_html(&markdown[phase]),
        };
        let key = format!("{} / {}", phase.name(), renderer.name());
        page.push_str(&format!(
            "<section data-case=\"{}\">\n{html}</section>\n",
            html_escape::encode_double_quoted_attribute(&key)
        ));
        keys.push(key);
    }
    page.push_str("<pre id=\"result\"></pre>\n");
    page.push_str(REPORT_SCRIPT);
    page.push_str("\n</body></html>\n");
    // The page lives apart from the image files, so a linked image never loads by accident.
    let page_dir = tempfile::tempdir().expect("page folder");
    let page_path = page_dir.path().join("page.html");
    std::fs::write(&page_path, &page).expect("write page");

    let report = chromium_report(&chromium, &page_path);

    // The table: one row per case, one column per format.
    let formats: Vec<&str> = fixtures.iter().map(|f| f.format).collect();
    let mut table = format!("{:<58}", "images shown (case / renderer)");
    for format in &formats {
        table.push_str(&format!(" {format:<7}"));
    }
    table.push('\n');
    let mut shown_table: BTreeMap<(Phase, Renderer), BTreeMap<String, ImageState>> =
        BTreeMap::new();
    for ((phase, renderer), key) in cases.iter().zip(&keys) {
        let images = report
            .get(key)
            .unwrap_or_else(|| panic!("no report for {key}"));
        let shown = shown_by_format(images);
        table.push_str(&format!("{key:<58}"));
        for format in &formats {
            let cell = shown
                .get(*format)
                .copied()
                .unwrap_or(ImageState::Text)
                .cell();
            table.push_str(&format!(" {cell:<7}"));
        }
        table.push('\n');
        shown_table.insert((phase.clone(), *renderer), shown);
    }
    println!("{table}");

    // Every data-URI image that reached the page decoded.
    let mut broken = Vec::new();
    for ((phase, renderer), shown) in &shown_table {
        if *phase == Phase::Original {
            continue;
        }
        for (format, how) in shown {
            if *how == ImageState::Broken {
                broken.push(format!(
                    "{format} in {} / {}",
                    phase.name(),
                    renderer.name()
                ));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "images that did not decode: {broken:?}\n{table}"
    );

    // After the matching target, every format shows; AVIF, which mdembed cannot convert, is
    // left linked where the target cannot show it.
    let mut missing = Vec::new();
    for renderer in Renderer::ALL {
        for target in targets_for(renderer) {
            let shown = &shown_table[&(Phase::Target(target), renderer)];
            for format in &formats {
                let expected = if *format == "avif"
                    && matches!(target, "portable" | "markdown-it" | "joplin")
                {
                    ImageState::Linked
                } else {
                    ImageState::Yes
                };
                let actual = shown.get(*format).copied().unwrap_or(ImageState::Text);
                if actual != expected {
                    missing.push(format!(
                        "{format} for --target {target} in {}: {} instead of {}",
                        renderer.name(),
                        actual.cell(),
                        expected.cell()
                    ));
                }
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}\n{table}");

    // The original bytes show exactly where the target table says they do, which checks the
    // table against the real renderers.
    let expected_original = |renderer: Renderer, format: &str| -> ImageState {
        let raster_four = matches!(format, "png" | "jpeg" | "gif" | "webp");
        match renderer {
            Renderer::Chromium if format == "tiff" => ImageState::Broken,
            Renderer::Chromium => ImageState::Yes,
            Renderer::MarkdownIt | Renderer::Joplin if raster_four => ImageState::Yes,
            Renderer::MarkdownIt | Renderer::Joplin => ImageState::Text,
            Renderer::Vscode if format == "tiff" => ImageState::Broken,
            Renderer::Vscode => ImageState::Yes,
        }
    };
    let mut wrong = Vec::new();
    for renderer in Renderer::ALL {
        let shown = &shown_table[&(Phase::Original, renderer)];
        for format in &formats {
            let actual = shown.get(*format).copied().unwrap_or(ImageState::Text);
            let expected = expected_original(renderer, format);
            if actual != expected {
                wrong.push(format!(
                    "original {format} in {}: {} instead of {}",
                    renderer.name(),
                    actual.cell(),
                    expected.cell()
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}\n{table}");
    println!(
        "browser test: {} cases in one Chromium page, {:.1} s",
        cases.len(),
        started.elapsed().as_secs_f64()
    );
}
