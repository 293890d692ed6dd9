"""Which police.uk files are police activity, not demand, told from their header.

police.uk publishes three kinds of CSV: street crime (reported crime: demand), stop and
search (when and where officers searched someone: police activity) and outcomes (what
happened to a crime later: police activity). Activity files must never time demand: a
stop's time says when officers were busy searching, not when the public needed them
(issue 15: fitting profiles from stop times raised officers required by 25-30%).
"""

from __future__ import annotations

STOP_AND_SEARCH = "stop and search"
OUTCOMES = "outcomes"
ACTIVITY_REASON = {
    STOP_AND_SEARCH: "a police.uk stop-and-search file: police activity, not demand (a "
                     "stop's time says when officers searched, not when they were needed)",
    OUTCOMES: "a police.uk outcomes file: what happened to crimes later, not when they "
              "were reported",
}


def activity_kind(columns) -> str | None:
    """'stop and search', 'outcomes' or None (street crime or another table)."""
    lowered = {str(c).strip().casefold() for c in columns}
    if {"object of search", "legislation"} <= lowered or (
            "type" in lowered and "outcome linked to object of search" in lowered):
        return STOP_AND_SEARCH
    if "outcome type" in lowered and "crime type" not in lowered:
        return OUTCOMES
    return None
