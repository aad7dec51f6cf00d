"""Statements (docs/pay.md, "Statements"): the PDF read back, who may do what (a role ×
action table against the pages), a set killed halfway, acknowledgements."""

from __future__ import annotations

import io
import json
import os
import re
from decimal import Decimal

import pypdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from attain.audit.models import AuditEvent
from attain.conftest import client_for, role_cases, user_of
from attain.incentives.models import PeriodResult
from attain.notify.models import Profile
from attain.pay import selectors_statements as selectors
from attain.pay import services_payouts
from attain.pay import services_statements as services
from attain.pay import statement_access as access
from attain.pay import statements as pdf
from attain.pay.models import Payout, PayoutLine
from attain.pay.models_close import ADJUSTMENT, Adjustment
from attain.pay.models_statements import SetStatus, Statement, StatementSet
from attain.web import leases
from attain.web.testing import paged_rows

from .payout_factories import AMOUNTS, PERIOD, store


def _text(statement: Statement) -> str:
    data = services.file_of(statement).read_bytes()
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def _generate() -> StatementSet:
    row = StatementSet.objects.create(period=PERIOD)
    return services.generate_statements(row.pk, processes=1)


def _killed_after_the_first_chunk(monkeypatch) -> tuple[StatementSet, list[int]]:
    """A second set of the period whose generation dies after its first chunk of two
    statements; with the sizes of the chunks drawn (rendering is real again after)."""
    monkeypatch.setattr(services, "CHUNK", 2)
    real = pdf.render_to_files
    calls: list[int] = []

    def dies_after_the_first_chunk(jobs):
        calls.append(len(jobs))
        if len(calls) > 1:
            raise RuntimeError("killed")
        return real(jobs)

    monkeypatch.setattr(pdf, "render_to_files", dies_after_the_first_chunk)
    second = StatementSet.objects.create(period=PERIOD)
    with pytest.raises(RuntimeError):
        services.generate_statements(second.pk, processes=1)
    monkeypatch.setattr(pdf, "render_to_files", real)
    return second, calls


@pytest.fixture
def published(company, settings, tmp_path):
    """2026-Q1 payouts of r1, r2, r3, r4, m1; r1 reads Chinese; r2's payout is held."""
    settings.MEDIA_ROOT = tmp_path
    store(company, AMOUNTS)
    Profile.objects.create(user=company.users["rep"], language="zh-hans")
    services.set_company_name(company.users["finance"], "华东测试科技有限公司")
    r2 = Payout.objects.get(person__code="r2", period=PERIOD)
    services_payouts.hold_payout(company.users["finance"], r2, reason="客户回款待核实")
    return _generate()


def _statement(code: str) -> Statement:
    return Statement.objects.get(person__code=code, statement_set__published=True)


def test_the_pdf_holds_the_company_every_component_the_total_and_chinese(published):
    assert published.status == SetStatus.DONE and published.published
    assert published.statements.count() == len(AMOUNTS)
    r1 = _statement("r1")
    assert r1.language == "zh-hans"
    text = _text(r1)
    for expected in [
        "华东测试科技有限公司",
        "薪酬结算单",
        "组成项",
        "commission",
        "1,000.10",
        "bonus",
        "200.00",
        "1,200.10",
        "暂扣",
        "说明摘要",
    ]:
        assert expected in text, expected
    assert b"FontFile2" in services.file_of(r1).read_bytes()  # the CJK subset is embedded


def test_a_held_payout_shows_the_hold_in_the_persons_language(published):
    text = _text(_statement("r2"))
    assert "Pay statement" in text and "333.34" in text
    assert "Held since" in text and "客户回款待核实" in text


def test_same_content_gives_the_same_digest_and_bytes(published, company):
    r1 = _statement("r1")
    first = services.file_of(r1).read_bytes()
    again = _generate()
    r1_again = again.statements.get(person__code="r1")
    assert r1_again.digest == r1.digest
    assert services.file_of(r1_again).read_bytes() == first


