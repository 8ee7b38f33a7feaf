"""Arrears are recomputed every night at 01:00 (Asia/Makassar)."""

import datetime

from django.db import migrations

SCHEDULE_NAME = "Tunggakan pinjaman (harian)"


def add_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    Schedule.objects.get_or_create(
        name=SCHEDULE_NAME,
        defaults={
            "func": "loans.tasks.arrears_nightly",
            "schedule_type": "D",
            "repeats": -1,
            "next_run": datetime.datetime(
                tomorrow.year, tomorrow.month, tomorrow.day, 17, 0, tzinfo=datetime.UTC
            ),  # 01:00 WITA
        },
    )


def drop_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("loans", "0007_arrears"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(add_schedule, drop_schedule)]
