import contextvars
import json
import logging
import re
import uuid

from django.http import JsonResponse
from django.shortcuts import render

_request_id = contextvars.ContextVar("request_id", default="-")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    """Gives every request an id that ties its log lines to its audit rows (never case content)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex
        token = _request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record):
        record.request_id = current_request_id()
        return True


# PostgreSQL's bigint, the type of every id and whole number Safekeep stores.
BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")
BAD_INPUT = ("The request has a character or a number Safekeep cannot accept: a NUL character, or a whole number "
             f"outside {BIGINT_MIN} to {BIGINT_MAX}. Nothing was saved.")


def _out_of_range(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and not BIGINT_MIN <= value <= BIGINT_MAX


def _bad_text(text: str) -> bool:
    """NUL, which PostgreSQL cannot store in text, or a number no column can hold."""
    return "\x00" in text or (len(text) > 18 and _WHOLE_NUMBER.fullmatch(text) is not None
                              and _out_of_range(int(text)))


def _bad_json(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_bad_json(k) or _bad_json(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_bad_json(item) for item in value)
    return _out_of_range(value)


def bad_input(request):
    """400: for the API a problem+json body; for a page, what happened and that nothing was kept."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"type": "about:blank", "title": "Bad request", "status": 400, "detail": BAD_INPUT},
                            status=400, content_type="application/problem+json")
    return render(request, "400.html", {"message": BAD_INPUT}, status=400)


class BadInputMiddleware:
    """Malformed input is refused at the boundary, once for every page and endpoint, before it reaches the
    database: NUL in the path, a query or form value or a JSON body, and whole numbers larger than any id
    (in the path, a query or form value, or JSON). A clear 400, never a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._malformed(request):
            return bad_input(request)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # <int:...> in a URL matches any number of digits: a number no id can be is refused here.
        if any(_out_of_range(value) for value in (*view_args, *view_kwargs.values())):
            return bad_input(request)
        return None

    def _malformed(self, request) -> bool:
        if "\x00" in request.path_info:
            return True
        fields = [request.GET]
        if request.method == "POST" and request.content_type in ("application/x-www-form-urlencoded",
                                                                   "multipart/form-data"):
            fields.append(request.POST)
        for data in fields:
            for key, values in data.lists():
                if _bad_text(key) or any(_bad_text(value) for value in values):
                    return True
        if request.content_type == "application/json" and request.body:
            try:
                body = json.loads(request.body)
            except ValueError:
                return False  # not JSON at all: the API's parser answers that with its own 400
            return _bad_json(body)
        return False