TABLE = """
action          admin sales_ops finance executive manager rep anonymous
download_r1     Y     Y         Y       Y         Y       Y   -
download_r4     Y     Y         Y       Y         -       -   -
acknowledge_r1  -     -         -       -         -       Y   -
generate        Y     Y         Y       -         -       -   -
see_progress    Y     Y         Y       -         -       -   -
"""


@pytest.mark.parametrize(("action", "role", "allowed"), role_cases(TABLE))
def test_who_may_do_what(published, company, action, role, allowed, settings):
    settings.AXES_ENABLED = False
    client = client_for(company, role)
    user = user_of(company, role)
    if action.startswith("download"):
        statement = _statement(action.rpartition("_")[2])
        response = client.get(reverse("pay:statement_pdf", args=[statement.pk]))
        assert (response.status_code == 200) is allowed
        if allowed:
            assert response["Content-Type"] == "application/pdf"
            assert access.can_read_statement(user, statement)
    elif action == "acknowledge_r1":
        statement = _statement("r1")
        client.post(reverse("pay:statement_ack", args=[statement.pk]))
        statement.refresh_from_db()
        assert (statement.acknowledged_at is not None) is allowed
        assert access.can_acknowledge(user, statement) is allowed
    elif action == "generate":
        before = StatementSet.objects.count()
        client.post(reverse("pay:statements"), {"period": PERIOD})
        assert (StatementSet.objects.count() == before + 1) is allowed
        assert access.can_generate_statements(user) is allowed
    else:
        response = client.get(reverse("pay:statement_set", args=[published.pk]))
        assert (response.status_code == 200) is allowed


def test_pages_list_what_the_login_may_see(published, company, settings):
    settings.AXES_ENABLED = False
    rep = client_for(company, "rep").get(reverse("pay:my_statements"))
    assert rep.status_code == 200 and "1,200.10" in rep.content.decode()
    manager = client_for(company, "manager").get(reverse("pay:statements"), {"period": PERIOD})
    page = manager.content.decode()
    # whole words: a page's random CSRF token may hold "r4"
    assert re.search(r"\br1\b", page) and not re.search(r"\br4\b", page)
    assert 'id="generate"' not in page
    finance = client_for(company, "finance").get(reverse("pay:statements"), {"period": PERIOD})
    assert 'id="generate"' in finance.content.decode()


def test_a_rep_reads_one_statement_in_the_singular(published, company, settings):
    """A rep sees their own statement of the period: the heading read "1 statements, 0
    acknowledged"."""
    settings.AXES_ENABLED = False
    page = client_for(company, "rep").get(reverse("pay:statements"), {"period": PERIOD})
    text = re.sub(r"\s+", " ", page.content.decode())
    assert "1 statement, 0 acknowledged" in text
    finance = client_for(company, "finance").get(reverse("pay:statements"), {"period": PERIOD})
    assert re.search(r"\b[2-9]\d* statements, 0 acknowledged", finance.content.decode())


def test_acknowledging_is_audited_once_and_carries_over_the_same_content(published, company):
    rep = company.users["rep"]
    statement = services.acknowledge_statement(rep, _statement("r1"))
    event = AuditEvent.objects.filter(object_id=str(statement.pk), reason="Statement acknowledged")
    assert event.count() == 1
    with pytest.raises(ValidationError):
        services.acknowledge_statement(rep, statement)
    with pytest.raises(PermissionDenied):
        services.acknowledge_statement(company.users["manager"], _statement("r2"))
    again = _generate()
    assert again.statements.get(person__code="r1").acknowledged_at == statement.acknowledged_at


