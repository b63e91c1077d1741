"""How fast to send: the sender's rate limit.

Pure: the time comes in as an argument. The backoff between attempts is the queue's, shared
with the webhooks (:func:`phasegate.leases.retry_delay`).
"""

from __future__ import annotations

from collections.abc import Callable


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
