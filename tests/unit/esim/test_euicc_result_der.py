"""The eUICC's directly written end-of-download DER is the codec's, byte for byte, or declined."""

from __future__ import annotations

from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from esim.asn1 import messages as m
from esim.asn1.errors import Asn1EncodeError
from esim.euicc import result_der
from esim.euicc.es10b_notifications import notification_metadata_value

EVENTS = st.sampled_from(["install", "enable", "disable", "delete"]).map(m.notification_event)
CARD_EVENTS = [m.notification_event(name) for name in ("install", "enable", "disable", "delete")]
ANY_BITS = st.binary(max_size=5).flatmap(
    lambda data: st.tuples(st.just(data), st.integers(min_value=0, max_value=8 * len(data) + 1))
)
METADATA = st.fixed_dictionaries(
    {
        "seqNumber": st.integers(min_value=-(2**80), max_value=2**80),
        "profileManagementOperation": st.one_of(EVENTS, ANY_BITS),
        "notificationAddress": st.text(max_size=40),
    },
    optional={"iccid": st.binary(min_size=9, max_size=11)},
)
OID = st.one_of(
    st.tuples(
        st.integers(min_value=0, max_value=2),
        st.integers(min_value=0, max_value=120),
        st.lists(st.integers(min_value=0, max_value=2**40), max_size=6),
    ).map(lambda arcs: ".".join(str(arc) for arc in (arcs[0], arcs[1], *arcs[2]))),
    st.sampled_from(["1", "", "1..2", "1.2.x", "3.1", "1.-2", " 1.2", "1.2 "]),
)
FINAL = st.one_of(
    st.tuples(
        st.just("successResult"),
        st.fixed_dictionaries(
            {"aid": st.binary(max_size=17), "simaResponse": st.binary(max_size=20)}
        ),
    ),
    st.tuples(
        st.just("errorResult"),
        st.fixed_dictionaries(
            {
                "bppCommandId": st.integers(min_value=-(2**70), max_value=2**70),
                "errorReason": st.integers(min_value=0, max_value=127),
            },
            optional={"simaResponse": st.binary(max_size=20)},
        ),
    ),
)


def codec(message: m.Message, value: Any) -> bytes | None:
    try:
        return message.encode(value)
    except Asn1EncodeError:
        return None


@settings(max_examples=300, deadline=None)
@given(METADATA)
def test_notification_metadata(value: dict[str, Any]) -> None:
    expected = codec(m.NOTIFICATION_METADATA, value)
    direct = result_der.notification_metadata(value)
    assert direct is None or direct == expected
    card_values = (
        value["seqNumber"].bit_length() <= 64
        and value["profileManagementOperation"] in CARD_EVENTS
        and len(value.get("iccid", bytes(10))) == 10
    )
    if expected is not None and card_values:
        assert direct == expected  # the card's own values are always written directly


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=17), METADATA, st.one_of(st.none(), OID), FINAL)
def test_installation_result_data(
    transaction_id: bytes, metadata: dict[str, Any], oid: str | None, final: Any
) -> None:
    metadata_der = codec(m.NOTIFICATION_METADATA, metadata)
    assume(metadata_der is not None)
    assert metadata_der is not None
    value = {
        "transactionId": transaction_id,
        "notificationMetadata": metadata,
        "finalResult": final,
    }
    if oid is not None:
        value["smdpOid"] = oid
    expected = codec(m.PROFILE_INSTALLATION_RESULT_DATA, value)
    direct = result_der.installation_result_data(transaction_id, metadata_der, oid, final)
    assert direct is None or direct == expected, (direct, expected)
    if oid is None:
        assert direct is None  # the codec refuses an absent OID given as None: so does this


def test_the_cards_own_result_is_written_directly() -> None:
    metadata = notification_metadata_value(5, "install", "smdp.example", "8944000000000000001")
    metadata_der = result_der.notification_metadata(metadata)
    assert metadata_der == m.NOTIFICATION_METADATA.encode(metadata)
    final = (
        "successResult",
        {"aid": bytes(16), "simaResponse": bytes.fromhex("3007A0053003800100")},
    )
    oid = "1.3.6.1.4.1.31746"
    direct = result_der.installation_result_data(bytes(16), metadata_der, oid, final)
    assert direct == m.PROFILE_INSTALLATION_RESULT_DATA.encode(
        {
            "transactionId": bytes(16),
            "notificationMetadata": metadata,
            "smdpOid": oid,
            "finalResult": final,
        }
    )
