"""Input and output of the quiz and love-language endpoints. Option scores never leave the server."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from config.api.output import OutputSerializer
from config.api.serializers import Serializer
from quizzes.models import Quiz
from rituals.api.content_serializers import LocalizedOutputMixin
from rituals.models.choices import LoveLanguage


class QuizOutputSerializer(LocalizedOutputMixin):
    id = serializers.UUIDField()
    slug = serializers.CharField()
    title = serializers.CharField(source="title_localized")
    description = serializers.CharField(source="description_localized")
    kind = serializers.ChoiceField(choices=Quiz.Kind.choices)
    revision = serializers.IntegerField(help_text="Goes up with every change to the quiz's questions or options.")
    ordering = serializers.IntegerField()


class QuizOptionOutputSerializer(LocalizedOutputMixin):
    id = serializers.UUIDField()
    text = serializers.CharField(source="text_localized")


class QuizQuestionOutputSerializer(LocalizedOutputMixin):
    id = serializers.UUIDField()
    text = serializers.CharField(source="text_localized")
    options = QuizOptionOutputSerializer(many=True, source="options.all")


class QuizDetailOutputSerializer(QuizOutputSerializer):
    questions = QuizQuestionOutputSerializer(many=True, source="questions.all")


class QuizAnswerInputSerializer(Serializer):
    question_id = serializers.UUIDField()
    option_id = serializers.UUIDField(required=False, help_text="Love-language quizzes: the chosen option.")
    self_option_id = serializers.UUIDField(required=False, help_text="Know-me quizzes: your own answer.")
    guess_option_id = serializers.UUIDField(required=False, help_text="Know-me quizzes: your guess of your partner's.")


class QuizAttemptInputSerializer(Serializer):
    answers = serializers.ListField(
        child=QuizAnswerInputSerializer(),
        allow_empty=False,
        min_length=1,
        max_length=200,
        help_text="One per question.",
    )

    def validate(self, attrs: dict) -> dict:
        kind = self.context["kind"]
        needed = ["option_id"] if kind == Quiz.Kind.LOVE_LANGUAGE else ["self_option_id", "guess_option_id"]
        errors = {
            f"answers.{index}.{key}": [serializers.ErrorDetail(_("This field is required."), code="required")]
            for index, answer in enumerate(attrs["answers"])
            for key in needed
            if key not in answer
        }
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class LoveLanguageScoresOutputSerializer(OutputSerializer):
    words = serializers.IntegerField()
    time = serializers.IntegerField()
    touch = serializers.IntegerField()
    acts = serializers.IntegerField()
    gifts = serializers.IntegerField()


class LoveLanguageResultOutputSerializer(OutputSerializer):
    id = serializers.UUIDField()
    quiz_id = serializers.UUIDField()
    quiz_revision = serializers.IntegerField(help_text="The quiz revision the answers were scored on.")
    ranking = serializers.ListField(
        child=serializers.ChoiceField(choices=LoveLanguage.choices), help_text="The five love languages, best first."
    )
    scores = LoveLanguageScoresOutputSerializer()
    created_at = serializers.DateTimeField()


class LoveLanguageProfileOutputSerializer(OutputSerializer):
    """Serializes a `quizzes.selectors.LoveLanguages`."""

    taken = serializers.BooleanField(help_text="False until the love-language quiz was taken (the rest is then null).")
    ranking = serializers.ListField(
        child=serializers.ChoiceField(choices=LoveLanguage.choices),
        allow_null=True,
        help_text="The five love languages, best first.",
    )
    scores = LoveLanguageScoresOutputSerializer(allow_null=True)
    quiz_revision = serializers.IntegerField(allow_null=True, help_text="The quiz revision the ranking was scored on.")
    shared_with_partner = serializers.BooleanField(help_text="Whether your partner may see it (off by default).")
    updated_at = serializers.DateTimeField(allow_null=True)


class LoveLanguageSharingInputSerializer(Serializer):
    shared_with_partner = serializers.BooleanField()


class CoupleLoveLanguagesOutputSerializer(OutputSerializer):
    me = LoveLanguageProfileOutputSerializer(help_text="Yours (`taken` false until you took the quiz).")
    partner = LoveLanguageProfileOutputSerializer(
        allow_null=True, help_text="Null unless your partner took the quiz and shares the result with you."
    )


class KnowMeAnswerOutputSerializer(OutputSerializer):
    question_id = serializers.UUIDField()
    question = serializers.CharField()
    self_option_id = serializers.UUIDField()
    self_option = serializers.CharField()
    guess_option_id = serializers.UUIDField()
    guess_option = serializers.CharField()


class KnowMeOutputSerializer(OutputSerializer):
    """Serializes a `quizzes.selectors.KnowMeView`."""

    quiz_id = serializers.UUIDField(source="quiz.id")
    my_answers = KnowMeAnswerOutputSerializer(many=True, source="mine.answers", allow_null=True, default=None)
    partner_answered = serializers.BooleanField()
    revealed = serializers.BooleanField(help_text="Both answered: answers and scores are visible to both and locked.")
    partner_answers = KnowMeAnswerOutputSerializer(
        many=True, source="partner.answers", allow_null=True, default=None, help_text="Null until both answered."
    )
    my_score = serializers.IntegerField(allow_null=True, help_text="Your right guesses about your partner.")
    partner_score = serializers.IntegerField(allow_null=True, help_text="Your partner's right guesses about you.")
    question_count = serializers.IntegerField()


class QuizAttemptOutputSerializer(OutputSerializer):
    kind = serializers.ChoiceField(choices=Quiz.Kind.choices)
    love_languages = LoveLanguageResultOutputSerializer(allow_null=True, help_text="Love-language quizzes.")
    know_me = KnowMeOutputSerializer(allow_null=True, help_text="Know-me quizzes.")
