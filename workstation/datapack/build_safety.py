"""Build the Community Safety Index tables (issue 20): ward crime, wards, LSOAs, PAS, IMD.

Why these shapes: the index scores 12-month windows, so the pack keeps only the 48 months
the index uses (2021-03..2025-02: two years of index months plus the year before each for
"change vs last year") at offence-subgroup level, so edited harm weights still apply.

Wards: the shared data hold no 2022 ward polygons, populations or LSOA->ward lookup. Both
the ward and the LSOA crime files come from the same Met records, so an LSOA's monthly
counts by subgroup add into its ward's. For each ward we fit non-negative least squares of
the ward's 13-month x subgroup vector on its borough's LSOA vectors (rows weighted by
1/sqrt(count+1), a Poisson variance stabiliser) and give each LSOA to the ward with the
largest coefficient. Ward residents are then the sum of their LSOAs' Census 2021
population, ward IMD the population-weighted mean of LSOA scores, and the ward outline the
union of its LSOA polygons. The fit is checked against the GLA's ward populations where a
2018 ward code survives into 2022 (the Met's ward codes).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from workstation.datapack.build_census import london_boroughs, normalise_name
from workstation.datapack.io import write_table

WARD_CRIME_FILE = "police_counts/mps_ward_crime_2010-04_2025-02.csv.gz"
LSOA_CRIME_FILE = "police_counts/mps_lsoa_crime_2024-02_2025-02.csv.gz"
LSOA_FILE = "boundaries/London-LSOA-2021.gpkg"
LSOA_LOOKUP_FILE = "boundaries/lsoa11_to_lsoa21_england_wales.csv.gz"
IMD_LSOA_FILE = "deprivation/imd2019_london_lsoa_derived.csv.gz"
IMD_BOROUGH_FILE = "deprivation/imd2019_london_borough_summary_derived.csv.gz"
IMD_WARD_FILE = "deprivation/deprivation_index_london_2019_wards_df.csv.gz"
PAS_FILE = "survey/PAS_buroughs.csv.gz"
COLLISIONS_2022_FILE = "incidents/stats19_london_collisions_2022.csv.gz"
MSOA_FILE = "boundaries/London-MSOA-2021.gpkg"
MSOA11_WORKPLACE_FILE = "census/onsvisual_msoa11_data.csv"

FIRST_MONTH, LAST_MONTH = "2021-03", "2025-02"
LSOA_MONTHS = [f"2024{m:02d}" for m in range(2, 13)] + ["202501", "202502"]  # the LSOA file
SHARE_DECIMALS = 6  # assignment shares are stored to 1e-6 so rebuilds are byte-identical
LSOA_12M = LSOA_MONTHS[1:]  # 2024-03..2025-02, the LSOA-level index window
NON_BOROUGH_AREAS = {"Aviation Security (SO18)"}
# The PAS copy spells a few borough names its own way.
PAS_NAME_FIXES = {"city of westminster": "westminster"}

OGL_MET = ("OGL v2.0; Metropolitan Police Service via the London Datastore; Contains public "
           "sector information licensed under the Open Government Licence v2.0")
OGL_ONS = ("OGL v3.0; Office for National Statistics; Contains OS data (c) Crown copyright "
           "and database right")
OGL_MHCLG = "OGL v3.0; MHCLG English Indices of Deprivation 2019 via the GLA London Datastore"
OGL_MOPAC = "OGL v3.0; Mayor's Office for Policing and Crime (London Datastore)"
OGL_DFT = "OGL v3.0; Department for Transport STATS19"


def _yyyymm(month: str) -> str:
    return month.replace("-", "")


def month_columns(first: str = FIRST_MONTH, last: str = LAST_MONTH) -> list[str]:
    months = pd.period_range(first, last, freq="M")
    return [p.strftime("%Y%m") for p in months]


def _borough_codes(boroughs: pd.DataFrame) -> dict[str, str]:
    return dict(zip(boroughs["name"].map(normalise_name), boroughs["gss_code"]))


def read_ward_crime(source: Path, boroughs: pd.DataFrame) -> pd.DataFrame:
    """Wide ward file, the index months and LSOA months, with the borough's GSS code."""
    wanted = sorted(set(month_columns()) | set(LSOA_MONTHS))
    keys = ["wardcode", "wardname", "lookup_boroughname", "majortext", "minortext"]
    wide = pd.read_csv(source / WARD_CRIME_FILE, usecols=keys + wanted,
                       dtype={k: str for k in keys})
    codes = _borough_codes(boroughs)
    wide["gss_code"] = wide["lookup_boroughname"].map(normalise_name).map(codes)
    unknown = sorted(set(wide.loc[wide["gss_code"].isna(), "lookup_boroughname"]) - NON_BOROUGH_AREAS)
    if unknown:
        raise ValueError(f"{WARD_CRIME_FILE}: borough names not matched to GSS codes: {unknown}")
    if wide[wanted].isna().any().any() or (wide[wanted] < 0).any().any():
        raise ValueError(f"{WARD_CRIME_FILE}: missing or negative counts")
    return wide[wide["gss_code"].notna()].reset_index(drop=True)


