"""A full disk: every writer (project, incident store, GeoPackage, plan workbook and CSV,
report PDF) fails with one specific message, leaves the previous file byte for byte as it
was and leaves no temporary file (nor an empty store folder). The disk filling up is
simulated by making the library's own write raise ENOSPC after writing part of the
data, as the OS does (no small tmpfs is available to the tests)."""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

import pytest

from workstation.errors import OutputError

PROJECT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "projects" / \
    "v2_carnival_sunday.ldwproj"


@pytest.fixture(scope="module")
def month(shared_data, pack):
    """One real police.uk month, imported."""
    from workstation.loaders.locate import BoroughLocator
    from workstation.loaders.police_uk import load_police_uk
    return load_police_uk(shared_data / "police_uk_burglary" /
                          "2019-01-metropolitan-street.csv.gz",
                          boroughs=BoroughLocator.from_pack(pack))


def _enospc(*_a, **_k):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _partial_then_enospc(path_arg_index: int = 0, *, kind=OSError):
    """A stand-in writer: writes some bytes to the temp file, then the disk is full."""
    def write(*args, **kwargs):
        target = args[path_arg_index]
        with open(target, "wb") as handle:
            handle.write(b"x" * 4096)
        if kind is OSError:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        raise kind("sqlite3_exec(COMMIT) failed: database or disk is full; "
                   "No space left on device")
    return write


def _assert_full_disk(info, target: Path, before: bytes | None, folder: Path, names: set):
    message = str(info.value)
    assert "the disk is full" in message and str(target) in message, message
    assert "previous file" in message
    if before is not None:
        assert target.read_bytes() == before
    else:
        assert not target.exists()
    assert {p.name for p in folder.iterdir()} == names, "a temporary file was left behind"


def test_project_save(tmp_path, monkeypatch):
    from workstation.project import load_project, save_project
    target = tmp_path / "work.ldwproj"
    target.write_bytes(PROJECT.read_bytes())
    before = target.read_bytes()
    monkeypatch.setattr(Path, "write_bytes", lambda self, data: _partial_then_enospc()(self))
    with pytest.raises(OutputError) as info:
        save_project(load_project(PROJECT), target)
    _assert_full_disk(info, target, before, tmp_path, {"work.ldwproj"})


def test_incident_store_first_save_leaves_no_empty_folder(month, tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    from workstation.loaders.store import save_incidents
    incidents = month
    monkeypatch.setattr(pq, "write_table", lambda table, where, **kw:
                        _partial_then_enospc()(where))
    folder = tmp_path / "work.incidents"
    with pytest.raises(OutputError, match="the disk is full"):
        save_incidents(incidents, folder)
    assert not folder.exists()
    assert list(tmp_path.iterdir()) == []


def test_incident_store_later_save_keeps_earlier_import(month, tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    from workstation.loaders.store import list_imports, save_incidents
    incidents = month
    folder = tmp_path / "work.incidents"
    first = save_incidents(incidents, folder)
    before = first.read_bytes()
    monkeypatch.setattr(pq, "write_table", lambda table, where, **kw:
                        _partial_then_enospc()(where))
    time.sleep(1.1)   # a different timestamped name
    with pytest.raises(OutputError, match="the disk is full"):
        save_incidents(incidents, folder)
    assert list_imports(folder) == [first] and first.read_bytes() == before
    assert [p.name for p in folder.iterdir()] == [first.name]


def test_geopackage(pack, tmp_path, monkeypatch):
    import geopandas as gpd
    import pyogrio.errors

    from workstation.exports.geopackage import write_geopackage
    target = tmp_path / "layers.gpkg"
    target.write_bytes(b"previous geopackage")
    # the writer goes through pyogrio (GeoPackage 1.2 option, descriptions) and, for
    # older code paths, GeoDataFrame.to_file: a full disk on either must be caught
    full = _partial_then_enospc(kind=pyogrio.errors.DataSourceError)
    monkeypatch.setattr(pyogrio, "write_dataframe", lambda frame, where, **kw: full(where))
    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", lambda self, where, **kw: full(where))
    with pytest.raises(OutputError) as info:
        write_geopackage(target, pack=pack)
    _assert_full_disk(info, target, b"previous geopackage", tmp_path, {"layers.gpkg"})


@pytest.fixture(scope="module")
def plan(pack):
    from workstation.deploy import recommend
    from workstation.deploy.scenario import DeploymentScenario
    return recommend(pack, DeploymentScenario())


def test_plan_workbook_and_csv(plan, tmp_path, monkeypatch):
    import openpyxl
    import pandas as pd

    from workstation.exports.plan_csv import write_plan_csv
    from workstation.exports.plan_xlsx import write_plan_xlsx
    xlsx, csv = tmp_path / "plan.xlsx", tmp_path / "plan.csv"
    xlsx.write_bytes(b"old workbook")
    csv.write_bytes(b"old,csv\r\n")
    monkeypatch.setattr(openpyxl.Workbook, "save", lambda self, where:
                        _partial_then_enospc()(where))
    monkeypatch.setattr(pd.DataFrame, "to_csv", lambda self, where, **kw:
                        _partial_then_enospc()(where))
    with pytest.raises(OutputError) as info:
        write_plan_xlsx(plan, xlsx)
    _assert_full_disk(info, xlsx, b"old workbook", tmp_path, {"plan.xlsx", "plan.csv"})
    with pytest.raises(OutputError) as info:
        write_plan_csv(plan, csv)
    _assert_full_disk(info, csv, b"old,csv\r\n", tmp_path, {"plan.xlsx", "plan.csv"})


def test_full_disk_when_creating_the_temporary_file(tmp_path, monkeypatch):
    import tempfile

    from workstation.atomic import atomic_write_text
    target = tmp_path / "work.ldwproj"
    target.write_text("old")
    monkeypatch.setattr(tempfile, "mkstemp", _enospc)
    with pytest.raises(OutputError) as info:
        atomic_write_text(target, "new")
    _assert_full_disk(info, target, b"old", tmp_path, {"work.ldwproj"})


def test_stale_temporary_files_are_cleaned_at_next_start(tmp_path):
    """kill -9 during a save leaves '.<name>.<random>.tmp'; the next start removes those
    (old enough not to be another copy's save in progress) and nothing else."""
    from workstation.atomic import clean_stale_temp_files
    stale = [tmp_path / ".work.ldwproj.k3j_9xq2.tmp", tmp_path / ".layers.gpkg.abcdefgh.tmp.gpkg",
             tmp_path / ".layers.gpkg.abcdefgh.tmp.gpkg-journal"]
    fresh = tmp_path / ".work.ldwproj.zzzzzzzz.tmp"
    keep = [tmp_path / "work.ldwproj", tmp_path / "notes.tmp", tmp_path / ".hidden.tmp"]
    for path in stale + [fresh] + keep:
        path.write_bytes(b"")
    old = time.time() - 3600
    for path in stale + keep:
        os.utime(path, (old, old))
    removed = clean_stale_temp_files([tmp_path, tmp_path / "missing"])
    assert sorted(removed) == sorted(stale)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in keep + [fresh])
