module example.com/tracebench

go 1.22
