"""Importing places in the browser (/imports): upload, preview with CRS and column mapping, dry run, import all or
nothing, audited; the same engine as `gis-app import-places`, so both make the same places from the same file."""

import json
import re
import warnings
import zipfile
from pathlib import Path

import geopandas
import pytest
from shapely.geometry import Point
from sqlalchemy import func, select, text

from gis_app.auth.models import AuditEntry
from gis_app.extensions import db
from gis_app.imports import uploads
from gis_app.places import importer
from gis_app.places.import_log import PlaceImport
from gis_app.places.models import Observation, Place
from tests.factories import csrf_token
from tests.test_import_places import STOCKHOLM, broken_places, sample_places, write_file

SUFFIXES = (".gpkg", ".geojson", ".csv", ".zip")


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path, monkeypatch):
    """Each test's uploads in a folder of its own."""
    monkeypatch.setitem(app.config, "IMPORT_UPLOAD_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


@pytest.fixture
def planner(client_as):
    return client_as("planner")


def write_any(frame: geopandas.GeoDataFrame, path: Path, epsg: int = 4326) -> Path:
    """Write the frame as GeoPackage, GeoJSON, CSV or a zipped Shapefile written by pyogrio (points only, as a
    Shapefile holds one geometry type, and with the 10-character column names it cuts longer ones to)."""
    if path.suffix != ".zip":
        return write_file(frame, path, epsg)
    folder = path.parent / f"{path.stem}_shp"
    folder.mkdir()
    points = frame.set_geometry(frame.geometry.representative_point()).to_crs(epsg)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the column names cut to 10 characters
        points.to_file(folder / f"{path.stem}.shp", engine="pyogrio")
    with zipfile.ZipFile(path, "w") as archive:
        for part in folder.iterdir():
            archive.write(part, f"export/{part.name}")  # municipal exports often put the files in a folder
    return path


def counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(Place)),
        db.session.scalar(select(func.count()).select_from(Observation)),
    )


def upload(client, path: Path, name: str | None = None):
    token = csrf_token(client, "/imports/")
    with open(path, "rb") as handle:
        return client.post(
            "/imports/",
            data={"csrf_token": token, "file": (handle, name or path.name)},
            content_type="multipart/form-data",
        )


def upload_id(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response.headers["Location"].rstrip("/").split("/")[-1]


def mapping_form(page: str) -> dict:
    """The mapping form's fields as the preview page filled them in (the guesses)."""
    form = page[page.index('id="mapping-form"') :]
    form = form[: form.index("</form>")]
    data = {name: value for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form)}
    for name, select_html in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', select_html)
        data[name] = next(group for group in chosen.groups() if group is not None) if chosen else ""
    return data


def dry_run(client, upload_id: str, **changes):
    page = client.get(f"/imports/{upload_id}").get_data(as_text=True)
    return client.post(f"/imports/{upload_id}/check", data={**mapping_form(page), **changes})


def run_import(client, upload_id: str):
    token = csrf_token(client, "/imports/")
    return client.post(f"/imports/{upload_id}/import", data={"csrf_token": token})


def browser_import(client, path: Path, **changes):
    """Upload, dry run with the guessed mapping (and `changes`) and import; return the import's response."""
    kept = upload_id(upload(client, path))
    checked = dry_run(client, kept, **changes)
    assert 'data-passed="true"' in checked.get_data(as_text=True), checked.get_data(as_text=True)[-4000:]
    return run_import(client, kept)


def place_rows() -> list[tuple]:
    """The imported places and observations as comparable values (ids and timestamps of the write left out)."""
    return sorted(
        db.session.execute(
            text(
                "SELECT p.title, p.category_code, p.description, p.status_code, p.dismissed_reason, p.time_of_day,"
                " p.affected_group, p.priority, p.reported_on, p.title_reviewed, p.district_id,"
                " ST_AsText(p.geom), ST_AsText(p.public_geom),"
                " (SELECT string_agg(o.text || '|' || o.source_code || '|' || o.observed_at::date || '|' ||"
                "  ST_AsText(o.geom), ';') FROM observation o WHERE o.place_id = p.id)"
                " FROM place p"
            )
        ).all()
    )


