"""Administration: users, organisations and API tokens (admins only)."""
