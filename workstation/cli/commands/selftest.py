"""``workstation selftest``: prove an install works end to end, on the user's machine.

Installers and IT run this on a locked-down laptop (no network, no Python set-up) to check
that the bundle found its data pack, its PROJ and GDAL data, the deployment engine, the PDF
and GeoPackage writers and (``--gui``) Qt. Each step prints its time; the exit code is 0 only
if every step passed, so a script can gate a roll-out on it. Outputs go to ``--out`` so a
person can open the PDF and the GeoPackage and look.

Qt is imported only inside the ``--gui`` step, so the headless steps run on a server.
"""

from __future__ import annotations

import math
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from workstation.cli.help import describe
from workstation.errors import OutputError

REPORT_NAME = "selftest-report.pdf"
GPKG_NAME = "selftest.gpkg"
SCREENSHOT_NAME = "selftest-window.png"

# Nelson's Column, Trafalgar Square (WGS84 lon, lat): a landmark everyone can check lies in
# the City of Westminster; the reprojection must put it inside the pack's Westminster polygon.
TRAFALGAR_SQUARE_LON_LAT = (-0.12803, 51.50809)
WESTMINSTER_GSS = "E09000033"

GUI_LOAD_TIMEOUT_S = 60.0  # the window's deferred loading takes ~1-3 s on this machine


@dataclass(frozen=True, slots=True)
class StepResult:
    name: str
    ok: bool
    seconds: float
    detail: str   # what was checked (ok) or why it failed


class SelftestFailure(Exception):
    """A check that ran but found the install broken (not a bug in the self-test)."""


DESCRIPTION = ('Check this install end to end on this machine: data pack, reprojection, plan, PDF '
               'report and GeoPackage (and the main window with --gui). Each step prints its time; '
               'the exit code is 0 only if every step passed.')
EXAMPLES = (
    'workstation selftest --out /tmp/ldw-selftest',
    'workstation selftest --out ldw-check --gui',
)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "selftest", help="check this install end to end: data pack, reprojection, plan, "
                         "PDF report, GeoPackage (and the main window with --gui)")
    describe(parser, DESCRIPTION, EXAMPLES)
    parser.add_argument("--out", metavar="DIR", required=True,
                        help="folder for the test outputs (created if missing)")
    parser.add_argument("--gui", action="store_true",
                        help="also build the main window (offscreen unless QT_QPA_PLATFORM "
                             "is set), process its events and close it")
    parser.set_defaults(func=run)


def run(args) -> int:
    out_dir = prepare_out_dir(args.out)
    results = run_selftest(out_dir, gui=args.gui, pack_root=args.data)
    failed = [r for r in results if not r.ok]
    total_s = sum(r.seconds for r in results)
    if failed:
        first = failed[0]
        print(f"selftest FAILED at '{first.name}': {first.detail}", file=sys.stderr)
        return 1
    print(f"selftest passed: {len(results)} steps in {total_s:.1f} s; outputs in {out_dir}")
    return 0


def prepare_out_dir(path: str | Path) -> Path:
    """Create ``path`` if needed; ``OutputError`` (exit 2) if it cannot hold files."""
    out_dir = Path(path)
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir}: is a file; give a folder for the self-test outputs")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot create the folder ({exc.strerror or exc})") from exc
    if not os.access(out_dir, os.W_OK):
        raise OutputError(f"{out_dir}: folder is not writable")
    return out_dir.resolve()


def run_selftest(out_dir: Path, *, gui: bool = False, pack_root: str | Path | None = None,
                 echo: Callable[[str], None] = print) -> list[StepResult]:
    """Run the steps in order, echoing one line per step; stop at the first failure
    (later steps need the earlier results). Returns the results of the steps that ran."""
    state: dict = {"out_dir": Path(out_dir), "pack_root": pack_root}
    steps: list[tuple[str, Callable[[dict], str]]] = [
        ("load data pack", _step_pack),
        ("reproject to EPSG:27700", _step_reproject),
        ("compute plan", _step_plan),
        ("export PDF report", _step_report),
        ("export GeoPackage", _step_geopackage),
        ("save and reopen project", _step_project),
    ]
    if gui:
        steps.append(("open main window", _step_gui))
    echo(f"workstation selftest ({_runtime_line()})")
    results: list[StepResult] = []
    for name, step in steps:
        started = time.perf_counter()
        try:
            detail, ok = step(state), True
        except SelftestFailure as exc:
            detail, ok = str(exc), False
        except Exception as exc:  # any crash is a failed install step; name it, no traceback
            detail, ok = f"{type(exc).__name__}: {exc}", False
        result = StepResult(name, ok, time.perf_counter() - started, detail)
        results.append(result)
        echo(f"  {'ok  ' if ok else 'FAIL'} {name:<24} {result.seconds:6.2f} s  {detail}")
        if not ok:
            break
    return results


