"""Receipt QR codes: drawing a PNG for every request against serving the kept one.

240 phones may open their receipt at the same moment; the QR image of a receipt never
changes, so the app keeps the PNGs it drew (an LRU in each worker). This measures both
paths in-process and the HTTP route with the cache warm.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from .common import add_checkouts, print_table, temporary_store, write_results

URL = "https://popupstore.example.nl/r/{token}"


def _timed(action: Callable[[int], Any], count: int) -> list[float]:
    times = []
    for index in range(count):
        start = time.perf_counter()
        action(index)
        times.append((time.perf_counter() - start) * 1000)
    return times


def _figures(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "median_ms": statistics.median(ordered),
        "p95_ms": ordered[int(0.95 * (len(ordered) - 1))],
    }


def run(count: int = 240) -> dict[str, Any]:
    import io

    from popupstore.basket.qr import qr_image, qr_png

    urls = [URL.format(token=f"token-{i:04d}-abcdefghijklmnopqrstuv") for i in range(count)]

    def draw(index: int) -> bytes:
        buffer = io.BytesIO()
        qr_image(urls[index]).save(buffer, format="PNG")
        return buffer.getvalue()

    qr_png.cache_clear()
    drawn = _timed(draw, count)
    for url in urls:
        qr_png(url)
    kept = _timed(lambda index: qr_png(urls[index]), count)

    with temporary_store() as store:
        tokens = add_checkouts(store, 20)
        app = store.app()
        client = app.test_client()
        for token in tokens:
            client.get(f"/r/{token}/qr.png")
        served = _timed(lambda i: client.get(f"/r/{tokens[i % 20]}/qr.png"), count)
    results = {
        "requests": count,
        "draw_each_time": _figures(drawn),
        "kept_png": _figures(kept),
        "http_route_warm": _figures(served),
    }
    results["speedup"] = results["draw_each_time"]["median_ms"] / max(
        results["kept_png"]["median_ms"], 1e-6
    )
    return results


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=240)
    args = parser.parse_args(argv)
    results = run(args.count)
    print_table(
        "Receipt QR code",
        ("path", "median ms", "p95 ms"),
        [
            (name, f"{results[name]['median_ms']:.3f}", f"{results[name]['p95_ms']:.3f}")
            for name in ("draw_each_time", "kept_png", "http_route_warm")
        ],
    )
    print(f"kept PNG is {results['speedup']:.0f}× faster than drawing it again")
    print(f"written: {write_results('qr', results)}")
    return results


def benchmark() -> bool:
    # Serving the kept PNG must beat drawing it again by a wide margin.
    return main([])["speedup"] >= 10


if __name__ == "__main__":
    main()
