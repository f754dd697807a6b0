FROM golang:1.22-alpine3.20
# cgo: sqlite needs a C compiler
RUN apk add --no-cache gcc musl-dev
WORKDIR /app
COPY . .
RUN go build -o server .
EXPOSE 9000
ENTRYPOINT ["./server"]
