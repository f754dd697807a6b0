module example.com/quotesvc

go 1.26
