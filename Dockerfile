# The dashboard as `make serve` runs it: gunicorn on app:server (gunicorn.conf.py).
#   docker build -t drs-capacity .
#   docker run -p 127.0.0.1:8050:8050 -e DRS_CAPACITY_MODE=demo drs-capacity
# On AWS (ECS task role, EC2 instance role) no mode is needed: botocore finds the role.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt
COPY app.py cli.py lambda_handler.py gunicorn.conf.py ./
COPY services ./services
COPY dashboard ./dashboard
COPY components ./components
COPY scenarios ./scenarios

RUN useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin drs
USER 10001

# inside the container every interface; publish the port to the host as you need
ENV DRS_CAPACITY_BIND=0.0.0.0:8050
EXPOSE 8050
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8050/api/health', timeout=4)"]
CMD ["gunicorn", "-c", "gunicorn.conf.py", "app:server"]
