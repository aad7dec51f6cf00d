# mypy: disable-error-code="type-arg"
"""Payouts over the API (docs/pay.md, "Payout approval"): the register, the steps and
holds, the payroll export, its column mapping and the accrual. Reads follow the one
visibility rule; the steps ask :mod:`attain.pay.payout_access` through the services."""

from __future__ import annotations

from typing import Any, cast

from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from attain.org.company import company
from attain.org.models import Unit
from attain.web.api import Serializer, choice_parameter
from attain.web.fields import MONEY
from attain.web.parsers import JSONParser
from attain.web.query import query_one, query_optional_bool

from . import payout_access as access
from . import selectors_payouts as selectors
from . import services_deficits
from . import services_payouts as services
from .models import PayoutState, PayrollSource
from .services_close import PERIOD_RE


def _check_period(value: str) -> None:
    if not PERIOD_RE.fullmatch(value):
        raise serializers.ValidationError(_("Give a period id such as 2026-Q3."))


def period_field() -> serializers.CharField:
    return serializers.CharField(max_length=16, validators=[_check_period])


ACTIONS = ["review", "approve", "pay", "hold", "release", "carry"]


class LineSerializer(Serializer):
    plan = serializers.CharField()
    component = serializers.CharField()
    kind = serializers.CharField()
    amount = serializers.DecimalField(**MONEY)


class PayoutSerializer(Serializer):
    person = serializers.CharField(source="person.code")
    name = serializers.CharField(source="person.name")
    period = serializers.CharField()
    unit = serializers.CharField(source="unit.code", allow_null=True, default=None)
    state = serializers.ChoiceField(choices=PayoutState.choices)
    amount = serializers.DecimalField(**MONEY)
    recalculated_amount = serializers.DecimalField(allow_null=True, **MONEY)
    held = serializers.BooleanField()
    hold_reason = serializers.CharField()
    note = serializers.CharField(source="note_text")
    payment_reference = serializers.CharField()
    paid_on = serializers.DateField(allow_null=True)
    lines = LineSerializer(many=True, source="lines.all")


class TotalsSerializer(Serializer):
    count = serializers.IntegerField()
    total = serializers.DecimalField(**MONEY)
    held = serializers.DecimalField(**MONEY)
    payable = serializers.DecimalField(**MONEY)
    calculated = serializers.DecimalField(**MONEY, source="by_state.calculated")
    reviewed = serializers.DecimalField(**MONEY, source="by_state.reviewed")
    approved = serializers.DecimalField(**MONEY, source="by_state.approved")
    paid = serializers.DecimalField(**MONEY, source="by_state.paid")


class UnitTotalsSerializer(TotalsSerializer):
    unit = serializers.CharField()


def currency_field() -> serializers.CharField:
    return serializers.CharField(
        help_text="the company's currency (ISO 4217) every amount is in: JPY, USD, CNY…"
    )


class RegisterSerializer(Serializer):
    currency = currency_field()
    count = serializers.IntegerField(help_text="payouts selected (on every page)")
    next = serializers.URLField(allow_null=True, help_text="the next page, if any")
    previous = serializers.URLField(allow_null=True, help_text="the previous page, if any")
    totals = TotalsSerializer()
    units = UnitTotalsSerializer(many=True)
    payouts = PayoutSerializer(many=True, help_text="this page's payouts")


class ActionSerializer(Serializer):
    action = serializers.ChoiceField(choices=ACTIONS)
    period = period_field()
    people = serializers.ListField(
        child=serializers.SlugField(max_length=64), min_length=1, max_length=5000
    )
    reference = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    paid_on = serializers.DateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class ChangedSerializer(Serializer):
    changed = serializers.IntegerField()


class PayrollSerializer(Serializer):
    currency = currency_field()
    period = serializers.CharField()
    header = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    total = serializers.DecimalField(**MONEY)
    count = serializers.IntegerField(help_text="lines in the file (rows)")
    zero_payouts = serializers.ListField(
        child=serializers.CharField(),
        help_text="people whose approved payout is zero: no line in the file (the column "
        "setting zero_lines off), settled with the export when it is marked paid",
    )


class PaidSerializer(Serializer):
    period = period_field()
    reference = serializers.CharField(max_length=100)
    paid_on = serializers.DateField()
    people = serializers.ListField(
        child=serializers.SlugField(max_length=64),
        min_length=1,
        max_length=5000,
        required=False,
        help_text="the people of the export sent to the bank (default: every payout of "
        "the period's payroll export now)",
    )
    amounts = serializers.DictField(
        child=serializers.DecimalField(**MONEY),
        required=False,
        help_text="the amounts of the export sent to the bank, by person: a payout whose "
        "amount differs now (recalculated and approved again since) refuses the call",
    )


class ColumnSerializer(Serializer):
    header = serializers.CharField(max_length=60)
    source = serializers.ChoiceField(choices=PayrollSource.choices)  # type: ignore[assignment]


