FROM python:3.12-slim
RUN apt-get update && apt-get install -y gcc
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
ADD app.py .
RUN useradd -u 1000001 app
COPY . /srv/app
RUN chown -R app:app /srv/app
USER app
CMD ["python", "app.py"]
