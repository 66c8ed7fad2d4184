"""The discrete-event model of a serial production line (SimPy).

The physical question is what every machine of a line does at every
second of the run: busy on a lot, changing over, broken down, or waiting
(starved of work or blocked by a full buffer) while idle, on standby, off,
warming up or in maintenance. The answer is one state timeline per machine
(:class:`twin.schedule.Timeline`, :class:`StationState` codes), which
:mod:`components.production_line` turns into energy.

Model (integer seconds from the grid start):

- The unit of flow is a **transfer lot** (a pallet, bin, rack or coil) of
  one product. A station works a lot of ``n`` units in ``n`` times its
  cycle time, rounded to whole seconds.
- Stations are in series with a **buffer** of ``b`` lots after each one.
  A station that has finished a lot and finds the buffer full holds the
  lot and waits (blocking after service); with ``b = 0`` it hands the lot
  over only when the next station takes it. The first station takes lots
  from the release plan (a product mix, always available, or an order
  book, each order from its release time).
- A station works only in its **ready time** (the shifts less breaks,
  warm-up and maintenance: :func:`components.production_calendar.station_calendar`).
  A lot's work pauses at a break or at the end of a shift and resumes at
  the next ready time; no time is lost to the pause.
- A **changeover** of the product's changeover time precedes the first lot
  of a new product at each station (a rolling changeover along the line);
  the first lot of the run needs none.
- **Breakdowns** are operation-dependent: the time to failure counts busy
  time only and is exponential with mean MTBF; the repair takes an
  exponential time with mean MTTR, on the wall clock (a repair started
  near the end of a shift goes on after it). After the repair the lot's
  work resumes. Draws come from one generator per station, spawned from
  the line's (``ctx.rng(name)``), so the same seed gives the same run.
- Between activities a station's state follows its calendar: in ready or
  awake time it is **idle** until ``idle_to_standby_s`` has passed since its
  last activity (or since ready time began) and on **standby** after; in
  off time it is **off**; in warm-up time **warming up**; in maintenance
  windows in **maintenance**. Waiting never polls: the states between two
  activities are filled in from the calendar once the run is over.

How it runs: one SimPy process releases the lots into the first station,
one event per batch (lots of one product released together); the times at
which every station takes and hands on each lot follow from the rules
above in closed form (the departure recursion of a serial line with
blocking after service, :func:`simulate_line`), the same times that one
SimPy process per station with a store per buffer would reach (the tests
keep that form and compare the two segment for segment). A year of the
reference factory's three lines (16 stations, about 10,000 lots) takes
about 1,700 events instead of about 87,000.
"""

from __future__ import annotations

import array
import itertools
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import simpy
from twin.components.production_calendar import CalendarKind

from twin.schedule import Timeline

__all__ = [
    "N_STATES",
    "LineRun",
    "StationSpec",
    "StationState",
    "mix_lots",
    "order_lots",
    "simulate_line",
]


class StationState(IntEnum):
    """What a station does; the codes of its timeline."""

    OFF = 0
    STANDBY = 1
    WARMUP = 2
    IDLE = 3
    BUSY = 4
    CHANGEOVER = 5
    DOWN = 6
    """Broken down during planned production (ready) time."""
    DOWN_OFF_SHIFT = 7
    """Still under repair outside planned production time."""
    MAINTENANCE = 8
    """In a planned maintenance window."""


N_STATES = len(StationState)

_NEVER = -(2**62)
"""A time long before the run: 'no activity yet'."""

_KIND_STATE = {
    CalendarKind.OFF: StationState.OFF,
    CalendarKind.WARMUP: StationState.WARMUP,
    CalendarKind.MAINTENANCE: StationState.MAINTENANCE,
}


@dataclass(frozen=True)
class StationSpec:
    """What the simulation needs to know about one station.

    Attributes
    ----------
    cycle_s : tuple of float
        Cycle time per unit of each product [s].
    changeover_s : tuple of int
        Changeover time into each product [s].
    mtbf_s, mttr_s : float or None
        Mean busy time between failures and mean time to repair [s]; None:
        no breakdowns.
    buffer_lots : int
        Places for lots in the buffer after this station (not used for the
        last station).
    idle_to_standby_s : float
        Idle time after which the station goes to standby [s]; ``inf``: never.
    calendar : Timeline
        :class:`CalendarKind` partition of the run.
    """

    cycle_s: tuple[float, ...]
    changeover_s: tuple[int, ...]
    mtbf_s: float | None
    mttr_s: float | None
    buffer_lots: int
    idle_to_standby_s: float
    calendar: Timeline


