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
# reference reading our feed parser is compared with, and reads our Atom feeds;
# openapi-spec-validator and jsonschema check openapi.json and the API's responses against it.
python3 -m pip install --quiet --disable-pip-version-check warcio 'feedparser==6.0.14' \
  'openapi-spec-validator==0.9.0' 'jsonschema==4.26.0'

# The browser tests (crates/web/tests/browser.rs) drive Debian's headless Chromium through
# chromedriver; CJK fonts make their screenshots legible. Installed only when missing.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null \
  || ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  apt_get="apt-get"
  if [ "$(id -u)" -ne 0 ]; then apt_get="sudo apt-get"; fi
  $apt_get update -qq
  DEBIAN_FRONTEND=noninteractive $apt_get install -y -qq chromium chromium-driver fonts-noto-cjk
fi

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
