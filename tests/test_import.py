"""Analysts import figures from jobindsats.dk exports and the portal's template: a preview
first, then all or nothing. Bad files change nothing and say why."""

import io
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django.urls import reverse

from kpis import bulk, importers
from kpis import services as kpi_services
from kpis.models import Area, ImportBatch, Indicator, Measurement, MeasurementRevision, Period
from plans.models import Membership, TargetStatus
from tests.builders import (
    make_indicator,
    make_municipality,
    make_plan,
    make_target,
    record,
)

pytestmark = pytest.mark.django_db

JOBINDSATS = (
    "\ufeffOmråde;Periode;Andel i pct.\n"
    "Guldborgsund;2023M08;11,3\n"
    "Hele landet;2023M08;9,9\n"
    "RAR Sjælland;2023M08;10,4\n"
    "Guldborgsund;2023Q2;12,0\n"
    "Guldborgsund;2022QMAT04;10,8\n"
    "Hele landet;2023Q2;..\n"
)


@pytest.fixture
def setting(guldborgsund, country, member, client):
    """Guldborgsund with a relative target ("mindst på niveau med landsgennemsnittet", monthly),
    and the test client logged in as its analyst."""
    indicator = make_indicator("opkvalificering", unit=Indicator.Unit.PERCENT, decimals=1)
    target = make_target(
        make_plan(guldborgsund), indicator, key="opkval", kind="relative", bound="at_least",
        target_value=None, comparison_area=country, period_kind="month",
        deadline=date(2099, 12, 31),
    )  # fmt: skip
    client.force_login(member(guldborgsund, Membership.Role.ANALYST))
    return guldborgsund, indicator, target


