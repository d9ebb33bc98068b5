"""The starter date ideas in German: slug -> (title, description, why it helps)."""

# ruff: noqa: RUF001 - the en dash in these texts is German typography (Gedankenstrich, ranges), not a typo for "-"

DE: dict[str, tuple[str, str, str]] = {
    "cook-a-new-cuisine": (
        "Eine Küche entdecken, die ihr beide nicht kennt",
        "Sucht euch ein Land aus, findet ein Rezept, kauft zusammen ein und kocht es gemeinsam von Grund auf.",
        "Als Team etwas Neues anzupacken stärkt das Vertrauen – und hinterher habt ihr eine Geschichte, "
        "die ihr gern erzählt.",
    ),
    "sunrise-walk": (
        "Sonnenaufgangsspaziergang mit Thermoskanne",
        "Steht früh auf, nehmt Kaffee oder Tee mit und lauft zu einem Ort, von dem aus ihr die Sonne aufgehen seht.",
        "Neue, ein bisschen anstrengende gemeinsame Erlebnisse gehen mit mehr Zufriedenheit in der Beziehung einher.",
    ),
    "love-maps-questions": (
        "Fragenabend für eure Love Maps",
        "Stellt euch abwechselnd offene Fragen zu euren Sorgen, Hoffnungen und liebsten Erinnerungen.",
        "Die innere Welt des anderen zu kennen (eine „Love Map“) ist das Fundament der Freundschaft in einer "
        "Beziehung.",
    ),
    "video-dinner": (
        "Ein Essen, zwei Küchen",
        "Einigt euch auf ein Rezept, kocht es zur selben Zeit im Videoanruf und esst dann zusammen.",
        "Gemeinsame Rituale über die Entfernung hinweg halten eure Verbindung im Alltag lebendig.",
    ),
    "stargazing": (
        "Sterne schauen, wo es richtig dunkel ist",
        "Fahrt mit einer Decke und einer Sternkarten-App raus, weg von den Lichtern der Stadt.",
        "Gemeinsames Staunen bringt Menschen einander näher und macht sie großzügiger.",
    ),
    "museum-late": (
        "Abends ins Museum",
        "Besucht abends eine Ausstellung und sucht euch jeweils ein Werk aus, von dem ihr dem anderen erzählt.",
        "Zu teilen, was dich bewegt, lädt dein Gegenüber ein, sich dir zuzuwenden.",
    ),
    "board-game-tournament": (
        "Brettspielturnier über fünf Runden",
        "Sucht zwei oder drei Spiele aus und zählt die Punkte – wer gewinnt, darf den Nachtisch aussuchen.",
        "Verspieltheit und Lachen federn den Stress des Alltags ab.",
    ),
    "online-game-night": (
        "Online-Spieleabend",
        "Spielt zusammen ein kooperatives Online-Spiel oder ein Wortspiel und quatscht dabei im Voice-Chat.",
        "Beim gemeinsamen Spielen übt ihr genau das Abwechseln, das ihr auch im Streit braucht.",
    ),
    "picnic-in-the-park": (
        "Picknick im Park",
        "Packt einfaches Essen, eine Decke und eine Playlist ein; in der ersten Stunde bleiben die Handys weg.",
        "Ungeteilte Aufmerksamkeit ist die Währung der Verbundenheit.",
    ),
    "recreate-first-date": (
        "Euer erstes Date noch einmal erleben",
        "Geht dorthin zurück, wo ihr zum ersten Mal zusammen aus wart, oder stellt es zu Hause nach, und erzählt "
        "euch, wie es sich damals angefühlt hat.",
        "Wer die gemeinsame Geschichte wieder aufleben lässt, stärkt Zuneigung und Bewunderung füreinander.",
    ),
    "letter-exchange": (
        "Schreibt einander einen Brief",
        "Schreibt jeweils eine Seite über einen Moment, in dem ihr euch geliebt gefühlt habt, und lest sie euch "
        "dann laut vor.",
        "Ausgesprochene Wertschätzung gehört zu den stärksten Hinweisen darauf, dass ein Paar zusammenbleibt.",
    ),
    "dance-class": (
        "Schnupperkurs im Tanzen",
        "Bucht eine einzelne Schnupperstunde Salsa, Swing oder Tango für Einsteiger.",
        "Sich im gleichen Takt zu bewegen und einander zu berühren schafft Nähe.",
    ),
    "living-room-dance": (
        "Engtanz im Wohnzimmer",
        "Dimmt das Licht, sucht jeweils drei Lieder aus, die euch etwas bedeuten, und tanzt.",
        "Körperliche Zärtlichkeit senkt bei euch beiden die Stresshormone.",
    ),
    "bike-ride": (
        "Mit dem Rad an einen neuen Ort",
        "Sucht euch ein Café oder einen See in 10–20 km Entfernung aus und radelt zusammen hin.",
        "Gemeinsame Bewegung und ein zusammen erreichtes Ziel heben die Stimmung und bringen euch näher.",
    ),
    "bookshop-date": (
        "Sucht einander ein Buch aus",
        "Geht in eine Buchhandlung, wählt in 20 Minuten jeweils ein Buch für den anderen aus und erzählt euch "
        "bei einem Kaffee, warum.",
        "Etwas für den anderen auszusuchen zeigt, wie gut ihr euch kennt; es zu erklären vertieft das noch.",
    ),
    "remote-book-club": (
        "Buchclub zu zweit",
        "Lest zwei Wochen lang dasselbe kurze Buch und sprecht dann in einem Anruf darüber.",
        "Gemeinsamer Sinn entsteht aus Gedanken, die ihr zusammen erkundet.",
    ),
    "home-spa": (
        "Wellnessabend zu Hause",
        "Warme Handtücher, Gesichtsmasken, ein Fußbad und eine Massage – abwechselnd füreinander.",
        "Liebevolle Berührung ist für viele Menschen das, wodurch sie sich am meisten geliebt fühlen.",
    ),
    "volunteer-together": (
        "Gemeinsam ehrenamtlich helfen",
        "Verbringt einen Vormittag bei der Tafel, bei einer Aufräumaktion im Park oder im Tierheim.",
        "Nach gemeinsamen Werten zu handeln stärkt das Gefühl von „wir“.",
    ),
    "farmers-market-brunch": (
        "Brunch vom Wochenmarkt",
        "Kauft mit kleinem Budget auf dem Markt ein und zaubert aus euren Funden einen Brunch.",
        "Kleine gemeinsame Abenteuer bringen frischen Wind in den Alltag.",
    ),
    "dream-board": (
        "Abend für eure Traumcollage",
        "Schreibt jeweils drei Träume für die nächsten fünf Jahre auf und gestaltet dann zusammen eine Collage.",
        "Die Träume des anderen zu würdigen ist eine der Ebenen von Gottmans „Sound Relationship House“.",
    ),
    "photo-walk": (
        "Fotospaziergang",
        "Spaziert durch ein Viertel und macht jeweils zehn Fotos von Dingen, die euch an den anderen erinnern.",
        "Den anderen in der Welt um euch herum wiederzuentdecken hält die Zuneigung wach.",
    ),
    "movie-sync": (
        "Synchroner Filmabend",
        "Startet denselben Film im selben Moment und schreibt oder telefoniert dabei.",
        "Gemeinsames Lachen über die Entfernung hinweg hält eure Verbindung verspielt.",
    ),
    "blanket-fort-movie": (
        "Filmabend in der Kissenburg",
        "Baut eine Burg aus Kissen und Decken, macht Popcorn und schaut einen Film, den ihr beide als Kinder "
        "geliebt habt.",
        "Spiel und Nostalgie bringen die Leichtigkeit eurer ersten Dates zurück.",
    ),
    "hike-with-lunch": (
        "Halbtageswanderung mit Aussicht",
        "Wählt eine Route, bei der ihr oben mit Aussicht zu Mittag esst, und plant die Tour gemeinsam.",
        "Eine kleine Herausforderung, die ihr zusammen meistert, schafft Nähe.",
    ),
    "pottery-class": (
        "Töpfer- oder Malkurs",
        "Bucht einen Workshop für einen Abend und macht etwas füreinander.",
        "Zusammen etwas Neues zu lernen weckt wieder das Kribbeln vom Anfang.",
    ),
    "gratitude-jar": (
        "Ein Dankbarkeitsglas füllen",
        "Schreibt jeweils zehn kleine Dinge, die ihr am anderen schätzt, auf Zettel.",
        "Eine Gewohnheit der Wertschätzung wiegt die kleinen Ärgernisse des Alltags auf.",
    ),
    "karaoke-night": (
        "Karaoke-Abend",
        "Singt ein Duett und jeweils ein Lied, das ihr dem anderen widmet – in einer Bar oder zu Hause.",
        "Zusammen albern zu sein schafft Geborgenheit und bringt euch zum Lachen.",
    ),
    "listening-party": (
        "Album-Hörabend",
        "Sucht jeweils ein Album aus, das euch geprägt hat, und hört es gemeinsam bei gedimmtem Licht.",
        "Wenn ihr eure Geschichte teilt, könnt ihr eure Love Maps voneinander auf den neuesten Stand bringen.",
    ),
    "tasting-night": (
        "Blindverkostung zu zweit",
        "Probiert blind Schokoladen, Käse oder Tees und bewertet sie zusammen.",
        "Verspielt Neues auszuprobieren ist zu Hause genauso schön wie ein Abend in der Stadt.",
    ),
    "day-trip-train": (
        "Tagesausflug mit dem Zug",
        "Fahrt mit dem Zug in einen Ort in der Nähe, in dem ihr noch nie wart – außer dem Mittagessen gibt es "
        "keinen Plan.",
        "Zusammen Unbekanntes zu entdecken weckt neue Neugier aufeinander.",
    ),
    "state-of-us-walk": (
        "Wie-geht's-uns-Spaziergang",
        "Macht einen langen Spaziergang, sprecht darüber, was diesen Monat gut lief, und nennt jeweils einen Wunsch.",
        "Regelmäßige Check-ins halten kleine Probleme klein.",
    ),
    "virtual-museum": (
        "Virtueller Museumsrundgang",
        "Erkundet gemeinsam die Online-Sammlung eines Museums und sucht euch einen Lieblingsraum aus.",
        "Gemeinsam Neues zu entdecken funktioniert über jede Entfernung.",
    ),
    "breakfast-in-bed": (
        "Frühstück im Bett, abwechselnd",
        "An einem Samstag bringt einer von euch das Frühstück ans Bett, am nächsten Samstag der andere.",
        "Kleine Gesten der Fürsorge sagen: „Ich habe an dich gedacht.“",
    ),
    "ice-skating": (
        "Schlittschuhlaufen",
        "Geht Schlittschuh laufen, haltet euch an den Händen und trinkt danach eine heiße Schokolade.",
        "Verspielte Bewegung und Berührung schaffen Nähe.",
    ),
    "plant-something": (
        "Gemeinsam etwas pflanzen",
        "Pflanzt Kräuter auf dem Balkon oder einen Baum im Garten – und gebt ihm einen Namen.",
        "Zusammen für etwas Lebendiges zu sorgen steht für eine gemeinsame Zukunft.",
    ),
    "comedy-show": (
        "Stand-up-Comedy-Abend",
        "Besucht eine Comedy-Show in eurer Nähe und erzählt euch auf dem Heimweg euren Lieblingswitz.",
        "Wer zusammen lacht, fühlt sich auch eher vom anderen unterstützt.",
    ),
    "care-package": (
        "Schickt euch ein Care-Paket",
        "Legt ein kleines Budget fest und schickt einander eine Kiste mit Dingen, die den anderen zum Lächeln "
        "bringen; öffnet sie gemeinsam am Telefon.",
        "Liebevoll ausgesuchte Geschenke sind für viele eine Liebessprache; der Anruf macht daraus ein "
        "gemeinsames Erlebnis.",
    ),
    "memory-lane-photos": (
        "Fotoabend voller Erinnerungen",
        "Schaut alte Fotos durch und sucht zehn für ein kleines gedrucktes Album aus.",
        "Sich gemeinsam an schöne Zeiten zu erinnern stärkt die Zuneigung.",
    ),
    "cooking-class": (
        "Kochkurs zu zweit",
        "Bucht einen Kurs, in dem ihr zusammen ein ganzes Menü kocht.",
        "Sich unter leichtem Zeitdruck abzustimmen ist gute Übung für die Teamarbeit im Alltag.",
    ),
    "beach-or-lake-swim": (
        "Schwimmen im See oder im Meer",
        "Sucht euch eine Badestelle, nehmt Snacks mit und bleibt bis zum Sonnenuntergang.",
        "Entspannte Zeit in der Natur senkt bei euch beiden den Stress.",
    ),
    "puzzle-night": (
        "Puzzle- und Teeabend",
        "Legt ein 500-Teile-Puzzle, dazu Tee und eine ruhige Playlist.",
        "Ruhig Seite an Seite bei einer Sache zu sein ist auch Verbundenheit.",
    ),
    "sunset-call": (
        "Anruf zum Sonnenuntergang",
        "Telefoniert bei Sonnenuntergang in einer eurer Zeitzonen und beschreibt einander, was ihr gerade seht.",
        "In Fernbeziehungen zählen kleine Rituale der Verbundenheit am meisten.",
    ),
    "autumn-leaves-walk": (
        "Herbstspaziergang im Wald und Suppe",
        "Spaziert durch den herbstlichen Wald und kocht danach zu Hause zusammen eine Suppe.",
        "Rituale im Lauf der Jahreszeiten geben einer Beziehung ihren eigenen Kalender.",
    ),
    "thirty-six-questions": (
        "Die 36 Fragen",
        "Geht abwechselnd Arthur Arons 36 Fragen durch und schließt mit vier Minuten Blickkontakt ab.",
        "Sich Schritt für Schritt mehr zu öffnen hat nachweislich sogar zwischen Fremden Nähe geschaffen – "
        "bei Paaren wirkt es genauso.",
    ),
}
