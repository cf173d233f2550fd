from django.contrib import admin

from motcua.notifications.models import Delivery, Notification, NotificationPreference


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    readonly_fields = ("channel", "address", "status", "attempts", "last_error", "provider_message_id", "sent_at")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("id", "recipient", "event", "title", "dossier_code", "created_at", "read_at")
    list_filter = ("event",)
    search_fields = ("dossier_code",)
    raw_id_fields = ("recipient",)
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("id", "notification", "channel", "status", "attempts", "sent_at")
    list_filter = ("status", "channel")
    raw_id_fields = ("notification",)
    readonly_fields = ("last_error", "provider_message_id")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "email", "sms", "language", "updated_at")
    raw_id_fields = ("user",)
