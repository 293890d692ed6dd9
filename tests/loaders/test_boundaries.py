"""Boundary files via pyogrio: GeoJSON, GeoPackage, Shapefile, reprojected to BNG."""

from __future__ import annotations

import geopandas as gpd
import pytest

from workstation.errors import InputError
from workstation.loaders.boundaries import load_boundaries


@pytest.fixture(scope="module")
def geojson(shared_data):
    return shared_data / "boundaries" / "london_boroughs.geojson"


def test_geojson_to_bng_with_code_and_name(geojson, pack):
    got = load_boundaries(geojson)
    assert list(got.columns) == ["code", "name", "geometry"]
    assert got.crs.to_epsg() == 27700 and len(got) == 33
    assert set(got["code"]) == set(pack.table("boroughs")["gss_code"])
    assert abs(got.geometry.area.sum() / 1e6 - 1_572) < 30  # London excl. MHW ~1,572 km²


def test_geopackage_and_shapefile_round_trip(geojson, tmp_path):
    raw = gpd.read_file(geojson)[["gss_code", "name", "geometry"]]
    raw = raw.rename(columns={"gss_code": "LAD22CD", "name": "LAD22NM"})
    gpkg = tmp_path / "areas.gpkg"
    raw.to_file(gpkg, driver="GPKG")
    shp = tmp_path / "areas.shp"
    raw.to_crs(27700).to_file(shp)
    for path in (gpkg, shp):
        got = load_boundaries(path)
        assert len(got) == 33 and got["code"].str.startswith("E09").all()
        assert "Westminster" in set(got["name"])


def test_shapefile_without_prj_is_rejected(geojson, tmp_path):
    shp = tmp_path / "nocrs.shp"
    gpd.read_file(geojson).to_crs(27700).to_file(shp)
    shp.with_suffix(".prj").unlink()
    with pytest.raises(InputError, match="no coordinate reference system"):
        load_boundaries(shp)


def test_points_are_not_boundaries(geojson, tmp_path):
    pts = gpd.read_file(geojson)
    pts["geometry"] = pts.geometry.representative_point()
    path = tmp_path / "points.geojson"
    pts.to_file(path, driver="GeoJSON")
    with pytest.raises(InputError, match="not polygons"):
        load_boundaries(path)
