#!/usr/bin/env bash
# Build the one-folder bundle and a Linux tarball from a clean clone:
#   bash installers/build.sh         -> installers/dist/workstation/ and installers/dist/*.tar.gz
# Needs binutils (objdump): scripts/setup.sh installs it.
set -euo pipefail
cd "$(dirname "$0")/.."
WORKSTATION_EXTRAS="dev,installer" bash scripts/setup.sh
start=$(date +%s)
.venv/bin/pyinstaller --noconfirm --clean \
  --distpath installers/dist --workpath installers/build installers/workstation.spec
cp installers/linux/workstation.desktop installers/linux/workstation.png installers/dist/workstation/
cp installers/linux/install.sh installers/dist/workstation/
version=$(.venv/bin/python -c "import workstation; print(workstation.__version__)")
tarball="installers/dist/london-deployment-workstation-${version}-linux-$(uname -m).tar.gz"
tar -C installers/dist -czf "$tarball" workstation
end=$(date +%s)
echo "build time: $((end - start)) s"
echo "bundle size: $(du -sh installers/dist/workstation | cut -f1)"
echo "tarball: $tarball ($(du -h "$tarball" | cut -f1))"
