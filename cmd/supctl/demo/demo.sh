#!/usr/bin/env bash
# make demo: the story of supctl on embedded defaults, on a fresh machine with
# no network. Run from the repository root after `make build`.
set -euo pipefail
cd "$(dirname "$0")/../../.."
BIN=${BIN:-bin}
SUPCTL="$BIN/supctl"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@" || printf '(exit %d)\n' "$?"; }

say "1. vet a valid config repo: a native-mode two-site hierarchy written in CUE"
show "$SUPCTL" vet fixtures/valid/native-hierarchy

say "2. vet a broken repo: the native-mode site's software update point does not use SSL"
show "$SUPCTL" vet fixtures/invalid/SUP005

say "3. the same finding as JSON, for machines"
show "$SUPCTL" vet --format json fixtures/invalid/SUP005
