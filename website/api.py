from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet

# Wagtail's read-only content API: published pages (form definitions among them).
api_v2_router = WagtailAPIRouter("wagtailapi")
api_v2_router.register_endpoint("pages", PagesAPIViewSet)
