"""On PostgreSQL the dossier log refuses UPDATE and DELETE at the database itself.

(SQLite is the single-process development default; its test flushes delete rows, so the
trigger is PostgreSQL-only, where flushes use TRUNCATE. The hash chain covers both.)
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION dossiers_event_append_only() RETURNS trigger AS $$
BEGIN
    -- No format placeholders here: Django composes migration SQL client-side.
    RAISE EXCEPTION 'the dossier log is append-only: UPDATE and DELETE are refused on dossiers_dossierevent';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER dossiers_event_append_only
    BEFORE UPDATE OR DELETE ON dossiers_dossierevent
    FOR EACH ROW EXECUTE FUNCTION dossiers_event_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS dossiers_event_append_only ON dossiers_dossierevent;
DROP FUNCTION IF EXISTS dossiers_event_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0001_initial")]
    operations = [migrations.RunPython(create_trigger, drop_trigger)]
