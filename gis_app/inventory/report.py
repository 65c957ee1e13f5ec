"""The annual EST report as a document: run the report notebook for a year, render it without code (HTML or PDF).

The notebook packages (the `notebook` extra) are imported inside the functions: serving the app needs none of them.
"""

import os
from pathlib import Path

from flask import current_app, render_template
from flask_babel import gettext as _
from markupsafe import Markup

from gis_app.errors import AppError

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "annual_est_report.ipynb"
HIDDEN_TAG = "report-hide"  # cells the notebook marks as working steps, not part of the document
STYLESHEET = Path(__file__).resolve().parents[1] / "static" / "inventory" / "est_report.css"
KERNEL_TIMEOUT = 600  # seconds per cell; the slowest (the hotspot map) takes a few seconds on the demo data
NOTEBOOK_PACKAGES = ("matplotlib", "nbclient", "nbconvert", "nbformat", "ipykernel")


class ReportError(AppError):
    """The report could not be made: a missing package, or the notebook failed."""

    status = 500
    code = "ReportFailed"


def check_packages() -> None:
    """Raise ReportError naming the notebook packages that are not installed."""
    from importlib.util import find_spec

    missing = [name for name in NOTEBOOK_PACKAGES if find_spec(name) is None]
    if missing:
        raise ReportError(
            _(
                "The report needs the notebook packages, which are missing (%(names)s). Install them "
                "with: pip install -c constraints.txt -e '.[notebook]'",
                names=", ".join(missing),
            )
        )


def execute(year: int, database_url: str, notebook_path: Path = NOTEBOOK):
    """Run the notebook for `year` against the database in a fresh kernel; return it with its outputs."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.read(notebook_path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=KERNEL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(notebook_path.parent)}},
    )
    # The kernel is another process: it learns the database and the year from its environment.
    env = os.environ | {"DATABASE_URL": database_url, "REPORT_YEAR": str(year)}
    try:
        client.execute(env=env)
    except CellExecutionError as error:
        raise ReportError(_("The report notebook failed: %(error)s", error=f"{error.ename}: {error.evalue}")) from None
    return notebook


def body_html(notebook) -> str:
    """The executed notebook as an HTML fragment: text, tables and charts; no code, prompts or working cells."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = {HIDDEN_TAG}
    config.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(
        config=config,
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_output_stdin=True,
        exclude_anchor_links=True,
    )
    exporter.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
    body, _resources = exporter.from_notebook_node(notebook)
    return body


def document(year: int, body: str) -> str:
    """The whole HTML document around the notebook's body, with its own print stylesheet (nothing fetched)."""
    return render_template(
        "inventory/est_report.html", year=year, body=body, stylesheet=Markup(STYLESHEET.read_text(encoding="utf-8"))
    )  # noqa: S704  (our own file)


def to_pdf(html: str) -> bytes:
    """Render the report's HTML as a PDF; only data: URLs (the charts) may be read."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()


def build(year: int, out: Path) -> int:
    """Run the notebook for `year` and write the document to `out` (.html or .pdf); return its size in bytes."""
    check_packages()
    notebook = execute(year, current_app.config["SQLALCHEMY_DATABASE_URI"])
    html = document(year, body_html(notebook))
    data = to_pdf(html) if out.suffix.lower() == ".pdf" else html.encode("utf-8")
    out.write_bytes(data)
    return len(data)
