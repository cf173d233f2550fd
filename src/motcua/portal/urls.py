from django.urls import include, path

from motcua.portal.views import account, auth, home, pwa
from motcua.portal.views import apply as apply_views
from motcua.portal.views import catalog as catalog_views
from motcua.portal.views import inbox as inbox_views
from motcua.portal.views import my_documents as my_document_views
from motcua.portal.views import my_dossiers as my_dossier_views
from motcua.portal.views import payments as payment_views
from motcua.portal.views import tracking as tracking_views
from motcua.portal.views import verify as verify_views

app_name = "portal"

auth_patterns = (
    [
        path("dang-nhap/", auth.login_view, name="login"),
        path("dang-nhap/ma-xac-thuc/", auth.login_code_view, name="login_code"),
        path("dang-xuat/", auth.logout_view, name="logout"),
        path("", account.profile, name="profile"),
        path("xac-thuc-lai/", account.reverify, name="reverify"),
        path("dang-ky/", account.signup, name="signup"),
        path("dang-ky/cong-dan/", account.signup_form, {"kind": "citizen"}, name="signup_citizen"),
        path("dang-ky/doanh-nghiep/", account.signup_form, {"kind": "business"}, name="signup_business"),
        path("dang-ky/to-chuc/", account.signup_form, {"kind": "organisation"}, name="signup_organisation"),
        path("dang-nhap-hai-buoc/", account.two_factor_home, name="two_factor"),
        path("dang-nhap-hai-buoc/cai-dat/", account.two_factor_setup, name="two_factor_setup"),
        path("dang-nhap-hai-buoc/tat/", account.two_factor_disable, name="two_factor_disable"),
        path("dang-nhap-hai-buoc/ma-du-phong/", account.recovery_codes, name="recovery_codes"),
        path("doi-mat-khau/", account.PasswordChangeView.as_view(), name="password_change"),
        path("quen-mat-khau/", auth.PasswordResetView.as_view(), name="password_reset"),
        path("quen-mat-khau/da-gui/", auth.PasswordResetDoneView.as_view(), name="password_reset_done"),
        path(
            "dat-lai-mat-khau/<uidb64>/<token>/",
            auth.PasswordResetConfirmView.as_view(),
            name="password_reset_confirm",
        ),
        path("dat-lai-mat-khau/xong/", auth.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    ],
    "accounts",
)

urlpatterns = [
    path("", home.home, name="home"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("ngoai-tuyen/", pwa.offline, name="offline"),
    path("thu-tuc/", catalog_views.catalog, name="catalog"),
    path("thu-tuc/<str:code>/", catalog_views.procedure, name="procedure"),
    path("tai-khoan/", include(auth_patterns, namespace="accounts")),
    path("xac-thuc-van-ban/", verify_views.verify, name="verify"),
    path("thanh-toan/<str:reference>/", payment_views.payment, name="payment"),
    path("thanh-toan/<str:reference>/ket-qua/", payment_views.payment_result, name="payment_result"),
    # Applying online (wizard), My dossiers, My documents.
    path("nop-ho-so/<str:code>/", apply_views.apply, name="apply"),
    path("nop-ho-so/<str:code>/giay-to/", apply_views.apply_documents, name="apply_documents"),
    path("nop-ho-so/<str:code>/xem-lai/", apply_views.apply_review, name="apply_review"),
    path("nop-ho-so/<str:code>/xoa-nhap/", apply_views.apply_discard, name="apply_discard"),
    path("ho-so-cua-toi/", my_dossier_views.my_dossiers, name="my_dossiers"),
    path("ho-so-cua-toi/<str:code>/", my_dossier_views.my_dossier, name="my_dossier"),
    path("ho-so-cua-toi/<str:code>/tin-nhan/", my_dossier_views.my_dossier_message, name="my_dossier_message"),
    path(
        "ho-so-cua-toi/<str:code>/tin-nhan/tep/<int:file_id>/",
        my_dossier_views.my_dossier_attachment,
        name="my_dossier_attachment",
    ),
    path("ho-so-cua-toi/<str:code>/bo-sung/", my_dossier_views.my_dossier_supplement, name="my_dossier_supplement"),
    path("ho-so-cua-toi/<str:code>/rut/", my_dossier_views.my_dossier_withdraw, name="my_dossier_withdraw"),
    path("ho-so-cua-toi/<str:code>/danh-gia/", my_dossier_views.my_dossier_rate, name="my_dossier_rate"),
    path("ho-so-cua-toi/<str:code>/phan-anh/", my_dossier_views.my_dossier_complain, name="my_dossier_complain"),
    path(
        "ho-so-cua-toi/<str:code>/giay-to/<int:document_id>/",
        my_dossier_views.my_dossier_download,
        name="my_dossier_download",
    ),
    path("giay-to-cua-toi/", my_document_views.my_documents, name="my_documents"),
    path("giay-to-cua-toi/<str:key>/", my_document_views.my_document_download, name="my_document_download"),
    path("giay-to-cua-toi/<int:document_id>/xoa/", my_document_views.my_document_delete, name="my_document_delete"),
    path("tra-cuu/", tracking_views.tracking_search, name="tracking"),
    path("tra-cuu/<str:code>/", tracking_views.tracking_detail, name="tracking_detail"),
    path("hop-thu/", inbox_views.inbox, name="inbox"),
    path("hop-thu/<int:notification_id>/", inbox_views.inbox_open, name="inbox_open"),
    path("hop-thu/da-doc-het/", inbox_views.inbox_read_all, name="inbox_read_all"),
    path("tai-khoan/thong-bao/", inbox_views.preferences, name="notification_preferences"),
]
