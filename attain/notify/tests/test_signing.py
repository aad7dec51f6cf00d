"""Signing and bodies, checked against the platforms' documented algorithms (the code
samples of DingTalk's “自定义机器人安全设置” and Feishu's “自定义机器人使用指南”)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse

from attain.notify import channels
from attain.notify.channels import Message

SECRET = "SEC000000000000000000000"
MESSAGE = Message("标题 Title", "正文 text", "https://attain.example.com/targets/mine/")


def documented_dingtalk(secret: str, timestamp: str) -> str:
    # DingTalk's sample, verbatim in substance
    secret_enc = secret.encode("utf-8")
    string_to_sign = f"{timestamp}\n{secret}"
    string_to_sign_enc = string_to_sign.encode("utf-8")
    hmac_code = hmac.new(secret_enc, string_to_sign_enc, digestmod=hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(hmac_code))


def documented_feishu(timestamp: int, secret: str) -> str:
    # Feishu's sample: the key is "timestamp\nsecret", the message empty
    string_to_sign = f"{timestamp}\n{secret}"
    hmac_code = hmac.new(string_to_sign.encode("utf-8"), digestmod=hashlib.sha256).digest()
    return base64.b64encode(hmac_code).decode("utf-8")


def test_dingtalk_signature_matches_the_documented_algorithm() -> None:
    assert channels.dingtalk_sign(SECRET, 1577836800000) == documented_dingtalk(
        SECRET, "1577836800000"
    )
    # a different timestamp or secret signs differently
    assert channels.dingtalk_sign(SECRET, 1577836800001) != channels.dingtalk_sign(
        SECRET, 1577836800000
    )


def test_dingtalk_request_puts_timestamp_and_sign_in_the_url() -> None:
    url, body = channels.dingtalk_request(
        "https://oapi.dingtalk.com/robot/send?access_token=abc", SECRET, MESSAGE, now=1577836800.0
    )
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["access_token"] == ["abc"]
    assert query["timestamp"] == ["1577836800000"]
    # parse_qs decodes once: the signature itself is the base64 text
    assert urllib.parse.quote_plus(query["sign"][0]) == documented_dingtalk(SECRET, "1577836800000")
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == "标题 Title"
    assert "正文 text" in body["markdown"]["text"]


def test_dingtalk_without_a_secret_is_unsigned() -> None:
    url, _body = channels.dingtalk_request("https://x/robot/send?access_token=a", "", MESSAGE)
    assert "sign=" not in url


def test_feishu_signature_matches_the_documented_algorithm() -> None:
    assert channels.feishu_sign(SECRET, 1599360473) == documented_feishu(1599360473, SECRET)


def test_feishu_request_signs_the_body() -> None:
    url, body = channels.feishu_request(
        "https://open.feishu.cn/open-apis/bot/v2/hook/x", SECRET, MESSAGE, now=1599360473.2
    )
    assert url.endswith("/hook/x")
    assert body["timestamp"] == "1599360473"
    assert body["sign"] == documented_feishu(1599360473, SECRET)
    post = body["content"]["post"]["zh_cn"]
    assert body["msg_type"] == "post"
    assert post["title"] == "标题 Title"
    assert post["content"][0][0] == {"tag": "text", "text": "正文 text"}
    assert post["content"][0][1]["href"] == MESSAGE.link


def test_wecom_body_is_markdown() -> None:
    url, body = channels.wecom_request("https://qyapi.weixin.qq.com/x?key=k", MESSAGE)
    assert url.endswith("key=k")
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["content"].startswith("**标题 Title**")


def test_an_error_code_in_a_200_answer_is_a_failure() -> None:
    channels.check_answer({"errcode": 0, "errmsg": "ok"})
    channels.check_answer({"code": 0, "msg": "success"})
    for answer in (
        {"errcode": 310000, "errmsg": "sign not match"},
        {"code": 19021},
        {},  # not JSON, or JSON without a code: a proxy's or captive portal's 200 page
        {"status": "ok"},
    ):
        try:
            channels.check_answer(answer)
        except channels.SendError:
            continue
        raise AssertionError(answer)
