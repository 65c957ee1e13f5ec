"""Operating the app: backups, restores, and removing personal data after its retention period."""
