from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from .api import api_v2_router

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", include("website.api_v1")),
    path("api/v2/", api_v2_router.urls),
    path("", include("website.portal_urls")),
    path("", include("cooperatives.urls")),
    path("", include("forms.urls")),
    path("", include("workflows.urls")),
    path("", include("imports.urls")),
    path("", include("imports.export_urls")),
    path("", include("loans.urls")),
    path("", include("loans.matching_urls")),
    path("", include("finance.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail serves the pages of the tree (the forms live there); it must come last.
urlpatterns += [path("", include(wagtail_urls))]
