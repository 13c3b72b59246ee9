from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Plans and targets")

    def ready(self):
        from jobcenter.text import guard_text_fields

        guard_text_fields(self)  # no control or bidi characters in text (jobcenter/text.py)
        # kpis knows nothing of plans; plans listens for changed figures to refresh statuses.
        from kpis.signals import measurements_changed
        from plans.tasks import queue_status_refresh

        measurements_changed.connect(queue_status_refresh, dispatch_uid="plans.status_refresh")
