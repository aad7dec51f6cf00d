from django.utils.translation import gettext_lazy as _

from attain.web import appconfig


class ReviewsConfig(appconfig.ConnectingConfig):
    name = "attain.reviews"
    label = "reviews"
    verbose_name = _("Reviews")
    connects = ".notices"  # "a review is due" reminders through attain.notify
