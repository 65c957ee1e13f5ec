"""Users, organisations, roles, API tokens and the audit trail."""
