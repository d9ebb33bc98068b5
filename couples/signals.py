from django.dispatch import Signal

# Sent inside the transaction that ends a couple (kwargs: couple). Apps with scheduled work for the
# couple (reminders) stop it here.
couple_ended = Signal()
