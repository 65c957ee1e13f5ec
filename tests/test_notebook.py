"""The annual EST report notebook runs top to bottom, for every year, on the demo data `make run` loads."""
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from gis_app.inventory import demo as inventory_demo

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "annual_est_report.ipynb"


@pytest.fixture
def make_run_data(cli, app_context, reference_data):
    """The database as `make run` leaves it: the shipped boundaries imported, then `gis-app demo-data`."""
    for name, kind in (("ostersund_kommun_from_deso2018.geojson", "municipality"),
                       ("ostersund_deso2018.geojson", "district")):
        result = cli.invoke(args=["import-areas", str(reference_data / name), "--kind", kind, "--if-empty"])
        assert result.exit_code == 0, result.output
    result = cli.invoke(args=["demo-data", "--if-empty"])
    assert result.exit_code == 0, result.output


def run_notebook(year: int, database_url: str, monkeypatch) -> nbformat.NotebookNode:
    """Execute the notebook for one year in a fresh kernel; return it with its outputs."""
    monkeypatch.setenv("DATABASE_URL", database_url)  # the kernel inherits this process's environment
    monkeypatch.setenv("REPORT_YEAR", str(year))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
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
