"""The seed catalogue: real HCMC procedures (src/motcua/catalog/data/seed_procedures.json).

`seed_catalog()` is idempotent (importing the same file again changes nothing) and is called
by `seed_demo`. The data file is in the interchange format of docs/catalog.md; its facts
(codes, times, fees, documents, legal bases) come from public sources as of late 2025, and
the `notes` of each procedure say how sure they are.
"""

import json
from pathlib import Path

from motcua.catalog.services import ImportResult, catalog_import

SEED_FILE = Path(__file__).resolve().parent / "data" / "seed_procedures.json"


def load_seed_document() -> dict:
    return json.loads(SEED_FILE.read_text(encoding="utf-8"))


def seed_catalog(*, seed_agencies: bool = True) -> ImportResult:
    """Load the seed catalogue (≈ 77 procedures), first making sure the agencies it names exist."""
    if seed_agencies:
        from motcua.directory.seed import seed_directory

        seed_directory()
    return catalog_import(documents=[(SEED_FILE.name, load_seed_document())])
