"""Borough values behind the choropleth, per (day type, hour). Qt-free.

Every function returns a float Series indexed by ``gss_code`` in canonical order, NaN where
a borough has no value, so the map, legend and inspector read the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workstation.domain import DayType


@dataclass(frozen=True, slots=True)
class Metric:
    key: str
    label: str
    unit: str
    diverging: bool
    palette: str
    needs: str  # "pack", "population" or "plan"


METRICS: dict[str, Metric] = {m.key: m for m in [
    Metric("residents", "Residents (ONS mid-2019)", "people", False, "Blues", "pack"),
    Metric("population_present", "Population present now", "people", False, "YlOrRd",
           "population"),
    Metric("demand_per_hour", "Demand per hour", "incidents/h", False, "YlOrRd", "plan"),
    Metric("required", "Required officers", "officers", False, "Purples", "plan"),
    Metric("allocation_gap", "Allocation gap (allocated - required)", "officers", True, "RdBu",
           "plan"),
    Metric("net_lending", "Net lending (borrowed - lent)", "officers", True, "PuOr", "plan"),
]}


def available(metric: Metric, *, population: Any, plan: Any) -> tuple[bool, str]:
    """Whether a metric can be drawn now, and if not the reason shown as a tooltip."""
    if metric.needs == "population" and population is None:
        return False, "Population present is not computed (workstation.flows.population missing)"
    if metric.needs == "plan" and plan is None:
        return False, "Compute a plan first (Scenario panel)"
    return True, ""


def _unit_to_boroughs(values: pd.Series, boroughs: pd.DataFrame) -> pd.Series:
    """Spread unit values (borough or BCU codes) over boroughs; a BCU's value is shown on
    each of its boroughs (the map then reads per unit, as the legend says)."""
    codes = boroughs["gss_code"]
    if values.index.isin(codes).all():
        return values.reindex(codes.values).astype(float)
    by_bcu = boroughs.set_index("gss_code")["bcu_code"].map(values)
    direct = codes.map(values)
    return pd.Series(np.where(direct.notna(), direct, by_bcu.reindex(codes.values).values),
                     index=codes.values, dtype=float)


def population_present_at(population: Any, day_type: DayType, hour: int) -> pd.Series:
    cube = np.asarray(population.hourly())
    day_types = [DayType(d) for d in population.day_types]
    day_index = day_types.index(DayType(day_type)) if DayType(day_type) in day_types else 0
    return pd.Series(cube[:, day_index, int(hour)], index=list(population.gss_codes), dtype=float)


def plan_hour(plan: Any, day_type: DayType, hour: int) -> pd.DataFrame:
    hourly = plan.hourly
    day = hourly["day_type"].astype(str).map(lambda v: DayType(v).value if v in
                                             {d.value for d in DayType} else v)
    rows = hourly[(day == DayType(day_type).value) & (hourly["hour"] == int(hour))]
    if rows.empty:  # plan may not cover this day type: fall back to the weekday
        rows = hourly[(day == DayType.WEEKDAY.value) & (hourly["hour"] == int(hour))]
    return rows.set_index("unit_code")


def net_lending_at(plan: Any, day_type: DayType, hour: int) -> pd.Series:
    lending = plan.lending
    if lending.empty:
        return pd.Series(dtype=float)
    from workstation.deploy.scenario import Shift
    in_shift = lending["shift"].map(lambda s: int(hour) in Shift.parse(str(s)).hours)
    rows = lending[in_shift & (lending["day_type"].astype(str) == DayType(day_type).value)]
    borrowed = rows.groupby("to_code")["officers"].sum()
    lent = rows.groupby("from_code")["officers"].sum()
    return borrowed.sub(lent, fill_value=0.0)


def borough_values(key: str, *, pack: Any, population: Any, plan: Any,
                   day_type: DayType, hour: int) -> pd.Series:
    boroughs = pack.table("boroughs_simplified")
    codes = boroughs["gss_code"].values
    if key == "residents":
        pop = pack.table("population").set_index("gss_code")["residents_mid2019"]
        return pop.reindex(codes).astype(float)
    if key == "population_present":
        return population_present_at(population, day_type, hour).reindex(codes)
    rows = plan_hour(plan, day_type, hour)
    if key == "demand_per_hour":
        return _unit_to_boroughs(rows["demand_per_hour"], boroughs)
    if key == "required":
        return _unit_to_boroughs(rows["required"], boroughs)
    if key == "allocation_gap":
        return _unit_to_boroughs(rows["allocated"] - rows["required"], boroughs)
    if key == "net_lending":
        net = net_lending_at(plan, day_type, hour)
        units = rows.index if len(rows) else net.index
        return _unit_to_boroughs(net.reindex(units).fillna(0.0), boroughs)
    raise KeyError(key)


def borough_profile(code: str, *, pack: Any, population: Any, plan: Any,
                    day_type: DayType) -> pd.DataFrame:
    """24 rows (hour 0-23) for one borough: population_present, and once a plan exists
    demand_per_hour, required and allocated (of the borough's unit; BCU plans give the BCU's)."""
    frame = pd.DataFrame(index=pd.RangeIndex(24, name="hour"))
    if population is not None and code in population.gss_codes:
        cube = np.asarray(population.hourly())
        day_types = [DayType(d) for d in population.day_types]
        d = day_types.index(DayType(day_type)) if DayType(day_type) in day_types else 0
        frame["population_present"] = cube[list(population.gss_codes).index(code), d, :]
    if plan is not None:
        hourly = plan.hourly
        unit = code
        if code not in set(hourly["unit_code"]):
            boroughs = pack.table("boroughs").set_index("gss_code")
            unit = boroughs["bcu_code"].get(code, code)
        rows = hourly[(hourly["unit_code"] == unit)
                      & (hourly["day_type"].astype(str) == DayType(day_type).value)]
        rows = rows.groupby("hour")[["demand_per_hour", "required", "allocated"]].sum()
        for column in rows.columns:
            frame[column] = rows[column].reindex(frame.index).to_numpy(float)
    return frame
