"""Import and export pages: upload → preview → import in the background → status."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from attain.web.forms import DateInput, apply_service
from attain.web.once import run_once

from . import access, services
from .exporter import csv_chunks, write_xlsx
from .models import BatchStatus, ImportBatch
from .parsing import DATE_ORDERS
from .reading import FileProblem, limits
from .tables import TABLES
from .tasks import enqueue_import


class UploadForm(forms.Form):
    table = forms.ChoiceField(label=gettext_lazy("Table"))
    file = forms.FileField(
        label=gettext_lazy("File"), help_text=gettext_lazy("CSV (UTF-8 or GBK) or XLSX")
    )
    date_order = forms.ChoiceField(
        label=gettext_lazy("Date order"),
        choices=list(DATE_ORDERS.items()),
        initial="ymd",
        required=False,  # a client that does not send it: year first
        help_text=gettext_lazy(
            "How the file writes dates whose day and month come before the year. Dates "
            "with the year first are always read."
        ),
    )
    # Organisation files only (units, people): shown to the roles that may import them.
    effective = forms.DateField(
        label=gettext_lazy("Changes take effect on"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy(
            "People files: the date transfers, new managers and job roles take effect, "
            "for rows without their own effective date. Empty: today."
        ),
    )
    invite = forms.BooleanField(
        label=gettext_lazy("Email an invitation to new logins"),
        required=False,
        initial=True,
        help_text=gettext_lazy(
            "People files: a login is linked or created for everyone with an email."
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tables = access.importable_tables(user)
        self.fields["table"].choices = [  # type: ignore[attr-defined]
            (spec.name, spec.label) for spec in tables
        ]
        if not any(spec.org for spec in tables):
            del self.fields["effective"], self.fields["invite"]

    def options(self, request: HttpRequest) -> dict[str, Any]:
        """The choices the batch keeps for its import: the date order, and an
        organisation file's effective date and invitations."""
        chosen: dict[str, Any] = {}
        if self.cleaned_data.get("date_order") not in ("", "ymd", None):
            chosen["date_order"] = self.cleaned_data["date_order"]
        if not TABLES[self.cleaned_data["table"]].org:
            return chosen
        chosen["invite"] = bool(self.cleaned_data.get("invite"))
        chosen["base_url"] = request.build_absolute_uri("/")
        if self.cleaned_data.get("effective"):
            chosen["effective"] = self.cleaned_data["effective"].isoformat()
        return chosen


def _batch(request: HttpRequest, pk: int) -> ImportBatch:
    batch = get_object_or_404(ImportBatch.objects.select_related("created_by"), pk=pk)
    if not access.can_see_batch(request.user, batch):
        raise Http404
    return batch


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    if not access.can_use_intake(request.user):
        raise PermissionDenied
    may_import = bool(access.importable_tables(request.user))
    # ?table=people preselects the table (the onboarding checklist links that way)
    form = UploadForm(user=request.user, initial={"table": request.GET.get("table", "")})
    if request.method == "POST":
        if not may_import:
            raise PermissionDenied
        form = UploadForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            batch = apply_service(
                form,
                lambda data: services.create_batch(
                    request.user, data["table"], data["file"], options=form.options(request)
                ),
            )
            if batch is not None:
                return redirect("intake-preview", pk=batch.pk)
    services.fail_abandoned_batches()
    context = {
        "form": form if may_import else None,
        "batches": access.visible_batches(request.user)[:50],
        "export_tables": [s for s in TABLES.values() if not s.org]
        if access.can_export(request.user)
        else [],
    }
    return render(request, "intake/intake.html", context)


@login_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if request.method == "POST":
        if batch.status != BatchStatus.UPLOADED:
            return redirect("intake-batch", pk=batch.pk)
        enqueue_import(batch)
        return redirect("intake-batch", pk=batch.pk)
    try:
        result = services.preview_batch(batch)
        problem = ""
    except FileProblem as error:
        result, problem = None, str(error)
    spec = TABLES[batch.table]
    context = {
        "batch": batch,
        "spec": spec,
        "result": result,
        "problem": problem,
        "required": [c.title for c in spec.columns if c.required],
        "preview_rows": limits()["PREVIEW_ROWS"],
        "date_order": DATE_ORDERS.get((batch.options or {}).get("date_order") or ""),
    }
    return render(request, "intake/preview.html", context)


@login_required
def batch_status(request: HttpRequest, pk: int) -> HttpResponse:
    services.fail_abandoned_batches()
    batch = _batch(request, pk)
    context = {
        "batch": batch,
        "progress": services.progress_of(batch),
        "may_retry": batch.status == BatchStatus.FAILED
        and access.can_import(request.user, TABLES[batch.table]),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "intake/status_panel.html", context)
    return render(request, "intake/batch.html", context)


@login_required
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Run a failed import again (its stored file, from the start)."""
    batch = _batch(request, pk)
    here = reverse("intake-batch", args=[batch.pk])
    queued = False

    def queue_again() -> str | None:
        nonlocal queued
        try:
            services.retry_batch(request.user, batch)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return None
        queued = True
        return here

    # The button's one-time key: clicked twice, the batch is queued (and audited) once,
    # even when the first run failed again before the second click arrived.
    run_once(request, queue_again)
    if queued:  # after the key's transaction: the import stages outside any transaction
        enqueue_import(batch)
    return redirect(here)


@login_required
def rejects(request: HttpRequest, pk: int) -> FileResponse:
    batch = _batch(request, pk)
    if not batch.rejects_path or not Path(batch.rejects_path).is_file():
        raise Http404
    name = Path(batch.file_name).stem + ".rejects.csv"
    return FileResponse(Path(batch.rejects_path).open("rb"), as_attachment=True, filename=name)


@login_required
def export(request: HttpRequest, table: str, fmt: str) -> HttpResponseBase:
    if not access.can_export(request.user):
        raise PermissionDenied
    spec = TABLES.get(table)
    if spec is None or spec.org or fmt not in {"csv", "xlsx"}:
        raise Http404
    name = f"{table}-{timezone.localdate().isoformat()}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(csv_chunks(spec), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    # openpyxl's write-only mode streams rows to a temporary file, not to memory.
    folder = Path(tempfile.mkdtemp())
    path = folder / name
    try:
        write_xlsx(spec, path)
        response_file = path.open("rb")
    finally:
        # the open handle keeps the data until the response is sent; nothing is left
        # behind in the temporary folder, a failed export's file and folder neither
        path.unlink(missing_ok=True)
        folder.rmdir()
    return FileResponse(response_file, as_attachment=True, filename=name)
