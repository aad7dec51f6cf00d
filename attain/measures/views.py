"""The measures page: the list, and a form to add or change one. Writes go through
:func:`.services.save_measure`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from .access import can_define_measures
from .forms import MeasureForm
from .models import Measure
from .services import save_measure


@login_required
def measures(request: HttpRequest, code: str | None = None) -> HttpResponse:
    if not can_define_measures(request.user):
        raise PermissionDenied
    instance = get_object_or_404(Measure, code=code) if code else None
    form = MeasureForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            save_measure(request.user, form.save(commit=False))
        except ValidationError as error:
            for field, errs in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(request, _("Measure saved."))
            return redirect("incentives:measures")
    context = {"form": form, "measures": Measure.objects.order_by("code"), "editing": instance}
    return render(request, "measures/measures.html", context)
