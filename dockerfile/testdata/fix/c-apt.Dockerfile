FROM debian:bookworm
RUN apt-get update
RUN apt-get install -y build-essential libssl-dev
COPY . /src
RUN make -C /src && make -C /src install
RUN apt-get purge -y build-essential libssl-dev && apt-get autoremove -y
CMD ["/usr/local/bin/hello"]
