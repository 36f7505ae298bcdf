"""The direct DER readers over one real download's messages: time per message, cache-warm, and
per download, on the SM-DP+ side (esim.asn1.direct_es9) and the device side
(esim.asn1.device_der), beside the codec's full asn1tools path for the same bytes. Prints,
never asserts.

The messages are recorded from downloads of the stub's 60 KB profile (``bench_download.py``'s
set-up: LPA, emulated eUICC and SM-DP+ over HTTPS). ``--save=FILE`` keeps them and
``--load=FILE`` replays a saved set instead, so two trees can be timed on the same bytes:
run one tree with ``--save``, then each tree with ``--load``, alternating.

Run: .venv/bin/python tests/bench/bench_direct_der.py [--save=FILE | --load=FILE]
"""

from __future__ import annotations

import collections
import functools
import json
import sys
import tempfile
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_download import SIZE_BYTES, WARM_UP, measure

from esim.asn1 import codec, device_der, direct_es9
from esim.asn1 import messages as m
from esim.smdp import ProfileSpec
from esim.smdp.profile_package import generate_iccid

DOWNLOADS = 3  # after bench_download's warm-up downloads, which are recorded too
REPEAT, NUMBER = 7, 200
Record = tuple[str, str, bytes]  # (side, type name, DER)


def record_downloads() -> tuple[list[Record], int]:
    """Every message the direct readers are given during real downloads."""
    records: list[Record] = []
    device_read, server_read = device_der.read_direct, codec.read_direct

    def device(message: m.Message, data: bytes) -> Any:
        records.append(("device", message.type_name, bytes(data)))
        return device_read(message, data)

    def server(type_name: str, data: bytes) -> Any:
        records.append(("server", type_name, bytes(data)))
        return server_read(type_name, data)

    device_der.read_direct, codec.read_direct = device, server  # type: ignore[assignment]
    try:
        with tempfile.TemporaryDirectory() as scratch:
            runs = measure(
                Path(scratch),
                lambda: ProfileSpec(iccid=generate_iccid(), size_bytes=SIZE_BYTES),
                count=DOWNLOADS,
            )
    finally:
        device_der.read_direct, codec.read_direct = device_read, server_read
    return records, len(runs.wall) + WARM_UP  # the warm-up downloads are recorded too


def best_per_call(read: Callable[[bytes], object], items: list[bytes]) -> float:
    def all_items() -> None:
        for data in items:
            read(data)

    return min(timeit.repeat(all_items, number=NUMBER, repeat=REPEAT)) / NUMBER / len(items)


def option(name: str) -> str | None:
    for argument in sys.argv[1:]:
        if argument.startswith(f"--{name}="):
            return argument.split("=", 1)[1]
    return None


def main() -> None:
    load, save = option("load"), option("save")
    if load is not None:
        saved = json.loads(Path(load).read_text())
        records = [(side, name, bytes.fromhex(data)) for side, name, data in saved["records"]]
        downloads = saved["downloads"]
    else:
        records, downloads = record_downloads()
    if save is not None:
        saved = {"downloads": downloads, "records": [(s, n, d.hex()) for s, n, d in records]}
        Path(save).write_text(json.dumps(saved))
    by_type: dict[tuple[str, str], list[bytes]] = collections.defaultdict(list)
    for side, name, data in records:
        by_type[side, name].append(data)
    message_of = {v.type_name: v for v in vars(m).values() if isinstance(v, m.Message)}
    rsp = codec.rsp_codec()
    totals: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0])
    print(f"{len(records)} messages from {downloads} downloads ({SIZE_BYTES // 1024} KB profile)")
    print(" side   | per dl | direct µs | codec µs | read directly | type")
    for (side, name), items in sorted(by_type.items()):
        if side == "device":
            direct = functools.partial(device_der.read_direct, message_of[name])
            full = functools.partial(rsp.decode_with_asn1tools, name)
        else:
            direct = functools.partial(direct_es9.read_direct, name)
            full = functools.partial(rsp.decode_with_asn1tools, name)
        time_direct, time_codec = best_per_call(direct, items), best_per_call(full, items)
        per_download = len(items) / downloads
        totals[side][0] += time_direct * per_download
        totals[side][1] += time_codec * per_download
        taken = sum(direct(data) is not None for data in items)
        print(
            f" {side:6} | {per_download:6.1f} | {time_direct * 1e6:9.2f} | {time_codec * 1e6:8.2f}"
            f" | {taken:>6} of {len(items):<4} | {name}"
        )
    for side, (direct_total, codec_total) in sorted(totals.items()):
        print(
            f"per download, {side} side: direct readers {direct_total * 1e6:.1f} µs "
            f"(the codec alone on the same messages {codec_total * 1e6:.1f} µs)"
        )


if __name__ == "__main__":
    main()
