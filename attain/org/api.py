"""REST endpoints for units and people. People's data goes through ``visible_people``;
writes go through :mod:`attain.org.services`, which checks the writer's role."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from attain.web.api import ModelSerializer, Serializer, SlugRelatedField, query_date, query_one

from . import services, services_company
from .access import can_change_company_settings
from .models import Assignment, CompanySettings, Person, Unit
from .selectors import person_of, role_of, visible_people, with_assignment_on


class UnitRef(SlugRelatedField):
    default_error_messages = {
        "does_not_exist": _("Unknown unit “{value}”."),
        "invalid": _("Give a unit code."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", queryset=Unit.objects.all(), **kwargs)


class PersonRef(SlugRelatedField):
    default_error_messages = {
        "does_not_exist": _("Unknown person “{value}”."),
        "invalid": _("Give an employee id."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", queryset=Person.objects.all(), **kwargs)

    def get_value(self, dictionary: Any) -> Any:
        # a form's "" stays "" (DRF would read it as null), refused below
        value = super().get_value(dictionary)
        if value is None and dictionary.get(self.field_name) == "":
            return ""
        return value

    def run_validation(self, data: Any = serializers.empty) -> Any:
        # "" is not an employee id (DRF would read it as null): leave the field out, or
        # send null where it may be empty
        if data == "":
            self.fail("invalid")
        return super().run_validation(data)


class UnitSerializer(ModelSerializer):
    parent = UnitRef(required=False, allow_null=True)  # type: ignore[assignment]

    class Meta:
        model = Unit
        fields = ["code", "name", "parent", "potential", "opened", "closed"]


class UnitViewSet(viewsets.ModelViewSet):
    """Organisation units. Everyone signed in may read the tree; admins and sales
    operations change it."""

    serializer_class = UnitSerializer
    lookup_field = "code"
    queryset = Unit.objects.select_related("parent").order_by("code")
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = services.create_unit(self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("code", None)
        assert serializer.instance is not None
        serializer.instance = services.update_unit(self.request.user, serializer.instance, **data)


class RefSerializer(Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class PersonSerializer(ModelSerializer):
    """A person with where they sit on the day asked (``?on=YYYY-MM-DD``, default today)."""

    unit = serializers.SerializerMethodField()
    manager = serializers.SerializerMethodField()
    title = serializers.CharField(source="title_on", read_only=True, allow_null=True)
    username = serializers.CharField(source="user.username", read_only=True, allow_null=True)

    class Meta:
        model = Person
        fields = [
            "code",
            "name",
            "email",
            "start",
            "end",
            "potential",
            "unit",
            "manager",
            "title",
            "username",
        ]

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_unit(self, person: Any) -> dict[str, str] | None:
        if getattr(person, "unit_code_on", None) is None:
            return None
        return {"code": person.unit_code_on, "name": person.unit_name_on}

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_manager(self, person: Any) -> dict[str, str] | None:
        if getattr(person, "manager_code_on", None) is None:
            return None
        return {"code": person.manager_code_on, "name": person.manager_name_on}


class PersonCreateSerializer(Serializer):
    code = serializers.SlugField(max_length=64)
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    unit = UnitRef()
    manager = PersonRef(required=False, allow_null=True, default=None)
    title = serializers.CharField(max_length=64)
    start = serializers.DateField()
    end = serializers.DateField(required=False, allow_null=True, default=None)
    potential = serializers.DecimalField(
        max_digits=18, decimal_places=2, required=False, allow_null=True, default=None
    )


class PersonUpdateSerializer(Serializer):
    name = serializers.CharField(max_length=200, required=False)
    email = serializers.EmailField(required=False, allow_blank=True)
    potential = serializers.DecimalField(
        max_digits=18, decimal_places=2, required=False, allow_null=True
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class TransferSerializer(Serializer):
    on = serializers.DateField()
    unit = UnitRef(required=False)
    manager = PersonRef(required=False, allow_null=True)
    title = serializers.CharField(max_length=64, required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not {"unit", "manager", "title"} & attrs.keys():
            raise serializers.ValidationError(
                {"non_field_errors": [_("Give at least one of unit, manager and title.")]}
            )
        return attrs


class EndEmploymentSerializer(Serializer):
    on = serializers.DateField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class AssignmentSerializer(ModelSerializer):
    unit: Any = SlugRelatedField(slug_field="code", read_only=True)
    manager: Any = SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Assignment
        fields = ["unit", "manager", "title", "valid_from", "valid_to"]


def _day(request: Request) -> datetime.date:
    return query_date(request, "on") or timezone.localdate()


ON_PARAMETER = OpenApiParameter("on", datetime.date, description="The day to read (default today).")


class PersonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """People the caller may see: reps themselves, managers their reporting subtree,
    sales operations, finance, executives and admins everyone. Others get 404."""

    serializer_class = PersonSerializer
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[Person]:
        # Whom one may see is today's reporting line; ``on`` only picks the day of the
        # assignment shown (a former report read on a past day stays hidden).
        day = _day(self.request)
        people = with_assignment_on(visible_people(self.request.user), day)
        people = people.select_related("user").order_by("code")
        unit = query_one(self.request, "unit")
        if unit is not None:
            if not Unit.objects.filter(code=unit).exists():
                raise serializers.ValidationError({"unit": [_("No such unit.")]})
            people = people.filter(unit_code_on=unit)
        query = query_one(self.request, "q")
        if query is not None:
            people = people.filter(name__icontains=query) | people.filter(code__icontains=query)
        return people

    @extend_schema(
        parameters=[ON_PARAMETER, OpenApiParameter("unit", str), OpenApiParameter("q", str)]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[ON_PARAMETER])
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=PersonCreateSerializer, responses={201: PersonSerializer})
    def create(self, request: Request) -> Response:
        serializer = PersonCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = services.create_person(request.user, **serializer.validated_data)
        return Response(self._read(person), status=status.HTTP_201_CREATED)

    @extend_schema(request=PersonUpdateSerializer, responses=PersonSerializer)
    def partial_update(self, request: Request, code: str) -> Response:
        person = self.get_object()
        serializer = PersonUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        person = services.update_person(request.user, person, **serializer.validated_data)
        return Response(self._read(person))

    @extend_schema(responses=AssignmentSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request: Request, code: str) -> Response:
        """Every assignment of the person, oldest first."""
        person = self.get_object()
        rows = person.assignments.select_related("unit", "manager").order_by("valid_from")
        return Response(AssignmentSerializer(rows, many=True).data)

    @extend_schema(request=TransferSerializer, responses=PersonSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request: Request, code: str) -> Response:
        """Move the person to another unit, manager or job role from a date."""
        person = self.get_object()
        serializer = TransferSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.transfer_person(request.user, person, **serializer.validated_data)
        return Response(self._read(person, serializer.validated_data["on"]))

    @extend_schema(request=EndEmploymentSerializer, responses=PersonSerializer)
    @action(detail=True, methods=["post"], url_path="end-employment")
    def end_employment(self, request: Request, code: str) -> Response:
        person = self.get_object()
        serializer = EndEmploymentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = services.end_employment(request.user, person, **serializer.validated_data)
        return Response(self._read(person))

    @extend_schema(request=EndEmploymentSerializer, responses=PersonSerializer)
    @action(detail=True, methods=["post"], url_path="undo-change")
    def undo_change(self, request: Request, code: str) -> Response:
        """Take back the change recorded from ``on``: the assignment before it runs on."""
        person = self.get_object()
        serializer = EndEmploymentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.undo_change(request.user, person, **serializer.validated_data)
        return Response(self._read(person, serializer.validated_data["on"]))

    def _read(self, person: Person, day: datetime.date | None = None) -> Any:
        day = day or timezone.localdate()
        annotated = with_assignment_on(Person.objects.filter(pk=person.pk), day).select_related(
            "user"
        )
        return PersonSerializer(annotated.get()).data


class MeSerializer(Serializer):
    username = serializers.CharField()
    role = serializers.CharField()
    person = PersonSerializer(allow_null=True)


class MeView(APIView):
    """Who the caller is: username, role, and their person record."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        me = person_of(request.user)
        person = None
        if me is not None:
            day = timezone.localdate()
            person = PersonSerializer(
                with_assignment_on(Person.objects.filter(pk=me.pk), day)
                .select_related("user")
                .get()
            ).data
        return Response(
            {
                "username": request.user.get_username(),
                "role": role_of(request.user),
                "person": person,
            }
        )


