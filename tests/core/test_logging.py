import logging

from motcua.core.logging import MaskPersonalIdsFilter, mask_personal_ids


def test_personal_ids_are_masked_in_text():
    assert mask_personal_ids("citizen 079090001234 applied") == "citizen 079********* applied"
    # Longer numbers (e.g. a phone with country code, a dossier sequence) are left alone.
    assert mask_personal_ids("code 000.00.31.H29-260105-0001") == "code 000.00.31.H29-260105-0001"


def test_log_records_never_carry_a_personal_id(caplog):
    logger = logging.getLogger("motcua.test")
    logger.addFilter(MaskPersonalIdsFilter())
    with caplog.at_level(logging.INFO, logger="motcua.test"):
        logger.info("verifying %s against the population database", "079090001234")
    assert "079090001234" not in caplog.text
    assert "079*********" in caplog.text
