#!/usr/bin/env bash
# Installs what tests/browser.rs needs on a fresh Debian machine: Chromium and Node from apt,
# and the Node packages of tests/browser/ into tests/browser/node_modules.
# Each step runs only when what it installs is missing, so a second run changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
command -v chromium >/dev/null || packages+=(chromium)
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
if [ "${#packages[@]}" -gt 0 ]; then
    apt-get update
    apt-get install -y "${packages[@]}"
fi

# package-lock.json pins every package, so `npm ci` installs the same tree on every machine.
if [ ! -f tests/browser/node_modules/markdown-it/package.json ]; then
    npm ci --prefix tests/browser --no-audit --no-fund
fi
