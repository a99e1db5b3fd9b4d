"""A referral hears when its chase closes (safekeep.actions.signals), in the closing service's transaction."""

from django.dispatch import receiver

from safekeep.actions.models import Action
from safekeep.actions.signals import action_closed

from .models import CHASE_STEP, Referral


@receiver(action_closed, sender=Action)
def chase_closed(sender, action, **kwargs):
    """The agency's decision came (referral_outcome_record completes the chase), or the DSL completed or
    cancelled the chase on the action list: the referral no longer awaits an answer. Other steps cost nothing."""
    if action.action_code == CHASE_STEP and action.pk is not None:
        Referral.objects.filter(chase_action_id=action.pk, awaiting_answer=True).update(awaiting_answer=False)
