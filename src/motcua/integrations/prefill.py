"""Pre-filling e-forms from the population database ("declare only once").

A procedure's form schema marks fields with `x-prefill` sources (`catalog.eforms.PREFILL_SOURCES`);
the `population_db.*` ones are read here, live, for a citizen whose identity is verified:

    prefill_for(user) -> {"population_db.permanent_address": "...", ...}
    prefill_form(schema, user) -> {"noi_cu_tru": "...", ...}   (only the schema's fields)

Both return {} for an account that is not a verified person or is unknown to the database,
and raise `IntegrationUnavailable` when it does not answer (the page then lets the citizen type).
"""

from typing import Any

from motcua.accounts.models import ApplicantProfile, User
from motcua.catalog.eforms import form_properties
from motcua.integrations.population import fetch_person
from motcua.integrations.population.mapping import PREFILL


def prefill_for(user: User) -> dict[str, Any]:
    """Every `population_db.*` prefill source's value for this verified citizen."""
    profile = ApplicantProfile.objects.filter(user=user).first()
    if profile is None or profile.kind != ApplicantProfile.Kind.PERSON or profile.verified_at is None:
        return {}
    record = fetch_person(id_number=profile.id_number)
    if record is None:
        return {}
    values = {source: read(record) for source, read in PREFILL.items()}
    return {source: value for source, value in values.items() if value not in ("", None)}


def prefill_form(schema: dict[str, Any], user: User) -> dict[str, Any]:
    """Field name → value for the schema's fields pre-filled from the population database.

    A value the field would refuse (not in its `enum`) is left out: the citizen chooses.
    """
    fields = {
        name: field
        for name, field in form_properties(schema)
        if str(field.get("x-prefill") or "").startswith("population_db.")
    }
    if not fields:
        return {}
    values = prefill_for(user)
    result = {}
    for name, field in fields.items():
        value = values.get(field["x-prefill"])
        if value is None or ("enum" in field and value not in field["enum"]):
            continue
        result[name] = value
    return result
