"""Routes of the review under /api/v1/. URL names start with "api-" so that they never collide with
the portal's."""

from django.urls import path

from . import api

tasks = api.TaskViewSet.as_view({"get": "list"})
task = api.TaskViewSet.as_view({"get": "retrieve"})
task_decide = api.TaskViewSet.as_view({"post": "decide"})
submission_history = api.SubmissionReviewViewSet.as_view({"get": "history"})
submission_withdraw = api.SubmissionReviewViewSet.as_view({"post": "withdraw"})

urlpatterns = [
    path("tasks/", tasks, name="api-task-list"),
    path("tasks/<int:pk>/", task, name="api-task-detail"),
    path("tasks/<int:pk>/decide/", task_decide, name="api-task-decide"),
    path("submissions/<int:pk>/history/", submission_history, name="api-submission-history"),
    path("submissions/<int:pk>/withdraw/", submission_withdraw, name="api-submission-withdraw"),
]
