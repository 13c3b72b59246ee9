"""Figures owned by their source: hele landet's, the regions', the RAR areas' and other
municipalities' figures of an indicator bound to jobindsats.dk are the connector's, refused to a
municipality's analysts on the grid, the import page and the API alike, with nothing changed.
A municipality's local indicators stay its own; to everyone else they do not exist. And the
catalogue that binds the indicators, and the demo that shares them."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kpis import ownership
from kpis.models import Area, Indicator, IndicatorSource, Measurement, SourceTable
from kpis.reference.catalogue import CatalogueError, catalogue_keys, catalogue_load
from kpis.reference.catalogue import read as read_catalogue
from plans.models import Membership, Target, TargetStatus
from plans.services import all_statuses_refresh
from plans.tools.demo import FIXTURES, demo_documents, load_demo
from tests.builders import make_country, make_municipality, make_plan, make_target, record
from tests.test_figures_grid import form_of
from tests.test_import import _file, upload

pytestmark = pytest.mark.django_db

SHARE = "andel-ledige-a-dagpenge"  # the indicator of the bug report, bound to y01a02
OWNER_MESSAGE = (
    "Tal for Hele landet på “Andel af befolkningen på a-dagpenge” hentes fra jobindsats.dk "
    "(tabel y01a02) af portalen og kan ikke ændres af en kommune."
)
BUG_REPORT = {"indicator": SHARE, "area": "hele-landet", "period": "2021", "value": "0.1"}


@pytest.fixture
def ringsted_met(member):
    """Ringsted's public target 1.2 ("min. 0,3 under landsgennemsnittet", 2021) met on
    jobindsats' figures (2,1 against hele landet's 2,4), and an analyst of Guldborgsund."""
    catalogue_load()
    country, guldborgsund = make_country(), make_municipality()
    ringsted = make_municipality("Ringsted", "329")
    Area.objects.filter(pk=ringsted.pk).update(public_dashboards=True)
    share = Indicator.objects.get(key=SHARE)
    target = make_target(
        make_plan(ringsted, key="ringsted-2021", start_year=2021, end_year=2021), share,
        key="ringsted-1-2", kind="relative", bound="at_most", target_value=None,
        comparison_area=country, margin=Decimal("0.3"), period_kind="year",
        deadline=date(2021, 12, 31),
    )  # fmt: skip
    record(share, country, "2021", "2,4")
    record(share, ringsted, "2021", "2,1")
    all_statuses_refresh()
    assert TargetStatus.objects.get(target=target).status == "met"
    analyst = member(guldborgsund, Membership.Role.ANALYST)
    return SimpleNamespace(
        share=share, target=target, country=country, guldborgsund=guldborgsund,
        ringsted=ringsted, analyst=analyst,
    )  # fmt: skip


def with_token(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def figures():
    return sorted(Measurement.objects.values_list("indicator_id", "area_id", "period_id", "value"))


# -- the bug report, and the API ----------------------------------------------------------


def test_an_analyst_cannot_overwrite_hele_landets_figure_through_the_api(
    ringsted_met, django_capture_on_commit_callbacks
):
    before = figures()
    with django_capture_on_commit_callbacks(execute=True):
        response = with_token(ringsted_met.analyst).post(
            "/api/measurements/bulk/", [BUG_REPORT], format="json"
        )
    assert response.status_code == 400
    assert response.json()["error"]["details"]["rows"] == [
        {"row": 0, "errors": {"area": [OWNER_MESSAGE]}}
    ]
    assert figures() == before
    assert TargetStatus.objects.get(target=ringsted_met.target).status == "met"


def test_the_analysts_own_figure_of_a_bound_indicator_is_accepted(ringsted_met):
    row = {"indicator": SHARE, "area": "guldborgsund", "period": "2021", "value": "2.2"}
    response = with_token(ringsted_met.analyst).post("/api/measurements/bulk/", [row],
                                                     format="json")  # fmt: skip
    assert response.status_code == 200, response.json()
    own = Measurement.objects.get(indicator=ringsted_met.share, area=ringsted_met.guldborgsund)
    assert own.value == Decimal("2.2")


def test_a_superuser_may_write_hele_landets_figure(ringsted_met, admin_user):
    response = with_token(admin_user).post("/api/measurements/bulk/", [BUG_REPORT], format="json")
    assert response.json() == {"created": 0, "revised": 1, "unchanged": 0}
    assert Measurement.objects.get(area=ringsted_met.country).value == Decimal("0.1")


def test_another_municipalitys_figure_of_a_bound_indicator_is_the_sources(ringsted_met):
    row = {"indicator": SHARE, "area": "ringsted", "period": "2021", "value": "9"}
    response = with_token(ringsted_met.analyst).post("/api/measurements/bulk/", [row],
                                                     format="json")  # fmt: skip
    message = response.json()["error"]["details"]["rows"][0]["errors"]["area"][0]
    assert message == OWNER_MESSAGE.replace("Hele landet", "Ringsted")


# -- the import page ----------------------------------------------------------------------


def test_a_jobindsats_export_with_a_hele_landet_row_is_refused(client, ringsted_met):
    client.force_login(ringsted_met.analyst)
    before = figures()
    content = "Område;Periode;Andel\nGuldborgsund;2021;2,2\nHele landet;2021;0,1\n"
    batch = upload(client, content, indicator=ringsted_met.share.pk)
    assert batch.state == "refused"
    assert batch.errors == [[3, OWNER_MESSAGE]]
    page = client.get(reverse("plans:import", args=[batch.pk])).content.decode()
    assert "hentes fra jobindsats.dk (tabel y01a02)" in page
    assert figures() == before


def test_an_unbound_shared_indicators_comparison_figures_stay_open(client, ringsted_met):
    # Only the source's figures are taken from the analysts: an indicator no connector
    # fetches has hele landet typed from the documents, as before.
    Indicator.objects.filter(pk=ringsted_met.share.pk).update(key="uden-kilde")
    IndicatorSource.objects.filter(indicator=ringsted_met.share).delete()
    client.force_login(ringsted_met.analyst)
    content = "indikator;område;periode;værdi\nuden-kilde;Hele landet;2021;2,5\n"
    assert upload(client, content, name="skabelon.csv").state == "preview"


# -- the grid -----------------------------------------------------------------------------


@pytest.fixture
def guldborgsund_grid(ringsted_met):
    plan = make_plan(ringsted_met.guldborgsund, key="guldborgsund-2021", start_year=2021,
                     end_year=2021)  # fmt: skip
    make_target(plan, ringsted_met.share, key="g-share", wording="Maksimalt 2,5 %",
                target_value=Decimal("2.5"), period_kind="year",
                deadline=date(2021, 12, 31))  # fmt: skip
    url = reverse("plans:figures", args=[plan.key]) + "?kind=year&year=2021"
    return ringsted_met, url


def cell(indicator, area):
    return f"c-{indicator.pk}-{area.pk}-2021"


def test_hele_landets_cell_of_a_bound_indicator_is_read_only(client, guldborgsund_grid):
    world, url = guldborgsund_grid
    client.force_login(world.analyst)
    html = client.get(url).content.decode()
    country_input = html[html.index(f'name="{cell(world.share, world.country)}"') :]
    assert country_input[: country_input.index(">")].count("readonly") == 1
    own_input = html[html.index(f'name="{cell(world.share, world.guldborgsund)}"') :]
    assert "readonly" not in own_input[: own_input.index(">")]
    assert OWNER_MESSAGE in html


def test_a_forged_grid_post_for_hele_landet_saves_nothing(client, guldborgsund_grid):
    world, url = guldborgsund_grid
    client.force_login(world.analyst)
    data = form_of(client.get(url).content.decode())
    data[cell(world.share, world.country)] = "0,1"
    data[cell(world.share, world.guldborgsund)] = "2,2"  # fine alone; all or nothing
    before = figures()
    response = client.post(url, data)
    assert response.status_code == 409
    assert OWNER_MESSAGE in response.content.decode()
    assert figures() == before
    assert TargetStatus.objects.get(target=world.target).status == "met"


def test_a_superusers_grid_has_no_locked_rows(client, guldborgsund_grid, admin_user):
    world, url = guldborgsund_grid
    client.force_login(admin_user)
    html = client.get(url).content.decode()
    assert "readonly" not in html and OWNER_MESSAGE not in html


# -- local indicators ---------------------------------------------------------------------


@pytest.fixture
def local_indicator(ringsted_met, member):
    """Guldborgsund's own survey, and an analyst of Ringsted (public) who may not see it."""
    survey = Indicator.objects.create(
        key="guldborgsund-tilfredshed", name="Virksomhedernes tilfredshed", unit="percent",
        decimals=1, direction="higher", owner=ringsted_met.guldborgsund,
    )  # fmt: skip
    stranger = member(ringsted_met.ringsted, Membership.Role.ANALYST)
    return ringsted_met, survey, stranger