@dataclass(frozen=True)
class LineRun:
    """What a simulated line did.

    Attributes
    ----------
    timelines : tuple of Timeline
        One per station, :class:`StationState` codes covering the run; the
        tag of busy and changeover segments is the product index.
    n_events : int
        SimPy events the station processes waited on.
    n_failures : int
        Breakdowns over all stations.
    """

    timelines: tuple[Timeline, ...]
    n_events: int
    n_failures: int


_INF = 2**62
"""A time after the run: 'never' (a lot not taken, a station stuck)."""


class _Station:
    """One station: its calendar, its breakdown draws and its timeline.

    The station works the lots it is given in order (:meth:`work`) and
    records what it does at once: busy and changeover time from the given
    start, paused outside ready time and for its own repairs, and the
    calendar states of the gaps before it. Nothing outside the station can
    change such a stretch (the calendar is known, breakdowns are the
    station's own), so no event is needed inside it.
    """

    __slots__ = (
        "calendar",
        "can_fail",
        "changeover",
        "cycle",
        "ends",
        "mtbf_s",
        "mttr_s",
        "n_failures",
        "n_ready",
        "product",
        "r_e",
        "r_s",
        "ri",
        "rng",
        "starts",
        "states",
        "tags",
        "timeout",
        "ttf",
        "work_s",
    )

    def __init__(self, spec: StationSpec, rng: np.random.Generator) -> None:
        self.rng = rng
        cal = self.calendar = spec.calendar
        ready = cal.state == CalendarKind.READY
        self.r_s: list[int] = cal.start_s[ready].tolist()
        self.r_e: list[int] = cal.end_s[ready].tolist()
        self.n_ready = len(self.r_s)
        self.r_s.append(_INF)  # sentinels; plan() stops at n_ready
        self.r_e.append(_INF)
        self.cycle = spec.cycle_s
        self.changeover = spec.changeover_s
        self.timeout = spec.idle_to_standby_s
        self.mtbf_s = spec.mtbf_s
        self.mttr_s = spec.mttr_s
        self.can_fail = spec.mtbf_s is not None and spec.mttr_s is not None
        self.work_s: list[dict[int, int]] = [{} for _ in spec.cycle_s]
        # the activities, as four lists (a segment that continues the last one
        # with the same state and tag extends it)
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.states: list[int] = []
        self.tags: list[int] = []
        self.product = -1
        self.ri = 0
        self.n_failures = 0
        # busy time to the next breakdown (never for a station that does not fail)
        self.ttf = self._draw(spec.mtbf_s) if self.can_fail else _INF

    def _draw(self, mean_s: float | None) -> int:
        return max(1, round(float(self.rng.exponential(mean_s))))

    # -- the timeline ------------------------------------------------------
    def record(self, start: int, end: int, state: int, tag: int) -> None:
        """Record an activity ``[start, end)``; the gaps between activities
        are filled in from the calendar at the end (:meth:`timeline`)."""
        if (
            self.ends
            and self.ends[-1] == start
            and self.states[-1] == state
            and (self.tags[-1] == tag)
        ):
            self.ends[-1] = end
        else:
            self.starts.append(start)
            self.ends.append(end)
            self.states.append(state)
            self.tags.append(tag)

    def record_down(self, start: int, end: int) -> None:
        """A repair, split into planned (ready) and other time."""
        r_s, r_e, n = self.r_s, self.r_e, self.n_ready
        j = self.ri
        t = start
        while t < end:
            while j < n and r_e[j] <= t:
                j += 1
            if j < n and r_s[j] <= t:
                e = min(end, r_e[j])
                self.record(t, e, _DOWN, -1)
            else:
                e = min(end, r_s[j]) if j < n else end
                self.record(t, e, _DOWN_OFF_SHIFT, -1)
            t = e

    def timeline(self, end_s: int) -> Timeline:
        """The activities and, between them up to ``end_s``, the calendar states."""
        return _with_gaps(
            _int64(self.starts),
            _int64(self.ends),
            _int64(self.states),
            _int64(self.tags),
            self.calendar,
            self.timeout,
            end_s,
        )

    # -- the work ----------------------------------------------------------
    def plan(self, t: int, duration_s: int, state: int, tag: int, fails: bool) -> int:
        """Record ``duration_s`` of ready time in ``state`` from ``t`` on, pausing
        outside ready time and for repairs if ``fails``; returns when it ends,
        or -1 when the run has no ready time left to finish it."""
        r_s, r_e, n = self.r_s, self.r_e, self.n_ready
        ri = self.ri
        while r_e[ri] <= t:  # r_e ends on a sentinel
            ri += 1
        end = t + duration_s
        if (
            r_s[ri] <= t
            and end <= r_e[ri]
            and duration_s > 0
            and (not fails or self.ttf > duration_s)
        ):  # the common case: within the ready window that holds t
            self.ri = ri
            self.record(t, end, state, tag)
            if fails:
                self.ttf -= duration_s
            return end
        nxt = ri + 1
        if r_s[ri] <= t and duration_s > 0 and nxt < n and (not fails or self.ttf > duration_s):
            # the next most common case: across one break, into the next window
            done = r_s[nxt] + (end - r_e[ri])
            if done <= r_e[nxt]:
                self.record(t, r_e[ri], state, tag)
                self.record(r_s[nxt], done, state, tag)
                self.ri = nxt
                if fails:
                    self.ttf -= duration_s
                return done
        starts, ends, states, tags = self.starts, self.ends, self.states, self.tags
        left = duration_s
        while left > 0:
            while ri < n and r_e[ri] <= t:
                ri += 1
            self.ri = ri
            if ri == n:
                return -1
            if t < r_s[ri]:
                t = r_s[ri]
            run = r_e[ri] - t
            if left < run:
                run = left
            if fails and self.ttf <= run:
                run = self.ttf
                self.record(t, t + run, state, tag)
                repair = self._draw(self.mttr_s)
                self.record_down(t + run, t + run + repair)
                self.n_failures += 1
                t += run + repair
                left -= run
                self.ttf = self._draw(self.mtbf_s)
            else:  # self.record(t, t + run, state, tag), inline
                e = t + run
                if ends and ends[-1] == t and states[-1] == state and tags[-1] == tag:
                    ends[-1] = e
                else:
                    starts.append(t)
                    ends.append(e)
                    states.append(state)
                    tags.append(tag)
                t = e
                left -= run
                if fails:
                    self.ttf -= run
        return t

    def work(self, t: int, p: int, units: int) -> int:
        """Work a lot of ``units`` of product ``p`` taken at ``t`` (with the
        changeover into ``p`` first, if any); returns when it is done, or -1
        when the run has no ready time left to finish it."""
        if p != self.product:
            if self.product >= 0 and self.changeover[p] > 0:
                t = self.plan(t, self.changeover[p], _CHANGEOVER, p, False)
            self.product = p
            if t < 0:
                return -1
        durations = self.work_s[p]
        duration = durations.get(units)
        if duration is None:
            duration = durations[units] = int(units * self.cycle[p] + 0.5)
        # the common case, as plan() would do it: the lot fits in the ready
        # window that holds t, before the next breakdown (r_e ends on a
        # sentinel, so the scan stops)
        r_e = self.r_e
        ri = self.ri
        while r_e[ri] <= t:
            ri += 1
        self.ri = ri
        end = t + duration
        if self.r_s[ri] <= t and end <= r_e[ri] and self.ttf > duration > 0:
            ends = self.ends
            if ends and ends[-1] == t and self.states[-1] == _BUSY and self.tags[-1] == p:
                ends[-1] = end
            else:
                self.starts.append(t)
                ends.append(end)
                self.states.append(_BUSY)
                self.tags.append(p)
            self.ttf -= duration
            return end
        return self.plan(t, duration, _BUSY, p, self.can_fail)