class MappingSerializer(Serializer):
    columns = ColumnSerializer(many=True, min_length=1, max_length=30)  # type: ignore[call-arg]
    pay_code = serializers.CharField(max_length=40)
    zero_lines = serializers.BooleanField(
        required=False,
        help_text="a line for a payout of zero too (the payroll system wants every "
        "person); default false: only amounts to pay. Left out of a PUT: as it is",
    )
    reason = serializers.CharField(
        max_length=500, required=False, default="", allow_blank=True, write_only=True
    )


class AccrualSerializer(Serializer):
    period = serializers.CharField()
    unit = serializers.CharField(source="unit_code")
    unit_name = serializers.CharField()
    people = serializers.IntegerField()
    calculated = serializers.DecimalField(**MONEY)
    reviewed = serializers.DecimalField(**MONEY)
    approved = serializers.DecimalField(**MONEY)
    held = serializers.DecimalField(**MONEY)
    total = serializers.DecimalField(**MONEY)


def _period(request: Request) -> str | None:
    if request.query_params.getlist("period") == [""]:
        raise serializers.ValidationError({"period": [_("Give a period id such as 2026-Q3.")]})
    value = query_one(request, "period")
    if value is not None and not PERIOD_RE.fullmatch(value):
        raise serializers.ValidationError({"period": [_("Give a period id such as 2026-Q3.")]})
    return value


def register_filters(request: Request) -> dict[str, Any]:
    """The register's filters from the query string, read strictly."""
    filters: dict[str, Any] = {"period": _period(request)}
    code = query_one(request, "unit")
    if code is not None:
        unit = Unit.objects.filter(code=code).first() if "\x00" not in code else None
        if unit is None:
            raise serializers.ValidationError({"unit": [_("No such unit.")]})
        filters["unit"] = unit
    state = query_one(request, "state")
    if state is not None and state not in PayoutState.values:
        raise serializers.ValidationError({"state": [_("Unknown payout state.")]})
    filters["state"] = state
    filters["held"] = query_optional_bool(request, "held")
    return filters


def _totals(totals: selectors.Totals, **extra: Any) -> dict[str, Any]:
    return {
        "count": totals.count,
        "total": totals.total,
        "held": totals.held,
        "payable": totals.payable,
        "by_state": totals.by_state,
        **extra,
    }


REGISTER_PARAMETERS = [
    OpenApiParameter(
        "period", str, description="Pay period id, e.g. 2026-Q3", pattern=PERIOD_RE.pattern
    ),
    OpenApiParameter("unit", str, description="Unit code (with the units below it)"),
    choice_parameter("state", PayoutState.values),
    OpenApiParameter("held", bool),
]
# the common pager's parameters (the register is an object, not a list, so the schema
# does not add them by itself)
PAGE_PARAMETERS = [
    OpenApiParameter(
        "page", {"type": "integer", "minimum": 1}, description="A page number (from 1)."
    ),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1},
        description="Payouts a page (100 by default, 1000 at most).",
    ),
]


class RegisterView(GenericAPIView):
    """The payout register: payouts with their component lines, a page at a time (the
    common pager: ``?page=``, ``?page_size=``), and the totals (all and by unit) of every
    payout selected, on each page."""

    @extend_schema(
        parameters=[*REGISTER_PARAMETERS, *PAGE_PARAMETERS], responses=RegisterSerializer
    )
    def get(self, request: Request) -> Response:
        filters = register_filters(request)
        rows = self.paginate_queryset(selectors.payouts(request.user, **filters))
        paginator = cast(PageNumberPagination, self.paginator)
        totals, by_unit = selectors.register_totals(request.user, **filters)
        data = {
            "currency": company().currency,
            "count": totals.count,
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "totals": _totals(totals),
            "units": [_totals(t, unit=code) for code, _name, t in by_unit],
            "payouts": rows,
        }
        return Response(RegisterSerializer(data).data)


class ActionView(APIView):
    parser_classes = [JSONParser]
    """One step for the payouts of ``people`` in ``period``: review, approve, pay (with
    ``reference`` and ``paid_on``), hold (with ``reason``), release, or carry a negative
    payout's deficit to the person's next payout (with ``reason``). All or nothing."""

    @extend_schema(request=ActionSerializer, responses=ChangedSerializer)
    def post(self, request: Request) -> Response:
        body = ActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        chosen = list(
            selectors.payouts(request.user, period=data["period"]).filter(
                person__code__in=set(data["people"])
            )
        )
        missing = sorted(set(data["people"]) - {p.person.code for p in chosen})
        if missing:
            raise serializers.ValidationError(
                {
                    "people": [
                        _("No payout for %(people)s in this period.")
                        % {"people": ", ".join(missing[:20])}
                    ]
                }
            )
        user, action, reason = request.user, data["action"], data["reason"]
        if action == "review":
            changed = services.review_payouts(user, chosen, reason=reason)
        elif action == "approve":
            changed = services.approve_payouts(user, chosen, reason=reason)
        elif action == "pay":
            changed = services.mark_paid(
                user, chosen, reference=data["reference"], paid_on=data["paid_on"], reason=reason
            )
        elif action == "carry":  # a negative payout's deficit, to the next payout
            changed = services_deficits.carry_deficits(user, chosen, reason=reason)
        else:
            step = services.hold_payout if action == "hold" else services.release_payout
            if len(chosen) != 1:
                allowed = access.can_hold_payouts(user)
                access.check(allowed, _("Only finance or sales operations hold payouts."))
                raise serializers.ValidationError(
                    {"people": [_("Hold or release one person at a time.")]}
                )
            step(user, chosen[0], reason=reason)
            changed = 1
        return Response({"changed": changed})


