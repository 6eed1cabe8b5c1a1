// Renders Markdown documents to HTML with markdown-it for tests/browser.rs.
//
// Reads a JSON array of {"renderer", "markdown"} objects on standard input and writes a JSON
// array of HTML strings, one per document, on standard output. The renderer names the link
// validator:
// - "markdown-it": markdown-it's own, which accepts data URIs of GIF, PNG, JPEG and WebP only.
// - "vscode": widened as the VS Code Markdown preview widens it, to any `data:image/...;`.
// - "joplin": as Joplin validates links: the four raster types, and SVG only percent-encoded.
import MarkdownIt from 'markdown-it';

const BAD_PROTOCOL = /^(vbscript|javascript|file|data):/;
const RASTER_DATA = /^data:image\/(gif|png|jpeg|webp);/;

function markdownIt(renderer) {
  const md = new MarkdownIt();
  const original = md.validateLink;
  switch (renderer) {
    case 'markdown-it':
      break;
    case 'vscode':
      md.validateLink = (link) => original(link) || /^data:image\/.*?;/i.test(link);
      break;
    case 'joplin':
      md.validateLink = (link) => {
        const url = link.trim().toLowerCase();
        if (url.startsWith('data:image/svg+xml,')) return true;
        return BAD_PROTOCOL.test(url) ? RASTER_DATA.test(url) : true;
      };
      break;
    default:
      throw new Error(`unknown renderer ${renderer}`);
  }
  return md;
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const documents = JSON.parse(input);
  const html = documents.map(({ renderer, markdown }) => markdownIt(renderer).render(markdown));
  process.stdout.write(JSON.stringify(html));
});