# the languages Attain speaks, by code (one enum in the API document)
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class CompanySettingsSerializer(Serializer):
    name = serializers.CharField(max_length=200)
    fiscal_year_start = serializers.IntegerField(
        min_value=1, max_value=12, help_text="The fiscal year's first month (1 = January)."
    )
    currency = serializers.CharField(max_length=3, help_text="ISO 4217 code, such as CNY.")
    time_zone = serializers.CharField(max_length=64, help_text="IANA name, such as Asia/Shanghai.")
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=LANGUAGE_CODES),
        help_text="The languages offered.",
    )
    language = serializers.ChoiceField(choices=LANGUAGE_CODES, help_text="The default language.")
    plan_four_eyes = serializers.BooleanField(
        help_text="Whoever submits a plan version for approval may not approve it."
    )


class CompanySettingsReadSerializer(CompanySettingsSerializer):
    fixed = serializers.DictField(
        child=serializers.CharField(),
        read_only=True,
        help_text=(
            "The settings that may no longer change (fiscal_year_start, currency: plans, "
            "targets, results or payouts are stored counted in them), each with why."
        ),
    )


class CompanySettingsChangeSerializer(CompanySettingsSerializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="For the audit trail."
    )


class CompanySettingsView(APIView):
    """The company's settings, for administrators: read them, or change some (the others
    stay). Every change is audited; the fiscal year start and the currency change only
    while nothing is stored counted in them (docs/onboarding.md)."""

    def _read(self) -> dict[str, Any]:
        current = services_company.settings_of(CompanySettings.objects.first())
        fixed = services_company.fixed_settings(current["currency"])
        return {**current, "fixed": fixed}

    def _allowed(self, request: Request) -> None:
        if not can_change_company_settings(request.user):
            raise DjangoPermissionDenied(_("Only administrators change the company settings."))

    @extend_schema(responses=CompanySettingsReadSerializer)
    def get(self, request: Request) -> Response:
        self._allowed(request)
        return Response(CompanySettingsReadSerializer(self._read()).data)

    @extend_schema(request=CompanySettingsChangeSerializer, responses=CompanySettingsReadSerializer)
    def patch(self, request: Request) -> Response:
        self._allowed(request)
        serializer = CompanySettingsChangeSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        reason = changes.pop("reason", "")
        services_company.change_company(request.user, changes, reason=reason)
        return Response(CompanySettingsReadSerializer(self._read()).data)


router = DefaultRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("people", PersonViewSet, basename="person")