class PayrollView(APIView):
    """The payroll export of a period: approved payouts that are not held, in the
    configured columns; ``total`` equals the register's payable total."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "period", str, pattern=PERIOD_RE.pattern, description="default: the newest"
            )
        ],
        responses=PayrollSerializer,
    )
    def get(self, request: Request) -> Response:
        access.check_export_payroll(request.user)
        periods = selectors.periods(request.user)
        period = _period(request) or selectors.period_under_way(periods)
        payroll = selectors.payroll(request.user, period)
        rows = [[_cell(v) for v in row] for row in payroll.rows]
        return Response(
            PayrollSerializer(
                {
                    "currency": company().currency,
                    "period": period,
                    "header": payroll.header,
                    "rows": rows,
                    "total": payroll.total,
                    "count": len(rows),
                    "zero_payouts": [p.person.code for p in payroll.zeros],
                }
            ).data
        )


def _cell(value: Any) -> str:
    return format(value, "f") if not isinstance(value, str) else value


class PayrollPaidView(APIView):
    parser_classes = [JSONParser]
    """Mark every payout of a period's payroll export paid, with the payment reference."""

    @extend_schema(request=PaidSerializer, responses=ChangedSerializer)
    def post(self, request: Request) -> Response:
        access.check(access.can_pay_payouts(request.user), _("Only finance marks payouts paid."))
        body = PaidSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        # the whole export but one's own payout, as the payroll page: someone else marks
        # it paid (segregation of duties); named in ``people``, it is refused
        chosen = [
            p
            for p in selectors.payroll_payouts(request.user, data["period"])
            if not access.is_own(request.user, p.person)
        ]
        if "people" in data:  # exactly those exported: one approved since stays approved
            codes = set(data["people"])
            chosen = list(
                selectors.payouts(request.user, period=data["period"]).filter(
                    person__code__in=codes
                )
            )
            missing = sorted(codes - {p.person.code for p in chosen})
            if missing:
                raise serializers.ValidationError(
                    {
                        "people": [
                            _("No payout for %(people)s in this period.")
                            % {"people": ", ".join(missing[:20])}
                        ]
                    }
                )
        if not chosen:
            raise serializers.ValidationError(
                {"period": [_("Nothing approved to pay in this period.")]}
            )
        changed = services.mark_paid(
            request.user,
            chosen,
            reference=data["reference"],
            paid_on=data["paid_on"],
            amounts=data.get("amounts"),
        )
        return Response({"changed": changed})


class MappingView(APIView):
    parser_classes = [JSONParser]
    """The payroll export's columns; PUT stores them (finance, sales operations)."""

    @extend_schema(responses=MappingSerializer)
    def get(self, request: Request) -> Response:
        access.check_export_payroll(request.user)
        return Response(MappingSerializer(selectors.payroll_mapping()).data)

    @extend_schema(request=MappingSerializer, responses=MappingSerializer)
    def put(self, request: Request) -> Response:
        access.check_edit_payroll_mapping(request.user)
        body = MappingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        row = services.set_payroll_mapping(
            request.user,
            [dict(c) for c in data["columns"]],
            data["pay_code"],
            zero_lines=data.get("zero_lines"),
            reason=data["reason"],
        )
        return Response(MappingSerializer(row).data)


class AccrualView(APIView):
    """Earned but not yet paid, by period and unit (held payouts included)."""

    @extend_schema(
        parameters=[OpenApiParameter("period", str, pattern=PERIOD_RE.pattern)],
        responses=AccrualSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        access.check_read_accrual(request.user)
        rows = selectors.accrual(request.user, _period(request))
        return Response(AccrualSerializer(rows, many=True).data)


urlpatterns: list[URLPattern] = [
    path("pay/payouts/", RegisterView.as_view(), name="pay-payouts"),
    path("pay/payouts/actions/", ActionView.as_view(), name="pay-payout-actions"),
    path("pay/payroll/", PayrollView.as_view(), name="pay-payroll"),
    path("pay/payroll/paid/", PayrollPaidView.as_view(), name="pay-payroll-paid"),
    path("pay/payroll/columns/", MappingView.as_view(), name="pay-payroll-columns"),
    path("pay/accrual/", AccrualView.as_view(), name="pay-accrual"),
]
