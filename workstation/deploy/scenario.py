"""A deployment scenario: every editable input behind a recommendation, in one plain,
validated, serialisable object. The app's scenario panel edits it, the project file
stores it, and every report prints it (a published method, not a black box).

Each field is described once, beside its default (``scenario_field``; see
``workstation/deploy/fields.py``): ``FIELDS`` drives the validation, the app's scenario form,
the CLI options of plan/report/backtest and the labels of the exports' Assumptions.

Defaults cite their basis; see docs/method.md.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any

from workstation.deploy.fields import FieldSpec, scenario_field, shown, specs_of
from workstation.domain import DayType
from workstation.errors import ScenarioError


@dataclass(frozen=True, slots=True)
class Shift:
    """A shift by clock hours; ``end_hour`` <= ``start_hour`` means it runs past midnight."""

    start_hour: int
    end_hour: int

    @property
    def name(self) -> str:
        return f"{self.start_hour:02d}-{self.end_hour:02d}"

    @property
    def hours(self) -> tuple[int, ...]:
        length = (self.end_hour - self.start_hour) % 24 or 24
        return tuple((self.start_hour + i) % 24 for i in range(length))

    @classmethod
    def parse(cls, text: str) -> "Shift":
        try:
            start, end = (int(part) for part in text.strip().split("-"))
        except ValueError as exc:
            raise ScenarioError(f"shift '{text}' is not of the form HH-HH",
                                column="shifts", expected="e.g. 07-15") from exc
        if not (0 <= start <= 23 and 0 <= end <= 24):
            raise ScenarioError(f"shift '{text}' has hours outside 0-24", column="shifts",
                                expected="e.g. 07-15")
        return cls(start, end % 24)


DEFAULT_SHIFTS = (Shift(7, 15), Shift(15, 23), Shift(23, 7))


@dataclass(frozen=True, slots=True)
class ResponseStandard:
    """Met grading: I (immediate) 15 min, S (significant) 60 min; target shares."""

    grade: str = scenario_field(
        label="Grade", kind="choice", choices=(("I", "I-grade (immediate)"),
                                               ("S", "S-grade (significant)")),
        help="Met call grade: I (immediate) or S (significant).")
    standard_minutes: float = scenario_field(
        label="standard", kind="float", unit="minutes", display_unit="min", minimum=0.0,
        maximum=240.0, open_min=True,
        help="Minutes within which a call of this grade should be attended.")
    target_share: float = scenario_field(
        label="target", kind="float", unit="share", minimum=0.0, maximum=1.0, open_min=True,
        open_max=True, display_scale=100.0, display_unit="%",
        help="Share of calls of this grade to be attended within the standard.")


DEFAULT_STANDARDS = (
    # Met targets: 90% of I-grade within 15 minutes (achieved 86.9%, 12 months to Sep 2018);
    # S-grade within 60 minutes (achieved 81.9%). Seed report / HMICFRS PEEL 2018/19.
    ResponseStandard("I", 15.0, 0.90),
    ResponseStandard("S", 60.0, 0.90),
)
STANDARD_HELP = {
    "I": "I-grade (immediate) response standard in minutes and the target share attended "
         "within it. Met: 15 min, 90% target (86.9% achieved, HMICFRS PEEL 2018/19).",
    "S": "S-grade (significant) response standard in minutes and target share. Met: 60 min, "
         "90% target (81.9% achieved, HMICFRS PEEL 2018/19).",
}

HARM_WEIGHTS_KEY = "harm_weights_csv"
"""Key in ``DeploymentScenario.extra`` for a harm-weights CSV (the engine reads it there)."""

GROUPS = ("Scenario", "Officers and shifts", "Lending and response", "Demand")
"""Sections of the scenario form, in order (``FieldSpec.group``)."""

_DAY_NAMES = ", ".join(d.value for d in DayType)


@dataclass(frozen=True, slots=True)
class DeploymentScenario:
    """Every field is described once (``scenario_field``): label, unit, type, range, default
    and help drive validation, the scenario form, the CLI options and the Assumptions."""

    name: str = scenario_field(
        "Baseline", label="Name", kind="text", max_length=200, group="Scenario", cli="--name",
        help="A name for this scenario; printed on every export and report.")
    day_types: tuple[DayType, ...] = scenario_field(
        (DayType.WEEKDAY, DayType.SATURDAY, DayType.SUNDAY), label="Day types",
        kind="day_types", group="Scenario", cli="--day",
        help="Day types to plan (TfL's: weekday = Mon-Thu, Friday, Saturday, Sunday). "
             "Default: weekday, Saturday and Sunday.")
    # Basis: the seed report's borough had 139 emergency response officers in five teams,
    # i.e. ~28 on duty per shift; x 32 boroughs = 890. The maximum, 20,000 on duty in one
    # shift, is well above any real deployment (the Met's whole strength of ~34,000 works in
    # shifts and many roles) and keeps every unit within the queue model's 2,000 free
    # officers per unit-hour (deploy/requirement.MAX_SERVERS).
    officers_on_duty: int = scenario_field(
        890, label="Officers on duty per shift", kind="int", unit="officers", minimum=0,
        maximum=20_000, step=50, group="Officers and shifts", cli="--officers",
        help="Response officers on duty across London in each shift (sum over units), "
             "unless a strength table is given. Default 890: the seed borough's ~28 "
             "response officers per shift x 32 boroughs; see Help → Method.")
    strength_csv: str | None = scenario_field(
        None, label="Strength table", kind="path", max_length=4096,
        group="Officers and shifts", cli="--strength",
        help="Optional CSV of officers per unit (unit_code or gss_code, officers[, shift]); "
             "replaces the London total split. Empty: split the total by demand.")
    shifts: tuple[Shift, ...] = scenario_field(
        DEFAULT_SHIFTS, label="Shift pattern", kind="shifts", group="Officers and shifts",
        cli="--shifts",
        help="Shift pattern as clock hours, e.g. '07-15, 15-23, 23-07'. Together the shifts "
             "must cover each hour of the day exactly once. Default: the Met's three 8-hour "
             "response shifts.")
    units: str = scenario_field(
        "borough", label="Plan by", kind="choice", group="Scenario", cli="--units",
        choices=(("borough", "Boroughs (33)"), ("bcu", "Basic Command Units (12)")),
        help="Plan per borough (32 + City) or per Basic Command Unit (the Met's 12 BCUs).")
    floor_share: float = scenario_field(
        0.75, label="Floor (kept at home)", kind="float", unit="share", minimum=0.0,
        maximum=1.0, display_scale=100.0, display_unit="%", step=5,
        group="Officers and shifts", cli="--floor-share",
        help="Each unit keeps at least this share of its own officers; the rest may be lent. "
             "Default 75%: a policy choice so no borough is stripped; see Method.")
    # Basis: Police Regulations 2003, reg. 22 and Annex E: duty rosters are published at
    # least a month ahead and changed only for "exigencies of duty". Moving an officer to
    # another shift changes their rostered hours; lending keeps them (same hours, another
    # unit). A next-week plan therefore moves at most a quarter of any shift by default.
    roster_minimum_share: float = scenario_field(
        0.75, label="Roster minimum (kept in each shift)", kind="float", unit="share",
        minimum=0.0, maximum=1.0, display_scale=100.0, display_unit="%", step=5,
        group="Officers and shifts", cli="--roster-minimum",
        help="Each shift keeps at least this share of its static strength (whole officers "
             "rounded up); the rest may move to the unit's other shifts. Default 75%: rosters "
             "are published a month ahead and changed only for exigencies of duty (Police "
             "Regulations 2003, reg. 22), so next week's plan moves at most a quarter of a "
             "shift to other hours. 100% = no re-rostering (lending only).")
    # A policy choice. Without it the plan took 22 points of I-grade cover from an outer
    # borough's Saturday night (Richmond 72% -> 51%) for a London-wide gain of 0.0002; with
    # 5 points that gain is given up and no unit-shift loses more (docs/method-deployment.md).
    cover_loss_limit_points: float = scenario_field(
        5.0, label="Largest I-grade cover loss", kind="float", unit="points",
        display_unit="pts", minimum=0.0, maximum=100.0, decimals=1, step=1,
        group="Officers and shifts", cli="--cover-loss-limit",
        help="No unit-shift's I-grade share within standard may fall more than this many "
             "percentage points below its share under static staffing. Default 5: a policy "
             "choice that costs London 0.0002 of harm-weighted cover at 890 officers; 100 = "
             "no limit (the plan may move cover from a quiet place to a busier one).")
    max_lending_minutes: float = scenario_field(
        20.0, label="Maximum lending travel", kind="float", unit="minutes", display_unit="min",
        minimum=0.0, maximum=120.0, decimals=1, group="Lending and response",
        cli="--max-lending-minutes",
        help="Officers are only lent between units whose centres are within this blue-light "
             "travel time (0 = no lending). Default 20 min, so lent officers can still reach "
             "an I-grade call in their new unit within the standard.")
    blue_light_speed_kmh: float = scenario_field(
        30.0, label="Blue-light speed", kind="float", unit="km/h", minimum=0.0, maximum=120.0,
        open_min=True, decimals=1, group="Lending and response", cli="--blue-light-speed-kmh",
        help="Average emergency driving speed used for lending travel times. Default 30 "
             "km/h: a typical London blue-light average (seed report).")
    standards: tuple[ResponseStandard, ...] = scenario_field(
        DEFAULT_STANDARDS, label="Response standards", kind="standards",
        group="Lending and response",
        help="Response standard (minutes) and target share per call grade.")
    # Mean journey of a hotspot patrol visit (minutes); a response standard must exceed it.
    # Response travel itself comes from staffing and area (deploy/response.py), not from here.
    travel_minutes_to_scene: float = scenario_field(
        9.5, label="Travel to scene", kind="float", unit="minutes", display_unit="min",
        minimum=0.0, maximum=120.0,
        decimals=1, group="Lending and response", cli="--travel-minutes-to-scene",
        help="Mean journey of a hotspot patrol visit; each response standard must exceed it. "
             "Response travel to calls is modelled from free officers and borough area "
             "(Help → Method), not from this value.")
    # Not used by the queue-and-travel response model (deploy/response.ResponseModel holds
    # its spreads); kept so older project files still load.
    travel_time_shape: float = scenario_field(
        4.0, label="Travel-time shape", kind="float", unit="gamma shape", display_unit="",
        minimum=0.0,
        maximum=100.0, decimals=1, group="Lending and response",
        cli="--travel-time-shape",
        help="Kept so older projects load; the response model (deploy/response.py) holds its "
             "own travel-time spreads and does not use this value.")
    include_visitors: bool = scenario_field(
        True, label="Include commuters and visitors", kind="bool", group="Demand",
        cli="--include-visitors",
        help="Count commuters, students and visitors where they are each hour (census "
             "workplace flows + TfL station counts), not only residents.")
    demand_follows_population: bool = scenario_field(
        True, label="Demand follows population present", kind="bool", group="Demand",
        cli="--demand-follows-population",
        help="Scale each unit's hourly demand by the population present that hour (on) or "
             "use recorded crime only (off).")
    non_crime_multiplier: float = scenario_field(
        1.0 / (1.0 - 0.83), label="Calls per recorded crime", kind="float", unit="x",
        display_unit="×",
        minimum=1.0, maximum=50.0, decimals=2, step=0.1, group="Demand",
        cli="--non-crime-multiplier",
        help="Calls per recorded crime: demand includes calls that are not crimes. Default "
             "1/(1-0.83) ≈ 5.9 because 83% of calls are not crimes (seed report).")
    patrol_minutes_per_hotspot_visit: float = scenario_field(
        15.0, label="Minutes per hotspot visit", kind="float", unit="minutes",
        display_unit="min", minimum=0.0, maximum=120.0, group="Demand",
        cli="--patrol-minutes-per-hotspot-visit",
        help="Minutes per hotspot patrol visit. Default 15: Koper (1995) found 10-15 minute "
             "visits give the most residual deterrence.")
    hotspot_visits_per_hour: int = scenario_field(
        0, label="Hotspot patrol visits", kind="int", unit="per hour", minimum=0, maximum=60,
        group="Demand", cli="--hotspot-visits-per-hour",
        help="Hotspot patrol visits per unit per hour added to the requirement. Default 0 "
             "(off).")
    visibility_floor_per_borough: int = scenario_field(
        2, label="Visibility floor per unit", kind="int", unit="officers", minimum=0,
        maximum=100, group="Officers and shifts", cli="--visibility-floor",
        help="Minimum officers on duty in every unit every hour, whatever the demand. "
             "Default 2: a policy choice, not a model output.")
    # The rest goes on briefings, breaks, custody, court, training and other abstractions.
    # Calibrated: with 0.611, static staffing of 890 officers per shift reproduces the Met's
    # achieved S-grade performance (81.9% within 60 minutes, 12 months to Sep 2018) in the
    # queue-and-travel model (scripts/calibrate_response.py); comparable to call-centre
    # "shrinkage" of ~35-40%. See docs/method-deployment.md, calibration.
    officer_availability: float = scenario_field(
        0.611, label="Officer time free for calls", kind="float", unit="share", minimum=0.05,
        maximum=1.0, display_scale=100.0, display_unit="%", group="Lending and response",
        cli="--officer-availability",
        help="Share of an on-duty response officer's time free for calls. Default 61.1%: "
             "calibrated so static staffing reproduces the Met's 81.9% of S-grade calls "
             "within 60 minutes.")
    tfl_year: int = scenario_field(
        2019, label="TfL counts year", kind="int", unit="year", display_unit="", minimum=2017,
        maximum=2021,
        group="Demand", cli="--tfl-year",
        help="Year of the TfL station counts that time the commuters (2017-2021 in the "
             "pack; 2020-21 are the pandemic years). Default 2019.")
    extra: dict[str, Any] = scenario_field(
        default_factory=dict, label="Extra settings", kind="extra",
        help="Further named settings, e.g. the harm-weights CSV (harm_weights_csv).")

    def validate(self) -> "DeploymentScenario":
        """Raise ScenarioError naming the field and the allowed range (``FIELDS``), then
        check what involves several fields (shifts cover the day; standards > travel)."""
        for name, spec in FIELDS.items():
            spec.check(getattr(self, name))
        _check_day_types(self.day_types)
        _check_shifts(self.shifts)
        _check_standards(self.standards, self.travel_minutes_to_scene)
        _check_extra(self.extra)
        return self

    def with_changes(self, **changes: Any) -> "DeploymentScenario":
        return replace(self, **changes).validate()

    # --- serialisation (project files, reports) --------------------------------
    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["day_types"] = [d.value for d in self.day_types]
        data["shifts"] = [s.name for s in self.shifts]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "DeploymentScenario":
        """A validated scenario from parsed JSON; ScenarioError (never TypeError) otherwise."""
        if not isinstance(data, dict):
            raise ScenarioError("the scenario is not a JSON object",
                                expected='an object like {"name": ..., "officers_on_duty": ...}')
        unknown = sorted(str(k) for k in set(data) - set(FIELDS))
        if unknown:
            raise ScenarioError(f"unknown scenario fields {shown(unknown)}",
                                expected=f"only {sorted(FIELDS)}")
        values = {name: _from_json(FIELDS[name], value) for name, value in data.items()}
        return cls(**values).validate()


FIELDS = specs_of(DeploymentScenario)
"""Every scenario field's description, in declaration order: the single source that the
validation, the scenario form, the CLI options and the Assumptions labels read."""
STANDARD_FIELDS = specs_of(ResponseStandard)


def _from_json(spec: FieldSpec, value: Any) -> Any:
    """Reshape one JSON value (lists, strings) into the field's Python type."""
    if spec.kind == "day_types":
        items = _json_list(spec, value, "day type names")
        known = {d.value: d for d in DayType}
        if not all(isinstance(v, str) and v in known for v in items):
            raise spec.refuse(value, "names an unknown day type", f"a list of {_DAY_NAMES}")
        return tuple(known[v] for v in items)
    if spec.kind == "shifts":
        items = _json_list(spec, value, "shifts like \"07-15\"")
        if not all(isinstance(v, str) for v in items):
            raise spec.refuse(value, "is not a list of shifts", 'e.g. ["07-15", "15-23", "23-07"]')
        return tuple(Shift.parse(v) for v in items)
    if spec.kind == "standards":
        items = _json_list(spec, value, "response standards")
        return tuple(_standard_from_json(item) for item in items)
    if spec.kind == "extra" and not isinstance(value, dict):
        raise spec.refuse(value, "is not an object", "an object of named settings")
    return spec.from_json(value)


