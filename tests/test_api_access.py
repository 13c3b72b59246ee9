"""Who may do what through the API: every route and method for every role, on a public and a
private municipality's objects. The table below is the rule; a route or method of plans/api/urls.py
without rows in it fails, and a refused write must leave the database as it was."""

from datetime import date

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, reverse
from rest_framework.test import APIClient

from kpis.models import Measurement
from plans import services
from plans.api.urls import urlpatterns as api_urlpatterns
from plans.models import (
    Committee,
    FocusArea,
    Guidepost,
    Initiative,
    Membership,
    Plan,
    StatusNarrative,
)
from tests.builders import make_indicator, make_target, record
from tests.fuzzing import database_state

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "committee", "analyst", "admin", "other admin", "superuser")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# Rows: route name, methods, objects ("-": the route has none), then the answer for each role:
# anonymous, a committee member, an analyst and an administrator of the private municipality
# (Ringsted), an administrator of the public one (Guldborgsund), a superuser.
# Objects: "shared" (the national area and its figure, a shared indicator), "public" (the public
# municipality, its approved plan with all it holds and its approved round), "public-open" (its
# round in progress), "private" (the private municipality, its approved plan, approved round,
# local indicator and figure), "private-open" (that plan's round in progress), "private-draft"
# (its draft plan with all it holds, and that plan's round in progress).
# For POST to a list the object is where the new row goes: the municipality, plan, focus area or
# round it belongs to. 404: must stay invisible. 400 on a write: refused as invalid, including a
# reference to something the user may not see (as if it did not exist).
# Anonymous writes answer 403, not 401: session authentication comes first and sends no
# WWW-Authenticate challenge.
TABLE = """
api-root            GET                     -                    200 200 200 200 200 200
api-root            POST,PUT,PATCH,DELETE   -                    403 405 405 405 405 405
api-schema          GET                     -                    200 200 200 200 200 200
api-docs            GET                     -                    200 200 200 200 200 200
api-schema          POST,PUT,PATCH,DELETE   -                    405 405 405 405 405 405
api-docs            POST,PUT,PATCH,DELETE   -                    405 405 405 405 405 405

area-list           GET                     -                    200 200 200 200 200 200
area-list           POST,PUT,PATCH,DELETE   -                    405 405 405 405 405 405
area-detail         GET                     shared,public        200 200 200 200 200 200
area-detail         GET                     private              404 200 200 200 404 200
area-detail         POST,PUT,PATCH,DELETE   shared,public,private 405 405 405 405 405 405
committee-list      GET                     -                    200 200 200 200 200 200
committee-list      POST,PUT,PATCH,DELETE   -                    405 405 405 405 405 405
committee-detail    GET                     public               200 200 200 200 200 200
committee-detail    GET                     private              404 200 200 200 404 200
committee-detail    POST,PUT,PATCH,DELETE   public,private       405 405 405 405 405 405

plan-list           GET                     -                    200 200 200 200 200 200
plan-list           POST                    public               403 403 403 403 201 201
plan-list           POST                    private              403 403 403 201 403 201
plan-list           PUT,PATCH,DELETE        -                    403 405 405 405 405 405
plan-detail         GET                     public               200 200 200 200 200 200
plan-detail         GET                     private              404 200 200 200 404 200
plan-detail         GET                     private-draft        404 404 200 200 404 200
plan-detail         PATCH                   public               403 403 403 403 200 200
plan-detail         PATCH                   private              403 403 403 200 404 200
plan-detail         PATCH                   private-draft        403 404 403 200 404 200
plan-detail         POST,PUT,DELETE         public,private,private-draft 403 405 405 405 405 405
plan-copy           POST                    public               403 403 403 403 201 201
plan-copy           POST                    private              403 403 403 201 404 201
plan-copy           POST                    private-draft        403 404 403 201 404 201
plan-copy           GET,PUT,PATCH,DELETE    public,private,private-draft 403 405 405 405 405 405

focusarea-list      GET                     -                    200 200 200 200 200 200
focusarea-list      POST                    public               403 403 403 403 201 201
focusarea-list      POST                    private              403 403 403 201 400 201
focusarea-list      POST                    private-draft        403 400 403 201 400 201
focusarea-list      PUT,PATCH,DELETE        -                    403 405 405 405 405 405
focusarea-detail    GET                     public               200 200 200 200 200 200
focusarea-detail    GET                     private              404 200 200 200 404 200
focusarea-detail    GET                     private-draft        404 404 200 200 404 200
focusarea-detail    PATCH                   public               403 403 403 403 200 200
focusarea-detail    PATCH                   private              403 403 403 200 404 200
focusarea-detail    PATCH                   private-draft        403 404 403 200 404 200
focusarea-detail    POST,PUT,DELETE         public,private,private-draft 403 405 405 405 405 405

guidepost-list      GET                     -                    200 200 200 200 200 200
guidepost-list      POST                    public               403 403 403 403 201 201
guidepost-list      POST                    private              403 403 403 201 400 201
guidepost-list      POST                    private-draft        403 400 403 201 400 201
guidepost-list      PUT,PATCH,DELETE        -                    403 405 405 405 405 405
guidepost-detail    GET                     public               200 200 200 200 200 200
guidepost-detail    GET                     private              404 200 200 200 404 200
guidepost-detail    GET                     private-draft        404 404 200 200 404 200
guidepost-detail    PATCH                   public               403 403 403 403 200 200
guidepost-detail    PATCH                   private              403 403 403 200 404 200
guidepost-detail    PATCH                   private-draft        403 404 403 200 404 200
guidepost-detail    POST,PUT,DELETE         public,private,private-draft 403 405 405 405 405 405

initiative-list     GET                     -                    200 200 200 200 200 200
initiative-list     POST                    public               403 403 403 403 201 201
initiative-list     POST                    private              403 403 403 201 400 201
initiative-list     POST                    private-draft        403 400 403 201 400 201
initiative-list     PUT,PATCH,DELETE        -                    403 405 405 405 405 405
initiative-detail   GET                     public               200 200 200 200 200 200
initiative-detail   GET                     private              404 200 200 200 404 200
initiative-detail   GET                     private-draft        404 404 200 200 404 200
initiative-detail   PATCH                   public               403 403 403 403 200 200
initiative-detail   PATCH                   private              403 403 403 200 404 200
initiative-detail   PATCH                   private-draft        403 404 403 200 404 200
initiative-detail   POST,PUT,DELETE         public,private,private-draft 403 405 405 405 405 405

indicator-list      GET                     -                    200 200 200 200 200 200
indicator-list      POST                    shared               403 403 403 403 403 201
indicator-list      POST                    private              403 403 403 201 403 201
indicator-list      PUT,PATCH,DELETE        -                    403 405 405 405 405 405
indicator-detail    GET                     shared               200 200 200 200 200 200
indicator-detail    GET                     private              404 200 200 200 404 200
indicator-detail    PATCH                   shared               403 403 403 403 403 200
indicator-detail    PATCH                   private              403 403 403 200 404 200
indicator-detail    POST,PUT,DELETE         shared,private       403 405 405 405 405 405

target-list         GET                     -                    200 200 200 200 200 200
target-list         POST                    public               403 403 403 403 201 201
target-list         POST                    private              403 403 403 201 400 201
target-list         POST                    private-draft        403 400 403 201 400 201
target-list         PUT,PATCH,DELETE        -                    403 405 405 405 405 405
target-detail       GET                     public               200 200 200 200 200 200
target-detail       GET                     private              404 200 200 200 404 200
target-detail       GET                     private-draft        404 404 200 200 404 200
target-detail       PATCH                   public               403 403 403 403 200 200
target-detail       PATCH                   private              403 403 403 200 404 200
target-detail       PATCH                   private-draft        403 404 403 200 404 200
target-detail       POST,PUT,DELETE         public,private,private-draft 403 405 405 405 405 405
target-revisions    GET                     public               200 200 200 200 200 200
target-revisions    GET                     private              404 200 200 200 404 200
target-revisions    GET                     private-draft        404 404 200 200 404 200
target-revisions    POST                    public               403 403 403 403 201 201
target-revisions    POST                    private              403 403 403 201 404 201
target-revisions    POST                    private-draft        403 404 403 201 404 201
target-revisions    PUT,PATCH,DELETE        public,private,private-draft 403 405 405 405 405 405

measurement-list    GET                     -                    200 200 200 200 200 200
measurement-list    POST,PUT,PATCH,DELETE   -                    405 405 405 405 405 405
measurement-detail  GET                     shared,public        200 200 200 200 200 200
measurement-detail  GET                     private              404 200 200 200 404 200
measurement-detail  POST,PUT,PATCH,DELETE   shared,public,private 405 405 405 405 405 405
measurement-bulk    POST                    shared               403 403 200 200 200 200
measurement-bulk    POST                    public               403 403 400 400 200 200
measurement-bulk    POST                    private              403 403 200 200 400 200
measurement-bulk    GET,PUT,PATCH,DELETE    -                    403 405 405 405 405 405

round-list          GET                     -                    200 200 200 200 200 200
round-list          POST                    public               403 403 403 403 201 201
round-list          POST                    private              403 403 201 201 400 201
round-list          POST                    private-draft        403 400 201 201 400 201
round-list          PUT,PATCH,DELETE        -                    403 405 405 405 405 405
round-detail        GET                     public               200 200 200 200 200 200
round-detail        GET                     public-open          404 404 404 404 200 200
round-detail        GET                     private              404 200 200 200 404 200
round-detail        GET                     private-open,private-draft 404 404 200 200 404 200
round-detail        POST,PUT,PATCH,DELETE   public,public-open,private,private-open,private-draft 403 405 405 405 405 405
round-submit        POST                    public               403 403 403 403 400 400
round-submit        POST                    public-open          403 404 404 404 200 200
round-submit        POST                    private              403 403 400 400 404 400
round-submit        POST                    private-open,private-draft 403 404 200 200 404 200
round-submit        GET,PUT,PATCH,DELETE    public,public-open,private,private-open,private-draft 403 405 405 405 405 405
round-approve       POST                    public               403 403 403 403 400 400
round-approve       POST                    public-open          403 404 404 404 200 200
round-approve       POST                    private              403 403 403 400 404 400
round-approve       POST                    private-open,private-draft 403 404 403 200 404 200
round-approve       GET,PUT,PATCH,DELETE    public,public-open,private,private-open,private-draft 403 405 405 405 405 405

narrative-list      GET                     -                    200 200 200 200 200 200
narrative-list      POST                    public               403 403 403 403 400 400
narrative-list      POST                    public-open          403 400 400 400 201 201
narrative-list      POST                    private              403 403 400 400 400 400
narrative-list      POST                    private-open,private-draft 403 400 201 201 400 201
narrative-list      PUT,PATCH,DELETE        -                    403 405 405 405 405 405
narrative-detail    GET                     public               200 200 200 200 200 200
narrative-detail    GET                     public-open          404 404 404 404 200 200
narrative-detail    GET                     private              404 200 200 200 404 200
narrative-detail    GET                     private-open,private-draft 404 404 200 200 404 200
narrative-detail    PUT,PATCH               public               403 403 403 403 400 400
narrative-detail    PUT,PATCH               public-open          403 404 404 404 200 200
narrative-detail    PUT,PATCH               private              403 403 400 400 404 400
narrative-detail    PUT,PATCH               private-open,private-draft 403 404 200 200 404 200
narrative-detail    POST,DELETE             public,public-open,private,private-open,private-draft 403 405 405 405 405 405

membership-list     GET                     -                    200 200 200 200 200 200
membership-list     POST                    public               403 403 403 403 201 201
membership-list     POST                    private              403 403 403 201 403 201
membership-list     PUT,PATCH,DELETE        -                    403 405 405 405 405 405
membership-detail   GET                     public               404 404 404 404 200 200
membership-detail   GET                     private              404 404 404 200 404 200
membership-detail   PATCH                   public               403 404 404 404 200 200
membership-detail   PATCH                   private              403 404 404 200 404 200
membership-detail   POST,PUT,DELETE         public,private       403 405 405 405 405 405
membership-deactivate POST                  public               403 404 404 404 200 200
membership-deactivate POST                  private              403 404 404 200 404 200
membership-deactivate GET,PUT,PATCH,DELETE  public,private       403 405 405 405 405 405
"""  # noqa: E501


