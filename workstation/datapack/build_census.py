"""Build the census and population tables: census_commuting, population, travel_to_work_mode.

Sources (all ONS / GLA, OGL v3.0) are in ``census/``; see data/README.md. Several of them
carry borough names only, so names are matched to GSS codes through one normalisation
(``normalise_name``) and the build fails loudly if any of the 33 boroughs is unmatched:
a silently missing borough would skew every per-borough rate downstream.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import openpyxl
import pandas as pd

from workstation.datapack.io import write_table

FLOWS_FILE = "census/onsvisual_wu01ew_lad11_flows.csv"
LAD_METADATA_FILE = "census/onsvisual_lad11_metadata.csv"
LAD_DATA_FILE = "census/onsvisual_lad11_data.csv"
QS102_FILE = "census/QS102EW_LAD2011.csv"
MYE2019_FILE = "census/ons_mye2019_persons_london_boroughs.csv"
GLA_POPULATION_FILE = "census/gla_population.csv"
GLA_DAYTIME_FILE = "census/gla_daytime_population.csv"
TRAVEL_MODE_FILE = "census/method_of_travel_to_work_by_lad_2011.xlsx"

OGL = "OGL v3.0; Contains National Statistics data © Crown copyright and database right"
N_BOROUGHS = 33

# WU01EW pseudo-areas -> pack codes (ONS WU01EW documentation) and readable names.
EW_OUTSIDE_LONDON = "EW_OUTSIDE_LONDON"
PSEUDO_AREAS: dict[str, tuple[str, str]] = {
    "OD0000001": ("HOME", "Mainly work at or from home"),
    "OD0000002": ("OFFSHORE", "Offshore installation"),
    "OD0000003": ("NO_FIXED_PLACE", "No fixed place of work"),
    "OD0000004": ("OUTSIDE_UK", "Outside the UK"),
    "S92000003": ("SCOTLAND", "Scotland"),
    "N92000002": ("NORTHERN_IRELAND", "Northern Ireland"),
}
PSEUDO_NAMES = {code: name for code, name in PSEUDO_AREAS.values()}
PSEUDO_NAMES[EW_OUTSIDE_LONDON] = "England and Wales outside London"


def is_london(code: pd.Series) -> pd.Series:
    return code.str.startswith("E09")


def normalise_name(name: str) -> str:
    """Borough name key: case-folded, '&' -> 'and', punctuation dropped, spaces collapsed."""
    text = str(name).casefold().replace("&", " and ")
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    return " ".join(text.split())


def london_boroughs(source: Path) -> pd.DataFrame:
    """gss_code, name of the 33 London boroughs from the ONS LAD11 metadata, gss order."""
    meta = pd.read_csv(source / LAD_METADATA_FILE, dtype=str)
    london = meta[is_london(meta["areacd"])][["areacd", "areanm"]]
    london = london.rename(columns={"areacd": "gss_code", "areanm": "name"})
    if len(london) != N_BOROUGHS:
        raise ValueError(f"{LAD_METADATA_FILE}: expected {N_BOROUGHS} London boroughs, got {len(london)}")
    return london.sort_values("gss_code").reset_index(drop=True)


def match_names(boroughs: pd.DataFrame, names: pd.Series, values: pd.Series,
                source_file: str) -> pd.Series:
    """Values indexed by gss_code, matched by normalised name; raise if any borough is missing
    or matches twice. Rows that are not London boroughs are ignored."""
    keyed = pd.DataFrame({"key": names.map(normalise_name), "value": values})
    keyed = keyed[keyed["key"].isin(set(boroughs["name"].map(normalise_name)))]
    duplicated = sorted(keyed.loc[keyed["key"].duplicated(), "key"])
    if duplicated:
        raise ValueError(f"{source_file}: borough names occur more than once: {duplicated}")
    lookup = dict(zip(keyed["key"], keyed["value"]))
    missing = [name for name in boroughs["name"] if normalise_name(name) not in lookup]
    if missing:
        raise ValueError(f"{source_file}: no row matches boroughs {missing}")
    return pd.Series([lookup[normalise_name(n)] for n in boroughs["name"]],
                     index=boroughs["gss_code"].to_numpy())


def to_int(values: pd.Series) -> pd.Series:
    """Counts quoted with thousands separators ("897,293") -> int64."""
    return values.astype(str).str.replace(",", "", regex=False).str.strip().astype("int64")


# --- census_commuting -----------------------------------------------------------------

def build_commuting(source: Path, boroughs: pd.DataFrame) -> pd.DataFrame:
    """WU01EW flows touching London. Non-London E&W districts are pooled as
    EW_OUTSIDE_LONDON so the table stays small while every London worker stays counted."""
    flows = pd.read_csv(source / FLOWS_FILE, dtype={"from": str, "to": str, "value": "int64"})
    flows = flows[is_london(flows["from"]) | is_london(flows["to"])].copy()
    residence = flows["from"].where(is_london(flows["from"]), EW_OUTSIDE_LONDON)
    pseudo = flows["to"].map({k: v[0] for k, v in PSEUDO_AREAS.items()})
    workplace = pseudo.fillna(flows["to"].where(is_london(flows["to"]), EW_OUTSIDE_LONDON))
    unexpected = sorted(set(flows["from"][~is_london(flows["from"])].str[:3]) - {"E06", "E07", "E08", "W06"})
    if unexpected:
        raise ValueError(f"{FLOWS_FILE}: unexpected residence code prefixes {unexpected}")
    table = (pd.DataFrame({"residence_code": residence, "workplace_code": workplace,
                           "workers": flows["value"]})
             .groupby(["residence_code", "workplace_code"], as_index=False)["workers"].sum())
    names = dict(zip(boroughs["gss_code"], boroughs["name"])) | PSEUDO_NAMES
    table["residence_name"] = table["residence_code"].map(names)
    table["workplace_name"] = table["workplace_code"].map(names)
    if table[["residence_name", "workplace_name"]].isna().any().any():
        raise ValueError("census_commuting: a code has no name")
    table["workers"] = table["workers"].astype("int64")
    return table.sort_values(["residence_code", "workplace_code"]).reset_index(drop=True)


# --- population -----------------------------------------------------------------------

def read_qs102(path: Path) -> pd.DataFrame:
    """Nomis export: metadata lines, then '"name",count' rows, then footnotes."""
    rows = []
    with open(path, newline="", encoding="utf-8-sig") as handle:
        for record in csv.reader(handle):
            if len(record) >= 2 and record[0] and re.fullmatch(r"\d+", record[1].strip()):
                rows.append((record[0], int(record[1])))
    return pd.DataFrame(rows, columns=["name", "residents"])


def build_population(source: Path, boroughs: pd.DataFrame) -> pd.DataFrame:
    table = boroughs.copy()
    qs102 = read_qs102(source / QS102_FILE)
    table["residents_2011"] = match_names(boroughs, qs102["name"], qs102["residents"],
                                          QS102_FILE).to_numpy()

    mye = pd.read_csv(source / MYE2019_FILE, dtype={"code": str})
    mye = mye.set_index("code")["all_ages_mid2019"]
    missing = sorted(set(boroughs["gss_code"]) - set(mye.index))
    if missing:
        raise ValueError(f"{MYE2019_FILE}: no row for {missing}")
    table["residents_mid2019"] = mye.loc[boroughs["gss_code"]].astype("int64").to_numpy()

    gla = pd.read_csv(source / GLA_POPULATION_FILE, dtype=str)
    table["gla_population_2020"] = to_int(match_names(
        boroughs, gla["Borough"], gla["Population - 2020 GLA Estimate"], GLA_POPULATION_FILE)).to_numpy()

    day = pd.read_csv(source / GLA_DAYTIME_FILE, dtype=str)
    table["gla_daytime_population"] = to_int(match_names(
        boroughs, day["Borough"], day["Total Daytime Population"], GLA_DAYTIME_FILE)).to_numpy()
    table["gla_workday_population"] = to_int(match_names(
        boroughs, day["Borough"], day["Workday Population"], GLA_DAYTIME_FILE)).to_numpy()

    lad = pd.read_csv(source / LAD_DATA_FILE, dtype={"areacd": str}).set_index("areacd")
    missing = sorted(set(boroughs["gss_code"]) - set(lad.index))
    if missing:
        raise ValueError(f"{LAD_DATA_FILE}: no row for {missing}")
    table["census_employed_residents"] = lad.loc[boroughs["gss_code"], "resident"].astype("int64").to_numpy()
    table["census_workday_population"] = lad.loc[boroughs["gss_code"], "workday"].astype("int64").to_numpy()
    return table


# --- travel_to_work_mode ----------------------------------------------------------------

def build_travel_mode(source: Path, boroughs: pd.DataFrame) -> pd.DataFrame:
    """CT0015 shares of all residents aged 16-74 by usual method of travel to work (percent
    in the workbook -> 0..1 here). Categories are kept as ONS names them, including
    'Work mainly at or from home' and 'Not in employment', so each borough sums to ~1."""
    workbook = openpyxl.load_workbook(source / TRAVEL_MODE_FILE, read_only=True, data_only=True)
    try:
        rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()
    header = rows[0]
    if header[0] != "Area code" or not str(header[2]).startswith("All categories"):
        raise ValueError(f"{TRAVEL_MODE_FILE}: unexpected header {header[:3]}")
    modes = [(i, str(name)) for i, name in enumerate(header) if i >= 3 and name]
    records = []
    found = set()
    wanted = set(boroughs["gss_code"])
    for row in rows[1:]:
        code = str(row[0]).strip() if row[0] else ""
        if code not in wanted:
            continue
        found.add(code)
        for i, mode in modes:
            records.append({"gss_code": code, "mode": mode, "share": round(float(row[i]) / 100.0, 6)})
    missing = sorted(wanted - found)
    if missing:
        raise ValueError(f"{TRAVEL_MODE_FILE}: no row for {missing}")
    table = pd.DataFrame(records)
    return table.sort_values(["gss_code"], kind="stable").reset_index(drop=True)


def build(source: Path, out: Path) -> dict:
    boroughs = london_boroughs(source)
    pack_boroughs = out / "boroughs.parquet"
    if pack_boroughs.exists():
        codes = set(pd.read_parquet(pack_boroughs, columns=["gss_code"])["gss_code"])
        if codes != set(boroughs["gss_code"]):
            raise ValueError("census boroughs differ from the pack's boroughs table")
    entries = {}

    commuting = build_commuting(source, boroughs)
    entry = write_table(commuting, out, "census_commuting")
    entry.update(sources=[FLOWS_FILE, LAD_METADATA_FILE], licence=OGL,
                 coverage={"date": "2011 Census (27 March 2011)",
                           "workers_total": int(commuting["workers"].sum()),
                           "note": "rows with a London residence or workplace; other England and "
                                   "Wales districts pooled as EW_OUTSIDE_LONDON"})
    entries["census_commuting"] = entry

    population = build_population(source, boroughs)
    entry = write_table(population, out, "population")
    entry.update(sources=[QS102_FILE, MYE2019_FILE, GLA_POPULATION_FILE, GLA_DAYTIME_FILE,
                          LAD_DATA_FILE], licence=OGL,
                 coverage={"residents_2011": "2011 Census", "residents_mid2019": "ONS mid-2019",
                           "gla_population_2020": "GLA 2020 estimate",
                           "gla_daytime_population": "GLA Daytime Population, Borough (c. 2014; "
                                                     "year not stated by the copy)",
                           "census_employed_residents": "2011 Census WU01EW"})
    entries["population"] = entry

    modes = build_travel_mode(source, boroughs)
    entry = write_table(modes, out, "travel_to_work_mode")
    entry.update(sources=[TRAVEL_MODE_FILE], licence=OGL,
                 coverage={"date": "2011 Census", "basis": "share of all residents aged 16-74 "
                           "(incl. 'Not in employment'); London boroughs only"})
    entries["travel_to_work_mode"] = entry
    return entries