def test_an_acknowledgement_survives_new_words_around_the_same_figures(published, company):
    """The person acknowledges the figures: generated again after they switched their
    language, the company was renamed and their payout was held, the statement says
    the same numbers in other words and stays acknowledged (it asked again before: the
    digest covered every text on it). A changed amount asks again."""
    r1 = services.acknowledge_statement(company.users["rep"], _statement("r1"))
    Profile.objects.filter(user=company.users["rep"]).update(language="en")
    services.set_company_name(company.users["finance"], "East Test Technology Ltd.")
    payout = Payout.objects.get(person__code="r1", period=PERIOD)
    services_payouts.hold_payout(company.users["finance"], payout, reason="checking")
    again = _generate()
    statement = again.statements.get(person__code="r1")
    assert statement.language == "en" and "East Test Technology" in _text(statement)
    assert statement.digest == r1.digest
    assert statement.acknowledged_at == r1.acknowledged_at

    store(company, {**AMOUNTS, "r1": {"commission": "1000.11", "bonus": "200.00"}})
    changed = _generate().statements.get(person__code="r1")
    assert changed.digest != r1.digest and changed.acknowledged_at is None


def test_a_set_killed_halfway_is_never_shown_and_resumes(
    published, company, monkeypatch, django_capture_on_commit_callbacks
):
    rep = company.users["rep"]
    shown = selectors.my_statements(rep).get()
    assert shown.statement_set_id == published.pk
    second, calls = _killed_after_the_first_chunk(monkeypatch)
    second.refresh_from_db()
    assert second.status == SetStatus.FAILED and not second.published
    # a sentence finance reads (it showed "RuntimeError: killed"), the error for a report
    assert second.problems == [
        "The statements stopped on an unexpected error: RuntimeError('killed'). "
        "Generate them again."
    ]
    assert second.statements.count() == 2  # what was whole is kept for the resume
    # people still see the published set, whole
    assert selectors.my_statements(rep).get().statement_set_id == published.pk
    assert selectors.statements(company.users["finance"], period=PERIOD).count() == len(AMOUNTS)

    real = pdf.render_to_files
    calls.clear()
    monkeypatch.setattr(pdf, "render_to_files", lambda jobs: calls.append(len(jobs)) or real(jobs))
    resumed = services.start_statements(company.users["finance"], PERIOD)
    assert resumed.pk == second.pk  # the unfinished set is resumed, not a new one
    with django_capture_on_commit_callbacks(execute=True):  # the replaced set is removed
        services.generate_statements(resumed.pk, processes=1)
    assert sum(calls) == len(AMOUNTS) - 2  # only the missing statements were drawn
    resumed.refresh_from_db()
    assert resumed.published and resumed.statements.count() == len(AMOUNTS)
    assert not StatementSet.objects.filter(pk=published.pk).exists()
    assert not services.set_folder(published).exists()
    assert selectors.my_statements(rep).get().statement_set_id == resumed.pk


def test_a_finished_set_says_done_once(published, company):
    """The status of a finished set read "完成 · 完成 · 100%" (the state, then the stage)."""
    client = client_for(company, "finance")
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("pay:statement_set", args=[published.pk])).content.decode()
    assert "完成</strong> · 100%" in page and "· 完成 ·" not in page


def test_a_set_whose_worker_died_is_marked_failed(published):
    row = StatementSet.objects.create(
        period=PERIOD, status=SetStatus.RUNNING, worker=f"{leases.host()}:999999"
    )
    assert services.fail_abandoned_sets() == 1
    row.refresh_from_db()
    assert row.status == SetStatus.FAILED and "Generate again" in row.problems[0]


def test_no_font_fails_the_set_with_a_clear_message(published, monkeypatch):
    monkeypatch.setenv("ATTAIN_STATEMENT_FONT", "/nowhere/font.ttf")
    monkeypatch.setattr(pdf, "_registered", None)
    row = _generate()
    assert row.status == SetStatus.FAILED and not row.published
    assert "fonts-wqy-zenhei" in row.problems[0] and "/nowhere/font.ttf" in row.problems[0]


def test_generating_a_period_without_payouts_names_the_field(published, company):
    with pytest.raises(ValidationError) as error:
        services.start_statements(company.users["finance"], "2030-Q1")
    assert "period" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.start_statements(company.users["rep"], PERIOD)


