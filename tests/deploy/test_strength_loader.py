"""The home-strength CSV reader (workstation.loaders.strength): partial files, corrections,
and errors that name file, row and column."""

import pytest

from workstation.errors import InputError
from workstation.loaders.strength import read_strength_csv

CODES = ("E09000007", "E09000033")
SHIFTS = ("07-15", "15-23", "23-07")


def read(tmp_path, text):
    path = tmp_path / "strength.csv"
    path.write_text(text, encoding="utf-8")
    return read_strength_csv(path, unit_codes=CODES, shift_names=SHIFTS)


def test_a_row_without_shift_sets_every_shift_and_a_later_row_corrects_one(tmp_path):
    given = read(tmp_path, "unit_code,officers,shift\nE09000033,40,\nE09000033,12,23-07\n")
    assert given.officers == {("E09000033", "07-15"): 40, ("E09000033", "15-23"): 40,
                              ("E09000033", "23-07"): 12}
    assert given.unit_codes == ("E09000033",)


def test_byte_order_mark_and_padded_headers_are_accepted(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeff gss_code , officers\nE09000007,9\n".encode("utf-8"))
    assert read_strength_csv(path, unit_codes=CODES, shift_names=SHIFTS).unit_codes == (
        "E09000007",)


@pytest.mark.parametrize("text, row, column", [
    ("unit_code,officers,shift\nE09000033,10,07-16\n", 2, "shift"),
    ("unit_code,officers\nE09000033,2.5\n", 2, "officers"),
    ("unit_code,officers\n", 2, None),
])
def test_errors_name_row_and_column(tmp_path, text, row, column):
    with pytest.raises(InputError) as info:
        read(tmp_path, text)
    assert (info.value.row, info.value.column) == (row, column)
    assert "strength.csv" in str(info.value)
