"""Generated bad input for the portal's forms (hypothesis): numbers in other formats, empty
required fields, huge strings, years out of range, wrong kinds. A refused form answers with
the error shown and what the user typed still in the form; nothing changes; never a 500."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st

from kpis.models import Area, Indicator
from plans import services
from plans.models import Membership
from tests.builders import make_country, make_indicator, make_municipality, make_plan, make_target
from tests.fuzzing import FUZZ, database_state, rolled_back

pytestmark = pytest.mark.django_db

LETTERS = "abcdefghijklmnopqrstuvwxyzæøåABC ÆØÅ"
# Not numbers in Danish: English decimals and grouping, exponents, words.
BAD_NUMBERS = st.one_of(
    st.sampled_from(["58.8", "1,075.5", "1e3", "1.0750", "--5", "12,5,3", "1.07.5", "½"]),
    st.text(alphabet="abcxyzæøå", min_size=1, max_size=10),
)
HUGE = st.text(alphabet=LETTERS, min_size=301, max_size=400).filter(lambda t: t.strip())
BAD_YEARS = st.sampled_from(["1800", "99999", "-1", "abc", "2023.5", "0", "3000"])
BAD_DATES = st.sampled_from(["2023-13-01", "31-12-2023", "abc", "99999-01-01", "2023-02-30"])
BAD_PERIODS = st.sampled_from(["2023M13", "0000", "1800", "abc", "5.kv.22", "2023M11-2022M11"])
WRONG_CHOICE = st.sampled_from(["unknown", "999999", "-1", "<script>"])


@pytest.fixture
def admin(client, member):
    """Guldborgsund's administrator, logged in, with a plan, a focus area, a target and a
    round in progress."""
    guldborgsund = make_municipality()
    make_country()
    plan = make_plan(guldborgsund)
    theme = services.focus_area_create(plan=plan, key="tema", title="Tema", order=0)
    indicator = make_indicator("unge")
    target = make_target(plan, indicator, key="unge-maal", focus_areas=[theme])
    reporting_round = services.round_create(plan=plan, name="Status", cut_off=date(2023, 5, 31))
    client.force_login(member(guldborgsund, Membership.Role.ADMIN))
    return {"plan": plan, "theme": theme, "indicator": indicator, "target": target,
            "round": reporting_round, "municipality": guldborgsund}  # fmt: skip


def refused(client, url, data, *, typed, status=200):
    """Post data; the answer shows an error, keeps what was typed, and nothing changed."""
    before = database_state()
    response = client.post(url, data)
    assert response.status_code == status, (response.status_code, response.get("Location"))
    page = response.content.decode()
    assert 'form-errors"' in page or 'field-error"' in page  # class lists end with them
    for value in typed:
        assert escape(value) in page, f"{value!r} is not kept in the form"
    assert database_state() == before, "a refused form changed the database"


def target_data(world, **changes):
    data = {
        "kind": "threshold", "title": "Unge", "code": "", "wording": "Maksimalt 1.075",
        "indicator": world["indicator"].pk, "focus_areas": [world["theme"].pk],
        "deadline": "2023-12-31", "measure_from": "", "period_kind": "month", "bound": "at_most",
        "target_value": "1.075", "tolerance": "0", "baseline_value": "", "baseline_period": "",
        "source": "", "margin": "", "change_amount": "", "gap_reduction": "",
        "comparison_area": "", "milestone_state": "", "action": "save",
    }  # fmt: skip
    data.update(changes)
    return data


# Each generated change: (field, value, kept): kept says the typed text must be shown again
# (a choice that does not exist cannot be shown as chosen).
TARGET_CHANGES = st.one_of(
    st.tuples(st.sampled_from(["target_value", "tolerance", "baseline_value"]), BAD_NUMBERS,
              st.just(True)),
    st.tuples(st.just("title"), st.one_of(st.just(""), HUGE), st.just(True)),
    st.tuples(st.sampled_from(["deadline", "measure_from"]), BAD_DATES, st.just(True)),
    st.tuples(st.just("baseline_period"), BAD_PERIODS, st.just(True)),
    st.tuples(st.sampled_from(["kind", "indicator", "bound", "period_kind"]), WRONG_CHOICE,
              st.just(False)),
)  # fmt: skip


@FUZZ
@given(changes=st.lists(TARGET_CHANGES, min_size=1, max_size=3, unique_by=lambda c: c[0]),
       action=st.sampled_from(["save", "preview"]))  # fmt: skip
def test_the_target_form_refuses_bad_input_and_keeps_it(client, admin, changes, action):
    for url in (reverse("plans:target_new", args=[admin["plan"].key]),
                reverse("plans:target_edit", args=[admin["plan"].key, "unge-maal"])):  # fmt: skip
        data = target_data(admin, action=action, **{f: v for f, v, _kept in changes})
        typed = [v for _f, v, kept in changes if kept and v.strip()]
        with rolled_back():
            refused(client, url, data, typed=typed)


PLAN_CHANGES = st.one_of(
    st.tuples(st.sampled_from(["start_year", "end_year"]), BAD_YEARS, st.just(True)),
    st.tuples(st.just("title"), st.one_of(st.just(""), HUGE), st.just(True)),
    st.tuples(st.just("approved_on"), BAD_DATES, st.just(True)),
    st.tuples(st.sampled_from(["kind", "approval_state", "committee"]), WRONG_CHOICE,
              st.just(False)),
)  # fmt: skip


@FUZZ
@given(changes=st.lists(PLAN_CHANGES, min_size=1, max_size=3, unique_by=lambda c: c[0]))
def test_the_plan_form_refuses_bad_input_and_keeps_it(client, admin, changes):
    data = {"title": "Beskæftigelsesplan", "kind": "employment_plan", "committee": "",
            "start_year": "2024", "end_year": "2024", "approval_state": "draft",
            "approved_on": "", "approved_by": "", "summary": ""}  # fmt: skip
    data.update({f: v for f, v, _kept in changes})
    typed = [v for _f, v, kept in changes if kept and v.strip()]
    new = reverse("plans:plan_new") + f"?municipality={admin['municipality'].pk}"
    for url in (new, reverse("plans:plan_edit", args=[admin["plan"].key])):
        with rolled_back():
            refused(client, url, data, typed=typed)


@FUZZ
@given(
    field=st.sampled_from(["title", "order", "number", "guidepost", "initiative"]),
    bad=st.one_of(HUGE, st.sampled_from(["", "abc", "-1", "1,5"])),
)
def test_the_focus_area_form_refuses_bad_input_and_keeps_it(client, admin, field, bad):
    data = {"title": "Tema", "number": "1", "intro": "", "order": "0",
            "guideposts-TOTAL_FORMS": "1", "guideposts-INITIAL_FORMS": "0",
            "guideposts-0-text": "Pejlemærke", "guideposts-0-order": "0",
            "initiatives-TOTAL_FORMS": "1", "initiatives-INITIAL_FORMS": "0",
            "initiatives-0-title": "Indsats", "initiatives-0-body": "",
            "initiatives-0-key_facts": "", "initiatives-0-order": "0"}  # fmt: skip
    # What each field refuses: an empty or huge title, an order that is not a small whole
    # number, a number over ten characters, a guidepost's order, a huge initiative title.
    name = {"guidepost": "guideposts-0-order", "initiative": "initiatives-0-title"}.get(
        field, field
    )
    if field == "initiative" or field == "title" and bad.strip():
        # longer than a title may be, also once the form strips the spaces at the ends
        bad = ((bad.replace(" ", "x") or "x") * 301)[:301]
    if field == "number":
        # longer than a number may be, also once the form strips the spaces at the ends
        bad = ((bad.replace(" ", "x") or "x") * 11)[:11]
    if field in ("order", "guidepost") and bad in ("",):
        bad = "abc"
    data[name] = bad
    for url in (reverse("plans:theme_new", args=[admin["plan"].key]),
                reverse("plans:theme_edit", args=[admin["plan"].key, "tema"])):  # fmt: skip
        with rolled_back():
            refused(client, url, data, typed=[bad] if bad.strip() else [])


INDICATOR_CHANGES = st.one_of(
    st.tuples(st.just("name"), st.one_of(st.just(""), HUGE), st.just(True)),
    st.tuples(
        st.just("decimals"), st.sampled_from(["abc", "-1", "1,5", "7", "99999"]), st.just(True)
    ),
    st.tuples(st.sampled_from(["unit", "direction", "owner"]), WRONG_CHOICE, st.just(False)),
)


@FUZZ
@given(changes=st.lists(INDICATOR_CHANGES, min_size=1, max_size=3, unique_by=lambda c: c[0]))
def test_the_indicator_form_refuses_bad_input_and_keeps_it(client, admin, changes):
    owner = admin["municipality"]
    local = Indicator.objects.get_or_create(key="lokal", name="Lokal", unit="count", owner=owner)[0]
    data = {"name": "Ny indikator", "description": "", "unit": "count", "decimals": "0",
            "direction": "lower", "data_source": "", "owner": owner.pk}  # fmt: skip
    data.update({f: v for f, v, _kept in changes})
    typed = [v for _f, v, kept in changes if kept and v.strip()]
    for url in (reverse("plans:indicator_new"), reverse("plans:indicator_edit", args=[local.key])):
        with rolled_back():
            refused(client, url, data, typed=typed)


@FUZZ
@given(typed=st.one_of(BAD_NUMBERS, st.sampled_from(["10.000.000.000.000", "-5", "1.075,5,5"])))
def test_the_grid_refuses_a_bad_figure_and_keeps_it(client, admin, typed):
    plan, indicator = admin["plan"], admin["indicator"]
    area = Area.objects.get(slug="guldborgsund")
    url = reverse("plans:figures", args=[plan.key]) + "?kind=quarter&year=2023"
    cell = f"c-{indicator.pk}-{area.pk}-2023Q1"
    typed = " ".join(typed.split()) or "x"
    with rolled_back():
        refused(client, url, {cell: typed, "s" + cell[1:]: "|"}, typed=[typed], status=409)


@FUZZ
@given(text=st.one_of(
    st.builds(lambda letter, n: letter * n, st.sampled_from("aæ "), st.integers(20_001, 20_050))
    .filter(lambda t: t.strip()),  # longer than allowed
    st.text(alphabet=LETTERS + "\x00", min_size=1, max_size=30).filter(lambda t: "\x00" in t),
))  # fmt: skip
def test_a_narrative_too_long_or_with_a_nul_is_refused_and_kept(client, admin, text):
    """PostgreSQL cannot store a NUL character; the page says so instead of failing."""
    plan, reporting_round, target = admin["plan"], admin["round"], admin["target"]
    url = reverse("plans:round_work", args=[plan.key, reporting_round.pk])
    kept = text.strip()
    with rolled_back():
        refused(client, url, {f"n-{target.pk}": text, "action": "save"},
                typed=[kept] if kept else [], status=400)  # fmt: skip
