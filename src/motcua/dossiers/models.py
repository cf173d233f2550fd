"""Dossiers (hồ sơ), their documents, pauses, due-date history and the hash-chained log.

17 million dossiers a year: every list the interfaces show is served by an index below, and
nothing here computes on save — `services.py` is the only writer.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.lifecycle import OPEN, Clock, Status


class Channel(models.IntegerChoices):
    # KenhThucHien of the national portal.
    IN_PERSON = 1, _("Trực tiếp")
    ONLINE = 2, _("Trực tuyến")
    POST = 3, _("Bưu chính công ích")


class StoredFile(models.Model):
    """An uploaded or generated file, stored once by its SHA-256; the row says who owns it."""

    sha256 = models.CharField(max_length=64, db_index=True)
    name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    # None for files the system made (official forms, generated results).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="files"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tệp")
        verbose_name_plural = _("tệp")

    def __str__(self) -> str:
        return self.name

    @property
    def storage_name(self) -> str:
        return f"blobs/{self.sha256[:2]}/{self.sha256}"


class Dossier(models.Model):
    code = models.CharField(_("mã hồ sơ"), max_length=60, unique=True)
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.PROTECT, related_name="dossiers")
    # The version in force at submission: later catalogue edits never change this dossier's rules.
    procedure_version = models.ForeignKey("catalog.ProcedureVersion", on_delete=models.PROTECT, related_name="+")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dossiers")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # What the applicant declared, as submitted (ChuHoSo, LoaiDoiTuong, MaDoiTuong, …).
    applicant_kind = models.PositiveSmallIntegerField(default=1)
    applicant_name = models.CharField(max_length=255)
    # The name folded for search (core.text.fold: NFC, no diacritics, đ → d, lower case), set
    # at submission: the queues find "nguyen van an" by prefix through `dossier_search_name`.
    applicant_name_folded = models.CharField(max_length=255, blank=True, default="")
    applicant_id_number = models.CharField(max_length=20)
    applicant_phone = models.CharField(max_length=20, blank=True)
    applicant_email = models.EmailField(blank=True)
    applicant_address = models.CharField(max_length=255, blank=True)
    summary = models.CharField(_("trích yếu"), max_length=500, blank=True)
    channel = models.PositiveSmallIntegerField(choices=Channel.choices, default=Channel.ONLINE)
    receiving_agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    # Who holds the dossier now: changes on transfer (liên thông) and reorganisation.
    current_agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    home_agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", help_text="agency a transfer returns to"
    )
    current_handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.PositiveSmallIntegerField(choices=[(s.value, s.name) for s in Status])
    clock = models.CharField(max_length=12, default=Clock.NOT_STARTED)
    resume_status = models.PositiveSmallIntegerField(null=True, blank=True)
    step_index = models.SmallIntegerField(default=-1)
    step_count = models.PositiveSmallIntegerField(default=0)
    # Copied from the procedure version at submission (its steps never change once used):
    # the first step after the one-stop's own receiving steps, and the leader's approval step.
    first_step_index = models.SmallIntegerField(default=0)
    approval_step_index = models.SmallIntegerField(default=-1)
    step_started_at = models.DateTimeField(null=True, blank=True)
    step_due_at = models.DateTimeField(null=True, blank=True)
    approved = models.BooleanField(default=False)
    transferred_out = models.BooleanField(default=False)
    supplement_requests = models.PositiveSmallIntegerField(default=0)
    # When the applicant's supplement arrived, until an officer next acts on the dossier (the
    # handler has looked at it): the "supplements that came back" queue (dossiers/queues.py).
    supplement_returned_at = models.DateTimeField(null=True, blank=True)
    form_data = models.JSONField(default=dict)
    submitted_at = models.DateTimeField()
    received_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    original_due_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    # Set when processing ends: resolved by the due time (domain.md: status 9 ≤ appointment).
    on_time = models.BooleanField(null=True, blank=True)
    late_notified_at = models.DateTimeField(null=True, blank=True)
    due_soon_notified_at = models.DateTimeField(null=True, blank=True)
    return_channel = models.PositiveSmallIntegerField(choices=Channel.choices, null=True, blank=True)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="dossier_idempotency",
            ),
        ]
        indexes = [
            # An applicant's dossiers, newest first (keyset on id).
            models.Index(fields=["applicant", "-id"], name="dossier_applicant_recent"),
            # An agency's work queues by status, soonest due first (keyset on due_at, id).
            models.Index(fields=["current_agency", "status", "due_at", "id"], name="dossier_queue"),
            # Open dossiers by due time: lateness scans and "due soon" lists.
            models.Index(
                fields=["current_agency", "due_at"],
                condition=Q(status__in=[s.value for s in OPEN]),
                name="dossier_open_due",
            ),
            # The lateness scan: open, running dossiers not yet flagged, by due time.
            models.Index(
                fields=["due_at"],
                condition=Q(status__in=[s.value for s in OPEN], clock="running", late_notified_at__isnull=True),
                name="dossier_late_scan",
            ),
            models.Index(fields=["current_handler", "status", "due_at"], name="dossier_handler_queue"),
            # Leaders' "due soon or late" list: running clocks by due time (bench/queues_bench.py).
            models.Index(fields=["current_agency", "clock", "due_at", "id"], name="dossier_running_due"),
            # Queue search by applicant name (folded prefix) and by procedure, within the queue's
            # agency and status; PostgreSQL needs the pattern operator class for LIKE 'x%'.
            models.Index(
                fields=["current_agency", "status", "applicant_name_folded"],
                opclasses=["", "", "varchar_pattern_ops"],
                name="dossier_search_name",
            ),
            models.Index(fields=["current_agency", "status", "procedure", "due_at"], name="dossier_search_procedure"),
            # Supplements that came back and wait for their handler: a handful of rows per agency.
            models.Index(
                fields=["current_agency", "id"],
                condition=Q(supplement_returned_at__isnull=False),
                name="dossier_supplemented",
            ),
            models.Index(fields=["procedure", "submitted_at"], name="dossier_procedure_time"),
            models.Index(fields=["receiving_agency", "submitted_at"], name="dossier_agency_time"),
            # The agency's register (form 07): received in a period, in order of receipt.
            models.Index(fields=["receiving_agency", "received_at", "id"], name="dossier_register"),
        ]

    def __str__(self) -> str:
        return self.code


class DossierDocument(models.Model):
    class Kind(models.TextChoices):
        INPUT = "input", _("Thành phần hồ sơ")
        RESULT = "result", _("Kết quả")
        NOTICE = "notice", _("Phiếu, thông báo")

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    requirement_code = models.CharField(max_length=40, blank=True)
    form_number = models.CharField(max_length=2, blank=True, help_text="01–07 for official forms")
    name = models.CharField(max_length=500)
    # Empty when the document was taken from state data instead of uploaded (reused_from says where).
    file = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    # Where a reused document came from ("declare only once"): "my_documents", "population_db", …
    reused_from = models.CharField(max_length=40, blank=True)
    digitised = models.BooleanField(default=False, help_text="scanned from paper at the counter")
    signed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["dossier", "kind"], name="document_dossier_kind")]

    def __str__(self) -> str:
        return self.name


class DossierPause(models.Model):
    """A stretch of time the clock stood still (waiting for a supplement or a payment)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="pauses")
    reason = models.CharField(max_length=30)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at"]

    def __str__(self) -> str:
        return f"{self.reason}: {self.started_at} → {self.ended_at or '…'}"


