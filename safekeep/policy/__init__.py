"""Pure safeguarding rules: calendars, deadlines, and (to come) policy packs and escalation ladders.

Nothing here touches the database, so each rule can be read and tested on its own.
"""
