from django.dispatch import Signal

# Sent after the push provider accepted pushes (kwargs: notifications, the Notification rows now
# `sent`). Apps that show delivery to a sender (nudges) record it here.
pushes_sent = Signal()