def test_the_explanation_summary_is_in_the_pdf(published):
    result = PeriodResult.objects.get(person__code="r1", period=PERIOD)
    commission = {
        "kind": "commission",
        "amount": "1000.10",
        "steps": [
            {"label": "actual 40005 × rate 0.025", "value": "1000.125"},
            {"label": "rounded half-up to the currency's minor unit", "value": "1000.10"},
        ],
    }
    result.explanation = json.dumps(
        {
            "currency": "CNY",
            "measures": {
                "revenue": {"actual": "40005", "target": {"value": "50000"}, "attainment": "0.8001"}
            },
            "plans": {"rep": {"name": "销售代表方案", "components": {"commission": commission}}},
        }
    )
    result.save()
    text = _text(_generate().statements.get(person__code="r1"))
    for expected in ["销售代表方案", "40,005", "50,000", "80.0%", "币种", "CNY", "1,000.10"]:
        assert expected in text, expected


def test_adjustments_are_listed_with_before_and_after(published):
    payout = Payout.objects.get(person__code="r2", period=PERIOD)
    PayoutLine.objects.create(
        payout=payout, plan="", component="2025-Q4", kind=ADJUSTMENT, amount=Decimal("55.50")
    )
    change = {"plan": "rep", "component": "commission", "kind": "commission"}
    Adjustment.objects.create(
        person=payout.person,
        source_period="2025-Q4",
        payout=payout,
        amount=Decimal("55.50"),
        components=[{**change, "before": "100.00", "after": "155.50", "amount": "55.50"}],
    )
    text = _text(_generate().statements.get(person__code="r2"))
    for expected in ["Adjustment for 2025-Q4", "55.50", "100.00 → 155.50", "Adjustments total"]:
        assert expected in text, expected


def test_a_dispute_adjustment_is_named_by_its_dispute(published):
    payout = Payout.objects.get(person__code="r2", period=PERIOD)
    PayoutLine.objects.create(
        payout=payout,
        plan="adjustment",
        component="dispute-7",
        kind=ADJUSTMENT,
        amount=Decimal("12.00"),
    )
    text = _text(_generate().statements.get(person__code="r2"))
    assert "Dispute adjustment #7" in text and "12.00" in text


def test_a_long_word_after_another_word_is_broken_to_fit_its_column():
    pdf.register_font()
    width = 100.0
    for text in [
        "Bonus new-business-enterprise-accounts-quarterly-accelerator",
        "奖金 new-business-enterprise-accounts-quarterly-accelerator",
    ]:
        lines = pdf.wrap(text, width, pdf.SIZE)
        assert all(pdf_width(line) <= width for line in lines), lines
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def pdf_width(line: str) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(stringWidth(line, pdf.FONT_NAME, pdf.SIZE))


def test_the_command_line_statements_carry_the_explanation(published, monkeypatch, tmp_path):
    """A full run stores no explanations: `attain pay statements` computes them first,
    as a generated set does, so the plan's name and the summary are printed."""
    explained = {"plans": {"rep": {"name": "销售代表方案", "components": {}}}}

    def explain(period):
        PeriodResult.objects.filter(period=period, explanation="").update(
            explanation=json.dumps(explained)
        )
        return 1

    PeriodResult.objects.filter(period=PERIOD).update(explanation="")
    monkeypatch.setattr(services, "explain_payouts", explain)
    files = services.write_period(PERIOD, tmp_path / "out", processes=1)
    chosen = next(f for f in files if f.name.startswith("r1-"))
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(chosen).pages)
    assert "销售代表方案" in text


