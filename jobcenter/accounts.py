"""Password reset by e-mail, the way out of a login lockout (django-axes)."""

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import views as auth_views


def client_ip(request) -> str:
    """The client's address for login throttling. With TRUSTED_PROXY_COUNT proxies in front,
    each appending to X-Forwarded-For, the address the outermost one saw is the
    TRUSTED_PROXY_COUNT-th from the end; anything before it the client may have written
    itself. Without proxies the header is ignored: REMOTE_ADDR is the client."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    return forwarded[-count] if len(forwarded) >= count else remote


class PasswordResetUnlocksView(auth_views.PasswordResetConfirmView):
    """Django's confirmation of a new password, which also clears the user name's failed
    logins: whoever can read the user's e-mail may log in again at once."""

    def form_valid(self, form):
        response = super().form_valid(form)
        axes_reset(username=form.user.get_username())
        return response
