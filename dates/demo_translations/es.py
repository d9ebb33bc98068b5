"""The starter date ideas in Spanish: slug -> (title, description, why it helps)."""

ES: dict[str, tuple[str, str, str]] = {
    "cook-a-new-cuisine": (
        "Descubrir una cocina nueva para los dos",
        "Elegir un país, buscar una receta, hacer la compra y cocinarla juntos desde cero.",
        "Trabajar en equipo en algo nuevo genera confianza y deja una historia para contar después.",
    ),
    "sunrise-walk": (
        "Paseo al amanecer con un termo",
        "Madrugar, llevar café o té y caminar hasta un lugar desde donde ver salir el sol.",
        "Las experiencias compartidas nuevas, que piden un poco de esfuerzo, se asocian con una mayor "
        "satisfacción en la pareja.",
    ),
    "love-maps-questions": (
        "Noche de preguntas para el mapa del amor",
        "Turnarse para hacerse preguntas abiertas sobre las preocupaciones, las esperanzas y los recuerdos "
        "favoritos de cada uno.",
        "Conocer el mundo interior de tu pareja (su «mapa del amor») es la base de la amistad en una relación.",
    ),
    "video-dinner": (
        "La misma cena, dos cocinas",
        "Elegir una receta, cocinarla a la vez durante una videollamada y luego cenar juntos.",
        "Los rituales compartidos a distancia mantienen viva la conexión del día a día.",
    ),
    "stargazing": (
        "Mirar las estrellas lejos de la ciudad",
        "Alejarse de las luces de la ciudad con una manta y una app para reconocer las estrellas.",
        "Asombrarse juntos acerca a las personas y las vuelve más generosas.",
    ),
    "museum-late": (
        "Una visita nocturna al museo",
        "Ver una exposición por la noche y que cada uno elija una obra para contársela al otro.",
        "Compartir lo que te conmueve invita a tu pareja a acercarse a ti.",
    ),
    "board-game-tournament": (
        "Torneo de juegos de mesa al mejor de cinco",
        "Elegir dos o tres juegos y llevar la cuenta de los puntos: quien gane elige el postre.",
        "El juego y la risa amortiguan el estrés de todos los días.",
    ),
    "online-game-night": (
        "Noche de juegos en línea",
        "Jugar juntos a un juego cooperativo en línea o a un juego de palabras, hablando por chat de voz.",
        "Jugar en equipo entrena la misma capacidad de turnarse que hace falta en los conflictos.",
    ),
    "picnic-in-the-park": (
        "Pícnic en el parque",
        "Preparar comida sencilla, una manta y una lista de canciones; nada de teléfonos durante la primera hora.",
        "La atención sin distracciones es la moneda de la conexión.",
    ),
    "recreate-first-date": (
        "Revivir la primera cita",
        "Volver al lugar de la primera cita, o recrearla en casa, y recordar juntos cómo se sintió.",
        "Volver a la historia compartida fortalece el cariño y la admiración mutua.",
    ),
    "letter-exchange": (
        "Escribirse una carta",
        "Escribir cada uno una carta de una página sobre un momento en que sintió el amor del otro, y después "
        "leerlas en voz alta.",
        "Expresar el aprecio es uno de los indicadores más fuertes de que una pareja va a durar.",
    ),
    "dance-class": (
        "Clase de baile para principiantes",
        "Reservar una clase suelta de salsa, swing o tango para principiantes.",
        "Moverse al mismo ritmo y el contacto físico aumentan la cercanía.",
    ),
    "living-room-dance": (
        "Baile lento en casa",
        "Bajar las luces, elegir cada uno tres canciones que signifiquen algo y bailar.",
        "El afecto físico reduce las hormonas del estrés en los dos.",
    ),
    "bike-ride": (
        "En bici a un sitio nuevo",
        "Elegir una cafetería o un lago a 10-20 km y pedalear juntos hasta allí.",
        "Hacer ejercicio juntos y alcanzar una meta en común mejora el ánimo y acerca.",
    ),
    "bookshop-date": (
        "Elegirse un libro el uno al otro",
        "Ir a una librería, que cada uno elija en 20 minutos un libro para el otro y explicar el porqué con un café.",
        "Elegir algo para tu pareja demuestra que la conoces; explicarlo lo hace aún más profundo.",
    ),
    "remote-book-club": (
        "Club de lectura para dos",
        "Leer el mismo libro corto durante dos semanas y luego comentarlo en una llamada.",
        "El sentido compartido nace de las ideas que se exploran juntos.",
    ),
    "home-spa": (
        "Noche de spa en casa",
        "Toallas calientes, mascarillas, un baño de pies y un masaje, por turnos.",
        "El contacto cariñoso es lo que hace que muchas personas se sientan más queridas.",
    ),
    "volunteer-together": (
        "Hacer voluntariado juntos",
        "Pasar una mañana en un banco de alimentos, en la limpieza de un parque o en un refugio de animales.",
        "Actuar según valores compartidos construye la sensación de «nosotros».",
    ),
    "farmers-market-brunch": (
        "Brunch con lo que haya en el mercado",
        "Comprar en un mercado con poco presupuesto y preparar un brunch con lo que se encuentre.",
        "Las pequeñas aventuras compartidas renuevan el día a día.",
    ),
    "dream-board": (
        "Noche del tablero de sueños",
        "Apuntar cada uno tres sueños para los próximos cinco años y después crear juntos un solo tablero.",
        "Honrar los sueños del otro es uno de los niveles de la «casa de la relación sólida» de Gottman.",
    ),
    "photo-walk": (
        "Paseo fotográfico",
        "Recorrer un barrio y que cada uno tome diez fotos de cosas que le recuerden al otro.",
        "Encontrar al otro en el mundo que te rodea mantiene vivo el cariño.",
    ),
    "movie-sync": (
        "Noche de cine sincronizada",
        "Poner la misma película en el mismo momento y comentarla por mensaje o por llamada.",
        "Reírse juntos a distancia mantiene el vínculo alegre y juguetón.",
    ),
    "blanket-fort-movie": (
        "Cine en un fuerte de mantas",
        "Construir un fuerte de cojines y mantas, hacer palomitas y ver una película que a los dos les encantaba "
        "de niños.",
        "El juego y la nostalgia devuelven la ligereza de las primeras citas.",
    ),
    "hike-with-lunch": (
        "Excursión de medio día con vistas",
        "Elegir una ruta con vistas para comer arriba y planearla a medias.",
        "Superar juntos un reto moderado crea cercanía.",
    ),
    "pottery-class": (
        "Clase de cerámica o de pintura",
        "Reservar un taller de una sola tarde y hacer algo el uno para el otro.",
        "Aprender algo nuevo juntos revive la emoción del principio.",
    ),
    "gratitude-jar": (
        "Llenar un frasco de gratitud",
        "Escribir cada uno en papelitos diez pequeñas cosas que valora del otro.",
        "El hábito de agradecer pesa más que las molestias de cada día.",
    ),
    "karaoke-night": (
        "Noche de karaoke",
        "Cantar un dueto y una canción dedicada al otro, en un bar o en casa.",
        "Hacer tonterías juntos da confianza y muchas risas.",
    ),
    "listening-party": (
        "Noche de discos",
        "Elegir cada uno un álbum que le haya marcado y escucharlo juntos con la luz baja.",
        "Compartir tu historia le permite a tu pareja poner al día su mapa del amor sobre ti.",
    ),
    "tasting-night": (
        "Noche de cata a ciegas",
        "Probar a ciegas chocolates, quesos o tés y puntuarlos juntos.",
        "Una novedad divertida en casa vale tanto como una noche fuera.",
    ),
    "day-trip-train": (
        "Excursión de un día en tren",
        "Tomar un tren a un pueblo o una ciudad cercana que ninguno de los dos conozca, sin más plan que la comida.",
        "Explorar juntos lo desconocido despierta de nuevo la curiosidad por el otro.",
    ),
    "state-of-us-walk": (
        "Paseo de «¿cómo estamos?»",
        "Dar un paseo largo para hablar de lo que salió bien este mes y compartir un deseo cada uno.",
        "Hablar de la relación con regularidad evita que los problemas pequeños crezcan.",
    ),
    "virtual-museum": (
        "Visita virtual a un museo",
        "Explorar juntos la colección en línea de un museo y elegir una sala favorita.",
        "Descubrir cosas juntos funciona a cualquier distancia.",
    ),
    "breakfast-in-bed": (
        "Desayuno en la cama, por turnos",
        "Un sábado lo prepara y lo lleva a la cama uno; el siguiente, el otro.",
        "Los pequeños gestos de cuidado dicen «pensé en ti».",
    ),
    "ice-skating": (
        "Patinaje sobre hielo",
        "Ir a patinar de la mano y terminar con un chocolate caliente.",
        "La actividad física divertida y el contacto acercan.",
    ),
    "plant-something": (
        "Plantar algo juntos",
        "Plantar hierbas aromáticas en el balcón o un árbol en el jardín, y ponerle nombre.",
        "Cuidar juntos de algo vivo simboliza un futuro en común.",
    ),
    "comedy-show": (
        "Noche de comedia en vivo",
        "Ir a un espectáculo de comedia cerca de casa y comentar el chiste favorito de camino de vuelta.",
        "Reírse juntos se asocia con sentir el apoyo del otro.",
    ),
    "care-package": (
        "Enviarse un paquete sorpresa",
        "Fijar un presupuesto pequeño y enviar una caja con cosas que le saquen una sonrisa al otro; abrirla "
        "durante una llamada.",
        "Los regalos pensados con cariño son un lenguaje del amor para muchos; la llamada lo convierte en algo "
        "compartido.",
    ),
    "memory-lane-photos": (
        "Noche de fotos y recuerdos",
        "Repasar fotos antiguas y elegir diez para un pequeño álbum impreso.",
        "Recordar juntos los buenos momentos fortalece el cariño.",
    ),
    "cooking-class": (
        "Clase de cocina para dos",
        "Reservar una clase en la que se cocina juntos un menú completo.",
        "Coordinarse con un poco de presión es práctica para el trabajo en equipo de todos los días.",
    ),
    "beach-or-lake-swim": (
        "Nadar en un lago o en el mar",
        "Buscar un sitio para bañarse, llevar algo de picar y quedarse hasta el atardecer.",
        "El tiempo tranquilo en la naturaleza reduce el estrés de los dos.",
    ),
    "puzzle-night": (
        "Noche de rompecabezas y té",
        "Armar un rompecabezas de 500 piezas con té y música tranquila de fondo.",
        "Estar en calma uno al lado del otro, atentos a lo mismo, también es conexión.",
    ),
    "sunset-call": (
        "Llamada al atardecer",
        "Llamarse al atardecer en una de las dos zonas horarias y describir lo que ve cada uno.",
        "En una relación a distancia, los pequeños rituales de conexión son lo que más importa.",
    ),
    "autumn-leaves-walk": (
        "Paseo por el bosque en otoño y sopa",
        "Pasear por un bosque otoñal y luego preparar juntos una sopa en casa.",
        "Los rituales de cada estación le dan a la relación su propio calendario.",
    ),
    "thirty-six-questions": (
        "Las 36 preguntas",
        "Recorrer por turnos las 36 preguntas de Arthur Aron y terminar con cuatro minutos mirándose a los ojos.",
        "Los estudios mostraron que abrirse poco a poco crea cercanía incluso entre desconocidos; en pareja "
        "también funciona.",
    ),
}