def test_a_local_indicators_owner_may_write_any_area_of_it(local_indicator):
    world, survey, _stranger = local_indicator
    rows = [
        {"indicator": survey.key, "area": area, "period": "2021", "value": "80"}
        for area in ("guldborgsund", "hele-landet", "ringsted")
    ]
    response = with_token(world.analyst).post("/api/measurements/bulk/", rows, format="json")
    assert response.json() == {"created": 3, "revised": 0, "unchanged": 0}


def test_another_municipality_is_told_a_local_indicator_is_unknown(client, local_indicator):
    _world, survey, stranger = local_indicator
    api = with_token(stranger)

    def answer(key):
        row = {"indicator": key, "area": "ringsted", "period": "2021", "value": "80"}
        body = api.post("/api/measurements/bulk/", [row], format="json").json()
        return str(body).replace(key, "KEY")

    assert answer(survey.key) == answer("findes-ikke")
    assert "Ukendt indikator “KEY”" in answer(survey.key)
    client.force_login(stranger)
    content = f"indikator;område;periode;værdi\n{survey.key};Ringsted;2021;80\n"
    batch = upload(client, content, name="skabelon.csv")
    assert batch.errors == [[2, f"Ukendt indikator “{survey.key}”."]]
    assert not Measurement.objects.filter(indicator=survey).exists()


