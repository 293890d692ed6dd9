"""Community Safety Index: Rotterdam-style area scores on a fixed 0-10 scale.

Why: the seed report's first proposal is a London-wide index, co-owned with partners, that
scores every area on the same published scale against a target (Rotterdam: every area at
least 6, the city 7+). This module turns the pack's ward/LSOA/borough data into that index
for every month: each domain's raw value (a 12-month rolling rate, or a static measure) is
scored against the London value in a fixed base year, then combined with editable weights.

Scale (the same for every domain, documented in docs/method-safety-index.md):

    score = clip(7 - 3 * log2(value / london_reference), 0, 10)      (higher is worse)

so an area at the London 2023 rate scores 7 (Rotterdam's city target), twice the London
rate scores 4, half scores 10; every 3 points is a doubling. "Higher is better" measures
use +3*log2; percentages that should be high (public confidence) are scored on their
shortfall from 100%. The reference is fixed, so a falling crime rate raises the score.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from workstation.errors import InputError
from workstation.exports.partner_safe import DisclosurePolicy
from workstation.maps.harm import HarmWeights, load_harm_weights
from workstation.safety.weights import CustomDomain, DomainWeights, load_domain_weights

LEVELS = ("ward", "borough", "lsoa")
SCORE_AT_REFERENCE = 7.0
POINTS_PER_DOUBLING = 3.0
TARGET_SCORE = 6.0        # Rotterdam: every area at least 6
CITY_TARGET_SCORE = 7.0   # Rotterdam: the city 7+
BASE_WINDOW_END = "2023-12"  # references: London in calendar 2023 (last full year of every source)
WINDOW_MONTHS = 12
MIN_WEIGHT_SHARE = 0.5    # an area is scored only if domains holding >= half the weight have data
SUBGROUPS_PATH = Path(__file__).resolve().parent / "ward_subgroups.csv"
VIOLENCE_GROUPS = ("VIOLENCE AGAINST THE PERSON", "SEXUAL OFFENCES")
BURGLARY_GROUPS = ("BURGLARY",)
PAS_MEASURES = ("Good Job local", "Trust MPS", "Treat everyone fairly", "Listen to concerns",
                "Relied on to be there")
PER = 1000.0  # rates per 1,000 people
LSOA_INDEX_MONTH = "2025-02"  # the LSOA crime table holds the 12 months 2024-03..2025-02


@dataclass(frozen=True, slots=True)
class DomainSpec:
    name: str
    label: str
    unit: str
    direction: str           # higher_is_worse | higher_is_better | percent_higher_is_better
    counted: bool            # built from incident counts: partner-safe suppression applies


BUILTIN_DOMAINS: dict[str, DomainSpec] = {d.name: d for d in [
    DomainSpec("harm_per_resident", "Crime harm per resident",
               "harm (CSS days) per 1,000 residents, 12 months", "higher_is_worse", True),
    DomainSpec("harm_per_person_present", "Crime harm per person present",
               "harm (CSS days) per 1,000 people present, 12 months", "higher_is_worse", True),
    DomainSpec("violence", "Violence and sexual offences",
               "offences per 1,000 residents, 12 months", "higher_is_worse", True),
    DomainSpec("burglary", "Burglary", "offences per 1,000 residents, 12 months",
               "higher_is_worse", True),
    DomainSpec("road_collisions", "Road injury collisions",
               "injury collisions per 1,000 people present, 12 months", "higher_is_worse", True),
    DomainSpec("deprivation", "Deprivation (IMD 2019)", "IMD 2019 score", "higher_is_worse",
               False),
    DomainSpec("confidence", "Public confidence (PAS)",
               "% not agreeing (mean of 5 PAS measures), 4 quarters", "percent_higher_is_better",
               False),
]}


def score_values(values: np.ndarray, reference: float, direction: str) -> np.ndarray:
    """Raw values -> 0..10 on the fixed log scale (module docstring). NaN stays NaN."""
    v = np.asarray(values, dtype=float)
    if direction == "percent_higher_is_better":
        v, reference, direction = 100.0 - v, 100.0 - reference, "higher_is_worse"
    if not reference > 0:
        raise InputError(f"reference value {reference:g} must be > 0 to score a ratio")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.log2(np.maximum(v, 0.0) / reference)
    sign = -1.0 if direction == "higher_is_worse" else 1.0
    out = np.clip(SCORE_AT_REFERENCE + sign * POINTS_PER_DOUBLING * ratio, 0.0, 10.0)
    return np.where(np.isnan(v), np.nan, out)


def month_add(month: str, n: int) -> str:
    p = pd.Period(month, freq="M") + n
    return p.strftime("%Y-%m")


def _months(first: str, last: str) -> list[str]:
    return [p.strftime("%Y-%m") for p in pd.period_range(first, last, freq="M")]


def load_subgroup_map(harm: HarmWeights) -> pd.DataFrame:
    """Ward/LSOA subgroup -> offence group and harm weight (via css_weights.csv)."""
    with open(SUBGROUPS_PATH, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    frame = pd.DataFrame(rows)
    frame["harm_weight"] = [harm.weight(c, s) for c, s in zip(frame["category"], frame["scheme"])]
    return frame.set_index("ward_subgroup")


# --- inputs -------------------------------------------------------------------------------

@dataclass(frozen=True)
class LevelInputs:
    """Everything the index needs for one level, as (areas x index months) arrays."""

    level: str
    codes: tuple[str, ...]
    names: tuple[str, ...]
    borough_codes: tuple[str, ...]
    residents: np.ndarray
    present: np.ndarray
    has_crime: np.ndarray                         # (A,) bool: the area has Met crime rows
    months: tuple[str, ...]                       # index months (window end)
    values: dict[str, np.ndarray]                 # domain -> (A, M) raw values
    counts: dict[str, np.ndarray]                 # counted domain -> (A, M) window counts
    per_count: dict[str, float]                   # London numerator per count (suppression)
    references: dict[str, float]
    notes: dict[str, str]                         # domain -> data basis / staleness note
    basis: tuple[str, ...]


STAY_COMPONENTS = ("residents", "out_commuters_away", "other_trips_away")
INFLOW_COMPONENTS = ("in_commuters_at_work", "other_trips_in", "day_visitors",
                     "overnight_visitors")


def borough_presence(pack, model=None) -> pd.DataFrame:
    """Per borough, people present on an average day per resident, split in two parts.

    ``stay_per_resident``: residents who are in the borough (residents minus those away at
    work or on other trips); ``inflow_per_resident``: people who come in (commuters at work,
    Londoners' other trips, day and overnight visitors). Both are week means (96
    quarter-hours, Mon-Thu x4, Fri, Sat, Sun, /7) of this project's population model divided
    by its residents, so they can be applied to Census 2021 residents. Finer areas take the
    stay part by residents and the inflow part by their share of the borough's workplace
    population. Pass an already computed ``PopulationPresent`` as ``model`` to reuse it.
    """
    from workstation.flows.population import population_present

    model = model if model is not None else population_present(pack)
    day_weights = np.array([4.0, 1.0, 1.0, 1.0]) / 7.0   # Mon-Thu, Fri, Sat, Sun

    def week_mean(names) -> np.ndarray:
        total = sum(model.components[n] for n in names)
        return (total.mean(axis=2) * day_weights[None, :]).sum(axis=1)

    residents = model.components["residents"][:, 0, 0]
    stay = week_mean(STAY_COMPONENTS) / residents
    inflow = week_mean(INFLOW_COMPONENTS) / residents
    return pd.DataFrame({"stay_per_resident": stay, "inflow_per_resident": inflow,
                         "present_per_resident": stay + inflow}, index=list(model.gss_codes))


def _positions(values: pd.Series, labels: list[str]) -> np.ndarray:
    """Position of each value in ``labels`` (-1 if absent), via the distinct values only."""
    codes, uniques = pd.factorize(values)
    where = pd.Index(labels).get_indexer(pd.Index([str(u) for u in uniques]))
    return np.where(codes >= 0, where[codes], -1)


def _crime_windows(crime: pd.DataFrame, codes: list[str], data_months: list[str],
                   subgroups: pd.DataFrame, window: int = WINDOW_MONTHS
                   ) -> dict[str, np.ndarray]:
    """Monthly offences -> rolling ``window``-month sums (A, months - window + 1) per measure."""
    minor = crime["minor_text"]
    minor = minor.array if isinstance(minor.dtype, pd.CategoricalDtype) else pd.Categorical(minor)
    unknown = sorted(set(map(str, minor.categories)) - set(subgroups.index))
    if unknown:
        raise InputError(f"offence subgroups without a harm mapping: {unknown[:5]}",
                         path=SUBGROUPS_PATH, hint="Add them to ward_subgroups.csv")
    # per-subgroup factors looked up once per distinct subgroup (categorical codes), then
    # summed into (area, month) cells with bincount: pivot tables took seconds here
    cats = pd.Index([str(c) for c in minor.categories])
    group = subgroups["offence_group"].reindex(cats)
    factors = {"offences": np.ones(len(cats)),
               "harm": subgroups["harm_weight"].reindex(cats).to_numpy(float),
               "violence": group.isin(VIOLENCE_GROUPS).to_numpy(float),
               "burglary": group.isin(BURGLARY_GROUPS).to_numpy(float)}
    area_i = _positions(crime["area"], codes)
    month_i = _positions(crime["month"], data_months)
    keep = (area_i >= 0) & (month_i >= 0)
    cell = area_i[keep] * len(data_months) + month_i[keep]
    offences = crime["offences"].to_numpy(float)[keep]
    code_i = minor.codes[keep]
    out = {}
    for measure, factor in factors.items():
        wide = np.bincount(cell, weights=offences * factor[code_i],
                           minlength=len(codes) * len(data_months)).reshape(len(codes), -1)
        csum = np.cumsum(np.pad(wide, ((0, 0), (1, 0))), axis=1)
        out[measure] = csum[:, window:] - csum[:, :-window]
    return out


def _pas_by_month(pack, months: list[str]) -> tuple[pd.DataFrame, str]:
    """Borough x month: % not agreeing, mean of PAS_MEASURES over the 4 quarters ending <= month."""
    pas = pack.table("safety_pas")
    pas = pas[pas["measure"].isin(PAS_MEASURES)]
    quarterly = pas.groupby(["gss_code", "quarter_end"])["proportion"].mean().unstack("quarter_end")
    quarters = sorted(quarterly.columns)
    last = quarters[-1]
    out = {}
    for m in months:
        window = [q for q in quarters if month_add(m, -WINDOW_MONTHS) < q <= m]
        if not window:
            window = [q for q in quarters if q <= m][-4:] if m > last else []
        out[m] = (100.0 * (1.0 - quarterly[window].mean(axis=1))) if window else np.nan
    frame = pd.DataFrame(out)
    note = (f"MOPAC PAS to {last}; index months after {last} use the last 4 published quarters")
    return frame, note


def load_level_inputs(pack, level: str, *, harm_weights: HarmWeights | None = None,
                      presence: pd.DataFrame | None = None) -> LevelInputs:
    """Read the pack's safety tables for ``level`` and compute every domain's raw values."""
    if level not in LEVELS:
        raise InputError(f"unknown level '{level}'", expected=" or ".join(LEVELS))
    harm = harm_weights or load_harm_weights()
    subgroups = load_subgroup_map(harm)
    presence = presence if presence is not None else borough_presence(pack)
    wards = pack.table("safety_wards")
    boroughs = pack.table("safety_boroughs")
    lsoas = pack.table("safety_lsoa")
    ward_crime = pack.table("safety_ward_crime")
    data_months = _months(ward_crime["month"].min(), ward_crime["month"].max())
    notes: dict[str, str] = {}

    codes, names, bcodes, residents = _level_areas(level, wards, boroughs, lsoas)
    present = _people_present(level, residents, bcodes, presence, wards, boroughs, lsoas)
    win, months, lsoa_subgroups, has_crime = _crime_level_windows(
        pack, level, codes, wards, ward_crime, data_months, subgroups, notes)
    values, counts = _crime_values(win, residents, present, has_crime)
    references, per_count = _crime_references(ward_crime, lsoa_subgroups, data_months, subgroups,
                                              wards, boroughs, presence)

    road_counts, references["road_collisions"], notes["road_collisions"] = _road_collisions(
        pack, level, codes, months, lsoas, boroughs, presence)
    with np.errstate(divide="ignore", invalid="ignore"):
        values["road_collisions"] = road_counts / present[:, None] * PER
    counts["road_collisions"] = road_counts

    values["deprivation"], references["deprivation"], notes["deprivation"] = _deprivation(
        level, len(months), wards, boroughs, lsoas)
    values["confidence"], references["confidence"], notes["confidence"] = _confidence(
        pack, level, bcodes, months, boroughs)
    return LevelInputs(level=level, codes=tuple(codes), names=tuple(str(n) for n in names),
                       borough_codes=tuple(bcodes), residents=residents, present=present,
                       has_crime=has_crime[:, 0], months=tuple(months), values=values,
                       counts=counts, per_count=per_count,
                       references={k: float(v) for k, v in references.items()}, notes=notes,
                       basis=_INPUT_BASIS)


_INPUT_BASIS = (
    "Crime: Met recorded offences by ward and subgroup (London Datastore); borough = sum of "
    "its wards (2-3% of offences are not placed in a ward); 12-month rolling windows.",
    "Harm: offences x harm weight (css_weights.csv, an editable approximation of the ONS "
    "Crime Severity Score, not the official table).",
    "Residents: Census 2021 LSOA population; wards = LSOAs assigned by matching LSOA and "
    "ward crime counts (no ward lookup in the data).",
    "People present: this project's population model (average over the week's 96 "
    "quarter-hours, Mon-Thu x4, Fri, Sat, Sun) per resident, applied to Census 2021 "
    "residents; in wards and LSOAs residents who stay count by residents and people "
    "coming in (commuters, other trips, visitors) by the area's share of its borough's "
    "2011 Census workplace population.",
    f"Scale: score = clip(7 - 3*log2(value / London {BASE_WINDOW_END[:4]} value), 0, 10).",
)


def _level_areas(level: str, wards: pd.DataFrame, boroughs: pd.DataFrame, lsoas: pd.DataFrame
                 ) -> tuple[list[str], list, list[str], np.ndarray]:
    """Codes, names, borough codes and residents (NaN where none) of the level's areas."""
    if level == "ward":
        codes = list(wards["ward_code"])
        names = list(wards["ward_name"])
        bcodes = list(wards["gss_code"])
        residents = wards["residents_2021"].to_numpy(float)
    elif level == "borough":
        codes = list(boroughs["gss_code"])
        names = list(boroughs["name"])
        bcodes = codes
        residents = boroughs["residents_2021"].to_numpy(float)
    else:
        codes = list(lsoas["lsoa21cd"])
        names = codes
        bcodes = list(lsoas["gss_code"])
        residents = lsoas["residents_2021"].to_numpy(float)
    residents = np.where(residents > 0, residents, np.nan)
    return codes, names, bcodes, residents


