"""`workstation info` and `workstation import`: stable JSON that scripts rely on."""

from __future__ import annotations

import json
import subprocess
import sys

from workstation.cli import main

REPO = __import__("pathlib").Path(__file__).resolve().parents[2]


def run_json(capsys, argv):
    code = main(argv)
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_info_json(capsys):
    code, info = run_json(capsys, ["info", "--json"])
    assert code == 0
    assert info["boroughs"] == 33
    assert info["incident_rows"] + info["rows_not_placed"] == 338_055
    assert info["rows_not_placed"] == 4_826
    assert info["months"] == {"first": "2019-01", "last": "2024-08", "count": 68}
    assert info["forces"] == ["Metropolitan Police Service"]
    assert "burglary_lattice" in info["tables"] and info["data_pack_version"]


def test_import_folder_json(capsys, burglary_dir):
    code, got = run_json(capsys, ["import", str(burglary_dir), "--json"])
    assert code == 0
    assert got["rows_total"] == 338_055 and got["rows_unplaced"] == 4_826
    assert got["unplaced_reasons"] == {"no coordinates": 4_826}
    assert got["months"]["count"] == 68
    assert got["forces"] == {"Metropolitan Police Service": 333_229}
    assert got["crime_types"] == {"Burglary": 333_229}
    assert "saved_to" not in got


def test_import_into_writes_a_store(capsys, incidents_dir, tmp_path):
    target = tmp_path / "plan.incidents"
    code, got = run_json(capsys, ["import", str(incidents_dir /
                                              "stats19_collision_2022_met_first1049rows.csv"),
                                  "--into", str(target), "--json"])
    assert code == 0 and got["rows_total"] == 1_049
    assert got["saved_to"].startswith(str(target)) and len(list(target.iterdir())) == 1


def test_bad_input_exits_2_with_one_line(tmp_path):
    bad = tmp_path / "picture.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    result = subprocess.run([sys.executable, "-m", "workstation", "import", str(bad)],
                            cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "PNG" in lines[0] and "picture.csv" in lines[0]
    assert result.stdout == ""


def test_import_summary_lists_every_csv_read_or_skipped(burglary_dir, tmp_path, capsys):
    """A folder as a browser leaves it: the '(1)' copy of a month is read, the outcomes
    file and a stray CSV are listed as skipped with their reason (text and JSON)."""
    import shutil
    folder = tmp_path / "download"
    folder.mkdir()
    shutil.copyfile(burglary_dir / "2019-08-metropolitan-street.csv.gz",
                    folder / "2019-08-metropolitan-street.csv.gz")
    shutil.copyfile(burglary_dir / "2019-09-metropolitan-street.csv.gz",
                    folder / "2019-09-metropolitan-street (1).csv.gz")
    (folder / "2019-09-metropolitan-outcomes.csv").write_text(
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Outcome type\n")
    (folder / "contacts.csv").write_text("name,phone\nA,1\n")
    assert main(["import", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "months:    2019-08 .. 2019-09 (2)" in out
    assert ("skipped:   2019-09-metropolitan-outcomes.csv: police.uk outcomes file "
            "(not street-level crime)") in out
    assert "skipped:   contacts.csv: not a police.uk street-level file" in out
    code, result = run_json(capsys, ["import", str(folder), "--json"])
    assert code == 0 and len(result["sources"]) == 2
    assert [s["file"] for s in result["skipped_files"]] == [
        "2019-09-metropolitan-outcomes.csv", "contacts.csv"]
