"""Parse time per message of the seed PromoChange sample (target ≤ 100 µs). Prints, never asserts.

Run: .venv/bin/python tests/bench/bench_thingspace_codec.py
"""

from __future__ import annotations

import time
from pathlib import Path

from simulator.thingspace.codec import (
    build_rest_callback,
    build_soap_callback,
    parse_rest_callback,
    parse_soap_callback,
)

ITERATIONS = 10_000
DATA = Path(__file__).resolve().parents[1] / "unit" / "thingspace" / "data"
SAMPLE = (DATA / "promo_change_seed_003.xml").read_bytes()


def _per_call_us(label: str, call: object, argument: object) -> None:
    assert callable(call)
    call(argument)  # warm-up: imports and caches outside the timing
    start = time.perf_counter()
    for _ in range(ITERATIONS):
        call(argument)
    elapsed = time.perf_counter() - start
    print(f"{label:<28} {elapsed / ITERATIONS * 1e6:8.1f} µs/message ({ITERATIONS} iterations)")


def main() -> None:
    message = parse_soap_callback(SAMPLE)
    rest_body = build_rest_callback(message)
    _per_call_us("parse_soap_callback (seed)", parse_soap_callback, SAMPLE)
    _per_call_us("build_soap_callback", build_soap_callback, message)
    _per_call_us("parse_rest_callback", parse_rest_callback, rest_body)
    _per_call_us("build_rest_callback", build_rest_callback, message)


if __name__ == "__main__":
    main()
