from django.shortcuts import render

from .selectors import plans_with_status_counts


def start(request):
    """Start page: municipalities and their plans, each with a one-line status summary."""
    return render(request, "plans/start.html", {"plans": plans_with_status_counts()})
