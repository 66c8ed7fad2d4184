"""Discrete-event schedules on the time grid: timelines and per-step state fractions.

Discrete events (a shift starts, a machine breaks down, a line changes
over) are simulated with SimPy; the physics that follows from them is
vectorised over the grid. This module is the bridge (steps 1
and 2 of a run):

- SimPy time is **integer seconds from the grid start** (never float hours): an event at ``t_s`` happens ``t_s`` seconds after
  ``grid.start``, whatever the step length.
- A process records what a machine does as segments ``[start_s, end_s)``
  with a state code, in time order, with a :class:`TimelineRecorder`; the
  recorder hands back a :class:`Timeline` of numpy arrays.
- :func:`state_fractions` turns a timeline into the fraction of every step
  spent in every state, counting events inside a step pro rata and exactly
  at step boundaries; :func:`state_mean` turns fractions and a value per
  state (a power per state [kW], an air demand per state [m³/min]) into the
  mean value per step.

This module belongs to the small core that components may import (with
``twin.carriers``, ``twin.timegrid``, ``twin.component`` and
``twin.errors``). It knows nothing of production lines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from twin.timegrid import TimeGrid

__all__ = ["Timeline", "TimelineRecorder", "state_fractions", "state_mean", "step_means"]


@dataclass(frozen=True)
class Timeline:
    """Segments of a state timeline, as arrays.

    Segment ``i`` covers ``[start_s[i], end_s[i])`` in integer seconds from
    the grid start and is in state ``state[i]``. Segments are in time order
    and do not overlap; time not covered by any segment belongs to no state.

    Attributes
    ----------
    start_s, end_s : numpy.ndarray of int64
        Segment bounds [s from the grid start].
    state : numpy.ndarray of int64
        State code of each segment (``0 .. n_states - 1``).
    tag : numpy.ndarray of int64
        A second code per segment for the recorder's use (for example the
        product being worked), ``-1`` where none.

    Raises
    ------
    ValueError
        Arrays of different lengths, a segment that ends before it starts,
        segments out of order or overlapping, a negative state.
    """

    start_s: np.ndarray
    end_s: np.ndarray
    state: np.ndarray
    tag: np.ndarray

    def __post_init__(self) -> None:
        arrays = {}
        for name in ("start_s", "end_s", "state", "tag"):
            arr = np.asarray(getattr(self, name), dtype=np.int64).reshape(-1)
            object.__setattr__(self, name, arr)
            arrays[name] = arr
        n = arrays["start_s"].size
        if any(a.size != n for a in arrays.values()):
            sizes = {k: v.size for k, v in arrays.items()}
            msg = f"Timeline: start_s, end_s, state and tag must have equal lengths, got {sizes}"
            raise ValueError(msg)
        if n == 0:
            return
        if np.any(self.end_s < self.start_s):
            i = int(np.argmax(self.end_s < self.start_s))
            msg = (
                f"Timeline: segment {i} ends before it starts "
                f"({self.start_s[i]} s to {self.end_s[i]} s)"
            )
            raise ValueError(msg)
        if np.any(self.start_s[1:] < self.end_s[:-1]):
            i = int(np.argmax(self.start_s[1:] < self.end_s[:-1]))
            msg = (
                f"Timeline: segment {i + 1} (from {self.start_s[i + 1]} s) starts before "
                f"segment {i} ends ({self.end_s[i]} s); segments must be in time order "
                "and must not overlap"
            )
            raise ValueError(msg)
        if self.state.min() < 0:
            msg = f"Timeline: state codes must be >= 0, got {int(self.state.min())}"
            raise ValueError(msg)

    @classmethod
    def from_segments(
        cls, segments: list[tuple[int, int, int]] | tuple[tuple[int, int, int], ...]
    ) -> Timeline:
        """A timeline from ``(start_s, end_s, state)`` tuples (tags ``-1``).

        Examples
        --------
        >>> Timeline.from_segments([(0, 1800, 1), (1800, 3600, 0)]).state.tolist()
        [1, 0]
        """
        arr = np.asarray(segments, dtype=np.int64).reshape(-1, 3)
        return cls(arr[:, 0], arr[:, 1], arr[:, 2], np.full(len(arr), -1, dtype=np.int64))

    def __len__(self) -> int:
        return int(self.start_s.size)

    def duration_s(self, n_states: int) -> np.ndarray:
        """Total time in each state [s] (array of length ``n_states``)."""
        return np.bincount(
            self.state, weights=(self.end_s - self.start_s).astype(np.float64), minlength=n_states
        )[:n_states]


class TimelineRecorder:
    """Collects the segments of one machine's timeline while a simulation runs.

    Segments must be added in time order and must not overlap. A segment
    that continues the previous one with the same state and tag extends it,
    so a machine busy on lot after lot records one segment. Empty segments
    are ignored.

    Examples
    --------
    A tiny SimPy process that is busy (state 1) for 90 s after 30 s idle
    (state 0):

    >>> import simpy
    >>> env, rec = simpy.Environment(), TimelineRecorder()
    >>> def machine(env):
    ...     rec.add(0, 30, 0)
    ...     yield env.timeout(30)
    ...     rec.add(env.now, env.now + 90, 1)
    ...     yield env.timeout(90)
    >>> _ = env.process(machine(env))
    >>> env.run()
    >>> tl = rec.timeline()
    >>> tl.start_s.tolist(), tl.end_s.tolist(), tl.state.tolist()
    ([0, 30], [30, 120], [0, 1])
    """

    __slots__ = ("_end", "_ends", "_starts", "_states", "_tags")

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._states: list[int] = []
        self._tags: list[int] = []
        self._end: int = -(2**62)

    @property
    def end_s(self) -> int:
        """End of the last segment recorded [s]; a very negative number when empty."""
        return self._end

    def add(self, start_s: int, end_s: int, state: int, tag: int = -1) -> None:
        """Record ``[start_s, end_s)`` in ``state``.

        Raises
        ------
        ValueError
            When the segment starts before the end of the previous one.
        """
        if end_s <= start_s:
            return
        if start_s < self._end:
            msg = (
                f"TimelineRecorder.add: segment from {start_s} s starts before the previous "
                f"one ends ({self._end} s); add segments in time order"
            )
            raise ValueError(msg)
        if start_s == self._end and self._states[-1] == state and self._tags[-1] == tag:
            self._ends[-1] = end_s
        else:
            self._starts.append(start_s)
            self._ends.append(end_s)
            self._states.append(state)
            self._tags.append(tag)
        self._end = end_s

    def timeline(self) -> Timeline:
        """The segments recorded so far."""
        return Timeline(
            np.array(self._starts, dtype=np.int64),
            np.array(self._ends, dtype=np.int64),
            np.array(self._states, dtype=np.int64),
            np.array(self._tags, dtype=np.int64),
        )


def state_fractions(timeline: Timeline, grid: TimeGrid, n_states: int) -> np.ndarray:
    r"""Fraction of every step spent in every state.

    Each segment counts pro rata in the steps it overlaps; a segment that
    ends exactly on a step boundary contributes nothing to the next step.
    Segments (or parts of them) outside ``[0, grid.end_s)`` are ignored.

    Parameters
    ----------
    timeline : Timeline
        Segments in integer seconds from the grid start.
    grid : TimeGrid
        The run's time grid (fixed step ``grid.step_s``).
    n_states : int
        Number of state codes; every ``timeline.state`` must be below it.

    Returns
    -------
    numpy.ndarray
        Shape ``(grid.n_steps, n_states)``, float64 in ``[0, 1]`` [-]. A row
        sums to 1 where the timeline covers the whole step.

    Raises
    ------
    ValueError
        When a state code is not below ``n_states``.

    Notes
    -----
    With step length :math:`\Delta` and step boundaries
    :math:`b_k = k\Delta`, a segment :math:`[a, e)` in state :math:`s` adds
    to the time :math:`T_{k,s}` of step :math:`k` its overlap
    :math:`\max(0, \min(e, b_{k+1}) - \max(a, b_k))`. The overlap is built
    without a loop over steps: the segment start puts the rest of its own
    step, :math:`b_{k_a+1} - a`, into step :math:`k_a = \lfloor a/\Delta
    \rfloor` and a whole step into every later step (a difference array,
    summed cumulatively); the segment end does the same with opposite sign.
    All sums are whole seconds, so the result is exact at step boundaries;
    the fraction is :math:`T_{k,s} / \Delta`.

    Examples
    --------
    >>> import pandas as pd
    >>> grid = TimeGrid(pd.Timestamp("2025-01-01", tz="Asia/Shanghai"), "1h", 2)
    >>> tl = Timeline.from_segments([(0, 900, 0), (900, 5400, 1), (5400, 7200, 0)])
    >>> state_fractions(tl, grid, 2).tolist()
    [[0.25, 0.75], [0.5, 0.5]]
    """
    if len(timeline) and int(timeline.state.max()) >= n_states:
        msg = (
            f"state_fractions: state code {int(timeline.state.max())} is not below "
            f"n_states={n_states}; pass the number of states the timeline uses"
        )
        raise ValueError(msg)
    seconds = _seconds_per_step(timeline.start_s, timeline.end_s, timeline.state, n_states, grid)
    return seconds / grid.step_s


def step_means(
    start_s: np.ndarray, end_s: np.ndarray, values: np.ndarray, grid: TimeGrid
) -> np.ndarray:
    r"""Mean per step of values held over segments, pro rata.

    The fused form of ``state_mean(state_fractions(timeline, ...), value_by_state)``
    for many segments at once: segment ``i`` holds ``values[i]`` over
    ``[start_s[i], end_s[i])``. Segments may overlap (several machines):
    their values add. Parts outside ``[0, grid.end_s)`` are ignored.

    Parameters
    ----------
    start_s, end_s : array of int
        Segment bounds [s from the grid start], ``start_s <= end_s``.
    values : numpy.ndarray
        Shape ``(n_segments,)`` or ``(n_segments, q)``: the value held over
        each segment (a power [kW], an air flow [m³/min], ...).
    grid : TimeGrid

    Returns
    -------
    numpy.ndarray
        Shape ``(grid.n_steps,)`` or ``(grid.n_steps, q)`` (column-major: each
        column is contiguous):
        :math:`\bar v_k = \sum_i v_i\,|[a_i, e_i) \cap [b_k, b_{k+1})| / \Delta`,
        in the unit of ``values``.

    Examples
    --------
    >>> import pandas as pd
    >>> grid = TimeGrid(pd.Timestamp("2025-01-01", tz="Asia/Shanghai"), "1h", 2)
    >>> step_means(np.array([0, 1800]), np.array([3600, 5400]), np.array([10.0, 4.0]), grid).tolist()
    [12.0, 2.0]
    """
    columns = step_mean_columns(start_s, end_s, values, grid)
    if np.ndim(values) == 1:
        return columns[0]
    return np.stack(columns).T


def step_mean_columns(
    start_s: np.ndarray, end_s: np.ndarray, values: np.ndarray, grid: TimeGrid
) -> list[np.ndarray]:
    """:func:`step_means` as one array per column of ``values``, each owning
    its data (no copy of a column out of a table): shape ``(grid.n_steps,)``
    each, ``q`` of them (one for a 1-D ``values``) [unit of ``values``]."""
    start = np.asarray(start_s, dtype=np.int64)
    end = np.asarray(end_s, dtype=np.int64)
    vals = np.asarray(values, dtype=np.float64)
    if start.shape != end.shape or vals.shape[:1] != start.shape:
        msg = (
            f"step_means: start_s, end_s and values must have one entry per segment, got "
            f"shapes {start.shape}, {end.shape}, {vals.shape}"
        )
        raise ValueError(msg)
    if np.any(end < start):
        msg = "step_means: a segment ends before it starts (end_s < start_s)"
        raise ValueError(msg)
    columns = vals[:, None] if vals.ndim == 1 else vals.reshape(vals.shape[0], -1)
    n, step = grid.n_steps, grid.step_s
    a = np.clip(start, 0, grid.end_s)
    e = np.clip(end, 0, grid.end_s)
    keep = e > a
    a, e, columns = a[keep], e[keep], columns[keep]
    # A segment is a head (the rest of the step it starts in), whole steps and a
    # tail. Heads and tails go to their steps directly. Whole steps use a
    # difference array summed cumulatively; to keep that sum exact (no
    # round-off that would leave -1e-13 where nothing runs), each value is
    # quantised to an integer multiple of a power of two about 2**-46 of the
    # column's largest value (whole numbers and binary fractions stay exact,
    # others move by less than 1e-13 of the largest), and integers add
    # exactly in float64 as long as fewer than about 64 segments overlap.
    first_full = -(-a // step)  # ceil
    end_full = e // step
    inside = first_full > end_full  # no step boundary within the segment
    head = np.where(inside, e - a, first_full * step - a).astype(np.float64)
    tail = np.where(inside, 0, e - end_full * step).astype(np.float64)
    has_full = ~inside & (end_full > first_full)
    jump_steps = np.concatenate([first_full[has_full], end_full[has_full]])
    edge_all = np.concatenate([a // step, end_full])
    # Few segments for many steps (a fine grid): the sums are kept only at
    # the steps where a segment starts or ends. Otherwise at every step.
    sparse = 4 * a.size < n
    if sparse:
        jumps, jump_at = np.unique(jump_steps, return_inverse=True)
        held = np.diff(np.concatenate([[0], np.minimum(jumps, n), [n]]))  # steps per held sum
        edge_steps, edge_at = np.unique(edge_all, return_inverse=True)
        edge_rows = edge_steps < n
        edge_steps = edge_steps[edge_rows]
        n_jumps, n_edges = jumps.size, edge_rows.size
    else:
        jump_at, edge_at, n_jumps, n_edges = jump_steps, edge_all, n + 1, n + 1
    out: list[np.ndarray] = []
    for j in range(columns.shape[1]):
        w = columns[:, j]
        scale = float(np.max(np.abs(w), initial=0.0))
        if scale == 0.0:
            out.append(np.zeros(n))
            continue
        quantum = math.ldexp(1.0, max(math.frexp(scale)[1] - 46, -1022))
        units = np.round(w[has_full] / quantum)
        diff = np.bincount(jump_at, weights=np.concatenate([units, -units]), minlength=n_jumps)
        edges = np.bincount(
            edge_at, weights=np.concatenate([head * w, tail * w]), minlength=n_edges
        )
        if sparse:
            column = np.repeat(np.concatenate([[0.0], np.cumsum(diff)]) * quantum, held)
            column[edge_steps] += edges[edge_rows] / step
        else:
            column = np.cumsum(diff[:n]) * quantum + edges[:n] / step
        out.append(column)
    return out


def _seconds_per_step(
    start_s: np.ndarray, end_s: np.ndarray, key: np.ndarray, n_keys: int, grid: TimeGrid
) -> np.ndarray:
    """Overlap of segments with every step, summed per key: shape
    ``(n_steps, n_keys)`` [s]. Whole seconds throughout, so exact."""
    n, step = grid.n_steps, grid.step_s
    start = np.clip(start_s, 0, grid.end_s)
    end = np.clip(end_s, 0, grid.end_s)
    keep = end > start
    start, end, key = start[keep], end[keep], key[keep]
    k_start = start // step
    k_end = end // step
    rows = n + 2  # row n holds what ends on the grid end; row n + 1 what follows it
    # partial: the rest of the step a boundary falls in; full: whole steps after it
    idx = np.concatenate([k_start * n_keys + key, k_end * n_keys + key])
    part = np.concatenate([(k_start + 1) * step - start, -((k_end + 1) * step - end)])
    full = np.concatenate([np.full(start.size, step), np.full(end.size, -step)])
    part = part.astype(np.float64)
    full = full.astype(np.float64)
    size = rows * n_keys
    partial_s = np.bincount(idx, weights=part, minlength=size)
    full_s = np.bincount(idx + n_keys, weights=full, minlength=size)
    occupied = np.cumsum(full_s.reshape(rows, n_keys), axis=0) + partial_s.reshape(rows, n_keys)
    return occupied[:n]


def state_mean(fractions: np.ndarray, value_by_state: np.ndarray) -> np.ndarray:
    """Mean value per step from state fractions and a value per state.

    Parameters
    ----------
    fractions : numpy.ndarray
        Shape ``(n_steps, n_states)``, from :func:`state_fractions` [-].
    value_by_state : array
        One value per state, for example the power drawn in each state
        [kW] or the air taken in each state [m³/min].

    Returns
    -------
    array
        ``fractions @ value_by_state``: the mean over each step, in the
        unit of ``value_by_state``. Energy per step is this mean power
        times ``grid.step_h``.

    Examples
    --------
    >>> state_mean(np.array([[0.25, 0.75]]), np.array([10.0, 100.0])).tolist()
    [77.5]
    """
    values = np.asarray(value_by_state, dtype=np.float64)
    if values.shape != (fractions.shape[1],):
        msg = (
            f"state_mean: expected one value per state ({fractions.shape[1]}), "
            f"got shape {values.shape}"
        )
        raise ValueError(msg)
    return fractions @ values
