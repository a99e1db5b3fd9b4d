"""Every model field is classified for data protection (DESIGN.md section 4).

Each model in a Safekeep app declares ``data_classification``: field name -> one of the
values below. tests/unit/test_field_classification.py fails on any field left out, so a
new column cannot arrive without someone deciding how sensitive it is.
"""

from enum import StrEnum


class DataClass(StrEnum):
    NOT_PERSONAL = "not personal"
    PERSONAL = "personal"
    # UK GDPR Article 9 / safeguarding content: health, SEND, care status, case narratives.
    SPECIAL_CATEGORY = "special category"


NOT_PERSONAL = DataClass.NOT_PERSONAL
PERSONAL = DataClass.PERSONAL
SPECIAL = DataClass.SPECIAL_CATEGORY
