#!/usr/bin/env bash
# Copy the restate-lsp binary into server/<target>/ so `vsce package --target <target>` ships it.
#   scripts/bundle-server.sh [TARGET]      TARGET: a VSIX target such as linux-x64 (default: this machine)
# Where the binary comes from, first match:
#   1. $RESTATE_LSP: a binary built for TARGET;
#   2. $RESTATE_LSP_DIST: a directory of cargo-dist archives (the release's assets, or target/distrib
#      after `dist build`); the archive for TARGET must be there, or this fails;
#   3. the release build in $CARGO_TARGET_DIR or <repo>/target, when TARGET is this machine's platform.
# Otherwise the VSIX is built without a server and the extension falls back to restate.server.path
# and PATH.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$here/../.." && pwd)

# shellcheck source=target.sh
source "$here/scripts/target.sh"

target=${1:-$(host_target)}
exe=restate-lsp
[[ $target == win32-* ]] && exe=restate-lsp.exe
dest=$here/server/$target/$exe

rm -rf "$here/server"
if [[ -n ${RESTATE_LSP:-} ]]; then
  src=$RESTATE_LSP
elif [[ -n ${RESTATE_LSP_DIST:-} ]]; then
  triple=$(dist_triple "$target") || { echo "bundle-server: no release build for VSIX target $target" >&2; exit 1; }
  mkdir -p "$(dirname "$dest")"
  # Tarballs hold restate-lsp-<triple>/restate-lsp; the Windows zip is flat (cargo-dist's layout).
  if [[ $triple == *windows* ]]; then
    archive=$RESTATE_LSP_DIST/restate-lsp-$triple.zip
    [[ -f $archive ]] || { echo "bundle-server: $archive is missing" >&2; exit 1; }
    command -v unzip >/dev/null || { echo "bundle-server: unzip is needed for $archive" >&2; exit 1; }
    unzip -p "$archive" "$exe" >"$dest"
  else
    archive=$RESTATE_LSP_DIST/restate-lsp-$triple.tar.gz
    [[ -f $archive ]] || { echo "bundle-server: $archive is missing" >&2; exit 1; }
    tar -xzf "$archive" -O "restate-lsp-$triple/$exe" >"$dest"
  fi
  [[ -s $dest ]] || { echo "bundle-server: $archive holds no $exe" >&2; exit 1; }
  chmod 755 "$dest"
  echo "bundle-server: server/$target/$exe <- $archive ($(wc -c <"$dest") bytes)"
  exit 0
elif [[ $target == "$(host_target)" ]]; then
  src=${CARGO_TARGET_DIR:-$repo/target}/release/$exe
else
  echo "bundle-server: no binary for $target (set RESTATE_LSP or RESTATE_LSP_DIST); packaging without a server" >&2
  exit 0
fi
if [[ ! -f $src ]]; then
  echo "bundle-server: $src does not exist (run 'cargo build --release' at the repo root); packaging without a server" >&2
  exit 0
fi
mkdir -p "$(dirname "$dest")"
cp "$src" "$dest"
chmod 755 "$dest"
echo "bundle-server: server/$target/$exe <- $src ($(wc -c <"$src") bytes)"
