"""The application's refusals: one error type for what a service will not do, with the user's
message (translated), a code for clients and what the API answers with.

It lives in the project package, beside jobcenter/text.py, because both apps raise refusals
and kpis must not import plans. Pages turn an uncaught Refusal into a message on the page the
request came from (RefusalMiddleware, below); the API into its error body
(plans.api.views.error_handler). A view catches a refusal itself only to show more than the
message (the figures grid marks the conflicting cells).
"""

from django.contrib import messages
from django.shortcuts import redirect


class Refusal(Exception):
    """Nothing was changed, and the message says why."""

    code = "refused"
    status = 400  # what the API answers with

    def __init__(self, message="", *, details=None):
        super().__init__(message)
        self.message = message
        self.details = details if details is not None else {}

    def __str__(self):
        return str(self.message)


class RefusalMiddleware:
    """A refusal a page did not handle becomes an error message on the page the request came
    from (a refused POST shows its page again with the message, as a PRG redirect)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, Refusal) or request.path.startswith("/api/"):
            return None
        messages.error(request, str(exception))
        return redirect(request.get_full_path())
