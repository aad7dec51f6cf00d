"""The generic page helpers of attain.web.views."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from attain.web.views import run_and_say


def _request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_run_and_say_shows_the_success_once_the_action_ran():
    request, ran = _request(), []
    assert run_and_say(request, lambda: ran.append(1), "Done.") is True
    assert ran == [1]
    assert [(m.level_tag, str(m)) for m in get_messages(request)] == [("success", "Done.")]


def test_run_and_say_shows_what_the_service_refused():
    def refuse():
        raise ValidationError({"on": ["Too early."], "reason": ["Give a reason."]})

    request = _request()
    assert run_and_say(request, refuse, "Done.") is False
    assert [(m.level_tag, str(m)) for m in get_messages(request)] == [
        ("error", "Too early. Give a reason.")
    ]
