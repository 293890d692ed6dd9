"""Run the index from file paths and turn one month of it into a JSON-ready payload."""

from __future__ import annotations

import math

import numpy as np

from workstation.exports.partner_safe import DisclosurePolicy
from workstation.maps.harm import load_harm_weights
from workstation.safety.index import (CITY_TARGET_SCORE, MIN_WEIGHT_SHARE, POINTS_PER_DOUBLING,
                                      SCORE_AT_REFERENCE, TARGET_SCORE, BASE_WINDOW_END,
                                      SafetyIndex, compute_index, load_level_inputs, month_add)
from workstation.safety.weights import load_custom_domain, load_domain_weights


def run_index(pack, level: str, *, weights_path=None, harm_weights_path=None,
              domain_paths=(), policy: DisclosurePolicy = DisclosurePolicy(),
              target: float | None = None) -> SafetyIndex:
    """Read every CSV first (so a bad file fails before any work), then score."""
    weights = load_domain_weights(weights_path)
    harm = load_harm_weights(harm_weights_path) if harm_weights_path else None
    custom = [load_custom_domain(p) for p in domain_paths]
    inputs = load_level_inputs(pack, level, harm_weights=harm)
    return compute_index(inputs, weights, custom, policy=policy,
                         target=TARGET_SCORE if target is None else target,
                         wards=pack.table("safety_wards"), lsoas=pack.table("safety_lsoa"))


def _num(value, digits: int = 3):
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else round(value, digits)


def index_payload(index: SafetyIndex, month: str | None = None) -> dict:
    """Everything a partner needs to read and check one month of the index."""
    m = index.month_index(month)
    month = index.months[m]
    table = index.table(month)
    total_w = sum(index.weights[d] for d in index.domains)
    weights = [{"domain": d, "label": index.specs[d].label, "weight": index.weights[d],
                "share": index.weights[d] / total_w if d in index.domains else 0.0,
                "basis": index.weight_basis.get(d, ""), "unit": index.specs[d].unit,
                "direction": index.specs[d].direction,
                "london_reference": _num(index.references.get(d)),
                "data_note": index.notes.get(d, "")}
               for d in index.specs]
    areas, not_scored = [], []
    for row in table.itertuples(index=False):
        r = row._asdict()
        if not r["scored"]:
            missing = [d for d in index.domains if math.isnan(r[f"score_{d}"])]
            i = index.inputs.codes.index(r["area_code"])
            if math.isnan(r["residents"]):
                reason = "no resident population assigned (no LSOA matched its crime counts)"
            elif not index.inputs.has_crime[i]:
                reason = "no Met crime data"
            else:
                reason = f"domains holding less than {MIN_WEIGHT_SHARE:.0%} of the weight"
            not_scored.append({"area_code": r["area_code"], "name": r["name"],
                               "reason": reason, "missing_domains": missing})
            continue
        domains = {}
        for d in index.domains:
            s = r[f"score_{d}"]
            if math.isnan(s):
                domains[d] = None
                continue
            suppressed = bool(r[f"suppressed_{d}"])
            domains[d] = {"score": _num(s, 2), "weight": _num(r[f"weight_{d}"], 4),
                          "contribution": _num(r[f"contribution_{d}"], 3),
                          "value": None if suppressed else _num(r[f"value_{d}"], 3),
                          "suppressed": suppressed}
        scored_domains = {d: v for d, v in domains.items() if v}
        weakest = min(scored_domains, key=lambda d: scored_domains[d]["score"])
        areas.append({
            "area_code": r["area_code"], "name": r["name"], "borough_code": r["borough_code"],
            "residents": int(r["residents"]), "score": _num(r["score"], 2),
            "rank": int(r["rank"]), "below_target": bool(r["below_target"]),
            "score_last_year": _num(r["score_last_year"], 2),
            "change_vs_last_year": _num(r["change_vs_last_year"], 2),
            "trend_per_year": _num(r["trend_per_year"], 2),
            "weakest_domain": weakest, "domains": domains})
    scored = table[table["scored"]]
    return {
        "level": index.inputs.level, "month": month,
        "window": [month_add(month, -11), month],
        "months_available": [index.months[0], index.months[-1]],
        "scale": {"min": 0, "max": 10, "score_at_london_reference": SCORE_AT_REFERENCE,
                  "points_per_doubling": POINTS_PER_DOUBLING, "reference_window_end": BASE_WINDOW_END,
                  "formula": "clip(7 - 3*log2(value/london_reference), 0, 10); higher-is-better "
                             "domains +3*log2; percentages on their shortfall from 100%"},
        "target": index.target, "city_target": CITY_TARGET_SCORE,
        "partner_safe": index.policy.partner_safe, "disclosure_note": index.policy.note + (
            " Counts below the threshold are scored as half the threshold." if
            index.policy.partner_safe else ""),
        "weights": weights,
        "summary": {"areas": int(len(table)), "scored": int(len(scored)),
                    "below_target": int(scored["below_target"].sum()),
                    "london_score": _num(index.london_score(month), 2),
                    "london_score_last_year": (_num(index.london_score(index.months[m - 12]), 2)
                                               if m >= 12 else None),
                    "city_target_met": bool(index.london_score(month) >= CITY_TARGET_SCORE),
                    "suppressed_domain_scores": int(sum(int(np.nansum(
                        scored[f"suppressed_{d}"].to_numpy(bool))) for d in index.domains))},
        "below_target": [a["area_code"] for a in sorted(areas, key=lambda a: a["score"])
                         if a["below_target"]],
        "basis": list(index.inputs.basis),
        "areas": areas, "not_scored": not_scored,
    }
