"""Plain words for the audit log's stable action names, for the screens people read.

The dotted names themselves never change (reports and the chain depend on them); add a line
here when a new action appears. An unknown name is shown as it is.
"""

ACTION_WORDS = {
    "account.login": "Signed in",
    "account.logout": "Signed out",
    "account.mfa.added": "Set up two-factor authentication",
    "action.cancel": "Cancelled an action, with a reason",
    "action.complete": "Completed an action",
    "action.create": "An action was required",
    "action.escalate": "An overdue action was escalated",
    "action.list": "Looked at a list of actions",
    "action.reassign": "Passed an action to someone else",
    "action.view": "Opened an action",
    "action.remind": "A reminder was sent for an action",
    "api_token.create": "Made an API token",
    "api_token.revoke": "Revoked an API token",
    "audit.view": "Read the audit log",
    "concern.addendum": "Added to a concern",
    "concern.create": "Recorded a concern",
    "concern.triage": "Recorded a triage decision",
    "concern.list": "Looked at a list of concerns",
    "concern.read": "Read a new concern (marked as read)",
    "concern.view": "Opened a concern",
    "child.chronology.view": "Read the child's chronology",
    "child.access_log.view": "Looked at who has opened the record",
    "child.import.create": "Added from an MIS file",
    "child.import.update": "Updated from an MIS file",
    "child.search": "Searched for children",
    "child.view": "Opened the record",
    "establishment.create": "Added an establishment",
    "establishment.link": "Linked two establishments",
    "establishment.update": "Changed an establishment",
    "establishment.view": "Opened an establishment",
    "import.check": "Checked an MIS file",
    "import.load": "Loaded an MIS file",
    "local_contact.create": "Added a local contact",
    "local_contact.delete": "Removed a local contact",
    "organisation.create": "Set up the organisation",
    "person.create": "Added a person",
    "person.import.create": "Added a person from an MIS file",
    "person.import.update": "Updated a person from an MIS file",
    "person.unlock": "Unlocked an account",
    "person.update": "Changed a person's details",
    "person.view": "Opened a person's details",
    "policy.adopt": "Adopted a policy version",
    "policy.evaluate": "Asked what the policies require",
    "policy.load": "Loaded a policy version",
    "policy.manage": "Opened policy management",
    "policy.view": "Opened a policy version",
    "role.end": "Took away a role",
    "role.grant": "Gave a role",
    "url.denied": "Tried a page they may not use",
    "url.unlisted": "Tried a page that does not exist",
}


def describe(action: str) -> str:
    return ACTION_WORDS.get(action, action)