def _runtime_line() -> str:
    from workstation import __version__
    if getattr(sys, "frozen", False):
        return f"version {__version__}, frozen bundle"
    return f"version {__version__}, Python {sys.version.split()[0]}"


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def _step_pack(state: dict) -> str:
    from workstation.datapack import load_pack

    pack = load_pack(state["pack_root"])
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root and state["pack_root"] is None and not os.environ.get("WORKSTATION_DATA"):
        if not _inside(pack.root, Path(frozen_root)):
            raise SelftestFailure(f"the bundle read its data pack from {pack.root}, "
                                  "not from inside the bundle")
    boroughs = pack.table("boroughs")
    if len(boroughs) != 33:  # 32 London boroughs + the City of London
        raise SelftestFailure(f"expected 33 boroughs in the pack, found {len(boroughs)}")
    if boroughs.crs is None or boroughs.crs.to_epsg() != 27700:
        raise SelftestFailure(f"boroughs are in {boroughs.crs}, expected EPSG:27700")
    state["pack"] = pack
    return f"pack {pack.version} at {pack.root}, {len(boroughs)} boroughs"


def _step_reproject(state: dict) -> str:
    import pyproj
    import shapely

    # No network at run time: PROJ must not try to fetch grids, and must find proj.db locally.
    pyproj.network.set_network_enabled(False)
    transformer = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    easting_m, northing_m = transformer.transform(*TRAFALGAR_SQUARE_LON_LAT)
    if not (math.isfinite(easting_m) and math.isfinite(northing_m)):
        raise SelftestFailure(f"reprojection returned ({easting_m}, {northing_m}); "
                              "PROJ data is probably missing")
    boroughs = state["pack"].table("boroughs")
    point = shapely.Point(easting_m, northing_m)
    hits = boroughs[boroughs.contains(point)]
    names = ", ".join(hits["name"]) or "no borough"
    if list(hits["gss_code"]) != [WESTMINSTER_GSS]:
        raise SelftestFailure(f"Trafalgar Square reprojected to ({easting_m:.0f}, "
                              f"{northing_m:.0f}) which lies in {names}, not Westminster")
    data_dir = Path(pyproj.datadir.get_data_dir())
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root and not _inside(data_dir, Path(frozen_root)):
        raise SelftestFailure(f"PROJ data comes from {data_dir}, outside the bundle")
    return (f"Trafalgar Square -> E {easting_m:.0f} N {northing_m:.0f} m in {names} "
            f"(PROJ {pyproj.proj_version_str})")


def _step_plan(state: dict) -> str:
    from workstation.deploy import recommend
    from workstation.deploy.scenario import DeploymentScenario

    scenario = DeploymentScenario().validate()
    plan = recommend(state["pack"], scenario)
    rows = plan.plan
    if rows.empty or int(rows["final"].sum()) <= 0:
        raise SelftestFailure("the engine returned an empty plan")
    if int(rows["final"].min()) < 0:
        raise SelftestFailure("the plan has negative officer numbers")
    state["plan"] = plan
    return (f"{rows['unit_code'].nunique()} units x {len(scenario.day_types)} day types x "
            f"{len(scenario.shifts)} shifts, {len(plan.lending)} lending moves "
            f"({(plan.solver or 'solver not named').split(';')[0]})")


def _layers(state: dict):
    """Report/GeoPackage layers, gathered once: both exports use the same ones."""
    if "layers" not in state:
        from workstation.exports.layers import gather_layers
        scenario = state["plan"].scenario
        state["layers"] = gather_layers(state["pack"], day_type=scenario.day_types[0])
    return state["layers"]


def _step_report(state: dict) -> str:
    import matplotlib
    matplotlib.use("Agg", force=True)  # the report never needs a display

    from workstation.exports.report import write_report

    path = state["out_dir"] / REPORT_NAME
    write_report(state["plan"], path, pack=state["pack"], layers=_layers(state))
    data = path.read_bytes()
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        raise SelftestFailure(f"{path} is not a complete PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", data))
    if pages < 2:
        raise SelftestFailure(f"{path} has {pages} pages; the report has a cover and sections")
    return f"{path.name}: {len(data) / 1e6:.1f} MB, {pages} pages"


