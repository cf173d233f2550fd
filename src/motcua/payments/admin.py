from django.contrib import admin

from motcua.payments.models import Invoice, PaymentAttempt, PaymentCallback


class AttemptInline(admin.TabularInline):
    model = PaymentAttempt
    extra = 0
    can_delete = False
    fields = ("number", "transaction_id", "state", "created_at", "finished_at", "error")
    readonly_fields = fields


class CallbackInline(admin.TabularInline):
    model = PaymentCallback
    extra = 0
    can_delete = False
    fields = ("received_at", "source", "transaction_id", "signature_ok", "outcome", "detail")
    readonly_fields = fields


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    """Read-only: payments change only through the services (the money trail must hold)."""

    list_display = ("reference", "amount_vnd", "state", "channel", "created_at", "paid_at", "refunded_at")
    list_filter = ("state", "channel")
    search_fields = ("reference", "platform_transaction_id", "dossier__code", "counter_receipt_number")
    date_hierarchy = "created_at"
    inlines = [AttemptInline, CallbackInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PaymentCallback)
class PaymentCallbackAdmin(admin.ModelAdmin):
    list_display = ("received_at", "source", "reference", "transaction_id", "signature_ok", "outcome")
    list_filter = ("source", "signature_ok", "outcome")
    search_fields = ("reference", "transaction_id")
    date_hierarchy = "received_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
