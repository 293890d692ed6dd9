#!/usr/bin/env bash
# Build the one-folder bundle and a Linux tarball from a clean clone:
#   bash installers/build.sh         -> installers/dist/workstation/ and installers/dist/*.tar.gz
# then check it:  .venv/bin/python installers/smoke_test.py
# Sets up .venv first (scripts/setup.sh: system libraries incl. binutils for objdump, then the
# package with the "installer" extra). Never reads ../shared: the bundle ships data/ as built.
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s)
WORKSTATION_EXTRAS="dev,installer" bash scripts/setup.sh   # pinned: pip -c constraints.txt
t1=$(date +%s)
.venv/bin/pyinstaller --noconfirm --clean --log-level WARN \
  --distpath installers/dist --workpath installers/build installers/workstation.spec
cp installers/linux/workstation.desktop installers/linux/workstation.png installers/dist/workstation/
cp installers/linux/install.sh installers/dist/workstation/
t2=$(date +%s)
version=$(.venv/bin/python -c "import workstation; print(workstation.__version__)")
tarball="installers/dist/london-deployment-workstation-${version}-linux-$(uname -m).tar.gz"
tar -C installers/dist -czf "$tarball" workstation
t3=$(date +%s)
echo "set-up time: $((t1 - t0)) s"
echo "pyinstaller time: $((t2 - t1)) s"
echo "tarball time: $((t3 - t2)) s"
echo "build time: $((t3 - t0)) s"
echo "bundle size: $(du -sh installers/dist/workstation | cut -f1) ($(du -sm installers/dist/workstation | cut -f1) MB)"
echo "tarball: $tarball ($(du -h "$tarball" | cut -f1))"