def test_a_resumed_set_draws_again_the_statements_whose_payout_changed(
    published, company, monkeypatch
):
    second, _calls = _killed_after_the_first_chunk(monkeypatch)
    first, kept = second.statements.order_by("person__code")
    # between the failure and the resume, finance holds one of the written payouts
    payout = Payout.objects.get(person_id=first.person_id, period=PERIOD)
    services_payouts.hold_payout(company.users["finance"], payout, reason="回款待核实")
    resumed = services.start_statements(company.users["finance"], PERIOD)
    services.generate_statements(resumed.pk, processes=1)
    redrawn = resumed.statements.get(person_id=first.person_id)
    assert redrawn.held and "回款待核实" in _text(redrawn)
    assert resumed.statements.get(person_id=kept.person_id).pk == kept.pk  # unchanged: kept
    assert resumed.statements.count() == len(AMOUNTS)


def test_the_measures_are_named_as_on_the_explanation_page(published):
    from attain.measures.models import Measure

    measure, _created = Measure.objects.get_or_create(code="revenue")
    Measure.objects.filter(pk=measure.pk).update(name="销售额")
    result = PeriodResult.objects.get(person__code="r1", period=PERIOD)
    result.explanation = json.dumps(
        {"measures": {"revenue": {"actual": "40005", "target": {"value": "50000"}}}}
    )
    result.save()
    text = _text(_generate().statements.get(person__code="r1"))
    assert "销售额" in text


def test_the_chinese_statement_does_not_call_the_payout_a_bonus(published):
    """奖金 is the kind "bonus" on the same statement: the payout is 应发金额 there."""
    text = _text(_statement("r1"))  # r1 reads Chinese
    assert "应发金额" in text


def test_a_closed_period_states_the_explanation_frozen_with_its_payout(published, company):
    """A later recalculation changes the stored result, not the closed payout: the
    summary explains the numbers on the statement, frozen at the close."""
    from attain.pay import services_close

    def explained(name: str, amount: str) -> str:
        components = {"commission": {"kind": "commission", "amount": amount, "steps": []}}
        return json.dumps({"plans": {"rep": {"name": name, "components": components}}})

    PeriodResult.objects.filter(period=PERIOD).update(explanation=explained("冻结方案", "1000.10"))
    ops = company.users["sales_ops"]
    row = services_close.close_period(ops, PERIOD, background=False)
    services_close.run_close(row.pk, ops)
    PeriodResult.objects.filter(period=PERIOD).update(explanation=explained("现行方案", "9999.00"))
    text = _text(_generate().statements.get(person__code="r1"))
    assert "冻结方案" in text and "现行方案" not in text and "9,999.00" not in text


def test_without_a_chosen_language_the_statement_follows_the_companys(company, settings, tmp_path):
    """A Chinese company (set up in Chinese) whose reps never chose a notification
    language: their statements are in Chinese, headed by the company's name."""
    from attain.org import company as company_settings
    from attain.org.models import CompanySettings

    settings.MEDIA_ROOT = tmp_path
    CompanySettings.objects.update_or_create(
        pk=CompanySettings.SINGLETON_ID,
        defaults={
            "name": "示例科技有限公司",
            "fiscal_year_start": 1,
            "currency": "CNY",
            "time_zone": "Asia/Shanghai",
            "languages": ["zh-hans", "en"],
            "language": "zh-hans",
        },
    )
    company_settings.forget()
    try:
        store(company, AMOUNTS)
        text = _text(_generate().statements.get(person__code="r3"))
    finally:
        company_settings.forget()
    assert "示例科技有限公司" in text and "薪酬结算单" in text