def parse_table(text):
    """{(route, method, object): {role: status}}."""
    table = {}
    for line in text.strip().splitlines():
        if not line.strip():
            continue
        route, methods, objects, *codes = line.split()
        assert len(codes) == len(ROLES), line
        for method in methods.split(","):
            for obj in objects.split(","):
                key = (route, method, obj)
                assert key not in table, f"{key} is in the table twice"
                table[key] = dict(zip(ROLES, map(int, codes), strict=True))
    return table


EXPECTED = parse_table(TABLE)


def api_routes(patterns=api_urlpatterns):
    """Every named route of the API, from the URL patterns themselves (the router's included)."""
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names |= api_routes(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(pattern.name)
    return names


# -- the world ------------------------------------------------------------------------------


def make_side(municipality, key, approval, indicator):
    """A plan with a focus area (a guidepost, an initiative), a target, and two rounds: one
    approved, one in progress, each with a narrative. Returns the objects by kind."""
    plan = services.plan_create(
        municipality=municipality, key=key, title=f"Plan {key}", kind="employment_plan",
        start_year=2023, end_year=2023, approval_state=approval,
    )  # fmt: skip
    theme = services.focus_area_create(
        plan=plan, key=f"{key}-tema", title="Tema", order=0, guideposts=["Pejlemærke"],
        initiatives=[{"title": "Indsats"}],
    )  # fmt: skip
    target = make_target(plan, indicator, key=f"{key}-maal", focus_areas=[theme])
    open_round = services.round_create(plan=plan, name="Status maj", cut_off=date(2023, 5, 31))
    services.narrative_write(target=target, reporting_round=open_round, text="I gang")
    objects = {
        "plan": plan, "focusarea": theme, "target": target,
        "guidepost": Guidepost.objects.get(focus_area=theme),
        "initiative": Initiative.objects.get(focus_area=theme),
        "round open": open_round,
        "narrative open": StatusNarrative.objects.get(round=open_round),
    }  # fmt: skip
    if approval == Plan.Approval.APPROVED:
        approved = services.round_create(plan=plan, name="Afrapportering", cut_off=date(2024, 3, 1))
        services.narrative_write(target=target, reporting_round=approved, text="Opfyldt")
        services.round_approve(reporting_round=approved)
        objects["round"] = approved
        objects["narrative"] = StatusNarrative.objects.get(round=approved)
    return objects


@pytest.fixture
def world(country, public_guldborgsund, ringsted, unge, member, admin_user):
    public, private, shared = public_guldborgsund, ringsted, unge
    local = make_indicator("ringsted-lokal")
    local.owner = private
    local.save()
    sides = {
        "public": make_side(public, "g", Plan.Approval.APPROVED, shared),
        "private": make_side(private, "r", Plan.Approval.APPROVED, local),
        "private-draft": make_side(private, "rd", Plan.Approval.DRAFT, local),
    }
    objects = {}
    for side, municipality in (("public", public), ("private", private)):
        record(shared, municipality, "2023", "969")
        objects[side] = {
            **sides[side],
            "area": municipality,
            "committee": Committee.objects.create(municipality=municipality, name="Udvalget"),
            "measurement": Measurement.objects.get(area=municipality),
        }
        # a committee member of each: the administrators' memberships to manage
        objects[side]["membership"] = Membership.objects.get(
            user=member(municipality, Membership.Role.COMMITTEE, username=f"udvalg-{side}")
        )
        objects[f"{side}-open"] = {
            "round": sides[side]["round open"], "narrative": sides[side]["narrative open"]
        }  # fmt: skip
    objects["private"]["indicator"] = local
    objects["private-draft"] = {
        **sides["private-draft"],
        "round": sides["private-draft"]["round open"],
        "narrative": sides["private-draft"]["narrative open"],
    }
    record(shared, country, "2023", "35.000")
    objects["shared"] = {
        "area": country, "indicator": shared, "measurement": Measurement.objects.get(area=country)
    }  # fmt: skip
    personas = {
        "anonymous": None,
        "committee": member(private, Membership.Role.COMMITTEE),
        "analyst": member(private, Membership.Role.ANALYST),
        "admin": member(private, Membership.Role.ADMIN),
        "other admin": member(public, Membership.Role.ADMIN),
        "superuser": admin_user,
    }
    return objects, personas


# -- what is sent ---------------------------------------------------------------------------


def create_body(basename, objects, where):
    """A valid new row of this kind, placed in the object `where` names."""
    o = objects[where]
    return {
        "plan": lambda: {"municipality": o["area"].slug, "title": "Ny plan",
                         "kind": "employment_plan", "start_year": 2024, "end_year": 2024},
        "focusarea": lambda: {"plan": o["plan"].key, "title": "Nyt tema", "order": 3},
        "guidepost": lambda: {"focus_area": o["focusarea"].pk, "text": "Nyt pejlemærke"},
        "initiative": lambda: {"focus_area": o["focusarea"].pk, "title": "Ny indsats",
                               "body": "", "key_facts": ["16 partnerskaber"]},
        "indicator": lambda: {"name": "Ny indikator", "unit": "count", "direction": "lower",
                              "owner": o["area"].slug if where == "private" else None},
        "target": lambda: {"plan": o["plan"].key, "title": "Nyt mål", "wording": "Maksimalt 10",
                           "indicator": "unge", "kind": "threshold", "bound": "at_most",
                           "target_value": "10", "deadline": "2023-12-31"},
        "measurement": lambda: [{"indicator": "unge", "area": o["area"].slug,
                                 "period": "2023M01", "value": "12"}],
        "narrative": lambda: {"target": o["narrative"].target_id, "round": o["round"].pk,
                              "text": "Ny status"},
        "membership": lambda: {"email": "ny@example.dk", "role": "analyst",
                               "municipality": o["area"].slug},
        "round": lambda: {"plan": o["plan"].key, "name": "Ny runde", "cut_off": "2023-09-30",
                          "deadline": "2023-10-15"},
    }[basename]()  # fmt: skip


CHANGE = {
    "plan": {"summary": "Ændret"}, "focusarea": {"intro": "Ændret"},
    "guidepost": {"text": "Ændret"}, "initiative": {"body": "Ændret"},
    "indicator": {"description": "Ændret"}, "target": {"wording": "Maksimalt 11"},
    "narrative": {"text": "Ændret status"}, "membership": {"role": "analyst"},
}  # fmt: skip


def request_for(route, method, where, objects):
    """(url, body) of one row of the table."""
    basename, _dash, kind = route.rpartition("-")
    if basename == "api" or route == "api-root":
        return reverse(route), {}
    if kind == "list":
        body = create_body(basename, objects, where) if where != "-" else {}
        return reverse(route), body
    if kind == "copy":  # next year's plan from this one
        body = {"title": "Næste plan", "start_year": 2024, "end_year": 2024}
        return reverse(route, args=[objects[where]["plan"].key]), body
    if kind == "revisions":  # "Justér måltallet" (the targets are "Maksimalt 1.075")
        body = {"effective": "2023-06-01", "target_value": "1000", "reason": "Justeret"}
        return reverse(route, args=[objects[where]["target"].key]), body
    if kind == "bulk":
        body = create_body("measurement", objects, where) if where != "-" else []
        return reverse(route), body
    instance = objects[where][basename]
    lookup = instance.key if basename in {"plan", "indicator", "target"} else instance.pk
    return reverse(route, args=[lookup]), CHANGE.get(basename, {})


def client_for(user):
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def send(client, method, url, body):
    """The request in a transaction rolled back afterwards, so each row meets the same world.
    Returns the status and whether the database changed."""
    with transaction.atomic():
        before = database_state() if method != "GET" else None
        response = getattr(client, method.lower())(url, body, format="json")
        changed = method != "GET" and database_state() != before
        transaction.set_rollback(True)
    return response, changed


# -- the tests ------------------------------------------------------------------------------


def test_every_api_route_and_method_is_in_the_table(world):
    objects, _personas = world
    routes = api_routes()
    assert routes == {route for route, _m, _o in EXPECTED}, "a route without rows, or a stale one"
    for route in routes:
        rows = {(m, o) for r, m, o in EXPECTED if r == route}
        assert {m for m, _o in rows} == set(METHODS), f"{route}: a method without a row"
        basename = route.rpartition("-")[0]
        kinds = {o for _m, o in rows} - {"-"}
        for method in METHODS:
            per_method = {o for m, o in rows if m == method}
            if route.endswith(("-detail", "-submit", "-approve")):
                # every object of that kind the world holds, for every method
                holders = {w for w, held in objects.items() if basename in held}
                assert per_method == holders, f"{route} {method}: {per_method} != {holders}"
        assert kinds <= set(objects), f"{route}: unknown objects {kinds - set(objects)}"


@pytest.mark.parametrize("role", ROLES)
def test_every_route_and_method_for_every_role(world, role):
    objects, personas = world
    client = client_for(personas[role])
    failures = []
    for (route, method, where), expected in EXPECTED.items():
        url, body = request_for(route, method, where, objects)
        response, changed = send(client, method, url, body)
        got = response.status_code
        label = f"{role}: {method} {route} ({where}) {url}"
        if got != expected[role]:
            detail = response.content[:200].decode(errors="replace")
            failures.append(f"{label} gave {got}, not {expected[role]}: {detail}")
        elif got >= 400 and changed:
            failures.append(f"{label} was refused with {got} but changed the database")
        elif method != "GET" and got < 300 and not changed:
            failures.append(f"{label} answered {got} but changed nothing")
    assert not failures, "\n".join(failures)


LISTED = ["area", "committee", "plan", "focusarea", "guidepost", "initiative", "indicator",
          "target", "measurement", "round", "narrative", "membership"]  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_lists_hold_exactly_what_the_details_show(world, role):
    """A list shows each of the world's objects if and only if its detail answers 200."""
    objects, personas = world
    client = client_for(personas[role])
    failures = []
    for basename in LISTED:
        listed = client.get(reverse(f"{basename}-list"), {"page_size": 1000}).json()["results"]
        ids = {row["id"] for row in listed}
        for where, held in objects.items():
            if basename not in held:
                continue
            visible = EXPECTED[(f"{basename}-detail", "GET", where)][role] == 200
            if (held[basename].pk in ids) != visible:
                failures.append(f"{role}: {basename} ({where}) listed: {not visible}")
    assert not failures, "\n".join(failures)


def test_a_refused_write_names_no_hidden_object(world):
    """Another municipality's administrator posting into a draft plan is answered as if the
    plan did not exist: the same 400 as for a key nobody has."""
    objects, personas = world
    client = client_for(personas["other admin"])
    body = create_body("focusarea", objects, "private-draft")
    hidden, _changed = send(client, "POST", reverse("focusarea-list"), body)
    missing, _changed = send(client, "POST", reverse("focusarea-list"), {**body, "plan": "nope"})
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["error"]["details"].keys() == missing.json()["error"]["details"].keys()
    assert not FocusArea.objects.filter(title="Nyt tema").exists()


@pytest.mark.parametrize(
    "route, field, kind",
    [
        ("/api/focus-areas/", "plan", "plan"),
        ("/api/guideposts/", "focus_area", "focusarea"),
        ("/api/initiatives/", "focus_area", "focusarea"),
        ("/api/narratives/", "target", "target"),
        ("/api/targets/", "plan", "plan"),
        ("/api/targets/", "focus_area", "focusarea"),
        ("/api/rounds/", "plan", "plan"),
    ],
)
@pytest.mark.parametrize("by", ["key", "id"])
def test_a_filter_on_a_hidden_row_answers_like_an_unknown_one(
    client, world, route, field, kind, by
):
    """Filters take the key, as bodies and answers name the row (a number is still read as its
    id). Filtering by a row one may not see (another municipality's draft) must not tell that
    it exists: the same empty list as for a key nobody has."""
    objects, personas = world
    client.force_login(personas["other admin"])

    def named(row):
        return row.key if by == "key" else row.pk

    unknown = client.get(route, {field: "nobody-has-this" if by == "key" else 999_999})
    hidden = client.get(route, {field: named(objects["private-draft"][kind])})
    mine = client.get(route, {field: named(objects["public"][kind])})
    assert unknown.status_code == hidden.status_code == 200
    assert unknown.json()["count"] == hidden.json()["count"] == 0
    assert mine.status_code == 200 and mine.json()["count"] >= 1


def test_a_round_filter_on_a_hidden_round_answers_like_an_unknown_one(client, world):
    """A round has no key: the filter takes its id, and refuses a hidden one as unknown."""
    objects, personas = world
    client.force_login(personas["other admin"])
    unknown = client.get("/api/narratives/", {"round": 999_999})
    hidden = client.get("/api/narratives/", {"round": objects["private-draft"]["round"].pk})
    mine = client.get("/api/narratives/", {"round": objects["public"]["round"].pk})
    assert unknown.status_code == hidden.status_code == 400
    assert mine.status_code == 200 and mine.json()["count"] >= 1
