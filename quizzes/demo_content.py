"""The starter quizzes (our own wording), loaded by `manage.py load_demo_content`.

The love-language quiz asks 20 "which would mean more to you" questions; each offers two gestures that
speak two different love languages, and each of the ten pairs of languages is asked twice, so every
language can score 0 to 8 points.
"""

from typing import Any

from django.db import transaction

from quizzes.models import Option, Question, Quiz

# (text of the question, (option text, language code), (option text, language code))
LOVE_LANGUAGE_QUESTIONS: list[tuple[str, tuple[str, str], tuple[str, str]]] = [
    (
        "After a hard week, what would lift you most?",
        ("A note telling me what I did well", "words"),
        ("A whole evening with just the two of us", "time"),
    ),
    (
        "Which would make a dull Tuesday better?",
        ("A long hug when I walk in", "touch"),
        ("Finding the dishes already done", "acts"),
    ),
    (
        "On your birthday, what would you remember longest?",
        ("A small present that shows they listened", "gifts"),
        ("Hearing why they love me, out loud", "words"),
    ),
    (
        "What says 'I missed you' best?",
        ("Sitting close on the sofa, arms around me", "touch"),
        ("Putting the phone away and really talking", "time"),
    ),
    (
        "When you are ill, what helps most?",
        ("They take over my chores without being asked", "acts"),
        ("They bring me something they know I like", "gifts"),
    ),
    (
        "Which message would you rather find on your phone?",
        ("'I am so proud of you'", "words"),
        ("'I booked us a table for Friday'", "time"),
    ),
    (
        "After an argument, what makes peace fastest?",
        ("Being held for a moment", "touch"),
        ("Kind, honest words about what happened", "words"),
    ),
    (
        "Which surprise would please you more?",
        ("They fixed the thing that has been broken for weeks", "acts"),
        ("A walk together, no plans, no hurry", "time"),
    ),
    (
        "What feels most like being cared for?",
        ("A thoughtful souvenir from their trip", "gifts"),
        ("A back rub at the end of the day", "touch"),
    ),
    (
        "On a busy morning, what would you appreciate more?",
        ("Coffee made and lunch packed for me", "acts"),
        ("A warm compliment as I leave", "words"),
    ),
    (
        "Which date sounds better?",
        ("A day spent doing something new together", "time"),
        ("A small wrapped gift waiting at dinner", "gifts"),
    ),
    (
        "What would make you feel closest?",
        ("Holding hands on a walk", "touch"),
        ("Them running an errand so I can rest", "acts"),
    ),
    (
        "Which would you keep in a drawer for years?",
        ("A card with a long letter in it", "words"),
        ("A little object that reminds me of a shared moment", "gifts"),
    ),
    (
        "What makes a weekend feel like 'us'?",
        ("Long uninterrupted time together", "time"),
        ("Lots of cuddles and closeness", "touch"),
    ),
    (
        "Which would you notice first?",
        ("They took care of a task I dread", "acts"),
        ("They brought me flowers for no reason", "gifts"),
    ),
    (
        "When you accomplish something, what do you hope for?",
        ("To hear them say how impressed they are", "words"),
        ("A hug that lifts me off the ground", "touch"),
    ),
    (
        "Which evening sounds better?",
        ("Cooking a meal side by side and talking", "time"),
        ("They handle dinner so I can put my feet up", "acts"),
    ),
    (
        "What would make an ordinary day special?",
        ("They take one chore off my list without a word", "acts"),
        ("A text saying something lovely about me", "words"),
    ),
    (
        "When you feel low, what do you need most?",
        ("Someone beside me, fully present", "time"),
        ("A surprise that shows they thought of me", "gifts"),
    ),
    (
        "Which feels more like love to you?",
        ("A kiss hello and goodbye, every day", "touch"),
        ("A small gift brought home for no reason", "gifts"),
    ),
]

KNOW_ME_QUESTIONS: list[tuple[str, list[str]]] = [
    (
        "My perfect Sunday morning is…",
        ["Sleeping in", "An early run", "A long breakfast", "Staying in bed with a book"],
    ),
    ("If I could travel tomorrow, I would pick…", ["A beach", "A big city", "The mountains", "Staying home"]),
    (
        "When I am stressed, I most want to…",
        ["Talk it through", "Be left alone for a bit", "Move, walk or exercise", "Be distracted"],
    ),
    (
        "My favourite way to celebrate is…",
        ["A party with friends", "A quiet dinner for two", "A trip", "A cosy night in"],
    ),
    ("The chore I dislike most is…", ["Dishes", "Laundry", "Cleaning the bathroom", "Grocery shopping"]),
    ("My comfort food is…", ["Pasta", "Something sweet", "Soup", "Anything fried"]),
]

QUIZZES: list[dict[str, Any]] = [
    {
        "slug": "love-languages",
        "title": "Your love languages",
        "description": "Twenty quick choices between two gestures. Pick the one that would mean more to you.",
        "kind": Quiz.Kind.LOVE_LANGUAGE,
        "questions": [(text, [first, second]) for text, first, second in LOVE_LANGUAGE_QUESTIONS],
    },
    {
        "slug": "how-well-do-you-know-me",
        "title": "How well do you know me?",
        "description": "Answer for yourself, then guess your partner's answers. You both see the results once "
        "you both answered.",
        "kind": Quiz.Kind.KNOW_ME,
        "questions": [(text, [(option, None) for option in options]) for text, options in KNOW_ME_QUESTIONS],
    },
]


@transaction.atomic
def load_demo_quizzes() -> tuple[int, int]:
    """Creates or updates the starter quizzes by slug (questions by text, options by text); returns
    (quizzes, questions). A second run changes nothing, so the revision stays and ids are stable."""
    question_total = 0
    for position, fields in enumerate(QUIZZES, start=1):
        quiz, _ = Quiz.objects.update_or_create(
            slug=fields["slug"],
            defaults={
                "title": fields["title"],
                "description": fields["description"],
                "kind": fields["kind"],
                "is_published": True,
                "ordering": position * 10,
            },
        )
        for index, (text, options) in enumerate(fields["questions"], start=1):
            question = Question.objects.filter(quiz=quiz, text=text).first()
            if question is None:
                question = Question.objects.create(quiz=quiz, text=text, ordering=index * 10)
            for option_index, (option_text, language) in enumerate(options, start=1):
                scores = {language: 1} if language else {}
                if not Option.objects.filter(question=question, text=option_text, scores=scores).exists():
                    Option.objects.create(question=question, text=option_text, scores=scores, ordering=option_index)
            question_total += 1
    return len(QUIZZES), question_total
