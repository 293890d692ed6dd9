"""Risk of a unit-shift under the plan, as fields (level, reason), and the sentences built
from them.

Risk is judged against the officers needed and the user's targets, not only against static
staffing: a unit-shift short of the officers it needs is never "no added risk". Targets are
never changed; where one cannot be reached at any staffing (the response model's ceiling is
below it), the risk is judged against the ceiling and the note says so.
"""

from __future__ import annotations

from dataclasses import dataclass

RISK_LEVELS = ("HIGH", "MEDIUM", "LOW", "NONE")
# A share within this of the ceiling counts as "as good as staffing can make it".
CEILING_TOLERANCE = 0.01
# Changes in share smaller than this are not called a loss of cover.
LOSS_TOLERANCE = 0.005


@dataclass(frozen=True, slots=True)
class GradeTarget:
    """A grade's standard, the user's target and the best share reachable at any staffing."""

    grade: str
    standard_minutes: float
    target_share: float
    ceiling: float

    @property
    def reachable(self) -> bool:
        return self.ceiling >= self.target_share

    def note(self) -> str:
        """Empty when reachable; else the sentence shown next to every number."""
        if self.reachable:
            return ""
        return (f"target {100 * self.target_share:.0f}% not reachable here: ceiling "
                f"{100 * self.ceiling:.0f}% at this travel time")

    def falls_short(self, share: float) -> bool:
        """Below the target, or (target out of reach) clearly below the ceiling."""
        if self.reachable:
            return share < self.target_share
        return share < self.ceiling - CEILING_TOLERANCE


@dataclass(frozen=True, slots=True)
class Risk:
    level: str      # one of RISK_LEVELS
    reason: str     # short plain text


def assess_risk(*, plan_i: float, static_i: float, plan_s: float, static_s: float,
                final: int, required: int, worst_hour: int, worst_gap: int,
                target_i: GradeTarget, target_s: GradeTarget) -> Risk:
    """HIGH: I-grade falls short of its target (or ceiling). MEDIUM: short of the officers
    needed in some hour, or S-grade short of its target. LOW: loses cover against static
    staffing but meets targets and need. NONE: otherwise."""
    notes = [t.note() for t in (target_i, target_s) if t.note()]
    suffix = f" ({'; '.join(notes)})" if notes else ""
    short = (f"{worst_gap} officers short of need at {worst_hour:02d}:00"
             if worst_gap > 0 else "")
    if target_i.falls_short(plan_i):
        reason = f"I-grade {_pct(plan_i, against=_goal_share(target_i))} below {_goal(target_i)}"
        return Risk("HIGH", _join(reason, short) + suffix)
    if worst_gap > 0 or target_s.falls_short(plan_s):
        parts = [short] if short else []
        if target_s.falls_short(plan_s):
            parts.append(f"S-grade {_pct(plan_s, against=_goal_share(target_s))} below "
                         f"{_goal(target_s)}")
        return Risk("MEDIUM", "; ".join(parts) + suffix)
    if plan_i < static_i - LOSS_TOLERANCE or plan_s < static_s - LOSS_TOLERANCE:
        return Risk("LOW", f"loses cover against static staffing (I-grade {_pct(static_i)} -> "
                           f"{_pct(plan_i)}, S-grade {_pct(static_s)} -> {_pct(plan_s)}) but "
                           f"has the {required} officers needed and meets the targets" + suffix)
    return Risk("NONE", f"has the {required} officers needed and meets the targets" + suffix)


def _pct(share: float, *, against: float | None = None) -> str:
    """Whole percent, or one decimal where whole percent would hide the gap to ``against``
    ("89.6% below the 90% target", never "90% below the 90% target")."""
    whole = f"{100 * share:.0f}%"
    if against is not None and share < against and whole == f"{100 * against:.0f}%":
        return f"{100 * share:.1f}%" if f"{100 * share:.1f}" != f"{100 * against:.1f}" \
            else f"{100 * share:.2f}%"
    return whole


def _goal_share(target: GradeTarget) -> float:
    return target.target_share if target.reachable else target.ceiling


def _goal(target: GradeTarget) -> str:
    if target.reachable:
        return f"the {_pct(target.target_share)} target"
    return f"its ceiling of {_pct(target.ceiling)}"


def _join(*parts: str) -> str:
    return ", ".join(p for p in parts if p)


def statement(*, name: str, day: str, shift: str, static: int, final: int, lent: int,
              borrowed: int, static_i: float, plan_i: float, static_s: float, plan_s: float,
              risk: Risk) -> str:
    """One sentence a commander can read out, built from the plan's fields and its risk."""
    moves = [f"lends {lent}"] * bool(lent) + [f"borrows {borrowed}"] * bool(borrowed)
    change = final - static
    what = (f"{name}, {day} {shift}: {final} officers against {static} under static staffing"
            f" ({change:+d}{'; ' + ', '.join(moves) if moves else ''}).")
    cover = (f" Within standard: I-grade {_pct(static_i)} -> {_pct(plan_i)},"
             f" S-grade {_pct(static_s)} -> {_pct(plan_s)}.")
    level = "no added risk" if risk.level == "NONE" else f"{risk.level} risk"
    return f"{what}{cover} Risk: {level}, {risk.reason}."
