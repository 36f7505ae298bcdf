"""Every row of the LPA → MobilePlansActivationError table (esim.lpa.activation_errors)."""

from __future__ import annotations

import pytest

from esim.lpa import activation_errors as table
from esim.lpa.errors import CardError, Es9Error, Es9TransportError, Es10Error, LpaError

# The rows the brief and the spec name explicitly: (subject, reason) -> value.
NAMED_ES9 = [
    ("8.2.6", "3.8", "invalidMatchingId"),
    ("8.2.7", "3.8", "incorrectConfirmationCode"),
    ("8.2.7", "2.2", "confirmationCodeMissing"),
    ("8.2.7", "6.4", "confirmationCodeMaxRetriesExceeded"),
    ("8.1.1", "3.8", "eidMismatch"),
    ("8.2", "1.2", "profileNotReleasedByOperator"),
    ("8.8.5", "4.10", "profileNotAvailableForNewBinding"),
    ("8.8.5", "6.4", "profileNotAvailableForNewBinding"),
    ("8.2", "3.7", "profileNotAvailableForNewBinding"),
    ("8.1", "4.8", "insufficientSpaceOnCard"),
    ("1.2", "4.2", "serverFailure"),
]


def test_every_row_names_a_mobile_plans_member_and_a_spec() -> None:
    rows = [
        *table.ES9_STATUS.values(),
        *table.ES9_TRANSPORT.values(),
        *table.ES10_RESULTS.values(),
        *table.BPP_ERROR_REASONS.values(),
        *table.STATUS_WORDS.values(),
        *table.LOCAL.values(),
        table.ES9_UNLISTED,
        table.CARD_REMOVED,
        table.CARD_UNLISTED,
        table.UNMAPPED,
    ]
    for row in rows:
        assert row.activation_error in table.MOBILE_PLANS_ACTIVATION_ERRORS
        assert any(source in row.spec for source in ("SGP.22", "ISO", "ITU", "Mobile Plans"))
        assert row.meaning
        # the error dialog's Details shows the source: plain words, no private note markers
        assert "[INF" not in row.spec


def test_row_rejects_a_value_mobile_plans_does_not_define() -> None:
    with pytest.raises(ValueError, match="not a MobilePlansActivationError"):
        table.Row("iccidAlreadyExists", "x", "§1")


def test_member_list_is_the_documented_one() -> None:
    assert len(table.MOBILE_PLANS_ACTIVATION_ERRORS) == 31
    assert table.MOBILE_PLANS_ACTIVATION_ERRORS[0] == "success"
    assert table.MOBILE_PLANS_ACTIVATION_ERRORS[-1] == "invalidIccid"


@pytest.mark.parametrize(("subject", "reason", "expected"), NAMED_ES9)
def test_named_es9_rows(subject: str, reason: str, expected: str) -> None:
    error = table.to_lpa_error(Es9Error("authenticateClient", subject, reason, "text"), "Step")
    assert error.activation_error == expected
    assert error.subject_code == subject
    assert error.reason_code == reason
    assert error.rule == f"es9.{subject}/{reason}"
    assert error.step == "Step"
    assert "Step" in error.message
    assert "§" in error.message


@pytest.mark.parametrize(("key", "row"), list(table.ES9_STATUS.items()))
def test_every_es9_row(key: tuple[str, str], row: table.Row) -> None:
    error = table.to_lpa_error(Es9Error("f", *key), "ES9+.f")
    assert error.activation_error == row.activation_error
    assert row.meaning in error.message


def test_unlisted_es9_code_is_a_server_failure() -> None:
    error = table.to_lpa_error(Es9Error("f", "9.9", "9.9"), "ES9+.f")
    assert error.activation_error == "serverFailure"


@pytest.mark.parametrize(("kind", "row"), list(table.ES9_TRANSPORT.items()))
def test_every_transport_row(kind: str, row: table.Row) -> None:
    error = table.to_lpa_error(Es9TransportError("f", kind, "boom"), "ES9+.f")
    assert error.activation_error == row.activation_error
    assert error.rule == f"es9.transport.{kind}"


def test_transport_kinds_for_reachability() -> None:
    for kind in ("connect", "timeout", "resolve"):
        assert table.ES9_TRANSPORT[kind].activation_error == "serverNotReachable"
    assert table.ES9_TRANSPORT["http-status"].activation_error == "serverFailure"
    with pytest.raises(ValueError, match="unknown"):
        Es9TransportError("f", "dns", "x")


@pytest.mark.parametrize(("key", "row"), list(table.ES10_RESULTS.items()))
def test_every_es10_row(key: tuple[str, int], row: table.Row) -> None:
    function, code = key
    error = table.to_lpa_error(Es10Error(function, code, f"name{code}", "§x"), function)
    assert error.activation_error == row.activation_error
    assert error.es10_code == code
    assert error.es10_code_name == f"name{code}"


@pytest.mark.parametrize(("reason", "row"), list(table.BPP_ERROR_REASONS.items()))
def test_every_bpp_error_reason(reason: int, row: table.Row) -> None:
    error = table.to_lpa_error(
        Es10Error("LoadBoundProfilePackage", reason, "n", "§", bpp_command_id=5), "Load"
    )
    assert error.activation_error == row.activation_error


def test_named_bpp_and_card_rows() -> None:
    assert table.BPP_ERROR_REASONS[10].activation_error == "insufficientSpaceOnCard"
    assert table.BPP_ERROR_REASONS[9].activation_error == "other"  # no IccidAlreadyExists member
    assert table.STATUS_WORDS[0x6985].activation_error == "cardBusy"
    assert table.ES10_RESULTS[("EnableProfile", 5)].activation_error == "cardBusy"


@pytest.mark.parametrize(("sw", "row"), list(table.STATUS_WORDS.items()))
def test_every_status_word_row(sw: int, row: table.Row) -> None:
    error = table.to_lpa_error(CardError(sw, "STORE DATA", "refused"), "ES10")
    assert error.activation_error == row.activation_error
    assert error.status_word == sw
    assert error.rule == f"card.sw.{sw:04X}"


def test_unlisted_status_word_and_removed_card() -> None:
    assert table.to_lpa_error(CardError(0x6400, "x", "y"), "s").activation_error == (
        "cardGeneralFailure"
    )
    removed = table.to_lpa_error(CardError(0, "x", "gone", removed=True), "s")
    assert removed.activation_error == "cardRemoved"
    assert removed.status_word is None


@pytest.mark.parametrize(("rule", "row"), list(table.LOCAL.items()))
def test_every_local_row(rule: str, row: table.Row) -> None:
    error = table.local_error(rule, "Step", "what happened")
    assert error.activation_error == row.activation_error
    assert error.rule == rule
    assert rule in error.message


def test_unmapped_exception_and_es10_code_are_unknown_errors() -> None:
    assert table.to_lpa_error(RuntimeError("x"), "s").activation_error == "unknownError"
    assert table.to_lpa_error(Es10Error("Nope", 3, "n", "§"), "s").activation_error == (
        "unknownError"
    )


def test_lpa_error_passes_through_and_serialises() -> None:
    original = table.local_error("lpa.aborted", "Step", "stop")
    assert table.to_lpa_error(original, "Other") is original
    data = table.to_lpa_error(Es9Error("f", "8.2.6", "3.8"), "s").to_json()
    assert data["activationError"] == "invalidMatchingId"
    assert data["subjectCode"] == "8.2.6"
    assert isinstance(original, LpaError)
