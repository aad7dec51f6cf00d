"""``/api/auth/token/``: obtain (POST) and revoke (DELETE) the caller's API token."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from attain.web.api import Serializer
from attain.web.errors import ErrorSerializer

from . import tokens
from .lockout import LOCKED_STATUS, lockout_message


class LockedOut(exceptions.APIException):
    status_code = LOCKED_STATUS
    default_code = "locked_out"


class CredentialsSerializer(Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class TokenSerializer(Serializer):
    token = serializers.CharField()
    expires = serializers.DateTimeField()


class TokenView(APIView):
    """POST username + password → a token valid for ``ATTAIN_TOKEN_TTL_DAYS`` (the same
    token until it expires). Failed attempts count towards the login lockout.
    DELETE revokes the caller's token."""

    def get_permissions(self) -> list[Any]:
        if self.request.method == "DELETE":
            return [IsAuthenticated()]
        return [AllowAny()]

    @extend_schema(
        request=CredentialsSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(ErrorSerializer, description="wrong username or password"),
            429: OpenApiResponse(ErrorSerializer, description="locked out after failures"),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        credentials = CredentialsSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        http_request = request._request
        user = authenticate(
            request=http_request,
            username=credentials.validated_data["username"],
            password=credentials.validated_data["password"],
        )
        if getattr(http_request, "axes_locked_out", False):
            raise LockedOut(lockout_message())
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Unable to log in with the given username and password.")]}
            )
        token = tokens.issue(user)
        return Response({"token": token.key, "expires": tokens.expires_at(token)})

    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description="the caller's tokens are revoked"),
            401: OpenApiResponse(ErrorSerializer, description="not authenticated"),
        },
    )
    def delete(self, request: Request) -> Response:
        tokens.revoke(request.user, reason="DELETE /api/auth/token/")
        return Response(status=status.HTTP_204_NO_CONTENT)
