from django.urls import include, path

from motcua.portal.views import auth, home

app_name = "portal"

auth_patterns = (
    [
        path("dang-nhap/", auth.login_view, name="login"),
        path("dang-xuat/", auth.logout_view, name="logout"),
    ],
    "accounts",
)

urlpatterns = [
    path("", home.home, name="home"),
    path("tai-khoan/", include(auth_patterns, namespace="accounts")),
]
