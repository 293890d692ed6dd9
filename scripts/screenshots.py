"""Screenshots of the workstation for the docs, from the real data pack.

Run under a virtual display:
    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshots.py
Writes docs/screenshots/{overview,hotspots,flows_0800,plan}.png (plan only when
the deployment engine's recommend() exists).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
OUT = REPO / "docs" / "screenshots"


def main() -> int:
    from PySide6.QtCore import QRectF, QSettings, Qt
    from PySide6.QtWidgets import QApplication

    from workstation.app.main_window import MainWindow
    from workstation.app.session import Session
    from workstation.app.style import ui_font
    from workstation.datapack import load_pack
    from workstation.domain import DayType

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setFont(ui_font(9))
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "layout.ini"), QSettings.Format.IniFormat)
    session = Session(load_pack())
    window = MainWindow(session, settings=settings, background=False)
    window.move(0, 0)   # no window manager under Xvfb
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

    def fit() -> None:
        """Whole of London left of the legend (the legend must be built first)."""
        settle()
        window.canvas.rebuild_legend()
        window.canvas.fit_london()

    def shot(name: str) -> None:
        settle()
        path = OUT / f"{name}.png"
        window.grab().save(str(path))
        print(path)

    def show_only(*keys: str) -> None:
        for layer in window.canvas.layers:
            layer.set_visible(layer.key in keys)
        window.layer_panel.sync()

    # 1. Overview: population present at 11:00 on a weekday.
    session.set_time(DayType.WEEKDAY, 11)
    show_only("choropleth", "stations", "basemap")
    fit()
    shot("overview")

    # 2. Hotspots: KDE heat and Gi* hotspots over central and inner London.
    show_only("kde", "hotspots", "basemap")
    window.canvas.view.setRange(QRectF(520000, 172000, 24000, 17000), padding=0)
    hotspots = session.hotspots.hotspots if session.hotspots is not None else None
    if hotspots is not None and len(hotspots):
        session.select(str(hotspots.iloc[0]["gss_code"]))
    shot("hotspots")

    # 3. Commuter flows and Tube trips into Westminster at 08:00.
    session.set_time(DayType.WEEKDAY, 8)
    session.select("E09000033")
    show_only("choropleth", "flows", "tube_trips", "basemap")
    fit()
    shot("flows_0800")

    # 4. Plan: the allocation gap (the same call as the Scenario panel makes).
    from workstation.deploy import recommend
    plan = recommend(session.pack, session.scenario, population=session.population,
                     hotspots=session.hotspots, incidents=session.incidents)
    session.set_plan(plan)
    session.set_time(DayType.WEEKDAY, 9)
    session.select("E09000033")
    show_only("choropleth", "basemap")
    window.choropleth.set_metric("net_lending")   # who lends, who borrows, at 09:00
    window.layer_panel.sync()
    window.panels["plan"].follow_check.setChecked(True)
    # A taller plan strip so the lending list and impact statements show too.
    window.resizeDocks([window.docks["plan"]], [300], Qt.Orientation.Vertical)
    fit()
    plan_view = window.panels["plan"]
    plan_view.splitter.setSizes([1000, 800])   # table above, lending and impact below
    window.statusBar().clearMessage()
    window.resize(1600, 1000)
    shot("plan")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
