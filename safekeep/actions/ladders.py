"""The escalation ladders an establishment's steps climb, read from the policy packs it follows."""

from functools import lru_cache

from safekeep.packs.selectors import packs_for
from safekeep.policy.escalation import Ladders, combined
from safekeep.policy.packs import shipped_packs


@lru_cache(maxsize=1)
def _shipped() -> Ladders:
    return combined([pack.ladders for pack in shipped_packs() if pack.ladders])


def ladders_for(establishment, *, packs=None) -> Ladders:
    """The ladders of the packs the establishment follows, over the shipped statutory baseline's: one that
    follows an older version of the baseline, or no pack yet, still climbs at the baseline's pace.
    packs: the establishment's packs, when the caller has already read them."""
    packs = packs_for(establishment) if packs is None else packs
    return combined([_shipped(), *(pack.ladders for pack in packs if pack.ladders)])
