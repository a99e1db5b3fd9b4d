"""No page or API answer from Safekeep is kept by the browser or anything between (issue 10, section 5).

Staff rooms and children's homes share devices: a page kept in the browser's cache shows a concern again
when someone presses Back after signing out. Every answer a view gives (pages for those signed in, the sign-in
pages, the API) is therefore marked not to be stored. Static files are answered by WhiteNoise before this
runs, and keep their long caching.
"""


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Replaces any weaker header a view set: case data is never stored, not even privately.
        response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"  # for HTTP/1.0 caches, which know no Cache-Control
        return response
