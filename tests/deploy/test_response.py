"""The queue-and-travel response model against independent calculations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import gamma

from workstation.deploy.erlang import erlang_b, erlang_c
from workstation.deploy.response import (NEAREST_DISTANCE_CV, ResponseModel, share_at,
                                         share_by_servers)


def _gamma(mean, var):
    return gamma(a=mean ** 2 / var, scale=var / mean)


def _brute_force(c, rate, service, area, standard, model):
    """The same model term by term, with scipy's gamma and a fine trapezoid integral."""
    a = rate * service
    wait = float(erlang_c(c, a))
    idle = c - a * (1 - float(erlang_b(c - 1, a)))
    delay_var = (model.dispatch_delay_cv * model.dispatch_delay_minutes) ** 2
    drive = model.drive_minutes(np.array(area), np.array(idle / model.officers_per_car))
    free = _gamma(model.dispatch_delay_minutes + drive,
                  delay_var + (NEAREST_DISTANCE_CV * drive) ** 2).cdf(standard)
    drive_any = model.drive_minutes(np.array(area), np.array(1.0))
    travel = _gamma(model.dispatch_delay_minutes + drive_any,
                    delay_var + (NEAREST_DISTANCE_CV * drive_any) ** 2)
    t = np.linspace(0, standard, 20001)
    drain_per_minute = (c / service - rate) / 60.0
    after_wait = np.trapezoid(travel.pdf(t) * (1 - np.exp(-drain_per_minute * (standard - t))), t)
    return (1 - wait) * free + wait * after_wait


@pytest.mark.parametrize("c, rate, service, area, standard", [
    (6, 2.0, 1.5, 21.0, 15.0), (12, 4.0, 2.5, 150.0, 15.0), (30, 9.0, 2.5, 60.0, 60.0),
    (4, 1.0, 2.0, 12.0, 60.0)])
def test_table_matches_a_term_by_term_calculation(c, rate, service, area, standard):
    model = ResponseModel()
    table = share_by_servers(np.array([rate]), np.array([service]), np.array([area]),
                             standard, c + 2, model)
    assert table[0, c] == pytest.approx(_brute_force(c, rate, service, area, standard, model),
                                        abs=2e-3)


def test_unstable_queue_and_no_officers_reach_nobody():
    table = share_by_servers(np.array([5.0]), np.array([2.0]), np.array([30.0]), 15.0, 12)
    assert (table[0, :11] == 0).all()        # load 10: fewer than 11 servers is unstable
    assert table[0, 11] > 0


def test_share_rises_to_the_ceiling_with_staffing():
    model = ResponseModel()
    table = share_by_servers(np.array([2.0]), np.array([2.0]), np.array([150.0]), 15.0, 1500)
    assert table[0, -1] < model.ceiling(15.0) <= 1.0
    assert table[0, -1] == pytest.approx(model.ceiling(15.0), abs=0.01)


def test_with_a_near_fixed_delay_and_no_drive_it_is_the_erlang_c_wait():
    # travel = a 3-minute delay (sd 0.6 min), cars infinitely fast: wait within ~12 min
    model = ResponseModel(dispatch_delay_minutes=3.0, dispatch_delay_cv=0.2, speed_kmh=1e9)
    c, rate, service, standard = 5, 2.0, 1.5, 15.0
    table = share_by_servers(np.array([rate]), np.array([service]), np.array([20.0]),
                             standard, 6, model)
    expected = 1 - float(erlang_c(c, rate * service)) * np.exp(
        -(c / service - rate) * (standard - 3.0) / 60)
    assert table[0, c] == pytest.approx(expected, abs=1e-2)


def test_fractional_servers_interpolate():
    table = np.array([[0.0, 0.5, 0.8]])
    assert share_at(table, np.array([1.5])) == pytest.approx([0.65])
    assert share_at(table, np.array([9.0])) == pytest.approx([0.8])   # clipped to the table
