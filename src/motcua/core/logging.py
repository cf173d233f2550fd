"""Logging filter that keeps personal identification numbers out of every log line."""

import logging
import re

# 12-digit personal IDs and 9-digit old ID cards, not part of a longer number.
PERSONAL_ID_PATTERN = re.compile(r"(?<!\d)(\d{12}|\d{9})(?!\d)")


def mask_personal_ids(text: str) -> str:
    return PERSONAL_ID_PATTERN.sub(lambda m: m.group(0)[:3] + "*" * (len(m.group(0)) - 3), text)


class MaskPersonalIdsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal_ids(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
