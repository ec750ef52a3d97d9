module example.org/behave

go 1.22
