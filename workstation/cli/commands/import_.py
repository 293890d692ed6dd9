"""``workstation import PATH``: load a police.uk file/folder/zip or an incident table
and report every row (placed, or not placed and why). Writes nothing unless ``--into``."""

from __future__ import annotations

import argparse
import json

from workstation.cli.help import describe
from workstation.cli.output import print_json
from workstation.errors import InputError


DESCRIPTION = ('Load a police.uk CSV, folder or zip, or an incident table (CSV/XLSX/Parquet), and '
               'report every row: placed in a borough, or not placed and why. Writes nothing unless '
               '--into is given.')
EXAMPLES = (
    'workstation import 2024-01-metropolitan-street.csv',
    'workstation import cad_export.xlsx --mapping \'{"datetime": "Reported", "crime_type": "Offence"}\' --into myproject.incidents',
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import", help="check and summarise an incident file (police.uk CSV/folder/zip, "
        "CSV/XLSX/Parquet table)")
    describe(parser, DESCRIPTION, EXAMPLES)
    parser.add_argument("path", help="file, folder or zip to import")
    parser.add_argument("--into", metavar="FOLDER",
                        help="also save the import to this incident store folder "
                        "(e.g. myproject.incidents)")
    parser.add_argument("--mapping", metavar="JSON",
                        help='column mapping for tables, e.g. \'{"datetime": "Reported", '
                        '"crime_type": "Offence"}\'')
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from workstation.loaders import import_incidents
    from workstation.loaders.incidents import summary

    mapping = None
    if args.mapping:
        try:
            mapping = json.loads(args.mapping)
        except json.JSONDecodeError as exc:
            raise InputError(f"--mapping is not valid JSON ({exc.msg})",
                             expected='{"field": "column name"}') from exc
        if not isinstance(mapping, dict):
            raise InputError("--mapping must be a JSON object", expected='{"field": "column"}')
    from workstation.datapack import load_pack
    boroughs = load_pack(args.data).table("boroughs")   # the pack of --data, not the default
    incidents = import_incidents(args.path, mapping=mapping, boroughs=boroughs)
    result = summary(incidents)
    if args.into:
        from workstation.loaders.store import save_incidents
        result["saved_to"] = str(save_incidents(incidents, args.into))
    if args.json:
        print_json(result)
        return 0
    months = result["months"]
    print(f"rows:      {result['rows_total']:,} ({result['rows_placed']:,} placed, "
          f"{result['rows_unplaced']:,} not placed)")
    for reason, count in result["unplaced_reasons"].items():
        print(f"  not placed, {reason}: {count:,}")
    if result["rows_outside_london"]:
        print(f"  placed outside the 33 boroughs: {result['rows_outside_london']:,}")
    print(f"months:    {months['first']} .. {months['last']} ({months['count']})")
    print(f"forces:    {', '.join(f'{k} ({v:,})' for k, v in result['forces'].items()) or '-'}")
    print(f"types:     {', '.join(f'{k} ({v:,})' for k, v in result['crime_types'].items())}")
    for item in result["skipped_files"]:
        print(f"skipped:   {item['file']}: {item['reason']}")
    for warning in result["warnings"]:
        print(f"warning:   {warning}")
    if "saved_to" in result:
        print(f"saved to:  {result['saved_to']}")
    return 0
