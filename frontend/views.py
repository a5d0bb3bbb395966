from django.shortcuts import render

from automation.models import Job


def organization_home(request):
    recent_jobs = Job.objects.all()[:10]
    return render(request, "frontend/organization_home.html", {"recent_jobs": recent_jobs})
