"""A delivery's last error in the reader's language.

The worker writes the error down in English as it happens
(:class:`~attain.notify.channels.SendError`, kept in ``Delivery.last_error``), when no
reader is known; the deliveries page gives it
in the reader's language: the errors Attain words itself are translated, and what a
server or the network said (an exception, a platform's message) is kept, in brackets,
behind a translated explanation.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

_HOST = re.compile(r"the webhook's host (?P<host>.*) is this machine or a reserved address$")
_PLATFORM = re.compile(r"unknown platform '?(?P<platform>[^']*)'?$")
_CHANNEL = re.compile(r"nothing to send on (?P<channel>.*)$")
_HTTP = re.compile(r"HTTP (?P<status>\d{3})(?: (?P<reason>.*))?$")
_ANSWER = re.compile(r"(?:errcode|code|StatusCode) -?\w+: .*$", re.DOTALL)
_EXCEPTION = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_.]*): ?(?P<detail>.*)$", re.DOTALL)
_CLOSED = ("ConnectionResetError", "RemoteDisconnected", "BrokenPipeError")


def describe(error: str) -> str:
    """``error`` (a delivery's ``last_error``) in the active language."""
    text = error.strip()
    if not text:
        return ""
    fixed = {
        "no email address": _("no email address"),
        "no personal webhook set": _("no personal webhook set"),
        "the login is disabled": _("the login is disabled"),
        "the webhook URL must start with http:// or https://": _(
            "the webhook URL must start with http:// or https://"
        ),
        "the connection closed twice": _("the connection closed twice"),
        "the answer is not the platform's (no errcode or code in it)": _(
            "the answer is not the platform's (no errcode or code in it): a proxy or a "
            "sign-in page may have answered"
        ),
    }
    if text in fixed:
        return fixed[text]
    if found := _HOST.match(text):
        return _("the webhook's host %(host)s is this machine or a reserved address") % {
            "host": found["host"]
        }
    if found := _PLATFORM.match(text):
        return _("unknown platform “%(platform)s”") % {"platform": found["platform"]}
    if found := _CHANNEL.match(text):
        return _("nothing to send on “%(channel)s”") % {"channel": found["channel"]}
    if found := _HTTP.match(text):
        return _("the server answered HTTP %(status)s %(reason)s") % {
            "status": found["status"],
            "reason": found["reason"] or "",
        }
    if _ANSWER.match(text):
        return _("the platform refused the message (%(answer)s)") % {"answer": text}
    if found := _EXCEPTION.match(text):
        name = found["name"]
        if found["detail"] == "timed out" or name in {"TimeoutError", "timeout", "socket.timeout"}:
            return _("no answer in time (%(error)s)") % {"error": name}
        if name.rsplit(".", 1)[-1] == "ConnectionRefusedError":
            return _("the connection was refused (%(error)s)") % {"error": text}
        if name.rsplit(".", 1)[-1] in _CLOSED:
            return _("the connection was closed (%(error)s)") % {"error": text}
        if name == "gaierror" or "Name or service not known" in text:
            return _("the host name is not known (%(error)s)") % {"error": text}
    return _("sending failed: %(error)s") % {"error": text}