def test_the_import_page_offers_only_the_indicators_the_user_may_load(client, local_indicator):
    world, survey, stranger = local_indicator
    client.force_login(stranger)
    page = client.get(reverse("plans:import_upload")).content.decode()
    assert world.share.name in page and survey.name not in page
    forged = upload_refused(client, indicator=survey.pk)
    assert "indicator" in forged.errors
    client.force_login(world.analyst)
    assert survey.name in client.get(reverse("plans:import_upload")).content.decode()


def upload_refused(client, **fields):
    """The import form, refused, as the page shows it again."""
    data = {"file": _file("Område;Periode;Andel\nRingsted;2021;80\n", "a.csv"), **fields}
    response = client.post(reverse("plans:import_upload"), data)
    assert response.status_code == 200
    return response.context["form"]


# -- the rule itself ----------------------------------------------------------------------

OWN, OTHER, COUNTRY = (SimpleNamespace(pk=pk, kind=kind, name=name) for pk, kind, name in (
    (1, "municipality", "Guldborgsund"), (2, "municipality", "Ringsted"),
    (3, "country", "Hele landet"),
))  # fmt: skip
SHARED = SimpleNamespace(owner_id=None, key="delt", name="Delt")
LOCAL_OWN = SimpleNamespace(owner_id=1, key="egen", name="Egen")
LOCAL_OTHER = SimpleNamespace(owner_id=2, key="fremmed", name="Fremmed")


@pytest.mark.parametrize(
    "editable, indicator, area, table, refused",
    [
        (None, SHARED, COUNTRY, "y01a02", None),  # a superuser, the connector
        ({1}, SHARED, OWN, "y01a02", None),
        ({1}, SHARED, COUNTRY, "y01a02", "hentes fra jobindsats.dk (tabel y01a02)"),
        ({1}, SHARED, OTHER, "y01a02", "hentes fra jobindsats.dk (tabel y01a02)"),
        ({1}, SHARED, COUNTRY, None, None),  # no source: typed from the documents
        ({1}, SHARED, OTHER, None, "Du må ikke indlæse tal for Ringsted."),
        ({1}, LOCAL_OWN, OTHER, None, None),  # theirs, every area of it
        ({1}, LOCAL_OTHER, OTHER, None, "Ukendt indikator “fremmed”."),
        ({1}, LOCAL_OTHER, OWN, None, "Ukendt indikator “fremmed”."),
    ],
)
def test_the_ownership_rule(editable, indicator, area, table, refused):
    problem = ownership.figure_problem(editable=editable, indicator=indicator, area=area,
                                       table_id=table)  # fmt: skip
    assert (problem is None) == (refused is None)
    assert refused is None or refused in problem


