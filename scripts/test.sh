#!/usr/bin/env bash
# The test command: installs what the tests need, then runs the whole suite against the
# real Docker daemon and a real registry.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# --no-fail-fast: one failing test binary must not hide the others' results.
exec cargo test --no-fail-fast "$@"
