"""The default copy of every message the app sends: the ONE place a message is added.

A new notification kind registers its message(s) here with `notification(...)`: the default title
and body as `gettext_lazy` strings (then `make messages` and translate them in locale/), the
placeholders with a sample value each, and which lock-screen text stands for it. Until it does,
tests/messaging/test_copy_coverage.py fails. The push and inbox texts are then rendered in the
recipient's language by `notifications.services.notify(kind=..., message=..., params=...)`.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from messaging.registry import Group, Message, Text, register
from notifications.models import Notification

Kind = Notification.Kind

# Sample values for the admin's preview.
PARTNER = {"partner_name": "Alex"}
RITUAL = {"ritual_title": "Evening walk"}
GOAL = {"goal_title": "Run a half marathon"}
MESSAGE = {"message": "Thinking of you!"}

# The lock-screen texts (privacy levels other than "full"; notifications.delivery).
LOCK_SCREEN_PARTNER = "lock_screen.partner"
LOCK_SCREEN_REMINDER = "lock_screen.reminder"
LOCK_SCREEN_GENERIC = "lock_screen.generic"
LOCK_SCREEN_DATE = "lock_screen.date"
LOCK_SCREENS = (LOCK_SCREEN_PARTNER, LOCK_SCREEN_REMINDER, LOCK_SCREEN_DATE, LOCK_SCREEN_GENERIC)

PASSWORD_RESET_EMAIL = "email.password_reset"  # noqa: S105  (a message key, not a password)
EMAIL_VERIFICATION_CODE = "email.verification_code"
EMAIL_LINK_CODE = "email.link_code"
EMAIL_ACCOUNT_DELETED_SUBSCRIPTION = "email.account_deleted_subscription"


def notification(
    kind: str,
    title: Text,
    body: Text = "",
    *,
    variant: str = "",
    placeholders: dict[str, str] | None = None,
    lock_screen: str = LOCK_SCREEN_GENERIC,
    description: str = "",
    derive: Any = None,
) -> Message:
    """Registers the message `notification.<kind>[.<variant>]`."""
    key = f"notification.{kind}" + (f".{variant}" if variant else "")
    return register(
        Message(
            key=key,
            group=Group.NOTIFICATION,
            title=title,
            body=body,
            placeholders=placeholders or {},
            description=description,
            kind=str(kind),
            lock_screen=lock_screen,
            derive=derive,
        )
    )


def notification_key(kind: str, variant: str = "") -> str:
    return f"notification.{kind}" + (f".{variant}" if variant else "")


# LOCK SCREEN
# ------------------------------------------------------------------------------
register(
    Message(
        LOCK_SCREEN_PARTNER,
        Group.LOCK_SCREEN,
        _("Your partner sent you something"),
        "",
        {},
        "Shown instead of the text of a notification from the partner, at the “partner” privacy level.",
    )
)
register(
    Message(
        LOCK_SCREEN_REMINDER,
        Group.LOCK_SCREEN,
        _("A ritual is coming up"),
        "",
        {},
        "Shown instead of a ritual reminder's text, at the “partner” privacy level.",
    )
)
register(
    Message(
        LOCK_SCREEN_DATE,
        Group.LOCK_SCREEN,
        _("A date is coming up"),
        "",
        {},
        "Shown instead of a date reminder's text, at the “partner” privacy level.",
    )
)
register(
    Message(
        LOCK_SCREEN_GENERIC,
        Group.LOCK_SCREEN,
        _("You have a new notification"),
        "",
        {},
        "Shown at the “generic” privacy level, and at the “partner” level for notifications not from the partner.",
    )
)

# E-MAILS
# ------------------------------------------------------------------------------
register(
    Message(
        PASSWORD_RESET_EMAIL,
        Group.EMAIL,
        _("Reset your password"),
        _(
            "Someone asked to reset the password of your account. If it was you, open this link on your "
            "phone within an hour:\n\n{link}\n\nIf it was not you, ignore this e-mail; nothing changes."
        ),
        {"link": "https://app.example.com/reset-password?uid=MQ&token=sample-token"},
        "The password-reset e-mail (title: the subject).",
    )
)
register(
    Message(
        EMAIL_VERIFICATION_CODE,
        Group.EMAIL,
        _("{code} is your verification code"),
        _(
            "Your code to verify this e-mail address for Couples is:\n\n    {code}\n\nEnter it in the app "
            "within {minutes} minutes. It works once.\n\nIf you did not ask for it, ignore this e-mail: "
            "nothing changes."
        ),
        {"code": "482913", "minutes": "15"},
        "The code that verifies an e-mail address, at sign-up and on a change of address (title: the subject).",
    )
)
register(
    Message(
        EMAIL_LINK_CODE,
        Group.EMAIL,
        _("{code} is your code to link {provider}"),
        _(
            "Someone is signing in to your Couples account with {provider}. To link it to your account, "
            "enter this code in the app:\n\n    {code}\n\nIt works once, within {minutes} minutes.\n\n"
            "If it was not you, do not share the code with anyone and ignore this e-mail: your account "
            "stays as it is."
        ),
        {"code": "482913", "minutes": "15", "provider": "Apple"},
        "The code that links an Apple or Google sign-in to an existing account (title: the subject).",
    )
)
register(
    Message(
        EMAIL_ACCOUNT_DELETED_SUBSCRIPTION,
        Group.EMAIL,
        _("Your account is deleted, but your {store_name} subscription is not cancelled"),
        _(
            "Your Couples account and everything in it are deleted.\n\nDeleting the account does not cancel "
            "your subscription: it is billed through {store_name}, and only you can cancel it there. Until you "
            "do, it renews and you are charged again.\n\nTo cancel it:\n\n{cancel_steps}\n\nOr open "
            "{manage_url}\n\nIf you have cancelled it already, there is nothing more to do."
        ),
        {
            "store_name": "App Store",
            "cancel_steps": "1. First step in the store\n2. Second step\n3. Third step",
            "manage_url": "https://apps.apple.com/account/subscriptions",
        },
        "Sent when an account is deleted while its own store subscription is active (title: the subject). "
        "{store_name} is App Store or Google Play; {cancel_steps} are that store's numbered steps to cancel, "
        "in the recipient's language (the ones GET me/entitlements shows); {manage_url} the store's page.",
    )
)

# NOTIFICATIONS
# ------------------------------------------------------------------------------
# Couples
notification(
    Kind.INVITE_ACCEPTED,
    _("{partner_name} accepted your invite"),
    _("You are paired. Start your first ritual together."),
    placeholders=PARTNER,
    lock_screen=LOCK_SCREEN_PARTNER,
)
_ARCHIVED = _("Your shared rituals and goals are archived. Your own check-ins stay with you.")
notification(Kind.PARTNER_UNPAIRED, _("Your partner ended your pairing"), _ARCHIVED)
notification(Kind.PARTNER_DELETED_ACCOUNT, _("Your partner closed their account"), _ARCHIVED)


# Rituals
def _starts_in(values: dict[str, Any]) -> dict[str, str]:
    """ "now", "in 15 minutes", "in 2 hours" in the active language, from the reminder's offset."""
    try:
        minutes = int(values.get("minutes") or 0)
    except ValueError:
        minutes = 0
    if minutes <= 0:
        return {"starts_in": str(_("now"))}
    if minutes < 120:
        return {"starts_in": ngettext("in %(count)d minute", "in %(count)d minutes", minutes) % {"count": minutes}}
    hours = minutes // 60
    return {"starts_in": ngettext("in %(count)d hour", "in %(count)d hours", hours) % {"count": hours}}


