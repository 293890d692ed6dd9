"""Build the crime and incident tables: crime_borough_month and collisions_borough_hour.

crime_borough_month comes from the Met's "MPS Borough Level Crime" (wide: one column per
month YYYYMM). The Met publishes a pseudo-borough "London Heathrow and London City Airports"
(Aviation Security): its offences cannot be split between Hillingdon and Newham, so they
are dropped and their total is recorded in the manifest's ``coverage`` rather than being
silently lost. City of London is policed by the City of London Police, so it has no rows.

collisions_borough_hour comes from the DfT STATS19 London extract, the only incident source
in the pack with a real hour of day.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from workstation.datapack.build_census import london_boroughs, normalise_name
from workstation.datapack.io import write_table

CRIME_FILES = ["police_counts/mps_borough_level_crime_2010-04_2022-01.csv",
               "police_counts/mps_borough_level_crime_2022-02_2024-01.csv"]
COLLISIONS_FILE = "incidents/stats19_london_collisions_2014_2023_akshen.csv.gz"

# Met pseudo-boroughs we cannot place in one borough; dropped and reported in coverage.
NON_BOROUGH_AREAS = {"London Heathrow and London City Airports", "Aviation Security"}

MONTHS = {name: number for number, name in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"], start=1)}

OGL_MET = ("OGL v3.0; Metropolitan Police Service via the London Datastore; "
           "Contains public sector information licensed under the Open Government Licence v3.0")
OGL_DFT = ("OGL v3.0; Department for Transport STATS19; "
           "Contains public sector information licensed under the Open Government Licence v3.0")


# --- crime_borough_month ----------------------------------------------------------------

def read_crime_file(path: Path) -> pd.DataFrame:
    """One wide Met file -> long rows (MajorText, MinorText, LookUp_BoroughName, month, offences)."""
    wide = pd.read_csv(path, dtype={"MajorText": str, "MinorText": str, "LookUp_BoroughName": str})
    keys = ["MajorText", "MinorText", "LookUp_BoroughName"]
    month_columns = [c for c in wide.columns if c not in keys]
    bad = [c for c in month_columns if not re.fullmatch(r"20\d{2}(0[1-9]|1[0-2])", str(c))]
    if bad:
        raise ValueError(f"{path.name}: unexpected columns {bad[:5]}")
    if wide.duplicated(keys).any():
        raise ValueError(f"{path.name}: repeated offence/borough rows")
    long = wide.melt(id_vars=keys, value_vars=month_columns, var_name="yyyymm", value_name="offences")
    if long["offences"].isna().any() or (long["offences"] < 0).any():
        raise ValueError(f"{path.name}: missing or negative counts")
    long["month"] = long["yyyymm"].str[:4] + "-" + long["yyyymm"].str[4:]
    return long.drop(columns="yyyymm")


def build_crime_table(source: Path, boroughs: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Long table and its coverage note (months, dropped areas with per-month totals)."""
    long = pd.concat([read_crime_file(source / f) for f in CRIME_FILES], ignore_index=True)
    if long.duplicated(["MajorText", "MinorText", "LookUp_BoroughName", "month"]).any():
        raise ValueError("crime files overlap in months")
    code_by_key = dict(zip(boroughs["name"].map(normalise_name), boroughs["gss_code"]))
    long["gss_code"] = long["LookUp_BoroughName"].map(normalise_name).map(code_by_key)

    unplaced = long[long["gss_code"].isna()]
    unknown = sorted(set(unplaced["LookUp_BoroughName"]) - NON_BOROUGH_AREAS)
    if unknown:
        raise ValueError(f"crime files: area names that are not boroughs: {unknown}")
    dropped = {}
    for area, rows in unplaced.groupby("LookUp_BoroughName"):
        by_month = rows.groupby("month")["offences"].sum()
        dropped[area] = {"offences": int(rows["offences"].sum()),
                         "by_month": {m: int(v) for m, v in by_month.items() if v}}

    table = long[long["gss_code"].notna() & (long["offences"] > 0)]
    table = (table.rename(columns={"MajorText": "major_text", "MinorText": "minor_text"})
             [["gss_code", "month", "major_text", "minor_text", "offences"]]
             .astype({"offences": "int64"})
             .sort_values(["gss_code", "month", "major_text", "minor_text"])
             .reset_index(drop=True))
    months = sorted(long["month"].unique())
    coverage = {
        "first_month": months[0], "last_month": months[-1], "months": len(months),
        "source_offences": int(long["offences"].sum()),
        "offences": int(table["offences"].sum()),
        "dropped": dropped,
        "dropped_offences": sum(d["offences"] for d in dropped.values()),
        "boroughs_without_rows": sorted(set(boroughs["gss_code"]) - set(table["gss_code"])),
        "note": "Met recorded offences; City of London (E09000001) is policed by the City of "
                "London Police and has no rows; Heathrow/London City airports offences "
                "(Aviation Security) cannot be split by borough and are dropped; zero rows dropped",
    }
    return table, coverage


# --- collisions_borough_hour --------------------------------------------------------------

def build_collisions_table(source: Path, boroughs: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    raw = pd.read_csv(source / COLLISIONS_FILE, dtype=str, keep_default_na=False,
                      usecols=["accident_year", "month", "local_authority_ons_district",
                               "accident_severity", "time"])
    hour_text = raw["time"].str.extract(r"^\s*(\d{1,2}):\d{2}(?::\d{2})?\s*$")[0]
    hour = pd.to_numeric(hour_text, errors="coerce")
    has_time = hour.between(0, 23)
    month = raw["month"].str.strip().str.title().map(MONTHS)
    if month.isna().any():
        raise ValueError(f"{COLLISIONS_FILE}: unknown month names "
                         f"{sorted(set(raw.loc[month.isna(), 'month']))[:5]}")
    codes = raw["local_authority_ons_district"].str.strip()
    outside = sorted(set(codes) - set(boroughs["gss_code"]))
    if outside:
        raise ValueError(f"{COLLISIONS_FILE}: districts outside London {outside[:5]}")
    frame = pd.DataFrame({"gss_code": codes, "year": raw["accident_year"].astype("int64"),
                          "month": month.astype("int64"), "hour": hour,
                          "severity": raw["accident_severity"].str.strip()})[has_time]
    table = (frame.astype({"hour": "int64"})
             .groupby(["gss_code", "year", "month", "hour", "severity"], as_index=False)
             .size().rename(columns={"size": "collisions"})
             .astype({"collisions": "int64"})
             .sort_values(["gss_code", "year", "month", "hour", "severity"])
             .reset_index(drop=True))
    coverage = {"first_year": int(frame["year"].min()), "last_year": int(frame["year"].max()),
                "source_rows": int(len(raw)), "rows_without_time": int((~has_time).sum()),
                "collisions": int(table["collisions"].sum()),
                "note": "DfT STATS19 collisions in the 33 boroughs (Met and City of London "
                        "Police); hour is the local clock hour of the recorded time"}
    return table, coverage


def build(source: Path, out: Path) -> dict:
    boroughs = london_boroughs(source)
    entries = {}
    crime, coverage = build_crime_table(source, boroughs)
    entry = write_table(crime, out, "crime_borough_month")
    entry.update(sources=CRIME_FILES, licence=OGL_MET, coverage=coverage)
    entries["crime_borough_month"] = entry

    collisions, coverage = build_collisions_table(source, boroughs)
    entry = write_table(collisions, out, "collisions_borough_hour")
    entry.update(sources=[COLLISIONS_FILE], licence=OGL_DFT, coverage=coverage)
    entries["collisions_borough_hour"] = entry
    return entries
