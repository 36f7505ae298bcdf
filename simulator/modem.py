"""The PC's modem follows the card: the enabled profile registers on the network. Pure.

A download flow registers the profile it enabled itself (and tells the portal how it went).
Outside a flow the modem still does what a PC's does: at start-up the profile a card kept
enabled from an earlier run registers again, and a profile enabled or disabled by hand (the
eSIM panel) registers or leaves the network. Without this, a line bought in an earlier run
stayed unregistered for good, and an operator's SMS could never reach it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import Any, Protocol

from simulator.network import Registration, SimulatedNetwork

__all__ = ["follow_the_card", "follow_the_card_once_built"]

# States in which the modem is not on the network with that profile.
_OFF = (Registration.NONE, Registration.DEREGISTERED)


class CardProfile(Protocol):
    @property
    def iccid(self) -> str: ...

    @property
    def state(self) -> str: ...


def follow_the_card(profiles: Iterable[CardProfile], network: SimulatedNetwork) -> None:
    """Register the enabled profile if the modem is off the network with it; deregister a
    profile that is no longer enabled (or no longer on the card). A denied line stays denied:
    the network refused it, and a flow or the Device panel decides when it tries again."""
    on_card = {profile.iccid: profile.state for profile in profiles}
    for iccid, state in on_card.items():
        if state == "enabled" and network.state(iccid) in _OFF:
            network.register(iccid)
    for iccid, registration in network.states().items():
        if on_card.get(iccid) != "enabled" and registration not in _OFF:
            network.deregister(iccid)


def follow_the_card_once_built(
    built: Future[Any], network: SimulatedNetwork, post: Callable[[Callable[[], None]], None]
) -> None:
    """When the eSIM world `built` is ready (on its worker thread), have the modem follow its
    card on the thread `post` runs on (the network and event log live there): the profile an
    earlier run left enabled registers again. A build that failed is reported elsewhere."""

    def ready(future: Future[Any]) -> None:
        if future.cancelled() or future.exception() is not None:
            return
        world = future.result().world
        post(lambda: follow_the_card(world.profiles(), network))

    built.add_done_callback(ready)
