#!/usr/bin/env bash
# Run every fuzz target for SECONDS (default 60), one after the other, on the committed corpus.
# New inputs found go to a scratch copy, so the committed corpus only changes by `cargo fuzz cmin`.
# Fails on the first crash and leaves its input under fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cargo +nightly fuzz build
for t in analysis document_edits jsonrpc; do
  echo "fuzz: $t for ${seconds}s"
  mkdir -p "$scratch/$t"
  cp -r "fuzz/corpus/$t/." "$scratch/$t/"
  seeds=()
  flags=()
  case "$t" in
    # The Go-aware mutator starts from real Go: the fixtures and examples.
    analysis) seeds=(tests/fixtures examples); flags=(-max_len=16384) ;;
    # The guard logs every dropped message to stderr; libFuzzer's own report still shows.
    jsonrpc) flags=(-close_fd_mask=2) ;;
  esac
  log="$scratch/$t.log"
  if ! cargo +nightly fuzz run "$t" "$scratch/$t" "${seeds[@]}" -- \
      -max_total_time="$seconds" -print_final_stats=1 "${flags[@]}" >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "fuzz: $t crashed; the input is in fuzz/artifacts/$t/" >&2
    exit 1
  fi
  grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" | sed "s/^/fuzz: $t: /"
done
