"""BPP segments as peers send them: osmo-smdpp's 1036-byte segments (SGP.22 allows 1020).

By default the card installs them, as real eUICCs driven by lpac do, and tells its note
listener that the peer exceeded 1020; ``strict_segment_size`` keeps SGP.22's refusal
(scp03tStructureError for loadProfileElements), and the LPA's error names both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from euicc_harness import ICCID_A, SMDP_ADDRESS, Lpa, download, open_card, unprotected_package

from esim.asn1 import messages
from esim.crypto.scp03t import PYSIM_ENCRYPTED_PLAINTEXT
from esim.euicc.es10b_result import BppCommand, ErrorReason
from esim.lpa.activation_errors import to_lpa_error
from esim.lpa.errors import Es10Error


def final_result(bf37: bytes) -> tuple[str, dict[str, Any]]:
    data = messages.PROFILE_INSTALLATION_RESULT.decode(bf37)["profileInstallationResultData"]
    result: tuple[str, dict[str, Any]] = data["finalResult"]
    return result


def test_1036_byte_segments_install_with_one_note(tmp_path: Path) -> None:
    notes: list[tuple[str, dict[str, Any]]] = []
    card = open_card(tmp_path, note_listener=lambda kind, fields: notes.append((kind, fields)))
    try:
        upp = unprotected_package(ICCID_A, 5000)  # five full 1036-byte segments
        bf37 = download(Lpa(card).open(), ICCID_A, upp=upp, piece=PYSIM_ENCRYPTED_PLAINTEXT)
        kind, _ = final_result(bf37)
        assert kind == "successResult"
        assert [p.iccid for p in card.profiles()] == [ICCID_A]
    finally:
        card.close()
    assert len(notes) == 1
    note_kind, fields = notes[0]
    assert note_kind == "segment-over-1020"
    assert fields["bytes"] == 1036
    assert fields["limit"] == 1020
    assert fields["peer"] == SMDP_ADDRESS
    assert "1020" in fields["message"]


def test_1020_byte_segments_give_no_note(tmp_path: Path) -> None:
    notes: list[Any] = []
    card = open_card(tmp_path, note_listener=lambda *note: notes.append(note))
    try:
        bf37 = download(Lpa(card).open(), ICCID_A, upp=unprotected_package(ICCID_A, 5000))
        assert final_result(bf37)[0] == "successResult"
    finally:
        card.close()
    assert notes == []


def test_strict_card_refuses_1036_byte_segments(tmp_path: Path) -> None:
    card = open_card(tmp_path, strict_segment_size=True)
    try:
        upp = unprotected_package(ICCID_A, 5000)
        bf37 = download(Lpa(card).open(), ICCID_A, upp=upp, piece=PYSIM_ENCRYPTED_PLAINTEXT)
        assert card.profiles() == []
    finally:
        card.close()
    kind, error = final_result(bf37)
    assert kind == "errorResult"
    assert error["bppCommandId"] == BppCommand.LOAD_PROFILE_ELEMENTS
    assert error["errorReason"] == ErrorReason.SCP03T_STRUCTURE_ERROR


def test_lpa_error_names_the_bpp_command_and_reason() -> None:
    error = to_lpa_error(
        Es10Error(
            "LoadBoundProfilePackage",
            int(ErrorReason.SCP03T_STRUCTURE_ERROR),
            "scp03tStructureError",
            "SGP.22 §5.7.6",
            bpp_command_id=int(BppCommand.LOAD_PROFILE_ELEMENTS),
        ),
        "LoadBoundProfilePackage",
    )
    assert "scp03tStructureError(7)" in str(error)
    assert "bppCommandId loadProfileElements(5)" in str(error)
    assert error.to_json()["bppCommandId"] == 5
