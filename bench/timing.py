"""What the page benchmarks share: the median server time of a request, repeated."""

import statistics
import time

REPEAT = 20


def timed(fetch, repeat=REPEAT):
    """Median milliseconds of `fetch()` (a test-client request that must answer 200)."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = fetch()
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return statistics.median(samples)