def _int64(values: list[int]) -> np.ndarray:
    """A list of ints as an int64 array (through ``array.array``, which reads a
    list of ints faster than ``np.array`` does)."""
    return np.frombuffer(array.array("q", values), dtype=np.int64)


def _with_gaps(
    start: np.ndarray,
    end: np.ndarray,
    state: np.ndarray,
    tag: np.ndarray,
    calendar: Timeline,
    timeout_s: float,
    end_s: int,
) -> Timeline:
    """A station's timeline: its activities, and between them (and up to
    ``end_s``) the states its calendar gives.

    A gap in ready or awake time is idle until ``timeout_s`` after the end of
    the last activity (or after the start of the latest ready window, if that
    is later; before any activity, only the window counts) and standby after;
    in off, warm-up and maintenance time it is in that state. Segments that
    continue each other with the same state and tag are merged.
    """
    # the gaps: before each activity, and after the last one
    a = np.concatenate([[0], end])
    b = np.concatenate([start, [end_s]])
    last_active = np.concatenate([[_NEVER], end])
    keep = b > a
    slot = np.flatnonzero(keep)  # gap j comes before activity j (n: after the last)
    a, b, last_active = a[keep], b[keep], last_active[keep]
    cal_s, cal_e, kinds = calendar.start_s, calendar.end_s, calendar.state
    ready = kinds == CalendarKind.READY
    wake = np.maximum.accumulate(np.where(ready, cal_s, _NEVER))
    # each gap cut by the calendar windows it overlaps
    first = np.searchsorted(cal_e, a, side="right")
    count = np.searchsorted(cal_s, b, side="left") - first
    gap = np.repeat(np.arange(a.size), count)
    offset = np.cumsum(count) - count
    window = first[gap] + (np.arange(gap.size) - offset[gap])
    ps = np.maximum(a[gap], cal_s[window])
    pe = np.minimum(b[gap], cal_e[window])
    kind = kinds[window]
    piece_state = _KIND_TO_STATE[kind]
    awake = (kind == CalendarKind.READY) | (kind == CalendarKind.AWAKE)
    if math.isinf(timeout_s):
        split = np.where(awake, pe, ps)
    else:
        ref = np.maximum(last_active[gap], wake[window])
        split = np.clip(ref + int(timeout_s), ps, pe)
        split = np.where(awake, split, ps)
    # idle [ps, split), then standby (or the calendar's state) [split, pe);
    # gap segments in time order, each placed before the activity that ends
    # its gap (no sort: activities and gaps are each in time order already)
    ok = np.stack([split > ps, pe > split], axis=1).ravel()
    g_s = np.stack([ps, split], axis=1).ravel()[ok]
    g_e = np.stack([split, pe], axis=1).ravel()[ok]
    g_k = np.stack([np.full(ps.size, _IDLE), piece_state], axis=1).ravel()[ok]
    g_slot = np.repeat(slot[gap], 2)[ok]
    n_act, n_gap = start.size, g_s.size
    pos_gap = np.arange(n_gap) + g_slot
    pos_act = np.arange(n_act) + np.searchsorted(g_slot, np.arange(n_act), side="right")
    seg_s = np.empty(n_act + n_gap, dtype=np.int64)
    seg_e = np.empty_like(seg_s)
    seg_k = np.empty_like(seg_s)
    seg_t = np.full_like(seg_s, -1)
    seg_s[pos_act], seg_e[pos_act], seg_k[pos_act], seg_t[pos_act] = start, end, state, tag
    seg_s[pos_gap], seg_e[pos_gap], seg_k[pos_gap] = g_s, g_e, g_k
    # merge what continues the previous segment in the same state and tag
    new = np.ones(seg_s.size, dtype=bool)
    new[1:] = (seg_s[1:] != seg_e[:-1]) | (seg_k[1:] != seg_k[:-1]) | (seg_t[1:] != seg_t[:-1])
    heads = np.flatnonzero(new)
    tails = np.empty_like(heads)
    tails[:-1] = heads[1:] - 1
    tails[-1:] = seg_s.size - 1
    return Timeline(seg_s[heads], seg_e[tails], seg_k[heads], seg_t[heads])


