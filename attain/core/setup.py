"""The first-run setup wizard: three short steps for the administrator of an empty install.

1. the language of the wizard (and the company's default language);
2. the company: name, fiscal year start, currency, time zone, languages offered;
3. the first administrator: username, email, password.

The steps keep their answers in the session; the last one hands everything to
:func:`attain.org.services_company.set_up_company`, signs the administrator in and opens
the onboarding checklist. Once the company is set up the wizard is gone (404), and a
step submitted after another browser finished the setup goes to the sign-in page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from attain.org import company as company_module
from attain.org import forms_company, services_company
from attain.org.company import is_set_up
from attain.org.services_company import AlreadySetUp

SESSION_KEY = "attain_setup"
STEPS = (
    ("setup", gettext_lazy("Language")),
    ("setup-company", gettext_lazy("Company")),
    ("setup-admin", gettext_lazy("Administrator")),
)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Language"), choices=settings.LANGUAGES, widget=forms.RadioSelect
    )


class CompanyForm(forms_company.CompanyForm):
    """The company step: the wizard's language is the company's default language."""

    def __init__(self, *args: Any, language: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language = language
        self.values: company_module.CompanyValues | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        languages = data.get("languages") or []
        default = self.language if self.language in languages else (languages or [""])[0]
        try:
            self.values = services_company.clean_company(
                name=data.get("name"),
                fiscal_year_start=data.get("fiscal_year_start"),
                currency=data.get("currency"),
                time_zone=data.get("time_zone"),
                languages=languages,
                language=default,
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                self.add_error(field if field in self.fields else None, problems)
        return data


class AdminForm(forms.Form):
    admin_username = forms.CharField(
        label=gettext_lazy("Username"),
        max_length=150,
        error_messages={"required": gettext_lazy("Enter the administrator's username.")},
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    admin_email = forms.EmailField(
        label=gettext_lazy("Email"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": gettext_lazy("Enter the administrator's email address.")},
    )
    admin_password = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        error_messages={"required": gettext_lazy("Enter a password for the administrator.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    admin_password2 = forms.CharField(
        label=gettext_lazy("Password again"),
        strip=False,
        error_messages={"required": gettext_lazy("Enter the password again.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password = data.get("admin_password")
        if password and data.get("admin_password2") and password != data["admin_password2"]:
            self.add_error("admin_password2", _("The two passwords differ."))
        if self.errors:
            return data
        try:
            services_company.clean_admin(
                username=data.get("admin_username"),
                email=data.get("admin_email"),
                password=password,
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                self.add_error(field if field in self.fields else None, problems)
        return data


def _state(request: HttpRequest) -> dict[str, Any]:
    state = request.session.get(SESSION_KEY)
    return dict(state) if isinstance(state, dict) else {}


def _save_state(request: HttpRequest, state: dict[str, Any]) -> None:
    request.session[SESSION_KEY] = state


def _closed(request: HttpRequest) -> HttpResponse | None:
    """The wizard once the company is set up: gone for a look (404); a submitted step
    (another browser finished first) goes to the sign-in page with a word why."""
    if not is_set_up():
        return None
    if request.method == "POST":
        messages.info(request, _("Attain is set up already: sign in."))
        return redirect("login")
    raise Http404


def _wizard_step(
    view: Callable[[HttpRequest, dict[str, Any]], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """A step of the set-up wizard: closed once the company is set up (:func:`_closed`),
    otherwise ``view`` is called with the wizard's state so far (:func:`_state`)."""

    @functools.wraps(view)
    def step(request: HttpRequest) -> HttpResponse:
        closed = _closed(request)
        if closed is not None:
            return closed
        return view(request, _state(request))

    return step


def _use_language(request: HttpRequest, state: dict[str, Any]) -> None:
    language = state.get("language")
    if language in dict(settings.LANGUAGES):
        translation.activate(language)
        request.LANGUAGE_CODE = language


def _page(request: HttpRequest, step: str, form: forms.Form, **context: Any) -> HttpResponse:
    steps = [
        {"name": name, "label": label, "current": name == step, "number": index}
        for index, (name, label) in enumerate(STEPS, start=1)
    ]
    return render(
        request, "core/setup.html", {"form": form, "step": step, "steps": steps, **context}
    )


@csrf_protect
@_wizard_step
def language_step(request: HttpRequest, state: dict[str, Any]) -> HttpResponse:
    initial = state.get("language") or translation.get_language()
    form = LanguageForm(request.POST or None, initial={"language": initial})
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        state["language"] = language
        _save_state(request, state)
        response = redirect("setup-company")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
        return response
    return _page(request, "setup", form)


@csrf_protect
@_wizard_step
def company_step(request: HttpRequest, state: dict[str, Any]) -> HttpResponse:
    if "language" not in state:
        return redirect("setup")
    _use_language(request, state)
    proposed = state.get("company") or {}
    defaults = services_company.default_values()
    initial = {
        "name": proposed.get("name", defaults.name),
        "fiscal_year_start": proposed.get("fiscal_year_start", defaults.fiscal_year_start),
        "currency": proposed.get("currency", defaults.currency),
        "time_zone": proposed.get("time_zone", defaults.time_zone),
        "languages": proposed.get("languages", list(defaults.languages)),
    }
    form = CompanyForm(request.POST or None, initial=initial, language=state["language"])
    if request.method == "POST" and form.is_valid() and form.values is not None:
        values = form.values
        state["company"] = {
            "name": values.name,
            "fiscal_year_start": values.fiscal_year_start,
            "currency": values.currency,
            "time_zone": values.time_zone,
            "languages": list(values.languages),
            "language": values.language,
        }
        _save_state(request, state)
        return redirect("setup-admin")
    return _page(request, "setup-company", form)


@csrf_protect
@sensitive_post_parameters("admin_password", "admin_password2")
@_wizard_step
def admin_step(request: HttpRequest, state: dict[str, Any]) -> HttpResponse:
    if "company" not in state:
        return redirect("setup-company" if "language" in state else "setup")
    _use_language(request, state)
    form = AdminForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        proposed = state["company"]
        try:
            values = services_company.clean_company(**proposed)
            admin = services_company.set_up_company(
                values=values,
                admin_username=form.cleaned_data["admin_username"],
                admin_email=form.cleaned_data["admin_email"],
                admin_password=form.cleaned_data["admin_password"],
            )
        except AlreadySetUp as done:
            messages.info(request, str(done))
            return redirect("login")
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            login(request, admin, backend="attain.accounts.backends.PasswordBackend")
            request.session.pop(SESSION_KEY, None)
            messages.success(
                request,
                _("%(company)s is set up. Next: the organisation, the CRM data and a plan.")
                % {"company": values.name},
            )
            return redirect("onboarding")
    return _page(request, "setup-admin", form, company=state["company"])
