import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string



def healthz(request):
    """For the load balancer: is the app up and can it reach its database? Says nothing else."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def not_found(request, exception=None):
    if request.path_info.startswith("/api/"):  # an address no endpoint has: the API's own kind of answer
        return JsonResponse({"type": "about:blank", "title": "Not found", "status": 404},
                            status=404, content_type="application/problem+json")
    return render(request, "404.html", status=404)


# How long a client waits before trying again while the database is out of reach.
RETRY_AFTER_SECONDS = 30
OUTAGE = ("Safekeep cannot reach its database just now. What you sent may or may not have been saved: "
          "Safekeep cannot tell until the database is back.")
# The recording page's words, given back on the outage page so that a concern is never lost (CE 10.1).
RECORDING_WORDS = {"narrative": "What happened", "childs_words": "What the child said, in their own words",
                   "action_taken": "What you did", "location": "Where"}


def _database_outage() -> bool:
    error = sys.exc_info()[1]
    # OperationalError: the connection was refused or lost; a bare DatabaseError is psycopg's word for a
    # server that went away mid-query. A bad query (ProgrammingError, IntegrityError) is a fault, not this.
    return isinstance(error, (OperationalError, InterfaceError)) or type(error) is DatabaseError


def server_error(request):
    """Rendered without the request's context: the context processors read the database, which may be the
    very thing that failed. Says only what is known."""
    if not _database_outage():
        return HttpResponse(render_to_string("500.html"), status=500)
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"type": "about:blank", "title": "Service unavailable", "status": 503,
                                 "detail": f"{OUTAGE} Send the same request again with the same Idempotency-Key: "
                                           "it is never recorded twice."},
                                status=503, content_type="application/problem+json")
    else:
        recording = request.method == "POST" and request.path_info == "/concerns/new/"
        words = [(name, label, request.POST.get(name, "")) for name, label in RECORDING_WORDS.items()
                 if recording and request.POST.get(name)]
        kept = [(name, value) for name, values in request.POST.lists() for value in values
                if name not in RECORDING_WORDS and name != "intent"] if recording else []
        response = HttpResponse(render_to_string("503.html", {"message": OUTAGE, "words": words, "kept": kept,
                                                              "recording": recording}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # The page may carry what the recorder wrote: never kept in a cache.
    response["Cache-Control"] = "no-store"
    return response
