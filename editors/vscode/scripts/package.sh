#!/usr/bin/env bash
# Build a platform VSIX: bundle the server for TARGET, then `vsce package --target TARGET`.
#   npm run package                 -> restate-lsp-linux-x64-<version>.vsix on a linux x64 machine,
#                                      with server/linux-x64/restate-lsp from target/release
#   npm run package -- darwin-arm64 -> a darwin-arm64 VSIX, without a server unless RESTATE_LSP names
#                                      a binary built for it or RESTATE_LSP_DIST a directory of
#                                      cargo-dist archives (what the release workflow does)
# The output path is $VSIX_OUT if set, else restate-lsp-<target>-<version>.vsix in editors/vscode.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
# shellcheck source=target.sh
source scripts/target.sh
target=${1:-$(host_target)}
version=$(node -p 'require("./package.json").version')
out=${VSIX_OUT:-$here/restate-lsp-$target-$version.vsix}
mkdir -p "$(dirname "$out")" # vsce does not create it
bash scripts/bundle-server.sh "$target"
# README links and images are relative to editors/vscode in the repository.
repo_url=$(node -p 'require("./package.json").repository.url.replace(/\.git$/, "")')
dir=$(node -p 'require("./package.json").repository.directory || ""')
# vscode:prepublish (run by vsce) builds out/main.js minified.
npx --no-install vsce package --target "$target" --out "$out" \
  --baseContentUrl "$repo_url/blob/HEAD/$dir" --baseImagesUrl "$repo_url/raw/HEAD/$dir"
if [[ -d server/$target ]]; then echo "package: $out (with server/$target)"; else echo "package: $out (no bundled server)"; fi
