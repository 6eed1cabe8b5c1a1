#!/usr/bin/env python3
"""Benchmark: embed every image of a generated documentation tree.

The tree comes from scripts/bench-folder.gen.py: 200 documents in nested folders with about 4
inline image references each, into a shared pool of 300 images (PNG screenshots of 30-300 KB,
JPEG photos of 0.5-3 MB). hyperfine times, in one run, each command as one process over the
whole tree, writing into the same output folder:

- mdembed: `mdembed embed -q docs -o OUT/mdembed` (release build, default --jobs);
- floor: `cat` of every referenced image, once per reference and in document order, piped into
  `base64 -w0` and written to OUT/floor.b64 (the same base64 bytes the embedded output contains);
- remark script: remark 15 with remark-embed-images in one Node process, reading and writing each
  document in turn (this script writes it into WORKDIR/node);
- remark-cli: `remark docs -o OUT/remark-cli/ --use remark-embed-images`, which flattens the tree
  into one folder (page names are unique, so no file is lost).

Then mdembed and the floor run again on a tree 10 times larger, and /usr/bin/time -v measures
the peak resident set size of mdembed on both trees. The script prints a Markdown table of the
medians and the ratios the targets name.

Usage: scripts/bench-folder.py [--install] [--runs N] [--workdir DIR] [--binary PATH]
                               [--no-large] [--no-remark]

--install installs what is missing: hyperfine with apt-get, NumPy and Pillow with pip, and the
remark packages with npm into WORKDIR/node. Without it, the remark rows are skipped when
WORKDIR/node contains no installation. The trees are generated once into WORKDIR and reused.
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GENERATOR = REPO / "scripts" / "bench-folder.gen.py"
REMARK_PACKAGES = ["remark@15", "remark-cli@12", "remark-embed-images@5", "to-vfile@8"]

REMARK_SCRIPT = """\
// Embeds the images of every Markdown file under a folder with remark-embed-images, in one
// process, writing each result to the same relative path under the output folder.
import {mkdir, readdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {remark} from 'remark'
import remarkEmbedImages from 'remark-embed-images'
import {read} from 'to-vfile'

const [source, output] = process.argv.slice(2)
const processor = remark().use(remarkEmbedImages)
const entries = await readdir(source, {recursive: true, withFileTypes: true})
const documents = entries
  .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
  .map((entry) => path.join(entry.parentPath, entry.name))
  .sort()
for (const document of documents) {
  const file = await read(document)
  await processor.process(file)
  const target = path.join(output, path.relative(source, document))
  await mkdir(path.dirname(target), {recursive: true})
  await writeFile(target, String(file))
}
"""


def run(command, **kwargs):
    """Runs `command`, failing loudly when it fails."""
    return subprocess.run(command, check=True, **kwargs)


def install(workdir: Path):
    """Installs hyperfine, NumPy, Pillow and the remark packages where they are missing."""
    if shutil.which("hyperfine") is None:
        run(["apt-get", "update", "-qq"])
        run(["apt-get", "install", "-y", "-qq", "hyperfine"])
    try:
        import numpy  # noqa: F401
        import PIL  # noqa: F401
    except ImportError:
        run([sys.executable, "-m", "pip", "install", "-q", "numpy", "pillow"])
    node = workdir / "node"
    node.mkdir(parents=True, exist_ok=True)
    if not (node / "package.json").exists():
        (node / "package.json").write_text('{"private": true, "type": "module"}\n')
    run(["npm", "install", "--no-audit", "--no-fund", "--silent", *REMARK_PACKAGES], cwd=node)


def build_binary() -> Path:
    """Builds the release binary and returns its path."""
    run(["cargo", "build", "--release", "--quiet"], cwd=REPO)
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    if not target.is_absolute():
        target = REPO / target
    return target / "release" / "mdembed"


def tree(workdir: Path, scale: int) -> Path:
    """Returns the generated tree of `scale`, generating it the first time."""
    path = workdir / f"tree-{scale}"
    if not (path / "references.txt").exists():
        shutil.rmtree(path, ignore_errors=True)
        print(f"generating the tree at scale {scale} into {path}", file=sys.stderr)
        run([sys.executable, str(GENERATOR), str(path), "--scale", str(scale)])
    return path


def hyperfine(commands: dict, cwd: Path, out: Path, runs: int, export: Path) -> dict:
    """Times each named shell command with hyperfine (one warm-up run, the output folder emptied
    before every run) and returns the name-to-times mapping."""
    arguments = [
        "hyperfine",
        "--runs",
        str(runs),
        "--warmup",
        "1",
        "--style",
        "basic",
        "--export-json",
        str(export),
        "--prepare",
        f"rm -rf {out} && mkdir -p {out}",
    ]
    for name, command in commands.items():
        arguments += ["--command-name", name, command]
    run(arguments, cwd=cwd)
    results = json.loads(export.read_text())["results"]
    return {result["command"]: result["times"] for result in results}


def peak_rss(command: list, cwd: Path, out: Path) -> int:
    """Returns the peak resident set size of `command` in bytes, measured by /usr/bin/time -v."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    finished = subprocess.run(
        ["/usr/bin/time", "-v", *command], cwd=cwd, capture_output=True, text=True, check=True
    )
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", finished.stderr)
    if match is None:
        raise RuntimeError(f"/usr/bin/time printed no peak size:\n{finished.stderr}")
    return int(match.group(1)) * 1024


