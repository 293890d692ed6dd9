"""Screenshots of the Community Safety Index in the app (issue 20), from the real pack.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshots_safety.py

Writes docs/screenshots/safety_map.png (borough index, 12 months to 2024-12, Westminster
selected: the inspector chart), safety_weights.png (the Safety index dock with weights) and
safety_wards.png (ward level, the West End picked).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
OUT = REPO / "docs" / "screenshots"


def main() -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from workstation.app.main_window import MainWindow
    from workstation.app.session import Session
    from workstation.app.style import ui_font
    from workstation.datapack import load_pack

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setFont(ui_font(9))
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "layout.ini"), QSettings.Format.IniFormat)
    session = Session(load_pack())
    window = MainWindow(session, settings=settings, background=False)
    window.move(0, 0)
    window.resize(1600, 1000)
    window.show()
    app.processEvents()
    window.finish_loading()
    OUT.mkdir(parents=True, exist_ok=True)

    def settle() -> None:
        for _ in range(5):
            app.processEvents()
        window.canvas._emit_view_changed()
        app.processEvents()

    def shot(name: str) -> None:
        settle()
        path = OUT / f"{name}.png"
        window.grab().save(str(path))
        print(path)

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
