"""Four eyes on plan approval (docs/incentives.md, "Plan approval"): whoever submitted a
plan version for approval does not approve it; another login with the right does. The
refusal is audited and says why, on the page, in the API and from the services alike, in
English and Chinese. A company with a single administrator turns the rule off in its
settings (on by default); the system itself (the demo, imports) is never held."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.utils import translation
from rest_framework.test import APIClient

from attain.accounts.models import Role, User
from attain.audit.models import AuditEvent
from attain.incentives import governance, services
from attain.incentives.models import PlanVersion, VersionStatus
from attain.org import company as company_module
from attain.org import services_company
from attain.org.models import CompanySettings

from .conftest import REP_PLAN


def _submitted(user) -> PlanVersion:
    version = services.save_plan_version(None, REP_PLAN)
    governance.submit_plan_version(user, version)
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED
    return version


def _refusals(version: PlanVersion):
    kind = ContentType.objects.get_for_model(PlanVersion)
    return AuditEvent.objects.filter(content_type=kind, object_id=str(version.pk), action="refused")


def _second_admin() -> User:
    return User.objects.create_user(username="admin2", password="x-Admin-2026", role=Role.ADMIN)


def _rule(on: bool) -> None:
    services_company.store_company(None, services_company.default_values("Solo Ltd"))
    CompanySettings.objects.update(plan_four_eyes=on)
    company_module.forget()


def test_the_submitter_may_not_approve_and_the_refusal_is_audited(company):
    admin = company.users["admin"]
    version = _submitted(admin)
    assert version.submitted_by_id == admin.pk
    with pytest.raises(PermissionDenied) as refused:
        governance.approve_plan_version(admin, version, reason="looks fine")
    assert isinstance(refused.value, governance.OwnSubmission)
    message = str(refused.value)
    assert message == (
        f"You submitted version {version.number} of rep for approval: another login with the "
        "right approves it (four eyes)."
    )
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED
    [event] = _refusals(version)
    assert event.actor_id == admin.pk and event.reason == message
    assert event.after["step"] == "approve"
    # another login with the right approves it: an executive, or another administrator
    governance.approve_plan_version(company.users["executive"], version)
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED


def test_another_administrator_approves(company):
    version = _submitted(company.users["admin"])
    governance.approve_plan_version(_second_admin(), version)
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED


def test_back_in_draft_the_version_has_no_submitter_and_the_next_submitter_counts(company):
    admin, ops = company.users["admin"], company.users["sales_ops"]
    version = _submitted(admin)
    governance.return_plan_version(company.users["executive"], version, reason="重做")
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT and version.submitted_by_id is None
    governance.submit_plan_version(ops, version)
    governance.approve_plan_version(admin, version)  # ops submitted it this time
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED


def test_the_refusal_is_in_chinese(company):
    admin = company.users["admin"]
    version = _submitted(admin)
    with translation.override("zh-hans"), pytest.raises(PermissionDenied) as refused:
        governance.approve_plan_version(admin, version)
    assert "双人复核" in str(refused.value) and "另一位" in str(refused.value)


def test_the_page_offers_no_approval_to_the_submitter_and_refuses_it(client, company):
    admin = company.users["admin"]
    version = services.save_plan_version(None, REP_PLAN)
    client.force_login(admin)
    client.post(f"/performance/plans/rep/v{version.number}/do/submit/")
    version.refresh_from_db()
    assert version.submitted_by_id == admin.pk
    page = client.get("/performance/plans/").content.decode()
    assert 'class="link approve"' not in page
    assert "You submitted it: another login approves it (four eyes)." in page
    client.cookies["django_language"] = "zh-hans"
    answer = client.post(f"/performance/plans/rep/v{version.number}/do/approve/", follow=True)
    assert answer.status_code == 200
    assert "双人复核" in answer.content.decode()
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED
    assert _refusals(version).count() == 1
    client.force_login(company.users["executive"])
    page = client.get("/performance/plans/").content.decode()
    assert 'class="link approve"' in page


def test_the_api_refuses_the_submitter(company):
    admin = company.users["admin"]
    version = services.save_plan_version(None, REP_PLAN)
    api = APIClient()
    api.force_authenticate(admin)
    base = f"/api/plans/rep/versions/{version.number}"
    assert api.post(f"{base}/submit/", {}, format="json").status_code == 200
    answer = api.post(f"{base}/approve/", {}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert answer.status_code == 403
    assert "双人复核" in answer.content.decode()
    listing = {v["plan"]: v for v in api.get("/api/plans/").json()["versions"]}
    assert listing["rep"]["submitted_by"] == admin.username
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED
    other = APIClient()
    other.force_authenticate(company.users["executive"])
    assert other.post(f"{base}/approve/", {}, format="json").status_code == 200


def test_a_company_with_one_administrator_turns_the_rule_off(client, company):
    _rule(False)
    admin = company.users["admin"]
    version = _submitted(admin)
    client.force_login(admin)
    page = client.get("/performance/plans/").content.decode()
    assert 'class="link approve"' in page
    governance.approve_plan_version(admin, version)
    services.activate_plan(admin, version)
    version.refresh_from_db()
    assert version.status == VersionStatus.ACTIVE
    assert not _refusals(version).exists()


def test_the_rule_is_on_by_default_for_a_stored_company(company):
    _rule(True)
    assert CompanySettings.objects.get().plan_four_eyes is True
    row = CompanySettings.objects.get()
    row.delete()
    services_company.store_company(None, services_company.default_values("New Ltd"))
    company_module.forget()
    assert CompanySettings.objects.get().plan_four_eyes is True
    assert company_module.company().plan_four_eyes is True


def test_the_system_is_never_held(company):
    """The demo and imports act as the system: they submit, approve and activate."""
    version = services.save_plan_version(None, REP_PLAN)
    services.activate_plan(None, version)
    version.refresh_from_db()
    assert version.status == VersionStatus.ACTIVE


def test_whoever_wrote_the_version_may_not_approve_it_either(company, client):
    """Four eyes is maker and checker: the author of a version had another login submit
    it and approved it themselves, so one person alone decided what pays."""
    author, ops = company.users["admin"], company.users["sales_ops"]
    version = services.save_plan_version(author, REP_PLAN)
    governance.submit_plan_version(ops, version)
    version.refresh_from_db()
    with pytest.raises(governance.OwnSubmission) as refused:
        governance.approve_plan_version(author, version)
    assert str(refused.value) == (
        f"You wrote version {version.number} of rep: another login with the right "
        "approves it (four eyes)."
    )
    with translation.override("zh-hans"):
        assert "由您编写" in governance.own_submission_refusal(version, author)
    client.force_login(author)
    page = client.get("/performance/plans/").content.decode()
    assert "You wrote it: another login approves it (four eyes)." in page
    governance.approve_plan_version(company.users["executive"], version)
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED
