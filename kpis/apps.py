from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = _("Figures")

    def ready(self):
        from jobcenter.text import guard_text_fields

        guard_text_fields(self)  # no control or bidi characters in text (jobcenter/text.py)
        # Arrow (the import's CSV reader and writer) allocates through the C library, like
        # numpy and Python: its own pool kept what an import freed for itself, and the next
        # step's arrays took fresh memory (the import's peak 480 MB with it, 425 MB without).
        import pyarrow

        pyarrow.set_memory_pool(pyarrow.system_memory_pool())
