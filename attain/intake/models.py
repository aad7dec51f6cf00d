"""One row per import: who imported which file into which table, and what happened."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attain.web import leases
from attain.web.fields import acting_user


class BatchStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportBatch(leases.Leased):
    table = models.CharField(_("table"), max_length=40)
    file_name = models.CharField(_("file name"), max_length=255)
    file_path = models.CharField(_("stored file"), max_length=500)
    created_by = acting_user(_("imported by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=BatchStatus.choices, default=BatchStatus.UPLOADED
    )
    encoding = models.CharField(_("encoding"), max_length=40, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    imported = models.PositiveIntegerField(_("imported"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    rejects_path = models.CharField(_("rejects file"), max_length=500, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Choices made at upload that the import needs (organisation files: the effective
    # date of changes, whether to send invitations, the address in their links).
    options = models.JSONField(_("options"), default=dict, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.table} · {self.file_name}"

    @property
    def table_label(self) -> str:
        """The table by the name its readers know (the code when it is no longer one)."""
        from .tables import TABLES

        spec = TABLES.get(self.table)
        return spec.label if spec is not None else self.table

    @property
    def finished(self) -> bool:
        return self.status in {BatchStatus.DONE, BatchStatus.FAILED}
