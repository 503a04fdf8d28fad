FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/var/lib/printfront
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# Static files are part of the image, so it serves pages when run on its own (the manifest storage
# answers 500 without them). Settings need no environment for this, and collectstatic runs only
# the staticfiles checks. Loading settings creates VAR_DIR's folders as root: hand them over.
RUN python manage.py collectstatic --noinput \
    && useradd --system --home /app printfront && chown -R printfront /var/lib/printfront
USER printfront
EXPOSE 8000
# Workers and timeout: gunicorn.conf.py.
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
