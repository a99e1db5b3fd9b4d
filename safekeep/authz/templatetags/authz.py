"""`{% can "child.view" referral as team %}`: a template asks authz.access.can, never decides itself."""

from django import template

from safekeep.authz.access import can as access_can
from safekeep.authz.roles import Permission

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, permission: str, obj) -> bool:
    return access_can(context["request"].user, Permission(permission), obj)
