"""Who may see and change what. Every page, export and (later) API query starts from these
permission-scoped querysets, so one municipality never sees another's drafts by accident.

- Anyone may read the approved plans of a municipality whose dashboards are public.
- A committee member reads their municipality's plans that are not drafts, and its approved
  reporting rounds.
- An analyst also reads drafts and rounds in progress, and changes figures and narratives of
  the municipalities they are assigned to.
- An administrator of a municipality also changes its plans, indicators and targets.
- A superuser does everything everywhere.

Whose figures they are (a municipality's, or jobindsats.dk's for an indicator bound to it) is
kpis.ownership's rule, asked here with the user's municipalities (figure_write_problem).
"""

from django.db.models import Q, QuerySet

from kpis import ownership
from kpis.models import Area, Indicator
from plans.models import FocusArea, Membership, Plan, ReportingRound, Target

READERS = {Membership.Role.COMMITTEE, Membership.Role.ANALYST, Membership.Role.ADMIN}
EDITORS = {Membership.Role.ANALYST, Membership.Role.ADMIN}


def roles(user) -> dict[int, str]:
    """The user's role per municipality id, read once per request. A deactivated membership
    gives none (plans.members.services.member_deactivate)."""
    if not user.is_authenticated:
        return {}
    if not hasattr(user, "_municipality_roles"):
        user._municipality_roles = dict(
            Membership.objects.filter(user=user, is_active=True).values_list(
                "municipality_id", "role"
            )
        )
    return user._municipality_roles


def _where(user, allowed_roles) -> list[int]:
    return [area_id for area_id, role in roles(user).items() if role in allowed_roles]


def visible_plans(user) -> QuerySet[Plan]:
    if user.is_superuser:
        return Plan.objects.all()
    public = Q(approval_state=Plan.Approval.APPROVED, municipality__public_dashboards=True)
    members = Q(municipality__in=_where(user, READERS)) & ~Q(approval_state=Plan.Approval.DRAFT)
    editors = Q(municipality__in=_where(user, EDITORS))
    return Plan.objects.filter(public | members | editors)


def visible_rounds(user) -> QuerySet[ReportingRound]:
    """Approved rounds of the plans a user sees; rounds in progress only for their editors."""
    rounds = ReportingRound.objects.filter(plan__in=visible_plans(user))
    if user.is_superuser:
        return rounds
    approved = Q(state=ReportingRound.State.APPROVED)
    return rounds.filter(approved | Q(plan__municipality__in=_where(user, EDITORS)))


def visible_areas(user) -> QuerySet[Area]:
    """Areas whose figures the user may read: every comparison area (national and regional
    figures are public statistics), public municipalities and the user's own."""
    if user.is_superuser:
        return Area.objects.all()
    return Area.objects.filter(
        ~Q(kind=Area.Kind.MUNICIPALITY)
        | Q(public_dashboards=True)
        | Q(pk__in=_where(user, READERS))
    )


def visible_indicators(user) -> QuerySet[Indicator]:
    """Shared indicators and the local ones of the municipalities the user may read."""
    return Indicator.objects.filter(Q(owner__isnull=True) | Q(owner__in=visible_areas(user)))


def visible_focus_areas(user) -> QuerySet[FocusArea]:
    return FocusArea.objects.filter(plan__in=visible_plans(user))


def visible_targets(user) -> QuerySet[Target]:
    return Target.objects.filter(plan__in=visible_plans(user))


def figure_municipalities(user) -> set[int] | None:
    """The municipalities whose figures the user may load or type; None: all of them (a
    superuser). Which other areas' figures they may write is figure_write_problem's."""
    if user.is_superuser:
        return None
    return set(_where(user, EDITORS))


def loadable_indicators(user) -> QuerySet[Indicator]:
    """The indicators whose figures the user may load or type: the shared ones and the local
    ones of the municipalities they edit. Another municipality's local indicator is, to them,
    unknown (even where its dashboards are public), so a write never tells it apart from a
    key that does not exist."""
    editable = figure_municipalities(user)
    if editable is None:
        return Indicator.objects.all()
    return Indicator.objects.filter(Q(owner__isnull=True) | Q(owner__in=editable))


def import_indicators(user) -> QuerySet[Indicator]:
    """The indicators the import page offers for a jobindsats.dk export: of those the user may
    load, the ones their municipalities follow in a plan or own, and the catalogue's (bound
    to a jobindsats.dk table); not every indicator another municipality defined for its own
    plan. A file naming any loadable indicator by key is still read."""
    loadable = loadable_indicators(user)
    editable = figure_municipalities(user)
    if editable is None:
        return loadable
    return loadable.filter(
        Q(targets__plan__municipality__in=editable)
        | Q(owner__in=editable)
        | Q(source__isnull=False)
    ).distinct()


def figure_write_problem(user, indicator, area) -> str | None:
    """Why this user may not write this indicator's figure for this area, in Danish, naming
    who owns it; None if they may. The rule is kpis.ownership's; the importer, which runs
    without the user, asks it with the upload's municipalities."""
    return ownership.figure_problem(
        editable=figure_municipalities(user),
        indicator=indicator,
        area=area,
        table_id=ownership.source_table_id(indicator),
    )


def figures_refused(user, pairs) -> bool:
    """Whether any of these (indicator id, area id) figures is not the user's to write."""
    if figure_municipalities(user) is None:
        return False
    pairs = set(pairs)
    indicators = Indicator.objects.select_related("source__table").in_bulk({i for i, _a in pairs})
    areas = Area.objects.in_bulk({a for _i, a in pairs})
    return any(figure_write_problem(user, indicators[i], areas[a]) is not None for i, a in pairs)


def can_edit_figures(user, municipality_id: int) -> bool:
    return user.is_superuser or roles(user).get(municipality_id) in EDITORS


def can_edit_definitions(user, municipality_id: int) -> bool:
    return user.is_superuser or roles(user).get(municipality_id) == Membership.Role.ADMIN


def can_manage_members(user, municipality_id: int) -> bool:
    """A municipality's members page and /api/memberships/: its administrators, superusers."""
    return can_edit_definitions(user, municipality_id)


def managed_municipalities(user) -> QuerySet[Area]:
    """The municipalities whose members the user manages."""
    municipalities = Area.objects.filter(kind=Area.Kind.MUNICIPALITY)
    if user.is_superuser:
        return municipalities
    return municipalities.filter(pk__in=_where(user, {Membership.Role.ADMIN}))


def can_see_sources(user) -> bool:
    """The jobindsats.dk tables page: superusers, and administrators of a municipality, who
    want to know where their figures come from and when they were fetched."""
    return user.is_superuser or Membership.Role.ADMIN in set(roles(user).values())