def _people_present(level: str, residents: np.ndarray, bcodes: list[str],
                    presence: pd.DataFrame, wards: pd.DataFrame, boroughs: pd.DataFrame,
                    lsoas: pd.DataFrame) -> np.ndarray:
    """People present on an average day per area (see ``borough_presence``)."""
    if level == "borough":
        return residents * pd.Series(bcodes).map(presence["present_per_resident"]).to_numpy(float)
    # stay part by residents; inflow part by the area's share of its borough's jobs
    area = wards if level == "ward" else lsoas
    jobs = area["workplace_population_2011"].to_numpy(float)
    b = pd.Series(bcodes)
    borough_res = boroughs.set_index("gss_code")["residents_2021"].astype(float)
    borough_jobs = pd.Series(jobs).groupby(b).sum()
    inflow_b = b.map(presence["inflow_per_resident"] * borough_res).to_numpy(float)
    share = jobs / b.map(borough_jobs).to_numpy(float)
    return (residents * b.map(presence["stay_per_resident"]).to_numpy(float)
            + inflow_b * share)


def _crime_level_windows(pack, level: str, codes: list[str], wards: pd.DataFrame,
                         ward_crime: pd.DataFrame, data_months: list[str],
                         subgroups: pd.DataFrame, notes: dict[str, str]):
    """12-month crime windows of the level's areas.

    Returns (windows by measure, index months, LSOA subgroups or None, has_crime (A, 1)).
    The LSOA table holds one 12-month total, so that level has a single index month and
    adds its violence note to ``notes``.
    """
    if level == "lsoa":
        lc = pack.table("safety_lsoa_crime")
        months = [LSOA_INDEX_MONTH]
        crime = pd.DataFrame({"area": lc["lsoa21cd"], "minor_text": lc["minor_text"],
                              "offences": lc["offences_12m"]})
        win = _single_window(crime, codes, subgroups)
        lsoa_sub = set(lc["minor_text"].astype(str))
        notes["violence"] = "LSOA level: sexual offences are not published by LSOA (violence only)"
    else:
        crime = ward_crime.rename(columns={"ward_code": "area"})
        if level == "borough":
            crime = crime.assign(area=crime["area"].map(dict(zip(wards["ward_code"], wards["gss_code"]))))
        win = _crime_windows(crime, codes, data_months, subgroups)
        months = data_months[WINDOW_MONTHS - 1:]
        lsoa_sub = None
    has_crime = pd.Index(codes).isin(pd.unique(crime["area"]))[:, None]
    return win, months, lsoa_sub, has_crime