def ward_crime_table(wide: pd.DataFrame) -> pd.DataFrame:
    months = month_columns()
    long = wide.melt(id_vars=["wardcode", "minortext"], value_vars=months,
                     var_name="yyyymm", value_name="offences")
    long = long[long["offences"] > 0]
    long = long.groupby(["wardcode", "yyyymm", "minortext"], as_index=False)["offences"].sum()
    return pd.DataFrame({
        "ward_code": long["wardcode"].astype(str),
        "month": long["yyyymm"].str[:4] + "-" + long["yyyymm"].str[4:],
        "minor_text": long["minortext"].astype("category"),
        "offences": long["offences"].astype("int32"),
    }).sort_values(["ward_code", "month", "minor_text"]).reset_index(drop=True)


def assign_lsoas_to_wards(ward_wide: pd.DataFrame, lsoa_wide: pd.DataFrame
                          ) -> pd.DataFrame:
    """lsoa21cd -> ward_code per borough by NNLS on crime vectors (see module docstring).

    Returns lsoa21cd, gss_code, ward_code, assignment_share (the winning coefficient's
    share of the LSOA's coefficients: 1.0 = unambiguous).
    """
    from scipy.optimize import nnls

    common = sorted(set(ward_wide["minortext"]) & set(lsoa_wide["minor_category"]))
    rows = []
    for gss, wards in ward_wide.groupby("gss_code"):
        lsoas = lsoa_wide[lsoa_wide["borough"] == gss]
        if lsoas.empty:
            continue
        W = (wards[wards["minortext"].isin(common)]
             .groupby(["wardcode", "minortext"])[LSOA_MONTHS].sum().unstack("minortext").fillna(0))
        L = (lsoas[lsoas["minor_category"].isin(common)]
             .groupby(["lsoa_code", "minor_category"])[LSOA_MONTHS].sum()
             .unstack("minor_category").fillna(0))
        L = L.reindex(columns=W.columns).fillna(0)
        wm, lm = W.to_numpy(float), L.to_numpy(float)
        coef = np.zeros((lm.shape[0], wm.shape[0]))
        for j in range(wm.shape[0]):
            scale = 1.0 / np.sqrt(wm[j] + 1.0)
            coef[:, j], _ = nnls((lm * scale).T, wm[j] * scale)
        total = coef.sum(axis=1)
        best = coef.argmax(axis=1)
        # A ward that won no LSOA (e.g. Heathrow Villages, whose counts are dominated by the
        # airport) takes the LSOA with its largest coefficient from a ward that has several.
        for j in range(wm.shape[0]):
            if (best == j).any():
                continue
            sizes = np.bincount(best, minlength=wm.shape[0])
            candidates = np.where(sizes[best] > 1)[0]
            if len(candidates) and coef[candidates, j].max() > 0:
                best[candidates[np.argmax(coef[candidates, j])]] = j
        share = np.where(total > 0, coef.max(axis=1) / np.where(total > 0, total, 1.0), 0.0)
        # NNLS differs in the last bits between BLAS builds; six decimals keep the pack
        # byte-identical when rebuilt on another machine (a share needs no more).
        share = np.round(share, SHARE_DECIMALS)
        rows.append(pd.DataFrame({"lsoa21cd": L.index.astype(str), "gss_code": gss,
                                  "ward_code": W.index.to_numpy()[best].astype(str),
                                  "assignment_share": share}))
    return pd.concat(rows, ignore_index=True)


