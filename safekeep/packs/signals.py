"""What pack adoption tells the parts of Safekeep above it, which this app may not import (ADR 0001).

`pack_adopted` is sent inside the adoption's transaction, so whatever a receiver writes (the annual policy
review closing, safekeep.governance) is written with the adoption and its audit event, or not at all.
Arguments: adoption (the PackAdoption), actor and role (who adopted it, as the permission check found them).
"""

from django.dispatch import Signal

pack_adopted = Signal()
