"""Check the geography, census and crime tables of the shipped pack against their raw
sources in ../shared/data and against figures published for them (PROVENANCE.md)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import shapely

from workstation.datapack.build_census import PSEUDO_AREAS, match_names, normalise_name
from workstation.datapack.build_crime import CRIME_FILES, COLLISIONS_FILE

WANDSWORTH, TOWER_HAMLETS, WESTMINSTER, CITY = "E09000032", "E09000030", "E09000033", "E09000001"
MY_TABLES = ["boroughs", "boroughs_simplified", "bcus", "census_commuting", "population",
             "travel_to_work_mode", "crime_borough_month", "collisions_borough_hour"]
# Pseudo-workplaces that are not a commute to another district (PROVENANCE.md cross-checks).
NOT_A_COMMUTE = {"HOME", "OFFSHORE", "OUTSIDE_UK", "NO_FIXED_PLACE", "SCOTLAND", "NORTHERN_IRELAND"}


@pytest.fixture(scope="module")
def boroughs(pack):
    return pack.table("boroughs")


@pytest.fixture(scope="module")
def commuting(pack):
    return pack.table("census_commuting")


@pytest.fixture(scope="module")
def manifest_tables(pack):
    return pack.manifest["tables"]


# --- geography ----------------------------------------------------------------------------

def test_boroughs_are_the_33_in_gss_order_in_bng(boroughs):
    assert len(boroughs) == 33
    assert boroughs["gss_code"].tolist() == [f"E090000{i:02d}" for i in range(1, 34)]
    assert boroughs.crs.to_epsg() == 27700
    assert boroughs.is_valid.all()
    assert boroughs.loc[boroughs.gss_code == WESTMINSTER, "name"].item() == "Westminster"
    # BNG metres: London lies roughly 500-565 km east, 155-205 km north.
    minx, miny, maxx, maxy = boroughs.total_bounds
    assert 490_000 < minx < maxx < 570_000 and 150_000 < miny < maxy < 210_000


def test_borough_areas(boroughs):
    total_km2 = boroughs.geometry.area.sum() / 1e6
    assert total_km2 == pytest.approx(1572, rel=0.02)
    np.testing.assert_allclose(boroughs["area_m2"], boroughs.geometry.area, rtol=1e-9)
    # The City is the smallest, Bromley (E09000006) the largest.
    assert boroughs.loc[boroughs.area_m2.idxmin(), "gss_code"] == CITY
    assert boroughs.loc[boroughs.area_m2.idxmax(), "gss_code"] == "E09000006"


def test_inner_london_and_bcus_follow_their_sources(boroughs, shared_data):
    import geopandas as gpd
    raw = gpd.read_file(shared_data / "boundaries/london_boroughs.geojson").set_index("gss_code")
    inner = boroughs.set_index("gss_code")["inner_london"]
    assert (inner == raw.loc[inner.index, "ons_inner"].eq("T")).all()
    assert inner.sum() == 14
    ref = pd.read_csv(shared_data / "reference/met_bcu_2019.csv", dtype=str,
                      keep_default_na=False).set_index("gss_code")
    got = boroughs.set_index("gss_code")
    assert (got["bcu_code"] == ref.loc[got.index, "bcu_code"]).all()
    assert got.loc["E09000010", "bcu_code"] == "NA"  # North Area, not a missing value
    assert got.loc[CITY, "bcu_code"] == "COL"


def test_simplified_boroughs_are_small_and_still_tile(pack, boroughs):
    simplified = pack.table("boroughs_simplified")
    assert simplified["gss_code"].tolist() == boroughs["gss_code"].tolist()
    assert simplified.crs.to_epsg() == 27700 and simplified.is_valid.all()
    full_vertices = shapely.get_num_coordinates(boroughs.geometry.values).sum()
    simple_vertices = shapely.get_num_coordinates(simplified.geometry.values).sum()
    assert simple_vertices < full_vertices / 3
    assert (pack.root / "boroughs_simplified.parquet").stat().st_size < 200_000
    # Still a faithful outline: no point strays more than ~a pixel at whole-London scale.
    drift_m = shapely.hausdorff_distance(simplified.geometry.values, boroughs.geometry.values)
    assert drift_m.max() < 100
    # Shared edges stay shared: no overlaps (areas add up to the union) and no gaps.
    union = shapely.union_all(simplified.geometry.values)
    assert simplified.geometry.area.sum() == pytest.approx(union.area, rel=1e-6)
    assert union.area == pytest.approx(boroughs.geometry.area.sum(), rel=0.005)
    holes = sum(len(p.interiors) for p in getattr(union, "geoms", [union]))
    full_union = shapely.union_all(boroughs.geometry.values)
    assert holes <= sum(len(p.interiors) for p in getattr(full_union, "geoms", [full_union]))


def test_bcus(pack, boroughs):
    bcus = pack.table("bcus")
    assert len(bcus) == 13  # the Met's 12 BCUs + City of London Police
    assert "COL" in set(bcus["bcu_code"]) and len(set(bcus["bcu_code"]) - {"COL"}) == 12
    members = [c for codes in bcus["borough_codes"] for c in codes.split(",")]
    assert sorted(members) == boroughs["gss_code"].tolist()
    assert bcus.set_index("bcu_code").loc["CE", "borough_codes"] == "E09000012,E09000030"
    assert bcus.is_valid.all() and bcus.crs.to_epsg() == 27700
    assert bcus.geometry.area.sum() == pytest.approx(boroughs.geometry.area.sum(), rel=1e-6)


# --- census commuting ---------------------------------------------------------------------

def net_commuting(flows: pd.DataFrame, code: str) -> int:
    """In-commuters minus residents working in another E&W district (home etc. excluded)."""
    commutes = flows[~flows["workplace_code"].isin(NOT_A_COMMUTE)
                     & (flows["residence_code"] != flows["workplace_code"])]
    inflow = commutes.loc[commutes["workplace_code"] == code, "workers"].sum()
    outflow = commutes.loc[commutes["residence_code"] == code, "workers"].sum()
    return int(inflow - outflow)


def test_published_net_commuting(commuting):
    assert net_commuting(commuting, WANDSWORTH) == pytest.approx(-60_135, abs=1)
    assert net_commuting(commuting, TOWER_HAMLETS) == pytest.approx(114_659, abs=1)


def test_westminster_workers_and_resident_workers(commuting):
    # 558,918 = everyone with a fixed workplace in Westminster (home workers excluded);
    # 87,666 = Westminster residents with a fixed workplace in England and Wales.
    fixed = commuting[~commuting["workplace_code"].isin(NOT_A_COMMUTE)]
    assert fixed.loc[fixed.workplace_code == WESTMINSTER, "workers"].sum() == 558_918
    assert fixed.loc[fixed.residence_code == WESTMINSTER, "workers"].sum() == 87_666


def test_commuting_codes_and_names(commuting, boroughs):
    london = set(boroughs["gss_code"])
    pseudo = {code for code, _ in PSEUDO_AREAS.values()}
    assert set(commuting["residence_code"]) == london | {"EW_OUTSIDE_LONDON"}
    assert set(commuting["workplace_code"]) == london | pseudo | {"EW_OUTSIDE_LONDON"}
    # Every row touches London; pseudo-areas never appear as a residence.
    assert (commuting["residence_code"].isin(london) | commuting["workplace_code"].isin(london)).all()
    assert not commuting.duplicated(["residence_code", "workplace_code"]).any()
    assert commuting[["residence_name", "workplace_name"]].notna().all().all()
    names = dict(zip(commuting.workplace_code, commuting.workplace_name))
    assert names[WESTMINSTER] == "Westminster" and names["HOME"].startswith("Mainly work at")
    assert (commuting["workers"] > 0).all()


def test_commuting_matches_ons_summaries(commuting, shared_data):
    """Residents' rows add up to ONS 'resident'; workplace rows plus home workers to 'workday'."""
    summary = pd.read_csv(shared_data / "census/onsvisual_lad11_data.csv").set_index("areacd")
    for code in [CITY, WANDSWORTH, TOWER_HAMLETS, WESTMINSTER, "E09000017"]:
        residents = commuting.loc[commuting.residence_code == code, "workers"].sum()
        assert residents == summary.loc[code, "resident"]
        at_work = commuting.loc[commuting.workplace_code == code, "workers"].sum()
        home = commuting.loc[(commuting.residence_code == code)
                             & (commuting.workplace_code == "HOME"), "workers"].sum()
        assert at_work + home == summary.loc[code, "workday"]


