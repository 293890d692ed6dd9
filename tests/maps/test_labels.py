"""Label placement (Qt-free): names never overlap, higher priority wins, nothing is cut by
the view's edge or placed under the legend, and a wider view fits fewer names."""

import numpy as np

from workstation.maps.labels import LabelSpace, to_screen


def _boxes(space):
    return space.boxes


def test_overlapping_labels_keep_the_higher_priority():
    space = LabelSpace((0, 0, 500, 500))
    placed = space.place([100, 110, 300], [100, 104, 300], 60, 14, priority=[1, 5, 2])
    assert placed.tolist() == [False, True, True]


def test_no_two_placed_labels_intersect_and_none_leave_the_view():
    rng = np.random.default_rng(7)
    x, y = rng.uniform(-50, 850, 400), rng.uniform(-50, 650, 400)
    w = rng.uniform(30, 120, 400)
    space = LabelSpace((0, 0, 800, 600), blocked=[(600, 450, 800, 600)])   # a legend
    placed = space.place(x, y, w, 14, priority=rng.uniform(size=400), pad_px=2)
    assert 20 < placed.sum() < 400
    left, right = x[placed] - w[placed] / 2, x[placed] + w[placed] / 2
    top, bottom = y[placed] - 7, y[placed] + 7
    assert (left >= 0).all() and (right <= 800).all() and (top >= 0).all() and (bottom <= 600).all()
    for i in range(placed.sum()):
        others = np.arange(placed.sum()) != i
        overlap = ((left[others] < right[i]) & (right[others] > left[i])
                   & (top[others] < bottom[i]) & (bottom[others] > top[i]))
        assert not overlap.any()
    in_legend = (right > 600) & (bottom > 450)
    assert not in_legend.any()


def test_zooming_out_thins_the_labels():
    rng = np.random.default_rng(3)
    east, north = rng.uniform(528000, 532000, 300), rng.uniform(179000, 182000, 300)
    counts = []
    for metres_per_px in (2.5, 10.0):
        x, y = to_screen(east, north, metres_per_px)
        view = (x.min(), y.min(), x.max(), y.max())
        counts.append(int(LabelSpace(view).place(x, y, 70, 14, pad_px=0).sum()))
    assert counts[0] > 2 * counts[1]


def test_label_budget_is_respected():
    space = LabelSpace((0, 0, 1000, 1000))
    placed = space.place(np.arange(10) * 90 + 50, np.full(10, 500), 40, 10, max_labels=4)
    assert placed.sum() == 4
