"""gis-app backup / restore: a round trip gives back every row exactly; a bad file is refused and changes nothing."""

from geoalchemy2.shape import from_shape
from shapely.geometry import LineString, Point, box
from sqlalchemy import text

from gis_app.auth.models import AuditEntry, User
from gis_app.extensions import db
from gis_app.places.models import Observation, Place
from tests.factories import make_area, make_place, make_token, make_user

TABLES = ("place", "observation", "area", "organisation", "app_user", "api_token", "audit_log")


def dump_rows() -> dict[str, list[tuple]]:
    """Every row of the data tables, ordered by id; geometries as (E)WKB hex, as PostGIS returns them untyped."""
    db.session.remove()
    rows = {
        table: [tuple(row) for row in db.session.execute(text(f"SELECT * FROM {table} ORDER BY id"))]
        for table in TABLES
    }
    rows["wkb"] = list(
        db.session.execute(
            text(
                "SELECT encode(ST_AsBinary(geom), 'hex') FROM place UNION ALL "
                "SELECT encode(ST_AsBinary(geom), 'hex') FROM observation UNION ALL "
                "SELECT encode(ST_AsBinary(geom), 'hex') FROM area"
            )
        )
    )
    db.session.remove()  # hold no lock or open transaction the restore would wait for
    return rows


def make_data() -> None:
    """Places of each geometry type with observations (reporters too), an area, users, a token and audit rows."""
    user = make_user("planner")
    make_token(user, scopes=("read", "write:places"))
    make_area(box(14.60, 63.16, 14.66, 63.19))
    point = make_place(observations=["Trasig lampa", "Mörkt"])
    make_place(
        {"type": "LineString", "coordinates": [[14.63, 63.17], [14.64, 63.175]]},
        title="Gångväg",
        observations=["Ingen belysning"],
    )
    park = make_place(box(14.62, 63.17, 14.625, 63.172).__geo_interface__, title="Parken", category_code="vandalism")
    db.session.add(
        Observation(
            place_id=park.id,
            source_code="citizen_report",
            text="Klotter",
            reporter_name="Anna Andersson",
            reporter_contact="anna@example.se",
            geom=from_shape(Point(14.621, 63.171), srid=4326),
        )
    )
    db.session.add(
        AuditEntry(
            user_id=user.id,
            action="create",
            entity="place",
            entity_id=point.id,
            before=None,
            after={"title": point.title, "nested": {"list": [1, 2.5, None]}},
        )
    )
    db.session.commit()


def change_data() -> None:
    """Delete, modify and add rows, as happens between a backup and the need for it."""
    db.session.execute(text("DELETE FROM place WHERE title = 'Gångväg'"))
    db.session.execute(
        text(
            "UPDATE place SET title = 'Ändrad', geom = ST_SetSRID(ST_MakePoint(15, 63), 4326) "
            "WHERE title = 'Mörk passage'"
        )
    )
    db.session.execute(text("UPDATE app_user SET role = 'admin'"))
    db.session.execute(text("DELETE FROM audit_log"))
    db.session.commit()
    make_place(LineString([(14.5, 63.1), (14.6, 63.2)]).__geo_interface__, title="Efteråt")


