#!/usr/bin/env bash
# The project's test command (README, second set-up command; CI runs it through .ci/run).
# Installs what the tests need on a fresh machine, then checks formatting, lints and runs
# every test of the workspace. Tests that read ../shared fail on CI (CI=true) if it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null; then
  echo "cargo is required (https://rustup.rs)" >&2
  exit 1
fi
rustup component add rustfmt clippy >/dev/null 2>&1 || true

# Real clients that check what we emit: warcio validates our WARC files; feedparser is the
# reference reading our feed parser is compared with.
python3 -m pip install --quiet --disable-pip-version-check warcio 'feedparser==6.0.14'

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
