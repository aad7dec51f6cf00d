"""The demo's reviews (``attain demo load``): the demo manager's team reviewed for the
last quarter, with a comment and an agreed action, and the current quarter's review that
opens with that action. Idempotent: a review already there is kept."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from attain.accounts.models import User
from attain.calc.periods import periods_of_day

from . import services
from .models import Review
from .notices import last_period


def load_demo_reviews(echo: Any = None, username: str = "manager") -> list[Review]:
    user = User.objects.filter(username=username).select_related("person").first()
    manager = getattr(user, "person", None) if user is not None else None
    if user is None or manager is None:
        return []
    today = timezone.localdate()
    found: list[Review] = []
    for period in (last_period("quarter", today), periods_of_day(today)[2]):
        review = Review.objects.filter(manager=manager, period=period).first()
        if review is None:
            try:
                review = services.open_review(user, manager, period)
            except (ValidationError, PermissionDenied) as error:  # no team: say so
                if echo:
                    echo(
                        _("Review %(period)s of %(manager)s: not opened (%(error)s).")
                        % {"period": period, "manager": manager.name, "error": error}
                    )
                continue
            if len(found) == 0:
                _discuss(user, review, today)
        found.append(review)
    if echo and found:
        periods = pgettext("list separator", ", ").join(r.period for r in found)
        echo(
            _("Reviews of %(manager)s's team: %(periods)s.")
            % {"manager": manager.name, "periods": periods}
        )
    return found


def _discuss(user: Any, review: Review, today: datetime.date) -> None:
    """A comment and an action on the weakest person's pack of the earlier review."""
    packs = list(review.packs.select_related("person"))
    if not packs:
        return
    weakest = min(
        packs,
        key=lambda p: float((p.data.get("measures") or [{}])[0].get("attainment") or 0),
    )
    services.add_comment(user, weakest, "漏斗前段转化偏低：下季度重点做需求确认。")
    services.add_action(
        user,
        weakest,
        text="每周至少两次需求确认拜访",
        owner=weakest.person.code,
        due_on=today + datetime.timedelta(days=30),
    )
    services.close_review(user, review)