def test_restore_gives_back_exactly_what_was_backed_up(cli, app_context, tmp_path):
    make_data()
    before = dump_rows()
    backup = tmp_path / "gis.dump"

    result = cli.invoke(args=["backup", str(backup)])
    assert result.exit_code == 0, result.output
    assert "Säkerhetskopierade" in result.output and backup.stat().st_size > 0
    assert backup.stat().st_mode & 0o077 == 0, "a backup holds personal data: owner-only"

    change_data()
    assert dump_rows() != before
    result = cli.invoke(args=["restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    assert "Återställde" in result.output

    after = dump_rows()
    for table in (*TABLES, "wkb"):
        assert after[table] == before[table], table


def test_a_restored_database_keeps_working(cli, app_context, tmp_path):
    """Sequences come back too: new rows get fresh ids, and the app reads the restored rows through the ORM."""
    make_data()
    backup = tmp_path / "gis.dump"
    assert cli.invoke(args=["backup", str(backup)]).exit_code == 0
    db.session.remove()
    assert cli.invoke(args=["restore", str(backup), "--yes"]).exit_code == 0

    new = make_place(title="Ny")
    assert new.id > max(db.session.scalars(db.select(Place.id).where(Place.title != "Ny")))
    assert db.session.scalar(db.select(User.role)) == "planner"


def test_a_bad_file_is_refused_and_changes_nothing(cli, app_context, tmp_path):
    make_data()
    before = dump_rows()
    not_a_dump = tmp_path / "notes.dump"
    not_a_dump.write_text("DROP TABLE place;\n")
    plain_sql = tmp_path / "plain.sql"
    plain_sql.write_text("--\n-- PostgreSQL database dump\n--\nDROP TABLE place;\n")

    for path in (not_a_dump, plain_sql, tmp_path / "missing.dump"):
        result = cli.invoke(args=["restore", str(path), "--yes"])
        assert result.exit_code != 0
        assert "Nothing was restored" in result.output, result.output
        assert "Traceback" not in result.output
    assert dump_rows() == before


def test_a_backup_of_another_database_is_refused(cli, app_context, tmp_path):
    """A pg_dump archive that is not of this app (no alembic_version) would mix foreign tables into ours."""
    import subprocess

    from gis_app.maintenance.backup import connection, pg_tool

    foreign = tmp_path / "postgres.dump"
    conn = connection(db.engine.url.set(database="postgres"))
    subprocess.run(
        [pg_tool("pg_dump"), "--format=custom", f"--file={foreign}", f"--dbname={conn.conninfo}"],
        env=conn.env,
        check=True,
    )
    result = cli.invoke(args=["restore", str(foreign), "--yes"])
    assert result.exit_code != 0 and "not a backup of this application" in result.output


def test_restore_asks_first(cli, app_context, tmp_path):
    make_data()
    backup = tmp_path / "gis.dump"
    assert cli.invoke(args=["backup", str(backup)]).exit_code == 0
    change_data()
    changed = dump_rows()

    result = cli.invoke(args=["restore", str(backup)], input="n\n")
    assert result.exit_code != 0 and "Ersätta ALLA data" in result.output
    assert dump_rows() == changed


def test_the_password_goes_in_the_environment_not_the_command_line():
    from sqlalchemy.engine import make_url

    from gis_app.maintenance.backup import connection

    conn = connection(make_url("postgresql+psycopg://gis:s3cret@db.example.se:5433/gis?sslmode=require"))
    assert "s3cret" not in conn.conninfo
    assert conn.env["PGPASSWORD"] == "s3cret"
    assert set(conn.conninfo.split()) == {
        "host=db.example.se",
        "port=5433",
        "user=gis",
        "dbname=gis",
        "sslmode=require",
    }
    socket = connection(make_url("postgresql+psycopg://postgres@/gis_app?host=/tmp/pg/run&port=54998"))
    assert set(socket.conninfo.split()) == {"host=/tmp/pg/run", "port=54998", "user=postgres", "dbname=gis_app"}


def test_sessions_older_than_a_restore_are_ended_so_spatial_queries_keep_working(cli, app, app_context, tmp_path):
    """PostGIS caches its type ids per session; a restore recreates them, so an older session would fail."""
    make_data()
    backup = tmp_path / "before.dump"
    assert cli.invoke(args=["backup", str(backup)]).exit_code == 0
    db.session.remove()
    older = db.engine.connect()
    older_pid = older.execute(text("SELECT pg_backend_pid()")).scalar()
    older.rollback()
    assert cli.invoke(args=["restore", str(backup), "--yes"]).exit_code == 0
    alive = db.session.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": older_pid})
    older.invalidate()
    older.close()
    assert alive == 0
    inside = db.session.scalar(text("SELECT count(*) FROM area a JOIN place p ON ST_Intersects(p.geom, a.geom)"))
    assert inside >= 1
