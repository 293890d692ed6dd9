"""Reference layers from vector files: real MSOA GeoPackage, Shapefile and gzipped GeoJSON
are read and reprojected to EPSG:27700; bad files raise InputError naming file and problem."""

import json

import geopandas as gpd
import pytest
import shapely

from workstation.errors import InputError
from workstation.loaders.vector_layer import load_vector_layer


def test_msoa_geopackage(shared_data):
    layer = load_vector_layer(shared_data / "boundaries" / "London-MSOA-2021.gpkg")
    assert layer.n_features == 1002 and layer.kind == "polygon"
    assert layer.frame.crs.to_epsg() == 27700 and layer.label_column == "msoa21nm"
    assert shapely.is_valid(layer.frame.geometry.values).all()
    area_km2 = layer.frame.geometry.area.sum() / 1e6
    assert 1500 < area_km2 < 1650          # Greater London


def test_wgs84_file_is_reprojected(tmp_path, shared_data):
    source = gpd.read_file(shared_data / "boundaries" / "London-MSOA-2021.gpkg").head(20)
    path = tmp_path / "msoa_wgs84.geojson"
    source.to_crs(4326).to_file(path, driver="GeoJSON")
    layer = load_vector_layer(path)
    assert layer.source_crs.endswith("4326") and layer.frame.crs.to_epsg() == 27700
    a = source.geometry.centroid
    b = layer.frame.geometry.centroid
    assert (a.distance(b) < 1.0).all()      # back to the same metres


def test_shapefile_lines_and_gzipped_geojson(shared_data):
    roads = load_vector_layer(shared_data / "basemap" / "london-2018-MRN.shp")
    assert roads.kind == "line" and roads.n_features == 3974
    parks = load_vector_layer(shared_data / "basemap" / "greater_london-osm_parks_2021.geojson.gz")
    assert parks.kind == "polygon" and parks.label_column == "name"
    assert parks.frame.crs.to_epsg() == 27700


@pytest.mark.parametrize("name, content, message", [
    ("beats.gpkg", b"not a geopackage\n" * 10, "GDAL cannot open it"),
    ("empty.geojson", b"", "file is empty"),
    ("picture.gpkg", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "is a PNG image"),
])
def test_bad_files_name_the_file_and_the_problem(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        load_vector_layer(path)
    assert str(path) in str(info.value) and message in str(info.value)


def test_missing_file_and_layer(tmp_path, shared_data):
    with pytest.raises(InputError, match="file not found"):
        load_vector_layer(tmp_path / "nothere.gpkg")
    with pytest.raises(InputError, match="has no layer 'beats'"):
        load_vector_layer(shared_data / "boundaries" / "London-MSOA-2021.gpkg", layer="beats")


def test_no_crs_and_wrong_crs(tmp_path):
    feature = {"type": "Feature", "properties": {"name": "x"},
               "geometry": {"type": "Point", "coordinates": [530000, 180000]}}
    wrong = tmp_path / "bng_labelled_wgs84.geojson"      # GeoJSON means WGS84 by definition
    wrong.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    with pytest.raises(InputError, match="outside Great Britain"):
        load_vector_layer(wrong)
    shp = tmp_path / "nocrs.shp"
    with pytest.warns(UserWarning, match="crs"):        # writing it without one, on purpose
        gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.Point(530000, 180000)]).to_file(shp)
    with pytest.raises(InputError, match="no coordinate reference system"):
        load_vector_layer(shp)
