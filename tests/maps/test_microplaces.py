"""Patrol-sized hotspots: splitting, the gazetteer, and the field checks on the shipped data."""

import csv
import gzip

import numpy as np
import pytest
import shapely

from workstation.errors import InputError
from workstation.maps.microplaces import (HARD_AREA_LIMIT_M2, MAX_AREA_M2, HOTSPOT_COLUMNS,
                                          split_clusters)


def _bumpy_cluster(seed=3):
    """One 30 x 30 cluster (9 km² at 100 m: the West End blob of the issue) with three
    smooth hills of forecast harm over a little noise, plus a separate 2 x 2 cluster."""
    rng = np.random.default_rng(seed)
    clusters = np.zeros((40, 40), dtype=np.int32)
    clusters[2:32, 2:32] = 1
    clusters[35:37, 35:37] = 2
    rr, cc = np.mgrid[0:40, 0:40]
    value = 0.05 * rng.random((40, 40))
    for r, c, height in ((8, 8, 50.0), (20, 25, 40.0), (27, 9, 30.0)):
        value += height * np.exp(-((rr - r) ** 2 + (cc - c) ** 2) / (2 * 3.0 ** 2))
    value[35:37, 35:37] = 0.5
    return clusters, value


def test_split_of_a_large_cluster_keeps_the_highest_value_cells():
    clusters, value = _bumpy_cluster()
    places, n = split_clusters(clusters, value, cell_m=100.0, max_area_m2=MAX_AREA_M2)
    # a partition of the cluster cells: every hot cell in exactly one place, nothing else
    assert ((places > 0) == (clusters > 0)).all()
    sizes = np.bincount(places.ravel())[1:]
    assert sizes.max() <= 20 and sizes.size == n and n >= 45  # 900 cells into <= 20-cell places
    # the two highest hill tops seed places 1 and 2; every hill top seeds (tops) its own place
    assert places[8, 8] == 1 and places[20, 25] == 2
    for r, c in ((8, 8), (20, 25), (27, 9)):
        assert value[r, c] == value[places == places[r, c]].max()
    # place 1 is exactly the highest-value cells within 300 m of the top (a full 20 cells)
    assert sizes[0] == 20
    disc = ((rr := np.mgrid[0:40, 0:40])[0] - 8) ** 2 + (rr[1] - 8) ** 2 <= 9
    best = np.sort(value[disc & (clusters == 1)])[-20:]
    assert np.allclose(np.sort(value[places == 1]), best)
    # so the top places hold far more than their share of the cluster's value
    top3 = np.isin(places, [1, 2, 3])
    assert value[top3].sum() / value[clusters == 1].sum() > 3 * top3.sum() / (clusters == 1).sum()
    # a small cluster stays whole
    small = np.unique(places[clusters == 2])
    assert small.size == 1 and (places == small[0]).sum() == 4
    # no place strays outside its cluster or further than 300 m from its seed
    for label in range(1, n + 1):
        r, c = np.nonzero(places == label)
        assert np.unique(clusters[r, c]).size == 1
        seed = np.argmax(np.where(places == label, value, -np.inf))
        sr, sc = divmod(int(seed), 40)
        assert (((r - sr) ** 2 + (c - sc) ** 2) <= 9 + 1e-9).all()


def test_split_refuses_oversized_places():
    clusters, value = _bumpy_cluster()
    with pytest.raises(InputError, match="250,000"):
        split_clusters(clusters, value, cell_m=100.0, max_area_m2=HARD_AREA_LIMIT_M2 + 1)
    with pytest.raises(InputError, match="larger than"):
        split_clusters(clusters, value, cell_m=1000.0, max_area_m2=MAX_AREA_M2)


def test_gazetteer_built_from_a_real_month(shared_data):
    """One real police.uk month: every row with coordinates and a location lands on one
    named snap point, 'On or near ' is gone, and the points are in London."""
    from workstation.datapack.build_gazetteer import read_points
    path = shared_data / "police_uk_burglary" / "2024-08-metropolitan-street.csv.gz"
    gazetteer = read_points([path])
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle)
                if r["Longitude"] and r["Latitude"] and r["Location"].replace("On or near", "").strip()
                and r["Location"] != "No Location"]
    from pyproj import Transformer
    from workstation.datapack.build_gazetteer import LONDON_BOX_M
    e, n = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True).transform(
        [float(r["Longitude"]) for r in rows], [float(r["Latitude"]) for r in rows])
    x0, y0, x1, y1 = LONDON_BOX_M
    in_box = (np.asarray(e) >= x0) & (np.asarray(e) <= x1) & (np.asarray(n) >= y0) & (np.asarray(n) <= y1)
    rows = [r for r, keep in zip(rows, in_box) if keep]  # the Met records a few crimes far away
    assert gazetteer["incidents"].sum() == len(rows) > 3000 and in_box.mean() > 0.99
    assert not gazetteer["name"].str.startswith("On or near").any() and (gazetteer["name"] != "").all()
    distinct = {(r["Location"][len("On or near "):], r["Longitude"], r["Latitude"]) for r in rows}
    assert abs(len(gazetteer) - len(distinct)) <= len(distinct) * 0.01  # 1 m rounding may merge a few
    assert gazetteer["easting_m"].between(500_000, 565_000).all()
    assert gazetteer["northing_m"].between(155_000, 205_000).all()
    assert "Japan Road" in set(gazetteer["name"])  # the file's first row: "On or near Japan Road"


