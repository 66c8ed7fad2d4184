"""The line model as one SimPy process per station: the reference for the fast one.

:func:`components.production_sim.simulate_line` computes the times at which
every station takes and hands on every lot from the departure recursion of a
serial line with blocking after service, with one SimPy event per lot. This
module keeps the direct form of the same model, one SimPy process per
station and a store per buffer, waiting on an event whenever a station is
starved, blocked or busy. The tests run both on the same inputs and require
the same timelines, segment for segment.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
import simpy
from twin.components.production_calendar import CalendarKind
from twin.components.production_sim import LineRun, StationSpec, StationState

from twin.schedule import TimelineRecorder

_NEVER = -(2**62)

_KIND_STATE = {
    CalendarKind.OFF: StationState.OFF,
    CalendarKind.WARMUP: StationState.WARMUP,
    CalendarKind.MAINTENANCE: StationState.MAINTENANCE,
}


class _Buffer:
    """Lots waiting between two stations (FIFO, ``capacity`` places, may be 0).

    Lighter than ``simpy.Store``: a put or get that can happen now happens
    without an event; only a process that has to wait gets one.
    """

    __slots__ = ("capacity", "env", "getters", "items", "putters")

    def __init__(self, env: simpy.Environment, capacity: int) -> None:
        self.env = env
        self.capacity = capacity
        self.items: deque[tuple[int, int]] = deque()
        self.getters: deque[simpy.Event] = deque()
        self.putters: deque[tuple[simpy.Event, tuple[int, int]]] = deque()

    def offer(self, lot: tuple[int, int]) -> bool:
        """Put ``lot`` now if possible (straight to a waiting taker first)."""
        if self.getters:
            self.getters.popleft().succeed(lot)
            return True
        if len(self.items) < self.capacity:
            self.items.append(lot)
            return True
        return False

    def wait_put(self, lot: tuple[int, int]) -> simpy.Event:
        """An event that fires once ``lot`` has been taken into the buffer."""
        ev = self.env.event()
        self.putters.append((ev, lot))
        return ev

    def take(self) -> tuple[int, int] | None:
        """The next lot, or None when there is none now."""
        if self.items:
            lot = self.items.popleft()
            if self.putters:
                ev, waiting = self.putters.popleft()
                self.items.append(waiting)
                ev.succeed()
            return lot
        if self.putters:  # no places: hand over straight from the blocked station
            ev, waiting = self.putters.popleft()
            ev.succeed()
            return waiting
        return None

    def wait_get(self) -> simpy.Event:
        """An event whose value is the next lot put into the buffer."""
        ev = self.env.event()
        self.getters.append(ev)
        return ev


class _Station:
    """One station's process and its timeline recorder."""

    def __init__(self, env: simpy.Environment, spec: StationSpec, rng: np.random.Generator) -> None:
        self.env = env
        self.spec = spec
        self.rng = rng
        cal = spec.calendar
        kinds = cal.state
        ready = kinds == CalendarKind.READY
        self.cal_e: list[int] = cal.end_s.tolist()
        self.cal_k: list[int] = kinds.tolist()
        self.wake: list[int] = np.maximum.accumulate(np.where(ready, cal.start_s, _NEVER)).tolist()
        self.r_s: list[int] = cal.start_s[ready].tolist()
        self.r_e: list[int] = cal.end_s[ready].tolist()
        self.n_ready = len(self.r_s)
        self.cycle = spec.cycle_s
        self.changeover = spec.changeover_s
        self.timeout = spec.idle_to_standby_s
        self.can_fail = spec.mtbf_s is not None and spec.mttr_s is not None
        self.rec = TimelineRecorder()
        self.t_rec = 0  # the timeline is complete up to here
        self.last_active = _NEVER
        self.ci = 0
        self.ri = 0
        self.n_events = 0
        self.n_failures = 0
        self.ttf = self._draw(spec.mtbf_s) if self.can_fail else 0

    def _draw(self, mean_s: float | None) -> int:
        return max(1, round(float(self.rng.exponential(mean_s))))

    # -- the timeline ------------------------------------------------------
    def fill(self, t1: int) -> None:
        """Record the calendar states from where the timeline ends up to ``t1``."""
        t = self.t_rec
        if t1 <= t:
            return
        cal_e, cal_k, wake = self.cal_e, self.cal_k, self.wake
        add = self.rec.add
        ci = self.ci
        while cal_e[ci] <= t:
            ci += 1
        while t < t1:
            ce = cal_e[ci]
            end = ce if ce < t1 else t1
            k = cal_k[ci]
            if k == CalendarKind.READY or k == CalendarKind.AWAKE:
                ref = self.last_active if self.last_active > wake[ci] else wake[ci]
                split = ref + self.timeout
                if split >= end:
                    add(t, end, StationState.IDLE)
                elif split <= t:
                    add(t, end, StationState.STANDBY)
                else:
                    add(t, split, StationState.IDLE)
                    add(split, end, StationState.STANDBY)
            else:
                add(t, end, _KIND_STATE[k])
            t = end
            if end == ce:
                ci += 1
        self.ci = ci
        self.t_rec = t1

    def record(self, start: int, end: int, state: int, tag: int) -> None:
        if start > self.t_rec:
            self.fill(start)
        self.rec.add(start, end, state, tag)
        self.t_rec = end
        self.last_active = end

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
                self.record(t, e, StationState.DOWN, -1)
            else:
                e = min(end, r_s[j]) if j < n else end
                self.record(t, e, StationState.DOWN_OFF_SHIFT, -1)
            t = e

    # -- the process -------------------------------------------------------
    def plan(self, t: int, duration_s: int, state: int, tag: int, fails: bool) -> int:
        """Record ``duration_s`` of ready time in ``state`` from ``t`` on, pausing
        outside ready time and for repairs if ``fails``; returns when it ends,
        or -1 when the run has no ready time left to finish it.

        Nothing outside the station can change this stretch (the calendar is
        known, breakdowns are the station's own), so it is recorded at once and
        waited for with one SimPy timeout.
        """
        r_s, r_e, n = self.r_s, self.r_e, self.n_ready
        left = duration_s
        while left > 0:
            ri = self.ri
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
                repair = self._draw(self.spec.mttr_s)
                self.record_down(t + run, t + run + repair)
                self.n_failures += 1
                t += run + repair
                left -= run
                self.ttf = self._draw(self.spec.mtbf_s)
            else:
                self.record(t, t + run, state, tag)
                t += run
                left -= run
                if fails:
                    self.ttf -= run
        return t

    def process(
        self,
        inbuf: _Buffer | None,
        outbuf: _Buffer | None,
        source: Iterator[tuple[int, tuple[int, int]]] | None,
    ):
        env = self.env
        product = -1
        busy = int(StationState.BUSY)
        changeover = int(StationState.CHANGEOVER)
        while True:
            start = env.now
            if source is not None:
                item = next(source, None)
                if item is None:  # the order book is done
                    self.n_events += 1
                    yield env.event()
                release_s, lot = item
                if release_s > start:
                    start = release_s
            else:
                lot = inbuf.take()
                if lot is None:
                    self.n_events += 1
                    lot = yield inbuf.wait_get()
                    start = env.now
            p, units = lot
            t = start
            if p != product:
                if product >= 0 and self.changeover[p] > 0:
                    t = self.plan(t, self.changeover[p], changeover, p, False)
                product = p
            if t >= 0:
                t = self.plan(t, int(units * self.cycle[p] + 0.5), busy, p, self.can_fail)
            self.n_events += 1
            if t < 0:  # no production time left in the run
                yield env.event()
            yield env.timeout(t - env.now)
            if outbuf is not None and not outbuf.offer(lot):
                self.n_events += 1
                yield outbuf.wait_put(lot)


def simulate_line_per_station(
    stations: Sequence[StationSpec],
    lots: Iterable[tuple[int, tuple[int, int]]],
    end_s: int,
    rngs: Sequence[np.random.Generator],
) -> LineRun:
    """Run the discrete-event model of one line over ``[0, end_s)``.

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
    env = simpy.Environment()
    sims = [_Station(env, spec, rng) for spec, rng in zip(stations, rngs, strict=True)]
    buffers = [_Buffer(env, s.buffer_lots) for s in stations[:-1]]
    source = iter(lots)
    for i, st in enumerate(sims):
        inbuf = buffers[i - 1] if i > 0 else None
        outbuf = buffers[i] if i < len(buffers) else None
        env.process(st.process(inbuf, outbuf, source if i == 0 else None))
    env.run(until=end_s)
    for st in sims:
        st.fill(end_s)
    return LineRun(
        timelines=tuple(st.rec.timeline() for st in sims),
        n_events=sum(st.n_events for st in sims),
        n_failures=sum(st.n_failures for st in sims),
    )
