from django.shortcuts import render

from .selectors import KINDS, read_chronology


def chronology(request, child_id):
    kind = request.GET.get("kind", "")
    page = request.GET.get("page", "1")
    child, entries = read_chronology(request.user, child_id, kind=kind, page=int(page) if page.isdigit() else 1)
    template = "chronology/print.html" if request.GET.get("print") == "1" else "chronology/chronology.html"
    return render(request, template, {"child": child, "entries": entries, "kind": kind, "kinds": KINDS})
