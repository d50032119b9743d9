"""Which language SolNet speaks to a request."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import trans_real

from solnet.network.models import Network

SUPPORTED = dict(settings.LANGUAGES)


class NetworkLanguageMiddleware:
    """Chooses, in order: the language switcher's cookie, the member's own choice, the
    browser's wish if the network works in that language, the network's default language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.network = Network.objects.current()  # type: ignore[attr-defined]
        language = self.choose(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", language)
        return response

    def choose(self, request: HttpRequest) -> str:
        network = request.network  # type: ignore[attr-defined]
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if cookie in SUPPORTED:
            return cookie
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.preferred_language in SUPPORTED:
            return user.preferred_language
        for browser in self.browser_languages(request):
            if not network.languages or browser in network.languages:
                return browser
        if network.default_language in SUPPORTED:
            return network.default_language
        return settings.LANGUAGE_CODE

    @staticmethod
    def browser_languages(request: HttpRequest) -> list[str]:
        header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
        found = []
        for code, _quality in trans_real.parse_accept_lang_header(header):
            base = code.split("-")[0].lower()
            if base in SUPPORTED and base not in found:
                found.append(base)
        return found
