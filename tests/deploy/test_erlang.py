"""Erlang C against textbook values and closed forms."""

import math

import numpy as np
import pytest

from workstation.deploy.erlang import erlang_b, erlang_c, officers_needed, share_within


def erlang_c_by_factorials(c: int, a: float) -> float:
    top = a ** c / math.factorial(c) * c / (c - a)
    return top / (sum(a ** k / math.factorial(k) for k in range(c)) + top)


@pytest.mark.parametrize("c, a, expected", [(2, 1.0, 1 / 3), (3, 2.0, 4 / 9), (1, 0.5, 0.5)])
def test_erlang_c_textbook_values(c, a, expected):
    # M/M/2 at a=1: 1/3; M/M/3 at a=2: 4/9; M/M/1: P(wait) = utilisation
    assert erlang_c(c, a) == pytest.approx(expected, rel=1e-12)


def test_erlang_c_matches_factorial_formula_over_a_grid():
    for c in (1, 2, 5, 10, 25, 60):
        for a in np.linspace(0.1, c - 0.05, 7):
            assert erlang_c(c, a) == pytest.approx(erlang_c_by_factorials(c, a), rel=1e-9)


def test_erlang_b_classic_table_value():
    # Erlang B table: 10 trunks at 5 erlangs block 1.84%
    assert erlang_b(10, 5.0) == pytest.approx(0.018385, abs=2e-6)


def test_unstable_queue_always_waits_and_serves_nobody_in_time():
    assert erlang_c(3, 3.0) == 1.0 and erlang_c(3, 4.5) == 1.0
    assert share_within(3, 4.5, 1.0, 10.0) == 0.0


def test_mm1_wait_tail_closed_form():
    rate, service, t_min = 2.0, 0.25, 6.0   # rho = 0.5, mu = 4 per hour
    expected = 1 - 0.5 * math.exp(-(4 - 2) * t_min / 60)
    assert share_within(1, rate, service, t_min) == pytest.approx(expected, rel=1e-12)


def test_officers_needed_is_the_smallest_meeting_the_target():
    rate = np.array([0.0, 0.5, 3.0, 12.0, 40.0])
    service = np.array([1.0, 2.0, 1.5, 2.5, 3.0])
    need = officers_needed(rate, service, 7.0, 0.9)
    assert need[0] == 0
    for r, s, c in zip(rate[1:], service[1:], need[1:]):
        assert share_within(c, r, s, 7.0) >= 0.9
        assert share_within(c - 1, r, s, 7.0) < 0.9
    # more demand never needs fewer officers
    assert list(need) == sorted(need)


def test_fixed_travel_reduces_to_the_wait_budget():
    from workstation.deploy.erlang import share_within_standard, travel_points
    fixed = travel_points(15.0, 8.0, 0.0)
    assert share_within_standard(5, 2.0, 1.0, 15.0, fixed) == pytest.approx(
        share_within(5, 2.0, 1.0, 7.0))


def test_travel_spread_caps_the_reachable_share_at_the_travel_cdf():
    from scipy.stats import gamma
    from workstation.deploy.erlang import (officers_needed_with_travel, share_within_standard,
                                           travel_points)
    points = travel_points(15.0, 9.5, 4.0)
    reachable = gamma.cdf(15.0, a=4.0, scale=9.5 / 4.0)
    assert points[1].sum() == pytest.approx(reachable)
    # with plenty of officers nobody waits: only travel decides
    assert share_within_standard(200, 1.0, 1.0, 15.0, points) == pytest.approx(reachable, abs=1e-6)
    # a 90% target is out of reach, so the requirement stops one point short of the best
    need = officers_needed_with_travel(np.array([3.0]), np.array([2.0]), 15.0, points, 0.9)
    got = share_within_standard(need, 3.0, 2.0, 15.0, points)
    assert got >= reachable - 0.01 and share_within_standard(need - 1, 3.0, 2.0, 15.0, points) < reachable - 0.01
