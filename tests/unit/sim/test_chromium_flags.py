"""A user's QTWEBENGINE_CHROMIUM_FLAGS joins the simulator's Chromium arguments (point 8)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from simulator.chromium_args import chromium_args, merge_user_flags

OURS = chromium_args(is_root=False, offscreen=True, host_resolver_rules="MAP x.test 127.0.0.1:1")


def test_no_user_flags_leave_ours_alone() -> None:
    assert merge_user_flags(OURS, "") == OURS
    assert merge_user_flags(OURS, "   ") == OURS


def test_a_users_no_sandbox_is_added_and_our_resolver_rules_stay() -> None:
    merged = merge_user_flags(OURS, "--no-sandbox")
    assert merged == [*OURS, "--no-sandbox"]
    assert "--host-resolver-rules=MAP x.test 127.0.0.1:1" in merged


def test_a_flag_we_set_takes_the_users_value_and_duplicates_go() -> None:
    merged = merge_user_flags(OURS, "--log-level=0  --disable-gpu --disable-gpu --lang=de")
    assert "--log-level=0" in merged
    assert "--log-level=3" not in merged
    assert merged.count("--disable-gpu") == 1
    assert merged[-1] == "--lang=de"


def test_resolver_rules_are_joined_ours_first() -> None:
    merged = merge_user_flags(OURS, "--host-resolver-rules=MAP*.corp.test,127.0.0.1")
    rules = [flag for flag in merged if flag.startswith("--host-resolver-rules=")]
    assert rules == ["--host-resolver-rules=MAP x.test 127.0.0.1:1,MAP*.corp.test,127.0.0.1"]


FLAG_PIECES = st.sampled_from(
    [
        "--no-sandbox",
        "--host-resolver-rules",
        "--host-resolver-rules=",
        "--host-resolver-rules=MAP a 127.0.0.1",
        "--log-level=0",
        "--disable-gpu",
        "=",
        "x",
        "--x=y=z",
    ]
)


@given(st.lists(FLAG_PIECES, max_size=8), st.sampled_from([" ", "  ", "\t", "\n"]))
def test_ours_always_survive_whatever_the_variable_holds(pieces: list[str], gap: str) -> None:
    merged = merge_user_flags(OURS, gap.join(pieces))
    names = [flag.partition("=")[0] for flag in merged]
    assert len(names) == len(set(names))
    [rules] = [flag for flag in merged if flag.startswith("--host-resolver-rules")]
    assert rules.startswith("--host-resolver-rules=MAP x.test 127.0.0.1:1")
    assert all(flag and flag.strip() == flag for flag in merged)
