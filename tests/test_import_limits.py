"""Hostile import files are refused before they are read, in seconds and within a memory cap,
and any file within the limits (README: Import limits) is read within the memory budget. Each
file is read in a child process under a cap on its address space (RLIMIT_AS): a reader that
pads to the declared size or unpacks everything dies there with a MemoryError instead of
taking the machine with it. The times and peak memory are printed (pytest -s shows them)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kpis import importers, spreadsheets
from tests import hostile_files as hostile

ROOT = Path(__file__).parents[1]
CAP_BYTES = 1024 * 1024 * 1024  # the README's memory budget for reading one file
SECONDS = 60  # far more than any refusal takes; a padding reader takes minutes

READER = """
import json, os, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP))
import django
django.setup()
from kpis import importers
content = open(sys.argv[1], "rb").read()
start = time.perf_counter()
try:
    frame = importers.read_table(content, sys.argv[2])
    outcome = {"rows": len(frame)}
except importers.ImportFileError as exc:
    outcome = {"refused": str(exc)}
outcome["seconds"] = round(time.perf_counter() - start, 2)
outcome["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(json.dumps(outcome))
"""


def read_capped(tmp_path, content: bytes, name="fil.xlsx", seconds=SECONDS) -> dict:
    """Read the file in a child process under the memory cap; what it answered."""
    path = tmp_path / name
    path.write_bytes(content)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jobcenter.settings_test",
           "OPENBLAS_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}  # fmt: skip
    run = subprocess.run(
        [sys.executable, "-c", READER.replace("CAP", str(CAP_BYTES)), str(path), name],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=seconds,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    outcome = json.loads(run.stdout.strip().splitlines()[-1])
    print(f"\n{name} ({len(content):,} bytes): {outcome}")
    return outcome


def test_a_tiny_workbook_declaring_17_billion_cells_is_refused_at_once(tmp_path):
    content = hostile.declared_huge()
    assert len(content) < 2_000
    outcome = read_capped(tmp_path, content)
    assert "50 kolonner" in outcome["refused"]
    assert outcome["seconds"] < 5


def test_a_far_cell_without_a_declared_size_is_refused_without_padding(tmp_path):
    outcome = read_capped(tmp_path, hostile.far_cell_only())
    assert "50 kolonner" in outcome["refused"]
    assert outcome["seconds"] < 10


def test_a_small_workbook_holding_550_mb_of_xml_is_refused_before_unpacking(tmp_path):
    content = hostile.packed_xml(550)
    assert len(content) < 3_000_000
    outcome = read_capped(tmp_path, content)
    assert "256 MB" in outcome["refused"]
    assert outcome["seconds"] < 5


def test_a_part_packed_beyond_the_ratio_is_refused(tmp_path):
    outcome = read_capped(tmp_path, hostile.packed_xml(150))  # within 256 MB, packed 250 times
    assert "pakket mere end 100 gange" in outcome["refused"]


def test_rows_past_the_limit_are_refused_while_streaming(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 10)
    rows = [hostile.row(n, hostile.text_cell(f"A{n}", "Guldborgsund")) for n in range(2, 20)]
    with pytest.raises(importers.ImportFileError, match="10 rækker"):
        importers.read_table(hostile.workbook([hostile.HEADER, *rows]), "fil.xlsx")


def test_cells_past_the_limit_are_refused_while_streaming(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_CELLS", 20)
    rows = [hostile.row(n, hostile.number_cell(f"C{n}", n)) for n in range(2, 20)]
    with pytest.raises(importers.ImportFileError, match="20 celler"):
        importers.read_table(hostile.workbook([hostile.HEADER, *rows]), "fil.xlsx")


def test_a_large_workbook_within_the_limits_is_read_within_the_memory_budget(tmp_path):
    """200.000 rows of a jobindsats.dk export, read under the 1 GB cap (the README gives the
    figures for a million rows)."""
    rows = 200_000
    same = "".join(
        hostile.row(
            n,
            hostile.text_cell(f"A{n}", "Guldborgsund"),
            hostile.text_cell(f"B{n}", f"{2000 + n % 24}M{1 + n % 12:02}"),
            hostile.number_cell(f"C{n}", n),
        )  # fmt: skip
        for n in range(2, rows + 2)
    )
    outcome = read_capped(tmp_path, hostile.workbook([hostile.HEADER, same]))
    assert outcome["rows"] == rows
    assert outcome["peak_mb"] < CAP_BYTES // (1024 * 1024)


def test_a_csv_at_the_row_limit_is_read_within_the_memory_budget(tmp_path):
    """2.000.000 rows, the CSV limit, of a jobindsats.dk export (about 50 MB), read under the
    1 GB cap."""
    rows = importers.MAX_ROWS
    lines = (f"Guldborgsund;{2000 + n % 24}M{1 + n % 12:02};{n % 9973},5\n" for n in range(rows))
    content = ("\ufeffOmråde;Periode;Andel\n" + "".join(lines)).encode("utf-8")
    outcome = read_capped(tmp_path, content, name="stor.csv", seconds=300)
    assert outcome["rows"] == rows
    assert outcome["peak_mb"] < CAP_BYTES // (1024 * 1024)


def test_a_formula_without_a_saved_value_is_reported_by_line():
    rows = [
        hostile.row(2, hostile.text_cell("A2", "Guldborgsund"), hostile.text_cell("B2", "2023M08"),
                    hostile.number_cell("C2", 5)),
        hostile.row(4, hostile.text_cell("A4", "Guldborgsund"), hostile.text_cell("B4", "2023M09"),
                    hostile.formula_cell("C4", "SUM(C2:C3)")),
    ]  # fmt: skip
    with pytest.raises(importers.ImportFileError) as refused:
        importers.read_table(hostile.workbook([hostile.HEADER, *rows]), "fil.xlsx")
    assert str(refused.value) == (
        "Linje 4: formlen “=SUM(C2:C3)” har ingen gemt værdi; gem filen i Excel igen."
    )


def test_a_formula_with_its_saved_value_is_read_as_the_value():
    cell = '<c r="C2"><f>2+3</f><v>5</v></c>'
    rows = [hostile.row(2, hostile.text_cell("A2", "Guldborgsund"),
                        hostile.text_cell("B2", "2023M08"), cell)]  # fmt: skip
    frame = importers.read_table(hostile.workbook([hostile.HEADER, *rows]), "fil.xlsx")
    assert frame.to_dict("records") == [
        {"Område": "Guldborgsund", "Periode": "2023M08", "Antal": 5}
    ]


def test_a_csv_with_100_000_columns_is_refused_briefly():
    header = ";".join(f"kolonne {i}" for i in range(100_000))
    with pytest.raises(importers.ImportFileError) as refused:
        importers.read_table(f"{header}\n{'1;' * 99_999}1\n".encode(), "fil.csv")
    assert str(refused.value) == "Filen har mere end 50 kolonner; grænsen er 50."


@pytest.mark.django_db
def test_the_refused_rows_shown_are_the_first_50_and_a_count(client, member):
    from django.urls import reverse

    from kpis.models import ImportBatch
    from plans.models import Membership
    from tests.builders import make_indicator, make_municipality, make_plan, make_target

    guldborgsund = make_municipality()
    indicator = make_indicator("unge")
    make_target(make_plan(guldborgsund), indicator)  # an indicator Guldborgsund follows: offered
    client.force_login(member(guldborgsund, Membership.Role.ANALYST))
    bad = "".join(f"Ingensteds {i};2023M08;1\n" for i in range(3_000))
    upload = SimpleUploadedFile("tal.csv", f"Område;Periode;Antal\n{bad}".encode())
    client.post(reverse("plans:import_upload"), {"file": upload, "indicator": indicator.pk})
    batch = ImportBatch.objects.get()
    assert batch.state == "refused" and batch.errors_total == 3_000 and len(batch.errors) == 50
    page = client.get(reverse("plans:import", args=[batch.pk])).content.decode()
    assert "3000 rækker med fejl" in page and "… og 2950 flere rækker med fejl." in page
    assert page.count("Ukendt område") == 50
