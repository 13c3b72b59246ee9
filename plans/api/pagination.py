from rest_framework.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    """100 a page; a client may ask for up to 1.000 with ?page_size=."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