def largest_file(folder: Path) -> int:
    """Returns the size in bytes of the largest file below `folder`."""
    return max(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def count_data_uris(folder: Path) -> int:
    """Returns how many `data:image/` URIs the Markdown files below `folder` contain."""
    return sum(p.read_bytes().count(b"(data:image/") for p in folder.rglob("*.md"))


def machine() -> str:
    """Returns a one-line description of this machine."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
        memory = f"{memory_kb / 1024 / 1024:.1f} GiB"
    except (OSError, TypeError):
        memory = "unknown memory"
    return f"{os.cpu_count()} CPUs ({cpu}), {memory}, {platform.system()} {platform.release()}"


def seconds(times: list) -> str:
    """Formats the median of `times` in seconds."""
    return f"{statistics.median(times):.3f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--install", action="store_true", help="install missing tools")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command (default 5)")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path("/tmp/mdembed-bench-folder"),
        help="folder for the trees, outputs and the remark installation",
    )
    parser.add_argument("--binary", type=Path, help="mdembed binary (default: a release build)")
    parser.add_argument("--no-large", action="store_true", help="skip the 10x tree")
    parser.add_argument("--no-remark", action="store_true", help="skip remark")
    args = parser.parse_args()
    if args.runs < 5:
        parser.error(f"invalid --runs {args.runs}: the medians need at least 5 runs")

    load_start = f"{os.getloadavg()[0]:.2f}"
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    if args.install:
        install(workdir)
    for tool in ("hyperfine", "base64", "xargs"):
        if shutil.which(tool) is None:
            parser.error(f"{tool} not found: install it or pass --install")
    binary = (args.binary or build_binary()).resolve()
    out = workdir / "out"
    node = workdir / "node"
    remark = not args.no_remark and (node / "node_modules" / "remark-embed-images").is_dir()
    if not args.no_remark and not remark:
        print(f"remark skipped: not installed in {node} (pass --install)", file=sys.stderr)
    if remark:
        # Node resolves the script's imports from its own folder, so it sits beside node_modules.
        (node / "embed-remark.mjs").write_text(REMARK_SCRIPT)

    small = tree(workdir, 1)
    references = (small / "references.txt").read_text().split()
    commands = {
        "mdembed": f"{binary} embed -q docs -o {out}/mdembed",
        "floor": f"xargs -d '\\n' cat < references.txt | base64 -w0 > {out}/floor.b64",
    }
    if remark:
        commands["remark script"] = f"node {node}/embed-remark.mjs docs {out}/remark-script"
        commands["remark-cli"] = (
            f"mkdir {out}/remark-cli && "
            f"{node}/node_modules/.bin/remark docs -q -o {out}/remark-cli/ "
            f"--use {node}/node_modules/remark-embed-images/index.js"
        )
    times = hyperfine(commands, small, out, args.runs, workdir / "small.json")

    # hyperfine empties the output folder before each run, so run every command once more and
    # check that each output contains every image.
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    for command in commands.values():
        run(command, shell=True, cwd=small)
    checks = {"mdembed": count_data_uris(out / "mdembed")}
    if remark:
        checks["remark script"] = count_data_uris(out / "remark-script")
        checks["remark-cli"] = count_data_uris(out / "remark-cli")
    for name, found in checks.items():
        if found != len(references):
            print(f"warning: {name} wrote {found} data URIs, expected {len(references)}")
    if remark:
        same = sum(
            1
            for document in (out / "mdembed").rglob("*.md")
            if document.read_bytes()
            == (out / "remark-script" / document.relative_to(out / "mdembed")).read_bytes()
        )
        print(f"remark script output identical to mdembed's for {same} documents")
    floor_bytes = (out / "floor.b64").stat().st_size
    mdembed_rss = peak_rss([str(binary), "embed", "-q", "docs", "-o", str(out / "mdembed")],
                           small, out)
    largest = largest_file(out / "mdembed")

    large_times = {}
    large_rss = large_largest = None
    if not args.no_large:
        large = tree(workdir, 10)
        large_times = hyperfine(
            {name: commands[name] for name in ("mdembed", "floor")},
            large,
            out,
            args.runs,
            workdir / "large.json",
        )
        large_rss = peak_rss([str(binary), "embed", "-q", "docs", "-o", str(out / "mdembed")],
                             large, out)
        large_largest = largest_file(out / "mdembed")

    md = statistics.median(times["mdembed"])
    print(f"Machine: {machine()}")
    # Other processes skew the medians; the load average shows whether any ran.
    print(f"Load average at the start: {load_start}; at the end: {os.getloadavg()[0]:.2f}")
    print(f"Tree: {len(list((small / 'docs').rglob('*.md')))} documents, {len(references)} "
          f"references, {floor_bytes / 1e6:.1f} MB of base64")
    print()
    print("| command | tree | median (s) | min (s) | max (s) | ratio to mdembed |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for name, values in times.items():
        print(f"| {name} | 1x | {seconds(values)} | {min(values):.3f} | {max(values):.3f} | "
              f"{statistics.median(values) / md:.2f} |")
    for name, values in large_times.items():
        print(f"| {name} | 10x | {seconds(values)} | {min(values):.3f} | {max(values):.3f} | "
              f"{statistics.median(values) / md:.2f} |")
    print()
    print(f"mdembed / floor: {md / statistics.median(times['floor']):.2f} (target <= 1.2)")
    if remark:
        for name in ("remark script", "remark-cli"):
            print(f"{name} / mdembed: {statistics.median(times[name]) / md:.1f} (target >= 12)")
    if large_times:
        print(f"10x / 1x (mdembed): {statistics.median(large_times['mdembed']) / md:.2f} "
              f"(target <= 11)")
    mib = 1024 * 1024
    print(f"peak RSS 1x: {mdembed_rss / mib:.1f} MiB; largest output document "
          f"{largest / mib:.1f} MiB; limit {largest / mib + 64:.1f} MiB")
    if large_rss is not None:
        print(f"peak RSS 10x: {large_rss / mib:.1f} MiB; largest output document "
              f"{large_largest / mib:.1f} MiB; limit {large_largest / mib + 64:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
