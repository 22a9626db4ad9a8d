#!/usr/bin/env bash
# The main job: install what is missing, build imagebench, build the demo images (first time
# only) and run scenarios/demo.toml cold and warm. Extra arguments go to `imagebench run`,
# e.g. `scripts/demo.sh --runs 3`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --release --quiet
exec target/release/imagebench demo "$@"
