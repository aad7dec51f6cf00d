"""QA (ssoqa): signing in and being told things."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.test import Client

from attain.core import sso
from attain.notify.models import Profile
from attain.org.models import Person


def test_a_claim_typed_full_width_matches_the_person_as_an_import_would(
    company: Any, settings: Any
) -> None:
    """An HR system fed through a Chinese input method sends Ｒ１ or r1＠corp.example; the
    org import already treats those as R1 and r1@corp.example (fold_code/fold_email), so
    single sign-on finds the same person instead of refusing them as unknown."""
    Person.objects.filter(code="r1").update(email="r1@corp.example")
    rep = company.users["rep"]
    assert sso.match_login({"email": " Ｒ１＠corp.example\u3000"}) == (rep, "")
    settings.ATTAIN_SSO_MATCH = "employee_code"
    settings.ATTAIN_SSO_CLAIM = "employee_number"
    assert sso.match_login({"employee_number": "Ｒ１"}) == (rep, "")
    assert sso.match_login({"employee_number": "\u3000r1 "}) == (rep, "")


def test_the_unknown_refusal_reads_well_with_the_default_provider_name(
    db: None, settings: Any
) -> None:
    """Without ATTAIN_SSO_PROVIDER_NAME the provider is "your company account" (公司账号):
    the refusal said "matches your your company account account" (“您的 公司账号 账号”)."""
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory
    from django.utils import translation

    settings.ATTAIN_SSO_PROVIDER_NAME = ""
    cases = (("en", ("your your", "account account")), ("zh-hans", ("账号 账号",)))
    for language, doubled in cases:
        with translation.override(language):
            request = RequestFactory().get("/sso/callback/")
            request.user = AnonymousUser()
            request.attain_sso_value = "x@corp.example"  # type: ignore[attr-defined]
            page = sso.refused(request, sso.UNKNOWN).content.decode()
        assert "x@corp.example" in page
        for words in doubled:
            assert words not in page, language


def test_a_form_sent_with_a_stale_csrf_token_gets_a_page_that_says_what_to_do(
    db: None,
) -> None:
    """Signing in on one tab and then on another (the token changed at the first sign-in)
    showed Django's page: "CSRF验证失败. 请求被中断." with English punctuation and
    developer advice in English. Now the reader is told to reload and try again."""
    from django.test import Client

    for language, words in (("zh-hans", "请刷新页面后重试。"), ("en", "Reload the page")):
        browser = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=language)
        browser.get("/login/")
        answer = browser.post(
            "/login/", {"username": "r1", "password": "x", "csrfmiddlewaretoken": "a" * 64}
        )
        assert answer.status_code == 403
        page = answer.content.decode()
        assert words in page
        assert "csrf_token" not in page and "CSRF验证失败." not in page


def test_an_htmx_post_after_the_session_ended_sends_the_whole_page_to_sign_in(
    company: Any,
) -> None:
    """A target typed into the grid after the session ended (signed out in another tab,
    expired): the browser followed the redirect itself and htmx put the sign-in page
    inside the grid, whose form then returned to the cell's address (a 405). Now htmx
    is told to take the whole page to the sign-in page, which comes back to the page."""
    from django.test import Client
    from django.urls import reverse

    cell = reverse("targets:cell", args=[1])
    page = "/targets/1/?measure=orders"
    answer = Client().post(
        cell,
        {"value": "1"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{page}",
    )
    assert answer.status_code == 200
    assert answer["HX-Redirect"] == "/login/?next=%2Ftargets%2F1%2F%3Fmeasure%3Dorders"
    # another site's address as the current page is not where sign-in returns
    answer = Client().post(
        cell, {"value": "1"}, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="https://evil.example/"
    )
    assert answer["HX-Redirect"] == "/login/?next=%2F"
    # an ordinary request still gets the ordinary redirect
    assert Client().post(cell, {"value": "1"})["Location"] == f"/login/?next={cell}"


def test_an_htmx_post_with_a_stale_csrf_token_reloads_the_page_and_says_so(
    company: Any,
) -> None:
    """A target typed into the grid after signing in again in another tab (the token
    changed): htmx leaves a 403 unshown, so the value looked typed but was never saved.
    Now the page reloads (showing what is stored) and says the change was not saved."""
    from django.test import Client
    from django.urls import reverse

    browser = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    browser.force_login(company.users["manager"])
    answer = browser.post(
        reverse("targets:cell", args=[1]),
        {"value": "1"},
        HTTP_HX_REQUEST="true",
        HTTP_X_CSRFTOKEN="a" * 64,
    )
    assert answer.status_code == 403
    assert answer["HX-Refresh"] == "true"
    assert "您最后的修改未保存" in browser.get("/").content.decode()


def test_a_reset_email_is_in_the_logins_language_not_the_browsers(company: Any) -> None:
    """The reset email goes to the login's address and is read there: in the language the
    login chose (as a forced reset's and every notification), not in the language of the
    browser that asked for it (a shared English computer, a colleague's)."""
    user = company.users["rep"]
    user.email = "r1@example.com"
    user.save()
    Profile.objects.create(user=user, language="zh-hans")
    answer = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        "/accounts/password-reset/", {"email": "r1@example.com"}
    )
    assert answer.status_code == 302
    [email] = mail.outbox
    assert email.subject == "Attain：设置新密码"
    assert "请在此设置新密码" in email.body