def upload(client, content, name="jobindsats.csv", **fields):
    data = {"file": _file(content, name), **fields}
    response = client.post(reverse("plans:import_upload"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return ImportBatch.objects.latest("pk")


def _file(content, name):
    raw = content.encode("utf-8") if isinstance(content, str) else content
    handle = io.BytesIO(raw)
    handle.name = name
    return handle


def test_a_jobindsats_export_is_previewed_then_saved_and_statuses_follow(
    client, setting, django_capture_on_commit_callbacks
):
    guldborgsund, indicator, target = setting
    batch = upload(client, JOBINDSATS, indicator=indicator.pk)
    assert batch.state == "preview"
    assert batch.counts == {"created": 5, "revised": 0, "unchanged": 0}
    assert batch.suppressed == 1
    assert not Measurement.objects.exists()  # nothing saved before the user says so
    preview = client.get(reverse("plans:import", args=[batch.pk])).content.decode()
    assert "5 nye" in preview and "Hele landet" in preview and "Gem tallene" in preview

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("plans:import_commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == "committed"
    assert Measurement.objects.count() == 5
    assert Measurement.objects.get(area__name="RAR Sjælland").value == Decimal("10.4")
    assert Measurement.objects.get(period__kind="rolling_year").period.label == "1.kv.22 - 4.kv.22"
    status = TargetStatus.objects.get(target=target)
    assert status.status == "met"  # 11,3 against hele landet 9,9, same month
    result = client.get(reverse("plans:import", args=[batch.pk])).content.decode()
    assert "Mål, som tallene vedrører" in result and "Opfyldt" in result
    assert status.comparison_value == Decimal("9.9")


def test_a_revised_figure_is_shown_as_revised_and_keeps_its_old_value(client, setting):
    guldborgsund, indicator, _target = setting
    record(indicator, guldborgsund, "2023M08", "11,0")
    batch = upload(client, JOBINDSATS, indicator=indicator.pk)
    assert batch.counts == {"created": 4, "revised": 1, "unchanged": 0}
    revised = next(r for r in batch.rows if r["outcome"] == "revised")
    assert (revised["line"], revised["old"], revised["value"]) == (2, "11.000000", "11.300000")
    client.post(reverse("plans:import_commit", args=[batch.pk]))
    revision = MeasurementRevision.objects.get()
    assert (revision.old_value, revision.new_value) == (Decimal(11), Decimal("11.3"))


def test_the_portals_template_and_excel_files_are_read(client, setting):
    _guldborgsund, indicator, _target = setting
    template = (
        'indikator,område,periode,værdi\nopkvalificering,Guldborgsund,4.kv.22 - 3.kv.23,"11,3"\n'
    )
    assert upload(client, template, name="skabelon.csv").counts["created"] == 1
    frame = pd.DataFrame(
        {
            "Område": ["Guldborgsund", "Hele landet"],
            "Periode": ["2023M09", "2023M09"],
            "Andel": ["12,1", "10,0"],
        }  # fmt: skip
    )
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    batch = upload(client, buffer.getvalue(), name="export.xlsx", indicator=indicator.pk)
    assert batch.state == "preview" and batch.counts["created"] == 2


def test_template_rows_keep_the_periods_as_municipal_documents_write_them(client, setting):
    guldborgsund, indicator, _target = setting
    template = (
        "indikator;område;periode;værdi\n"
        "opkvalificering;Guldborgsund;2021K1;11,3\n"  # a quarter, K for kvartal
        "opkvalificering;Guldborgsund;1.1.2021–14.4.2021;12,0\n"  # a span of days
    )
    batch = upload(client, template, name="skabelon.csv")
    assert batch.counts["created"] == 2, batch.errors
    client.post(reverse("plans:import_commit", args=[batch.pk]))
    stored = Measurement.objects.filter(indicator=indicator, area=guldborgsund)
    assert sorted((m.period.kind, m.period.start, m.period.end, m.value) for m in stored) == [
        ("day_span", date(2021, 1, 1), date(2021, 4, 14), Decimal("12.0")),
        ("quarter", date(2021, 1, 1), date(2021, 3, 31), Decimal("11.3")),
    ]
    assert sorted(Period.objects.values_list("kind", flat=True)) == ["day_span", "quarter"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Atlantis;2023M08;11,3", "Ukendt område “Atlantis”"),
        ("Guldborgsund;sidste år;11,3", "er ikke en periode"),
        ("Guldborgsund;2023M13;11,3", "ingen måned 13"),
        ("Guldborgsund;2023M08;120", "en andel er højst 100"),
        ("Guldborgsund;2023M08;-1", "under 0"),
        ("Guldborgsund;2023M08;58.8", "ikke et tal i dansk format"),
        ("Guldborgsund;2023M08;11,3\nGuldborgsund;2023M08;11,4", "også på linje 3"),
    ],
)
def test_a_bad_row_refuses_the_file_with_line_and_reason(client, setting, line, expected):
    _guldborgsund, indicator, _target = setting
    content = "Område;Periode;Andel\nHele landet;2023M08;9,9\n" + line + "\n"
    batch = upload(client, content, indicator=indicator.pk)
    assert batch.state == "refused"
    assert any(expected in reason for _line, reason in batch.errors), batch.errors
    page = client.get(reverse("plans:import", args=[batch.pk])).content.decode()
    assert "Filen blev afvist; intet er gemt." in page
    client.post(reverse("plans:import_commit", args=[batch.pk]))  # a refused file stays unsaved
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        ("Område;Periode;Andel\n", "kun-overskrift.csv", "ingen rækker"),
        ("Kommune;Måned;Andel\nGuldborgsund;2023M08;11,3\n", "forkert.csv",
         "“Område” og “Periode”"),
        ("Område;Periode;Andel\nGuldborgsund;2023M08;11,3\n".encode("latin-1"), "latin1.csv",
         "ikke UTF-8"),
        ("Område;Periode;A;B\nGuldborgsund;2023M08;1;2\n", "to.csv", "flere værdikolonner"),
        (b"\x00\x01 not a spreadsheet", "fil.xlsx", "kunne ikke læses"),
    ],
)  # fmt: skip
def test_an_unreadable_file_is_refused_with_a_clear_message(
    client, setting, content, name, expected
):
    _guldborgsund, indicator, _target = setting
    batch = upload(client, content, name=name, indicator=indicator.pk)
    assert batch.state == "refused"
    assert expected in batch.file_error
    assert not Measurement.objects.exists()