def _step_geopackage(state: dict) -> str:
    import pyogrio

    from workstation.exports.geopackage import write_geopackage

    path = state["out_dir"] / GPKG_NAME
    counts = write_geopackage(path, pack=state["pack"], plan=state["plan"],
                              layers=_layers(state))
    listed = {str(name): i for i, (name, _) in enumerate(pyogrio.list_layers(path))}
    missing = sorted(set(counts) - set(listed))
    if missing:
        raise SelftestFailure(f"{path.name} lacks layers {missing}")
    for name, expected in counts.items():
        info = pyogrio.read_info(path, layer=name)
        if int(info["features"]) != expected:
            raise SelftestFailure(f"layer {name}: {info['features']} features read back, "
                                  f"{expected} written")
    first = next(name for name, n in counts.items() if n)
    frame = pyogrio.read_dataframe(path, layer=first)
    if frame.crs is not None and frame.crs.to_epsg() not in (27700, None):
        raise SelftestFailure(f"layer {first} is in {frame.crs}, expected EPSG:27700")
    return (f"{path.name}: {len(counts)} layers, {sum(counts.values())} features read back "
            f"(GDAL {pyogrio.__gdal_version_string__})")


def _step_project(state: dict) -> str:
    """A project saved into the output folder and read back. Installers point ``--out`` at a
    folder with spaces and non-ASCII letters (as Windows user folders often have), so this
    checks the path handling of the atomic save and the loader on the user's platform."""
    from dataclasses import replace

    from workstation.project import PROJECT_SUFFIX, ProjectFile, load_project, save_project

    scenario = replace(state["plan"].scenario, name="Selftest – Ünïcode scenario")
    path = state["out_dir"] / f"selftest project{PROJECT_SUFFIX}"
    save_project(ProjectFile(scenario=scenario), path)
    reopened = load_project(path)
    if reopened.scenario != scenario:
        raise SelftestFailure(f"{path.name}: the scenario read back differs from the one saved")
    return f"{path.name}: scenario '{reopened.scenario.name}' read back unchanged"


def _step_gui(state: dict) -> str:
    # Offscreen unless the caller chose a platform: a self-test should not pop up a window
    # on a user's desktop, and CI has no display (an empty value counts as unset: Qt would
    # otherwise try xcb and abort the whole process without a display).
    if not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if (sys.platform == "win32" and os.environ["QT_QPA_PLATFORM"] == "offscreen"
            and not os.environ.get("QT_QPA_FONTDIR")):
        # Offscreen Qt on Windows reads fonts from its own folder only, which a bundle does
        # not ship: without this every letter of the screenshot is a box.
        os.environ["QT_QPA_FONTDIR"] = os.path.join(os.environ.get("WINDIR", r"C:\Windows"),
                                                    "Fonts")
    from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QSettings, QThread
    from PySide6.QtWidgets import QApplication

    from workstation.app.main_window import MainWindow
    from workstation.app.session import Session

    app = QApplication.instance() or QApplication([sys.argv[0]])
    # Window layout goes to a throwaway file so the self-test never changes the user's.
    settings = QSettings(str(state["out_dir"] / "selftest-layout.ini"),
                         QSettings.Format.IniFormat)
    session = Session(state["pack"])
    window = MainWindow(session, settings=settings, background=False)
    try:
        window.resize(1200, 800)
        window.show()
        deadline = QDeadlineTimer(int(GUI_LOAD_TIMEOUT_S * 1000))
        while not window.loaded and not deadline.hasExpired():
            app.processEvents()
            QThread.msleep(10)
        if not window.loaded:
            raise SelftestFailure(f"the main window did not finish loading in "
                                  f"{GUI_LOAD_TIMEOUT_S:.0f} s")
        session.set_plan(state["plan"])
        for _ in range(20):
            app.processEvents()
        layers = [layer.key for layer in window.canvas.layers]
        shot = state["out_dir"] / SCREENSHOT_NAME
        if not window.grab().save(str(shot)):
            raise SelftestFailure(f"could not render the window to {shot.name}")
    finally:
        session.dirty = False   # never stop at "save changes?": nobody is there to answer
        window.close()
        app.processEvents()
        QCoreApplication.sendPostedEvents()
    return (f"platform {app.platformName()}, {len(layers)} map layers, plan shown, "
            f"screenshot {shot.name}")
