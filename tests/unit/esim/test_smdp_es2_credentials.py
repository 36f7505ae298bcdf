"""ES2+ needs the operator's secret, not only a requester ID anyone could send."""

from __future__ import annotations

import asyncio
import json
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from smdp_es9_harness import Es9Client, started_server, status_of
from smdp_fake_euicc import ES2_AUTHORIZATION, OPERATOR

from esim.smdp.es2_credentials import (
    CREDENTIALS_FILE,
    Es2CredentialsError,
    bearer_matches,
    load_or_create,
)


async def es2_status(port: int, headers: dict[str, str], requester: str = OPERATOR) -> object:
    body = {
        "header": {"functionRequesterIdentifier": requester, "functionCallIdentifier": "1"},
        "profileType": "x",
    }
    async with Es9Client(port) as client:
        response = await client.raw(
            "/gsma/rsp2/es2plus/downloadOrder", json.dumps(body).encode(), headers
        )
    return status_of(response)


@pytest.mark.parametrize(
    ("headers", "requester", "expected"),
    [
        ({}, OPERATOR, ("1.1", "1.2")),
        ({"Authorization": "Bearer wrong"}, OPERATOR, ("1.1", "1.2")),
        ({"Authorization": "Basic dGVzdA=="}, OPERATOR, ("1.1", "1.2")),
        (ES2_AUTHORIZATION, "SomeoneElse", ("1.1", "1.1")),
        (ES2_AUTHORIZATION, OPERATOR, None),
    ],
)
def test_es2_requires_the_operator_secret(
    tmp_path: Path, headers: dict[str, str], requester: str, expected: object
) -> None:
    async def scenario() -> object:
        server = await started_server(tmp_path)
        try:
            return await es2_status(server.port or 0, headers, requester)
        finally:
            await server.stop()
            server.store.close()

    assert asyncio.run(scenario()) == expected


def test_the_secret_file_is_created_once_private_and_never_overwritten(tmp_path: Path) -> None:
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda _: load_or_create(tmp_path, [OPERATOR]), range(6)))
    assert all(result == results[0] for result in results)
    path = tmp_path / CREDENTIALS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_text(json.dumps({OPERATOR: "chosen-by-the-user"}))
    assert load_or_create(tmp_path, [OPERATOR]) == {OPERATOR: "chosen-by-the-user"}
    assert len(results[0][OPERATOR]) >= 32


@pytest.mark.parametrize("content", ["not json", "[]", '{"MobilePlansOperator": 5}', "{}"])
def test_a_damaged_secret_file_is_reported(tmp_path: Path, content: str) -> None:
    (tmp_path / CREDENTIALS_FILE).write_text(content)
    with pytest.raises(Es2CredentialsError, match="es2-credentials"):
        load_or_create(tmp_path, [OPERATOR])


def test_bearer_matching() -> None:
    assert bearer_matches("Bearer s3cret", "s3cret")
    assert bearer_matches("bearer  s3cret ", "s3cret")
    assert not bearer_matches("Bearer s3cret2", "s3cret")
    assert not bearer_matches("s3cret", "s3cret")
    assert not bearer_matches(None, "s3cret")
    assert not bearer_matches("Bearer \ud800", "s3cret")
