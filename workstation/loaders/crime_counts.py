"""Recorded-crime counts in the Met's three published layouts, as one long borough table.

The London Datastore publishes the same recorded offences at three levels, each wide (one
column per month ``YYYYMM``):

* **borough** — "MPS Borough Level Crime": ``MajorText, MinorText, LookUp_BoroughName``;
* **ward** — "Recorded Crime: Geographic Breakdown", ward level: ``wardcode, wardname,
  lookup_boroughname, majortext, minortext`` (upper-case offence names);
* **LSOA** — the same at LSOA level: ``lsoa_code, lsoa_name, borough`` (ONS code),
  ``major_category, minor_category``.

Ward and LSOA rows are summed to their borough, so a newer month's file can be scored
(``workstation backtest --crime-counts FILE``) without rebuilding the pack. Offence names
are mapped onto the borough file's spelling, so demand types and harm weights match.

Published differences that stay visible (the reader does not hide them): ward totals run
2-3% below the borough file (offences not placed in a ward); the LSOA file has no sexual
offences; the Met's "Aviation Security (SO18)" / airports pseudo-borough cannot be split
between Hillingdon and Newham and is dropped (its total is kept in ``dropped``). A month
whose London total is under a fifth of the file's median month is treated as not held
(the LSOA file's 2024-02 holds 39 offences): it is listed in ``incomplete_months``.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workstation.errors import InputError

LAYOUTS = {
    "borough": {"area": "lookup_boroughname", "major": "majortext", "minor": "minortext",
                "keys": ("majortext", "minortext", "lookup_boroughname")},
    "ward": {"area": "lookup_boroughname", "major": "majortext", "minor": "minortext",
             "keys": ("wardcode", "wardname", "lookup_boroughname", "majortext", "minortext")},
    "lsoa": {"area": "borough", "major": "major_category", "minor": "minor_category",
             "keys": ("lsoa_code", "lsoa_name", "borough", "major_category", "minor_category")},
}
NON_BOROUGH_AREAS = ("aviation security", "london heathrow and london city airports")
# A month whose total is below this share of the file's median month is not held.
INCOMPLETE_MONTH_SHARE = 0.2
MONTH_COLUMN = re.compile(r"(19|20)\d{2}(0[1-9]|1[0-2])")

# Offence groups (MajorText) in the borough file's spelling, keyed by case-folded name.
MAJOR_NAMES = {name.casefold(): name for name in (
    "Arson and Criminal Damage", "Burglary", "Drug Offences", "Historical Fraud and Forgery",
    "Miscellaneous Crimes Against Society", "Possession of Weapons", "Public Order Offences",
    "Robbery", "Sexual Offences", "Theft", "Vehicle Offences", "Violence Against the Person")}
MAJOR_NAMES["fraud and forgery"] = "Historical Fraud and Forgery"
MAJOR_NAMES["nfib fraud"] = "NFIB Fraud"       # Action Fraud; no demand type: not attended
# Ward/LSOA subgroup names that differ from the borough file's (for harm weights).
MINOR_NAMES = {
    "burglary - residential": "Domestic Burglary",
    "res burglary of a home": "Domestic Burglary",
    "domestic burglary": "Domestic Burglary",
    "res burglary of unconnected building": "Burglary Business and Community",
    "theft from the person": "Theft from Person",
    "theft from a vehicle": "Theft from a Motor Vehicle",
    "theft or unauth taking of a motor veh": "Theft or Taking of a Motor Vehicle",
    "other offences public order": "Other Offences Against the State, or Public Order",
    "race or religious agg public fear": "Racially or Religiously Aggravated Public Fear, Al",
    "misc crimes against society": "Other Notifiable Offences",
    "trafficking of drugs": "Drug Trafficking",
    "possession of weapons": "Possession of Other Weapon",
    "death serious injury illegal driving": "Dangerous Driving",
    "fraud and forgery": "Historical Fraud and Forgery",
    "stalking and harassment": "Violence without Injury",
}


@dataclass(frozen=True)
class CrimeCounts:
    """Offences per borough, month and offence group/subgroup from one file."""

    path: str
    layout: str                       # "borough", "ward" or "lsoa"
    table: pd.DataFrame               # gss_code, month (YYYY-MM), major_text, minor_text, offences
    months: tuple[str, ...]           # months held (incomplete ones excluded)
    incomplete_months: tuple[str, ...]
    dropped: dict                     # non-borough area -> offences dropped
    source_offences: int              # every count in the file, before dropping anything


def _normalise(text: str) -> str:
    text = str(text).casefold().replace("&", " and ")
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    return " ".join(text.split())


def _read_header(path: Path) -> list[str]:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
            line = handle.readline()
    except (OSError, EOFError) as exc:
        raise InputError(f"cannot read the file ({exc})", path=path) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", path=path, hint="Save it as CSV UTF-8") from None
    return [c.strip().strip('"') for c in line.rstrip("\r\n").split(",")]


def detect_layout(header: list[str]) -> str | None:
    """'borough', 'ward' or 'lsoa' from a header, or None."""
    lowered = {c.casefold() for c in header}
    for name in ("ward", "lsoa", "borough"):
        if set(LAYOUTS[name]["keys"]) <= lowered:
            return name
    return None


def read_crime_counts(path: str | Path, boroughs: pd.DataFrame) -> CrimeCounts:
    """Read one file in any of the three layouts; ``boroughs`` has gss_code and name."""
    path = Path(path)
    if not path.is_file():
        raise InputError("crime counts file not found", path=path,
                         expected="a Met recorded-crime CSV (borough, ward or LSOA layout)")
    header = _read_header(path)
    layout = detect_layout(header)
    if layout is None:
        raise InputError("not a Met recorded-crime file", path=path, row=1,
                         expected="the borough (MajorText, MinorText, LookUp_BoroughName), "
                                  "ward (wardcode, ..., majortext, minortext) or LSOA "
                                  "(lsoa_code, ..., major_category, minor_category) layout "
                                  "with one YYYYMM column per month")
    spec = LAYOUTS[layout]
    by_lower = {c.casefold(): c for c in header}
    month_columns = [c for c in header if MONTH_COLUMN.fullmatch(c)]
    others = [c for c in header if c.casefold() not in spec["keys"] and c not in month_columns]
    if others:
        raise InputError(f"unexpected column '{others[0]}'", path=path, row=1, column=others[0],
                         expected="month columns named YYYYMM after the key columns")
    if not month_columns:
        raise InputError("no month columns", path=path, row=1, expected="columns named YYYYMM")
    wide = pd.read_csv(path, dtype={by_lower[k]: str for k in spec["keys"]})
    wide.columns = [c.casefold() if c.casefold() in spec["keys"] else c for c in wide.columns]
    values = wide[month_columns].apply(pd.to_numeric, errors="coerce")
    bad = values.isna() | (values < 0)
    if bad.any().any():
        row, col = next(zip(*bad.to_numpy().nonzero()))
        raise InputError(f"'{wide.iloc[row][month_columns[col]]}' is not a count",
                         path=path, row=int(row) + 2, column=month_columns[col],
                         expected="a whole number of offences, 0 or more")
    area = wide[spec["area"]].fillna("").astype(str).str.strip()
    codes = boroughs["gss_code"].astype(str)
    if layout == "lsoa":
        gss = area.where(area.isin(set(codes)))
    else:
        by_name = dict(zip(boroughs["name"].map(_normalise), codes))
        gss = area.map(_normalise).map(by_name)
    non_borough = area.map(_normalise).map(lambda a: any(a.startswith(n) for n in NON_BOROUGH_AREAS))
    unknown = gss.isna() & ~non_borough
    if unknown.any():
        row = int(unknown.to_numpy().nonzero()[0][0])
        raise InputError(f"'{area.iloc[row]}' is not a London borough", path=path,
                         row=row + 2, column=spec["area"],
                         expected="a borough name" if layout != "lsoa" else "a borough ONS code (E09...)")
    totals = values.sum()
    dropped = {}
    for name in sorted(set(area[non_borough])):
        dropped[name] = int(values[area == name].to_numpy().sum())
    major = wide[spec["major"]].fillna("").astype(str).str.strip()
    canonical = major.str.casefold().map(MAJOR_NAMES)
    if canonical[~non_borough].isna().any():
        row = int((canonical.isna() & ~non_borough).to_numpy().nonzero()[0][0])
        raise InputError(f"unknown offence group '{major.iloc[row]}'", path=path, row=row + 2,
                         column=spec["major"],
                         expected="one of the Met's offence groups, e.g. Theft, Burglary")
    minor = wide[spec["minor"]].fillna("").astype(str).str.strip()
    minor = minor.map(lambda m: MINOR_NAMES.get(m.casefold(), m if not m.isupper() else m.capitalize()))
    keep = ~non_borough
    long = pd.DataFrame({"gss_code": gss[keep], "major_text": canonical[keep],
                         "minor_text": minor[keep]})
    long = pd.concat([long, values[keep]], axis=1).melt(
        id_vars=["gss_code", "major_text", "minor_text"], var_name="yyyymm",
        value_name="offences")
    long = long[long["offences"] > 0]
    long["month"] = long["yyyymm"].str[:4] + "-" + long["yyyymm"].str[4:]
    table = (long.groupby(["gss_code", "month", "major_text", "minor_text"], as_index=False)
             ["offences"].sum().astype({"offences": "int64"}))
    median = float(totals.median())
    incomplete = tuple(f"{c[:4]}-{c[4:]}" for c in month_columns
                       if totals[c] < INCOMPLETE_MONTH_SHARE * median)
    table = table[~table["month"].isin(incomplete)].reset_index(drop=True)
    months = tuple(sorted({f"{c[:4]}-{c[4:]}" for c in month_columns} - set(incomplete)))
    return CrimeCounts(str(path), layout, table, months, incomplete, dropped,
                       int(totals.sum()))


def month_range(first: str, last: str) -> list[str]:
    """Months first..last inclusive, 'YYYY-MM'."""
    for text in (first, last):
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
            raise InputError(f"'{text}' is not a month", expected="YYYY-MM, e.g. 2022-02")
    if last < first:
        raise InputError(f"window {first}..{last} ends before it starts",
                         expected="A..B with A <= B")
    return [str(p) for p in pd.period_range(first, last, freq="M")]


def parse_window(text: str) -> tuple[str, str]:
    """'2022-02..2024-01' -> ('2022-02', '2024-01')."""
    parts = str(text).split("..")
    if len(parts) != 2:
        raise InputError(f"'{text}' is not a month window", expected="A..B, e.g. 2022-02..2024-01")
    first, last = (p.strip() for p in parts)
    month_range(first, last)
    return first, last


@dataclass(frozen=True)
class CrimeWindow:
    """The counts of one window and where each month came from."""

    first_month: str
    last_month: str
    table: pd.DataFrame               # long table restricted to the window
    source_of_month: dict             # month -> file path or "pack:crime_borough_month"

    def to_dict(self) -> dict:
        sources = sorted(set(self.source_of_month.values()))
        return {"first_month": self.first_month, "last_month": self.last_month,
                "months": len(self.source_of_month),
                "sources": {s: sum(1 for v in self.source_of_month.values() if v == s)
                            for s in sources}}


def crime_window(first: str, last: str, files: tuple[CrimeCounts, ...] = (),
                 pack_table: pd.DataFrame | None = None) -> CrimeWindow:
    """Counts for first..last: each month from the first file (in the order given) that
    holds it, else from the pack. A month held nowhere is an error naming it."""
    months = month_range(first, last)
    pack_months = set(pack_table["month"].unique()) if pack_table is not None else set()
    parts, source = [], {}
    for month in months:
        for counts in files:
            if month in counts.months:
                parts.append(counts.table[counts.table["month"] == month])
                source[month] = Path(counts.path).name
                break
        else:
            if month in pack_months:
                parts.append(pack_table[pack_table["month"] == month])
                source[month] = "pack:crime_borough_month"
            else:
                partial = [Path(c.path).name for c in files if month in c.incomplete_months]
                if partial:
                    raise InputError(
                        f"month {month} of the window {first}..{last} is incomplete in "
                        f"{partial[0]} (under {INCOMPLETE_MONTH_SHARE:.0%} of its median month) "
                        "and in no other crime counts file", column="month",
                        hint="Start the window a month later or add a file that holds it")
                held = sorted({m for c in files for m in c.months} | pack_months)
                raise InputError(
                    f"month {month} of the window {first}..{last} is in no crime counts file",
                    column="month",
                    expected=f"months held: {held[0]}..{held[-1]}" if held else "a counts file",
                    hint="Add a file that holds it with --crime-counts")
    table = pd.concat(parts, ignore_index=True)[
        ["gss_code", "month", "major_text", "minor_text", "offences"]]
    return CrimeWindow(first, last, table, source)
