"""Token buckets: send steadily under a platform's rate limits instead of hitting them."""

from __future__ import annotations


class TokenBucket:
    """Allows `rate` events per second on average, with bursts of up to `burst`."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = burst
        self._updated: float | None = None

    def resize(self, rate: float, burst: float, now: float) -> None:
        """Change the allowance from `now` on, keeping what was already used."""
        self._refill(now)
        self.rate, self.burst = rate, burst
        self._tokens = min(self._tokens, burst)

    def wait(self, now: float) -> float:
        """Seconds until one event is allowed (0 means now)."""
        self._refill(now)
        return 0.0 if self._tokens >= 1 else (1 - self._tokens) / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self._tokens -= 1

    def full(self, now: float) -> bool:
        """Whether it has filled up again: a new bucket would allow just the same."""
        self._refill(now)
        return self._tokens >= self.burst

    def give_back(self, now: float) -> None:
        """Undo a `take` whose event did not happen after all."""
        self._refill(now)
        self._tokens = min(self.burst, self._tokens + 1)

    def _refill(self, now: float) -> None:
        if self._updated is not None:
            self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now
