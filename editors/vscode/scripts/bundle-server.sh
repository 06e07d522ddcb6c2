#!/usr/bin/env bash
# Copy the restate-lsp binary into server/<target>/ so `vsce package --target <target>` ships it.
#   scripts/bundle-server.sh [TARGET]      TARGET: a VSIX target such as linux-x64 (default: this machine)
# The binary comes from $RESTATE_LSP (if set) or the release build (in $CARGO_TARGET_DIR or <repo>/target). It is only copied
# when TARGET is this machine's platform (or RESTATE_LSP names a binary built for TARGET); otherwise the
# VSIX is built without a server and the extension falls back to restate.server.path / PATH.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$here/../.." && pwd)

# shellcheck source=target.sh
source "$here/scripts/target.sh"

target=${1:-$(host_target)}
exe=restate-lsp
[[ $target == win32-* ]] && exe=restate-lsp.exe

rm -rf "$here/server"
if [[ -n ${RESTATE_LSP:-} ]]; then
  src=$RESTATE_LSP
elif [[ $target == "$(host_target)" ]]; then
  src=${CARGO_TARGET_DIR:-$repo/target}/release/$exe
else
  echo "bundle-server: no binary for $target (set RESTATE_LSP to one built for it); packaging without a server" >&2
  exit 0
fi
if [[ ! -f $src ]]; then
  echo "bundle-server: $src does not exist (run 'cargo build --release' at the repo root); packaging without a server" >&2
  exit 0
fi
mkdir -p "$here/server/$target"
cp "$src" "$here/server/$target/$exe"
chmod 755 "$here/server/$target/$exe"
echo "bundle-server: server/$target/$exe <- $src ($(wc -c <"$src") bytes)"
