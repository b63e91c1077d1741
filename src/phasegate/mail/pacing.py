"""When to try again, and how fast to send: the sender's backoff and rate limit.

Pure: the time and the random source come in as arguments.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
JITTER = 0.2  # each delay is stretched or shrunk by up to this fraction


def retry_delay(attempt: int, rng: random.Random) -> timedelta:
    """How long to wait after the ``attempt``-th failed attempt (counting from 1).

    30 s, 1 min, 2 min, ... doubling up to one hour, each stretched or shrunk at random by
    up to 20 % so that messages which failed together do not all retry together.
    """
    base = min(FIRST_RETRY * (1 << min(max(attempt, 1) - 1, 32)), LONGEST_RETRY)
    return base * rng.uniform(1 - JITTER, 1 + JITTER)


def pace_delay(sent: int, elapsed: float, rate_per_minute: int) -> float:
    """Seconds to wait before the next message, after ``sent`` in ``elapsed`` seconds.

    Messages are spaced evenly, ``60 / rate_per_minute`` seconds apart from the start of
    the pass, so no 60-second window holds more than ``rate_per_minute``. 0 is no limit.
    """
    if rate_per_minute <= 0:
        return 0.0
    return max(0.0, sent * 60.0 / rate_per_minute - elapsed)


class Pacer:
    """Keeps one pass to the rate limit, on a monotonic time source."""

    def __init__(self, rate_per_minute: int, monotonic: Callable[[], float]) -> None:
        self.rate_per_minute = rate_per_minute
        self.monotonic = monotonic
        self.sent = 0
        self.started: float | None = None

    def delay(self) -> float:
        now = self.monotonic()
        if self.started is None:
            self.started = now
        return pace_delay(self.sent, now - self.started, self.rate_per_minute)

    def record(self) -> None:
        self.sent += 1
