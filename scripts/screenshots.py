"""Screenshots of the workstation for the docs, from the real data pack.

Run under a virtual display:
    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshots.py
Writes docs/screenshots/{overview,hotspots,flows_0800,plan}.png (plan only when
the deployment engine's recommend() exists), and for the readable map (issue 16)
westminster_1to10000.png, hotspot_table.png and msoa_layer.png (the MSOA GeoPackage from
../shared/data/boundaries, added as File > Add reference layer does).
``--only a,b`` takes just those shots.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
OUT = REPO / "docs" / "screenshots"


def open_window():
    """The main window on the shipped pack as a new user first sees it (a throwaway window
    layout, 1600 x 1000 at the top left: no window manager under Xvfb), with ``settle()``
    (let the map catch up) and ``shot(name)`` (grab it into docs/screenshots/)."""
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

    return app, session, window, settle, shot


def main() -> int:
    from PySide6.QtCore import QRectF, Qt

    from workstation.domain import DayType

    app, session, window, settle, shot = open_window()

    def fit() -> None:
        """Whole of London left of the legend (the legend must be built first)."""
        settle()
        window.canvas.rebuild_legend()
        window.canvas.fit_london()

    def show_only(*keys: str) -> None:
        for layer in window.canvas.layers:
            layer.set_visible(layer.key in keys)
        window.layer_panel.sync()

    only = next((a.split("=", 1)[1].split(",") for a in sys.argv if a.startswith("--only=")),
                None)
    if only:
        return readable_map_shots(window, session, app, settle, shot, show_only, only)

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
    readable_map_shots(window, session, app, settle, shot, show_only,
                       ["westminster_1to10000", "hotspot_table", "msoa_layer"])
    window.close()
    return 0


REFERENCE = ("water", "parks", "lsoa", "roads", "tube_lines", "stations", "basemap",
             "street_names", "station_names")


def _scale_view(window, centre, metres_per_px: float) -> None:
    from PySide6.QtCore import QRectF
    view = window.canvas.view
    w_m, h_m = view.width() * metres_per_px, view.height() * metres_per_px
    view.setRange(QRectF(centre[0] - w_m / 2, centre[1] - h_m / 2, w_m, h_m), padding=0)


def readable_map_shots(window, session, app, settle, shot, show_only, names) -> int:
    """The map close up with its reference layers, the hotspot table, an added MSOA layer."""
    from PySide6.QtCore import Qt

    from workstation.domain import DayType

    session.set_time(DayType.WEEKDAY, 20)
    session.select("")
    if "westminster_1to10000" in names:
        # 1:10,000 on a 96 dpi screen is 2.65 m per pixel. The map alone, docks closed.
        docks = [d for d in window.docks.values() if d.isVisible()]
        for dock in docks:
            dock.hide()
        show_only("hotspots", *REFERENCE)
        settle()
        _scale_view(window, (529900, 180550), 2.65)
        shot("westminster_1to10000")
        for dock in docks:
            dock.show()
    if "hotspot_table" in names:
        show_only("hotspots", *REFERENCE)
        window.docks["hotspot_table"].show()
        window.docks["hotspot_table"].raise_()
        window.docks["inspector"].raise_()
        window.resizeDocks([window.docks["hotspot_table"]], [330], Qt.Orientation.Vertical)
        table = window.hotspot_table
        table.sort_by("hotspot_id", descending=False)
        window.canvas.legend.set_collapsed(True)     # folded: the legend's title bar only
        table.select_row(2)            # zooms to #3 and shows its figures and sparkline
        settle()
        shot("hotspot_table")
        window.canvas.legend.set_collapsed(False)
        table.view.clearSelection()
    if "msoa_layer" in names:
        msoa = REPO.parent / "shared" / "data" / "boundaries" / "London-MSOA-2021.gpkg"
        import os
        msoa = Path(os.environ.get("WORKSTATION_SHARED_DATA", msoa.parents[1])) / \
            "boundaries" / "London-MSOA-2021.gpkg"
        layer = window.user_layers.add_file(msoa)
        layer.set_style(label_column="msoa21nm", line_width_px=1.5, fill_opacity=0.12)
        window.layer_panel.sync()
        window.layer_panel._select_key(layer.key)
        show_only("water", "parks", "tube_lines", "basemap", "station_names", layer.key)
        for key in ("plan", "compare", "hotspot_table"):
            window.docks[key].hide()
        settle()
        _scale_view(window, (530500, 180500), 9.0)
        shot("msoa_layer")
    return 0


if __name__ == "__main__":
    sys.exit(main())
