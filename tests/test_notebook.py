"""The annual EST report notebook runs top to bottom against the demo data."""
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from gis_app.inventory import demo as inventory_demo
from gis_app.places import demo

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "annual_est_report.ipynb"


def test_annual_report_notebook_runs(app_context, database_url, monkeypatch):
    demo.load(count=200)
    assert inventory_demo.load_if_missing(demo.DEFAULT_SEED)
    monkeypatch.setenv("DATABASE_URL", database_url)  # the kernel inherits this process's environment
    monkeypatch.delenv("REPORT_YEAR", raising=False)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    report = notebook.cells[-1].outputs[-1]["data"]["text/plain"]
    assert "'year': 2025" in report
    assert "'remediated': 0" not in report and "'measures_done': 0" not in report
    assert any("image/png" in output.get("data", {}) for output in outputs)
