"""The starter catalogue: ritual templates and prompt decks that `manage.py load_demo_content` loads.

Plain data, no ORM. Written for the app's users: warm, concrete, short. The "why it helps" texts name
the research idea behind each ritual in plain words (mostly John and Julie Gottman's work on what
keeps couples close) without inventing numbers.

Schedules use the supported RRULE subset (FREQ=DAILY/WEEKLY/MONTHLY, INTERVAL, BYDAY, COUNT, UNTIL);
times are the couple's local wall-clock time.
"""

from datetime import time
from typing import Any

from rituals.models.choices import Category, LoveLanguage

WORDS, TIME, TOUCH, ACTS, GIFTS = (
    LoveLanguage.WORDS,
    LoveLanguage.TIME,
    LoveLanguage.TOUCH,
    LoveLanguage.ACTS,
    LoveLanguage.GIFTS,
)
WEEKDAYS = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"

RITUAL_TEMPLATES: list[dict[str, Any]] = [
    {
        "slug": "six-second-kiss",
        "title": "The six-second kiss",
        "description": (
            "Before you go your separate ways in the morning, kiss for six full seconds. Not a peck on "
            "the way out the door: stop, hold each other, and count slowly if you need to."
        ),
        "why_it_helps": (
            "John Gottman calls it a kiss with potential: six seconds is long enough to feel like a "
            "moment instead of a habit, and short enough to fit into any morning. It marks the day's "
            "parting as something that matters."
        ),
        "category": Category.AFFECTION,
        "suggested_rrule": "FREQ=DAILY",
        "suggested_time": time(7, 45),
        "duration_minutes": 1,
        "love_languages": [TOUCH],
        "is_joint": True,
    },
    {
        "slug": "twenty-second-hug",
        "title": "A twenty-second hug",
        "description": (
            "When you see each other again at the end of the day, hug for twenty seconds. Let your "
            "shoulders drop and breathe together until the rush of the day falls away."
        ),
        "why_it_helps": (
            "A long hug gives the body time to register safety. Research on warm touch between "
            "partners links it with calmer stress responses and the release of oxytocin, the hormone "
            "tied to bonding. A quick squeeze rarely lasts long enough for that."
        ),
        "category": Category.AFFECTION,
        "suggested_rrule": "FREQ=DAILY",
        "suggested_time": time(18, 30),
        "duration_minutes": 1,
        "love_languages": [TOUCH],
        "is_joint": True,
    },
    {
        "slug": "parting-question",
        "title": "Ask about their day before you part",
        "description": (
            "Before you leave in the morning, learn one thing that is happening in your partner's day: "
            "the meeting they are dreading, the lunch they are looking forward to, the call they need "
            "to make. Then remember to ask about it tonight."
        ),
        "why_it_helps": (
            "Partings are one of the small daily moments the Gottmans found that connected couples "
            "protect. Knowing what your partner faces today keeps your map of their world current, "
            "and asking about it later shows you were listening."
        ),
        "category": Category.REUNION,
        "suggested_rrule": WEEKDAYS,
        "suggested_time": time(7, 30),
        "duration_minutes": 2,
        "love_languages": [WORDS, TIME],
        "is_joint": True,
    },
    {
        "slug": "stress-reducing-conversation",
        "title": "The stress-reducing conversation",
        "description": (
            "At the end of the workday, take twenty minutes to talk about what stressed you today "
            "outside your relationship: work, family, the commute. Take turns. The listener's job is "
            "to understand and to be on the speaker's side, not to fix anything unless asked."
        ),
        "why_it_helps": (
            "This is one of Gottman's core rituals. Stress from outside spills into a relationship "
            "when it has nowhere to go. Saying 'that sounds awful, no wonder you're exhausted' helps "
            "more than advice does, and it turns the two of you into a team against the day."
        ),
        "category": Category.REUNION,
        "suggested_rrule": WEEKDAYS,
        "suggested_time": time(18, 45),
        "duration_minutes": 20,
        "love_languages": [TIME, WORDS],
        "is_joint": True,
    },
    {
        "slug": "daily-appreciation",
        "title": "One specific appreciation",
        "description": (
            "Every day, tell your partner one thing you appreciated about them, and be specific. "
            "'Thank you for getting up with the kids so I could sleep' lands better than 'you're great'. "
            "Say it out loud, write it on a note, or send it from the app."
        ),
        "why_it_helps": (
            "Gottman's research found that couples who last keep a steady habit of fondness and "
            "admiration, and that in stable relationships positive moments far outnumber negative "
            "ones. Looking for something to thank your partner for also trains you to notice it."
        ),
        "category": Category.APPRECIATION,
        "suggested_rrule": "FREQ=DAILY",
        "suggested_time": time(20, 0),
        "duration_minutes": 2,
        "love_languages": [WORDS],
        "is_joint": False,
    },
    {
        "slug": "bedtime-hug",
        "title": "Bedtime hug",
        "description": (
            "Whatever the day was like, end it close. Before you fall asleep, hold each other for a few "
            "minutes: no phones, no to-do lists, just the two of you."
        ),
        "why_it_helps": (
            "Affection that is not a prelude to anything else tells your partner they are wanted for "
            "themselves. Ending the day with a moment of touch gives even a hard day a gentle close "
            "and makes it easier to start again tomorrow."
        ),
        "category": Category.AFFECTION,
        "suggested_rrule": "FREQ=DAILY",
        "suggested_time": time(22, 30),
        "duration_minutes": 3,
        "love_languages": [TOUCH],
        "is_joint": True,
    },
    {
        "slug": "weekly-date-night",
        "title": "Weekly date night",
        "description": (
            "Two hours a week that belong to the two of you. Go out or stay in, but plan it, protect it "
            "from other commitments, and talk about something other than logistics and the kids."
        ),
        "why_it_helps": (
            "A weekly date is part of what the Gottmans call the 'magic six hours' a week that make a "
            "difference. Time that is only for each other keeps you curious about one another instead "
            "of becoming co-managers of a household."
        ),
        "category": Category.DATE_NIGHT,
        "suggested_rrule": "FREQ=WEEKLY;BYDAY=FR",
        "suggested_time": time(19, 30),
        "duration_minutes": 120,
        "love_languages": [TIME],
        "is_joint": True,
    },
    {
        "slug": "state-of-the-union",
        "title": "Weekly state of the union",
        "description": (
            "Once a week, sit down for up to an hour. Start with five things you appreciated about each "
            "other this week. Then each of you brings one thing that bothered you: one speaks, one "
            "listens and sums up what they heard, then you swap. End by asking: 'What can I do to make "
            "you feel loved this week?'"
        ),
        "why_it_helps": (
            "The Gottmans recommend this weekly meeting so that small grievances get aired while they "
            "are still small. Starting with appreciation softens the conversation, and taking turns "
            "to understand before solving keeps it from becoming a fight."
        ),
        "category": Category.STATE_OF_THE_UNION,
        "suggested_rrule": "FREQ=WEEKLY;BYDAY=SU",
        "suggested_time": time(19, 0),
        "duration_minutes": 60,
        "love_languages": [TIME, WORDS],
        "is_joint": True,
    },
    {
        "slug": "tech-free-dinner",
        "title": "Tech-free dinner",
        "description": (
            "A few nights a week, eat together with the phones in another room and the TV off. Ask each "
            "other a real question, tell a story from your day, or just enjoy the food together."
        ),
        "why_it_helps": (
            "Gottman describes the small reaches for attention between partners as bids for "
            "connection, and found that couples who stay together turn toward them far more often. "
            "A screen in your hand makes it easy to miss a bid without ever noticing."
        ),
        "category": Category.SHARED_EXPERIENCE,
        "suggested_rrule": "FREQ=WEEKLY;BYDAY=TU,TH,SU",
        "suggested_time": time(19, 0),
        "duration_minutes": 45,
        "love_languages": [TIME],
        "is_joint": True,
    },
    {
        "slug": "weekend-adventure",
        "title": "A weekend adventure",
        "description": (
            "On the first Saturday of the month, do something neither of you has done before: a new "
            "trail, a cooking class, a town you have never visited, a concert in a genre you don't "
            "know. Take turns choosing."
        ),
        "why_it_helps": (
            "Arthur Aron's research on couples found that doing novel and mildly challenging things "
            "together brings back some of the excitement of early dating. New experiences become "
            "shared stories you will tell for years."
        ),
        "category": Category.SHARED_EXPERIENCE,
        "suggested_rrule": "FREQ=MONTHLY;BYDAY=1SA",
        "suggested_time": time(10, 0),
        "duration_minutes": 240,
        "love_languages": [TIME],
        "is_joint": True,
    },
    {
        "slug": "active-listening",
        "title": "Speaker and listener",
        "description": (
            "Pick one topic that matters to one of you. The speaker talks for a few minutes about their "
            "feelings, using 'I' statements. The listener does not argue or advise: they sum up what "
            "they heard and ask 'Did I get that right?' until the speaker says yes. Then swap roles."
        ),
        "why_it_helps": (
            "This structured way of talking comes from couples programmes such as PREP by Howard "
            "Markman and Scott Stanley. Slowing down and proving you understood lowers defensiveness, "
            "and feeling understood often matters more than reaching agreement."
        ),
        "category": Category.CONVERSATION,
        "suggested_rrule": "FREQ=WEEKLY;BYDAY=WE",
        "suggested_time": time(20, 30),
        "duration_minutes": 20,
        "love_languages": [TIME, WORDS],
        "is_joint": True,
    },
    {
        "slug": "three-good-things",
        "title": "Three good things",
        "description": (
            "Before bed, each of you names three good things from today, big or small, and at least "
            "one of them about the other: the coffee they brought you, the joke that made you laugh."
        ),
        "why_it_helps": (
            "Sara Algoe's research on gratitude between partners describes it as 'find, remind and "
            "bind': noticing what your partner does for you reminds you why you chose them and draws "
            "you closer. Saying it out loud lets them feel it too."
        ),
        "category": Category.GRATITUDE,
        "suggested_rrule": "FREQ=DAILY",
        "suggested_time": time(22, 0),
        "duration_minutes": 5,
        "love_languages": [WORDS],
        "is_joint": True,
    },
    {
        "slug": "shared-values-talk",
        "title": "What matters to us",
        "description": (
            "Once a month, talk about one of the bigger questions: what a good life looks like to each "
            "of you, how you want to celebrate holidays, what home should feel like, what you want to "
            "be remembered for. Use a question from the 'Dreams and meaning' deck to start."
        ),
        "why_it_helps": (
            "Gottman's research describes a deeper layer of a relationship he calls shared meaning: the "
            "rituals, roles, goals and symbols a couple builds together. Talking about values on "
            "purpose helps you build a life that means something to both of you."
        ),
        "category": Category.CONVERSATION,
        "suggested_rrule": "FREQ=MONTHLY",
        "suggested_time": time(20, 0),
        "duration_minutes": 45,
        "love_languages": [TIME, WORDS],
        "is_joint": True,
    },
    {
        "slug": "love-map-question",
        "title": "A love-map question",
        "description": (
            "Once a week, ask each other one question from the 'Love maps' deck and really listen to "
            "the answer. Even after years together, you will be surprised how often it changes."
        ),
        "why_it_helps": (
            "Gottman calls your knowledge of your partner's inner world (their worries, hopes, friends "
            "and favourite things) a love map. Couples with detailed, up-to-date love maps weather "
            "stressful times and big changes better."
        ),
        "category": Category.CONVERSATION,
        "suggested_rrule": "FREQ=WEEKLY;BYDAY=TU",
        "suggested_time": time(20, 30),
        "duration_minutes": 15,
        "love_languages": [TIME, WORDS],
        "is_joint": True,
    },
    {
        "slug": "celebrate-good-news",
        "title": "Celebrate their good news",
        "description": (
            "When your partner shares something good, stop what you are doing and get curious: 'Tell "
            "me everything. How did it feel?' Mark the small wins too, like a finished project or a "
            "good workout."
        ),
        "why_it_helps": (
            "Shelly Gable's research shows that how partners respond to each other's good news matters "
            "as much as how they support each other in bad times. An enthusiastic, interested answer "
            "builds trust; a distracted 'nice' quietly lets the moment go."
        ),
        "category": Category.APPRECIATION,
        "suggested_rrule": "FREQ=DAILY",
        "suggested_time": time(19, 0),
        "duration_minutes": 5,
        "love_languages": [WORDS, TIME],
        "is_joint": False,
    },
    {
        "slug": "evening-check-in",
        "title": "Evening check-in",
        "description": (
            "Take one minute to log how you feel and how connected you felt to your partner today. "
            "Share it if you like. When their check-in shows a rough day, that is your cue to reach out."
        ),
        "why_it_helps": (
            "Noticing your own mood is the first step in telling your partner what you need. A regular, "
            "low-effort check-in surfaces small changes in how you both feel before they turn into "
            "distance."
        ),
        "category": Category.CHECK_IN,
        "suggested_rrule": "FREQ=DAILY",
        "suggested_time": time(21, 0),
        "duration_minutes": 2,
        "love_languages": [WORDS],
        "is_joint": False,
    },
    {
        "slug": "week-ahead-planning",
        "title": "Plan the week ahead",
        "description": (
            "On Sunday evening, look at the coming week together: who is where, which nights are busy, "
            "who handles which chores and errands. Find one evening that is just for the two of you."
        ),
        "why_it_helps": (
            "Unspoken logistics are a quiet source of resentment, especially when one partner carries "
            "most of the planning. Sharing the load openly is an act of care, and it keeps the week "
            "from running you."
        ),
        "category": Category.CHECK_IN,
        "suggested_rrule": "FREQ=WEEKLY;BYDAY=SU",
        "suggested_time": time(18, 0),
        "duration_minutes": 20,
        "love_languages": [ACTS, TIME],
        "is_joint": True,
    },
    {
        "slug": "walk-and-talk",
        "title": "Walk and talk",
        "description": (
            "Go for a walk together, side by side, without a destination. Leave the headphones at home. "
            "Talk about whatever comes up, or enjoy the quiet together."
        ),
        "why_it_helps": (
            "Many people find it easier to open up side by side than face to face. A regular walk "
            "gives you unhurried time together that does not need planning or money."
        ),
        "category": Category.SHARED_EXPERIENCE,
        "suggested_rrule": "FREQ=WEEKLY;BYDAY=SA",
        "suggested_time": time(9, 30),
        "duration_minutes": 30,
        "love_languages": [TIME],
        "is_joint": True,
    },
    {
        "slug": "take-something-off-their-plate",
        "title": "Take something off their plate",
        "description": (
            "Once a week, quietly take over one task your partner usually handles: the dishes, the "
            "school run, the phone call they have been putting off. Ask first if you are not sure what "
            "would help most."
        ),
        "why_it_helps": (
            "Turning toward your partner is not only about words. Noticing what weighs on them and "
            "acting on it says 'I see you' in a way that is hard to miss."
        ),
        "category": Category.APPRECIATION,
        "suggested_rrule": "FREQ=WEEKLY;BYDAY=WE",
        "suggested_time": time(17, 0),
        "duration_minutes": 30,
        "love_languages": [ACTS],
        "is_joint": False,
    },
    {
        "slug": "small-surprise",
        "title": "A small surprise",
        "description": (
            "Every other week, bring your partner something small that shows you thought of them: their "
            "favourite snack, a flower from the market, a song you saved for them. It is the thought, "
            "not the price."
        ),
        "why_it_helps": (
            "A small, unexpected gift is a visible sign that your partner was on your mind while you were "
            "apart. It is another way of building the fondness and admiration that carry couples through "
            "harder times."
        ),
        "category": Category.APPRECIATION,
        "suggested_rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
        "suggested_time": time(18, 0),
        "duration_minutes": 10,
        "love_languages": [GIFTS],
        "is_joint": False,
    },
    {
        "slug": "monthly-gratitude-letter",
        "title": "A gratitude letter a month",
        "description": (
            "Once a month for a year, write your partner a short letter: what you noticed and loved "
            "about them this month, and one memory you want to keep. Read them together at the end of "
            "the year."
        ),
        "why_it_helps": (
            "Writing gratitude down makes you slow down and notice details you would otherwise let "
            "pass. A year of letters becomes a record of your relationship in your own words."
        ),
        "category": Category.GRATITUDE,
        "suggested_rrule": "FREQ=MONTHLY;COUNT=12",
        "suggested_time": time(20, 0),
        "duration_minutes": 20,
        "love_languages": [WORDS, GIFTS],
        "is_joint": False,
    },
    {
        "slug": "memory-lane",
        "title": "Memory lane",
        "description": (
            "Once a month, look back together: old photos, the story of how you met, a trip you loved, "
            "a hard time you got through. Ask each other what you remember most."
        ),
        "why_it_helps": (
            "In Gottman's research, the way couples tell the story of their relationship reflects how "
            "they feel about it. Revisiting the good chapters on purpose keeps that story warm."
        ),
        "category": Category.SHARED_EXPERIENCE,
        "suggested_rrule": "FREQ=MONTHLY",
        "suggested_time": time(20, 30),
        "duration_minutes": 30,
        "love_languages": [TIME, WORDS],
        "is_joint": True,
    },
]

