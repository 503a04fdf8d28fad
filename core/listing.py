from django.core.paginator import Paginator

PER_PAGE = 25


def paginate(request, queryset, per_page=PER_PAGE):
    """One page of `queryset`, and the query string (without `page`) for page links."""
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()
