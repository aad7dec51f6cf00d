"""A JSON body the API cannot read is a 400 in the caller's language, never a server
error: nested thousands of levels deep (Python's parser runs out of stack), malformed,
or not JSON's (NaN, a number of thousands of digits, bytes that are not UTF-8)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from attain.conftest import Company

TOO_DEEP = "请求正文嵌套层数过多。"
BODIES = {
    "nested": ("[" * 100_000 + "]" * 100_000, TOO_DEEP),
    "nested in a field": ('{"name": ' + "[" * 50_000 + "]" * 50_000 + "}", TOO_DEEP),
    "malformed": ('{"name": "A",\n "owner": }', "请求正文不是有效的 JSON（第 2 行，第 11 列）。"),
    "NaN": ('{"name": NaN}', "请求正文不是有效的 JSON。"),
    "digits": ('{"name": ' + "9" * 5000 + "}", "请求正文不是有效的 JSON。"),
    "not UTF-8": (b'{"name": "\xff\xfe"}', "请求正文不是有效的 JSON。"),
}


@pytest.mark.parametrize("url", ["/api/customers/", "/api/pay/payouts/actions/"])
def test_an_unreadable_body_is_a_400_in_the_callers_language(company: Company, url: str) -> None:
    client = APIClient()
    client.force_authenticate(company.users["admin"])
    for name, (body, message) in BODIES.items():
        response = client.generic(
            "POST",
            url,
            body,
            content_type="application/json",
            headers={"accept-language": "zh-hans"},
        )
        assert response.status_code == 400, (name, response.content[:200])
        assert response.json()["error"]["message"] == message, name