def _json_list(spec: FieldSpec, value: Any, what: str) -> list:
    if not isinstance(value, (list, tuple)):
        raise spec.refuse(value, "is not a list", f"a list of {what}")
    return list(value)


def _standard_from_json(item: Any) -> ResponseStandard:
    column = "standards"
    if not isinstance(item, dict) or set(item) != set(STANDARD_FIELDS):
        raise FIELDS[column].refuse(item, "is not a response standard",
                                    '{"grade": "I", "standard_minutes": 15, '
                                    '"target_share": 0.9}')
    return ResponseStandard(**{k: STANDARD_FIELDS[k].from_json(v) for k, v in item.items()})


def _check_day_types(day_types: Any) -> None:
    spec = FIELDS["day_types"]
    if not isinstance(day_types, tuple) or not all(isinstance(d, DayType) for d in day_types):
        raise spec.refuse(day_types, "is not a tuple of day types", f"a list of {_DAY_NAMES}")
    if not day_types:
        raise spec.refuse(day_types, "is empty", f"at least one day type ({_DAY_NAMES})")
    if len(set(day_types)) != len(day_types):
        raise spec.refuse(day_types, "repeats a day type", f"each of {_DAY_NAMES} at most once")


def _check_shifts(shifts: Any) -> None:
    spec = FIELDS["shifts"]
    if not isinstance(shifts, tuple) or not all(isinstance(s, Shift) for s in shifts):
        raise spec.refuse(shifts, "is not a tuple of shifts", "e.g. 07-15, 15-23, 23-07")
    if not shifts:
        raise spec.refuse(shifts, "is out of range", "at least one shift")
    covered = sorted(h for s in shifts for h in s.hours)
    if covered != list(range(24)):
        raise spec.refuse(",".join(s.name for s in shifts), "is out of range",
                          "shifts that cover each hour of the day exactly once")


