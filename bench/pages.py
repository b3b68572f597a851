"""Pages under load: `popupstore serve` as shipped (its defaults: 2 sync workers, the
access log on) on SQLite, against a hello-world Flask app in a gunicorn of its own.

Every figure is requests per second measured with wrk at 32 connections, repeated, and
reported as a ratio to the reference measured in the same run. Two more rows show the
same server started with `--no-access-log` (behind a proxy that logs), without targets.
"""

from __future__ import annotations

import argparse
import statistics
from typing import Any

from .common import (
    EVENT,
    add_checkouts,
    add_facilitator,
    bench_server,
    print_table,
    reference_server,
    staff_headers,
    summary,
    temporary_store,
    write_results,
    wrk,
)

VISITORS = 240


def _targets(
    reference: str, root: str, quiet: str, token: str, etag: str, staff: list[str], live_etag: str
) -> dict[str, dict[str, Any]]:
    return {
        "reference": {"url": f"{reference}/", "target": None},
        "start page": {"url": f"{root}/", "target": 0.7},
        "product page": {"url": f"{root}/product/vroegsignalering", "target": None},
        "receipt page": {"url": f"{root}/r/{token}", "target": 0.5},
        "receipt poll (304)": {
            "url": f"{root}/r/{token}/partners",
            "headers": [f"If-None-Match: {etag}"],
            "target": 0.7,
        },
        "facilitator poll (304)": {
            "url": f"{root}/facilitator/evenement/{EVENT}/live",
            "headers": [*staff, f"If-None-Match: {live_etag}"],
            "target": 0.7,
        },
        "start page, --no-access-log": {"url": f"{quiet}/", "target": None},
        "receipt page, --no-access-log": {"url": f"{quiet}/r/{token}", "target": None},
    }


def _etag(url: str, *headers: str) -> str:
    import urllib.request

    request = urllib.request.Request(url)
    for header in headers:
        name, _, value = header.partition(": ")
        request.add_header(name, value)
    with urllib.request.urlopen(request) as response:
        return str(response.headers["ETag"])


def run(seconds: int = 5, repeats: int = 3) -> dict[str, Any]:
    with temporary_store() as store:
        tokens = add_checkouts(store, VISITORS)
        add_facilitator(store)
        with (
            reference_server(store.folder) as reference,
            bench_server(store) as root,
            bench_server(store, "--no-access-log") as quiet,
        ):
            staff = staff_headers(root)
            live = f"{root}/facilitator/evenement/{EVENT}/live"
            targets = _targets(
                reference,
                root,
                quiet,
                tokens[0],
                _etag(f"{root}/r/{tokens[0]}/partners"),
                staff,
                _etag(live, *staff),
            )
            samples: dict[str, list[dict[str, Any]]] = {name: [] for name in targets}
            # Interleave the targets so drift on a shared machine hits all of them alike.
            for _ in range(repeats):
                for name, target in targets.items():
                    samples[name].append(
                        wrk(target["url"], seconds=seconds, headers=target.get("headers", ()))
                    )
    reference = statistics.median(s["rps"] for s in samples["reference"])
    results: dict[str, Any] = {
        "event": EVENT,
        "visitors": VISITORS,
        "seconds": seconds,
        "pages": {},
    }
    for name, target in targets.items():
        rps = summary([s["rps"] for s in samples[name]])
        ratios = summary([s["rps"] / reference for s in samples[name]])
        errors = sum(s["errors"] for s in samples[name])
        results["pages"][name] = {
            "rps": rps,
            "ratio": ratios,
            "target_ratio": target["target"],
            "errors": errors,
            "p95_ms": statistics.median(s["p95_ms"] for s in samples[name]),
            "meets_target": (target["target"] is None or ratios["median"] >= target["target"])
            and errors == 0,
        }
    return results


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    results = run(args.seconds, args.repeats)
    rows = [
        (
            name,
            f"{page['rps']['median']:.0f} ({page['rps']['min']:.0f}–{page['rps']['max']:.0f})",
            f"{page['ratio']['median']:.2f}",
            "—" if page["target_ratio"] is None else f"≥ {page['target_ratio']:.2f}",
            page["errors"],
            "ok" if page["meets_target"] else "MISSED",
        )
        for name, page in results["pages"].items()
    ]
    print_table(
        "Pages under load: popupstore serve as shipped (2 workers, access log on), 32 connections",
        ("page", "req/s median (min–max)", "ratio", "target", "errors", ""),
        rows,
    )
    print(f"written: {write_results('pages', results)}")
    return results


def benchmark() -> bool:
    results = main([])
    return all(page["meets_target"] for page in results["pages"].values())


if __name__ == "__main__":
    main()
