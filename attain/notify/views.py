"""The bell: my notifications, marking them read, my preferences; the deliveries page
for administrators and sales operations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attain.web.forms import record_pk
from attain.web.views import service_form_view

from . import access, services
from .delivery import email_of
from .forms import CHANNEL_LABELS, SettingsForm
from .models import Profile, Status, Webhook
from .selectors import deliveries, notifications_of, unread_count, with_readers


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications_of(request.user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notify/inbox.html",
        {"page": page, "unread": unread_count(request.user)},
    )


@login_required
@require_POST
def read(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("id", "")
    if raw:
        pk = record_pk(raw)
        if pk is None:
            raise Http404
        get_object_or_404(notifications_of(request.user), pk=pk)
        services.mark_read(request.user, [pk])
    else:
        services.mark_read(request.user)
    return redirect("notify:inbox")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    profile = Profile.objects.filter(user_id=request.user.pk).first()
    form = SettingsForm(request.POST or None, user=request.user, profile=profile)
    return service_form_view(
        request,
        form,
        lambda _data: services.save_settings(
            request.user, switches=form.switches(), **form.fields_to_save()
        ),
        success=_("Your notification settings are saved."),
        next_url="notify:preferences",
        template="notify/preferences.html",
        # without an address no email is sent (attain.notify.services.notify): say so
        context={"channels": CHANNEL_LABELS, "no_email": not email_of(request.user)},
    )


@login_required
def delivery_list(request: HttpRequest) -> HttpResponse:
    if not access.can_read_deliveries(request.user):
        raise PermissionDenied
    status = request.GET.get("status", "")
    page = Paginator(deliveries(status), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "notify/deliveries.html",
        {
            "page": page,
            "rows": with_readers(page),
            "status": status,
            "statuses": Status.choices,
            "webhooks": Webhook.objects.all(),
            "can_test": access.can_manage_webhooks(request.user),
        },
    )


@login_required
@require_POST
def test_webhook(request: HttpRequest, pk: int) -> HttpResponse:
    if not access.can_manage_webhooks(request.user):
        raise PermissionDenied
    hook = get_object_or_404(Webhook, pk=pk)
    services.send_test(request.user, hook)
    messages.success(request, _("A test message is queued; its delivery is listed below."))
    return redirect("notify:deliveries")