@pytest.fixture(scope="module")
def msoa_flows_by_lad(shared_data):
    """The MSOA file (2.4M rows) aggregated to residence LAD x workplace LAD / pseudo-code."""
    flows = pd.read_csv(shared_data / "census/onsvisual_wu01ew_msoa11_flows.csv.gz", engine="pyarrow")
    meta = pd.read_csv(shared_data / "census/onsvisual_msoa11_metadata.csv", dtype=str)
    parent = dict(zip(meta["areacd"], meta["parentcd"]))
    flows["from_lad"] = flows["from"].map(parent)
    flows["to_lad"] = flows["to"].map(parent).fillna(flows["to"])  # pseudo-codes stay
    assert flows["from_lad"].notna().all()
    return flows.groupby(["from_lad", "to_lad"], as_index=False)["value"].sum()


def test_lad_table_equals_msoa_file_aggregated(commuting, msoa_flows_by_lad):
    agg = msoa_flows_by_lad
    london_res, london_work = agg.from_lad.str.startswith("E09"), agg.to_lad.str.startswith("E09")
    agg = agg[london_res | london_work].copy()
    pseudo = {raw: code for raw, (code, _) in PSEUDO_AREAS.items()}
    agg["residence_code"] = agg.from_lad.where(london_res, "EW_OUTSIDE_LONDON")
    agg["workplace_code"] = agg.to_lad.map(pseudo).fillna(
        agg.to_lad.where(london_work, "EW_OUTSIDE_LONDON"))
    expected = agg.groupby(["residence_code", "workplace_code"])["value"].sum()
    got = commuting.set_index(["residence_code", "workplace_code"])["workers"]
    expected = expected[expected > 0]
    assert len(got) == len(expected)
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(),
                                   check_names=False, check_dtype=False)


