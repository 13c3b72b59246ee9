from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ChosenLanguageMiddleware:
    """Danish unless the user has chosen otherwise with the language switcher.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a committee member
    with an English browser would get an English portal; here only the user's choice counts.
    The API, which has no switcher, follows Accept-Language ("en" for English messages) and
    is Danish without it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        api = request.path.startswith("/api/")
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen in self.supported:
            language = chosen
        elif api:
            language = translation.get_language_from_request(request)
        else:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        # caches must keep the languages apart
        patch_vary_headers(response, ["Cookie", "Accept-Language"] if api else ["Cookie"])
        return response