# --- each format, good -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_each_format_imports_in_the_browser_and_is_audited(planner, tmp_path, suffix):
    path = write_any(sample_places(), tmp_path / f"platser{suffix}", 3006)
    kept = upload_id(upload(planner, path))

    preview = planner.get(f"/imports/{kept}")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "SWEREF 99 TM (EPSG:3006)" in page  # declared, or guessed for CSV
    config = json.loads(re.search(r'id="import-map-config">(.*?)</script>', page, re.S).group(1))
    assert len(config["features"]["features"]) == 3
    assert {f["properties"]["title"] for f in config["features"]["features"]} == set(sample_places().title)
    checked = dry_run(planner, kept)
    assert 'data-passed="true"' in checked.get_data(as_text=True)
    assert counts() == (0, 0)  # a dry run writes nothing

    response = run_import(planner, kept)

    assert response.status_code == 302 and response.headers["Location"].startswith("/imports/")
    assert counts() == (3, 2)
    log = db.session.scalar(select(PlaceImport))
    assert (log.file_name, log.rows, log.places, log.observations) == (path.name, 3, 3, 2)
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "place_import"))
    assert audit.user_id == planner.user.id and audit.action == "create"
    assert (audit.after["file_name"], audit.after["rows"]) == (path.name, 3)
    listed = planner.get("/imports/").get_data(as_text=True)
    assert path.name in listed and planner.user.email in listed
    assert not any(Path(uploads.current_app.config["IMPORT_UPLOAD_DIR"]).iterdir())  # the file is gone


# --- each format, broken ---------------------------------------------------------------------------------------------


def _attribute_table(path: Path) -> Path:
    """A GeoPackage whose only layer is a table without geometry."""
    import pandas as pd
    import pyogrio

    pyogrio.write_dataframe(pd.DataFrame({"title": ["A"], "category": ["other"]}), path, driver="GPKG")
    return path


def _zip(path: Path, members: dict) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def _shapefile_parts(tmp_path: Path) -> dict:
    folder = tmp_path / "parts"
    folder.mkdir()
    zipped = write_any(sample_places(), folder / "platser.zip")
    with zipfile.ZipFile(zipped) as archive:
        return {Path(name).name: archive.read(name) for name in archive.namelist()}


def _symlink_zip(path: Path) -> Path:
    info = zipfile.ZipInfo("platser.shp")
    info.external_attr = 0o120777 << 16  # a symbolic link
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(info, "/etc/passwd")
    return path


BROKEN = {
    "table.gpkg": (_attribute_table, "ingen geometri"),
    "broken.geojson": (lambda path: path.write_text('{"type": "FeatureCollection", "features": [') and path, "broken"),
    "no_coordinates.csv": (lambda path: path.write_text("title,category\nA,other\n") and path, "lon"),
    "not_a_zip.zip": (lambda path: path.write_bytes(b"PK\x03\x04 not really") and path, "zip"),
    "no_shapefile.zip": (lambda path: _zip(path, {"readme.txt": "hej"}), ".shp"),
    "places.txt": (lambda path: path.write_text("title\n") and path, ".zip"),
    "symlink.zip": (_symlink_zip, "länk"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_files_are_refused_at_upload_naming_the_file_field(planner, tmp_path, name):
    make, needle = BROKEN[name]
    path = make(tmp_path / name)

    response = upload(planner, path)

    page = response.get_data(as_text=True)
    assert response.status_code == 400, page[:500]
    errors = re.search(r'data-field="file">(.*?)</div>', page, re.S).group(1)
    assert needle in errors, errors
    assert "Traceback" not in page


def test_zip_path_traversal_is_refused(planner, tmp_path):
    parts = _shapefile_parts(tmp_path)
    path = _zip(tmp_path / "evil.zip", {**{f"ok/{k}": v for k, v in parts.items()}, "../../etc/cron.d/x.prj": "x"})

    response = upload(planner, path)

    assert response.status_code == 400
    assert "unsafe path" in response.get_data(as_text=True) or "osäker sökväg" in response.get_data(as_text=True)
    assert not (tmp_path.parent / "etc").exists()


def test_zip_bomb_is_refused(app, planner, tmp_path, monkeypatch):
    parts = _shapefile_parts(tmp_path)
    # 50 MB of zeros in a .dbf packs into about 50 kB: over the unpacked limit, though the zip itself is small.
    path = _zip(tmp_path / "bomb.zip", {**parts, "platser.dbf": b"\0" * 50_000_000})
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 10_000_000)

    response = upload(planner, path)

    assert path.stat().st_size < 1_000_000
    assert response.status_code == 400
    assert "10000000" in response.get_data(as_text=True)


def test_too_many_rows_and_too_large_a_file(app, planner, tmp_path, monkeypatch):
    path = write_any(sample_places(), tmp_path / "platser.gpkg")
    monkeypatch.setitem(app.config, "IMPORT_MAX_FEATURES", 2)
    too_many = upload(planner, path)
    monkeypatch.setitem(app.config, "IMPORT_MAX_FEATURES", 100)
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 10_000)
    too_large = upload(planner, path)

    assert too_many.status_code == 400 and re.search(r"\b3\b.*\b2\b", too_many.get_data(as_text=True))
    assert too_large.status_code == 413
    page = too_large.get_data(as_text=True)
    assert 'data-field="file"' in page and "0.0 MB" in page
    assert counts() == (0, 0)


