"""Sending one message: email through Django's email backend, and the robot webhooks of
WeCom (企业微信), DingTalk (钉钉) and Feishu (飞书) in their documented formats, with
their signing. Pure functions plus one HTTP POST (the standard library's http.client,
with a timeout, connections kept open per sending thread); the delivery bookkeeping
(attempts, backoff) is in :mod:`.delivery`.

- WeCom group robot: POST ``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…``,
  ``{"msgtype": "markdown", "markdown": {"content": …}}``; answers ``{"errcode": 0}``.
  No signing: the key in the URL is the secret.
- DingTalk custom robot: POST ``…/robot/send?access_token=…``; with “加签” the URL gets
  ``&timestamp=<ms>&sign=<urlencode(base64(HMAC-SHA256(key=secret,
  msg="<ms>\\n<secret>")))>``; ``{"msgtype": "markdown", "markdown": {"title", "text"}}``;
  answers ``{"errcode": 0}``.
- Feishu custom bot: POST ``…/open-apis/bot/v2/hook/…``; with “签名校验” the body holds
  ``timestamp`` (seconds) and ``sign = base64(HMAC-SHA256(key="<s>\\n<secret>", msg=""))``;
  ``{"msg_type": "post", "content": {"post": {"zh_cn": {"title", "content"}}}}``;
  answers ``{"code": 0}`` (older bots ``{"StatusCode": 0}``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import get_connection, send_mail

from .models import Platform


class SendError(Exception):
    """A message was not accepted; the text says why (kept as the delivery's last error)."""


@dataclass(frozen=True)
class Message:
    title: str
    text: str
    link: str = ""  # an absolute URL, or empty
    footer: str = ""  # an email's last line (where to switch it off); webhooks leave it


# Signing --------------------------------------------------------------------------------


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: the URL-encoded base64 of HMAC-SHA256 keyed by the secret over
    ``"<timestamp ms>\\n<secret>"``."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's 签名校验: the base64 of HMAC-SHA256 keyed by ``"<timestamp s>\\n<secret>"``
    over an empty message."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def audited_url(url: str) -> str:
    """A robot's URL as the audit trail writes it: where it points and a fingerprint that
    changes with it, never its path or query (WeCom's ``key=``, DingTalk's
    ``access_token=``, Feishu's ``/hook/<token>`` are the robot's secret)."""
    if not url:
        return url
    parts = urllib.parse.urlsplit(url)
    fingerprint = hashlib.sha256(url.encode()).hexdigest()[:8]
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/… ({fingerprint})"


# Message bodies -------------------------------------------------------------------------


def _markdown(message: Message) -> str:
    lines = [f"**{message.title}**", "", message.text]
    if message.link:
        lines += ["", f"[{message.link}]({message.link})"]
    return "\n".join(lines)


def wecom_request(url: str, message: Message) -> tuple[str, dict[str, Any]]:
    return url, {"msgtype": "markdown", "markdown": {"content": _markdown(message)}}


def dingtalk_request(
    url: str, secret: str, message: Message, *, now: float | None = None
) -> tuple[str, dict[str, Any]]:
    if secret:
        timestamp = int((time.time() if now is None else now) * 1000)
        sep = "&" if "?" in url else "?"
        url = f"{url}{sep}timestamp={timestamp}&sign={dingtalk_sign(secret, timestamp)}"
    body = {"msgtype": "markdown", "markdown": {"title": message.title, "text": _markdown(message)}}
    return url, body


def feishu_request(
    url: str, secret: str, message: Message, *, now: float | None = None
) -> tuple[str, dict[str, Any]]:
    line: list[dict[str, str]] = [{"tag": "text", "text": message.text}]
    if message.link:
        line.append({"tag": "a", "text": " ↗", "href": message.link})
    body: dict[str, Any] = {
        "msg_type": "post",
        "content": {"post": {"zh_cn": {"title": message.title, "content": [line]}}},
    }
    if secret:
        timestamp = int(time.time() if now is None else now)
        body = {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp), **body}
    return url, body


def webhook_request(
    platform: str, url: str, secret: str, message: Message
) -> tuple[str, dict[str, Any]]:
    if platform == Platform.WECOM:
        return wecom_request(url, message)
    if platform == Platform.DINGTALK:
        return dingtalk_request(url, secret, message)
    if platform == Platform.FEISHU:
        return feishu_request(url, secret, message)
    raise SendError(f"unknown platform {platform!r}")


# Sending --------------------------------------------------------------------------------


def timeout() -> float:
    return float(getattr(settings, "ATTAIN_NOTIFY_TIMEOUT_SECONDS", 5))


_local = threading.local()  # each sending thread keeps its connections open (keep-alive)


def _connection(scheme: str, netloc: str) -> http.client.HTTPConnection:
    pool: dict[tuple[str, str], http.client.HTTPConnection] = _local.__dict__.setdefault(
        "connections", {}
    )
    connection = pool.get((scheme, netloc))
    if connection is None:
        cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
        connection = cls(netloc, timeout=timeout())
        pool[(scheme, netloc)] = connection
    return connection


def _drop(scheme: str, netloc: str) -> None:
    connection = _local.__dict__.get("connections", {}).pop((scheme, netloc), None)
    if connection is not None:
        connection.close()


def off_limits(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether an address is this machine (loopback), link-local (a cloud's metadata
    service), unspecified, multicast or reserved: no personal webhook's target."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_loopback
        or address.is_link_local
        or address.is_unspecified
        or address.is_multicast
        or address.is_reserved
    )


