mod common;
use common::*;
#[test]
fn probe() {
    let ws = Workspace::new();
    for f in ["png", "jpeg", "gif", "webp", "bmp", "ico", "tiff"] {
        let b = match f {
            "png" => png(1),
            "jpeg" => jpeg(1),
            "gif" => gif(1),
            "webp" => webp(1),
            "bmp" => bmp(1),
            "ico" => ico(1),
            _ => tiff(1),
        };
        ws.write(&format!("i.{f}"), &b);
    }
    ws.write("dir.png/x", "");
    ws.write("fake.png", "hello");
    ws.write("empty.png", "");
    ws.write("doc.md", "![](i.png) ![](i.jpeg)\n![](i.gif) ![](i.webp) ![](i.bmp) ![](i.ico) ![](i.tiff)\n![d](dir.png) ![f](fake.png) ![e](empty.png)\n\u{feff}x\n中文 ![a](missing.png)\n");
    let r = ws.run(&["embed", "-v", "doc.md"]);
    eprintln!("{}\n---\n{}\n{:?}", r.stdout.len(), r.stderr, r.code);
}
