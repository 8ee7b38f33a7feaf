from django.db import migrations


def create_chart(apps, schema_editor):
    from finance.chart import chart_ensure_standard

    chart_ensure_standard(apps.get_model("finance", "Account"))


class Migration(migrations.Migration):
    dependencies = [("finance", "0005_books")]

    operations = [migrations.RunPython(create_chart, migrations.RunPython.noop)]