notification(
    Kind.RITUAL_REMINDER,
    "{ritual_title}",
    _("Your ritual starts {starts_in}."),
    placeholders={**RITUAL, "minutes": "15", "starts_in": "in 15 minutes"},
    lock_screen=LOCK_SCREEN_REMINDER,
    description="{starts_in} is “now”, “in 15 minutes” or “in 2 hours” in the recipient's language.",
    derive=_starts_in,
)
_COMPLETED = _("{partner_name} completed “{ritual_title}”")
notification(
    Kind.RITUAL_COMPLETED_BY_PARTNER,
    _COMPLETED,
    placeholders={**PARTNER, **RITUAL},
    lock_screen=LOCK_SCREEN_PARTNER,
)
notification(
    Kind.RITUAL_COMPLETED_BY_PARTNER,
    _COMPLETED,
    _("Confirm it when you have done it too."),
    variant="confirm",
    placeholders={**PARTNER, **RITUAL},
    lock_screen=LOCK_SCREEN_PARTNER,
    description="For a ritual both partners confirm.",
)

# Goals (the body is the goal's title)
for kind, title in (
    (Kind.GOAL_PROPOSED, _("{partner_name} proposed a goal")),
    (Kind.GOAL_ACCEPTED, _("{partner_name} accepted your goal")),
    (Kind.GOAL_DECLINED, _("{partner_name} declined your goal")),
    (Kind.GOAL_WITHDRAWN, _("{partner_name} withdrew their goal")),
    (Kind.GOAL_COMPLETED, _("{partner_name} marked your shared goal as completed")),
    (Kind.GOAL_ABANDONED, _("{partner_name} set your shared goal aside")),
):
    notification(kind, title, "{goal_title}", placeholders={**PARTNER, **GOAL}, lock_screen=LOCK_SCREEN_PARTNER)

