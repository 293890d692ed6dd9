"""Figure for docs/method-deployment.md: I-grade share within 15 minutes against officers on
duty, for three boroughs of different size, from the queue-and-travel response model.

Each borough's weekday demand (I-grade incidents by hour) is answered by the same number of
officers on duty in every hour; the share is weighted over the day by I-grade incidents.
The dashed line is the ceiling (dispatch delay alone), the dotted line the 90% target.

    PYTHONPATH=. .venv/bin/python scripts/figure_response.py [--out docs/figure-response.png]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def main() -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from workstation.datapack import load_pack
    from workstation.deploy.recommend import demand_for
    from workstation.deploy.requirement import ShareTables
    from workstation.deploy.response import DEFAULT_RESPONSE
    from workstation.deploy.scenario import DeploymentScenario
    from workstation.deploy.units import planning_units
    from workstation.domain import DayType

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "docs"
                                              / "figure-response.png"))
    args = parser.parse_args()
    pack = load_pack()
    scenario = DeploymentScenario()
    units = planning_units(pack)
    demand = demand_for(pack, scenario, units, all_day_types=True)
    officers = np.arange(0, 121)
    tables = ShareTables(demand, scenario, officers=int(officers.max()))
    d = demand.index(DayType.WEEKDAY)
    grid = tables.share_grid("I", int(officers.max()), d)          # (units, 24, officers)
    weight = demand.immediate_per_hour[:, d]
    fig, ax = plt.subplots(figsize=(7.0, 4.2), dpi=120)
    for name in ("Westminster", "Lambeth", "Bromley"):
        u = units.names.index(name)
        share = (grid[u] * weight[u][:, None]).sum(axis=0) / weight[u].sum()
        ax.plot(officers, 100 * share,
                label=f"{name} ({demand.area_km2[u]:.0f} km², "
                      f"{weight[u].sum():.0f} I-grade calls a weekday)")
    ceiling = 100 * DEFAULT_RESPONSE.ceiling(15.0)
    ax.axhline(ceiling, ls="--", c="grey", lw=1)
    ax.text(1, ceiling + 0.6, f"ceiling {ceiling:.0f}% (dispatch delay alone)", color="grey",
            fontsize=8)
    ax.axhline(90, ls=":", c="black", lw=1)
    ax.text(1, 90.6, "target 90%", fontsize=8)
    ax.set_xlabel("officers on duty (every hour of a weekday)")
    ax.set_ylabel("I-grade calls reached within 15 min (%)")
    ax.set_ylim(40, 100)
    ax.set_xlim(0, officers.max())
    ax.set_title("Response model: staffing and area both move the I-grade share", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
