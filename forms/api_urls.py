"""Routes of the forms app under /api/v1/. URL names start with "api-" so that they never collide
with the portal's."""

from django.urls import path

from . import api

forms_ = api.FormViewSet.as_view({"get": "list"})
form = api.FormViewSet.as_view({"get": "retrieve"})
# Wired by hand, so the action's own pagination_class=None must be passed again here (a router
# would do it); otherwise the schema would promise a page that the view never returns.
versions = api.FormViewSet.as_view({"get": "versions"}, pagination_class=None)
version_schema = api.FormViewSet.as_view({"get": "version_schema"})
submissions = api.SubmissionViewSet.as_view({"get": "list", "post": "create"})
submission = api.SubmissionViewSet.as_view({"get": "retrieve"})
submission_step = api.SubmissionViewSet.as_view({"put": "save_step"})
submission_submit = api.SubmissionViewSet.as_view({"post": "submit"})
submission_file = api.SubmissionViewSet.as_view({"get": "file"})

urlpatterns = [
    path("forms/", forms_, name="api-form-list"),
    path("forms/<int:pk>/", form, name="api-form-detail"),
    path("forms/<int:pk>/versions/", versions, name="api-form-versions"),
    path(
        "forms/<int:pk>/versions/<int:revision_id>/schema/",
        version_schema,
        name="api-form-version-schema",
    ),
    path("submissions/", submissions, name="api-submission-list"),
    path("submissions/<int:pk>/", submission, name="api-submission-detail"),
    path("submissions/<int:pk>/steps/<int:step>/", submission_step, name="api-submission-step"),
    path("submissions/<int:pk>/submit/", submission_submit, name="api-submission-submit"),
    path(
        "submissions/<int:pk>/files/<int:file_id>/",
        submission_file,
        name="api-submission-file",
    ),
]
