"""Mutated BoundProfilePackages loaded into the eUICC: every one ends in a ProfileInstallation
Result with an error or a status word, never an internal error, and no partial profile."""

from __future__ import annotations

import random
from pathlib import Path

from der_mutations import mutate_segment, random_mutants
from esim_samples import prepared_bpp
from euicc_harness import CardStatusError, Lpa, open_card

from esim.asn1 import messages as m

CASES = 40


def load(lpa: Lpa, commands: list[bytes]) -> str:
    """Send the commands; the outcome is the BF37's result kind or the first status word."""
    try:
        for command in commands:
            answer = lpa.es10(command)
            if answer and answer[:2] != b"\xbf\x37":  # a retag made it another function
                return f"answered by tag {answer[:2].hex().upper()}"
            if answer:
                result = m.PROFILE_INSTALLATION_RESULT.decode(answer)
                return str(result["profileInstallationResultData"]["finalResult"][0])
    except CardStatusError as error:
        return f"{error.sw:04X}"
    return "no result"


def test_mutated_packages_never_break_the_card(tmp_path: Path) -> None:
    rng = random.Random(11)
    card = open_card(tmp_path / "card")
    try:
        lpa = Lpa(card).open()
        outcomes: list[str] = []
        for case in range(CASES):
            bpp = prepared_bpp(lpa)
            _, mutant = next(random_mutants(bpp, rng, 1))
            if case % 2:  # as lpac sends it: segment by segment, one segment mutated
                commands = m.load_bpp_commands(bpp)
                index = rng.randrange(len(commands))
                commands[index] = mutate_segment(commands[index], rng)
            else:  # the whole mutated BF36 in one command (the card splits it)
                commands = [mutant]
            outcomes.append(load(lpa, commands))
        installed = {profile.iccid for profile in card.profiles()}
        assert "6F00" not in outcomes, "an internal error"
        assert len(installed) == outcomes.count("successResult")
        assert "errorResult" in outcomes
    finally:
        card.close()