PROMPT_DECKS: list[dict[str, Any]] = [
    {
        "slug": "love-maps",
        "title": "Love maps",
        "description": (
            "Questions about your partner's inner world: their worries, hopes, friends and favourite "
            "things. You may think you know the answers; ask anyway."
        ),
        "kind": "love_map",
        "prompts": [
            "Who are your closest friends right now, and what do you like most about each of them?",
            "What is something you are looking forward to in the next few weeks?",
            "What is worrying you at the moment, even a little?",
            "What was your favourite meal as a child, and who made it?",
            "Which teacher or mentor changed the way you see things?",
            "If you had a free Saturday with no obligations, how would you spend it?",
            "What is a small thing that instantly puts you in a good mood?",
            "What is one thing you would like to learn in the next year?",
            "Who in your family do you feel closest to right now, and why?",
            "What is a song that takes you straight back to a specific moment?",
            "What part of your work or days do you find most satisfying lately?",
            "What is something that drains your energy, that I might not notice?",
            "What was the best trip you have ever taken, and what made it so good?",
            "What is a fear you had as a child that you still recognise in yourself?",
            "Which book, film or show has stayed with you the longest?",
            "What does your ideal morning look like?",
            "What is a compliment you received that you still remember?",
            "Who do you admire, and what do you admire about them?",
            "What is something you are proud of that you rarely talk about?",
            "How do you like to be comforted when you are sad?",
            "What is a recent moment when you felt really understood by someone?",
            "What is a place you would love to live for a year?",
            "What is something you changed your mind about in the last few years?",
            "What is one thing about your childhood home you would like to have in ours?",
        ],
    },
    {
        "slug": "dreams-and-meaning",
        "title": "Dreams and meaning",
        "description": (
            "Bigger questions about the life you are building together: values, dreams, traditions and "
            "what makes it all feel meaningful. Best with a bit of time and no rush."
        ),
        "kind": "conversation",
        "prompts": [
            "What does a good life look like to you, apart from money?",
            "What is a dream you had when you were younger that you have not let go of?",
            "What do you want our home to feel like to people who visit?",
            "Which traditions from your family do you want to keep, and which would you rather leave behind?",
            "How do you want us to celebrate the holidays that matter to you?",
            "What would you do with a year off, if money were no object?",
            "What do you hope people say about us as a couple?",
            "When do you feel most like yourself?",
            "What is one thing you would like us to do together before we turn a year older?",
            "What role does faith, spirituality or a sense of something bigger play in your life?",
            "What did your parents teach you about love, on purpose or by accident?",
            "What does being a good partner mean to you?",
            "How do you want to grow as a person over the next five years?",
            "What is something you would like to be known for?",
            "What does 'enough' look like to you: enough money, enough time, enough success?",
            "What is a cause or community you care about, and how could we support it together?",
            "What would make our weekends feel more like ours?",
            "What does rest mean to you, and do you get enough of it?",
            "Which couple do you admire, and what do they do that you would like us to do?",
            "What is a new ritual you would like us to start?",
            "What is a goal you would like us to work towards together this year?",
            "When you imagine us in twenty years, what are we doing on an ordinary day?",
            "What is something about our life together that you never want to change?",
            "What would you like to understand better about my dreams?",
        ],
    },
    {
        "slug": "everyday-connection",
        "title": "Everyday connection",
        "description": (
            "Light, everyday questions for dinner, a walk or the drive home. Quick to ask, and a good way "
            "to turn toward each other on a busy day."
        ),
        "kind": "conversation",
        "prompts": [
            "What was the best part of your day, and what made it good?",
            "What is something small I did recently that you liked?",
            "What made you laugh today?",
            "Is there anything I could do to make tomorrow a little easier for you?",
            "What are you most looking forward to this weekend?",
            "What is something you learned this week?",
            "When did you feel closest to me this week?",
            "What is a small treat we could share this week?",
            "If today had a title, what would it be?",
            "Who did you enjoy talking to today?",
            "What is one thing on your mind right now?",
            "What is something you are grateful for today?",
            "What would be a perfect evening for you this week?",
            "What is a moment from this week that you want to remember?",
            "What is something you are curious about at the moment?",
            "Which part of your day would you happily skip tomorrow?",
            "What song has been stuck in your head lately?",
            "What is one thing you want to tell me that you have not had a chance to yet?",
            "What did you need today that you did not get?",
            "What is a compliment you would like to hear more often?",
            "What is a meal you would love us to cook together soon?",
            "What is one thing that went better than you expected this week?",
            "What is something you are proud of from today, however small?",
            "How can I show you love this week in a way you would really notice?",
        ],
    },
]
