from django.urls import include, path

from motcua.portal.views import auth, home
from motcua.portal.views import catalog as catalog_views
from motcua.portal.views import inbox as inbox_views
from motcua.portal.views import payments as payment_views
from motcua.portal.views import tracking as tracking_views
from motcua.portal.views import verify as verify_views

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
    path("thu-tuc/", catalog_views.catalog, name="catalog"),
    path("thu-tuc/<str:code>/", catalog_views.procedure, name="procedure"),
    path("tai-khoan/", include(auth_patterns, namespace="accounts")),
    path("xac-thuc-van-ban/", verify_views.verify, name="verify"),
    path("thanh-toan/<str:reference>/", payment_views.payment, name="payment"),
    path("thanh-toan/<str:reference>/ket-qua/", payment_views.payment_result, name="payment_result"),
    path("tra-cuu/", tracking_views.tracking_search, name="tracking"),
    path("tra-cuu/<str:code>/", tracking_views.tracking_detail, name="tracking_detail"),
    path("hop-thu/", inbox_views.inbox, name="inbox"),
    path("hop-thu/<int:notification_id>/", inbox_views.inbox_open, name="inbox_open"),
    path("hop-thu/da-doc-het/", inbox_views.inbox_read_all, name="inbox_read_all"),
    path("tai-khoan/thong-bao/", inbox_views.preferences, name="notification_preferences"),
]
