"""The annual EST report notebook runs top to bottom, for every year, on the demo data `make run` loads."""

import subprocess
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from gis_app.inventory import demo as inventory_demo

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "annual_est_report.ipynb"


@pytest.fixture
def make_run_data(cli, app_context, reference_data):
    """The database as `make run` leaves it: the shipped boundaries imported, then `gis-app demo-data`."""
    for name, kind in (
        ("ostersund_kommun_from_deso2018.geojson", "municipality"),
        ("ostersund_deso2018.geojson", "district"),
    ):
        result = cli.invoke(args=["import-areas", str(reference_data / name), "--kind", kind, "--if-empty"])
        assert result.exit_code == 0, result.output
    result = cli.invoke(args=["demo-data", "--if-empty"])
    assert result.exit_code == 0, result.output


def run_notebook(year: int, database_url: str, monkeypatch) -> nbformat.NotebookNode:
    """Execute the notebook for one year in a fresh kernel; return it with its outputs."""
    monkeypatch.setenv("DATABASE_URL", database_url)  # the kernel inherits this process's environment
    monkeypatch.setenv("REPORT_YEAR", str(year))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    ).execute()
    return notebook


@pytest.mark.parametrize("year", inventory_demo.YEARS)
def test_annual_report_notebook_runs_for_every_demo_year(make_run_data, database_url, monkeypatch, year):
    notebook = run_notebook(year, database_url, monkeypatch)
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    report = notebook.cells[-1].outputs[-1]["data"]["text/plain"]
    assert f"'year': {year}" in report
    assert "'measures_done': 0" not in report
    if year > inventory_demo.YEARS[0]:  # the first year has no year before it to remediate
        assert "'remediated': 0" not in report
    assert sum("image/png" in output.get("data", {}) for output in outputs) >= 2


# --- gis-app est-report: the notebook as a document -----------------------------------------------------------------

CODE_MARKS = ("import ", "def ", "SELECT ", "engine", "display(", "input_area", "highlight", "In&nbsp;[")


def test_est_report_writes_html_and_pdf_without_code(make_run_data, cli, tmp_path):
    html_file, pdf_file = tmp_path / "rapport.html", tmp_path / "rapport.pdf"
    for out in (html_file, pdf_file):
        result = cli.invoke(args=["est-report", "--year", "2025", "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert out.name in result.output

    document = html_file.read_text(encoding="utf-8")
    assert "<h1>Trygghetsinventering 2025" in document
    assert not [mark for mark in CODE_MARKS if mark in document]  # no code cell, input or prompt
    assert "<script" not in document and "http" not in document.replace("http-equiv", "")  # nothing fetched
    measures_table = document[document.index("<th>Kostnad (kr)</th>") - 300 :]
    assert "<th>Åtgärd</th>" in measures_table and "<td>Belysning</td>" in measures_table
    assert document.count('src="data:image/png;base64,') >= 3 and "No description" not in document  # map, 2 charts
    assert "report-hide" not in document and "'measures_done'" not in document  # working cells left out

    assert pdf_file.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf_file), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Trygghetsinventering 2025" in text and "Sammanfattning" in text and "Belysning" in text
    assert "import " not in text and "SELECT" not in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "2025", "--out", "rapport.docx"], "--out"),
        (["--year", "1999", "--out", "rapport.html"], "1999"),
        (["--year", "2031", "--out", "rapport.pdf"], "2031"),
    ],
)
def test_est_report_refuses_bad_input_plainly(cli, app_context, tmp_path, args, message):
    result = cli.invoke(args=["est-report", *[str(tmp_path / a) if a.startswith("rapport") else a for a in args]])
    assert result.exit_code != 0 and message in result.output
    assert "Traceback" not in result.output and not list(tmp_path.iterdir())


def test_est_report_names_missing_notebook_packages(cli, app_context, tmp_path, monkeypatch):
    import importlib.util

    from gis_app.extensions import db
    from gis_app.inventory.models import InventoryYear

    db.session.add(InventoryYear(year=2025, status="open"))
    db.session.commit()
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "nbconvert" else real_find_spec(name, *a)
    )
    result = cli.invoke(args=["est-report", "--year", "2025", "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 1 and "nbconvert" in result.output and "[notebook]" in result.output
