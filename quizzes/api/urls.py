from django.urls import URLPattern, path

from quizzes.api import views

urlpatterns: list[URLPattern] = [
    path("quizzes", views.QuizListApi.as_view(), name="quizzes"),
    path("quizzes/<uuid:quiz_id>", views.QuizDetailApi.as_view(), name="quiz-detail"),
    path("quizzes/<uuid:quiz_id>/attempts", views.QuizAttemptApi.as_view(), name="quiz-attempts"),
    path("quizzes/<uuid:quiz_id>/know-me", views.QuizKnowMeApi.as_view(), name="quiz-know-me"),
    path("me/love-languages", views.MeLoveLanguagesApi.as_view(), name="me-love-languages"),
    path("couple/love-languages", views.CoupleLoveLanguagesApi.as_view(), name="couple-love-languages"),
]
