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
        from plans.signals import targets_changed
        from plans.tasks import queue_status_refresh, queue_target_refresh

        measurements_changed.connect(queue_status_refresh, dispatch_uid="plans.status_refresh")
        targets_changed.connect(queue_target_refresh, dispatch_uid="plans.target_refresh")
        # The drawn cards are keyed by their data, not by the template or the catalogue that
        # drew them: runserver reloads those without a new process, so they empty the cache.
        from django.utils.autoreload import file_changed

        file_changed.connect(_forget_drawn_cards, dispatch_uid="plans.forget_drawn_cards")


def _forget_drawn_cards(sender, file_path, **kwargs):
    from django.core.cache import caches

    from plans.presenters.cards import CARD_CACHE

    caches[CARD_CACHE].clear()
