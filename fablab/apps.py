from django.apps import AppConfig


class FablabConfig(AppConfig):
    name = "fablab"
    verbose_name = "Fab Lab: certifications, machines and bookings"
