"""A deployment scenario: every editable input behind a recommendation, in one plain,
validated, serialisable object. The app's scenario panel edits it, the project file
stores it, and every report prints it (a published method, not a black box).

Defaults cite their basis; see docs/method.md.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

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
                                expected="e.g. 07-15") from exc
        if not (0 <= start <= 23 and 0 <= end <= 24):
            raise ScenarioError(f"shift '{text}' has hours outside 0-24", expected="e.g. 07-15")
        return cls(start, end % 24)


DEFAULT_SHIFTS = (Shift(7, 15), Shift(15, 23), Shift(23, 7))


@dataclass(frozen=True, slots=True)
class ResponseStandard:
    """Met grading: I (immediate) 15 min, S (significant) 60 min; target shares."""

    grade: str
    standard_minutes: float
    target_share: float


DEFAULT_STANDARDS = (
    # Met targets: 90% of I-grade within 15 minutes (achieved 86.9%, 12 months to Sep 2018);
    # S-grade within 60 minutes (achieved 81.9%). Seed report / HMICFRS PEEL 2018/19.
    ResponseStandard("I", 15.0, 0.90),
    ResponseStandard("S", 60.0, 0.90),
)


@dataclass(frozen=True, slots=True)
class DeploymentScenario:
    name: str = "Baseline"
    day_types: tuple[DayType, ...] = (DayType.WEEKDAY, DayType.SATURDAY, DayType.SUNDAY)
    # Response officers on duty across London per shift (sum over the 32 Met boroughs)
    # unless a strength table is given. Basis: the seed report's borough had 139 emergency
    # response officers in five teams, i.e. ~28 on duty per shift; x 32 boroughs = 890.
    # Default split across boroughs: see docs/method-deployment.md.
    officers_on_duty: int = 890
    strength_csv: str | None = None
    shifts: tuple[Shift, ...] = DEFAULT_SHIFTS
    units: str = "borough"  # "borough" or "bcu"
    floor_share: float = 0.75  # each unit keeps at least this share of its own officers
    max_lending_minutes: float = 20.0
    blue_light_speed_kmh: float = 30.0
    standards: tuple[ResponseStandard, ...] = DEFAULT_STANDARDS
    # Mean journey of a hotspot patrol visit (minutes); a response standard must exceed it.
    # Response travel itself comes from staffing and area (deploy/response.py), not from here.
    travel_minutes_to_scene: float = 9.5
    # Not used by the queue-and-travel response model (deploy/response.ResponseModel holds
    # its spreads); kept so older project files still load.
    travel_time_shape: float = 4.0
    include_visitors: bool = True
    demand_follows_population: bool = True
    non_crime_multiplier: float = 1.0 / (1.0 - 0.83)  # seed: 83% of calls are not crimes
    patrol_minutes_per_hotspot_visit: float = 15.0  # Koper (1995): 10-15 minute visits
    hotspot_visits_per_hour: int = 0
    visibility_floor_per_borough: int = 2  # policy choice, not a model output
    # Share of an on-duty response officer's time free for calls: the rest goes on briefings,
    # refreshment breaks, custody, court, training and other abstractions. Calibrated: with
    # 0.611, static staffing of 890 officers per shift reproduces the Met's achieved S-grade
    # performance (81.9% within 60 minutes, 12 months to Sep 2018) in the queue-and-travel
    # model (scripts/calibrate_response.py); comparable to call-centre "shrinkage" of ~35-40%.
    # See docs/method-deployment.md, calibration.
    officer_availability: float = 0.611
    tfl_year: int = 2019
    extra: dict[str, Any] = field(default_factory=dict)

    def validate(self) -> "DeploymentScenario":
        """Raise ScenarioError naming the field and the allowed range."""
        def bad(name: str, value: Any, expected: str) -> None:
            raise ScenarioError(f"scenario value {name} = {value!r} is out of range",
                                column=name, expected=expected)
        if self.officers_on_duty < 0:
            bad("officers_on_duty", self.officers_on_duty, "0 or more officers")
        if not 0.0 <= self.floor_share <= 1.0:
            bad("floor_share", self.floor_share, "a share between 0 and 1")
        if self.max_lending_minutes < 0:
            bad("max_lending_minutes", self.max_lending_minutes, "0 or more minutes")
        if self.blue_light_speed_kmh <= 0:
            bad("blue_light_speed_kmh", self.blue_light_speed_kmh, "a speed above 0 km/h")
        if self.units not in ("borough", "bcu"):
            bad("units", self.units, "'borough' or 'bcu'")
        if not self.shifts:
            bad("shifts", self.shifts, "at least one shift")
        covered = sorted(h for s in self.shifts for h in s.hours)
        if covered != list(range(24)):
            bad("shifts", ",".join(s.name for s in self.shifts),
                "shifts that cover each hour of the day exactly once")
        for standard in self.standards:
            if standard.standard_minutes <= 0:
                bad(f"standards.{standard.grade}.standard_minutes", standard.standard_minutes,
                    "a response standard above 0 minutes")
            if not 0.0 < standard.target_share < 1.0:
                bad(f"standards.{standard.grade}.target_share", standard.target_share,
                    "a target share strictly between 0 and 1")
            if standard.standard_minutes <= self.travel_minutes_to_scene:
                bad(f"standards.{standard.grade}.standard_minutes", standard.standard_minutes,
                    f"more than the travel time to scene ({self.travel_minutes_to_scene} min)")
        if self.travel_time_shape < 0:
            bad("travel_time_shape", self.travel_time_shape, "0 (fixed) or a positive shape")
        if self.travel_minutes_to_scene < 0:
            bad("travel_minutes_to_scene", self.travel_minutes_to_scene, "0 or more minutes")
        if self.non_crime_multiplier < 1.0:
            bad("non_crime_multiplier", self.non_crime_multiplier, "1.0 or more")
        if not 0.05 <= self.officer_availability <= 1.0:
            bad("officer_availability", self.officer_availability, "a share between 0.05 and 1")
        if self.visibility_floor_per_borough < 0:
            bad("visibility_floor_per_borough", self.visibility_floor_per_borough, "0 or more")
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
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ScenarioError(f"unknown scenario fields {unknown}",
                                expected=f"only {sorted(known)}")
        values = dict(data)
        try:
            if "day_types" in values:
                values["day_types"] = tuple(DayType(v) for v in values["day_types"])
            if "shifts" in values:
                values["shifts"] = tuple(Shift.parse(s) for s in values["shifts"])
            if "standards" in values:
                values["standards"] = tuple(ResponseStandard(**s) for s in values["standards"])
        except (ValueError, TypeError) as exc:
            raise ScenarioError(f"scenario cannot be read: {exc}") from exc
        return cls(**values).validate()