def test_pack_places_tables(pack):
    gazetteer = pack.table("policeuk_gazetteer")
    assert len(gazetteer) > 50_000 and gazetteer["incidents"].min() >= 1
    lsoas = pack.table("lsoa21_boundaries")
    assert len(lsoas) == 4994 and lsoas["lsoa21_code"].is_unique
    assert lsoas["population_2021"].sum() == 8_799_631  # the 2021 Census total for London
    assert lsoas["gss_code"].nunique() == 33 and lsoas.crs.to_epsg() == 27700
    westminster = lsoas[lsoas["borough"] == "Westminster"]
    assert westminster["gss_code"].eq("E09000033").all() and len(westminster) > 100
    assert lsoas.geometry.is_valid.all()
    assert np.allclose(lsoas.geometry.area, lsoas["area_m2"], rtol=0.01)


def test_top_20_patrol_hotspots_on_shipped_data(patrol, pack):
    """The issue's done-when: each of the top 20 is <= 200,000 m², named from police.uk
    locations, with a nearest station and an LSOA."""
    spots = patrol.hotspots
    assert list(spots.columns[:-1]) == list(HOTSPOT_COLUMNS) and spots.crs.to_epsg() == 27700
    top = spots.head(20)
    assert len(top) == 20 and list(top["rank"]) == list(range(1, 21))
    assert (top["area_m2"] <= 200_000).all() and (spots["area_m2"] <= MAX_AREA_M2).all()
    assert np.allclose(top.geometry.area, top["area_m2"])
    names = set(pack.table("policeuk_gazetteer")["name"])
    for name in top["name"]:
        assert name and all(part in names for part in name.split(" / ")), name
    tube = pack.table("stations")
    tube = tube[tube["modes"].str.contains("LU")]
    assert top["nearest_station"].isin(set(tube["name"])).all()
    assert (top["nearest_station_distance_m"] < 2_000).all()
    lsoas = pack.table("lsoa21_boundaries").set_index("lsoa21_code")
    assert top["lsoa21_code"].isin(lsoas.index).all()
    assert (lsoas.loc[top["lsoa21_code"], "lsoa21_name"].to_numpy() == top["lsoa21_name"].to_numpy()).all()
    centres = shapely.points(top["centre_x_m"], top["centre_y_m"])
    assert (top["borough"] != "").all() and top["gss_code"].str.startswith("E09").all()
    # ranked by forecast harm; shares of London's forecast harm add up below 1
    harm = spots["forecast_harm_per_month"].to_numpy()
    assert (np.diff(harm) <= 1e-9).all() and 0 < spots["share_of_london_harm"].sum() < 1
    assert spots["share_of_london_harm"].iloc[0] == pytest.approx(
        harm[0] / patrol.london_forecast_harm_per_month)
    # every micro-place is made of Gi*-significant hot cells of one cluster
    assert (patrol.gistar.hot[patrol.labels > 0]).all()
    first = patrol.labels == 1
    assert np.unique(patrol.gistar.labels[first]).size == 1
    # the West End cluster is split, not shown whole
    assert (top["cluster_area_m2"] > 1_000_000).any()
    assert shapely.contains(shapely.buffer(top.geometry.to_numpy(), 1.0), centres).mean() > 0.8


def test_monthly_series_match_the_observed_counts(patrol, lattice_counts, grid_100):
    monthly = patrol.monthly
    one = monthly[monthly["hotspot_id"] == 1]
    assert len(one) == len(lattice_counts.months())
    row, col, ok = grid_100.cell_of(lattice_counts.x_m, lattice_counts.y_m)
    inside = ok.copy()
    inside[ok] = patrol.labels[row[ok], col[ok]] == 1
    assert one["incidents"].sum() == pytest.approx(lattice_counts.count[inside].sum())
    window = one[one["month"] >= patrol.gistar_months[0]]["incidents"].sum()
    assert window == pytest.approx(patrol.hotspots["incidents"].iloc[0])


def test_patrol_hotspots_honour_the_cap_and_cancel(patrol, pack, lattice_counts, grid_100):
    from workstation.domain import CancelToken, Cancelled
    from workstation.maps.microplaces import patrol_hotspots
    small = patrol_hotspots(lattice_counts, grid_100, pack=pack, max_area_m2=50_000, top=30,
                            params=patrol.params)
    assert len(small.hotspots) == 30 and (small.hotspots["area_m2"] <= 50_000).all()
    assert small.labels.max() == 30
    with pytest.raises(InputError, match="250,000"):
        patrol_hotspots(lattice_counts, grid_100, pack=pack, max_area_m2=300_000)
    with pytest.raises(InputError, match="1, 3 or 6"):
        patrol_hotspots(lattice_counts, grid_100, pack=pack, horizon_months=2)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        patrol_hotspots(lattice_counts, grid_100, pack=pack, cancel=token)


def test_shipped_places_tables_are_what_the_builders_produce(pack, shared_data, tmp_path):
    """The committed gazetteer and LSOA tables are not stale: a rebuild gives the same."""
    import geopandas as gpd
    import pandas as pd
    from geopandas.testing import assert_geodataframe_equal

    from workstation.datapack import build_gazetteer, build_lsoa
    (tmp_path / "boroughs.parquet").write_bytes((pack.root / "boroughs.parquet").read_bytes())
    entries = {**build_gazetteer.build(shared_data, tmp_path), **build_lsoa.build(shared_data, tmp_path)}
    for name, entry in entries.items():
        shipped = pack.manifest["tables"][name]
        assert entry["rows"] == shipped["rows"] and entry["coverage"] == shipped["coverage"], name
        assert entry["sha256"] == shipped["sha256"], name
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "policeuk_gazetteer.parquet"),
                                  pack.table("policeuk_gazetteer"))
    assert_geodataframe_equal(gpd.read_parquet(tmp_path / "lsoa21_boundaries.parquet"),
                              pack.table("lsoa21_boundaries"))
