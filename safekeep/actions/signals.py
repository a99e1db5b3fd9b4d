"""What closing an action tells the parts of Safekeep above it, which this app may not import (ADR 0001).

`action_closed` is sent inside the transaction that completes or cancels the action, so whatever a receiver
writes (a referral no longer awaiting its agency's answer, safekeep.referrals) is written with the action's
change, its chronology entry and its audit event, or not at all. Arguments: action (the Action, now done or
cancelled).
"""

from django.dispatch import Signal

action_closed = Signal()
