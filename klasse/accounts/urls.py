from django.contrib.auth import views as auth_views
from django.urls import path

from . import class_views, password_views, sheet_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("inloggen/", views.LoginView.as_view(), name="login"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "wachtwoord-kiezen/<uidb64>/<token>/",
        views.PasswordChooseView.as_view(),
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
    # Teachers in their own classes (issue 15, item 7); administrators in every class.
    path(
        "overzichten/klas/<int:pk>/inlogkaartjes/",
        sheet_views.teacher_class_sheet,
        name="class_sheet",
    ),
    path(
        "overzichten/leerling/<int:pk>/wachtwoord/",
        password_views.student_password,
        name="student_password",
    ),
    path("wachtwoord-wijzigen/", password_views.own_password, name="own_password"),
    # Classes by hand (issue 17, item 10): administrators only.
    path(
        "overzichten/klas/<int:pk>/hernoemen/", class_views.class_rename_view, name="class_rename"
    ),
    path(
        "overzichten/klas/<int:pk>/verwijderen/",
        class_views.class_delete_view,
        name="class_delete",
    ),
    path(
        "overzichten/lege-klassen/verwijderen/",
        class_views.empty_classes_delete,
        name="empty_classes_delete",
    ),
]