def test_an_upload_over_the_photo_limit_but_under_the_import_limit_is_taken(app, planner, tmp_path, monkeypatch):
    """The global MAX_CONTENT_LENGTH is sized for photos; an import may be as large as IMPORT_MAX_BYTES."""
    path = write_any(sample_places(), tmp_path / "platser.gpkg")
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)

    assert upload(planner, path).status_code == 302


# --- dry run ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def municipality(cli, reference_data):
    result = cli.invoke(
        args=[
            "import-areas",
            str(reference_data / "ostersund_kommun_from_deso2018.geojson"),
            "--kind",
            "municipality",
        ]
    )
    assert result.exit_code == 0, result.output


def test_dry_run_lists_every_refused_row_in_swedish_and_imports_nothing(planner, municipality, tmp_path):
    path = write_any(broken_places(), tmp_path / "trasig.geojson")
    kept = upload_id(upload(planner, path))

    checked = dry_run(planner, kept)

    page = checked.get_data(as_text=True)
    assert checked.status_code == 200 and 'data-passed="false"' in page
    rows = re.findall(r'<tr data-row="(\d+)"><td>(.*?)</td>\s*<td data-field>(.*?)</td>', page, re.S)
    assert {(int(row), field.split(" <")[0]) for row, _where, field in rows} == {
        (2, "Geometri"),
        (3, "Geometri"),
        (4, "Kategori"),
        (5, "Titel"),
        (6, "Geometri"),
        (7, "Geometri"),
        (7, "Prioritet"),
        (7, "Tid på dygnet"),
    }
    assert "objekt 7" in page and "utanför kommunen" in page and "nonsense_category" in page
    refused = run_import(planner, kept)
    assert refused.status_code == 409
    assert counts() == (0, 0) and db.session.scalar(select(func.count()).select_from(PlaceImport)) == 0


def test_wrong_crs_is_refused_row_by_row_and_the_right_one_passes(planner, tmp_path):
    path = write_any(
        sample_places().iloc[:2].set_geometry([Point(14.6372, 63.1767), Point(14.6368, 63.1878)]),
        tmp_path / "sweref.csv",
        3006,
    )
    kept = upload_id(upload(planner, path))
    assert 'value="EPSG:3006" selected' in planner.get(f"/imports/{kept}").get_data(as_text=True)  # the guess

    as_degrees = dry_run(planner, kept, crs="EPSG:4326").get_data(as_text=True)
    as_rt90 = dry_run(planner, kept, crs="EPSG:3021").get_data(as_text=True)
    as_sweref = dry_run(planner, kept, crs="EPSG:3006").get_data(as_text=True)

    assert re.findall(r'<tr data-row="(\d+)">', as_degrees) == ["2", "3"]
    assert re.findall(r'<tr data-row="(\d+)">', as_rt90) == ["2", "3"]
    assert "utanför" in as_rt90
    assert 'data-passed="true"' in as_sweref


def test_an_unknown_crs_or_layer_is_a_400_naming_the_field(planner, tmp_path):
    kept = upload_id(upload(planner, write_any(sample_places(), tmp_path / "p.csv")))

    bad_crs = planner.get(f"/imports/{kept}?crs=EPSG:9999")
    bad_layer = planner.get(f"/imports/{kept}?layer=nope")

    assert bad_crs.status_code == 400 and b"crs" in bad_crs.data
    assert bad_layer.status_code == 400 and b"layer" in bad_layer.data


def test_the_mapping_needs_title_and_category_and_renames_columns(planner, tmp_path):
    frame = sample_places().rename(columns={"title": "namn", "category": "kategori", "note": "anteckning"})
    kept = upload_id(upload(planner, write_any(frame, tmp_path / "svenska.gpkg")))
    guessed = mapping_form(planner.get(f"/imports/{kept}").get_data(as_text=True))
    assert (guessed["column_title"], guessed["column_category"], guessed["column_note"]) == (
        "namn",
        "kategori",
        "anteckning",
    )

    missing = dry_run(planner, kept, column_title="")

    assert missing.status_code == 400
    assert re.search(r'data-field="column_title">', missing.get_data(as_text=True))
    assert run_import(planner, kept).status_code == 409  # no dry run has passed
    assert dry_run(planner, kept, column_description="namn").status_code == 200
    assert run_import(planner, kept).status_code == 302
    place = db.session.scalar(select(Place).where(Place.title == "Mörk passage vid Stortorget"))
    assert place.description == place.title and counts() == (3, 2)


