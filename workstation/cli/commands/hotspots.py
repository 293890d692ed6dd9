"""``workstation hotspots``: ranked patrol-sized hotspots (micro-places of at most 0.2 km²,
Gi*-significant, ranked by harm-weighted forecast), or with ``--clusters`` the whole Gi*
clusters (shipped lattice or police.uk files, any crime types)."""

from __future__ import annotations

import time

from workstation.cli.help import describe
from workstation.cli.output import print_json, print_table

TABLE_COLUMNS = ["rank", "name", "borough", "lsoa21_code", "nearest_station", "nearest_station_distance_m",
                 "area_m2", "forecast_incidents_per_month", "forecast_harm_per_month", "share_of_london_harm"]
CLUSTER_COLUMNS = ["hotspot_id", "borough", "area_m2", "incidents", "harm", "mean_z"]
DEFAULT_WINDOW_MONTHS = 12  # without --months: the latest year of data, the usual tasking horizon


DESCRIPTION = ("Patrol-sized hotspots: Getis-Ord Gi* on harm (ONS Crime Severity Score) finds "
               "the significant clusters (false discovery rate controlled), which are split into "
               "micro-places of at most 0.2 km² ranked by forecast harm per month, each named "
               "from police.uk street points with its nearest Tube station and LSOA. --clusters "
               "gives the whole Gi* clusters instead. Default data: the shipped police.uk "
               "burglary lattice, last 12 months.")
EXAMPLES = (
    'workstation hotspots --top 10',
    'workstation hotspots --horizon-months 3 --json > hotspots.json',
    'workstation hotspots --incidents 2024-01-metropolitan-street.csv --types Robbery --out hotspots.gpkg',
)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "hotspots", help="patrol-sized harm-weighted hotspots (Gi* significance, FDR, forecast rank)")
    describe(parser, DESCRIPTION, EXAMPLES)
    parser.add_argument("--incidents", nargs="+", metavar="PATH",
                        help="police.uk street CSV(s), folder or zip, any crime types "
                             "(default: the shipped burglary lattice)")
    parser.add_argument("--cell-m", type=float, default=None,
                        help="grid cell size in metres (default 100; 150 with --clusters)")
    parser.add_argument("--band-m", type=float, default=None,
                        help="Gi* distance band in metres (default: two cells)")
    parser.add_argument("--months", help="YYYY-MM..YYYY-MM Gi* window (default: the latest 12 months in the data)")
    parser.add_argument("--types", nargs="+", metavar="TYPE", help="crime types to keep (police.uk names)")
    parser.add_argument("--boroughs", nargs="+", metavar="GSS", help="GSS codes of boroughs to keep")
    parser.add_argument("--value", choices=("harm", "count"), default="harm",
                        help="--clusters only: run Gi* on harm (default) or on incident counts")
    parser.add_argument("--fdr-alpha", type=float, default=0.05, help="false discovery rate (default 0.05)")
    parser.add_argument("--weights", metavar="CSV", help="edited harm weights table (default: ONS CSS)")
    parser.add_argument("--horizon-months", type=int, choices=(1, 3, 6), default=1,
                        help="period the forecast ranking is for (default 1 month)")
    parser.add_argument("--max-area-m2", type=float, default=None,
                        help="largest micro-place in m² (default 200000, at most 250000)")
    parser.add_argument("--clusters", action="store_true",
                        help="list whole Gi* clusters (the pre-issue-16 output) instead of micro-places")
    parser.add_argument("--top", type=int, default=20, help="hotspots to print (default 20)")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.add_argument("--out", metavar="GPKG", help="write hotspots (and significant cells) to a GeoPackage")
    parser.set_defaults(func=run)


