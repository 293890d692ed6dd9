"""``workstation hotspots``: ranked harm-weighted Gi* hotspots (shipped lattice or police.uk files)."""

from __future__ import annotations

import time

from workstation.cli.help import describe
from workstation.cli.output import print_json, print_table

TABLE_COLUMNS = ["hotspot_id", "borough", "area_m2", "incidents", "harm", "mean_z"]
DEFAULT_WINDOW_MONTHS = 12  # without --months: the latest year of data, the usual tasking horizon


DESCRIPTION = ('Harm-weighted Getis-Ord Gi* hotspots on a regular grid, significance controlled by '
               'the false discovery rate, merged into hotspot polygons and ranked by harm (ONS Crime'
               ' Severity Score). Default data: the shipped police.uk burglary lattice, last 12 '
               'months.')
EXAMPLES = (
    'workstation hotspots --top 10',
    'workstation hotspots --incidents 2024-01-metropolitan-street.csv --types Robbery --out hotspots.gpkg',
)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "hotspots", help="harm-weighted Getis-Ord Gi* hotspots (FDR-controlled), ranked by harm")
    describe(parser, DESCRIPTION, EXAMPLES)
    parser.add_argument("--incidents", nargs="+", metavar="PATH",
                        help="police.uk street CSV(s), folder or zip (default: the shipped burglary lattice)")
    parser.add_argument("--cell-m", type=float, default=150.0, help="grid cell size in metres (default 150)")
    parser.add_argument("--band-m", type=float, default=None,
                        help="Gi* distance band in metres (default: two cells)")
    parser.add_argument("--months", help="YYYY-MM..YYYY-MM (default: the latest 12 months in the data)")
    parser.add_argument("--types", nargs="+", metavar="TYPE", help="crime types to keep (police.uk names)")
    parser.add_argument("--boroughs", nargs="+", metavar="GSS", help="GSS codes of boroughs to keep")
    parser.add_argument("--value", choices=("harm", "count"), default="harm",
                        help="run Gi* on harm (default) or on incident counts")
    parser.add_argument("--fdr-alpha", type=float, default=0.05, help="false discovery rate (default 0.05)")
    parser.add_argument("--weights", metavar="CSV", help="edited harm weights table (default: ONS CSS)")
    parser.add_argument("--top", type=int, default=20, help="hotspots to print (default 20)")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.add_argument("--out", metavar="GPKG", help="write hotspots (and significant cells) to a GeoPackage")
    parser.set_defaults(func=run)


def run(args) -> int:
    from workstation.datapack import load_pack
    from workstation.errors import InputError
    from workstation.maps.counts import month_add, parse_month_range
    from workstation.maps.gistar import find_hotspots
    from workstation.maps.harm import load_harm_weights
    from workstation.maps.sources import load_counts, london_grid

    started = time.perf_counter()
    if args.top < 0:
        raise InputError(f"--top {args.top} must be >= 0")
    pack = load_pack()
    weights = load_harm_weights(args.weights) if args.weights else None
    counts = load_counts(args.incidents, pack=pack, weights=weights)
    span = counts.month_range()
    if span is None:
        raise InputError("no incidents with coordinates to map")
    months = (parse_month_range(args.months) if args.months
              else (max(span[0], month_add(span[1], 1 - DEFAULT_WINDOW_MONTHS)), span[1]))
    selected = counts.filter(months=months, crime_types=args.types, boroughs=args.boroughs)
    if len(selected) == 0:
        raise InputError(f"no incidents in {months[0]}..{months[1]} with those filters",
                         hint=f"the data cover {span[0]}..{span[1]}")
    grid = london_grid(pack, cell_m=args.cell_m)
    from workstation.maps.counts import month_span
    result = find_hotspots(selected, grid, band_m=args.band_m, value=args.value,
                           fdr_alpha=args.fdr_alpha, n_months=month_span(*months))
    if args.boroughs:
        # Gi* smears a borough's incidents into the cells just over its boundary; with a
        # borough filter, report only hotspots that lie (mostly) in the chosen boroughs.
        import dataclasses
        keep = result.hotspots["gss_code"].isin(args.boroughs).to_numpy()
        result = dataclasses.replace(result, hotspots=result.hotspots[keep].reset_index(drop=True))
    if args.out:
        _write_gpkg(args.out, result)
    seconds = time.perf_counter() - started
    table = result.hotspots.drop(columns="geometry")
    rows = table.head(args.top).to_dict(orient="records")
    if args.json:
        print_json({"months": list(months), "cell_m": grid.cell_m, "band_m": result.band_m,
                    "value": result.value, "fdr_alpha": result.fdr_alpha,
                    "incidents": selected.total_incidents, "harm": selected.total_harm,
                    "hot_cells": int(result.hot.sum()), "cold_cells": int(result.cold.sum()),
                    "n_hotspots": int(len(table)), "hotspots": rows, "out": args.out,
                    "seconds": round(seconds, 3)})
    else:
        print_table(rows, TABLE_COLUMNS)
        print(f"# {len(table)} hotspots ({int(result.hot.sum())} hot, {int(result.cold.sum())} cold cells) "
              f"from {selected.total_incidents:,.0f} incidents, {months[0]}..{months[1]}; "
              f"{grid.cell_m:g} m cells, Gi* band {result.band_m:g} m on {result.value}, "
              f"BH-FDR alpha {result.fdr_alpha:g}; ranked by harm (ONS CSS weights)")
        print(f"# run time {seconds:.2f} s")
    return 0


def _write_gpkg(target: str, result) -> None:
    import os
    from pathlib import Path

    from workstation.atomic import atomic_path
    cells = result.cells_frame()
    cells = cells[cells["hot"] | cells["cold"]].reset_index(drop=True)
    with atomic_path(Path(target)) as tmp:
        # GDAL insists on a .gpkg extension, so build beside the temporary file and swap in
        scratch = tmp.with_name(tmp.name + ".gpkg")
        try:
            result.hotspots.to_file(scratch, driver="GPKG", layer="hotspots")
            cells.to_file(scratch, driver="GPKG", layer="significant_cells")
            os.replace(scratch, tmp)
        finally:
            if scratch.exists():
                scratch.unlink()