def test_multi_layer_geopackage_offers_its_layers(planner, tmp_path):
    path = tmp_path / "lager.gpkg"
    sample_places().iloc[:1].to_file(path, layer="en", engine="pyogrio")
    sample_places().to_file(path, layer="tre", engine="pyogrio")
    kept = upload_id(upload(planner, path))

    first = planner.get(f"/imports/{kept}").get_data(as_text=True)
    second = planner.get(f"/imports/{kept}?layer=tre").get_data(as_text=True)
    checked = dry_run(planner, kept, layer="tre")

    assert 'id="layer-choice"' in first and "<dd data-rows>1</dd>" in first
    assert "<dd data-rows>3</dd>" in second
    assert 'data-passed="true"' in checked.get_data(as_text=True)
    assert run_import(planner, kept).status_code == 302 and counts()[0] == 3
    assert db.session.scalar(select(PlaceImport.layer)) == "tre"


# --- all or nothing, progress, one engine ----------------------------------------------------------------------------


def test_nothing_is_written_when_the_write_fails_after_a_passing_dry_run(planner, tmp_path, monkeypatch):
    kept = upload_id(upload(planner, write_any(sample_places(), tmp_path / "p.geojson")))
    assert 'data-passed="true"' in dry_run(planner, kept).get_data(as_text=True)
    real_rows = importer._observation_rows
    monkeypatch.setattr(
        importer, "_observation_rows", lambda *a: [{**row, "source_code": "no_such_source"} for row in real_rows(*a)]
    )

    response = run_import(planner, kept)

    assert response.status_code == 422
    assert counts() == (0, 0)
    assert db.session.scalar(select(func.count()).select_from(PlaceImport)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_a_row_failing_at_import_time_refuses_the_whole_file(planner, tmp_path, monkeypatch, app):
    """The import checks every row again: what changed since the dry run (the area, here) still stops it."""
    kept = upload_id(upload(planner, write_any(sample_places(), tmp_path / "p.gpkg")))
    assert 'data-passed="true"' in dry_run(planner, kept).get_data(as_text=True)
    monkeypatch.setitem(app.config, "AREA_BOUNDS", (14.0, 63.0, 14.637, 63.5))  # cuts off the eastern rows

    response = run_import(planner, kept)

    assert response.status_code == 422 and b'data-passed="false"' in response.data
    assert counts() == (0, 0)


def test_progress_is_reported_while_checking_and_writing(app_context, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "WRITE_BATCH", 2)
    monkeypatch.setattr(importer, "CHECK_REPORT_EVERY", 2)
    seen = []

    importer.import_places(write_any(sample_places(), tmp_path / "p.gpkg"), progress=lambda *step: seen.append(step))

    assert seen == [("checking", 2, 3), ("checking", 3, 3), ("writing", 2, 3), ("writing", 3, 3)]


def test_the_progress_page_answers_the_owner_only(app, planner, client_as, tmp_path):
    kept = upload_id(upload(planner, write_any(sample_places(), tmp_path / "p.gpkg")))
    with app.test_request_context():
        folder = Path(app.config["IMPORT_UPLOAD_DIR"]) / kept
    (folder / "progress.json").write_text(json.dumps({"phase": "writing", "done": 1, "total": 3}))
    other = client_as("planner")

    assert planner.get(f"/imports/{kept}/progress").get_json() == {"phase": "writing", "done": 1, "total": 3}
    assert other.get(f"/imports/{kept}/progress").status_code == 404
    assert other.get(f"/imports/{kept}").status_code == 404
    assert planner.get("/imports/..%2F..%2Fetc/progress").status_code == 404


def test_the_command_and_the_browser_make_identical_places(cli, planner, municipality, tmp_path):
    frame = sample_places().rename(columns={"title": "namn", "category": "kategori"})
    for suffix in SUFFIXES:
        path = write_any(frame, tmp_path / f"lika{suffix}", 3006)
        options = ["--crs", "EPSG:3006"] if suffix == ".csv" else []
        result = cli.invoke(args=["import-places", str(path), *options])
        assert result.exit_code == 0, result.output
        assert "namn" in result.output  # the fields read from other columns are reported
        from_command = place_rows()
        db.session.execute(text("TRUNCATE place, observation RESTART IDENTITY CASCADE"))
        db.session.commit()

        assert browser_import(planner, path).status_code == 302
        from_browser = place_rows()
        db.session.execute(text("TRUNCATE place, observation RESTART IDENTITY CASCADE"))
        db.session.commit()

        assert from_browser == from_command and len(from_command) == 3, suffix
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "place_import")) == 8
    )


