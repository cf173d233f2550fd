"""Fill the new columns of 0008 for dossiers filed before it.

- `applicant_name_folded`: the folded applicant name, in batches by id.
- `supplement_returned_at`: for open dossiers whose supplement came back (their log's last
  `supplement` event) and no officer has acted on since, the time it came back.
"""

from django.db import migrations

from motcua.core.text import fold

BATCH = 2000
OFFICER_ROLES = {"receiver", "specialist", "leader"}


def backfill(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    DossierEvent = apps.get_model("dossiers", "DossierEvent")
    last_id = 0
    while True:
        rows = list(Dossier.objects.filter(pk__gt=last_id).order_by("pk").values_list("pk", "applicant_name")[:BATCH])
        if not rows:
            break
        changed = [Dossier(pk=pk, applicant_name_folded=fold(name or "")[:255]) for pk, name in rows]
        Dossier.objects.bulk_update(changed, ["applicant_name_folded"])
        last_id = rows[-1][0]

    candidates = Dossier.objects.filter(supplement_requests__gt=0, status__in=[1, 2, 4]).order_by("pk")
    last_id = 0
    while True:
        ids = list(candidates.filter(pk__gt=last_id).values_list("pk", flat=True)[:BATCH])
        if not ids:
            break
        returned: dict[int, object] = {}
        events = (
            DossierEvent.objects.filter(dossier_id__in=ids)
            .order_by("dossier_id", "seq")
            .values_list("dossier_id", "action", "role", "at")
        )
        for dossier_id, action, role, at in events.iterator(chunk_size=BATCH):
            if action == "supplement":
                returned[dossier_id] = at
            elif role in OFFICER_ROLES:
                returned.pop(dossier_id, None)  # an officer acted since: looked at
        Dossier.objects.bulk_update(
            [Dossier(pk=pk, supplement_returned_at=at) for pk, at in returned.items()], ["supplement_returned_at"]
        )
        last_id = ids[-1]


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0008_search_columns_supplement_returned_extension_proposals")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