_KIND_TO_STATE = np.array(
    [
        StationState.OFF,  # OFF
        StationState.STANDBY,  # AWAKE: standby after the idle part
        StationState.WARMUP,  # WARMUP
        StationState.STANDBY,  # READY: standby after the idle part
        StationState.MAINTENANCE,  # MAINTENANCE
    ],
    dtype=np.int64,
)
"""Station state in each :class:`CalendarKind` when nothing is going on."""

_READY = int(CalendarKind.READY)
_AWAKE = int(CalendarKind.AWAKE)
_IDLE = int(StationState.IDLE)
_STANDBY = int(StationState.STANDBY)
_BUSY = int(StationState.BUSY)
_CHANGEOVER = int(StationState.CHANGEOVER)
_DOWN = int(StationState.DOWN)
_DOWN_OFF_SHIFT = int(StationState.DOWN_OFF_SHIFT)


def simulate_line(
    stations: Sequence[StationSpec],
    lots: Iterable[tuple[int, tuple[int, int]]],
    end_s: int,
    rngs: Sequence[np.random.Generator],
) -> LineRun:
    r"""Run the discrete-event model of one line over ``[0, end_s)``.

    One SimPy process releases the lots into the first station, one event
    per lot: at the time the first station is free again, it takes the next
    lot of the release plan. The lot's way down the line follows at once
    from the model's rules (the departure recursion of a serial line with
    blocking after service): with :math:`D_i(k)` the time station
    :math:`i` hands lot :math:`k` on (into its buffer or to the next
    station) and :math:`S_i(k)` the time it takes it,

    - :math:`S_i(k) = \max(D_i(k-1), D_{i-1}(k))` (free, and the lot is
      there; the first station: :math:`\max(D_0(k-1), r_k)` with the
      release time :math:`r_k`);
    - the work ends at :math:`F_i(k)`, :math:`S_i(k)` plus the changeover
      and work time paused outside ready time and for repairs;
    - :math:`D_i(k) = \max(F_i(k), S_{i+1}(k - b_i))` with a buffer of
      :math:`b_i \ge 1` lots (a place frees when the next station takes the
      lot :math:`b_i` ahead), :math:`\max(F_i(k), D_{i+1}(k-1))` with
      :math:`b_i = 0` (handed over when the next station is free);
    - a time at or after ``end_s`` is never: the station is blocked, or
      holds the lot, to the end of the run.

    These are the times at which the station processes of a SimPy model
    with one process per station and a store per buffer would take and
    hand on every lot, so the timelines are those of that model, at one
    event per lot instead of one or two per lot and station.

    Parameters
    ----------
    stations : sequence of StationSpec
        In flow order.
    lots : iterable of (release_s, (product, units))
        The release plan in release order: each lot's earliest start [s]
        and its product index and size [units].
    end_s : int
        End of the run [s from the grid start].
    rngs : sequence of numpy.random.Generator
        One per station, for breakdowns.

    Returns
    -------
    LineRun
        Station timelines covering ``[0, end_s)``.

    Examples
    --------
    One station, one 8-hour window, lots of 10 units at 60 s: busy all the
    window, 480 units worth of busy time.

    >>> import math
    >>> from twin.components.production_calendar import ShiftWindows, station_calendar
    >>> w = ShiftWindows(np.array([0]), np.array([28800]), np.array([True]), np.array([True]))
    >>> cal = station_calendar(w, 86400, shutdown_at_shift_end=True, warmup_s=0,
    ...                        warmup_before_shift=True)
    >>> spec = StationSpec((60.0,), (0,), None, None, 0, math.inf, cal)
    >>> run = simulate_line([spec], mix_lots([100], [10], [1.0]), 86400,
    ...                     [np.random.default_rng(0)])
    >>> float(run.timelines[0].duration_s(N_STATES)[StationState.BUSY]) / 60
    480.0
    """
    sims = [_Station(spec, rng) for spec, rng in zip(stations, rngs, strict=True)]
    m = len(sims)
    caps = [s.buffer_lots for s in stations[:-1]]
    # D_i of the last lot each station handed on: free from the start
    depart = [0] * m
    # S_i(k) of every lot k, for station i - 1 with a buffer of b >= 1 (S_i(k - b))
    taken: list[list[int]] = [[] for _ in range(m)]
    # per station: index, station, its buffer, the take times of the next
    # station (read with a buffer >= 1), its own take times (None: nobody reads them)
    mine = [None] + [taken[i] if caps[i - 1] > 0 else None for i in range(1, m)]
    flow = list(zip(range(m), sims, [*caps, -1], [*taken[1:], []], mine, strict=True))
    env = simpy.Environment()
    n_events = 0

    def release():
        nonlocal n_events
        k = -1
        batch_p = batch_s = -1
        for release_s, (p, units) in lots:
            free = depart[0]
            if free >= _INF:
                return
            if p != batch_p or release_s != batch_s:
                # the first lot of a batch (lots of one product released
                # together): the clock moves to when the first station takes it
                batch_p, batch_s = p, release_s
                if free > env.now:
                    n_events += 1
                    yield env.timeout(free - env.now)
            k += 1
            t = free if free > release_s else release_s
            for i, st, cap, after, own in flow:
                if i:
                    prev = depart[i]
                    if prev > t:
                        t = prev  # t was when station i - 1 handed the lot on
                    if own is not None:
                        own.append(t)
                    if t >= _INF:
                        depart[i] = _INF
                        break
                # the common case of st.work(t, p, units), inline: the
                # changeover (if the product changes) and the lot within the
                # ready window that holds t, before the next breakdown
                co = st.changeover[p] if p != st.product and st.product >= 0 else 0
                r_e = st.r_e
                ri = st.ri
                while r_e[ri] <= t:
                    ri += 1
                st.ri = ri
                duration = st.work_s[p].get(units, -1)
                begin = t + co
                done = begin + duration
                if st.r_s[ri] <= t and done <= r_e[ri] and st.ttf > duration > 0:
                    st.product = p
                    ends = st.ends
                    if co:
                        if (
                            ends
                            and ends[-1] == t
                            and st.states[-1] == _CHANGEOVER
                            and st.tags[-1] == p
                        ):
                            ends[-1] = begin
                        else:
                            st.starts.append(t)
                            ends.append(begin)
                            st.states.append(_CHANGEOVER)
                            st.tags.append(p)
                    # the busy time continues the last segment only without a changeover
                    if ends and ends[-1] == begin and st.states[-1] == _BUSY and st.tags[-1] == p:
                        ends[-1] = done
                    else:
                        st.starts.append(begin)
                        ends.append(done)
                        st.states.append(_BUSY)
                        st.tags.append(p)
                    st.ttf -= duration
                elif co == 0 and duration > 0:  # what st.work would do: plan the lot
                    st.product = p
                    done = st.plan(t, duration, _BUSY, p, st.can_fail)
                else:
                    done = st.work(t, p, units)
                if done < 0 or done >= end_s:
                    done = _INF
                elif cap == 0:
                    nxt = depart[i + 1]
                    if nxt > done:
                        done = _INF if nxt >= end_s else nxt
                elif cap > 0 and k >= cap:
                    place = after[k - cap]
                    if place > done:
                        done = _INF if place >= end_s else place
                depart[i] = done
                t = done

    env.process(release())
    env.run(until=end_s)
    return LineRun(
        timelines=tuple(st.timeline(end_s) for st in sims),
        n_events=n_events,
        n_failures=sum(st.n_failures for st in sims),
    )


