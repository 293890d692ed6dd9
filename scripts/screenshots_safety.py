"""Screenshots of the Community Safety Index in the app (issue 20), from the real pack.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshots_safety.py

Writes docs/screenshots/safety_map.png (borough index, 12 months to 2024-12, Westminster
selected: the inspector chart), safety_weights.png (the Safety index dock with weights) and
safety_wards.png (ward level, the West End picked).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))   # scripts/screenshots.py


def main() -> int:
    from screenshots import open_window   # scripts/: the same window set-up as the others

    app, session, window, settle, shot = open_window()
    for layer in window.canvas.layers:
        layer.set_visible(layer.key in ("safety_index", "basemap"))
    window.layer_panel.sync()
    window.safety_state.set_month("2024-12")
    session.select("E09000033")
    window.docks["inspector"].raise_()
    settle()
    window.canvas.rebuild_legend()
    window.canvas.fit_london()
    shot("safety_map")
    window.docks["safety"].raise_()
    shot("safety_weights")
    # 3. wards (unions of their LSOAs), the West End picked for the inspector chart
    panel = window.safety_panel
    panel.level_combo.setCurrentIndex(panel.level_combo.findData("ward"))
    window.canvas.sig_clicked.emit(529500.0, 181000.0)
    window.docks["inspector"].raise_()
    window.canvas.rebuild_legend()
    window.canvas.fit_london()
    shot("safety_wards")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
