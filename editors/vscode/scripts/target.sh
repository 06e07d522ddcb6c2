# Sourced by bundle-server.sh and package.sh: this machine's VSIX target (linux-x64, darwin-arm64, ...).
host_target() {
  local os arch
  case "$(uname -s)" in
    Linux) os=linux ;; Darwin) os=darwin ;; MINGW* | MSYS* | CYGWIN*) os=win32 ;; *) os=unknown ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; armv7l) arch=armhf ;; *) arch=unknown ;;
  esac
  echo "$os-$arch"
}

# The Rust target triple whose cargo-dist archive carries the server for a VSIX target (the same
# mapping as the Zed extension, action.yml and the mason package; scripts/check_dist_files.py checks
# them against `dist plan`). Linux builds are static (musl); Windows on ARM gets the x86_64 build.
dist_triple() {
  case "$1" in
    linux-x64) echo x86_64-unknown-linux-musl ;;
    linux-arm64) echo aarch64-unknown-linux-musl ;;
    darwin-x64) echo x86_64-apple-darwin ;;
    darwin-arm64) echo aarch64-apple-darwin ;;
    win32-x64 | win32-arm64) echo x86_64-pc-windows-msvc ;;
    *) return 1 ;;
  esac
}
