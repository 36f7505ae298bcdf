import json

from simulator.contract import ActivationError, RegistrationState
from simulator.contract.rulebook.sources import sources_of
from simulator.contract.surface import ACTIVATION_ERROR_MEMBERS, ENUMS, OBJECTS, surface_json


def test_metadata_enums_map_members_to_pascal_case() -> None:
    assert ENUMS["MobilePlansUserAccount"]["new"] == "New"
    assert ENUMS["MobilePlansLineType"]["bailed"] == "Bailed"
    status = ENUMS["MobilePlansMoDirectStatus"]
    assert status["invalidSIM"] == status["invalidSim"] == "InvalidSIM"
    assert status["cancelled"] == "Cancelled"
    assert set(status) >= {"complete", "serviceError", "logOnFailed", "purchaseFailed",
                           "clientError", "billingError", "none", "bailed"}  # fmt: skip


def test_activation_errors_in_documented_order_with_alias() -> None:
    members = ENUMS["MobilePlansActivationError"]
    assert ACTIVATION_ERROR_MEMBERS[0] == "success"
    assert ACTIVATION_ERROR_MEMBERS[-3:] == ("invalidJson", "invalidActivationCode", "invalidIccid")
    assert len(ACTIVATION_ERROR_MEMBERS) == 31
    assert members["invalidCallback"] != "invalidIccid"
    assert [e.value for e in ActivationError] == list(ACTIVATION_ERROR_MEMBERS)
    assert [s.value for s in RegistrationState] == list(
        ENUMS["MobilePlansNetworkRegistrationState"].values()
    )


def test_invalid_callback_alias_is_the_2018_11_name_of_invalid_json() -> None:
    """Public page "Mobile Plans callback notifications" (mobile-plans-callback-notifications.md),
    its 2018-11 revision: DataMartActivationErrors listed `invalidCallback` where the 2018-12
    revision lists `invalidJson`, so the old name must resolve to invalidJson, not invalidIccid."""
    for enum in ("MobilePlansActivationError", "DataMartActivationErrors"):
        assert ENUMS[enum]["invalidCallback"] == "invalidJson"
        assert ENUMS[enum]["invalidCallback"] == ENUMS[enum]["invalidJson"]


def test_datamart_aliases_share_members() -> None:
    assert ENUMS["DataMartPurchaseInstrment"] == ENUMS["MobilePlansPurchaseInstrument"]
    assert ENUMS["DataMartActivationErrors"] == ENUMS["MobilePlansActivationError"]
    for name in ("DataMartUserAccount", "DataMartMoDirectStatus", "DataMartLineType",
                 "DataMartNetworkRegistrationState", "DataMartPurchaseInstrument"):  # fmt: skip
        assert name in ENUMS


def test_objects_and_arities() -> None:
    inline = OBJECTS["MobilePlansInlineOperations"]
    download = inline.method("notifyProfileDownload")
    assert download is not None
    assert download.arities == (2, 3)
    assert download.returns == "operation"
    assert inline.script_properties == (
        "registrationChangedScript",
        "profileActivationCompleteScript",
    )
    create = OBJECTS["MobilePlans"].method("createPurchaseMetaData")
    assert create is not None
    assert create.returns == "metadata"
    for name in (
        "MobilePlansInlineProfile",
        "MobilePlansInlineProfileDownload",
        "DataMartInlineProfile",
    ):
        legacy = OBJECTS[name].method("notifyInlineProfileDownload")
        assert legacy is not None
        assert legacy.returns == "none"
    assert OBJECTS["external"].method("notify") is not None
    assert all(sources_of(m.spec) for o in OBJECTS.values() for m in o.methods)


def test_surface_json_shape() -> None:
    doc = json.loads(surface_json())
    assert set(doc) == {"enums", "objects"}
    assert doc["objects"]["MobilePlansInlineOperations"]["methods"]["notifyBalanceAddition"] == {
        "arities": [1, 2],
        "returns": "operation",
    }
    assert doc["objects"]["DataMart"]["scriptProperties"] == []
    assert doc["enums"]["MobilePlansMoDirectStatus"]["complete"] == "Complete"
