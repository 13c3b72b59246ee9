from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = _("Figures")

    def ready(self):
        from jobcenter.text import guard_text_fields

        guard_text_fields(self)  # no control or bidi characters in text (jobcenter/text.py)