# -- the catalogue ------------------------------------------------------------------------


def _catalogue_rows():
    return (
        sorted(Indicator.objects.values_list("pk", "key", "name", "unit", "decimals", "direction")),
        sorted(
            IndicatorSource.objects.values_list(
                "pk", "indicator_id", "table_id", "measure", "period_kind"
            )
        ),  # fmt: skip
        sorted(SourceTable.objects.values_list("pk", "table_id", "name")),
    )


def test_catalogue_load_is_idempotent_and_binds_every_indicator():
    # An indicator already there (loaded from a document before the catalogue) keeps its id.
    earlier = Indicator.objects.create(key=SHARE, name="Andel ledige a-dagpengemodtagere",
                                       unit="percent", decimals=1, direction="lower")  # fmt: skip
    first = catalogue_load()
    rows = _catalogue_rows()
    history = Indicator.history.count()
    second = catalogue_load()
    assert _catalogue_rows() == rows and Indicator.history.count() == history
    data = read_catalogue()
    assert second == {"indicators": len(data["indicators"]), "tables": len(data["tables"]),
                      "created": 0, "updated": 0, "unchanged": len(data["indicators"])}  # fmt: skip
    assert first["created"] == len(data["indicators"]) - 1 and first["updated"] == 1
    assert Indicator.objects.get(key=SHARE).pk == earlier.pk
    for item in data["indicators"]:
        source = IndicatorSource.objects.select_related("indicator", "table").get(
            indicator__key=item["key"]
        )
        assert source.indicator.owner_id is None
        assert (source.table.table_id, source.measure, source.period_kind) == (
            item["source"]["table"], item["source"]["measure"], item["source"]["period_kind"],
        )  # fmt: skip
        assert source.filters == (item["source"].get("filters") or {})


def test_the_catalogue_never_takes_a_local_indicator():
    guldborgsund = make_municipality()
    local = Indicator.objects.create(key=SHARE, name="Egen", unit="count", direction="lower",
                                     owner=guldborgsund)  # fmt: skip
    with pytest.raises(CatalogueError):
        catalogue_load()
    local.refresh_from_db()
    assert (local.name, local.owner_id) == ("Egen", guldborgsund.pk)
    assert not IndicatorSource.objects.exists()


# -- the demo: shared indicators used by several municipalities ---------------------------


def _users_in_fixtures() -> dict[str, set[str]]:
    """Per shared indicator key, the municipalities whose document has a target on it or a
    figure of the municipality itself, read from the fixtures."""
    users = {}
    for _name, doc in demo_documents(FIXTURES):
        municipality = doc["municipality"]["name"]
        local = {i["key"] for i in doc["indicators"] if i.get("local")}
        keys = {t["indicator"] for p in doc["plans"] for t in p["targets"] if t.get("indicator")}
        keys |= {m["indicator"] for m in doc["measurements"] if m["area"] == municipality}
        for key in keys - local:
            users.setdefault(key, set()).add(municipality)
    return {key: names for key, names in users.items() if len(names) > 1}


def _users_in_database() -> dict[str, set[str]]:
    users = {}
    for key, name in Target.objects.filter(indicator__owner__isnull=True).values_list(
        "indicator__key", "plan__municipality__name"
    ):
        users.setdefault(key, set()).add(name)
    figures = Measurement.objects.filter(
        indicator__owner__isnull=True, area__kind=Area.Kind.MUNICIPALITY
    ).values_list("indicator__key", "area__name")
    for key, name in figures:
        users.setdefault(key, set()).add(name)
    return {key: names for key, names in users.items() if len(names) > 1}


def test_the_demo_shares_catalogue_indicators_between_municipalities():
    load_demo()
    expected = _users_in_fixtures()
    assert _users_in_database() == expected
    assert len(expected) >= 2  # something for the comparison page to compare
    assert set(expected) <= catalogue_keys()
    assert IndicatorSource.objects.filter(indicator__key__in=expected).count() == len(expected)
