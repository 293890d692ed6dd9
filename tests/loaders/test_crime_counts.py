"""Recorded-crime counts in the Met's borough, ward and LSOA layouts, against the totals
the published files hold."""

import gzip

import pandas as pd
import pytest

from workstation.errors import InputError
from workstation.loaders.crime_counts import (crime_window, detect_layout, parse_window,
                                              read_crime_counts)

BOROUGH_FILE = "police_counts/mps_borough_level_crime_2022-02_2024-01.csv"
WARD_FILE = "police_counts/mps_ward_crime_2010-04_2025-02.csv.gz"
LSOA_FILE = "police_counts/mps_lsoa_crime_2024-02_2025-02.csv.gz"


@pytest.fixture(scope="module")
def boroughs(pack):
    return pack.table("boroughs")


@pytest.fixture(scope="module")
def ward(shared_data, boroughs):
    return read_crime_counts(shared_data / WARD_FILE, boroughs)


def _published(path, month, area_column, drop):
    raw = pd.read_csv(path)
    return int(raw.loc[~raw[area_column].astype(str).str.startswith(drop), month].sum())


def test_borough_layout_matches_the_file_and_the_pack(shared_data, boroughs, pack):
    counts = read_crime_counts(shared_data / BOROUGH_FILE, boroughs)
    assert counts.layout == "borough" and len(counts.months) == 24
    total = counts.table.groupby("month")["offences"].sum()
    # published London total for 2023-01, airports pseudo-borough excluded
    assert total["2023-01"] == _published(shared_data / BOROUGH_FILE, "202301",
                                          "LookUp_BoroughName", "London Heathrow")
    assert "London Heathrow and London City Airports" in counts.dropped
    pack_table = pack.table("crime_borough_month")
    pack_total = pack_table[pack_table["month"] == "2023-01"]["offences"].sum()
    assert total["2023-01"] == pack_total
    # by borough and group the same as the pack's table
    mine = counts.table[counts.table["month"] == "2023-01"].groupby(
        ["gss_code", "major_text"])["offences"].sum()
    theirs = pack_table[pack_table["month"] == "2023-01"].groupby(
        ["gss_code", "major_text"])["offences"].sum()
    pd.testing.assert_series_equal(mine.sort_index(), theirs.sort_index(), check_names=False)


def test_ward_layout_sums_to_boroughs(shared_data, ward, pack):
    assert ward.layout == "ward" and ward.months[0] == "2010-04" and ward.months[-1] == "2025-02"
    total = ward.table.groupby("month")["offences"].sum()
    assert total["2025-02"] == _published(shared_data / WARD_FILE, "202502",
                                          "lookup_boroughname", "Aviation")
    assert ward.dropped["Aviation Security (SO18)"] > 0
    assert ward.table["gss_code"].nunique() == 32
    # ward totals run 2-3% below the borough file (offences not placed in a ward)
    pack_table = pack.table("crime_borough_month")
    by_borough = pack_table[pack_table["month"] == "2023-06"].groupby("gss_code")["offences"].sum()
    mine = ward.table[ward.table["month"] == "2023-06"].groupby("gss_code")["offences"].sum()
    ratio = (mine / by_borough).dropna()
    assert len(ratio) == 32
    assert 0.95 < ratio.median() < 1.0 and (ratio.between(0.85, 1.05)).all()
    # upper-case offence names mapped onto the borough file's spelling
    assert "Violence Against the Person" in set(ward.table["major_text"])
    assert "Domestic Burglary" in set(ward.table["minor_text"])


def test_lsoa_layout_sums_to_boroughs_and_flags_the_empty_month(shared_data, boroughs, ward):
    lsoa = read_crime_counts(shared_data / LSOA_FILE, boroughs)
    assert lsoa.layout == "lsoa"
    assert lsoa.incomplete_months == ("2024-02",)       # the published file holds 39 offences
    assert lsoa.months[0] == "2024-03" and len(lsoa.months) == 12
    total = lsoa.table.groupby("month")["offences"].sum()
    raw = pd.read_csv(shared_data / LSOA_FILE)
    assert total["2025-02"] == int(raw["202502"].sum())
    # the LSOA file has no sexual offences; every other group agrees with the ward file
    assert "Sexual Offences" not in set(lsoa.table["major_text"])
    common = ward.table[(ward.table["month"] == "2025-02")
                        & ward.table["major_text"].isin(set(lsoa.table["major_text"]))]
    ward_b = common.groupby("gss_code")["offences"].sum()
    lsoa_b = lsoa.table[lsoa.table["month"] == "2025-02"].groupby("gss_code")["offences"].sum()
    ratio = lsoa_b / ward_b
    # Heathrow's LSOAs are in Hillingdon, while the ward file books them to its Aviation
    # Security pseudo-borough: Hillingdon runs high; every other borough within 3%
    assert ratio["E09000017"] > 1.1
    assert ratio.drop("E09000017").between(0.97, 1.03).all()


def test_window_takes_files_first_then_the_pack_and_names_a_missing_month(ward, pack):
    table = pack.table("crime_borough_month")
    window = crime_window("2023-11", "2024-03", (ward,), pack_table=table)
    assert set(window.source_of_month.values()) == {"mps_ward_crime_2010-04_2025-02.csv.gz"}
    only_pack = crime_window("2023-11", "2024-01", (), pack_table=table)
    assert set(only_pack.source_of_month.values()) == {"pack:crime_borough_month"}
    with pytest.raises(InputError, match="month 2024-02"):
        crime_window("2023-11", "2024-03", (), pack_table=table)


def test_bad_files_and_windows_are_refused(tmp_path, boroughs):
    with pytest.raises(InputError, match="not a Met recorded-crime file"):
        bad = tmp_path / "x.csv"
        bad.write_text("a,b\n1,2\n", encoding="utf-8")
        read_crime_counts(bad, boroughs)
    wrong = tmp_path / "w.csv.gz"
    with gzip.open(wrong, "wt", encoding="utf-8") as handle:
        handle.write("wardcode,wardname,lookup_boroughname,majortext,minortext,202401\n"
                     "E05000001,X,Atlantis,THEFT,OTHER THEFT,3\n")
    with pytest.raises(InputError) as info:
        read_crime_counts(wrong, boroughs)
    assert info.value.row == 2 and info.value.column == "lookup_boroughname"
    negative = tmp_path / "n.csv"
    negative.write_text("MajorText,MinorText,LookUp_BoroughName,202401\nTheft,Other Theft,Camden,-1\n",
                        encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_crime_counts(negative, boroughs)
    assert info.value.column == "202401"
    assert parse_window("2022-02..2024-01") == ("2022-02", "2024-01")
    with pytest.raises(InputError):
        parse_window("2024-01..2022-02")
    assert detect_layout(["lsoa_code", "lsoa_name", "borough", "major_category",
                          "minor_category", "202401"]) == "lsoa"
