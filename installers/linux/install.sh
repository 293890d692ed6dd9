#!/usr/bin/env bash
# Install the unpacked bundle for the current user: a launcher and a menu entry.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$HOME/.local/bin" "$HOME/.local/share/applications" "$HOME/.local/share/icons/hicolor/256x256/apps"
ln -sf "$here/workstation" "$HOME/.local/bin/workstation"
cp "$here/workstation.png" "$HOME/.local/share/icons/hicolor/256x256/apps/workstation.png"
sed "s#^Exec=.*#Exec=$here/workstation#" "$here/workstation.desktop" \
  > "$HOME/.local/share/applications/london-deployment-workstation.desktop"
echo "Installed: run 'workstation' or find 'London Deployment Workstation' in your menu."
echo "System libraries the bundle does not carry (Debian/Ubuntu): libgl1 libegl1 libfontconfig1 libxkbcommon0"