# --- population and travel mode -------------------------------------------------------------

def test_population_quoted_values(pack, boroughs):
    assert pack.table("population")["name"].tolist() == boroughs["name"].tolist()
    pop = pack.table("population").set_index("gss_code")
    assert len(pop) == 33 and pop.index.tolist() == sorted(pop.index)
    assert pop.loc[WESTMINSTER, "residents_mid2019"] == 261_317
    assert pop.loc[TOWER_HAMLETS, "residents_mid2019"] == 324_745
    assert pop.loc[WANDSWORTH, "residents_mid2019"] == 329_677
    assert pop.loc[WESTMINSTER, "residents_2011"] == 219_396
    assert pop.loc[TOWER_HAMLETS, "residents_2011"] == 254_096
    assert pop.loc[WESTMINSTER, "gla_daytime_population"] == 897_293
    assert pop.loc[WESTMINSTER, "gla_workday_population"] == 721_351
    assert pop.loc[WESTMINSTER, "census_workday_population"] == 574_979
    assert pop.loc[WANDSWORTH, "census_employed_residents"] == 179_439
    numbers = pop.drop(columns="name")
    assert (numbers > 0).all().all()
    assert all(pd.api.types.is_integer_dtype(t) for t in numbers.dtypes)


def test_population_name_matching_agrees_with_independent_source(pack, shared_data):
    """QS102 (matched by name) vs the GLA file's own 2011 column, rounded to 100 there:
    a wrong name match would differ by thousands."""
    pop = pack.table("population")
    gla = pd.read_csv(shared_data / "census/gla_population.csv")
    gla_2011 = dict(zip(gla["Borough"].map(normalise_name), gla["Population - 2011 Census"]))
    for name, residents in zip(pop["name"], pop["residents_2011"]):
        assert abs(residents - gla_2011[normalise_name(name)]) <= 100, name
    assert pop["residents_2011"].sum() == pytest.approx(8_173_941, abs=0)  # London, 2011 Census


def test_name_matching_is_strict():
    boroughs = pd.DataFrame({"gss_code": ["E09000001", "E09000002"],
                             "name": ["City of London", "Barking and Dagenham"]})
    got = match_names(boroughs, pd.Series(["BARKING & DAGENHAM", "City of London", "Elsewhere"]),
                      pd.Series([2, 1, 9]), "test.csv")
    assert got.to_dict() == {"E09000001": 1, "E09000002": 2}
    with pytest.raises(ValueError, match="Barking and Dagenham"):
        match_names(boroughs, pd.Series(["City of London"]), pd.Series([1]), "test.csv")
    with pytest.raises(ValueError, match="more than once"):
        match_names(boroughs, pd.Series(["City of London", "city of london", "Barking and Dagenham"]),
                    pd.Series([1, 1, 2]), "test.csv")
    assert normalise_name(" Kingston upon Hull,  City of ") == "kingston upon hull city of"


def test_travel_to_work_mode(pack):
    modes = pack.table("travel_to_work_mode")
    assert modes["gss_code"].nunique() == 33
    assert modes.groupby("gss_code").size().eq(12).all()
    assert modes["share"].between(0, 1).all()
    np.testing.assert_allclose(modes.groupby("gss_code")["share"].sum(), 1.0, atol=0.005)
    share = modes.set_index(["gss_code", "mode"])["share"]
    assert share[(WESTMINSTER, "On foot")] == pytest.approx(0.114)
    assert share[(WANDSWORTH, "Underground, metro, light rail, tram")] == pytest.approx(0.201)


