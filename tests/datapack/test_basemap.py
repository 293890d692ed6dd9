"""The shipped basemap tables match their sources: EPSG:27700, in London, simplified but
faithful (areas and lengths within a few per cent), OSM attribution recorded."""

import geopandas as gpd
import pytest
import shapely

from workstation.datapack import build_basemap


@pytest.fixture(scope="module")
def tables(pack):
    names = ("basemap_water", "basemap_parks", "basemap_roads", "basemap_tube_links")
    if not all(pack.has(n) for n in names):
        pytest.skip("pack built without build_basemap")
    return {n: pack.table(n) for n in names}


def test_tables_are_bng_and_in_london(tables, pack):
    london = shapely.union_all(pack.table("boroughs_simplified").geometry.values)
    for name, frame in tables.items():
        assert frame.crs.to_epsg() == 27700, name
        inside = shapely.intersects(frame.geometry.values, shapely.buffer(london, 2500))
        if name == "basemap_tube_links":   # the Metropolitan line runs on to Amersham
            assert inside.mean() > 0.95
        else:
            assert inside.all(), name


def test_thames_area_and_tube_links(tables):
    water_km2 = tables["basemap_water"]["area_m2"].sum() / 1e6
    assert 15 < water_km2 < 40            # the tidal Thames through London, not the estuary
    links = tables["basemap_tube_links"]
    assert len(links) == 410
    assert 300 < links["length_m"].median() < 2500   # adjacent stations
    assert {"Oxford Circus", "Green Park"} <= set(links["station_a"]) | set(links["station_b"])


def test_simplified_tables_stay_faithful_to_the_sources(tables, shared_data):
    roads = gpd.read_file(shared_data / build_basemap.ROADS_FILE)
    assert tables["basemap_roads"]["length_m"].sum() == pytest.approx(roads.length.sum(), rel=0.03)
    parks = tables["basemap_parks"]
    richmond = parks[parks["name"] == "Richmond Park"]["area_m2"].max()
    assert 9.0e6 < richmond + 0.6e6 and richmond < 10.5e6     # ~955 ha
    assert (parks["area_m2"] >= build_basemap.MIN_PARK_AREA_M2).all()


def test_manifest_records_the_osm_licence(pack):
    entry = pack.manifest["tables"]["basemap_parks"]
    assert "ODbL" in entry["licence"] and "© OpenStreetMap contributors" in entry["licence"]
