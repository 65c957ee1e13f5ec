"""Import places in the browser: upload a file, preview it on a map with its CRS and a column mapping, dry run, then
import all or nothing with progress shown. Every step calls the engine of `gis-app import-places`
(gis_app/places/importer.py); who may come here is declared in auth/access.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from gis_app.core.forms import ConfirmForm, form_status, forms_only
from gis_app.core.readers import ImportRejected, RowError, SourceFile, SourceInfo, describe_source, read_source
from gis_app.errors import AppError
from gis_app.imports import uploads
from gis_app.imports.forms import FIELD_LABELS, MappingForm, UploadForm, mapping_field
from gis_app.imports.preview import (
    CRS_CHOICES,
    PREVIEW_MAX_FEATURES,
    build_preview_map,
    drawable_count,
    guess_crs,
    preview_features,
)
from gis_app.maps.embed import embed
from gis_app.places.import_log import recent_imports
from gis_app.places.importer import FIELDS, dry_run, guess_mapping, import_places
from gis_app.tiles import proxied_tile_url

blueprint = Blueprint("imports", __name__)
blueprint.before_request(forms_only)
FORM_OVERHEAD = 64 * 1024  # the multipart envelope and the CSRF token around the file
DEGREES = "EPSG:4326"


@blueprint.url_value_preprocessor
def _upload_limit(endpoint, values) -> None:
    """Let an upload be as large as an import may read. This runs before CSRF protection parses the form, which
    would otherwise refuse it at MAX_CONTENT_LENGTH (sized for photos) with a message naming no field."""
    if endpoint == "imports.upload" and request.method == "POST":
        request.max_content_length = current_app.config["IMPORT_MAX_BYTES"] + FORM_OVERHEAD


@blueprint.errorhandler(RequestEntityTooLarge)
def _too_large(error):
    form = UploadForm(formdata=None)
    form.file.errors = [uploads.too_large(current_app.config["IMPORT_MAX_BYTES"]).message]
    return _upload_page(form), 413


def _asset_url(path: str) -> str:
    return url_for("vendor.asset", filename=path)


# --- step 1: upload -------------------------------------------------------------------------------------------------


@blueprint.route("/imports/", methods=["GET", "POST"])
def upload():
    """Upload a file; it is kept for this session while it is previewed, checked and imported."""
    form = UploadForm()
    if form.validate_on_submit():
        try:
            kept = uploads.save(form.file.data)
        except AppError as error:
            form.file.errors = [error.message]
            return _upload_page(form), error.status
        try:
            _read(kept, None, None)  # refuse at once what cannot be read (type, zip safety, rows, no geometry)
        except (ImportRejected, AppError) as error:
            uploads.discard(kept)
            form.file.errors = [error.message]
            return _upload_page(form), 400
        return redirect(url_for(".preview", upload_id=kept.id))
    return _upload_page(form), form_status(form)


def _upload_page(form) -> str:
    limit = current_app.config["IMPORT_MAX_BYTES"]
    return render_template(
        "imports/upload.html",
        form=form,
        imports=recent_imports(),
        max_mb=f"{limit / 1_000_000:.1f}",
        max_rows=current_app.config["IMPORT_MAX_FEATURES"],
    )


# --- step 2: preview, CRS and column mapping ------------------------------------------------------------------------


@dataclass
class FileView:
    """The file as read for one layer and CRS."""

    info: SourceInfo
    source: SourceFile
    crs: str | None  # the CRS chosen for a file that declares none (CSV included); None when the file says

    @property
    def columns(self) -> list[str]:
        return list(self.source.attributes.columns)


def _read(kept: uploads.Upload, layer: str | None, crs: str | None) -> FileView:
    """Read the upload's layer with the engine's reader; a file that declares no CRS gets `crs` or a guess."""
    info = describe_source(kept.path, allow_csv=True)
    if layer is not None and layer not in info.layers:
        raise AppError(_("Choose one of the file's layers: %(layers)s.", layers=", ".join(info.layers)), field="layer")
    if crs is not None and crs not in CRS_CHOICES:
        raise AppError(_("Choose one of the coordinate systems offered."), field="crs")
    info = describe_source(kept.path, layer=layer or info.layers[0], allow_csv=True)
    if info.declared_crs is not None:
        return FileView(info, read_source(kept.path, layer=info.layer, allow_csv=True), None)
    source = read_source(kept.path, layer=info.layer, crs=crs or DEGREES, allow_csv=True)
    if crs is None and (crs := guess_crs(source)) != DEGREES:
        source = read_source(kept.path, layer=info.layer, crs=crs, allow_csv=True)
    return FileView(info, source, crs or DEGREES)


@blueprint.get("/imports/<upload_id>")
def preview(upload_id: str):
    """The file on a map, its CRS (declared, or chosen for CSV) and the column mapping with guesses filled in."""
    kept = uploads.load(upload_id)
    earlier = kept.choices or {}
    view = _read(kept, request.args.get("layer") or earlier.get("layer"), request.args.get("crs") or earlier.get("crs"))
    mapping = earlier.get("mapping") if earlier.get("layer") == view.info.layer else None
    mapping = {
        name: column for name, column in (mapping or guess_mapping(view.columns)).items() if column in view.columns
    }
    form = MappingForm(formdata=None, data={mapping_field(name): mapping.get(name, "") for name in FIELDS})
    form.set_columns(view.columns)
    return _preview_page(kept, view, form, mapping)


def _preview_page(kept: uploads.Upload, view: FileView, form: MappingForm, mapping: dict, status: int = 200):
    features = preview_features(view.source, mapping.get("title"))
    preview_map = build_preview_map(
        features,
        current_app.config["AREA_BOUNDS"],
        _asset_url,
        proxied_tile_url(),
        current_app.config["TILE_ATTRIBUTION"],
    )
    config = preview_map.config(
        texts={"row": _("Row"), "untitled": _("(no title)")},
    )
    return render_template(
        "imports/preview.html",
        upload=kept,
        view=view,
        form=form,
        crs_choices=CRS_CHOICES,
        declared_crs=_crs_text(view.info.declared_crs),
        map=embed(preview_map.map),
        config=config,
        drawn=len(features["features"]),
        drawable=drawable_count(view.source),
        preview_max=PREVIEW_MAX_FEATURES,
        field_names=FIELDS,
        mapping_field=mapping_field,
        discard_form=ConfirmForm(),
    ), status


def _crs_text(crs) -> str | None:
    if crs is None:
        return None
    authority = crs.to_authority()
    if not authority:
        return crs.name
    code = ":".join(authority)
    return CRS_CHOICES.get(code) or f"{crs.name} ({code})"


# --- step 3: dry run ------------------------------------------------------------------------------------------------


@blueprint.post("/imports/<upload_id>/check")
def check(upload_id: str):
    """Check every row with the chosen layer, CRS and mapping; list each row that would be refused and why."""
    kept = uploads.load(upload_id)
    view = _read(kept, request.form.get("layer") or None, request.form.get("crs") or None)
    form = MappingForm()
    form.set_columns(view.columns)
    if not form.validate_on_submit():
        return _preview_page(kept, view, form, form.mapping(), 400)
    choices: dict[str, Any] = {"layer": view.info.layer, "crs": view.crs, "mapping": form.mapping()}
    try:
        run = dry_run(kept.path, crs=view.crs, layer=view.info.layer, mapping=choices["mapping"])
    except ImportRejected as error:
        form.form_errors.append(error.message)  # a refusal of the whole file, shown above the fields
        return _preview_page(kept, view, form, choices["mapping"], 422)
    kept.save_choices({**choices, "passed": not run.errors})
    return _dry_run_page(kept, choices, run.rows, run.errors, run.ignored_columns)


def _dry_run_page(kept: uploads.Upload, choices: dict, rows: int, errors: list, ignored, status=200):
    return render_template(
        "imports/dry_run.html",
        upload=kept,
        rows=rows,
        bad_rows=len({error.row for error in errors}),
        errors=_error_rows(errors, choices["mapping"]),
        mapping=[(FIELD_LABELS[name], column) for name, column in choices["mapping"].items()],
        ignored=ignored,
        crs=choices["crs"] and CRS_CHOICES[choices["crs"]],
        import_form=ConfirmForm(),
        discard_form=ConfirmForm(),
    ), status


def _error_rows(errors: list[RowError], mapping: dict[str, str]) -> list[dict]:
    """Each refusal as the table shows it: where in the file, the field (and the column it came from), why."""
    rows = []
    for error in errors:
        where = _("line %(number)d", number=error.row) if error.csv else _("feature %(number)d", number=error.row)
        label = str(FIELD_LABELS[error.field]) if error.field in FIELD_LABELS else error.field
        rows.append(
            {
                "row": error.row,
                "where": where,
                "field": label,
                "column": mapping.get(error.field),
                "reason": error.reason,
            }
        )
    return rows


# --- step 4: import -------------------------------------------------------------------------------------------------


@blueprint.post("/imports/<upload_id>/import")
def run_import(upload_id: str):
    """Import every row with the dry run's choices in one transaction, or nothing; the page polls the progress."""
    kept = uploads.load(upload_id)
    if not ConfirmForm().validate_on_submit():
        raise AppError(_("The form has expired. Reload the page and try again."), field="csrf_token")
    choices = kept.choices
    if not choices or not choices.get("passed"):
        raise AppError(
            _("Run the dry run first: only a file whose every row passes is imported."), status=409, code="Conflict"
        )
    uploads.start_running(kept)
    try:
        result = import_places(
            kept.path,
            crs=choices["crs"],
            layer=choices["layer"],
            mapping=choices["mapping"],
            file_name=kept.file_name,
            progress=lambda phase, done, total: uploads.write_progress(kept, phase, done, total),
        )
    except ImportRejected as error:  # the data changed since the dry run (a new municipality outline, say)
        uploads.stop_running(kept)
        kept.save_choices({**choices, "passed": False})
        flash(error.message)
        return _dry_run_page(kept, choices, 0, error.errors, [], 422)
    except BaseException:
        uploads.stop_running(kept)
        raise
    uploads.discard(kept)
    flash(
        _(
            "Imported %(places)d places and %(observations)d observations from %(file)s.",
            places=result.places,
            observations=result.observations,
            file=kept.file_name,
        )
    )
    return redirect(url_for(".upload", imported=result.import_id))


@blueprint.get("/imports/<upload_id>/progress")
def progress(upload_id: str):
    """How far the running import is: {phase, done, total}."""
    return jsonify(uploads.read_progress(uploads.load(upload_id)))


@blueprint.post("/imports/<upload_id>/discard")
def discard(upload_id: str):
    """Throw the uploaded file away without importing it."""
    kept = uploads.load(upload_id)
    if not ConfirmForm().validate_on_submit():
        raise AppError(_("The form has expired. Reload the page and try again."), field="csrf_token")
    uploads.discard(kept)
    flash(_("Discarded %(file)s; nothing was imported.", file=kept.file_name))
    return redirect(url_for(".upload"))