def lsoa_imd(source: Path) -> pd.Series:
    """IMD 2019 score per LSOA 2021: mean of the 2011 LSOAs it came from (lookup)."""
    imd = pd.read_csv(source / IMD_LSOA_FILE, usecols=[0, 4])
    imd.columns = ["lsoa11cd", "imd_score"]
    lookup = pd.read_csv(source / LSOA_LOOKUP_FILE, usecols=["lsoa11cd", "lsoa21cd"], dtype=str)
    joined = lookup.merge(imd, on="lsoa11cd", how="inner")
    return joined.groupby("lsoa21cd")["imd_score"].mean()


def read_pas(source: Path, boroughs: pd.DataFrame) -> pd.DataFrame:
    raw = pd.read_csv(source / PAS_FILE, sep=";", decimal=",", dtype={"Borough": str})
    codes = _borough_codes(boroughs)
    key = raw["Borough"].map(normalise_name).replace(PAS_NAME_FIXES)
    gss = key.map(codes)
    if gss.isna().any():
        raise ValueError(f"{PAS_FILE}: borough names not matched: "
                         f"{sorted(set(raw.loc[gss.isna(), 'Borough']))}")
    date = pd.to_datetime(raw["Date"], format="%d/%m/%Y")
    value = pd.to_numeric(raw["Proportion"], errors="coerce")
    if value.isna().any() or not value.between(0, 1).all():
        raise ValueError(f"{PAS_FILE}: Proportion not a share 0..1 in "
                         f"{int((value.isna() | ~value.between(0, 1)).sum())} rows")
    table = pd.DataFrame({"gss_code": gss, "quarter_end": date.dt.strftime("%Y-%m"),
                          "measure": raw["Measure"].str.replace('"', "").str.strip(),
                          "proportion": value})
    if table.duplicated(["gss_code", "quarter_end", "measure"]).any():
        raise ValueError(f"{PAS_FILE}: a borough, quarter and measure appears twice")
    return table.sort_values(["gss_code", "quarter_end", "measure"]).reset_index(drop=True)


def lsoa_workplace_population(source: Path, lsoa_table: pd.DataFrame) -> tuple[pd.Series, dict]:
    """2011 Census workplace population ("workday" workers, WU01EW) per LSOA 2021.

    Why: people present by day follow jobs, and the population model is borough level; a
    ward's share of its borough's daytime inflow is taken as its share of the borough's
    workplace population. MSOA 2021 codes that equal a 2011 code (963 of 1,002) take that
    MSOA's workers; its LSOAs (LSOA name = MSOA name + letter) share them by 2021 residents.
    MSOAs new in 2021 get their borough's median workers per resident.
    """
    import geopandas as gpd

    msoa = gpd.read_file(source / MSOA_FILE, columns=["msoa21cd", "msoa21nm"], ignore_geometry=True)
    work = pd.read_csv(source / MSOA11_WORKPLACE_FILE, usecols=["areacd", "workday"]).set_index(
        "areacd")["workday"]
    names = gpd.read_file(source / LSOA_FILE, columns=["lsoa21cd", "lsoa21nm"], ignore_geometry=True)
    code_by_name = dict(zip(msoa["msoa21nm"], msoa["msoa21cd"]))
    frame = lsoa_table[["lsoa21cd", "gss_code", "residents_2021"]].merge(names, on="lsoa21cd")
    frame["msoa21cd"] = frame["lsoa21nm"].str[:-1].map(code_by_name)
    if frame["msoa21cd"].isna().any():
        raise ValueError(f"{LSOA_FILE}: LSOAs whose name matches no MSOA in {MSOA_FILE}: "
                         f"{frame.loc[frame['msoa21cd'].isna(), 'lsoa21nm'].head(3).tolist()}")
    frame["msoa_workers"] = frame["msoa21cd"].map(work)
    msoa_res = frame.groupby("msoa21cd")["residents_2021"].transform("sum")
    frame["workers"] = frame["msoa_workers"] * frame["residents_2021"] / msoa_res
    per_res = (frame.dropna(subset=["workers"]).groupby("msoa21cd")
               .agg(workers=("workers", "sum"), res=("residents_2021", "sum"), gss=("gss_code", "first")))
    median = (per_res["workers"] / per_res["res"]).groupby(per_res["gss"]).median()
    fill = frame["gss_code"].map(median) * frame["residents_2021"]
    new = frame["workers"].isna()
    frame.loc[new, "workers"] = fill[new]
    coverage = {"msoa21_with_2011_code": int(msoa["msoa21cd"].isin(work.index).sum()),
                "msoa21": int(len(msoa)), "lsoas_filled_by_borough_median": int(new.sum()),
                "workplace_population_2011": int(round(frame["workers"].sum()))}
    return frame.set_index("lsoa21cd")["workers"], coverage


