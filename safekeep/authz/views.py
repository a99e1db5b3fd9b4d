from django.shortcuts import render

from .roles import ROLES


def roles(request):
    """Every role in plain English, so a DSL can check who sees what."""
    return render(request, "authz/roles.html", {"roles": ROLES.values()})