def _split(units: int, lot_units: int) -> Iterator[int]:
    full, rest = divmod(units, lot_units)
    for _ in range(full):
        yield lot_units
    if rest:
        yield rest


def mix_lots(
    batch_units: Sequence[int], lot_units: Sequence[int], mix_frac: Sequence[float]
) -> Iterator[tuple[int, tuple[int, int]]]:
    r"""An endless release plan for a product mix, batch by batch.

    The next batch is of the product whose share of the units produced
    would stay furthest below its target share (stride scheduling): with
    :math:`u_p` units released so far, the product with the smallest
    :math:`(u_p + B_p) / f_p` goes next (ties: the first listed). Over a
    run the released units approach the shares :math:`f_p`; the sequence
    is deterministic. Every lot is available at once (release 0): raw
    material never runs out.

    Parameters
    ----------
    batch_units : sequence of int
        Batch size of each product [units].
    lot_units : sequence of int
        Transfer lot size of each product [units].
    mix_frac : sequence of float
        Share of each product in the units produced [-]; 0 leaves a product out.

    Yields
    ------
    (0, (product, units))
    """
    released = [0.0] * len(batch_units)
    active = [p for p, f in enumerate(mix_frac) if f > 0]
    # a batch of each product: so many full lots and the rest, one shared item
    # each (the lots of a batch are handed out, never built as a list)
    batch = [
        (divmod(b, lot_units[p]), (0, (p, lot_units[p])), (0, (p, b % lot_units[p])))
        for p, b in enumerate(batch_units)
    ]
    while True:
        p = min(active, key=lambda q: (released[q] + batch_units[q]) / mix_frac[q])
        released[p] += batch_units[p]
        (full, rest), lot, rest_lot = batch[p]
        yield from itertools.repeat(lot, full)
        if rest:
            yield rest_lot


def order_lots(
    orders: Sequence[tuple[int, int, int]], lot_units: Sequence[int]
) -> Iterator[tuple[int, tuple[int, int]]]:
    """A release plan from an order book, in release order.

    Parameters
    ----------
    orders : sequence of (release_s, product, quantity)
        Release time [s from the grid start], product index and quantity
        [units] of each order; worked first come, first served (stable).
    lot_units : sequence of int
        Transfer lot size of each product [units].

    Yields
    ------
    (release_s, (product, units))
    """
    for release_s, p, quantity in sorted(orders, key=lambda o: o[0]):
        for units in _split(quantity, lot_units[p]):
            yield max(0, release_s), (p, units)
