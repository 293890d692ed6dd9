"""STATS19 collisions in the DfT layout: date, time and point, placed in boroughs."""

import pytest

from workstation.errors import InputError
from workstation.loaders.stats19 import read_collisions


def test_london_2022_file_is_read_whole(shared_data, pack):
    c = read_collisions(shared_data / "incidents/stats19_london_collisions_2022.csv.gz",
                        pack.table("boroughs"))
    assert c.rows_total == 23_467 and c.years == (2022,)
    assert len(c.frame) + c.rows_outside_london + c.rows_without_time + c.rows_without_point == 23_467
    assert len(c.frame) > 23_400
    # the first row: 2022/01/05 16:40 at -0.198224, 51.486454 (Hammersmith and Fulham)
    first = c.frame.iloc[0]
    assert str(first["occurred_at"]) == "2022-01-05 16:40:00" and first["gss_code"] == "E09000013"
    assert c.frame["gss_code"].nunique() == 33


def test_official_layout_with_osgr_and_day_first_dates(shared_data, pack):
    c = read_collisions(shared_data / "incidents/stats19_collision_2022_met_first1049rows.csv",
                        pack.table("boroughs"))
    assert c.rows_total == 1049 and len(c.frame) == 1049
    assert str(c.frame.iloc[0]["occurred_at"]) == "2022-01-05 16:40:00"
    assert c.frame.iloc[0]["gss_code"] == "E09000013"


def test_a_file_without_times_is_refused(tmp_path, pack):
    bad = tmp_path / "c.csv"
    bad.write_text("date,longitude,latitude\n2022/01/01,-0.1,51.5\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_collisions(bad, pack.table("boroughs"))
    assert info.value.column == "time"