def _check_standards(standards: Any, travel_minutes: float) -> None:
    spec = FIELDS["standards"]
    if not isinstance(standards, tuple) or not all(isinstance(s, ResponseStandard)
                                                   for s in standards):
        raise spec.refuse(standards, "is not a tuple of response standards")
    grades = [s.grade for s in standards]
    if len(set(grades)) != len(grades):
        raise spec.refuse(grades, "repeats a grade", "one standard per grade")
    for standard in standards:
        STANDARD_FIELDS["grade"].check(standard.grade, column="standards.grade")
        for name in ("standard_minutes", "target_share"):
            STANDARD_FIELDS[name].check(getattr(standard, name),
                                        column=f"standards.{standard.grade}.{name}")
        if standard.standard_minutes <= travel_minutes:
            raise STANDARD_FIELDS["standard_minutes"].refuse(
                standard.standard_minutes, "is out of range",
                f"more than the travel time to scene ({travel_minutes} min)",
                f"standards.{standard.grade}.standard_minutes")


EXTRA_MAX_DEPTH = 8
"""How deeply ``extra`` values may nest (notes, lists of settings), so that a value nested
thousands deep is refused by name instead of overflowing the stack downstream."""


def _check_extra(extra: Any) -> None:
    spec = FIELDS["extra"]
    if not isinstance(extra, dict) or not all(isinstance(k, str) for k in extra):
        raise spec.refuse(extra, "is not an object of named settings")
    for key, value in extra.items():
        _check_plain(spec, value, f"extra.{key}", 1)
    weights = extra.get(HARM_WEIGHTS_KEY)
    if weights is not None and not isinstance(weights, str):
        raise spec.refuse(weights, "is not a file path", "the path of a harm-weights CSV",
                          f"extra.{HARM_WEIGHTS_KEY}")


def _check_plain(spec: FieldSpec, value: Any, column: str, depth: int) -> None:
    """JSON-plain: text (at most 4,096 characters), a finite number, true/false, null, or
    lists/objects of those nested at most ``EXTRA_MAX_DEPTH`` deep."""
    expected = ("text, a finite number, true/false, null, or lists and objects of those "
                f"nested at most {EXTRA_MAX_DEPTH} deep")
    if isinstance(value, (list, tuple, dict)):
        if depth >= EXTRA_MAX_DEPTH:
            raise spec.refuse("…", f"is nested more than {EXTRA_MAX_DEPTH} deep", expected,
                              column)
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            if isinstance(value, dict) and not isinstance(key, str):
                raise spec.refuse(key, "is not a text key", expected, column)
            _check_plain(spec, item, f"{column}.{key}", depth + 1)
    elif isinstance(value, str):
        if len(value) > 4096:
            raise spec.refuse(value, f"is {len(value):,} characters long",
                              "text of at most 4,096 characters", column)
    elif not (value is None or isinstance(value, (bool, int))
              or (isinstance(value, float) and math.isfinite(value))):
        raise spec.refuse(value, "is not a plain value", expected, column)
