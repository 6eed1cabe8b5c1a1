#!/usr/bin/env bash
# Times embed on one large document, with many images, between two mdembed binaries: for
# example a build before and after a change to the structure check, which parses every
# rewritten document again.
#
# Usage: scripts/bench-check.sh OLD_BINARY NEW_BINARY [SPEC_TXT]
# SPEC_TXT is the CommonMark spec text (commonmark-0.31.2.spec.txt); by default it is read from
# $MDEMBED_SPEC_DIR. The document is that text four times over (855 KB), with a reference to a
# 1x1 PNG after every fifth paragraph (1,432 images). Needs hyperfine and python3.
set -euo pipefail

old=$(realpath "$1")
new=$(realpath "$2")
spec=${3:-${MDEMBED_SPEC_DIR:?set MDEMBED_SPEC_DIR or give the spec text}/commonmark-0.31.2.spec.txt}
work=$(mktemp -d /tmp/mdembed-bench-check.XXXXXX)
trap 'rm -rf "$work"' EXIT

python3 - "$spec" "$work" <<'PY'
import base64, sys
spec, work = sys.argv[1], sys.argv[2]
parts = open(spec, encoding="utf-8").read().split("\n\n")
out = []
for i, part in enumerate(parts):
    out.append(part)
    if i % 5 == 0:
        out.append(f"![figure {i}](dot.png)")
open(f"{work}/big.md", "w", encoding="utf-8").write("\n\n".join(out) * 4)
dot = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/"
       "iZk9HQAAAABJRU5ErkJggg==")
open(f"{work}/dot.png", "wb").write(base64.b64decode(dot))
PY

cd "$work"
"$old" embed -q --root . big.md -o old.md
"$new" embed -q --root . big.md -o new.md
if cmp -s old.md new.md; then echo "outputs identical"; else echo "outputs differ"; fi
hyperfine -N -w 3 -r 30 \
    "$old embed -q --root . big.md -o old.md" \
    "$new embed -q --root . big.md -o new.md"