def _exempt(parts: urllib.parse.SplitResult) -> bool:
    """Whether a personal webhook may go anywhere (a test bench), or to this address
    (``host:port`` named in ``ATTAIN_PERSONAL_WEBHOOKS_ALLOWED``: a bench's receiver)."""
    if settings.ATTAIN_PERSONAL_WEBHOOKS_ANYWHERE:
        return True
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.hostname or ''}:{port}".lower() in settings.ATTAIN_PERSONAL_WEBHOOKS_ALLOWED


def _check_peer(connection: http.client.HTTPConnection, parts: urllib.parse.SplitResult) -> None:
    """Refuse (:class:`SendError`) a connection whose other end is :func:`off_limits`:
    the address actually connected to, not a second answer of the resolver (a name
    can resolve to a public address for :func:`check_reachable` and to this machine a
    moment later: DNS rebinding)."""
    if _exempt(parts) or connection.sock is None:
        return
    peer = str(connection.sock.getpeername()[0]).split("%")[0]
    if off_limits(ipaddress.ip_address(peer)):
        _drop(parts.scheme, parts.netloc)
        raise SendError(
            f"the webhook's host {parts.hostname} is this machine or a reserved address"
        )


def check_reachable(url: str) -> None:
    """Refuse (:class:`SendError`) a personal webhook whose host resolves to an address
    :func:`off_limits`: checked when sending, so no host name (``localtest.me``, a name
    in the company's DNS) leads the worker to this machine or the metadata service."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if _exempt(parts):
        return
    try:
        found = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as error:
        raise SendError(f"{type(error).__name__}: {error}") from error
    for *_rest, address in found:
        if off_limits(ipaddress.ip_address(str(address[0]).split("%")[0])):
            raise SendError(f"the webhook's host {host} is this machine or a reserved address")


def post_json(url: str, body: dict[str, Any], *, guard: bool = False) -> dict[str, Any]:
    """POST ``body``; the answer's JSON (an empty dict when it is not JSON). A network
    error, a timeout or an HTTP error status raises :class:`SendError`. Connections are
    kept open per thread and host; a kept one the server closed is opened again once.
    With ``guard`` (a personal webhook) the connection's other end must not be
    :func:`off_limits`."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise SendError("the webhook URL must start with http:// or https://")
    target = parts.path or "/"
    if parts.query:
        target = f"{target}?{parts.query}"
    # Chinese pasted into the address (a robot's name): sent percent-encoded, as a
    # browser does; http.client takes ASCII only (what is escaped already stays so)
    target = urllib.parse.quote(target, safe="/?&=%:@!$'()*+,;~[]")
    data = json.dumps(body, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json; charset=utf-8"}
    for attempt in (1, 2):
        connection = _connection(parts.scheme, parts.netloc)
        connection.timeout = timeout()
        fresh = connection.sock is None
        if not fresh:
            connection.sock.settimeout(connection.timeout)
        try:
            if guard:
                if connection.sock is None:
                    connection.connect()
                _check_peer(connection, parts)
            connection.request("POST", target, body=data, headers=headers)
            response = connection.getresponse()
            raw = response.read(65536)
            if response.will_close:
                _drop(parts.scheme, parts.netloc)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as error:
            _drop(parts.scheme, parts.netloc)
            if attempt == 1 and not fresh:  # the server closed a kept connection: reopen
                continue
            raise SendError(f"{type(error).__name__}: {error}") from error
        except (http.client.HTTPException, TimeoutError, OSError) as error:
            _drop(parts.scheme, parts.netloc)
            reason = "timed out" if isinstance(error, TimeoutError) else error
            raise SendError(f"{type(error).__name__}: {reason}") from error
        if response.status >= 400:
            raise SendError(f"HTTP {response.status} {response.reason}")
        try:
            answer = json.loads(raw or b"{}")
        except ValueError:
            return {}
        return answer if isinstance(answer, dict) else {}
    raise SendError("the connection closed twice")  # not reached


NOT_THE_PLATFORM = "the answer is not the platform's (no errcode or code in it)"


def check_answer(answer: dict[str, Any]) -> None:
    """The platforms answer HTTP 200 with an error code in the body (a wrong key, a bad
    signature, too many messages a minute): anything but 0 is a failure. An answer with
    no code at all is not the platform's (a proxy's or a captive portal's page, a wrong
    address answering 200): a failure too, not a message delivered."""
    fields = [field for field in ("errcode", "code", "StatusCode") if field in answer]
    if not fields:
        raise SendError(NOT_THE_PLATFORM)
    for field in fields:
        if answer[field] not in (0, "0"):
            message = answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage")
            raise SendError(f"{field} {answer[field]}: {message}")


def send_webhook(
    platform: str, url: str, secret: str, message: Message, *, guard: bool = False
) -> None:
    """``guard``: a personal webhook (any login sets one): not to this machine."""
    target, body = webhook_request(platform, url, secret, message)
    check_answer(post_json(target, body, guard=guard))


def send_email(address: str, message: Message) -> None:
    if not address:
        raise SendError("no email address")
    body = message.text + (f"\n\n{message.link}" if message.link else "")
    body += f"\n\n{message.footer}" if message.footer else ""
    # a name with a line break (a spreadsheet cell's Alt+Enter) in the title: the mail
    # library refuses such a subject (no header injection), which lost the email
    subject = " ".join(message.title.split())
    try:
        # the mail server's answer is awaited no longer than a webhook's: without a
        # timeout a server that never answers held the delivery past its claim's lease
        connection = get_connection(fail_silently=False, timeout=timeout())
        send_mail(subject, body, None, [address], connection=connection)
    except Exception as error:  # smtplib and socket errors alike
        raise SendError(f"{type(error).__name__}: {error}") from error


def absolute(path: str) -> str:
    base = str(getattr(settings, "ATTAIN_BASE_URL", "")).rstrip("/")
    return f"{base}{path}" if base and path else ""
