"""The members page of a municipality, the invitation link, and everyone's API tokens page.
Thin: the rules are in services.py, the reads in selectors.py."""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kpis.models import Area
from plans import access
from plans.members import selectors, services
from plans.members.forms import InviteForm, RoleForm, TokenForm
from plans.members.models import ApiToken, Invitation
from plans.models import Membership


def _managed(request, slug) -> Area:
    municipality = get_object_or_404(Area, kind=Area.Kind.MUNICIPALITY, slug=slug)
    if not access.can_manage_members(request.user, municipality.pk):
        raise PermissionDenied
    return municipality


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
def members_index(request):
    """The municipalities whose members the user manages; straight to the page when one."""
    municipalities = list(selectors.managed_with_counts(request.user))
    if not municipalities:
        raise PermissionDenied
    if len(municipalities) == 1 and not request.user.is_superuser:
        return redirect("plans:members", municipalities[0].slug)
    return render(request, "members/members_index.html", {"municipalities": municipalities})


@login_required
def members(request, slug):
    municipality = _managed(request, slug)
    form = InviteForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.invitation_send(
                municipality=municipality, email=form.cleaned_data["email"],
                role=form.cleaned_data["role"], by=request.user, base_url=_base_url(request),
            )  # fmt: skip
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("An invitation has been sent to %(email)s.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("plans:members", municipality.slug)
    memberships = list(selectors.members_of(municipality))
    context = {
        "municipality": municipality,
        "form": form,
        "memberships": memberships,
        "role_choices": Membership.Role.choices,
        "invitations": selectors.open_invitations(municipality),
        "events": selectors.events_of(municipality),
        "first_administrator": not any(
            m.is_active and m.role == Membership.Role.ADMIN for m in memberships
        ),
    }
    status = 400 if form.is_bound else 200
    return render(request, "members/members.html", context, status=status)


@login_required
@require_POST
def member_change(request, slug, membership_id):
    """One member: a new role ("role"), or action=deactivate / reactivate."""
    municipality = _managed(request, slug)
    membership = get_object_or_404(
        Membership.objects.select_related("user", "municipality"),
        pk=membership_id, municipality=municipality,
    )  # fmt: skip
    action = request.POST.get("action", "role")
    name = membership.user.get_full_name() or membership.user.get_username()
    try:
        if action == "deactivate":
            services.member_deactivate(membership=membership, by=request.user)
            done = _("%(name)s is deactivated.")
        elif action == "reactivate":
            services.member_reactivate(membership=membership, by=request.user)
            done = _("%(name)s is active again.")
        else:
            form = RoleForm(request.POST)
            if not form.is_valid():
                raise ValidationError(services.ROLE_REFUSED)
            services.member_role_change(
                membership=membership, role=form.cleaned_data["role"], by=request.user
            )
            done = _("The role of %(name)s is changed.")
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, done % {"name": name})
    return redirect("plans:members", municipality.slug)


@login_required
@require_POST
def invitation_withdraw(request, slug, invitation_id):
    municipality = _managed(request, slug)
    invitation = get_object_or_404(Invitation, pk=invitation_id, municipality=municipality)
    services.invitation_withdraw(invitation=invitation, by=request.user)
    messages.success(
        request, _("The invitation of %(email)s is withdrawn.") % {"email": invitation.email}
    )
    return redirect("plans:members", municipality.slug)


def _welcome(request, invitation):
    messages.success(request, _("Welcome to %(name)s.") % {"name": invitation.municipality.name})


def invitation(request, token):
    """The link in the invitation's e-mail. A new address sets a password and is signed in; an
    address that already has a user signs in and accepts. A link that is unknown, used,
    withdrawn or expired gets one and the same page."""
    invitation = services.invitation_open(token)
    if invitation is None:
        return render(request, "members/invitation_invalid.html", status=404)
    existing = services.invitation_existing_user(invitation)
    context = {"invitation": invitation, "existing": existing}
    if existing is not None:
        signed_in_as_invitee = request.user.is_authenticated and request.user.pk == existing.pk
        context["signed_in_as_invitee"] = signed_in_as_invitee
        if request.method == "POST" and signed_in_as_invitee:
            services.invitation_accept(invitation=invitation, user=request.user)
            _welcome(request, invitation)
            return redirect("plans:start")
        context["login_url"] = reverse("login") + "?next=" + request.path
        return render(request, "members/invitation.html", context)
    # The user does not exist yet: the form checks the password against this address too.
    future = get_user_model()(username=invitation.email, email=invitation.email)
    form = SetPasswordForm(future, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        user = services.invitation_accept(
            invitation=invitation, password=form.cleaned_data["new_password1"]
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        _welcome(request, invitation)
        if invitation.role == Membership.Role.ADMIN:
            return redirect("plans:members", invitation.municipality.slug)
        return redirect("plans:start")
    context["form"] = form
    return render(request, "members/invitation.html", context, status=400 if form.is_bound else 200)


@login_required
def tokens(request):
    """The signed-in user's own API tokens: make one (its key is shown once), revoke one."""
    form = TokenForm(request.POST if request.method == "POST" else None)
    new_key = None
    if form.is_bound and form.is_valid():
        try:
            name = form.cleaned_data["name"]
            _token, new_key = services.token_create(user=request.user, name=name)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form = TokenForm()
    context = {"form": form, "new_key": new_key, "tokens": selectors.tokens_of(request.user)}
    status = 400 if form.is_bound and form.errors else 200
    response = render(request, "members/tokens.html", context, status=status)
    response["Cache-Control"] = "no-store"  # the page may hold a key
    return response


@login_required
@require_POST
def token_revoke(request, token_id):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)  # nobody else's
    services.token_revoke(token=token, by=request.user)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("plans:tokens")
