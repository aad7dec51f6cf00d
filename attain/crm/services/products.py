"""The product catalogue: product lines and products (their codes are the keys imports
and the engine use, so they never change)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from attain.audit.services import snapshot

from ..access import check_edit_catalogue
from ..models import Product, ProductLine
from .common import refuse, save_changed, save_new

PRODUCT_FIELDS = frozenset({"name", "line", "list_price", "active"})


def create_product_line(actor: Any, *, code: str, name: str) -> ProductLine:
    check_edit_catalogue(actor)
    code, name = code.strip(), name.strip()
    errors: dict[str, str] = {}
    if not code:
        errors["code"] = _("Give the code.")
    elif ProductLine.objects.filter(code=code).exists():
        errors["code"] = _("A product line “%(code)s” exists.") % {"code": code}
    if not name:
        errors["name"] = _("Give the name.")
    refuse(errors)
    with transaction.atomic():
        return save_new(actor, ProductLine(code=code, name=name))


def update_product_line(
    actor: Any, line: ProductLine, *, name: str, reason: str = ""
) -> ProductLine:
    """Rename a product line (its code is the key imports and the engine use)."""
    check_edit_catalogue(actor)
    if not name.strip():
        raise ValidationError({"name": _("Give the name.")})
    with transaction.atomic():
        line = ProductLine.objects.select_for_update().get(pk=line.pk)
        before = snapshot(line)
        line.name = name.strip()
        save_changed(actor, line, before, reason)
    return line


def _validate_product(fields: Mapping[str, Any], errors: dict[str, str]) -> None:
    if "name" in fields and not str(fields["name"]).strip():
        errors["name"] = _("Give the name.")
    price = fields.get("list_price")
    if price is not None and price < 0:
        errors["list_price"] = _("A list price is not negative.")


def create_product(
    actor: Any, *, code: str, name: str, line: ProductLine, **fields: Any
) -> Product:
    check_edit_catalogue(actor)
    code = code.strip()
    errors: dict[str, str] = {}
    if not code:
        errors["code"] = _("Give the product code.")
    elif Product.objects.filter(code=code).exists():
        errors["code"] = _("A product “%(code)s” exists.") % {"code": code}
    _validate_product({"name": name, **fields}, errors)
    refuse(errors)
    with transaction.atomic():
        return save_new(actor, Product(code=code, name=name.strip(), line=line, **fields))


def update_product(actor: Any, product: Product, *, reason: str = "", **fields: Any) -> Product:
    """Change a product's name, line, list price or whether it is offered (its code is
    the key imports and the engine use)."""
    check_edit_catalogue(actor)
    unknown = set(fields) - PRODUCT_FIELDS
    if unknown:
        raise ValueError(f"not product fields: {sorted(unknown)}")
    errors: dict[str, str] = {}
    _validate_product(fields, errors)
    refuse(errors)
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product.pk)
        before = snapshot(product)
        for field, value in fields.items():
            setattr(product, field, value.strip() if field == "name" else value)
        save_changed(actor, product, before, reason)
    return product
