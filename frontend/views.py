from django.shortcuts import render

from producers.selectors import producer_list


def home(request):
    producers = producer_list(include_paused=False)
    return render(request, "frontend/home.html", {"producers": producers})