def test_an_empty_upload_is_refused_by_the_form_which_keeps_the_choices(client, setting):
    _guldborgsund, indicator, _target = setting
    response = client.post(
        reverse("plans:import_upload"),
        {"file": _file("", "tom.csv"), "indicator": indicator.pk, "value_column": "Andel"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Den medsendte fil er tom." in page
    assert f'<option value="{indicator.pk}" selected>' in page and 'value="Andel"' in page
    assert not ImportBatch.objects.exists()


def test_an_analyst_cannot_load_another_municipalitys_figures(client, setting, member):
    guldborgsund, indicator, _target = setting
    ringsted = make_municipality("Ringsted", "329")
    client.force_login(member(ringsted, Membership.Role.ANALYST))
    # Not offered to Ringsted (no plan of Ringsted's follows it), but a file may name it.
    page = client.get(reverse("plans:import_upload")).content.decode()
    assert f'value="{indicator.pk}"' not in page
    row = "opkvalificering;Guldborgsund;2023M08;11,3"
    batch = upload(client, f"indikator;område;periode;værdi\n{row}\n", name="skabelon.csv")
    assert batch.state == "refused"
    assert any("Du må ikke indlæse tal for Guldborgsund" in r for _l, r in batch.errors)
    assert not Measurement.objects.exists()


def test_only_analysts_and_administrators_may_import(client, setting, member):
    guldborgsund, _indicator, _target = setting
    client.logout()
    assert client.get(reverse("plans:import_upload")).status_code == 302  # to the login page
    client.force_login(member(guldborgsund, Membership.Role.COMMITTEE, username="udvalg"))
    assert client.get(reverse("plans:import_upload")).status_code == 403


def test_someone_elses_import_is_not_visible(client, setting, member):
    _guldborgsund, indicator, _target = setting
    batch = upload(client, JOBINDSATS, indicator=indicator.pk)
    client.force_login(member(make_municipality("Ringsted", "329"), username="andre"))
    assert client.get(reverse("plans:import", args=[batch.pk])).status_code == 404
    assert client.post(reverse("plans:import_commit", args=[batch.pk])).status_code == 404


def test_saving_twice_stores_once(client, setting):
    _guldborgsund, indicator, _target = setting
    batch = upload(client, JOBINDSATS, indicator=indicator.pk)
    assert kpi_services.import_commit(batch_id=batch.pk) is not None
    assert kpi_services.import_commit(batch_id=batch.pk) is None
    assert Measurement.objects.count() == 5


def test_a_failure_while_saving_leaves_nothing_half_saved(client, setting, monkeypatch):
    _guldborgsund, indicator, _target = setting
    batch = upload(client, JOBINDSATS, indicator=indicator.pk)
    # The database fails after the new figures went in (the revision step): a full disk, a
    # killed connection. Nothing of the file may stay.
    broken = "SELECT no_such_column FROM {measurement}"
    monkeypatch.setattr(bulk, "_REVISE_UNCHANGED_SINCE", broken)
    monkeypatch.setattr(bulk, "_REVISE_POSTGRES", broken)
    monkeypatch.setattr(bulk, "_REVISE_GENERIC", (broken,))
    with pytest.raises(DatabaseError):
        kpi_services.import_commit(batch_id=batch.pk)
    assert not Measurement.objects.exists()
    batch.refresh_from_db()
    assert batch.state == "preview"  # the user can try again


def test_a_large_file_is_read_by_a_worker_with_progress(client, setting, monkeypatch):
    _guldborgsund, indicator, _target = setting
    monkeypatch.setattr(kpi_services, "BACKGROUND_ROWS", 10)
    lines = [f"Guldborgsund;{year}M{month:02d};{month},5" for year in range(2010, 2013)
             for month in range(1, 13)]  # fmt: skip
    batch = upload(client, "Område;Periode;Andel\n" + "\n".join(lines), indicator=indicator.pk)
    assert batch.state == "preview"
    assert (batch.rows_total, batch.counts["created"]) == (36, 36)
    status = client.get(reverse("plans:import_status", args=[batch.pk])).json()
    assert status == {"state": "preview", "percent": 100, "done": 36}
    client.post(reverse("plans:import_commit", args=[batch.pk]))
    assert Measurement.objects.count() == 36
    assert Area.objects.filter(measurements__isnull=False).distinct().count() == 1


def test_a_figure_changed_after_the_preview_is_not_overwritten_silently(client, setting):
    guldborgsund, indicator, _target = setting
    batch = upload(client, JOBINDSATS, indicator=indicator.pk)
    assert batch.counts["created"] == 5
    record(indicator, guldborgsund, "2023M08", "7,0")  # a colleague types it meanwhile
    page = client.post(reverse("plans:import_commit", args=[batch.pk]), follow=True)
    assert "ændret, efter forhåndsvisningen blev lavet" in page.content.decode()
    assert Measurement.objects.count() == 1  # only the colleague's figure
    batch.refresh_from_db()
    assert batch.state == "preview" and batch.counts == {"created": 4, "revised": 1,
                                                         "unchanged": 0}  # fmt: skip
    client.post(reverse("plans:import_commit", args=[batch.pk]))  # seen now: saved on purpose
    assert Measurement.objects.get(area=guldborgsund, period__kind="month").value == Decimal("11.3")


def test_excel_number_cells_are_read_as_numbers_and_dates_refused(client, setting):
    _guldborgsund, indicator, _target = setting
    frame = pd.DataFrame({"Område": ["Guldborgsund", "Hele landet"],
                          "Periode": ["2023M09", "2023M09"], "Andel": [58.8, 10]})  # fmt: skip
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    batch = upload(client, buffer.getvalue(), name="tal.xlsx", indicator=indicator.pk)
    assert batch.state == "preview"
    assert [r["value"] for r in batch.rows] == ["58.800000", "10.000000"]
    dated = pd.DataFrame({"Område": ["Guldborgsund"], "Periode": [pd.Timestamp("2023-09-01")],
                          "Andel": ["11,3"]})  # fmt: skip
    buffer = io.BytesIO()
    dated.to_excel(buffer, index=False)
    refused = upload(client, buffer.getvalue(), name="dato.xlsx", indicator=indicator.pk)
    assert "Skriv perioden som tekst" in refused.errors[0][1]


def test_a_header_with_a_comma_is_still_semicolon_separated(client, setting):
    _guldborgsund, indicator, _target = setting
    content = "Område;Periode;Andel, i pct.\nGuldborgsund;2023M08;11,3\n"
    assert upload(client, content, indicator=indicator.pk).state == "preview"


def test_a_row_short_of_its_last_cell_reads_as_before(client, setting):
    # Arrow's fast reader refuses a ragged file; pandas' reader reads it again, as it always
    # has: the missing value is an empty cell, skipped like a suppressed one.
    _guldborgsund, indicator, _target = setting
    content = JOBINDSATS.replace("Hele landet;2023Q2;..", "Hele landet;2023Q2")
    batch = upload(client, content, indicator=indicator.pk)
    assert batch.state == "preview"
    assert batch.counts == {"created": 5, "revised": 0, "unchanged": 0}
    assert batch.suppressed == 1


def test_another_municipalitys_local_indicator_is_refused_as_unknown(client, setting):
    # Told apart from an unknown key, it would tell that Ringsted has such an indicator.
    _guldborgsund, _indicator, _target = setting
    local = make_indicator("ringsted-lokal")
    local.owner = make_municipality("Ringsted", "329")
    local.save()
    batch = upload(client, "indikator;område;periode;værdi\nringsted-lokal;Hele landet;2023;5\n"
                   "ringsted-ukendt;Hele landet;2023;5\n", name="skabelon.csv")  # fmt: skip
    assert batch.state == "refused"
    assert batch.errors == [
        [2, "Ukendt indikator “ringsted-lokal”."],
        [3, "Ukendt indikator “ringsted-ukendt”."],
    ]


def test_errors_speak_danish_numbers_and_huge_values_are_refused(client, setting):
    _guldborgsund, indicator, _target = setting
    content = (
        "Område;Periode;Andel\nGuldborgsund;2023M08;158,8\nGuldborgsund;2023M09;1.000.000.000.000\n"
    )
    batch = upload(client, content, indicator=indicator.pk)
    reasons = [reason for _line, reason in batch.errors]
    assert reasons[0] == "158,8 er over 100: en andel er højst 100."
    assert "for stort" in reasons[1]


# -- bulk loads from the command line ----------------------------------------------------


def _import_command(tmp_path, text, *args):
    path = tmp_path / "figurer.csv"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("import_figures", str(path), *args, stdout=out, stderr=out)
    return out.getvalue()


def test_the_import_command_stores_a_file_at_once_and_keeps_revisions(
    setting, tmp_path, django_capture_on_commit_callbacks
):
    guldborgsund, indicator, target = setting
    record(indicator, guldborgsund, "2023M08", "10,0")
    with django_capture_on_commit_callbacks(execute=True):
        output = _import_command(tmp_path, JOBINDSATS, "--indicator", indicator.key)
    assert "4 new, 1 revised, 0 unchanged" in output
    figure = Measurement.objects.get(indicator=indicator, area=guldborgsund, period__kind="month")
    assert figure.value == Decimal("11.3")
    assert figure.source == "Indlæsning: figurer.csv, linje 2"
    assert [r.old_value for r in figure.revisions.all()] == [Decimal("10")]
    # The statuses follow: 11,3 % against hele landet's 9,9 % in the same month is met.
    assert TargetStatus.objects.get(target=target).status == "met"
    again = _import_command(tmp_path, JOBINDSATS, "--indicator", indicator.key)
    assert "0 new, 0 revised, 5 unchanged" in again


def test_the_import_command_refuses_a_file_with_any_bad_row_and_stores_nothing(setting, tmp_path):
    _guldborgsund, indicator, _target = setting
    bad = JOBINDSATS.replace("Guldborgsund;2023Q2;12,0", "Guldborgsund;2023Q2;tolv")
    with pytest.raises(CommandError, match="1 rows refused; nothing was stored"):
        _import_command(tmp_path, bad, "--indicator", indicator.key)
    assert not Measurement.objects.exists()
    assert not Period.objects.exists()


def test_template_rows_are_checked_each_against_its_own_indicator(setting):
    guldborgsund, share, _target = setting
    count = make_indicator("ledige", unit=Indicator.Unit.COUNT)
    content = (
        "indikator;område;periode;værdi\n"
        f"{share.key};Guldborgsund;2023M08;101\n"  # a share above 100
        f"{count.key};Guldborgsund;2023M08;101\n"  # the same value is a fine count
        "ukendt;Guldborgsund;2023M08;..\n"  # an unknown indicator, even with no value
        f"{count.key};Guldborgsund;2023M09;-1\n"  # a negative count
        f"{count.key};Guldborgsund;2023M10;..\n"  # suppressed: skipped
    )
    result = importers.parse(content.encode(), "skabelon.csv")
    assert [line for line, _reason in result.errors] == [2, 4, 5]
    reasons = dict(result.errors)
    assert "101" in reasons[2] and "100" in reasons[2]
    assert "ukendt" in reasons[4]
    assert "−1" in reasons[5] or "-1" in reasons[5]
    assert [(r.indicator_id, r.area_id, r.value) for r in result.rows] == [
        (count.pk, guldborgsund.pk, Decimal(101))
    ]
    assert result.suppressed == 1


def test_a_file_with_a_very_long_name_still_notes_where_each_figure_came_from(setting):
    guldborgsund, indicator, _target = setting
    name = "tal-" + "x" * 300 + ".csv"  # longer than the note may be
    kpi_services.figures_import(content=JOBINDSATS.encode(), filename=name, indicator=indicator)
    figure = Measurement.objects.get(area=guldborgsund, period__kind="month")
    assert figure.source.startswith("Indlæsning: tal-xxx") and len(figure.source) == 300
