from django.dispatch import Signal

# Sent by kpis.services inside the transaction that changed figures, with series: the
# (indicator_id, area_id) pairs whose figures were created, revised or deleted. Pairs rather than
# measurement ids, so that a deleted figure still tells what it touched. Receivers defer their
# work to commit.
measurements_changed = Signal()
