"""The annual policy review hears of pack adoption (safekeep.packs.signals): adopting the revised policy closes
the review, in the adoption's own transaction."""

from django.dispatch import receiver

from safekeep.packs.models import PackAdoption
from safekeep.packs.signals import pack_adopted

from .services import policy_reviews_close_on_adoption


@receiver(pack_adopted, sender=PackAdoption)
def close_reviews_of_the_adopted_pack(sender, *, adoption, actor, role="", **kwargs):
    policy_reviews_close_on_adoption(adoption=adoption, actor=actor, role=role)
