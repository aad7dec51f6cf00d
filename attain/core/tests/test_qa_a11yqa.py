"""Accessibility of the pages seen before signing in (QA)."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse


def test_a_failed_sign_in_is_read_with_the_fields(company):
    """A wrong password came back with the message in a plain <div> above the form and
    the focus (autofocus) on the username: a screen reader read "Username, edit text, r1"
    and nothing said the sign-in had failed. The message is now an alert, and both
    inputs are marked invalid and described by it; the page has a main landmark."""
    response = Client().post(
        reverse("login"), {"username": "r1", "password": "nope"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    page = response.content.decode()
    assert "<main" in page
    error = re.search(r'<div class="error" role="alert" id="([^"]+)">', page)
    assert error, page
    for name in ("username", "password"):
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
        assert field, name
        assert 'aria-invalid="true"' in field.group(0), field.group(0)
        assert f'aria-describedby="{error.group(1)}"' in field.group(0), field.group(0)


def test_the_sign_in_page_has_a_main_landmark_and_no_invalid_fields(db):
    page = Client().get(reverse("login")).content.decode()
    assert "<main" in page and "aria-invalid" not in page


def test_the_sign_in_pages_language_buttons_say_which_is_current(db):
    """Under the sign-in card, the language in use was told apart only by its style
    (class "current"): a screen reader read "简体中文, button; English, button" without
    saying which one the page was in, nor what the buttons were for."""
    page = Client().get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    form = re.search(r'<form[^>]*class="lang-links"[^>]*>', page)
    assert form and 'aria-label="语言"' in form.group(0), form
    buttons = dict(re.findall(r'<button[^>]*value="([^"]+)"([^>]*)>', page))
    assert 'aria-current="true"' in buttons["zh-hans"], buttons
    assert "aria-current" not in buttons["en"], buttons
