from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .forms import PortalAuthenticationForm, PortalPasswordChangeForm

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "masuk/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html",
            authentication_form=PortalAuthenticationForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    # Django's LogoutView answers POST only: a link or a prefetch can never sign anyone out.
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "akun/kata-sandi/",
        auth_views.PasswordChangeView.as_view(
            template_name="registration/password_change_form.html",
            form_class=PortalPasswordChangeForm,
        ),
        name="password_change",
    ),
    path(
        "akun/kata-sandi/selesai/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("bahasa/", views.language_switch, name="language_switch"),
]
