"""The stable subcommands: JSON shape, GeoPackage output, bad input exits 2."""

import json

import pyogrio
import pytest

from workstation.cli import main


def run_json(capsys, argv):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_hotspots_clusters_json_ranked_by_harm(capsys):
    out = run_json(capsys, ["hotspots", "--clusters", "--json", "--top", "5", "--months", "2024-01..2024-06"])
    assert out["months"] == ["2024-01", "2024-06"] and out["cell_m"] == 150 and out["kind"] == "clusters"
    spots = out["hotspots"]
    assert len(spots) == 5 and [s["hotspot_id"] for s in spots] == [1, 2, 3, 4, 5]
    harms = [s["harm"] for s in spots]
    assert harms == sorted(harms, reverse=True)
    for spot in spots:
        assert {"borough", "area_m2", "incidents", "harm", "mean_z"} <= set(spot)
        assert spot["mean_z"] > 1.96 and spot["gss_code"].startswith("E09")
    assert out["incidents"] > 20_000 and out["n_hotspots"] >= 5


def test_hotspots_json_lists_patrol_hotspots(capsys):
    """`workstation hotspots --top N --json`: micro-places with the issue-16 fields."""
    out = run_json(capsys, ["hotspots", "--json", "--top", "20", "--horizon-months", "3"])
    assert out["kind"] == "patrol_hotspots" and out["cell_m"] == 100 and out["horizon_months"] == 3
    spots = out["hotspots"]
    assert [s["rank"] for s in spots] == list(range(1, 21))
    for spot in spots:
        assert spot["area_m2"] <= 200_000 and spot["name"] and spot["nearest_station"]
        assert spot["lsoa21_code"].startswith("E01") and spot["lsoa21_name"] and spot["borough"]
        assert spot["nearest_station_distance_m"] >= 0 and 0 < spot["share_of_london_harm"] < 0.05
        assert {"forecast_incidents_per_month", "forecast_harm_per_month", "incidents", "harm",
                "mean_z", "max_z", "hotspot_id", "n_cells"} <= set(spot)
    forecast = [s["forecast_harm_per_month"] for s in spots]
    assert forecast == sorted(forecast, reverse=True)
    assert out["n_clusters"] < out["n_hotspots"]  # clusters were split
    assert out["forecast"]["model"] == "decay_kde_blend" and out["forecast"]["bandwidth_m"] > 0


def test_hotspots_across_crime_types_in_the_city(capsys, shared_data):
    """All 14 police.uk types of the City of London Police months, harm-weighted."""
    folder = shared_data / "police_uk_city_of_london"
    out = run_json(capsys, ["hotspots", "--json", "--incidents", str(folder), "--boroughs", "E09000001",
                            "--top", "10"])
    assert out["months"] == ["2023-01", "2023-12"] and len(out["crime_types"]) >= 12
    assert "Anti-social behaviour" in out["crime_types"] and "Theft from the person" in out["crime_types"]
    spots = out["hotspots"]
    assert len(spots) == 10 and all(s["gss_code"] == "E09000001" for s in spots)
    assert all(s["name"] and s["area_m2"] <= 200_000 and s["nearest_station"] for s in spots)
    # harm is not a constant multiple of counts once types are mixed
    ratios = {round(s["harm"] / s["incidents"], 3) for s in spots if s["incidents"]}
    assert len(ratios) > 3
    clusters = run_json(capsys, ["hotspots", "--json", "--clusters", "--incidents", str(folder),
                                 "--types", "Anti-social behaviour", "--value", "count"])
    assert clusters["harm"] == 0 and clusters["incidents"] > 300  # ASB weighs 0 by policy


def test_hotspots_text_and_gpkg(capsys, tmp_path):
    target = tmp_path / "hot.gpkg"
    assert main(["hotspots", "--top", "3", "--boroughs", "E09000033", "--out", str(target)]) == 0
    text = capsys.readouterr().out
    assert "Westminster" in text and "run time" in text
    layers = dict(pyogrio.list_layers(target))
    assert set(layers) == {"hotspots", "significant_cells"}
    info = pyogrio.read_info(target, layer="hotspots")
    assert "27700" in info["crs"] and info["features"] >= 3
    assert [p.name for p in tmp_path.iterdir()] == ["hot.gpkg"]  # no temporary files left


def test_hotspot_accuracy_json(capsys):
    out = run_json(capsys, ["hotspot-accuracy", "--json", "--test-months", "2024-03..2024-08",
                            "--methods", "naive", "default"])
    assert set(out["mean"]) == {"naive", "default"} and out["horizon_months"] == 6
    assert set(out["mean"]["naive"]) == {"1%", "2%", "5%"}
    fitted = out["default_params"]["2024-03"]
    assert out["n_windows"] == 1 and fitted["model"] == "poisson_glm" and fitted["fold_months"] == 6
    assert fitted["pseudo_count_per_year"] in (0.1, 0.3, 0.5, 1.0)
    assert out["mean"]["naive"]["1%"]["pai"] > out["mean"]["naive"]["5%"]["pai"] > 1


@pytest.mark.parametrize("argv", [
    ["hotspots", "--months", "2024-13..2024-14"],
    ["hotspots", "--months", "2010-01..2010-12"],
    ["hotspot-accuracy", "--test-months", "2019-03..2019-08"],
])
def test_bad_input_exits_2(capsys, argv):
    assert main(argv) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_hotspots_on_imported_police_uk_files_with_filters(capsys, shared_data):
    """Two real police.uk months through the loader, filtered to one type and borough."""
    folder = shared_data / "police_uk_burglary"
    files = [str(folder / f"2024-0{m}-metropolitan-street.csv.gz") for m in (7, 8)]
    everything = run_json(capsys, ["hotspots", "--json", "--incidents", *files, "--top", "50"])
    assert everything["months"] == ["2024-07", "2024-08"] and everything["incidents"] > 2_000
    westminster = run_json(capsys, ["hotspots", "--json", "--incidents", *files, "--months", "2024-08",
                                    "--types", "burglary", "--boroughs", "E09000033", "--top", "50"])
    assert westminster["months"] == ["2024-08", "2024-08"]
    assert 0 < westminster["incidents"] < everything["incidents"] / 10
    assert westminster["harm"] == pytest.approx(westminster["incidents"] * 351.5)  # Burglary weight
    assert all(s["gss_code"] == "E09000033" for s in westminster["hotspots"])


def test_hotspot_accuracy_for_one_borough(capsys, grid_100):
    """--boroughs: that borough's incidents, and area shares of its own cells."""
    westminster = grid_100.restricted_to(["E09000033"])
    assert 0 < westminster.n_inside < grid_100.n_inside / 20
    assert set(map(int, set(westminster.borough_index[westminster.inside].ravel()))) == {
        grid_100.borough_codes.index("E09000033")}
    out = run_json(capsys, ["hotspot-accuracy", "--json", "--test-months", "2024-03..2024-08",
                            "--methods", "naive", "--boroughs", "E09000033"])
    london = run_json(capsys, ["hotspot-accuracy", "--json", "--test-months", "2024-03..2024-08",
                               "--methods", "naive"])
    assert out["boroughs"] == ["E09000033"]
    # area shares are of Westminster's cells, not of London's: a different PAI
    assert 1 < out["mean"]["naive"]["5%"]["pai"] != london["mean"]["naive"]["5%"]["pai"]
    with pytest.raises(Exception, match="E09999999"):
        grid_100.restricted_to(["E09999999"])