class DueDateChange(models.Model):
    """Every earlier appointment date is kept (domain.md: both dates are kept)."""

    class Reason(models.TextChoices):
        PAUSE = "pause", _("Tạm dừng chờ bổ sung/đóng phí")
        EXTENSION = "extension", _("Gia hạn (mẫu 04)")
        REORGANISATION = "reorganisation", _("Sắp xếp tổ chức")

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="due_changes")
    previous_due_at = models.DateTimeField()
    new_due_at = models.DateTimeField()
    reason = models.CharField(max_length=16, choices=Reason.choices)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.previous_due_at} → {self.new_due_at} ({self.reason})"


class DossierStepLog(models.Model):
    """One hand-over in the internal process: the lines of the control sheet (form 06)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="step_logs")
    step_index = models.SmallIntegerField()
    step_name = models.CharField(max_length=300)
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    on_time = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.step_index}. {self.step_name}"


class DossierEvent(models.Model):
    """The dossier log: append-only, each row holding the hash of the one before.

    On PostgreSQL a trigger refuses UPDATE and DELETE (migration 0002);
    `manage.py verify_dossier_log` recomputes every chain.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(max_length=255, blank=True)
    role = models.CharField(max_length=20)
    action = models.CharField(max_length=30)
    title = models.CharField(max_length=255)
    from_status = models.PositiveSmallIntegerField(null=True)
    to_status = models.PositiveSmallIntegerField()
    step_index = models.SmallIntegerField(default=-1)
    agency_code = models.CharField(max_length=40, blank=True)
    note = models.TextField(blank=True)
    public = models.BooleanField(default=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["dossier_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["dossier", "seq"], name="event_dossier_seq")]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.seq} {self.action}"


class DossierMessage(models.Model):
    """A message between the applicant and the officers about one dossier.

    Kept apart from the hash-chained log: the log records lifecycle decisions, one event per
    version; a conversation does not change the dossier and must not make an officer's open
    page stale.
    """

    class Kind(models.TextChoices):
        MESSAGE = "message", _("Trao đổi")
        # A complaint raised from a bad rating (domain.md: satisfaction counts complaints).
        COMPLAINT = "complaint", _("Phản ánh, kiến nghị")

    class AuthorRole(models.TextChoices):
        APPLICANT = "applicant", _("Người nộp hồ sơ")
        OFFICER = "officer", _("Cán bộ")

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="messages")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MESSAGE)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_role = models.CharField(max_length=10, choices=AuthorRole.choices)
    # The name as shown at the time (an officer's agency may change later).
    author_name = models.CharField(max_length=255)
    agency_name = models.CharField(max_length=500, blank=True)
    text = models.TextField(_("nội dung"))
    attachments = models.ManyToManyField(StoredFile, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tin nhắn hồ sơ")
        verbose_name_plural = _("tin nhắn hồ sơ")
        ordering = ["dossier_id", "id"]
        indexes = [
            models.Index(fields=["dossier", "id"], name="message_dossier"),
            # Complaints to answer, newest first, for the back office.
            models.Index(fields=["kind", "-id"], condition=Q(kind="complaint"), name="message_complaints"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.text[:40]}"


class DossierDraft(models.Model):
    """An online application not yet submitted: the applicant comes back to it from My dossiers."""

    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dossier_drafts")
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.CASCADE, related_name="+")
    # The version the answers were given under; the wizard re-checks them against the one in force.
    procedure_version = models.ForeignKey("catalog.ProcedureVersion", on_delete=models.CASCADE, related_name="+")
    form_data = models.JSONField(default=dict, blank=True)
    # {requirement_code: {"file_id": int, "reused_from": "" | "my_documents", "name": str}}
    documents = models.JSONField(default=dict, blank=True)
    agency_code = models.CharField(max_length=40, blank=True)
    step = models.CharField(max_length=12, default="form")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ nháp")
        verbose_name_plural = _("hồ sơ nháp")
        constraints = [models.UniqueConstraint(fields=["applicant", "procedure"], name="draft_applicant_procedure")]
        indexes = [models.Index(fields=["applicant", "-updated_at"], name="draft_applicant_recent")]

    def __str__(self) -> str:
        return f"{self.applicant_id}: {self.procedure_id}"


class PersonalDocument(models.Model):
    """My documents (kho dữ liệu điện tử cá nhân): a file the applicant keeps to reuse in later dossiers.

    Results issued to the applicant are not copied here: they are read from their dossiers.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_documents")
    title = models.CharField(_("tên giấy tờ"), max_length=255)
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    # Set when the file was first uploaded for a dossier's requirement.
    requirement_code = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("giấy tờ của tôi")
        verbose_name_plural = _("giấy tờ của tôi")
        constraints = [models.UniqueConstraint(fields=["owner", "file"], name="personal_document_file")]
        indexes = [models.Index(fields=["owner", "-id"], name="personal_document_recent")]

    def __str__(self) -> str:
        return self.title


class DossierRating(models.Model):
    """The citizen's evaluation of a returned dossier: nine criteria, 0–2 points each (domain.md)."""

    CRITERIA: tuple[tuple[str, Any], ...] = (  # (field, lazy label)
        ("total_time", _("Tổng thời gian giải quyết so với quy định")),
        ("agency_time", _("Thời gian giải quyết tại từng cơ quan")),
        ("contacts", _("Số lần phải liên hệ để hoàn thành hồ sơ")),
        ("agencies_contacted", _("Số cơ quan phải liên hệ")),
        ("desk_organisation", _("Cách tổ chức của bộ phận một cửa")),
        ("publicity", _("Công khai thủ tục hành chính")),
        ("attitude", _("Thái độ của cán bộ")),
        ("feedback_handling", _("Tiếp nhận, xử lý phản ánh, kiến nghị")),
        ("online_service", _("Tiến độ và chất lượng dịch vụ công trực tuyến")),
    )

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="rating")
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    total_time = models.PositiveSmallIntegerField()
    agency_time = models.PositiveSmallIntegerField()
    contacts = models.PositiveSmallIntegerField()
    agencies_contacted = models.PositiveSmallIntegerField()
    desk_organisation = models.PositiveSmallIntegerField()
    publicity = models.PositiveSmallIntegerField()
    attitude = models.PositiveSmallIntegerField()
    feedback_handling = models.PositiveSmallIntegerField()
    online_service = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    comment = models.TextField(_("ý kiến"), blank=True)
    # A bad rating (a "dislike", domain.md indicator 5.4) counts against satisfaction.
    dissatisfied = models.BooleanField(default=False)
    # Denormalised for the agency's satisfaction indicators over a period.
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("đánh giá hồ sơ")
        verbose_name_plural = _("đánh giá hồ sơ")
        constraints = [
            models.CheckConstraint(
                condition=Q(total_time__lte=2)
                & Q(agency_time__lte=2)
                & Q(contacts__lte=2)
                & Q(agencies_contacted__lte=2)
                & Q(desk_organisation__lte=2)
                & Q(publicity__lte=2)
                & Q(attitude__lte=2)
                & Q(feedback_handling__lte=2)
                & Q(online_service__lte=2)
                & Q(total__lte=18),
                name="rating_points_range",
            ),
        ]
        indexes = [models.Index(fields=["agency", "created_at"], name="rating_agency_time")]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.total}/18"


class ExtensionProposal(models.Model):
    """A receiver's or specialist's proposal to extend a dossier about to be late (form 04).

    The leader approves it (the lifecycle action `extend` runs with its date and reason) or
    rejects it with a reason. At most one proposal per dossier is pending at a time.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Chờ lãnh đạo duyệt")
        APPROVED = "approved", _("Đã duyệt")
        REJECTED = "rejected", _("Không duyệt")

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="extension_proposals")
    # The agency holding the dossier when proposed: whose leaders decide.
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    current_due_at = models.DateTimeField()
    new_due_at = models.DateTimeField()
    reason = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("đề nghị gia hạn")
        verbose_name_plural = _("đề nghị gia hạn")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"], condition=Q(state="pending"), name="extension_proposal_one_pending"
            ),
        ]
        indexes = [
            # The leaders' queue: an agency's pending proposals, oldest first.
            models.Index(fields=["agency", "id"], condition=Q(state="pending"), name="extension_proposal_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.new_due_at} ({self.state})"
