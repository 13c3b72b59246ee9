"""Django's JSON serialization with timestamps to the microsecond, for backups.

Django's DjangoJSONEncoder cuts times to milliseconds; a restored figure would then carry
another updated_at than it had, and the figures grid compares updated_at to tell whether
someone else changed a figure. Registered as the "exactjson" format (SERIALIZATION_MODULES).
"""

import datetime

from django.core.serializers import json
from django.core.serializers.json import DjangoJSONEncoder


class ExactEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()  # every digit, and the offset as it is
        return super().default(o)


class Serializer(json.Serializer):
    def _init_options(self):
        self.options.setdefault("cls", ExactEncoder)
        super()._init_options()


Deserializer = json.Deserializer