def test_a_big_sets_progress_counts_are_grouped(db) -> None:
    """ "12345 份结算单中已生成 1234 份" where every other count of the pages is grouped."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from attain.pay.models import StatementSet

    row = StatementSet(pk=1, done=1234, total=12345, status="running")
    with translation.override("zh-hans"):
        html = render_to_string("pay/statement_set.html", {"set": row})
    assert "12,345" in html and "1,234" in html and "12345" not in html


@pytest.mark.parametrize(
    ("language", "days"),
    [
        ("zh-hans", ["2026年1月1日", "2026年3月31日", "2026年4月15日"]),
        ("en", ["Jan. 1, 2026", "March 31, 2026", "April 15, 2026"]),
    ],
)
def test_dates_are_written_for_the_readers_language(company, language, days):
    """The period's dates and the date paid follow the statement's language, never ISO."""
    import dataclasses

    from .payout_factories import through

    store(company, AMOUNTS)
    payout = through(company, "r2", "paid")
    result = PeriodResult.objects.get(person__code="r2", period=PERIOD)
    doc = services.build_document(payout, result, "ACME", language)
    text = json.dumps(dataclasses.asdict(doc), ensure_ascii=False)
    for day in days:
        assert day in text, (day, doc.facts)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text), doc.facts


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_acknowledgement_times_show_for_the_readers_locale(published, company, client, language):
    """The statement pages showed the acknowledgement as 2026-04-01 09:30 in every language."""
    from django.utils import formats, timezone, translation

    statement = services.acknowledge_statement(company.users["rep"], _statement("r1"))
    at = timezone.localtime(statement.acknowledged_at)
    with translation.override(language):
        shown = formats.date_format(at, "SHORT_DATETIME_FORMAT")
    assert not shown.startswith(at.date().isoformat())
    for role, path in (("rep", "/pay/statements/mine/"), ("finance", "/pay/statements/")):
        client.force_login(company.users[role])
        client.cookies["django_language"] = language
        page = client.get(path).content.decode()
        assert shown in page, role
        assert at.strftime("%Y-%m-%d %H:%M") not in page, role


def test_the_summarys_steps_name_the_measure_as_its_measures_table_does():
    """The statement's summary listed 销售额 in its measures table but its steps said
    "实际 revenue（本人）": the steps name the measure too."""
    from django.utils import translation

    from attain.pay.services_statements import _summary_sections

    doc = {
        "measures": {"revenue": {"actual": "12000", "target": {"value": "10000"}}},
        "plans": {
            "rep": {
                "name": "代表方案",
                "components": {
                    "commission": {
                        "kind": "commission",
                        "amount": "700",
                        "steps": [
                            {"label": "actual revenue (self)", "value": "12000"},
                            {"label": "target revenue", "value": "10000"},
                        ],
                    }
                },
            }
        },
    }
    with translation.override("zh-hans"):
        sections = _summary_sections(doc, {"revenue": "销售额"})
    labels = [row[0].strip() for section in sections for row in section.rows]
    assert "实际 销售额（本人）" in labels and "目标 销售额" in labels


def test_a_statement_whose_payout_changed_since_says_so_and_is_not_acknowledged(
    published, company, settings
):
    # a period reopened (or still open) after its statements: the rep read 1,200.10 and
    # acknowledged it while the payout was 1,300.10; nothing told either of them
    settings.AXES_ENABLED = False
    store(company, {**AMOUNTS, "r1": {"commission": "1100.10", "bonus": "200.00"}})
    statement = _statement("r1")
    assert statement.amount == Decimal("1200.10")
    count = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.acknowledge_statement(company.users["rep"], statement)
    assert "1,200.10" in str(refused.value) and "1,300.10" in str(refused.value)
    statement.refresh_from_db()
    assert statement.acknowledged_at is None and AuditEvent.objects.count() == count
    mine = client_for(company, "rep").get(reverse("pay:my_statements"), HTTP_ACCEPT_LANGUAGE="en")
    page = mine.content.decode()
    assert "Out of date" in page and "1,300.10" in page
    assert reverse("pay:statement_ack", args=[statement.pk]) not in page
    finance = client_for(company, "finance").get(
        reverse("pay:statements"), {"period": PERIOD}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert "已过时" in finance.content.decode()
    api = client_for(company, "rep").get("/api/pay/statements/", {"period": PERIOD})
    [row] = api.json()["results"]
    assert (row["amount"], row["payout_amount"], row["outdated"]) == ("1200.10", "1300.10", True)
    # generated again: the new statement is current and can be acknowledged
    _generate()
    statement = services.acknowledge_statement(company.users["rep"], _statement("r1"))
    assert statement.amount == Decimal("1300.10") and statement.acknowledged_at is not None


RARE_NAME = "\U00020bb7野家樹"  # 𠮷: CJK Extension B, which the CJK font lacks
EMOJI = "\U0001f600"  # 😀


def _document(name: str) -> pdf.StatementDocument:
    return pdf.StatementDocument(
        language="zh-hans",
        company="华东测试科技有限公司",
        title="薪酬结算单",
        facts=[("姓名", name)],
        sections=[pdf.Section("组成项", ["组成项", "金额"], [[f"奖金 {EMOJI}\ufe0f", "1,200.10"]])],
        subject=f"{name} 2026-Q1",
    )


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def fresh_fonts(monkeypatch):
    """The fonts registered again for the test's settings (and as before after it)."""
    monkeypatch.setattr(pdf, "_registered", None)
    monkeypatch.setattr(pdf, "_fonts", None)
    return monkeypatch