# --- crime and collisions ---------------------------------------------------------------------

def test_crime_monthly_totals_equal_source_minus_dropped(pack, manifest_tables, shared_data):
    crime = pack.table("crime_borough_month")
    coverage = manifest_tables["crime_borough_month"]["coverage"]
    source = pd.concat([pd.read_csv(shared_data / f) for f in CRIME_FILES])
    month_columns = [c for c in source.columns if c.isdigit()]
    source_by_month = source[month_columns].sum()
    source_by_month.index = [f"{c[:4]}-{c[4:]}" for c in source_by_month.index]
    dropped = pd.Series(0, index=source_by_month.index)
    for area in coverage["dropped"].values():
        dropped = dropped.add(pd.Series(area["by_month"]), fill_value=0)
    expected = (source_by_month - dropped).astype("int64")
    got = crime.groupby("month")["offences"].sum()
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(),
                                   check_names=False, check_dtype=False, check_index_type=False)
    assert "London Heathrow and London City Airports" in coverage["dropped"]
    assert coverage["dropped_offences"] > 0
    assert coverage["source_offences"] - coverage["dropped_offences"] == crime["offences"].sum()


def test_crime_table_shape(pack, boroughs):
    crime = pack.table("crime_borough_month")
    assert crime["month"].min() == "2010-04" and crime["month"].max() == "2024-01"
    assert crime["month"].nunique() == 166
    assert crime["month"].str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])").all()
    # The Met covers 32 boroughs; the City has its own police force.
    assert set(crime["gss_code"]) == set(boroughs["gss_code"]) - {CITY}
    assert (crime["offences"] > 0).all()
    assert not crime.duplicated(["gss_code", "month", "major_text", "minor_text"]).any()
    assert "Burglary" in set(crime["major_text"])


def test_collisions(pack, manifest_tables, shared_data, boroughs):
    collisions = pack.table("collisions_borough_hour")
    coverage = manifest_tables["collisions_borough_hour"]["coverage"]
    assert collisions["collisions"].sum() == 169_607 - coverage["rows_without_time"]
    assert coverage["source_rows"] == 169_607
    assert collisions["hour"].between(0, 23).all() and collisions["month"].between(1, 12).all()
    assert set(collisions["year"]) == set(range(2014, 2024))
    assert set(collisions["gss_code"]) == set(boroughs["gss_code"])
    assert set(collisions["severity"]) == {"Fatal", "Serious", "Slight"}
    raw = pd.read_csv(shared_data / COLLISIONS_FILE, usecols=["accident_year", "time"], dtype=str)
    per_year = collisions.groupby("year")["collisions"].sum()
    assert per_year[2019] == (raw["accident_year"] == "2019").sum()
    # Busiest hour is the evening peak, quietest the small hours.
    by_hour = collisions.groupby("hour")["collisions"].sum()
    assert by_hour.idxmax() in (16, 17, 18) and by_hour.idxmin() in (2, 3, 4, 5)


# --- the pack as a whole ------------------------------------------------------------------------

def test_manifest_entries_and_size(pack, manifest_tables):
    total = 0
    for name in MY_TABLES:
        entry = manifest_tables[name]
        path = pack.root / entry["file"]
        assert entry["rows"] == len(pack.table(name))
        assert entry["bytes"] == path.stat().st_size
        assert entry["sources"] and entry["licence"].startswith("OGL")
        total += entry["bytes"]
    assert total < 8_000_000
    json.dumps(manifest_tables)  # manifest stays plain JSON


def test_shipped_tables_are_what_the_builders_produce(pack, shared_data, tmp_path):
    """The committed pack is not stale: rebuilding from the sources gives the same tables."""
    from workstation.datapack import build_census, build_crime, build_geo
    entries = {}
    for part in (build_geo, build_census, build_crime):
        entries.update(part.build(shared_data, tmp_path))
    assert sorted(entries) == sorted(MY_TABLES)
    for name, entry in entries.items():
        shipped = pack.manifest["tables"][name]
        assert entry["rows"] == shipped["rows"], name
        assert entry["coverage"] == shipped["coverage"], name
        rebuilt = pd.read_parquet(tmp_path / entry["file"])
        original = pd.read_parquet(pack.root / shipped["file"])
        pd.testing.assert_frame_equal(rebuilt, original, obj=name)
