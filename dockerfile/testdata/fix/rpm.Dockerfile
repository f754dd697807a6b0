FROM fedora:40
RUN dnf install -y httpd \
    && dnf -y update
RUN microdnf install -y tar
