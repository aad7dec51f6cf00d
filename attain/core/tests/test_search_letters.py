"""Search folds the case of every letter on SQLite as on PostgreSQL: “MÜLLER” found
“Élodie Müller” on PostgreSQL (UPPER … LIKE UPPER …) and nothing on SQLite, whose LIKE
folds ASCII letters only. Accents are not folded on either (“Muller” finds nobody)."""

from __future__ import annotations

from attain.conftest import START, client_for
from attain.crm import services as crm_services
from attain.org import services
from attain.org.models import Person


def _codes(page, kind: str) -> list[str]:
    groups = {g.kind: g for g in page.context["groups"]}
    return [hit.detail.split(" · ")[0] for hit in groups[kind].hits] if kind in groups else []


def test_search_folds_every_letters_case_on_every_database(company):
    services.create_person(
        None, code="e9", name="Élodie Müller", unit=company.east, title="rep", start=START
    )
    crm_services.create_customer(None, name="Ｃafé Zürich ＡＢＣ", city="ZÜRICH")
    admin = client_for(company, "admin")
    for query in ("MÜLLER", "élodie", "ÉLODIE MÜ", "müller"):
        assert _codes(admin.get("/search/", {"q": query}), "people") == ["e9"], query
    assert _codes(admin.get("/search/", {"q": "Muller"}), "people") == []  # accents stay
    assert len(_codes(admin.get("/search/", {"q": "ａｂｃ"}), "customers")) == 1
    assert len(_codes(admin.get("/search/", {"q": "CAFÉ"}), "customers")) == 1
    assert Person.objects.filter(name__iexact="élodie MÜLLER").count() == 1
    assert Person.objects.filter(name__istartswith="ÉLO").count() == 1
    assert Person.objects.filter(name__iendswith="LLER").count() == 1  # ASCII: as ever
    assert Person.objects.filter(name__icontains="R1").count() == 1  # and not broken
