"""The append-only audit trail: who changed what, when, with the values before and after.

Every service that writes organisation data, targets, plans, results or payouts calls
:func:`attain.audit.services.record_change` (bulk writers call
:func:`attain.audit.services.record_bulk`); Django admin does the same through
:class:`attain.audit.admin.AuditedAdminMixin`. Rows are never updated or deleted: the ORM
refuses, and database triggers refuse raw SQL (migration 0003). Each event carries
``chain_hash`` = SHA-256(previous event's hash + the event's canonical content), so a row
rewritten by someone who bypassed the triggers is found by ``attain audit verify``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit events cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events cannot be deleted")


class Action(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    LOGIN_FAILED = "login_failed", _("Failed login")
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    PASSWORD_RESET = "password_reset", _("Password reset forced")
    RUN_STARTED = "run_started", _("Calculation run started")
    REFUSED = "refused", _("Step refused")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The actor's username at the time: stays readable if the user is renamed.
    actor_name = models.CharField(_("who"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    content_type = models.ForeignKey(  # indexed with the object id and time below
        ContentType,
        verbose_name=_("object type"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    object_id = models.CharField(_("object id"), max_length=64, db_index=True)
    object_repr = models.CharField(_("object"), max_length=200)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # Groups the per-record events of one bulk change (e.g. "import:42").
    batch = models.CharField(_("batch"), max_length=64, blank=True, db_index=True)
    # SHA-256 hex of (previous event's chain_hash + this event's canonical content).
    chain_hash = models.CharField(_("chain hash"), max_length=64, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events cannot be deleted")

    def changes(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) for every field whose value differs, in the order of the
        model's fields, then any other key by name: not the stored JSON's order, which
        PostgreSQL's jsonb does not keep (SQLite does), so that both show one order."""
        before = self.before or {}
        after = self.after or {}
        model = ContentType.objects.get_for_id(self.content_type_id).model_class()
        opts = model._meta if model is not None else None
        fields = (
            [f.name for f in sorted([*opts.concrete_fields, *opts.many_to_many])] if opts else []
        )
        position = {name: i for i, name in enumerate(fields)}
        keys = sorted({*before, *after}, key=lambda k: (position.get(k, len(position)), k))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]