def test_a_name_the_cjk_font_lacks_is_printed_in_a_fallback_font(fresh_fonts, caplog):
    """𠮷 (Extension B) and emoji came out blank: a name on a pay statement read as
    another name. Here they are set in the fallback fonts (fonts-hanazono, fonts-symbola)."""
    wanted = [p for p in pdf.FALLBACK_CANDIDATES[1:3] if os.path.isfile(p)]
    if len(wanted) < 2:
        pytest.skip("fonts-hanazono and fonts-symbola are not installed (.ci/run installs them)")
    fresh_fonts.setenv("ATTAIN_STATEMENT_FALLBACK_FONTS", os.pathsep.join(wanted))
    data = pdf.render(_document(RARE_NAME))
    text = _pdf_text(data).replace("\n", "")  # (a run of another font is a new line to pypdf)
    assert RARE_NAME in text and EMOJI in text and "1,200.10" in text
    assert pdf.MISSING not in text and not [r for r in caplog.records if "U+" in r.getMessage()]
    assert data.count(b"FontFile2") == 3  # the CJK font and two fallbacks, as subsets


def test_a_character_no_font_has_is_marked_and_logged_not_left_blank(fresh_fonts, caplog):
    fresh_fonts.setenv("ATTAIN_STATEMENT_FALLBACK_FONTS", "")  # no fallback fonts at all
    text = _pdf_text(pdf.render(_document(RARE_NAME)))
    assert f"{pdf.MISSING}野家樹" in text and f"奖金 {pdf.MISSING}" in text
    assert "\ufe0f" not in text  # the emoji's variation selector is no second □
    logged = [r.getMessage() for r in caplog.records if "U+" in r.getMessage()]
    assert len(logged) == 1 and "U+20BB7 U+1F600" in logged[0] and "fonts-hanazono" in logged[0]


def test_a_right_aligned_number_in_two_fonts_still_ends_at_its_column(fresh_fonts):
    fresh_fonts.setenv("ATTAIN_STATEMENT_FALLBACK_FONTS", "")
    fonts = pdf.fonts()
    assert fonts.width("1,200.10", pdf.SIZE) == pytest.approx(pdf_width("1,200.10"))
    assert [f for f, _t in fonts.runs(f"a{EMOJI}b")] == [pdf.FONT_NAME]  # one run, □ inside


@pytest.mark.parametrize(
    ("role", "people"),
    [
        ("finance", {"r1", "r2", "r3", "r4", "m1"}),
        ("manager", {"r1", "r2", "r3", "m1"}),
        ("rep", {"r1"}),
    ],
)
def test_the_statements_api_comes_a_page_at_a_time(published, company, role, people):
    """``GET /api/pay/statements/`` returned every published statement of every period
    at once (people × periods, growing each quarter); now the common pager's pages
    (``?page=``, ``?page_size=``, 100 a page): a list longer than a page says its
    ``next``, and the pages hold what the role saw at once before, each once."""
    client = client_for(company, role)
    shown = [row["person"] for row in paged_rows(client, "/api/pay/statements/", 2)]
    assert sorted(shown) == sorted(people)