def _crime_values(win: dict[str, np.ndarray], residents: np.ndarray, present: np.ndarray,
                  has_crime: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Crime domains' rates per 1,000 (NaN without crime rows) and their window counts."""
    def rate(numer, denom):
        with np.errstate(divide="ignore", invalid="ignore"):
            out = numer / denom[:, None] * PER
        return np.where(has_crime & np.isfinite(out), out, np.nan)

    values = {"harm_per_resident": rate(win["harm"], residents),
              "harm_per_person_present": rate(win["harm"], present),
              "violence": rate(win["violence"], residents),
              "burglary": rate(win["burglary"], residents)}
    counts = {"harm_per_resident": win["offences"], "harm_per_person_present": win["offences"],
              "violence": win["violence"], "burglary": win["burglary"]}
    return values, counts


def _crime_references(ward_crime: pd.DataFrame, lsoa_subgroups: set[str] | None,
                      data_months: list[str], subgroups: pd.DataFrame, wards: pd.DataFrame,
                      boroughs: pd.DataFrame, presence: pd.DataFrame
                      ) -> tuple[dict[str, float], dict[str, float]]:
    """London references: calendar 2023 from the ward data (all Met wards), same subgroups.

    Also the London numerator per counted event, used to stand in for suppressed counts.
    """
    ratio = presence["present_per_resident"]
    met_boroughs = sorted(set(wards["gss_code"]))
    ref_crime = ward_crime if lsoa_subgroups is None else ward_crime[
        ward_crime["minor_text"].astype(str).isin(lsoa_subgroups)]
    ref_crime = ref_crime.assign(area="LONDON")
    ref_win = _crime_windows(ref_crime, ["LONDON"], data_months, subgroups)
    base = data_months.index(BASE_WINDOW_END) - (WINDOW_MONTHS - 1)
    met_res = boroughs.set_index("gss_code").loc[met_boroughs, "residents_2021"].astype(float)
    met_present = float((met_res * ratio.reindex(met_boroughs)).sum())
    references = {
        "harm_per_resident": ref_win["harm"][0, base] / met_res.sum() * PER,
        "harm_per_person_present": ref_win["harm"][0, base] / met_present * PER,
        "violence": ref_win["violence"][0, base] / met_res.sum() * PER,
        "burglary": ref_win["burglary"][0, base] / met_res.sum() * PER,
    }
    per_count = {"harm_per_resident": ref_win["harm"][0, base] / ref_win["offences"][0, base],
                 "harm_per_person_present": ref_win["harm"][0, base] / ref_win["offences"][0, base],
                 "violence": 1.0, "burglary": 1.0, "road_collisions": 1.0}
    return references, per_count


def _road_collisions(pack, level: str, codes: list[str], months: list[str], lsoas: pd.DataFrame,
                     boroughs: pd.DataFrame, presence: pd.DataFrame
                     ) -> tuple[np.ndarray, float, str]:
    """(A, M) injury collisions in the 12 months to each index month, London reference, note.

    Boroughs use the monthly STATS19 table; wards and LSOAs only have the 2022 collisions
    placed in LSOAs, so every index month repeats that year.
    """
    all_res = boroughs.set_index("gss_code")["residents_2021"].astype(float)
    london_present = float((all_res * presence["present_per_resident"].reindex(all_res.index)).sum())
    if level == "borough":
        col = pack.table("collisions_borough_hour")
        col = col.assign(month=col["year"].astype(str) + "-" + col["month"].astype(int).map("{:02d}".format))
        cmonths = _months(col["month"].min(), col["month"].max())
        wide = (col.pivot_table(index="gss_code", columns="month", values="collisions", aggfunc="sum")
                .reindex(index=codes, columns=cmonths).fillna(0.0).to_numpy())
        csum = np.cumsum(np.pad(wide, ((0, 0), (1, 0))), axis=1)
        cwin = pd.DataFrame(csum[:, WINDOW_MONTHS:] - csum[:, :-WINDOW_MONTHS], index=codes,
                            columns=cmonths[WINDOW_MONTHS - 1:])
        last = cwin.columns[-1]
        road_counts = cwin.reindex(columns=[m if m <= last else last for m in months]).to_numpy()
        reference = float(cwin[BASE_WINDOW_END].sum()) / london_present * PER
        note = f"STATS19 to {last}; later index months use the 12 months to {last}"
        return road_counts, reference, note
    coll = pack.table("safety_collisions_lsoa_2022").groupby("lsoa21cd")["collisions"].sum()
    if level == "ward":
        by_ward = lsoas.assign(c=lsoas["lsoa21cd"].map(coll).fillna(0)).groupby("ward_code")["c"].sum()
        per_area = pd.Series(codes).map(by_ward).fillna(0).to_numpy(float)
    else:
        per_area = pd.Series(codes).map(coll).fillna(0).to_numpy(float)
    road_counts = np.repeat(per_area[:, None], len(months), axis=1)
    reference = float(coll.sum()) / london_present * PER
    note = ("STATS19 2022 (the one year with coordinates), placed in "
            "LSOAs; the same value for every index month")
    return road_counts, reference, note


def _deprivation(level: str, n_months: int, wards: pd.DataFrame, boroughs: pd.DataFrame,
                 lsoas: pd.DataFrame) -> tuple[np.ndarray, float, str]:
    """(A, M) IMD 2019 score (static: the same every month), London reference, note."""
    if level == "ward":
        imd = wards["imd_score"].to_numpy(float)
    elif level == "borough":
        imd = boroughs["imd_average_score"].to_numpy(float)
    else:
        imd = lsoas["imd_score"].to_numpy(float)
    lsoa_res = lsoas["residents_2021"].astype(float)
    reference = float((lsoas["imd_score"] * lsoa_res).sum() / lsoa_res.sum())
    note = ("IMD 2019 (MHCLG): borough = published average score; ward and LSOA "
            "= residents-weighted mean of LSOA scores (2011 LSOAs joined to 2021)")
    return np.repeat(imd[:, None], n_months, axis=1), reference, note


def _confidence(pack, level: str, bcodes: list[str], months: list[str], boroughs: pd.DataFrame
                ) -> tuple[np.ndarray, float, str]:
    """(A, M) public confidence (borough survey; finer areas inherit their borough),
    the residents-weighted London reference in the base month, and the note."""
    pas, note = _pas_by_month(pack, list(months))
    values = pas.reindex(index=bcodes, columns=list(months)).to_numpy(float)
    base_pas = _pas_by_month(pack, [BASE_WINDOW_END])[0][BASE_WINDOW_END]
    all_res = boroughs.set_index("gss_code")["residents_2021"].astype(float)
    weights_b = all_res.reindex(base_pas.index)
    reference = float((base_pas * weights_b).sum() / weights_b.sum())
    if level != "borough":
        note += "; wards and LSOAs take their borough's value"
    return values, reference, note


def _single_window(crime: pd.DataFrame, codes: list[str], subgroups: pd.DataFrame
                   ) -> dict[str, np.ndarray]:
    """The LSOA table already holds 12-month totals: one one-"month" window per area."""
    return _crime_windows(crime.assign(month="total"), codes, ["total"], subgroups, window=1)


# --- the index ----------------------------------------------------------------------------

@dataclass(frozen=True)
class SafetyIndex:
    """Scores of every area and index month, with what went into them."""

    inputs: LevelInputs
    domains: tuple[str, ...]
    specs: dict[str, DomainSpec]
    weights: dict[str, float]                 # as published (not normalised)
    weight_basis: dict[str, str]
    values: dict[str, np.ndarray]             # (A, M), after suppression
    scores: dict[str, np.ndarray]             # (A, M)
    suppressed: dict[str, np.ndarray]         # (A, M) bool
    references: dict[str, float]
    total: np.ndarray                         # (A, M), NaN = not scored
    used_weight_share: np.ndarray             # (A, M) share of the weight with data
    policy: DisclosurePolicy
    target: float
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def months(self) -> tuple[str, ...]:
        return self.inputs.months

    def month_index(self, month: str | None) -> int:
        if month is None:
            return len(self.months) - 1
        if month not in self.months:
            raise InputError(f"month {month} has no {self.inputs.level} index",
                             expected=f"YYYY-MM in {self.months[0]}..{self.months[-1]}")
        return self.months.index(month)

    def table(self, month: str | None = None) -> pd.DataFrame:
        """One row per area for a month: score, rank, trend, change, each domain's score,
        value and contribution (points of the score; contributions add up to the score)."""
        m = self.month_index(month)
        inp = self.inputs
        frame = pd.DataFrame({"area_code": inp.codes, "name": inp.names,
                              "borough_code": inp.borough_codes, "residents": inp.residents,
                              "score": self.total[:, m]})
        frame["scored"] = frame["score"].notna()
        frame["rank"] = frame["score"].rank(ascending=False, method="min")
        frame["below_target"] = frame["score"] < self.target
        ly = m - 12
        frame["score_last_year"] = self.total[:, ly] if ly >= 0 else np.nan
        frame["change_vs_last_year"] = frame["score"] - frame["score_last_year"]
        frame["trend_per_year"] = self._trend(m)
        w_sum = np.zeros(len(inp.codes))
        for d in self.domains:
            s = self.scores[d][:, m]
            w = np.where(np.isnan(s), 0.0, self.weights[d])
            w_sum += w
        for d in self.domains:
            s = self.scores[d][:, m]
            with np.errstate(invalid="ignore", divide="ignore"):
                share = np.where(np.isnan(s), np.nan, self.weights[d] / w_sum)
            frame[f"value_{d}"] = self.values[d][:, m]
            frame[f"score_{d}"] = s
            frame[f"weight_{d}"] = share
            frame[f"contribution_{d}"] = share * s
            frame[f"suppressed_{d}"] = self.suppressed[d][:, m]
        frame.loc[~frame["scored"], "rank"] = np.nan
        return frame

    def _trend(self, m: int) -> np.ndarray:
        """Least-squares slope of the score over the 12 index months to m, points per year."""
        lo = max(0, m - 11)
        y = self.total[:, lo:m + 1]
        if y.shape[1] < 3:
            return np.full(y.shape[0], np.nan)
        x = np.arange(y.shape[1], dtype=float)
        x = x - x.mean()
        with np.errstate(invalid="ignore"):
            slope = (y * x).sum(axis=1) / (x ** 2).sum()   # x is centred: no need to centre y
        slope[~np.isfinite(y).all(axis=1)] = np.nan
        return slope * 12.0

    def london_score(self, month: str | None = None) -> float:
        """Residents-weighted mean score of the scored areas (the city figure)."""
        t = self.table(month)
        t = t[t["scored"]]
        return float((t["score"] * t["residents"]).sum() / t["residents"].sum())

    def series(self, area_code: str) -> pd.DataFrame:
        """One area's score and domain scores over every index month (for charts)."""
        if area_code not in self.inputs.codes:
            raise InputError(f"no area {area_code} at {self.inputs.level} level")
        a = self.inputs.codes.index(area_code)
        frame = pd.DataFrame({"month": list(self.months), "score": self.total[a]})
        for d in self.domains:
            frame[d] = self.scores[d][a]
        return frame


def compute_index(inputs: LevelInputs, weights: DomainWeights | None = None,
                  custom: tuple[CustomDomain, ...] | list[CustomDomain] = (), *,
                  policy: DisclosurePolicy = DisclosurePolicy(), target: float = TARGET_SCORE,
                  wards: pd.DataFrame | None = None, lsoas: pd.DataFrame | None = None
                  ) -> SafetyIndex:
    """Score every area and month. ``wards``/``lsoas`` (pack tables) let analyst domains keyed
    at another level be carried over (borough values inherited, finer ones residents-weighted)."""
    weights = weights or load_domain_weights()
    specs = dict(BUILTIN_DOMAINS)
    values = {d: v.copy() for d, v in inputs.values.items()}
    references = dict(inputs.references)
    notes = dict(inputs.notes)
    _add_custom_domains(custom, inputs, wards, lsoas, specs, values, references, notes)
    w, basis = _domain_weights(weights, specs, custom)
    domains = tuple(d for d in specs if w[d] > 0)
    if not domains:
        raise InputError("every domain has weight 0", path=weights.source)
    scores, suppressed = _score_domains(domains, specs, values, references, inputs, policy)
    total, share = _weighted_total(domains, w, scores, inputs)
    return SafetyIndex(inputs=inputs, domains=domains, specs=specs, weights=w,
                       weight_basis=basis, values=values, scores=scores, suppressed=suppressed,
                       references=references, total=total, used_weight_share=share,
                       policy=policy, target=float(target), notes=notes)


def _add_custom_domains(custom, inputs: LevelInputs, wards: pd.DataFrame | None,
                        lsoas: pd.DataFrame | None, specs: dict[str, DomainSpec],
                        values: dict[str, np.ndarray], references: dict[str, float],
                        notes: dict[str, str]) -> None:
    """Add each analyst domain to ``specs``/``values``/``references``/``notes`` in place
    (compute_index's own copies); a missing reference becomes the median of the areas."""
    for c in custom:
        if c.name in specs:
            raise InputError(f"domain '{c.name}' already exists", path=c.source, column="domain",
                             hint="Name the added domain differently (domain column or file name)")
        specs[c.name] = DomainSpec(c.name, c.name, "as supplied", c.direction, False)
        values[c.name] = _custom_values(c, inputs, wards, lsoas)
        ref = c.reference
        if ref is None:
            latest = values[c.name][:, -1]
            ref = float(np.nanmedian(latest)) if np.isfinite(latest).any() else np.nan
        references[c.name] = ref
        notes[c.name] = f"analyst domain from {Path(c.source).name}; reference {ref:g}" + (
            " (median of the areas)" if c.reference is None else "")


def _domain_weights(weights: DomainWeights, specs: dict[str, DomainSpec], custom
                    ) -> tuple[dict[str, float], dict[str, str]]:
    """Weight and its basis per domain: the weights file first, else an analyst domain's own
    weight column; unnamed built-in domains get 0."""
    unknown = [n for n in weights.names if n not in specs]
    if unknown:
        raise InputError(f"weights name domain(s) the index does not have: {unknown}",
                         path=weights.source, column="domain",
                         expected="one of " + ", ".join(specs),
                         hint="Add the domain with --domain CSV, or fix the name")
    custom_names = [c.name for c in custom]
    w: dict[str, float] = {}
    basis: dict[str, str] = dict((n, b) for n, _, b in weights.weights)
    for d in specs:
        got = weights.get(d)
        if got is None and d in custom_names:
            c = next(c for c in custom if c.name == d)
            if c.weight is None:
                raise InputError(f"added domain '{d}' has no weight", path=c.source,
                                 hint=f"Add a row '{d},<weight>,<basis>' to the weights CSV "
                                      "or a weight column to the domain CSV")
            got = c.weight
            basis[d] = f"weight column of {Path(c.source).name}"
        w[d] = float(got or 0.0)
    return w, basis


def _score_domains(domains: tuple[str, ...], specs: dict[str, DomainSpec],
                   values: dict[str, np.ndarray], references: dict[str, float],
                   inputs: LevelInputs, policy: DisclosurePolicy
                   ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Score each weighted domain; small counts are suppressed first (``values`` updated)."""
    scores, suppressed = {}, {}
    for d in domains:
        v, sup = _suppress_small_counts(d, values[d], specs[d], inputs, policy)
        values[d] = v
        ref = references[d]
        if not np.isfinite(ref) or ref <= 0:
            raise InputError(f"domain '{d}': reference {ref} is not a positive number",
                             hint="Give a reference column in the domain CSV")
        scores[d] = score_values(v, ref, specs[d].direction)
        suppressed[d] = sup
    return scores, suppressed


def _suppress_small_counts(domain: str, v: np.ndarray, spec: DomainSpec, inputs: LevelInputs,
                           policy: DisclosurePolicy) -> tuple[np.ndarray, np.ndarray]:
    """Partner-safe output: values from counts under the threshold, and which were replaced."""
    sup = np.zeros(v.shape, dtype=bool)
    if spec.counted and domain in inputs.counts and policy.partner_safe:
        cnt = inputs.counts[domain]
        sup = (cnt < policy.threshold) & np.isfinite(v)
        if sup.any():
            # score a suppressed count as half the threshold, so the published score
            # cannot be turned back into the small count
            stand_in = policy.threshold / 2.0
            with np.errstate(divide="ignore", invalid="ignore"):
                per = np.where(cnt > 0, v / np.where(cnt > 0, cnt, 1.0), np.nan)
            denom_rate = _rate_per_count(domain, inputs)
            per = np.where(np.isnan(per), denom_rate * inputs.per_count[domain], per)
            v = np.where(sup, stand_in * per, v)
    return v, sup


def _weighted_total(domains: tuple[str, ...], w: dict[str, float],
                    scores: dict[str, np.ndarray], inputs: LevelInputs
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(A, M) weighted mean score over the domains with data, and the share of the weight
    they hold; NaN where that share is under MIN_WEIGHT_SHARE or the area is not scored."""
    wsum = np.zeros(scores[domains[0]].shape)
    wtot = sum(w[d] for d in domains)
    acc = np.zeros_like(wsum)
    for d in domains:
        have = np.isfinite(scores[d])
        wsum += np.where(have, w[d], 0.0)
        acc += np.where(have, w[d] * np.nan_to_num(scores[d]), 0.0)
    share = wsum / wtot
    # no Met crime data (City of London) or no residents (Heathrow Villages): not scored
    core = (inputs.has_crime & np.isfinite(inputs.residents))[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        total = np.where((share >= MIN_WEIGHT_SHARE) & core, acc / wsum, np.nan)
    return total, share


def _rate_per_count(domain: str, inputs: LevelInputs) -> np.ndarray:
    """Value of one counted event in each area (1 / denominator x PER), shape (A, 1)."""
    denom = inputs.present if domain in ("harm_per_person_present", "road_collisions") \
        else inputs.residents
    with np.errstate(divide="ignore", invalid="ignore"):
        return (PER / denom)[:, None]


def _custom_values(c: CustomDomain, inputs: LevelInputs, wards: pd.DataFrame | None,
                   lsoas: pd.DataFrame | None) -> np.ndarray:
    """(A, M) values of an analyst domain at ``inputs.level``."""
    codes = list(inputs.codes)
    vals = c.values.copy()
    monthly = (vals["month"] != "").any()
    if monthly and (vals["month"] == "").any():
        raise InputError("some rows have a month and some do not", path=c.source, column="month")
    known_codes = set(codes) | set(inputs.borough_codes)
    if wards is not None:
        known_codes |= set(wards["ward_code"])
    if lsoas is not None:
        known_codes |= set(lsoas["lsoa21cd"]) | set(lsoas["gss_code"])
    bad = vals[~vals["area_code"].isin(known_codes)]
    if len(bad):
        r = bad.iloc[0]
        raise InputError(f"area code '{r['area_code']}' is not a London ward, LSOA or borough "
                         f"code ({len(bad)} such rows)", path=c.source, row=int(r["row"]),
                         column="area_code", expected="2022 ward (E05), LSOA 2021 (E01) or "
                                                      "borough (E09) codes")
    months = list(inputs.months)
    if monthly:
        wide = vals.pivot(index="area_code", columns="month", values="value").sort_index(axis=1)
        cols = {}
        for m in months:
            have = [x for x in wide.columns if x <= m]
            cols[m] = wide[have].ffill(axis=1).iloc[:, -1] if have else pd.Series(np.nan, index=wide.index)
        per_code = pd.DataFrame(cols)
    else:
        per_code = pd.DataFrame({m: vals.set_index("area_code")["value"] for m in months})

    direct = per_code.reindex(codes)
    out = direct.to_numpy(float)
    # coarser values inherited (borough -> ward/LSOA)
    inherited = per_code.reindex(list(inputs.borough_codes)).to_numpy(float)
    out = np.where(np.isnan(out), inherited, out)
    # finer values aggregated (LSOA -> ward/borough, ward -> borough), residents-weighted
    if np.isnan(out).all(axis=1).any() and lsoas is not None:
        parent = None
        if inputs.level == "ward":
            parent = dict(zip(lsoas["lsoa21cd"], lsoas["ward_code"]))
        elif inputs.level == "borough":
            parent = dict(zip(lsoas["lsoa21cd"], lsoas["gss_code"]))
            if wards is not None:
                parent.update(dict(zip(wards["ward_code"], wards["gss_code"])))
        if parent:
            res = dict(zip(lsoas["lsoa21cd"], lsoas["residents_2021"]))
            if wards is not None:
                res.update(dict(zip(wards["ward_code"], wards["residents_2021"])))
            fine = per_code[per_code.index.map(lambda k: k in parent)]
            if len(fine):
                wts = fine.index.map(res).to_numpy(float)
                groups = fine.index.map(parent)
                num = fine.mul(wts, axis=0).groupby(groups).sum(min_count=1)
                den = fine.notna().mul(wts, axis=0).groupby(groups).sum()
                agg = (num / den.replace(0, np.nan)).reindex(codes).to_numpy(float)
                out = np.where(np.isnan(out), agg, out)
    return out
