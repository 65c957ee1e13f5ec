"""Operating the app: backups, restores, and removing personal data after its retention period."""


def init_app(app) -> None:
    """Register the backup, restore and purge commands."""
    from gis_app.maintenance.commands import backup, purge_personal_data, restore

    for command in (backup, restore, purge_personal_data):
        app.cli.add_command(command)
