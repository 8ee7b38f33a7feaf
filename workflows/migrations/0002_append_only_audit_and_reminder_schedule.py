"""The audit trail refuses UPDATE and DELETE in the database itself on PostgreSQL, and the
hourly reminder/escalation job is scheduled once."""

from django.db import migrations

TRIGGER = """
CREATE OR REPLACE FUNCTION kopdes_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'kopdes_workflows_auditrecord is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER kopdes_audit_append_only
    BEFORE UPDATE OR DELETE ON kopdes_workflows_auditrecord
    FOR EACH ROW EXECUTE FUNCTION kopdes_audit_append_only();
CREATE TRIGGER kopdes_audit_no_truncate
    BEFORE TRUNCATE ON kopdes_workflows_auditrecord
    FOR EACH STATEMENT EXECUTE FUNCTION kopdes_audit_append_only();
"""
DROP_TRIGGER = """
DROP TRIGGER IF EXISTS kopdes_audit_no_truncate ON kopdes_workflows_auditrecord;
DROP TRIGGER IF EXISTS kopdes_audit_append_only ON kopdes_workflows_auditrecord;
DROP FUNCTION IF EXISTS kopdes_audit_append_only();
"""
SCHEDULE_NAME = "Pengingat dan eskalasi persetujuan"


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # No parameters: the driver must not read the "%" of RAISE's format as a placeholder.
        schema_editor.execute(TRIGGER, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER, params=None)


def add_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.get_or_create(
        name=SCHEDULE_NAME,
        defaults={
            "func": "workflows.tasks.review_reminders",
            "schedule_type": "H",
            "repeats": -1,
        },
    )


def drop_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("kopdes_workflows", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        migrations.RunPython(add_trigger, drop_trigger),
        migrations.RunPython(add_schedule, drop_schedule),
    ]
