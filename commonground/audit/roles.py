"""PostgreSQL privileges for the application's role: everything it needs, and on the audit table no more
than SELECT and INSERT.

Why: if the application's role owns the audit table it can disable the append-only trigger and rewrite
history. Run migrations as an owner role (COMMONGROUND_OWNER_DATABASE_URL) and connect the app as an
ordinary role (DATABASE_URL); after every migration the owner grants the app what this module says.
"""

from __future__ import annotations

from django.db import connections

APP_TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
AUDIT_TABLE = "audit_auditrecord"


def grant_app_role(app_role: str, using: str = "default") -> None:
    """Grant the app's role its privileges on every table, connected as the owner."""
    if connections[using].vendor != "postgresql":
        return
    with connections[using].cursor() as cursor:
        quoted = connections[using].ops.quote_name(app_role)
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {quoted}")
        cursor.execute(f"GRANT {APP_TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA public TO {quoted}")
        cursor.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {quoted}")
        cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {AUDIT_TABLE} FROM {quoted}")
