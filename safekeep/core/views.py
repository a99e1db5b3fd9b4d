from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for


def home(request):
    scope = scope_for(request.user)
    return render(request, "core/home.html", {
        "can_search": scope.has(Permission.CHILD_SEARCH),
        "can_manage_people": scope.has(Permission.PERSON_MANAGE),
        "can_import": scope.has(Permission.IMPORT_RUN),
        "can_audit": scope.has(Permission.AUDIT_LOG_VIEW),
        "has_roles": bool(scope.roles),
    })


def healthz(request):
    """For the load balancer: is the app up and can it reach its database? Says nothing else."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
