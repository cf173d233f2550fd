"""Repair the footprint of an old bug: making a draft version ended the version in force.

Until this release, creating a draft (the admin action "Tạo phiên bản mới") closed the
previous version the day before the draft's date, so the procedure vanished from search,
the API and applying on that day. A version that ends exactly the day before a draft starts,
with no non-draft version starting then, is reopened: it ends the day before the next
version that is not a draft, or stays open.
"""

import datetime as dt

from django.db import migrations


def reopen(apps, schema_editor):
    ProcedureVersion = apps.get_model("catalog", "ProcedureVersion")
    by_procedure: dict[int, list] = {}
    for version in ProcedureVersion.objects.order_by("procedure_id", "valid_from"):
        by_procedure.setdefault(version.procedure_id, []).append(version)
    for versions in by_procedure.values():
        drafts_from = {v.valid_from for v in versions if v.status == "draft"}
        in_force = [v for v in versions if v.status != "draft"]
        for position, version in enumerate(in_force):
            if version.valid_to is None or version.valid_to + dt.timedelta(days=1) not in drafts_from:
                continue
            following = in_force[position + 1] if position + 1 < len(in_force) else None
            if following is not None and following.valid_from == version.valid_to + dt.timedelta(days=1):
                continue
            version.valid_to = following.valid_from - dt.timedelta(days=1) if following else None
            version.save(update_fields=["valid_to"])


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [migrations.RunPython(reopen, migrations.RunPython.noop)]
