"""The pack's timed collisions (2022) equal the raw DfT file read by the STATS19 reader."""

import pandas as pd


def test_collisions_timed_matches_the_raw_file(pack, shared_data):
    from workstation.loaders.stats19 import collisions_from_pack, read_collisions
    table = pack.table("collisions_timed")
    assert len(table) == 23_466
    assert set(pd.to_datetime(table["occurred_at"]).dt.year) == {2022}
    raw = read_collisions(shared_data / "incidents/stats19_london_collisions_2022.csv.gz",
                          pack.table("boroughs"))
    packed = collisions_from_pack(pack)
    assert packed.frame["gss_code"].value_counts().sort_index().equals(
        raw.frame["gss_code"].value_counts().sort_index())
    # hour of week of every collision kept
    week = lambda f: (f["occurred_at"].dt.day_of_week * 24 + f["occurred_at"].dt.hour)  # noqa: E731
    assert week(packed.frame).value_counts().sort_index().equals(
        week(raw.frame).value_counts().sort_index())
