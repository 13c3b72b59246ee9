from django.dispatch import Signal

# Sent by plans.services once a transaction that changed target definitions has committed,
# with target_ids. plans.tasks listens and queues the status refresh, so the services, which
# the tasks call, do not import the tasks (no import cycle).
targets_changed = Signal()
