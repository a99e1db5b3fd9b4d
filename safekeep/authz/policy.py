"""The URL policy: who may use each named URL, read from url_policy.yaml.

The same file is enforced at run time (UrlPolicyMiddleware for pages, UrlPolicyPermission
for the API) and is the oracle for tests/integration/test_permission_matrix.py, which walks
every URL pattern and fails on a URL missing here or on any allow the file does not grant.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from .roles import Role

POLICY_FILE = Path(__file__).with_name("url_policy.yaml")
PUBLIC, SIGNED_IN, EVERYONE, SUPERUSER = "public", "signed_in", "everyone", "superuser"
LOCATIONS = ("here", "region", "organisation", "elsewhere")


@dataclass(frozen=True)
class MethodRule:
    access: str | None  # public, signed_in, everyone, superuser, or None when limited to roles
    roles: dict[Role, frozenset[str]]  # role -> locations of the object they may reach

    def allows_role_somewhere(self, roles) -> bool:
        return any(role in self.roles for role in roles)

    def admits(self, user, roles) -> bool:
        """For someone signed in with two-factor authentication: may they use this URL at all?
        (Whether the one object is theirs is the selectors' question.)"""
        if self.access in (PUBLIC, SIGNED_IN, EVERYONE):
            return True
        if self.access == SUPERUSER:
            return user.is_superuser
        return self.allows_role_somewhere(roles)


@dataclass(frozen=True)
class UrlRule:
    name: str
    object: str | None
    methods: dict[str, MethodRule]


def _method_rule(name, method, spec, has_object) -> MethodRule:
    if isinstance(spec, str):
        if spec not in (PUBLIC, SIGNED_IN, EVERYONE, SUPERUSER):
            raise ValueError(f"{name} {method}: unknown access {spec!r}")
        return MethodRule(spec, {})
    if isinstance(spec, list):
        if has_object:
            raise ValueError(f"{name} {method}: a URL with an object needs role: [locations]")
        return MethodRule(None, {Role(r): frozenset() for r in spec})
    roles = {}
    for role, locations in spec.items():
        unknown = set(locations) - set(LOCATIONS)
        if unknown:
            raise ValueError(f"{name} {method} {role}: unknown locations {sorted(unknown)}")
        roles[Role(role)] = frozenset(locations)
    return MethodRule(None, roles)


@cache
def load_policy() -> dict[str, UrlRule]:
    raw = yaml.safe_load(POLICY_FILE.read_text())
    rules = {}
    for name, entry in raw.items():
        obj = entry.get("object")
        methods = {
            method: _method_rule(name, method, spec, obj is not None)
            for method, spec in entry.items()
            if method in ("GET", "POST", "PUT", "PATCH", "DELETE")
        }
        rules[name] = UrlRule(name, obj, methods)
    return rules





def rule_for_name(url_name: str) -> UrlRule | None:
    """Exact names first; then a prefix entry ending in '*' (used only for the Django admin)."""
    policy = load_policy()
    if url_name in policy:
        return policy[url_name]
    for name, rule in policy.items():
        if name.endswith("*") and url_name.startswith(name[:-1]):
            return rule
    return None
