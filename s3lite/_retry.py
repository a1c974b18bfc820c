"""When to try a request again, and how long to wait first (reference/s3-spec.md §4).

``standard`` (the default, as the AWS SDKs now recommend): at most 3 attempts, full-jitter
exponential backoff capped at 20 s, and a per-client retry quota so that an outage does not turn
every call into three. ``legacy`` keeps botocore's historical defaults: 5 attempts, no cap, no
quota, and 429/BadDigest retried.
"""

from __future__ import annotations

from _thread import allocate_lock
from collections.abc import Collection

from ._errors import ConnectTimeoutError, ParamValidationError, ReadTimeoutError

RETRY_MODES = ("standard", "legacy")

#: "transient - error code RequestTimeout, RequestTimeoutException, PriorRequestNotComplete, or HTTP
#: 500/502/503/504" (§4, standard)
_TRANSIENT_CODES = frozenset({"RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete"})
_TRANSIENT_STATUS = frozenset({500, 502, 503, 504})
#: "throttling codes ..." (§4, standard)
_THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)
#: legacy: "HTTP 500, 502, 503, 504, 509, 429; HTTP 400 with code ...; S3 extras: 400 + RequestTimeout,
#: 400 + BadDigest" (§4): these codes count only with a 400
_LEGACY_STATUS = frozenset({500, 502, 503, 504, 509, 429})
_LEGACY_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "ProvisionedThroughputExceededException",
        "RequestTimeout",
        "BadDigest",
    }
)

QUOTA_CAPACITY = 500
RETRY_COST = 5
TIMEOUT_RETRY_COST = 10
NO_RETRY_INCREMENT = 1


class RetryQuota:
    """ "capacity 500; each retry costs 5 (10 for timeouts); no capacity => no retry; on success the last
    cost is refunded, or +1 if the call succeeded first time" (§4, standard). One per client."""

    __slots__ = ("_lock", "available")

    def __init__(self, available: int = QUOTA_CAPACITY) -> None:
        self.available = available
        self._lock = allocate_lock()  # _thread: threading itself costs a millisecond to import

    def __repr__(self) -> str:
        return f"RetryQuota(available={self.available})"

    def acquire(self, cost: int) -> bool:
        with self._lock:
            if cost > self.available:
                return False
            self.available -= cost
            return True

    def release(self, amount: int) -> None:
        with self._lock:
            self.available = min(self.available + amount, QUOTA_CAPACITY)


class RetryPolicy:
    """A retry mode, its attempt limit, and (standard mode) the client's quota."""

    __slots__ = ("max_attempts", "mode", "quota")

    def __init__(self, mode: str = "standard", max_attempts: int = 3, quota: RetryQuota | None = None) -> None:
        if mode not in RETRY_MODES:
            raise ParamValidationError(f"Invalid retry mode {mode!r}: one of {', '.join(RETRY_MODES)}")
        if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
            raise ParamValidationError("Invalid max_attempts: must be an int of at least 1")
        self.mode = mode
        self.max_attempts = max_attempts
        self.quota = RetryQuota() if quota is None else quota

    def __repr__(self) -> str:
        return f"RetryPolicy(mode={self.mode!r}, max_attempts={self.max_attempts}, quota={self.quota!r})"

    @classmethod
    def for_mode(cls, mode: str, max_attempts: int | None) -> RetryPolicy:
        default = 5 if mode == "legacy" else 3
        return cls(mode, default if max_attempts is None else max_attempts)

    def is_retryable_response(self, status: int, code: str, modeled: Collection[str] = ()) -> bool:
        """``modeled``: the error codes the operation models; botocore 1.44's standard mode retries a 429
        whose code is none of them (its ``ThrottlingStatusCodeChecker``), whatever the code says."""
        if self.mode == "legacy":
            # botocore's _retry.json: each listed code "applies_when" its http_status_code is 400
            return status in _LEGACY_STATUS or (status == 400 and code in _LEGACY_CODES)
        return (
            status in _TRANSIENT_STATUS
            or code in _TRANSIENT_CODES
            or code in _THROTTLING_CODES
            or (status == 429 and code not in modeled)
        )

    def delay(self, attempt: int, rand: float) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1-based): full jitter, capped at 20 s in
        standard mode ("random() * min(2**(n-1), 20)") and uncapped in legacy mode."""
        base = 2.0 ** (attempt - 1)
        return rand * (base if self.mode == "legacy" else min(base, 20.0))

    def acquire(self, error: Exception | None) -> int | None:
        """Take a retry's cost from the quota: the amount taken, or None when the quota is spent."""
        if self.mode == "legacy":
            return 0
        cost = TIMEOUT_RETRY_COST if isinstance(error, (ConnectTimeoutError, ReadTimeoutError)) else RETRY_COST
        return cost if self.quota.acquire(cost) else None

    def succeeded(self, last_cost: int | None) -> None:
        if self.mode == "standard":
            self.quota.release(last_cost if last_cost else NO_RETRY_INCREMENT)
