module example.com/tracebench

go 1.22

// sqlserver's in-memory database/sql driver is testdata/webapp's.
require example.com/webapp v0.0.0

replace example.com/webapp => ../webapp