def test_the_command_takes_a_column_mapping(cli, app_context, tmp_path):
    frame = sample_places().rename(columns={"title": "rubrik_x"})
    path = write_any(frame, tmp_path / "p.geojson")

    refused = cli.invoke(args=["import-places", str(path)])
    imported = cli.invoke(args=["import-places", str(path), "--column", "title=rubrik_x"])
    typo = cli.invoke(args=["import-places", str(path), "--column", "titel"])

    assert refused.exit_code == 1 and "title" in refused.output
    assert imported.exit_code == 0, imported.output
    assert typo.exit_code == 2 and "--column" in typo.output
    assert counts() == (3, 2)


# --- who may import, and the files left behind -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "planner"])
def test_planners_and_admins_may_import(client_as, role):
    response = client_as(role).get("/imports/")
    assert response.status_code == 200 and b'id="upload-form"' in response.data
    assert b'data-nav="imports"' in response.data


@pytest.mark.parametrize("role", ["field_staff", "police", "security", "property_owner"])
def test_others_are_refused(client_as, tmp_path, role):
    client = client_as(role)
    path = write_any(sample_places(), tmp_path / "p.geojson")

    assert client.get("/imports/").status_code == 403
    with open(path, "rb") as handle:
        data = {"file": (handle, "p.geojson"), "csrf_token": csrf_token(client, "/login")}
        posted = client.post("/imports/", data=data, content_type="multipart/form-data")
    assert posted.status_code == 403
    assert b'data-nav="imports"' not in client.get("/").data
    assert counts() == (0, 0)


def test_the_public_is_sent_to_log_in(client):
    response = client.get("/imports/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_expired_uploads_are_swept(app, planner, tmp_path, monkeypatch):
    kept = upload_id(upload(planner, write_any(sample_places(), tmp_path / "p.gpkg")))
    monkeypatch.setattr(uploads, "UPLOAD_TTL_SECONDS", -1)

    assert planner.get(f"/imports/{kept}").status_code == 404
    with app.test_request_context():
        assert uploads.sweep_expired() == 1
        assert not (Path(app.config["IMPORT_UPLOAD_DIR"]) / kept).exists()


def test_discarding_removes_the_file(app, planner, tmp_path):
    kept = upload_id(upload(planner, write_any(sample_places(), tmp_path / "p.gpkg")))

    response = planner.post(f"/imports/{kept}/discard", data={"csrf_token": csrf_token(planner, "/imports/")})

    assert response.status_code == 302
    assert not (Path(app.config["IMPORT_UPLOAD_DIR"]) / kept).exists()
    assert planner.get(f"/imports/{kept}").status_code == 404


def test_the_stockholm_row_is_drawn_but_a_row_off_the_globe_is_counted(planner, tmp_path):
    path = tmp_path / "konstig.csv"
    path.write_text(f"title,category,lon,lat\nA,other,{STOCKHOLM[0]},{STOCKHOLM[1]}\nB,other,500000,7000000\n")
    kept = upload_id(upload(planner, path))

    page = planner.get(f"/imports/{kept}?crs=EPSG:4326").get_data(as_text=True)

    config = json.loads(re.search(r'id="import-map-config">(.*?)</script>', page, re.S).group(1))
    assert [f["properties"]["row"] for f in config["features"]["features"]] == [2]
    assert "1 rader har koordinater" in page or "1 rows have coordinates" in page


def test_hostile_titles_columns_and_file_names_never_reach_a_script(planner, tmp_path):
    """The file's texts (titles, column names, its name) reach the pages only as escaped HTML or JSON blocks."""
    from tests.xss_corpus import CORPUS, MARKER, script_problems

    count = len(CORPUS)
    frame = geopandas.GeoDataFrame(
        {"title": CORPUS, "category": ["other"] * count, CORPUS[3]: CORPUS},
        geometry=[Point(14.6372 + 0.0005 * index, 63.1767) for index in range(count)],
        crs="EPSG:4326",
    )
    path = write_any(frame, tmp_path / "hostile.geojson")
    kept = upload_id(upload(planner, path, name=f"{CORPUS[3]}.geojson"))

    preview = planner.get(f"/imports/{kept}").get_data(as_text=True)
    checked = dry_run(planner, kept, column_category=CORPUS[3].lower()).get_data(as_text=True)  # every row refused

    for page in (preview, checked):
        assert MARKER in page
        assert script_problems(page) == [], script_problems(page)