def collisions_by_lsoa(source: Path, lsoas) -> tuple[pd.DataFrame, dict]:
    import geopandas as gpd

    raw = pd.read_csv(source / COLLISIONS_2022_FILE,
                      usecols=["longitude", "latitude", "accident_severity", "number_of_casualties"])
    ok = raw["longitude"].notna() & raw["latitude"].notna()
    points = gpd.GeoDataFrame(raw[ok], geometry=gpd.points_from_xy(raw.loc[ok, "longitude"],
                                                                   raw.loc[ok, "latitude"]),
                              crs="EPSG:4326").to_crs("EPSG:27700")
    joined = gpd.sjoin(points, lsoas[["lsoa21cd", "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated()]
    placed = joined[joined["lsoa21cd"].notna()]
    table = (placed.groupby(["lsoa21cd", "accident_severity"], as_index=False)
             .agg(collisions=("accident_severity", "size"),
                  casualties=("number_of_casualties", "sum"))
             .rename(columns={"accident_severity": "severity"}))
    table = table.astype({"collisions": "int32", "casualties": "int32"})
    coverage = {"source_rows": int(len(raw)), "without_coordinates": int((~ok).sum()),
                "outside_lsoas": int(len(joined) - len(placed)),
                "collisions": int(table["collisions"].sum()), "year": 2022}
    return table.sort_values(["lsoa21cd", "severity"]).reset_index(drop=True), coverage


def _contiguity(geo) -> float:
    """Share of LSOAs (in wards of 2+) that touch another LSOA of the same ward: a check that
    the crime-count assignment makes geographic sense (it never sees the polygons)."""
    import geopandas as gpd

    multi = geo[geo.groupby("ward_code")["lsoa21cd"].transform("count") > 1]
    pairs = gpd.sjoin(multi[["lsoa21cd", "ward_code", "geometry"]],
                      multi[["lsoa21cd", "ward_code", "geometry"]], predicate="intersects")
    pairs = pairs[(pairs["lsoa21cd_left"] != pairs["lsoa21cd_right"])
                  & (pairs["ward_code_left"] == pairs["ward_code_right"])]
    return round(float(multi["lsoa21cd"].isin(pairs["lsoa21cd_left"]).mean()), 4)


def build(source: Path, out: Path) -> dict:
    """Write the seven safety tables to ``out``; returns their manifest entries by name."""
    boroughs = london_boroughs(source)
    ward_wide = read_ward_crime(source, boroughs)
    lsoa_wide = _read_lsoa_crime(source)
    lsoas = _read_lsoa_polygons(source)
    entries: dict = {}
    lsoa_table, entries["safety_lsoa"] = _write_lsoa_table(source, out, boroughs, ward_wide,
                                                           lsoa_wide, lsoas)
    entries["safety_wards"] = _write_wards(source, out, ward_wide, lsoas, lsoa_table)
    entries["safety_ward_crime"] = _write_ward_crime(out, ward_wide)
    entries["safety_lsoa_crime"] = _write_lsoa_crime(out, lsoa_wide)
    entries["safety_boroughs"] = _write_boroughs(source, out, boroughs, lsoa_table)
    entries["safety_pas"] = _write_pas(source, out, boroughs)
    entries["safety_collisions_lsoa_2022"] = _write_collisions(source, out, lsoas)
    return entries


def _read_lsoa_crime(source: Path) -> pd.DataFrame:
    return pd.read_csv(source / LSOA_CRIME_FILE, dtype={"lsoa_code": str, "borough": str,
                                                        "major_category": str,
                                                        "minor_category": str})


def _read_lsoa_polygons(source: Path):
    """LSOA 2021 polygons with Census 2021 residents, in EPSG:27700 (metres)."""
    import geopandas as gpd

    lsoas = gpd.read_file(source / LSOA_FILE)[["lsoa21cd", "pop2021", "geometry"]]
    lsoas["pop2021"] = pd.to_numeric(lsoas["pop2021"]).astype("int64")
    if lsoas.crs is None or lsoas.crs.to_epsg() != 27700:
        lsoas = lsoas.to_crs("EPSG:27700")
    return lsoas


def _lsoa_borough_codes(source: Path, boroughs: pd.DataFrame, lsoa_wide: pd.DataFrame,
                        lsoa_ids: pd.Series) -> pd.Series:
    """Borough GSS code per LSOA (aligned to ``lsoa_ids``): from the Met's LSOA crime rows,
    else from the LSOA name's prefix, because City of London LSOAs have no Met crime rows."""
    import geopandas as gpd

    lsoa_borough = (lsoa_wide[["lsoa_code", "borough"]].drop_duplicates("lsoa_code")
                    .set_index("lsoa_code")["borough"])
    names = gpd.read_file(source / LSOA_FILE, columns=["lsoa21nm"], ignore_geometry=True)["lsoa21nm"]
    by_name = names.str.replace(r"\s+\d{3}[A-Z]$", "", regex=True).map(normalise_name).map(
        _borough_codes(boroughs))
    gss = lsoa_ids.map(lsoa_borough).fillna(by_name)
    if gss.isna().any():
        raise ValueError(f"{LSOA_FILE}: LSOAs without a borough: "
                         f"{lsoa_ids[gss.isna()].head().tolist()}")
    return gss


def _write_lsoa_table(source: Path, out: Path, boroughs: pd.DataFrame, ward_wide: pd.DataFrame,
                      lsoa_wide: pd.DataFrame, lsoas) -> tuple[pd.DataFrame, dict]:
    """safety_lsoa: residents, borough, assigned ward, IMD and workplace population per LSOA."""
    assigned = assign_lsoas_to_wards(ward_wide, lsoa_wide)
    imd = lsoa_imd(source)
    lsoa_table = lsoas[["lsoa21cd", "pop2021"]].rename(columns={"pop2021": "residents_2021"})
    lsoa_table["gss_code"] = _lsoa_borough_codes(source, boroughs, lsoa_wide,
                                                 lsoa_table["lsoa21cd"])
    lsoa_table = lsoa_table.merge(assigned[["lsoa21cd", "ward_code", "assignment_share"]],
                                  on="lsoa21cd", how="left")
    lsoa_table["imd_score"] = lsoa_table["lsoa21cd"].map(imd)
    workers, work_coverage = lsoa_workplace_population(source, lsoa_table)
    lsoa_table["workplace_population_2011"] = lsoa_table["lsoa21cd"].map(workers).astype(float)
    lsoa_table = lsoa_table.sort_values("lsoa21cd").reset_index(drop=True)
    entry = write_table(lsoa_table, out, "safety_lsoa")
    entry.update(sources=[LSOA_FILE, LSOA_CRIME_FILE, WARD_CRIME_FILE, LSOA_LOOKUP_FILE,
                          IMD_LSOA_FILE, MSOA_FILE, MSOA11_WORKPLACE_FILE],
                 licence=f"{OGL_ONS}; {OGL_MET}; {OGL_MHCLG}",
                 coverage={"lsoas": int(len(lsoa_table)),
                           "assigned_to_wards": int(lsoa_table["ward_code"].notna().sum()),
                           "with_imd": int(lsoa_table["imd_score"].notna().sum()),
                           "assignment_share_median": round(float(
                               lsoa_table["assignment_share"].median()), 3),
                           "workplace": work_coverage})
    return lsoa_table, entry


def _assigned_lsoa_polygons(lsoas, lsoa_table: pd.DataFrame):
    """LSOA polygons that won a ward, with what the ward totals are summed from."""
    geo = lsoas.merge(lsoa_table[["lsoa21cd", "ward_code", "assignment_share", "imd_score",
                                  "workplace_population_2011"]], on="lsoa21cd")
    geo = geo[geo["ward_code"].notna()].copy()
    geo["imd_x_pop"] = geo["imd_score"] * geo["pop2021"]
    return geo


def _ward_table(source: Path, ward_wide: pd.DataFrame, geo):
    """One row per Met ward: LSOA sums, population-weighted IMD, outline (10 m simplified)."""
    import geopandas as gpd

    ward_names = ward_wide.drop_duplicates("wardcode").set_index("wardcode")
    gla = pd.read_csv(source / IMD_WARD_FILE, usecols=["ward_code", "population"]).set_index(
        "ward_code")["population"]
    agg = geo.dissolve(by="ward_code", aggfunc={"pop2021": "sum", "lsoa21cd": "count",
                                                 "assignment_share": "mean", "imd_x_pop": "sum",
                                                 "workplace_population_2011": "sum"})
    agg["geometry"] = agg.geometry.simplify(10.0)
    wards = gpd.GeoDataFrame({
        "ward_code": ward_names.index.astype(str),
        "ward_name": ward_names["wardname"].to_numpy(),
        "gss_code": ward_names["gss_code"].to_numpy()}).set_index("ward_code")
    wards = wards.join(agg, how="left")
    wards.index.name = None
    return gpd.GeoDataFrame({
        "ward_code": wards.index.astype(str), "ward_name": wards["ward_name"],
        "gss_code": wards["gss_code"],
        "residents_2021": wards["pop2021"].fillna(0).astype("int64"),
        "n_lsoa": wards["lsoa21cd"].fillna(0).astype("int64"),
        "assignment_share_mean": wards["assignment_share"].round(SHARE_DECIMALS),
        "gla_population_2018_ward": wards.index.map(gla).astype(float),
        "imd_score": wards["imd_x_pop"] / wards["pop2021"],
        "workplace_population_2011": wards["workplace_population_2011"].fillna(0.0),
    }, geometry=wards["geometry"].to_numpy(), crs="EPSG:27700").sort_values("ward_code")


def _write_wards(source: Path, out: Path, ward_wide: pd.DataFrame, lsoas,
                 lsoa_table: pd.DataFrame) -> dict:
    """safety_wards, with the GLA population check in its coverage."""
    geo = _assigned_lsoa_polygons(lsoas, lsoa_table)
    wards = _ward_table(source, ward_wide, geo)
    check = wards[wards["gla_population_2018_ward"].notna() & (wards["residents_2021"] > 0)]
    ratio = check["residents_2021"] / check["gla_population_2018_ward"]
    entry = write_table(wards.reset_index(drop=True), out, "safety_wards")
    entry.update(sources=[WARD_CRIME_FILE, LSOA_CRIME_FILE, LSOA_FILE, IMD_WARD_FILE],
                 licence=f"{OGL_MET}; {OGL_ONS}; {OGL_MHCLG}",
                 coverage={"wards": int(len(wards)),
                           "wards_with_lsoas": int((wards["n_lsoa"] > 0).sum()),
                           "lsoas_touching_own_ward": _contiguity(geo),
                           "residents_2021": int(wards["residents_2021"].sum()),
                           "gla_check_wards": int(len(check)),
                           "gla_check_ratio_median": round(float(ratio.median()), 3),
                           "gla_check_correlation": round(float(np.corrcoef(
                               check["residents_2021"], check["gla_population_2018_ward"])[0, 1]), 3),
                           "note": "ward = union of LSOAs assigned by crime-count NNLS; "
                                   "GLA check: population column of the GLA IMD 2019 ward "
                                   "summary (2018 wards) where the ward code is unchanged in 2022"})
    return entry


def _write_ward_crime(out: Path, ward_wide: pd.DataFrame) -> dict:
    crime = ward_crime_table(ward_wide)
    entry = write_table(crime, out, "safety_ward_crime")
    entry.update(sources=[WARD_CRIME_FILE], licence=OGL_MET,
                 coverage={"first_month": FIRST_MONTH, "last_month": LAST_MONTH,
                           "wards": int(crime["ward_code"].nunique()),
                           "offences": int(crime["offences"].sum()),
                           "dropped": "Aviation Security (SO18) pseudo-borough (Heathrow/"
                                      "London City airports)"})
    return entry


def _write_lsoa_crime(out: Path, lsoa_wide: pd.DataFrame) -> dict:
    """safety_lsoa_crime: 12-month offence totals per LSOA and subgroup (LSOA_12M)."""
    lsoa_crime = lsoa_wide.groupby(["lsoa_code", "minor_category"])[LSOA_12M].sum().sum(axis=1)
    lsoa_crime = lsoa_crime[lsoa_crime > 0].reset_index()
    lsoa_crime.columns = ["lsoa21cd", "minor_text", "offences_12m"]
    lsoa_crime["offences_12m"] = lsoa_crime["offences_12m"].astype("int32")
    entry = write_table(lsoa_crime, out, "safety_lsoa_crime")
    entry.update(sources=[LSOA_CRIME_FILE], licence=OGL_MET,
                 coverage={"months": [LSOA_12M[0], LSOA_12M[-1]],
                           "lsoas": int(lsoa_crime["lsoa21cd"].nunique()),
                           "offences": int(lsoa_crime["offences_12m"].sum()),
                           "note": "sexual offences are not published at LSOA level"})
    return entry


def _write_boroughs(source: Path, out: Path, boroughs: pd.DataFrame,
                    lsoa_table: pd.DataFrame) -> dict:
    """safety_boroughs: residents (sum of LSOAs) and the published IMD average score."""
    imd_b = pd.read_csv(source / IMD_BOROUGH_FILE)
    imd_b = imd_b.set_index(imd_b.columns[0])[imd_b.columns[4]]  # IMD - Average score
    residents = lsoa_table.groupby("gss_code")["residents_2021"].sum()
    btable = pd.DataFrame({"gss_code": boroughs["gss_code"], "name": boroughs["name"]})
    btable["residents_2021"] = btable["gss_code"].map(residents).astype("int64")
    btable["imd_average_score"] = btable["gss_code"].map(imd_b).astype(float)
    if btable["imd_average_score"].isna().any():
        raise ValueError(f"{IMD_BOROUGH_FILE}: boroughs missing")
    entry = write_table(btable, out, "safety_boroughs")
    entry.update(sources=[LSOA_FILE, IMD_BOROUGH_FILE], licence=f"{OGL_ONS}; {OGL_MHCLG}")
    return entry


def _write_pas(source: Path, out: Path, boroughs: pd.DataFrame) -> dict:
    pas = read_pas(source, boroughs)
    entry = write_table(pas, out, "safety_pas")
    entry.update(sources=[PAS_FILE], licence=OGL_MOPAC,
                 coverage={"first_quarter": pas["quarter_end"].min(),
                           "last_quarter": pas["quarter_end"].max(),
                           "boroughs": int(pas["gss_code"].nunique()),
                           "measures": sorted(pas["measure"].unique())})
    return entry


def _write_collisions(source: Path, out: Path, lsoas) -> dict:
    coll, coverage = collisions_by_lsoa(source, lsoas)
    entry = write_table(coll, out, "safety_collisions_lsoa_2022")
    entry.update(sources=[COLLISIONS_2022_FILE, LSOA_FILE], licence=OGL_DFT, coverage=coverage)
    return entry
