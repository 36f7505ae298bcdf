"""Replays do not compare the Gateway page's images: they arrive whenever their host answers,
not in step with the service's calls, and the sample operator's port is in their URIs."""

from __future__ import annotations

from simulator.events import Event
from simulator.replay.keys import EventKeys


def _event(seq: int, kind: str, **fields: object) -> Event:
    return Event(seq, 0.0, "", kind, fields)


def test_gateway_images_and_their_findings_are_not_compared_but_api_findings_are() -> None:
    keys = EventKeys()
    uri = "https://127.0.0.1:40123/images/gateway.png"
    assert keys.add(_event(1, "gateway.image", uri=uri, loaded=True)) is None
    image = _event(
        2, "contract.violation", rule="gateway.image-unreachable", api="Gateway image", uri=uri
    )
    assert keys.add(image) is None
    offers = _event(3, "contract.violation", rule="offers.gatewayId.unknown", api="GetOffers")
    assert keys.add(offers) is not None
    assert len(keys.keys) == 1
