from django.dispatch import Signal

# Sent by kpis.services inside the transaction that changed the figures, with
# measurement_ids: the measurements created or revised. Receivers defer their work to commit.
measurements_changed = Signal()
