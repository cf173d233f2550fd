from django.urls import path

from motcua.backoffice.views import administration, complaints, dossier, home, intake, register

app_name = "backoffice"

urlpatterns = [
    path("", home.home, name="home"),
    path("tiep-nhan/", intake.intake_start, name="intake"),
    path("tiep-nhan/ho-so/", intake.intake_dossier, name="intake_dossier"),
    path("ho-so/<str:code>/", dossier.dossier_detail, name="dossier"),
    path("ho-so/<str:code>/thao-tac/<str:action>/", dossier.dossier_action, name="action"),
    path("ho-so/<str:code>/giay-to/<int:document_id>/", dossier.document, name="document"),
    path("ho-so/<str:code>/mau-06/", dossier.control_sheet, name="form06"),
    path("ho-so/<str:code>/tin-nhan/", dossier.dossier_message, name="message"),
    path("ho-so/<str:code>/gia-han/de-nghi/", dossier.extension_propose, name="extension_propose"),
    path("ho-so/<str:code>/phi/thu-tai-quay/", dossier.counter_payment, name="counter_payment"),
    path("ho-so/<str:code>/phi/<str:reference>/hoan-tra/", dossier.fee_refund, name="fee_refund"),
    path("ho-so/<str:code>/gia-han/khong-duyet/", dossier.extension_reject, name="extension_reject"),
    path("phan-anh/", complaints.complaint_list, name="complaints"),
    path("so-theo-doi/", register.register, name="register"),
    path("so-theo-doi/pdf/", register.register_pdf, name="register_pdf"),
    path("quan-tri/", administration.admin_home, name="admin"),
    path("quan-tri/co-quan/<str:agency_code>/", administration.agency_officers, name="agency_officers"),
    path(
        "quan-tri/co-quan/<str:agency_code>/vai-tro/<int:membership_id>/thoi-giao/",
        administration.membership_remove,
        name="membership_remove",
    ),
    path("quan-tri/sap-xep-to-chuc/", administration.reorganisation, name="reorganisation"),
]
