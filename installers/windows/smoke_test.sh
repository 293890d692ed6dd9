#!/usr/bin/env bash
# Smoke test of the Windows build, under Wine, with the network cut off:
#   bash installers/windows/smoke_test.sh
# 1. installs the NSIS installer silently into a FRESH Wine prefix (a clean "machine");
# 2. runs the installed workstation.exe from an empty folder with a bare environment, inside
#    `unshare -rn` (a network namespace with no interfaces): --version, then
#    `selftest --gui` (data pack, a point reprojected to EPSG:27700, a plan, a PDF and a
#    GeoPackage written and read back, a project saved and reopened, the main window rendered
#    offscreen to a PNG) into a Documents folder whose name has spaces and non-ASCII letters;
# 3. checks the outputs exist and prints the selftest's lines.
# Exit 0 only if every step passed. Needs a build: bash installers/windows/build.sh.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$ROOT"
need_packages wine wine64 fonts-dejavu-core
version=$(sed -n 's/^__version__ *= *"\(.*\)"/\1/p' "$ROOT/workstation/__init__.py")
setup="$DIST/london-deployment-workstation-${version}-windows-x64-setup.exe"
[ -f "$setup" ] || { echo "no installer at $setup: run bash installers/windows/build.sh" >&2; exit 1; }

tmp=$(mktemp -d /tmp/ws-win-smoke-XXXXXX)
trap 'wineserver -k >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
export WINEPREFIX="$tmp/prefix"
export HOME="$tmp/home"; mkdir -p "$HOME"
NOPE=()
if unshare -rn true 2>/dev/null; then NOPE=(unshare -rn); fi
echo "installer: $setup"
echo "network: $([ ${#NOPE[@]} -gt 0 ] && echo 'none (unshare -rn)' || echo 'NOT isolated (unshare unavailable)')"

# A new prefix is a clean Windows profile. Windows always has fonts; a new Wine prefix has
# almost none, so give it DejaVu (what Qt would otherwise draw as boxes in the screenshot).
wineboot -i >/dev/null 2>&1 || true
fonts="$WINEPREFIX/drive_c/windows/Fonts"; mkdir -p "$fonts"
cp /usr/share/fonts/truetype/dejavu/*.ttf "$fonts/" 2>/dev/null || true

t0=$(date +%s)
# The installer's default folder, %LOCALAPPDATA%\Programs\London Deployment Workstation
# (per user, with spaces, as on a force laptop without administrator rights).
wine_run "$tmp/install.log" "$setup" /S || { cat "$tmp/install.log"; exit 1; }
install_dir="$WINEPREFIX/drive_c/users/$(whoami)/AppData/Local/Programs/London Deployment Workstation"
exe="$install_dir/workstation.exe"
for _ in $(seq 1 60); do [ -f "$exe" ] && break; sleep 1; done   # /S returns before files land
[ -f "$exe" ] || { cat "$tmp/install.log"; ls -R "$WINEPREFIX/drive_c/users" | head -40;
                   echo "the installer did not put workstation.exe in $install_dir" >&2; exit 1; }
echo "installed in $(( $(date +%s) - t0 )) s: $install_dir"
wineserver -k >/dev/null 2>&1 || true   # the app's own wineserver starts inside the namespace

user_docs="$WINEPREFIX/drive_c/users/$(whoami)/Documents"
out_unix="$user_docs/Plans – Ünïcode smoke"
mkdir -p "$out_unix"
out_win="C:\\users\\$(whoami)\\Documents\\Plans – Ünïcode smoke"
work="$tmp/empty"; mkdir -p "$work"; cd "$work"
# A bare environment: no PYTHONPATH, venv or WORKSTATION_DATA; offscreen Qt.
run_bare() {  # LOG args...
  local log="$1"; shift
  env -i PATH=/usr/bin:/bin HOME="$HOME" WINEPREFIX="$WINEPREFIX" WINEDEBUG=-all \
      WINEDLLOVERRIDES="$WINEDLLOVERRIDES" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen \
      "${NOPE[@]}" bash -c "source '$WIN_DIR/common.sh'; wine_run '$log' \"\$@\"" _ "$@"
}

t1=$(date +%s)
run_bare "$tmp/version.log" "$exe" --version || { cat "$tmp/version.log"; exit 1; }
grep -q "^workstation " "$tmp/version.log" || { cat "$tmp/version.log"; echo "--version printed no version" >&2; exit 1; }
echo "$(grep '^workstation ' "$tmp/version.log") ($(( $(date +%s) - t1 )) s)"

t2=$(date +%s)
rc=0
run_bare "$tmp/selftest.log" "$exe" selftest --gui --out "$out_win" || rc=$?
# the self-test's own lines (Wine's console wraps them at 80 columns: joined back here)
sed -n '/^workstation selftest/,/^selftest /p' "$tmp/selftest.log" | awk '
  /^(workstation selftest|  (ok|FAIL) |selftest )/ { if (line != "") print line; line = $0; next }
  { line = line $0 } END { if (line != "") print line }' \
  | sed 's/This plugin does not support propagateSizeHints()//g' || cat "$tmp/selftest.log"
echo "selftest: exit $rc in $(( $(date +%s) - t2 )) s"
[ "$rc" -eq 0 ] || { tail -40 "$tmp/selftest.log"; exit "$rc"; }
for name in selftest-report.pdf selftest.gpkg selftest-window.png "selftest project.ldwproj"; do
  [ -s "$out_unix/$name" ] || { echo "missing output $out_unix/$name" >&2; exit 1; }
done
head -c 5 "$out_unix/selftest-report.pdf" | grep -q "%PDF-" || { echo "the report is not a PDF" >&2; exit 1; }
if [ -n "${SMOKE_KEEP:-}" ]; then cp "$out_unix/selftest-window.png" "$SMOKE_KEEP"; fi
echo "Windows smoke test passed"
