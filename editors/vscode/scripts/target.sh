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
