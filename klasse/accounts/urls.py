from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .tokens import password_link_tokens

urlpatterns = [
    path("", views.home, name="home"),
    path("inloggen/", views.LoginView.as_view(), name="login"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "wachtwoord-kiezen/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="registration/password_choose.html",
            success_url="/wachtwoord-gekozen/",
            token_generator=password_link_tokens,
        ),
        name="password_choose",
    ),
    path(
        "wachtwoord-gekozen/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/password_chosen.html"
        ),
        name="password_chosen",
    ),
    path("tools/", views.tools, name="tools"),
    path("overzichten/", views.overview, name="overview"),
    path("overzichten/klas/<int:pk>/", views.class_detail, name="class_detail"),
]
