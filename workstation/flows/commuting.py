"""Census commuting per borough: who comes in, who goes out, on the published basis.

Basis (PROVENANCE.md, and the 2015 RSA/Met "Safer Together" report): 2011 Census WU01EW
usual residence -> workplace, people 16+ in employment. *In-commuters* live elsewhere in
England & Wales (another London borough or the rest of E&W) and work in the borough;
*out-commuters* live in the borough and work elsewhere in England & Wales. Home workers and
people with no fixed place are reported separately and excluded from the net; offshore,
outside-UK, Scotland and Northern Ireland workplaces are excluded too. On this basis
Wandsworth is -60,135 and Tower Hamlets +114,659 (the report quotes -60,730 and +114,381).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

EW_OUTSIDE_LONDON = "EW_OUTSIDE_LONDON"
HOME = "HOME"
NO_FIXED_PLACE = "NO_FIXED_PLACE"
# Workplaces outside England & Wales: not part of the in/out basis.
NOT_EW_WORKPLACES = ("OFFSHORE", "OUTSIDE_UK", "SCOTLAND", "NORTHERN_IRELAND")
# Columns of the matrix that follow the 33 boroughs, in this order.
MATRIX_EXTRA_COLUMNS = (EW_OUTSIDE_LONDON, HOME, NO_FIXED_PLACE, *NOT_EW_WORKPLACES)

BASIS = (
    "Commuting: 2011 Census WU01EW (ONS), usual residence -> workplace, people 16+ in "
    "employment (census_commuting table).",
    "In-commuters: live elsewhere in England & Wales, work in the borough; out-commuters: live "
    "in the borough, work elsewhere in England & Wales; home workers and no-fixed-place workers "
    "excluded from the net (same basis as the RSA/Met 2015 report's borough figures).",
    "Residents: ONS mid-2019 population estimates (population table).",
)


@dataclass(frozen=True)
class CommutingSummary:
    """One row per borough in gss_code order: residents (mid-2019), in_commuters,
    out_commuters, net, home_workers, no_fixed_place, plus for comparison
    census_workplace_workers and census_workday_population (2011) and the GLA's
    gla_workday_population and gla_daytime_population (2014); ``basis`` says where each
    figure comes from."""

    table: pd.DataFrame
    basis: tuple[str, ...]

    def row(self, gss_code: str) -> pd.Series:
        return self.table.set_index("gss_code").loc[gss_code]


def _london_codes(pack) -> list[str]:
    return sorted(pack.table("boroughs")["gss_code"].astype(str))


def commuting_matrix(pack) -> pd.DataFrame:
    """Workers by residence (rows: 33 boroughs then EW_OUTSIDE_LONDON) x workplace
    (columns: 33 boroughs then EW_OUTSIDE_LONDON, HOME, NO_FIXED_PLACE, OFFSHORE,
    OUTSIDE_UK, SCOTLAND, NORTHERN_IRELAND). 2011 Census WU01EW, integer workers."""
    flows = pack.table("census_commuting")
    boroughs = _london_codes(pack)
    rows = boroughs + [EW_OUTSIDE_LONDON]
    cols = boroughs + list(MATRIX_EXTRA_COLUMNS)
    matrix = flows.pivot_table(index="residence_code", columns="workplace_code",
                               values="workers", aggfunc="sum", fill_value=0)
    matrix = matrix.reindex(index=rows, columns=cols, fill_value=0).astype(np.int64)
    matrix.index.name = "residence_code"
    matrix.columns.name = "workplace_code"
    return matrix


def commuting_summary(pack) -> CommutingSummary:
    """In/out/net commuting per borough on the published basis (see module docstring)."""
    matrix = commuting_matrix(pack)
    boroughs = _london_codes(pack)
    ew_work = boroughs + [EW_OUTSIDE_LONDON]
    within = matrix.loc[boroughs, ew_work].to_numpy()          # London residents, E&W workplaces
    same = np.diag(matrix.loc[boroughs, boroughs].to_numpy())  # live and work in the borough
    out_commuters = within.sum(axis=1) - same
    into = matrix.loc[:, boroughs].to_numpy()                 # all E&W residents working here
    in_commuters = into.sum(axis=0) - same
    population = pack.table("population").set_index("gss_code").reindex(boroughs)
    # Workers whose workplace is the borough, home workers included (= the pack's
    # census_workday_population column, ONSvisual "workday": Westminster 574,979).
    workers_here = population["census_workday_population"].astype(np.int64).to_numpy()
    # ONS 2011 workday population (release of 31 Oct 2013, WD102EW definition): everyone
    # working in the area plus residents not in employment; home and no-fixed-place
    # workers at home; people working in Scotland, NI, offshore or abroad excluded.
    employed = matrix.loc[boroughs].sum(axis=1).to_numpy()
    not_employed = population["residents_2011"].to_numpy(dtype=np.int64) - employed
    workday = (workers_here + matrix.loc[boroughs, NO_FIXED_PLACE].to_numpy()
               + not_employed).astype(np.int64)
    table = pd.DataFrame({
        "gss_code": boroughs,
        "name": population["name"].astype(str).to_numpy(),
        "residents": population["residents_mid2019"].astype(np.int64).to_numpy(),
        "in_commuters": in_commuters.astype(np.int64),
        "out_commuters": out_commuters.astype(np.int64),
        "net": (in_commuters - out_commuters).astype(np.int64),
        "home_workers": matrix.loc[boroughs, HOME].astype(np.int64).to_numpy(),
        "no_fixed_place": matrix.loc[boroughs, NO_FIXED_PLACE].astype(np.int64).to_numpy(),
        "census_workplace_workers": workers_here,
        "census_workday_population": workday,
        "gla_workday_population": population["gla_workday_population"].astype(np.int64).to_numpy(),
        "gla_daytime_population": population["gla_daytime_population"].astype(np.int64).to_numpy(),
    })
    basis = BASIS + (
        "census_workplace_workers: 2011 WU01EW people working in the borough, home workers "
        "included; census_workday_population: the ONS 2011 workday population definition "
        "applied to WU01EW and QS102EW (workers with a fixed E&W workplace counted there; home "
        "and no-fixed-place workers and residents not in employment, children included, at "
        "home; residents working outside E&W left out).",
        "gla_workday_population, gla_daytime_population: GLA 'Daytime Population, Borough' "
        "(2014 edition; daytime adds students, tourists and other visitors).",)
    return CommutingSummary(table=table, basis=basis)