# Nudges (variant: the nudge's kind; the body is the sender's own words)
for variant, title in (
    ("hug", _("{partner_name} sent you a hug")),
    ("kiss", _("{partner_name} sent you a kiss")),
    ("thinking_of_you", _("{partner_name} is thinking of you")),
    ("appreciation", _("{partner_name} appreciates you")),
):
    notification(
        Kind.NUDGE,
        title,
        "{message}",
        variant=variant,
        placeholders={**PARTNER, **MESSAGE},
        lock_screen=LOCK_SCREEN_PARTNER,
    )
# (variant: the response)
for variant, title in (
    ("heart", _("{partner_name} sent a heart back")),
    ("hug_back", _("{partner_name} hugged you back")),
    ("text", _("{partner_name} replied to your nudge")),
):
    notification(
        Kind.NUDGE_RESPONSE,
        title,
        "{message}",
        variant=variant,
        placeholders={**PARTNER, **MESSAGE},
        lock_screen=LOCK_SCREEN_PARTNER,
    )

# Prompts
notification(
    Kind.PROMPT_ANSWERED,
    _("{partner_name} answered today's question"),
    _("Answer it too to see what they said."),
    placeholders=PARTNER,
    lock_screen=LOCK_SCREEN_PARTNER,
)
notification(
    Kind.PROMPT_ANSWERED,
    _("{partner_name} answered today's question"),
    _("You both answered: see each other's answers."),
    variant="both",
    placeholders=PARTNER,
    lock_screen=LOCK_SCREEN_PARTNER,
    description="When the recipient had answered already.",
)

# Quizzes
notification(
    Kind.KNOW_ME_ANSWERED,
    _("{partner_name} answered “{quiz_title}”"),
    _("Answer it too to see how well you know each other."),
    placeholders={**PARTNER, "quiz_title": "How well do you know me?"},
    lock_screen=LOCK_SCREEN_PARTNER,
)
notification(
    Kind.KNOW_ME_ANSWERED,
    _("{partner_name} answered “{quiz_title}”"),
    _("You both answered: see how well you know each other."),
    variant="both",
    placeholders={**PARTNER, "quiz_title": "How well do you know me?"},
    lock_screen=LOCK_SCREEN_PARTNER,
    description="When the recipient had answered already: the answers are revealed.",
)

# Billing: a silent (data-only) push, never shown; its text is only the inbox's, which skips it.
notification(
    Kind.ENTITLEMENT_CHANGED,
    _("Premium changed"),
    description="Silent: wakes the app to read GET me/entitlements again; never shown to the user.",
)

# Weekly report and milestones (insights)
notification(
    Kind.WEEKLY_REPORT_READY,
    _("Your week together"),
    _("See what you built together this week."),
)
notification(
    Kind.MILESTONE,
    _("Happy {milestone_title}!"),
    _("Look how far you have come together."),
    placeholders={"milestone_title": "100 days together"},
    description="A milestone of the couple (days, half-years, anniversaries), on its morning.",
)
notification(
    Kind.MILESTONE,
    _("Today: {milestone_title}"),
    _("A special day for you two."),
    variant="special_date",
    placeholders={"milestone_title": "Our first date"},
    description="One of the couple's own special dates, on its morning.",
)

# Dates (the date planner): the partner's steps, the reminders and the memory prompt
DATE = {"date_title": "Dinner at Enzo's"}
for kind, variant, title in (
    (Kind.DATE_PROPOSED, "", _("{partner_name} asked you on a date")),
    (Kind.DATE_ACCEPTED, "", _("{partner_name} said yes to your date")),
    (Kind.DATE_DECLINED, "", _("{partner_name} declined the date")),
    (Kind.DATE_COUNTERED, "", _("{partner_name} suggested another time or place")),
    (Kind.DATE_CANCELLED, "", _("{partner_name} cancelled the date")),
    (Kind.DATE_CANCELLED, "withdrawn", _("{partner_name} withdrew the date")),
):
    notification(
        kind, title, "{date_title}", variant=variant, placeholders={**PARTNER, **DATE}, lock_screen=LOCK_SCREEN_PARTNER
    )
notification(
    Kind.DATE_REMINDER,
    "{date_title}",
    _("Your date is tomorrow at {time}."),
    variant="day_before",
    placeholders={**DATE, "time": "19:30"},
    lock_screen=LOCK_SCREEN_DATE,
    description="The day before an accepted date; {time} is the start in the recipient's own zone.",
)
notification(
    Kind.DATE_REMINDER,
    "{date_title}",
    _("Your date starts in one hour, at {time}."),
    variant="hour_before",
    placeholders={**DATE, "time": "19:30"},
    lock_screen=LOCK_SCREEN_DATE,
    description="One hour before an accepted date; {time} is the start in the recipient's own zone.",
)
notification(
    Kind.DATE_MEMORY_PROMPT,
    _("How was your date?"),
    _("Add a rating, a note or a photo of “{date_title}”."),
    placeholders={**DATE, "time": "19:30"},
    description="Two hours after a date ended.",
)