def run(args) -> int:
    from workstation.datapack import load_pack
    from workstation.errors import InputError
    from workstation.maps.counts import month_add, month_span, parse_month_range
    from workstation.maps.gistar import find_hotspots
    from workstation.maps.harm import load_harm_weights
    from workstation.maps.microplaces import MAX_AREA_M2, patrol_hotspots
    from workstation.maps.sources import load_counts, london_grid

    started = time.perf_counter()
    if args.top < 0:
        raise InputError(f"--top {args.top} must be >= 0")
    pack = load_pack(args.data)
    weights = load_harm_weights(args.weights) if args.weights else None
    counts = load_counts(args.incidents, pack=pack, weights=weights)
    span = counts.month_range()
    if span is None:
        raise InputError("no incidents with coordinates to map")
    months = (parse_month_range(args.months) if args.months
              else (max(span[0], month_add(span[1], 1 - DEFAULT_WINDOW_MONTHS)), span[1]))
    filtered = counts.filter(crime_types=args.types, boroughs=args.boroughs)
    selected = filtered.filter(months=months)
    if len(selected) == 0:
        raise InputError(f"no incidents in {months[0]}..{months[1]} with those filters",
                         hint=f"the data cover {span[0]}..{span[1]}")
    cell_m = args.cell_m if args.cell_m is not None else (150.0 if args.clusters else 100.0)
    grid = london_grid(pack, cell_m=cell_m)
    extra: dict = {}
    if args.clusters:
        result = find_hotspots(selected, grid, band_m=args.band_m, value=args.value,
                               fdr_alpha=args.fdr_alpha, n_months=month_span(*months))
        sig = result
        hotspots = result.hotspots
    else:
        # the forecast sees every month up to the window's end, the Gi* test only the window
        history = filtered.filter(months=(span[0], months[1]))
        result = patrol_hotspots(history, grid, pack=pack, months=months, horizon_months=args.horizon_months,
                                 max_area_m2=args.max_area_m2 or MAX_AREA_M2, band_m=args.band_m,
                                 fdr_alpha=args.fdr_alpha)
        sig = result.gistar
        hotspots = result.hotspots
        p = result.params
        extra = {"horizon_months": result.horizon_months, "history_months": list(result.history_months),
                 "max_area_m2": result.max_area_m2,
                 "london_forecast_harm_per_month": result.london_forecast_harm_per_month,
                 "forecast": p.to_dict(),   # the blend's parameters (model "decay_kde_blend")
                 "n_clusters": int(len(sig.hotspots))}
    if args.boroughs:
        # Gi* smears a borough's incidents into the cells just over its boundary; with a
        # borough filter, report only hotspots that lie (mostly) in the chosen boroughs.
        keep = hotspots["gss_code"].isin(args.boroughs).to_numpy()
        hotspots = hotspots[keep].reset_index(drop=True)
        if not args.clusters:
            hotspots["rank"] = range(1, len(hotspots) + 1)
    if args.out:
        _write_gpkg(args.out, hotspots, sig)
    seconds = time.perf_counter() - started
    table = hotspots.drop(columns="geometry")
    rows = table.head(args.top).to_dict(orient="records")
    if args.json:
        print_json({"kind": "clusters" if args.clusters else "patrol_hotspots",
                    "months": list(months), "cell_m": grid.cell_m, "band_m": sig.band_m,
                    "value": sig.value, "fdr_alpha": sig.fdr_alpha,
                    "incidents": selected.total_incidents, "harm": selected.total_harm,
                    "crime_types": sorted(set(selected.crime_type.astype(str))),
                    "hot_cells": int(sig.hot.sum()), "cold_cells": int(sig.cold.sum()),
                    "n_hotspots": int(len(table)), **extra, "hotspots": rows, "out": args.out,
                    "seconds": round(seconds, 3)})
        return 0
    if args.clusters:
        print_table(rows, CLUSTER_COLUMNS)
        print(f"# {len(table)} Gi* clusters ({int(sig.hot.sum())} hot, {int(sig.cold.sum())} cold cells) "
              f"from {selected.total_incidents:,.0f} incidents, {months[0]}..{months[1]}; "
              f"{grid.cell_m:g} m cells, Gi* band {sig.band_m:g} m on {sig.value}, "
              f"BH-FDR alpha {sig.fdr_alpha:g}; ranked by harm (ONS CSS weights)")
    else:
        for row in rows:
            row["share_of_london_harm"] = f"{row['share_of_london_harm']:.2%}"
        print_table(rows, TABLE_COLUMNS)
        print(f"# {len(table)} patrol hotspots (each <= {result.max_area_m2:,.0f} m²) split from "
              f"{extra['n_clusters']} Gi* clusters ({grid.cell_m:g} m cells, band {sig.band_m:g} m, "
              f"BH-FDR {sig.fdr_alpha:g}, {months[0]}..{months[1]}, {selected.total_incidents:,.0f} incidents); "
              f"ranked by forecast harm per month for the next {result.horizon_months} month(s)")
    print(f"# run time {seconds:.2f} s")
    return 0


def _write_gpkg(target: str, hotspots, sig) -> None:
    import os
    from pathlib import Path

    from workstation.atomic import atomic_path
    cells = sig.cells_frame()
    cells = cells[cells["hot"] | cells["cold"]].reset_index(drop=True)
    with atomic_path(Path(target)) as tmp:
        # GDAL insists on a .gpkg extension, so build beside the temporary file and swap in
        scratch = tmp.with_name(tmp.name + ".gpkg")
        try:
            hotspots.to_file(scratch, driver="GPKG", layer="hotspots")
            cells.to_file(scratch, driver="GPKG", layer="significant_cells")
            os.replace(scratch, tmp)
        finally:
            if scratch.exists():
                scratch.unlink()
